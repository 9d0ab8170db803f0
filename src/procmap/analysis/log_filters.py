"""Filters (issue 25 item 4): `--from`/`--to` on when cases start, `--where COLUMN=VALUE` on their attributes.

What a process-mining user expects from Disco's and pm4py's filters:

- ``--from``/``--to`` keep the **cases that start** in the range (a case's
  start is its first event, or that event's start in an interval log), whole:
  pm4py's ``filter_time_range(mode="traces_contained")`` on the start side,
  Disco's timeframe filter "started in".  A date alone covers its whole day
  (``--to 2024-03-31`` includes the 31st); a time is an instant.
- ``--where COLUMN=VALUE`` on a **case attribute** (a column named
  ``case:…``, pm4py's convention, or an XES trace attribute) keeps whole
  cases, like pm4py's ``filter_trace_attribute_values``; on an **event
  attribute** it keeps the matching events only, like
  ``filter_event_attribute_values(level="event")`` and Disco's attribute
  filter "keep selected".  The same column given twice keeps either value;
  different columns must all match.

The case filters are read on the log as read (a case's start does not move
because an event filter drops its first event); then the event filters.
Nothing is dropped without a word: the events and cases left out are counted
and the report's heading says which filters ran.  The SQL keeps to what
DuckDB and Spark SQL both accept (issue 22): the log as read is renamed
``events_read`` and ``events`` re-created from it, no ``DELETE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from procmap.diagnostics import UsageError

if TYPE_CHECKING:
    import duckdb

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Condition:
    """``COLUMN=VALUE`` as given with ``--where``."""

    column: str
    value: str

    @property
    def text(self) -> str:
        return f"{self.column}={self.value}"


@dataclass(frozen=True)
class Filters:
    """The filters asked for; ``start``/``end`` in epoch seconds, as given in ``*_text``.

    ``end`` is exclusive for a date (the day after it) and inclusive for an instant (``end_included``).
    """

    start: float | None = None
    end: float | None = None
    end_included: bool = False
    start_text: str | None = None
    end_text: str | None = None
    where: tuple[Condition, ...] = field(default_factory=tuple)

    @property
    def any(self) -> bool:
        return self.start is not None or self.end is not None or bool(self.where)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns ``--where`` names, each once, in the order first named (the loader reads them)."""
        return tuple(dict.fromkeys(c.column for c in self.where))


def _instant(text: str, flag: str, *, end: bool) -> float:
    """Epoch seconds of a date or date-time; a date alone as the start of its day (``--to``: of the next day).

    Naive values are taken as written, like the log's naive timestamps (the engine's zone is UTC).
    """
    raw = text.strip()
    try:
        if _DATE_ONLY.fullmatch(raw):
            day = date.fromisoformat(raw) + timedelta(days=1 if end else 0)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(
            f"{flag} {text!r}: not a date (use ISO 8601: 2024-03-01, or 2024-03-01T09:30:00+01:00)"
        ) from None
    return moment.timestamp()


def parse(date_from: str | None, date_to: str | None, where: list[str] | None) -> Filters:
    """The filters from the command line; a malformed one is a usage error (exit 2) in one line."""
    start = _instant(date_from, "--from", end=False) if date_from is not None else None
    end = None
    if date_to is not None:
        end = _instant(date_to, "--to", end=True)
    included = date_to is not None and not _DATE_ONLY.fullmatch(date_to.strip())
    if start is not None and end is not None and (start > end if included else start >= end):
        raise UsageError(f"--from {date_from} is after --to {date_to}: no case could start in between")
    conditions = []
    for item in where or []:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise UsageError(f"--where {item!r}: write COLUMN=VALUE (e.g. --where channel=web)")
        conditions.append(Condition(column.strip(), value.strip()))
    return Filters(start, end, included, date_from, date_to, tuple(conditions))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def apply(con: duckdb.DuckDBPyConnection, filters: Filters, case_level: dict[str, bool]) -> dict[str, Any] | None:
    """Keep only what the filters select in ``events``; what they left out, for the report (None: no filter).

    ``case_level``: for each ``--where`` column, whether it is a case attribute
    (the loader found it as ``case:…``).  The ``--where`` columns are the
    loader's ``x1, x2, …`` in :attr:`Filters.columns` order.
    """
    if not filters.any:
        return None
    xcol = {name: f"x{i + 1}" for i, name in enumerate(filters.columns)}
    by_column: dict[str, list[str]] = {}
    for cond in filters.where:
        by_column.setdefault(cond.column, []).append(cond.value)
    case_conds, event_conds = [], []
    for column, values in by_column.items():
        test = f"{xcol[column]} IN ({', '.join(_literal(v) for v in values)})"
        if case_level[column]:
            case_conds.append(f"case_id IN (SELECT case_id FROM events_read WHERE {test})")
        else:
            event_conds.append(test)
    started = []
    if filters.start is not None:
        started.append(f"s >= {filters.start!r}")
    if filters.end is not None:
        started.append(f"s {'<=' if filters.end_included else '<'} {filters.end!r}")
    kept_cases = " AND ".join([*started, *case_conds]) or "TRUE"
    kept_events = " AND ".join(f"e.{c}" for c in event_conds) or "TRUE"

    read_events, read_cases = con.execute("SELECT count(*), count(DISTINCT case_id) FROM events").fetchone()  # type: ignore[misc]
    con.execute("ALTER TABLE events RENAME TO events_read")
    con.execute(
        f"""
        CREATE TABLE events AS
        WITH starts AS (SELECT case_id, min(coalesce(t_start, t)) AS s FROM events_read GROUP BY case_id),
        kept AS (SELECT case_id FROM starts WHERE {kept_cases})
        SELECT e.* FROM events_read e JOIN kept k ON k.case_id = e.case_id
        WHERE {kept_events}
        ORDER BY e.file_no, e.row_no
        """
    )
    events, cases = con.execute("SELECT count(*), count(DISTINCT case_id) FROM events").fetchone()  # type: ignore[misc]
    described = describe(filters, case_level)
    if not events:
        raise UsageError(
            f"the filters ({described}) leave no event of the {read_events:,} read in {read_cases:,} cases"
        )
    return {
        "from": filters.start_text,
        "to": filters.end_text,
        "where": [
            {"column": c.column, "value": c.value, "level": "case" if case_level[c.column] else "event"}
            for c in filters.where
        ],
        "text": described,
        "read": {"events": read_events, "cases": read_cases},
        "left_out": {"events": read_events - events, "cases": read_cases - cases},
    }


def describe(filters: Filters, case_level: dict[str, bool]) -> str:
    """The filters in words, as the report's heading says them."""
    parts = []
    if filters.start_text is not None and filters.end_text is not None:
        parts.append(f"cases that started from {filters.start_text} to {filters.end_text}")
    elif filters.start_text is not None:
        parts.append(f"cases that started from {filters.start_text}")
    elif filters.end_text is not None:
        parts.append(f"cases that started up to {filters.end_text}")
    by_column: dict[str, list[str]] = {}
    for cond in filters.where:
        by_column.setdefault(cond.column, []).append(cond.value)
    for column, values in by_column.items():
        shown = " or ".join(f"{column}={v}" for v in values)
        parts.append(f"cases with {shown}" if case_level[column] else f"events with {shown}")
    return "; ".join(parts)
