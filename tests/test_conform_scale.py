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
