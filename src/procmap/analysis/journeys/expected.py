"""Expected figures (SPEC §5.4): the mean over customers, shares read as probabilities.

A sparse linear system over the Markov chain the shares define, solved by
state reduction without a subtraction, in 34-digit decimals; see
:func:`_expected_visits` for why that is exact to SPEC's 1e-6 and linear.
"""

from __future__ import annotations

from collections import deque
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from functools import cached_property
from typing import Any

from procmap.analysis.journeys.figures import ADDITIVE
from procmap.analysis.journeys.structure import Structure, sccs


class Expected(Structure):
    """The Markov reading of the process: each step's shares as transition probabilities."""

    def _chain(self) -> tuple[list[Row], list[Decimal]] | None:
        """Each reached step's transitions (the shares as written, as decimals) and its exit; None without a chain.

        A step's shares are divided by their sum (SPEC allows 1 ± 0.001); an
        end step leaves the chain with probability 1.  Not kept: the solves
        that read it run once, and a row per step is memory a long process
        would carry to the end of the audit.
        """
        if self.start < 0 or self.chance is None:
            return None
        g = self.g
        prob: list[Row] = [[] for _ in range(self.n)]
        exits = [_ONE] * self.n
        splits: dict[tuple[float, ...], list[Decimal]] = {}  # one set of decimals per split as written
        with localcontext(_CONTEXT):
            for k in range(self.n):
                if not self.reached[k] or self.end[k]:
                    continue
                exits[k] = _ZERO
                succ = self.succ[k]
                if len(succ) == 1:
                    prob[k] = [(succ[0], _ONE)]
                    continue
                u = self.ids[k]
                written = [g.edges[u, self.ids[v]]["share"] for v in succ]
                if any(s is None for s in written):
                    return None  # several flows, one without a share (the branches of a fork): no chain here
                split = splits.get(tuple(written))
                if split is None:
                    # repr: the shortest decimal that reads back as the float, i.e. the share as written.
                    shares = [Decimal(repr(s)) for s in written]
                    total = sum(shares, _ZERO)
                    split = splits[tuple(written)] = [s / total for s in shares]
                prob[k] = list(zip(succ, split, strict=True))
        return prob, exits

    @cached_property
    def expected(self) -> dict[str, float | int | None] | None:
        """Mean of the additive figures over customers, shares read as probabilities; None when undefined.

        A figure a JSON number cannot hold to 1e-6 (beyond 1e308 or below
        2.2e-308 but not 0) is None, and :attr:`expected_unavailable` says why.
        """
        raw = self._expected_raw
        if raw is None:
            return None
        return {name: _clean_float(value) for name, value in raw.items()}

    @cached_property
    def expected_unavailable(self) -> dict[str, str]:
        """Figures of :attr:`expected` that are None although the chain is defined, each with the reason."""
        raw = self._expected_raw or {}
        return {name: why for name, value in raw.items() if (why := unavailable(value)) is not None}

    @cached_property
    def _expected_raw(self) -> dict[str, Decimal] | None:
        chain = self._chain()
        if chain is None:
            return None
        prob, exits = chain
        n = self.n
        visits = _expected_visits(n, self.start, prob, exits)
        repeats = self.unplanned
        with localcontext(_CONTEXT):
            out: dict[str, Decimal] = {
                "customer_actions": sum((visits[k] for k in range(n) if self.customer[k]), _ZERO),
                "touchpoints": sum((visits[k] for k in range(n) if self.touch[k]), _ZERO),
                "elapsed": sum((visits[k] * self.dur[k] for k in range(n) if self.dur[k]), _ZERO) / self.scale,
                "repeats": sum(
                    (visits[u] * p for u in range(n) for v, p in prob[u] if (u, v) in repeats),
                    _ZERO,
                ),
                "chases": sum((visits[k] for k in range(n) if self.chase[k]), _ZERO),
            }
        del visits  # a decimal per step: not kept through the solves below
        out["visible_handoffs"] = self._expected_switches(
            prob, exits, lambda k: self.lane[k] if self.touch[k] and not self.update[k] else None
        )
        out["channel_switches"] = self._expected_switches(
            prob, exits, lambda k: self.channel[k] if self.facing[k] else None
        )
        result = {name: out[name] for name in ADDITIVE}
        result["p_comes_back"] = self._p_comes_back(prob, exits)
        return result

    def _p_comes_back(self, prob: list[Row], exits: list[Decimal]) -> Decimal:
        """SPEC §5.7: the probability that a customer comes back at least once, no round limit.

        The chain absorbs at the first loop edge taken that is not planned or
        the first chase step entered: those transitions are cut (they join the
        step's exit), the visits of the remaining chain solved as for the
        means, and the probability is what flows out through the cuts.
        """
        repeats, chase = self.unplanned, self.chase

        def back(u: int, v: int) -> bool:
            return chase[v] or (u, v) in repeats

        with localcontext(_CONTEXT):
            kept: list[Row] = []
            cut_exits = list(exits)
            for u, row in enumerate(prob):
                keep = []
                for v, p in row:
                    if back(u, v):
                        cut_exits[u] += p
                    else:
                        keep.append((v, p))
                kept.append(keep)
            visits = _expected_visits(self.n, self.start, kept, cut_exits)
            return sum((visits[u] * p for u, row in enumerate(prob) for v, p in row if back(u, v)), _ZERO)

    def _expected_switches(self, prob: list[Row], exits: list[Decimal], mark: Any) -> Decimal:
        """Expected number of changes of a label along the walk (lane for handoffs, channel for switches).

        The chain is augmented with the last label met: state (step, label
        before it).  A change is a visit to a labelled step whose label
        differs from a previous one.
        """
        index: dict[tuple[int, Any], int] = {}
        trans: list[Row] = []
        leave: list[Decimal] = []
        queue = deque([(self.start, None)])
        index[(self.start, None)] = 0
        trans.append([])
        leave.append(exits[self.start])
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
                    leave.append(exits[v])
                    queue.append(key)
                row.append((j, p))
            trans[i] = row
        # Which states are a change, then the index goes: the solve below is this method's peak of memory.
        change = bytearray(len(trans))
        for (k, last), i in index.items():
            label = mark(k)
            if label is not None and last is not None and last != label:
                change[i] = 1
        del index
        visits = _expected_visits(len(trans), 0, trans, leave)
        total = _ZERO
        with localcontext(_CONTEXT):
            for i, x in enumerate(visits):
                if change[i]:
                    total += x
        return total


