"""Drill-down (issue 25 item 3): which cases are behind a deviation, a broken promise, a repeat contact.

Each finding carries up to 20 example case ids (smallest ids first, so the
same log gives the same examples), enough to open a few in the source system,
never the whole log.  Tables read: ``seq``, ``case_steps``, ``sla_waits`` (built by
:func:`procmap.analysis.logs.sla`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procmap.load.engines import Engine

EXAMPLES = 20


def deviation_cases(con: Engine, ids: list[str]) -> dict[tuple[str, str], list[str]]:
    """Per pair of steps that does not conform: the cases that made that move."""
    rows = con.execute(
        f"""
        SELECT sn, next_sn, case_id FROM (
            SELECT sn, next_sn, case_id,
                   row_number() OVER (PARTITION BY sn, next_sn ORDER BY case_id) AS k
            FROM (SELECT DISTINCT sn, next_sn, case_id FROM seq WHERE next_sn IS NOT NULL AND NOT ok_next) d) e
        WHERE k <= {EXAMPLES} ORDER BY sn, next_sn, k
        """
    ).fetchall()
    out: dict[tuple[str, str], list[str]] = {}
    for a, b, case in rows:
        out.setdefault((ids[a], ids[b]), []).append(case)
    return out


def sla_cases(con: Engine, ids: list[str]) -> dict[str, list[str]]:
    """Per step with an sla: the cases that waited past it."""
    rows = con.execute(
        f"""
        SELECT sn, case_id FROM (
            SELECT sn, case_id, row_number() OVER (PARTITION BY sn ORDER BY case_id) AS k
            FROM sla_waits WHERE wait > sla) e
        WHERE k <= {EXAMPLES} ORDER BY sn, k
        """
    ).fetchall()
    out: dict[str, list[str]] = {}
    for sn, case in rows:
        out.setdefault(ids[sn], []).append(case)
    return out


def repeat_cases(con: Engine) -> list[str]:
    """The cases with a repeat contact (as :func:`procmap.analysis.logs.repeat_contacts` counts them)."""
    return [
        case
        for (case,) in con.execute(
            f"""
            SELECT DISTINCT case_id FROM case_steps WHERE customer AND (n > 1 OR chase)
            ORDER BY case_id LIMIT {EXAMPLES}
            """
        ).fetchall()
    ]
