"""BPMN 2.0 XML: the process as one pool with a lane per procmap lane, plus its diagram.

Mapping (documented for users in docs/export.md):

* one ``collaboration`` with one ``participant`` (the pool, named after the
  process) whose ``process`` has a ``laneSet`` with one ``lane`` per procmap
  lane, in blueprint order (customer, onstage, backstage, support; file order
  within a zone);
* each step is a task typed by its lane's kind: ``userTask`` (customer and
  onstage lanes: people acting), ``task`` (backstage: staff work we cannot
  type further), ``serviceTask`` (support: systems and vendors);
* a step with several flows gets a diverging ``exclusiveGateway`` after it,
  named after the step as a question; each ``when`` becomes the outgoing
  sequence flow's name, and its natural-language ``conditionExpression`` when
  every branch is labelled or all but one (that one is the ``default``,
  "otherwise");
* a step that several flows reach gets a converging ``exclusiveGateway``
  in front of it (bpmnlint's ``fake-join``);
* a fork item (``{all: [a, b]}``, SPEC §7.1) is a diverging
  ``parallelGateway`` with a flow to each branch (after the step's
  ``exclusiveGateway`` when the fork is one alternative among others, the
  flow into it carrying the item's ``when`` and share); a ``join: all`` step
  gets a converging ``parallelGateway`` in front of it, which every branch
  reaches;
* a ``startEvent`` (named after the process) before the start step, an
  ``endEvent`` ("Ends after: …") after each end step;
* everything BPMN has no word for (lane kind, visibility, touchpoint,
  owner, backup, channel, evidence, data, fail point, durations, handoff
  class) is kept in ``procmap:`` extension attributes, descriptions in
  ``documentation``, so nothing in the source is lost.

XML ids are the procmap ids behind a type prefix (``Step_``, ``Lane_``…), so
they are valid NCNames even when a step id starts with a digit and never
collide across kinds.  The tree is built with lxml, which escapes every text
and attribute value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procmap import __version__
from procmap.interchange.bpmn_layout import Edge, Element, Layout, layout
from procmap.interchange.xml_chars import xml_text as _text

if TYPE_CHECKING:
    from lxml.etree import _Element

    from procmap.interchange.bpmn_layout import Box
    from procmap.model.process import Lane, Step
    from procmap.validate import FileResult

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
PROCMAP = "https://procmap.dev/schema/bpmn-extension/v1"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "procmap": PROCMAP}

TASK_OF_KIND = {"customer": "userTask", "onstage": "userTask", "backstage": "task", "support": "serviceTask"}
ZONE_ORDER = {"customer": 0, "onstage": 1, "backstage": 2, "support": 3}


class _Ids:
    """XML ids: ``Prefix_procmap-id``, made unique (a suffix) should two ever meet."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, prefix: str, raw: str = "") -> str:
        base = f"{prefix}_{raw}" if raw else prefix
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}_{n}"
        self.used.add(candidate)
        return candidate


@dataclass
class _Node:
    id: str
    tag: str  # BPMN element name
    lane: str
    name: str | None = None
    step: str | None = None
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)
    default: str | None = None
    direction: str | None = None  # a gateway's gatewayDirection


@dataclass(frozen=True)
class _LaneOut:
    id: str
    name: str
    kind: str | None
    description: str | None


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _fmt_bool(value: bool) -> str:
    return "true" if value else "false"


