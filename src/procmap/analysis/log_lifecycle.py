"""Which events are steps by their lifecycle, and how many were left out and why (issue 25: nothing dropped silently).

SPEC §6.1's rule: with a lifecycle column only ``complete`` events are steps,
and ``start`` events give work time.  A log whose lifecycle column holds
neither value (BPIC 2013's statuses "Accepted", "Queued", "Completed"…) would
lose every event to that rule, so there the column is not used as a filter and
a note says so.  ``--lifecycle`` chooses: ``none`` (every event is a step),
``complete`` (only complete events; starts ignored), ``start,complete`` (the
default: starts give work time).  The queries here read ``events`` and ``amap``
(see :mod:`procmap.analysis.logs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procmap.analysis.logs import LogStats
    from procmap.load.engines import Engine

RULES = ("none", "complete", "start,complete")


def apply_rule(con: Engine, rule: str | None, column: str | None) -> str | None:
    """Clear the lifecycle of every event when it is not to be used as a filter; the note saying so, if any.

    ``rule`` None is the default (start,complete) with the fallback for a
    column that holds no ``complete``/``start`` value.
    """
    if column is None:
        return None
    if rule == "none":
        _clear(con)
        return f"--lifecycle none: column {column!r} is not used; every event is a step"
    if rule is not None:
        return None
    usable = con.execute("SELECT count(*) FROM events WHERE lifecycle IN ('complete', 'start')").fetchone()[0]  # type: ignore[index]
    present = con.execute("SELECT count(*) FROM events WHERE lifecycle IS NOT NULL").fetchone()[0]  # type: ignore[index]
    if usable or not present:
        return None
    values = [
        v
        for (v,) in con.execute(
            "SELECT lifecycle FROM events WHERE lifecycle IS NOT NULL GROUP BY lifecycle "
            "ORDER BY count(*) DESC, lifecycle LIMIT 3"
        ).fetchall()
    ]
    _clear(con)
    shown = ", ".join(repr(v) for v in values)
    return (
        f"lifecycle column {column!r} holds no 'complete' or 'start' value (it holds {shown}…): "
        "not used as a filter, every event is a step (--lifecycle complete filters anyway)"
    )


def _clear(con: Engine) -> None:
    """Every event's lifecycle to NULL: the table made again (Spark's views take no UPDATE)."""
    columns = ", ".join("CAST(NULL AS STRING) AS lifecycle" if c == "lifecycle" else c for c in con.columns("events"))
    con.create_table("events", f"SELECT {columns} FROM events")


def left_out(stats: LogStats, rule: str | None, mapping: dict[str, str]) -> dict[str, Any]:
    """Events that are not steps, by reason: their lifecycle value first, then an activity no step maps.

    Under ``start,complete`` a start event is left out of the steps but used
    for work time; it is counted with its value all the same, and says so.
    The counts come from the one group-by of the log (:func:`procmap.analysis.logs.log_stats`).
    """
    by_value = [
        {"value": v, "events": n, "used_for": "work time" if v == "start" and rule != "complete" else None}
        for v, n in stats.lifecycle
    ]
    unmapped = stats.unmapped_events(mapping)
    total = sum(r["events"] for r in by_value) + unmapped
    # A missing or unreadable timestamp is an input error (exit 2, its row named), so never a silent loss.
    return {"events": total, "lifecycle": by_value, "unmapped_activity": unmapped, "missing_timestamp": 0}
