"""A log shaped like a real help-desk export, checked against a plain-Python count of the same figures.

The export has what real ones have: ``;`` between fields, a quoted field
holding a ``;``, timestamps with offsets that change with daylight saving,
start and complete events, named agents, a column procmap cannot guess
(``Complete Timestamp``), extra columns, and activities the model does not
know (system housekeeping).  The expected figures are counted below with the
csv module and ordinary loops.
"""

from __future__ import annotations

import csv
import itertools
import json
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

MODEL = """\
version: 1
process:
  id: helpdesk
  name: Help desk ticket
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: desk, name: First line, kind: onstage}
  - {id: second, name: Second line, kind: onstage}
steps:
  - {id: open, name: Open ticket, lane: customer, channel: portal, activities: [Ticket created], next: [assign]}
  - id: assign
    name: Assign seriousness
    lane: desk
    channel: portal
    sla: 4h
    next: [{to: take, when: simple}, {to: escalate, when: complex}]
  - {id: take, name: Take in charge ticket, lane: desk, channel: phone, next: [resolve]}
  - {id: escalate, name: Require upgrade, lane: second, channel: phone, next: [resolve]}
  - {id: resolve, name: Resolve ticket, lane: desk, channel: email, next: [close]}
  - {id: close, name: Closed, lane: customer, channel: portal}
"""

AGENTS = ["Value 1", "Value 2", "Value 3", "Value 5"]
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def export(path: Path, cases: int = 40) -> list[dict[str, str]]:
    """Write the export; return its rows as dictionaries (as the csv module reads them back)."""
    rows = []
    for i in range(cases):
        t = datetime(2024, 3, 28, 9, 0, tzinfo=CET) + timedelta(hours=7 * i)  # crosses the 31 March change
        steps = ["Ticket created", "Assign seriousness", "Require upgrade" if i % 3 == 0 else "Take in charge ticket"]
        if i % 7 == 2:
            steps.append("Wait")  # housekeeping the model does not know
        steps += ["Resolve ticket", "Closed"]
        if i % 9 == 4:
            steps.insert(1, "Ticket created")  # the customer opened it twice
        if i % 11 == 6:
            steps.remove("Assign seriousness")  # a skipped step
        for k, activity in enumerate(steps):
            t += timedelta(minutes=17 * ((i + k) % 9) + 5)
            zone = CEST if t >= datetime(2024, 3, 31, 1, 0, tzinfo=UTC) else CET
            stamp = t.astimezone(zone).isoformat()
            agent = "" if activity in ("Ticket created", "Closed") else AGENTS[(i * 3 + k) % len(AGENTS)]
            if activity not in ("Ticket created", "Closed", "Wait"):
                start = (t - timedelta(minutes=3)).astimezone(zone).isoformat()
                rows.append(_row(i, activity, agent, start, "start"))
            rows.append(_row(i, activity, agent, stamp, "complete"))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _row(i: int, activity: str, agent: str, stamp: str, life: str) -> dict[str, str]:
    return {
        "Case ID": f"Case {i + 1}",
        "Activity": activity,
        "Resource": agent,
        "Complete Timestamp": stamp,
        "Variant": f"Variant {i % 4}; seen",
        "lifecycle:transition": life,
    }


