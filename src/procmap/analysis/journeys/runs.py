"""The journeys as a set (SPEC §5.2–5.3): how many, main and worst, each figure's minimum and maximum.

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
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from procmap.analysis.journeys.figures import FIGURES, SECONDS_FIGURES, Figures, Journey

_NEG_INF = float("-inf")


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


class Runs(Figures):
    """Main and worst journey, and the bounds of each figure, by dynamic programmes over the rounds graph."""

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
