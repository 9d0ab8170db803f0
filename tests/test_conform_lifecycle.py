"""Nothing dropped silently (issue 25 item 1): the lifecycle rule, its fallback, --lifecycle, and left-out counts.

A BPIC-2013-shaped log (statuses "Accepted", "Queued", "Completed" in
``lifecycle:transition``, none of them ``complete``) lost every event to
SPEC §6.1's rule without a word; now the column is not used as a filter and
one line says so in every format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MODEL = """\
version: 1
process: {id: incident, name: Incident}
lanes: [{id: c, name: Customer, kind: customer}, {id: d, name: Desk, kind: onstage}]
steps:
  - {id: report, name: Report, lane: c, next: [accept]}
  - {id: accept, name: Accept, lane: d, next: [solve]}
  - {id: solve, name: Solve, lane: d}
"""


def _bpic(path: Path) -> Path:
    """3 cases, 9 events, statuses in the lifecycle column; 'Queued' on an activity no step maps."""
    rows = ["case:concept:name,concept:name,time:timestamp,lifecycle:transition"]
    for k in range(3):
        rows += [
            f"c{k},Report,2013-01-0{k + 1}T08:00:00Z,Accepted",
            f"c{k},Accept,2013-01-0{k + 1}T09:00:00Z,In Progress",
            f"c{k},Solve,2013-01-0{k + 1}T12:00:00Z,Completed",
        ]
    rows.append("c0,Wait in queue,2013-01-01T10:00:00Z,Queued")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "incident.yaml"
    model.write_text(MODEL, encoding="utf-8")
    return model, _bpic(tmp_path / "incidents.csv")


def test_statuses_are_not_a_filter_and_one_line_says_so(run, files) -> None:
    model, log = files
    done = run("conform", model, log, "--format", "json")
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(done.stdout)
    assert report["events"] == 10
    assert report["events_mapped"] == 9  # every mapped event, not 0 of 10
    assert report["fitness"]["cases_fitting"] == 3
    note = report["lifecycle"]["note"]
    assert "holds no 'complete' or 'start' value" in note and "not used as a filter" in note
    assert note in report["notes"]
    assert report["left_out"] == {
        "events": 1,
        "lifecycle": [],
        "unmapped_activity": 1,
        "missing_timestamp": 0,
    }
    assert "not used as a filter" in done.stderr.decode()
    for fmt in ("text", "markdown", "html"):
        out = run("conform", model, log, "--format", fmt).stdout.decode()
        assert "not used as a filter" in out, fmt
        assert "Left out of the steps: 1 event of 10" in " ".join(out.split()), fmt


def test_lifecycle_complete_filters_anyway_and_counts_by_value(run, files) -> None:
    model, log = files
    report = json.loads(run("conform", model, log, "--lifecycle", "complete", "--format", "json").stdout)
    assert report["events_mapped"] == 0
    assert report["lifecycle"] == {"column": "lifecycle:transition", "rule": "complete", "note": None}
    gone = report["left_out"]
    assert gone["events"] == 10
    assert {r["value"]: r["events"] for r in gone["lifecycle"]} == {
        "accepted": 3,
        "in progress": 3,
        "completed": 3,
        "queued": 1,
    }
    text = run("conform", model, log, "--lifecycle", "complete").stdout.decode()
    assert "Left out of the steps: 10 events of 10 — 3 events with lifecycle 'accepted'" in " ".join(text.split())


def test_lifecycle_none_maps_every_event(run, files) -> None:
    model, log = files
    report = json.loads(run("conform", model, log, "--lifecycle", "none", "--format", "json").stdout)
    assert report["events_mapped"] == 9
    assert report["lifecycle"]["note"].startswith("--lifecycle none")
    assert report["left_out"]["lifecycle"] == []


def test_starts_are_counted_and_used_for_work_time(run, tmp_path: Path) -> None:
    model = tmp_path / "incident.yaml"
    model.write_text(MODEL, encoding="utf-8")
    log = tmp_path / "interval.csv"
    log.write_text(
        "case,activity,timestamp,lifecycle:transition\n"
        "a,Report,2024-01-01T08:00:00Z,complete\n"
        "a,Accept,2024-01-01T09:00:00Z,start\n"
        "a,Accept,2024-01-01T09:30:00Z,complete\n"
        "a,Solve,2024-01-01T10:00:00Z,complete\n",
        encoding="utf-8",
    )
    report = json.loads(run("conform", model, log, "--format", "json").stdout)
    assert report["left_out"]["lifecycle"] == [{"value": "start", "events": 1, "used_for": "work time"}]
    assert report["work"][0]["median"] == 1800
    complete = json.loads(run("conform", model, log, "--lifecycle", "complete", "--format", "json").stdout)
    assert complete["work"] == []
    assert complete["left_out"]["lifecycle"] == [{"value": "start", "events": 1, "used_for": None}]
