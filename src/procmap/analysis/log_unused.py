"""Drill-down on unused flows (issue 25 item 3): the cases that reached a flow's source step and left another way.

A flow nobody took is a question: were its cases sent elsewhere, or did no
case ever get that far?  So each unused flow names the cases that reached its
source step (all of them left by another way, or ended there, since none
took the flow): up to 20 ids, smallest first, and how many there were.

A case reached a *logged* step when it has an event of it.  It reached a
*silent* step when one of its conforming moves passes through it on the
move's chosen path (SPEC §6.2; the same path :func:`procmap.analysis.logs.path_use`
counts flows on), the stretch from the start to its first logged step
included.  Paths are model-sized work in Python; the cases are one query of
``seq`` joined with a small table of which moves pass where.  The SQL keeps
to what DuckDB and Spark SQL both accept (issue 22).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procmap.analysis.logs import BEGIN, BEGIN_NO, END, END_NO, Model, bulk, search

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

EXAMPLES = 20


def _silent_on_paths(
    model: Model, start: str, logged: set[str], moves: list[tuple[str, str]], wanted: set[str]
) -> list[tuple[int, int, int]]:
    """``(a, b, u)`` for each move ``a → b`` whose chosen path passes through a wanted silent step ``u``."""
    g = model.g
    by_source: dict[str, list[str]] = {}
    for a, b in moves:
        by_source.setdefault(a, []).append(b)
    out: list[tuple[int, int, int]] = []
    for a, targets in by_source.items():
        source = start if a == BEGIN else a
        if source not in g or (a == BEGIN and start in logged):
            continue  # (BEGIN, start): an empty path
        tree = search(g, source, logged, set())
        for b in targets:
            if b == END:
                if g.nodes[source]["end"] or tree.end is None:
                    continue
                node: str | None = tree.end
            elif b in tree.found:
                node = tree.found[b]
            else:
                continue
            while node is not None:  # up the tree: the silent steps on the path (a silent start included)
                if node in wanted and node not in logged:
                    out.append((model.no(a), model.no(b), model.number[node]))
                node = tree.parent[node]
    return out


def reached(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    start: str,
    logged: set[str],
    sources: set[str],
    workdir: Path,
) -> dict[str, tuple[int, list[str]]]:
    """Per source step: how many cases reached it, and up to 20 of their ids (smallest first)."""
    if not sources:
        return {}
    moves = [(model.step(a), model.step(b)) for a, b in con.execute("SELECT a, b FROM pairs WHERE ok").fetchall()]
    through = _silent_on_paths(model, start, logged, moves, sources)
    bulk(con, "unused_through", (("a", "INTEGER"), ("b", "INTEGER"), ("u", "INTEGER")), through, workdir)
    logged_sources = sorted(model.number[s] for s in sources if s in logged)
    at_logged = (
        f"SELECT sn AS u, case_id FROM seq WHERE sn IN ({', '.join(map(str, logged_sources))})"
        if logged_sources
        else "SELECT u, '' AS case_id FROM unused_through WHERE 1 = 0"
    )
    rows = con.execute(
        f"""
        WITH hits AS (
            {at_logged}
            UNION
            SELECT t.u, q.case_id FROM seq q JOIN unused_through t ON t.a = q.sn AND t.b = coalesce(q.next_sn, {END_NO})
            WHERE q.ok_next
            UNION
            SELECT t.u, q.case_id FROM seq q JOIN unused_through t ON t.a = {BEGIN_NO} AND t.b = q.sn
            WHERE q.pos = 1 AND q.ok_begin),
        ranked AS (
            SELECT u, case_id, row_number() OVER (PARTITION BY u ORDER BY case_id) AS k,
                   count(*) OVER (PARTITION BY u) AS n
            FROM hits)
        SELECT u, n, case_id FROM ranked WHERE k <= {EXAMPLES} ORDER BY u, k
        """
    ).fetchall()
    out: dict[str, tuple[int, list[str]]] = {}
    for u, n, case in rows:
        step = model.ids[u]
        out.setdefault(step, (int(n), []))[1].append(case)
    return out
