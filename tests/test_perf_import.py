"""`procmap import` made faster must write the very same bytes (issue 23).

The import's speed work (tag names read off the tag string, procmap's own
attributes read once, loop markers found by lxml) must not change a byte of
what it writes.  Two checks:

* the YAML written for each MIWG reference model is pinned by its SHA-256
  (the inputs are fixed files, so any change to these digests is a change in
  what users get: update them only for an intended change of the import's
  output, in the same commit that makes it);
* every example, exported to BPMN and imported back, and every MIWG model are
  written the same with libyaml's C emitter and with PyYAML's pure-Python one
  (the fallback where PyYAML was built without libyaml).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ORACLES
from procmap.config import Config
from procmap.interchange import export
from procmap.interchange.bpmn_import import import_bpmn
from procmap.interchange.process_yaml import dump
from procmap.validate import require_valid

MIWG = ORACLES / "miwg"
PINNED = {
    "A.4.0.bpmn": "055a646f2ba462c2cca2b5ff8a035c016d6b4a9b162f004d83b1cff95712ab39",
    "A.4.1.bpmn": "2b5ad6be4423fdcbfb8968452d8b131e1a3ee873363f7026c903ccba6d2a78dc",
    "B.1.0.bpmn": "0406646d7b481cfbe804015df0ca9ac6a2a608fac605384c68a78d3c05e07241",
    "C.1.0.bpmn": "b4e92e3e41f42224842470f35622bbac9006a3aeae1cec1dfc84094762d1d1c3",
    "C.2.0.bpmn": "c03ff0ab318e7c6effdc27dc2ee536862dd2655acc111d68abd3041ef72fc35f",
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
