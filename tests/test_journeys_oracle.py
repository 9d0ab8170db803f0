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


def compare(g: Any, repeats: int = 1) -> None:
    product = journeys_report(Journeys(g, repeats), Analysis(g).no_backup)
    same(product, oracle.report(g, repeats), "journeys")


@st.composite
def processes(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(2, 7))
    ids = [f"s{i}" for i in range(n)]
    steps = []
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
        if draw(st.integers(0, 3)) == 0:
            step["sla"] = draw(st.sampled_from(["1m", "2m", "1h"]))
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
    return {"version": 1, "process": {"id": "random", "name": "Random"}, "lanes": LANES, "steps": steps}


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


@pytest.mark.parametrize(
    "path", sorted(EXAMPLES.glob("*.yaml")) + sorted(EXAMPLES.glob("stories/*.yaml")), ids=lambda p: p.stem
)
def test_every_example_matches_the_oracle(path) -> None:
    result = check_file(str(path), Config())
    assert result.graph is not None
    compare(result.graph)
