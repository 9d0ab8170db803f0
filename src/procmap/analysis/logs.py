"""Every figure of SPEC §6.3, as SQL over the events of a log and small tables of the model.

This is the one module that holds the queries of `procmap conform`.  Python
only builds tables the size of the *model* (its steps, its flows, which pairs
of logged steps a path through silent steps joins); everything the size of the
*log* is a query — window functions over cases (``LEAD``/``LAG`` ordered by
timestamp, then file order) and joins against those model tables.  The SQL is
plain enough (CTEs, window functions, ``quantile_cont``) that running it on a
distributed engine would be a change of connection, not of logic.

Tables the queries read (created by :func:`register_model` and the loader)::

    events(case_id, activity, t, resource, lifecycle, file_no, row_no)   -- procmap.load.event_logs
    amap(activity, step)                    -- which activity is which step
    steps(step, idx, lane, customer, touchpoint, facing, upd, chan, sla)
    flows(u, v, idx, share, loop)           -- the model's flows
    conf(a, b, loops)                       -- pairs a path with silent interior joins ('^' begin, '$' end)
    path_edges(a, b, u, v)                  -- the flows on that path
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import networkx as nx

BEGIN = "^"  # not a slug, so never a step id
END = "$"
FIGURES = (
    "customer_actions",
    "touchpoints",
    "parties",
    "visible_handoffs",
    "channel_switches",
    "elapsed",
    "longest_silence",
    "repeats",
)


def loop_edges(g: nx.DiGraph, start: str) -> set[tuple[str, str]]:
    """SPEC §5.2: flows a depth-first walk from the start (each step's `next` in file order) finds closing a cycle."""
    loops: set[tuple[str, str]] = set()
    if start not in g:
        return loops
    succ = {n: sorted(g.successors(n), key=lambda m: g.edges[n, m].get("index", 0)) for n in g}
    on_path: set[str] = {start}
    seen: set[str] = {start}
    stack: list[tuple[str, int]] = [(start, 0)]
    while stack:
        node, i = stack[-1]
        if i == len(succ[node]):
            stack.pop()
            on_path.discard(node)
            continue
        stack[-1] = (node, i + 1)
        nxt = succ[node][i]
        if nxt in on_path:
            loops.add((node, nxt))
        elif nxt not in seen:
            seen.add(nxt)
            on_path.add(nxt)
            stack.append((nxt, 0))
    return loops


@dataclass(frozen=True)
class Path:
    """A conforming pair's chosen path: the flows it takes and how many of them are loop edges."""

    edges: tuple[tuple[str, str], ...]
    loops: int


def conforming_pairs(
    g: nx.DiGraph, start: str, logged: set[str], loops: set[tuple[str, str]]
) -> dict[tuple[str, str], Path]:
    """SPEC §6.2: every pair of logged steps (and begin/end) joined by a flow path whose interior is silent.

    ``(BEGIN, s)``: ``s`` is the start, or a path from a silent start reaches
    it through silent steps; ``(s, END)``: ``s`` is an end step, or reaches a
    silent end step through silent steps.  The path kept for each pair is a
    shortest one (breadth-first, successors in file order).
    """

    def make(edges: tuple[tuple[str, str], ...]) -> Path:
        return Path(edges, sum(1 for e in edges if e in loops))

    out: dict[tuple[str, str], Path] = {}
    for step in sorted(logged, key=lambda n: g.nodes[n]["index"]):
        found, to_end = _reach(g, step, logged)
        for target, edges in found.items():
            out[(step, target)] = make(edges)
        if g.nodes[step]["end"]:
            out[(step, END)] = make(())
        elif to_end is not None:
            out[(step, END)] = make(to_end)
    if start in logged:
        out[(BEGIN, start)] = make(())
    elif start in g:
        found, _ = _reach(g, start, logged)
        for target, edges in found.items():
            out[(BEGIN, target)] = make(edges)
    return out


def _reach(
    g: nx.DiGraph, source: str, logged: set[str]
) -> tuple[dict[str, tuple[tuple[str, str], ...]], tuple[tuple[str, str], ...] | None]:
    """Breadth-first from ``source`` through silent steps: the path to each logged step, and to the first silent end."""
    parent: dict[str, str | None] = {source: None}

    def path(node: str, last: str) -> tuple[tuple[str, str], ...]:
        edges = [(node, last)]
        while parent[node] is not None:
            prev: str = parent[node]  # type: ignore[assignment]
            edges.append((prev, node))
            node = prev
        return tuple(reversed(edges))

    found: dict[str, tuple[tuple[str, str], ...]] = {}
    to_end: tuple[tuple[str, str], ...] | None = None
    queue = deque([source])
    while queue:
        node = queue.popleft()
        for nxt in sorted(g.successors(node), key=lambda m: g.nodes[m]["index"]):
            if nxt in logged:
                if nxt not in found:
                    found[nxt] = path(node, nxt)
                continue
            if nxt in parent:
                continue
            parent[nxt] = node
            if to_end is None and g.nodes[nxt]["end"]:
                to_end = path(node, nxt)
            queue.append(nxt)
    return found, to_end


def _norm_channel(value: str | None) -> str | None:
    return value.strip().casefold() if value and value.strip() else None


def register_model(
    con: duckdb.DuckDBPyConnection,
    g: nx.DiGraph,
    *,
    mapping: dict[str, str],
    updates: set[str],
    shares: dict[tuple[str, str], float | None],
    loops: set[tuple[str, str]],
) -> None:
    """The model's steps and flows, and which activity is which step, as tables beside ``events``."""
    con.execute("CREATE TABLE amap (activity VARCHAR, step VARCHAR)")
    if mapping:
        con.executemany("INSERT INTO amap VALUES (?, ?)", list(mapping.items()))
    con.execute(
        "CREATE TABLE steps (step VARCHAR, idx INTEGER, lane VARCHAR, customer BOOLEAN, touchpoint BOOLEAN, "
        "facing BOOLEAN, upd BOOLEAN, chan VARCHAR, sla DOUBLE)"
    )
    con.executemany(
        "INSERT INTO steps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                n,
                d["index"],
                d["lane"],
                bool(d["customer"]),
                bool(d["touchpoint"]),
                bool(d["facing"]),
                n in updates,
                _norm_channel(d["channel"]),
                d["sla"],
            )
            for n, d in g.nodes(data=True)
        ],
    )
    con.execute("CREATE TABLE flows (u VARCHAR, v VARCHAR, idx INTEGER, share DOUBLE, loop BOOLEAN)")
    rows = [(u, v, d.get("index", 0), shares.get((u, v)), (u, v) in loops) for u, v, d in g.edges(data=True)]
    if rows:
        con.executemany("INSERT INTO flows VALUES (?, ?, ?, ?, ?)", rows)


