"""A brute-force reading of SPEC §5, for small graphs only: the test oracle of procmap.analysis.journeys.

Everything here follows the definitions word by word and enumerates: every
journey is listed, every figure read along it, every path tried.  It shares
no code with the product (only the graph built from the file), so an
agreement between the two on random processes means something.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from fractions import Fraction
from typing import Any

FIGURES = (
    "customer_actions",
    "touchpoints",
    "parties",
    "visible_handoffs",
    "channel_switches",
    "elapsed",
    "longest_silence",
    "repeats",
    "chases",
)
ADDITIVE = ("customer_actions", "touchpoints", "visible_handoffs", "channel_switches", "elapsed", "repeats", "chases")
WORST_BY = ("comes_back", "longest_silence", "elapsed", "visible_handoffs")


def _flows(g: Any, u: str) -> list[str]:
    """Targets of u's flows in the order of its `next` list."""
    return [v for v, _ in sorted(g.adj[u].items(), key=lambda item: item[1]["index"])]


def _chan(g: Any, n: str) -> str | None:
    c = g.nodes[n]["channel"]
    return c.strip().casefold() if c is not None else None


def _is_update(g: Any, n: str) -> bool:
    return bool(g.nodes[n]["touchpoint"] and g.nodes[n].get("update"))


def loop_edges(g: Any, start: str) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    on_path: list[str] = []
    seen: set[str] = set()

    def visit(u: str) -> None:
        seen.add(u)
        on_path.append(u)
        for v in _flows(g, u):
            if v in on_path:
                out.add((u, v))
            elif v not in seen:
                visit(v)
        on_path.pop()

    visit(start)
    return out


def journeys(g: Any, start: str, repeats: int) -> list[tuple[list[str], int]]:
    """Every journey as (steps, loop edges taken), in depth-first order: non-loop flows first, then loop edges."""
    loops = loop_edges(g, start)
    out: list[tuple[list[str], int]] = []

    def walk(path: list[str], taken: int) -> None:
        u = path[-1]
        flows = _flows(g, u)
        if not flows:
            out.append((list(path), taken))
            return
        for v in [v for v in flows if (u, v) not in loops]:
            walk([*path, v], taken)
        if taken < repeats:
            for v in [v for v in flows if (u, v) in loops]:
                walk([*path, v], taken + 1)

    walk([start], 0)
    return out


def _unplanned(g: Any, start: str) -> set[tuple[str, str]]:
    """SPEC §5.7: the loop edges that are repeats (not planned)."""
    return {(u, v) for u, v in loop_edges(g, start) if not g.edges[u, v].get("planned")}


def probability(g: Any, steps: list[str]) -> Fraction:
    """The product of the decimal shares of the flows a journey takes (1 for a step's only flow)."""
    p = Fraction(1)
    for u, v in itertools.pairwise(steps):
        if len(_flows(g, u)) > 1:
            p *= Fraction(repr(g.edges[u, v]["share"]))
    return p


def figures(g: Any, steps: list[str], unplanned: set[tuple[str, str]]) -> dict[str, Any]:
    nodes = g.nodes
    seconds = [Fraction(nodes[s]["duration"] or 0) for s in steps]
    touch = [s for s in steps if nodes[s]["touchpoint"]]
    real = [s for s in touch if not _is_update(g, s)]
    channelled = [_chan(g, s) for s in steps if nodes[s]["facing"] and _chan(g, s) is not None]
    facing_at = [i for i, s in enumerate(steps) if nodes[s]["facing"]]
    silences = [sum(seconds[a + 1 : b], Fraction(0)) for a, b in itertools.pairwise(facing_at)]
    return {
        "customer_actions": sum(1 for s in steps if nodes[s]["customer"]),
        "touchpoints": len(touch),
        "parties": len({nodes[s]["lane"] for s in real}),
        "visible_handoffs": sum(1 for a, b in itertools.pairwise(real) if nodes[a]["lane"] != nodes[b]["lane"]),
        "channel_switches": sum(1 for a, b in itertools.pairwise(channelled) if a != b),
        "elapsed": sum(seconds, Fraction(0)),
        "longest_silence": max(silences, default=Fraction(0)),
        "repeats": sum(1 for e in itertools.pairwise(steps) if e in unplanned),
        "chases": sum(1 for s in steps if nodes[s].get("chase")),
    }