def to_bpmn(result: FileResult) -> bytes:
    """The BPMN 2.0 document (UTF-8 bytes with an XML declaration) for a validated process."""
    from lxml import etree

    model, g, analysis = result.model, result.graph, result.analysis
    assert model is not None and g is not None and analysis is not None
    ids = _Ids()
    pid = model.process.id
    # Built from the graph (one node per step id, first one wins, flows to
    # known steps only), so a file whose error rules were switched off in the
    # configuration still exports: steps in an undeclared lane get a lane of
    # their own, named after the id they give.
    steps: dict[str, Step] = {}
    for step in model.steps:
        steps.setdefault(step.id, step)
    declared: dict[str, Lane] = {}
    for lane in model.lanes:
        declared.setdefault(lane.id, lane)
    lanes: list[_LaneOut] = [
        _LaneOut(lane.id, lane.name, lane.kind, lane.description)
        for _, lane in sorted(enumerate(declared.values()), key=lambda item: (ZONE_ORDER[item[1].kind], item[0]))
    ]
    for node in g.nodes:
        lane_id = g.nodes[node]["lane"]
        if lane_id not in declared and all(lane.id != lane_id for lane in lanes):
            lanes.append(_LaneOut(lane_id, lane_id, None, None))
    lane_xml = {lane.id: ids.make("Lane", lane.id) for lane in lanes}
    step_xml = {node: ids.make("Step", node) for node in g.nodes}

    nodes: dict[str, _Node] = {}
    flows: list[_Flow] = []
    handoff = {(h.source, h.target): h.cls for h in analysis.handoffs}
    crossing = set(analysis.visibility_crossings)

    def add(node: _Node) -> None:
        nodes[node.id] = node
        order.append(node.id)

    def _flow_attrs(u: str, v: str) -> dict[str, str]:
        """What BPMN has no word for on the flow u -> v: its ends (for import), its handoff class, a crossing."""
        attrs = {"from": u, "to": v}
        if (u, v) in handoff:
            attrs["handoff"] = handoff[u, v]
        if (u, v) in crossing:
            attrs["crossesVisibility"] = "true"
        return attrs

    def connect(flow: _Flow) -> None:
        flows.append(flow)
        nodes[flow.source].outgoing.append(flow.id)
        nodes[flow.target].incoming.append(flow.id)

    start = model.start_id() if model.start_id() in g else next(iter(g.nodes))
    order: list[str] = []
    start_event = _Node(
        ids.make("StartEvent"), "startEvent", g.nodes[start]["lane"], name=_named(model.process.name, pid)
    )
    add(start_event)
    for node_id, data in g.nodes(data=True):
        tag = TASK_OF_KIND.get(data["lane_kind"], "task")
        nodes[step_xml[node_id]] = _Node(step_xml[node_id], tag, data["lane"], _named(data["name"], node_id), node_id)
    # Where several flows join, an explicit merging gateway in front of the
    # step (BPMN's implicit merge is what bpmnlint's fake-join warns about).
    incoming = {node: g.in_degree(node) + (node == start) for node in g.nodes}
    entry: dict[str, str] = {}
    for node in g.nodes:
        if g.nodes[node]["join"] and incoming[node]:
            join = _Node(ids.make("Join", node), "parallelGateway", g.nodes[node]["lane"], direction="Converging")
            nodes[join.id] = join
            entry[node] = join.id
        elif incoming[node] > 1:
            merge = _Node(ids.make("Merge", node), "exclusiveGateway", g.nodes[node]["lane"], direction="Converging")
            nodes[merge.id] = merge
            entry[node] = merge.id
    connect(_Flow(ids.make("Flow", f"start_{start}"), start_event.id, entry.get(start, step_xml[start])))

    for u in g.nodes:
        out = sorted(g.out_edges(u, data=True), key=lambda e: e[2]["index"])
        source = step_xml[u]
        lane_id = g.nodes[u]["lane"]
        if u in entry:
            order.append(entry[u])
            connect(_Flow(ids.make("Flow", f"merge_{u}"), entry[u], source))
        order.append(source)
        if not out:
            end = _Node(
                ids.make("EndEvent", u), "endEvent", lane_id, name=f"Ends after: {_named(g.nodes[u]['name'], u)}"
            )
            add(end)
            connect(_Flow(ids.make("Flow", f"{u}_end"), source, end.id))
            continue
        # One alternative per item of `next`: a fork item's branches share its index.
        items: dict[int, list[tuple[str, str, dict[str, Any]]]] = {}
        for edge in out:
            items.setdefault(edge[2]["index"], []).append(edge)
        branching = len(items) > 1
        if branching:
            question = _named(g.nodes[u]["name"], u).rstrip()
            gateway = _Node(
                ids.make("Gateway", u),
                "exclusiveGateway",
                lane_id,
                name=question if question.endswith("?") else f"{question}?",
                direction="Diverging",
            )
            add(gateway)
            connect(_Flow(ids.make("Flow", f"{u}_gateway"), source, gateway.id))
            source = gateway.id
        unlabelled = [j for j, edges in items.items() if not edges[0][2]["when"]]
        # Conditions only where they say which branch is taken: every branch
        # labelled, or all but one (that one is the default, "otherwise").
        conditional = branching and len(unlabelled) <= 1
        for j, edges in items.items():
            fork = edges[0][2].get("fork")
            if fork is None:
                continue
            when = edges[0][2]["when"]
            split = _Node(ids.make("Fork", f"{u}_{j}"), "parallelGateway", lane_id, direction="Diverging")
            add(split)
            attrs = {"from": u, "fork": "true"}
            if edges[0][2].get("share") is not None:
                attrs["share"] = repr(float(edges[0][2]["share"]))
            if edges[0][2].get("planned"):
                attrs["planned"] = "true"
            into = _Flow(
                ids.make("Flow", f"{u}_fork_{j}"),
                source,
                split.id,
                name=when,
                condition=when if conditional and when else None,
                attrs=attrs,
            )
            connect(into)
            if conditional and unlabelled == [j]:
                nodes[source].default = into.id
            for _, v, _data in edges:
                connect(
                    _Flow(ids.make("Flow", f"{u}_{v}"), split.id, entry.get(v, step_xml[v]), attrs=_flow_attrs(u, v))
                )
        for _, v, data in out:
            if data.get("fork") is not None:
                continue
            attrs = _flow_attrs(u, v)
            if data.get("share") is not None:
                attrs["share"] = repr(float(data["share"]))
            if data.get("planned"):
                attrs["planned"] = "true"  # a loop the customer is meant to go round (SPEC §5.7)
            when = data["when"]
            flow = _Flow(
                ids.make("Flow", f"{u}_{v}"),
                source,
                entry.get(v, step_xml[v]),
                name=when,
                condition=when if conditional and when else None,
                attrs=attrs,
            )
            connect(flow)
            if conditional and unlabelled == [data["index"]]:
                nodes[source].default = flow.id

    geometry = layout(
        [Element(n, nodes[n].lane, _shape(nodes[n].tag), _diagram_label(nodes[n])) for n in order],
        [Edge(f.id, f.source, f.target, f.name) for f in flows],
        [lane.id for lane in lanes],
        start_event.id,
    )

    root = etree.Element(
        _q(BPMN, "definitions"),
        nsmap=NSMAP,
        attrib={
            "id": ids.make("Definitions", pid),
            "targetNamespace": f"https://procmap.dev/process/{pid}",
            "exporter": "procmap",
            "exporterVersion": __version__,
        },
    )
    collab_id, participant_id, process_id = (
        ids.make("Collaboration", pid),
        ids.make("Participant", pid),
        ids.make("Process", pid),
    )
    collaboration = etree.SubElement(root, _q(BPMN, "collaboration"), id=collab_id)
    etree.SubElement(
        collaboration,
        _q(BPMN, "participant"),
        id=participant_id,
        name=_text(_named(model.process.name, pid)),
        processRef=process_id,
    )

    process = etree.SubElement(
        root, _q(BPMN, "process"), id=process_id, name=_text(_named(model.process.name, pid)), isExecutable="false"
    )
    process.set(_q(PROCMAP, "id"), pid)
    if not model.process.name.strip():  # the BPMN name is the id: keep the exact one for procmap import
        process.set(_q(PROCMAP, "name"), _text(model.process.name))
    process.set(_q(PROCMAP, "start"), start)
    if model.process.owner:
        process.set(_q(PROCMAP, "owner"), _text(model.process.owner))
    _documentation(process, model.process.description)

    lane_set = etree.SubElement(process, _q(BPMN, "laneSet"), id=ids.make("LaneSet", pid))
    members: dict[str, list[str]] = {lane.id: [] for lane in lanes}
    for n in order:
        members[nodes[n].lane].append(n)
    for lane in lanes:
        el = etree.SubElement(lane_set, _q(BPMN, "lane"), id=lane_xml[lane.id], name=_text(_named(lane.name, lane.id)))
        el.set(_q(PROCMAP, "id"), lane.id)
        if not lane.name.strip():
            el.set(_q(PROCMAP, "name"), _text(lane.name))
        if lane.kind:
            el.set(_q(PROCMAP, "kind"), lane.kind)
        _documentation(el, lane.description)
        for n in members[lane.id]:
            etree.SubElement(el, _q(BPMN, "flowNodeRef")).text = n

    for n in order:
        node = nodes[n]
        el = etree.SubElement(process, _q(BPMN, node.tag), id=node.id)
        if node.name is not None:
            el.set("name", _text(node.name))
        if node.tag in ("exclusiveGateway", "parallelGateway"):
            el.set("gatewayDirection", node.direction or "Diverging")
            if node.default:
                el.set("default", node.default)
        if node.step is not None:
            step = steps[node.step]
            _step_attributes(el, g.nodes[node.step], step)
            if not g.nodes[node.step]["name"].strip():
                el.set(_q(PROCMAP, "name"), _text(g.nodes[node.step]["name"]))
            _documentation(el, step.description)
        for flow_id in node.incoming:
            etree.SubElement(el, _q(BPMN, "incoming")).text = flow_id
        for flow_id in node.outgoing:
            etree.SubElement(el, _q(BPMN, "outgoing")).text = flow_id

    for flow in flows:
        el = etree.SubElement(
            process, _q(BPMN, "sequenceFlow"), id=flow.id, sourceRef=flow.source, targetRef=flow.target
        )
        if flow.name:
            el.set("name", _text(flow.name))
        for key, value in flow.attrs.items():
            el.set(_q(PROCMAP, key), value)
        if flow.condition:
            # tExpression without xsi:type: BPMN's natural-language condition, never evaluated.
            etree.SubElement(el, _q(BPMN, "conditionExpression")).text = _text(flow.condition)

    _diagram(root, ids, pid, collab_id, participant_id, lanes, lane_xml, order, nodes, flows, geometry)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _named(name: str, ident: str) -> str:
    """A BPMN name: the procmap name, or the id when the name is only blanks (BPMN tools need a visible one)."""
    return name if name.strip() else ident


