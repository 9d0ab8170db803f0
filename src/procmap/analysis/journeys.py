"""What one customer goes through (SPEC §5): journeys, their figures, repeat loops, fail points, slas.

Section 1 counts places in the graph; this module reads the graph the way a
customer walks it.  A journey is a path from the start to an end step taking
at most R loop edges, so there can be astronomically many (a chain of 100
two-way decisions has 2^100).  Nothing here enumerates them: every figure is a
dynamic programme over the *rounds graph* (the acyclic graph left after
removing the loop edges, copied R+1 times, each loop edge leading one round
up), visited once in topological order, carrying only the state that figure
needs:

* additive figures (customer actions, touchpoints, elapsed, repeats): a
  number per state, minimum and maximum;
* visible handoffs: the lane of the last touchpoint that is not an update;
* channel switches: the last channel met;
* parties (a set-valued figure): the sets of touchpoint lanes met so far,
  kept as bit masks, pruned to an antichain — for the maximum only the
  maximal sets matter (a superset can never end with fewer parties than its
  subset, whatever follows), for the minimum only the minimal ones.  Exact,
  and bounded by the antichains of the touchpoint lanes (at most
  C(L, L/2) sets for L lanes with touchpoints, 252 for ten; in real processes
  a handful);
* longest silence: pairs (longest closed silence, silence still open) pruned
  to a Pareto front; a facing step closes the open silence and collapses the
  front to one pair, so fronts only live between two facing steps and hold at
  most one pair per facing step that leads there.

The worst journey needs lexicographic tie-breaks (most handoffs, then longest
elapsed, then fewest steps, then the smallest step-index sequence): a
backward programme gives each (state, last lane) the best key of any way to
finish, and a forward walk takes at each step the smallest-index successor
that keeps the best key — which is exactly the lexicographically smallest
among the best.

Durations are summed as exact integers (each float duration is a dyadic
rational; all are scaled by one power of two), so ties between journeys are
real ties, never rounding noise.

Expected figures solve a sparse linear system over the Markov chain the
shares define; see :func:`_expected_visits` for the solver and why it is
hand-written.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

FIGURES: tuple[str, ...] = (
    "customer_actions",
    "touchpoints",
    "parties",
    "visible_handoffs",
    "channel_switches",
    "elapsed",
    "longest_silence",
    "repeats",
)
# The figures that add up along a journey: the only ones with a meaningful mean (SPEC §5.4).
ADDITIVE: tuple[str, ...] = (
    "customer_actions",
    "touchpoints",
    "visible_handoffs",
    "channel_switches",
    "elapsed",
    "repeats",
)
SECONDS_FIGURES = frozenset({"elapsed", "longest_silence"})

_NEG_INF = float("-inf")
# At most this many asked-twice entries are listed; asked_twice_total keeps the exact count.
ASKED_TWICE_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Journey:
    """One journey: its steps (ids, in order; loops repeat them), which flows were loop edges, and its figures."""

    steps: tuple[str, ...]
    figures: dict[str, float | int]
    repeats_at: tuple[int, ...] = ()  # positions i where steps[i-1] -> steps[i] is a loop edge


@dataclass(frozen=True, slots=True)
class RepeatLoop:
    source: str
    target: str
    when: str | None
    cycle: tuple[str, ...]
    facing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FailPoint:
    step: str
    backup: str | None
    surfaces_at: tuple[str, ...]
    marked: bool  # fail_point: true (else selected by the no-backup definition)


@dataclass(frozen=True, slots=True)
class AskedTwice:
    data: str
    first: str
    second: str


@dataclass(frozen=True, slots=True)
class SlaWait:
    step: str
    sla: float
    longest_wait: float | None  # None: unbounded (a loop of non-facing steps)
    source: str | None
    breach: bool


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


def _prune_max(masks: set[int]) -> set[int]:
    """Only the maximal sets: a subset can never end a journey with more parties than its superset."""
    if len(masks) <= 1:
        return masks
    ordered = sorted(masks, key=int.bit_count, reverse=True)
    kept: list[int] = []
    for m in ordered:
        if not any(m | k == k for k in kept):
            kept.append(m)
    return set(kept)


def _prune_min(masks: set[int]) -> set[int]:
    """Only the minimal sets: a superset can never end a journey with fewer parties than its subset."""
    if len(masks) <= 1:
        return masks
    ordered = sorted(masks, key=int.bit_count)
    kept: list[int] = []
    for m in ordered:
        if not any(m | k == m for k in kept):
            kept.append(m)
    return set(kept)


def _front_min(pairs: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Pareto front for the least longest silence: (closed, open) pairs, both smaller is better."""
    if len(pairs) <= 1:
        return pairs
    pairs = sorted(set(pairs))
    out: list[tuple[Any, Any]] = []
    best_open: Any = None
    for closed, open_ in pairs:
        if best_open is None or open_ < best_open:
            out.append((closed, open_))
            best_open = open_
    return out


