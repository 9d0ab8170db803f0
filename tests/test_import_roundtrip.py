"""`export --to bpmn` then `import` gives back an equivalent process: examples and random processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from procmap.config import Config
from procmap.interchange.bpmn_import import import_bpmn
from procmap.interchange.bpmn_out import to_bpmn
from procmap.interchange.process_yaml import dump
from procmap.interchange.xml_chars import xml_text
from procmap.model.process import ZONE_OF_KIND
from procmap.validate import check_text
from strategies import processes, profile


def _text(value: Any) -> Any:
    """What BPMN can carry of a text: XML 1.0 has no place for some characters (the exporter's documented loss)."""
    return xml_text(value) if isinstance(value, str) else value


def _load(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def normal(data: dict[str, Any]) -> dict[str, Any]:
    """A process reduced to what it means: lanes by zone (drawing order), start explicit, flows long-form."""
    process = {k: _text(v) for k, v in data["process"].items()}
    process.setdefault("start", data["steps"][0]["id"])
    indexed = list(enumerate(data["lanes"]))
    lanes = [
        {k: _text(v) for k, v in lane.items()}
        for _, lane in sorted(indexed, key=lambda x: (ZONE_OF_KIND[x[1]["kind"]], x[0]))
    ]
    steps = []
    for step in data["steps"]:
        out = {k: _text(v) for k, v in step.items() if k != "next"}
        if out.get("contact") == "interaction":
            out.pop("contact")
        out.setdefault("data", [])
        if not out.get("fail_point"):
            out.pop("fail_point", None)
        if not out["data"]:
            out.pop("data")
        flows = []
        for flow in step.get("next") or []:
            flow = {"to": flow} if isinstance(flow, str) else dict(flow)
            if flow.get("when") is None:
                flow.pop("when", None)
            flows.append({k: _text(v) for k, v in flow.items()})
        out["next"] = flows
        steps.append(out)
    return {"process": process, "lanes": lanes, "steps": steps}


def round_trip(text: str, name: str = "process.yaml") -> tuple[dict[str, Any], dict[str, Any]]:
    result = check_text(text, name, Config())
    assert not result.has_errors, [d.message for d in result.diagnostics if d.severity.label == "error"]
    imported = import_bpmn(to_bpmn(result), "exported.bpmn")
    written = dump(imported.data, imported.header, imported.step_comments)
    again = check_text(written, "imported.yaml", Config())
    assert not again.has_errors, [d.message for d in again.diagnostics if d.severity.label == "error"]
    assert not imported.lost, [n.message for n in imported.lost]
    return _load(text), _load(written)


@pytest.mark.parametrize(
    "path",
    sorted(EXAMPLES.glob("*.yaml")),
    ids=lambda p: p.name,
)
def test_examples_round_trip(path: Path) -> None:
    before, after = round_trip(path.read_text(encoding="utf-8"), path.name)
    assert normal(after) == normal(before)


def test_round_trip_through_the_cli(tmp_path: Path, run) -> None:
    bpmn, back = tmp_path / "online-order.bpmn", tmp_path / "back.yaml"
    assert run("export", EXAMPLES / "online-order.yaml", "--to", "bpmn", "-o", bpmn).returncode == 0
    proc = run("import", bpmn, "-o", back, "--strict")
    assert proc.returncode == 0, proc.stderr.decode()
    assert normal(yaml.safe_load(back.read_text())) == normal(
        yaml.safe_load((EXAMPLES / "online-order.yaml").read_text())
    )
    assert run("validate", back).returncode == 0


# No deadline: the round trip of a 12-step process is ~50 ms alone, but this
# suite shares two cores; a deadline would only make the test flaky.
@st.composite
def processes_with_journey_keys(draw: st.DrawFn) -> dict[str, Any]:
    """Random valid processes, some of whose touchpoints are updates and whose branches have shares."""
    data = draw(processes())
    kinds = {lane["id"]: lane["kind"] for lane in data["lanes"]}
    for step in data["steps"]:
        kind, visibility = kinds[step["lane"]], step.get("visibility")
        touchpoint = kind != "customer" and (visibility == "onstage" or (kind == "onstage" and visibility is None))
        if touchpoint and draw(st.booleans()):
            step["contact"] = "update"
        flows = step.get("next") or []
        targets = [f if isinstance(f, str) else f["to"] for f in flows]
        if len(flows) > 1 and len(set(targets)) == len(targets) and draw(st.booleans()):
            weights = draw(st.lists(st.integers(1, 9), min_size=len(flows), max_size=len(flows)))
            step["next"] = [
                {**({"to": f} if isinstance(f, str) else f), "share": w / sum(weights)}
                for f, w in zip(flows, weights, strict=True)
            ]
    return data


@settings(profile(100), deadline=None)
@given(processes_with_journey_keys())
def test_random_processes_round_trip(data: dict[str, Any]) -> None:
    text = dump(data)
    before, after = round_trip(text)
    assert normal(after) == normal(before)


@st.composite
def block_processes(draw: st.DrawFn) -> dict[str, Any]:
    """Random block-structured processes (SPEC §7.1), with ordinary decisions around their forks."""
    return draw(processes(blocks=True))


@settings(profile(100), deadline=None)
@given(block_processes())
def test_random_block_processes_round_trip(data: dict[str, Any]) -> None:
    """Forks export as parallelGateway pairs and import back as the same forks and joins (SPEC §7.3)."""
    text = dump(data)
    before, after = round_trip(text)
    assert normal(after) == normal(before)
