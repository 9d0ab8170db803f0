"""The customer's story first (issue 19): the opening sentences, the words for numbers, durations, the REPEAT label."""

from __future__ import annotations

import json
import re

import pytest

from conftest import EXAMPLES
from procmap.model.durations import format_duration
from procmap.model.words import names_list, percent, times_on_average
from procmap.story import MAX_SENTENCES, NOTHING_FOUND, story

INVOICE = EXAMPLES / "stories" / "wrong-invoice.yaml"

# --- durations and numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.2, "under 1s"),
        (45, "45s"),
        (59.4, "59s"),
        (59.6, "1m"),
        (90, "2m"),  # to the nearest minute
        (5400, "1h 30m"),
        (118380, "1d 8h 53m"),  # issue 19: printed "1d 8h"
        (6 * 86400 + 600, "6d 10m"),
        (14 * 86400, "14d"),
        (86399, "1d"),
        (-1200, "-20m"),
    ],
)
def test_durations_are_exact_to_the_minute(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0, "0 %"),
        (0.3, "30 %"),
        (0.14, "14 %"),
        (0.045, "4.5 %"),
        (0.0004, "under 0.1 %"),
        (0.9996, "over 99.9 %"),
        (0.996, "99.6 %"),
        (1, "100 %"),
        (None, "–"),
    ],
)
def test_probabilities_read_as_percentages(p: float | None, text: str) -> None:
    assert percent(p) == text


def test_expected_counts_read_as_times_on_average() -> None:
    assert times_on_average(3 / 7) == "0.43 times on average"
    assert times_on_average(1.0) == "1 time on average"
    assert times_on_average(0.3) == "0.3 times on average"
    assert names_list(["A", "B", "C", "D"]) == "A, B, C and 1 more"
    assert names_list(["A", "B"]) == "A and B"


# --- the story, from plain dicts ------------------------------------------------------------

NAMES = {
    "call": "Call about the invoice",
    "fix": "Correct the invoice",
    "again": "Call again",
    "mail": "E-mail the corrected invoice",
    "pay": "Pay",
}


def _journey(steps: list[str], **figures: float) -> dict:
    base = {
        "customer_actions": 1,
        "touchpoints": 1,
        "parties": 1,
        "visible_handoffs": 0,
        "channel_switches": 0,
        "elapsed": 0,
        "longest_silence": 0,
        "repeats": 0,
        "chases": 0,
    }
    return {"steps": steps, "figures": {**base, **figures}, "probability": None}


def _report(**journeys: object) -> dict:
    main = _journey(["call", "fix", "mail", "pay"])
    j = {
        "repeats": 1,
        "count": 1,
        "main": main,
        "worst": main,
        "min": dict(main["figures"]),
        "max": dict(main["figures"]),
        "expected": None,
        "repeat_loops": [],
        "fail_points": [],
        "asked_twice": [],
        "sla": [],
    }
    j.update(journeys)
    return {"id": "p", "fail_points": [], "journeys": j}


def test_nothing_found_only_when_nothing_is() -> None:
    assert story(_report(), NAMES) == [NOTHING_FOUND]
    quiet = _journey(["call", "fix", "mail", "pay"], visible_handoffs=2, longest_silence=7200)
    assert story(_report(worst=quiet), NAMES) == [
        NOTHING_FOUND,
        "On the worst journey the customer is passed on 2 times and hears nothing for up to 2h.",
    ]


def test_the_invoice_story_opens_on_coming_back_then_the_broken_promise_then_the_cause() -> None:
    worst = _journey(["call", "fix", "again", "fix", "mail", "pay"], repeats=1, chases=1)
    report = _report(
        worst=worst,
        max=worst["figures"],
        expected={"repeats": 3 / 7, "chases": 3 / 7, "p_comes_back": 0.3},
        repeat_loops=[{"from": "again", "to": "fix", "when": None, "facing": ["again"]}],
        sla=[{"step": "mail", "sla": 172800, "longest_wait": 6 * 86400 + 600, "from": "call", "breach": True}],
        fail_points=[{"step": "fix", "backup": None, "surfaces_at": ["mail", "again"]}],
        asked_twice=[{"data": "invoice", "first": "call", "second": "again"}],
    )
    assert story(report, NAMES, chase_steps=["again"]) == [
        "30 % of customers have to come back (Call again).",
        "E-mail the corrected invoice can take 6d 10m from Call about the invoice, against a promise of 2d.",
        "Cause: Correct the invoice has no backup (the customer finds out at E-mail the corrected invoice or "
        "Call again).",
    ]  # at most three sentences: asked twice is left for the sections below
    assert len(story(report, NAMES)) == MAX_SENTENCES


