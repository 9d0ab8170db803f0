"""What comes back to the customer (SPEC §5.4): repeat loops, fail points and where they surface, asked twice."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from procmap.analysis.journeys.structure import Structure, sccs

# At most this many asked-twice entries are listed; asked_twice_total keeps the exact count.
ASKED_TWICE_LIMIT = 1000


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


class Surfacing(Structure):
    """Process-level facts about where the customer meets the process again."""

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
        return sccs(self.n, self.succ)[0]

    @cached_property
    def repeat_loops(self) -> list[RepeatLoop]:
        """Loop edges whose cycle holds a facing step: the customer has to come back.

        Planned loop edges (SPEC §5.7: a follow-up the customer expects) are left out.  The cycle of a loop edge u -> v is a shortest path v ... u; loop edges
        that share a target share one breadth-first tree.
        """
        out = []
        trees: dict[int, dict[int, int]] = {}
        for u in range(self.n):
            for v in self.loops[u]:
                if (u, v) not in self.unplanned:
                    continue
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
        comp, _order = sccs(self.n, self.succ)
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
        comp, _order = sccs(self.n, self.succ)
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
        comp, order = sccs(self.n, adj)
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
