"""BPMN text for the tests of parallel gateways, and its import through the CLI (one helper, not one per file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def bpmn(nodes: str, flows: list[tuple[str, str]], *, process: str = 'id="p" name="Order"', target: str = "x/p") -> str:
    """A BPMN file of one process: ``nodes`` as written, then one sequence flow per (source, target) pair."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions xmlns="{MODEL_NS}" id="d" targetNamespace="http://{target}">\n'
        f'<process {process} isExecutable="false">\n{nodes}\n'
        + "".join(f'<sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>\n' for i, (a, b) in enumerate(flows))
        + "</process>\n</definitions>\n"
    )


def import_bpmn(tmp_path: Path, cli: Any, text: str, stem: str = "model") -> tuple[Path, str]:
    """``procmap import`` of ``text``: the YAML written and import's stderr; the YAML must validate clean of errors."""
    path, out = tmp_path / f"{stem}.bpmn", tmp_path / f"{stem}.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("import", path, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert cli("validate", out).exit_code == 0  # no unmatched-fork, whatever became of the split
    return out, result.stderr
