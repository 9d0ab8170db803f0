"""Reading event logs (CSV, XES, XES.gz, Parquet) into one DuckDB table, ``events``.

SPEC §6.1.  Logs are never turned into Python objects event by event: CSV and
Parquet are read by DuckDB where they lie, XES is streamed with
``lxml.iterparse`` (never a whole DOM) into a staging CSV that DuckDB then
reads, so memory stays bounded by the engine, not by the log.

The resulting table, one row per event of every log, in file order::

    events(case_id VARCHAR, activity VARCHAR, t DOUBLE,   -- t: seconds since 1970, UTC
           resource VARCHAR, lifecycle VARCHAR,           -- lifecycle lower-cased, NULL without the column
           file_no INTEGER, row_no BIGINT,                -- which log, which event in it (1-based)
           t_start DOUBLE,                                -- the event's start (start_timestamp), NULL if not logged
           x1 VARCHAR, x2 VARCHAR, …)                     -- the columns --where names, in the order named

``t`` is when the event completed (SPEC §6.1's timestamp): events are ordered
by it.  ``t_start``, from pm4py's ``start_timestamp`` column (or the one named
with ``--start``), says when the work began: work time is ``t - t_start``.

Every problem with a log raises :class:`LogError` (exit 2) with one line naming
the file and the row, line or element, before anything is written.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procmap.diagnostics import UsageError

if TYPE_CHECKING:
    import duckdb

ROLES = ("case", "activity", "timestamp", "resource", "lifecycle", "start")
REQUIRED = ("case", "activity", "timestamp")
# SPEC §6.1: first match wins.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "case": ("case:concept:name", "case_id", "case"),
    "activity": ("concept:name", "activity"),
    "timestamp": ("time:timestamp", "timestamp", "time"),
    "resource": ("org:resource", "resource"),
    "lifecycle": ("lifecycle:transition",),
    "start": ("start_timestamp",),  # pm4py's interval logs
}
SUFFIXES = (".csv", ".csv.gz", ".xes", ".xes.gz", ".parquet")
DELIMITERS = (",", ";", "\t")
XES_BATCH = 50_000  # staged rows between flushes of the CSV writer
_XES_VALUE_TAGS = frozenset({"string", "date", "int", "float", "boolean", "id"})

EVENTS_COLUMNS = "case_id, activity, t, resource, lifecycle, file_no, row_no, t_start"
EVENTS_DDL = """
CREATE TABLE events (case_id VARCHAR, activity VARCHAR, t DOUBLE, resource VARCHAR, lifecycle VARCHAR,
                     file_no INTEGER, row_no BIGINT, t_start DOUBLE{extra})
