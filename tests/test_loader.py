"""The positioned YAML loader as a unit: values, positions, duplicate keys, refusals.

Hostile input (bombs, deep nesting, huge files) is covered by test_hostile.py;
this file checks the everyday contract the rules rely on.
"""

from __future__ import annotations

import pytest

from procmap.diagnostics import Severity, UsageError
from procmap.load.loader import LoadError, load, looks_like_process, parse, read_text

TEXT = """\
version: 1
process:
  id: demo
  name: Demo
lanes:
  - {id: customer, name: Customer, kind: customer}
steps:
  - id: ask
    name: Ask
    lane: customer
    next:
      - to: done
        when: ok
"""


def test_values_are_plain_python():
    doc = parse(TEXT, "p.yaml")
    assert doc.data["process"] == {"id": "demo", "name": "Demo"}
    assert type(doc.data["steps"]) is list and type(doc.data["steps"][0]) is dict
    assert doc.data["steps"][0]["next"] == [{"to": "done", "when": "ok"}]
    assert doc.duplicate_keys == []


@pytest.mark.parametrize(
    ("loc", "key", "pos"),
    [
        ((), False, (1, 1)),
        (("version",), False, (1, 10)),
        (("version",), True, (1, 1)),
        (("process", "name"), False, (4, 9)),
        (("process", "name"), True, (4, 3)),
        (("lanes", 0), False, (6, 5)),
        (("lanes", 0, "kind"), False, (6, 42)),
        (("lanes", 0, "kind"), True, (6, 36)),
        (("steps", 0, "id"), False, (8, 9)),
        (("steps", 0, "next", 0), False, (12, 9)),
        (("steps", 0, "next", 0, "to"), False, (12, 13)),
        (("steps", 0, "next", 0, "when"), True, (13, 9)),
        # A path that does not exist stops at the deepest node that does:
        # a missing key points at the mapping that lacks it.
        (("steps", 0, "owner"), False, (8, 5)),
        (("steps", 5, "id"), False, (8, 3)),
        (("process", "name", "x"), False, (4, 9)),
    ],
)
def test_locate(loc, key, pos):
    assert parse(TEXT, "p.yaml").locate(loc, key=key) == pos


def test_positions_count_unicode_code_points():
    doc = parse('name: "Démo ünï 日本"\nnext: x\nb: {c: "é", d: 1}\n', "p.yaml")
    assert doc.locate(("next",)) == (2, 7)
    assert doc.locate(("b", "d"), key=True) == (3, 13)


def test_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\nprocess: x\n")
    doc = load(str(path))
    assert doc.data == {"version": 1, "process": "x"}
    assert doc.locate(("process",)) == (2, 10)


def test_duplicate_keys_reported_at_each_later_occurrence_first_value_kept():
    doc = parse("a: 1\nb:\n  c: 1\n  c: 2\n  c: 3\na: 4\n", "p.yaml")
    found = [(d.line, d.column, d.rule, d.severity) for d in doc.duplicate_keys]
    assert found == [
        (4, 3, "duplicate-key", Severity.ERROR),
        (5, 3, "duplicate-key", Severity.ERROR),
        (6, 1, "duplicate-key", Severity.ERROR),
    ]
    assert "key 'c' is given twice in this mapping (first at line 3)" in doc.duplicate_keys[0].message
    assert doc.data == {"a": 1, "b": {"c": 1}}


def test_duplicate_key_in_flow_mapping():
    doc = parse("a: {x: 1, y: 2, x: 3}\n", "p.yaml")
    assert [(d.line, d.column) for d in doc.duplicate_keys] == [(1, 17)]


def test_timestamps_stay_text_and_scalars_keep_yaml_types():
    doc = parse("d: 2024-01-01\nn: 12\nf: 1.5\nb: true\nz: ~\ns: '12'\n", "p.yaml")
    assert doc.data == {"d": "2024-01-01", "n": 12, "f": 1.5, "b": True, "z": None, "s": "12"}


def _load_error(text: str) -> tuple[int, int, str, str]:
    with pytest.raises(LoadError) as info:
        parse(text, "p.yaml")
    d = info.value.diagnostic
    return d.line, d.column, d.rule, d.message


def test_syntax_error_is_positioned():
    line, col, rule, message = _load_error("a: 1\nb: [1, 2\nc: 3\n")
    assert (line, rule) == (3, "yaml-syntax")
    assert col >= 1
    assert message.startswith("invalid YAML: ")


def test_tab_indentation_is_a_syntax_error():
    line, col, rule, message = _load_error("a:\n\tb: 1\n")
    assert (line, col, rule) == (2, 1, "yaml-syntax")
    assert "YAML indents with spaces only" in message  # procmap's hint, whatever the parser's wording


def test_a_tab_inside_a_flow_is_fine():
    assert parse("a: [b,\tc]\nd:\t1\n", "p.yaml").data == {"a": ["b", "c"], "d": 1}


