"""`render --format dot` against the Graphviz users run: Debian's 2.43 (`dot` on PATH).

The checks that need `dot` skip cleanly without it; the line-length and
folding checks are pure Python.  tests/outside/run runs the same check on
every example and on random processes.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT
from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)
from procmap.render.dot import FOLD_AT, fold

DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(DOT is None, reason="needs Graphviz `dot` on PATH (apt-get install graphviz)")


def _generate(n: int) -> str:
    spec = importlib.util.spec_from_file_location("bench_render", ROOT / "benchmarks" / "bench_render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n)


@pytest.fixture(scope="module")
def big_dot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1,000-step process as DOT: shared, it takes a few seconds to lay out."""
    from typer.testing import CliRunner

    from procmap.cli import app

    folder = tmp_path_factory.mktemp("dot1000")
    src = folder / "big.yaml"
    src.write_text(_generate(1000), encoding="utf-8")
    out = folder / "big.dot"
    # Highlight mode is not what these tests are about; "all" works with or without the journeys analysis.
    res = CliRunner().invoke(app(), ["render", str(src), "-o", str(out), "--highlight", "all"], catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    return out


def test_fold_keeps_the_dot_meaning_of_long_strings() -> None:
    value = ('ab\\\\c\\"d ' * 400).strip()
    line = f'  x [tooltip="{value}", label="{value}"];'
    folded = fold(line, 100)
    assert all(len(part) <= 102 for part in folded.split("\n"))
    # Graphviz's scanner drops backslash-newline inside strings; newlines outside are blanks.
    assert folded.replace("\\\n", "").replace("\n", " ") == line
    for part in folded.split("\\\n")[:-1]:
        assert not part.endswith("\\") or (part.endswith("\\\\") and not part.endswith("\\\\\\"))


def test_no_line_reaches_graphviz_243s_limit(big_dot: Path) -> None:
    text = big_dot.read_text(encoding="utf-8")
    assert max(len(line.encode()) for line in text.splitlines()) <= FOLD_AT * 4 + 8 < 16_384
    assert "_background=" in text
    assert "splines=line" in text and "orthogonal router aborts" in text


def _dot(path: Path, fmt: str) -> subprocess.CompletedProcess:
    return run_process(
        [DOT, f"-T{fmt}", str(path)],
        cpu_limit=300,
    )


@needs_dot
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_draw_without_a_graphviz_warning(cli, tmp_path: Path, path: Path) -> None:
    out = tmp_path / f"{path.stem}.dot"
    assert cli("render", path, "-o", out, "--highlight", "all").exit_code == 0
    for fmt in ("svg", "png"):
        proc = _dot(out, fmt)
        assert proc.returncode == 0 and proc.stderr == b"", (fmt, proc.stderr.decode()[:500])
        assert len(proc.stdout) > 1000


@needs_dot
def test_a_1000_step_process_draws_without_a_crash_or_warning(big_dot: Path) -> None:
    proc = _dot(big_dot, "svg")
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr.decode()[:500]
    assert proc.stdout.count(b'<g id="step&#45;') == 1000


@needs_dot
def test_random_processes_draw_without_a_crash(cli, tmp_path: Path) -> None:
    """The 17th of these made Graphviz 2.43's orthogonal router abort (`chkSgraph` assertion)."""
    spec = importlib.util.spec_from_file_location("outside_corpus", ROOT / "tests" / "outside" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    for i, text in enumerate(corpus.random_texts(20, seed=1)):
        src = tmp_path / f"r{i}.yaml"
        src.write_text(text, encoding="utf-8")
        out = tmp_path / f"r{i}.dot"
        assert cli("render", src, "-o", out, "--highlight", "all").exit_code == 0
        proc = _dot(out, "svg")
        assert proc.returncode == 0 and proc.stderr == b"", (i, proc.stderr.decode()[:300])
