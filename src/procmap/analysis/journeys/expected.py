"""Expected figures (SPEC §5.4): the mean over customers, shares read as probabilities.

A sparse linear system over the Markov chain the shares define; see
:func:`_expected_visits` for the solver and why it is hand-written.
"""

from __future__ import annotations

import math
from collections import deque
from functools import cached_property
from typing import Any

from procmap.analysis.journeys.figures import ADDITIVE
from procmap.analysis.journeys.structure import Structure, sccs


class Expected(Structure):
    """The Markov reading of the process: each step's shares as transition probabilities."""

    @cached_property
    def expected(self) -> dict[str, float | int] | None:
        """Mean of the additive figures over customers, shares read as probabilities; None when undefined."""
        if self.start < 0 or self.chance is None:
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
        visits = _expected_visits(self.n, self.start, prob)
        repeats = self.unplanned
        out: dict[str, float] = {
            "customer_actions": sum(visits[k] for k in range(self.n) if self.customer[k]),
            "touchpoints": sum(visits[k] for k in range(self.n) if self.touch[k]),
            "elapsed": sum(visits[k] * self.dur[k] for k in range(self.n)) / self.scale,
            "repeats": sum(visits[u] * p for u in range(self.n) for v, p in prob[u] if (u, v) in repeats),
            "chases": sum(visits[k] for k in range(self.n) if self.chase[k]),
        }
        out["visible_handoffs"] = self._expected_switches(
            prob, lambda k: self.lane[k] if self.touch[k] and not self.update[k] else None
        )
        out["channel_switches"] = self._expected_switches(prob, lambda k: self.channel[k] if self.facing[k] else None)
        result = {name: _clean_float(out[name]) for name in ADDITIVE}
        result["p_comes_back"] = _clean_float(self._p_comes_back(prob))
        return result

    def _p_comes_back(self, prob: list[list[tuple[int, float]]]) -> float:
        """SPEC §5.7: the probability that a customer comes back at least once, no round limit.

        The chain absorbs at the first loop edge taken that is not planned or
        the first chase step entered: those transitions are cut, the visits of
        the remaining (substochastic) chain solved as for the means, and the
        probability is what flows out through the cuts.
        """
        repeats, chase = self.unplanned, self.chase

        def back(u: int, v: int) -> bool:
            return chase[v] or (u, v) in repeats

        kept = [[(v, p) for v, p in row if not back(u, v)] for u, row in enumerate(prob)]
        visits = _expected_visits(self.n, self.start, kept)
        return sum(visits[u] * p for u, row in enumerate(prob) for v, p in row if back(u, v))

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
    comp, members = sccs(n, succ)
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