def map_events(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Mapped step events (complete ones: SPEC §6.1) in case order; returns the logged steps."""
    con.execute(
        """
        CREATE TABLE seq AS
        SELECT e.case_id, m.step, e.t, e.resource, s.lane, s.customer, s.touchpoint, s.facing, s.upd, s.chan,
               row_number() OVER w AS pos,
               lead(m.step) OVER w AS next_step,
               lead(e.t) OVER w AS next_t,
               max(CASE WHEN s.facing THEN e.t END) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                   AS prev_facing_t,
               min(e.t) OVER (PARTITION BY e.case_id) AS first_t
        FROM events e
        JOIN amap m ON m.activity = e.activity
        JOIN steps s ON s.step = m.step
        WHERE e.lifecycle IS NULL OR e.lifecycle = 'complete'
        WINDOW w AS (PARTITION BY e.case_id ORDER BY e.t, e.file_no, e.row_no)
        """
    )
    return {row[0] for row in con.execute("SELECT DISTINCT step FROM seq").fetchall()}


def register_pairs(con: duckdb.DuckDBPyConnection, pairs: dict[tuple[str, str], Path]) -> None:
    """The conforming pairs and their paths, then every case's pairs (begin and end included) marked."""
    con.execute("CREATE TABLE conf (a VARCHAR, b VARCHAR, loops INTEGER)")
    con.execute("CREATE TABLE path_edges (a VARCHAR, b VARCHAR, u VARCHAR, v VARCHAR)")
    if pairs:
        con.executemany("INSERT INTO conf VALUES (?, ?, ?)", [(a, b, p.loops) for (a, b), p in pairs.items()])
        edges = [(a, b, u, v) for (a, b), p in pairs.items() for u, v in p.edges]
        if edges:
            con.executemany("INSERT INTO path_edges VALUES (?, ?, ?, ?)", edges)
    con.execute(
        f"""
        CREATE TABLE xpairs AS
        WITH raw AS (
            SELECT case_id, step AS a, coalesce(next_step, '{END}') AS b, next_t - t AS wait FROM seq
            UNION ALL
            SELECT case_id, '{BEGIN}', step, NULL FROM seq WHERE pos = 1
        )
        SELECT raw.*, conf.a IS NOT NULL AS ok, coalesce(conf.loops, 0) AS loops
        FROM raw LEFT JOIN conf ON conf.a = raw.a AND conf.b = raw.b
        """
    )


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Events and cases of the whole log, and how many events map to steps."""
    events, cases = con.execute("SELECT count(*), count(DISTINCT case_id) FROM events").fetchone()  # type: ignore[misc]
    mapped, mapped_cases = con.execute("SELECT count(*), count(DISTINCT case_id) FROM seq").fetchone()  # type: ignore[misc]
    return {"events": events, "cases": cases, "events_mapped": mapped, "cases_mapped": mapped_cases}


def activities(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Every activity of the log with its event count, most frequent first."""
    return [
        (a, n)
        for a, n in con.execute(
            "SELECT activity, count(*) AS n FROM events GROUP BY activity ORDER BY n DESC, activity"
        ).fetchall()
    ]


def fitness(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    cases_fitting = con.execute(
        "SELECT count(*) FROM (SELECT case_id FROM xpairs GROUP BY case_id HAVING bool_and(ok))"
    ).fetchone()[0]  # type: ignore[index]
    pairs, conforming = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE ok) FROM xpairs WHERE a <> '{BEGIN}' AND b <> '{END}'"
    ).fetchone()  # type: ignore[misc]
    return {"cases_fitting": cases_fitting, "pairs": pairs, "pairs_conforming": conforming}


