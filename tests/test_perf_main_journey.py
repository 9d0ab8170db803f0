"""The main journey on near-ties: compared as float logarithms, it must still be the exact choice.

``Runs._most_probable`` keeps each state's best probability as a float
logarithm (exact fraction products grew with depth: 10 KiB a step at 16,000
steps) and compares ways exactly only when they are within a relative margin.
These processes are built so that ways tie exactly, or differ only in the last
bits of a float, or in a product of shares taken in another order (a float
sum of logarithms then rounds differently); the choice must be the brute-force
oracle's, which multiplies exact fractions (ties: depth-first order).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journey_oracle as oracle
from procmap.analysis.journeys import Journeys
from procmap.analysis.journeys.report import journeys_report
from procmap.model.graph import build_graph
from procmap.model.process import ProcessFile

LANES = [
    {"id": "customer", "name": "Customer", "kind": "customer"},
    {"id": "desk", "name": "Desk", "kind": "onstage"},
]
NEXT_UP = 0.30000000000000004  # the float after 0.3: 0.3 and this differ by one unit in the last place
# Two-way splits (each adds up to 1 within the format's 0.001): exact ties, products that are equal in
# another order, and shares one unit in the last place apart.
SPLITS = [
    (0.5, 0.5),
    (0.3, 0.7),
    (0.7, 0.3),
    (0.1, 0.9),
    (0.9, 0.1),
    (NEXT_UP, 0.7),
    (0.7, NEXT_UP),
    (0.2, 0.8),
    (0.8, 0.2),
    (0.5000000000001, 0.4999999999999),
    (0.4999999999999, 0.5000000000001),
]


def _graph(steps: list[dict[str, Any]]) -> Any:
    process = {"version": 1, "process": {"id": "ties", "name": "Ties"}, "lanes": LANES, "steps": steps}
    return build_graph(ProcessFile.model_validate(process))


def _split(to: tuple[str, str], shares: tuple[float, float]) -> list[dict[str, Any]]:
    return [{"to": to[0], "share": shares[0]}, {"to": to[1], "share": shares[1]}]


def diamonds(splits: list[tuple[float, float]]) -> Any:
    """Decisions in a row, each with two ways that meet again at the next decision."""
    steps: list[dict[str, Any]] = []
    for i, shares in enumerate(splits):
        nxt = f"d{i + 1}" if i + 1 < len(splits) else "end"
        steps.append({"id": f"d{i}", "name": f"D{i}", "lane": "customer", "next": _split((f"a{i}", f"b{i}"), shares)})
        steps.append({"id": f"a{i}", "name": f"A{i}", "lane": "desk", "next": [nxt]})
        steps.append({"id": f"b{i}", "name": f"B{i}", "lane": "desk", "next": [nxt]})
    steps.append({"id": "end", "name": "End", "lane": "customer"})
    return _graph(steps)


def ladder(first: tuple[float, float], left: list[tuple[float, float]], right: list[tuple[float, float]]) -> Any:
    """Two long arms that never meet, each with a way out to its own end at every rung."""
    steps: list[dict[str, Any]] = [{"id": "s", "name": "S", "lane": "customer", "next": _split(("x0", "y0"), first)}]
    for arm, splits in (("x", left), ("y", right)):
        for i, shares in enumerate(splits):
            steps.append(
                {
                    "id": f"{arm}{i}",
                    "name": f"{arm.upper()}{i}",
                    "lane": "desk",
                    "next": _split((f"{arm}{i + 1}", f"{arm}out{i}"), shares),
                }
            )
            steps.append({"id": f"{arm}out{i}", "name": f"{arm.upper()} out {i}", "lane": "customer"})
        steps.append({"id": f"{arm}{len(splits)}", "name": f"{arm.upper()} last", "lane": "customer"})
    return _graph(steps)


def _main(g: Any, repeats: int = 1) -> list[str]:
    return journeys_report(Journeys(g, repeats), set())["main"]["steps"]


def _oracle_main(g: Any, repeats: int = 1) -> list[str]:
    return oracle.report(g, repeats)["main"]["steps"]


def _against_a_product(direct: float, direct_first: bool) -> Any:
    """From x: 0.6 then 0.5 (exactly 0.3 in all) against one flow of share ``direct`` straight to an end."""
    ways = [{"to": "x2", "share": 0.6}, {"to": "xa", "share": direct}, {"to": "xb", "share": round(0.4 - direct, 17)}]
    if direct_first:
        ways = [ways[1], ways[0], ways[2]]
    return _graph(
        [
            {"id": "x", "name": "X", "lane": "customer", "next": ways},
            {"id": "x2", "name": "X2", "lane": "desk", "next": _split(("e1", "e2"), (0.5, 0.5))},
            {"id": "xa", "name": "XA", "lane": "customer"},
            {"id": "xb", "name": "XB", "lane": "customer"},
            {"id": "e1", "name": "E1", "lane": "customer"},
            {"id": "e2", "name": "E2", "lane": "customer"},
        ]
    )


def test_shares_one_float_apart_are_told_apart_exactly() -> None:
    """0.6 · 0.5 is exactly 0.3: a share of 0.3 ties with it, the floats either side of 0.3 do not."""
    before = 0.29999999999999993  # the float before 0.3
    for direct, direct_first, expected in (
        (NEXT_UP, False, ["x", "xa"]),
        (NEXT_UP, True, ["x", "xa"]),
        (0.3, False, ["x", "x2", "e1"]),  # a real tie: the first way listed
        (0.3, True, ["x", "xa"]),
        (before, False, ["x", "x2", "e1"]),
        (before, True, ["x", "x2", "e1"]),
    ):
        g = _against_a_product(direct, direct_first)
        assert _main(g) == expected, (direct, direct_first)
        assert _main(g) == _oracle_main(g)


def test_products_equal_in_another_order_tie_and_go_to_the_first_way() -> None:
    """0.1·0.3·0.7 on one arm and 0.7·0.3·0.1 on the other: equal exactly, so the first (x) arm wins."""
    g = ladder((0.5, 0.5), [(0.1, 0.9), (0.3, 0.7), (0.7, 0.3)], [(0.7, 0.3), (0.3, 0.7), (0.1, 0.9)])
    assert _main(g) == _oracle_main(g)
    assert _main(g)[1] == "x0"


def test_a_near_tie_inside_the_margin_is_decided_by_the_exact_products() -> None:
    """0.5000000000001 against 0.4999999999999: 4e-13 apart, inside the float margin, so compared exactly."""
    for shares, first in (((0.5000000000001, 0.4999999999999), "a0"), ((0.4999999999999, 0.5000000000001), "b0")):
        g = diamonds([shares, (0.5, 0.5)])
        assert _main(g) == ["d0", first, "d1", "a1", "end"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SPLITS), min_size=1, max_size=7))
def test_random_diamonds_choose_the_oracles_main_journey(splits: list[tuple[float, float]]) -> None:
    g = diamonds(splits)
    assert _main(g) == _oracle_main(g)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SPLITS),
    st.lists(st.sampled_from(SPLITS), min_size=1, max_size=12),
    st.lists(st.sampled_from(SPLITS), min_size=1, max_size=12),
)
def test_random_ladders_choose_the_oracles_main_journey(
    first: tuple[float, float], left: list[tuple[float, float]], right: list[tuple[float, float]]
) -> None:
    g = ladder(first, left, right)
    assert _main(g) == _oracle_main(g)
