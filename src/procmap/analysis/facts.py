"""What the process looks like from the customer's side (SPEC §1 definitions).

One :class:`Analysis` per process graph, shared by `audit` and by the rules
`visible-handoff`, `no-backup`, `hidden-contact`, `handoff-without-owner` and
`budget`, so the two commands can never disagree.  Each figure is computed
lazily, once: `validate` only pays for what its rules ask.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from procmap.model.graph import condensation, successors_in_order

# (config key, metric, words for messages): the budgets `[budgets]` and audit's flags set.
BUDGETS: tuple[tuple[str, str, str], ...] = (
    ("max-visible-handoffs", "visible_handoffs", "customer-visible handoffs"),
    ("max-touchpoints", "touchpoints", "touchpoints"),
)


@dataclass(frozen=True, slots=True)
class Handoff:
    source: str
    target: str
    source_lane: str
    target_lane: str
    cls: str  # onstage | visibility-line | backstage


@dataclass(frozen=True, slots=True)
class VisibleHandoff:
    source: str
    target: str
    source_lane: str
    target_lane: str
    via: tuple[str, ...]


# The audit lists (and figures) at most this many waits per process; metrics count them all.
MAX_LISTED_WAITS = 200
# ... and stops listing earlier once the figures have cost this many flow visits (each wait searches
# the steps between its two ends: on a dense graph that is the whole process, 40 flows a step).
WAIT_WORK_BUDGET = 400_000


@dataclass(frozen=True, slots=True)
class Wait:
    """Backstage work between two consecutive customer-facing steps: what the customer sits through.

    ``min_seconds`` is the least total duration over the all-backstage paths
    from ``source`` to ``target`` (``via`` is that path); ``max_seconds`` the
    greatest, or None when a backstage loop lies between them (each round adds
    its time, so the map sets no upper bound).  Steps in ``no_duration`` count
    as zero in both figures.
    """

    source: str
    target: str
    via: tuple[str, ...]
    min_seconds: float
    max_seconds: float | None
    no_duration: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChannelSwitch:
    source: str
    target: str
    source_channel: str
    target_channel: str


@dataclass(frozen=True, slots=True)
class BudgetCheck:
    key: str
    metric: str
    what: str
    limit: int
    value: int

    @property
    def exceeded(self) -> bool:
        return self.value > self.limit

    def message(self, process_id: str) -> str:
        return f"process '{process_id}' has {self.value} {self.what}, over the budget of {self.limit} ({self.key})"


def same_person(owner: str | None, backup: str | None) -> bool:
    """Whether a backup names the owner again (case and surrounding spaces ignored): no backup at all."""
    return bool(owner and backup and owner.strip().casefold() == backup.strip().casefold())


def _same_channel(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


class Analysis:
    """Customer-side facts about one process graph."""

    def __init__(self, g: Any) -> None:
        self.g = g
        self.nodes = g.nodes

    def _order(self, node: str) -> int:
        return self.nodes[node]["index"]

    @cached_property
    def customer_actions(self) -> list[str]:
        return [n for n, d in self.g.nodes(data=True) if d["customer"]]

    @cached_property
    def touchpoints(self) -> list[str]:
        return [n for n, d in self.g.nodes(data=True) if d["touchpoint"]]

    @cached_property
    def _touchpoint_set(self) -> frozenset[str]:
        return frozenset(self.touchpoints)

    @cached_property
    def _facing_set(self) -> frozenset[str]:
        """Customer actions and touchpoints: the moments the customer takes part in."""
        return frozenset(n for n, d in self.g.nodes(data=True) if d["facing"])

    def _edges_in_order(self) -> list[tuple[str, str]]:
        return [(u, v) for u in self.g.nodes for v in successors_in_order(self.g, u)]

    @cached_property
    def handoffs(self) -> list[Handoff]:
        out = []
        for u, v in self._edges_in_order():
            du, dv = self.nodes[u], self.nodes[v]
            if du["lane"] == dv["lane"] or du["customer"] or dv["customer"]:
                continue
            if du["lane_kind"] is None or dv["lane_kind"] is None:
                continue  # an unknown lane: reported by unknown-reference, not classed
            a, b = du["visibility"], dv["visibility"]
            cls = a if a == b else "visibility-line"
            out.append(Handoff(u, v, du["lane"], dv["lane"], cls))
        return out

    @cached_property
    def visibility_crossings(self) -> list[tuple[str, str]]:
        return [
            (u, v)
            for u, v in self._edges_in_order()
            if None not in (self.nodes[u]["visibility"], self.nodes[v]["visibility"])
            and self.nodes[u]["visibility"] != self.nodes[v]["visibility"]
        ]

    def _nearest(
        self, source: str, stops: frozenset[str], wanted: frozenset[str] | None = None
    ) -> list[tuple[str, tuple[str, ...]]]:
        """The ``stops`` reachable from ``source`` with no stop inside the path, each with the shortest interior.

        Breadth-first search that does not walk through stops; successors are
        expanded in file order, so among equally short paths the one whose
        interior comes first in file order (compared step by step from the
        start) wins.  ``source`` itself is found again when a loop leads back
        to it.  Result in file order of the stops found; with ``wanted``, only
        those stops are returned (building every interior made a branchy
        process cost n³).
        """
        parent: dict[str, str] = {}
        seen = {source}
        found: dict[str, tuple[str, ...]] = {}
        queue = deque([source])
        while queue:
            node = queue.popleft()
            for nxt in successors_in_order(self.g, node):
                if nxt in stops:
                    if nxt not in found and (wanted is None or nxt in wanted):
                        via: list[str] = []
                        cur = node
                        while cur != source:
                            via.append(cur)
                            cur = parent[cur]
                        found[nxt] = tuple(reversed(via))
                    continue
                if nxt in seen:
                    continue
                seen.add(nxt)
                parent[nxt] = node
                queue.append(nxt)
        return sorted(found.items(), key=lambda item: self._order(item[0]))

    def _stop_targets(self, stops: frozenset[str]) -> tuple[list[str], dict[str, tuple[int, int]]]:
        """For each stop u, the stops reachable from u with no stop inside the path, as a shifted bitset.

        A set is ``(base, bits)``: bit i of ``bits`` stands for ``order[base + i]``
        (the stops in file order), with base its lowest member, so a set of
        nearby stops is a small integer wherever it sits in the file (a plain
        bitset of stop 30,000 alone is a 4 KB integer: 3 KB per step at 100k
        steps).  One pass over the condensation of the stop-free subgraph in
        reverse topological order, one union per edge: linear in the graph
        times the sets' spans in words, where a breadth-first search per stop
        was quadratic.
        """
        order = [n for n in self.g.nodes if n in stops]
        number = {n: i for i, n in enumerate(order)}
        succ = self.g._succ  # the raw adjacency dict, read only: the views cost a call per lookup
        inner = [n for n in self.g.nodes if n not in stops]
        per_component: list[tuple[int, int]] = []
        member: dict[str, int] = {}
        if inner:
            cond = condensation(succ, inner)
            member = cond.mapping
            for c, members in enumerate(cond.members):  # sinks first
                t = _NONE
                for x in members:
                    for w in succ[x]:
                        if w in stops:
                            t = _union(t, (number[w], 1))
                for d in cond.successors[c]:
                    t = _union(t, per_component[d])
                per_component.append(t)
        out: dict[str, tuple[int, int]] = {}
        for u in order:
            t = _NONE
            for w in succ[u]:
                t = _union(t, (number[w], 1) if w in stops else per_component[member[w]])
            out[u] = t
        return order, out

    @cached_property
    def visible_handoffs(self) -> list[VisibleHandoff]:
        stops = self._touchpoint_set
        order, targets = self._stop_targets(stops)
        lane_mask: dict[str, int] = {}
        for i, n in enumerate(order):
            lane = self.nodes[n]["lane"]
            lane_mask[lane] = lane_mask.get(lane, 0) | (1 << i)
        out = []
        for u in self.touchpoints:
            lu = self.nodes[u]["lane"]
            base, bits = targets[u]
            other = bits & ~(lane_mask[lu] >> base)
            if not other:
                continue  # no different-lane touchpoint next: no search, no interiors built
            wanted = frozenset(order[base + i] for i in _bits(other))
            for v, via in self._nearest(u, stops, wanted):
                out.append(VisibleHandoff(u, v, lu, self.nodes[v]["lane"], via))
        return out

    @cached_property
    def waiting_steps(self) -> set[str]:
        """Backstage steps on some touchpoint-free path between two touchpoints (the customer waits on them).

        Paths may go round loops: a backstage step on a rework loop between two
        touchpoints keeps the customer waiting whenever the loop is taken.
        """
        touch = set(self._touchpoint_set)
        forward = _reach(self.g.successors, touch, touch)
        backward = _reach(self.g.predecessors, touch, touch)
        return {n for n in forward & backward if self.nodes[n]["visibility"] == "backstage"}

    @cached_property
    def hidden_contacts(self) -> list[tuple[str, str]]:
        """Edges joining a backstage step and a customer action, either direction."""
        out = []
        for u, v in self._edges_in_order():
            du, dv = self.nodes[u], self.nodes[v]
            if (du["customer"] and dv["visibility"] == "backstage") or (
                dv["customer"] and du["visibility"] == "backstage"
            ):
                out.append((u, v))
        return out

    @cached_property
    def channel_switches(self) -> list[ChannelSwitch]:
        """Places where the customer moves from one channel to another.

        The customer is in the channel of the last customer-facing step
        (customer action or touchpoint) that names one; a facing step without
        a channel keeps them where they are.  So a switch is a pair of
        channelled facing steps ``u -> ... -> v`` with no channelled facing
        step between, whose channels differ (case and surrounding spaces
        ignored).  Each pair counts once, however many paths join it.
        """
        stops = frozenset(n for n in self._facing_set if self.nodes[n]["channel"])
        order, targets = self._stop_targets(stops)
        out = []
        for u in order:
            cu = self.nodes[u]["channel"]
            base, bits = targets[u]
            for i in _bits(bits):
                v = order[base + i]
                cv = self.nodes[v]["channel"]
                if not _same_channel(cu, cv):
                    out.append(ChannelSwitch(u, v, cu, cv))
        return out

    @cached_property
    def waits(self) -> list[Wait]:
        """The first :data:`MAX_LISTED_WAITS` pairs of consecutive customer-facing steps with backstage work between.

        A pair (u, v) of facing steps (customer actions or touchpoints; u == v
        for a loop) joined by a path of one or more steps, all of them
        backstage.  See :class:`Wait` for the figures.  Sorted by u, then v,
        in file order.  A branchy process has a number of pairs that grows
        with the square of its size, each with a region of steps as long as
        the process, so only the first pairs are listed and figured (a
        400-step file took 49 s and wrote 43 MB of JSON): at most
        MAX_LISTED_WAITS, fewer once their regions add up to
        WAIT_WORK_BUDGET flows;
        :attr:`wait_count` and :attr:`unbounded_wait_count` count them all.
        """
        facing = self._facing_set
        succ = self.g._succ  # the raw adjacency dict, read only
        into: dict[str, set[str]] = {}
        out: list[Wait] = []
        work = 0
        for u in self.g.nodes:
            if u not in facing:
                continue
            ahead = _reach(self.g.successors, {u}, facing)
            targets = {w for x in ahead for w in self.g.successors(x) if w in facing}
            for v in sorted(targets, key=self._order):
                if len(out) >= MAX_LISTED_WAITS or work > WAIT_WORK_BUDGET:
                    return out
                if v not in into:
                    into[v] = _reach(self.g.predecessors, {v}, facing)
                region = ahead & into[v]
                work += sum(len(succ[x]) for x in region)
                via, least = self._least_wait(u, v, region)
                out.append(
                    Wait(
                        u,
                        v,
                        via,
                        least,
                        self._most_wait(u, v, region),
                        tuple(sorted((n for n in region if self.nodes[n]["duration"] is None), key=self._order)),
                    )
                )
        return out

    @cached_property
    def _wait_targets(self) -> tuple[int, int]:
        """(pairs, unbounded pairs) over every facing step, counted with bitsets in linear passes.

        For each backstage step b, T(b) is the set of facing steps one flow
        past the backstage steps b reaches (b included), and C(b) the part of
        it reached through a backstage loop.  They follow the condensation of
        the backstage subgraph in reverse topological order, one OR of
        integer bitsets per edge; the pairs from u are the union of T over u's
        backstage successors.
        """
        facing = self._facing_set
        back = [n for n in self.g.nodes if n not in facing]
        if not back:
            return 0, 0
        bit = {n: 1 << i for i, n in enumerate(n for n in self.g.nodes if n in facing)}
        cond = condensation(self.g._succ, back)
        member = cond.mapping
        targets: dict[int, int] = {}
        looped: dict[int, int] = {}
        for c, nodes in enumerate(cond.members):  # sinks first
            t = 0
            for x in nodes:
                for w in self.g.successors(x):
                    if w in facing:
                        t |= bit[w]
            loops = 0
            for d in cond.successors[c]:
                t |= targets[d]
                loops |= looped[d]
            cyclic = len(nodes) > 1 or any(self.g.has_edge(x, x) for x in nodes)
            targets[c] = t
            looped[c] = t if cyclic else loops
        pairs = unbounded = 0
        for u in self.g.nodes:
            if u not in facing:
                continue
            t = loops = 0
            for b in self.g.successors(u):
                if b not in facing:
                    t |= targets[member[b]]
                    loops |= looped[member[b]]
            pairs += t.bit_count()
            unbounded += loops.bit_count()
        return pairs, unbounded

    @property
    def wait_count(self) -> int:
        """All waits, listed or not (see :attr:`waits`)."""
        return self._wait_targets[0]

    @property
    def unbounded_wait_count(self) -> int:
        """Waits with a backstage loop between their two steps (no upper bound), listed or not."""
        return self._wait_targets[1]

    def _seconds(self, node: str) -> float:
        return self.nodes[node]["duration"] or 0.0

    def _least_wait(self, u: str, v: str, region: set[str]) -> tuple[tuple[str, ...], float]:
        """Dijkstra over ``region`` from u to v: least total duration, then fewest steps, then file order."""
        heap: list[tuple[float, int, tuple[int, ...], tuple[str, ...], bool]] = []
        for x in self.g.successors(u):
            if x in region:
                heap.append((self._seconds(x), 1, (self._order(x),), (x,), False))
        heapq.heapify(heap)
        settled: set[str] = set()
        while heap:
            w, n, key, path, arrived = heapq.heappop(heap)
            if arrived:
                return path, w
            x = path[-1]
            if x in settled:
                continue
            settled.add(x)
            for y in self.g.successors(x):
                if y == v:
                    heapq.heappush(heap, (w, n, key, path, True))
                elif y in region and y not in settled:
                    heapq.heappush(heap, (w + self._seconds(y), n + 1, (*key, self._order(y)), (*path, y), False))
        raise AssertionError(f"no backstage path from {u!r} to {v!r}")  # region is built from such paths

    def _most_wait(self, u: str, v: str, region: set[str]) -> float | None:
        """Longest total duration from u to v through ``region``; None when the region has a loop.

        Kahn's algorithm on the region's own adjacency (networkx's
        topological sort on a subgraph view cost 10x more per pair).
        """
        succ = self.g._succ  # the raw adjacency dict, read only: the views cost a call per lookup
        indegree = dict.fromkeys(region, 0)
        for x in region:
            for y in succ[x]:
                if y in indegree:
                    indegree[y] += 1
        ready = [x for x, k in indegree.items() if k == 0]
        entry = succ[u]
        incoming: dict[str, float] = {}
        best: dict[str, float] = {}
        while ready:
            x = ready.pop()
            before = incoming.get(x)
            if x in entry:
                before = 0.0 if before is None else max(before, 0.0)
            best[x] = (before or 0.0) + self._seconds(x)
            for y in succ[x]:
                if y in indegree:
                    incoming[y] = max(incoming.get(y, best[x]), best[x])
                    indegree[y] -= 1
                    if indegree[y] == 0:
                        ready.append(y)
        if len(best) < len(region):
            return None  # a loop: its steps never reach indegree 0
        return max(best[x] for x in region if v in succ[x])

    @cached_property
    def data_classes(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for n, d in self.g.nodes(data=True):
            for cls in d["data"]:
                if n not in out.get(cls, ()):
                    out.setdefault(cls, []).append(n)
        return dict(sorted(out.items()))

    @cached_property
    def fail_points(self) -> list[str]:
        return [n for n, d in self.g.nodes(data=True) if d["fail_point"]]

    @cached_property
    def no_backup(self) -> list[str]:
        """The steps the `no-backup` rule selects, in file order (also the audit's journey fail points).

        A step without `backup` that is a fail point, or that has an `owner`
        and lies backstage where the customer waits on it.  A backup equal to
        the owner is no backup at all (SPEC §5.5, rule `backup-is-owner`), so
        it does not take the step out.
        """
        out = []
        for n, d in self.g.nodes(data=True):
            if d["backup"] and not same_person(d["owner"], d["backup"]):
                continue
            if d["fail_point"] or (d["owner"] and n in self.waiting_steps):
                out.append(n)
        return out

    def budgets(self, limits: dict[str, int]) -> list[BudgetCheck]:
        """Each budget set in ``limits`` (config keys), with the process's figure; only computes what is asked."""
        figures: dict[str, Callable[[], int]] = {
            "visible_handoffs": lambda: len(self.visible_handoffs),
            "touchpoints": lambda: len(self.touchpoints),
        }
        return [
            BudgetCheck(key, metric, what, limits[key], figures[metric]())
            for key, metric, what in BUDGETS
            if limits.get(key) is not None
        ]

    def metrics(self) -> dict[str, float | int]:
        classes = [h.cls for h in self.handoffs]
        bounded = [w.max_seconds for w in self.waits if w.max_seconds is not None]  # listed waits only
        parties = {self.nodes[t]["lane"] for t in self.touchpoints}
        channels = {self.nodes[n]["channel"].strip().casefold() for n in self._facing_set if self.nodes[n]["channel"]}
        return {
            "steps": self.g.number_of_nodes(),
            "customer_actions": len(self.customer_actions),
            "touchpoints": len(self.touchpoints),
            "visible_handoffs": len(self.visible_handoffs),
            "handoffs": len(self.handoffs),
            "visibility_crossings": len(self.visibility_crossings),
            "onstage_handoffs": classes.count("onstage"),
            "visibility_line_handoffs": classes.count("visibility-line"),
            "backstage_handoffs": classes.count("backstage"),
            "hidden_contacts": len(self.hidden_contacts),
            "parties_met": len(parties),
            "channels_used": len(channels),
            "channel_switches": len(self.channel_switches),
            "data_classes": len(self.data_classes),
            "fail_points": len(self.fail_points),
            # Every step `no-backup` selects, so the audit and validate agree.
            "fail_points_without_backup": len(self.no_backup),
            "waits": self.wait_count,
            "max_wait_seconds": max(bounded, default=0.0),
            "unbounded_waits": self.unbounded_wait_count,
        }


_NONE = (0, 0)  # the empty shifted bitset (see Analysis._stop_targets)


def _union(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """The union of two shifted bitsets ``(base, bits)``, based at the lower base."""
    if not b[1]:
        return a
    if not a[1]:
        return b
    if a[0] <= b[0]:
        return (a[0], a[1] | (b[1] << (b[0] - a[0])))
    return (b[0], b[1] | (a[1] << (a[0] - b[0])))


def _bits(mask: int) -> Iterable[int]:
    """Indices of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _reach(neighbours: Callable[[str], Iterable[str]], sources: Iterable[str], blockers: Iterable[str]) -> set[str]:
    """Steps reachable from ``sources`` (not counting them) without passing through ``blockers``.

    One multi-source BFS (not one per source) keeps this linear.
    """
    blocked = blockers if isinstance(blockers, (set, frozenset)) else set(blockers)
    seen: set[str] = set()
    queue: deque[str] = deque()
    for s in sources:
        for n in neighbours(s):
            if n not in blocked and n not in seen:
                seen.add(n)
                queue.append(n)
    while queue:
        node = queue.popleft()
        for n in neighbours(node):
            if n not in blocked and n not in seen:
                seen.add(n)
                queue.append(n)
    return seen
