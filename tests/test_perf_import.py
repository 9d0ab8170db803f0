"""`procmap import` made faster must write the very same bytes (issue 23).

The import's speed work (tag names read off the tag string, procmap's own
attributes read once, loop markers found by lxml) must not change a byte of
what it writes.  Two checks:

* the YAML written for each MIWG reference model is pinned by its SHA-256
  (the inputs are fixed files, so any change to these digests is a change in
  what users get: update them only for an intended change of the import's
  output, in the same commit that makes it);
* the writer's text for three generated processes (benchmarks/generate.py,
  seeded), with a header and ``# procmap: ignore`` comments, is pinned the
  same way (digests taken from the writer before it built positions too);
* every example, exported to BPMN and imported back, and every MIWG model are
  written the same with libyaml's C emitter and with PyYAML's pure-Python one
  (the fallback where PyYAML was built without libyaml).

The import's check reads the values and positions the writer hands over
(``dump_document``) instead of parsing the text it wrote: they must be exactly
what parsing that text gives, values, key order and every position, on the
examples, the MIWG models, generated processes and random ones.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given

from conftest import EXAMPLES, ORACLES, ROOT
from procmap.config import Config
from procmap.interchange import export
from procmap.interchange.bpmn_import import import_bpmn
from procmap.interchange.process_yaml import dump, dump_document
from procmap.load.loader import Document, parse
from procmap.validate import check_text, require_valid
from strategies import processes, profile

MIWG = ORACLES / "miwg"
PINNED = {
    "A.4.0.bpmn": "055a646f2ba462c2cca2b5ff8a035c016d6b4a9b162f004d83b1cff95712ab39",
    "A.4.1.bpmn": "2b5ad6be4423fdcbfb8968452d8b131e1a3ee873363f7026c903ccba6d2a78dc",
    "B.1.0.bpmn": "0406646d7b481cfbe804015df0ca9ac6a2a608fac605384c68a78d3c05e07241",
    "C.1.0.bpmn": "b4e92e3e41f42224842470f35622bbac9006a3aeae1cec1dfc84094762d1d1c3",
    "C.2.0.bpmn": "c03ff0ab318e7c6effdc27dc2ee536862dd2655acc111d68abd3041ef72fc35f",
}
WRITTEN = {
    "process_yaml(300)": "b570baa450bd6dc40db745fa58c49d1fd0a8fa7649b829b855160f634773d968",
    "process_yaml(200, shares=True)": "d0d092bf946efa642b855a1249c183af649085c8ec6835cffb61c1f281f60f51",
    "branchy_yaml(120)": "9f33d7c08ae29fcd8cd21770aa2ab0c51e81ac2e16487bc2d3a512a79af3ddcb",
}
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml")) + sorted(EXAMPLES.glob("stories/*.yaml"))


def written(data: bytes, name: str) -> str:
    result = import_bpmn(data, name)
    return dump(result.data, result.header, result.step_comments)


def exported(path: Path) -> bytes:
    data = export(require_valid(str(path), Config()), "bpmn")
    return data if isinstance(data, bytes) else data.encode()


@pytest.mark.parametrize("name", sorted(PINNED))
def test_miwg_imports_are_byte_identical(name: str) -> None:
    path = MIWG / name
    if not path.is_file():
        pytest.skip(f"MIWG reference file {name} not available ({MIWG})")
    digest = hashlib.sha256(written(path.read_bytes(), name).encode()).hexdigest()
    assert digest == PINNED[name], f"procmap import {name} writes other bytes than before (see this file's docstring)"


def _generated() -> dict[str, str]:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import branchy_yaml, process_yaml

    return {
        "process_yaml(300)": process_yaml(300),
        "process_yaml(200, shares=True)": process_yaml(200, shares=True),
        "branchy_yaml(120)": branchy_yaml(120),
    }


def test_the_writer_writes_the_same_bytes_as_before() -> None:
    for name, text in _generated().items():
        data = yaml.safe_load(text)
        comments = {s["id"]: f"from task '{s['id']}'  # procmap: ignore[unreachable-step]" for s in data["steps"][::7]}
        written = dump(data, ["Imported from model.bpmn", "Pools: …"], comments)
        assert hashlib.sha256(written.encode()).hexdigest() == WRITTEN[name], (
            f"the writer changed its output for {name}"
        )
        assert dump_document(data, "p.yaml", ["Imported from model.bpmn", "Pools: …"], comments).text == written


def _inputs() -> list[tuple[str, bytes]]:
    found = [(f"examples/{p.relative_to(EXAMPLES).as_posix()}", exported(p)) for p in EXAMPLE_FILES]
    found += [(f"miwg/{p.name}", p.read_bytes()) for p in sorted(MIWG.glob("*.bpmn"))] if MIWG.is_dir() else []
    return found


def test_the_c_emitter_and_the_pure_python_fallback_write_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML without libyaml: only the fallback exists here")
    inputs = _inputs()
    assert len(inputs) >= len(EXAMPLE_FILES) >= 5
    with_c = {name: written(data, name) for name, data in inputs}
    monkeypatch.delattr(yaml, "CSafeDumper")
    for name, data in inputs:
        assert written(data, name) == with_c[name], name


def records(doc: Document) -> list[tuple[tuple[Any, ...], list[int]]]:
    """Every container's position record (own position, count, each entry's key and value positions)."""
    found: list[tuple[tuple[Any, ...], list[int]]] = []
    numbers = doc.positions._numbers

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        at = doc.positions._at[id(node)]
        size = 3 + (2 if type(node) is list else 4) * numbers[at + 2]
        found.append((path, list(numbers[at : at + size])))
        for key, value in enumerate(node) if type(node) is list else node.items():
            if type(value) in (dict, list):
                walk(value, (*path, key))

    walk(doc.data, ())
    return found


def assert_reads_back(data: dict[str, Any], header: list[str], comments: dict[str, str], name: str) -> None:
    doc = dump_document(data, "p.yaml", header, comments)
    assert doc.text == dump(data, header, comments), name
    parsed = parse(doc.text, "p.yaml")
    assert doc.data == parsed.data, name
    assert list(doc.data) == list(parsed.data), name
    assert [list(step) for step in doc.data["steps"]] == [list(step) for step in parsed.data["steps"]], name
    assert doc.root_pos == parsed.root_pos, name
    assert records(doc) == records(parsed), name
    assert doc.duplicate_keys == [], name


def test_the_writer_hands_over_what_a_parse_of_its_text_reads() -> None:
    inputs = _inputs()
    for name, text in _generated().items():
        inputs.append((name, exported_text(text, name)))
    for name, data in inputs:
        result = import_bpmn(data, name)
        assert_reads_back(result.data, result.header, result.step_comments, name)


def exported_text(text: str, name: str) -> bytes:
    data = export(check_text(text, f"{name}.yaml", Config()), "bpmn")
    return data if isinstance(data, bytes) else data.encode()


@profile(60)
@given(processes(max_steps=8))
def test_random_processes_read_back_as_written(data: dict[str, Any]) -> None:
    comments = {step["id"]: "from task 'x'  # procmap: ignore[unreachable-step]" for step in data["steps"][::2]}
    assert_reads_back(data, ["Imported by a test", "second line"], comments, "random")


def test_shapes_without_a_layout_are_parsed_instead() -> None:
    """An empty lanes list is written ``lanes:``, which YAML reads as null: the writer parses its text then."""
    data = {"version": 1, "process": {"id": "p", "name": "P"}, "lanes": [], "steps": [{"id": "a", "name": "A"}]}
    doc = dump_document(data, "p.yaml")
    assert doc.data["lanes"] is None
    assert records(doc) == records(parse(doc.text, "p.yaml"))
