"""The process as a directed graph, every step tagged with its blueprint role.

Node = step id, in file order, with the attributes rules, audit and render
need (``join`` marks a join, SPEC §7.1); edge = flow, with its branch label
(``fork`` is the index in `next` of the fork item an edge is a branch of, else
None).  Built once per file from the
validated model, tolerant of semantic errors (unknown lanes/targets are left
out) so that checks can still run on a file that has some errors.

Two faces of one graph.  `validate` checks its rules on :class:`ProcessGraph`,
a small class that holds networkx's own dict-of-dicts layout (``_node``,
``_succ``, ``_pred``, ``graph``) and answers the few questions the rules ask
(``nodes``, ``edges[u, v]``, successors, predecessors) plus three tested
algorithms below (descendants, strongly connected components, condensation).
It exists for start-up: ``import networkx`` runs every algorithm, reader and
drawing module of the package (about a third of a small `validate`'s CPU,
measured), and no submodule import avoids its ``__init__``.  The graph the
user sees — audit, render, export, diff, conform and the Python API
(:func:`build_graph`) — is a real ``networkx.DiGraph``: :func:`to_networkx`
hands networkx the very same dictionaries, so the conversion copies nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procmap.model.process import ProcessFile

if TYPE_CHECKING:
    import networkx as nx

Adjacency = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class LaneInfo:
    id: str
    name: str
    kind: str
    index: int


def default_visibility(lane_kind: str | None) -> str:
    return "onstage" if lane_kind in ("customer", "onstage") else "backstage"


class NodeView:
    """``g.nodes`` as networkx spells it: ``nodes[n]``, ``n in nodes``, ``for n in nodes``, ``nodes(data=True)``."""

    __slots__ = ("_node",)

    def __init__(self, node: dict[str, dict[str, Any]]) -> None:
        self._node = node

    def __getitem__(self, n: str) -> dict[str, Any]:
        return self._node[n]

    def __contains__(self, n: object) -> bool:
        return n in self._node

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def __call__(self, data: bool = False) -> Iterable[Any]:
        return self._node.items() if data else self._node


class EdgeView:
    """``g.edges`` as networkx spells it: ``edges[u, v]`` (the flow's attributes), ``(u, v) in edges``, iteration."""

    __slots__ = ("_succ",)

    def __init__(self, succ: Adjacency) -> None:
        self._succ = succ

    def __getitem__(self, e: tuple[str, str]) -> dict[str, Any]:
        u, v = e
        return self._succ[u][v]

    def __contains__(self, e: object) -> bool:
        try:
            u, v = e  # type: ignore[misc]
        except (TypeError, ValueError):
            return False
        return u in self._succ and v in self._succ[u]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((u, v) for u, nbrs in self._succ.items() for v in nbrs)

    def __len__(self) -> int:
        return sum(len(nbrs) for nbrs in self._succ.values())

    def __call__(self, data: bool = False) -> Iterable[Any]:
        if data:
            return ((u, v, d) for u, nbrs in self._succ.items() for v, d in nbrs.items())
        return iter(self)


class ProcessGraph:
    """A directed graph in networkx's layout, without importing networkx (see the module docstring).

    Only what procmap's rules and analyses read is offered; anything else is
    done on :func:`to_networkx`'s view of the same data.
    """

    __slots__ = ("_node", "_pred", "_succ", "edges", "graph", "nodes")

    def __init__(self) -> None:
        self.graph: dict[str, Any] = {}
        self._node: dict[str, dict[str, Any]] = {}
        self._succ: Adjacency = {}
        self._pred: Adjacency = {}
        self.nodes = NodeView(self._node)
        self.edges = EdgeView(self._succ)

    @property
    def _adj(self) -> Adjacency:
        return self._succ

    def add_node(self, n: str, attributes: dict[str, Any] | None = None, **attr: Any) -> None:
        """Add node ``n`` (``attributes``, when given, becomes its attribute dict itself, not a copy)."""
        if attributes is None:
            attributes = attr
        else:
            attributes.update(attr)
        if n in self._node:
            self._node[n].update(attributes)
            return
        self._node[n] = attributes
        self._succ[n] = {}
        self._pred[n] = {}

    def add_edge(self, u: str, v: str, attributes: dict[str, Any] | None = None, **attr: Any) -> None:
        """Both ends must be nodes already (procmap never adds an edge to an unknown step).

        ``attributes``, when given, becomes a new edge's attribute dict itself, not a copy.
        """
        data = self._succ[u].get(v)
        if data is None:
            data = self._succ[u][v] = {} if attributes is None else attributes
            self._pred[v][u] = data  # one dict per edge, seen from both ends, as networkx keeps it
        elif attributes is not None:
            data.update(attributes)
        data.update(attr)

    def __contains__(self, n: object) -> bool:
        return n in self._node

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def has_edge(self, u: str, v: str) -> bool:
        return u in self._succ and v in self._succ[u]

    def successors(self, n: str) -> Iterator[str]:
        return iter(self._succ[n])

    def predecessors(self, n: str) -> Iterator[str]:
        return iter(self._pred[n])

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        return len(self.edges)


class _StepAttributes:
    """One step's node attributes, made as an instance's ``__dict__``.

    CPython gives the ``__dict__`` of instances of one class a shared key
    table (PEP 412), so each step's attribute dict stores only its values:
    256 bytes a step instead of 472 for a plain dict of 19 such keys
    (measured), which counts at 100,000 steps.  The dict is an ordinary dict
    to every reader, networkx included.
    """

    def __init__(
        self,
        index: int,
        name: str,
        lane: str,
        lane_kind: str | None,
        visibility: str | None,
        customer: bool,
        touchpoint: bool,
        update: bool,
        chase: bool,
        sla_from: str | None,
        facing: bool,
        end: bool,
        join: bool,
        parallel: bool,
        owner: str | None,
        backup: str | None,
        channel: str | None,
        evidence: str | None,
        stage: str | None,
        data: tuple[str, ...],
        fail_point: bool,
        duration: float | None,
        sla: float | None,
        description: str | None,
    ) -> None:
        self.index = index
        self.name = name
        self.lane = lane
        self.lane_kind = lane_kind
        self.visibility = visibility
        self.customer = customer
        self.touchpoint = touchpoint
        self.update = update
        self.chase = chase
        self.sla_from = sla_from
        self.facing = facing
        self.end = end
        self.join = join
        self.parallel = parallel
        self.owner = owner
        self.backup = backup
        self.channel = channel
        self.evidence = evidence
        self.stage = stage
        self.data = data
        self.fail_point = fail_point
        self.duration = duration
        self.sla = sla
        self.description = description


class _FlowAttributes:
    """One flow's edge attributes as an instance's ``__dict__`` (shared keys, as :class:`_StepAttributes`)."""

    def __init__(self, when: str | None, index: int, share: float | None, fork: int | None, planned: bool) -> None:
        self.when = when
        self.index = index
        self.share = share
        self.fork = fork
        self.planned = planned


def build_process_graph(process: ProcessFile) -> ProcessGraph:
    """Build the flow graph; the first of two same-id steps or lanes wins."""
    lanes: dict[str, LaneInfo] = {}
    for i, lane in enumerate(process.lanes):
        lanes.setdefault(lane.id, LaneInfo(lane.id, lane.name, lane.kind, i))
    g = ProcessGraph()
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
            _StepAttributes(
                index=i,
                name=step.name,
                lane=step.lane,
                lane_kind=kind,
                visibility=visibility,
                customer=kind == "customer",
                touchpoint=touchpoint,
                # SPEC §5.1: a one-way status message; only a touchpoint can be one (else a schema error).
                update=touchpoint and step.contact == "update",
                # SPEC §5.7: a customer action that exists because the customer had to chase.
                chase=kind == "customer" and step.contact == "chase",
                sla_from=step.sla_from,
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
            ).__dict__,
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
                    edge["planned"] = edge["planned"] or flow.planned
                    continue
                g.add_edge(step.id, target, _FlowAttributes(flow.when, j, flow.share, fork, flow.planned).__dict__)
    return g


def to_networkx(g: ProcessGraph) -> nx.DiGraph:
    """The same graph as a ``networkx.DiGraph``, sharing its dictionaries (nothing is copied).

    networkx keeps a DiGraph in exactly these four dictionaries and resets its
    cached views when they are assigned, so the two objects are one graph:
    a change through either is seen by both.
    """
    import networkx as nx

    out = nx.DiGraph()
    out.graph = g.graph
    out._node = g._node
    out._adj = g._succ  # sets _succ too
    out._pred = g._pred
    return out


def build_graph(process: ProcessFile) -> nx.DiGraph:
    """The process as a ``networkx.DiGraph`` (the Python API's graph; see :func:`build_process_graph`)."""
    return to_networkx(build_process_graph(process))


def steps_in_order(g: Any) -> list[str]:
    """Node ids in file order (both graph classes keep insertion order, which is file order)."""
    return list(g.nodes)


def successors_in_order(g: Any, node: str) -> list[str]:
    """Successors in file order of the target steps: the tie-break SPEC asks for."""
    return sorted(g.successors(node), key=lambda n: g.nodes[n]["index"])


# ---------------------------------------------------------------- algorithms on the adjacency


def descendants(succ: Adjacency, source: str) -> set[str]:
    """Every node a path from ``source`` reaches, ``source`` itself excluded (as ``networkx.descendants``)."""
    seen: set[str] = set()
    stack = [source]
    while stack:
        for w in succ[stack.pop()]:
            if w not in seen:
                seen.add(w)
                stack.append(w)
    seen.discard(source)
    return seen


def strongly_connected_components(succ: Adjacency, nodes: Iterable[str]) -> list[list[str]]:
    """Tarjan's algorithm on the subgraph induced by ``nodes``, without recursion.

    Components come out sinks first: every component appears after all the
    components it reaches (reverse topological order of the condensation).
    """
    inside = nodes if isinstance(nodes, (set, frozenset, dict)) else dict.fromkeys(nodes)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in inside:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, Iterator[str]]] = [(root, iter(succ[root]))]
        while work:
            v, pending = work[-1]
            for w in pending:
                if w not in inside:
                    continue
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    out.append(component)
    return out


@dataclass(frozen=True, slots=True)
class Condensation:
    """The components of a subgraph, sinks first, with the component of each node and the links between them.

    ``members[c]`` are component c's nodes, ``mapping[n]`` is n's component and
    ``successors[c]`` the components one edge away; every successor of c has a
    smaller number than c, so visiting 0, 1, 2, … sees a component's
    successors before the component itself.
    """

    members: list[list[str]]
    mapping: dict[str, int]
    successors: list[set[int]]


def condensation(succ: Adjacency, nodes: Iterable[str]) -> Condensation:
    """The condensation of the subgraph induced by ``nodes`` (each strongly connected component one node)."""
    members = strongly_connected_components(succ, nodes)
    mapping = {n: c for c, component in enumerate(members) for n in component}
    successors: list[set[int]] = []
    for c, component in enumerate(members):
        out: set[int] = set()
        for x in component:
            for w in succ[x]:
                d = mapping.get(w)
                if d is not None and d != c:
                    out.add(d)
        successors.append(out)
    return Condensation(members, mapping, successors)
