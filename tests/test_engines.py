"""The engine layer (SPEC §6.5): memory sizes, --engine values, and the dialect points on DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from procmap.diagnostics import UsageError
from procmap.load import engines
from procmap.load.engines import DUCKDB, DuckDBEngine


def test_sizes_are_read_in_units_of_1024() -> None:
    assert engines.parse_size("4GB") == 4 << 30
    assert engines.parse_size("512MB") == 512 << 20
    assert engines.parse_size("1.5 GiB") == int(1.5 * (1 << 30))
    assert engines.parse_size("2gb") == 2 << 30


@pytest.mark.parametrize("bad", ["lots", "4", "-1GB", "4 GBs", ""])
def test_a_bad_size_is_one_line(bad: str) -> None:
    with pytest.raises(UsageError, match="use a size such as 512MB"):
        engines.parse_size(bad)


def test_a_size_too_small_to_run_is_refused() -> None:
    with pytest.raises(UsageError, match="at least 16MB"):
        engines.parse_size("1MB")


def test_the_default_is_a_quarter_of_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROCMAP_MEMORY_LIMIT", raising=False)
    monkeypatch.setattr(engines, "machine_memory", lambda: 24 << 30)
    assert engines.memory_limit(None) == 6 << 30
    assert engines.memory_limit("4GB") == 4 << 30  # --memory overrides
    monkeypatch.setenv("PROCMAP_MEMORY_LIMIT", "2GB")
    assert engines.memory_limit(None) == 2 << 30
    assert engines.memory_limit("3GB") == 3 << 30  # the option before the environment


def test_machine_memory_is_read() -> None:
    total = engines.machine_memory()
    assert total is None or total > 16 << 20


@pytest.mark.parametrize("good", ["duckdb", "local", "local[2]", "local[*]", "spark://h:7077", "sc://h:15002"])
def test_engine_names(good: str) -> None:
    assert engines.check_engine(good) == good


@pytest.mark.parametrize("bad", ["spark", "local[0]", "postgres://x", "sc:/h", ""])
def test_an_unknown_engine_is_one_line(bad: str) -> None:
    with pytest.raises(UsageError, match="use duckdb"):
        engines.check_engine(bad)


TABLE = """
SELECT c, p, CAST(x AS DOUBLE) AS x, y FROM (VALUES ('a', 1, 1.0, NULL), ('a', 2, 2.0, 5), ('a', 3, 4.0, NULL), ('a', 4, 8.0, 7),
                      ('b', 1, 3.0, 3)) AS v(c, p, x, y)
"""


@pytest.fixture
def duck(tmp_path: Path):
    engine = DuckDBEngine(tmp_path, 256 << 20)
    engine.create_table("v", TABLE)
    yield engine
    engine.close()


def test_lag_ignore_nulls_skips_nulls(duck: DuckDBEngine) -> None:
    lag = engines.lag_ignore_nulls(DUCKDB, "y", "PARTITION BY c ORDER BY p")
    rows = duck.execute(f"SELECT c, p, {lag} FROM v ORDER BY c, p").fetchall()
    assert [r[2] for r in rows] == [None, None, 5, 5, None]


def test_exact_and_approximate_quantiles(duck: DuckDBEngine) -> None:
    exact = engines.quantile(DUCKDB, "x", 0.9)
    approx = engines.quantile(DUCKDB, "x", 0.5, approximate=True)
    (p90, p50) = duck.execute(f"SELECT {exact}, {approx} FROM v").fetchone()
    assert p90 == pytest.approx(6.4)  # between 4 and 8, interpolated
    assert 2.0 <= float(p50) <= 4.0


def test_ordered_list_follows_the_order(duck: DuckDBEngine) -> None:
    listed = engines.ordered_list(DUCKDB, "CAST(x AS INTEGER)", "p DESC")
    assert duck.execute(f"SELECT c, {listed} FROM v GROUP BY c ORDER BY c").fetchall() == [
        ("a", [8, 4, 2, 1]),
        ("b", [3]),
    ]


def test_small_tables_and_parquet(duck: DuckDBEngine, tmp_path: Path) -> None:
    cols = (("sn", "INTEGER"), ("step", "VARCHAR"), ("ok", "BOOLEAN"), ("sla", "DOUBLE"))
    duck.register_rows("steps", cols, [(0, "a,b", True, None), (1, 'say "hi"', False, 2.5)], tmp_path)
    assert duck.execute("SELECT * FROM steps ORDER BY sn").fetchall() == [
        (0, "a,b", True, None),
        (1, 'say "hi"', False, 2.5),
    ]
    duck.register_rows("empty", cols, [], tmp_path)
    assert duck.execute("SELECT count(*) FROM empty").fetchone() == (0,)
    out = tmp_path / "v.parquet"
    duck.execute(f"COPY v TO '{out}' (FORMAT parquet)")
    duck.register_parquet("w", [str(out)])
    assert duck.execute("SELECT count(*), sum(p) FROM w").fetchone() == (5, 11)
    assert not list(tmp_path.glob("*.csv"))  # the staging files are gone
