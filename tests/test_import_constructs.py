"""`procmap import` on small hand-written BPMN models: one construct each, beyond the MIWG sample."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from procmap.config import Config
from procmap.interchange.bpmn_import import import_bpmn
from procmap.interchange.process_yaml import dump
from procmap.validate import check_text

B = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def model(body: str, encoding: str = "UTF-8") -> bytes:
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n<definitions xmlns="{B}" id="defs" targetNamespace="t">{body}</definitions>'
    return text.encode(encoding)


def imported(body: bytes, **options: Any) -> tuple[dict[str, Any], list[Any]]:
    result = import_bpmn(body, "m.bpmn", **options)
    checked = check_text(dump(result.data, result.header, result.step_comments), "m.yaml", Config())
    assert not checked.has_errors, [d.message for d in checked.diagnostics]
    return result.data, result.notes


def steps(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in data["steps"]}


def flows(step: dict[str, Any], data: dict[str, Any]) -> dict[str, str | None]:
    """target name -> when"""
    names = {s["id"]: s["name"] for s in data["steps"]}
    out = {}
    for f in step.get("next", []):
        f = {"to": f} if isinstance(f, str) else f
        out[names[f["to"]]] = f.get("when")
    return out


def codes(notes: list[Any]) -> list[str]:
    """The constructs reported as simplified or lost (a missing customer is not one of them)."""
    return [n.code for n in notes if n.severity == "warning" and n.code != "no-customer"]


SHOP = """
<message id="m1" name="Order"/>
<collaboration id="c1">
  <participant id="cust" name="Client"/>
  <participant id="shop" name="Shop" processRef="p1"/>
  <messageFlow id="mf1" sourceRef="cust" targetRef="take" messageRef="m1"/>
  <messageFlow id="mf2" name="Confirmation" sourceRef="confirm" targetRef="cust"/>
</collaboration>
<process id="p1">
  <laneSet><lane id="l1" name="Sales desk"><flowNodeRef>s</flowNodeRef><flowNodeRef>take</flowNodeRef>
    <flowNodeRef>confirm</flowNodeRef></lane>
    <lane id="l2" name="Warehouse"><flowNodeRef>pack</flowNodeRef><flowNodeRef>ship</flowNodeRef><flowNodeRef>e</flowNodeRef></lane>
  </laneSet>
  <startEvent id="s"/>
  <receiveTask id="take" name="Take order"><documentation>By phone or web.</documentation></receiveTask>
  <sendTask id="confirm" name="Confirm order"/>
  <task id="pack" name="Pack"/>
  <serviceTask id="ship" name="Ship"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="take"/>
  <sequenceFlow id="f2" sourceRef="take" targetRef="confirm"/>
  <sequenceFlow id="f3" sourceRef="confirm" targetRef="pack"/>
  <sequenceFlow id="f4" sourceRef="pack" targetRef="ship"/>
  <sequenceFlow id="f5" sourceRef="ship" targetRef="e"/>