def _diagram_label(node: _Node) -> str | None:
    """The name drawn beside an event or gateway (tasks carry theirs inside)."""
    if node.tag.endswith("Event") or node.tag.endswith("Gateway"):
        return _text(node.name) if node.name else None
    return None


def _shape(tag: str) -> str:
    if tag.endswith("Event"):
        return "event"
    return "gateway" if tag.endswith("Gateway") else "task"


def _documentation(parent: _Element, text: str | None) -> None:
    from lxml import etree

    if text:
        doc = etree.SubElement(parent, _q(BPMN, "documentation"))
        doc.set("textFormat", "text/plain")
        doc.text = _text(text)


def _step_attributes(el: _Element, node: dict[str, Any], step: Step) -> None:
    """The service-blueprint facts of a step, as procmap:* attributes (BPMN has no words for them)."""
    values: dict[str, str | None] = {
        "id": step.id,
        "lane": step.lane,
        "laneKind": node["lane_kind"],
        "visibility": node["visibility"],
        "customerAction": _fmt_bool(bool(node["customer"])),
        "touchpoint": _fmt_bool(bool(node["touchpoint"])),
        "channel": step.channel,
        "owner": step.owner,
        "backup": step.backup,
        "evidence": step.evidence,
        "data": " ".join(step.data) or None,
        "failPoint": "true" if step.fail_point else None,
        "duration": step.duration,
        "sla": step.sla,
        "slaFrom": step.sla_from,
        "stage": step.stage,
    }
    if step.visibility:
        values["visibilityOverride"] = step.visibility
    if step.contact != "interaction":
        values["contact"] = step.contact
    for key, value in values.items():
        if value is not None:
            el.set(_q(PROCMAP, key), _text(value))


