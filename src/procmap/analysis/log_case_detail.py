"""One case, event by event (issue 25 item 3, ``--case-detail ID``): what happened to it in the blueprint's words.

Every event of the case as read (after any filter), in case order: its time,
activity, the step it maps to ("unmapped" or left out by its lifecycle
otherwise), its resource; the wait between consecutive steps (as ``flows``
measures it); and where the case left the blueprint — the first move no
flow allows, a first step the blueprint does not start with, or a last step
it cannot end on.  Tables read: ``events``, ``amap``, ``seq``, ``cases``
(see :mod:`procmap.analysis.logs`).  The SQL keeps to what DuckDB and Spark
SQL both accept (issue 22).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from procmap.diagnostics import UsageError

if TYPE_CHECKING:
    import duckdb


def when(seconds: float | None) -> str | None:
    """Epoch seconds as an ISO 8601 time in UTC (a naive log's times as written), to the second or finer."""
    if seconds is None:
        return None
    moment = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")


def detail(con: duckdb.DuckDBPyConnection, ids: list[str], case_id: str) -> dict[str, Any]:
    """The case's events, waits and first departure from the blueprint; an unknown id is a usage error."""
    rows = con.execute(
        """
        SELECT e.t, e.t_start, e.activity, m.sn, e.resource, e.lifecycle
        FROM events e LEFT JOIN amap m ON m.activity = e.activity
        WHERE e.case_id = ?
        ORDER BY coalesce(e.t_start, e.t), e.t, e.file_no, e.row_no
        """,
        [case_id],
    ).fetchall()
    if not rows:
        cases, first = con.execute("SELECT count(DISTINCT case_id), min(case_id) FROM events").fetchone()  # type: ignore[misc]
        raise UsageError(f"--case-detail {case_id!r}: no such case among the {cases:,} read (the first is {first!r})")
    events = []
    for t, t_start, activity, sn, resource, lifecycle in rows:
        is_step = sn is not None and lifecycle in (None, "complete")
        events.append(
            {
                "time": when(t),
                "start": when(t_start),
                "activity": activity,
                "step": ids[sn] if is_step else None,
                "why_not": None if is_step else ("unmapped" if sn is None else f"lifecycle {lifecycle!r}"),
                "resource": resource,
            }
        )
    seq = con.execute(
        "SELECT pos, sn, next_sn, greatest(next_t0, t) - t, ok_next, ok_begin FROM seq WHERE case_id = ? ORDER BY pos",
        [case_id],
    ).fetchall()
    waits = [
        {"from": ids[sn], "to": ids[nxt], "wait": wait, "modelled": bool(ok)}
        for _, sn, nxt, wait, ok, _ in seq
        if nxt is not None
    ]
    left = None
    for pos, sn, nxt, _, ok, ok_begin in seq:
        if pos == 1 and not ok_begin:
            left = {"at": ids[sn], "to": None, "why": "start"}
            break
        if nxt is not None and not ok:
            left = {"at": ids[sn], "to": ids[nxt], "why": "move"}
            break
        if nxt is None and not ok:
            left = {"at": ids[sn], "to": None, "why": "end"}
            break
    fit = con.execute("SELECT fits FROM cases WHERE case_id = ?", [case_id]).fetchone()
    return {
        "case": case_id,
        "fits": bool(fit[0]) if fit else False,
        "steps": len(seq),
        "events": events,
        "waits": waits,
        "left_blueprint": left,
    }
