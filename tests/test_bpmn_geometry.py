"""The BPMN diagram draws true, and the BPMN lints clean: checked on the DI itself, and with bpmnlint/bpmn-js.

tests/di_geometry.py reads the BPMNDI back with lxml (no procmap code) and
reports shared stretches of line, shared ports (fan-out on one trunk), labels
on shapes or labels, lines through shapes and loose ends.  Here it runs on
random processes of every shape; tests/test_export.py runs it on every
example.  bpmnlint and bpmn-js need `npm ci --prefix tests/outside` (and
Chromium for bpmn-js): those tests skip cleanly without them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given

import di_geometry
from conftest import EXAMPLES, ROOT
from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)
from strategies import processes, profile, yaml_texts

OUTSIDE = ROOT / "tests" / "outside"
NODE = shutil.which("node")
BPMNLINT = OUTSIDE / "node_modules" / ".bin" / "bpmnlint"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _export(text: str) -> bytes:
    from procmap.config import Config
    from procmap.interchange.bpmn_out import to_bpmn
    from procmap.validate import require_valid_text

    return to_bpmn(require_valid_text(text, "random.yaml", Config()))


def _corpus():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("outside_corpus", OUTSIDE / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def crowded() -> list[bytes]:
    """Processes of 20-60 steps with dense random branching, joins and loops, plus benchmark shapes."""
    corpus = _corpus()
    texts = corpus.random_texts(16, seed=3) + corpus.benchmark_texts(4, [50, 90])
    return [_export(text) for text in texts]


def test_the_checker_sees_what_a_reader_would(tmp_path: Path) -> None:
    """Guard: a diagram with a shared line, a shared port and a label on a shape is reported."""
    bad = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="x">
  <process id="p">
    <task id="a"/><task id="b"/><task id="c"/>
    <sequenceFlow id="f1" sourceRef="a" targetRef="b"/><sequenceFlow id="f2" sourceRef="a" targetRef="c"/>
  </process>
  <bpmndi:BPMNDiagram id="dd"><bpmndi:BPMNPlane id="pl" bpmnElement="p">
    <bpmndi:BPMNShape id="a_di" bpmnElement="a"><dc:Bounds x="0" y="0" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="b_di" bpmnElement="b"><dc:Bounds x="200" y="0" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="c_di" bpmnElement="c"><dc:Bounds x="200" y="200" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="100" y="40"/><di:waypoint x="200" y="40"/>
      <bpmndi:BPMNLabel><dc:Bounds x="180" y="30" width="40" height="14"/></bpmndi:BPMNLabel></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="100" y="40"/><di:waypoint x="150" y="40"/>
      <di:waypoint x="150" y="240"/><di:waypoint x="200" y="240"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</definitions>"""
    kinds = {finding.split(":")[0] for finding in di_geometry.check(bad)}
    assert kinds == {"shared segment", "shared port", "label overlap"}
    path = tmp_path / "bad.bpmn"
    path.write_bytes(bad)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "di_geometry.py"), str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1 and "shared segment: f2 and f1" in proc.stdout


@profile(100)
@given(processes(max_steps=30, max_lanes=6).flatmap(yaml_texts))
def test_random_processes_draw_true(text: str) -> None:
    assert di_geometry.check(_export(text)) == []


def test_crowded_processes_draw_true(crowded: list[bytes]) -> None:
    for i, data in enumerate(crowded):
        assert di_geometry.check(data) == [], i


def test_fan_out_branches_leave_on_lines_of_their_own(cli, write) -> None:
    """Five branches out of one decision: five ports on the gateway, five tracks, no shared trunk."""
    path = write(
        """
        version: 1
        process: {id: fan, name: Fan out}
        lanes:
          - {id: desk, name: Desk, kind: onstage}
          - {id: back, name: Back office, kind: backstage}
        steps:
          - {id: triage, name: Triage, lane: desk, next: [{to: a, when: one}, {to: b, when: two},
              {to: c, when: three}, {to: d, when: four}, {to: e, when: five}]}
          - {id: a, name: A, lane: desk, next: [done]}
          - {id: b, name: B, lane: back, next: [done]}
          - {id: c, name: C, lane: back, next: [done]}
          - {id: d, name: D, lane: desk, next: [done]}
          - {id: e, name: E, lane: back, next: [done]}
          - {id: done, name: Done, lane: desk}
        """
    )
    result = cli("export", path, "--to", "bpmn")
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    assert di_geometry.check(data) == []
    from lxml import etree

    root = etree.fromstring(data)
    ns = di_geometry.NS
    branches = {f.get("id") for f in root.iterfind(".//bpmn:sequenceFlow[@sourceRef='Gateway_triage']", ns)}
    starts = set()
    for edge in root.iterfind(".//bpmndi:BPMNEdge", ns):
        if edge.get("bpmnElement") in branches:
            first = edge.find("di:waypoint", ns)
            starts.add((first.get("x"), first.get("y")))
    assert len(branches) == len(starts) == 5
    # The five flows into "done" meet in one merging gateway, not in the task.
    merge = root.find(".//bpmn:exclusiveGateway[@id='Merge_done']", ns)
    assert merge is not None and merge.get("gatewayDirection") == "Converging"
    assert len(merge.findall("bpmn:incoming", ns)) == 5


def _bpmn_files(tmp_path: Path, crowded: list[bytes], cli) -> list[Path]:  # type: ignore[no-untyped-def]
    files = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        out = tmp_path / f"{path.stem}.bpmn"
        assert cli("export", path, "-o", out).exit_code == 0
        files.append(out)
    for i, data in enumerate(crowded):
        out = tmp_path / f"crowded-{i}.bpmn"
        out.write_bytes(data)
        files.append(out)
    return files


@pytest.mark.skipif(NODE is None or not BPMNLINT.exists(), reason="needs node and `npm ci --prefix tests/outside`")
def test_bpmnlint_recommended_finds_no_error(tmp_path: Path, crowded: list[bytes], cli) -> None:
    files = _bpmn_files(tmp_path, crowded, cli)
    (tmp_path / ".bpmnlintrc").write_text('{"extends": "bpmnlint:recommended"}', encoding="utf-8")
    proc = run_process(
        [str(BPMNLINT), *(f.name for f in files)],
        cwd=tmp_path,
        text=True,
        cpu_limit=300,
    )
    errors = [line for line in proc.stdout.splitlines() if " error " in line]
    assert errors == [], proc.stdout[-3000:]
    # The only warning left is documented in docs/export.md: a lone named flow out of a task.
    warnings = {line.split()[-1] for line in proc.stdout.splitlines() if " warning " in line}
    assert warnings <= {"superfluous-label"}


@pytest.mark.skipif(
    NODE is None or CHROMIUM is None or not (OUTSIDE / "node_modules" / "bpmn-js").is_dir(),
    reason="needs node, chromium and `npm ci --prefix tests/outside`",
)
def test_bpmn_js_imports_every_export_without_a_warning(tmp_path: Path, crowded: list[bytes], cli) -> None:
    files = _bpmn_files(tmp_path, crowded[:6], cli)
    proc = run_process(
        [NODE, str(OUTSIDE / "bpmn_js.mjs"), *map(str, files)],
        text=True,
        cpu_limit=300,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert proc.stdout.count("ok ") == len(files)