def test_without_shares_a_customer_can_come_back_and_a_fail_point_alone_is_a_risk() -> None:
    worst = _journey(["call", "fix", "again", "fix", "mail", "pay"], repeats=1)
    report = _report(
        worst=worst,
        max=worst["figures"],
        repeat_loops=[{"from": "again", "to": "fix", "when": None, "facing": ["again"]}],
    )
    assert story(report, NAMES)[0] == "A customer can have to come back (Call again)."
    alone = _report(fail_points=[{"step": "fix", "backup": "Team lead", "surfaces_at": []}])
    alone["fail_points"] = [{"step": "fix", "owner": "Clerk"}]
    assert story(alone, NAMES)[0] == (
        "Risk: Correct the invoice can fail, with Team lead as backup (no later contact tells the customer)."
    )
    owner_again = _report(fail_points=[{"step": "fix", "backup": " clerk ", "surfaces_at": ["mail"]}])
    owner_again["fail_points"] = [{"step": "fix", "owner": "Clerk"}]
    assert "Correct the invoice has no backup" in story(owner_again, NAMES)[0]


def test_zero_probability_and_several_broken_promises() -> None:
    sla = [
        {"step": "mail", "sla": 86400, "longest_wait": None, "from": None, "breach": True},
        {"step": "pay", "sla": 3600, "longest_wait": 7200, "from": None, "breach": True},
        {"step": "fix", "sla": 60, "longest_wait": 120, "from": "call", "breach": True},
        {"step": "again", "sla": 60, "longest_wait": 10, "from": "call", "breach": False},
    ]
    report = _report(expected={"repeats": 0, "chases": 0, "p_comes_back": 0}, sla=sla)
    (first, *_rest) = story(report, NAMES)
    assert first == (
        "3 promises break: E-mail the corrected invoice has no limit at all (work out of sight can loop), against "
        "a promise of 1d; Pay can take 2h from the start, against a promise of 1h; and 1 more."
    )


def test_asked_twice_is_grouped_by_where_it_is_asked_again() -> None:
    report = _report(
        asked_twice=[
            {"data": "account", "first": "call", "second": "again"},
            {"data": "invoice", "first": "call", "second": "again"},
        ]
    )
    assert story(report, NAMES) == ["The customer is asked again for account and invoice at Call again."]


def test_no_journeys_no_story() -> None:
    assert story({"id": "p"}, NAMES) == []


# --- through the CLI -------------------------------------------------------------------------


def test_every_format_opens_with_the_same_sentences(run, tmp_path) -> None:
    data = json.loads(run("audit", "--format", "json", INVOICE).stdout)["processes"][0]
    headline = data["headline"]
    assert 1 <= len(headline) <= MAX_SENTENCES
    assert list(data)[: list(data).index("headline") + 1] == ["id", "name", "file", "owner", "headline"]
    # issue 19's "done when": the come-back probability first, the broken 2-day promise (from the first call, on
    # the worst journey) second, the cause third.
    assert headline == [
        "30 % of customers have to come back (Call again to ask where the correction is).",
        "E-mail the corrected invoice can take 4d 31m from Call about the wrong invoice, against a promise of 2d.",
        "Cause: Correct the invoice has no backup (the customer finds out at E-mail the corrected invoice or Call "
        "again to ask where the correction is).",
    ]
    j = data["journeys"]
    assert j["expected"]["p_comes_back"] == pytest.approx(0.3)
    assert j["sla"][0]["longest_wait"] == 4 * 86400 + 31 * 60 and j["sla"][0]["from"] == "first-call"
    text = run("audit", INVOICE).stdout.decode()
    title_end = text.index("=\n") + 2
    assert text[title_end:].lstrip("\n").startswith(headline[0] + "\n" + headline[1] + "\n" + headline[2])
    assert text.index(headline[0]) < text.index("Journeys: what one customer goes through")
    md = run("audit", "--format", "markdown", INVOICE).stdout.decode()
    assert " ".join(headline) in md.replace("\\", "")
    assert md.index(headline[0]) < md.index("#### Journeys")
    html = run("audit", "--format", "html", INVOICE).stdout.decode()
    first = html.index('<div class="story">')
    assert html[first:].startswith('<div class="story"><p>' + headline[0].replace("'", "&#x27;") + "</p>")
    assert first < html.index('data-section="journeys"')


