"""Every figure of SPEC §6.3, as SQL over the events of a log and small tables of the model.

This is the one module that holds the queries of `procmap conform`.  Python
only builds tables the size of the *model* (its steps, its flows, which pairs
of logged steps a path through silent steps joins); everything the size of the
*log* is a query — window functions over cases (``LEAD``/``LAG`` ordered by
timestamp, then file order) and joins against those model tables.  The SQL is
written once, in the subset DuckDB and Spark SQL both accept (window frames
inline, ``CAST`` not ``::``, ``count(CASE …)`` not ``FILTER``), and runs on
either through :class:`procmap.load.engines.Engine`; the few dialect points
(``lag … IGNORE NULLS``, exact and approximate quantiles) are the functions of
:mod:`procmap.load.engines`.  Quantiles are the engine's approximate ones when
``con.approximate`` is set (a log past :data:`procmap.load.engines.APPROXIMATE_FROM`
events), and the figures say so (``"approximate": true``).

Tables the queries read (created by :func:`register_model` and the loader)::

    events(case_id, activity, t, resource, lifecycle, file_no, row_no)   -- procmap.load.event_logs
    amap(activity, step)                    -- which activity is which step
    steps(sn, step, lane_no, customer, touchpoint, facing, upd, chan_no, sla, chase, sla_from_sn)   -- sn: file order
    flows(u, v, idx, share, loop)           -- the model's flows
    conf(a, b, loops)                       -- pairs a path with silent interior joins (-1 begin, -2 end),
                                            -- and the loop edges on the chosen one (the flows on it: path_use)

and, built here: ``seq`` (one row per mapped event, in case order: the one
window pass over the log), ``cases`` (one row per case with a mapped event,
its variant among its columns), ``case_steps`` (one row per case and step),
``case_all`` (one row per case of the whole log) and ``pairs`` (one row per
observed pair).  Every later figure is a group-by or a join of these small
tables (issue 22), except the two keyed otherwise: the work per resource
(:func:`procmap.analysis.log_overview.workload`) and the work times, which
read ``events`` again (the work times only when the log has start times or a
lifecycle).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procmap.load.engines import lag_ignore_nulls, ordered_list, quantile, row_key

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

    from procmap.load.engines import Engine

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


@dataclass
class Tree:
    """One breadth-first search from a step through silent steps (SPEC §6.2's "path with a silent interior").

    ``parent`` maps every silent step reached to the step it was reached from
    (the source to None), in the order reached; ``found`` maps each logged step
    reached to the step whose flow reaches it; ``end`` is the first silent end
    step reached.  A pair's chosen path is the tree path: a shortest one,
    successors in file order.  Keeping the tree instead of each pair's path
    makes the cost one search per logged step (linear in the model each), not
    a path per pair (which was cubic on a chain of silent steps).
    """

    source: str
    parent: dict[str, str | None]
    found: dict[str, str]
    end: str | None
    loops_to: dict[str, int]  # loop edges on the tree path to each silent step

    def loops(self, target: str, loops: set[tuple[str, str]]) -> int:
        """Loop edges on the path to a logged step."""
        via = self.found[target]
        return self.loops_to[via] + ((via, target) in loops)


def search(g: nx.DiGraph, source: str, logged: set[str], loops: set[tuple[str, str]]) -> Tree:
    """Breadth-first from ``source`` through silent steps (successors in file order)."""
    parent: dict[str, str | None] = {source: None}
    loops_to = {source: 0}
    found: dict[str, str] = {}
    end: str | None = None
    queue = deque([source])
    nodes = g.nodes
    while queue:
        node = queue.popleft()
        for nxt in sorted(g.successors(node), key=lambda m: nodes[m]["index"]):
            if nxt in logged:
                found.setdefault(nxt, node)
                continue
            if nxt in parent:
                continue
            parent[nxt] = node
            loops_to[nxt] = loops_to[node] + ((node, nxt) in loops)
            if end is None and nodes[nxt]["end"]:
                end = nxt
            queue.append(nxt)
    return Tree(source, parent, found, end, loops_to)


def conforming_pairs(
    g: nx.DiGraph, start: str, logged: set[str], loops: set[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """SPEC §6.2: every pair of logged steps (and begin/end) joined by a flow path whose interior is silent,
    with the number of loop edges on its chosen path.

    ``(BEGIN, s)``: ``s`` is the start, or a path from a silent start reaches
    it through silent steps; ``(s, END)``: ``s`` is an end step, or reaches a
    silent end step through silent steps.
    """
    out: dict[tuple[str, str], int] = {}
    for step in sorted(logged, key=lambda n: g.nodes[n]["index"]):
        tree = search(g, step, logged, loops)
        for target in tree.found:
            out[(step, target)] = tree.loops(target, loops)
        if g.nodes[step]["end"]:
            out[(step, END)] = 0
        elif tree.end is not None:
            out[(step, END)] = tree.loops_to[tree.end]
    if start in logged:
        out[(BEGIN, start)] = 0
    elif start in g:
        tree = search(g, start, logged, loops)
        for target in tree.found:
            out[(BEGIN, target)] = tree.loops(target, loops)
    return out


def path_use(
    g: nx.DiGraph, start: str, logged: set[str], counts: dict[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    """How many times each flow is taken when pair ``(a, b)`` is walked ``counts[(a, b)]`` times on its chosen path.

    One search per source step; the counts are pushed up its tree once (each
    tree edge carries the total of the targets below it), so the cost is
    linear in the pairs and in the model per source, never a path per pair.
    """
    by_source: dict[str, dict[str, int]] = {}
    for (a, b), n in counts.items():
        by_source.setdefault(a, {})[b] = n
    used: dict[tuple[str, str], int] = {}
    for a, targets in by_source.items():
        source = start if a == BEGIN else a
        if source not in g:
            continue
        if a == BEGIN and start in logged:
            continue  # (BEGIN, start): an empty path
        tree = search(g, source, logged, set())
        below: dict[str, int] = dict.fromkeys(tree.parent, 0)
        for b, n in targets.items():
            if b == END:
                if g.nodes[source]["end"] or tree.end is None:
                    continue  # ends where it is: an empty path
                below[tree.end] += n
            elif b in tree.found:
                via = tree.found[b]
                used[(via, b)] = used.get((via, b), 0) + n
                below[via] += n
        for node in reversed(list(tree.parent)):  # children before parents (reverse breadth-first order)
            up = tree.parent[node]
            if up is None or not below[node]:
                continue
            used[(up, node)] = used.get((up, node), 0) + below[node]
            below[up] += below[node]
    return used


def _norm_channel(value: str | None) -> str | None:
    return value.strip().casefold() if value and value.strip() else None


class Model:
    """The model's steps as small integers (file order), so the log-sized queries sort and join on numbers."""

    def __init__(self, g: nx.DiGraph) -> None:
        self.g = g
        self.ids: list[str] = sorted(g.nodes, key=lambda n: g.nodes[n]["index"])
        self.number = {n: i for i, n in enumerate(self.ids)}
        self.lanes = len({g.nodes[n]["lane"] for n in self.ids})

    def step(self, no: int) -> str:
        """The step of a number (begin and end included)."""
        if no == BEGIN_NO:
            return BEGIN
        if no == END_NO:
            return END
        return self.ids[no]

    def no(self, step: str) -> int:
        """A step's number; begin and end are -1 and -2."""
        if step == BEGIN:
            return BEGIN_NO
        if step == END:
            return END_NO
        return self.number[step]


BEGIN_NO = -1
END_NO = -2


def register_model(
    con: Engine,
    model: Model,
    *,
    mapping: dict[str, str],
    updates: set[str],
    shares: dict[tuple[str, str], float | None],
    loops: set[tuple[str, str]],
    workdir: Path,
) -> None:
    """The model's steps and flows, and which activity is which step, as tables beside ``events``."""
    g = model.g
    bulk(
        con,
        "amap",
        (("activity", "VARCHAR"), ("sn", "INTEGER")),
        [(a, model.number[s]) for a, s in mapping.items()],
        workdir,
    )
    lanes: dict[str, int] = {}
    channels: dict[str, int] = {}
    rows = []
    for n in model.ids:
        d = g.nodes[n]
        chan = _norm_channel(d["channel"])
        rows.append(
            (
                model.number[n],
                n,
                lanes.setdefault(d["lane"], len(lanes)),
                bool(d["customer"]),
                bool(d["touchpoint"]),
                bool(d["facing"]),
                n in updates,
                channels.setdefault(chan, len(channels)) if chan is not None else None,
                d["sla"],
                bool(d.get("chase")),
                model.number.get(d["sla_from"]) if d.get("sla_from") else None,
            )
        )
    columns = (
        ("sn", "INTEGER"),
        ("step", "VARCHAR"),
        ("lane_no", "INTEGER"),
        ("customer", "BOOLEAN"),
        ("touchpoint", "BOOLEAN"),
        ("facing", "BOOLEAN"),
        ("upd", "BOOLEAN"),
        ("chan_no", "INTEGER"),
        ("sla", "DOUBLE"),
        ("chase", "BOOLEAN"),
        ("sla_from_sn", "INTEGER"),
    )
    bulk(con, "steps", columns, rows, workdir)
    flows = [
        (model.number[u], model.number[v], d.get("index", 0), shares.get((u, v)), (u, v) in loops)
        for u, v, d in g.edges(data=True)
    ]
    columns = (("u", "INTEGER"), ("v", "INTEGER"), ("idx", "INTEGER"), ("share", "DOUBLE"), ("loop", "BOOLEAN"))
    bulk(con, "flows", columns, flows, workdir)


def bulk(
    con: Engine,
    table: str,
    columns: tuple[tuple[str, str], ...],
    rows: list[tuple[Any, ...]],
    workdir: Path,
) -> None:
    """Create ``table`` from Python rows in one load (the engine's: a CSV read by DuckDB, a DataFrame on Spark).

    Row-by-row ``INSERT`` costs DuckDB a statement per row: 100k conforming
    pairs took minutes.
    """
    con.register_rows(table, columns, rows, workdir)


def register_pairs(con: Engine, model: Model, pairs: dict[tuple[str, str], int], workdir: Path) -> None:
    """The conforming pairs (begin and end included) with the loop edges on each one's path, in one bulk load."""
    rows = [(model.no(a), model.no(b), n) for (a, b), n in pairs.items()]
    bulk(con, "conf", (("a", "INTEGER"), ("b", "INTEGER"), ("loops", "INTEGER")), rows, workdir)


def build_sequences(con: Engine) -> None:
    """``seq``: every mapped complete event, in case order, with what the figures need from its neighbours.

    Case order is by each event's start (``t0``: its ``t_start`` when the log
    has one, else its timestamp), then its timestamp, then file order: in an
    interval log the work that began first comes first, as pm4py and Disco
    order it; without a start column this is SPEC §6.1's order by timestamp.

    One window pass (one sort of the log, carrying only the columns the
    window needs; the step's attributes are joined back after): the next event (the pair it
    starts: its step and its start), the case's first time, and the previous facing time, touchpoint
    lane, touchpoint person and channel (``lag … IGNORE NULLS`` skips events
    not of that kind: SPEC's "consecutive among its touchpoint events").  The
    pair is then looked up in ``conf``: ``ok_next`` whether it conforms (for
    the last event: whether the case may end there), ``ok_begin`` for the
    first event whether the case may start there.
    """
    w = "PARTITION BY q.case_id ORDER BY q.t0, q.t, q.file_no, q.row_no"
    d = con.dialect
    con.create_table(
        "seq",
        f"""
        WITH mapped AS (
            SELECT e.case_id, m.sn, e.t, coalesce(e.t_start, e.t) AS t0, e.resource, e.file_no, e.row_no
            FROM events e JOIN amap m ON m.activity = e.activity
            WHERE e.lifecycle IS NULL OR e.lifecycle = 'complete'),
        ordered AS (
            SELECT q.case_id, q.sn, q.t, q.resource,
                   row_number() OVER ({w}) AS pos,
                   lead(q.sn) OVER ({w}) AS next_sn,
                   lead(q.t0) OVER ({w}) AS next_t0,
                   first_value(q.t) OVER ({w}) AS first_t,
                   max(CASE WHEN s.facing THEN q.t END) OVER ({w} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                       AS prev_facing_t,
                   {lag_ignore_nulls(d, "CASE WHEN s.touchpoint AND NOT s.upd THEN s.lane_no END", w)} AS prev_lane,
                   {lag_ignore_nulls(d, "CASE WHEN s.touchpoint AND NOT s.upd THEN q.resource END", w)} AS prev_person,
                   {lag_ignore_nulls(d, "CASE WHEN s.facing THEN s.chan_no END", w)} AS prev_chan
            FROM mapped q JOIN steps s ON s.sn = q.sn)
        SELECT o.*, s.lane_no, s.customer, s.touchpoint, s.facing, s.upd, s.chan_no, s.sla, s.chase, s.sla_from_sn,
               c.a IS NOT NULL AS ok_next, coalesce(c.loops, 0) AS loops_next,
               (o.pos > 1 OR b.a IS NOT NULL) AS ok_begin
        FROM ordered o
        JOIN steps s ON s.sn = o.sn
        LEFT JOIN conf c ON c.a = o.sn AND c.b = coalesce(o.next_sn, {END_NO})
        LEFT JOIN conf b ON o.pos = 1 AND b.a = {BEGIN_NO} AND b.b = o.sn
        """,
    )


# one row per case and step it visits: how often, when first, whether a customer action or a chase
CASE_STEPS = """
SELECT case_id, sn, count(*) AS n, min(t) AS t_first, bool_or(customer) AS customer, bool_or(chase) AS chase
FROM seq GROUP BY case_id, sn
"""


def build_cases(con: Engine, lanes: int) -> None:
    """``cases``: one row per case with a mapped event — whether it fits, its pairs, §5.3's figures, its variant;
    ``case_steps``: one row per case and step it visits; ``case_all``: one row per case of the whole log.

    The figures are read along the case's mapped steps with real time
    (SPEC §6.3): ``elapsed`` last event minus first, ``longest_silence`` the
    longest gap between consecutive facing events, ``repeats`` the loop edges
    its pairs take; ``changes`` counts consecutive touchpoint events (updates
    aside) done by different known people; ``steps`` is the case's variant (its
    mapped steps in order, as an array).  Distinct lanes are counted as a
    bit set when there are few enough lanes (a distinct count per group costs
    more than the rest of the query).

    Every later figure is a group-by of these small tables (issue 22): the
    steps a case repeats, its first event of a step (``sla_from``), its repeat
    contacts come from ``case_steps``; its whole time and first and last
    activities (over all its events, mapped or not) from ``case_all`` — one
    scan of the events instead of one per figure.
    """
    tp = "touchpoint AND NOT upd"
    parties = (
        # 2^lane_no as a whole power of two (exact in a double up to 2^62): no shift operator, which not
        # every Spark release has
        f"bit_count(bit_or(CASE WHEN {tp} THEN CAST(power(2, lane_no) AS BIGINT) ELSE CAST(0 AS BIGINT) END))"
        if lanes <= 62
        else f"count(DISTINCT CASE WHEN {tp} THEN lane_no END)"
    )
    con.create_table(
        "cases",
        f"""
        SELECT case_id,
               bool_and(ok_next AND ok_begin) AS fits,
               count(next_sn) AS pairs,
               count(CASE WHEN ok_next THEN next_sn END) AS pairs_ok,
               count(CASE WHEN customer THEN 1 END) AS customer_actions,
               count(CASE WHEN touchpoint THEN 1 END) AS touchpoints,
               {parties} AS parties,
               count(CASE WHEN {tp} AND prev_lane <> lane_no THEN 1 END) AS visible_handoffs,
               count(CASE WHEN facing AND prev_chan <> chan_no THEN 1 END) AS channel_switches,
               max(t) - min(t) AS elapsed,
               coalesce(max(CASE WHEN facing THEN t - prev_facing_t END), 0) AS longest_silence,
               coalesce(sum(CASE WHEN next_sn IS NOT NULL THEN loops_next END), 0) AS repeats,
               count(CASE WHEN {tp} AND prev_person <> resource THEN 1 END) AS changes,
               {ordered_list(con.dialect, "sn", "pos")} AS steps
        FROM seq GROUP BY case_id
        """,
    )
    con.create_table("case_steps", CASE_STEPS)
    step_event = "lifecycle IS NULL OR lifecycle = 'complete'"
    key = row_key(con.dialect, "coalesce(t_start, t)", "t", "file_no", "row_no")
    # min_by/max_by skip the rows whose key is NULL on both engines: the events that are not steps
    con.create_table(
        "case_all",
        f"""
        SELECT case_id, max(t) - min(coalesce(t_start, t)) AS duration,
               min_by(CASE WHEN {step_event} THEN activity END, CASE WHEN {step_event} THEN {key} END) AS first_a,
               max_by(CASE WHEN {step_event} THEN activity END, CASE WHEN {step_event} THEN {key} END) AS last_a
        FROM events GROUP BY case_id
        """,
    )


def build_pairs(con: Engine) -> None:
    """``pairs``: every observed pair of consecutive mapped events (begin and end included), aggregated.

    The wait of a pair runs from the first event's completion to the next
    one's start (its timestamp without a start column), and is 0 when the two
    overlap: pm4py's waiting time on interval logs.
    """
    con.create_table(
        "pairs",
        f"""
        SELECT sn AS a, coalesce(next_sn, {END_NO}) AS b, count(*) AS n, bool_or(ok_next) AS ok,
               {_quantile(con, "wait", 0.5)} AS wait_median, {_quantile(con, "wait", 0.9)} AS wait_p90,
               max(wait) AS wait_max, min(wait) AS wait_min
        FROM (SELECT sn, next_sn, ok_next, greatest(next_t0, t) - t AS wait FROM seq) w GROUP BY sn, next_sn
        UNION ALL
        SELECT {BEGIN_NO}, sn, count(*), bool_or(ok_begin), NULL, NULL, NULL, NULL FROM seq WHERE pos = 1 GROUP BY sn
        """,
    )


def counts(con: Engine, events: int) -> dict[str, int]:
    """Events (counted when read) and cases of the whole log, and how many events and cases map to steps."""
    cases = con.execute("SELECT count(*) FROM case_all").fetchone()[0]  # type: ignore[index]
    mapped = con.execute(f"SELECT coalesce(sum(n), 0) FROM pairs WHERE a <> {BEGIN_NO}").fetchone()[0]  # type: ignore[index]
    mapped_cases = con.execute("SELECT count(*) FROM cases").fetchone()[0]  # type: ignore[index]
    return {"events": events, "cases": int(cases), "events_mapped": int(mapped), "cases_mapped": int(mapped_cases)}


@dataclass
class LogStats:
    """What one group-by of the whole log says, read before anything is mapped (issue 22: one scan, not four).

    ``activities``: every activity with its event count, most frequent first;
    ``step_events``: per activity, its events that are steps (no lifecycle, or
    ``complete``); ``lifecycle``: every lifecycle value other than ``complete``
    with its count, most frequent first; ``lifecycles``: whether any event has
    a lifecycle at all; ``starts``: whether any event has a start time.
    """

    activities: list[tuple[str, int]]
    step_events: dict[str, int]
    lifecycle: list[tuple[str, int]]
    lifecycles: bool
    starts: bool

    def logged(self, mapping: dict[str, str]) -> set[str]:
        """Steps with a (complete) event somewhere in the log: the others are silent (SPEC §6.2)."""
        return {mapping[a] for a, n in self.step_events.items() if n and a in mapping}

    def unmapped_events(self, mapping: dict[str, str]) -> int:
        """Step events whose activity no step maps."""
        return sum(n for a, n in self.step_events.items() if a not in mapping)


def log_stats(con: Engine) -> LogStats:
    """The :class:`LogStats` of ``events``: one group-by over (activity, lifecycle), the rest in Python."""
    rows = con.execute(
        "SELECT activity, lifecycle, count(*), count(t_start) FROM events GROUP BY activity, lifecycle"
    ).fetchall()
    per_activity: dict[str, int] = {}
    steps: dict[str, int] = {}
    life: dict[str, int] = {}
    lifecycles = starts = False
    for activity, lifecycle, n, started in rows:
        per_activity[activity] = per_activity.get(activity, 0) + n
        starts = starts or bool(started)
        if lifecycle is not None:
            lifecycles = True
        if lifecycle is None or lifecycle == "complete":
            steps[activity] = steps.get(activity, 0) + n
        else:
            life[lifecycle] = life.get(lifecycle, 0) + n
    return LogStats(
        activities=sorted(per_activity.items(), key=lambda r: (-r[1], r[0])),
        step_events=steps,
        lifecycle=sorted(life.items(), key=lambda r: (-r[1], r[0])),
        lifecycles=lifecycles,
        starts=starts,
    )


def fitness(con: Engine) -> dict[str, int]:
    fitting, pairs, conforming = con.execute(
        "SELECT count(CASE WHEN fits THEN 1 END), coalesce(sum(pairs), 0), coalesce(sum(pairs_ok), 0) FROM cases"
    ).fetchone()  # type: ignore[misc]
    return {"cases_fitting": int(fitting), "pairs": int(pairs), "pairs_conforming": int(conforming)}


def observed_flows(con: Engine, model: Model) -> list[dict[str, Any]]:
    """Every observed pair: count, waits, whether it conforms; by count, then file order of its steps."""
    rows = con.execute(
        f"""
        SELECT a, b, n, ok, wait_median, wait_p90, wait_max, wait_min FROM pairs
        WHERE a <> {BEGIN_NO} AND b <> {END_NO} ORDER BY n DESC, a, b
        """
    ).fetchall()
    return [
        {
            "from": model.ids[a],
            "to": model.ids[b],
            "observed": n,
            "modelled": bool(ok),
            "wait": marked(con, {"median": med, "p90": p90, "max": mx, "min": mn}),
        }
        for a, b, n, ok, med, p90, mx, mn in rows
    ]


def flow_use(con: Engine, model: Model, start: str, logged: set[str], *, ends: bool) -> dict[tuple[str, str], int]:
    """How many times each model flow was taken, along the chosen paths of conforming pairs.

    ``ends``: count the silent stretches before a case's first logged step
    and after its last too (inferred, not seen: right for "was this flow ever
    used", not for shares, which SPEC §6.3 takes from pairs of events).
    The observed pairs are few (at most one per distinct pair in the log); the
    walk along their paths is :func:`path_use`.
    """
    where = "ok" if ends else f"ok AND a <> {BEGIN_NO} AND b <> {END_NO}"
    rows = con.execute(f"SELECT a, b, sum(n) FROM pairs WHERE {where} GROUP BY a, b").fetchall()
    counts = {(model.step(a), model.step(b)): int(n) for a, b, n in rows}
    return path_use(model.g, start, logged, counts)


def unused_flows(con: Engine, model: Model, used: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    rows = con.execute("SELECT u, v FROM flows ORDER BY u, idx").fetchall()
    return [(model.ids[u], model.ids[v]) for u, v in rows if not used.get((model.ids[u], model.ids[v]))]


def _quantile(con: Engine, expr: str, q: float) -> str:
    """The engine's quantile: exact, or approximate past :data:`procmap.load.engines.APPROXIMATE_FROM` events."""
    return quantile(con.dialect, expr, q, approximate=con.approximate)


def _summary(con: Engine, column: str) -> str:
    return f"min({column}), {_quantile(con, column, 0.5)}, {_quantile(con, column, 0.9)}, max({column}), avg({column})"


def marked(con: Engine, figures: dict[str, Any]) -> dict[str, Any]:
    """``figures`` with ``"approximate": true`` beside them when their quantiles are the engine's approximate ones."""
    return {**figures, "approximate": True} if con.approximate else figures


def figures(con: Engine) -> dict[str, dict[str, float | None]]:
    """§5.3's figures per case, summarised over the cases with a mapped event."""
    row = con.execute("SELECT " + ", ".join(_summary(con, f) for f in FIGURES) + " FROM cases").fetchone()
    out: dict[str, dict[str, float | None]] = {}
    for i, name in enumerate(FIGURES):
        mn, med, p90, mx, mean = row[i * 5 : i * 5 + 5] if row else (None,) * 5
        out[name] = marked(con, {"min": mn, "median": med, "p90": p90, "max": mx, "mean": mean})
    return out


def repeat_contacts(con: Engine) -> int | None:
    """Cases where the customer had to get in touch again (SPEC §6.3, §5.7); None when no customer action is logged.

    A case counts when it has an event of a ``contact: chase`` step (the
    customer chasing *is* the repeat, even the first time it happens) or some
    customer action more than once.  With no customer action in the log at all
    the figure cannot be known, and 0 would claim nobody came back.  Read from
    ``case_steps`` (one row per case and step).
    """
    logged, cases = con.execute(
        "SELECT count(*), count(DISTINCT CASE WHEN n > 1 OR chase THEN case_id END) FROM case_steps WHERE customer"
    ).fetchone()  # type: ignore[misc]
    return int(cases) if logged else None


def sla(con: Engine, model: Model) -> tuple[list[dict[str, Any]], int]:
    """Per step with an sla: the real wait from the previous facing event (else the case's first event).

    A step with ``sla_from: S`` (SPEC §5.7) measures instead from the case's
    first event of ``S`` before it — a promise "within 2 days of the first
    call" does not restart when the customer chases.  When the case has no
    event of ``S`` before the step (``S`` silent, or skipped), the ordinary
    rule applies.  A case's wait at a step it visits several times is its
    longest.  Returns the rows (file order) and the number of cases with at
    least one breach.
    """
    con.create_table(
        "sla_waits",
        """
        SELECT q.case_id, q.sn, min(q.sla) AS sla,
               max(q.t - coalesce(CASE WHEN f.t_first <= q.t THEN f.t_first END, q.prev_facing_t, q.first_t)) AS wait
        FROM seq q LEFT JOIN case_steps f ON f.case_id = q.case_id AND f.sn = q.sla_from_sn
        WHERE q.sla IS NOT NULL GROUP BY q.case_id, q.sn
        """,
    )
    rows = con.execute(
        f"""
        SELECT sn, min(sla), count(*), count(CASE WHEN wait > sla THEN 1 END),
               {_quantile(con, "wait", 0.5)}, {_quantile(con, "wait", 0.9)}, max(wait)
        FROM sla_waits GROUP BY sn ORDER BY sn
        """
    ).fetchall()
    seen = {row[0] for row in rows}
    breaching = con.execute("SELECT count(DISTINCT case_id) FROM sla_waits WHERE wait > sla").fetchone()[0]  # type: ignore[index]
    out = {
        sn: {
            "step": model.ids[sn],
            "sla": limit,
            "cases": n,
            "breaches": b,
            "median_wait": med,
            "p90_wait": p90,
            "max_wait": mx,
            **({"approximate": True} if con.approximate else {}),
        }
        for sn, limit, n, b, med, p90, mx in rows
    }
    for n in model.ids:  # steps with an sla that never happened: zero cases, not missing
        limit = model.g.nodes[n]["sla"]
        if limit is not None and model.number[n] not in seen:
            out[model.number[n]] = {
                "step": n,
                "sla": limit,
                "cases": 0,
                "breaches": 0,
                "median_wait": None,
                "p90_wait": None,
                "max_wait": None,
            }
    return [out[k] for k in sorted(out)], breaching


def resource_changes(con: Engine) -> dict[str, float | None]:
    """Per case, consecutive touchpoint events (updates aside) whose known resources differ; summarised.

    Events without a resource are skipped, so a missing resource is never a
    change, and A, (unknown), B still counts the one change the customer met.
    """
    row = con.execute(f"SELECT {_summary(con, 'changes')} FROM cases").fetchone() or (None,) * 5
    return marked(con, dict(zip(("min", "median", "p90", "max", "mean"), row, strict=True)))


def work_times(
    con: Engine, model: Model, *, lifecycle_starts: bool = True, starts: bool = True
) -> list[dict[str, Any]]:
    """Per step, the work time of its events: from its start to its completion (SPEC §6.1).

    An event's start is its own ``t_start`` (a ``start_timestamp`` column, as
    pm4py writes interval logs) when logged; otherwise, with ``lifecycle_starts``,
    the ``start`` event just before it of the same activity in the same case.
    Completes with neither give no work time.  ``lifecycle_starts`` False (no
    lifecycle in the log, or ``--lifecycle complete``) and ``starts`` False (no
    start time in the log) leave out the parts that could find nothing.
    """
    if not lifecycle_starts and not starts:
        return []
    pairing = (
        """
        starts AS (SELECT DISTINCT activity FROM events WHERE lifecycle = 'start'),
        life AS (
            SELECT m.sn, e.t, e.t_start, e.lifecycle,
                   lag(e.lifecycle) OVER (PARTITION BY e.case_id, e.activity ORDER BY e.t, e.file_no, e.row_no)
                       AS prev_life,
                   lag(e.t) OVER (PARTITION BY e.case_id, e.activity ORDER BY e.t, e.file_no, e.row_no) AS prev_t
            FROM events e JOIN amap m ON m.activity = e.activity JOIN starts s ON s.activity = e.activity
            WHERE e.lifecycle IN ('start', 'complete')),
        """
        if lifecycle_starts
        else ""
    )
    paired = (
        "UNION ALL SELECT sn, t - prev_t AS w FROM life "
        "WHERE lifecycle = 'complete' AND prev_life = 'start' AND t_start IS NULL"
        if lifecycle_starts
        else ""
    )
    own = (
        "SELECT m.sn, e.t - e.t_start AS w FROM events e JOIN amap m ON m.activity = e.activity "
        "WHERE e.t_start IS NOT NULL AND (e.lifecycle IS NULL OR e.lifecycle = 'complete')"
        if starts
        else ""
    )
    if not own:
        paired = paired.removeprefix("UNION ALL ")
    rows = con.execute(
        f"""
        WITH {pairing}
        work AS ({own} {paired})
        SELECT sn, count(*), {_quantile(con, "w", 0.5)}, {_quantile(con, "w", 0.9)}, max(w) FROM work GROUP BY sn ORDER BY sn
        """
    ).fetchall()
    return [
        marked(con, {"step": model.ids[sn], "events": n, "median": med, "p90": p90, "max": mx})
        for sn, n, med, p90, mx in rows
    ]
