"""The dialect points give the same rows on Spark SQL as on DuckDB (SPEC §6.5); marked spark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from procmap.load import engines
from procmap.load.engines import DUCKDB, SPARK, DuckDBEngine, SparkEngine
from spark_support import spark  # noqa: F401  (the session fixture)
from test_engines import TABLE

pytestmark = pytest.mark.spark


@pytest.fixture
def both(tmp_path: Path, spark: Any):  # noqa: F811
    duck = DuckDBEngine(tmp_path, 256 << 20)
    sp = SparkEngine("local[2]", session=spark)
    for engine in (duck, sp):
        engine.create_table("v", TABLE)
    yield {DUCKDB: duck, SPARK: sp}
    duck.close()
    sp.close()


def same(both: dict[str, Any], build: Any) -> list[tuple[Any, ...]]:
    rows = {d: [tuple(r) for r in e.execute(build(d)).fetchall()] for d, e in both.items()}
    assert rows[DUCKDB] == rows[SPARK]
    return rows[DUCKDB]


def test_lag_ignore_nulls(both: dict[str, Any]) -> None:
    rows = same(
        both,
        lambda d: f"SELECT c, p, {engines.lag_ignore_nulls(d, 'y', 'PARTITION BY c ORDER BY p')} FROM v ORDER BY c, p",
    )
    assert [r[2] for r in rows] == [None, None, 5, 5, None]


def test_exact_quantiles_agree_to_the_bit(both: dict[str, Any]) -> None:
    rows = same(
        both,
        lambda d: (
            f"SELECT c, {engines.quantile(d, 'x', 0.9)}, {engines.quantile(d, 'x', 0.5)} FROM v GROUP BY c ORDER BY c"
        ),
    )
    assert rows[0][1] == pytest.approx(6.8)


def test_approximate_quantiles_within_the_stated_rank_tolerance(both: dict[str, Any]) -> None:
    for engine in both.values():
        engine.create_table("big", "SELECT CAST(id AS DOUBLE) AS x FROM range(100000) AS r(id)")
    tol = engines.APPROXIMATE_RANK_TOLERANCE
    for d, engine in both.items():
        for q in (0.5, 0.9):
            (value,) = engine.execute(f"SELECT {engines.quantile(d, 'x', q, approximate=True)} FROM big").fetchone()
            assert (q - tol) * 99999 <= float(value) <= (q + tol) * 99999, (d, q, value)


def test_ordered_list(both: dict[str, Any]) -> None:
    rows = same(
        both,
        lambda d: f"SELECT c, {engines.ordered_list(d, 'CAST(x AS INTEGER)', 'p')} FROM v GROUP BY c ORDER BY c",
    )
    assert rows == [("a", [1, 2, 4, 8]), ("b", [3])]


def test_small_tables_and_parquet(both: dict[str, Any], tmp_path: Path) -> None:
    cols = (("sn", "INTEGER"), ("step", "VARCHAR"), ("ok", "BOOLEAN"), ("sla", "DOUBLE"))
    out = tmp_path / "v.parquet"
    both[DUCKDB].execute(f"COPY v TO '{out}' (FORMAT parquet)")
    for engine in both.values():
        engine.register_rows("steps", cols, [(0, "a,b", True, None), (1, 'say "hi"', False, 2.5)], tmp_path)
        engine.register_parquet("w", [str(out)])
    same(both, lambda d: "SELECT * FROM steps ORDER BY sn")
    assert same(both, lambda d: "SELECT count(*), sum(p) FROM w") == [(5, 11)]
