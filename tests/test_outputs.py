"""validate's output formats: text, json, github workflow commands and SARIF 2.1.0 (SPEC §3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ORACLES
from procmap.diagnostics import Diagnostic, Severity
from procmap.reports import findings as findings_output
from procmap.reports.sarif import sarif
from procmap.rules import RULES
from procmap.validate import FileResult

SARIF_SCHEMA = ORACLES / "sarif" / "sarif-schema-2.1.0.json"

PROCESS = """\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: agent, name: Agent, kind: onstage}
  - {id: billing, name: Billing, kind: onstage}
  - {id: spare, name: Spare, kind: backstage}
steps:
  - {id: call, name: Call, lane: agent, next: [bil]}
  - {id: bill, name: Bill, lane: billing, owner: Billing clerk}
"""
# Findings: empty-lane (warning) at 6:10, unknown-reference (error) at 8:48.
# 'bill' is cut off only by the typo, so it is not reported unreachable.
CLEAN = """\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: agent, name: Agent, kind: onstage}
  - {id: billing, name: Billing, kind: onstage}
steps:
  - {id: call, name: Call, lane: agent, next: [bill]}
  - {id: bill, name: Bill, lane: billing, owner: Billing clerk}
"""


@pytest.fixture(autouse=True)
def _not_in_actions(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def _result(*diags: Diagnostic, path: str = "p.yaml") -> FileResult:
    return FileResult(path, list(diags))


def test_json_shape_exactly(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(PROCESS)
    (tmp_path / "clean.yaml").write_text(CLEAN)
    result = cli("validate", "p.yaml", "clean.yaml", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"diagnostics", "summary"}
    assert report["summary"] == {"files": 2, "errors": 1, "warnings": 1, "infos": 1}
    assert report["diagnostics"] == [
        {
            "file": "clean.yaml",
            "line": 7,
            "column": 48,
            "severity": "info",
            "rule": "visible-handoff",
            "message": "customer-visible handoff: after 'call' (agent) the customer next deals with 'bill' (billing)",
        },
        {
            "file": "p.yaml",
            "line": 6,
            "column": 10,
            "severity": "warning",
            "rule": "empty-lane",
            "message": "lane 'spare' (backstage) has no steps",
        },
        {
            "file": "p.yaml",
            "line": 8,
            "column": 48,
            "severity": "error",
            "rule": "unknown-reference",
            "message": "step 'call' flows to 'bil', which is not a step (did you mean 'bill'?)",
        },
    ]


def test_json_when_clean_has_empty_list(cli, write):
    path = write(
        CLEAN.replace("lane: billing", "lane: agent").replace("  - {id: billing, name: Billing, kind: onstage}\n", "")
    )
    result = cli("validate", path, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "diagnostics": [],
        "summary": {"files": 1, "errors": 0, "warnings": 0, "infos": 0},
    }


def test_text_one_line_per_finding_even_with_newlines_in_messages():
    diag = Diagnostic("p.yaml", 3, 5, Severity.ERROR, "schema", "unknown key 'a\nb' in process")
    out = findings_output.text([_result(diag)])
    assert out == (
        "p.yaml:3:5: error [schema] unknown key 'a b' in process\n1 file checked: 1 error, 0 warnings, 0 infos\n"
    )


def test_text_colour_only_when_asked():
    diag = Diagnostic("p.yaml", 3, 5, Severity.WARNING, "empty-lane", "lane 'x' (support) has no steps")
    assert "\x1b[" not in findings_output.text([_result(diag)])
    coloured = findings_output.text([_result(diag)], colour=True)
    assert "\x1b[33mwarning\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == findings_output.text([_result(diag)])


# --------------------------------------------------------------------------- github


def test_github_levels_and_escaping():
    diags = [
        Diagnostic("dir,x/a:b%.yaml", 1, 2, Severity.ERROR, "schema", "100% wrong\r\nsecond line: a, b"),
        Diagnostic("p.yaml", 3, 4, Severity.WARNING, "dead-end", "w"),
        Diagnostic("p.yaml", 5, 6, Severity.INFO, "visible-handoff", "i"),
    ]
    out = findings_output.github([_result(*diags)]).splitlines()  # one line per finding, as in the text format
    assert out == [
        "::error file=dir%2Cx/a%3Ab%25.yaml,line=1,col=2,title=schema::100%25 wrong second line: a, b",
        "::warning file=p.yaml,line=3,col=4,title=dead-end::w",
        "::notice file=p.yaml,line=5,col=6,title=visible-handoff::i",
        "1 file checked: 1 error, 1 warning, 1 info",
    ]


def test_github_through_cli_escapes_what_the_file_says(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(
        'version: 1\nprocess: {id: demo, name: Demo, "50%": x, "a\\nb": y}\n'
        "lanes: [{id: c, name: C, kind: customer}]\nsteps: [{id: a, name: A, lane: c}]\n"
    )
    result = cli("validate", "p.yaml", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=p.yaml,line=2,col=33,title=schema::unknown key '50%25' in process")
    # The key is quoted in the message with its newline escaped: still one line.
    assert lines[1].startswith("::error file=p.yaml,line=2,col=43,title=schema::unknown key 'a\\nb' in process")
    assert len(lines) == 3


def test_github_paths_are_relative_to_the_working_directory(cli, tmp_path, monkeypatch):
    (tmp_path / "flows").mkdir()
    path = tmp_path / "flows" / "p.yaml"
    path.write_text(PROCESS)
    monkeypatch.chdir(tmp_path)
    result = cli("validate", str(path), "--format", "github")
    assert result.stdout.splitlines()[0].startswith("::warning file=flows/p.yaml,line=6,col=10,title=empty-lane::")


# --------------------------------------------------------------------------- sarif


def _sarif(cli, *args: str) -> dict:
    result = cli("validate", *args, "--format", "sarif")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_sarif_is_valid_against_the_official_schema(cli, tmp_path, monkeypatch):
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"SARIF oracle not available at {SARIF_SCHEMA}")
    jsonschema = pytest.importorskip("jsonschema")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(PROCESS)
    (tmp_path / "broken.yaml").write_text("version: 1\nprocess: [\n")
    schema = json.loads(SARIF_SCHEMA.read_text())
    for args in (("p.yaml", "broken.yaml"), ("p.yaml",)):
        doc = _sarif(cli, *args)
        jsonschema.validate(doc, schema, cls=jsonschema.Draft4Validator)
    (tmp_path / "clean.yaml").write_text(
        CLEAN.replace("lane: billing", "lane: agent").replace("  - {id: billing, name: Billing, kind: onstage}\n", "")
    )
    doc = _sarif(cli, "clean.yaml")
    jsonschema.validate(doc, schema, cls=jsonschema.Draft4Validator)
    assert doc["runs"][0]["results"] == []


def test_sarif_has_what_github_code_scanning_needs(cli, tmp_path, monkeypatch):
    (tmp_path / "flows").mkdir()
    path = tmp_path / "flows" / "p.yaml"
    path.write_text(PROCESS)
    monkeypatch.chdir(tmp_path)
    doc = _sarif(cli, str(path))  # an absolute path in, a relative uri out
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "procmap"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.id for r in RULES]
    for entry, rule in zip(rules, RULES, strict=True):
        assert entry["shortDescription"]["text"]
        assert entry["fullDescription"]["text"]
        assert (
            entry["defaultConfiguration"]["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[rule.severity.label]
        )
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("empty-lane", "warning"), ("unknown-reference", "error")]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["message"]["text"]
        location = r["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "flows/p.yaml"
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert regions == [{"startLine": 6, "startColumn": 10}, {"startLine": 8, "startColumn": 48}]
    assert results[1]["message"]["text"] == "step 'call' flows to 'bil', which is not a step (did you mean 'bill'?)"


def test_sarif_uri_outside_the_working_directory_is_absolute(tmp_path, monkeypatch):
    inside = tmp_path / "work"
    inside.mkdir()
    monkeypatch.chdir(inside)
    outside = tmp_path / "elsewhere.yaml"
    diag = Diagnostic(str(outside), 1, 1, Severity.ERROR, "schema", "m")
    doc = json.loads(sarif([_result(diag, path=str(outside))]))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == Path(outside).resolve().as_uri()


def test_sarif_levels_follow_configured_severity(tmp_path):
    diag = Diagnostic("p.yaml", 1, 1, Severity.ERROR, "visible-handoff", "raised by configuration")
    doc = json.loads(sarif([_result(diag)]))
    assert doc["runs"][0]["results"][0]["level"] == "error"
    assert doc["runs"][0]["results"][0]["ruleId"] == "visible-handoff"
