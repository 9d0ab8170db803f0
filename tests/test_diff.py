"""`procmap diff`: what a change to a process means for the customer (issue 5, part 3)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

# A refund handled by one onstage agent from question to settlement: the
# customer deals with one party, no customer-visible handoff.
BASE = """\
version: 1
process:
  id: refund
  name: Refund request
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Support agent, kind: onstage}
  - {id: billing, name: Billing desk, kind: onstage}
steps:
  - {id: ask, name: Ask for a refund, lane: customer, channel: chat, next: [answer]}
  - {id: answer, name: Answer the request, lane: agent, channel: chat, owner: Agent, next: [settle]}
  - {id: settle, name: Settle the refund, lane: agent, channel: chat, owner: Agent, next: [done]}
  - {id: done, name: Receive the refund, lane: customer, channel: email}
"""

# The same process with one backstage relay between two onstage parties:
# agent -> (new backstage clerk step) -> billing.  Before, the agent's next
# touchpoint was in the agent's own lane; now the customer is passed on.
RELAYED = """\
version: 1
process:
  id: refund
  name: Refund request
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Support agent, kind: onstage}
  - {id: billing, name: Billing desk, kind: onstage}
  - {id: clerk, name: Billing clerk, kind: backstage}
steps:
  - {id: ask, name: Ask for a refund, lane: customer, channel: chat, next: [answer]}
  - {id: answer, name: Answer the request, lane: agent, channel: chat, owner: Agent, next: [relay]}
  - {id: relay, name: Pass the case to billing, lane: clerk, owner: Clerk, duration: 2h, next: [settle]}
  - {id: settle, name: Settle the refund, lane: billing, channel: chat, owner: Billing agent, next: [done]}
  - {id: done, name: Receive the refund, lane: customer, channel: email}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _json(result) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(result.stdout)


