"""Runs through parallel work without listing them (SPEC §7.2): the main run and the bounds that add up.

A process with choices inside its branches has as many runs as the product
of its branches' ways: two branches of twelve two-way choices make 2^24.  What
depends on the steps a run takes, not on how its branches interleave in
time, is read by a dynamic programme over the block structure instead: the
ways from a step to the join it runs to (or to the end) are summarised once
per number of loop edges they take, and a fork combines its branches'
summaries, which are independent (each chooses its own alternatives), split
over the shared loop-edge budget.

A summary holds:

* the most probable way and, among equals, the first in §7.2's order: the
  order of runs is lexicographic over the choices (the rank of the
  alternative taken at each step, in the order the run makes them, a fork's
  branches one after the other, then what follows the join); one step's
  choice sequences are prefix-free (a sequence decides the way and where it
  stops), so the first of a fork's combinations is its branches' firsts put
  end to end;
* the least and greatest counts (customer actions, touchpoints, chases,
  unplanned loop edges) and time to arrive (a fork's branches run side by
  side: the block takes as long as its longest branch, so the least and the
  greatest are the largest of the branches' least and greatest);
* the lanes met, as antichains of bit masks, as :mod:`.runs` keeps them.

Handoffs, channel switches and the silence are read along the timeline,
where the branches interleave by time: a branch's way alone does not say
them, so they (and the worst run they rank) stay with the listing in
:mod:`.parallel`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from procmap.analysis.journeys.figures import SECONDS_FIGURES, Journey
from procmap.analysis.journeys.parallel import Parallel, Run, Visit
from procmap.analysis.journeys.runs import _prune_max, _prune_min

# The figures the programme gives exactly; the others need the runs' timelines.
PROGRAMMED: tuple[str, ...] = ("customer_actions", "touchpoints", "chases", "repeats", "elapsed", "parties")
_ADDED = ("customer_actions", "touchpoints", "chases", "repeats", "elapsed")


@dataclass(frozen=True, slots=True)
class Ways:
    """What every way from a step to where it stops (a join, or the end) has, taking a given number of loop edges.

    ``lo``/``hi``: per figure of :data:`_ADDED` the least and greatest (elapsed: the time from the step's start
    to the arrival at the join, or to the latest finish at the end); ``pmin``/``pmax``: antichains of lane masks.
    """

    p: Fraction
    first: tuple[int, ...]
    lo: tuple[int, ...]
    hi: tuple[int, ...]
    pmin: frozenset[int]
    pmax: frozenset[int]


_NONE_YET = Ways(Fraction(1), (), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0), frozenset({0}), frozenset({0}))


def _better(a: Ways, b: Ways | None) -> bool:
    """``a``'s best way beats ``b``'s: more probable, or as probable and first in §7.2's order."""
    return b is None or a.p > b.p or (a.p == b.p and a.first < b.first)


def _union(a: Ways | None, b: Ways) -> Ways:
    """Alternatives: the better best way, the wider bounds, the lanes of either."""
    if a is None:
        return b
    best = b if _better(b, a) else a
    return Ways(
        best.p,
        best.first,
        tuple(map(min, a.lo, b.lo)),
        tuple(map(max, a.hi, b.hi)),
        frozenset(_prune_min(set(a.pmin | b.pmin))),
        frozenset(_prune_max(set(a.pmax | b.pmax))),
    )


def _side_by_side(parts: list[Ways], then: Ways | None) -> Ways:
    """A fork's branches (independent, run side by side), then what follows their join (``then``, None: the end)."""
    p = Fraction(1)
    first: tuple[int, ...] = ()
    lo = [0, 0, 0, 0]
    hi = [0, 0, 0, 0]
    t_lo = t_hi = 0
    pmin: set[int] = {0}
    pmax: set[int] = {0}
    for w in parts:
        p *= w.p
        first += w.first
        for i in range(4):
            lo[i] += w.lo[i]
            hi[i] += w.hi[i]
        t_lo, t_hi = max(t_lo, w.lo[4]), max(t_hi, w.hi[4])
        pmin = _prune_min({a | b for a in pmin for b in w.pmin})
        pmax = _prune_max({a | b for a in pmax for b in w.pmax})
    if then is not None:
        p *= then.p
        first += then.first
        for i in range(4):
            lo[i] += then.lo[i]
            hi[i] += then.hi[i]
        t_lo, t_hi = t_lo + then.lo[4], t_hi + then.hi[4]
        pmin = _prune_min({a | b for a in pmin for b in then.pmin})
        pmax = _prune_max({a | b for a in pmax for b in then.pmax})
    return Ways(p, first, (*lo, t_lo), (*hi, t_hi), frozenset(pmin), frozenset(pmax))