def _diagram(
    root: _Element,
    ids: _Ids,
    pid: str,
    collab_id: str,
    participant_id: str,
    lanes: list[_LaneOut],
    lane_xml: dict[str, str],
    order: list[str],
    nodes: dict[str, _Node],
    flows: list[_Flow],
    geometry: Layout,
) -> None:
    from lxml import etree

    diagram = etree.SubElement(root, _q(BPMNDI, "BPMNDiagram"), id=ids.make("BPMNDiagram", pid))
    plane = etree.SubElement(diagram, _q(BPMNDI, "BPMNPlane"), id=ids.make("BPMNPlane", pid), bpmnElement=collab_id)

    def shape(element_id: str, box: Box, **attrs: str) -> _Element:
        el = etree.SubElement(
            plane, _q(BPMNDI, "BPMNShape"), id=ids.make(f"{element_id}_di"), bpmnElement=element_id, **attrs
        )
        _bounds(el, box)
        return el

    shape(participant_id, geometry.pool, isHorizontal="true")
    for lane in lanes:
        shape(lane_xml[lane.id], geometry.lanes[lane.id], isHorizontal="true")
    for n in order:
        extra = {"isMarkerVisible": "true"} if nodes[n].tag == "exclusiveGateway" else {}
        el = shape(n, geometry.shapes[n], **extra)
        if n in geometry.shape_labels:
            _bounds(etree.SubElement(el, _q(BPMNDI, "BPMNLabel")), geometry.shape_labels[n])
    for flow in flows:
        el = etree.SubElement(plane, _q(BPMNDI, "BPMNEdge"), id=ids.make(f"{flow.id}_di"), bpmnElement=flow.id)
        for x, y in geometry.waypoints[flow.id]:
            etree.SubElement(el, _q(DI, "waypoint"), x=_coord(x), y=_coord(y))
        if flow.id in geometry.labels:
            label = etree.SubElement(el, _q(BPMNDI, "BPMNLabel"))
            _bounds(label, geometry.labels[flow.id])


def _bounds(parent: _Element, box: Box) -> None:
    from lxml import etree

    etree.SubElement(
        parent, _q(DC, "Bounds"), x=_coord(box.x), y=_coord(box.y), width=_coord(box.w), height=_coord(box.h)
    )


def _coord(value: float) -> str:
    """A DI coordinate: an integer when it is one, else up to two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
