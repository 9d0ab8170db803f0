"""The source reads as the data flow: every import points down, and no module imports itself back.

procmap's packages are layered ``load/`` → ``model/`` → ``analysis/`` → ``rules/`` →
validate → audit, diff, conform → ``render/``, ``interchange/`` → ``reports/`` →
``cli/`` (README: "Development").  This test reads every ``import`` in ``src/procmap`` with
:mod:`ast` — the ones inside functions too, since a deferred import is still a
dependency — and fails naming the importing module when one points up a layer, or
when modules import each other in a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "procmap"

# Rank of each top-level module or package of procmap; an import may go to the same or a lower rank.
LAYERS: dict[str, int] = {
    # shared plumbing every layer may use: messages, atomic files, signals, the version
    "": 0,
    "diagnostics": 0,
    "fileio": 0,
    "interrupts": 0,
    "load": 1,
    "model": 2,
    "analysis": 3,
    "rules": 4,
    "config": 5,
    "parallel": 5,
    "story": 5,
    "scaffold": 5,
    "validate": 6,
    "shares": 7,
    "audit": 7,
    "diff": 7,
    "conform": 7,
    "render": 8,
    "interchange": 8,
    "reports": 9,
    "cli": 10,
    "__main__": 11,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The procmap modules ``name`` imports (a name imported from a package counts as its module when it is one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                targets.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    resolved = set()
    for target in targets:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target.startswith("procmap") and target != name:
            resolved.add(target)
    return resolved


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_every_module_has_a_layer() -> None:
    assert sorted({_layer(m) for m in _graph()} - LAYERS.keys()) == []


def test_imports_point_down() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in sorted(_graph().items())
        for target in sorted(targets)
        if LAYERS[_layer(target)] > LAYERS[_layer(module)]
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    nx = pytest.importorskip("networkx")
    graph = nx.DiGraph([(m, t) for m, targets in _graph().items() for t in targets])
    assert [sorted(c) for c in nx.simple_cycles(graph)] == []


def test_the_checks_can_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model module reaching up into render, and two modules importing each other, are both seen."""
    package = tmp_path / "procmap"
    (package / "model").mkdir(parents=True)
    (package / "render").mkdir()
    (package / "__init__.py").write_text("")
    (package / "model" / "__init__.py").write_text("")
    (package / "render" / "__init__.py").write_text("")
    (package / "model" / "a.py").write_text("from procmap.render import b\n")
    (package / "render" / "b.py").write_text("def f():\n    from . import c\n")
    (package / "render" / "c.py").write_text("from procmap.render.b import f\n")
    monkeypatch.setitem(globals(), "SRC", package)
    graph = _graph()
    assert graph["procmap.model.a"] == {"procmap.render.b"}
    assert LAYERS[_layer("procmap.render.b")] > LAYERS[_layer("procmap.model.a")]
    nx = pytest.importorskip("networkx")
    cycles = list(nx.simple_cycles(nx.DiGraph([(m, t) for m, ts in graph.items() for t in ts])))
    assert sorted(map(sorted, cycles)) == [["procmap.render.b", "procmap.render.c"]]
