"""What a lint rule is, and what it gets to look at.

A rule is data (id, default severity, docs, examples) plus a check function;
``docs/rules.md`` is generated from these objects, so the reference cannot
drift from the code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from procmap.analysis.blocks import Blocks, blocks_of
from procmap.analysis.facts import Analysis
from procmap.analysis.journeys import Journeys
from procmap.diagnostics import Severity
from procmap.load.loader import Document
from procmap.model.check import Checked
from procmap.model.graph import ProcessGraph
from procmap.model.process import ProcessFile


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's report: where (a path into the YAML) and what."""

    loc: tuple[Any, ...]
    message: str
    key: bool = False


@dataclass
class Context:
    """Everything known about one file once it has a usable model."""

    doc: Document
    checked: Checked
    model: ProcessFile
    graph: ProcessGraph  # networkx's layout without networkx's import (procmap.model.graph)
    budgets: dict[str, int] = field(default_factory=dict)

    @cached_property
    def analysis(self) -> Analysis:
        return Analysis(self.graph)

    @cached_property
    def blocks(self) -> Blocks:
        """SPEC §7.1's block structure: forks, branches, joins."""
        return blocks_of(self.graph)

    @cached_property
    def journeys(self) -> Journeys:
        """SPEC §5's per-journey reading (one repeat, as validate's rules and budgets use it)."""
        from procmap.analysis.journeys import Journeys

        return Journeys(self.graph)

    @property
    def graph_complete(self) -> bool:
        """False when the flows on file are not all in the graph: reachability would be guesswork.

        That is when schema errors removed steps or flows, or when two steps
        share an id (the second one's flows belong to no node).  Flows to
        unknown steps are handled separately (:attr:`dangling`), so a typo in
        one `next` does not silence the checks everywhere else.
        """
        return not self.checked.pruned and len({s.id for s in self.model.steps}) == len(self.model.steps)

    @cached_property
    def dangling(self) -> set[str]:
        """Steps with a flow to an id that is not a step (reported by unknown-reference).

        Where such a flow leads is unknown, so reachability rules treat these
        steps as "may lead anywhere, an end included" instead of cascading one
        typo into no-end, dead-end and unreachable-step findings.
        """
        return {
            step.id
            for step in self.model.steps
            if step.id in self.graph and any(t not in self.graph for flow in step.next for t in flow.targets)
        }

    def step_loc(self, index: int, *rest: Any) -> tuple[Any, ...]:
        return ("steps", self.checked.step_map[index], *rest)

    def lane_loc(self, index: int, *rest: Any) -> tuple[Any, ...]:
        return ("lanes", self.checked.lane_map[index], *rest)

    def flow_loc(self, step_index: int, flow_index: int) -> tuple[Any, ...]:
        return self.step_loc(step_index, "next", self.checked.flow_map[step_index][flow_index])

    def node_loc(self, step_id: str) -> tuple[Any, ...]:
        return self.step_loc(self.graph.nodes[step_id]["index"], "id")

    def edge_loc(self, u: str, v: str) -> tuple[Any, ...]:
        return self.flow_loc(self.graph.nodes[u]["index"], self.graph.edges[u, v]["index"])

    def label(self, step_id: str) -> str:
        d = self.graph.nodes[step_id]
        return f"'{step_id}' ({d['lane']})"


Check = Callable[[Context], Iterable[Finding]]


def closest(name: str, known: Iterable[str]) -> str | None:
    """The id a misspelled reference most likely meant (the did-you-mean of unknown-reference)."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    doc: str
    bad: str
    good: str
    check: Check | None = None  # None: reported by the loader or schema stage
    # Human name for SARIF viewers (``reportingDescriptor.name``). SARIF wants it
    # distinct from the opaque id; the default, the id in PascalCase, only is
    # for ids of two words or more, so one-word ids set their own.
    name: str = ""

    @property
    def display_name(self) -> str:
        return self.name or "".join(part.capitalize() for part in self.id.split("-"))
