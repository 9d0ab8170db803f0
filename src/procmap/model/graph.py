"""The process as a networkx DiGraph, every step tagged with its blueprint role.

Node = step id, in file order, with the attributes rules, audit and render
need (``join`` marks a join, SPEC §7.1); edge = flow, with its branch label
(``fork`` is the index in `next` of the fork item an edge is a branch of, else
None).  Built once per file from the
validated model, tolerant of semantic errors (unknown lanes/targets are left
out) so that checks can still run on a file that has some errors.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from procmap.model.process import ProcessFile


@dataclass(frozen=True, slots=True)
class LaneInfo:
    id: str
    name: str
    kind: str
    index: int


def default_visibility(lane_kind: str | None) -> str:
    return "onstage" if lane_kind in ("customer", "onstage") else "backstage"


def build_graph(process: ProcessFile) -> nx.DiGraph:
    """Build the flow graph; the first of two same-id steps or lanes wins."""
    lanes: dict[str, LaneInfo] = {}
    for i, lane in enumerate(process.lanes):
        lanes.setdefault(lane.id, LaneInfo(lane.id, lane.name, lane.kind, i))
    g = nx.DiGraph()
    g.graph.update(
        id=process.process.id,
        name=process.process.name,
        lanes=lanes,
        start=process.start_id(),
    )
    for i, step in enumerate(process.steps):
        if step.id in g:
            continue
        lane = lanes.get(step.lane)
        kind = lane.kind if lane else None
        # A step in an unknown lane (reported by unknown-reference) has no
        # blueprint role: it is neither onstage nor backstage for the analysis.
        visibility = step.visibility or default_visibility(kind) if kind else None
        if kind == "customer":
            visibility = "onstage"
        touchpoint = kind is not None and kind != "customer" and visibility == "onstage"
        g.add_node(
            step.id,
            index=i,
            name=step.name,
            lane=step.lane,
            lane_kind=kind,
            visibility=visibility,
            customer=kind == "customer",
            touchpoint=touchpoint,
            # SPEC §5.1: a one-way status message; only a touchpoint can be one (else a schema error).
            update=touchpoint and step.contact == "update",
            facing=kind == "customer" or (kind is not None and visibility == "onstage"),
            end=not step.next,
            join=step.join == "all",
            # Drawn as a parallel gateway (a diamond with +): a join, or a step whose one way on is a fork.
            parallel=step.join == "all" or (len(step.next) == 1 and step.next[0].is_fork),
            owner=step.owner,
            backup=step.backup,
            channel=step.channel,
            evidence=step.evidence,
            stage=step.stage,
            data=tuple(step.data),
            fail_point=step.fail_point,
            duration=step.duration_seconds,
            sla=step.sla_seconds,
            description=step.description,
        )
    for i, step in enumerate(process.steps):
        if g.nodes[step.id]["index"] != i:  # a duplicate id: its flows belong to no node
            continue
        for j, flow in enumerate(step.next):
            # A fork (SPEC §7.1) is one edge per branch, each carrying the fork item's
            # index, label and share: §1's facts read the branches as flows, and
            # `fork` tells the readers that know better that they start together.
            fork = j if flow.is_fork else None
            for target in flow.targets:
                if target not in g:
                    continue
                if g.has_edge(step.id, target):
                    # The same target twice: one edge, which carries both flows' customers.
                    # (A target both forked to and flowed to is unmatched-fork's to report.)
                    edge = g.edges[step.id, target]
                    if fork is not None or edge["fork"] is not None:
                        edge["shared"] = True
                    if flow.share is not None and fork is None and edge["fork"] is None:
                        edge["share"] = (edge["share"] or 0.0) + flow.share
                    continue
                g.add_edge(step.id, target, when=flow.when, index=j, share=flow.share, fork=fork)
    return g


def steps_in_order(g: nx.DiGraph) -> list[str]:
    """Node ids in file order (networkx keeps insertion order, which is file order)."""
    return list(g.nodes)


def successors_in_order(g: nx.DiGraph, node: str) -> list[str]:
    """Successors in file order of the target steps: the tie-break SPEC asks for."""
    return sorted(g.successors(node), key=lambda n: g.nodes[n]["index"])
