"""What a blueprint highlights: ``--highlight worst|main|all|none``.

Eleven magenta handoffs in a 40-step blueprint mean nothing; one customer's
path through it does.  ``worst`` and ``main`` draw one journey (SPEC §5: a
path from the start to an end step) bold, number its customer-visible
handoffs in the order the customer meets them, and mark the process's other
customer-visible handoffs quietly.  ``all`` is the v1 picture (every
customer-visible handoff magenta, H1…Hn), ``none`` draws no highlight.

The journeys come from :mod:`procmap.analysis.journeys` when this build has
it (SPEC §5, the same figures ``audit`` reports); without it the main
journey is read off the graph by SPEC §5.2's definition.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from procmap.diagnostics import UsageError
from procmap.render.layout import Highlight, _back_edges

if TYPE_CHECKING:
    import networkx as nx

    from procmap.validate import FileResult

MODES = ("worst", "main", "all", "none")
TITLES = {"worst": "Worst journey", "main": "Main journey"}


def default_mode() -> str:
    """``worst`` where SPEC §5's journeys exist in this build, else ``all``."""
    return "worst" if _journeys_module() is not None else "all"


def _journeys_module():  # type: ignore[no-untyped-def]
    try:
        from procmap.analysis import journeys
    except ImportError:
        return None
    return journeys


def choose(result: FileResult, mode: str | None, drawn: nx.DiGraph) -> Highlight:
    """The highlight for ``result`` drawn as ``drawn`` (the full graph or the customer view)."""
    mode = (mode or default_mode()).lower()
    if mode not in MODES:
        raise UsageError(f"unknown highlight {mode!r} (use {', '.join(MODES)})")
    if mode in ("all", "none"):
        return Highlight(mode)
    g = result.graph
    path = journey_steps(result, mode)
    if path is None:
        raise UsageError(
            f"--highlight {mode} needs the journeys analysis (SPEC §5), which this procmap does not have; "
            "use --highlight main, all or none"
        )
    handoffs = journey_handoffs(g, path)
    # In the customer view the journey runs through the folded flows: its facing steps only.
    shown = [n for n in path if n in drawn]
    return Highlight("journey", TITLES[mode], shown, handoffs)


def journey_steps(result: FileResult, mode: str) -> list[str] | None:
    """The steps of the worst or main journey, in order."""
    module = _journeys_module()
    if module is not None:
        report = _journeys_report(module, result)
        if report is not None:
            return list(report[mode]["steps"])
    if mode == "main":
        return main_journey(result.graph)
    return None


def _journeys_report(module, result: FileResult) -> dict | None:  # type: ignore[no-untyped-def]
    """SPEC §5.4's ``journeys`` object from the analysis module, whatever its entry point is called."""
    for name in ("journeys_report", "report", "analyse", "analyze"):
        fn = getattr(module, name, None)
        if callable(fn):
            try:
                out = fn(result.graph)
            except TypeError:
                continue
            if hasattr(out, "to_json"):
                out = out.to_json()
            if isinstance(out, dict) and "main" in out and "worst" in out:
                return out
    return None


def main_journey(g: nx.DiGraph, repeats: int = 1) -> list[str]:
    """SPEC §5.2: the first journey in depth-first order (non-loop flows first, in file order)."""
    from procmap.model.graph import successors_in_order

    start = g.graph.get("start")
    if start not in g:
        return []
    back = _back_edges(g)
    path: list[str] = [start]
    rounds = [0]
    stack = [iter(_ordered(successors_in_order(g, start), start, back))]
    while stack:
        node = path[-1]
        if g.nodes[node]["end"]:
            return path
        for nxt in stack[-1]:
            r = rounds[-1] + ((node, nxt) in back)
            if r > repeats:
                continue
            path.append(nxt)
            rounds.append(r)
            stack.append(iter(_ordered(successors_in_order(g, nxt), nxt, back)))
            break
        else:
            stack.pop()
            path.pop()
            rounds.pop()
    return []


def _ordered(succ: list[str], node: str, back: set[tuple[str, str]]) -> list[str]:
    return [v for v in succ if (node, v) not in back] + [v for v in succ if (node, v) in back]


def journey_handoffs(g: nx.DiGraph, path: list[str]) -> list[tuple[str, str]]:
    """SPEC §5.3: consecutive touchpoints along the journey (updates skipped) whose lanes differ."""
    touch = [n for n in path if g.nodes[n]["touchpoint"] and g.nodes[n].get("contact", "interaction") != "update"]
    return [(a, b) for a, b in itertools.pairwise(touch) if g.nodes[a]["lane"] != g.nodes[b]["lane"]]
