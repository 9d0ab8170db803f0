"""What a process-mining reader looks at before the blueprint (issue 25 item 5): whole-case time, ends, rework, workload.

These read the whole log, not only the mapped events: time per case over all
of a case's events (mapped only is ``figures.elapsed``, and on a log whose
events are mostly unmapped the two differ by months), the activities cases
start and end with, the cases that repeat a step, and each resource's load.
Tables read: ``events``, ``seq`` and ``steps`` (see :mod:`procmap.analysis.logs`).
The SQL keeps to what DuckDB and Spark SQL both accept (issue 22).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procmap.load.engines import quantile, row_key

if TYPE_CHECKING:
    from procmap.load.engines import Engine

_STEP_EVENTS = "lifecycle IS NULL OR lifecycle = 'complete'"


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
        FROM (SELECT max(t) - min(coalesce(t_start, t)) AS d FROM events GROUP BY case_id) c
        """
        ).fetchone()
        or (None,) * 5
    )
    out = dict(zip(("min", "median", "p90", "max", "mean"), row, strict=True))
    return {**out, "approximate": True} if approx else out


def end_activities(con: Engine) -> dict[str, list[dict[str, Any]]]:
    """The activity each case starts with and ends with (its step events, mapped or not), with case counts.

    One group-by per case picking the activity at the smallest and largest
    (start, time, file, row) key: two window sorts of the whole log cost four
    times as much (issue 22).
    """
    key = row_key(con.dialect, "coalesce(t_start, t)", "t", "file_no", "row_no")
    rows = con.execute(
        f"""
        WITH o AS (
            SELECT min_by(activity, {key}) AS first_a, max_by(activity, {key}) AS last_a
            FROM events WHERE {_STEP_EVENTS} GROUP BY case_id)
        SELECT 'start' AS side, first_a AS activity, count(*) AS n FROM o GROUP BY first_a
        UNION ALL
        SELECT 'end' AS side, last_a AS activity, count(*) AS n FROM o GROUP BY last_a
        ORDER BY side, n DESC, activity
        """
    ).fetchall()
    out: dict[str, list[dict[str, Any]]] = {"start": [], "end": []}
    for side, activity, n in rows:
        out[side].append({"activity": activity, "cases": n})
    return out


def rework(con: Engine, ids: list[str]) -> list[dict[str, Any]]:
    """Per step: the cases that do it more than once (most first), up to 20 of their ids."""
    rows = con.execute(
        """
        SELECT sn, case_id FROM seq GROUP BY sn, case_id HAVING count(*) > 1 ORDER BY sn, case_id
        """
    ).fetchall()
    by_step: dict[int, list[str]] = {}
    for sn, case in rows:
        by_step.setdefault(sn, []).append(case)
    out = [{"step": ids[sn], "cases": len(cs), "examples": cs[:20]} for sn, cs in by_step.items()]
    return sorted(out, key=lambda r: (-r["cases"], ids.index(r["step"])))


def workload(con: Engine) -> list[dict[str, Any]]:
    """Per resource: its step events, the cases it touched, and its median work time (start to complete, if logged)."""
    rows = con.execute(
        f"""
        WITH life AS (
            SELECT resource, t, t_start, lifecycle,
                   lag(lifecycle) OVER (PARTITION BY case_id, activity ORDER BY t, file_no, row_no) AS prev_life,
                   lag(t) OVER (PARTITION BY case_id, activity ORDER BY t, file_no, row_no) AS prev_t
            FROM events WHERE resource IS NOT NULL AND lifecycle IN ('start', 'complete')),
        spans AS (
            SELECT resource, t - prev_t AS w FROM life
            WHERE lifecycle = 'complete' AND prev_life = 'start' AND t_start IS NULL
            UNION ALL
            SELECT resource, t - t_start AS w FROM events
            WHERE resource IS NOT NULL AND t_start IS NOT NULL AND ({_STEP_EVENTS})),
        work AS (SELECT resource, {quantile(con.dialect, "w", 0.5, approximate=con.approximate)} AS w
                 FROM spans GROUP BY resource),
        per_res AS (
            SELECT resource, count(*) AS n, count(DISTINCT case_id) AS c FROM events
            WHERE resource IS NOT NULL AND ({_STEP_EVENTS}) GROUP BY resource)
        SELECT l.resource, l.n, l.c, w.w FROM per_res l LEFT JOIN work w ON w.resource = l.resource
        ORDER BY l.n DESC, l.resource
        """
    ).fetchall()
    mark = {"approximate": True} if con.approximate else {}
    return [{"resource": r, "events": n, "cases": c, "median_work": w, **mark} for r, n, c, w in rows]
