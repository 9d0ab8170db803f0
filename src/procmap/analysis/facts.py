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

import networkx as nx

from procmap.model.graph import successors_in_order

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


def _same_channel(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


class Analysis:
    """Customer-side facts about one process graph."""

    def __init__(self, g: nx.DiGraph) -> None:
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

    def _nearest(self, source: str, stops: frozenset[str]) -> list[tuple[str, tuple[str, ...]]]:
        """The ``stops`` reachable from ``source`` with no stop inside the path, each with the shortest interior.

        Breadth-first search that does not walk through stops; successors are
        expanded in file order, so among equally short paths the one whose
        interior comes first in file order (compared step by step from the
        start) wins.  ``source`` itself is found again when a loop leads back
        to it.  Result in file order of the stops found.
        """
        parent: dict[str, str] = {}
        seen = {source}
        found: dict[str, tuple[str, ...]] = {}
        queue = deque([source])
        while queue:
            node = queue.popleft()
            for nxt in successors_in_order(self.g, node):
                if nxt in stops:
                    if nxt not in found:
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

    @cached_property
    def _touchpoint_pairs(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """Consecutive touchpoints: (u, v, shortest touchpoint-free interior), any lanes."""
        stops = self._touchpoint_set
        return [(u, v, via) for u in self.touchpoints for v, via in self._nearest(u, stops)]

    @cached_property
    def visible_handoffs(self) -> list[VisibleHandoff]:
        out = []
        for u, v, via in self._touchpoint_pairs:
            lu, lv = self.nodes[u]["lane"], self.nodes[v]["lane"]
            if lu != lv:
                out.append(VisibleHandoff(u, v, lu, lv, via))
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
        out = []
        for u in self.g.nodes:
            if u not in stops:
                continue
            cu = self.nodes[u]["channel"]
            for v, _via in self._nearest(u, stops):
                cv = self.nodes[v]["channel"]
                if not _same_channel(cu, cv):
                    out.append(ChannelSwitch(u, v, cu, cv))
        return out

    @cached_property
    def waits(self) -> list[Wait]:
        """Every pair of consecutive customer-facing steps with backstage work between them.

        A pair (u, v) of facing steps (customer actions or touchpoints; u == v
        for a loop) joined by a path of one or more steps, all of them
        backstage.  See :class:`Wait` for the figures.  Sorted by u, then v,
        in file order.
        """
        facing = self._facing_set
        into: dict[str, set[str]] = {}
        out = []
        for u in self.g.nodes:
            if u not in facing:
                continue
            ahead = _reach(self.g.successors, {u}, facing)
            targets = {w for x in ahead for w in self.g.successors(x) if w in facing}
            for v in sorted(targets, key=self._order):
                if v not in into:
                    into[v] = _reach(self.g.predecessors, {v}, facing)
                region = ahead & into[v]
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
        """Longest total duration from u to v through ``region``; None when the region has a loop."""
        sub = self.g.subgraph(region)
        try:
            order = list(nx.topological_sort(sub))
        except nx.NetworkXUnfeasible:
            return None
        best: dict[str, float] = {}
        for x in order:  # every step of the region lies on some u -> ... -> v path
            before = [best[p] for p in sub.predecessors(x)]
            if self.g.has_edge(u, x):
                before.append(0.0)
            best[x] = max(before) + self._seconds(x)
        return max(best[x] for x in region if self.g.has_edge(x, v))

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
        and lies backstage where the customer waits on it.
        """
        out = []
        for n, d in self.g.nodes(data=True):
            if d["backup"]:
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
        bounded = [w.max_seconds for w in self.waits if w.max_seconds is not None]
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
            "waits": len(self.waits),
            "max_wait_seconds": max(bounded, default=0.0),
            "unbounded_waits": len(self.waits) - len(bounded),
        }


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
