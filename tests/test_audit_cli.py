"""`procmap audit` through the real CLI: inputs, budgets and exit codes."""

from __future__ import annotations

import json

import pytest

from test_audit_cases import RESTAURANT, RETURNS, SUPPORT

BROKEN = """
version: 1
process: {id: broken, name: Broken}
lanes:
  - {id: agent, name: Agent, kind: onstage}
steps:
  - {id: a, name: A, lane: agent, next: [bb]}
  - {id: b, name: B, lane: agent}
"""


def test_json_has_spec_keys_for_each_file(cli, write) -> None:
    a, b = write(RETURNS, "a.yaml"), write(SUPPORT, "b.yaml")
    result = cli("audit", a, b, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == ["processes"]
    spec_keys = {
        "id",
        "file",
        "customer_actions",
        "touchpoints",
        "visible_handoffs",
        "handoffs",
        "visibility_crossings",
        "metrics",
    }
    for p, path in zip(data["processes"], (a, b), strict=True):
        assert spec_keys <= set(p)
        assert p["file"] == str(path)
        assert {"step", "lane", "channel"} <= set(p["touchpoints"][0])
        assert {"from", "to", "from_lane", "to_lane", "via"} == set(p["visible_handoffs"][0])
        assert {"from", "to", "from_lane", "to_lane", "class"} == set(p["handoffs"][0])
        assert {
            "steps",
            "customer_actions",
            "touchpoints",
            "visible_handoffs",
            "handoffs",
            "visibility_crossings",
        } <= set(p["metrics"])
    assert [p["id"] for p in data["processes"]] == ["returns", "support"]


def test_directory_and_stdin(cli, write, tmp_path) -> None:
    write(RETURNS, "procs/a.yaml")
    write(RESTAURANT, "procs/sub/c.yaml")
    write("not: a process\n", "procs/other.yaml")
    result = cli("audit", tmp_path / "procs", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in json.loads(result.stdout)["processes"]] == ["returns", "restaurant"]
    piped = cli("audit", "-", "--format", "json", "--stdin-filename", "from-pipe.yaml", input=SUPPORT)
    assert piped.exit_code == 0
    (p,) = json.loads(piped.stdout)["processes"]
    assert (p["id"], p["file"]) == ("support", "from-pipe.yaml")


def test_invalid_file_gives_diagnostics_and_no_report(run, write) -> None:
    good, bad = write(RETURNS, "good.yaml"), write(BROKEN, "bad.yaml")
    proc = run("audit", good, bad, "--format", "json")
    assert proc.returncode == 1
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert f"{bad}:6:" in err and "unknown-reference" in err and "did you mean 'b'" in err
    assert "Traceback" not in err


def test_warnings_do_not_stop_the_audit(run, write) -> None:
    # RETURNS has a hidden-contact warning and no-backup/visible-handoff infos.
    proc = run("audit", write(RETURNS), "--format", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["processes"][0]["id"] == "returns"
    assert proc.stderr == b""


def test_missing_file_is_a_usage_error(run, tmp_path) -> None:
    proc = run("audit", tmp_path / "nope.yaml")
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "nope.yaml" in lines[0]


def test_bad_format_is_a_usage_error(run, write) -> None:
    proc = run("audit", write(RETURNS), "--format", "pdf")
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr


# RETURNS: 3 touchpoints, 2 customer-visible handoffs.
@pytest.mark.parametrize(
    ("flags", "code"),
    [
        (["--max-visible-handoffs", "2"], 0),
        (["--max-visible-handoffs", "1"], 1),
        (["--max-touchpoints", "3"], 0),
        (["--max-touchpoints", "2"], 1),
        (["--max-touchpoints", "3", "--max-visible-handoffs", "2"], 0),
        (["--max-visible-handoffs", "0"], 1),
    ],
)
def test_budget_flags(run, write, flags: list[str], code: int) -> None:
    proc = run("audit", write(RETURNS), "--format", "json", *flags)
    assert proc.returncode == code
    report = json.loads(proc.stdout)  # the report is written either way
    budgets = report["processes"][0]["budgets"]
    assert any(b["exceeded"] for b in budgets) == (code == 1)
    if code == 0:
        assert proc.stderr == b""


def test_budget_message_names_process_and_figure_after_the_report(run, write) -> None:
    path = write(RETURNS)
    proc = run("audit", path, "--max-visible-handoffs", "1")
    assert proc.returncode == 1
    assert b"Customer-visible handoffs (2)" in proc.stdout
    err = proc.stderr.decode().strip().splitlines()
    assert err == [
        f"{path}: budget exceeded: process 'returns' has 2 customer-visible handoffs, over the budget of 1 "
        "(max-visible-handoffs)"
    ]


def test_config_budgets_and_flag_override(run, write, tmp_path) -> None:
    path = write(RETURNS)
    (tmp_path / "procmap.toml").write_text("[budgets]\nmax-touchpoints = 2\nmax-visible-handoffs = 2\n")
    over = run("audit", path, "--format", "json", cwd=tmp_path)
    assert over.returncode == 1
    assert b"process 'returns' has 3 touchpoints, over the budget of 2 (max-touchpoints)" in over.stderr
    assert b"visible" not in over.stderr  # 2 handoffs, at the budget of 2: fine
    relaxed = run("audit", path, "--format", "json", "--max-touchpoints", "3", cwd=tmp_path)
    assert relaxed.returncode == 0
    checks = json.loads(relaxed.stdout)["processes"][0]["budgets"]
    assert checks == [
        {"budget": "max-visible-handoffs", "metric": "visible_handoffs", "limit": 2, "value": 2, "exceeded": False},
        {"budget": "max-touchpoints", "metric": "touchpoints", "limit": 3, "value": 3, "exceeded": False},
    ]
    stricter = run(
        "audit", path, "--format", "json", "--max-visible-handoffs", "1", "--max-touchpoints", "9", cwd=tmp_path
    )
    assert stricter.returncode == 1
    assert b"max-visible-handoffs" in stricter.stderr and b"max-touchpoints" not in stricter.stderr


def test_budgets_are_per_process(run, write) -> None:
    # SUPPORT has 5 touchpoints, RESTAURANT 3: only support is over 4.
    proc = run("audit", write(SUPPORT, "s.yaml"), write(RESTAURANT, "r.yaml"), "--max-touchpoints", "4", "-f", "json")
    assert proc.returncode == 1
    assert b"'support' has 5 touchpoints" in proc.stderr
    assert b"restaurant" not in proc.stderr


def test_output_file_is_written_and_inputs_protected(run, write, tmp_path) -> None:
    path = write(RETURNS)
    out = tmp_path / "audit.md"
    proc = run("audit", path, "--format", "markdown", "-o", out)
    assert proc.returncode == 0 and proc.stdout == b""
    assert out.read_text(encoding="utf-8").startswith("## procmap audit")
    before = path.read_bytes()
    refused = run("audit", path, "-o", path)
    assert refused.returncode == 2
    assert b"refusing to overwrite" in refused.stderr
    assert path.read_bytes() == before


def test_json_output_is_stable(run, write) -> None:
    path = write(SUPPORT)
    first = run("audit", path, "--format", "json").stdout
    second = run("audit", path, "--format", "json").stdout
    assert first == second


def test_help_has_examples(run) -> None:
    proc = run("audit", "--help")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "procmap audit examples/" in out and "--max-visible-handoffs" in out and "--format" in out


@pytest.mark.parametrize(
    ("name", "start"),
    [("a.html", "<!DOCTYPE html>"), ("a.md", "## procmap audit"), ("a.json", "{"), ("a.txt", "Product")],
)
def test_format_from_output_suffix(run, write, tmp_path, name: str, start: str) -> None:
    out = tmp_path / name
    assert run("audit", write(RETURNS), "-o", out).returncode == 0
    assert out.read_text(encoding="utf-8").startswith(start)
    forced = tmp_path / ("forced-" + name)
    assert run("audit", write(RETURNS), "-o", forced, "--format", "json").returncode == 0
    assert forced.read_text(encoding="utf-8").startswith("{")


def test_many_files_json_in_parallel_equals_one_by_one(tmp_path) -> None:
    """JSON audits of many files run in worker processes; the report must not change."""
    import json
    import shutil

    from conftest import EXAMPLES
    from procmap.audit import audit_paths
    from procmap.config import Config
    from procmap.parallel import AUTO_JOBS_MIN_FILES
    from procmap.reports.audit_formats import render

    examples = sorted(EXAMPLES.glob("*.yaml"))
    files = []
    for i in range(AUTO_JOBS_MIN_FILES + 4):
        target = tmp_path / f"p{i:02d}.yaml"
        shutil.copy(examples[i % len(examples)], target)
        files.append(str(target))
    serial, bad1 = audit_paths(files, Config(), {"max-touchpoints": 3}, stdin_name="-", parallel=False)
    parallel, bad2 = audit_paths(files, Config(), {"max-touchpoints": 3}, stdin_name="-", parallel=True)
    assert bad1 == bad2 == []
    assert render(serial, "json") == render(parallel, "json")
    assert len(json.loads(render(parallel, "json"))["processes"]) == len(files)
    assert [len(a.exceeded) for a in serial] == [len(a.exceeded) for a in parallel]
    assert any(a.exceeded for a in parallel)
