"""Configuration (SPEC §3): discovery, --config, severities, strict, budgets, limits, suppressions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procmap.config import Config, find_config, load_config
from procmap.diagnostics import Severity, UsageError

# Findings with the default configuration (DEFAULT): lane 'spare' is empty; the
# flow call -> bill is a handoff to a step without owner and a customer-visible
# handoff; bill -> close is another customer-visible handoff.
PROCESS = """\
version: 1
process: {id: refund, name: Refund}
lanes:
  - {id: agent, name: Agent, kind: onstage}
  - {id: billing, name: Billing, kind: onstage}
  - {id: spare, name: Spare, kind: backstage}
steps:
  - {id: call, name: Call, lane: agent, next: [bill]}
  - {id: bill, name: Bill, lane: billing, next: [close]}
  - {id: close, name: Close, lane: agent, owner: Agent}
"""
DEFAULT = [
    (6, 10, "warning", "empty-lane"),
    (8, 48, "warning", "handoff-without-owner"),
    (8, 48, "info", "visible-handoff"),
    (9, 50, "info", "visible-handoff"),
]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A project folder holding the process, with the working directory in a subfolder of it."""
    root = tmp_path / "repo"
    (root / "flows" / "deep").mkdir(parents=True)
    (root / "flows" / "refund.yaml").write_text(PROCESS)
    monkeypatch.chdir(root / "flows" / "deep")
    return root


def findings(cli, *args: str) -> tuple[int, list[tuple]]:
    result = cli("validate", "../refund.yaml", "--format", "json", *args)
    if result.exit_code == 2:
        return 2, [result.stderr]
    report = json.loads(result.stdout)
    return result.exit_code, [(d["line"], d["column"], d["severity"], d["rule"]) for d in report["diagnostics"]]


def test_defaults_without_configuration(cli, project):
    assert findings(cli) == (0, DEFAULT)


def test_procmap_toml_found_upward_from_the_working_directory(cli, project):
    (project / "procmap.toml").write_text('[rules]\nvisible-handoff = "warning"\nempty-lane = "off"\n')
    assert findings(cli) == (
        0,
        [
            (8, 48, "warning", "handoff-without-owner"),
            (8, 48, "warning", "visible-handoff"),
            (9, 50, "warning", "visible-handoff"),
        ],
    )


def test_pyproject_tool_procmap_found_and_pyproject_without_it_skipped(cli, project):
    (project / "pyproject.toml").write_text('[tool.procmap.rules]\nhandoff-without-owner = "error"\n')
    (project / "flows" / "pyproject.toml").write_text('[project]\nname = "unrelated"\n')  # nearer, no [tool.procmap]
    code, found = findings(cli)
    assert code == 1
    assert (8, 48, "error", "handoff-without-owner") in found


def test_procmap_toml_wins_over_pyproject_in_the_same_folder_and_nearest_wins(cli, project):
    (project / "pyproject.toml").write_text('[tool.procmap.rules]\nempty-lane = "error"\n')
    (project / "procmap.toml").write_text('[rules]\nempty-lane = "info"\n')
    assert findings(cli)[1][0] == (6, 10, "info", "empty-lane")
    (project / "flows" / "procmap.toml").write_text('[rules]\nempty-lane = "off"\n')
    assert findings(cli)[1][0] == (8, 48, "warning", "handoff-without-owner")


def test_config_option_overrides_discovery(cli, project, tmp_path):
    (project / "procmap.toml").write_text("strict = true\n")
    other = tmp_path / "ci.toml"
    other.write_text('[rules]\nempty-lane = "error"\n')
    code, found = findings(cli, "--config", str(other))
    assert code == 1  # empty-lane raised to error; the discovered strict = true is not read
    assert found[0] == (6, 10, "error", "empty-lane")
    code, _ = findings(cli, "-c", str(project / "procmap.toml"))
    assert code == 1  # strict: the warnings fail


def test_config_option_accepts_a_pyproject(cli, project, tmp_path):
    py = tmp_path / "pyproject.toml"
    py.write_text(
        '[tool.procmap]\nstrict = true\n[tool.procmap.rules]\nempty-lane = "off"\nhandoff-without-owner = "off"\n'
    )
    assert findings(cli, "--config", str(py)) == (
        0,
        [(8, 48, "info", "visible-handoff"), (9, 50, "info", "visible-handoff")],
    )


def test_strict_in_config_and_on_command_line(cli, project):
    assert findings(cli, "--strict")[0] == 1
    (project / "procmap.toml").write_text("strict = true\n")
    assert findings(cli)[0] == 1
    (project / "procmap.toml").write_text(
        'strict = true\n[rules]\nempty-lane = "info"\nhandoff-without-owner = "off"\n'
    )
    assert findings(cli)[0] == 0  # nothing at warning or above is left