def _flows(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


@pytest.mark.parametrize(
    ("text", "pos"),
    [
        # Dense flow nesting: libyaml 0.2.6 (PyYAML 6.0.4) gives up at depth 1000 while
        # reading ahead, before procmap's builder sees level 201: procmap's limit must decide.
        (_flows(50_000), (1, 201)),
        (_flows(1_001), (1, 201)),
        (_flows(999), (1, 201)),
        (_flows(201), (1, 201)),
        ("steps:\n  - next: " + "[{to: " * 600 + "x" + "}]" * 600, (2, 600)),
        ("a:\n" + "- " * 5_000 + "x\n", (2, 399)),
        ("".join(" " * i + "a:\n" for i in range(1_500)) + " " * 1_500 + "x\n", (201, 201)),
    ],
    ids=["50000-flow", "1001-flow", "999-flow", "201-flow", "flow-in-block", "block-seq", "block-map"],
)
def test_nesting_limit_is_procmaps_whatever_libyaml_allows(text: str, pos: tuple[int, int]) -> None:
    line, col, rule, message = _load_error(text)
    assert ((line, col), rule) == (pos, "yaml-syntax")
    assert message == "nesting deeper than 200 levels; not a process file"


def test_nesting_at_the_limit_is_read() -> None:
    data = parse("a: " + _flows(199) + "\n", "p.yaml").data
    for _ in range(199):  # the mapping, then 198 lists down to the innermost
        data = data["a"] if isinstance(data, dict) else data[0]
    assert data == []


def test_a_syntax_error_after_shallow_nesting_keeps_its_own_message() -> None:
    # The re-read for depth must not turn an ordinary error into a nesting one.
    line, col, rule, message = _load_error("a: " + "[" * 150 + "x" + "]" * 149 + "}\n")
    assert rule == "yaml-syntax"
    assert message.startswith("invalid YAML: ") and "nesting" not in message
    assert (line, col) == (1, 304)


@pytest.mark.parametrize(
    ("text", "pos", "needle"),
    [
        ("a: !!python/object/apply:os.system ['echo hi']\n", (1, 4), "not allowed"),
        ("a: !include other.yaml\n", (1, 4), "not allowed"),
        ("a: &x {b: 1}\nc:\n  <<: *x\n", (3, 3), "merge keys"),
        ("a: 1\n---\na: 2\n", (2, 1), "one process per file"),
        ("a: *nowhere\n", (1, 4), "alias"),
        ("? [a, b]\n: 1\n", (1, 3), "plain scalars"),
    ],
)
def test_refused_yaml(text, pos, needle):
    line, col, rule, message = _load_error(text)
    assert (line, col) == pos
    assert rule == "yaml-syntax"
    assert needle in message


def test_empty_file_is_a_schema_error():
    line, col, rule, message = _load_error("")
    assert (line, col, rule) == (1, 1, "schema")
    assert "empty" in message


def test_invalid_utf8_has_a_position(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"version: 1\nname: caf\xe9\n")
    with pytest.raises(LoadError) as info:
        read_text(str(path))
    d = info.value.diagnostic
    assert (d.line, d.column, d.rule) == (2, 10, "yaml-syntax")
    assert "not valid UTF-8" in d.message


@pytest.mark.parametrize(
    ("setup", "needle"),
    [
        (lambda p: None, "no such file or directory"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b"a: 1\x00\n"), "binary file"),
        (lambda p: p.write_text("a: " + "x" * 200 + "\n"), "over the 100-byte limit"),
    ],
)
def test_unreadable_files_are_usage_errors_naming_the_file(tmp_path, setup, needle):
    path = tmp_path / "p.yaml"
    setup(path)
    with pytest.raises(UsageError) as info:
        read_text(str(path), max_size=100)
    message = str(info.value)
    assert message.startswith(str(path))
    assert needle in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TEXT, True),
        ("process:\n  id: x\nversion: 1\n", True),
        ("version: 1\nsteps: []\n", False),  # no process key
        ("on: push\njobs: {}\n", False),  # a CI workflow
        ("  version: 1\n  process: x\n", False),  # not top-level
    ],
)
def test_looks_like_process(text, expected):
    assert looks_like_process(text) is expected


def test_directory_scan_recognises_flow_style_and_quoted_keys() -> None:
    from procmap.load.loader import looks_like_process

    assert looks_like_process("version: 1\nprocess:\n  id: a\n")
    assert looks_like_process("{version: 1, process: {id: a, name: A}, lanes: [], steps: []}\n")
    assert looks_like_process('{"version": 1, "process": {"id": "a"}}')
    assert looks_like_process("'version': 1\n'process': {id: a}\n")
    assert not looks_like_process("steps:\n  - version: 1\n    process: x\n")
    assert not looks_like_process("name: ci\non: [push]\njobs: {}\n")
