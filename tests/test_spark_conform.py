"""conform on Spark SQL gives the JSON DuckDB gives, on every golden log (SPEC §6.5); marked spark.

One Spark session (``local[2]``, two shuffle partitions, no UI) serves every
test of a run; each report uses an engine of its own on it (its cached tables
freed after).  The logs reach Spark two ways: through conform's own reader
(``--engine local`` with CSV or XES) and as Parquet that Spark reads itself
(``--to-parquet`` first, as on a cluster).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from procmap.config import Config
from procmap.conform import conform
from procmap.load import engines
from procmap.load.to_parquet import convert
from procmap.validate import require_valid
from scale_support import golden
from spark_support import spark  # noqa: F401  (the session fixture)

pytestmark = pytest.mark.spark

SOURCE_KEYS = ("logs", "columns", "file", "engine")


def comparable(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in SOURCE_KEYS}


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory):
    return golden(tmp_path_factory.mktemp("golden"))


def on_spark(session: Any, result: Any, logs: list[str], options: dict) -> dict:
    engine = engines.SparkEngine("local[2]", session=session)
    try:
        return conform(result, logs, columns=options, engine=engine).report
    finally:
        engine.close()


def test_every_golden_log_gives_identical_json_on_spark(cases, spark: Any) -> None:  # noqa: F811
    assert len(cases) >= 8
    for name, model, logs, options in cases:
        result = require_valid(str(model), Config())
        paths = [str(p) for p in logs]
        duck = conform(result, paths, columns=options).report
        sp = on_spark(spark, result, paths, options)
        assert duck["engine"] == "duckdb" and sp["engine"] == "local[2]"
        assert comparable(sp) == comparable(duck), name
        assert sp["logs"] == duck["logs"] and sp["columns"] == duck["columns"]


def test_spark_reads_the_parquet_itself_as_on_a_cluster(cases, spark: Any, tmp_path: Path) -> None:  # noqa: F811
    for name, model, logs, options in cases:
        result = require_valid(str(model), Config())
        duck = conform(result, [str(p) for p in logs], columns=options).report
        out = convert([str(p) for p in logs], str(tmp_path / name), options)
        engine = engines.SparkEngine("spark://cluster:7077", session=spark)  # named as a cluster: reads itself
        try:
            sp = conform(result, [c.target for c in out], engine=engine).report
        finally:
            engine.close()
        assert comparable(sp) == comparable(duck), name


def test_approximate_quantiles_are_marked_and_close(cases, spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    _, model, logs, options = next(c for c in cases if c[0] == "generated")
    result = require_valid(str(model), Config())
    exact = conform(result, [str(p) for p in logs], columns=options).report
    monkeypatch.setattr(engines, "APPROXIMATE_FROM", 0)
    for report in (
        conform(result, [str(p) for p in logs], columns=options).report,
        on_spark(spark, result, [str(p) for p in logs], options),
    ):
        for key, figure in report["figures"].items():
            assert figure["approximate"] is True
            low, high = exact["figures"][key]["min"], exact["figures"][key]["max"]
            assert low <= figure["median"] <= high and low <= figure["p90"] <= high
        assert all(f["wait"]["approximate"] for f in report["flows"])
        assert report["resource_changes"]["approximate"] is True
        assert report["fitness"] == exact["fitness"]  # counts are never approximate


def test_spark_says_nothing_of_its_own_on_the_terminal(run, tmp_path: Path) -> None:
    """A fresh `--engine local` run: standard error holds procmap's lines only, the report on stdout is JSON."""
    import json
    import shutil

    if shutil.which("java") is None:
        pytest.skip("no Java on this machine (Spark needs Java 17 or newer)")
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
    root = Path(__file__).resolve().parents[1]
    model, log = root / "examples" / "support-ticket.yaml", root / "examples" / "logs" / "support-tickets.csv"
    res = run("conform", model, log, "--case", "ticket_id", "--format", "json", "--engine", "local[1]", timeout=120)
    assert res.returncode == 0
    assert json.loads(res.stdout)["engine"] == "local[1]"
    assert res.stderr.decode().strip() == ""