def observed_flows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every observed pair: count, waits, whether it conforms; by count, then file order of its steps."""
    rows = con.execute(
        f"""
        SELECT x.a, x.b, count(*) AS n, bool_or(x.ok) AS ok,
               median(x.wait), quantile_cont(x.wait, 0.9), max(x.wait), min(x.wait)
        FROM xpairs x JOIN steps sa ON sa.step = x.a JOIN steps sb ON sb.step = x.b
        WHERE x.a <> '{BEGIN}' AND x.b <> '{END}'
        GROUP BY x.a, x.b, sa.idx, sb.idx
        ORDER BY n DESC, sa.idx, sb.idx
        """
    ).fetchall()
    return [
        {
            "from": a,
            "to": b,
            "observed": n,
            "modelled": bool(ok),
            "wait": {"median": med, "p90": p90, "max": mx, "min": mn},
        }
        for a, b, n, ok, med, p90, mx, mn in rows
    ]


def flow_use(con: duckdb.DuckDBPyConnection, *, ends: bool) -> dict[tuple[str, str], int]:
    """How many times each model flow was taken, along the chosen paths of conforming pairs.

    ``ends``: count the silent stretches before a case's first logged step
    and after its last too (inferred, not seen: right for "was this flow ever
    used", not for shares, which SPEC §6.3 takes from pairs of events).
    """
    where = "ok" if ends else f"ok AND a <> '{BEGIN}' AND b <> '{END}'"
    rows = con.execute(
        f"""
        WITH taken AS (SELECT a, b, count(*) AS n FROM xpairs WHERE {where} GROUP BY a, b)
        SELECT p.u, p.v, sum(t.n) FROM taken t JOIN path_edges p ON p.a = t.a AND p.b = t.b GROUP BY p.u, p.v
        """
    ).fetchall()
    return {(u, v): int(n) for u, v, n in rows}


def unused_flows(con: duckdb.DuckDBPyConnection, used: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    rows = con.execute("SELECT f.u, f.v FROM flows f JOIN steps s ON s.step = f.u ORDER BY s.idx, f.idx").fetchall()
    return [(u, v) for u, v in rows if not used.get((u, v))]


def case_figures_sql() -> str:
    """One row per case with a mapped event: its §5.3 figures over its sequence of mapped steps."""
    return f"""
        WITH
        base AS (
            SELECT case_id,
                   count(*) FILTER (WHERE customer) AS customer_actions,
                   count(*) FILTER (WHERE touchpoint) AS touchpoints,
                   count(DISTINCT lane) FILTER (WHERE touchpoint AND NOT upd) AS parties,
                   max(t) - min(t) AS elapsed
            FROM seq GROUP BY case_id),
        tp AS (
            SELECT case_id, lane, lag(lane) OVER (PARTITION BY case_id ORDER BY pos) AS prev
            FROM seq WHERE touchpoint AND NOT upd),
        handoffs AS (SELECT case_id, count(*) FILTER (WHERE prev <> lane) AS n FROM tp GROUP BY case_id),
        ch AS (
            SELECT case_id, chan, lag(chan) OVER (PARTITION BY case_id ORDER BY pos) AS prev
            FROM seq WHERE facing AND chan IS NOT NULL),
        switches AS (SELECT case_id, count(*) FILTER (WHERE prev <> chan) AS n FROM ch GROUP BY case_id),
        fc AS (
            SELECT case_id, t - lag(t) OVER (PARTITION BY case_id ORDER BY pos) AS gap
            FROM seq WHERE facing),
        silence AS (SELECT case_id, max(gap) AS n FROM fc GROUP BY case_id),
        rep AS (SELECT case_id, sum(loops) AS n FROM xpairs WHERE a <> '{BEGIN}' AND b <> '{END}' GROUP BY case_id)
        SELECT base.case_id, base.customer_actions, base.touchpoints, base.parties,
               coalesce(handoffs.n, 0) AS visible_handoffs, coalesce(switches.n, 0) AS channel_switches,
               base.elapsed, coalesce(silence.n, 0) AS longest_silence, coalesce(rep.n, 0) AS repeats
        FROM base
        LEFT JOIN handoffs USING (case_id) LEFT JOIN switches USING (case_id)
        LEFT JOIN silence USING (case_id) LEFT JOIN rep USING (case_id)
    """


def _summary_sql(column: str) -> str:
    return f"min({column}), median({column}), quantile_cont({column}, 0.9), max({column}), avg({column})"


def figures(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float | None]]:
    """§5.3's figures per case, summarised over the cases with a mapped event."""
    con.execute(f"CREATE TABLE case_figures AS {case_figures_sql()}")
    row = con.execute("SELECT " + ", ".join(_summary_sql(f) for f in FIGURES) + " FROM case_figures").fetchone() or ()
    out: dict[str, dict[str, float | None]] = {}
    for i, name in enumerate(FIGURES):
        mn, med, p90, mx, mean = row[i * 5 : i * 5 + 5] if row else (None,) * 5
        out[name] = {"min": mn, "median": med, "p90": p90, "max": mx, "mean": mean}
    return out


def repeat_contacts(con: duckdb.DuckDBPyConnection) -> int:
    """Cases in which some customer action occurs more than once."""
    return con.execute(
        """
        SELECT count(DISTINCT case_id) FROM (
            SELECT case_id FROM seq WHERE customer GROUP BY case_id, step HAVING count(*) > 1)
        """
    ).fetchone()[0]  # type: ignore[index]


def sla(con: duckdb.DuckDBPyConnection) -> tuple[list[dict[str, Any]], int]:
    """Per step with an sla: the real wait from the previous facing event (else the case's first event).

    A case's wait at a step it visits several times is its longest.  Returns
    the rows (file order) and the number of cases with at least one breach.
    """
    con.execute(
        """
        CREATE TABLE sla_waits AS
        SELECT q.case_id, q.step, s.sla, s.idx, max(q.t - coalesce(q.prev_facing_t, q.first_t)) AS wait
        FROM seq q JOIN steps s ON s.step = q.step
        WHERE s.sla IS NOT NULL
        GROUP BY q.case_id, q.step, s.sla, s.idx
        """
    )
    rows = con.execute(
        """
        SELECT step, any_value(sla), count(*), count(*) FILTER (WHERE wait > sla),
               median(wait), quantile_cont(wait, 0.9), max(wait)
        FROM sla_waits GROUP BY step, idx ORDER BY idx
        """
    ).fetchall()
    breaching = con.execute("SELECT count(DISTINCT case_id) FROM sla_waits WHERE wait > sla").fetchone()[0]  # type: ignore[index]
    return (
        [
            {
                "step": step,
                "sla": limit,
                "cases": n,
                "breaches": b,
                "median_wait": med,
                "p90_wait": p90,
                "max_wait": mx,
            }
            for step, limit, n, b, med, p90, mx in rows
        ],
        breaching,
    )


def resource_changes(con: duckdb.DuckDBPyConnection) -> dict[str, float | None]:
    """Per case, consecutive touchpoint events (updates aside) whose known resources differ; summarised.

    Events without a resource are skipped, so a missing resource is never a
    change, and A, (unknown), B still counts the one change the customer met.
    """
    return dict(
        zip(
            ("min", "median", "p90", "max", "mean"),
            con.execute(
                """
                WITH r AS (
                    SELECT case_id, resource, lag(resource) OVER (PARTITION BY case_id ORDER BY pos) AS prev
                    FROM seq WHERE touchpoint AND NOT upd AND resource IS NOT NULL),
                per_case AS (
                    SELECT c.case_id, coalesce(n, 0) AS n
                    FROM (SELECT DISTINCT case_id FROM seq) c
                    LEFT JOIN (SELECT case_id, count(*) FILTER (WHERE prev <> resource) AS n FROM r GROUP BY case_id)
                    USING (case_id))
                SELECT min(n), median(n), quantile_cont(n, 0.9), max(n), avg(n) FROM per_case
                """
            ).fetchone()
            or (None,) * 5,
            strict=True,
        )
    )


def work_times(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """With start events (SPEC §6.1), per step: work time from a start to the complete that follows it.

    A complete is paired with the start just before it of the same activity in
    the same case; completes without one give no work time.
    """
    rows = con.execute(
        """
        WITH life AS (
            SELECT e.case_id, m.step, e.t, e.lifecycle,
                   lag(e.lifecycle) OVER w AS prev_life, lag(e.t) OVER w AS prev_t
            FROM events e JOIN amap m ON m.activity = e.activity
            WHERE e.lifecycle IN ('start', 'complete')
            WINDOW w AS (PARTITION BY e.case_id, e.activity ORDER BY e.t, e.file_no, e.row_no)),
        work AS (SELECT step, t - prev_t AS w FROM life WHERE lifecycle = 'complete' AND prev_life = 'start')
        SELECT work.step, count(*), median(w), quantile_cont(w, 0.9), max(w)
        FROM work JOIN steps s ON s.step = work.step GROUP BY work.step, s.idx ORDER BY s.idx
        """
    ).fetchall()
    return [{"step": step, "events": n, "median": med, "p90": p90, "max": mx} for step, n, med, p90, mx in rows]
