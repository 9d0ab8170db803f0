"""The running example of process mining (van der Aalst, ch. 1; pm4py's running-example.xes), written by hand.

6 cases, 42 events.  The figures a process-mining reader checks first: time
per case over all events, start and end activities, rework, workload, and the
variants (pm4py finds 6, each of 1 case).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CASES = {
    "1": "register request Pete 2010-12-30 11:02; examine thoroughly Sue 2010-12-31 10:06; check ticket Mike "
    "2011-01-05 15:12; decide Sara 2011-01-06 11:18; reject request Pete 2011-01-07 14:24",
    "2": "register request Mike 2010-12-30 11:32; check ticket Mike 2010-12-30 12:12; examine casually Sean "
    "2010-12-30 14:16; decide Sara 2011-01-05 11:22; pay compensation Ellen 2011-01-08 12:05",
    "3": "register request Pete 2010-12-30 14:32; examine casually Mike 2010-12-30 15:06; check ticket Ellen "
    "2010-12-30 16:34; decide Sara 2011-01-06 09:18; reinitiate request Sara 2011-01-06 12:18; examine thoroughly "
    "Sean 2011-01-06 13:06; check ticket Pete 2011-01-08 11:43; decide Sara 2011-01-09 09:55; pay compensation "
    "Ellen 2011-01-15 10:45",
    "4": "register request Pete 2011-01-06 15:02; check ticket Mike 2011-01-07 12:06; examine thoroughly Sean "
    "2011-01-08 14:43; decide Sara 2011-01-09 12:02; reject request Ellen 2011-01-12 15:44",
    "5": "register request Ellen 2011-01-06 09:02; examine casually Mike 2011-01-07 10:16; check ticket Pete "
    "2011-01-08 11:22; decide Sara 2011-01-10 13:28; reinitiate request Sara 2011-01-11 16:18; check ticket Ellen "
    "2011-01-14 14:33; examine casually Mike 2011-01-16 15:50; decide Sara 2011-01-19 11:18; reinitiate request "
    "Sara 2011-01-20 12:48; examine casually Sue 2011-01-21 09:06; check ticket Pete 2011-01-21 11:34; decide Sara "
    "2011-01-23 13:12; reject request Mike 2011-01-24 14:56",
    "6": "register request Mike 2011-01-06 15:02; examine casually Ellen 2011-01-06 16:06; check ticket Mike "
    "2011-01-07 16:22; decide Sara 2011-01-07 16:52; pay compensation Mike 2011-01-16 11:47",
}

MODEL = """\
version: 1
process: {id: request, name: Compensation request}
lanes: [{id: c, name: Customer, kind: customer}, {id: o, name: Office, kind: backstage}]
steps:
  - {id: register, name: register request, lane: c, next: [casually, thoroughly, ticket]}
  - {id: casually, name: examine casually, lane: o, next: [ticket, decide]}
  - {id: thoroughly, name: examine thoroughly, lane: o, next: [ticket, decide]}
  - {id: ticket, name: check ticket, lane: o, next: [casually, thoroughly, decide]}
  - {id: decide, name: decide, lane: o, next: [reinitiate, pay, reject]}
  - {id: reinitiate, name: reinitiate request, lane: o, next: [casually, thoroughly, ticket]}
  - {id: pay, name: pay compensation, lane: c}
  - {id: reject, name: reject request, lane: o}
"""


def write_log(path: Path) -> Path:
    lines = ["case,activity,resource,timestamp"]
    for case, text in CASES.items():
        for event in text.split("; "):
            words = event.split(" ")
            activity, resource, day, clock = " ".join(words[:-3]), words[-3], words[-2], words[-1]
            lines.append(f"{case},{activity},{resource},{day}T{clock}:00+01:00")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from procmap.config import Config
    from procmap.conform import conform
    from procmap.validate import require_valid

    folder = tmp_path_factory.mktemp("running")
    (folder / "request.yaml").write_text(MODEL, encoding="utf-8")
    log = write_log(folder / "running-example.csv")
    return conform(require_valid(str(folder / "request.yaml"), Config()), [str(log)]).report


def test_the_log_reads_as_pm4py_does(report: dict) -> None:
    assert (report["events"], report["cases"], report["events_mapped"]) == (42, 6, 42)
    assert report["events_mapped_share"] == 1.0
    assert report["fitness"]["cases_fitting"] == 6


def test_time_per_case_over_all_events(report: dict) -> None:
    assert report["case_time"]["min"] == 6 * 86400 + 42 * 60  # case 4
    assert report["case_time"]["max"] == 18 * 86400 + 5 * 3600 + 54 * 60  # case 5


def test_start_and_end_activities(report: dict) -> None:
    assert report["start_activities"] == [{"activity": "register request", "cases": 6}]
    assert report["end_activities"] == [
        {"activity": "pay compensation", "cases": 3},
        {"activity": "reject request", "cases": 3},
    ]


def test_rework_by_step_with_its_cases(report: dict) -> None:
    assert [(r["step"], r["cases"], r["examples"]) for r in report["rework"]] == [
        ("ticket", 2, ["3", "5"]),
        ("decide", 2, ["3", "5"]),
        ("casually", 1, ["5"]),
        ("reinitiate", 1, ["5"]),
    ]


def test_workload_per_resource(report: dict) -> None:
    sara = next(w for w in report["workload"] if w["resource"] == "Sara")
    assert (sara["events"], sara["cases"], sara["median_work"]) == (12, 6, None)
    assert report["workload"][0]["resource"] == "Sara"
    assert sum(w["events"] for w in report["workload"]) == 42


def test_the_text_report_says_it(run, tmp_path: Path) -> None:
    (tmp_path / "request.yaml").write_text(MODEL, encoding="utf-8")
    log = write_log(tmp_path / "log.csv")
    text = " ".join(run("conform", tmp_path / "request.yaml", log).stdout.decode().split())
    assert "42 of 42 events (100.0%) map to steps of the blueprint" in text
    assert "longest 18d 5h 54m; over mapped events only" in text
    assert "Rework: cases doing a step again" in text
    assert "starts register request 6" in text


def test_variants_equal_pm4py(report: dict) -> None:
    """pm4py: 6 variants, the top one of 1 case; each variant here names its steps and its case."""
    variants = report["variants"]
    assert len(variants) == 6
    assert variants[0]["cases"] == 1
    assert sum(v["cases"] for v in variants) == 6
    assert all(v["fits"] for v in variants)
    first = next(v for v in variants if v["examples"] == ["1"])
    assert first["steps"] == ["register", "thoroughly", "ticket", "decide", "reject"]
    assert first["share"] == pytest.approx(1 / 6, abs=1e-6)
    assert first["median_duration"] == 8 * 86400 + 3 * 3600 + 22 * 60


def test_variants_group_cases_and_keep_their_ids(run, tmp_path: Path) -> None:
    """Two copies of the log under new case ids: still 6 variants, each of 2 cases, both ids listed."""
    (tmp_path / "request.yaml").write_text(MODEL, encoding="utf-8")
    log = write_log(tmp_path / "log.csv")
    body = log.read_text(encoding="utf-8").splitlines()
    log.write_text("\n".join([*body, *("x" + line for line in body[1:])]) + "\n", encoding="utf-8")
    report = json.loads(run("conform", tmp_path / "request.yaml", log, "--format", "json").stdout)
    assert [v["cases"] for v in report["variants"]] == [2] * 6
    assert sorted(report["variants"][0]["examples"])[0] in CASES
    text = " ".join(run("conform", tmp_path / "request.yaml", log).stdout.decode().split())
    assert "Variants: the 6 most common of 6" in text
