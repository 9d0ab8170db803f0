"""Where conform's queries run: DuckDB embedded (the default) or Apache Spark SQL (SPEC §6.5).

One set of query definitions serves both engines.  The queries are written in
the subset both accept (window frames inline, ``CAST`` rather than ``::``,
``count(CASE WHEN … THEN 1 END)`` rather than ``FILTER``), and the few places
where the dialects differ go through one small function each below
(:func:`lag_ignore_nulls`, :func:`quantile`, :func:`ordered_list`).  No
translator library rewrites the SQL: one tried (Ibis) silently dropped
``IGNORE NULLS`` on ``last()``, another (sqlglot) emitted SQL Spark refused.

An :class:`Engine` keeps the shape of DuckDB's connection — ``execute(sql)``
returns something with ``fetchone``/``fetchall`` — so the query modules read
the same on both, and adds what differs: making a table from a query
(``CREATE TABLE … AS`` on DuckDB, a cached view on Spark), registering the
model's small tables and Parquet logs.  pyspark is imported only when a Spark
engine is asked for (the optional extra ``procmap[spark]``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from procmap.diagnostics import UsageError

DUCKDB = "duckdb"
SPARK = "spark"

# SPEC §6.5: the default memory limit is this share of the machine's RAM (or of the
# cgroup's limit, in a container): 6 GB on a 24 GB machine, leaving the rest to the OS, its cache of the
# log being read, and other work (docs/performance.md, "conform at scale").
MEMORY_SHARE = 0.25
# Past this many events, quantiles are the engine's approximate ones (t-digest in DuckDB,
# percentile_approx in Spark) and each such figure is marked approximate.  Exact quantiles
# hold every value of a group in memory and cannot spill: at the old 512 MB limit the pairs
# query failed between 10M and 30M events (docs/performance.md, "conform at scale").
APPROXIMATE_FROM = 20_000_000
# percentile_approx's accuracy (Spark): relative error of the rank about 1/accuracy.
SPARK_ACCURACY = 10_000
# What the docs state as the tolerance of an approximate quantile: the value returned lies
# between the exact quantiles at ranks q ± this fraction.
APPROXIMATE_RANK_TOLERANCE = 0.01


class Cursor(Protocol):
    """What a statement gives back: rows as tuples."""

    def fetchone(self) -> tuple[Any, ...] | None: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...


# ----------------------------------------------------------------------------- dialect points


def lag_ignore_nulls(dialect: str, expr: str, window: str) -> str:
    """The previous non-null value of ``expr`` in the window: ``lag(x IGNORE NULLS)`` (DuckDB), ``lag(x) IGNORE NULLS`` (Spark)."""
    if dialect == SPARK:
        return f"lag({expr}) IGNORE NULLS OVER ({window})"
    return f"lag({expr} IGNORE NULLS) OVER ({window})"


def quantile(dialect: str, expr: str, q: float, *, approximate: bool = False) -> str:
    """The continuous (interpolated) quantile ``q`` of ``expr``; the engine's approximate one when asked.

    Exact: DuckDB ``quantile_cont``, Spark ``percentile`` (both interpolate
    between the two nearest values, so they agree to the last bit on the
    same numbers).  Approximate: DuckDB ``approx_quantile`` (t-digest),
    Spark ``percentile_approx`` (Greenwald-Khanna, one of the values).
    """
    if dialect == SPARK:
        if approximate:
            return f"percentile_approx({expr}, {q}, {SPARK_ACCURACY})"
        return f"percentile({expr}, {q})"
    if approximate:
        return f"approx_quantile({expr}, {q})"
    return f"quantile_cont({expr}, {q})"


def ordered_list(dialect: str, value: str, order: str) -> str:
    """An aggregate collecting the group's ``value``s into an array, ascending by ``order``.

    DuckDB: ``list(value ORDER BY order)``; Spark has no ordered aggregate, so
    (order, value) pairs are collected, sorted and the values kept.  An array,
    not a joined string: a case's variant is grouped and compared as it is
    (issue 22: the string form cost twice as much as the list at 1M events).
    """
    if dialect == SPARK:
        return f"transform(array_sort(collect_list(named_struct('k', {order}, 'v', {value}))), x -> x.v)"
    return f"list({value} ORDER BY {order})"


def row_key(dialect: str, *columns: str) -> str:
    """A composite sort key, for ``min_by``/``max_by``: ``row(…)`` in DuckDB, ``struct(…)`` in Spark (both compare field by field)."""
    return f"{'struct' if dialect == SPARK else 'row'}({', '.join(columns)})"


SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE", "BOOLEAN": "BOOLEAN"}


# ----------------------------------------------------------------------------- memory


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B\s*", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str, label: str | None = None) -> int:
    """Bytes of a size such as ``4GB``, ``512MB`` or ``1.5GiB`` (units of 1024); one line and exit 2 otherwise.

    ``label`` names where the size was given (default ``--memory 'TEXT'``).
    """
    where = label or f"--memory {text!r}"
    m = _SIZE.fullmatch(text)
    if not m:
        raise UsageError(f"{where}: use a size such as 512MB, 4GB or 1.5GB")
    value = float(m.group(1)) * _UNITS[m.group(2).upper()]
    if value < 16 << 20:
        raise UsageError(f"{where}: give at least 16MB (the engine cannot run in less)")
    return int(value)


def machine_memory() -> int | None:
    """The memory this process may use: the machine's RAM, or the container's cgroup limit when lower."""
    total: int | None = None
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        total = None
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < (1 << 60):
            total = min(total, int(text)) if total else int(text)
        break
    return total


def default_memory() -> int:
    """SPEC §6.5: the default limit, a share of the machine's memory (1 GB when it cannot be read)."""
    total = machine_memory()
    return int(total * MEMORY_SHARE) if total else 1 << 30