class ParallelProgramme(Parallel):
    """SPEC §7.2's main run and the bounds of :data:`PROGRAMMED`, by a programme over the blocks."""

    @cached_property
    def _lane_bits(self) -> list[int]:
        bits: dict[str, int] = {}
        out = []
        for k in range(self.n):
            if self.touch[k] and not self.update[k]:
                out.append(bits.setdefault(self.lane[k], 1 << len(bits)))
            else:
                out.append(0)
        return out

    @cached_property
    def _programme(self) -> Ways | None:
        """The summary of every run (all loop-edge counts within R); None when there is none."""
        memo: dict[tuple[int, int | None, int], Ways | None] = {}
        shares = self.chance is not None
        bits = self._lane_bits

        def ways(k: int, stop: int | None, e: int) -> Ways | None:
            key = (k, stop, e)
            if key in memo:
                return memo[key]
            out: Ways | None = None
            if k == stop:
                out = _NONE_YET if e == 0 else None
            elif self.end[k]:
                out = _NONE_YET if e == 0 else None
            else:
                for rank, (i, targets, loop) in enumerate(self._ordered_alts(k)):
                    share = self._share(k, targets) if shares else Fraction(1)
                    if loop:
                        if e == 0:
                            continue
                        sub = ways(targets[0], stop, e - 1)
                        if sub is not None:
                            rep = int((k, targets[0]) in self.unplanned)
                            lo = (*sub.lo[:3], sub.lo[3] + rep, sub.lo[4])
                            hi = (*sub.hi[:3], sub.hi[3] + rep, sub.hi[4])
                            sub = Ways(sub.p, sub.first, lo, hi, sub.pmin, sub.pmax)
                    elif len(targets) == 1:
                        sub = ways(targets[0], stop, e)
                    else:
                        sub = self._fork(ways, targets, self.join_of[(k, i)], stop, e)
                    if sub is None:
                        continue
                    sub = Ways(sub.p * share, (rank, *sub.first), sub.lo, sub.hi, sub.pmin, sub.pmax)
                    out = _union(out, sub)
            if out is not None and k != stop:
                own = (int(self.customer[k]), int(self.touch[k]), int(self.chase[k]), 0, self.dur[k])
                bit = bits[k]
                out = Ways(
                    out.p,
                    out.first,
                    tuple(a + b for a, b in zip(out.lo, own, strict=True)),
                    tuple(a + b for a, b in zip(out.hi, own, strict=True)),
                    frozenset(_prune_min({m | bit for m in out.pmin})) if bit else out.pmin,
                    frozenset(_prune_max({m | bit for m in out.pmax})) if bit else out.pmax,
                )
            memo[key] = out
            return out

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 40 * self.n * (self.R + 1) + 1000))
        try:
            total: Ways | None = None
            for e in range(self.R + 1):
                got = ways(self.start, None, e)
                if got is not None:
                    total = _union(total, got)
            return total
        finally:
            sys.setrecursionlimit(limit)

    def _fork(self, ways, targets: tuple[int, ...], join: int | None, stop: int | None, e: int) -> Ways | None:  # type: ignore[no-untyped-def]
        """A fork's branches to their join (or each to the end), then on from the join: every split of ``e``."""
        parts: list[tuple[int, int | None]] = [(t, join) for t in targets]
        out: Ways | None = None

        def splits(i: int, left: int, got: list[Ways]) -> None:
            nonlocal out
            if i == len(parts):
                then = None
                if join is not None:
                    then = ways(join, stop, left)
                    if then is None:
                        return
                elif left:
                    return
                out = _union(out, _side_by_side(got, then))
                return
            k, s = parts[i]
            for x in range(left + 1):
                w = ways(k, s, x)
                if w is not None:
                    splits(i + 1, left - x, [*got, w])

        splits(0, e, [])
        return out

    def _decode(self, first: tuple[int, ...]) -> Run:
        """The run a choice sequence names (the inverse of the programme's ``first``)."""
        choices = iter(first)
        visits: list[Visit] = []
        repeats = 0
        p = Fraction(1)

        def walk(k: int, preds: tuple[int, ...], stop: int | None) -> tuple[int, ...]:
            nonlocal repeats, p
            while True:
                if k == stop:
                    return preds
                here = len(visits)
                visits.append((k, preds))
                if self.end[k]:
                    return ()
                i, targets, loop = self._ordered_alts(k)[next(choices)]
                p *= self._share(k, targets)
                if loop:
                    repeats += int((k, targets[0]) in self.unplanned)
                if len(targets) == 1:
                    k, preds = targets[0], (here,)
                    continue
                join = self.join_of[(k, i)]
                tails: tuple[int, ...] = ()
                for t in targets:
                    tails += walk(t, (here,), join)
                if join is None:
                    return ()
                k, preds = join, tails

        walk(self.start, (), None)
        return Run(tuple(visits), repeats, p)

    @cached_property
    def programmed_main(self) -> Journey | None:
        """SPEC §7.2/§5.7's main run: the most probable (with shares), ties and no shares to the first in order."""
        total = self._programme
        if total is None:
            return None
        run = self._decode(total.first)
        figures, order, _s, _f = self.run_figures(run)
        return self._as_journey(run, figures, order, self.chance is not None)

    @cached_property
    def programmed_bounds(self) -> tuple[dict[str, float | int], dict[str, float | int]]:
        """The least and greatest of each figure of :data:`PROGRAMMED` over all runs."""
        total = self._programme
        if total is None:
            return {}, {}
        lo: dict[str, float | int] = {}
        hi: dict[str, float | int] = {}
        for i, name in enumerate(_ADDED):
            a, b = total.lo[i], total.hi[i]
            lo[name], hi[name] = (self._seconds(a), self._seconds(b)) if name in SECONDS_FIGURES else (a, b)
        lo["parties"] = min(m.bit_count() for m in total.pmin)
        hi["parties"] = max(m.bit_count() for m in total.pmax)
        return lo, hi
