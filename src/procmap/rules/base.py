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

import networkx as nx

from procmap.analysis import Analysis
from procmap.diagnostics import Severity
from procmap.loader import Document
from procmap.model import ProcessFile
from procmap.schema_check import Checked


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
    graph: nx.DiGraph
    budgets: dict[str, int] = field(default_factory=dict)

    @cached_property
    def analysis(self) -> Analysis:
        return Analysis(self.graph)

    @property
    def graph_complete(self) -> bool:
        """False when schema errors removed parts: reachability would be guesswork."""
        return not self.checked.pruned

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


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    doc: str
    bad: str
    good: str
    check: Check | None = None  # None: reported by the loader or schema stage
