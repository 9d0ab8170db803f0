"""The Mermaid output is accepted by the real Mermaid parser (Node + the `mermaid` npm package).

Setup (CI has node and npm):  npm ci --prefix tests/js --no-audit --no-fund
The tests skip cleanly when node or the installed package is missing.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT
from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)

JS = ROOT / "tests" / "js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (JS / "node_modules" / "mermaid").is_dir() or not (JS / "node_modules" / "jsdom").is_dir(),
    reason="needs node and `npm ci --prefix tests/js`",
)


def _parse(paths: list[Path]) -> subprocess.CompletedProcess:
    return run_process(
        [NODE, str(JS / "parse.mjs"), *map(str, paths)],
        text=True,
        cpu_limit=300,
    )


def _generate(n: int) -> str:
    spec = importlib.util.spec_from_file_location("bench_render", ROOT / "benchmarks" / "bench_render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n)


def test_the_parser_rejects_broken_input(tmp_path):
    """Guard against a checker that accepts anything."""
    bad = tmp_path / "bad.mmd"
    bad.write_text("flowchart LR\n  A --> B -->\n", encoding="utf-8")
    proc = _parse([bad])
    assert proc.returncode == 1 and proc.stdout.startswith("error ")


def test_examples_generated_and_hostile_processes_parse(cli, tmp_path):
    from test_render import PROCESS
    from test_render_security import EVIL

    sources = {"refund.yaml": PROCESS, "evil.yaml": EVIL, "generated.yaml": _generate(120)}
    inputs = []
    for name, text in sources.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        inputs.append(path)
    inputs += sorted(EXAMPLES.glob("*.yaml"))
    outputs = []
    for i, src in enumerate(inputs):
        out = tmp_path / f"{i}-{src.stem}.mmd"
        res = cli("render", src, "-o", out)
        assert res.exit_code == 0, res.stderr
        outputs.append(out)
    proc = _parse(outputs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("ok ") == len(outputs)
    assert "flowchart" in proc.stdout
