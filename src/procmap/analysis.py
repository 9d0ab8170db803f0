"""What the process looks like from the customer's side (SPEC §1 definitions).

One :class:`Analysis` per process graph, shared by `audit` and by the rules
`visible-handoff`, `no-backup` and `hidden-contact`, so the two commands can
never disagree.  Each figure is computed lazily, once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from procmap.graph import successors_in_order


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
class Leg:
    """A stretch between two consecutive touchpoints: what the customer sits through."""

    source: str
    target: str
    via: tuple[str, ...]
    wait_seconds: float
    unknown_durations: int


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

    def _legs_from(self, source: str, stop: str) -> list[tuple[str, tuple[str, ...]]]:
        """Nearest ``stop``-flagged steps after ``source``, each with the shortest interior.

        Breadth-first search that does not walk through flagged steps.  Successors
        are expanded in file order, so among equally short paths the one whose
        interior is first in file order (compared step by step) wins.
        """
        parent: dict[str, str] = {}
        seen = {source}
        found: list[tuple[str, tuple[str, ...]]] = []
        found_set: set[str] = set()
        queue = deque([source])
        while queue:
            node = queue.popleft()
            for nxt in successors_in_order(self.g, node):
                if self.nodes[nxt][stop]:
                    if nxt not in found_set:
                        found_set.add(nxt)
                        via: list[str] = []
                        cur = node
                        while cur != source:
                            via.append(cur)
                            cur = parent[cur]
                        found.append((nxt, tuple(reversed(via))))
                    continue
                if nxt in seen:
                    continue
                seen.add(nxt)
                parent[nxt] = node
                queue.append(nxt)
        return found

    @cached_property
    def _touchpoint_legs(self) -> list[tuple[str, str, tuple[str, ...]]]:
        legs = []
        for u in self.touchpoints:
            found = self._legs_from(u, "touchpoint")
            found.sort(key=lambda item: self._order(item[0]))
            legs.extend((u, v, via) for v, via in found)
        return legs

    @cached_property
    def visible_handoffs(self) -> list[VisibleHandoff]:
        out = []
        for u, v, via in self._touchpoint_legs:
            lu, lv = self.nodes[u]["lane"], self.nodes[v]["lane"]
            if lu != lv:
                out.append(VisibleHandoff(u, v, lu, lv, via))
        return out

    @cached_property
    def legs(self) -> list[Leg]:
        """Every pair of consecutive touchpoints (any lanes) with the wait between them.

        The wait is the sum of the ``duration`` of the backstage steps on the
        shortest interior path (``via``); customer actions on it are the
        customer's own time, not waiting.  Loops are counted once: a shortest
        path never repeats a step.  Steps without a duration count as zero and
        are counted in ``unknown_durations``.
        """
        out = []
        for u, v, via in self._touchpoint_legs:
            wait = 0.0
            unknown = 0
            for n in via:
                d = self.nodes[n]
                if d["customer"]:
                    continue
                if d["duration"] is None:
                    unknown += 1
                else:
                    wait += d["duration"]
            out.append(Leg(u, v, via, wait, unknown))
        return out

    @cached_property
    def waiting_steps(self) -> set[str]:
        """Backstage steps on some touchpoint-free path between two touchpoints."""
        touch = set(self.touchpoints)
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
    def channel_switches(self) -> list[tuple[str, str]]:
        """Consecutive customer-facing steps (customer actions and touchpoints) on different channels.

        Consecutive means a flow path between them with no customer-facing step
        inside; steps without a channel are not counted.
        """
        out = []
        for u in self.g.nodes:
            du = self.nodes[u]
            if not (du["customer"] or du["touchpoint"]) or not du["channel"]:
                continue
            found = self._legs_from(u, "facing")
            found.sort(key=lambda item: self._order(item[0]))
            for v, _via in found:
                cv = self.nodes[v]["channel"]
                if cv and cv.strip().lower() != du["channel"].strip().lower():
                    out.append((u, v))
        return out

    @cached_property
    def data_classes(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for n, d in self.g.nodes(data=True):
            for cls in d["data"]:
                out.setdefault(cls, []).append(n)
        return dict(sorted(out.items()))

    @cached_property
    def fail_points(self) -> list[str]:
        return [n for n, d in self.g.nodes(data=True) if d["fail_point"]]

    def metrics(self) -> dict[str, float | int | None]:
        waits = [leg.wait_seconds for leg in self.legs]
        parties = {self.nodes[t]["lane"] for t in self.touchpoints}
        channels = {
            self.nodes[n]["channel"].strip().lower()
            for n in self.g.nodes
            if self.nodes[n]["channel"] and (self.nodes[n]["customer"] or self.nodes[n]["touchpoint"])
        }
        return {
            "steps": self.g.number_of_nodes(),
            "customer_actions": len(self.customer_actions),
            "touchpoints": len(self.touchpoints),
            "visible_handoffs": len(self.visible_handoffs),
            "handoffs": len(self.handoffs),
            "visibility_crossings": len(self.visibility_crossings),
            "parties_met": len(parties),
            "channels_used": len(channels),
            "channel_switches": len(self.channel_switches),
            "fail_points": len(self.fail_points),
            "fail_points_without_backup": sum(1 for n in self.fail_points if not self.nodes[n]["backup"]),
            "max_wait_seconds": max(waits) if waits else 0.0,
            "total_wait_seconds": sum(waits),
        }


def _reach(neighbours, sources: set[str], blockers: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """Steps reachable from ``sources`` without passing through ``blockers``.

    One multi-source BFS (not one per source) keeps this linear.
    """
    seen: set[str] = set()
    queue = deque()
    for s in sources:
        for n in neighbours(s):
            if n not in blockers and n not in seen:
                seen.add(n)
                queue.append(n)
    while queue:
        node = queue.popleft()
        for n in neighbours(node):
            if n not in blockers and n not in seen:
                seen.add(n)
                queue.append(n)
    return seen
