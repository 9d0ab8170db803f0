"""`procmap export`: BPMN 2.0 (semantics, lanes, diagram), GraphML and node-link JSON, through the CLI."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import di_geometry
from conftest import EXAMPLES, ORACLES

etree = pytest.importorskip("lxml.etree")

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
PM = "https://procmap.dev/schema/bpmn-extension/v1"
GRAPHML = "http://graphml.graphdrawing.org/xmlns"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "pm": PM}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
XSD = ORACLES / "bpmn20" / "BPMN20.xsd"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))

# Loops (back to the start, and a self-loop inside a branch), a self-loop as a
# step's only flow, branches with and without labels, ids starting with digits,
# XML-hostile and non-ASCII text, a visibility override, an empty lane, and
# lanes listed out of blueprint order.
PROCESS = """\
version: 1
process:
  id: 9lives
  name: Ünïcode & <XML> "quotes" 'n' stuff
  description: "Line one\\nline <two> & more"
  owner: Ops & Co
lanes:
  - id: 1support
    name: Système <support>
    kind: support
  - id: backoffice
    name: Back office
    kind: backstage
    description: Behind & beyond
  - id: client
    name: Client «VIP»
    kind: customer
  - id: desk
    name: Front desk
    kind: onstage
  - id: unused
    name: Unused lane
    kind: onstage
steps:
  - id: 1-ask
    name: Ask "why?" <now> & then
    lane: client
    channel: e-mail & phone
    next: [2-answer]
  - id: 2-answer
    name: Answer — 答え
    lane: desk
    owner: Agent Ω
    backup: Lead
    evidence: Reply <mail>
    data: [pii, 3ds]
    duration: 15m
    sla: PT1H
    fail_point: true
    next:
      - to: 2-answer
        when: needs <more> & more
      - to: 3-check
        when: escalate
      - to: 5-done
  - id: 3-check
    name: Check
    lane: backoffice
    owner: Clerk
    visibility: onstage
    next:
      - to: 1-ask
        when: ask again
      - to: 4-sys
        when: ok
  - id: 4-sys
    name: Record in système
    lane: 1support
    owner: Bot
    next:
      - to: 5-done
        when: recorded
      - to: 6-spin
        when: queue full
  - id: 5-done
    name: Done ✓
    lane: client
  - id: 6-spin
    name: Retry forever
    lane: 1support
    owner: Bot
    next: [6-spin]
"""

STEP_LANES = {
    "1-ask": "client",
    "2-answer": "desk",
    "3-check": "backoffice",
    "4-sys": "1support",
    "5-done": "client",
    "6-spin": "1support",
}
EDGES = {
    ("1-ask", "2-answer"): None,
    ("2-answer", "2-answer"): "needs <more> & more",
    ("2-answer", "3-check"): "escalate",
    ("2-answer", "5-done"): None,
    ("3-check", "1-ask"): "ask again",
    ("3-check", "4-sys"): "ok",
    ("4-sys", "5-done"): "recorded",
    ("4-sys", "6-spin"): "queue full",
    ("6-spin", "6-spin"): None,
}


# ---------------------------------------------------------------- BPMN reading


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    def inside(self, other: Box) -> bool:
        return (
            other.x <= self.x
            and other.y <= self.y
            and self.x + self.w <= other.x + other.w
            and self.y + self.h <= other.y + other.h
        )

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )

    def crossed_by(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        """Does the axis-parallel segment enter the shape's open interior?"""
        lo_x, hi_x, lo_y, hi_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
        if x1 == x2:
            return self.x < x1 < self.x + self.w and lo_y < self.y + self.h and hi_y > self.y
        return self.y < y1 < self.y + self.h and lo_x < self.x + self.w and hi_x > self.x

    def on_border(self, x: float, y: float) -> bool:
        on_x = self.x <= x <= self.x + self.w
        on_y = self.y <= y <= self.y + self.h
        return (on_x and y in (self.y, self.y + self.h)) or (on_y and x in (self.x, self.x + self.w))


