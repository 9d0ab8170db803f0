"""The journey analysis against a brute-force enumeration of SPEC §5 (tests/journey_oracle.py).

Random small processes with updates, shares, slas, data classes, fail points
and loops, plus every shipped example: the whole `journeys` object must be
the oracle's, figure for figure (expected values to 1e-6 relative).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journey_oracle as oracle
from conftest import EXAMPLES
from procmap.analysis.facts import Analysis
from procmap.analysis.journeys import Journeys
from procmap.analysis.journeys.report import journeys_report
from procmap.config import Config
from procmap.model.graph import build_graph
from procmap.model.process import ProcessFile
from procmap.validate import check_file

LANES = [
    {"id": "customer", "name": "Customer", "kind": "customer"},
    {"id": "desk", "name": "Desk", "kind": "onstage"},
    {"id": "phone", "name": "Phone team", "kind": "onstage"},
    {"id": "clerk", "name": "Clerk", "kind": "backstage"},
    {"id": "system", "name": "System", "kind": "support"},
]
KINDS = {lane["id"]: lane["kind"] for lane in LANES}
SPLITS = {2: [(0.5, 0.5), (0.25, 0.75), (0.9, 0.1)], 3: [(0.5, 0.25, 0.25), (0.2, 0.3, 0.5)], 4: [(0.25,) * 4]}


def same(product: Any, expected: Any, path: str = "") -> None:
    """Equal, floats to 1e-6 relative; the path names the first difference."""
    if isinstance(expected, dict):
        assert isinstance(product, dict) and set(product) == set(expected), f"{path}: keys {product} != {expected}"
        for key in expected:
            same(product[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(product, list) and len(product) == len(expected), f"{path}: {product} != {expected}"
        for i, (a, b) in enumerate(zip(product, expected, strict=True)):
            same(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) or isinstance(product, float):
        assert product is not None and expected is not None, f"{path}: {product} != {expected}"
        assert math.isclose(product, expected, rel_tol=1e-6, abs_tol=1e-9), f"{path}: {product} != {expected}"
    else:
        assert product == expected, f"{path}: {product!r} != {expected!r}"


def compare(g: Any, repeats: int = 1, worst_by: tuple[str, ...] | None = None) -> None:
    j = Journeys(g, repeats)
    if worst_by is not None:
        j = j.with_worst_by(worst_by)
    product = journeys_report(j, Analysis(g).no_backup)
    same(product, oracle.report_blocks(g, repeats, worst_by or oracle.WORST_BY), "journeys")


@st.composite
def processes(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(2, 7))
    ids = [f"s{i}" for i in range(n)]
    steps = []
    sla_from: dict[str, int] = {}  # step -> index of the step its sla runs from (kept when that one is facing)
    for i, sid in enumerate(ids):
        lane = draw(st.sampled_from(list(KINDS)))
        step: dict[str, Any] = {"id": sid, "name": f"Step {i}", "lane": lane}
        if KINDS[lane] != "customer" and draw(st.integers(0, 4)) == 0:
            step["visibility"] = "onstage" if KINDS[lane] in ("backstage", "support") else "backstage"
        visible = (
            KINDS[lane] != "customer"
            and step.get("visibility", "onstage" if KINDS[lane] == "onstage" else "backstage") == "onstage"
        )
        if visible and draw(st.booleans()):
            step["contact"] = "update"
        channel = draw(st.sampled_from([None, "phone", "Phone ", "email", "web"]))
        if channel:
            step["channel"] = channel
        duration = draw(st.sampled_from([None, "0s", "1m", "90s", "1h", "0.5s"]))
        if duration:
            step["duration"] = duration
        if KINDS[lane] == "customer" and i > 0 and draw(st.integers(0, 2)) == 0:
            step["contact"] = "chase"
        if draw(st.integers(0, 3)) == 0:
            step["sla"] = draw(st.sampled_from(["1m", "2m", "1h"]))
            if draw(st.booleans()):
                sla_from[sid] = draw(st.integers(0, n - 1))
        data = draw(st.lists(st.sampled_from(["pii", "card"]), unique=True, max_size=2))
        if data:
            step["data"] = data
        if draw(st.integers(0, 3)) == 0:
            step["fail_point"] = True
        if draw(st.booleans()):
            step["owner"] = "Ann"
            backup = draw(st.sampled_from([None, "Bob", "Ann"]))
            if backup:
                step["backup"] = backup
        steps.append(step)
    # Every step is reached: each one after the first has a flow from an earlier one.
    targets: list[list[int]] = [[] for _ in range(n)]
    for i in range(1, n):
        targets[draw(st.integers(0, i - 1))].append(i)
    for i in range(n):
        extra = draw(st.lists(st.integers(0, n - 1), max_size=2))
        for t in extra:
            if t not in targets[i]:
                targets[i].append(t)
        targets[i] = draw(st.permutations(targets[i])) if targets[i] else []
    if all(targets[i] for i in range(n)):
        targets[n - 1] = []  # at least one end step
    with_shares = draw(st.booleans())
    for i, step in enumerate(steps):
        flows = [{"to": ids[t], "when": f"w{t}"} for t in targets[i]]
        if with_shares and len(flows) in SPLITS:
            for f, share in zip(flows, draw(st.sampled_from(SPLITS[len(flows)])), strict=True):
                f["share"] = share
        if flows:
            step["next"] = flows
    for step in steps:
        source = sla_from.get(step["id"])
        if source is not None and _is_facing(steps[source]):
            step["sla_from"] = ids[source]
    process = {"version": 1, "process": {"id": "random", "name": "Random"}, "lanes": LANES, "steps": steps}
    # planned: true only on loop edges (SPEC §5.7), so mark some of the walk's loop edges
    loops = oracle.loop_edges(build_graph(ProcessFile.model_validate(process)), "s0")
    for step in steps:
        for f in step.get("next", []):
            if (step["id"], f["to"]) in loops and draw(st.booleans()):
                f["planned"] = True
    return process


def _is_facing(step: dict[str, Any]) -> bool:
    kind = KINDS[step["lane"]]
    visibility = step.get("visibility", "onstage" if kind in ("customer", "onstage") else "backstage")
    return kind == "customer" or visibility == "onstage"


def _reachable(process: dict[str, Any]) -> bool:
    steps = {s["id"]: [f["to"] for f in s.get("next", [])] for s in process["steps"]}
    seen, todo = {"s0"}, ["s0"]
    while todo:
        for t in steps[todo.pop()]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return len(seen) == len(steps)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(processes(), st.integers(0, 2))
def test_random_processes_match_the_oracle(process: dict[str, Any], repeats: int) -> None:
    model = ProcessFile.model_validate(process)
    g = build_graph(model)
    assert _reachable(process)
    compare(g, repeats)


WORST_NAMES = (*oracle.FIGURES, "comes_back")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    processes(),
    st.integers(0, 2),
    st.lists(st.sampled_from(WORST_NAMES), min_size=1, max_size=4, unique=True).map(tuple),
)
def test_random_worst_by_orders_match_the_oracle(process: dict[str, Any], repeats: int, order: tuple) -> None:
    """--worst-by: any figures in any order, the set-valued and max-valued ones included."""
    g = build_graph(ProcessFile.model_validate(process))
    compare(g, repeats, order)


@st.composite
def branchy_processes(draw: st.DrawFn) -> dict[str, Any]:
    """Issue 15's hostile shape, small: every step branches to the next few, so ways cross and re-meet everywhere.

    Backstage runs that skip the facing steps make long silences on many
    ways at once (what made the worst journey's labels explode); a way back
    now and then makes loops, shares sometimes make a chain.
    """
    n = draw(st.integers(4, 9))
    fanout = draw(st.integers(2, 4))
    with_shares = draw(st.booleans())
    steps = []
    for i in range(n):
        lane = draw(st.sampled_from(list(KINDS)))
        step: dict[str, Any] = {"id": f"s{i}", "name": f"Step {i}", "lane": lane}
        if KINDS[lane] == "onstage" and draw(st.integers(0, 3)) == 0:
            step["contact"] = "update"
        duration = draw(st.sampled_from([None, "1m", "5m", "90s", "1h"]))
        if duration:
            step["duration"] = duration
        channel = draw(st.sampled_from([None, "phone", "email"]))
        if channel:
            step["channel"] = channel
        targets = list(range(i + 1, min(n, i + 1 + fanout)))
        if 0 < i < n - 1 and draw(st.integers(0, 3)) == 0:
            back = draw(st.integers(0, i))
            targets.append(back)
        flows = [{"to": f"s{t}", "when": f"w{t}"} for t in targets]
        if with_shares and len(flows) in SPLITS:
            for f, share in zip(flows, draw(st.sampled_from(SPLITS[len(flows)])), strict=True):
                f["share"] = share
        if flows:
            step["next"] = flows
        steps.append(step)
    return {"version": 1, "process": {"id": "branchy", "name": "Branchy"}, "lanes": LANES, "steps": steps}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    branchy_processes(),
    st.integers(0, 2),
    st.one_of(st.none(), st.lists(st.sampled_from(WORST_NAMES), min_size=1, max_size=4, unique=True).map(tuple)),
)
def test_random_branchy_processes_match_the_oracle(process: dict[str, Any], repeats: int, order: Any) -> None:
    """The worst journey's pruning (silence that can no longer matter, closed and open kept apart) changes nothing."""
    g = build_graph(ProcessFile.model_validate(process))
    compare(g, repeats, order)


@pytest.mark.parametrize(
    "path", sorted(EXAMPLES.glob("*.yaml")) + sorted(EXAMPLES.glob("stories/*.yaml")), ids=lambda p: p.stem
)
def test_every_example_matches_the_oracle(path) -> None:
    result = check_file(str(path), Config())
    assert result.graph is not None
    compare(result.graph)


def _graph(steps: list[dict[str, Any]]) -> Any:
    process = {"version": 1, "process": {"id": "hand", "name": "Hand"}, "lanes": LANES, "steps": steps}
    return build_graph(ProcessFile.model_validate(process))


def test_hand_main_is_the_most_probable_and_ties_go_to_depth_first_order() -> None:
    """A 0.4 branch then a 0.6 one: main takes the 0.6; at 0.5 / 0.5 it takes the first listed."""
    for shares, first in (((0.4, 0.6), "b"), ((0.5, 0.5), "a"), ((0.6, 0.4), "a")):
        g = _graph(
            [
                {
                    "id": "s",
                    "name": "S",
                    "lane": "customer",
                    "next": [{"to": "a", "share": shares[0]}, {"to": "b", "share": shares[1]}],
                },
                {"id": "a", "name": "A", "lane": "desk", "next": ["e"]},
                {"id": "b", "name": "B", "lane": "desk", "next": ["e"]},
                {"id": "e", "name": "E", "lane": "customer"},
            ]
        )
        report = journeys_report(Journeys(g), set())
        assert report["main"]["steps"] == ["s", first, "e"]
        assert report["main"]["probability"] == max(shares)
        compare(g)


def test_hand_p_comes_back_planned_loops_and_the_worst_order() -> None:
    """A chase at 0.2, a repeat loop at 0.5 after it, a planned follow-up at 0.5 before the end.

    Comes back on one pass: 0.2 (the chase) + 0.8 x 0.5 (the loop) = 0.6; the planned follow-up is
    no come-back, but a customer it brings round can come back on the next pass, with no round limit:
    x = 0.6 + 0.8 x 0.5 x 0.5 x x, so x = 0.75.  Worst (R = 1): chase, loop, chase again (comes back 3).
    """
    g = _graph(
        [
            {"id": "s", "name": "S", "lane": "customer", "next": ["w"]},
            {
                "id": "w",
                "name": "Wait",
                "lane": "clerk",
                "duration": "1h",
                "next": [{"to": "t", "share": 0.8}, {"to": "c", "share": 0.2}],
            },
            {"id": "c", "name": "Chase", "lane": "customer", "contact": "chase", "next": ["t"]},
            {
                "id": "t",
                "name": "Talk",
                "lane": "desk",
                "next": [{"to": "v", "share": 0.5}, {"to": "w", "share": 0.5}],
            },
            {
                "id": "v",
                "name": "Visit",
                "lane": "phone",
                "next": [{"to": "e", "share": 0.5}, {"to": "s", "share": 0.5, "planned": True}],
            },
            {"id": "e", "name": "End", "lane": "customer"},
        ]
    )
    j = Journeys(g, 1)
    assert j.expected is not None and j.expected["p_comes_back"] == pytest.approx(0.75)
    assert [(x.source, x.target) for x in j.repeat_loops] == [("t", "w")]
    worst = j.worst
    assert worst is not None and worst.figures["repeats"] + worst.figures["chases"] == 3
    for repeats in (0, 1, 2):
        compare(g, repeats)
        for order in (("longest_silence",), ("elapsed", "comes_back"), ("parties", "channel_switches", "repeats")):
            compare(g, repeats, order)


def test_hand_sla_from_counts_every_round_and_nothing_before_the_first_visit() -> None:
    """The promise runs from the first call: each loop round adds its hour; a visit before it is not measured."""
    g = _graph(
        [
            {"id": "s", "name": "S", "lane": "desk", "duration": "5m", "sla": "1m", "sla_from": "k", "next": ["k"]},
            {"id": "k", "name": "Call", "lane": "customer", "next": ["w"]},
            {"id": "w", "name": "Wait", "lane": "clerk", "duration": "1h", "next": ["s2"]},
            {
                "id": "s2",
                "name": "Reply",
                "lane": "desk",
                "duration": "1m",
                "sla": "2h",
                "sla_from": "k",
                "next": ["e", "k"],
            },
            {"id": "e", "name": "End", "lane": "customer"},
        ]
    )
    for repeats, wait in ((0, 3660), (1, 7320), (2, 10980)):
        sla = {s["step"]: s for s in journeys_report(Journeys(g, repeats), set())["sla"]}
        assert sla["s"]["longest_wait"] is None and sla["s"]["breach"] is False
        assert sla["s2"]["longest_wait"] == wait and sla["s2"]["breach"] is (wait > 7200)
        compare(g, repeats)
