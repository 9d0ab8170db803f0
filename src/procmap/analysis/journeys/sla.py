"""Promised times (SPEC §5.4): the longest wait before each step with an sla, and whether it breaks it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property

from procmap.analysis.journeys.structure import Structure


@dataclass(frozen=True, slots=True)
class SlaWait:
    step: str
    sla: float
    longest_wait: float | None  # None: unbounded (a loop of non-facing steps); with sla_from: never measured
    source: str | None
    breach: bool


class Slas(Structure):
    """Each sla against the longest wait since the last facing step."""

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
            source = self.pos.get(nodes[sid].get("sla_from"), -1)
            out.append(self._sla_from(k, source, sla) if source >= 0 else self._sla_of(k, sla, preds))
        return out

    def _sla_from(self, s: int, source: int, sla: float) -> SlaWait:
        """SPEC §5.7: the longest wait from a journey's first visit of ``source`` to a visit of ``s``, within R.

        Over the rounds graph, predecessors first: ``before`` holds the states a
        journey reaches without visiting ``source``, so ``source`` entered from
        one of them (or as the start) is a first visit, where the clock starts
        at 0; ``since`` is the longest duration sum from a first visit to each
        state (a loop counts as often as the journey takes it).  A visit of
        ``s`` is measured only with an earlier visit of ``source``; with none
        on any journey there is no wait (``longest_wait: null``) and no breach.
        """
        before: set[tuple[int, int]] = set()
        since: dict[tuple[int, int], int] = {}
        start = (self.start, 0)
        if self.start != source:
            before.add(start)
        else:
            since[start] = 0
        longest: int | None = None
        dur = self.dur
        for k, r, ways in self._forward_order():
            here = (k, r)
            is_before = here in before
            clock = since.get(here)
            if is_before is False and clock is None:
                continue  # no journey from the start passes here
            for v, rv, _ in ways:
                there = (v, rv)
                if is_before:
                    if v == source:
                        since[there] = max(since.get(there, 0), 0)
                    else:
                        before.add(there)
                if clock is not None:
                    wait = clock + dur[v]
                    if v == s and (longest is None or wait > longest):
                        longest = wait
                    if wait > since.get(there, -1):
                        since[there] = wait
        sid = self.ids[s]
        if longest is None:
            return SlaWait(sid, sla, None, self.ids[source], False)
        wait = self._seconds(longest)
        return SlaWait(sid, sla, wait, self.ids[source], wait > sla)

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