</process>
"""


def test_black_box_customer_pool_and_onstage_lane_by_structure() -> None:
    data, notes = imported(model(SHOP))
    kinds = {lane["name"]: lane["kind"] for lane in data["lanes"]}
    assert kinds == {"Client": "customer", "Sales desk": "onstage", "Warehouse": "backstage"}
    by_name = steps(data)
    # the black box's exchanges are chained in the order of the steps they meet
    assert flows(by_name["Order"], data) == {"Confirmation": None, "Take order": "message: Order"}
    assert flows(by_name["Confirm order"], data)["Confirmation"] == "message: Confirmation"
    assert by_name["Take order"]["description"] == "By phone or web."
    assert by_name["Take order"]["owner"] == "Sales desk"
    assert data["process"]["start"] == by_name["Order"]["id"]  # the customer starts it
    assert not codes(notes)


def test_kind_option_beats_structure_and_names_are_only_weak() -> None:
    data, _ = imported(model(SHOP), kinds={"Warehouse": "support", "Sales desk": "backstage"})
    kinds = {lane["name"]: lane["kind"] for lane in data["lanes"]}
    assert kinds["Warehouse"] == "support" and kinds["Sales desk"] == "backstage"
    by_name = steps(data)
    # a backstage step exchanging a message with the customer is a touchpoint
    assert by_name["Take order"]["visibility"] == "onstage"
    assert "visibility" not in by_name["Pack"]


def test_single_pool_without_lanes_or_collaboration() -> None:
    body = """<process id="p" name="Expense claim"><startEvent id="s"/><userTask id="a" name="Submit claim"/>
    <task id="b" name="Check claim"/><endEvent id="e"/>
    <sequenceFlow id="1" sourceRef="s" targetRef="a"/><sequenceFlow id="2" sourceRef="a" targetRef="b"/>
    <sequenceFlow id="3" sourceRef="b" targetRef="e"/></process>"""
    data, notes = imported(model(body))
    assert [lane["name"] for lane in data["lanes"]] == ["Expense claim"]
    assert data["process"]["name"] == "Expense claim"
    assert any(n.code == "no-customer" and n.severity == "warning" for n in notes)
    message = next(n.message for n in notes if n.code == "no-customer")
    assert "--kind" in message
    data, notes = imported(model(body), kinds={"Expense claim": "customer"})
    assert data["lanes"][0]["kind"] == "customer" and not any(n.code == "no-customer" for n in notes)


def test_lane_named_customer_is_a_guess_only_without_messages_and_staff_names_never_are() -> None:
    body = """<process id="p"><laneSet><lane id="l1" name="Customer"><flowNodeRef>a</flowNodeRef></lane>
    <lane id="l2" name="Customer service agent"><flowNodeRef>b</flowNodeRef></lane></laneSet>
    <startEvent id="s"/><task id="a" name="Ask"/><task id="b" name="Answer"/>
    <sequenceFlow id="1" sourceRef="s" targetRef="a"/><sequenceFlow id="2" sourceRef="a" targetRef="b"/></process>"""
    data, notes = imported(model(body))
    kinds = {lane["name"]: lane["kind"] for lane in data["lanes"]}
    assert kinds == {"Customer": "customer", "Customer service agent": "onstage"}
    assert any(n.code == "customer" and "name alone" in n.message for n in notes)


def test_gateways_fold_into_labelled_flows_and_inclusive_or_parallel_splits_are_reported() -> None:
    body = """<process id="p"><startEvent id="s"/><task id="a" name="Assess"/>
    <exclusiveGateway id="g" name="Approved?" default="no"/><task id="ok" name="Pay"/><task id="ko" name="Reject"/>
    <inclusiveGateway id="ig"/><task id="x" name="Notify"/><task id="y" name="Archive"/>
    <parallelGateway id="pg"/><endEvent id="e"/>
    <sequenceFlow id="1" sourceRef="s" targetRef="a"/><sequenceFlow id="2" sourceRef="a" targetRef="g"/>
    <sequenceFlow id="yes" name="Yes" sourceRef="g" targetRef="ok"/>
    <sequenceFlow id="no" sourceRef="g" targetRef="ko"/>
    <sequenceFlow id="3" sourceRef="ok" targetRef="ig"/>
    <sequenceFlow id="4" sourceRef="ig" targetRef="x"><conditionExpression>amount &gt; 100</conditionExpression></sequenceFlow>
    <sequenceFlow id="5" sourceRef="ig" targetRef="y"/>
    <sequenceFlow id="6" sourceRef="ko" targetRef="pg"/><sequenceFlow id="7" sourceRef="pg" targetRef="x"/>
    <sequenceFlow id="8" sourceRef="pg" targetRef="y"/>
    <sequenceFlow id="9" sourceRef="x" targetRef="e"/><sequenceFlow id="10" sourceRef="y" targetRef="e"/></process>"""
    data, notes = imported(model(body))
    by_name = steps(data)
    assert flows(by_name["Assess"], data) == {"Pay": "Approved? Yes", "Reject": "Approved? otherwise"}
    assert flows(by_name["Pay"], data) == {"Notify": "amount > 100", "Archive": None}
    assert flows(by_name["Reject"], data) == {"Notify": None, "Archive": None}
    lines = {n.code: n for n in notes}
    assert "'ig'" in lines["inclusive-split"].message and "'pg'" in lines["parallel-split"].message
    assert lines["parallel-split"].line == 5  # the gateway's line in the file


def test_event_based_gateway_labels_come_from_its_events_and_timers_give_durations() -> None:
    body = """<process id="p"><startEvent id="s"/><task id="a" name="Send offer"/><eventBasedGateway id="g"/>
    <intermediateCatchEvent id="acc" name="Offer accepted"><messageEventDefinition/></intermediateCatchEvent>
    <intermediateCatchEvent id="late"><timerEventDefinition><timeDuration>P3D</timeDuration></timerEventDefinition></intermediateCatchEvent>
    <task id="b" name="Book"/><task id="c" name="Chase"/>
    <intermediateCatchEvent id="w" name="Cooling-off"><timerEventDefinition><timeDuration>PT2H</timeDuration></timerEventDefinition></intermediateCatchEvent>
    <endEvent id="e"/>
    <sequenceFlow id="1" sourceRef="s" targetRef="a"/><sequenceFlow id="2" sourceRef="a" targetRef="g"/>
    <sequenceFlow id="3" sourceRef="g" targetRef="acc"/><sequenceFlow id="4" sourceRef="g" targetRef="late"/>
    <sequenceFlow id="5" sourceRef="acc" targetRef="w"/><sequenceFlow id="5b" sourceRef="w" targetRef="b"/>
    <sequenceFlow id="6" sourceRef="late" targetRef="c"/>
    <sequenceFlow id="7" sourceRef="b" targetRef="e"/><sequenceFlow id="8" sourceRef="c" targetRef="e"/></process>"""
    data, notes = imported(model(body))
    by_name = steps(data)
    assert flows(by_name["Send offer"], data) == {"Cooling-off": "Offer accepted", "Chase": "after P3D"}
    assert by_name["Cooling-off"]["duration"] == "PT2H"
    assert not codes(notes)


def test_boundary_timer_and_error_become_labelled_branches_and_cycles_are_reported() -> None:
    body = """<process id="p"><startEvent id="s"/><userTask id="a" name="Review"/>
    <boundaryEvent id="bt" attachedToRef="a"><timerEventDefinition><timeDuration>P2D</timeDuration></timerEventDefinition></boundaryEvent>
    <boundaryEvent id="be" name="Fraud found" attachedToRef="a"><errorEventDefinition/></boundaryEvent>
    <boundaryEvent id="bc" attachedToRef="a" cancelActivity="false"><timerEventDefinition><timeCycle>R3/PT1H</timeCycle></timerEventDefinition></boundaryEvent>
    <task id="ok" name="Approve"/><task id="esc" name="Escalate"/><task id="stop" name="Block account"/><task id="nag" name="Remind"/>
    <endEvent id="e"/>
    <sequenceFlow id="1" sourceRef="s" targetRef="a"/><sequenceFlow id="2" sourceRef="a" targetRef="ok"/>
    <sequenceFlow id="3" sourceRef="bt" targetRef="esc"/><sequenceFlow id="4" sourceRef="be" targetRef="stop"/>
    <sequenceFlow id="4b" sourceRef="bc" targetRef="nag"/>
    <sequenceFlow id="5" sourceRef="ok" targetRef="e"/><sequenceFlow id="6" sourceRef="esc" targetRef="e"/>
    <sequenceFlow id="7" sourceRef="stop" targetRef="e"/><sequenceFlow id="8" sourceRef="nag" targetRef="e"/></process>"""
    data, notes = imported(model(body))
    assert flows(steps(data)["Review"], data) == {
        "Approve": None,
        "Escalate": "after P2D",
        "Block account": "Fraud found",
        "Remind": "timer",
    }
    found = codes(notes)
    assert "timer" in found and "non-interrupting" in found


def test_expanded_sub_process_is_flattened_and_its_error_end_reaches_the_boundary() -> None:
    body = """<process id="p"><startEvent id="s"/>
    <subProcess id="sp" name="Checkout"><startEvent id="s2"/><task id="pay" name="Pay"/>
      <exclusiveGateway id="g" name="Paid?"/><endEvent id="e2"/><endEvent id="err"><errorEventDefinition/></endEvent>
      <sequenceFlow id="a" sourceRef="s2" targetRef="pay"/><sequenceFlow id="b" sourceRef="pay" targetRef="g"/>
      <sequenceFlow id="c" name="Yes" sourceRef="g" targetRef="e2"/><sequenceFlow id="d" name="No" sourceRef="g" targetRef="err"/>
    </subProcess>
    <boundaryEvent id="b1" attachedToRef="sp"><errorEventDefinition/></boundaryEvent>
    <task id="ship" name="Ship"/><task id="sorry" name="Apologise"/><endEvent id="e"/>
    <sequenceFlow id="1" sourceRef="s" targetRef="sp"/><sequenceFlow id="2" sourceRef="sp" targetRef="ship"/>
    <sequenceFlow id="3" sourceRef="b1" targetRef="sorry"/><sequenceFlow id="4" sourceRef="ship" targetRef="e"/>
    <sequenceFlow id="5" sourceRef="sorry" targetRef="e"/></process>"""
    data, notes = imported(model(body))
    assert data["process"]["start"] == steps(data)["Pay"]["id"]
    assert flows(steps(data)["Pay"], data) == {"Ship": "Paid? Yes", "Apologise": "Paid? No; error"}
    assert not codes(notes)


def test_event_sub_process_call_activity_multi_instance_data_and_annotations_are_reported() -> None:
    body = """<dataStore id="ds" name="CRM"/><process id="p"><startEvent id="s"/>
    <callActivity id="ca" name="Check credit" calledElement="credit"/>
    <task id="t" name="Update file"><multiInstanceLoopCharacteristics/>
      <dataOutputAssociation id="o1"><targetRef>dsr</targetRef></dataOutputAssociation>
      <dataInputAssociation id="i1"><sourceRef>dor</sourceRef></dataInputAssociation></task>
    <dataStoreReference id="dsr" dataStoreRef="ds" name="CRM"/><dataObject id="do" name="Credit report"/>
    <dataObjectReference id="dor" dataObjectRef="do"/>
    <textAnnotation id="ann"><text>Ask legal first</text></textAnnotation>
    <subProcess id="esp" triggeredByEvent="true"><startEvent id="es"><messageEventDefinition/></startEvent>
      <task id="cancel" name="Cancel"/><sequenceFlow id="x" sourceRef="es" targetRef="cancel"/></subProcess>
    <startEvent id="s2" name="Walk-in"/><task id="w" name="Greet"/>
    <endEvent id="e"/>
    <sequenceFlow id="1" sourceRef="s" targetRef="ca"/><sequenceFlow id="2" sourceRef="ca" targetRef="t"/>
    <sequenceFlow id="3" sourceRef="t" targetRef="e"/><sequenceFlow id="4" sourceRef="s2" targetRef="w"/>
    <sequenceFlow id="5" sourceRef="w" targetRef="e"/></process>"""
    data, notes = imported(model(body))
    by_name = steps(data)
    assert "Cancel" not in by_name and "Check credit" in by_name
    assert by_name["Update file"]["data"] == ["credit-report", "crm"]
    found = codes(notes)
    for code in ("event-subprocess", "multi-instance", "data-store", "annotation", "extra-start", "unreachable"):
        assert code in found, (code, found)
    assert any(n.code == "call-activity" and "'ca'" in n.message for n in notes)
    text = dump(data, [], import_bpmn(model(body), "m.bpmn").step_comments)
    greet = next(line for line in text.splitlines() if line.startswith("  - id: greet"))
    assert "procmap: ignore[unreachable-step]" in greet


def test_several_collaborations_pick_the_biggest_and_process_option_selects() -> None:
    body = (
        SHOP
        + """<collaboration id="c2"><participant id="solo" name="Back office" processRef="p2"/></collaboration>
    <process id="p2"><startEvent id="bs"/><task id="bt" name="Reconcile"/>
    <sequenceFlow id="bf" sourceRef="bs" targetRef="bt"/></process>
    <bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="d1"/>
    <bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="d2"/>"""
    )
    data, notes = imported(model(body))
    assert "Take order" in steps(data) and "Reconcile" not in steps(data)
    assert any(n.code == "collaborations" and "'c2'" in n.message for n in notes)
    data, _ = imported(model(body), process="c2")
    assert list(steps(data)) == ["Reconcile"]
    data, _ = imported(model(body), process="p2")
    assert list(steps(data)) == ["Reconcile"]
    from procmap.diagnostics import UsageError

    with pytest.raises(UsageError, match="c1, c2"):
        import_bpmn(model(body), "m.bpmn", process="nope")


def test_latin1_file_and_nested_lanes_and_unlisted_nodes() -> None:
    body = """<process id="p" name="Café"><laneSet><lane id="org" name="Org"><childLaneSet>
    <lane id="l1" name="Caissière"><flowNodeRef>a</flowNodeRef></lane><lane id="l2" name="Barista"><flowNodeRef>b</flowNodeRef></lane>
    </childLaneSet></lane></laneSet><startEvent id="s"/><task id="a" name="Prendre la commande"/>
    <subProcess id="sp"><task id="b" name="Préparer"/><task id="c" name="Servir"/>
    <sequenceFlow id="i" sourceRef="b" targetRef="c"/></subProcess>
    <sequenceFlow id="1" sourceRef="s" targetRef="a"/><sequenceFlow id="2" sourceRef="a" targetRef="sp"/></process>"""
    data, _ = imported(model(body, "ISO-8859-1"))
    assert [lane["name"] for lane in data["lanes"]] == ["Caissière", "Barista"]
    by_name = steps(data)
    lane_of = {lane["id"]: lane["name"] for lane in data["lanes"]}
    assert lane_of[by_name["Servir"]["lane"]] == "Caissière"  # in no lane, nor its sub-process: the pool's first
    assert by_name["Prendre la commande"]["id"] == "prendre-la-commande"
    assert flows(by_name["Prendre la commande"], data) == {"Préparer": None}


def test_unresolvable_vendor_references_do_not_stop_an_import() -> None:
    body = """<itemDefinition id="i" structureRef="vendor:Thing" xmlns:vendor="urn:x"/>
    <import importType="http://www.w3.org/2001/XMLSchema" location="http://example.invalid/x.xsd" namespace="urn:x"/>
    <process id="p"><extensionElements><vendor:props xmlns:vendor="urn:x"><vendor:p ref="missing"/></vendor:props></extensionElements>
    <startEvent id="s"/><task id="a" name="Do"><ioSpecification><dataInput id="di" itemSubjectRef="i"/></ioSpecification></task>
    <sequenceFlow id="1" sourceRef="s" targetRef="a"/><sequenceFlow id="2" sourceRef="a" targetRef="nowhere"/></process>"""
    data, _ = imported(model(body))
    assert list(steps(data)) == ["Do"]


def test_written_yaml_is_readable_and_loads_back_to_the_same_data() -> None:
    result = import_bpmn(model(SHOP), "shop.bpmn")
    text = dump(result.data, result.header, result.step_comments)
    assert text.startswith("# Imported from shop.bpmn")
    assert "  - id: take-order  # from receiveTask 'take'" in text
    assert yaml.safe_load(text) == result.data
