"""Journeys with parallel work (SPEC §7.2): runs through blocks, their timelines and figures.

A run takes one alternative at each step it reaches and, at a fork, follows
every branch (each choosing its own alternatives) until the fork's join.
Time decides the order a customer meets things in: each visit starts when
what it follows has finished (a join when its last branch has), and the
*timeline* sorts the visits by start, finish, causal order and file
position.  The figures that count add over branches; handoffs and channel
switches are read along the timeline; ``elapsed`` is the critical path and
the longest silence the longest stretch no facing visit covers.

Counting stays exact without enumerating (a programme over (step, the join it
runs to, loop edges left)), and so do the main run and the bounds of the
figures that add up (:mod:`.programme`); the runs themselves are enumerated,
in §7.2's order, only for what the timeline's interleaving decides: the
worst run, the bounds of handoffs, channel switches and silence, and the
slas of a process whose start reaches a fork.  Without forks nothing here
runs: §5's programmes give the figures, and a run is then the journey itself
(the timeline is its order).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from procmap.analysis.journeys.figures import FIGURES, SECONDS_FIGURES, Figures, Journey
from procmap.analysis.journeys.sla import SlaWait
from procmap.diagnostics import UsageError

# Main, worst, min/max and the promised times of a process with forks are read off each run's timeline, so
# their cost grows with the number of runs (choices inside branches multiply).  Past this many runs procmap
# says so and stops instead of running for hours (measured: 65,536 runs take about 7 s of CPU).
MAX_LISTED_RUNS = 200_000

Visit = tuple[int, tuple[int, ...]]
"""One step visit of a run: (step, the visits it follows: one, or a join's branch ends)."""


@dataclass(frozen=True, slots=True)
class Run:
    """One run: its visits (creation order, predecessors first), the unplanned loop edges taken, its probability."""

    visits: tuple[Visit, ...]
    repeats: int
    probability: Fraction


class Parallel(Figures):
    """SPEC §7.2's runs for a process whose start reaches a fork."""

    @cached_property
    def join_of(self) -> dict[tuple[int, int], int | None]:
        """(forking step, alternative index) -> the join that closes the fork, or None (closed by end steps)."""
        from procmap.analysis.blocks import blocks_of

        blocks = blocks_of(self.g)
        out: dict[tuple[int, int], int | None] = {}
        for k, alts in self.fork_alts.items():
            for i, targets in enumerate(alts):
                if len(targets) > 1:
                    item = self.g.edges[self.ids[k], self.ids[targets[0]]]["index"]
                    fork = blocks.forks.get((self.ids[k], item))
                    out[(k, i)] = self.pos[fork.join] if fork is not None and fork.join is not None else None
        return out

    @cached_property
    def runs_forked(self) -> bool:
        """True when the start reaches a fork and the blocks are sound (else §5's reading stands)."""
        if not self.forked or self.start < 0:
            return False
        from procmap.analysis.blocks import blocks_of

        if blocks_of(self.g).problems:
            return False
        return any(self.reached[k] for k in self.fork_alts)

    def _ordered_alts(self, k: int) -> list[tuple[int, tuple[int, ...], bool]]:
        """§7.2's order of choices at ``k``: non-loop alternatives in file order, then loop edges: (index, targets, loop)."""
        loops = self.loop_edges
        alts = self.alternatives(k)
        plain = [(i, t, False) for i, t in enumerate(alts) if len(t) > 1 or (k, t[0]) not in loops]
        back = [(i, t, True) for i, t in enumerate(alts) if len(t) == 1 and (k, t[0]) in loops]
        return plain + back

    def _share(self, k: int, targets: tuple[int, ...]) -> Fraction:
        chance = self.chance
        return chance[k][targets[0]] if chance is not None else Fraction(1)

    def _walk_runs(
        self, k: int, preds: tuple[int, ...], visits: tuple[Visit, ...], budget: int, stop: int | None
    ) -> Iterator[tuple[tuple[Visit, ...], int, tuple[int, ...], int, Fraction]]:
        """Every way from ``k`` to ``stop`` (a join; None: to end steps): (visits, budget left, tail, repeats, p)."""
        if k == stop:
            yield visits, budget, preds, 0, Fraction(1)
            return
        here = len(visits)
        visits = (*visits, (k, preds))
        if self.end[k]:
            yield visits, budget, (), 0, Fraction(1)
            return
        for i, targets, loop in self._ordered_alts(k):
            p = self._share(k, targets)
            if loop:
                if budget <= 0:
                    continue
                rep = int((k, targets[0]) in self.unplanned)
                for vs, b, tail, r, q in self._walk_runs(targets[0], (here,), visits, budget - 1, stop):
                    yield vs, b, tail, r + rep, p * q
            elif len(targets) == 1:
                for vs, b, tail, r, q in self._walk_runs(targets[0], (here,), visits, budget, stop):
                    yield vs, b, tail, r, p * q
            else:
                join = self.join_of[(k, i)]
                for vs, b, tails, r, q in self._branches(targets, here, visits, budget, join):
                    if join is None:
                        yield vs, b, (), r, p * q
                        continue
                    for vs2, b2, tail, r2, q2 in self._walk_runs(join, tails, vs, b, stop):
                        yield vs2, b2, tail, r + r2, p * q * q2

    def _branches(
        self, targets: tuple[int, ...], fork: int, visits: tuple[Visit, ...], budget: int, join: int | None
    ) -> Iterator[tuple[tuple[Visit, ...], int, tuple[int, ...], int, Fraction]]:
        """Every combination of the branches' ways, the first branch varying slowest (SPEC §7.2)."""
        if not targets:
            yield visits, budget, (), 0, Fraction(1)
            return
        for vs, b, tail, r, q in self._walk_runs(targets[0], (fork,), visits, budget, join):
            for vs2, b2, tails, r2, q2 in self._branches(targets[1:], fork, vs, b, join):
                yield vs2, b2, tail + tails, r + r2, q * q2

    def iter_runs(self) -> Iterator[Run]:
        """Every run within R loop edges, in SPEC §7.2's order."""
        for visits, _b, _tail, repeats, p in self._walk_runs(self.start, (), (), self.R, None):
            yield Run(visits, repeats, p)

    @cached_property
    def parallel_count(self) -> int:
        """The number of runs, exactly, without enumerating them.

        exact(k, stop, e): the ways from ``k`` to ``stop`` (a join, or None for
        end steps) taking exactly ``e`` loop edges.  A loop edge lowers ``e``
        and the other flows are acyclic, so the recursion is well founded; a
        fork's branches share the budget (a convolution), then the join goes on.
        """
        memo: dict[tuple[int, int | None, int], int] = {}

        def exact(k: int, stop: int | None, e: int) -> int:
            key = (k, stop, e)
            got = memo.get(key)
            if got is not None:
                return got
            if k == stop or self.end[k]:
                total = int(e == 0)
            else:
                total = 0
                for i, targets, loop in self._ordered_alts(k):
                    if loop:
                        total += exact(targets[0], stop, e - 1) if e > 0 else 0
                    elif len(targets) == 1:
                        total += exact(targets[0], stop, e)
                    else:
                        join = self.join_of[(k, i)]
                        parts: list[tuple[int, int | None]] = [(t, join) for t in targets]
                        if join is not None:
                            parts.append((join, stop))
                        total += _split(exact, parts, e)
            memo[key] = total
            return total

        import sys

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20 * self.n * (self.R + 1) + 1000))
        try:
            return sum(exact(self.start, None, e) for e in range(self.R + 1))
        finally:
            sys.setrecursionlimit(limit)

    def timeline(self, visits: tuple[Visit, ...]) -> tuple[list[int], list[int], list[int]]:
        """The visits in timeline order, with each visit's start and finish (scaled seconds)."""
        n = len(visits)
        start = [0] * n
        finish = [0] * n
        succs: list[list[int]] = [[] for _ in range(n)]
        indeg = [0] * n
        for i, (k, preds) in enumerate(visits):
            start[i] = max((finish[p] for p in preds), default=0)
            finish[i] = start[i] + self.dur[k]
            for p in preds:
                succs[p].append(i)
            indeg[i] = len(preds)
        # Kahn's algorithm with the priority (start, finish, file position, creation): causal order among ties.
        heap = [(start[i], finish[i], visits[i][0], i) for i in range(n) if indeg[i] == 0]
        heapq.heapify(heap)
        order: list[int] = []
        while heap:
            *_, i = heapq.heappop(heap)
            order.append(i)
            for j in succs[i]:
                indeg[j] -= 1
                if indeg[j] == 0:
                    heapq.heappush(heap, (start[j], finish[j], visits[j][0], j))
        return order, start, finish

    def run_figures(self, run: Run) -> tuple[dict[str, int], list[int], list[int], list[int]]:
        """SPEC §7.2's figures of one run (durations scaled), and its timeline."""
        order, start, finish = self.timeline(run.visits)
        counts = self.counts_along(run.visits[i][0] for i in order)
        facing = sorted((start[i], finish[i]) for i in order if self.facing[run.visits[i][0]])
        silence = 0
        reach: int | None = None
        for s, f in facing:
            if reach is not None and s > reach:
                silence = max(silence, s - reach)
            reach = f if reach is None else max(reach, f)
        figures = {
            "customer_actions": counts["customer_actions"],
            "touchpoints": counts["touchpoints"],
            "parties": counts["parties"],
            "visible_handoffs": counts["visible_handoffs"],
            "channel_switches": counts["channel_switches"],
            "elapsed": max(finish, default=0),
            "longest_silence": silence,
            "repeats": run.repeats,
            "chases": counts["chases"],
        }
        return figures, order, start, finish

    def _as_journey(self, run: Run, figures: dict[str, int], order: list[int], shares: bool) -> Journey:
        shown = {name: self._seconds(v) if name in SECONDS_FIGURES else v for name, v in figures.items()}
        _order, start, finish = self.timeline(run.visits)
        at = {i: x for x, i in enumerate(order)}
        timeline = tuple(
            (tuple(at[p] for p in run.visits[i][1]), self._seconds(start[i]), self._seconds(finish[i])) for i in order
        )
        return Journey(
            tuple(self.ids[run.visits[i][0]] for i in order),
            shown,
            (),
            run.probability if shares else None,
            timeline,
        )

    @cached_property
    def parallel_summary(self) -> tuple[Journey | None, dict[str, float | int], dict[str, float | int]]:
        """The worst run and each figure's minimum and maximum, over the enumerated runs.

        Handoffs, channel switches and the silence are read along each run's
        timeline, where the branches interleave by time, and the worst run is
        ranked on them: these are read run by run (the main run and the
        figures that add up come from :mod:`.programme` without listing).
        """
        shares = self.chance is not None
        keys = self.worst_by  # type: ignore[attr-defined]
        worst: tuple[tuple[object, ...], Run, dict[str, int], list[int]] | None = None
        lo: dict[str, int] = {}
        hi: dict[str, int] = {}
        for run in self.iter_runs():
            figures, order, _s, _f = self.run_figures(run)
            values = [figures["repeats"] + figures["chases"] if k == "comes_back" else figures[k] for k in keys]
            rank = (
                tuple(-v for v in values),
                len(order),
                tuple(run.visits[i][0] for i in order),
            )
            if worst is None or rank < worst[0]:
                worst = (rank, run, figures, order)
            for name in FIGURES:
                v = figures[name]
                lo[name] = min(lo.get(name, v), v)
                hi[name] = max(hi.get(name, v), v)
        conv = {name: (lambda v, name=name: self._seconds(v) if name in SECONDS_FIGURES else v) for name in FIGURES}
        lo_out = {name: conv[name](lo[name]) for name in lo}
        hi_out = {name: conv[name](hi[name]) for name in hi}
        w = self._as_journey(worst[1], worst[2], worst[3], shares) if worst else None
        return w, lo_out, hi_out

    def require_listable(self, what: str) -> None:
        """Refuse, in one line naming the file and ``what`` needs the listing, past MAX_LISTED_RUNS runs."""
        runs = self.parallel_count
        if runs > MAX_LISTED_RUNS:
            source = self.g.graph.get("source")
            raise UsageError(
                f"{source + ': ' if source else ''}{runs:,} journeys through parallel work are too many to read one by "
                f"one for {what} (at most {MAX_LISTED_RUNS:,}; the branches interleave by time, so it is read run by "
                "run): lower --repeats, or split the choices inside the parallel branches into processes of their own"
            )

    @cached_property
    def sla_forked(self) -> list[SlaWait]:
        """SPEC §7.2's slas: each visit's wait read on the runs' timelines.

        Without ``sla_from`` the clock starts at the latest finish of another
        facing visit that finished no later than this visit starts (none: at
        the run's start); with ``sla_from: S`` at the finish of the run's
        first visit of S, and a visit with no earlier visit of S is not
        measured.  A loop of non-facing steps before the visit is unbounded,
        as §5.4 finds it on the graph.
        """
        from procmap.analysis.journeys.sla import Slas

        nodes = self.g.nodes
        wanted = [
            (k, nodes[sid]["sla"], self.pos.get(nodes[sid].get("sla_from"), -1)) for k, sid in enumerate(self.ids)
        ]
        wanted = [w for w in wanted if w[1] is not None]
        if not wanted:
            return []
        self.require_listable("the promised times (sla)")
        graph_reading = {w.step: w for w in Slas.sla.func(self)}  # type: ignore[attr-defined]
        # per sla step: (longest wait, from step or -1) over every run
        best: dict[int, tuple[int, int] | None] = {k: None for k, _sla, _src in wanted}
        for run in self.iter_runs():
            order, start, finish = self.timeline(run.visits)
            rank = {i: x for x, i in enumerate(order)}
            first_of: dict[int, int] = {}
            for i in order:
                first_of.setdefault(run.visits[i][0], i)
            for k, _sla, source in wanted:
                for i in order:
                    if run.visits[i][0] != k:
                        continue
                    if source >= 0:
                        f = first_of.get(source)
                        if f is None or rank[f] >= rank[i]:
                            continue
                        cand = (finish[i] - finish[f], source)
                    else:
                        clock, frm = 0, -1
                        for j in order:
                            if j != i and self.facing[run.visits[j][0]] and finish[j] <= start[i]:
                                step = run.visits[j][0]
                                if finish[j] > clock or (finish[j] == clock and (frm < 0 or step < frm)):
                                    clock, frm = finish[j], step
                        cand = (finish[i] - clock, frm)
                    cur = best[k]
                    if cur is None or _wait_better(cand, cur):
                        best[k] = cand
        out: list[SlaWait] = []
        for k, sla, source in wanted:
            sid = self.ids[k]
            graph = graph_reading[sid]
            got = best[k]
            if source < 0 and graph.longest_wait is None:
                out.append(graph)
            elif got is None:
                out.append(SlaWait(sid, sla, None, self.ids[source] if source >= 0 else None, False))
            else:
                wait = self._seconds(got[0])
                out.append(SlaWait(sid, sla, wait, self.ids[got[1]] if got[1] >= 0 else None, wait > sla))
        return out


