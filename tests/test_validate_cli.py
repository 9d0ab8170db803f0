"""`procmap validate` through the real CLI: the acceptance case, schema errors, exit codes, many files."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import EXAMPLES
from procmap import __version__

LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info) \[(?P<rule>[a-z-]+)\] (?P<msg>\S.*)$"
)
SUMMARY = re.compile(r"^(\d+) files? checked: (\d+) errors?, (\d+) warnings?, (\d+) infos?$")

# The acceptance case: a duplicated lane id, a `next` to a misspelled step, a
# misspelled lane, an unknown key and a duplicated mapping key, nothing else.
ACCEPTANCE = """\
version: 1
process:
  id: refund
  name: Refund request
lanes:
  - id: customer
    name: Customer
    kind: customer
  - id: desk
    name: Service desk
    kind: onstage
  - id: desk
    name: Refunds desk
    kind: backstage
steps:
  - id: ask-refund
    name: Ask for a refund
    lane: customer
    chanel: web
    next: [review]
  - id: review
    name: Review the request
    lane: dsek
    next:
      - to: aprove
        when: eligible
      - to: decline
        when: not eligible
  - id: approve
    name: Approve
    lane: desk
    owner: Refunds lead
    owner: Refunds clerk
  - id: decline
    name: Decline
    lane: desk
"""

ACCEPTANCE_EXPECTED = [
    ("refund.yaml", 12, 9, "error", "duplicate-id", "lane id 'desk' is already used by the lane at line 9"),
    ("refund.yaml", 19, 5, "error", "schema", "unknown key 'chanel' in step 'ask-refund' (did you mean 'channel'?)"),
    (
        "refund.yaml",
        23,
        11,
        "error",
        "unknown-reference",
        "step 'review' is in lane 'dsek', which is not a lane (did you mean 'desk'?)",
    ),
    (
        "refund.yaml",
        25,
        13,
        "error",
        "unknown-reference",
        "step 'review' flows to 'aprove', which is not a step (did you mean 'approve'?)",
    ),
    (
        "refund.yaml",
        33,
        5,
        "error",
        "duplicate-key",
        "key 'owner' is given twice in this mapping (first at line 32); YAML would silently keep only the last",
    ),
]

CLEAN = """\
version: 1
process: {id: clean, name: Clean}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - {id: ask, name: Ask, lane: customer, next: [answer]}
  - {id: answer, name: Answer, lane: agent}
"""

# One warning (empty-lane), nothing else.
WARNING_ONLY = CLEAN.replace(
    "  - {id: agent, name: Agent, kind: onstage}\n",
    "  - {id: agent, name: Agent, kind: onstage}\n  - {id: spare, name: Spare, kind: backstage}\n",
)
INFO_ONLY = """\
version: 1
process: {id: info, name: Info}
lanes:
  - {id: agent, name: Agent, kind: onstage}
  - {id: billing, name: Billing, kind: onstage}
steps:
  - {id: call, name: Call, lane: agent, next: [bill]}
  - {id: bill, name: Bill, lane: billing, owner: Billing clerk}
"""


@pytest.fixture(autouse=True)
def _not_in_actions(monkeypatch):
    """The in-process runs must not pick the github format from the environment running the tests."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def parse_text(out: str) -> tuple[list[tuple], tuple[int, ...]]:
    lines = out.splitlines()
    assert lines, "no output"
    summary = SUMMARY.match(lines[-1])
    assert summary, f"last line is not the summary: {lines[-1]!r}"
    found = []
    for line in lines[:-1]:
        m = LINE.match(line)
        assert m, f"not FILE:LINE:COL: SEVERITY [RULE] MESSAGE: {line!r}"
        found.append((m["file"], int(m["line"]), int(m["col"]), m["sev"], m["rule"], m["msg"]))
    return found, tuple(int(g) for g in summary.groups())


def no_traceback(stderr: bytes | str) -> None:
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text
    assert 'File "' not in text


# --------------------------------------------------------------------------- acceptance