def memory_limit(text: str | None) -> int:
    """``--memory`` (or ``PROCMAP_MEMORY_LIMIT``) in bytes, else the default share of the machine."""
    if text is not None and text.strip():
        return parse_size(text)
    env = os.environ.get("PROCMAP_MEMORY_LIMIT", "").strip()
    if env:
        return parse_size(env, f"PROCMAP_MEMORY_LIMIT={env!r}")
    return default_memory()


def shown_size(n: int) -> str:
    """A byte count as the engines take it (``1536MB``): whole megabytes."""
    return f"{max(1, n >> 20)}MB"


# ----------------------------------------------------------------------------- phases


class Phases:
    """The phases of one run with their CPU and wall time (``--profile``), and a hook for the progress bar.

    CPU is this process's (every DuckDB thread included; a Spark JVM is a
    process of its own and not counted).
    """

    def __init__(self, listener: Callable[[str], None] | None = None) -> None:
        self.rows: list[tuple[str, float, float]] = []
        self.listener = listener
        self.events = 0
        self.spilled = 0
        self._current: tuple[str, float, float] | None = None

    @staticmethod
    def _cpu() -> float:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def start(self, name: str) -> None:
        import time

        self.stop()
        self._current = (name, self._cpu(), time.perf_counter())
        if self.listener is not None:
            self.listener(name)

    def stop(self) -> None:
        import time

        if self._current is not None:
            name, cpu, wall = self._current
            self.rows.append((name, self._cpu() - cpu, time.perf_counter() - wall))
            self._current = None

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.start(name)
        try:
            yield
        finally:
            self.stop()

    def table(self) -> list[str]:
        """The lines ``--profile`` prints."""
        width = max((len(name) for name, _, _ in self.rows), default=5)
        lines = [f"{'phase':<{width}}  {'CPU s':>7}  {'wall s':>7}"]
        for name, cpu, wall in self.rows:
            lines.append(f"{name:<{width}}  {cpu:>7.2f}  {wall:>7.2f}")
        cpu = sum(r[1] for r in self.rows)
        wall = sum(r[2] for r in self.rows)
        lines.append(f"{'total':<{width}}  {cpu:>7.2f}  {wall:>7.2f}")
        if self.events:
            lines.append(f"{self.events:,} events: {cpu / self.events * 1e6:.2f} µs of CPU per event")
        lines.append(f"spilled to disk: {self.spilled / 2**20:,.0f} MB")
        return lines


# ----------------------------------------------------------------------------- engines


class Engine:
    """A place to run conform's queries.  ``execute`` keeps DuckDB's connection shape."""

    dialect: str = DUCKDB
    name: str = DUCKDB
    # quantiles are the engine's approximate ones (set by conform past APPROXIMATE_FROM events)
    approximate: bool = False

    def columns(self, table: str) -> list[str]:
        """The column names of a table, in order."""
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor:
        raise NotImplementedError

    def create_table(self, name: str, select_sql: str) -> None:
        """A table ``name`` holding the rows of ``select_sql``, computed once (it may replace one of that name)."""
        raise NotImplementedError

    def register_rows(
        self, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[tuple[Any, ...]], workdir: Path
    ) -> None:
        """A small table (the model's steps, flows, which activity is which step) from Python rows."""
        raise NotImplementedError

    def register_parquet(self, name: str, paths: Sequence[str]) -> None:
        """A view ``name`` over Parquet files, read where they lie."""
        raise NotImplementedError

    def spilled(self) -> int:
        """Bytes the engine wrote to disk to stay within its memory (0 when unknown)."""
        return 0

    def close(self) -> None:
        raise NotImplementedError


