"""The conform report's content, once, in plain words: the text, Markdown and HTML writers only lay it out.

Written for a customer-experience lead, not a process miner: steps by their
names, times as durations, shares as percentages, and a sentence under each
table saying what it means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from procmap.model.durations import format_duration

Cell = str | None


@dataclass
class Section:
    key: str
    title: str
    blurb: str
    headers: tuple[str, ...] = ()
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    empty: str = ""
    numeric: tuple[int, ...] = ()


def name(graph: Any, step: str) -> str:
    return str(graph.nodes[step]["name"]) if step in graph else step


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def duration(value: float | None) -> str:
    if value is None:
        return "–"
    if 0 < value < 1:
        return f"{value:.2f}s"
    return format_duration(value)


def approx(holder: dict[str, Any], text: str) -> str:
    """``≈`` before a figure the engine computed with an approximate quantile (SPEC §6.5)."""
    return f"≈{text}" if holder.get("approximate") and text != "–" else text


def number(value: float | None) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _of(part: int, whole: int, noun: str = "") -> str:
    """``3 of 4 cases (75.0%)``."""
    noun = f" {noun}" if noun else ""
    return f"{part:,} of {whole:,}{noun} ({pct(part / whole if whole else None)})"


def _examples(cases: list[str], total: int, shown: int = 5) -> str:
    """A few case ids to look up, and how many more there are (all 20 kept ones are in the JSON)."""
    listed = cases[:shown]
    more = total - len(listed)
    return f"{', '.join(listed)} … +{more:,}" if more > 0 and listed else ", ".join(listed)


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def title(report: dict[str, Any]) -> str:
    return f"{report['name']}: what really happened"


def intro(report: dict[str, Any], examples: int = 5) -> list[str]:
    """The opening sentences: what was read, and the three answers a reader wants first.

    ``examples``: how many case ids to name where a finding has some (the HTML page names all it has).
    """
    logs = ", ".join(report["logs"])
    lines = [
        f"Blueprint {report['file']} against {len(report['logs'])} log{'s' if len(report['logs']) != 1 else ''} "
        f"({logs}): {plural(report['events'], 'event')} in {plural(report['cases'], 'case')}.",
    ]
    lines.extend(filtered(report))
    lines.extend(left_out(report))
    ct = report["case_time"]
    lines.append(
        f"{_of(report['events_mapped'], report['events'], 'events')} map to steps of the blueprint. "
        f"Time per case, first to last event (all events): median {approx(ct, duration(ct['median']))}, "
        f"p90 {approx(ct, duration(ct['p90']))}, longest {duration(ct['max'])}; over mapped events only: median "
        f"{approx(report['figures']['elapsed'], duration(report['figures']['elapsed']['median']))}, longest {duration(report['figures']['elapsed']['max'])}."
    )
    fit = report["fitness"]
    lines.append(
        f"{_of(fit['cases_fitting'], report['cases'], 'cases')} went through the blueprint as drawn, start to end; "
        f"{_of(fit['pairs_conforming'], fit['pairs'], 'moves')} from one step to the next follow its flows."
    )
    rc = report["repeat_contacts"]
    if rc["cases"] is None:
        lines.append("Repeat contacts: not logged (no event of a customer action in the log).")
    else:
        some = f": {_examples(rc['examples'], rc['cases'], examples)}" if rc["examples"] else ""
        lines.append(
            f"{_of(rc['cases'], report['cases'], 'cases')} had the customer get in touch again "
            f"(a chase, or the same customer action twice){some}."
        )
    if report["sla"]:
        sb = report["sla_breaches"]
        lines.append(f"{_of(sb['cases'], report['cases'], 'cases')} waited longer than a promised time (sla).")
    return lines


def filtered(report: dict[str, Any]) -> list[str]:
    """The filters that ran and what they left out (issue 25: the heading states them, in every format)."""
    f = report.get("filters")
    if not f:
        return []
    gone = f["left_out"]
    return [
        f"Filtered to {f['text']}: {plural(gone['cases'], 'case')} and {plural(gone['events'], 'event')} "
        f"of the {f['read']['cases']:,} cases and {f['read']['events']:,} events read left out; "
        "every figure below is of what was kept."
    ]


def left_out(report: dict[str, Any]) -> list[str]:
    """Every event that is not a step, counted by reason (issue 25: nothing dropped without a word)."""
    note = report["lifecycle"]["note"]
    lines = [note[0].upper() + note[1:] + "."] if note else []
    gone = report["left_out"]
    parts = []
    for row in gone["lifecycle"]:
        used = f", used for {row['used_for']}" if row["used_for"] else ""
        parts.append(f"{plural(row['events'], 'event')} with lifecycle {row['value']!r}{used}")
    if gone["unmapped_activity"]:
        parts.append(
            f"{plural(gone['unmapped_activity'], 'event')} of "
            f"{plural(len(report['unmapped']), 'activity', 'activities')} the blueprint does not know "
            "(listed at the end)"
        )
    if parts:
        lines.append(
            f"Left out of the steps: {plural(gone['events'], 'event')} of {report['events']:,} — "
            + "; ".join(parts)
            + "."
        )
    return lines


def headline(report: dict[str, Any]) -> list[tuple[str, str]]:
    fit = report["fitness"]
    cards = [
        ("cases", f"{report['cases']:,}"),
        ("events", f"{report['events']:,}"),
        ("cases that fit the blueprint", pct(fit["share"])),
        ("moves that follow a flow", pct(fit["pairs_share"])),
        (
            "cases with a repeat contact",
            "not logged" if report["repeat_contacts"]["cases"] is None else pct(report["repeat_contacts"]["share"]),
        ),
    ]
    if report["sla"]:
        cards.append(("cases over an sla", pct(report["sla_breaches"]["share"])))
    return cards


FIGURE_LABELS = {
    "customer_actions": "Things the customer did",
    "touchpoints": "Touchpoints met",
    "parties": "Teams dealt with",
    "visible_handoffs": "Times passed to another team",
    "channel_switches": "Channel switches",
    "elapsed": "Time from first to last step",
    "longest_silence": "Longest silence between contacts",
    "repeats": "Times sent back round a loop",
}
_TIMES = {"elapsed", "longest_silence"}


def build(report: dict[str, Any], graph: Any, examples: int | None = None) -> list[Section]:
    """Every section, in reading order.

    ``examples``: case ids named per row; None keeps tables narrow for a terminal (3 per variant, 5
    elsewhere), the HTML page passes 20 to list every id the report keeps.
    """
    few = examples or 5
    fewer = examples or 3
    n = lambda s: name(graph, s)  # noqa: E731
    out: list[Section] = []

    deviations = [f for f in report["flows"] if not f["modelled"]]
    out.append(
        Section(
            "deviations",
            "Where reality leaves the blueprint",
            "Moves from one step straight to another that no flow of the blueprint allows "
            "(steps never logged may sit between them, as they do in the blueprint).",
            ("Cases moved", "From", "To", "Typical wait", "Longest wait", "Cases"),
            [
                (
                    f"{f['observed']:,}",
                    n(f["from"]),
                    n(f["to"]),
                    approx(f["wait"], duration(f["wait"]["median"])),
                    duration(f["wait"]["max"]),
                    _examples(f.get("examples", []), f["observed"], few),
                )
                for f in deviations
            ],
            "None: every move between logged steps follows the blueprint.",
            (0, 3, 4),
        )
    )
    out.append(
        Section(
            "flows",
            "Moves between steps",
            "Each observed move from one logged step to the next, most frequent first, with the time between "
            "them (median, 90th percentile, longest).",
            ("Times", "From", "To", "In the blueprint", "Median wait", "p90 wait", "Longest wait"),
            [
                (
                    f"{f['observed']:,}",
                    n(f["from"]),
                    n(f["to"]),
                    "yes" if f["modelled"] else "NO",
                    approx(f["wait"], duration(f["wait"]["median"])),
                    approx(f["wait"], duration(f["wait"]["p90"])),
                    duration(f["wait"]["max"]),
                )
                for f in report["flows"]
            ],
            "No moves: no case has two logged steps.",
            (0, 4, 5, 6),
        )
    )
    slowest = sorted(report["flows"], key=lambda f: -(f["wait"]["median"] or 0))[:10]
    out.append(
        Section(
            "slowest_flows",
            "Slowest moves",
            "The ten moves between steps with the longest median wait: where cases sit, however often it happens.",
            ("Median wait", "From", "To", "Times", "In the blueprint"),
            [
                (
                    approx(f["wait"], duration(f["wait"]["median"])),
                    n(f["from"]),
                    n(f["to"]),
                    f"{f['observed']:,}",
                    _yes(f["modelled"]),
                )
                for f in slowest
            ],
            "No moves: no case has two logged steps.",
            (0, 3),
        )
    )
    shown = report["variants"][:10]
    out.append(
        Section(
            "variants",
            f"Variants: the {len(shown)} most common of {len(report['variants']):,}",
            "Each distinct sequence of steps a case went through, most cases first; all of them in --format json.",
            ("Cases", "Share", "Fits", "Median time", "Steps", "Example cases"),
            [
                (
                    f"{v['cases']:,}",
                    pct(v["share"]),
                    "yes" if v["fits"] else "NO",
                    approx(v, duration(v["median_duration"])),
                    " → ".join(n(s) for s in v["steps"]),
                    _examples(v["examples"], v["cases"], fewer),
                )
                for v in shown
            ],
            "None: no case has a mapped step.",
            (0, 1, 3),
        )
    )
    out.append(
        Section(
            "rework",
            "Rework: cases doing a step again",
            "Per step, the cases that did it more than once (a loop of the blueprint, or not).",
            ("Step", "Cases", "Example cases"),
            [(n(r["step"]), f"{r['cases']:,}", _examples(r["examples"], r["cases"], few)) for r in report["rework"]],
            "None: no case did a step twice.",
            (1,),
        )
    )
    ends = [("starts", a["activity"], f"{a['cases']:,}") for a in report["start_activities"]]
    ends += [("ends", a["activity"], f"{a['cases']:,}") for a in report["end_activities"]]
    out.append(
        Section(
            "start_end_activities",
            "How cases start and end",
            "The activity of each case's first and last event (mapped to a step or not).",
            ("", "Activity", "Cases"),
            _capped(ends, "activities"),
            "No events.",
            (2,),
        )
    )
    out.append(
        Section(
            "workload",
            "Workload per resource",
            "Events done and cases touched by each resource; work time from a start to its complete, when logged.",
            ("Resource", "Events", "Cases", "Median work time"),
            _capped(
                [
                    (w["resource"], f"{w['events']:,}", f"{w['cases']:,}", approx(w, duration(w["median_work"])))
                    for w in report["workload"]
                ],
                "resources",
            ),
            "Not logged: the log has no resource column (or no resource on any event).",
            (1, 2, 3),
        )
    )
    out.append(
        Section(
            "unused",
            "Flows of the blueprint nobody took",
            "Drawn in the blueprint, never followed in the log: a rare branch, or a path that no longer exists. "
            "Beside each, the cases that reached its first step and went another way (none: no case got there).",
            ("From", "To", "Cases there", "Example cases"),
            [
                (
                    n(u["from"]),
                    n(u["to"]),
                    f"{u.get('reached_from', 0):,}",
                    _examples(u.get("examples", []), u.get("reached_from", 0), few),
                )
                for u in report["unused_flows"]
            ],
            "None: every flow was taken at least once.",
            (2,),
        )
    )
    rows = []
    for key, label in FIGURE_LABELS.items():
        s = report["figures"][key]
        fmt = duration if key in _TIMES else number
        rows.append(
            (label, fmt(s["min"]), approx(s, fmt(s["median"])), approx(s, fmt(s["p90"])), fmt(s["max"]), fmt(s["mean"]))
        )
    out.append(
        Section(
            "figures",
            "What one customer went through",
            f"Per case, over the {report['cases_mapped']:,} cases with a logged step: the least, the middle case, "
            "the 90th percentile, the most and the average.",
            ("", "Least", "Median", "p90", "Most", "Average"),
            rows,
            numeric=(1, 2, 3, 4, 5),
        )
    )
    out.append(
        Section(
            "shares",
            "Which way customers went at each branch",
            "At each step with several flows: the share of customers who took each one, beside the share the "
            "blueprint expects (`share:`).",
            ("At", "To", "When", "Observed", "Blueprint", "Cases"),
            [
                (n(s["from"]), n(s["to"]), s["when"], pct(s["observed"]), pct(s["model"]), f"{s['count']:,}")
                for s in report["shares"]
            ],
            "The blueprint has no branching step.",
            (3, 4, 5),
        )
    )
    out.append(
        Section(
            "sla",
            "Promised times (sla)",
            "For each step with an sla: how long customers really waited for it, from the last time they dealt "
            "with someone (or from the first step of their case), and how many waited longer than promised.",
            ("Step", "Promised", "Cases", "Over the promise", "Median wait", "p90 wait", "Longest wait", "Cases over"),
            [
                (
                    n(s["step"]),
                    duration(s["sla"]),
                    f"{s['cases']:,}",
                    _of(s["breaches"], s["cases"]),
                    approx(s, duration(s["median_wait"])),
                    approx(s, duration(s["p90_wait"])),
                    duration(s["max_wait"]),
                    _examples(s.get("examples", []), s["breaches"], few),
                )
                for s in report["sla"]
            ],
            "No step of the blueprint has an sla.",
            (2, 4, 5, 6),
        )
    )
    rc = report["resource_changes"]
    out.append(
        Section(
            "resources",
            "People the customer was passed between",
            "Per case: how often the next person the customer dealt with at a touchpoint was someone else "
            "(people, not teams; events without a person are skipped).",
            ("Least", "Median", "p90", "Most", "Average"),
            [
                tuple(
                    approx(rc, number(rc[k])) if k in ("median", "p90") else number(rc[k])
                    for k in ("min", "median", "p90", "max", "mean")
                )
            ]
            if report["resources_known"]
            else [],
            "The log has no resource column: who did each step is unknown.",
            (0, 1, 2, 3, 4),
        )
    )
    if report["work"]:
        out.append(
            Section(
                "work",
                "Work time per step",
                "From each step's start (its start event, or the log's start column) to its completion.",
                ("Step", "Times", "Median", "p90", "Longest"),
                [
                    (
                        n(w["step"]),
                        f"{w['events']:,}",
                        approx(w, duration(w["median"])),
                        approx(w, duration(w["p90"])),
                        duration(w["max"]),
                    )
                    for w in report["work"]
                ],
                numeric=(1, 2, 3, 4),
            )
        )
    out.append(
        Section(
            "unmapped",
            "Activities the blueprint does not know",
            "Events whose activity matches no step's id, name or `activities:`; they are left out of every "
            "figure. Add the name to a step's `activities:` if it is one.",
            ("Activity", "Events"),
            _capped([(u["activity"], f"{u['events']:,}") for u in report["unmapped"]], "activities"),
            "None: every activity is a step.",
            (1,),
        )
    )
    out.append(
        Section(
            "silent",
            "Steps never seen in the logs",
            "Not every step is logged; a move may pass through these without breaking the blueprint.",
            ("Step",),
            [(n(s),) for s in report["silent_steps"]],
            "None: every step appears in the logs.",
        )
    )
    return out


SHOWN = 50  # rows of a long list a person reads; the JSON has them all


def _capped(rows: list[tuple[Cell, ...]], noun: str) -> list[tuple[Cell, ...]]:
    if len(rows) <= SHOWN:
        return rows
    more = len(rows) - SHOWN
    return [*rows[:SHOWN], (f"… {more:,} more {noun} (in --format json)", *([""] * (len(rows[0]) - 1)))]


BUDGET_HEADERS = ("Budget", "Limit", "Actual", "")


def budget_rows(report: dict[str, Any]) -> list[tuple[Cell, ...]]:
    return [
        (b["budget"], pct(b["limit"]), pct(b["value"]), "exceeded" if b["exceeded"] else "ok")
        for b in report["budgets"]
    ]
