"""The shape a customer walks (SPEC §5.2): the process graph as integer arrays, loop edges, rounds.

Every other module of this package reads the process through :class:`Structure`:
steps are numbered in file order, successors kept in the order of `next`, and
durations scaled to exact integers (each float duration is a dyadic rational;
all are scaled by one power of two), so ties between journeys are real ties,
never rounding noise.  A journey takes at most R loop edges; the *rounds graph*
(the acyclic graph left after removing the loop edges, copied R+1 times, each
loop edge leading one round up) is what the dynamic programmes of
:mod:`.runs` walk.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Any

from procmap.model.walk import depth_first


def _norm_channel(channel: str | None) -> str | None:
    if channel is None:
        return None
    return channel.strip().casefold()


def _scale_of(durations: Iterable[float]) -> int:
    """A power of two that makes every duration an integer (floats are dyadic rationals)."""
    shift = 0
    for d in durations:
        if d and not float(d).is_integer():
            _mantissa, exponent = math.frexp(d)
            # d = m * 2**e with 53 mantissa bits: d * 2**(53 - e) is an integer.
            shift = max(shift, 53 - exponent)
    return 1 << shift


class Structure:
    """SPEC §5.2's reading of one process graph (nodes in file order, as :func:`procmap.model.graph.build_graph` makes)."""

    def __init__(self, g: Any, repeats: int = 1) -> None:
        self.g = g
        self.R = max(0, int(repeats))
        # networkx's raw dictionaries: its views cost a function call per access (measured 0.2 s at 16k steps).
        data = list(g._node.items())
        self.ids: list[str] = [i for i, _ in data]
        self.pos: dict[str, int] = {n: k for k, n in enumerate(self.ids)}
        n = len(self.ids)
        self.n = n
        self.customer = [bool(d["customer"]) for _, d in data]
        self.chase = [bool(d.get("chase")) for _, d in data]
        self.touch = [bool(d["touchpoint"]) for _, d in data]
        self.update = [bool(d["touchpoint"] and d.get("update")) for _, d in data]
        self.facing = [bool(d["facing"]) for _, d in data]
        self.lane = [d["lane"] for _, d in data]
        self.channel = [_norm_channel(d["channel"]) for _, d in data]
        raw = [d["duration"] for _, d in data]
        self.has_duration = [d is not None for d in raw]
        self.scale = _scale_of(d for d in raw if d is not None)
        self.dur = [int(d * self.scale) if d is not None else 0 for d in raw]
        # Successors in the order of `next` (SPEC §5.2's walk), with each flow's attributes.
        self.succ: list[list[int]] = [[] for _ in range(n)]
        pos = self.pos
        for k, (_u, adj) in enumerate(g._adj.items()):
            if len(adj) == 1:
                self.succ[k] = [pos[v] for v in adj]
            elif adj:
                self.succ[k] = [pos[v] for v in sorted(adj, key=lambda v, adj=adj: adj[v]["index"])]
        self.start = self.pos.get(g.graph.get("start"), -1)
        # SPEC §7.1: the alternatives in `next` order of each step with a fork item, a fork item being one
        # alternative of several targets; every other step's alternatives are its flows (:meth:`alternatives`).
        self.fork_alts: dict[int, list[tuple[int, ...]]] = {}
        for k, (_u, adj) in enumerate(g._adj.items()):
            if len(adj) < 2 or not any(d.get("fork") is not None for d in adj.values()):
                continue
            groups: dict[Any, list[int]] = {}
            for v in self.succ[k]:
                fork = adj[self.ids[v]].get("fork")
                groups.setdefault(("fork", fork) if fork is not None else ("to", v), []).append(v)
            alts = [tuple(vs) for vs in groups.values()]
            if any(len(a) > 1 for a in alts):
                self.fork_alts[k] = alts
        self.forked = bool(self.fork_alts)
        self._walk()

    def alternatives(self, k: int) -> list[tuple[int, ...]]:
        """Step ``k``'s alternatives in `next` order (SPEC §7.1): a fork item's targets together, else one flow each."""
        alts = self.fork_alts.get(k)
        return alts if alts is not None else [(v,) for v in self.succ[k]]

    def _walk(self) -> None:
        """SPEC §5.2's depth-first walk: loop edges, reachable steps, a topological order."""
        loop, post = depth_first(self.start, self.succ)
        reached = [False] * self.n
        for k in post:
            reached[k] = True
        self.loop_edges = loop
        # SPEC §5.7: loop edges the customer expects are not repeats (they still count against R).
        self.unplanned = {(u, v) for u, v in loop if not self.g.edges[self.ids[u], self.ids[v]].get("planned")}
        self.reached = reached
        self.post = post  # successors (along non-loop flows) before predecessors
        self.topo = post[::-1]
        # Most steps start no loop edge: their non-loop flows are their flows (the same list, not a copy)
        # and their loop edges the one empty tuple, so a long process keeps no list per step twice.
        sources = {u for u, _v in loop}
        self.nonloop = [[v for v in s if (u, v) not in loop] if u in sources else s for u, s in enumerate(self.succ)]
        self.loops = [tuple(v for v in s if (u, v) in loop) if u in sources else () for u, s in enumerate(self.succ)]
        self.end = [not s for s in self.succ]

    def loop_edge_ids(self) -> set[tuple[str, str]]:
        """The loop edges as (from, to) step ids."""
        return {(self.ids[u], self.ids[v]) for u, v in self.loop_edges}

    @cached_property
    def _counted(self) -> tuple[int, list[bytearray]]:
        """The number of journeys (an exact integer), and per round which steps some journey passes through.

        Backward over the rounds graph: a state's count is the sum of its
        successors' (a loop edge: the successor one round up).  The counts
        grow with the depth of the process (10^400 at 16,000 steps), so a
        count is dropped as soon as every step before it in its round has
        read it, except at the targets of loop edges, which the round below
        still reads: memory follows the width of the graph, not its length.
        """
        R, n = self.R, self.n
        post, end, nonloop, loops = self.post, self.end, self.nonloop, self.loops
        preds = [0] * n  # non-loop flows into each reached step
        targets: set[int] = set()
        for u in post:
            for v in nonloop[u]:
                preds[v] += 1
            targets.update(loops[u])
        finishing = [bytearray(n) for _ in range(R + 1)]
        up: dict[int, int] = {}
        for r in range(R, -1, -1):
            here: dict[int, int] = {}
            left = list(preds)
            fin = finishing[r]
            for k in post:
                if end[k]:
                    total = 1
                else:
                    total = 0
                    for v in nonloop[k]:
                        total += here[v]
                        left[v] -= 1
                        if not left[v] and v not in targets:
                            del here[v]
                    if r < R:
                        for v in loops[k]:
                            total += up[v]
                here[k] = total
                if total:
                    fin[k] = 1
            up = {v: here[v] for v in targets if v in here}
            if r == 0:
                return (here.get(self.start, 0) if self.start >= 0 else 0), finishing
        raise AssertionError("unreachable: round 0 returns")

    @property
    def count(self) -> int:
        return self._counted[0]

    @cached_property
    def _ways(self) -> list[list[tuple[tuple[int, int, bool], ...] | None]]:
        """_ways[r][k]: (step, round, a repeat) of the ways on from (k, r) that can still finish a journey.

        A repeat is a loop edge that is not planned (SPEC §5.7); every loop edge leads one round up.

        Non-loop flows first, then loop edges, each in `next` order (the main
        journey's order).  None for states no journey passes through.
        """
        finishing, R = self._counted[1], self.R
        out: list[list[tuple[tuple[int, int, bool], ...] | None]] = [[None] * self.n for _ in range(R + 1)]
        for r in range(R + 1):
            here, row = finishing[r], out[r]
            up = finishing[r + 1] if r < R else None
            for k in self.post:
                if not here[k]:
                    continue
                ways = tuple((v, r, False) for v in self.nonloop[k] if here[v])
                if up is not None and self.loops[k]:
                    ways += tuple((v, r + 1, (k, v) in self.unplanned) for v in self.loops[k] if up[v])
                row[k] = ways
        return out

    def _forward_order(self) -> Iterable[tuple[int, int, tuple[tuple[int, int, bool], ...]]]:
        """Every state some journey can pass through, predecessors first, with its ways on."""
        for r in range(self.R + 1):
            ways = self._ways[r]
            for k in self.topo:
                w = ways[k]
                if w is not None:
                    yield k, r, w

    def _next_states(self, k: int, r: int) -> tuple[tuple[int, int, bool], ...]:
        return self._ways[r][k] or ()

    @cached_property
    def _finishes(self) -> list[bool]:
        """Steps from which an end step can be reached (the opposite of SPEC's dead-end)."""
        preds: list[list[int]] = [[] for _ in range(self.n)]
        for u in range(self.n):
            for v in self.succ[u]:
                preds[v].append(u)
        ok = [False] * self.n
        queue = deque(k for k in range(self.n) if self.end[k])
        for k in queue:
            ok[k] = True
        while queue:
            v = queue.popleft()
            for u in preds[v]:
                if not ok[u]:
                    ok[u] = True
                    queue.append(u)
        return ok

    @cached_property
    def chance(self) -> list[Mapping[int, Fraction]] | None:
        """Each reached step's flows with their shares as exact fractions; None when shares do not define a chain.

        SPEC §5.4: the chain is defined when every step with several flows that
        the start reaches has shares and no dead end is reachable (some
        customers would never finish).  A step with one flow passes everyone on.
        """
        out: list[Mapping[int, Fraction]] = [_NOWHERE] * self.n
        edges = self.g.edges
        written: dict[float, Fraction] = {}  # one Fraction per share as written, not one per flow
        for k in range(self.n):
            if not self.reached[k]:
                continue
            if not self._finishes[k]:
                return None
            succ = self.succ[k]
            if len(succ) == 1:  # the common case, kept small: a long process has thousands
                out[k] = _OnlyWay(succ[0])
            elif len(self.alternatives(k)) == 1:  # one alternative (a fork item) passes everyone on
                out[k] = dict.fromkeys(succ, _ONE)
            elif succ:
                shares = [edges[self.ids[k], self.ids[v]]["share"] for v in succ]
                if any(s is None for s in shares):
                    return None
                # repr: the shortest decimal that reads back as the float, i.e. the share as written.
                out[k] = {
                    v: written.get(s) or written.setdefault(s, Fraction(repr(s)))
                    for v, s in zip(succ, shares, strict=True)
                }
        return out

    def share_of(self, u: int, v: int) -> Fraction:
        """The share of the flow u -> v (1 for a step's only flow); only when :attr:`chance` is defined."""
        chance = self.chance
        assert chance is not None
        return chance[u][v]

    def _seconds(self, scaled: int) -> float | int:
        if self.scale == 1:
            return scaled
        value = scaled / self.scale
        return int(value) if value.is_integer() else value

    @cached_property
    def facing_steps_without_channel(self) -> int:
        return sum(1 for k in range(self.n) if self.reached[k] and self.facing[k] and self.channel[k] is None)

    @cached_property
    def steps_without_duration(self) -> int:
        return sum(1 for k in range(self.n) if self.reached[k] and not self.has_duration[k])


