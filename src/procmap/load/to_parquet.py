"""``procmap conform --to-parquet LOG… -o DIR/``: CSV and XES converted once to Parquet (SPEC §6.5).

A cluster reads Parquet where it lies (object storage, HDFS); CSV and XES are
converted first, here, by the same reader conform uses
(:func:`procmap.load.event_logs.load`, with every check it makes: a bad row
is refused with its file and row before anything is written).  Each log
becomes one Parquet file of the columns conform needs under their XES
names, so conform finds them without options::

    case:concept:name  concept:name  time:timestamp (UTC)  [org:resource]  [lifecycle:transition]
    [start_timestamp (UTC)]  row_no  [every other column of a CSV or Parquet log, as it was]

The other columns of a CSV or Parquet log are kept under their own names (a
``--where`` on the Parquet finds them as on the original); an XES log's other
attributes are not, and the conversion says so.
The rows keep the log's order, and ``row_no`` keeps each event's row (CSV) or
event number (XES) in the original, so events of a case at the same instant
are still ordered as SPEC §6.1 says (timestamp, then file, then row) on any
engine, even after a cluster splits the file.  Timestamps are stored as UTC
instants to the microsecond, exactly the instants conform computes from the
original.  Every file is written to a temporary name beside its target and
renamed when complete, so a failure leaves no half-written Parquet.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procmap.diagnostics import UsageError
from procmap.load import event_logs

_SUFFIXES = (".csv.gz", ".xes.gz", ".csv", ".xes", ".parquet")


@dataclass
class Converted:
    """One log written as Parquet: where from, where to, how many events, which columns were read."""

    source: str
    target: str
    events: int
    columns: dict[str, str | None]
    notes: list[str]


def target_name(path: str) -> str:
    """``tickets.csv.gz`` -> ``tickets.parquet``."""
    name = os.path.basename(path)
    lower = name.lower()
    for suffix in _SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)] + ".parquet"
    return name + ".parquet"


def convert(logs: list[str], outdir: str, overrides: dict[str, str | None], *, memory: str = "1GB") -> list[Converted]:
    """Read every log with conform's reader and write each as Parquet into ``outdir`` (created if missing)."""
    import duckdb

    if not logs:
        raise UsageError("--to-parquet: name the logs to convert")
    if os.path.lexists(outdir) and not os.path.isdir(outdir):
        raise UsageError(f"{outdir}: -o with --to-parquet names a folder, and this is a file")
    targets: dict[str, str] = {}
    for log in logs:
        target = os.path.join(outdir, target_name(log))
        if target in targets:
            raise UsageError(
                f"{log} and {targets[target]} would both be written to {target}; convert them into different folders"
            )
        if os.path.exists(target) and os.path.samefile(target, log):
            raise UsageError(f"{target}: refusing to overwrite an input file ({log})")
        targets[target] = log
    with tempfile.TemporaryDirectory(prefix="procmap-parquet-") as tmp:
        workdir = Path(tmp)
        (workdir / "spill").mkdir()
        con = duckdb.connect(
            ":memory:",
            config={"memory_limit": memory, "temp_directory": str(workdir / "spill"), "preserve_insertion_order": True},
        )
        try:
            con.execute("SET enable_progress_bar = false")
            try:
                read = event_logs.load(con, logs, overrides, workdir)
            except duckdb.Error as exc:
                raise UsageError(f"{', '.join(logs)}: {event_logs._duck_message(exc)}") from None
            try:
                os.makedirs(outdir, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"{outdir}: cannot create the folder: {exc.strerror or exc}") from None
            out = []
            for file_no, log in enumerate(read, start=1):
                target = os.path.join(outdir, target_name(log.path))
                notes = _write(con, log, file_no, target)
                out.append(Converted(log.path, target, log.events, log.columns, [*log.notes, *notes]))
            return out
        finally:
            con.close()


ROLE_NAMES = {
    "case": "case:concept:name",
    "activity": "concept:name",
    "timestamp": "time:timestamp",
    "resource": "org:resource",
    "lifecycle": "lifecycle:transition",
    "start": "start_timestamp",
}


def _write(con: Any, log: event_logs.LogFile, file_no: int, target: str) -> list[str]:
    """One log's events, in its own order, to ``target`` atomically; what was not kept, in words."""
    import duckdb

    from procmap.fileio import atomic_path

    columns = [
        f'e.case_id AS "{ROLE_NAMES["case"]}"',
        f'e.activity AS "{ROLE_NAMES["activity"]}"',
        # t is epoch_us / 1e6: back to the same whole microseconds, as a UTC instant
        f'CAST(make_timestamp(CAST(round(e.t * 1000000) AS BIGINT)) AS TIMESTAMPTZ) AS "{ROLE_NAMES["timestamp"]}"',
    ]
    if log.columns.get("resource"):
        columns.append(f'e.resource AS "{ROLE_NAMES["resource"]}"')
    if log.columns.get("lifecycle"):
        columns.append(f'e.lifecycle AS "{ROLE_NAMES["lifecycle"]}"')
    if log.columns.get("start"):  # an interval log's start (issue 25), under pm4py's name
        columns.append(
            "CAST(make_timestamp(CAST(round(e.t_start * 1000000) AS BIGINT)) AS TIMESTAMPTZ) "
            f'AS "{ROLE_NAMES["start"]}"'
        )
    columns.append("e.row_no")
    notes: list[str] = []
    source = ""
    if log.kind == "xes":
        notes.append(
            f"{log.path}: only the attributes conform reads are kept "
            f"({', '.join(repr(c) for c in log.columns.values() if c)}); other XES attributes are not"
        )
    elif log.source:
        taken = {c for c in log.columns.values() if c} | set(ROLE_NAMES.values()) | {"row_no"}
        kept = [n for n in log.names if n not in taken]
        clashing = [n for n in log.names if n not in log.columns.values() and n in taken]
        if clashing:
            notes.append(
                f"{log.path}: column(s) {', '.join(repr(n) for n in clashing)} not kept: "
                "the name is one the Parquet log uses for a column conform reads"
            )
        if kept:
            columns += [f"s.{event_logs._ident(n)}" for n in kept]
            source = f"JOIN {log.source} s ON s.__row = e.row_no"
    with atomic_path(target) as tmp:
        try:
            con.execute(
                f"COPY (SELECT {', '.join(columns)} FROM events e {source} WHERE e.file_no = {file_no} "
                f"ORDER BY e.row_no) TO {event_logs._sql_str(tmp)} (FORMAT parquet, COMPRESSION zstd)"
            )
        except duckdb.Error as exc:  # the disk filled up, the folder went away
            raise UsageError(f"{target}: cannot write: {event_logs._duck_message(exc)}") from None
    return notes
