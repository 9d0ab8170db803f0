"""SPEC §7.3 render and export: forks and joins as parallel gateways (a diamond marked +), in every format and view."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from lxml import etree

from conftest import EXAMPLES
from procmap.config import Config
from procmap.interchange.bpmn_out import to_bpmn
from procmap.render import render
from procmap.validate import check_text, require_valid
from strategies import processes, profile

sys.path.insert(0, str(Path(__file__).parent))
from svg_geometry import collisions, misplaced_labels, parse

EXAMPLE = EXAMPLES / "order-fulfilment.yaml"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN}


def _svg(path: Path, view: str = "full") -> bytes:
    return render(require_valid(str(path), Config()), "svg", view=view)


def _step_groups(svg: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(svg)
    return {
        g.get("id").removeprefix("step-"): g
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if (g.get("id") or "").startswith("step-")
    }


def test_fork_and_join_are_diamonds_marked_plus_in_svg():
    groups = _step_groups(_svg(EXAMPLE))
    join = groups["hand-to-carrier"]
    assert "parallel-gateway" in join.get("class") and "join" in join.get("class").split()
    assert next(join.iter("{http://www.w3.org/2000/svg}polygon"), None) is not None  # a diamond, not a rounded box
    texts = ["".join(t.itertext()).strip() for t in join.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "+" and "Hand the parcel to" in texts[1]
    # check-stock is a decision whose one alternative is a fork: a plain decision, its branches marked +
    decision = groups["check-stock"]
    assert "decision" in decision.get("class") and "parallel-gateway" not in decision.get("class")
    svg = _svg(EXAMPLE).decode()
    assert svg.count(">+ in stock<") == 2
    for plain in ("pick-goods", "write-invoice", "deliver"):
        assert "parallel-gateway" not in groups[plain].get("class")


PURE = """\
version: 1
process: {id: p, name: P}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: shop, name: Shop, kind: backstage}
steps:
  - {id: order, name: Order, lane: customer, next: [accept]}
  - {id: accept, name: Accept, lane: shop, owner: Clerk, next: [{all: [pack, invoice]}]}
  - {id: pack, name: Pack, lane: shop, owner: Clerk, next: [ship]}
  - {id: invoice, name: Invoice, lane: shop, owner: Clerk, next: [ship]}
  - {id: ship, name: Ship, lane: shop, owner: Clerk, join: all, next: [get]}
  - {id: get, name: Get, lane: customer}