def test_html_tiles_show_journeys_and_the_graph_totals_move_to_their_own_section(run) -> None:
    html = run("audit", "--format", "html", EXAMPLES / "support-ticket.yaml").stdout.decode()
    summary = html.split('data-section="summary"')[1].split("</section>")[0]
    data = json.loads(run("audit", "--format", "json", EXAMPLES / "support-ticket.yaml").stdout)["processes"][0]
    worst = data["journeys"]["worst"]["figures"]
    assert "Customers who come back" in summary and "Main journey" in summary and "Worst journey" in summary
    n = worst["visible_handoffs"]
    assert f"{n} handoff{'' if n == 1 else 's'} the customer sees" in summary
    total = data["metrics"]["visible_handoffs"]  # 7 in the graph, 4 at most in a journey
    assert total > worst["visible_handoffs"] and not re.search(rf"(?<![\d.]){total} handoffs", summary)
    assert "Customer-visible handoffs" not in summary and "Touchpoints" not in summary  # graph totals
    graph = html.split('data-section="metrics"')[1].split("</section>")[0]
    assert "Across the whole graph" in graph and "Customer-visible handoffs" in graph


# --- the REPEAT label -------------------------------------------------------------------------

# Depth-first from ask: ask, a, b; b -> a is a loop edge (a is on the walk's path). The journey ask, b, a, b,
# end reaches a for the first time through that loop flow: a is not "back again", b is.
FIRST_VIA_LOOP = """
version: 1
process: {id: first-via-loop, name: First via a loop}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: desk, name: Desk, kind: onstage}
steps:
  - id: ask
    name: Ask
    lane: customer
    next: [{to: a, when: long way}, {to: b, when: short way}]
  - {id: a, name: Close the account, lane: desk, next: [b]}
  - id: b
    name: Confirm
    lane: desk
    next: [{to: a, when: not closed yet}, {to: done, when: closed}]
  - {id: done, name: Done, lane: customer}
"""


def test_a_step_reached_first_through_a_loop_flow_is_not_labelled_a_repeat(write) -> None:
    from procmap.analysis.journeys import Journeys
    from procmap.config import Config
    from procmap.reports.audit_journeys import journey_rows
    from procmap.reports.audit_sections import Glyphs
    from procmap.validate import check_text

    result = check_text(FIRST_VIA_LOOP, "p.yaml", Config())
    loops = Journeys(result.graph).loop_edge_ids()
    assert ("b", "a") in loops
    rows = journey_rows({"steps": ["ask", "b", "a", "b", "done"]}, result.graph, Glyphs.pick(True), loops)
    notes = {row[0]: row[4] or "" for row in rows}
    assert "REPEAT" not in notes["3"]  # Close the account, first time: the false label of issue 19
    assert notes["4"] == "2nd visit"  # Confirm, really again
    again = journey_rows({"steps": ["ask", "a", "b", "a", "b", "done"]}, result.graph, Glyphs.pick(True), loops)
    assert again[3][4] == "REPEAT: back to this step again (from Confirm)"
    assert again[4][4] == "2nd visit"


PLANNED = """
version: 1
process: {id: follow-up, name: Follow-up}
lanes:
  - {id: customer, name: Patient, kind: customer}
  - {id: desk, name: Clinic, kind: onstage}
steps:
  - {id: visit, name: Visit the clinic, lane: customer, next: [see]}
  - id: see
    name: See the doctor
    lane: desk
    next:
      - {to: visit, when: follow-up due, planned: true, share: 0.4}
      - {to: done, when: healed, share: 0.6}
  - id: done
    name: Go home
    lane: customer
    contact: chase
"""


def test_a_planned_return_is_no_repeat_and_a_chase_is_marked(write) -> None:
    from procmap.analysis.journeys import Journeys
    from procmap.config import Config
    from procmap.reports.audit_journeys import journey_rows
    from procmap.reports.audit_sections import Glyphs
    from procmap.validate import check_text

    result = check_text(PLANNED, "p.yaml", Config())
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"], result.diagnostics
    loops = Journeys(result.graph).loop_edge_ids()
    rows = journey_rows({"steps": ["visit", "see", "visit", "see", "done"]}, result.graph, Glyphs.pick(True), loops)
    notes = [row[4] or "" for row in rows]
    assert notes[2] == "planned return to this step (from See the doctor)"
    assert notes[3] == "2nd visit, as planned"
    assert notes[4] == "CHASE: the customer has to chase (nothing came)"
    assert not any("REPEAT" in n for n in notes)