def _clean_float(value: Any) -> float | int | None:
    """A solved figure as a JSON number: an integer when it is one (within 1e-9 relative), None beyond a float.

    The solve carries 34 significant digits, so a value within 1e-20
    relative of an integer is that integer (a step visited exactly once
    shows 1, not 0.9999…); an expected 1e-12 stays 1e-12, not 0.  A value
    a float cannot hold to 1e-6 relative (past 1e308, or below 2.2e-308 but
    not 0) is None: :func:`unavailable` says why.
    """
    if not isinstance(value, Decimal):
        value = Decimal(value)
    if value.is_zero():
        return 0
    nearest = value.to_integral_value()
    if abs(value - nearest) <= _TOLERANCE * abs(value) and abs(nearest) < _EXACT_INT:
        return int(nearest)
    if not _SMALL <= abs(value) < _BIG:
        return None
    return float(value)


def unavailable(value: Any) -> str | None:
    """Why a solved figure cannot be shown as a JSON number, or None when it can."""
    if not isinstance(value, Decimal):
        value = Decimal(value)
    if value.is_zero():
        return None
    if abs(value) >= _BIG:
        return f"about {value:.3e}: larger than a JSON number can hold exactly"
    if abs(value) < _SMALL:
        return f"about {value:.3e}: smaller than a JSON number can hold exactly"
    return None


# 34 significant digits and an exponent range no process reaches: the solve never rounds to 0 or overflows.
_CONTEXT = Context(prec=34, Emin=-999_999_999, Emax=999_999_999, rounding=ROUND_HALF_EVEN)
_ONE = Decimal(1)
_ZERO = Decimal(0)
_TOLERANCE = Decimal("1e-20")
_EXACT_INT = Decimal(2**53)  # a larger integer reads as a float in JSON readers anyway
_BIG = Decimal("1e308")
_SMALL = Decimal("2.2250738585072014e-308")  # the smallest float with all 53 bits

Row = list[tuple[int, Decimal]]


