"""`procmap schema`: the JSON Schema editors use, checked against the real validator and the examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import EXAMPLES, ROOT

jsonschema = pytest.importorskip("jsonschema")

SHIPPED = ROOT / "src" / "procmap" / "data" / "process-v1.schema.json"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))

VALID = """\
version: 1
process: {id: t, name: T, description: d, owner: o, start: a}
lanes:
  - {id: c, name: C, kind: customer, description: the customer}
  - {id: s, name: S, kind: support}
steps:
  - id: a
    name: A
    lane: c
    description: first
    channel: web
    visibility: onstage
    evidence: a receipt
    duration: 15m
    sla: PT1H
    data: [pii]
    fail_point: false
    next: [b]
  - {id: b, name: B, lane: s, owner: x, backup: y, next: [{to: c1, when: ok}, {to: a, when: again}]}
  - {id: c1, name: C1, lane: c}
"""

# Shape errors the schema must catch, as (what, yaml). Each must also be a
# `schema` error in `procmap validate`: the two must agree.
BROKEN = [
    (
        "unknown top-level key",
        "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c}]\nextra: 1\n",
    ),
    (
        "version 2",
        "version: 2\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c}]\n",
    ),
    (
        "version as a string",
        "version: '1'\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c}]\n",
    ),
    ("missing steps", "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\n"),
    ("empty lanes", "version: 1\nprocess: {id: t, name: T}\nlanes: []\nsteps: [{id: a, name: A, lane: c}]\n"),
    (
        "bad lane kind",
        "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: frontstage}]\nsteps: [{id: a, name: A, lane: c}]\n",
    ),
    (
        "typo in a step key",
        "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c, nxet: [a]}]\n",
    ),
    (
        "uppercase slug",
        "version: 1\nprocess: {id: T, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c}]\n",
    ),
    (
        "bad duration",
        "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c, duration: soon}]\n",
    ),
    (
        "name is a number",
        "version: 1\nprocess: {id: t, name: 12}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c}]\n",
    ),
    (
        "fail_point is a string",
        "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c, fail_point: 'yes'}]\n",
    ),
    (
        "flow without to",
        "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c, next: [{when: x}]}]\n",
    ),
    (
        "unknown flow key",
        "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c, next: [{to: a, if: x}]}]\n",
    ),
    (
        "bad visibility",
        "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c, visibility: hidden}]\n",
    ),
    (
        "data not a list",
        "version: 1\nprocess: {id: t, name: T}\nlanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c, data: pii}]\n",
    ),
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from procmap.model.jsonschema import build_schema

    return build_schema()


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Any:
    return jsonschema.Draft7Validator(schema)


def test_cli_prints_a_draft7_schema_with_the_format_id(cli) -> None:
    result = cli("schema")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.Draft7Validator.check_schema(data)
    assert data["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert data["$id"] == "https://procmap.dev/schema/process-v1.json"
    assert set(data["required"]) == {"version", "process", "lanes", "steps"}
    assert "$defs" not in json.dumps(data), "draft-07 readers expect 'definitions'"


def test_output_option_writes_exactly_what_stdout_shows(cli, tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = cli("schema", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == cli("schema").stdout


def test_output_into_a_missing_directory_creates_it(run, tmp_path: Path) -> None:
    """docs/editors.md's `procmap schema -o .procmap/process-v1.schema.json` works in a fresh repository."""
    proc = run("schema", "-o", ".procmap/process-v1.schema.json", cwd=tmp_path)
    assert proc.returncode == 0
    assert json.loads((tmp_path / ".procmap" / "process-v1.schema.json").read_text())["title"]
    assert proc.stderr.decode() == "wrote .procmap/process-v1.schema.json\n"


