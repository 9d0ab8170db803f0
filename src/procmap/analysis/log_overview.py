"""What a process-mining reader looks at before the blueprint (issue 25 item 5): whole-case time, ends, rework, workload.

These read the whole log, not only the mapped events: time per case over all
of a case's events (mapped only is ``figures.elapsed``, and on a log whose
events are mostly unmapped the two differ by months), the activities cases
start and end with, the cases that repeat a step, and each resource's load.
Tables read: ``events``, ``case_all`` and ``case_steps`` (see :mod:`procmap.analysis.logs`):
the per-case ones are made once, so each figure here is a group-by of a small table.
The SQL keeps to what DuckDB and Spark SQL both accept (issue 22).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procmap.load.engines import quantile

if TYPE_CHECKING:
    from procmap.load.engines import Engine

_STEP_EVENTS = "lifecycle IS NULL OR lifecycle = 'complete'"
EXAMPLES = 20  # case ids kept per step


def case_time(con: Engine) -> dict[str, float | None]:
    """Last event minus first over *all* of each case's events, summarised over cases.

    The first event counts from its start when the log has one (``start_timestamp``):
    the case began when work on it began, as pm4py measures an interval log.
    """
    d, approx = con.dialect, con.approximate
    row = (
        con.execute(
            f"""
        SELECT min(d), {quantile(d, "d", 0.5, approximate=approx)}, {quantile(d, "d", 0.9, approximate=approx)},
               max(d), avg(d)
        FROM (SELECT duration AS d FROM case_all) c
        """
        ).fetchone()
        or (None,) * 5
    )
    out = dict(zip(("min", "median", "p90", "max", "mean"), row, strict=True))
    return {**out, "approximate": True} if approx else out


def end_activities(con: Engine) -> dict[str, list[dict[str, Any]]]:
    """The activity each case starts with and ends with (its step events, mapped or not), with case counts.

    Read from ``case_all``, whose one group-by per case picks the activity at the
    smallest and largest (start, time, file, row) key among the step events: two
    window sorts of the whole log cost four times as much (issue 22).  A case
    with no step event (only ``start`` events, say) has neither.
    """
    rows = con.execute(
        """
        SELECT 'start' AS side, first_a AS activity, count(*) AS n FROM case_all WHERE first_a IS NOT NULL
        GROUP BY first_a
        UNION ALL
        SELECT 'end' AS side, last_a AS activity, count(*) AS n FROM case_all WHERE last_a IS NOT NULL GROUP BY last_a
        ORDER BY side, n DESC, activity
        """
    ).fetchall()
    out: dict[str, list[dict[str, Any]]] = {"start": [], "end": []}
    for side, activity, n in rows:
        out[side].append({"activity": activity, "cases": n})
    return out


def rework(con: Engine, ids: list[str]) -> list[dict[str, Any]]:
    """Per step: the cases that do it more than once (most first), up to 20 of their ids (smallest first)."""
    rows = con.execute(
        f"""
        SELECT sn, cases, case_id FROM (
            SELECT sn, case_id, row_number() OVER (PARTITION BY sn ORDER BY case_id) AS k,
                   count(*) OVER (PARTITION BY sn) AS cases
            FROM case_steps WHERE n > 1) r
        WHERE k <= {EXAMPLES} ORDER BY sn, k
        """
    ).fetchall()
    by_step: dict[int, tuple[int, list[str]]] = {}
    for sn, cases, case in rows:
        by_step.setdefault(sn, (int(cases), []))[1].append(case)
    out = [{"step": ids[sn], "cases": n, "examples": cs} for sn, (n, cs) in by_step.items()]
    return sorted(out, key=lambda r: (-r["cases"], ids.index(r["step"])))


def workload(con: Engine, *, lifecycles: bool = True, starts: bool = True) -> list[dict[str, Any]]:
    """Per resource: its step events, the cases it touched, and its median work time (start to complete, if logged).

    ``lifecycles`` False (no event has a lifecycle) and ``starts`` False (no
    event has a start time) leave out the work-time parts that could find nothing.
    """
    parts = []
    life = ""
    if lifecycles:
        life = """life AS (
            SELECT resource, t, t_start, lifecycle,
                   lag(lifecycle) OVER (PARTITION BY case_id, activity ORDER BY t, file_no, row_no) AS prev_life,
                   lag(t) OVER (PARTITION BY case_id, activity ORDER BY t, file_no, row_no) AS prev_t
            FROM events WHERE resource IS NOT NULL AND lifecycle IN ('start', 'complete')),"""
        parts.append(
            "SELECT resource, t - prev_t AS w FROM life "
            "WHERE lifecycle = 'complete' AND prev_life = 'start' AND t_start IS NULL"
        )
    if starts:
        parts.append(
            f"SELECT resource, t - t_start AS w FROM events "
            f"WHERE resource IS NOT NULL AND t_start IS NOT NULL AND ({_STEP_EVENTS})"
        )
    median = quantile(con.dialect, "w", 0.5, approximate=con.approximate)
    work = (
        f"work AS (SELECT resource, {median} AS w FROM ({' UNION ALL '.join(parts)}) s GROUP BY resource),"
        if parts
        else "work AS (SELECT resource, CAST(NULL AS DOUBLE) AS w FROM events WHERE 1 = 0),"
    )
    rows = con.execute(
        f"""
        WITH {life}
        {work}
        per_res AS (
            SELECT resource, count(*) AS n, count(DISTINCT case_id) AS c FROM events
            WHERE resource IS NOT NULL AND ({_STEP_EVENTS}) GROUP BY resource)
        SELECT l.resource, l.n, l.c, w.w FROM per_res l LEFT JOIN work w ON w.resource = l.resource
        ORDER BY l.n DESC, l.resource
        """
    ).fetchall()
    mark = {"approximate": True} if con.approximate else {}
    return [{"resource": r, "events": n, "cases": c, "median_work": w, **mark} for r, n, c, w in rows]