def _diff(cli, old: Path | str, new: Path | str, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return cli("diff", str(old), str(new), *args, env=env)


# ------------------------------------------------------------ the acceptance case


def test_backstage_relay_is_exactly_one_new_visible_handoff(cli, tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.yaml", BASE), _write(tmp_path, "new.yaml", RELAYED)
    result = _diff(cli, old, new, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = _json(result)
    assert data["visible_handoffs"] == {
        "added": [{"from": "answer", "to": "settle", "from_lane": "agent", "to_lane": "billing", "via": ["relay"]}],
        "removed": [],
        "changed": [],
    }
    assert data["customer_facing"] is True
    assert data["metrics"]["visible_handoffs"] == {"old": 0, "new": 1, "delta": 1}
    assert data["lanes"]["added"] == [{"lane": "clerk", "name": "Billing clerk", "kind": "backstage"}]
    # The relay is a new backstage step: no touchpoint appears or disappears, settle changes party.
    assert data["touchpoints"]["added"] == [] and data["touchpoints"]["removed"] == []
    assert data["touchpoints"]["changed"][0]["step"] == "settle"
    assert data["touchpoints"]["changed"][0]["changes"] == {"lane": {"old": "agent", "new": "billing"}}
    assert data["headline"].startswith("1 new customer-visible handoff")


def test_fail_on_new_visible_handoffs_exits_1(cli, tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.yaml", BASE), _write(tmp_path, "new.yaml", RELAYED)
    result = _diff(cli, old, new, "--fail-on-new-visible-handoffs")
    assert result.exit_code == 1
    assert "+ answer (agent) -> settle (billing) via relay" in result.stdout  # the report is still printed
    assert "1 new customer-visible handoff (answer -> settle)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_fail_flag_exits_0_without_new_handoffs(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", BASE)
    copy = _write(tmp_path, "copy.yaml", BASE)
    result = _diff(cli, old, copy, "--fail-on-new-visible-handoffs")
    assert result.exit_code == 0, result.stderr
    assert "No customer-facing changes." in result.stdout
    assert result.stderr == ""


def test_removed_handoff_does_not_fail(cli, tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.yaml", RELAYED), _write(tmp_path, "new.yaml", BASE)
    result = _diff(cli, old, new, "--format", "json", "--fail-on-new-visible-handoffs")
    assert result.exit_code == 0, result.stderr
    data = _json(result)
    assert data["visible_handoffs"]["added"] == []
    assert [(h["from"], h["to"], h["via"]) for h in data["visible_handoffs"]["removed"]] == [
        ("answer", "settle", ["relay"])
    ]
    assert data["lanes"]["removed"] == [{"lane": "clerk", "name": "Billing clerk", "kind": "backstage"}]
    assert data["metrics"]["visible_handoffs"]["delta"] == -1
    assert "1 customer-visible handoff removed" in data["headline"]


def test_via_change_is_reported_not_new(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", RELAYED)
    rerouted = RELAYED.replace("next: [relay]", "next: [check]").replace(
        "  - {id: relay,",
        "  - {id: check, name: Check the payment, lane: clerk, owner: Clerk, next: [relay]}\n  - {id: relay,",
    )
    new = _write(tmp_path, "new.yaml", rerouted)
    result = _diff(cli, old, new, "--format", "json", "--fail-on-new-visible-handoffs")
    assert result.exit_code == 0, result.stderr
    h = _json(result)["visible_handoffs"]
    assert h["added"] == [] and h["removed"] == []
    assert h["changed"] == [
        {
            "from": "answer",
            "to": "settle",
            "old": {"from_lane": "agent", "to_lane": "billing", "via": ["relay"]},
            "new": {"from_lane": "agent", "to_lane": "billing", "via": ["check", "relay"]},
        }
    ]
    text = _diff(cli, old, new)
    assert "~ answer -> settle: via relay now via check, relay" in text.stdout
    md = _diff(cli, old, new, "--format", "markdown")
    assert "| rerouted | `answer` (agent) | `settle` (billing) | ~~`relay`~~ → `check`, `relay` |" in md.stdout


def test_visibility_move_across_the_line(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", BASE)
    hidden = BASE.replace(
        "  - {id: settle, name: Settle the refund, lane: agent, channel: chat,",
        "  - {id: settle, name: Settle the refund, lane: agent, visibility: backstage, channel: chat,",
    )
    new = _write(tmp_path, "new.yaml", hidden)
    data = _json(_diff(cli, old, new, "--format", "json"))
    assert data["visibility_changes"] == [
        {"step": "settle", "name": "Settle the refund", "lane": "agent", "old": "onstage", "new": "backstage"}
    ]
    assert [(t["step"], t["note"]) for t in data["touchpoints"]["removed"]] == [("settle", "now backstage")]
    assert "1 step moved backstage" in data["headline"]
    # and back again: the reverse diff moves it onstage and adds the touchpoint
    back = _json(_diff(cli, new, old, "--format", "json"))
    assert [(m["step"], m["old"], m["new"]) for m in back["visibility_changes"]] == [("settle", "backstage", "onstage")]
    assert [(t["step"], t["note"]) for t in back["touchpoints"]["added"]] == [("settle", "was backstage")]


def test_touchpoints_and_customer_actions_added_removed(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", BASE)
    more = BASE.replace("next: [done]", "next: [survey]") + (
        "  - {id: survey, name: Send a survey, lane: billing, channel: email, evidence: Survey e-mail, next: [rate]}\n"
        "  - {id: rate, name: Rate the service, lane: customer, channel: web}\n"
    )
    more = more.replace("  - {id: done, name: Receive the refund, lane: customer, channel: email}\n", "")
    new = _write(tmp_path, "new.yaml", more)
    data = _json(_diff(cli, old, new, "--format", "json"))
    assert data["touchpoints"]["added"] == [
        {
            "step": "survey",
            "name": "Send a survey",
            "lane": "billing",
            "channel": "email",
            "evidence": "Survey e-mail",
            "note": "new step",
        }
    ]
    assert [a["step"] for a in data["customer_actions"]["added"]] == ["rate"]
    assert [(a["step"], a["note"]) for a in data["customer_actions"]["removed"]] == [("done", "step removed")]
    assert [(h["from"], h["to"]) for h in data["visible_handoffs"]["added"]] == [("settle", "survey")]


# ------------------------------------------------------------ output shapes


def test_json_shape_and_all_metrics(cli, tmp_path: Path) -> None:
    from procmap.config import Config
    from procmap.validate import require_valid

    old, new = _write(tmp_path, "old.yaml", BASE), _write(tmp_path, "new.yaml", RELAYED)
    data = _json(_diff(cli, old, new, "--format", "json"))
    assert set(data) == {
        "headline",
        "old",
        "new",
        "customer_facing",
        "touchpoints",
        "customer_actions",
        "visible_handoffs",
        "visibility_changes",
        "lanes",
        "structure",
        "metrics",
        "journeys",
    }
    assert set(data["journeys"]) == {"figures", "repeat_loops", "worse", "main", "worst", "expected", "p_comes_back"}
    for view in ("main", "worst"):
        assert next(iter(data["journeys"][view])) == "comes_back"
        assert {"visible_handoffs", "longest_silence", "elapsed"} <= set(data["journeys"][view])
    assert set(data["journeys"]["p_comes_back"]) == {"old", "new", "delta"}
    assert data["old"] == {"file": str(old), "exists": True, "id": "refund", "name": "Refund request"}
    for key in ("touchpoints", "customer_actions", "visible_handoffs", "lanes"):
        assert set(data[key]) == {"added", "removed", "changed"}
    expected = require_valid(str(new), Config()).analysis.metrics()
    assert set(data["metrics"]) == set(expected)
    for name, value in expected.items():
        assert data["metrics"][name]["new"] == value
        assert data["metrics"][name]["delta"] == value - data["metrics"][name]["old"]


def test_markdown_shape(cli, tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.yaml", BASE), _write(tmp_path, "new.yaml", RELAYED)
    out = _diff(cli, old, new, "--format", "markdown").stdout
    lines = out.splitlines()
    assert lines[0] == "**procmap: 1 new customer-visible handoff, 1 touchpoint changed**"
    assert f"`{old}` → `{new}`" in lines[2]
    assert "| Change | From | To | Via |" in lines
    assert "| added | `answer` (agent) | `settle` (billing) | `relay` |" in lines
    assert "| changed | `settle` Settle the refund | agent → billing | chat |   |" in lines
    assert "| Customer-visible handoffs | 0 | 1 | +1 |" in lines
    assert "| Longest wait | 0s | 2h | +2h |" in lines
    # only changed metrics are listed
    assert not any(line.startswith("| Touchpoints |") for line in lines)
    assert "\x1b" not in out


def test_markdown_says_only_no_customer_facing_changes(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", RELAYED)
    # backstage-only edit: the clerk's owner and a new fail point, nothing the customer meets
    backstage = RELAYED.replace("owner: Clerk, duration: 2h,", "owner: Senior clerk, duration: 2h, fail_point: true,")
    new = _write(tmp_path, "new.yaml", backstage)
    md = _diff(cli, old, new, "--format", "markdown")
    assert md.exit_code == 0
    assert md.stdout == "No customer-facing changes.\n"
    text = _diff(cli, old, new)
    assert text.stdout.splitlines()[1] == "No customer-facing changes."
    assert "Fail points" in text.stdout  # internal changes still shown on the terminal
    assert _json(_diff(cli, old, new, "--format", "json"))["customer_facing"] is False


def test_wait_change_alone_is_customer_facing(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", RELAYED)
    new = _write(tmp_path, "new.yaml", RELAYED.replace("duration: 2h", "duration: 1d"))
    md = _diff(cli, old, new, "--format", "markdown").stdout
    assert md.startswith("**procmap: longest wait 2h → 1d**\n")
    assert "| Longest wait | 2h | 1d | +22h |" in md


def test_markdown_escapes_free_text(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", BASE)
    nasty = RELAYED.replace("name: Settle the refund,", 'name: "Settle | <b>refund</b> *now* for @billing-team",')
    new = _write(tmp_path, "new.yaml", nasty)
    out = _diff(cli, old, new, "--format", "markdown").stdout
    row = next(line for line in out.splitlines() if line.startswith("| changed | `settle`"))
    assert "<b>" not in row and "&lt;b&gt;refund&lt;/b&gt;" in row
    assert "\\|" in row and "\\*now\\*" in row
    assert "@billing-team" not in row  # no accidental @-mention from a bot comment
    assert row.count(" | ") == 4  # the pipe in the name did not add a column


def test_text_output_sections_and_no_colour_in_pipes(cli, tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.yaml", BASE), _write(tmp_path, "new.yaml", RELAYED)
    out = _diff(cli, old, new).stdout
    lines = out.splitlines()
    assert lines[0] == f"procmap diff: {old} -> {new} (refund)"
    assert lines[1] == "1 new customer-visible handoff, 1 touchpoint changed"
    for heading in ("Customer-visible handoffs", "Touchpoints", "Lanes", "Metrics"):
        assert heading in lines
    assert '  + clerk "Billing clerk" (backstage)' in lines
    assert "\x1b" not in out


def test_output_file_and_input_protection(cli, tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.yaml", BASE), _write(tmp_path, "new.yaml", RELAYED)
    target = tmp_path / "comment.md"
    result = _diff(cli, old, new, "--format", "markdown", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("**procmap:")
    clobber = _diff(cli, old, new, "-o", str(new))
    assert clobber.exit_code == 2 and "refusing to overwrite" in clobber.stderr
    assert new.read_text(encoding="utf-8") == RELAYED


def test_process_id_change_is_shown(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", BASE)
    new = _write(tmp_path, "new.yaml", BASE.replace("id: refund", "id: refund-v2"))
    out = _diff(cli, old, new).stdout
    assert out.splitlines()[0].endswith("(refund -> refund-v2)")


# ------------------------------------------------------------ validation first, errors


def test_invalid_side_prints_diagnostics_and_exits_1(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", BASE)
    bad = _write(tmp_path, "bad.yaml", BASE.replace("next: [settle]", "next: [setle]"))
    result = _diff(cli, old, bad, "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{bad}:" in result.stderr and "unknown-reference" in result.stderr
    both = _diff(cli, bad, _write(tmp_path, "bad2.yaml", "version: 2\n"))
    assert both.exit_code == 1
    assert "bad.yaml:" in both.stderr and "bad2.yaml:" in both.stderr


def test_missing_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", BASE)
    result = _diff(cli, old, tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "nope.yaml: no such file or directory" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # a missing OLD file is an empty process only when asked for
    added = _diff(cli, tmp_path / "nope.yaml", old, "--allow-missing-old", "--format", "json")
    assert added.exit_code == 0, added.stderr
    data = _json(added)
    assert data["old"]["exists"] is False
    assert [t["note"] for t in data["touchpoints"]["added"]] == ["new step", "new step"]
    neither = _diff(cli, tmp_path / "a.yaml", tmp_path / "b.yaml", "--allow-missing-old", "--allow-missing-new")
    assert neither.exit_code == 2 and "nothing to compare" in neither.stderr


def test_stdin_side(cli, tmp_path: Path) -> None:
    new = _write(tmp_path, "new.yaml", RELAYED)
    result = cli("diff", "-", str(new), "--format", "json", "--stdin-filename", "before.yaml", input=BASE)
    assert result.exit_code == 0, result.stderr
    data = _json(result)
    assert data["old"]["file"] == "before.yaml"
    assert len(data["visible_handoffs"]["added"]) == 1
    twice = cli("diff", "-", "-", input=BASE)
    assert twice.exit_code == 2 and "both be '-'" in twice.stderr


def test_help_has_examples(cli) -> None:
    result = cli("diff", "--help")
    assert result.exit_code == 0
    assert "git:main:processes/support.yaml" in result.stdout
    assert "--fail-on-new-visible-handoffs" in result.stdout


# ------------------------------------------------------------ units


def test_compare_against_empty_side_adds_everything(tmp_path: Path) -> None:
    from procmap.config import Config
    from procmap.diff import compare, empty_side, side_from_result
    from procmap.validate import require_valid

    path = _write(tmp_path, "p.yaml", RELAYED)
    side = side_from_result(str(path), require_valid(str(path), Config()))
    d = compare(empty_side("git:main:p.yaml"), side)
    assert [t.step for t in d.touchpoints.added] == ["answer", "settle"]
    assert [a.step for a in d.customer_actions.added] == ["ask", "done"]
    assert [(h.source, h.target) for h in d.visible_handoffs.added] == [("answer", "settle")]
    assert [lane.lane for lane in d.lanes.added] == ["customer", "agent", "billing", "clerk"]
    assert d.visibility == []  # new steps do not "move" across the line
    assert d.customer_facing
    same = compare(side, side)
    assert not same.changed and not same.customer_facing


# ------------------------------------------------------------ git:REV:path


def _git_env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": os.environ.get("HOME", "/tmp"),
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose one commit holds BASE as processes/refund.yaml; the work tree holds RELAYED."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "processes").mkdir(parents=True)
    env = _git_env()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    (root / "processes" / "refund.yaml").write_text(BASE, encoding="utf-8")
    (root / "processes" / "broken.yaml").write_text(BASE.replace("next: [settle]", "next: [setle]"), encoding="utf-8")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    (root / "processes" / "refund.yaml").write_text(RELAYED, encoding="utf-8")
    (root / "processes" / "new.yaml").write_text(RELAYED.replace("id: refund", "id: refund-new"), encoding="utf-8")
    return root


def test_git_rev_path_against_a_temporary_repo(run, repo: Path) -> None:
    result = run("diff", "git:main:processes/refund.yaml", "processes/refund.yaml", "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["old"]["file"] == "git:main:processes/refund.yaml"
    assert [(h["from"], h["to"]) for h in data["visible_handoffs"]["added"]] == [("answer", "settle")]
    failing = run(
        "diff", "git:HEAD:processes/refund.yaml", "processes/refund.yaml", "--fail-on-new-visible-handoffs", cwd=repo
    )
    assert failing.returncode == 1
    # the path is relative to the current directory, like NEW
    inside = run("diff", "git:main:refund.yaml", "refund.yaml", "--format", "json", cwd=repo / "processes")
    assert inside.returncode == 0, inside.stderr.decode()
    assert len(json.loads(inside.stdout)["visible_handoffs"]["added"]) == 1
    same = run("diff", "git:main:processes/refund.yaml", "git:HEAD:processes/refund.yaml", cwd=repo)
    assert same.returncode == 0 and b"No customer-facing changes." in same.stdout


def _one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    err = result.stderr.decode()
    assert result.returncode == 2, (result.returncode, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def test_git_errors_are_one_line_exit_2(run, repo: Path, tmp_path: Path) -> None:
    err = _one_line_error(run("diff", "git:nosuch:processes/refund.yaml", "processes/refund.yaml", cwd=repo))
    assert "unknown revision 'nosuch'" in err
    err = _one_line_error(run("diff", "git:main:processes/new.yaml", "processes/new.yaml", cwd=repo))
    assert "'processes/new.yaml' does not exist at main" in err and "--allow-missing-old" in err
    err = _one_line_error(run("diff", "git:main:processes", "processes/refund.yaml", cwd=repo))
    assert "is a directory at main" in err
    err = _one_line_error(run("diff", "git:main", "processes/refund.yaml", cwd=repo))
    assert "expected git:REV:PATH" in err
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "refund.yaml").write_text(BASE, encoding="utf-8")
    err = _one_line_error(
        run("diff", "git:main:refund.yaml", "refund.yaml", cwd=outside, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    )
    assert "not inside a git work tree" in err
    err = _one_line_error(run("diff", "git:main:refund.yaml", "refund.yaml", cwd=outside, env={"PATH": ""}))
    assert "git is not installed" in err


def test_git_missing_path_allowed_as_empty_process(run, repo: Path) -> None:
    result = run(
        "diff",
        "git:main:processes/new.yaml",
        "processes/new.yaml",
        "--allow-missing-old",
        "--format",
        "markdown",
        cwd=repo,
    )
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "`git:main:processes/new.yaml (absent)`" in out
    assert "| added | `answer` (agent) | `settle` (billing) | `relay` |" in out
    # a wrong revision stays an error even with --allow-missing-old
    bad_rev = run("diff", "git:nosuch:processes/new.yaml", "processes/new.yaml", "--allow-missing-old", cwd=repo)
    assert bad_rev.returncode == 2


def test_git_side_with_errors_reports_diagnostics(run, repo: Path) -> None:
    result = run("diff", "git:main:processes/broken.yaml", "processes/refund.yaml", cwd=repo)
    assert result.returncode == 1
    err = result.stderr.decode()
    assert "git:main:processes/broken.yaml:" in err and "[unknown-reference]" in err
    assert result.stdout == b""


def test_colour_only_when_forced_and_never_in_markdown_or_json(cli, tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.yaml", BASE), _write(tmp_path, "new.yaml", RELAYED)
    forced = _diff(cli, old, new, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[32m+\x1b[0m answer (agent) -> settle (billing) via relay" in forced.stdout
    for fmt in ("markdown", "json"):
        assert "\x1b" not in _diff(cli, old, new, "--format", fmt, env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout
    assert "\x1b" not in _diff(cli, old, new, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_metric_formatting() -> None:
    from procmap.diff import MetricDelta
    from procmap.reports.diff import metric_delta, metric_value

    assert metric_delta(MetricDelta("steps", 1, 1_234_568)) == "+1234567"
    assert metric_delta(MetricDelta("max_wait_seconds", 7200.0, 1800.0)) == "-1h 30m"
    assert metric_value("max_wait_seconds", 90061.0) == "1d 1h 1m"  # exact to the minute, as audit
    assert metric_value("steps", None) == "–" and metric_delta(MetricDelta("steps", None, 3)) == "–"
    assert metric_delta(MetricDelta("steps", 2, 2)) == "±0"