def test_shipped_schema_file_matches_the_models() -> None:
    """Fails when model.py changes without `procmap schema -o src/procmap/data/process-v1.schema.json`."""
    from procmap.model.jsonschema import packaged_schema_text, render_schema

    generated = render_schema()
    assert SHIPPED.read_text(encoding="utf-8") == generated, (
        "src/procmap/data/process-v1.schema.json is stale: regenerate it with "
        "`procmap schema -o src/procmap/data/process-v1.schema.json`"
    )
    assert packaged_schema_text() == generated


def _properties(node: Any, path: str = "#") -> list[tuple[str, dict[str, Any]]]:
    """Every (path, schema) of a named property, at any depth."""
    found = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            found.append((f"{path}/{name}", sub))
        for key, value in node.items():
            if key not in ("examples", "default", "const", "enum"):
                found.extend(_properties(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(_properties(item, f"{path}/{i}"))
    return found


def test_every_field_has_a_description_and_examples(schema: dict[str, Any]) -> None:
    from procmap.model.process import Flow, Lane, ProcessFile, ProcessInfo, Step

    props = _properties(schema)
    assert len(props) == sum(len(m.model_fields) for m in (ProcessFile, ProcessInfo, Lane, Step, Flow))
    missing = [p for p, s in props if not s.get("description") or not s.get("examples")]
    assert missing == []
    for name, definition in schema["definitions"].items():
        assert definition.get("description"), name


def test_every_example_in_the_schema_is_valid_for_its_field(schema: dict[str, Any], validator: Any) -> None:
    checked = 0
    for path, sub in _properties(schema):
        field_validator = validator.evolve(schema=sub)
        for example in sub["examples"]:
            errors = [e.message for e in field_validator.iter_errors(example)]
            assert errors == [], f"{path}: example {example!r}: {errors}"
            checked += 1
    assert checked >= len(_properties(schema))


def test_no_auto_titles_on_fields(schema: dict[str, Any]) -> None:
    # "Sla" and "Fail Point" would show up as hover headings in editors.
    assert [p for p, s in _properties(schema) if "title" in s] == []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_process_validates_against_the_schema(validator: Any, path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(data)] == []


def test_example_folder_is_not_empty() -> None:
    if not EXAMPLES.is_dir():
        pytest.skip("no examples/ folder")
    assert EXAMPLE_FILES, "examples/ has no *.yaml process"


def test_starter_and_a_full_process_validate(validator: Any) -> None:
    from procmap.scaffold import STARTER_PROCESS

    for text in (VALID, STARTER_PROCESS):
        assert [e.message for e in validator.iter_errors(yaml.safe_load(text))] == []


@pytest.mark.parametrize(("what", "text"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_files_fail_the_schema_and_validate_alike(validator: Any, cli, write, what: str, text: str) -> None:
    assert list(validator.iter_errors(yaml.safe_load(text))), f"schema accepted: {what}"
    result = cli("validate", "--format", "json", write(text))
    assert result.exit_code == 1
    rules = {d["rule"] for d in json.loads(result.stdout)["diagnostics"]}
    assert "schema" in rules, f"procmap validate did not report a schema error for: {what}"


def test_broken_example_fails_the_schema(validator: Any) -> None:
    broken = EXAMPLES / "broken" / "broken-process.yaml"
    if not broken.is_file():
        pytest.skip("examples/broken/broken-process.yaml not present")
    # It has an unknown key: a shape error the schema must see (duplicate keys are lost by YAML loaders).
    assert list(validator.iter_errors(yaml.safe_load(broken.read_text(encoding="utf-8"))))


def test_patterns_are_portable_regular_expressions(schema: dict[str, Any]) -> None:
    """Editors compile `pattern` as ECMA-262 regexes: no Python-only syntax (named groups, \\A, \\Z, (?i))."""
    patterns = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.append(node["pattern"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    assert patterns
    for p in patterns:
        for python_only in ("(?P<", "\\A", "\\Z", "(?i", "(?x", "(?#"):
            assert python_only not in p


def test_schema_help_documents_the_modeline(cli) -> None:
    result = cli("schema", "--help")
    assert result.exit_code == 0
    assert "yaml-language-server: $schema=" in result.stdout