"""


def test_a_step_whose_one_way_on_is_a_fork_is_a_parallel_gateway(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(PURE)
    groups = _step_groups(_svg(path))
    assert groups["accept"].get("class").split()[-2:] == ["parallel-gateway", "fork"]
    assert groups["ship"].get("class").split()[-2:] == ["parallel-gateway", "join"]
    assert "+ " not in _svg(path).decode()  # its branches need no mark: the gateway has it
    dot = render(require_valid(str(path), Config()), "dot").decode()
    assert 'class="step backstage parallel-gateway fork"' in dot
    assert 'class="step backstage parallel-gateway join"' in dot
    pic = parse(_svg(path))
    assert collisions(pic) == [] and misplaced_labels(pic) == []


def test_customer_view_keeps_facing_gateways(tmp_path):
    groups = _step_groups(_svg(EXAMPLE, "customer"))
    assert "hand-to-carrier" not in groups  # backstage: folded into the wait
    assert "deliver" in groups and "send-invoice" in groups


def test_mermaid_marks_gateways():
    text = render(require_valid(str(EXAMPLE), Config()), "mermaid").decode()
    ids = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("S") and ("[" in line or "{" in line):
            ident = line.split("[", 1)[0].split("{", 1)[0].split("(", 1)[0]
            ids[ident] = line
    join = next(v for v in ids.values() if "Hand the parcel" in v)
    assert join.split("{", 1)[1].startswith('"+<br/>') or join.split("{", 1)[1].startswith('"+')
    assert text.count('|"+ in stock"|') == 2 or text.count("+ in stock") == 2


@pytest.mark.parametrize("view", ["full", "customer"])
def test_the_example_has_no_collisions(view):
    pic = parse(_svg(EXAMPLE, view))
    assert collisions(pic) == [] and misplaced_labels(pic) == []


@given(processes(max_steps=14, blocks=True))
@profile(12)
def test_random_block_structured_processes_have_no_collisions(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("blocks") / "p.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    for view in ("full", "customer"):
        pic = parse(_svg(path, view))
        assert collisions(pic) == [] and misplaced_labels(pic) == []


def _bpmn(text: str) -> etree._Element:
    return etree.fromstring(to_bpmn(check_text(text, "p.yaml", Config())))


def test_bpmn_fork_and_join_are_parallel_gateway_pairs():
    root = _bpmn(EXAMPLE.read_text())
    forks = root.findall(".//bpmn:parallelGateway[@gatewayDirection='Diverging']", NS)
    joins = root.findall(".//bpmn:parallelGateway[@gatewayDirection='Converging']", NS)
    assert [f.get("id") for f in forks] == ["Fork_check-stock_0"]
    assert [j.get("id") for j in joins] == ["Join_hand-to-carrier"]
    flows = {f.get("id"): f for f in root.iter(f"{{{BPMN}}}sequenceFlow")}
    into = [f for f in flows.values() if f.get("targetRef") == "Fork_check-stock_0"]
    assert [(f.get("sourceRef"), f.get("name")) for f in into] == [("Gateway_check-stock", "in stock")]
    pm = "{https://procmap.dev/schema/bpmn-extension/v1}"
    assert (into[0].get(pm + "share"), into[0].get(pm + "fork")) == ("0.92", "true")
    out = sorted(f.get("targetRef") for f in flows.values() if f.get("sourceRef") == "Fork_check-stock_0")
    assert out == ["Merge_pick-goods", "Step_write-invoice"]
    joined = sorted(f.get(pm + "from") for f in flows.values() if f.get("targetRef") == "Join_hand-to-carrier")
    assert joined == ["pack-parcel", "send-invoice"]
    (onward,) = [f for f in flows.values() if f.get("sourceRef") == "Join_hand-to-carrier"]
    assert onward.get("targetRef") == "Step_hand-to-carrier"


@given(processes(max_steps=16, blocks=True))
@profile(25)
def test_bpmn_of_random_blocks_is_valid_and_paired(data):
    root = _bpmn(yaml.safe_dump(data, sort_keys=False))
    forks = root.findall(".//bpmn:parallelGateway[@gatewayDirection='Diverging']", NS)
    joins = root.findall(".//bpmn:parallelGateway[@gatewayDirection='Converging']", NS)
    n_forks = sum(isinstance(f, dict) and "all" in f for s in data["steps"] for f in s.get("next", []))
    assert len(forks) == n_forks
    assert len(joins) == sum(bool(s.get("join")) for s in data["steps"])
    xsd = Path(__file__).resolve().parents[2] / "shared" / "oracles" / "bpmn20" / "BPMN20.xsd"
    if xsd.is_file():
        _schema().assertValid(root)


_SCHEMA: list = []


def _schema():  # the OMG XSD set, parsed once
    if not _SCHEMA:
        from conftest import ORACLES

        _SCHEMA.append(etree.XMLSchema(etree.parse(str(ORACLES / "bpmn20" / "BPMN20.xsd"))))
    return _SCHEMA[0]


def test_graphml_and_json_mark_fork_items(run):
    proc = run("export", EXAMPLE, "--to", "json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["graph"]["forks"] == [
        {"step": "check-stock", "item": 0, "targets": ["pick-goods", "write-invoice"], "join": "hand-to-carrier"}
    ]
    forked = {(e["source"], e["target"]) for e in data["edges"] if e["fork"] is not None}
    assert forked == {("check-stock", "pick-goods"), ("check-stock", "write-invoice")}
    assert [n["id"] for n in data["nodes"] if n["join"]] == ["hand-to-carrier"]
    proc = run("export", EXAMPLE, "--to", "graphml")
    assert proc.returncode == 0
    root = etree.fromstring(proc.stdout)
    g = "{http://graphml.graphdrawing.org/xmlns}"
    keys = {k.get("attr.name"): k.get("id") for k in root.iter(g + "key")}
    assert "fork" in keys and "forks" in keys and "shared" not in keys
    forks = [d for d in root.iter(g + "data") if d.get("key") == keys["forks"]]
    assert json.loads(forks[0].text)[0]["join"] == "hand-to-carrier"