class DuckDBEngine(Engine):
    """DuckDB in this process, in memory, spilling to a private temporary folder past the limit."""

    dialect = DUCKDB
    name = DUCKDB

    def __init__(self, workdir: Path, memory: int, *, threads: int | None = None) -> None:
        import duckdb

        self.spill = workdir / "spill"
        self.spill.mkdir(exist_ok=True)
        config: dict[str, Any] = {
            "memory_limit": shown_size(memory),
            "temp_directory": str(self.spill),
            "preserve_insertion_order": True,
        }
        if threads:
            config["threads"] = threads
        self.con = duckdb.connect(":memory:", config=config)
        # No progress bar: DuckDB draws it on standard output, into the report, once a query has run
        # for two seconds (on a slow or loaded machine the JSON report stopped being JSON).
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute("SET enable_progress_bar_print = false")
        self.con.execute("SET TimeZone = 'UTC'")
        self._spill_peak = 0

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor:
        if params is None:
            return self.con.execute(sql)
        return self.con.execute(sql, list(params))

    def columns(self, table: str) -> list[str]:
        return [row[0] for row in self.con.execute(f"DESCRIBE {table}").fetchall()]

    def create_table(self, name: str, select_sql: str) -> None:
        self._note_spill()
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {select_sql}")
        self._note_spill()

    def register_rows(
        self, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[tuple[Any, ...]], workdir: Path
    ) -> None:
        """One bulk load through a CSV in the work folder (row-by-row INSERT cost minutes at 100k rows)."""
        import csv

        from procmap.load.event_logs import duck_path

        path = workdir / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerows(
                [["" if v is None else (str(v).lower() if isinstance(v, bool) else v) for v in row] for row in rows]
            )
        spec = ", ".join(f"{col} {kind}" for col, kind in columns)
        self.con.execute(f"CREATE OR REPLACE TABLE {name} ({spec})")
        if rows:
            types = "{" + ", ".join(f"'{col}': '{kind}'" for col, kind in columns) + "}"
            self.con.execute(
                f"INSERT INTO {name} SELECT * FROM read_csv({duck_path(path)}, header=false, delim=',', quote='\"', "
                f"escape='\"', auto_detect=false, columns={types}, null_padding=false)"
            )
        os.unlink(path)

    def register_parquet(self, name: str, paths: Sequence[str]) -> None:
        from procmap.load.event_logs import duck_path

        listed = ", ".join(duck_path(p) for p in paths)
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet([{listed}])")

    def register_relation(self, name: str, relation: Any) -> None:
        """A DuckDB relation (or anything DuckDB can scan: Arrow, pandas) as a view."""
        self.con.register(name, relation)

    def _note_spill(self) -> None:
        try:
            now = sum(f.stat().st_size for f in self.spill.rglob("*") if f.is_file())
        except OSError:
            return
        self._spill_peak = max(self._spill_peak, now)

    def spilled(self) -> int:
        self._note_spill()
        return self._spill_peak

    def close(self) -> None:
        self.con.close()


