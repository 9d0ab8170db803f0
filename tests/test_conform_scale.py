"""conform past one machine (SPEC §6.5): --to-parquet, --memory, --engine on DuckDB (Spark: tests/test_spark_conform.py)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from procmap.config import Config
from procmap.conform import conform
from procmap.diagnostics import UsageError
from procmap.load.to_parquet import convert, target_name
from procmap.validate import require_valid
from scale_support import golden

# what names the files read, not what was read from them
SOURCE_KEYS = ("logs", "columns", "file")


def comparable(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in SOURCE_KEYS}


def test_target_names() -> None:
    assert target_name("a/tickets.csv.gz") == "tickets.parquet"
    assert target_name("B.XES") == "B.parquet"
    assert target_name("x.parquet") == "x.parquet"


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory):
    return golden(tmp_path_factory.mktemp("golden"))


def test_every_golden_log_reads_the_same_from_its_parquet(cases, tmp_path: Path) -> None:
    for name, model, logs, options in cases:
        result = require_valid(str(model), Config())
        out = convert([str(p) for p in logs], str(tmp_path / name), options)
        before = conform(result, [str(p) for p in logs], columns=options).report
        after = conform(result, [c.target for c in out], columns={}).report
        assert sum(c.events for c in out) == before["events"], name
        assert comparable(after) == comparable(before), name
        assert not list((tmp_path / name).glob(".*")), "no temporary file is left"


def test_the_parquet_keeps_order_row_numbers_and_instants(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "case,activity,timestamp,resource\n"
        "b,one,2024-01-01T10:00:00+02:00,\n"
        "a,one,2024-01-01T08:00:00.123456Z,Ann\n"
        "a,two,2024-01-01T08:00:00.123456Z,Bob\n",
        encoding="utf-8",
    )
    (out,) = convert([str(log)], str(tmp_path / "out"), {})
    rows = duckdb.sql(
        f'SELECT "case:concept:name", "concept:name", epoch_us("time:timestamp"), "org:resource", row_no '
        f"FROM read_parquet('{out.target}')"
    ).fetchall()
    assert rows == [
        ("b", "one", 1704096000000000, None, 1),
        ("a", "one", 1704096000123456, "Ann", 2),
        ("a", "two", 1704096000123456, "Bob", 3),
    ]
    assert out.columns["resource"] == "resource" and out.events == 3


def test_a_bad_row_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("case,activity,timestamp\na,one,2024-01-01T10:00:00Z\na,two,yesterday\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"log.csv: row 2: unparsable timestamp 'yesterday'"):
        convert([str(log)], str(tmp_path / "out"), {})
    assert not (tmp_path / "out").exists()


def test_two_logs_of_one_name_and_a_file_as_the_folder_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "log.csv").write_text("case,activity,timestamp\na,x,2024-01-01T10:00:00Z\n")
    with pytest.raises(UsageError, match="would both be written to"):
        convert([str(tmp_path / "a" / "log.csv"), str(tmp_path / "b" / "log.csv")], str(tmp_path / "out"), {})
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="names a folder, and this is a file"):
        convert([str(tmp_path / "a" / "log.csv")], str(tmp_path / "file"), {})


def test_the_parquet_of_a_parquet_is_not_written_over_it(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("case,activity,timestamp\na,x,2024-01-01T10:00:00Z\n")
    (first,) = convert([str(log)], str(tmp_path), {})
    with pytest.raises(UsageError, match="refusing to overwrite an input file"):
        convert([first.target], str(tmp_path), {})
    assert json.dumps(first.columns)


ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "examples" / "support-ticket.yaml"
LOG = ROOT / "examples" / "logs" / "support-tickets.csv"


def test_to_parquet_through_the_cli_then_conform_reads_it(run, tmp_path: Path) -> None:
    proc = run("conform", "--to-parquet", LOG, "--case", "ticket_id", "-o", tmp_path / "pq")
    assert proc.returncode == 0, proc.stderr
    assert b"wrote " in proc.stderr and b"(58 events from" in proc.stderr
    target = tmp_path / "pq" / "support-tickets.parquet"
    before = json.loads(run("conform", MODEL, LOG, "--case", "ticket_id", "-f", "json").stdout)
    after = json.loads(run("conform", MODEL, target, "-f", "json").stdout)
    assert comparable(after) == comparable(before)


def test_to_parquet_needs_a_folder(run, tmp_path: Path) -> None:
    proc = run("conform", "--to-parquet", LOG, "--case", "ticket_id")
    assert proc.returncode == 2 and b"--to-parquet needs -o DIR" in proc.stderr
    assert proc.stderr.count(b"\n") == 1


def test_profile_prints_each_phase_on_stderr_only(run, tmp_path: Path) -> None:
    proc = run("conform", MODEL, LOG, "--case", "ticket_id", "-f", "json", "--profile")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)  # the report stays JSON
    assert report["engine"] == "duckdb" and "approximate" not in report["figures"]["elapsed"]
    err = proc.stderr.decode()
    for phase in ("reading", "sequences", "pairs and waits", "figures", "total", "µs of CPU per event", "spilled"):
        assert f"procmap: profile: {phase}" in err or phase in err, phase


def test_an_unknown_engine_and_a_bad_memory_size_are_one_line(run) -> None:
    proc = run("conform", MODEL, LOG, "--case", "ticket_id", "--engine", "postgres://db")
    assert proc.returncode == 2 and b"--engine 'postgres://db': use duckdb" in proc.stderr
    proc = run("conform", MODEL, LOG, "--case", "ticket_id", "--memory", "4 apples")
    assert proc.returncode == 2 and b"--memory '4 apples': use a size such as" in proc.stderr


def test_a_cluster_engine_wants_parquet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procmap.load import engines

    class Cluster(engines.SparkEngine):
        def __init__(self) -> None:  # no session needed: the log is refused before Spark is asked
            self.name = "sc://cluster:15002"
            self.spark = None
            self._cached = []

    result = require_valid(str(MODEL), Config())
    with pytest.raises(UsageError, match=r"reads Parquet logs; convert it first with procmap conform --to-parquet"):
        conform(result, [str(LOG)], columns={"case": "ticket_id"}, engine=Cluster())


def test_approximate_figures_are_marked_in_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procmap.load import engines
    from procmap.reports.conform_formats import render

    result = require_valid(str(MODEL), Config())
    exact = conform(result, [str(LOG)], columns={"case": "ticket_id"})
    monkeypatch.setattr(engines, "APPROXIMATE_FROM", 0)
    done = conform(result, [str(LOG)], columns={"case": "ticket_id"})
    r = done.report
    assert r["figures"]["elapsed"]["approximate"] is True and r["case_time"]["approximate"] is True
    assert all(f["wait"]["approximate"] for f in r["flows"]) and r["resource_changes"]["approximate"] is True
    assert all(v["approximate"] for v in r["variants"]) and all(s["approximate"] for s in r["sla"] if s["cases"])
    assert r["fitness"] == exact.report["fitness"] and r["events"] == exact.report["events"]
    for fmt in ("text", "markdown", "html"):
        assert "≈" in render(done, fmt), fmt
        assert "≈" not in render(exact, fmt), fmt


def test_to_parquet_keeps_every_other_column_so_where_reads_the_same(run, tmp_path: Path) -> None:
    """A CSV's columns conform does not read (a --where column) are kept under their own names."""
    lines = LOG.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ";channel"] + [f"{line};{'web' if k % 3 else 'phone'}" for k, line in enumerate(lines[1:])]
    log = tmp_path / "tickets.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = run("conform", "--to-parquet", log, "--case", "ticket_id", "-o", tmp_path / "pq")
    assert proc.returncode == 0, proc.stderr
    assert b"warning" not in proc.stderr  # nothing left out, nothing to say
    target = tmp_path / "pq" / "tickets.parquet"
    names = [r[0] for r in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{target}')").fetchall()]
    assert names[-1] == "channel" and "ticket_id" not in names  # the case column is under its XES name
    where = ("--where", "channel=web", "-f", "json")
    before = json.loads(run("conform", MODEL, log, "--case", "ticket_id", *where).stdout)
    after = json.loads(run("conform", MODEL, target, *where).stdout)
    assert before["filters"]["left_out"]["events"] and comparable(after) == comparable(before)


def test_to_parquet_of_xes_says_which_attributes_are_not_kept(run, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    import conform_support

    event = {"case": "c1", "activity": "Ask", "t": datetime(2024, 1, 1, 10, tzinfo=UTC), "resource": "Ann"}
    xes = conform_support.write_xes([{**event, "lifecycle": None}], tmp_path / "log.xes")
    proc = run("conform", "--to-parquet", xes, "-o", tmp_path / "pq", "--quiet")
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode()
    assert "only the attributes conform reads are kept" in err and "other XES attributes are not" in err