@dataclass
class Bpmn:
    """What a BPMN tool sees in the file, read with plain XPath (no procmap code)."""

    root: Any
    process: Any
    nodes: dict[str, Any] = field(default_factory=dict)  # flow node id -> element
    flows: dict[str, Any] = field(default_factory=dict)
    lanes: list[Any] = field(default_factory=list)
    shapes: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    edge_labels: set[str] = field(default_factory=set)

    def step_of(self, node_id: str) -> str | None:
        return self.nodes[node_id].get(f"{{{PM}}}id")

    def step_edges(self) -> dict[tuple[str, str], str | None]:
        """procmap's flows, rebuilt from sequence flows only: step -> (diverging gateway) -> (merge) -> step."""
        out: dict[tuple[str, str], str | None] = {}
        leaving = {}
        for flow in self.flows.values():
            leaving.setdefault(flow.get("sourceRef"), []).append(flow)
        for node_id in self.nodes:
            step = self.step_of(node_id)
            if step is None:
                continue
            # (flow, its name): a fork's branches carry the name of the flow into its parallel gateway
            branches = []
            todo = [(flow, flow.get("name")) for flow in leaving.get(node_id, [])]
            while todo:
                flow, name = todo.pop(0)
                if self.nodes[flow.get("targetRef")].get("gatewayDirection") == "Diverging":
                    todo += [(f, f.get("name") or name) for f in leaving[flow.get("targetRef")]]
                else:
                    branches.append((flow, name))
            for flow, name in branches:
                target = flow.get("targetRef")
                if self.nodes[target].get("gatewayDirection") == "Converging":
                    (onward,) = leaving[target]
                    target = onward.get("targetRef")
                if self.step_of(target):
                    out[step, self.step_of(target)] = name
        return out


def read_bpmn(data: bytes) -> Bpmn:
    root = etree.fromstring(data)
    (process,) = root.findall("bpmn:process", NS)
    doc = Bpmn(root, process)
    for el in process:
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        if tag == "sequenceFlow":
            doc.flows[el.get("id")] = el
        elif tag not in ("laneSet", "documentation", "extensionElements"):
            doc.nodes[el.get("id")] = el
    doc.lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        doc.shapes[shape.get("bpmnElement")] = Box(*(float(b.get(k)) for k in ("x", "y", "width", "height")))
    for edge in root.iterfind(".//bpmndi:BPMNEdge", NS):
        doc.edges[edge.get("bpmnElement")] = [
            (float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)
        ]
        if edge.find("bpmndi:BPMNLabel/dc:Bounds", NS) is not None:
            doc.edge_labels.add(edge.get("bpmnElement"))
    return doc


@pytest.fixture(scope="module")
def xsd() -> Any:
    if not XSD.is_file():
        pytest.skip(f"BPMN 2.0 XSDs not found at {XSD.parent} (shared oracles absent)")
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture
def process_file(write) -> Path:
    return write(PROCESS, "9lives.yaml")