"""


class LogError(UsageError):
    """A log procmap cannot read: exit 2 with one line naming the file and where in it."""


@dataclass
class LogFile:
    """One log as read: its format, the column chosen for each role, and how many events it gave."""

    path: str
    kind: str  # csv | xes | parquet
    columns: dict[str, str | None] = field(default_factory=dict)
    events: int = 0
    notes: list[str] = field(default_factory=list)  # what was read differently from what was written, in words
    attributes: dict[str, str] = field(default_factory=dict)  # --where name -> the column it reads here
    # CSV and Parquet: every column of the log as read, and SQL giving them with ``__row`` (the row index)
    names: list[str] = field(default_factory=list)
    source: str = ""


def kind_of(path: str) -> str:
    """csv | xes | parquet, from the suffix (SPEC §6.1: formats by suffix)."""
    name = path.lower()
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith((".xes", ".xes.gz")):
        return "xes"
    if name.endswith(".parquet"):
        return "parquet"
    raise LogError(f"{path}: unknown log format (use one of {', '.join(SUFFIXES)})")


def _check_file(path: str) -> os.stat_result:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise LogError(f"{path}: no such file or directory") from None
    except OSError as exc:
        raise LogError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise LogError(f"{path}: is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise LogError(f"{path}: not a regular file")
    if st.st_size == 0:
        raise LogError(f"{path}: empty file, not an event log")
    if not os.access(path, os.R_OK):
        raise LogError(f"{path}: cannot read: permission denied")
    return st


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_GLOB_CHARS = re.compile(r"([\[\]*?{}])")


def duck_path(path: str | Path) -> str:
    """A file's path as DuckDB must be given it to open exactly that file, as an SQL string literal.

    DuckDB's readers take a *pattern*: ``run[1].csv`` would read ``run1.csv`` and ``x*.csv``
    every file starting with ``x``.  A log path is a path, so every pattern character is
    escaped as a one-character class (``[*]``, ``[[]``), and the path made absolute so a
    leading ``~`` is a name, not the home folder.
    """
    absolute = os.path.abspath(os.fspath(path))
    return _sql_str(_GLOB_CHARS.sub(r"[\1]", absolute))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def choose_columns(
    path: str, available: list[str], overrides: dict[str, str | None], *, hint: str = ""
) -> dict[str, str | None]:
    """Which column plays each role: an override, else the first candidate present (exact, then any case)."""
    find = _finder(available)
    chosen: dict[str, str | None] = {}
    for role in ROLES:
        wanted = overrides.get(role)
        if wanted:
            found = find(wanted)
            if found is None:
                raise LogError(
                    f"{path}: no column {wanted!r} (given with --{role}); {hint}columns: {_listing(available)}"
                )
            chosen[role] = found
            continue
        chosen[role] = next((c for c in map(find, CANDIDATES[role]) if c is not None), None)
        if chosen[role] is None and role in REQUIRED:
            looked = ", ".join(CANDIDATES[role])
            raise LogError(
                f"{path}: no {role} column (looked for {looked}; {hint}columns: {_listing(available)}); "
                f"name it with --{role}"
            )
    return chosen


def _finder(available: list[str]) -> Any:
    """A lookup of a column by name: exact first, then loosely (see :func:`_fold`)."""
    folded: dict[str, str] = {}
    for name in available:
        folded.setdefault(_fold(name), name)
    exact = set(available)

    def find(name: str) -> str | None:
        if name in exact:
            return name
        return folded.get(_fold(name))

    return find


def attribute_columns(path: str, available: list[str], names: list[str], *, hint: str = "") -> dict[str, str]:
    """The column each ``--where`` name reads in this log: the name itself, else its ``case:`` form.

    A column whose name starts with ``case:`` is a case attribute (pm4py's
    convention for CSV; XES trace attributes are read under that prefix), any
    other an event attribute.  A name no column has is one line listing them.
    """
    find = _finder(available)
    out: dict[str, str] = {}
    for name in names:
        found = find(name) or (find(f"case:{name}") if not name.startswith("case:") else None)
        if found is None:
            raise LogError(f"{path}: no column {name!r} (given with --where); {hint}columns: {_listing(available)}")
        out[name] = found
    return out


def _fold(name: str) -> str:
    """Column names compared loosely: ``Case ID``, ``case-id`` and ``CASE_ID`` are all ``case_id``."""
    return re.sub(r"[\s_-]+", "_", name.strip().casefold())


def _listing(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "") if names else "none"


# ----------------------------------------------------------------------------- CSV


def _sniff_csv(path: str) -> tuple[str, list[str], str]:
    """(delimiter, header names, compression) from the first bytes; refuses binary and non-UTF-8 text."""
    compression = "gzip" if path.lower().endswith(".gz") else "none"
    try:
        if compression == "gzip":
            with gzip.open(path, "rb") as fh:
                head = fh.read(65536)
        else:
            with open(path, "rb") as fh:
                head = fh.read(65536)
    except (OSError, EOFError, zlib.error) as exc:
        raise LogError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LogError(f"{path}: file is UTF-16 encoded; save it as UTF-8")
    if b"\x00" in head:
        raise LogError(f"{path}: binary file (contains NUL bytes), not a CSV log")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    first = re.split(rb"\r\n|\r|\n", head, maxsplit=1)[0]  # CR-only line ends (old Mac exports) too
    try:
        header_line = first.decode("utf-8")
    except UnicodeDecodeError:
        raise LogError(f"{path}: row 0 (the header): not valid UTF-8 text; save the log as UTF-8") from None
    if not header_line.strip():
        raise LogError(f"{path}: the first line is empty; a CSV log starts with a header row")
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda d: counts[d])  # ties: the order of DELIMITERS
    names = next(csv.reader([header_line], delimiter=delimiter))
    return delimiter, [n.strip() for n in names], compression


SCAN_CHUNK = 1 << 20  # bytes per read of the whole-file scan
MAX_LINE = 1 << 21  # DuckDB's default maximum line size (2 MB); a longer line is refused in procmap's words


def _scan_text(path: str, compression: str) -> None:
    """Refuse binary data anywhere in a text log, and lines too long to be rows, before DuckDB reads it.

    DuckDB stops at the first NUL byte and says nothing: a CSV ending in 40 MB of NUL
    bytes lost its tail silently.  So the whole file is read once, in 1 MB chunks (C-speed
    searches, memory bounded).  A sparse file's holes read as NUL bytes; ``SEEK_HOLE`` finds
    the first one without reading up to it, so a 2 GB sparse file is refused at once.
    """
    try:
        if compression == "none":
            fh: Any = open(path, "rb")
            seek_hole = getattr(os, "SEEK_HOLE", None)
            if seek_hole is not None:
                size = os.fstat(fh.fileno()).st_size
                try:
                    hole = os.lseek(fh.fileno(), 0, seek_hole)
                except OSError:
                    hole = size
                os.lseek(fh.fileno(), 0, os.SEEK_SET)
                if hole < size:
                    fh.close()
                    raise LogError(f"{path}: binary data (NUL bytes from byte {hole:,}), not a text log")
        else:
            fh = gzip.open(path, "rb")
        with fh:
            offset = 0  # bytes before this chunk
            line = 1  # the line this chunk starts in
            run = 0  # bytes of that line before this chunk
            while chunk := fh.read(SCAN_CHUNK):
                nul = chunk.find(b"\x00")
                if nul >= 0:
                    at = line + chunk.count(b"\n", 0, nul)
                    raise LogError(
                        f"{path}: line {at}: binary data (a NUL byte at byte {offset + nul:,}), not a text log"
                    )
                first = chunk.find(b"\n")
                if first < 0:
                    run += len(chunk)
                    if run > MAX_LINE:
                        raise LogError(f"{path}: line {line}: {_too_long()}")
                else:
                    if run + first > MAX_LINE:
                        raise LogError(f"{path}: line {line}: {_too_long()}")
                    line += chunk.count(b"\n")
                    run = len(chunk) - chunk.rfind(b"\n") - 1
                offset += len(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise LogError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None


def _too_long() -> str:
    return f"a line over {MAX_LINE // (1 << 20)} MB, not a row of an event log (a field this long is not an event)"


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def _unique(names: list[str]) -> list[str]:
    """Header names as DuckDB columns: blanks and repeats renamed so every column can be selected."""
    seen: set[str] = set()
    out = []
    for i, name in enumerate(names):
        base = name or f"column{i + 1}"
        candidate, n = base, 1
        while candidate in seen:
            n += 1
            candidate = f"{base}_{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def _duck_message(exc: Exception) -> str:
    """DuckDB's error as one short clause: its first line, without the 'X Error:' prefix."""
    text = str(exc)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    first = re.sub(r"^[A-Za-z ]+Error:\s*", "", lines[0]) if lines else type(exc).__name__
    m = re.search(r"CSV Error on Line:\s*(\d+)", text)
    if m:
        detail = next((ln for ln in lines if ln.startswith(("Expected Number", "Invalid unicode", "Value with"))), "")
        detail = detail or next((ln for ln in lines[1:] if not ln.startswith(("Original Line", "Possible"))), "")
        return f"line {m.group(1)}: {detail.rstrip('.') or 'malformed CSV row'}"
    return first


# ----------------------------------------------------------------------------- XES


class _XesStager:
    """Streams one XES file into two CSVs, in file order: events (with their trace's number) and traces.

    Nothing waits in memory for its trace to end: an event is written as soon as it
    is parsed, with the number of the trace it is in, and the trace's own attributes
    (the case id) go to a second file when the trace ends; SQL joins them.  Every
    element is cleared and unlinked once read, so memory stays bounded whatever the
    shape: one trace of a million events, or events outside any trace.
    """

    def __init__(self, path: str, out: Path, traces_out: Path, keys: list[str]) -> None:
        self.path = path
        self.out = out
        self.traces_out = traces_out
        self.keys = keys
        self.case_keys = [k for k in keys if k.startswith("case:")]
        self.seen: set[str] = set()
        self.rows = 0
        self.traces = 0
        self.loose = 0  # events outside any <trace>: no case, so not read (said in a note)
        self.loose_line = 0

    def run(self) -> None:
        from lxml import etree

        opener: Any = gzip.open if self.path.lower().endswith(".gz") else open
        options = {
            "resolve_entities": False,
            "no_network": True,
            "load_dtd": False,
            "huge_tree": False,
            "remove_comments": True,
            "remove_pis": True,
        }
        try:
            # First procmap's own look at the prolog: a DOCTYPE is refused before any XML parser sees
            # it, so the refusal never depends on which error a libxml2 release reports first.
            with opener(self.path, "rb") as src:
                self._check_prolog(src.read(PROLOG_BYTES))
            # Then the root alone (and lxml's DOCTYPE check, for a prolog longer than the first look).
            with opener(self.path, "rb") as src:
                for _, el in etree.iterparse(src, events=("start",), **options):
                    self._check_root(el, _local(el.tag))
                    break
            # Then only the elements procmap reads: far fewer Python iterations than every attribute.
            with (
                opener(self.path, "rb") as src,
                open(self.out, "w", encoding="utf-8", newline="") as dst,
                open(self.traces_out, "w", encoding="utf-8", newline="") as tdst,
            ):
                writer = csv.writer(dst)
                writer.writerow(["row_no", "line", "trace_no", *self.keys])
                traces = csv.writer(tdst)
                traces.writerow(["trace_no", *self.case_keys])
                context = etree.iterparse(src, events=("end",), tag=("{*}event", "{*}trace", "{*}global"), **options)
                self._stream(context, writer, traces)
        except etree.XMLSyntaxError as exc:
            line = getattr(exc, "lineno", None) or (exc.position[0] if getattr(exc, "position", None) else 0)
            raise LogError(f"{self.path}: line {line}: not well-formed XES ({_xml_reason(exc)})") from None
        except MemoryError:
            raise LogError(f"{self.path}: not readable in the memory procmap may use (an element too large)") from None
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise LogError(f"{self.path}: not a readable gzip file ({exc})") from None
        except OSError as exc:
            raise LogError(f"{self.path}: cannot read: {exc.strerror or exc}") from None

    def _stream(self, context: Any, writer: Any, traces: Any) -> None:
        keys = self.keys
        wanted = set(keys)
        case_keys = self.case_keys
        trace_defaults: dict[str, str] = {}
        event_defaults: dict[str, str] = {}
        batch: list[list[Any]] = []
        trace_no = 1  # the trace being read (its events come before its end)
        trace_own: dict[str, str] = {}  # the attributes of that trace seen so far
        for _, el in context:
            tag = _local(el.tag)
            parent = el.getparent()
            ptag = _local(parent.tag) if parent is not None else ""
            if tag == "event" and ptag == "trace":
                values = dict(event_defaults)
                values.update(_attributes(el))
                self.seen.update(wanted.intersection(values))
                self.rows += 1
                batch.append([self.rows, el.sourceline or 0, trace_no, *(values.get(k) for k in keys)])
                if len(batch) >= XES_BATCH:
                    writer.writerows(batch)
                    batch.clear()
            elif tag == "trace" and ptag == "log":
                case = dict(trace_defaults)
                case.update(trace_own)  # its attributes read (and freed) while its events streamed by
                trace_own.clear()
                case.update(_attributes(el))
                case_values = {f"case:{k}": v for k, v in case.items()}
                self.seen.update(wanted.intersection(case_values))
                traces.writerow([trace_no, *(case_values.get(k) for k in case_keys)])
                trace_no += 1
                self.traces += 1
            elif tag == "global" and ptag == "log":
                target = trace_defaults if el.get("scope", "event") == "trace" else event_defaults
                target.update(_attributes(el))
            elif tag == "event":
                # IEEE 1849 lets a log hold events outside traces; they have no case, so no journey.
                self.loose += 1
                self.loose_line = self.loose_line or (el.sourceline or 0)
            # Free what was read: this element's content, and every earlier sibling (in a trace, its
            # own attributes among them are kept as values first, for when the trace ends).
            el.clear(keep_tail=False)
            if parent is not None and ptag == "trace":
                while (previous := el.getprevious()) is not None:
                    if _local(previous.tag) != "event":
                        trace_own.update(_attributes([previous]))
                    parent.remove(previous)
            elif parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
        writer.writerows(batch)

    def _check_prolog(self, head: bytes) -> None:
        """Refuse a document type declaration in the prolog (whatever the encoding), in procmap's words."""
        text = _decode_head(head)
        where = _PROLOG.match(text)
        rest = text[where.end() :] if where else text
        if rest[:9].upper() == "<!DOCTYPE":
            line = text.count("\n", 0, len(text) - len(rest)) + 1
            raise LogError(
                f"{self.path}: line {line}: XES with a DOCTYPE is refused "
                "(entity declarations can read other files or expand without bound)"
            )

    def _check_root(self, el: Any, tag: str) -> None:
        info = el.getroottree().docinfo
        if info.doctype or info.internalDTD is not None:
            raise LogError(
                f"{self.path}: line 1: XES with a DOCTYPE is refused (entity declarations can expand without bound)"
            )
        if tag != "log":
            raise LogError(f"{self.path}: line {el.sourceline}: not XES: the root element is <{tag}>, expected <log>")


PROLOG_BYTES = 65536  # the first look at an XES file's prolog
# The XML declaration, then whitespace, comments and processing instructions, in any order.
_PROLOG = re.compile(r"\ufeff?(?:<\?xml[^>]*\?>)?(?:\s+|<!--.*?-->|<\?.*?\?>)*", re.DOTALL)


def _decode_head(head: bytes) -> str:
    """The first bytes as text for the prolog scan: UTF-16/32 by their byte-order mark or zero bytes,
    else Latin-1 (every byte a character, so the ASCII markup of UTF-8 and 8-bit encodings reads as written)."""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"<\x00?\x00", "utf-16-le"),
        (b"\x00<\x00?", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head.decode(codec, "replace").lstrip("\ufeff")
    return head.decode("latin-1")


def _xml_reason(exc: Any) -> str:
    """The parser's reason, shortened (its position is given separately); the wording is the library's."""
    msg = " ".join(str(getattr(exc, "msg", None) or exc).split())
    return re.sub(r",\s*line \d+, column \d+\s*(\(.*\))?$", "", msg) or "unknown error"


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _attributes(el: Any) -> dict[str, str]:
    """The element's own XES attributes (``<string key=… value=…/>``), nested attributes ignored.

    ``el`` is an element, or a list of its children (the ones read before it ended)."""
    out: dict[str, str] = {}
    for child in el:
        key = child.get("key")
        if key is None:
            continue
        value = child.get("value")
        if value is not None and _local(child.tag) in _XES_VALUE_TAGS:
            out[key] = value
    return out


# ----------------------------------------------------------------------------- loading


# SPEC §6.1 via issue 24: a timestamp is a date of 1900-2200 with a real UTC offset (at most 14 hours).
T_MIN = -2208988800.0  # 1900-01-01T00:00:00Z
T_MAX = 7289654400.0  # 2201-01-01T00:00:00Z (exclusive)
_DATE_FIRST = r"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"  # what a written date starts with ('epoch', 'infinity' do not)
# a UTC offset after a time of day: +HH, +HHMM or +HH:MM at the end
_OFFSET = r"[0-9]:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?\s*([+-])([0-9]{1,2})(?::?([0-9]{2}))?\s*$"
_OFFSET_RE = re.compile(_OFFSET)


def _timestamp_sql(column: str, dtype: str) -> str:
    """An expression turning the timestamp column into UTC epoch seconds (NULL when unusable).

    The session time zone is UTC, so zoned values are converted to UTC and
    naive ones are taken as written.  Unusable, and so NULL (the loader then
    names the row and says why): text that does not start with a date (DuckDB
    reads 'epoch' as 1970 and 'infinity' as a timestamp), an offset beyond
    14 hours, an instant outside 1900-2200.
    """
    col = _ident(column)
    upper = dtype.upper()
    if upper.startswith("TIMESTAMP") or upper == "DATE":
        value = f"epoch_us(CAST({col} AS TIMESTAMPTZ)) / 1000000.0"
    else:
        text = f"trim(CAST({col} AS VARCHAR))"
        pattern = _sql_str(_OFFSET)
        offset_ok = (
            f"coalesce(TRY_CAST(nullif(regexp_extract({text}, {pattern}, 2), '') AS INTEGER) * 60 "
            f"+ coalesce(TRY_CAST(nullif(regexp_extract({text}, {pattern}, 3), '') AS INTEGER), 0) <= 840, true)"
        )
        value = (
            f"CASE WHEN regexp_matches({text}, {_sql_str(_DATE_FIRST)}) AND {offset_ok} "
            f"THEN epoch_us(TRY_CAST({text} AS TIMESTAMPTZ)) / 1000000.0 END"
        )
    return value


def _timestamp_problem(con: duckdb.DuckDBPyConnection, raw: str, column: str) -> str:
    """Why a written timestamp was not usable, in words (the rare path: one row)."""
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    m = _OFFSET_RE.search(raw.strip())
    if re.match(_DATE_FIRST, raw) and m and int(m.group(2)) * 60 + int(m.group(3) or 0) > 840:
        return f"timestamp {shown!r} in column {column!r} has a UTC offset beyond ±14:00"
    if re.match(_DATE_FIRST, raw):
        seconds = con.execute("SELECT epoch_us(TRY_CAST(trim(?) AS TIMESTAMPTZ)) / 1000000.0", [raw]).fetchone()[0]  # type: ignore[index]
        if seconds is not None and not T_MIN <= seconds < T_MAX:
            return f"timestamp {shown!r} in column {column!r} is outside the years 1900-2200"
    return f"unparsable timestamp {shown!r} in column {column!r} (use ISO 8601, e.g. 2024-03-01T09:30:00+01:00)"


def _stage_sql(kind: str, path: str, names: list[str] | None, delimiter: str, compression: str) -> str:
    if kind == "parquet":
        return f"SELECT *, file_row_number + 1 AS __row FROM read_parquet({duck_path(path)}, file_row_number=true)"
    assert names is not None
    cols = "{" + ", ".join(f"{_sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    reader = (
        f"read_csv({duck_path(path)}, delim={_sql_str(delimiter)}, header=true, quote='\"', escape='\"', "
        f"auto_detect=false, columns={cols}, compression={_sql_str(compression)}, "
        "null_padding=false, ignore_errors=false)"
    )
    return f"SELECT *, row_number() OVER () AS __row FROM {reader}"


def load(
    con: duckdb.DuckDBPyConnection,
    paths: list[str],
    overrides: dict[str, str | None],
    workdir: Path,
    attributes: tuple[str, ...] = (),
) -> list[LogFile]:
    """Read every log into the ``events`` table (created here); their order is the file order of ties.

    ``attributes``: the columns ``--where`` names, carried as ``x1, x2, …`` (text, trimmed, NULL when empty).
    """
    import duckdb

    con.execute("SET TimeZone = 'UTC'")
    con.execute(EVENTS_DDL.format(extra="".join(f", x{i + 1} VARCHAR" for i in range(len(attributes)))))
    logs: list[LogFile] = []
    seen: dict[tuple[int, int], str] = {}
    for path in paths:
        kind = kind_of(path)
        st = _check_file(path)
        same = seen.get((st.st_dev, st.st_ino))
        if same is not None:
            # Named twice, or a link to a log already named: read once, said once (counting it twice
            # doubles every case and breaks every pair).
            first = next(log for log in logs if log.path == same)
            first.notes.append(f"{path} is the same file as {same} (named twice or a link to it): read once")
            continue
        seen[(st.st_dev, st.st_ino)] = path
        file_no = len(logs) + 1
        log = LogFile(path, kind)
        try:
            _load_one(con, log, file_no, overrides, workdir, attributes)
        except duckdb.OutOfMemoryException as exc:
            raise LogError(
                f"{path}: needs more memory than procmap may use ({_duck_message(exc)}); "
                "raise PROCMAP_MEMORY_LIMIT (e.g. 2GB)"
            ) from None
        except duckdb.Error as exc:
            where = _duck_message(exc)
            if kind == "parquet":
                raise LogError(f"{path}: not a readable Parquet file ({where})") from None
            raise LogError(f"{path}: {where}") from None
        logs.append(log)
    return logs


def _load_one(
    con: duckdb.DuckDBPyConnection,
    log: LogFile,
    file_no: int,
    overrides: dict[str, str | None],
    workdir: Path,
    attributes: tuple[str, ...] = (),
) -> None:
    path = log.path
    if log.kind == "xes":
        named = [*filter(None, overrides.values()), *attributes]
        keys = list(dict.fromkeys([*(k for role in ROLES for k in CANDIDATES[role]), *named]))
        keys += [f"case:{k}" for k in named if not k.startswith("case:") and f"case:{k}" not in keys]
        staged, staged_traces = workdir / f"log{file_no}.csv", workdir / f"log{file_no}-traces.csv"
        stager = _XesStager(path, staged, staged_traces, keys)
        stager.run()
        if stager.loose:
            log.notes.append(
                f"{path}: {stager.loose:,} event(s) outside any <trace> (the first at line {stager.loose_line}) "
                "have no case and were not read"
            )
        if stager.rows == 0:
            raise LogError(f"{path}: no events (an XES log needs <trace> elements holding <event> elements)")
        available = [k for k in keys if k in stager.seen]
        log.columns = choose_columns(path, available, overrides, hint="XES attributes found: ")
        log.attributes = attribute_columns(path, available, list(attributes), hint="XES attributes found: ")
        names = ["row_no", "line", "trace_no", *keys]
        case_keys = stager.case_keys
        events_sql = _stage_sql("csv", str(staged), names, ",", "none")
        traces_sql = _stage_sql("csv", str(staged_traces), ["trace_no", *case_keys], ",", "none")
        # an event's own attribute wins over its trace's (as the XES standard nests them)
        picked = ", ".join(
            f"coalesce(e.{_ident(k)}, t.{_ident(k)}) AS {_ident(k)}" if k in case_keys else f"e.{_ident(k)}"
            for k in keys
        )
        source = (
            f"(SELECT e.row_no, e.line, {picked}, e.__row FROM ({events_sql}) e "
            f"LEFT JOIN ({traces_sql}) t ON t.trace_no = e.trace_no)"
        )
        types = dict.fromkeys(names, "VARCHAR")
        where_sql = "'line ' || line"
    elif log.kind == "csv":
        delimiter, header, compression = _sniff_csv(path)
        _scan_text(path, compression)
        names = _unique(header)
        log.columns = choose_columns(path, names, overrides)
        log.attributes = attribute_columns(path, names, list(attributes))
        source = f"({_stage_sql('csv', path, names, delimiter, compression)})"
        types = dict.fromkeys(names, "VARCHAR")
        where_sql = "'row ' || __row"
        log.names, log.source = names, source
    else:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({duck_path(path)})").fetchall()
        types = {row[0]: str(row[1]) for row in described}
        log.columns = choose_columns(path, list(types), overrides)
        log.attributes = attribute_columns(path, list(types), list(attributes))
        source = f"({_stage_sql('parquet', path, None, '', '')})"
        where_sql = "'row ' || __row"
        log.names, log.source = list(types), source

    c = log.columns
    case_sql = f"CAST({_ident(c['case'])} AS VARCHAR)"  # type: ignore[arg-type]
    act_sql = f"CAST({_ident(c['activity'])} AS VARCHAR)"  # type: ignore[arg-type]
    ts_raw = f"CAST({_ident(c['timestamp'])} AS VARCHAR)"  # type: ignore[arg-type]
    ts_sql = _timestamp_sql(c["timestamp"], types.get(c["timestamp"], "VARCHAR"))  # type: ignore[arg-type]
    res_sql = f"NULLIF(trim(CAST({_ident(c['resource'])} AS VARCHAR)), '')" if c["resource"] else "NULL"
    life_sql = f"NULLIF(lower(trim(CAST({_ident(c['lifecycle'])} AS VARCHAR))), '')" if c["lifecycle"] else "NULL"

    if c["start"]:
        start_raw = f"NULLIF(trim(CAST({_ident(c['start'])} AS VARCHAR)), '')"
        start_sql = _timestamp_sql(c["start"], types.get(c["start"], "VARCHAR"))
    else:
        start_raw = start_sql = "NULL"
    extra = [f"NULLIF(trim(CAST({_ident(log.attributes[a])} AS VARCHAR)), '')" for a in attributes]
    xs = [f"x{i + 1}" for i in range(len(attributes))]

    columns_sql = ", ".join([case_sql, act_sql, ts_sql, res_sql, life_sql, start_raw, start_sql, *extra])
    before = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
    in_range = f"CASE WHEN t >= {T_MIN} AND t < {T_MAX} THEN t END"
    # A start written but unusable is kept as NaN (not NULL: NULL is "no start logged"), so the row is found below.
    start_value = (
        f"CASE WHEN sr IS NULL THEN NULL WHEN s >= {T_MIN} AND s < {T_MAX} THEN s ELSE CAST('NaN' AS DOUBLE) END"
    )
    con.execute(
        f"INSERT INTO events ({EVENTS_COLUMNS}{''.join(', ' + x for x in xs)}) "
        f"SELECT c, a, {in_range}, r, l, {file_no}, __row, {start_value}{''.join(', ' + x for x in xs)} "
        f"FROM (SELECT {columns_sql}, __row FROM {source}) AS x(c, a, t, r, l, sr, s{''.join(', ' + x for x in xs)}, __row)"
    )
    log.events = con.execute("SELECT count(*) FROM events").fetchone()[0] - before  # type: ignore[index]
    if log.events == 0:
        raise LogError(f"{path}: no events (the log has a header but no rows)")
    first_bad = con.execute(
        "SELECT min(row_no) FROM events WHERE file_no = ? AND (case_id IS NULL OR trim(case_id) = '' "
        "OR activity IS NULL OR trim(activity) = '' OR t IS NULL)",
        [file_no],
    ).fetchone()[0]  # type: ignore[index]
    if first_bad is None:
        if c["start"]:
            _check_starts(con, log, file_no, source, where_sql, start_raw)
        return
    # The rare path: read that one row again, with the timestamp as written, to say what is wrong.
    place, case_id, activity, ts_raw_value = con.execute(
        f"SELECT {where_sql}, {case_sql}, {act_sql}, {ts_raw} FROM {source} WHERE __row = ?", [first_bad]
    ).fetchone()  # type: ignore[misc]
    if case_id is None or not case_id.strip():
        problem = f"empty case id (column {c['case']!r})"
    elif activity is None or not activity.strip():
        problem = f"empty activity (column {c['activity']!r})"
    elif ts_raw_value is None or not ts_raw_value.strip():
        problem = f"empty timestamp (column {c['timestamp']!r})"
    else:
        problem = _timestamp_problem(con, ts_raw_value, c["timestamp"])  # type: ignore[arg-type]
    raise LogError(f"{path}: {place}: {problem}")


def _check_starts(
    con: duckdb.DuckDBPyConnection, log: LogFile, file_no: int, source: str, where_sql: str, start_raw: str
) -> None:
    """A start that is written but unusable, or later than its event's completion, is the log's error (exit 2).

    An empty start is "not logged" (the event gives no work time); a start
    after the completion would be a negative work time, a wrong number.
    """
    column = log.columns["start"]
    row = con.execute(
        "SELECT row_no, isnan(t_start) FROM events WHERE file_no = ? AND t_start IS NOT NULL "
        "AND (isnan(t_start) OR t_start > t) ORDER BY row_no LIMIT 1",
        [file_no],
    ).fetchone()
    if row is None:
        return
    row_no, unusable = row
    place, raw, done = con.execute(
        f"SELECT {where_sql}, {start_raw}, CAST({_ident(log.columns['timestamp'])} AS VARCHAR) "  # type: ignore[arg-type]
        f"FROM {source} WHERE __row = ?",
        [row_no],
    ).fetchone()  # type: ignore[misc]
    if unusable:
        problem = _timestamp_problem(con, raw, column).replace("timestamp", "start", 1)  # type: ignore[arg-type]
    else:
        problem = f"start {raw!r} (column {column!r}) is after the event's timestamp {done!r}"
    raise LogError(f"{log.path}: {place}: {problem}")