def test_budgets_in_config_make_validate_report_budget_errors(cli, project):
    (project / "procmap.toml").write_text("[budgets]\nmax-visible-handoffs = 1\nmax-touchpoints = 3\n")
    code, found = findings(cli)
    assert code == 1
    assert found[0] == (2, 15, "error", "budget")
    assert [f for f in found if f[3] == "budget"] == [(2, 15, "error", "budget")]  # 3 touchpoints is within budget
    result = json.loads(cli("validate", "../refund.yaml", "--format", "json").stdout)
    assert result["diagnostics"][0]["message"] == (
        "process 'refund' has 2 customer-visible handoffs, over the budget of 1 (max-visible-handoffs)"
    )
    (project / "procmap.toml").write_text('[budgets]\nmax-touchpoints = 2\n[rules]\nbudget = "warning"\n')
    code, found = findings(cli)
    assert code == 0
    assert found[0] == (2, 15, "warning", "budget")


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("strict = 1\n", "'strict' must be true or false"),
        ("colour = true\n", "unknown configuration key(s): colour"),
        ('[rules]\nvisible-handof = "off"\n', "unknown rule 'visible-handof'"),
        ('[rules]\nempty-lane = "fatal"\n', 'rule \'empty-lane\' must be "error", "warning", "info" or "off"'),
        ("[rules]\nempty-lane = 1\n", "rule 'empty-lane' must be"),
        ("rules = 3\n", "[rules] must be a table"),
        ("[budgets]\nmax-handoffs = 3\n", "unknown budget 'max-handoffs'"),
        ("[budgets]\nmax-touchpoints = -1\n", "budget 'max-touchpoints' must be a non-negative integer"),
        ("[budgets]\nmax-touchpoints = 2.5\n", "must be a non-negative integer"),
        ("max-file-size = 0\n", "'max-file-size' must be a positive number of bytes"),
        ("jobs = 0\n", "'jobs' must be a positive integer"),
        ("strict = \n", "invalid TOML"),
    ],
)
def test_invalid_config_is_exit_2_one_line(cli, project, toml, needle):
    (project / "procmap.toml").write_text(toml)
    result = cli("validate", "../refund.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("procmap: ")
    assert str(project / "procmap.toml") in result.stderr
    assert needle in result.stderr


def test_missing_config_file_is_exit_2(cli, project):
    result = cli("validate", "../refund.yaml", "--config", "nowhere.toml")
    assert result.exit_code == 2
    assert result.stderr == "procmap: nowhere.toml: config file not found\n"


def test_invalid_config_through_a_real_process(run, tmp_path):
    (tmp_path / "procmap.toml").write_text("[rules\n")
    (tmp_path / "p.yaml").write_text(PROCESS)
    proc = run("validate", "p.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and "invalid TOML" in err
    assert "Traceback" not in err


def test_max_file_size_from_config_and_option(cli, project):
    (project / "procmap.toml").write_text("max-file-size = 100\n")
    result = cli("validate", "../refund.yaml")
    assert result.exit_code == 2
    assert "over the 100-byte limit" in result.stderr
    assert cli("validate", "../refund.yaml", "--max-file-size", "100000").exit_code == 0


def test_jobs_from_config(cli, project):
    for i in range(5):
        (project / "flows" / f"copy{i}.yaml").write_text(PROCESS)
    (project / "procmap.toml").write_text("jobs = 2\n")
    parallel = cli("validate", "..", "--format", "json")
    serial = cli("validate", "..", "--format", "json", "--jobs", "1")
    assert parallel.exit_code == serial.exit_code == 0
    assert parallel.stdout == serial.stdout
    assert json.loads(parallel.stdout)["summary"]["files"] == 6


# --------------------------------------------------------------------------- suppressions


def test_inline_suppression_only_on_that_line_and_only_those_ids(cli, project):
    text = PROCESS.replace(
        "  - {id: spare, name: Spare, kind: backstage}",
        "  - {id: spare, name: Spare, kind: backstage}  # procmap: ignore[empty-lane]",
    ).replace(
        "next: [bill]}",
        "next: [bill]}  # procmap: ignore[ handoff-without-owner ,dead-end]",
    )
    (project / "flows" / "refund.yaml").write_text(text)
    # empty-lane and handoff-without-owner are gone; visible-handoff on the same line stays.
    assert findings(cli) == (0, [(8, 48, "info", "visible-handoff"), (9, 50, "info", "visible-handoff")])
    result = json.loads(cli("validate", "../refund.yaml", "--format", "json").stdout)
    assert result["summary"] == {"files": 1, "errors": 0, "warnings": 0, "infos": 2}


def test_suppression_on_another_line_does_nothing(cli, project):
    text = PROCESS.replace(
        "process: {id: refund, name: Refund}", "process: {id: refund, name: Refund}  # procmap: ignore[empty-lane]"
    )
    (project / "flows" / "refund.yaml").write_text(text)
    assert findings(cli) == (0, DEFAULT)


def test_suppressed_error_does_not_fail_the_run(cli, project):
    text = PROCESS.replace("next: [bill]}", "next: [bil]}  # procmap: ignore[unknown-reference]")
    (project / "flows" / "refund.yaml").write_text(text)
    code, found = findings(cli)
    assert code == 0
    assert all(f[3] != "unknown-reference" for f in found)
    text = PROCESS.replace("next: [bill]}", "next: [bil]}  # procmap: ignore[unknown-ref]")
    (project / "flows" / "refund.yaml").write_text(text)
    assert findings(cli)[0] == 1


# --------------------------------------------------------------------------- units


def test_load_config_units(tmp_path):
    (tmp_path / "procmap.toml").write_text(
        'strict = true\njobs = 3\nmax-file-size = 1000\n[rules]\nno-backup = "WARNING"\ndead-end = "off"\n'
        "[budgets]\nmax-touchpoints = 0\n"
    )
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_config(sub) == tmp_path / "procmap.toml"
    cfg = load_config(start=sub)
    assert cfg.strict is True and cfg.jobs == 3 and cfg.max_file_size == 1000
    assert cfg.severity("no-backup", Severity.INFO) == Severity.WARNING
    assert cfg.severity("dead-end", Severity.WARNING) is None
    assert cfg.severity("schema", Severity.ERROR) == Severity.ERROR
    assert cfg.budgets == {"max-touchpoints": 0}
    assert cfg.source == str(tmp_path / "procmap.toml")
    assert Config().strict is False and Config().budgets == {} and Config().jobs is None
    with pytest.raises(UsageError):
        load_config(str(tmp_path / "missing.toml"))