def test_acceptance_text_exact_findings_positions_and_suggestions(run, tmp_path):
    (tmp_path / "refund.yaml").write_text(ACCEPTANCE)
    proc = run("validate", "refund.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    found, summary = parse_text(proc.stdout.decode())
    assert found == ACCEPTANCE_EXPECTED
    assert summary == (1, 5, 0, 0)
    # SPEC's example line shape, character for character.
    assert proc.stdout.decode().splitlines()[3] == (
        "refund.yaml:25:13: error [unknown-reference] step 'review' flows to 'aprove', "
        "which is not a step (did you mean 'approve'?)"
    )
    assert proc.stdout.decode().splitlines()[-1] == "1 file checked: 5 errors, 0 warnings, 0 infos"
    assert proc.stderr == b""


def _keys_from(fmt: str, out: str) -> set[tuple]:
    if fmt == "text":
        return {(f[0], f[1], f[2], f[4], f[3]) for f in parse_text(out)[0]}
    if fmt == "json":
        return {(d["file"], d["line"], d["column"], d["rule"], d["severity"]) for d in json.loads(out)["diagnostics"]}
    if fmt == "github":
        keys = set()
        level = {"error": "error", "warning": "warning", "notice": "info"}
        for line in out.splitlines():
            m = re.match(r"^::(error|warning|notice) file=([^,]*),line=(\d+),col=(\d+),title=([^:]*)::(.*)$", line)
            if m:
                keys.add((m[2], int(m[3]), int(m[4]), m[5], level[m[1]]))
        return keys
    doc = json.loads(out)
    level = {"error": "error", "warning": "warning", "note": "info"}
    return {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["ruleId"],
            level[r["level"]],
        )
        for r in doc["runs"][0]["results"]
    }