def _num(x: Any) -> Any:
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else float(x)
    return x


def _shortest_cycle(g: Any, v: str, u: str) -> list[str]:
    """All simple paths v -> u, shortest, ties to the smallest sequence of file positions."""
    order = {n: i for i, n in enumerate(g.nodes)}
    if v == u:
        return [v]
    found: list[list[str]] = []

    def walk(path: list[str]) -> None:
        x = path[-1]
        if x == u:
            found.append(list(path))
            return
        for y in g.successors(x):
            if y not in path:
                walk([*path, y])

    walk([v])
    return min(found, key=lambda p: (len(p), [order[n] for n in p]))


def _reaches(g: Any) -> dict[str, set[str]]:
    """Steps reachable by one or more flows (transitive closure)."""
    reach = {n: set(g.successors(n)) for n in g.nodes}
    changed = True
    while changed:
        changed = False
        for n in g.nodes:
            more = set().union(*(reach[m] for m in reach[n])) if reach[n] else set()
            if not more <= reach[n]:
                reach[n] |= more
                changed = True
    return reach


def no_backup(g: Any) -> set[str]:
    """SPEC §3's no-backup selection, read directly."""
    nodes = g.nodes
    tps = [n for n in nodes if nodes[n]["touchpoint"]]

    def via_non_tp(sources: list[str], forward: bool) -> set[str]:
        seen: set[str] = set()
        todo = list(sources)
        while todo:
            x = todo.pop()
            nbrs = g.successors(x) if forward else g.predecessors(x)
            for y in nbrs:
                if not nodes[y]["touchpoint"] and y not in seen:
                    seen.add(y)
                    todo.append(y)
        return seen

    waiting = via_non_tp(tps, True) & via_non_tp(tps, False)

    def no_real_backup(n: str) -> bool:
        backup, owner = nodes[n]["backup"], nodes[n]["owner"]
        return not backup or bool(owner and owner.strip().casefold() == backup.strip().casefold())

    return {
        n
        for n in nodes
        if no_real_backup(n)
        and (nodes[n]["fail_point"] or (nodes[n]["owner"] and nodes[n]["visibility"] == "backstage" and n in waiting))
    }


def _sla(g: Any, s: str, start: str) -> dict[str, Any]:
    nodes = g.nodes
    facing = {n for n in nodes if nodes[n]["facing"]}
    order = {n: i for i, n in enumerate(nodes)}
    limit = 2 * len(nodes) + 2

    def walks(first: list[str]) -> tuple[bool, Fraction | None]:
        """(unbounded, longest) over walks from ``first`` to s through non-facing steps."""
        best: Fraction | None = None
        unbounded = False

        def go(path: list[str]) -> None:
            nonlocal best, unbounded
            x = path[-1]
            if x == s:
                total = sum((Fraction(nodes[y]["duration"] or 0) for y in path), Fraction(0))
                if len(set(path)) < len(path):
                    unbounded = True
                best = total if best is None else max(best, total)
                if s in facing:
                    return
            if len(path) >= limit:
                return
            for y in g.successors(x):
                if y == s or y not in facing:
                    go([*path, y])

        for v in first:
            go([v])
        return unbounded, best

    sources = []
    for f in sorted(facing, key=order.__getitem__):
        firsts = [v for v in g.successors(f) if v == s or v not in facing]
        unbounded, longest = walks(firsts)
        if unbounded or longest is not None:
            sources.append((f, unbounded, longest))
    sla = nodes[s]["sla"]
    if not sources:
        if start in facing and start != s:
            return {"step": s, "sla": sla, "longest_wait": None, "from": None, "breach": None}
        unbounded, longest = walks([start])
        if unbounded:
            return {"step": s, "sla": _num(Fraction(sla)), "longest_wait": None, "from": None, "breach": True}
        return {
            "step": s,
            "sla": _num(Fraction(sla)),
            "longest_wait": _num(longest),
            "from": None,
            "breach": longest > Fraction(sla),
        }
    unbounded = [f for f, u, _ in sources if u]
    if unbounded:
        return {"step": s, "sla": _num(Fraction(sla)), "longest_wait": None, "from": unbounded[0], "breach": True}
    top = max(longest for _, _, longest in sources)
    first = next(f for f, _, longest in sources if longest == top)
    return {
        "step": s,
        "sla": _num(Fraction(sla)),
        "longest_wait": _num(top),
        "from": first,
        "breach": top > Fraction(sla),
    }