_ONE = Fraction(1)


class _OnlyWay(Mapping[int, Fraction]):
    """The shares of a step with one flow: everyone takes it (a read-only ``{target: 1}`` in 48 bytes, not 200)."""

    __slots__ = ("target",)

    def __init__(self, target: int) -> None:
        self.target = target

    def __getitem__(self, key: int) -> Fraction:
        if key != self.target:
            raise KeyError(key)
        return _ONE

    def __iter__(self) -> Iterator[int]:
        yield self.target

    def __len__(self) -> int:
        return 1


_NOWHERE: Mapping[int, Fraction] = MappingProxyType({})  # a step the start does not reach


def sccs(n: int, succ: list[list[int]]) -> tuple[list[int], list[list[int]]]:
    """Strongly connected components, iterative Tarjan: (component of each node, members by component).

    Components are numbered in the order Tarjan completes them: every
    component's successors have smaller numbers (sinks first).
    """
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    comp = [-1] * n
    members: list[list[int]] = []
    stack: list[int] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            u, i = work[-1]
            if i < len(succ[u]):
                work[-1] = (u, i + 1)
                v = succ[u][i]
                if index[v] == -1:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack[v] = True
                    work.append((v, 0))
                elif on_stack[v]:
                    low[u] = min(low[u], index[v])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[u])
            if low[u] == index[u]:
                group = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = len(members)
                    group.append(w)
                    if w == u:
                        break
                members.append(group)
    return comp, members