def test_acceptance_all_formats_carry_the_same_findings(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refund.yaml").write_text(ACCEPTANCE)
    (tmp_path / "info.yaml").write_text(INFO_ONLY)
    expected = {(f, line, col, rule, sev) for f, line, col, sev, rule, _ in ACCEPTANCE_EXPECTED}
    expected.add(("info.yaml", 7, 48, "visible-handoff", "info"))
    for fmt in ("text", "json", "github", "sarif"):
        result = cli("validate", "refund.yaml", "info.yaml", "--format", fmt)
        assert result.exit_code == 1, fmt
        assert _keys_from(fmt, result.stdout) == expected, fmt


def test_broken_example_matches_its_expected_list(run):
    broken = EXAMPLES / "broken" / "broken-process.yaml"
    if not broken.exists():
        pytest.skip("examples/broken is not in this checkout")
    expected = []
    for line in (EXAMPLES / "broken" / "EXPECTED.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            pos, rule = line.split()[:2]
            ln, col = pos.split(":")
            expected.append((int(ln), int(col), rule))
    proc = run("validate", broken, "--format", "json")
    assert proc.returncode == 1
    got = [(d["line"], d["column"], d["rule"]) for d in json.loads(proc.stdout)["diagnostics"]]
    assert got == expected


def test_clean_examples_have_no_errors_or_warnings(run):
    files = sorted(EXAMPLES.glob("*.yaml"))
    if not files:
        pytest.skip("no examples in this checkout")
    proc = run("validate", "--strict", *files)
    assert proc.returncode == 0, proc.stdout.decode()


# --------------------------------------------------------------------------- schema errors through the CLI

SCHEMA_BAD = """\
version: 2
process:
  id: Bad Id
  nmae: x
lanes:
  - id: customer
    name: Customer
    kind: clients
  - id: agent
    name: 12
    kind: onstage
  - name: No id
    kind: backstage
steps:
  - id: open
    name: Open
    lane: customer
    duration: soon
    sla: PT
    data: pii
    fail_point: yes-ish
    next: triage
  - id: triage
    name: Triage
    lane: agent
    visibility: hidden
    next:
      - to: open
        whn: again
      - {}
      - 5
"""


def test_schema_errors_positions_and_messages(run, tmp_path):
    (tmp_path / "bad.yaml").write_text(SCHEMA_BAD)
    proc = run("validate", "bad.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    found, summary = parse_text(proc.stdout.decode())
    assert {f[4] for f in found} == {"schema"}
    assert [(f[1], f[2], f[5]) for f in found] == [
        (1, 10, "version must be 1 (the only version of the format), got 2"),
        (3, 3, "process is missing required key 'name'"),
        (
            3,
            7,
            "process.id must be a slug (lowercase letters, digits, '-' and '_', starting with a letter or digit), "
            "got 'Bad Id'",
        ),
        (4, 3, "unknown key 'nmae' in process (did you mean 'name'?)"),
        (8, 11, "lane 'customer' kind must be one of 'customer', 'onstage', 'backstage' or 'support', got 'clients'"),
        (10, 11, "lane 'agent' name must be a string, got an integer 12 (put the text in quotes)"),
        (12, 5, "lane #3 is missing required key 'id'"),
        (
            18,
            15,
            "step 'open' duration: 'soon' is not a duration: use a number and a unit (30s, 15m, 2h, 3d, 1w, 1h30m) "
            "or ISO-8601 (PT15M, P1DT2H)",
        ),
        (
            19,
            10,
            "step 'open' sla: 'PT' is not a duration: use a number and a unit (30s, 15m, 2h, 3d, 1w, 1h30m) "
            "or ISO-8601 (PT15M, P1DT2H)",
        ),
        (20, 11, "step 'open' data must be a list, got a string 'pii' (for one item write [pii])"),
        (21, 17, "step 'open' fail_point must be true or false, got a string 'yes-ish'"),
        (
            22,
            11,
            "step 'open' next must be a list of step ids or {to, when} mappings, got a string 'triage' "
            "(for one item write [triage])",
        ),
        (26, 17, "step 'triage' visibility must be one of 'onstage' or 'backstage', got 'hidden'"),
        (29, 9, "unknown key 'whn' in step 'triage' next[0] (did you mean 'when'?)"),
        (30, 9, "step 'triage' next[1] is missing required key 'to'"),
        (31, 9, "step 'triage' next[2] must be a step id or a {to, when} mapping, got an integer 5"),
    ]
    assert summary == (1, 16, 0, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(1, 1, "schema", "file is empty: expected a process mapping")]),
        (
            "- a\n- b\n",
            [
                (
                    1,
                    1,
                    "schema",
                    "a process file must be a mapping with version, process, lanes and steps; this one is a list",
                )
            ],
        ),
        (
            "process:\n  id: a\n  name: A\nlanes: []\nsteps:\n",
            [
                (1, 1, "schema", "the file is missing required key 'version'"),
                (4, 8, "schema", "lanes must not be empty"),
                (5, 7, "schema", "steps must be a list, but it is empty"),
            ],
        ),
        (
            "version: '1'\nprocess: x\nlanes: {a: 1}\nsteps: []\n",
            [
                (1, 10, "schema", "version must be 1 (the only version of the format), got '1'"),
                (2, 10, "schema", "process must be a mapping, got a string 'x'"),
                (3, 8, "schema", "lanes must be a list, got a mapping"),
                (4, 8, "schema", "steps must not be empty"),
            ],
        ),
        (
            "version: 1\nprocess: {id: p, name: P}\nlanes: [{id: c, name: C, kind: customer}]\n"
            "steps:\n  - {id: a, name: A, lane: c, next: [{to: b, when: true}]}\n  - {id: b, name: B, lane: c}\n",
            [
                (
                    5,
                    52,
                    "schema",
                    "step 'a' next[0].when must be a string, got a boolean True "
                    "(unquoted true/false are booleans in YAML: put the text in quotes)",
                )
            ],
        ),
    ],
)
def test_schema_errors_small_files(cli, write, text, expected):
    path = write(text)
    result = cli("validate", path, "--format", "json")
    assert result.exit_code == 1
    got = [(d["line"], d["column"], d["rule"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert got == expected


def test_schema_errors_do_not_stop_semantic_checks(cli, write):
    # An unknown top-level key and a bad process id are reported, and the
    # misspelled `next` is still found.
    path = write(
        """
        version: 1
        colour: blue
        process: {id: Bad, name: P}
        lanes: [{id: c, name: C, kind: customer}]
        steps:
          - {id: a, name: A, lane: c, next: [bb]}
          - {id: b, name: B, lane: c}
        """
    )
    result = cli("validate", path, "--format", "json")
    got = [(d["line"], d["column"], d["rule"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert got == [(2, 1, "schema"), (3, 15, "schema"), (6, 38, "unknown-reference")]


def test_wrong_type_next_does_not_cascade_into_reachability(cli, write):
    path = write(
        """
        version: 1
        process: {id: p, name: P}
        lanes: [{id: c, name: C, kind: customer}]
        steps:
          - {id: a, name: A, lane: c, next: b}
          - {id: b, name: B, lane: c}
        """
    )
    result = cli("validate", path, "--format", "json")
    got = [(d["line"], d["column"], d["rule"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert got == [(5, 37, "schema")]  # not: 'b' unreachable


# --------------------------------------------------------------------------- exit codes


def test_exit_0_for_clean_and_info_only(cli, write):
    assert cli("validate", write(CLEAN, "clean.yaml")).exit_code == 0
    result = cli("validate", write(INFO_ONLY, "info.yaml"))
    assert result.exit_code == 0
    assert "info [visible-handoff]" in result.stdout
    assert cli("validate", "--strict", write(INFO_ONLY, "info.yaml")).exit_code == 0  # infos never fail


def test_warnings_fail_only_with_strict(cli, write):
    path = write(WARNING_ONLY)
    result = cli("validate", path)
    assert result.exit_code == 0
    assert result.stdout.endswith("1 file checked: 0 errors, 1 warning, 0 infos\n")
    assert cli("validate", "--strict", path).exit_code == 1


def test_errors_exit_1(cli, write):
    result = cli("validate", write(ACCEPTANCE))
    assert result.exit_code == 1
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["validate", "missing.yaml"], "procmap: missing.yaml: no such file or directory"),
        (["validate", "empty-dir"], "procmap: empty-dir: no process files"),
        (["validate", "not-process"], "procmap: not-process: no process files"),
        (["validate", "a-dir.yaml"], None),
    ],
)
def test_exit_2_one_line_no_traceback(run, tmp_path, args, needle):
    (tmp_path / "empty-dir").mkdir()
    (tmp_path / "not-process").mkdir()
    (tmp_path / "not-process" / "ci.yaml").write_text("on: push\njobs: {}\n")
    (tmp_path / "not-process" / "readme.txt").write_text("version: 1\nprocess: x\n")
    (tmp_path / "a-dir.yaml").mkdir()
    (tmp_path / "a-dir.yaml" / "p.yaml").write_text(CLEAN)
    proc = run(*args, cwd=tmp_path)
    if needle is None:  # a directory named like a file is still a directory
        assert proc.returncode == 0
        return
    assert proc.returncode == 2
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and err.endswith("\n")
    assert err.startswith(needle)
    no_traceback(proc.stderr)


def test_missing_file_among_good_ones_is_exit_2(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yaml").write_text(CLEAN)
    result = cli("validate", "good.yaml", "gone.yaml")
    assert result.exit_code == 2
    assert result.stderr == "procmap: gone.yaml: no such file or directory\n"


def test_bad_option_is_exit_2_without_traceback(run, tmp_path):
    proc = run("validate", "--format", "xml", "x.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    no_traceback(proc.stderr)
    proc = run("validate", cwd=tmp_path)
    assert proc.returncode == 2
    no_traceback(proc.stderr)


def test_version(run):
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode() == f"procmap {__version__}\n"


def test_help_has_examples_and_exit_codes(cli):
    result = cli("validate", "--help")
    assert result.exit_code == 0
    out = result.stdout
    assert "Examples:" in out
    assert "procmap validate examples/" in out
    assert "--stdin-filename" in out and "--format" in out and "--strict" in out
    assert "Exit codes" in out


# --------------------------------------------------------------------------- many files


def _tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.yaml").write_text(ACCEPTANCE)
    (root / "sub" / "b.yml").write_text(WARNING_ONLY)
    (root / "sub" / "deeper" / "c.yaml").write_text(INFO_ONLY)
    (root / "sub" / "workflow.yaml").write_text("on: push\njobs:\n  test: {runs-on: ubuntu-latest}\n")
    (root / "sub" / "notes.txt").write_text(CLEAN)
    (root / ".hidden").mkdir()
    (root / ".hidden" / "h.yaml").write_text(ACCEPTANCE)


def test_directory_is_recursive_and_skips_non_process_yaml(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path)
    result = cli("validate", "--format", "json", ".")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    files = {d["file"] for d in report["diagnostics"]}
    assert files == {"./a.yaml", "./sub/b.yml", "./sub/deeper/c.yaml"}
    assert report["summary"] == {"files": 3, "errors": 5, "warnings": 1, "infos": 1}


def test_file_named_explicitly_is_checked_even_if_not_a_process(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path)
    result = cli("validate", "sub/workflow.yaml")
    assert result.exit_code == 1
    found, _ = parse_text(result.stdout)
    assert {f[4] for f in found} == {"schema"}


def test_sorted_by_file_line_column_and_deduplicated(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.yaml").write_text(ACCEPTANCE)
    (tmp_path / "a.yaml").write_text(WARNING_ONLY)
    result = cli("validate", "b.yaml", "a.yaml", "./b.yaml", "b.yaml")
    found, summary = parse_text(result.stdout)
    keys = [(f[0], f[1], f[2]) for f in found]
    assert keys == sorted(keys)
    assert keys[0][0] == "a.yaml"
    assert summary == (2, 5, 1, 0)


def test_stdin_with_and_without_name(cli, run, tmp_path):
    result = cli("validate", "-", "--stdin-filename", "flows/refund.yaml", input=ACCEPTANCE)
    assert result.exit_code == 1
    found, summary = parse_text(result.stdout)
    assert [f[:3] for f in found] == [("flows/refund.yaml", f[1], f[2]) for f in ACCEPTANCE_EXPECTED]
    assert summary == (1, 5, 0, 0)
    result = cli("validate", "-", input=CLEAN.replace("answer]", "answr]"))
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:7:")
    proc = run("validate", "-", input=CLEAN, cwd=tmp_path)  # a real pipe
    assert proc.returncode == 0


def test_jobs_2_matches_jobs_1(run, tmp_path):
    texts = [ACCEPTANCE, WARNING_ONLY, INFO_ONLY, CLEAN, SCHEMA_BAD, ACCEPTANCE.replace("aprove", "approve")]
    for i, text in enumerate(texts * 2):
        folder = tmp_path / "procs" / f"group{i % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"p{i:02d}.yaml").write_text(text)
    outputs = {}
    for jobs in ("1", "2"):
        for fmt in ("text", "json"):
            proc = run("validate", "procs", "--jobs", jobs, "--format", fmt, cwd=tmp_path)
            assert proc.returncode == 1
            outputs[jobs, fmt] = proc.stdout
    assert outputs["1", "text"] == outputs["2", "text"]
    assert outputs["1", "json"] == outputs["2", "json"]
    assert json.loads(outputs["2", "json"])["summary"]["files"] == 12


# --------------------------------------------------------------------------- output file, colour


def test_output_file_gets_the_report_and_stdout_stays_empty(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refund.yaml").write_text(ACCEPTANCE)
    result = cli("validate", "refund.yaml", "-o", "report.txt")
    assert result.exit_code == 1
    assert result.stdout == ""
    report = (tmp_path / "report.txt").read_text()
    assert parse_text(report)[0] == ACCEPTANCE_EXPECTED
    assert "\x1b[" not in report
    result = cli("validate", "refund.yaml", "-f", "json", "--output", "report.json")
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["errors"] == 5
    result = cli("validate", "refund.yaml", "-f", "json", "--output", "out/report.json")
    assert result.exit_code == 1  # missing folders are created (issue 10 item 8)
    assert json.loads((tmp_path / "out" / "report.json").read_text())["summary"]["errors"] == 5
    assert result.stderr == "wrote out/report.json\n"


def test_output_never_overwrites_an_input(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refund.yaml").write_text(ACCEPTANCE)
    result = cli("validate", "refund.yaml", "-o", "refund.yaml")
    assert result.exit_code == 2
    assert (tmp_path / "refund.yaml").read_text() == ACCEPTANCE
    assert "refusing to overwrite an input" in result.stderr


def test_no_ansi_escapes_in_pipes_even_when_forced_off(run, tmp_path):
    (tmp_path / "refund.yaml").write_text(ACCEPTANCE)
    # Not a terminal: no colour, whether NO_COLOR is set or not; NO_COLOR beats FORCE_COLOR.
    for env in ({"NO_COLOR": "", "FORCE_COLOR": ""}, {"NO_COLOR": "1", "FORCE_COLOR": "1"}):
        proc = run("validate", "refund.yaml", cwd=tmp_path, env=env)
        assert b"\x1b[" not in proc.stdout + proc.stderr
    # Sanity check that the test could see colour at all.
    proc = run("validate", "refund.yaml", cwd=tmp_path, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert b"\x1b[" in proc.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color(tmp_path):
    import pty
    import subprocess

    (tmp_path / "refund.yaml").write_text(ACCEPTANCE)

    def on_tty(no_color: str) -> bytes:
        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")}
        env["TERM"] = "xterm"
        if no_color:
            env["NO_COLOR"] = no_color
        proc = subprocess.Popen(
            [sys.executable, "-m", "procmap", "validate", "refund.yaml"],
            stdout=slave,
            stderr=slave,
            cwd=tmp_path,
            env=env,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait()  # the pty reads above end at the child's exit; no wall-clock limit on a loaded machine
        os.close(master)
        return b"".join(chunks)

    assert b"\x1b[" in on_tty("")
    plain = on_tty("1")
    assert b"\x1b[" not in plain
    assert b"refund.yaml:12:9: error [duplicate-id]" in plain


def test_github_format_chosen_automatically_in_actions(cli, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refund.yaml").write_text(ACCEPTANCE)
    proc = run("validate", "refund.yaml", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert proc.returncode == 1
    first = proc.stdout.decode().splitlines()[0]
    assert first == (
        "::error file=refund.yaml,line=12,col=9,title=duplicate-id::lane id 'desk' is already used by the lane at line 9"
    )
    result = cli("validate", "refund.yaml", "--format", "text", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("refund.yaml:12:9: error [duplicate-id]")
    result = cli("validate", "refund.yaml", env={"GITHUB_ACTIONS": "false"})
    assert result.stdout.startswith("refund.yaml:12:9: error [duplicate-id]")


def test_examples_copy_validates_from_another_directory(run, tmp_path):
    src = EXAMPLES / "support-ticket.yaml"
    if not src.exists():
        pytest.skip("no examples in this checkout")
    shutil.copy(src, tmp_path / "copy.yaml")
    proc = run("validate", tmp_path / "copy.yaml")
    assert proc.returncode == 0
    assert textwrap.dedent(proc.stdout.decode()).splitlines()[-1].startswith("1 file checked: 0 errors, 0 warnings")


def test_yes_no_on_off_are_text_not_booleans(cli, write):
    """YAML 1.1 would turn these branch labels into booleans; procmap keeps them as written."""
    path = write(
        "version: 1\nprocess: {id: p, name: On}\nlanes: [{id: c, name: C, kind: customer}]\n"
        "steps:\n  - id: a\n    name: A\n    lane: c\n    next:\n      - {to: b, when: yes}\n      - {to: d, when: no}\n"
        "  - {id: b, name: Off, lane: c}\n  - {id: d, name: D, lane: c}\n"
    )
    result = cli("validate", path)
    assert result.exit_code == 0, result.stdout
    assert "0 errors, 0 warnings" in result.stdout


def test_usage_error_escapes_control_characters_in_file_names(run, tmp_path) -> None:
    """A hostile file name must not drive the terminal: exit-2 messages escape it like findings do."""
    missing = tmp_path / "evil\x1b[2Jname.yaml"
    proc = run("validate", str(missing))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "\x1b" not in err
    assert "evil\\x1b[2Jname.yaml" in err
    assert err.count("\n") == 1


def test_every_command_reachable_from_the_real_entry_point(run) -> None:
    """main() builds only the command it is asked for; options before the command must not confuse that."""
    top = run("--help")
    assert top.returncode == 0
    for name in ("validate", "audit", "render", "diff", "export", "schema", "init"):
        assert name in top.stdout.decode()
        sub = run("--debug", name, "--help")
        assert sub.returncode == 0, sub.stderr
        assert f"procmap {name}" in sub.stdout.decode()
