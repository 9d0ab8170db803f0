"""BPMN parallel gateways imported as forks and joins (SPEC §7.3), and what stays a `parallel-split` warning."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bpmn_support import bpmn, import_bpmn
from conftest import ROOT

MIWG = Path("/work/shared/oracles/miwg")


TASKS = "".join(f'<task id="{t}" name="{t.capitalize()}"/>' for t in ("take", "pack", "bill", "ship"))


def imported(tmp_path: Path, cli, text: str) -> tuple[dict, str]:
    out, err = import_bpmn(tmp_path, cli, text)
    return yaml.safe_load(out.read_text()), err


def test_a_split_and_its_join_become_a_fork_and_a_join(tmp_path: Path, cli) -> None:
    nodes = f'<startEvent id="s"/>{TASKS}<parallelGateway id="split"/><parallelGateway id="join"/><endEvent id="e"/>'
    flows = [("s", "take"), ("take", "split"), ("split", "pack"), ("split", "bill"), ("pack", "join")]
    flows += [("bill", "join"), ("join", "ship"), ("ship", "e")]
    data, err = imported(tmp_path, cli, bpmn(nodes, flows))
    by_id = {s["id"]: s for s in data["steps"]}
    assert by_id["take"]["next"] == [{"all": ["pack", "bill"]}]
    assert by_id["ship"]["join"] == "all"
    assert "[parallel-split]" not in err


def test_branches_that_each_end_make_a_fork_without_a_join(tmp_path: Path, cli) -> None:
    nodes = f'<startEvent id="s"/>{TASKS}<parallelGateway id="split"/><endEvent id="e1"/><endEvent id="e2"/>'
    flows = [("s", "take"), ("take", "split"), ("split", "pack"), ("split", "bill"), ("pack", "e1")]
    flows += [("bill", "e2")]
    data, err = imported(tmp_path, cli, bpmn(nodes.replace('<task id="ship" name="Ship"/>', ""), flows))
    by_id = {s["id"]: s for s in data["steps"]}
    assert by_id["take"]["next"] == [{"all": ["pack", "bill"]}]
    assert not any("join" in s for s in data["steps"])
    assert "[parallel-split]" not in err


def test_branches_that_meet_at_an_exclusive_merge_stay_alternatives_with_the_warning(tmp_path: Path, cli) -> None:
    nodes = f'<startEvent id="s"/>{TASKS}<parallelGateway id="split"/><exclusiveGateway id="merge"/><endEvent id="e"/>'
    flows = [("s", "take"), ("take", "split"), ("split", "pack"), ("split", "bill"), ("pack", "merge")]
    flows += [("bill", "merge"), ("merge", "ship"), ("ship", "e")]
    data, err = imported(tmp_path, cli, bpmn(nodes, flows))
    by_id = {s["id"]: s for s in data["steps"]}
    assert by_id["take"]["next"] == ["pack", "bill"]
    assert "[parallel-split]" in err and "'split'" in err


@pytest.mark.skipif(not (MIWG / "B.1.0.bpmn").exists(), reason="the MIWG reference files are not here")
def test_b10s_parallel_split_is_a_fork(tmp_path: Path, cli) -> None:
    out = tmp_path / "b10.yaml"
    result = cli("import", MIWG / "B.1.0.bpmn", "-o", out)
    assert result.exit_code == 0 and "[parallel-split]" not in result.stderr
    data = yaml.safe_load(out.read_text())
    forks = [f for s in data["steps"] for f in s.get("next", []) if isinstance(f, dict) and "all" in f]
    assert [f["all"] for f in forks] == [["user-task-5", "exclusive-gateway-divergence-1"]]
    assert cli("validate", out).exit_code == 0


def test_the_order_example_round_trips_through_bpmn(tmp_path: Path, cli) -> None:
    bpmn_file, back = tmp_path / "order.bpmn", tmp_path / "back.yaml"
    assert cli("export", ROOT / "examples" / "order-fulfilment.yaml", "--to", "bpmn", "-o", bpmn_file).exit_code == 0
    result = cli("import", bpmn_file, "-o", back)
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(back.read_text())
    assert any(isinstance(f, dict) and "all" in f for s in data["steps"] for f in s.get("next", []))
    assert any(s.get("join") == "all" for s in data["steps"])


def test_a_process_that_starts_with_a_split_forks_from_a_step_of_its_own(tmp_path: Path, cli) -> None:
    nodes = f'<startEvent id="s"/>{TASKS}<parallelGateway id="split"/><parallelGateway id="join"/><endEvent id="e"/>'
    flows = [("s", "split"), ("split", "pack"), ("split", "bill"), ("pack", "join"), ("bill", "join")]
    flows += [("join", "ship"), ("ship", "e")]
    data, err = imported(tmp_path, cli, bpmn(nodes.replace('<task id="take" name="Take"/>', ""), flows))
    start = data["process"]["start"]
    (first,) = [s for s in data["steps"] if s["id"] == start]
    assert first["next"] == [{"all": ["pack", "bill"]}]
    assert "[gateway-step]" in err
