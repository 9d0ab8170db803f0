"""The journeys as a set (SPEC §5.2–5.3): how many, main and worst, each figure's minimum and maximum.

Section 1 counts places in the graph; this module reads the graph the way a
customer walks it.  A journey is a path from the start to an end step taking
at most R loop edges, so there can be astronomically many (a chain of 100
two-way decisions has 2^100).  Nothing here enumerates them: every figure is a
dynamic programme over the *rounds graph* (the acyclic graph left after
removing the loop edges, copied R+1 times, each loop edge leading one round
up), visited once in topological order, carrying only the state that figure
needs:

* additive figures (customer actions, touchpoints, elapsed, repeats,
  chases): the least and greatest so far;
* visible handoffs: the lane of the last touchpoint that is not an update;
* channel switches: the last channel met;
* parties (a set-valued figure): the sets of touchpoint lanes met so far,
  kept as bit masks, pruned to an antichain — for the maximum only the
  maximal sets matter (a superset can never end with fewer parties than its
  subset, whatever follows), for the minimum only the minimal ones.  Exact,
  and bounded by the antichains of the touchpoint lanes (at most
  C(L, L/2) sets for L lanes with touchpoints, 252 for ten; in real processes
  a handful);
* the least longest silence: pairs (longest closed silence, silence still
  open) pruned to a Pareto front; a facing step closes the open silence and
  collapses the front to one pair;
* the greatest longest silence: two numbers, the longest closed and the
  longest still open.  The greatest of a greatest is the longest stretch any
  journey holds, so the two need not come from one way (a branchy process
  made a front of hundreds of pairs per step here).

What a state hands on is dropped once its successors have taken it, so
memory follows the width of the graph, not its length.

The main journey (SPEC §5.7) is the most probable one when shares define a
chain: a backward programme gives each state the best probability on to an
end (float logarithms, near-ties compared exactly), and a forward walk takes
the first way, in depth-first order, that keeps it.

The worst journey is the largest on an order of figures (``--worst-by``;
default comes back, longest silence, elapsed, visible handoffs), then the
fewest steps, then the smallest step-index sequence.  Longest silence and
parties do not add up along a path, so no backward programme ranks the ways
to finish; instead a forward programme keeps, per state and last lane /
channel, the labels (partial figures) that some way to finish could still
make the worst: a label is dropped only when another is at least as bad for
every way to finish (figures that add up decide at their first difference;
silence and parties by their parts, which only grow), step positions settling
exact ties.  Silence is settled first as a value, then as a flag ("reaches
it"); two things keep its labels few (a 3,000-step branchy process: 0.4 s,
was past 120 s):

* for the value, a way goes on as two labels, the longest silence it has
  closed and the one it is in (the greatest of a greatest, again), so no
  label carries a pair that another pair might beat on one part only;
* a silence that no facing step ahead can end, or end long enough to reach
  the value, is forgotten (:meth:`Runs._silence_reach`): labels that differ
  only in it are then one label.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from functools import cached_property
from typing import Any

from procmap.analysis.journeys.figures import FIGURES, SECONDS_FIGURES, Figures, Journey

_NEG_INF = float("-inf")

# SPEC §5.7: the worst journey is the largest on these, in order (comes_back: repeats + chases).
WORST_BY: tuple[str, ...] = ("comes_back", "longest_silence", "elapsed", "visible_handoffs")
WORST_BY_NAMES: tuple[str, ...] = (*FIGURES, "comes_back")


def _log(share: Fraction) -> float:
    """The natural logarithm of a share, accurate even below the smallest normal float."""
    if share >= Fraction(1, 2**1000):
        return math.log(float(share))  # float() of a fraction is correctly rounded
    return math.log(share.numerator) - math.log(share.denominator)  # math.log reads big integers exactly


def parse_worst_by(text: str) -> tuple[str, ...]:
    """``--worst-by FIG,FIG,…``: figure names, larger is worse; ValueError with the words for the user."""
    names = tuple(part.strip() for part in text.split(","))
    if not all(names):
        raise ValueError(f"--worst-by: '{text}' has an empty name: list figures separated by commas")
    for name in names:
        if name not in WORST_BY_NAMES:
            raise ValueError(f"--worst-by: '{name}' is not a journey figure (known: {', '.join(WORST_BY_NAMES)})")
    if len(set(names)) != len(names):
        raise ValueError(f"--worst-by: '{text}' names a figure twice")
    return names


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

    worst_by: tuple[str, ...] = WORST_BY

    @cached_property
    def main(self) -> Journey | None:
        """SPEC §5.7: the most probable journey when shares define a chain, else §5.2's first in depth-first order.

        Ties of probability go to the first in depth-first order: a backward
        programme gives each state the first way, in depth-first order, with
        the highest probability of any way to finish (compared exactly where
        it is close, so ties are real), and the forward walk takes those ways.
        """
        if not self.count:
            return None
        path = [(self.start, 0)]
        k, r = self.start, 0
        if self.chance is None:
            while not self.end[k]:
                k, r, _ = self._next_states(k, r)[0]
                path.append((k, r))
            return self._journey(path)
        choice = self._most_probable
        while not self.end[k]:
            k, r, _ = self._next_states(k, r)[choice[r][k]]
            path.append((k, r))
        return self._journey(path, with_probability=True)

    @cached_property
    def _most_probable(self) -> list[list[int]]:
        """Backward: per (round, step), the index of the way on that keeps the highest probability to an end.

        The first such way in ``_next_states`` order, so the main journey is
        the most probable one, ties going to depth-first order.  Exact
        probabilities are products of the shares along a path, and a fraction
        product thousands of steps deep holds thousands of digits per state
        (10 KiB a step at 16,000 steps), so each state keeps its best
        probability as a float logarithm; only ways within a relative margin
        of each other are compared exactly, by walking their chosen ways on
        until they meet (:meth:`_exact_order`).  The margin is far wider than
        the rounding of a sum of logarithms over every state, so a way outside
        it is certainly worse, and the choice is exactly the one exact
        fractions everywhere would make.  ``-1``: an end step (or no journey).
        """
        R, n = self.R, self.n
        choice: list[list[int]] = [[-1] * n for _ in range(R + 1)]
        logs: list[list[float]] = [[0.0] * n for _ in range(R + 1)]
        chance = self.chance
        assert chance is not None
        logs_of: dict[Fraction, float] = {}  # a few distinct shares, read at every state

        def log_of(share: Fraction) -> float:
            got = logs_of.get(share)
            if got is None:
                got = logs_of[share] = _log(share)
            return got

        # A float sum of d logarithms is within about d * 2**-52 of its exact value, relative to its size;
        # 8x that (and never under 1e-9) is the margin inside which two ways are compared exactly.
        states = sum(1 for row in self._ways for w in row if w is not None)
        margin = max(1e-9, 8 * states * 2.0**-52)
        order = {k: i for i, k in enumerate(self.topo)}
        for r in range(R, -1, -1):
            ways_r, logs_r, choice_r = self._ways[r], logs[r], choice[r]
            for k in self.post:
                ways = ways_r[k]
                if not ways:
                    continue
                shares = chance[k]
                values = [log_of(shares[v]) + logs[rv][v] for v, rv, _ in ways]
                top = max(values)
                floor = top - margin * max(1.0, abs(top))
                near = [i for i, value in enumerate(values) if value >= floor]
                best = near[0]
                for i in near[1:]:
                    if self._exact_order(k, ways[i], ways[best], choice, order) > 0:
                        best = i
                choice_r[k] = best
                logs_r[k] = values[best]
        return choice

    def _exact_order(
        self,
        k: int,
        a: tuple[int, int, bool],
        b: tuple[int, int, bool],
        choice: list[list[int]],
        order: dict[int, int],
    ) -> int:
        """Sign of P(k → a, then its best way) − P(k → b, then its best way), in exact fractions.

        Both continuations follow ``choice`` (already settled for every state
        after ``k``).  From where the two walks meet the rest is the same
        product, so only the shares before it are multiplied: each walk
        advances while it is behind the other in the rounds graph's
        topological order (round, then position), and they have met when they
        stand on the same state.
        """
        pa, pb = self.share_of(k, a[0]), self.share_of(k, b[0])
        (va, ra), (vb, rb) = a[:2], b[:2]
        while (va, ra) != (vb, rb):
            ia, ib = choice[ra][va], choice[rb][vb]
            if ia < 0 and ib < 0:
                break  # two different ends: nothing in common
            if ib < 0 or (ia >= 0 and (ra, order[va]) < (rb, order[vb])):
                v, rv, _ = self._next_states(va, ra)[ia]
                pa *= self.share_of(va, v)
                va, ra = v, rv
            else:
                v, rv, _ = self._next_states(vb, rb)[ib]
                pb *= self.share_of(vb, v)
                vb, rb = v, rv
        return (pa > pb) - (pa < pb)

    @cached_property
    def _forward(self) -> dict[str, tuple[Any, Any]]:
        """One forward pass over the rounds graph: each figure's least and greatest value over all journeys.

        Each state collects what its predecessors hand on and merges it when
        its turn comes; with one predecessor (most steps) nothing is copied.
        The structures handed on are never changed afterwards, and a state's
        are dropped once it has handed them on, so memory follows the width of
        the graph, not its length.  What each figure needs: counts that add
        up, the least and greatest so far; handoffs and channel switches, the
        range per last lane or channel; parties, the sets of lanes met (the
        antichains); the least longest silence, the (closed, open) pairs of a
        Pareto front; the greatest, two numbers — the longest silence closed
        and the longest still open — because the greatest of a greatest is
        read segment by segment.
        """
        zero = (0, 0, 0, 0, 0)  # customer actions, touchpoints, elapsed, repeats, chases
        incoming: dict[tuple[int, int], list[tuple[Any, ...]]] = {
            (self.start, 0): [({None: (0, 0)}, {None: (0, 0)}, (0,), (0,), ((0, _NEG_INF),), (0, _NEG_INF), zero, zero)]
        }
        bits: dict[str, int] = {}
        result: dict[str, list[Any]] = {name: [None, None] for name in FIGURES}

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
        customer, chase = self.customer, self.chase
        for k, r, ways in self._forward_order():
            parts = incoming.pop((k, r), None)
            if parts is None:
                continue  # not reached from the start in this round
            if len(parts) == 1:
                hand_in, chan_in, pmin, pmax, smin, smax, alo, ahi = parts[0]
            else:
                hand_in = _merge_ranges(p[0] for p in parts)
                chan_in = _merge_ranges(p[1] for p in parts)
                pmin = tuple(_prune_min({m for p in parts for m in p[2]}))
                pmax = tuple(_prune_max({m for p in parts for m in p[3]}))
                smin = tuple(_front_min([x for p in parts for x in p[4]]))
                smax = (max(p[5][0] for p in parts), max(p[5][1] for p in parts))
                alo = tuple(map(min, *(p[6] for p in parts)))
                ahi = tuple(map(max, *(p[7] for p in parts)))
            # counts that add up
            c, t, d, h = int(customer[k]), int(touch[k]), dur[k], int(chase[k])
            if c or t or d or h:
                alo = (alo[0] + c, alo[1] + t, alo[2] + d, alo[3], alo[4] + h)
                ahi = (ahi[0] + c, ahi[1] + t, ahi[2] + d, ahi[3], ahi[4] + h)
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
            ch = channel[k] if facing[k] else None
            chan = {ch: _step_range(chan_in, ch)} if ch is not None else chan_in
            # longest silence: (longest closed, open); open is -inf before the first facing step
            if facing[k]:
                if len(smin) == 1:
                    x, y = smin[0]
                    smin = ((x if x > y else y, 0),)
                else:
                    smin = ((min(x if x > y else y for x, y in smin), 0),)
                x, y = smax
                smax = (x if x > y else y, 0)
            elif d:
                smin = tuple((x, y + d) for x, y in smin)
                smax = (smax[0], smax[1] + d)
            if end[k]:
                fold("visible_handoffs", min(v[0] for v in hand.values()), max(v[1] for v in hand.values()))
                fold("channel_switches", min(v[0] for v in chan.values()), max(v[1] for v in chan.values()))
                fold("parties", min(m.bit_count() for m in pmin), max(m.bit_count() for m in pmax))
                fold("longest_silence", min(x for x, _ in smin), smax[0])
                for i, name in enumerate(("customer_actions", "touchpoints", "elapsed", "repeats", "chases")):
                    fold(name, alo[i], ahi[i])
                continue
            handed = (hand, chan, pmin, pmax, smin, smax, alo, ahi)
            again: tuple[Any, ...] | None = None
            for v, rv, repeat in ways:
                if repeat:  # a loop edge that is not planned: one more repeat on this way
                    if again is None:
                        up_lo = (alo[0], alo[1], alo[2], alo[3] + 1, alo[4])
                        up_hi = (ahi[0], ahi[1], ahi[2], ahi[3] + 1, ahi[4])
                        again = (*handed[:6], up_lo, up_hi)
                    way = again
                else:
                    way = handed
                got = incoming.get((v, rv))
                if got is None:
                    incoming[(v, rv)] = [way]
                else:
                    got.append(way)
        return {key: (lo, hi) for key, (lo, hi) in result.items()}

    @cached_property
    def bounds(self) -> tuple[dict[str, float | int], dict[str, float | int]]:
        """(min, max) of each figure over all journeys."""
        if not self.count:
            return {}, {}
        lo: dict[str, float | int] = {}
        hi: dict[str, float | int] = {}
        for name, (a, b) in self._forward.items():
            if name in SECONDS_FIGURES:
                a, b = self._seconds(a), self._seconds(b)
            lo[name], hi[name] = a, b
        return lo, hi

    @cached_property
    def worst(self) -> Journey | None:
        """SPEC §5.7: the journey largest on the worst-by figures in order; ties: fewest steps, smallest positions.

        Exact, by forward programmes over the rounds graph whose labels carry
        what each figure needs (see :class:`_Label`).  Longest silence and
        parties do not add up, so each is settled in a pass of its own: the
        pass finds the largest value the figure reaches among the journeys
        best on the figures before it; later passes only ask whether a journey
        reaches that value (a flag), which keeps the labels few.
        """
        if not self.count:
            return None
        keys = self.worst_by
        thresholds: dict[str, int] = {}
        for i, name in enumerate(keys):
            if name in ("longest_silence", "parties"):
                top = self._worst_labels(keys[: i + 1], thresholds, exact=False)
                thresholds[name] = top.closed if name == "longest_silence" else top.mask.bit_count()
        winner = self._worst_labels(keys, thresholds, exact=True)
        path: list[tuple[int, int]] = []
        node = winner.way
        while node is not None:
            path.append((node.k, node.r))
            node = node.parent
        path.reverse()
        return self._journey(path, with_probability=self.chance is not None)

    def _silence_reach(self) -> list[list[int]]:
        """Backward: per (round, step), the most duration a silence open after it can still gather; -1: none ends.

        A silence ends at the next facing step; until then it gathers the
        durations of the steps on the way.  A silence no facing step can end
        is no silence at all (SPEC §5.3), and one that cannot grow to the
        value a pass is looking for can be forgotten: without this, labels
        that differ only in a silence that no longer matters pile up (a
        branchy process: a front of hundreds per state).
        """
        R, n = self.R, self.n
        out = [[-1] * n for _ in range(R + 1)]
        facing, dur = self.facing, self.dur
        for r in range(R, -1, -1):
            ways_r, out_r = self._ways[r], out[r]
            for k in self.post:
                ways = ways_r[k]
                if not ways:
                    continue
                best = -1
                for v, rv, _repeat in ways:
                    if facing[v]:
                        if best < 0:
                            best = 0
                    else:
                        on = out[rv][v]
                        if on >= 0 and on + dur[v] > best:
                            best = on + dur[v]
                out_r[k] = best
        return out

    def _worst_labels(self, keys: tuple[str, ...], thresholds: dict[str, int], exact: bool) -> _Label:
        """The best final label for ``keys``; figures in ``thresholds`` only as "reaches the value" flags.

        With ``exact`` the fewest steps and then the step positions break ties
        (the journey itself); without, any best label will do (a value).
        """
        track_lane = "visible_handoffs" in keys
        track_chan = "channel_switches" in keys
        silence = "longest_silence" in keys
        silence_flag = silence and "longest_silence" in thresholds
        parties = "parties" in keys
        parties_flag = parties and "parties" in thresholds
        t_silence = thresholds.get("longest_silence", 0)
        t_parties = thresholds.get("parties", 0)
        # The figures that add up, in order; -steps is the last of them (fewest steps first).
        per_step = {
            "customer_actions": [int(x) for x in self.customer],
            "touchpoints": [int(x) for x in self.touch],
            "elapsed": self.dur,
            "chases": [int(x) for x in self.chase],
            "comes_back": [int(x) for x in self.chase],
            "repeats": [0] * self.n,
        }
        sep_names = [k for k in keys if k not in ("longest_silence", "parties")]
        plan: list[tuple[str, int]] = []  # ("sep", index) | (figure, 1 flag / 0 whole), in key order
        for name in keys:
            if name in ("longest_silence", "parties"):
                plan.append((name, int(name in thresholds)))
            else:
                plan.append(("sep", sep_names.index(name)))
        if exact:
            plan.append(("sep", len(sep_names)))
        add = [per_step.get(name) for name in sep_names]
        on_repeat = (*(int(name in ("comes_back", "repeats")) for name in sep_names), 0)
        hand_i = sep_names.index("visible_handoffs") if track_lane else -1
        chan_i = sep_names.index("channel_switches") if track_chan else -1
        bits: dict[str, int] = {}
        # A value of 0 is reached by every journey: the flag starts set.
        c0 = -1 if silence_flag and t_silence <= 0 else 0
        m0 = -1 if parties_flag and t_parties <= 0 else 0
        # What each state is handed: (the label it comes from, a repeat on the way); the start, its first label.
        origin = _Label((0,) * (len(sep_names) + 1), c0, None, m0, None, None, None)
        incoming: dict[tuple[int, int], list[tuple[_Label, bool]]] = {(self.start, 0): [(origin, False)]}
        finals: list[_Label] = []
        bump = any(on_repeat)
        nu_tp = [t and not u for t, u in zip(self.touch, self.update, strict=True)]
        reach = self._silence_reach() if silence else []
        for k, r, ways in self._forward_order():
            arrived = incoming.pop((k, r), None)
            if arrived is None:
                continue
            fronts: dict[tuple[Any, Any], list[_Label]] = {}
            for x, repeat in arrived:
                sep = list(x.sep)
                if repeat and bump:
                    for i, e in enumerate(on_repeat):
                        sep[i] += e
                for i, a in enumerate(add):
                    if a is not None:
                        sep[i] += a[k]
                sep[-1] -= 1
                lane, chan, c, o, mask = x.lane, x.chan, x.closed, x.open, x.mask
                # The way back, for the exact pass only (a value alone needs none): a step each, nothing else.
                way = _Way(k, r, x.way) if exact else None
                if nu_tp[k]:
                    if hand_i >= 0 and lane is not None and lane != self.lane[k]:
                        sep[hand_i] += 1
                    lane = self.lane[k] if track_lane else None
                    if parties and not (parties_flag and mask < 0):
                        bit = bits.setdefault(self.lane[k], 1 << len(bits))
                        mask |= bit
                        if parties_flag and mask.bit_count() >= t_parties:
                            mask = -1  # reached: which lanes no longer matters
                if self.facing[k]:
                    ch = self.channel[k]
                    if track_chan and ch is not None:
                        if chan is not None and chan != ch:
                            sep[chan_i] += 1
                        chan = ch
                    if silence_flag:
                        if c < 0 or (o is not None and o >= t_silence):
                            c = -1  # reached a silence of the value
                        o = None if c < 0 else 0
                    elif silence:
                        # The value alone: this way goes on as two labels, the longest silence closed
                        # so far and a silence opening here (whose past no longer matters).
                        c = c if o is None or c >= o else o
                        o = None
                        if reach[r][k] >= 0:
                            opened = _Label(tuple(sep), 0, 0, mask, lane, chan, way)
                            _insert(fronts.setdefault((lane, chan), []), opened, plan, exact)
                elif silence and o is not None:
                    o += self.dur[k]
                    if silence_flag and o > t_silence:
                        o = t_silence  # only "at least the value" matters
                if o is not None and c >= 0:
                    ahead = reach[r][k]
                    if ahead < 0 or (silence_flag and o + ahead < t_silence):
                        o = None  # no facing step ends this silence, or none ends it long enough
                label = _Label(tuple(sep), c, o, mask, lane, chan, way)
                _insert(fronts.setdefault((lane, chan), []), label, plan, exact)
            labels = [x for front in fronts.values() for x in front]
            if self.end[k]:
                finals.extend(labels)
                continue
            for v, rv, repeat in ways:
                got = incoming.setdefault((v, rv), [])
                for x in labels:
                    got.append((x, repeat))
        best: list[_Label] = []
        for x in finals:
            x.open = None  # after the last facing step is not a silence
            _insert(best, x, plan, exact, final=True)
        winner = best[0]
        for x in best[1:]:
            if _better(x, winner, plan, exact):
                winner = x
        return winner


class _Label:
    """A way into a state of the rounds graph, as far as the worst journey's order can tell ways apart.

    ``sep``: the figures that add up (visible handoffs and channel switches
    given the last lane and channel, which are part of the label), in worst-by
    order, then minus the steps; ``closed``/``open``: the longest finished
    silence and the silence still running (None before the first facing
    step); ``mask``: the lanes met, as bits; ``way``: its steps, read back
    from the last (None in a pass that wants a value only).
    """

    __slots__ = ("chan", "closed", "lane", "mask", "open", "sep", "way")

    def __init__(
        self,
        sep: tuple[int, ...],
        closed: int,
        open_: int | None,
        mask: int,
        lane: Any,
        chan: Any,
        way: _Way | None,
    ) -> None:
        self.sep, self.closed, self.open, self.mask = sep, closed, open_, mask
        self.lane, self.chan, self.way = lane, chan, way


class _Way:
    """One step of a way through the rounds graph, and the way before it: what a label leaves behind.

    A label's figures are only needed while it can still win at its state;
    its steps are needed as long as some label after it lives (to read the
    journey back and to compare ways by position).  Kept apart, a long
    process keeps 64 bytes per step of a live way, not a whole label.
    ``tie``: the last comparison by position it took part in
    (:func:`_positions_cmp`).
    """

    __slots__ = ("k", "parent", "r", "tie")

    def __init__(self, k: int, r: int, parent: _Way | None) -> None:
        self.k, self.r, self.parent = k, r, parent
        self.tie: tuple[_Way, int] | None = None


def _positions_cmp(a: _Way | None, b: _Way | None) -> int:
    """Compare two equally long ways into one state by their step positions, from the start (-1, 0, 1).

    The first difference from the start decides: the pair of parents' answer
    unless it is a tie, then the steps themselves.  Each label keeps its last
    answer (``tie``: the other label and the sign), so ways that stay apart
    for long (a ladder) are compared once per state, not walked back each
    time, and a label nothing refers to any more is freed with its answers.
    The two labels asked about keep none: the loser is dropped from its front
    right after, and a reference would keep it and its own way back alive.
    """
    pairs: list[tuple[_Way, _Way]] = []
    diff = 0
    while a is not b and a is not None and b is not None:
        tie = a.tie
        if tie is not None and tie[0] is b:
            diff = tie[1]
            break
        tie = b.tie
        if tie is not None and tie[0] is a:
            diff = -tie[1]
            break
        pairs.append((a, b))
        a, b = a.parent, b.parent  # type: ignore[assignment]
    for i in range(len(pairs) - 1, -1, -1):
        x, y = pairs[i]
        if diff == 0 and x.k != y.k:
            diff = -1 if x.k < y.k else 1
        if i:  # not the pair asked about: one of those two is about to be dropped, and must not be kept alive
            x.tie = (y, diff)
    return diff


def _covers(
    a: _Label,
    b: _Label,
    plan: list[tuple[str, int]],
    exact: bool,
    final: bool = False,
) -> bool:
    """Whether ``a`` ends at least as bad as ``b`` (worst first) whatever way to finish both take.

    Figures that add up decide at the first difference.  Longest silence and
    parties are kept as their parts (closed and open silence, lanes met; or,
    as flags, whether the value is reached and the silence still open), which
    can only grow: ``a`` is at least as large when each part is, but a way to
    finish may hide the difference, so equal-or-larger parts never decide on
    their own; the step positions settle what is left.  With ``final`` the
    labels are whole journeys and compare by their figures.
    """
    for kind, i in plan:
        if kind == "sep":
            x, y = a.sep[i], b.sep[i]
            if x != y:
                return x > y
        elif kind == "longest_silence":
            if i:  # a flag: closed is -1 once the silence reached the value
                if final:
                    if (a.closed < 0) != (b.closed < 0):
                        return a.closed < 0
                elif a.closed >= 0 and (b.closed < 0 or (b.open is not None and (a.open is None or a.open < b.open))):
                    return False
            elif final:
                if a.closed != b.closed:
                    return a.closed > b.closed
            elif a.closed < b.closed or (b.open is not None and (a.open is None or a.open < b.open)):
                return False
        elif i:  # parties as a flag: mask is -1 once reached
            if final:
                if (a.mask < 0) != (b.mask < 0):
                    return a.mask < 0
            elif a.mask >= 0 and (b.mask < 0 or a.mask | b.mask != a.mask):
                return False
        else:
            if final:
                x, y = a.mask.bit_count(), b.mask.bit_count()
                if x != y:
                    return x > y
            elif a.mask | b.mask != a.mask:
                return False
    return not exact or _positions_cmp(a.way, b.way) <= 0


def _better(a: _Label, b: _Label, plan: list[tuple[str, int]], exact: bool) -> bool:
    return _covers(a, b, plan, exact, final=True) and not _covers(b, a, plan, exact, final=True)


def _insert(
    front: list[_Label],
    x: _Label,
    plan: list[tuple[str, int]],
    exact: bool,
    final: bool = False,
) -> None:
    """Add ``x`` to a front unless a label there covers it; drop the labels it covers."""
    for a in front:
        if _covers(a, x, plan, exact, final):
            return
    front[:] = [b for b in front if not _covers(x, b, plan, exact, final)]
    front.append(x)