@pytest.fixture
def exported(cli, process_file: Path) -> bytes:
    result = cli("export", process_file, "--to", "bpmn")
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def check_structure(data: bytes) -> Bpmn:
    """Invariants every export must hold, whatever the process (used on every example too)."""
    doc = read_bpmn(data)
    ids = [el.get("id") for el in doc.root.iter() if isinstance(el.tag, str) and el.get("id") is not None]
    assert len(ids) == len(set(ids)), "duplicate XML ids"
    assert all(NCNAME.match(i) for i in ids), [i for i in ids if not NCNAME.match(i)]
    known = set(ids)
    for el in doc.root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("sourceRef", "targetRef", "bpmnElement", "processRef", "default"):
            if el.get(attr) is not None:
                assert el.get(attr) in known, f"{attr}={el.get(attr)} points nowhere"
        if etree.QName(el).localname in ("flowNodeRef", "incoming", "outgoing"):
            assert el.text in known

    (participant,) = doc.root.findall("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == doc.process.get("id")

    # Lanes: every flow node in exactly one lane.
    refs = [r.text for lane in doc.lanes for r in lane.findall("bpmn:flowNodeRef", NS)]
    assert sorted(refs) == sorted(doc.nodes)
    lane_of = {r.text: lane.get("id") for lane in doc.lanes for r in lane.findall("bpmn:flowNodeRef", NS)}

    # Branching: a task never has two outgoing flows; gateways do.
    for node_id, el in doc.nodes.items():
        out = [f for f in doc.flows.values() if f.get("sourceRef") == node_id]
        inc = [f for f in doc.flows.values() if f.get("targetRef") == node_id]
        assert [o.text for o in el.findall("bpmn:outgoing", NS)] == [f.get("id") for f in out]
        assert sorted(i.text for i in el.findall("bpmn:incoming", NS)) == sorted(f.get("id") for f in inc)
        tag = etree.QName(el).localname
        if tag == "exclusiveGateway" and el.get("gatewayDirection") == "Diverging":
            assert len(out) >= 2 and len(inc) == 1
        elif tag == "exclusiveGateway":
            assert el.get("gatewayDirection") == "Converging" and len(out) == 1 and len(inc) >= 2
            assert not el.get("name"), "a merging gateway asks no question"
        elif tag == "parallelGateway" and el.get("gatewayDirection") == "Diverging":  # a fork (SPEC §7.3)
            assert len(out) >= 2 and len(inc) == 1 and not el.get("name")
        elif tag == "parallelGateway":  # a join: every branch enters it
            assert el.get("gatewayDirection") == "Converging" and len(out) == 1 and len(inc) >= 2
            assert not el.get("name")
        elif tag == "startEvent":
            assert len(out) == 1 and not inc
        elif tag == "endEvent":
            assert len(inc) == 1 and not out
        else:
            assert len(out) == 1, f"{node_id} has {len(out)} outgoing flows"
            assert len(inc) <= 1, f"{node_id} joins {len(inc)} flows without a gateway"
        if tag in ("startEvent", "endEvent") or (
            tag == "exclusiveGateway" and el.get("gatewayDirection") == "Diverging"
        ):
            assert (el.get("name") or "").strip(), f"{node_id} has no name"
    assert len(doc.process.findall("bpmn:startEvent", NS)) == 1

    # Diagram: pool > lanes > shapes, edges between shape borders.
    plane = doc.root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == doc.root.find("bpmn:collaboration", NS).get("id")
    pool = doc.shapes[participant.get("id")]
    horizontal = {s.get("bpmnElement"): s.get("isHorizontal") for s in plane.findall("bpmndi:BPMNShape", NS)}
    assert horizontal[participant.get("id")] == "true"
    lane_boxes = [doc.shapes[lane.get("id")] for lane in doc.lanes]
    for lane, box in zip(doc.lanes, lane_boxes, strict=True):
        assert horizontal[lane.get("id")] == "true"
        assert box.inside(pool)
    for upper, lower in itertools.pairwise(lane_boxes):
        assert upper.y + upper.h == lower.y, "lanes must be stacked top to bottom without gaps"
    for node_id in doc.nodes:
        assert doc.shapes[node_id].inside(doc.shapes[lane_of[node_id]]), f"{node_id} drawn outside its lane"
    node_ids = list(doc.nodes)
    for i, a in enumerate(node_ids):
        for b in node_ids[i + 1 :]:
            assert not doc.shapes[a].overlaps(doc.shapes[b]), f"{a} overlaps {b}"
    for flow_id, flow in doc.flows.items():
        points = doc.edges[flow_id]
        assert len(points) >= 2
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            assert x1 == x2 or y1 == y2, f"{flow_id}: segments must be orthogonal"
            for node_id in node_ids:
                if node_id not in (flow.get("sourceRef"), flow.get("targetRef")):
                    assert not doc.shapes[node_id].crossed_by(x1, y1, x2, y2), f"{flow_id} runs through {node_id}"
        if flow.get("name"):
            assert flow_id in doc.edge_labels
    # No shared stretch of line, no shared port, no label on a shape or a label, ends on outlines.
    assert di_geometry.check(data) == []
    return doc


# ---------------------------------------------------------------- BPMN tests


def test_bpmn_validates_against_the_omg_schemas(exported: bytes, xsd: Any) -> None:
    xsd.assertValid(etree.fromstring(exported))


def test_bpmn_structure_holds(exported: bytes) -> None:
    check_structure(exported)


def test_bpmn_lanes_in_blueprint_order_with_kinds(exported: bytes) -> None:
    doc = read_bpmn(exported)
    assert [(lane.get("name"), lane.get(f"{{{PM}}}kind")) for lane in doc.lanes] == [
        ("Client «VIP»", "customer"),
        ("Front desk", "onstage"),
        ("Unused lane", "onstage"),
        ("Back office", "backstage"),
        ("Système <support>", "support"),
    ]
    members = {
        lane.get(f"{{{PM}}}id"): {doc.step_of(r.text) for r in lane.findall("bpmn:flowNodeRef", NS)} - {None}
        for lane in doc.lanes
    }
    assert members == {
        lane: {s for s, ln in STEP_LANES.items() if ln == lane}
        for lane in ("client", "desk", "unused", "backoffice", "1support")
    }
    backoffice = next(lane for lane in doc.lanes if lane.get(f"{{{PM}}}id") == "backoffice")
    assert backoffice.findtext("bpmn:documentation", namespaces=NS) == "Behind & beyond"


def test_bpmn_task_types_follow_lane_kinds(exported: bytes) -> None:
    doc = read_bpmn(exported)
    types = {doc.step_of(n): etree.QName(el).localname for n, el in doc.nodes.items() if doc.step_of(n)}
    assert types == {
        "1-ask": "userTask",
        "2-answer": "userTask",
        "3-check": "task",
        "4-sys": "serviceTask",
        "5-done": "userTask",
        "6-spin": "serviceTask",
    }


def test_bpmn_ids_are_prefixed_ncnames_for_digit_ids(exported: bytes) -> None:
    doc = read_bpmn(exported)
    for node_id in doc.nodes:
        assert not node_id[0].isdigit()
    assert {doc.step_of(n): n for n in doc.nodes if doc.step_of(n)}["1-ask"] == "Step_1-ask"


def test_bpmn_flows_round_trip_with_branch_labels(exported: bytes) -> None:
    doc = read_bpmn(exported)
    assert doc.step_edges() == EDGES


def test_bpmn_gateways_only_where_steps_branch(exported: bytes) -> None:
    doc = read_bpmn(exported)
    gateways = {
        n: el
        for n, el in doc.nodes.items()
        if el.tag == f"{{{BPMN}}}exclusiveGateway" and el.get("gatewayDirection") == "Diverging"
    }
    branching = {doc.step_of(f.get("sourceRef")) for f in doc.flows.values() if f.get("targetRef") in gateways}
    assert branching == {"2-answer", "3-check", "4-sys"}
    merges = {
        n: el
        for n, el in doc.nodes.items()
        if el.tag == f"{{{BPMN}}}exclusiveGateway" and el.get("gatewayDirection") == "Converging"
    }
    joined = {doc.step_of(f.get("targetRef")) for f in doc.flows.values() if f.get("sourceRef") in merges}
    # Every step reached by several flows (the start counts for 1-ask), and no other.
    assert joined == {"1-ask", "2-answer", "5-done", "6-spin"}
    assert all(len([f for f in doc.flows.values() if f.get("targetRef") == m]) >= 2 for m in merges)
    answer_gateway = next(g for g, el in gateways.items() if g.endswith("2-answer"))
    default = doc.flows[gateways[answer_gateway].get("default")]
    assert default.get(f"{{{PM}}}to") == "5-done" and default.get("targetRef") == "Merge_5-done"
    labelled = [f for f in doc.flows.values() if f.get("sourceRef") in gateways and f.get("name")]
    assert labelled
    for flow in labelled:
        assert flow.findtext("bpmn:conditionExpression", namespaces=NS) == flow.get("name")
    for gateway in gateways.values():
        assert gateway.get("gatewayDirection") == "Diverging"


def test_bpmn_start_and_end_events(exported: bytes) -> None:
    doc = read_bpmn(exported)
    (start,) = doc.process.findall("bpmn:startEvent", NS)
    (first,) = [f for f in doc.flows.values() if f.get("sourceRef") == start.get("id")]
    # 1-ask is also reached from 3-check, so the start enters the merging gateway in front of it.
    assert first.get("targetRef") == "Merge_1-ask"
    (onward,) = [f for f in doc.flows.values() if f.get("sourceRef") == "Merge_1-ask"]
    assert doc.step_of(onward.get("targetRef")) == "1-ask"
    ends = doc.process.findall("bpmn:endEvent", NS)
    before_end = {
        doc.step_of(f.get("sourceRef")) for f in doc.flows.values() for e in ends if f.get("targetRef") == e.get("id")
    }
    assert before_end == {"5-done"}
    # bpmnlint's label-required: events are named from the process.
    assert start.get("name") == "Ünïcode & <XML> \"quotes\" 'n' stuff"
    assert [e.get("name") for e in ends] == ["Ends after: Done ✓"]
    labelled = {s.get("bpmnElement") for s in doc.root.iterfind(".//bpmndi:BPMNShape", NS) if len(s)}
    assert start.get("id") in labelled and ends[0].get("id") in labelled


def test_bpmn_keeps_blueprint_facts_and_text_exactly(exported: bytes) -> None:
    doc = read_bpmn(exported)
    by_step = {doc.step_of(n): el for n, el in doc.nodes.items() if doc.step_of(n)}
    answer = by_step["2-answer"]
    assert answer.get("name") == "Answer — 答え"
    pm = {etree.QName(k).localname: v for k, v in answer.attrib.items() if k.startswith(f"{{{PM}}}")}
    assert pm == {
        "id": "2-answer",
        "lane": "desk",
        "laneKind": "onstage",
        "visibility": "onstage",
        "customerAction": "false",
        "touchpoint": "true",
        "owner": "Agent Ω",
        "backup": "Lead",
        "evidence": "Reply <mail>",
        "data": "pii 3ds",
        "failPoint": "true",
        "duration": "15m",
        "sla": "PT1H",
    }
    check = by_step["3-check"]
    assert check.get(f"{{{PM}}}visibility") == "onstage"
    assert check.get(f"{{{PM}}}visibilityOverride") == "onstage"
    assert check.get(f"{{{PM}}}touchpoint") == "true"
    assert by_step["1-ask"].get("name") == 'Ask "why?" <now> & then'
    assert by_step["1-ask"].get(f"{{{PM}}}customerAction") == "true"
    assert by_step["1-ask"].get(f"{{{PM}}}channel") == "e-mail & phone"
    assert doc.process.get("name") == "Ünïcode & <XML> \"quotes\" 'n' stuff"
    assert doc.process.findtext("bpmn:documentation", namespaces=NS) == "Line one\nline <two> & more"
    assert doc.process.get(f"{{{PM}}}owner") == "Ops & Co"
    assert {f.get("name") for f in doc.flows.values()} >= {"needs <more> & more", "ask again"}


def test_bpmn_handoff_classes_on_flows(exported: bytes) -> None:
    doc = read_bpmn(exported)
    classes = {
        (f.get(f"{{{PM}}}from"), f.get(f"{{{PM}}}to")): f.get(f"{{{PM}}}handoff")
        for f in doc.flows.values()
        if f.get(f"{{{PM}}}handoff")
    }
    # desk (onstage) -> backoffice clerk made onstage: both onstage; clerk -> system: crosses the line.
    assert classes == {("2-answer", "3-check"): "onstage", ("3-check", "4-sys"): "visibility-line"}


def test_bpmn_diagram_reads_left_to_right(exported: bytes) -> None:
    doc = read_bpmn(exported)
    x = {doc.step_of(n): doc.shapes[n].x for n in doc.nodes if doc.step_of(n)}
    assert x["1-ask"] < x["2-answer"] < x["3-check"] < x["4-sys"] < x["6-spin"]
    start = doc.process.find("bpmn:startEvent", NS).get("id")
    assert doc.shapes[start].x < x["1-ask"]
    lanes = {lane.get(f"{{{PM}}}id"): doc.shapes[lane.get("id")] for lane in doc.lanes}
    assert lanes["client"].y < lanes["desk"].y < lanes["unused"].y < lanes["backoffice"].y < lanes["1support"].y
    markers = {s.get("bpmnElement"): s.get("isMarkerVisible") for s in doc.root.iterfind(".//bpmndi:BPMNShape", NS)}
    assert all(markers[n] == "true" for n, el in doc.nodes.items() if el.tag.endswith("exclusiveGateway"))


def test_bpmn_self_loops_are_drawn_as_loops(exported: bytes) -> None:
    doc = read_bpmn(exported)
    # 6-spin flows back to itself: through the merging gateway in front of it.
    (spin,) = [f for f in doc.flows.values() if f.get(f"{{{PM}}}from") == f.get(f"{{{PM}}}to") == "6-spin"]
    merge = doc.nodes[spin.get("targetRef")]
    assert merge.get("gatewayDirection") == "Converging"
    (onward,) = [f for f in doc.flows.values() if f.get("sourceRef") == merge.get("id")]
    assert doc.step_of(onward.get("targetRef")) == "6-spin"
    points = doc.edges[spin.get("id")]
    assert len(points) >= 4 and len(set(points)) == len(points)


def test_bpmn_round_trips_through_spiffworkflow(exported: bytes) -> None:
    spiff_roundtrip(exported)


def spiff_roundtrip(data: bytes) -> None:
    """Parse with SpiffWorkflow's BpmnParser: same tasks, lanes and flows as the export says."""
    parser_mod = pytest.importorskip("SpiffWorkflow.bpmn.parser.BpmnParser", reason="SpiffWorkflow not installed")
    doc = read_bpmn(data)
    tree = etree.fromstring(data)
    # Exports are descriptive (isExecutable="false"); Spiff only builds specs of executable processes.
    for process in tree.iterfind("bpmn:process", NS):
        process.set("isExecutable", "true")
    parser = parser_mod.BpmnParser(validator=parser_mod.BpmnValidator())
    parser.add_bpmn_xml(tree, "export.bpmn")
    spec = parser.get_spec(doc.process.get("id"))
    lane_names = {r.text: lane.get("name") for lane in doc.lanes for r in lane.findall("bpmn:flowNodeRef", NS)}
    specs = {name: ts for name, ts in spec.task_specs.items() if name in doc.nodes}
    assert set(specs) == set(doc.nodes)
    for name, ts in specs.items():
        assert ts.lane == lane_names[name]
        if doc.nodes[name].get("name") is not None:
            assert ts.bpmn_name == doc.nodes[name].get("name")
        expected = sorted(f.get("targetRef") for f in doc.flows.values() if f.get("sourceRef") == name)
        got = sorted(o.name for o in ts.outputs if o.name in doc.nodes)
        assert got == expected, name
    kinds = {name: type(ts).__name__ for name, ts in specs.items()}
    for name, el in doc.nodes.items():
        local = etree.QName(el).localname
        assert kinds[name].lower().replace("none", "") == local.lower(), (name, kinds[name], local)


# ---------------------------------------------------------------- GraphML / JSON


def test_graphml_round_trips_with_every_attribute(cli, process_file: Path) -> None:
    result = cli("export", process_file, "--to", "graphml")
    assert result.exit_code == 0, result.stderr
    raw = result.stdout_bytes
    tree = etree.fromstring(raw)
    keys = tree.findall(f"{{{GRAPHML}}}key")
    assert len({k.get("id") for k in keys}) == len(keys), "GraphML key ids must be unique"
    booleans = {k.get("id") for k in keys if k.get("attr.type") == "boolean"}
    assert booleans
    for data in tree.iter(f"{{{GRAPHML}}}data"):
        if data.get("key") in booleans:
            assert data.text in ("true", "false")
    g = nx.read_graphml(__import__("io").BytesIO(raw))
    assert list(g.nodes) == list(STEP_LANES)
    assert {(u, v) for u, v in g.edges} == set(EDGES)
    answer = g.nodes["2-answer"]
    assert answer["name"] == answer["label"] == "Answer — 答え"
    assert answer["data"] == "pii,3ds"
    assert answer["duration"] == 900.0 and answer["sla"] == 3600.0
    assert answer["touchpoint"] is True and answer["customer"] is False
    assert answer["lane_name"] == "Front desk"
    assert "channel" not in answer  # None is GraphML's missing data
    assert g.edges["2-answer", "3-check"]["when"] == "escalate"
    assert g.edges["2-answer", "3-check"]["handoff"] == "onstage"
    assert g.edges["3-check", "4-sys"]["crosses_visibility"] is True
    assert "when" not in g.edges["1-ask", "2-answer"]
    assert json.loads(g.graph["lanes"])[0] == {
        "id": "1support",
        "name": "Système <support>",
        "kind": "support",
        "index": 0,
    }
    assert g.graph["description"] == "Line one\nline <two> & more"


def test_json_is_node_link_with_edges_key(cli, process_file: Path) -> None:
    result = cli("export", process_file, "--to", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert "edges" in data and "links" not in data
    assert data["graph"]["id"] == "9lives"
    assert [lane["id"] for lane in data["graph"]["lanes"]] == ["1support", "backoffice", "client", "desk", "unused"]
    try:
        g = nx.node_link_graph(data, edges="edges")
    except TypeError:  # networkx < 3.4
        g = nx.node_link_graph(data, link="edges")
    assert {(u, v): d["when"] for u, v, d in g.edges(data=True)} == EDGES
    answer = g.nodes["2-answer"]
    assert answer["data"] == ["pii", "3ds"] and answer["channel"] is None and answer["fail_point"] is True
    assert g.nodes["3-check"]["visibility"] == "onstage"


# ---------------------------------------------------------------- CLI behaviour


def test_output_file_and_format_from_suffix(cli, process_file: Path, tmp_path: Path) -> None:
    for suffix, probe in ((".bpmn", b"<bpmn:definitions"), (".graphml", b"<graphml"), (".json", b'"directed"')):
        out = tmp_path / f"out{suffix}"
        result = cli("export", process_file, "-o", out)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
        assert probe in out.read_bytes()


def test_to_wins_over_suffix(cli, process_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.xml"
    assert cli("export", process_file, "--to", "graphml", "-o", out).exit_code == 0
    assert b"<graphml" in out.read_bytes()


def test_no_format_is_a_one_line_usage_error(run, process_file: Path, tmp_path: Path) -> None:
    for args in ((), ("-o", tmp_path / "out.txt")):
        proc = run("export", process_file, *args)
        assert proc.returncode == 2
        err = proc.stderr.decode()
        assert err.count("\n") == 1 and "--to" in err and "Traceback" not in err
    assert not (tmp_path / "out.txt").exists()


def test_invalid_process_prints_diagnostics_and_exports_nothing(run, write, tmp_path: Path) -> None:
    bad = write(PROCESS.replace("lane: desk\n", "lane: dsek\n", 1), "bad.yaml")
    out = tmp_path / "bad.bpmn"
    proc = run("export", bad, "--to", "bpmn", "-o", out)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert re.search(r"bad\.yaml:\d+:\d+: error \[unknown-reference\]", err)
    assert proc.stdout == b""
    assert not out.exists()


def test_warnings_do_not_stop_the_export(run, process_file: Path) -> None:
    # PROCESS has warnings (a dead end, an empty lane, a hidden contact) and still exports.
    assert run("validate", process_file).returncode == 0
    proc = run("export", process_file, "--to", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["graph"]["id"] == "9lives"


def test_missing_file_is_exit_2(run, tmp_path: Path) -> None:
    proc = run("export", tmp_path / "nope.yaml", "--to", "bpmn")
    assert proc.returncode == 2
    assert b"nope.yaml" in proc.stderr and b"Traceback" not in proc.stderr


def test_never_overwrites_the_input(run, process_file: Path) -> None:
    before = process_file.read_bytes()
    proc = run("export", process_file, "--to", "json", "-o", process_file)
    assert proc.returncode == 2
    assert process_file.read_bytes() == before


def test_reads_standard_input(run) -> None:
    proc = run("export", "-", "--to", "bpmn", input=PROCESS)
    assert proc.returncode == 0, proc.stderr
    assert read_bpmn(proc.stdout).step_edges() == EDGES


def test_characters_xml_cannot_hold_do_not_break_the_export(cli, write, xsd: Any) -> None:
    path = write(
        'version: 1\nprocess: {id: x, name: "A\\x01B\\uFFFEC \\U0001F600"}\n'
        "lanes: [{id: a, name: A, kind: customer}]\n"
        'steps: [{id: s, name: "S\\x07", lane: a, evidence: "e\\x1b"}]\n',
        "ctrl.yaml",
    )
    bpmn = cli("export", path, "--to", "bpmn")
    assert bpmn.exit_code == 0, bpmn.stderr
    xsd.assertValid(etree.fromstring(bpmn.stdout_bytes))
    assert read_bpmn(bpmn.stdout_bytes).process.get("name") == "A\ufffdB\ufffdC \U0001f600"
    graphml = cli("export", path, "--to", "graphml")
    assert graphml.exit_code == 0, graphml.stderr
    g = nx.read_graphml(__import__("io").BytesIO(graphml.stdout_bytes))
    assert g.nodes["s"]["name"] == "S\ufffd"


def test_exports_even_when_error_rules_are_switched_off(run, write, xsd: Any) -> None:
    """With unknown-reference, unreachable-step and no-end off, the file passes the gate: no crash, valid BPMN."""
    path = write(
        """\
        version: 1
        process: {id: lax, name: Lax, start: nowhere}
        lanes: [{id: c, name: C, kind: customer}]
        steps:
          - {id: a, name: A, lane: c, next: [b, ghost]}
          - {id: b, name: B, lane: phantom, next: [a]}
          - {id: orphan, name: Orphan, lane: c}
        """,
        "lax.yaml",
    )
    config = write('[rules]\nunknown-reference = "off"\nunreachable-step = "off"\nno-end = "off"\n', "procmap.toml")
    proc = run("export", path, "--to", "bpmn", "--config", config)
    assert proc.returncode == 0, proc.stderr
    xsd.assertValid(etree.fromstring(proc.stdout))
    doc = check_structure(proc.stdout)
    assert [lane.get("name") for lane in doc.lanes] == ["C", "phantom"]
    assert doc.step_edges() == {("a", "b"): None, ("b", "a"): None}
    for fmt in ("graphml", "json"):
        assert run("export", path, "--to", fmt, "--config", config).returncode == 0


def test_output_is_deterministic(cli, process_file: Path) -> None:
    for fmt in ("bpmn", "graphml", "json"):
        assert (
            cli("export", process_file, "--to", fmt).stdout_bytes
            == cli("export", process_file, "--to", fmt).stdout_bytes
        )


def test_large_process_exports_a_valid_layout(cli, write) -> None:
    """200 steps with branches and loops: every invariant still holds (no overlaps, shapes in lanes)."""
    lines = [
        "version: 1",
        "process: {id: big, name: Big}",
        "lanes:",
        "  - {id: c, name: C, kind: customer}",
        "  - {id: o, name: O, kind: onstage}",
        "  - {id: b, name: B, kind: backstage}",
        "  - {id: s, name: S, kind: support}",
        "steps:",
    ]
    n = 200
    for i in range(n):
        lane = "cobs"[i % 4]
        nxt = [] if i == n - 1 else [f"{i + 1}x"]
        if i % 7 == 3 and i + 3 < n:
            nxt.append(f"{i + 3}x")
        if i % 11 == 5:
            nxt.append(f"{i - 4}x")
        flows = ", ".join(f"{{to: {t}, when: w{j}}}" for j, t in enumerate(nxt))
        owner = ", owner: someone" if lane != "c" else ""
        lines.append(f"  - {{id: {i}x, name: Step {i}, lane: {lane}{owner}, next: [{flows}]}}")
    path = write("\n".join(lines) + "\n", "big.yaml")
    result = cli("export", path, "--to", "bpmn")
    assert result.exit_code == 0, result.stderr
    doc = check_structure(result.stdout_bytes)
    assert len([n for n in doc.nodes if doc.step_of(n)]) == n


# ---------------------------------------------------------------- the shipped examples


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_examples_export_valid_bpmn_that_round_trips(cli, xsd: Any, path: Path) -> None:
    result = cli("export", path, "--to", "bpmn")
    assert result.exit_code == 0, result.stderr
    xsd.assertValid(etree.fromstring(result.stdout_bytes))
    doc = check_structure(result.stdout_bytes)
    js = json.loads(cli("export", path, "--to", "json").stdout)
    graph_edges = {(e["source"], e["target"]): e["when"] for e in js["edges"]}
    assert doc.step_edges() == graph_edges
    assert {doc.step_of(n) for n in doc.nodes} - {None} == {node["id"] for node in js["nodes"]}
    spiff_roundtrip(result.stdout_bytes)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_examples_export_graphml(cli, path: Path) -> None:
    result = cli("export", path, "--to", "graphml")
    assert result.exit_code == 0, result.stderr
    g = nx.read_graphml(__import__("io").BytesIO(result.stdout_bytes))
    js = json.loads(cli("export", path, "--to", "json").stdout)
    assert list(g.nodes) == [node["id"] for node in js["nodes"]]
    assert g.number_of_edges() == len(js["edges"])