# --- diff shows the journeys -------------------------------------------------------------------


def _fewer_chases(tmp_path) -> object:
    """The invoice story with the clerk covered more often: 10 % hear nothing instead of 30 %."""
    text = INVOICE.read_text(encoding="utf-8")
    assert text.count("share: 0.7") == 1 and text.count("share: 0.3") == 1
    path = tmp_path / "covered.yaml"
    path.write_text(text.replace("share: 0.7", "share: 0.9").replace("share: 0.3", "share: 0.1"), encoding="utf-8")
    return path


def test_diff_shows_main_worst_and_average_journeys_before_and_after(run, tmp_path) -> None:
    covered = _fewer_chases(tmp_path)
    data = json.loads(run("diff", INVOICE, covered, "--format", "json").stdout)
    j = data["journeys"]
    old_avg, new_avg = j["expected"]["repeats"]["old"], j["expected"]["repeats"]["new"]
    assert old_avg == pytest.approx(3 / 7) and new_avg == pytest.approx(1 / 9)  # more than halved
    assert j["expected"]["comes_back"]["delta"] < 0
    assert j["main"]["visible_handoffs"] == {"old": 0, "new": 0, "delta": 0}
    assert j["worst"]["elapsed"]["delta"] == 0
    assert (j["p_comes_back"]["old"], j["p_comes_back"]["new"]) == (pytest.approx(0.3), pytest.approx(0.1))
    assert data["headline"].startswith("customers who come back 30 % → 10 %")
    assert j["expected"]["chases"]["new"] == pytest.approx(1 / 9)
    assert data["customer_facing"] is True
    text = run("diff", INVOICE, covered).stdout.decode()
    assert "Customers who come back  30 % -> 10 %  (-20 points)" in text
    assert "On average: times the customer comes back  0.86 -> 0.22  (-0.63)" in text
    assert "On average: times round a loop back (repeats)  0.43 -> 0.11  (-0.32)" in text
    md = run("diff", INVOICE, covered, "--format", "markdown").stdout.decode()
    assert "| On average: times round a loop back (repeats) | 0.43 | 0.11 | -0.32 |" in md
    # Worse the other way round: more customers come back fails the journeys gate.
    assert run("diff", covered, INVOICE, "--fail-on-worse-journeys").returncode == 1
    assert run("diff", INVOICE, covered, "--fail-on-worse-journeys").returncode == 0


def test_docs_show_the_report_opening_procmap_prints(run) -> None:
    """docs/audit.md quotes the opening of the invoice story's report: it must be what procmap prints."""
    from conftest import ROOT

    doc = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    block = doc.split("```\nWrong invoice (wrong-invoice)", 1)[1].split("```", 1)[0]
    quoted = ["Wrong invoice (wrong-invoice)" + block.splitlines()[0], *block.splitlines()[1:]]
    printed = run("audit", "examples/stories/wrong-invoice.yaml", cwd=ROOT).stdout.decode().splitlines()
    assert quoted == printed[: len(quoted)]
    assert len([line for line in quoted if line.strip()]) >= 8  # title, rule, sentences, tiles


def test_sentences_stay_short_however_long_a_name_or_list() -> None:
    names = {"fix": "x" * 5_000_000}
    worst = _journey(["call", "fix"], repeats=1)
    loops = [{"from": f"s{i}", "to": "fix", "when": None, "facing": [f"s{i}"]} for i in range(2000)]
    report = _report(
        worst=worst,
        max=worst["figures"],
        repeat_loops=loops,
        fail_points=[{"step": f"f{i}", "backup": None, "surfaces_at": ["fix"]} for i in range(3000)],
    )
    out = story(report, names)
    assert out[0] == "A customer can have to come back (s0, s1 and 1998 more)."
    assert out[1].startswith("Cause: f0 has no backup (the customer finds out at xxx") and out[1].endswith(
        "; and 2998 more fail points."
    )
    assert max(len(s) for s in out) < 400


def test_the_overview_puts_the_invoice_story_first_among_the_examples(run) -> None:
    """issue 19: the story whose customers call twice looked like the cleanest process; worst first, it leads."""
    from conftest import ROOT

    files = [*sorted((ROOT / "examples").glob("*.yaml")), INVOICE]
    text = run("audit", *files).stdout.decode()
    rows = [x for x in text.splitlines() if x.startswith("| ") and not x.startswith("| Process")]
    assert rows[0].startswith("| wrong-invoice ") and "| 30 % " in rows[0] and "| 1 of 1 " in rows[0]