class _Rows:
    """Spark's collected rows in DuckDB's cursor shape."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = [tuple(r) for r in rows]

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


class SparkEngine(Engine):
    """Spark SQL: in this process (``local``, ``local[N]``), a cluster (``spark://…``) or Spark Connect (``sc://…``)."""

    dialect = SPARK

    def __init__(self, target: str, memory: int | None = None, *, session: Any = None, log: Path | None = None) -> None:
        self.name = target
        self.spark = session if session is not None else spark_session(target, memory, log)
        self._cached: list[Any] = []

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor:
        df = self.spark.sql(sql, args=list(params)) if params else self.spark.sql(sql)
        return _Rows(df.collect())

    def columns(self, table: str) -> list[str]:
        return list(self.spark.table(table).columns)

    def create_table(self, name: str, select_sql: str) -> None:
        df = self.spark.sql(select_sql).cache()
        df.count()  # computed now, once: the later queries read the cached rows
        df.createOrReplaceTempView(name)
        self._cached.append(df)

    def register_rows(
        self, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[tuple[Any, ...]], workdir: Path
    ) -> None:
        schema = ", ".join(f"{col} {SPARK_TYPES[kind]}" for col, kind in columns)
        df = self.spark.createDataFrame([tuple(r) for r in rows], schema=schema)
        df.createOrReplaceTempView(name)

    def register_parquet(self, name: str, paths: Sequence[str]) -> None:
        self.spark.read.parquet(*paths).createOrReplaceTempView(name)

    def close(self) -> None:
        for df in self._cached:
            try:
                df.unpersist()
            except Exception:  # a session already gone has nothing left to free
                pass
        self._cached.clear()


def spark_session(target: str, memory: int | None = None, log: Path | None = None) -> Any:
    """A Spark session for ``--engine``: local in-process, a ``spark://`` master, or Spark Connect ``sc://``.

    ``log``: where the JVM Spark starts writes its own output (log4j's lines,
    the JVM's warnings), so a user sees only procmap's words on standard error
    and nothing of Spark's in a report written to standard output; when Spark
    does not start, the log's last line says why, in the one-line error.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError(
            f"--engine {target}: Spark is not installed; install it with: pip install 'procmap[spark]'"
        ) from None
    builder = SparkSession.builder.appName("procmap")
    if target.startswith("sc://"):
        with _quiet_python():
            return builder.remote(target).getOrCreate()
    master = "local[*]" if target == "local" else target
    builder = (
        builder.master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if memory and master.startswith("local"):
        builder = builder.config("spark.driver.memory", shown_size(memory).replace("MB", "m"))
    try:
        with _quiet_python(), _jvm_output_to(log):
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel("ERROR")
    except Exception as exc:  # no Java, a master that does not answer: one line, exit 2
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        said = _last_line(log)
        raise UsageError(f"--engine {target}: Spark did not start ({first}{'; ' + said if said else ''})") from None
    return session


@contextmanager
def _jvm_output_to(log: Path | None) -> Iterator[None]:
    """Standard output and error of the processes started in here (Spark's JVM) go to ``log``.

    The JVM inherits file descriptors 1 and 2 when it is started and keeps
    them: pointing them at the log while it starts, then back, leaves
    procmap's own output where it was and every later line of Spark's in the log.
    """
    if log is None:
        yield
        return
    import sys

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    saved = [os.dup(1), os.dup(2)]
    try:
        os.dup2(target, 1)
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, target):
            os.close(fd)


@contextmanager
def _quiet_python() -> Iterator[None]:
    """pyspark's own Python warnings (a pandas release it has not caught up with) are not procmap's to show."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"pyspark(\.|$)")
        warnings.filterwarnings("ignore", category=FutureWarning)
        yield


def _last_line(log: Path | None) -> str:
    """The last non-empty line of Spark's log (why it did not start), shortened; empty when there is none."""
    if log is None:
        return ""
    try:
        lines = [ln.strip() for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return lines[-1][:200] if lines else ""


_ENGINE = re.compile(r"duckdb|local(\[(\*|[1-9][0-9]*)\])?|spark://\S+|sc://\S+")


def check_engine(target: str) -> str:
    """``--engine``: duckdb, local, local[N], spark://HOST:PORT or sc://HOST:PORT; anything else is exit 2."""
    target = target.strip()
    if not _ENGINE.fullmatch(target):
        raise UsageError(
            f"--engine {target!r}: use duckdb (the default), local (Spark in this process), "
            "spark://HOST:7077 (a Spark cluster) or sc://HOST:15002 (Spark Connect)"
        )
    return target


def open_engine(target: str, workdir: Path, memory: int) -> Engine:
    """The engine ``--engine`` names (checked by :func:`check_engine`)."""
    if target == DUCKDB:
        return DuckDBEngine(workdir, memory)
    return SparkEngine(target, memory, log=workdir / "spark.log")


# ----------------------------------------------------------------------------- logs on Spark


def spark_events(engine: SparkEngine, paths: Sequence[str], overrides: dict[str, str | None]) -> list[Any]:
    """The ``events`` table on Spark, read from Parquet logs where they lie (a cluster's paths: s3a://, dbfs:/ …).

    Columns are chosen as on DuckDB (:func:`procmap.load.event_logs.choose_columns`).
    The row index is the log's ``row_no`` column when it has one (``--to-parquet``
    writes it), else the row's position in its file (``_metadata.row_index``).
    Timestamps: a timestamp or date column is exact; text is parsed by Spark
    (ISO 8601), and a row whose timestamp cannot be read is refused with its row.
    """
    from procmap.load import event_logs

    spark = engine.spark
    parts = []
    read: list[Any] = []
    for file_no, path in enumerate(paths, start=1):
        if event_logs.kind_of(path) != "parquet":
            raise UsageError(
                f"{path}: --engine {engine.name} reads Parquet logs; convert it first with "
                f"procmap conform --to-parquet {path} -o DIR/"
            )
        try:
            df = spark.read.parquet(path)
        except Exception as exc:  # missing file, not Parquet: Spark's reason, first line
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UsageError(f"{path}: not a readable Parquet log ({first[:200]})") from None
        types = {f.name: f.dataType.simpleString() for f in df.schema.fields}
        chosen = event_logs.choose_columns(path, list(types), overrides)
        view = f"log{file_no}"
        if "row_no" not in types:  # the hidden column is not visible through a view: selected here
            df = df.selectExpr("*", "_metadata.row_index + 1 AS __procmap_row")
        df.createOrReplaceTempView(view)

        def col(role: str, chosen: dict[str, str | None] = chosen) -> str:
            return "`" + str(chosen[role]).replace("`", "``") + "`"

        ts_type = types[str(chosen["timestamp"])]
        if ts_type.startswith("timestamp") or ts_type == "date":
            instant = f"CAST({col('timestamp')} AS TIMESTAMP)"
        else:
            instant = f"try_to_timestamp(trim(CAST({col('timestamp')} AS STRING)))"
        t = f"unix_micros({instant}) / 1e6"
        resource = f"NULLIF(trim(CAST({col('resource')} AS STRING)), '')" if chosen["resource"] else "NULL"
        life = f"NULLIF(lower(trim(CAST({col('lifecycle')} AS STRING))), '')" if chosen["lifecycle"] else "NULL"
        row = "CAST(`row_no` AS BIGINT)" if "row_no" in types else "__procmap_row"
        start = "CAST(NULL AS DOUBLE)"
        if chosen.get("start"):
            start_type = types[str(chosen["start"])]
            start_ts = (
                f"CAST({col('start')} AS TIMESTAMP)"
                if start_type.startswith("timestamp") or start_type == "date"
                else f"try_to_timestamp(trim(CAST({col('start')} AS STRING)))"
            )
            start = f"unix_micros({start_ts}) / 1e6"
        parts.append(
            f"SELECT CAST({col('case')} AS STRING) AS case_id, CAST({col('activity')} AS STRING) AS activity, "
            f"CASE WHEN {t} >= {event_logs.T_MIN} AND {t} < {event_logs.T_MAX} THEN {t} END AS t, "
            f"CAST({resource} AS STRING) AS resource, CAST({life} AS STRING) AS lifecycle, "
            f"{file_no} AS file_no, {row} AS row_no, {start} AS t_start FROM {view}"
        )
        read.append(event_logs.LogFile(path, "parquet", chosen))
    engine.create_table("events", " UNION ALL ".join(parts))
    counts = dict(engine.execute("SELECT file_no, count(*) FROM events GROUP BY file_no").fetchall())
    for file_no, log in enumerate(read, start=1):
        log.events = int(counts.get(file_no, 0))
        if log.events == 0:
            raise UsageError(f"{log.path}: no events (the log has no rows)")
    bad = engine.execute(
        "SELECT file_no, min(row_no) FROM events WHERE case_id IS NULL OR trim(case_id) = '' "
        "OR activity IS NULL OR trim(activity) = '' OR t IS NULL GROUP BY file_no ORDER BY file_no LIMIT 1"
    ).fetchone()
    if bad:
        file_no, row_no = bad
        log = read[file_no - 1]
        case_id, activity = engine.execute(
            "SELECT case_id, activity FROM events WHERE file_no = ? AND row_no = ?", [file_no, row_no]
        ).fetchone() or (None, None)
        c = log.columns
        if case_id is None or not case_id.strip():
            problem = f"empty case id (column {c['case']!r})"
        elif activity is None or not activity.strip():
            problem = f"empty activity (column {c['activity']!r})"
        else:
            problem = (
                f"missing or unreadable timestamp in column {c['timestamp']!r} (use ISO 8601, or a timestamp column)"
            )
        raise UsageError(f"{log.path}: row {row_no}: {problem}")
    return read