def _expected_visits(n: int, start: int, prob: list[Any], exits: list[Decimal] | None = None) -> list[Any]:
    """Expected number of visits of each state of an absorbing Markov chain started in ``start``.

    ``prob[k]`` are k's transitions to other states, ``exits[k]`` the
    probability of leaving the chain from k (flows to no state of the chain:
    cut flows, or none for an end step), given on its own and never as
    ``1 - sum(prob[k])``.

    One strongly connected component at a time, sources first: an acyclic
    stretch is plain propagation, a component is solved by
    :func:`_solve_block`.  Every operation adds, multiplies or divides
    positive numbers: no subtraction, so no cancellation, and each result is
    within (number of operations) × 1e-34 relative of the exact value, with
    34 digits and no underflow or overflow (:data:`_CONTEXT`).  That is what
    keeps SPEC §5.4's 1e-6 on extreme shares (an exit share of 1e-12 or
    1e-300, sixty nested loops), where ``1 - stay`` in floats lost every
    digit.  The cost is linear in steps and flows for processes whose loops
    are short.
    """
    if exits is None:
        # Float rows (the forked reading of SPEC §7.2): exits from the row sums, float visits back.
        with localcontext(_CONTEXT):
            rows = [[(v, Decimal(p)) for v, p in row] for row in prob]
            leave = [_ONE - sum((p for _, p in row), _ZERO) for row in rows]  # negative past a fork (rows sum > 1)
        return [float(x) for x in _expected_visits(n, start, rows, leave)]
    with localcontext(_CONTEXT):
        succ = [[v for v, _ in row] for row in prob]
        comp, members = sccs(n, succ)
        del succ
        inflow = [_ZERO] * n
        inflow[start] = _ONE
        visits = [_ZERO] * n
        reach = [False] * n
        reach[start] = True
        for c in range(len(members) - 1, -1, -1):  # sources first
            group = members[c]
            if len(group) == 1:
                k = group[0]
                if not reach[k]:
                    continue
                # d = 1 - stay, summed from what leaves k (GTH): exact even when stay is 1 - 1e-300.
                d = exits[k]
                for v, p in prob[k]:
                    if v != k:
                        d = p if d is _ZERO else d + p
                # x / 1 is x: most steps pass everyone on, and a decimal per step less is memory saved.
                visits[k] = inflow[k] if d == _ONE else inflow[k] / d
            elif not any(reach[k] for k in group):
                continue
            else:
                _solve_block(group, comp, c, prob, exits, inflow, visits)
            for k in group:
                vk = visits[k]
                for v, p in prob[k]:
                    if comp[v] != c:
                        add = vk if p == _ONE else vk * p
                        inflow[v] = add if inflow[v] is _ZERO else inflow[v] + add
                        reach[v] = True
        return visits


def _solve_block(
    group: list[int],
    comp: list[int],
    c: int,
    prob: list[Row],
    exits: list[Decimal],
    inflow: list[Decimal],
    out: list[Decimal],
) -> None:
    """Visits of the states of one component S, entered with ``inflow``: state reduction (Grassmann–Taksar–Heyman).

    Eliminating a state k censors the chain to the states left: a way
    i -> k -> j becomes i -> j with probability p_ik p_kj / d_k, where
    d_k = 1 - p_kk is computed as the probability of leaving k to anywhere
    else (an exit, or another state left) — a sum of positive terms, never a
    difference.  What k leaves out of S goes to i's exit the same way.  The
    visits then come back in reverse order: v_k = (b_k + Σ v_i p_ik) / d_k
    over the states i still there when k went.  States go in Markowitz
    order (fewest ways in times ways out first), so a long loop through the
    whole process fills in almost nothing: its hub, which every back edge
    enters, goes last.
    """
    import heapq

    members = sorted(group)
    local = {k: i for i, k in enumerate(members)}
    m = len(members)
    outs: list[dict[int, Decimal]] = [{} for _ in range(m)]
    ins: list[set[int]] = [set() for _ in range(m)]
    leave = [exits[k] for k in members]
    b = [inflow[k] for k in members]
    for i, k in enumerate(members):
        row = outs[i]
        for v, p in prob[k]:
            if comp[v] != c:
                leave[i] += p
            elif v != k:
                j = local[v]
                row[j] = row.get(j, _ZERO) + p
                ins[j].add(i)

    def cost(i: int) -> int:
        return len(outs[i]) * len(ins[i])

    heap = [(cost(i), i) for i in range(m)]
    heapq.heapify(heap)
    done = [False] * m
    steps: list[tuple[int, Decimal, Decimal, list[tuple[int, Decimal]]]] = []
    while heap:
        key, k = heapq.heappop(heap)
        if done[k] or key != cost(k):
            continue
        done[k] = True
        row = outs[k]
        d = leave[k]
        for q in row.values():
            d += q
        into = [(i, outs[i].pop(k)) for i in ins[k]]
        steps.append((k, d, b[k], into))
        bk = b[k]
        for j, q in row.items():
            ins[j].discard(k)
            if bk:
                b[j] += bk * q / d
        for i, pik in into:
            f = pik / d
            irow = outs[i]
            for j, q in row.items():
                if j == i:
                    continue  # i -> k -> i: a return to i, which d_i leaves out by construction
                if j in irow:
                    irow[j] += f * q
                else:
                    irow[j] = f * q
                    ins[j].add(i)
            if leave[k]:
                leave[i] += f * leave[k]
        outs[k] = {}
        ins[k] = set()
        for i in {i for i, _ in into} | set(row):
            if not done[i]:
                heapq.heappush(heap, (cost(i), i))
    x = [_ZERO] * m
    for k, d, bk, into in reversed(steps):
        acc = bk
        for i, p in into:
            acc += x[i] * p
        x[k] = acc / d
    for k, i in local.items():
        out[k] = x[i]