def _wait_better(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """A longer wait wins; equal waits go to a facing step first in the file (none: last)."""
    if a[0] != b[0]:
        return a[0] > b[0]
    if a[1] == b[1] or a[1] < 0:
        return False
    return b[1] < 0 or a[1] < b[1]


def _split(exact: Callable[[int, int | None, int], int], parts: list[tuple[int, int | None]], e: int) -> int:
    """Ways of independent parts ((step, stop) each) taking exactly ``e`` loop edges in all."""
    k, stop = parts[0]
    if len(parts) == 1:
        return exact(k, stop, e)
    total = 0
    for x in range(e + 1):
        here = exact(k, stop, x)
        if here:
            total += here * _split(exact, parts[1:], e - x)
    return total


class ParallelExpected(Parallel):
    """SPEC §7.2's ``expected`` with forks: counts add over branches, ``p_comes_back`` per block."""

    def _branch_index(self) -> dict[tuple[int, int], int]:
        """(step u, join J) -> the branch of J's fork that u lies in, for each flow u -> J into a join."""
        from procmap.analysis.blocks import blocks_of

        blocks = blocks_of(self.g)
        out: dict[tuple[int, int], int] = {}
        for jid, fork in blocks.fork_of_join.items():
            J = self.pos[jid]
            for u in range(self.n):
                if J in self.succ[u]:
                    for frame in blocks.frames(self.ids[u]):
                        if frame[0] == fork:
                            out[(u, J)] = frame[1]
        return out

    @cached_property
    def expected_forked(self) -> dict[str, float | int | None] | None:
        """The mean counts over customers: every branch of a fork is walked, a join entered once per firing.

        The visits solve the same linear system as §5.4's chain, with a fork
        item passing its share to each of its targets and a join counted
        through the flows of its fork's first branch only (every branch
        arrives exactly once per firing).
        """
        from procmap.analysis.journeys.expected import _clean_float, _expected_visits

        chance = self.chance
        if chance is None:
            return None
        into_join = self._branch_index()
        prob: list[list[tuple[int, float]]] = [[] for _ in range(self.n)]
        for k in range(self.n):
            if not self.reached[k]:
                continue
            for v, p in chance[k].items():
                if into_join.get((k, v), 0) == 0:
                    prob[k].append((v, float(p)))
        visits = _expected_visits(self.n, self.start, prob)
        repeats = sum(visits[u] * p for u in range(self.n) for v, p in prob[u] if (u, v) in self.unplanned)
        out: dict[str, float | int | None] = {
            "customer_actions": _clean_float(sum(visits[k] for k in range(self.n) if self.customer[k])),
            "touchpoints": _clean_float(sum(visits[k] for k in range(self.n) if self.touch[k])),
            "visible_handoffs": None,
            "channel_switches": None,
            "elapsed": None,
            "repeats": _clean_float(repeats),
            "chases": _clean_float(sum(visits[k] for k in range(self.n) if self.chase[k])),
        }
        out["p_comes_back"] = _clean_float(1.0 - self._no_come_back(self.start, None))
        return out

    def _no_come_back(self, k0: int, stop: int | None) -> float:
        """The probability that a customer at ``k0`` reaches ``stop`` (None: the run's end) without coming back.

        A chain over the steps of one block level: unplanned loop edges and
        entries into chase steps absorb (cut), a fork moves straight to its
        join with the product of its branches' own no-come-back chances
        (branches run independently), or, closed by end steps, to a virtual
        end; what reaches ``stop`` or an end is the answer.
        """
        from procmap.analysis.journeys.expected import _expected_visits

        memo: dict[tuple[int, int | None], float] = self.__dict__.setdefault("_no_back_memo", {})
        key = (k0, stop)
        if key in memo:
            return memo[key]
        sink = self.n
        chance = self.chance
        assert chance is not None
        prob: list[list[tuple[int, float]]] = [[] for _ in range(self.n + 1)]
        seen = {k0}
        todo = [k0]
        while todo:
            k = todo.pop()
            if k == stop or self.end[k]:
                continue
            for i, targets, _loop in self._ordered_alts(k):
                p = float(chance[k][targets[0]])
                if len(targets) == 1:
                    v = targets[0]
                    if (k, v) in self.unplanned or self.chase[v]:
                        continue
                    nxt, weight = v, p
                else:
                    join = self.join_of[(k, i)]
                    weight = p
                    for t in targets:
                        weight *= 0.0 if self.chase[t] else self._no_come_back(t, join)
                    if join is None:
                        nxt = sink
                    elif self.chase[join]:
                        continue
                    else:
                        nxt = join
                prob[k].append((nxt, weight))
                if nxt != sink and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        visits = _expected_visits(self.n + 1, k0, prob)
        if stop is not None:
            result = visits[stop]
        else:
            result = visits[sink] + sum(visits[k] for k in seen if self.end[k])
        memo[key] = result
        return result
