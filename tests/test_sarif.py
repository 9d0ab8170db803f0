"""SARIF URIs and rule names as outside tools read them (issue 10, item 4).

The URI checks use a matcher written from RFC 3986's ABNF (appendix A), not
procmap's own encoder; the full document is checked against the official
schema (oracle) and, where it is installed, by Microsoft's SARIF multitool
(``tests/outside/sarif.sh`` installs it and runs the last test here).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import EXAMPLES, ORACLES, ROOT
from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)
from procmap.reports.sarif import artifact_uri, sarif
from procmap.rules import RULES

SARIF_SCHEMA = ORACLES / "sarif" / "sarif-schema-2.1.0.json"
MULTITOOL_DIR = ROOT / "tests" / "outside" / "sarif"
REQUIRE_MULTITOOL = os.environ.get("PROCMAP_REQUIRE_SARIF_MULTITOOL") == "1"

# RFC 3986, appendix A: URI-reference = URI / relative-ref.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_PCHAR_NC = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}@]|{_PCT})"  # segment-nz-nc: no colon
_QUERY = rf"(?:{_PCHAR}|[/?])*"
_AUTHORITY = rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*(?::[0-9]*)?"
_HIER = rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?|{_PCHAR}+(?:/{_PCHAR}*)*|)"
_RELATIVE = rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?|{_PCHAR_NC}+(?:/{_PCHAR}*)*|)"
URI_REFERENCE = re.compile(
    rf"(?:[A-Za-z][A-Za-z0-9+\-.]*:{_HIER}|{_RELATIVE})(?:\?{_QUERY})?(?:#{_QUERY})?",
)

NAMES = [
    "sp ace/broken #1 ü.yaml",
    "100% done.yaml",
    "a:b.yaml",
    "über/プロセス.yaml",
    "q?x=1&y.yaml",
    "[brackets]/{braces}.yaml",
    "..dots.yaml",
    "tab\there.yaml",
]


def _uris(doc: dict) -> list[str]:
    return [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in doc["runs"][0]["results"]
        for loc in result["locations"]
    ]


@pytest.mark.parametrize("name", NAMES)
def test_relative_uris_are_rfc3986_references_that_decode_to_the_path(name: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    uri = artifact_uri(name)
    assert URI_REFERENCE.fullmatch(uri), uri
    assert urlsplit(uri).scheme == ""  # still relative: code scanning resolves it against the checkout
    assert unquote(uri) == name


def test_encoding_by_example(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert artifact_uri("sp ace/broken #1 ü.yaml") == "sp%20ace/broken%20%231%20%C3%BC.yaml"
    assert artifact_uri("100%.yaml") == "100%25.yaml"
    assert artifact_uri("a:b.yaml") == "a%3Ab.yaml"  # not a scheme
    assert artifact_uri("plain/file-1_v2.yaml") == "plain/file-1_v2.yaml"
    assert artifact_uri("<stdin>") == "stdin"


def test_absolute_uri_outside_the_working_directory_is_encoded(tmp_path, monkeypatch) -> None:
    inside = tmp_path / "work"
    inside.mkdir()
    monkeypatch.chdir(inside)
    outside = tmp_path / "sp ace #1 ü.yaml"
    uri = artifact_uri(str(outside))
    assert URI_REFERENCE.fullmatch(uri), uri
    assert uri.startswith("file:///") and " " not in uri and "#" not in uri[len("file://") :]
    assert unquote(urlsplit(uri).path) == str(outside.resolve())


def test_rule_names_are_distinct_from_ids_and_each_other() -> None:
    doc = json.loads(sarif([]))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    names = [r["name"] for r in rules]
    for entry in rules:
        assert entry["name"].lower() != entry["id"].lower(), entry["id"]
        assert re.fullmatch(r"(?:[A-Z][a-z0-9]*)+", entry["name"]), entry["name"]  # PascalCase
    assert len({n.lower() for n in names}) == len(names)
    by_id = {r["id"]: r["name"] for r in rules}
    assert by_id["unknown-reference"] == "UnknownReference"
    assert by_id["schema"] == "SchemaViolation"
    assert by_id["budget"] == "BudgetExceeded"
    assert [r["id"] for r in rules] == [r.id for r in RULES]


def _odd_tree(root: Path) -> list[Path]:
    """The broken example under names that need escaping."""
    broken = (EXAMPLES / "broken" / "broken-process.yaml").read_text(encoding="utf-8")
    paths = []
    for name in NAMES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(broken, encoding="utf-8")
        paths.append(path)
    return paths


def test_cli_sarif_for_odd_file_names(run, tmp_path) -> None:
    _odd_tree(tmp_path)
    proc = run("validate", ".", "--format", "sarif", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    uris = _uris(json.loads(proc.stdout))
    assert uris
    for uri in uris:
        assert URI_REFERENCE.fullmatch(uri), uri
    assert {unquote(u) for u in uris} == set(NAMES)


def test_cli_sarif_uses_the_stdin_filename_encoded(run, tmp_path) -> None:
    text = (EXAMPLES / "broken" / "broken-process.yaml").read_bytes()
    proc = run(
        "validate", "-", "--stdin-filename", "flows/sp ace #2.yaml", "--format", "sarif", input=text, cwd=tmp_path
    )
    assert proc.returncode == 1, proc.stderr
    assert set(_uris(json.loads(proc.stdout))) == {"flows/sp%20ace%20%232.yaml"}
    plain = run("validate", "-", "--format", "sarif", input=text, cwd=tmp_path)
    assert set(_uris(json.loads(plain.stdout))) == {"stdin"}


def _sarif_files(run, folder: Path) -> list[Path]:
    """SARIF documents covering every rule that fires on the examples, odd names, stdin and a clean run."""
    tree = folder / "tree"
    _odd_tree(tree)
    for example in EXAMPLES.glob("*.yaml"):
        shutil.copy(example, tree / example.name)
    outputs = [
        ("odd.sarif", run("validate", ".", "--format", "sarif", cwd=tree)),
        (
            "clean.sarif",
            run("validate", *sorted(p.name for p in EXAMPLES.glob("*.yaml")), "--format", "sarif", cwd=tree),
        ),
        (
            "stdin.sarif",
            run(
                "validate",
                "-",
                "--stdin-filename",
                "über/sp ace #3.yaml",
                "--format",
                "sarif",
                input=(EXAMPLES / "broken" / "broken-process.yaml").read_bytes(),
                cwd=tree,
            ),
        ),
    ]
    files = []
    for name, proc in outputs:
        assert proc.returncode in (0, 1), proc.stderr
        path = folder / name
        path.write_bytes(proc.stdout)
        files.append(path)
    return files


def test_sarif_for_odd_names_is_valid_against_the_official_schema(run, tmp_path) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"SARIF oracle not available at {SARIF_SCHEMA}")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    for path in _sarif_files(run, tmp_path):
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema, cls=jsonschema.Draft4Validator)


def _multitool() -> str | None:
    """The multitool's own executable (not the npm wrapper, which runs its arguments through a shell)."""
    native = MULTITOOL_DIR / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    for candidate in (os.environ.get("SARIF_MULTITOOL"), str(native), shutil.which("sarif-multitool")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def test_sarif_multitool_reports_nothing(run, tmp_path) -> None:
    """Microsoft's SARIF multitool reports no error and no warning on any kind of procmap output.

    Its notes are advice, left out on purpose: conventional ids like ``CS2001``
    (SPEC fixes procmap's rule ids), message ids with arguments, code snippets,
    context regions and version-control provenance (optional SARIF), and an
    HTTP check of the ``$schema`` URI (no network here).
    """
    tool = _multitool()
    if tool is None:
        if REQUIRE_MULTITOOL:
            pytest.fail(
                "PROCMAP_REQUIRE_SARIF_MULTITOOL=1 but the multitool is not installed (run tests/outside/sarif.sh)"
            )
        pytest.skip("SARIF multitool not installed: bash tests/outside/sarif.sh installs it (needs node and npm)")
    files = _sarif_files(run, tmp_path)
    report = tmp_path / "multitool.sarif"
    level = "Error;Warning"
    if not tool.endswith("Sarif.Multitool"):  # an npm wrapper: its arguments go through a shell
        level = shlex.quote(level)
    proc = run_process(
        [tool, "validate", "--level", level, "-o", report.name, *[f.name for f in files]],
        cwd=tmp_path,
        text=True,
        cpu_limit=300,
    )
    assert report.exists(), proc.stdout + proc.stderr
    findings = [
        f"{r['ruleId']}: {r['message'].get('text', r['message'])}"
        for run_ in json.loads(report.read_text(encoding="utf-8-sig"))["runs"]
        for r in run_.get("results", [])
    ]
    assert findings == [], "\n".join(findings)
    assert proc.returncode == 0, proc.stdout + proc.stderr