def expected(rows: list[dict[str, str]]) -> dict:
    step_of = {
        "Ticket created": "open",
        "Open ticket": "open",
        "Assign seriousness": "assign",
        "Take in charge ticket": "take",
        "Require upgrade": "escalate",
        "Resolve ticket": "resolve",
        "Closed": "close",
    }
    flows = {("open", "assign"), ("assign", "take"), ("assign", "escalate"), ("take", "resolve")}
    flows |= {("escalate", "resolve"), ("resolve", "close")}
    lane = {"assign": "desk", "take": "desk", "escalate": "second", "resolve": "desk"}
    cases: dict[str, list] = defaultdict(list)
    for n, r in enumerate(rows):
        cases.setdefault(r["Case ID"], [])
        if r["lifecycle:transition"] == "complete" and r["Activity"] in step_of:
            t = datetime.fromisoformat(r["Complete Timestamp"]).timestamp()
            cases[r["Case ID"]].append((t, n, step_of[r["Activity"]], r["Resource"]))
    pairs: Counter = Counter()
    waits: dict = defaultdict(list)
    fitting = repeat = 0
    changes, handoffs = [], []
    for evs in cases.values():
        evs.sort()
        seq = [e[2] for e in evs]
        steps_ok = all((a, b) in flows for a, b in itertools.pairwise(seq))
        fitting += steps_ok and seq[0] == "open" and seq[-1] == "close"
        for a, b in itertools.pairwise(evs):
            pairs[(a[2], b[2])] += 1
            waits[(a[2], b[2])].append(b[0] - a[0])
        repeat += any(n > 1 for s, n in Counter(seq).items() if s in ("open", "close"))
        people = [e[3] for e in evs if e[2] in lane and e[3]]
        changes.append(sum(1 for a, b in itertools.pairwise(people) if a != b))
        lanes = [lane[s] for s in seq if s in lane]
        handoffs.append(sum(1 for a, b in itertools.pairwise(lanes) if a != b))
    return {
        "events": len(rows),
        "cases": len(cases),
        "unmapped": Counter(r["Activity"] for r in rows if r["Activity"] not in step_of),
        "fitting": fitting,
        "pairs": pairs,
        "waits": {k: (statistics.median(v), max(v)) for k, v in waits.items()},
        "repeat": repeat,
        "changes_max": max(changes),
        "changes_median": statistics.median(changes),
        "handoffs_max": max(handoffs),
        "handoffs_mean": statistics.mean(handoffs),
    }


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    from typer.testing import CliRunner

    from procmap.cli import app

    folder = tmp_path_factory.mktemp("helpdesk")
    model = folder / "helpdesk.yaml"
    model.write_text(MODEL, encoding="utf-8")
    rows = export(folder / "export.csv")
    result = CliRunner().invoke(
        app(),
        ["conform", str(model), str(folder / "export.csv"), "--timestamp", "Complete Timestamp", "-f", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), expected(rows)


def test_counts_and_mapping(helpdesk) -> None:
    got, want = helpdesk
    assert got["columns"][0] == {
        "log": got["logs"][0],
        "format": "csv",
        "case": "Case ID",
        "activity": "Activity",
        "timestamp": "Complete Timestamp",
        "resource": "Resource",
        "lifecycle": "lifecycle:transition",
        "start": None,
    }
    assert got["events"] == want["events"] and got["cases"] == want["cases"]
    assert {u["activity"]: u["events"] for u in got["unmapped"]} == dict(want["unmapped"]) == {"Wait": 6}


def test_fitness_flows_and_waits(helpdesk) -> None:
    got, want = helpdesk
    assert got["fitness"]["cases_fitting"] == want["fitting"]
    assert got["fitness"]["pairs"] == sum(want["pairs"].values())
    assert {(f["from"], f["to"]): f["observed"] for f in got["flows"]} == dict(want["pairs"])
    for f in got["flows"]:
        median, longest = want["waits"][(f["from"], f["to"])]
        assert (f["wait"]["median"], f["wait"]["max"]) == (median, longest)


def test_people_handoffs_and_repeats(helpdesk) -> None:
    got, want = helpdesk
    assert got["repeat_contacts"]["cases"] == want["repeat"]
    assert got["resource_changes"]["max"] == want["changes_max"]
    assert got["resource_changes"]["median"] == want["changes_median"]
    assert got["figures"]["visible_handoffs"]["max"] == want["handoffs_max"]
    assert got["figures"]["visible_handoffs"]["mean"] == pytest.approx(want["handoffs_mean"])


def test_start_events_give_work_time_not_steps(helpdesk) -> None:
    got, _ = helpdesk
    assert {w["step"]: (w["median"], w["max"]) for w in got["work"]} == {
        s: (180, 180) for s in ("assign", "take", "escalate", "resolve")
    }