def _front_max(pairs: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Pareto front for the greatest longest silence: (closed, open) pairs, both larger is better."""
    if len(pairs) <= 1:
        return pairs
    pairs = sorted(set(pairs), reverse=True)
    out: list[tuple[Any, Any]] = []
    best_open: Any = None
    for closed, open_ in pairs:
        if best_open is None or open_ > best_open:
            out.append((closed, open_))
            best_open = open_
    return out


def _merge_ranges(dicts: Iterable[dict[Any, tuple[int, int]]]) -> dict[Any, tuple[int, int]]:
    """Union of label -> (min, max) maps, keeping the widest range per label."""
    out: dict[Any, tuple[int, int]] = {}
    for d in dicts:
        for key, (a, b) in d.items():
            cur = out.get(key)
            out[key] = (a, b) if cur is None else (min(cur[0], a), max(cur[1], b))
    return out


def _step_range(before: dict[Any, tuple[int, int]], label: Any) -> tuple[int, int]:
    """(min, max) count after meeting ``label``, given the counts per previous label."""
    if len(before) == 1:
        for last, (a, b) in before.items():
            step = 1 if last is not None and last != label else 0
            return a + step, b + step
    lo = hi = None
    for last, (a, b) in before.items():
        step = 1 if last is not None and last != label else 0
        lo = a + step if lo is None or a + step < lo else lo
        hi = b + step if hi is None or b + step > hi else hi
    assert lo is not None and hi is not None
    return lo, hi


class Journeys:
    """SPEC §5 for one process graph (nodes in file order, as :func:`procmap.model.graph.build_graph` makes)."""

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
        self._walk()

    def with_repeats(self, repeats: int) -> Journeys:
        """The same process read with another R: what does not depend on R is kept, not recomputed."""
        if repeats == self.R:
            return self
        other = object.__new__(Journeys)
        keep = {"counts", "_ways", "_additive", "_forward", "bounds", "worst", "main"}
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k not in keep})
        other.R = max(0, int(repeats))
        return other

    # ------------------------------------------------------------------ structure

    def _walk(self) -> None:
        """SPEC §5.2's depth-first walk: loop edges, reachable steps, a topological order. Iterative."""
        n = self.n
        colour = [0] * n  # 0 unseen, 1 on the walk's current path, 2 finished
        loop: set[tuple[int, int]] = set()
        post: list[int] = []
        if self.start >= 0:
            colour[self.start] = 1
            stack: list[tuple[int, int]] = [(self.start, 0)]
            while stack:
                u, i = stack[-1]
                succ = self.succ[u]
                if i < len(succ):
                    stack[-1] = (u, i + 1)
                    v = succ[i]
                    if colour[v] == 1:
                        loop.add((u, v))
                    elif colour[v] == 0:
                        colour[v] = 1
                        stack.append((v, 0))
                else:
                    colour[u] = 2
                    post.append(u)
                    stack.pop()
        self.loop_edges = loop
        self.reached = [c == 2 for c in colour]
        self.post = post  # successors (along non-loop flows) before predecessors
        self.topo = post[::-1]
        self.nonloop = [[v for v in s if (u, v) not in loop] for u, s in enumerate(self.succ)]
        self.loops = [[v for v in s if (u, v) in loop] for u, s in enumerate(self.succ)]
        self.end = [not s for s in self.succ]

    def loop_edge_ids(self) -> set[tuple[str, str]]:
        """The loop edges as (from, to) step ids."""
        return {(self.ids[u], self.ids[v]) for u, v in self.loop_edges}

    @cached_property
    def counts(self) -> list[list[int]]:
        """counts[r][k]: journeys from step k in round r to an end (exact integers)."""
        R = self.R
        out = [[0] * self.n for _ in range(R + 1)]
        for r in range(R, -1, -1):
            here = out[r]
            up = out[r + 1] if r < R else None
            for k in self.post:
                if self.end[k]:
                    here[k] = 1
                    continue
                total = 0
                for v in self.nonloop[k]:
                    total += here[v]
                if up is not None:
                    for v in self.loops[k]:
                        total += up[v]
                here[k] = total
        return out

    @property
    def count(self) -> int:
        return self.counts[0][self.start] if self.start >= 0 else 0

    @cached_property
    def _ways(self) -> list[list[list[tuple[int, int, bool]] | None]]:
        """_ways[r][k]: (step, round, via a loop edge) of the ways on from (k, r) that can still finish a journey.

        Non-loop flows first, then loop edges, each in `next` order (the main
        journey's order).  None for states no journey passes through.
        """
        counts, R = self.counts, self.R
        out: list[list[list[tuple[int, int, bool]] | None]] = [[None] * self.n for _ in range(R + 1)]
        for r in range(R + 1):
            here, row = counts[r], out[r]
            up = counts[r + 1] if r < R else None
            for k in self.post:
                if not here[k]:
                    continue
                ways = [(v, r, False) for v in self.nonloop[k] if here[v]]
                if up is not None and self.loops[k]:
                    ways += [(v, r + 1, True) for v in self.loops[k] if up[v]]
                row[k] = ways
        return out

    def _next_states(self, k: int, r: int) -> list[tuple[int, int, bool]]:
        return self._ways[r][k] or []

    # ------------------------------------------------------------------ one journey

    def figures_of(self, path: list[tuple[int, int]]) -> dict[str, float | int]:
        """SPEC §5.3's eight figures of one journey, read along its steps: (step, round) pairs."""
        ca = tp = hand = sw = 0
        elapsed = 0
        parties: set[str] = set()
        last_lane: str | None = None
        last_chan: str | None = None
        silence = 0
        open_: int | None = None
        repeats = sum(1 for i in range(1, len(path)) if path[i][1] != path[i - 1][1])
        for k, _r in path:
            elapsed += self.dur[k]
            if self.customer[k]:
                ca += 1
            if self.touch[k]:
                tp += 1
                if not self.update[k]:
                    parties.add(self.lane[k])
                    if last_lane is not None and last_lane != self.lane[k]:
                        hand += 1
                    last_lane = self.lane[k]
            if self.facing[k]:
                c = self.channel[k]
                if c is not None:
                    if last_chan is not None and last_chan != c:
                        sw += 1
                    last_chan = c
                if open_ is not None:
                    silence = max(silence, open_)
                open_ = 0
            elif open_ is not None:
                open_ += self.dur[k]
        return {
            "customer_actions": ca,
            "touchpoints": tp,
            "parties": len(parties),
            "visible_handoffs": hand,
            "channel_switches": sw,
            "elapsed": self._seconds(elapsed),
            "longest_silence": self._seconds(silence),
            "repeats": repeats,
        }

    def _seconds(self, scaled: int) -> float | int:
        if self.scale == 1:
            return scaled
        value = scaled / self.scale
        return int(value) if value.is_integer() else value

    def _journey(self, path: list[tuple[int, int]]) -> Journey:
        return Journey(
            tuple(self.ids[k] for k, _ in path),
            self.figures_of(path),
            tuple(i for i in range(1, len(path)) if path[i][1] != path[i - 1][1]),
        )

    @cached_property
    def main(self) -> Journey | None:
        """SPEC §5.2: the first journey in depth-first order (non-loop flows first, then loop edges)."""
        if not self.count:
            return None
        path = [(self.start, 0)]
        k, r = self.start, 0
        while not self.end[k]:
            k, r, _ = self._next_states(k, r)[0]
            path.append((k, r))
        return self._journey(path)

    # ------------------------------------------------------------------ min / max

    @cached_property
    def _additive(self) -> tuple[list[list[tuple[int, ...]]], list[list[tuple[int, ...]]]]:
        """Backward: per (round, step), the least and greatest (customer actions, touchpoints, elapsed, repeats)."""
        R, n = self.R, self.n
        lo: list[list[Any]] = [[None] * n for _ in range(R + 1)]
        hi: list[list[Any]] = [[None] * n for _ in range(R + 1)]
        customer, touch, dur = self.customer, self.touch, self.dur
        for r in range(R, -1, -1):
            ways_r, lo_r, hi_r = self._ways[r], lo[r], hi[r]
            for k in self.post:
                ways = ways_r[k]
                if ways is None:
                    continue
                c, t, d = int(customer[k]), int(touch[k]), dur[k]
                if not ways:
                    lo_r[k] = hi_r[k] = (c, t, d, 0)
                    continue
                v, rv, is_loop = ways[0]
                a0, a1, a2, a3 = lo[rv][v]
                b0, b1, b2, b3 = hi[rv][v]
                if is_loop:
                    a3 += 1
                    b3 += 1
                for v, rv, is_loop in ways[1:]:
                    x0, x1, x2, x3 = lo[rv][v]
                    y0, y1, y2, y3 = hi[rv][v]
                    x3 += is_loop
                    y3 += is_loop
                    a0, a1, a2, a3 = min(a0, x0), min(a1, x1), min(a2, x2), min(a3, x3)
                    b0, b1, b2, b3 = max(b0, y0), max(b1, y1), max(b2, y2), max(b3, y3)
                lo_r[k] = (a0 + c, a1 + t, a2 + d, a3)
                hi_r[k] = (b0 + c, b1 + t, b2 + d, b3)
        return lo, hi

    def _forward_order(self) -> Iterable[tuple[int, int, list[tuple[int, int, bool]]]]:
        for r in range(self.R + 1):
            ways = self._ways[r]
            for k in self.topo:
                w = ways[k]
                if w is not None:
                    yield k, r, w

    @cached_property
    def _forward(self) -> tuple[dict[str, tuple[Any, Any]], dict[tuple[int, int], tuple[Any, ...]]]:
        """One forward pass for the figures that need a state; also keeps each state's incoming lanes.

        Each state collects what its predecessors hand on and merges it when
        its turn comes; with one predecessor (most steps) nothing is copied.
        The structures handed on are never changed afterwards.
        """
        incoming: dict[tuple[int, int], list[tuple[Any, ...]]] = {
            (self.start, 0): [({None: (0, 0)}, {None: (0, 0)}, (0,), (0,), ((0, _NEG_INF),), ((0, _NEG_INF),))]
        }
        lanes_in: dict[tuple[int, int], tuple[Any, ...]] = {}
        bits: dict[str, int] = {}
        result: dict[str, list[Any]] = {
            "parties": [None, None],
            "visible_handoffs": [None, None],
            "channel_switches": [None, None],
            "longest_silence": [None, None],
        }

        def fold(key: str, lo: Any, hi: Any) -> None:
            cur = result[key]
            cur[0] = lo if cur[0] is None else min(cur[0], lo)
            cur[1] = hi if cur[1] is None else max(cur[1], hi)

        touch, update, lanes, facing, channel, dur, end = (
            self.touch,
            self.update,
            self.lane,
            self.facing,
            self.channel,
            self.dur,
            self.end,
        )
        for k, r, ways in self._forward_order():
            parts = incoming.pop((k, r), None)
            if parts is None:
                continue  # not reached from the start in this round
            if len(parts) == 1:
                hand_in, chan_in, pmin, pmax, smin, smax = parts[0]
            else:
                hand_in = _merge_ranges(p[0] for p in parts)
                chan_in = _merge_ranges(p[1] for p in parts)
                pmin = tuple(_prune_min({m for p in parts for m in p[2]}))
                pmax = tuple(_prune_max({m for p in parts for m in p[3]}))
                smin = tuple(_front_min([x for p in parts for x in p[4]]))
                smax = tuple(_front_max([x for p in parts for x in p[5]]))
            lanes_in[(k, r)] = tuple(hand_in)
            # visible handoffs and parties: touchpoints that are not updates
            if touch[k] and not update[k]:
                lane = lanes[k]
                hand = {lane: _step_range(hand_in, lane)}
                bit = bits.get(lane)
                if bit is None:
                    bit = bits[lane] = 1 << len(bits)
                pmin = (pmin[0] | bit,) if len(pmin) == 1 else tuple(_prune_min({m | bit for m in pmin}))
                pmax = (pmax[0] | bit,) if len(pmax) == 1 else tuple(_prune_max({m | bit for m in pmax}))
            else:
                hand = hand_in
            # channel switches: the last channel met
            c = channel[k] if facing[k] else None
            chan = {c: _step_range(chan_in, c)} if c is not None else chan_in
            # longest silence: (longest closed, open); open is -inf before the first facing step
            if facing[k]:
                if len(smin) == 1:
                    x, y = smin[0]
                    smin = ((x if x > y else y, 0),)
                else:
                    smin = ((min(x if x > y else y for x, y in smin), 0),)
                if len(smax) == 1:
                    x, y = smax[0]
                    smax = ((x if x > y else y, 0),)
                else:
                    smax = ((max(x if x > y else y for x, y in smax), 0),)
            elif dur[k]:
                d = dur[k]
                smin = tuple((x, y + d) for x, y in smin)
                smax = tuple((x, y + d) for x, y in smax)
            if end[k]:
                fold("visible_handoffs", min(v[0] for v in hand.values()), max(v[1] for v in hand.values()))
                fold("channel_switches", min(v[0] for v in chan.values()), max(v[1] for v in chan.values()))
                fold("parties", min(m.bit_count() for m in pmin), max(m.bit_count() for m in pmax))
                fold("longest_silence", min(x for x, _ in smin), max(x for x, _ in smax))
                continue
            handed = (hand, chan, pmin, pmax, smin, smax)
            for v, rv, _is_loop in ways:
                key = (v, rv)
                got = incoming.get(key)
                if got is None:
                    incoming[key] = [handed]
                else:
                    got.append(handed)
        return {key: (lo, hi) for key, (lo, hi) in result.items()}, lanes_in

    @cached_property
    def bounds(self) -> tuple[dict[str, float | int], dict[str, float | int]]:
        """(min, max) of each figure over all journeys."""
        if not self.count:
            return {}, {}
        lo_add, hi_add = self._additive
        lo4, hi4 = lo_add[0][self.start], hi_add[0][self.start]
        stateful, _ = self._forward
        lo: dict[str, float | int] = {}
        hi: dict[str, float | int] = {}
        for name in FIGURES:
            if name in stateful:
                a, b = stateful[name]
            else:
                i = ("customer_actions", "touchpoints", "elapsed", "repeats").index(name)
                a, b = lo4[i], hi4[i]
            if name in SECONDS_FIGURES:
                a, b = self._seconds(a), self._seconds(b)
            lo[name], hi[name] = a, b
        return lo, hi

    # ------------------------------------------------------------------ worst journey

    @cached_property
    def worst(self) -> Journey | None:
        """Most visible handoffs; ties: longest elapsed, then fewest steps, then smallest step-index sequence."""
        if not self.count:
            return None
        _, lanes_in = self._forward
        R, n = self.R, self.n
        # best[r][k][last lane before k] = (handoffs, elapsed, -steps) of the best way to finish
        best: list[list[dict[Any, tuple[int, int, int]] | None]] = [[None] * n for _ in range(R + 1)]
        lane_of, dur = self.lane, self.dur
        for r in range(R, -1, -1):
            ways_r, best_r = self._ways[r], best[r]
            for k in self.post:
                ins = lanes_in.get((k, r))
                if ins is None:
                    continue
                ways = ways_r[k] or []
                nu_tp = self.touch[k] and not self.update[k]
                here: dict[Any, tuple[int, int, int]] = {}
                tail: dict[Any, tuple[int, int, int]] = {}
                for last in ins:
                    out = lane_of[k] if nu_tp else last
                    t = tail.get(out)
                    if t is None:
                        t = max((best[rv][v][out] for v, rv, _ in ways), default=(0, 0, 0))  # type: ignore[index]
                        tail[out] = t
                    step = 1 if nu_tp and last is not None and last != lane_of[k] else 0
                    here[last] = (t[0] + step, t[1] + dur[k], t[2] - 1)
                best_r[k] = here
        k, r, last = self.start, 0, None
        path = [(k, r)]
        while not self.end[k]:
            nu_tp = self.touch[k] and not self.update[k]
            out = lane_of[k] if nu_tp else last
            step = 1 if nu_tp and last is not None and last != lane_of[k] else 0
            h, e, neg_n = best[r][k][last]  # type: ignore[index]
            want = (h - step, e - dur[k], neg_n + 1)
            k, r = min((v, rv) for v, rv, _ in self._ways[r][k] or [] if best[rv][v][out] == want)  # type: ignore[index]
            last = out
            path.append((k, r))
        return self._journey(path)

    # ------------------------------------------------------------------ process-level facts

    @cached_property
    def facing_steps_without_channel(self) -> int:
        return sum(1 for k in range(self.n) if self.reached[k] and self.facing[k] and self.channel[k] is None)

    @cached_property
    def steps_without_duration(self) -> int:
        return sum(1 for k in range(self.n) if self.reached[k] and not self.has_duration[k])

    def _bfs_tree(self, source: int) -> dict[int, int]:
        """Breadth-first parents from ``source`` in the full graph, successors in file order of their steps.

        The first parent to discover a step lies on the lexicographically
        smallest of the shortest paths to it (levels are dequeued in that
        order), so one tree answers every "shortest path from source, ties to
        the smallest sequence of file positions" question.  Only the source's
        strongly connected component is walked: every path from the source
        back into it stays inside it.
        """
        comp = self._component[source]
        within = self._component
        parent = {source: -1}
        queue = deque([source])
        while queue:
            u = queue.popleft()
            succ = self.succ[u]
            for v in sorted(succ) if len(succ) > 1 else succ:
                if v not in parent and within[v] == comp:
                    parent[v] = u
                    queue.append(v)
        return parent

    @cached_property
    def _component(self) -> list[int]:
        """Strongly connected component of each step: a loop edge's cycle never leaves its component."""
        return _sccs(self.n, self.succ)[0]

    @cached_property
    def repeat_loops(self) -> list[RepeatLoop]:
        """Loop edges whose cycle holds a facing step: the customer has to come back.

        The cycle of a loop edge u -> v is a shortest path v ... u; loop edges
        that share a target share one breadth-first tree.
        """
        out = []
        trees: dict[int, dict[int, int]] = {}
        for u in range(self.n):
            for v in self.loops[u]:
                if u == v:
                    cycle = [v]
                else:
                    tree = trees.get(v)
                    if tree is None:
                        tree = trees[v] = self._bfs_tree(v)
                    cycle = [u]
                    while cycle[-1] != v:
                        cycle.append(tree[cycle[-1]])
                    cycle.reverse()
                facing = tuple(self.ids[x] for x in cycle if self.facing[x])
                if facing:
                    when = self.g.edges[self.ids[u], self.ids[v]]["when"]
                    out.append(RepeatLoop(self.ids[u], self.ids[v], when, tuple(self.ids[x] for x in cycle), facing))
        return out

    def _surfaces(self, k: int) -> tuple[str, ...]:
        """Facing steps a flow path from k reaches with no facing step inside; k itself when facing."""
        if self.facing[k]:
            return (self.ids[k],)
        seen = {k}
        found: set[int] = set()
        queue = deque([k])
        while queue:
            u = queue.popleft()
            for v in self.succ[u]:
                if self.facing[v]:
                    found.add(v)
                elif v not in seen:
                    seen.add(v)
                    queue.append(v)
        return tuple(self.ids[x] for x in sorted(found))

    def fail_points(self, no_backup: Iterable[str]) -> list[FailPoint]:
        """Marked fail points and the steps the `no-backup` rule selects, each with where the customer finds out."""
        chosen = set(no_backup)
        out = []
        nodes = self.g.nodes
        for k, sid in enumerate(self.ids):
            marked = bool(nodes[sid]["fail_point"])
            if marked or sid in chosen:
                out.append(FailPoint(sid, nodes[sid]["backup"], self._surfaces(k), marked))
        return out

    @cached_property
    def _askers(self) -> dict[str, list[int]]:
        """Each data class (in order of first appearance) with the customer actions that give it, in file order."""
        nodes = self.g.nodes
        classes: dict[str, list[int]] = {}
        for k, sid in enumerate(self.ids):
            for c in nodes[sid]["data"]:
                members = classes.setdefault(c, [])
                if self.customer[k] and (not members or members[-1] != k):
                    members.append(k)
        return classes

    @cached_property
    def asked_twice_total(self) -> int:
        """How many (class, first, second) entries SPEC §5.4 defines, counted without listing them.

        Every pair of askers on one path is an entry, so a long chain of customer
        actions sharing one data list has quadratically many; counting them is
        bit arithmetic, listing them is what :attr:`asked_twice` caps.
        """
        comp, _order = _sccs(self.n, self.succ)
        total = 0
        for askers in self._askers.values():
            if len(askers) < 2:
                continue
            bit = {k: 1 << i for i, k in enumerate(askers)}
            reach = self._reach_bits(bit)
            earlier_in_comp: dict[int, int] = {}
            for a in askers:
                same = earlier_in_comp.get(comp[a], 0)  # askers before a in a's component: paths run both ways
                total += (reach[a] & ~bit[a] & ~same).bit_count()
                earlier_in_comp[comp[a]] = same | bit[a]
        return total

    @cached_property
    def asked_twice(self) -> list[AskedTwice]:
        """Customer actions asked for a data class that an earlier customer action on a path already gave.

        In SPEC order (second, then first, then class), at most
        ``ASKED_TWICE_LIMIT`` entries: the list can be quadratic in the steps
        (issue 15: outputs stay linear in the input), and ``asked_twice_total``
        keeps the exact count.  Per class one reachability pass backwards over
        its askers only (bit sets over the strongly connected components), then
        the seconds in file order until the limit is reached.
        """
        classes = self._askers
        order = {c: i for i, c in enumerate(classes)}
        comp, _order = _sccs(self.n, self.succ)
        pred: list[list[int]] = [[] for _ in range(self.n)]
        for u in range(self.n):
            for v in self.succ[u]:
                pred[v].append(u)
        per_class = []
        for c, askers in classes.items():
            if len(askers) < 2:
                continue
            bit = {k: 1 << i for i, k in enumerate(askers)}
            per_class.append((c, askers, bit, self._reach_bits(bit, pred)))
        seconds = sorted({b for _c, askers, _bit, _rev in per_class for b in askers})
        out: list[AskedTwice] = []
        for b in seconds:
            found: list[tuple[int, int, str]] = []
            for c, askers, bit, rev in per_class:
                if b not in bit:
                    continue
                hits = rev[b] & ~bit[b]  # askers of c that reach b
                while hits:
                    low = hits & -hits
                    hits ^= low
                    a = askers[low.bit_length() - 1]
                    if comp[a] == comp[b] and b < a:
                        continue  # paths both ways: only the pair with the first in file order first
                    found.append((a, order[c], c))
            found.sort()
            for a, _i, c in found:
                out.append(AskedTwice(c, self.ids[a], self.ids[b]))
                if len(out) >= ASKED_TWICE_LIMIT:
                    return out
        return out

    def _reach_bits(self, bit: dict[int, int], adj: list[list[int]] | None = None) -> list[int]:
        """For every step, the bits of the marked steps a path of one or more flows reaches (SCC condensation).

        With ``adj`` the predecessor lists, the marked steps that reach each step instead.
        """
        adj = self.succ if adj is None else adj
        comp, order = _sccs(self.n, adj)
        comp_bits = [0] * len(order)
        comp_reach = [0] * len(order)
        for k, b in bit.items():
            comp_bits[comp[k]] |= b
        for c in range(len(order)):  # Tarjan numbers components sinks first
            members = order[c]
            acc = 0
            cyclic = len(members) > 1 or members[0] in self.succ[members[0]]
            for u in members:
                for v in adj[u]:
                    cv = comp[v]
                    if cv != c:
                        acc |= comp_reach[cv] | comp_bits[cv]
            if cyclic:
                acc |= comp_bits[c]
            comp_reach[c] = acc
        return [comp_reach[comp[k]] for k in range(self.n)]

    @cached_property
    def sla(self) -> list[SlaWait]:
        """Each step with an sla: the longest wait since the last facing step, and whether it breaks the sla."""
        nodes = self.g.nodes
        out = []
        preds: list[list[int]] | None = None
        for k, sid in enumerate(self.ids):
            sla = nodes[sid]["sla"]
            if sla is None:
                continue
            if preds is None:
                preds = [[] for _ in range(self.n)]
                for u in range(self.n):
                    for v in self.succ[u]:
                        preds[v].append(u)
            out.append(self._sla_of(k, sla, preds))
        return out

    def _sla_of(self, s: int, sla: float, preds: list[list[int]]) -> SlaWait:
        # Steps that reach s through non-facing steps only (s itself included), and the facing steps leading in.
        region = {s}
        sources: set[int] = set()
        queue = deque([s])
        while queue:
            x = queue.popleft()
            for p in preds[x]:
                if self.facing[p]:
                    sources.add(p)
                elif p not in region:
                    region.add(p)
                    queue.append(p)
        inner = {x for x in region if x == s or not self.facing[x]}
        if sources:
            starts = [(f, [v for v in self.succ[f] if v in inner]) for f in sorted(sources)]
        elif self.start in inner:
            starts = [(-1, [self.start])]
        else:  # pragma: no cover - every audited step is reachable from the start
            starts = []
        sid = self.ids[s]
        expand_s = not self.facing[s]  # a non-facing step may recur: a loop through it is part of the wait
        on_path = self._forward_within(inner, [v for _, firsts in starts for v in firsts], s, expand_s)
        if _has_cycle(on_path, self.succ, None if expand_s else s):
            source = -1
            for f, firsts in starts:
                part = self._forward_within(inner, firsts, s, expand_s)
                if firsts and _has_cycle(part, self.succ, None if expand_s else s):
                    source = f
                    break
            return SlaWait(sid, sla, None, self.ids[source] if source >= 0 else None, True)
        longest = self._longest_into(s, on_path)
        best_source, best = -1, None
        for f, firsts in starts:
            if not firsts:
                continue
            value = max(longest[v] for v in firsts)
            if best is None or value > best:
                best_source, best = f, value
        wait = self._seconds(best or 0)
        return SlaWait(sid, sla, wait, self.ids[best_source] if best_source >= 0 else None, wait > sla)

    def _forward_within(self, inner: set[int], firsts: list[int], s: int, expand_s: bool) -> set[int]:
        """The steps of ``inner`` on some path from ``firsts`` (stopping at s unless it may recur)."""
        seen = set(firsts)
        queue = deque(firsts)
        while queue:
            x = queue.popleft()
            if x == s and not expand_s:
                continue
            for v in self.succ[x]:
                if v in inner and v not in seen:
                    seen.add(v)
                    queue.append(v)
        return seen

    def _longest_into(self, s: int, region: set[int]) -> dict[int, int]:
        """For each step of an acyclic region, the greatest duration sum from it to s inclusive."""
        order: list[int] = []
        seen: set[int] = set()
        for root in region:
            if root in seen:
                continue
            seen.add(root)
            stack = [(root, iter(self.succ[root]))]
            while stack:
                x, it = stack[-1]
                advanced = False
                if x != s:
                    for v in it:
                        if v in region and v not in seen:
                            seen.add(v)
                            stack.append((v, iter(self.succ[v])))
                            advanced = True
                            break
                if not advanced:
                    order.append(x)
                    stack.pop()
        longest: dict[int, int] = {}
        for x in order:  # successors first
            if x == s:
                longest[x] = self.dur[s]
                continue
            tails = [longest[v] for v in self.succ[x] if v in region and v in longest]
            if tails:
                longest[x] = self.dur[x] + max(tails)
        return longest

    # ------------------------------------------------------------------ expected

    @cached_property
    def expected(self) -> dict[str, float] | None:
        """Mean of the additive figures over customers, shares read as probabilities; None when undefined."""
        if self.start < 0:
            return None
        g = self.g
        prob: list[list[tuple[int, float]]] = [[] for _ in range(self.n)]
        for k in range(self.n):
            if not self.reached[k] or self.end[k]:
                continue
            u = self.ids[k]
            shares = [g.edges[u, self.ids[v]]["share"] for v in self.succ[k]]
            if len(self.succ[k]) == 1:
                prob[k] = [(self.succ[k][0], 1.0)]
            elif any(s is None for s in shares):
                return None
            else:
                total = sum(shares)
                prob[k] = [(v, s / total) for v, s in zip(self.succ[k], shares, strict=True)]
        if any(self.reached[k] and not self._finishes[k] for k in range(self.n)):
            return None  # a dead end is reachable: some customers never finish, the mean is undefined
        visits = _expected_visits(self.n, self.start, prob)
        loops = self.loop_edges
        out: dict[str, float] = {
            "customer_actions": sum(visits[k] for k in range(self.n) if self.customer[k]),
            "touchpoints": sum(visits[k] for k in range(self.n) if self.touch[k]),
            "elapsed": sum(visits[k] * self.dur[k] for k in range(self.n)) / self.scale,
            "repeats": sum(visits[u] * p for u in range(self.n) for v, p in prob[u] if (u, v) in loops),
        }
        out["visible_handoffs"] = self._expected_switches(
            prob, lambda k: self.lane[k] if self.touch[k] and not self.update[k] else None
        )
        out["channel_switches"] = self._expected_switches(prob, lambda k: self.channel[k] if self.facing[k] else None)
        return {name: _clean_float(out[name]) for name in ADDITIVE}

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

    def _expected_switches(self, prob: list[list[tuple[int, float]]], mark: Any) -> float:
        """Expected number of changes of a label along the walk (lane for handoffs, channel for switches).

        The chain is augmented with the last label met: state (step, label
        before it).  A change is a visit to a labelled step whose label
        differs from a previous one.
        """
        index: dict[tuple[int, Any], int] = {}
        trans: list[list[tuple[int, float]]] = []
        queue = deque([(self.start, None)])
        index[(self.start, None)] = 0
        trans.append([])
        while queue:
            k, last = queue.popleft()
            i = index[(k, last)]
            label = mark(k)
            out = label if label is not None else last
            row = []
            for v, p in prob[k]:
                key = (v, out)
                j = index.get(key)
                if j is None:
                    j = index[key] = len(trans)
                    trans.append([])
                    queue.append(key)
                row.append((j, p))
            trans[i] = row
        visits = _expected_visits(len(trans), 0, trans)
        total = 0.0
        for (k, last), i in index.items():
            label = mark(k)
            if label is not None and last is not None and last != label:
                total += visits[i]
        return total


def _clean_float(value: float) -> float | int:
    if abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        return round(value)
    return value


def _has_cycle(region: set[int], succ: list[list[int]], sink: int | None) -> bool:
    """Whether the region has a cycle; ``sink``'s own flows are not followed (paths end there)."""
    indeg = dict.fromkeys(region, 0)
    for x in region:
        if x == sink:
            continue
        for v in succ[x]:
            if v in indeg:
                indeg[v] += 1
    queue = deque(x for x, d in indeg.items() if d == 0)
    done = 0
    while queue:
        x = queue.popleft()
        done += 1
        for v in succ[x]:
            if v in indeg:
                indeg[v] -= 1
                if indeg[v] == 0:
                    queue.append(v)
    return done < len(region)


def _sccs(n: int, succ: list[list[int]]) -> tuple[list[int], list[list[int]]]:
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


def _expected_visits(n: int, start: int, prob: list[list[tuple[int, float]]]) -> list[float]:
    """Expected number of visits of each state of an absorbing Markov chain started in ``start``.

    Solves v = e_start + P^T v one strongly connected component at a time, in
    topological order: an acyclic stretch is plain propagation, a component
    is a small sparse system solved by Gaussian elimination without pivoting
    (I - P^T restricted to transient states is a nonsingular M-matrix, for
    which that is stable).  Process loops are short, so the components are
    small and this costs microseconds with nothing to import; scipy's sparse
    solver would add a dependency and about 0.2 s of import (see docs/
    concepts.md) for systems of a few states.
    """
    succ = [[v for v, _ in row] for row in prob]
    comp, members = _sccs(n, succ)
    inflow = [0.0] * n
    inflow[start] = 1.0
    visits = [0.0] * n
    reach = [False] * n
    reach[start] = True
    for c in range(len(members) - 1, -1, -1):  # sources first
        group = members[c]
        if not any(reach[k] for k in group):
            continue
        if len(group) == 1:
            k = group[0]
            stay = sum(p for v, p in prob[k] if v == k)
            visits[k] = inflow[k] / (1.0 - stay) if stay < 1.0 else math.inf
        else:
            _solve_block(group, comp, c, prob, inflow, visits)
        for k in group:
            for v, p in prob[k]:
                if comp[v] != c:
                    inflow[v] += visits[k] * p
                    reach[v] = True
    return visits


def _solve_block(
    group: list[int],
    comp: list[int],
    c: int,
    prob: list[list[tuple[int, float]]],
    inflow: list[float],
    out: list[float],
) -> None:
    """Solve (I - P_SS^T) v_S = inflow_S for one component S by sparse Gaussian elimination.

    Pivots on the diagonal in Markowitz order (fewest other entries in the
    pivot's row times its column first), so a long loop through the whole
    process fills in almost nothing: its hub, which every back edge enters,
    is eliminated last.  Any symmetric reordering of an M-matrix is one, so
    diagonal pivots stay stable.
    """
    import heapq

    local = {k: i for i, k in enumerate(sorted(group))}
    m = len(local)
    rows: list[dict[int, float]] = [{i: 1.0} for i in range(m)]
    rhs = [inflow[k] for k in sorted(group)]
    for k, j in local.items():
        for v, p in prob[k]:
            if comp[v] == c:
                i = local[v]
                rows[i][j] = rows[i].get(j, 0.0) - p
    cols: list[set[int]] = [set() for _ in range(m)]
    for i, row in enumerate(rows):
        for j in row:
            if j != i:
                cols[j].add(i)

    def cost(i: int) -> int:
        return (len(rows[i]) - 1) * len(cols[i])

    heap = [(cost(i), i) for i in range(m)]
    heapq.heapify(heap)
    done = [False] * m
    order: list[int] = []
    while heap:
        key, piv = heapq.heappop(heap)
        if done[piv] or key != cost(piv):
            continue
        done[piv] = True
        order.append(piv)
        prow = rows[piv]
        d = prow[piv]
        for i in cols[piv]:
            row = rows[i]
            f = row.pop(piv) / d
            for j, a in prow.items():
                if j == piv:
                    continue
                if j in row:
                    row[j] -= f * a
                else:
                    row[j] = -f * a
                    if j != i:
                        cols[j].add(i)
            rhs[i] -= f * rhs[piv]
        touched = cols[piv]
        for j in prow:
            if j != piv:
                cols[j].discard(piv)
                cols[j] -= {i for i in cols[j] if done[i]}
        cols[piv] = set()
        for i in touched | set(prow):
            if i != piv and not done[i]:
                heapq.heappush(heap, (cost(i), i))
    x = [0.0] * m
    for piv in reversed(order):
        row = rows[piv]
        acc = rhs[piv]
        for j, a in row.items():
            if j != piv:
                acc -= a * x[j]
        x[piv] = acc / row[piv]
    for k, i in local.items():
        out[k] = x[i]


def _number(value: float | int | None) -> float | int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def journeys_report(j: Journeys | Any, no_backup: Iterable[str] | None = None) -> dict[str, Any]:
    """SPEC §5.4's ``journeys`` object, exactly: the audit's JSON and every other format draw on it.

    ``j`` may also be a process graph (read with one repeat); ``no_backup``
    defaults to the `no-backup` rule's selection on it, so callers such as the
    renderer need nothing but the graph.
    """
    if not isinstance(j, Journeys):
        j = Journeys(j)
    if no_backup is None:
        from procmap.analysis.facts import Analysis

        no_backup = Analysis(j.g).no_backup
    lo, hi = j.bounds
    main, worst = j.main, j.worst
    asked = j.asked_twice
    # Only when the capped list leaves some out, like the audit's waits_omitted: §5.4's keys otherwise.
    omitted = j.asked_twice_total - len(asked) if len(asked) >= ASKED_TWICE_LIMIT else 0
    report = {
        "repeats": j.R,
        "count": j.count,
        "facing_steps_without_channel": j.facing_steps_without_channel,
        "steps_without_duration": j.steps_without_duration,
        "main": {"steps": list(main.steps), "figures": main.figures} if main else None,
        "min": lo,
        "max": hi,
        "worst": {"steps": list(worst.steps), "figures": worst.figures} if worst else None,
        "expected": j.expected,
        "repeat_loops": [
            {"from": x.source, "to": x.target, "when": x.when, "facing": list(x.facing)} for x in j.repeat_loops
        ],
        "fail_points": [
            {"step": f.step, "backup": f.backup, "surfaces_at": list(f.surfaces_at)} for f in j.fail_points(no_backup)
        ],
        "asked_twice": [{"data": a.data, "first": a.first, "second": a.second} for a in asked],
        "sla": [
            {
                "step": s.step,
                "sla": _number(s.sla),
                "longest_wait": _number(s.longest_wait),
                "from": s.source,
                "breach": s.breach,
            }
            for s in j.sla
        ],
    }
    if omitted > 0:
        report["asked_twice_omitted"] = omitted
    return report


# (config key, figure, words for messages): SPEC §5.6's budgets, on the worst single journey.
JOURNEY_BUDGETS: tuple[tuple[str, str, str], ...] = (
    ("max-journey-handoffs", "visible_handoffs", "customer-visible handoffs"),
    ("max-journey-parties", "parties", "parties"),
    ("max-silence", "longest_silence", "silence"),
)


@dataclass(frozen=True, slots=True)
class JourneyBudgetCheck:
    """A §5.6 budget against the journeys' maximum of its figure (seconds for max-silence)."""

    key: str
    metric: str
    what: str
    limit: float
    value: float

    @property
    def exceeded(self) -> bool:
        return self.value > self.limit

    def message(self, process_id: str) -> str:
        if self.metric == "longest_silence":
            from procmap.model.durations import format_duration

            return (
                f"process '{process_id}' has a journey with {format_duration(self.value)} of silence (the customer "
                f"hears nothing), over the budget of {format_duration(self.limit)} ({self.key})"
            )
        return (
            f"process '{process_id}' has a journey with {_number(self.value)} {self.what}, over the budget of "
            f"{_number(self.limit)} ({self.key})"
        )


def journey_budgets(j: Journeys, limits: dict[str, Any]) -> list[JourneyBudgetCheck]:
    """Each journey budget set in ``limits`` (config keys), with the worst journey's figure."""
    wanted = [(key, metric, what) for key, metric, what in JOURNEY_BUDGETS if limits.get(key) is not None]
    if not wanted:
        return []
    _lo, hi = j.bounds
    return [JourneyBudgetCheck(key, metric, what, limits[key], hi.get(metric, 0)) for key, metric, what in wanted]
