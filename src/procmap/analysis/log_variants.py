"""Variants (issue 25 item 2): every distinct sequence of mapped steps, with its cases, fit and typical duration.

A variant is what process-mining tools call a trace variant, here read in the
blueprint's words: the case's mapped steps in order (unmapped events are not
part of it, as they are not part of fitness).  Cases with no mapped event
have no variant.  Duration is over all of a case's events, like ``case_time``.
Tables read: ``seq``, ``cases``, ``events`` (see :mod:`procmap.analysis.logs`).

The one dialect point: concatenating a case's steps in order is
``string_agg(… ORDER BY pos)`` in DuckDB and a sorted ``collect_list`` in
Spark SQL: :func:`procmap.load.engines.ordered_concat`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procmap.load.engines import ordered_concat, quantile

if TYPE_CHECKING:
    from procmap.load.engines import Engine

EXAMPLES = 20  # case ids kept per variant: enough to look some up, never the whole log


def variants(con: Engine, ids: list[str]) -> list[dict[str, Any]]:
    """Every variant, most cases first (ties: the steps in file order), with up to 20 example case ids."""
    total = con.execute("SELECT count(DISTINCT case_id) FROM events").fetchone()[0]  # type: ignore[index]
    con.create_table(
        "case_variant",
        f"""
        SELECT s.case_id, s.steps, c.fits, d.duration
        FROM (SELECT case_id, {ordered_concat(con.dialect, "CAST(sn AS STRING)", "pos")} AS steps FROM seq GROUP BY case_id) s
        JOIN cases c ON c.case_id = s.case_id
        JOIN (SELECT case_id, max(t) - min(coalesce(t_start, t)) AS duration FROM events GROUP BY case_id) d ON d.case_id = s.case_id
        """,
    )
    rows = con.execute(
        f"""
        SELECT steps, count(*) AS n, max(CASE WHEN fits THEN 1 ELSE 0 END) AS fits,
               {quantile(con.dialect, "duration", 0.5, approximate=con.approximate)}
        FROM case_variant GROUP BY steps
        """
    ).fetchall()
    examples: dict[str, list[str]] = {}
    for steps, case in con.execute(
        f"""
        SELECT steps, case_id FROM (
            SELECT steps, case_id, row_number() OVER (PARTITION BY steps ORDER BY case_id) AS k FROM case_variant) e
        WHERE k <= {EXAMPLES} ORDER BY steps, k
        """
    ).fetchall():
        examples.setdefault(steps, []).append(case)
    out = []
    for steps, n, fits, med in rows:
        numbers = [int(x) for x in steps.split(" ")]
        out.append(
            {
                "steps": [ids[k] for k in numbers],
                "cases": n,
                "share": n / total if total else None,
                "fits": bool(fits),
                "median_duration": med,
                "examples": examples.get(steps, []),
                **({"approximate": True} if con.approximate else {}),
                "_key": numbers,
            }
        )
    out.sort(key=lambda v: (-v["cases"], v["_key"]))
    for v in out:
        del v["_key"]
    return out
