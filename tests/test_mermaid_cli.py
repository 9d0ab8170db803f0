"""procmap's Mermaid as mermaid-cli draws it (Debian's Chromium, no browser download), and what it claims.

The rendering tests need node, chromium and `npm ci --prefix tests/outside` and skip cleanly
without them; tests/outside/run renders every example and 200 random processes the same way.
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


def _nested_like_procmap(flat: str) -> str:
    """The same Mermaid with its lane subgraphs nested in pairs by procmap's own ``_in_pairs``."""
    from procmap.render.mermaid import _in_pairs

    lines = flat.splitlines()
    head: list[str] = []
    blocks: list[list[str]] = []
    tail: list[str] = []
    for line in lines:
        if line.startswith("  subgraph L") or (blocks and blocks[-1][-1] != "  end"):
            if line.startswith("  subgraph L"):
                blocks.append([])
            blocks[-1].append(line)
        else:
            (tail if blocks else head).append(line)
    groups: list[str] = []
    nested = _in_pairs(blocks, groups)
    return "\n".join([*head, *nested, *tail, *(f"  style {g} fill:none,stroke:none" for g in groups)]) + "\n"


@pytest.mark.skipif(
    NODE is None or CHROMIUM is None or not (OUTSIDE / "node_modules" / "@mermaid-js" / "mermaid-cli").is_dir(),
    reason="needs node, chromium and `npm ci --prefix tests/outside`",
)
def test_smallest_dagre_crash_and_the_nesting_that_avoids_it(tmp_path: Path) -> None:
    """tests/outside/dagre-order-crash.mmd, delta-debugged from random 050: seven sibling lanes, twelve flows.

    It must still crash dagre (else this test proves nothing: a Mermaid upgrade that fixes dagre shows
    here), and the very same lanes, steps and flows nested in pairs as procmap emits them must draw,
    every step in its lane, no two lane boxes overlapping."""
    flat = OUTSIDE / "dagre-order-crash.mmd"
    nested = tmp_path / "nested.mmd"
    nested.write_text(_nested_like_procmap(flat.read_text(encoding="utf-8")), encoding="utf-8")
    assert nested.read_text(encoding="utf-8").count("subgraph G") == 5  # 7 lanes: (2+2)+(2+1)
    proc = run_process(
        [NODE, str(OUTSIDE / "mermaid_render.mjs"), str(flat), str(nested)],
        text=True,
        cpu_limit=300,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM},
    )
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("error ") and "setting 'order'" in lines[0], proc.stdout + proc.stderr[-2000:]
    assert lines[1].startswith(f"ok {nested} 7-lanes 15-steps"), proc.stdout + proc.stderr[-2000:]


def _render_random_and_examples(tmp_path: Path, count: int) -> list[Path]:
    """Mermaid files of every example and of the outside checks' first ``count`` random processes."""
    import subprocess
    import sys

    from procmap.config import Config
    from procmap.render import render
    from procmap.validate import require_valid

    subprocess.run([sys.executable, str(OUTSIDE / "corpus.py"), str(tmp_path / "in"), str(count)], check=True)
    sources = [
        *sorted(EXAMPLES.glob("*.yaml")),
        *sorted(EXAMPLES.glob("stories/*.yaml")),
        *sorted((tmp_path / "in").glob("*.yaml")),
    ]
    files = []
    for src in sources:
        out = tmp_path / f"{src.stem}.mmd"
        out.write_bytes(render(require_valid(str(src), Config()), "mermaid"))
        files.append(out)
    return files


@pytest.mark.slow  # about 8 minutes of headless Chromium
@pytest.mark.skipif(
    NODE is None or CHROMIUM is None or not (OUTSIDE / "node_modules" / "@mermaid-js" / "mermaid-cli").is_dir(),
    reason="needs node, chromium and `npm ci --prefix tests/outside`",
)
@pytest.mark.parametrize("layout", ["dagre", "elk"])
def test_examples_and_random_processes_under_both_layouts(tmp_path: Path, layout: str) -> None:
    """Every example and the outside checks' 100 random processes, drawn with dagre (what GitHub and
    GitLab fall back to) and with ELK (what the front matter asks for): none crashes, every step is
    inside its lane's box and no two lane boxes overlap.  Random 050 and 094 crashed dagre before the
    lanes were nested in pairs."""
    files = _render_random_and_examples(tmp_path, 100)
    assert len(files) >= 105
    proc = run_process(
        [NODE, str(OUTSIDE / "mermaid_render.mjs"), "--layout", layout, *map(str, files)],
        text=True,
        cpu_limit=1200,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM},
    )
    failed = [line for line in proc.stdout.splitlines() if not line.startswith("ok ")]
    assert proc.returncode == 0 and not failed, "\n".join(failed[:10]) + proc.stderr[-2000:]
    assert len([line for line in proc.stdout.splitlines() if line.startswith("ok ")]) == len(files)
