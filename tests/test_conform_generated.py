"""conform on logs generated from a known model with planted deviations: every §6.3 figure is exact."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from conform_support import MODEL, UNKNOWN, close, reference, simulate, write_csv, write_xes

N = 240


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list, object]:
    folder = tmp_path_factory.mktemp("gen")
    model = folder / "help.yaml"
    model.write_text(MODEL, encoding="utf-8")
    rows, planted = simulate(N)
    log = write_csv(rows, folder / "help.csv")
    return model, log, rows, planted


def _json(run, *args) -> dict:
    proc = run("conform", *args, "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def report(generated) -> dict:
    import sys

    from forkserver import run_process

    model, log, _, _ = generated
    proc = run_process(
        [sys.executable, "-m", "procmap", "conform", str(model), str(log), "--format", "json"], cpu_limit=120
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_planted_counts(report, generated) -> None:
    _, _, rows, planted = generated
    assert report["events"] == planted.events == len(rows)
    assert report["cases"] == planted.cases
    assert report["unmapped"] == [{"activity": "Internal note", "events": planted.unknown_events}]
    assert report["fitness"]["cases_fitting"] == planted.cases - len(planted.unfit)
    assert report["repeat_contacts"]["cases"] == len(planted.repeat_contact)
    assert report["silent_steps"] == ["check"]
    # Every jump adds two moves no flow allows (answer -> escalate -> confirm); a skipped
    # acknowledgement adds one (ask -> triage); a repeated question two (triage -> ask -> triage).
    deviations = {(f["from"], f["to"]): f["observed"] for f in report["flows"] if not f["modelled"]}
    assert deviations[("answer", "escalate")] == planted.jumps
    assert deviations[("escalate", "confirm")] == planted.jumps
    skipped = deviations[("ask", "triage")]
    assert skipped >= planted.skipped  # the repeated ask is followed by triage too


def test_every_figure_matches_the_reference(report, generated) -> None:
    _model, _, rows, _ = generated
    expected = reference(MODEL, rows)
    for key, value in expected.items():
        assert close(report[key], value), key


def test_flows_through_a_silent_step_conform_and_count_as_its_flows(report) -> None:
    flows = {(f["from"], f["to"]): f for f in report["flows"]}
    assert flows[("triage", "answer")]["modelled"] is True  # via the never-logged check step
    shares = {(s["from"], s["to"]): s for s in report["shares"]}
    assert shares[("triage", "check")]["count"] + shares[("triage", "escalate")]["count"] > 0
    assert report["unused_flows"] == []


def test_waits_are_exact_to_the_second(report, generated) -> None:
    _, _, rows, _ = generated
    known = [r for r in rows if r["activity"] != UNKNOWN]  # unmapped events are skipped between pairs
    waits = [
        (b["t"] - a["t"]).total_seconds()
        for a, b in itertools.pairwise(known)
        if a["case"] == b["case"] and a["activity"] == "ACK_SENT" and b["activity"] == "triage  REQUEST"
    ]
    flow = next(f for f in report["flows"] if (f["from"], f["to"]) == ("acknowledge", "triage"))
    assert flow["observed"] == len(waits)
    assert flow["wait"]["max"] == max(waits)
    assert isinstance(flow["wait"]["max"], int)


def test_xes_gives_the_same_report(report, generated, tmp_path: Path, run) -> None:
    model, _, rows, _ = generated
    xes = write_xes(rows, tmp_path / "help.xes")
    other = _json(run, model, xes)
    for key in ("events", "cases", "unmapped", "fitness", "flows", "figures", "shares", "sla", "resource_changes"):
        assert other[key] == report[key], key


def test_zoned_and_semicolon_csv_gives_the_same_report(report, generated, tmp_path: Path, run) -> None:
    model, _, rows, _ = generated
    log = write_csv(rows, tmp_path / "zoned.csv", delimiter=";", zone="+05:30")
    other = _json(run, model, log)
    for key in ("fitness", "flows", "figures", "sla"):
        assert other[key] == report[key], key


def test_lifecycle_start_events_are_not_steps_but_give_work_time(generated, tmp_path: Path, run) -> None:
    model, _, _, _ = generated
    rows, _planted = simulate(60, lifecycle=True)
    log = write_csv(rows, tmp_path / "life.csv", delimiter="\t")
    got = _json(run, model, log)
    expected = reference(MODEL, rows)
    assert got["events"] == len(rows)
    assert close(got["fitness"], expected["fitness"])
    assert close(got["flows"], expected["flows"])
    work = {w["step"]: w for w in got["work"]}
    assert set(work) == {"triage", "escalate", "answer"}
    # start = complete - (30 + k) seconds, k the event's position in its case
    assert all(30 <= w["median"] <= 60 for w in work.values())


def test_logs_split_in_two_files_read_as_one(report, generated, tmp_path: Path, run) -> None:
    model, _, rows, _ = generated
    half = len(rows) // 2
    a = write_csv(rows[:half], tmp_path / "a.csv")
    b = write_csv(rows[half:], tmp_path / "b.csv")
    other = _json(run, model, a, b)
    assert other["logs"] == [str(a), str(b)]
    for key in ("events", "cases", "fitness", "flows", "figures"):
        assert other[key] == report[key], key
