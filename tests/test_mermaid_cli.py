"""procmap's Mermaid as mermaid-cli draws it (Debian's Chromium, no browser download), and what it claims.

The rendering test needs node, chromium and `npm ci --prefix tests/outside`
and skips cleanly without them; tests/outside/run renders every example and
200 random processes the same way.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT
from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)

OUTSIDE = ROOT / "tests" / "outside"
NODE = shutil.which("node")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_front_matter_first_and_header_claims_no_lane_order(cli, tmp_path: Path) -> None:
    out = tmp_path / "s.mmd"
    assert cli("render", EXAMPLES / "support-ticket.yaml", "-o", out).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    # Mermaid reads front matter only at the very start of the text.
    assert lines[:4] == ["---", "config:", "  layout: elk", "---"]
    header = " ".join(line for line in lines if line.startswith("%%"))
    assert "not guaranteed" in header and "top to bottom" not in header
    # Lanes are still declared in blueprint order: customer first, support last.
    declared = [
        line.split("[", 1)[1] for line in lines if line.lstrip().startswith("subgraph L") and "LEGEND" not in line
    ]
    assert declared[0].startswith('"Customer') and "support ·" in declared[-1]


@pytest.mark.skipif(
    NODE is None or CHROMIUM is None or not (OUTSIDE / "node_modules" / "@mermaid-js" / "mermaid-cli").is_dir(),
    reason="needs node, chromium and `npm ci --prefix tests/outside`",
)
def test_mermaid_cli_draws_examples_and_200_steps_with_every_step_in_its_lane(cli, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_render", ROOT / "benchmarks" / "bench_render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    big = tmp_path / "big.yaml"
    big.write_text(module.generate(200), encoding="utf-8")
    files = []
    for src in [EXAMPLES / "support-ticket.yaml", EXAMPLES / "online-order.yaml", big]:
        out = tmp_path / f"{src.stem}.mmd"
        assert cli("render", src, "-o", out).exit_code == 0
        files.append(out)
    proc = run_process(
        [NODE, str(OUTSIDE / "mermaid_render.mjs"), "--cli", *map(str, files)],
        text=True,
        cpu_limit=600,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    oks = [line for line in proc.stdout.splitlines() if line.startswith("ok ")]
    assert len(oks) == 3
    assert "200-steps" in oks[-1]


@pytest.mark.skipif(
    NODE is None or CHROMIUM is None or not (OUTSIDE / "node_modules" / "@mermaid-js" / "mermaid-cli").is_dir(),
    reason="needs node, chromium and `npm ci --prefix tests/outside`",
)
def test_every_example_renders_with_dagre_too(cli, tmp_path: Path) -> None:
    """GitHub, GitLab and most Markdown previews have no ELK and fall back to dagre silently: every
    example must render there too, every step inside its lane and no two lane boxes overlapping."""
    files = []
    for src in [*sorted(EXAMPLES.glob("*.yaml")), *sorted(EXAMPLES.glob("stories/*.yaml"))]:
        out = tmp_path / f"{src.stem}.mmd"
        assert cli("render", src, "-o", out).exit_code == 0
        files.append(out)
    proc = run_process(
        [NODE, str(OUTSIDE / "mermaid_render.mjs"), "--layout", "dagre", *map(str, files)],
        text=True,
        cpu_limit=600,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert len([line for line in proc.stdout.splitlines() if line.startswith("ok ")]) == len(files)


# Under dagre (what GitHub and GitLab fall back to), measured 2026-12-08 on tests/outside/corpus.py's first 100:
# two crash inside dagre. Not fixed yet (docs/render.md says what was tried); the test holds the line: a new
# failure fails it (a lane-box overlap included), and so does a known one that starts to pass.
DAGRE_KNOWN = {
    "random-050": "Cannot set properties of undefined (setting 'order')",
    "random-094": "Cannot set properties of undefined (setting 'order')",
}


@pytest.mark.slow  # about 4 minutes of headless Chromium
@pytest.mark.skipif(
    NODE is None or CHROMIUM is None or not (OUTSIDE / "node_modules" / "@mermaid-js" / "mermaid-cli").is_dir(),
    reason="needs node, chromium and `npm ci --prefix tests/outside`",
)
def test_random_processes_with_dagre(tmp_path: Path) -> None:
    """The 100 random processes of the outside checks drawn with dagre: only the known failures, exactly."""
    import subprocess
    import sys

    from procmap.config import Config
    from procmap.render import render
    from procmap.validate import require_valid

    subprocess.run([sys.executable, str(OUTSIDE / "corpus.py"), str(tmp_path / "in"), "100"], check=True)
    files = []
    for src in sorted((tmp_path / "in").glob("*.yaml")):
        out = tmp_path / f"{src.stem}.mmd"
        out.write_bytes(render(require_valid(str(src), Config()), "mermaid"))
        files.append(out)
    proc = run_process(
        [NODE, str(OUTSIDE / "mermaid_render.mjs"), "--layout", "dagre", *map(str, files)],
        text=True,
        cpu_limit=1200,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM},
    )
    failed = {}
    for line in proc.stdout.splitlines():
        if line.startswith("error "):
            name = Path(line.split()[1]).stem
            failed[name] = line
    assert len([line for line in proc.stdout.splitlines() if line.startswith("ok ")]) + len(failed) == len(files)
    assert set(failed) == set(DAGRE_KNOWN), failed
    assert all(DAGRE_KNOWN[name] in line for name, line in failed.items()), failed