def _solve(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = next(r for r in range(c, n) if m[r][c] != 0)
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def _numbered(first: Any, after: Callable[[Any], list[Any]]) -> dict[Any, int]:
    """Every state met from ``first`` through ``after``, numbered in the order a depth-first worklist meets them."""
    index: dict[Any, int] = {}
    todo = [first]
    while todo:
        state = todo.pop()
        if state in index:
            continue
        index[state] = len(index)
        todo += after(state)
    return index


def expected(g: Any, start: str) -> dict[str, float] | None:
    """First-step analysis with exact fractions over states (step, last lane, last channel)."""
    nodes = g.nodes
    reach = _reaches(g)
    reached = {start} | reach[start]
    ends = {n for n in nodes if not list(g.successors(n))}
    for n in reached:
        if n not in ends and not (reach[n] & ends):
            return None
    loops = _unplanned(g, start)
    probs: dict[str, list[tuple[str, Fraction]]] = {}
    for n in reached:
        flows = _flows(g, n)
        if len(flows) == 1:
            probs[n] = [(flows[0], Fraction(1))]
        elif flows:
            shares = [g.edges[n, v]["share"] for v in flows]
            if any(x is None for x in shares):
                return None
            total = sum(Fraction(x) for x in shares)
            probs[n] = [(v, Fraction(x) / total) for v, x in zip(flows, shares, strict=True)]

    def after(state: tuple[str, Any, Any]) -> list[tuple[str, Any, Any]]:
        n, lane, chan = state
        new_lane = nodes[n]["lane"] if nodes[n]["touchpoint"] and not _is_update(g, n) else lane
        new_chan = _chan(g, n) if nodes[n]["facing"] and _chan(g, n) is not None else chan
        return [(v, new_lane, new_chan) for v, _ in probs.get(n, [])]

    index = _numbered((start, None, None), after)
    out: dict[str, float] = {}
    size = len(index)
    for fig in ADDITIVE:
        a = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
        b = [Fraction(0)] * size
        for (n, lane, chan), i in index.items():
            d = nodes[n]
            here = {
                "customer_actions": int(d["customer"]),
                "touchpoints": int(d["touchpoint"]),
                "elapsed": Fraction(d["duration"] or 0),
                "visible_handoffs": int(
                    d["touchpoint"] and not _is_update(g, n) and lane is not None and lane != d["lane"]
                ),
                "channel_switches": int(
                    d["facing"] and _chan(g, n) is not None and chan is not None and chan != _chan(g, n)
                ),
                "repeats": 0,
                "chases": int(bool(d.get("chase"))),
            }[fig]
            b[i] = Fraction(here)
            new_lane = d["lane"] if d["touchpoint"] and not _is_update(g, n) else lane
            new_chan = _chan(g, n) if d["facing"] and _chan(g, n) is not None else chan
            for v, p in probs.get(n, []):
                if fig == "repeats" and (n, v) in loops:
                    b[i] += p
                a[i][index[(v, new_lane, new_chan)]] -= p
        x = _solve(a, b)
        out[fig] = float(x[index[(start, None, None)]])
    out["p_comes_back"] = float(_p_comes_back(g, probs, loops, sorted(reached, key=list(nodes).index), start))
    return out


def _p_comes_back(
    g: Any, probs: dict[str, list[tuple[str, Fraction]]], loops: set[tuple[str, str]], reached: list[str], start: str
) -> Fraction:
    """First-step analysis, exact: x[n] = sum p(n -> v) * (1 if that flow is a come-back else x[v]); ends 0."""
    index = {n: i for i, n in enumerate(reached)}
    size = len(reached)
    a = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
    b = [Fraction(0)] * size
    for n in reached:
        i = index[n]
        for v, p in probs.get(n, []):
            if g.nodes[v].get("chase") or (n, v) in loops:
                b[i] += p
            else:
                a[i][index[v]] -= p
    return _solve(a, b)[index[start]]


def _sla_from(g: Any, s: str, source: str, all_j: list[tuple[list[str], int]]) -> dict[str, Any]:
    """SPEC §5.7: over the journeys, from the first visit of ``source`` to each later visit of ``s``."""
    nodes = g.nodes
    best: Fraction | None = None
    for steps, _ in all_j:
        if source not in steps:
            continue
        first = steps.index(source)
        for i in range(first + 1, len(steps)):
            if steps[i] == s:
                wait = sum((Fraction(nodes[x]["duration"] or 0) for x in steps[first + 1 : i + 1]), Fraction(0))
                best = wait if best is None else max(best, wait)
    sla = Fraction(nodes[s]["sla"])
    return {
        "step": s,
        "sla": _num(sla),
        "longest_wait": _num(best) if best is not None else None,
        "from": source,
        "breach": best is not None and best > sla,
    }


def worst_key(figs: dict[str, Any], name: str) -> Any:
    return figs["repeats"] + figs["chases"] if name == "comes_back" else figs[name]


def report(g: Any, repeats: int = 1, worst_by: tuple[str, ...] = WORST_BY) -> dict[str, Any]:
    """The `journeys` object of SPEC §5.4 and §5.7, by enumeration."""
    nodes = g.nodes
    start = g.graph["start"]
    order = {n: i for i, n in enumerate(nodes)}
    all_j = journeys(g, start, repeats)
    unplanned = _unplanned(g, start)
    figs = [figures(g, steps, unplanned) for steps, _ in all_j]
    exp = expected(g, start)
    probs = [probability(g, steps) for steps, _ in all_j] if exp is not None else None

    def shown(i: int) -> dict[str, Any]:
        return {
            "steps": all_j[i][0],
            "probability": _num(probs[i]) if probs is not None else None,
            "figures": {k: _num(v) for k, v in figs[i].items()},
        }

    reached = {start} | _reaches(g)[start]
    out: dict[str, Any] = {
        "repeats": repeats,
        "count": len(all_j),
        "facing_steps_without_channel": sum(1 for n in reached if nodes[n]["facing"] and _chan(g, n) is None),
        "steps_without_duration": sum(1 for n in reached if nodes[n]["duration"] is None),
    }
    if all_j:
        # main: the most probable journey when shares define a chain (ties: depth-first order), else the first
        m = 0 if probs is None else max(range(len(all_j)), key=lambda i: (probs[i], -i))
        out["main"] = shown(m)
        out["min"] = {k: _num(min(f[k] for f in figs)) for k in FIGURES}
        out["max"] = {k: _num(max(f[k] for f in figs)) for k in FIGURES}
        w = min(
            range(len(all_j)),
            key=lambda i: (
                [-worst_key(figs[i], name) for name in worst_by],
                len(all_j[i][0]),
                [order[s] for s in all_j[i][0]],
            ),
        )
        out["worst"] = shown(w)
    else:
        out["main"], out["min"], out["max"], out["worst"] = None, {}, {}, None
    out["expected"] = exp
    loops = unplanned
    rl = []
    for u in nodes:
        for v in _flows(g, u):
            if (u, v) in loops:
                cycle = _shortest_cycle(g, v, u)
                facing = [x for x in cycle if nodes[x]["facing"]]
                if facing:
                    rl.append({"from": u, "to": v, "when": g.edges[u, v]["when"], "facing": facing})
    out["repeat_loops"] = rl
    chosen = no_backup(g)
    fps = []
    for n in nodes:
        if nodes[n]["fail_point"] or n in chosen:
            if nodes[n]["facing"]:
                where = [n]
            else:
                found = set()
                seen = {n}
                todo = [n]
                while todo:
                    x = todo.pop()
                    for y in g.successors(x):
                        if nodes[y]["facing"]:
                            found.add(y)
                        elif y not in seen:
                            seen.add(y)
                            todo.append(y)
                where = sorted(found, key=order.__getitem__)
            fps.append({"step": n, "backup": nodes[n]["backup"], "surfaces_at": where})
    out["fail_points"] = fps
    reach = _reaches(g)
    class_order: dict[str, int] = {}
    for n in nodes:
        for c in nodes[n]["data"]:
            class_order.setdefault(c, len(class_order))
    asks = []
    customers = [n for n in nodes if nodes[n]["customer"]]
    for a in customers:
        for b in customers:
            if a == b or b not in reach[a]:
                continue
            if a in reach[b] and order[b] < order[a]:
                continue
            for c in set(nodes[a]["data"]) & set(nodes[b]["data"]):
                asks.append({"data": c, "first": a, "second": b})
    asks.sort(key=lambda x: (order[x["second"]], order[x["first"]], class_order[x["data"]]))
    out["asked_twice"] = asks
    out["sla"] = [
        _sla_from(g, n, nodes[n]["sla_from"], all_j) if nodes[n].get("sla_from") in nodes else _sla(g, n, start)
        for n in nodes
        if nodes[n]["sla"] is not None
    ]
    for entry in out["sla"]:
        entry["sla"] = _num(Fraction(nodes[entry["step"]]["sla"]))
    return out


# ---------------------------------------------------------------------------------------------
# SPEC §7.2: runs through blocks, by token simulation (independent of procmap.analysis.journeys.parallel)


def _alternatives(g: Any, u: str) -> list[list[str]]:
    """u's alternatives in `next` order: a fork item is one alternative with all its targets."""
    out: list[list[str]] = []
    items: dict[int, list[str]] = {}
    for v, d in sorted(g.adj[u].items(), key=lambda item: item[1]["index"]):
        if d.get("fork") is None:
            out.append([v])
        elif d["fork"] in items:
            items[d["fork"]].append(v)
        else:
            items[d["fork"]] = [v]
            out.append(items[d["fork"]])
    return out


def has_fork(g: Any, start: str) -> bool:
    return any(len(a) > 1 for n in {start} | _reaches(g)[start] for a in _alternatives(g, n))


def _join_of(g: Any, targets: list[str]) -> str | None:
    """The join that closes a fork: walk on from its first branch counting forks opened and joins passed."""
    seen: set[tuple[str, int]] = set()
    todo = [(targets[0], 0)]
    while todo:
        n, depth = todo.pop()
        if (n, depth) in seen:
            continue
        seen.add((n, depth))
        if g.nodes[n].get("join"):
            if depth == 0:
                return n
            depth -= 1
        for alt in _alternatives(g, n):
            for v in alt:
                todo.append((v, depth + (len(alt) > 1)))
    return None


def runs(g: Any, start: str, repeats: int) -> list[dict[str, Any]]:
    """Every run: tokens walk the graph; a token at a join waits for its siblings; choices recorded as ranks.

    A run is its visits (step, the visits it came from), the ranks of its choices in the order the
    simulation makes them (the first pending token always moves first, so a fork's first branch is
    walked to its join before the second moves), its loop edges, and its probability.  Sorted by
    the choice ranks: SPEC §7.2's order.
    """
    loops = loop_edges(g, start)
    unplanned = _unplanned(g, start)
    out: list[dict[str, Any]] = []
    shares = chain_defined(g, start)

    def rank_alts(u: str) -> list[tuple[int, list[str], bool]]:
        alts = _alternatives(g, u)
        plain = [a for a in alts if len(a) > 1 or (u, a[0]) not in loops]
        back = [a for a in alts if len(a) == 1 and (u, a[0]) in loops]
        return [(i, a, i >= len(plain)) for i, a in enumerate(plain + back)]

    # a token: (step, visit it came from, waiting room key); waiting: join-key -> arrived visits
    def go(
        tokens: list[tuple[str, int | None, Any]],
        visits: list[tuple[str, tuple[int, ...]]],
        waiting: dict[Any, list[int]],
        choices: list[int],
        taken: int,
        reps: int,
        p: Fraction,
    ) -> None:
        if not tokens:
            out.append({"visits": visits, "choices": choices, "repeats": reps, "p": p})
            return
        (n, came, room), rest = tokens[0], tokens[1:]
        if room is not None and room[0] == n:  # arriving at the join this token's fork waits on
            arrived = [*waiting.get(room, []), came]
            if len(arrived) < room[1]:
                go(rest, visits, {**waiting, room: arrived}, choices, taken, reps, p)
                return
            rest_waiting = {k: v for k, v in waiting.items() if k != room}
            go([(n, tuple(arrived), room[2]), *rest], visits, rest_waiting, choices, taken, reps, p)
            return
        preds = came if isinstance(came, tuple) else (() if came is None else (came,))
        here = len(visits)
        visits = [*visits, (n, preds)]
        alts = rank_alts(n)
        if not alts:
            go(rest, visits, waiting, choices, taken, reps, p)
            return
        many = len(alts) > 1
        for rank, alt, is_loop in alts:
            q = p * (Fraction(repr(g.edges[n, alt[0]]["share"])) if many and shares else 1)
            ch = [*choices, rank] if many else choices
            if is_loop:
                if taken >= repeats:
                    continue
                r = reps + ((n, alt[0]) in unplanned)
                go([(alt[0], here, room), *rest], visits, waiting, ch, taken + 1, r, q)
            elif len(alt) == 1:
                go([(alt[0], here, room), *rest], visits, waiting, ch, taken, reps, q)
            else:
                join = _join_of(g, alt)
                new_room = (join, len(alt), room, here) if join is not None else room
                go([*((t, here, new_room) for t in alt), *rest], visits, waiting, ch, taken, reps, q)

    go([(start, None, None)], [], {}, [], 0, 0, Fraction(1))
    out.sort(key=lambda run: run["choices"])
    return out


def timeline(g: Any, visits: list[tuple[str, tuple[int, ...]]]) -> tuple[list[int], list[Fraction], list[Fraction]]:
    """Start and finish of each visit by relaxation, and the timeline: repeatedly the least ready visit."""
    nodes = g.nodes
    start = [Fraction(0)] * len(visits)
    finish = [Fraction(nodes[n]["duration"] or 0) for n, _ in visits]
    changed = True
    while changed:
        changed = False
        for i, (n, preds) in enumerate(visits):
            s = max((finish[p] for p in preds), default=Fraction(0))
            if s != start[i]:
                start[i], finish[i] = s, s + Fraction(nodes[n]["duration"] or 0)
                changed = True
    position = {n: i for i, n in enumerate(nodes)}
    placed: list[int] = []
    left = set(range(len(visits)))
    while left:
        ready = [i for i in left if all(p in placed for p in visits[i][1])]
        i = min(ready, key=lambda i: (start[i], finish[i], position[visits[i][0]], i))
        placed.append(i)
        left.remove(i)
    return placed, start, finish


def run_figures(g: Any, run: dict[str, Any]) -> tuple[list[str], dict[str, Any], Any]:
    nodes = g.nodes
    order, start, finish = timeline(g, run["visits"])
    steps = [run["visits"][i][0] for i in order]
    touch = [s for s in steps if nodes[s]["touchpoint"]]
    real = [s for s in touch if not _is_update(g, s)]
    channelled = [_chan(g, s) for s in steps if nodes[s]["facing"] and _chan(g, s) is not None]
    facing = [(start[i], finish[i]) for i in order if nodes[run["visits"][i][0]]["facing"]]
    silence = Fraction(0)
    for _s, f in facing:
        if any(s2 <= f < f2 for s2, f2 in facing):
            continue  # still covered
        later = [s2 for s2, _ in facing if s2 > f]
        if later:
            silence = max(silence, min(later) - f)
    figs = {
        "customer_actions": sum(1 for s in steps if nodes[s]["customer"]),
        "touchpoints": len(touch),
        "parties": len({nodes[s]["lane"] for s in real}),
        "visible_handoffs": sum(1 for a, b in itertools.pairwise(real) if nodes[a]["lane"] != nodes[b]["lane"]),
        "channel_switches": sum(1 for a, b in itertools.pairwise(channelled) if a != b),
        "elapsed": max(finish, default=Fraction(0)),
        "longest_silence": silence,
        "repeats": run["repeats"],
        "chases": sum(1 for s in steps if nodes[s].get("chase")),
    }
    return steps, figs, (order, start, finish)


def chain_defined(g: Any, start: str) -> bool:
    """Shares define a chain: every reached step with several alternatives has shares, and no dead end."""
    reach = _reaches(g)
    ends = {n for n in g.nodes if not list(g.successors(n))}
    for n in {start} | reach[start]:
        if n not in ends and not (reach[n] & ends):
            return False
        alts = _alternatives(g, n)
        if len(alts) > 1 and any(g.edges[n, a[0]]["share"] is None for a in alts):
            return False
    return True


def _probs(g: Any, start: str) -> dict[str, list[tuple[list[str], Fraction]]]:
    out: dict[str, list[tuple[list[str], Fraction]]] = {}
    for n in {start} | _reaches(g)[start]:
        alts = _alternatives(g, n)
        if len(alts) == 1:
            out[n] = [(alts[0], Fraction(1))]
        elif alts:
            out[n] = [(a, Fraction(repr(g.edges[n, a[0]]["share"]))) for a in alts]
    return out


def expected_blocks(g: Any, start: str) -> dict[str, Any] | None:
    """First-step analysis per block, exact: E(n, stop) = here + sum p * (E(v, stop) | sum E(t, J) + E(J, stop))."""
    if not chain_defined(g, start):
        return None
    nodes = g.nodes
    probs = _probs(g, start)
    unplanned = _unplanned(g, start)

    def after(key: tuple[str, Any]) -> list[tuple[str, Any]]:
        n, stop = key
        if n == stop:
            return []
        todo: list[tuple[str, Any]] = []
        for alt, _p in probs.get(n, []):
            if len(alt) == 1:
                todo.append((alt[0], stop))
            else:
                join = _join_of(g, alt)
                todo += [(t, join) for t in alt]
                if join is not None:
                    todo.append((join, stop))
        return todo

    index = _numbered((start, None), after)
    out: dict[str, Any] = {}
    size = len(index)
    for fig in ("customer_actions", "touchpoints", "repeats", "chases"):
        a = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
        b = [Fraction(0)] * size
        for (n, stop), i in index.items():
            if n == stop:
                continue
            d = nodes[n]
            b[i] = Fraction(
                {
                    "customer_actions": int(d["customer"]),
                    "touchpoints": int(d["touchpoint"]),
                    "repeats": 0,
                    "chases": int(bool(d.get("chase"))),
                }[fig]
            )
            for alt, p in probs.get(n, []):
                if len(alt) == 1:
                    if fig == "repeats" and (n, alt[0]) in unplanned:
                        b[i] += p
                    a[i][index[(alt[0], stop)]] -= p
                else:
                    join = _join_of(g, alt)
                    for t in alt:
                        a[i][index[(t, join)]] -= p
                    if join is not None:
                        a[i][index[(join, stop)]] -= p
        out[fig] = float(_solve(a, b)[index[(start, None)]])
    for fig in ("visible_handoffs", "channel_switches", "elapsed"):
        out[fig] = None

    memo: dict[tuple[str, Any], Fraction] = {}

    def no_back(n0: str, stop: Any) -> Fraction:
        """P(reach stop without coming back) from n0, a linear system per block level, inner blocks first."""
        if (n0, stop) in memo:
            return memo[(n0, stop)]
        level = [n0]
        i = 0
        while i < len(level):
            n = level[i]
            i += 1
            if n == stop:
                continue
            for alt, _p in probs.get(n, []):
                nxt = alt[0] if len(alt) == 1 else _join_of(g, alt)
                if nxt is not None and nxt not in level:
                    level.append(nxt)
        ix = {n: k for k, n in enumerate(level)}
        size = len(level)
        a = [[Fraction(int(r == c)) for c in range(size)] for r in range(size)]
        b = [Fraction(0)] * size
        for n in level:
            r = ix[n]
            if n == stop or not probs.get(n):
                b[r] = Fraction(1)
                continue
            for alt, p in probs[n]:
                if len(alt) == 1:
                    v = alt[0]
                    if (n, v) not in unplanned and not nodes[v].get("chase"):
                        a[r][ix[v]] -= p
                else:
                    join = _join_of(g, alt)
                    inner = p
                    for t in alt:
                        inner *= 0 if nodes[t].get("chase") else no_back(t, join)
                    if join is None:
                        b[r] += inner
                    elif not nodes[join].get("chase"):
                        a[r][ix[join]] -= inner
        memo[(n0, stop)] = _solve(a, b)[0]
        return memo[(n0, stop)]

    out["p_comes_back"] = float(1 - no_back(start, None))
    return out


def _sla_runs(g: Any, s: str, start: str, measured: list[tuple[dict[str, Any], Any]]) -> dict[str, Any]:
    """SPEC §7.2's sla on the runs' timelines."""
    nodes = g.nodes
    position = {n: i for i, n in enumerate(nodes)}
    sla = Fraction(nodes[s]["sla"])
    source = nodes[s].get("sla_from") if nodes[s].get("sla_from") in nodes else None
    if source is None:
        graph = _sla(g, s, start)
        if graph["longest_wait"] is None:
            return graph
    best: tuple[Fraction, Any] | None = None
    for run, (order, st, fin) in measured:
        visits = run["visits"]
        for x, i in enumerate(order):
            if visits[i][0] != s:
                continue
            if source is not None:
                firsts = [j for j in order[:x] if visits[j][0] == source]
                if not firsts:
                    continue
                cand = (fin[i] - fin[firsts[0]], source)
            else:
                before = [j for j in range(len(visits)) if j != i and nodes[visits[j][0]]["facing"] and fin[j] <= st[i]]
                if before:
                    last = max(fin[j] for j in before)
                    frm = min((visits[j][0] for j in before if fin[j] == last), key=position.__getitem__)
                    cand = (fin[i] - last, frm)
                else:
                    cand = (fin[i], None)
            if (
                best is None
                or cand[0] > best[0]
                or (
                    cand[0] == best[0]
                    and cand[1] is not None
                    and (best[1] is None or position[cand[1]] < position[best[1]])
                )
            ):
                best = cand
    if best is None:
        return {"step": s, "sla": _num(sla), "longest_wait": None, "from": source, "breach": False}
    return {"step": s, "sla": _num(sla), "longest_wait": _num(best[0]), "from": best[1], "breach": best[0] > sla}


def report_blocks(g: Any, repeats: int = 1, worst_by: tuple[str, ...] = WORST_BY) -> dict[str, Any]:
    """SPEC §7.2's `journeys` object, by enumerating runs; §5's report for the parts §7.2 leaves alone."""
    out = report(g, repeats, worst_by)
    start = g.graph["start"]
    if not has_fork(g, start):
        return out
    nodes = g.nodes
    position = {n: i for i, n in enumerate(nodes)}
    all_r = runs(g, start, repeats)
    exp = expected_blocks(g, start)
    measured = []
    shown_runs = []
    for run in all_r:
        steps, figs, tl = run_figures(g, run)
        measured.append((run, tl))
        shown_runs.append((steps, figs, run["p"]))

    def shown(i: int) -> dict[str, Any]:
        steps, figs, p = shown_runs[i]
        return {
            "steps": steps,
            "probability": _num(p) if exp is not None else None,
            "figures": {k: _num(v) for k, v in figs.items()},
        }

    out["count"] = len(all_r)
    if all_r:
        m = 0 if exp is None else max(range(len(all_r)), key=lambda i: (shown_runs[i][2], -i))
        out["main"] = shown(m)
        out["min"] = {k: _num(min(f[k] for _, f, _ in shown_runs)) for k in FIGURES}
        out["max"] = {k: _num(max(f[k] for _, f, _ in shown_runs)) for k in FIGURES}
        w = min(
            range(len(all_r)),
            key=lambda i: (
                [-worst_key(shown_runs[i][1], name) for name in worst_by],
                len(shown_runs[i][0]),
                [position[s] for s in shown_runs[i][0]],
            ),
        )
        out["worst"] = shown(w)
    out["expected"] = exp
    out["sla"] = [_sla_runs(g, n, start, measured) for n in nodes if nodes[n]["sla"] is not None]
    for entry in out["sla"]:
        entry["sla"] = _num(Fraction(nodes[entry["step"]]["sla"]))
    return out
