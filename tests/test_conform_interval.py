"""Interval logs (issue 25 item 1): a ``start_timestamp`` column (pm4py's convention), or ``--start COL``.

Each event's start gives its work time (JSON ``work``, per step; ``workload``,
per resource) and the case's time counts from the first start.  Events stay
ordered by their completion (SPEC §6.1).  A start that is unparsable or later
than its completion is the log's error: file and row, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MODEL = """\
version: 1
process: {id: order, name: Order}
lanes: [{id: c, name: Customer, kind: customer}, {id: s, name: Shop, kind: backstage}]
steps:
  - {id: place, name: place order, lane: c, next: [invoice]}
  - {id: invoice, name: send invoice, lane: s, next: [pay]}
  - {id: pay, name: pay, lane: c, next: [ship]}
  - {id: ship, name: make delivery, lane: s}
"""

LOG = """\
case_id,activity,start_timestamp,timestamp,resource
A,place order,2024-01-01T09:00:00,2024-01-01T09:10:00,Ann
A,send invoice,2024-01-01T10:00:00,2024-01-01T10:30:00,Bob
A,pay,,2024-01-02T08:00:00,Ann
A,make delivery,2024-01-03T08:00:00,2024-01-03T12:00:00,Bob
B,place order,2024-01-05T09:00:00,2024-01-05T09:20:00,Ann
B,send invoice,2024-01-05T11:00:00,2024-01-05T11:10:00,Bob
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "order.yaml"
    model.write_text(MODEL, encoding="utf-8")
    log = tmp_path / "interval.csv"
    log.write_text(LOG, encoding="utf-8")
    return model, log


def _report(model: Path, log: Path, *extra: str) -> dict:
    from procmap.config import Config
    from procmap.conform import conform
    from procmap.validate import require_valid

    columns = {"start": extra[0]} if extra else {}
    return conform(require_valid(str(model), Config()), [str(log)], columns=columns).report


def test_work_time_per_step_from_the_start_column(files) -> None:
    report = _report(*files)
    assert report["columns"][0]["start"] == "start_timestamp"
    work = {w["step"]: w for w in report["work"]}
    assert set(work) == {"place", "invoice", "ship"}  # pay has no start logged: no work time, not zero
    assert (work["place"]["events"], work["place"]["median"], work["place"]["max"]) == (2, 900, 1200)
    assert (work["invoice"]["median"], work["invoice"]["max"]) == (1200, 1800)
    assert work["ship"]["median"] == 4 * 3600


def test_case_time_counts_from_the_first_start(files) -> None:
    report = _report(*files)
    # A: 09:00 on the 1st (the start of 'place order') to 12:00 on the 3rd; B: 09:00 to 11:10
    assert (report["case_time"]["min"], report["case_time"]["max"]) == (2 * 3600 + 600, 2 * 86400 + 3 * 3600)
    assert sorted(v["median_duration"] for v in report["variants"]) == [2 * 3600 + 600, 2 * 86400 + 3 * 3600]


def test_workload_median_work_per_resource(files) -> None:
    report = _report(*files)
    assert {w["resource"]: w["median_work"] for w in report["workload"]} == {"Ann": 900, "Bob": 1800}


def test_flow_waits_run_from_completion_to_the_next_start(files) -> None:
    report = _report(*files)
    waits = {(f["from"], f["to"]): f["wait"] for f in report["flows"]}
    # A: invoice done 10:30, pay (no start logged) done 08:00 the next day; B: 09:20 to 11:00, A: 09:10 to 10:00
    assert waits[("invoice", "pay")]["median"] == 21.5 * 3600
    assert (waits[("place", "invoice")]["min"], waits[("place", "invoice")]["max"]) == (50 * 60, 100 * 60)
    assert waits[("pay", "ship")]["median"] == 86400  # paid 08:00 on the 2nd, delivery started 08:00 on the 3rd


def test_events_are_ordered_by_their_start(files, tmp_path: Path) -> None:
    """C's order is placed from 09:00 to 12:00 and invoiced from 10:00 to 10:30: placed first, and no wait."""
    model, _ = files
    log = tmp_path / "overlap.csv"
    log.write_text(
        "case_id,activity,start_timestamp,timestamp\n"
        "C,send invoice,2024-01-01T10:00:00,2024-01-01T10:30:00\n"
        "C,place order,2024-01-01T09:00:00,2024-01-01T12:00:00\n",
        encoding="utf-8",
    )
    report = _report(model, log)
    assert [v["steps"] for v in report["variants"]] == [["place", "invoice"]]
    assert [(f["from"], f["to"], f["modelled"], f["wait"]["max"]) for f in report["flows"]] == [
        ("place", "invoice", True, 0)
    ]
    assert report["start_activities"] == [{"activity": "place order", "cases": 1}]
    assert report["end_activities"] == [{"activity": "send invoice", "cases": 1}]
    assert report["case_time"]["max"] == 3 * 3600
    assert report["fitness"]["cases_fitting"] == 1  # pay and delivery are never logged here: silent steps


def test_start_column_named_with_the_option(run, files, tmp_path: Path) -> None:
    model, _ = files
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(LOG.replace("start_timestamp", "Begun"), encoding="utf-8")
    done = run("conform", model, renamed, "--start", "Begun", "--format", "json")
    assert done.returncode == 0, done.stderr.decode()
    assert [w["median"] for w in json.loads(done.stdout)["work"]] == [900, 1200, 14400]
    missing = run("conform", model, renamed, "--start", "Started")
    assert missing.returncode == 2
    assert missing.stderr.decode().strip() == (
        f"procmap: {renamed}: no column 'Started' (given with --start); "
        "columns: 'case_id', 'activity', 'Begun', 'timestamp', 'resource'"
    )


def test_text_report_shows_work_time(run, files) -> None:
    model, log = files
    done = run("conform", model, log)
    assert done.returncode == 0
    text = done.stdout.decode()
    assert "Work time per step" in text and "15m" in text


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (
            "2024-01-05T11:30:00",
            "row 6: start '2024-01-05T11:30:00' (column 'start_timestamp') is after the "
            "event's timestamp '2024-01-05T11:10:00'",
        ),
        ("soon", "row 6: unparsable start 'soon' in column 'start_timestamp'"),
    ],
)
def test_a_bad_start_is_the_logs_error(run, files, tmp_path: Path, value: str, said: str) -> None:
    model, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text(LOG.replace("2024-01-05T11:00:00", value), encoding="utf-8")
    done = run("conform", model, bad)
    assert done.returncode == 2 and not done.stdout
    err = done.stderr.decode()
    assert err.startswith(f"procmap: {bad}: {said}") and err.count("\n") == 1


def test_xes_start_timestamp_attribute(files, tmp_path: Path) -> None:
    model, _ = files
    xes = tmp_path / "interval.xes"
    events = "".join(
        f'<event><string key="concept:name" value="{a}"/><date key="time:timestamp" value="{t}"/>'
        f'<date key="start_timestamp" value="{s}"/></event>'
        for a, s, t in [
            ("place order", "2024-01-01T09:00:00+00:00", "2024-01-01T09:10:00+00:00"),
            ("send invoice", "2024-01-01T10:00:00+00:00", "2024-01-01T10:40:00+00:00"),
        ]
    )
    xes.write_text(
        f'<?xml version="1.0"?><log><trace><string key="concept:name" value="A"/>{events}</trace></log>',
        encoding="utf-8",
    )
    report = _report(model, xes)
    assert [(w["step"], w["median"]) for w in report["work"]] == [("place", 600), ("invoice", 2400)]
