"""What a blueprint highlights: ``--highlight worst|main|all|none``.

Eleven magenta handoffs in a 40-step blueprint mean nothing; one customer's
path through it does.  ``worst`` (the default) and ``main`` draw one journey
(SPEC §5: a path from the start to an end step) bold, number its
customer-visible handoffs in the order the customer meets them, and mark the
process's other customer-visible handoffs quietly.  ``all`` is the v1
picture (every customer-visible handoff magenta, H1…Hn), ``none`` draws no
highlight.

The journeys come from :mod:`procmap.analysis.journeys` (SPEC §5), the
same computation ``procmap audit`` reports, so the picture and the audit
name the same journey.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from procmap.diagnostics import UsageError
from procmap.render.layout import Highlight

if TYPE_CHECKING:
    import networkx as nx

    from procmap.analysis.journeys import Journeys
    from procmap.analysis.journeys.figures import Journey
    from procmap.validate import FileResult

MODES = ("worst", "main", "all", "none")
DEFAULT = "worst"
TITLES = {"worst": "Worst journey", "main": "Main journey"}


def choose(result: FileResult, mode: str | None, drawn: nx.DiGraph) -> Highlight:
    """The highlight for ``result`` drawn as ``drawn`` (the full graph or the customer view)."""
    mode = (mode or DEFAULT).lower()
    if mode not in MODES:
        raise UsageError(f"unknown highlight {mode!r} (use {', '.join(MODES)})")
    if mode in ("all", "none"):
        return Highlight(mode)
    path = journey_steps(result, mode)
    handoffs = journey_handoffs(result.graph, path)
    # In the customer view the journey runs through the folded flows: its facing steps only.
    # A story through forks gives its own path: every flow it draws, branch after branch.
    shown = drawn.graph.get("journey_path") or [n for n in path if n in drawn]
    return Highlight("journey", TITLES[mode], shown, handoffs)


def journeys_of(result: FileResult) -> Journeys:
    """The audit's journeys of ``result`` (computed once, kept on the result)."""
    from procmap.analysis.journeys import Journeys

    if result.journeys is None:
        result.journeys = Journeys(result.graph)
    return result.journeys


def journey(result: FileResult, mode: str) -> Journey | None:
    """The worst or main journey (SPEC §5.4/§5.7, the audit's own computation)."""
    j = journeys_of(result)
    return j.worst if mode == "worst" else j.main


def journey_steps(result: FileResult, mode: str) -> list[str]:
    """The steps of the worst or main journey, in order."""
    walk = journey(result, mode)
    return list(walk.steps) if walk is not None else []


def journey_handoffs(g: nx.DiGraph, path: list[str]) -> list[tuple[str, str]]:
    """SPEC §5.3: consecutive touchpoints along the journey (updates skipped) whose lanes differ."""
    touch = [n for n in path if g.nodes[n]["touchpoint"] and not g.nodes[n].get("update")]
    return [(a, b) for a, b in itertools.pairwise(touch) if g.nodes[a]["lane"] != g.nodes[b]["lane"]]
