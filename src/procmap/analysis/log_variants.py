"""Variants (issue 25 item 2): every distinct sequence of mapped steps, with its cases, fit and typical duration.

A variant is what process-mining tools call a trace variant, here read in the
blueprint's words: the case's mapped steps in order (unmapped events are not
part of it, as they are not part of fitness).  Cases with no mapped event
have no variant.  Duration is over all of a case's events, like ``case_time``.
Tables read: ``cases`` (whose ``steps`` column is each case's variant, an
array made in the same group-by as its other figures) and ``case_all`` (see
:mod:`procmap.analysis.logs`): small tables, one row per case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procmap.load.engines import quantile

if TYPE_CHECKING:
    from procmap.load.engines import Engine

EXAMPLES = 20  # case ids kept per variant: enough to look some up, never the whole log


def variants(con: Engine, ids: list[str]) -> list[dict[str, Any]]:
    """Every variant, most cases first (ties: the steps in file order), with up to 20 example case ids."""
    total = con.execute("SELECT count(*) FROM case_all").fetchone()[0]  # type: ignore[index]
    con.create_table(
        "case_variant",
        "SELECT c.case_id, c.steps, c.fits, d.duration FROM cases c JOIN case_all d ON d.case_id = c.case_id",
    )
    rows = con.execute(
        f"""
        SELECT steps, count(*) AS n, max(CASE WHEN fits THEN 1 ELSE 0 END) AS fits,
               {quantile(con.dialect, "duration", 0.5, approximate=con.approximate)}
        FROM case_variant GROUP BY steps
        """
    ).fetchall()
    examples: dict[tuple[int, ...], list[str]] = {}
    for steps, case in con.execute(
        f"""
        SELECT steps, case_id FROM (
            SELECT steps, case_id, row_number() OVER (PARTITION BY steps ORDER BY case_id) AS k FROM case_variant) e
        WHERE k <= {EXAMPLES} ORDER BY steps, k
        """
    ).fetchall():
        examples.setdefault(tuple(steps), []).append(case)
    out = []
    for steps, n, fits, med in rows:
        numbers = [int(x) for x in steps]
        out.append(
            {
                "steps": [ids[k] for k in numbers],
                "cases": n,
                "share": n / total if total else None,
                "fits": bool(fits),
                "median_duration": med,
                "examples": examples.get(tuple(numbers), []),
                **({"approximate": True} if con.approximate else {}),
                "_key": numbers,
            }
        )
    out.sort(key=lambda v: (-v["cases"], v["_key"]))
    for v in out:
        del v["_key"]
    return out
