"""duplicate-flow: two flows from one step to one target are an error at the second (issue 10, item 3).

Positions are worked out by hand from the texts below (block style, so a
flow item's ``{`` sits at column 9 and a short-form item where it is written).
"""

from __future__ import annotations

import re

import pytest
import yaml

from procmap.config import Config
from procmap.diagnostics import Severity
from procmap.validate import check_text

HEAD = """\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: apply
    name: Apply
    lane: customer
    next: [review]
  - id: review
    name: Review
    lane: agent
    owner: Reviewer
"""
assert HEAD.count("\n") == 14
TAIL = """\
  - id: done
    name: Send the decision
    lane: agent
    owner: Reviewer
"""

ISSUE = (
    HEAD
    + """\
    next:
      - {to: done, when: approved}
      - {to: done, when: approved with conditions}
"""
    + TAIL
)


def found(text: str, config: Config | None = None) -> list[tuple[int, int, str, str]]:
    result = check_text(text, "p.yaml", config or Config())
    return [(d.line, d.column, d.severity.label, d.message) for d in result.diagnostics if d.rule == "duplicate-flow"]


def suggestion(message: str) -> dict:
    """The merged flow the message proposes, read back as YAML (it must be valid YAML)."""
    match = re.search(r"(\{to: .*\})", message)
    assert match, message
    return yaml.safe_load(match.group(1))


def test_the_issue_example_is_an_error_at_the_second_flow() -> None:
    [(line, col, severity, message)] = found(ISSUE)
    assert (line, col, severity) == (17, 9, "error")
    assert "step 'review' flows to 'done' again (first at line 16)" in message
    assert 'when: "approved or approved with conditions"' in message
    assert suggestion(message) == {"to": "done", "when": "approved or approved with conditions"}


def test_short_form_repeat_points_at_the_second_item() -> None:
    text = HEAD + "    next: [done, done]\n" + TAIL
    [(line, col, _, message)] = found(text)
    assert (line, col) == (15, 18)
    assert "remove the repeat" in message
    assert suggestion(message) == {"to": "done"}


def test_every_repeat_after_the_first_is_reported_with_all_labels_merged() -> None:
    text = (
        HEAD
        + """\
    next:
      - {to: done, when: approved}
      - {to: apply, when: incomplete}
      - {to: done, when: "approved: with conditions"}
      - {to: done, when: approved}
"""
        + TAIL
    )
    result = found(text)
    assert [(line, col) for line, col, _, _ in result] == [(18, 9), (19, 9)]
    for _, _, _, message in result:
        assert "(first at line 16)" in message
        assert suggestion(message) == {"to": "done", "when": "approved or approved: with conditions"}


def test_an_unlabelled_repeat_keeps_the_label_that_exists() -> None:
    text = HEAD + "    next:\n      - {to: done, when: approved}\n      - done\n" + TAIL
    [(line, col, _, message)] = found(text)
    assert (line, col) == (17, 9)
    assert suggestion(message) == {"to": "done", "when": "approved"}


def test_labels_with_quotes_and_unicode_stay_one_yaml_string() -> None:
    text = (
        HEAD
        + '    next:\n      - {to: done, when: "says \\"yes\\""}\n      - to: done\n        when: größer # ok\n'
        + TAIL
    )
    [(_, _, _, message)] = found(text)
    assert suggestion(message) == {"to": "done", "when": 'says "yes" or größer'}


@pytest.mark.parametrize(
    "nxt",
    [
        "    next:\n      - {to: done, when: approved}\n      - {to: apply, when: incomplete}\n",
        "    next: [done]\n",
    ],
)
def test_distinct_targets_are_fine(nxt: str) -> None:
    assert found(HEAD + nxt + TAIL) == []


def test_two_steps_flowing_to_one_target_are_fine() -> None:
    # Joins are normal; only one step listing a target twice loses data.
    text = HEAD.replace("next: [review]", "next: [review, done]") + "    next: [done]\n" + TAIL
    assert found(text) == []


def test_the_merged_file_is_clean() -> None:
    """Pasting the suggested flow in place of the two gives a file with nothing to fix."""
    [(_, _, _, message)] = found(ISSUE)
    merged = re.search(r"(\{to: .*\})", message).group(1)
    fixed = ISSUE.replace(
        "      - {to: done, when: approved}\n      - {to: done, when: approved with conditions}\n",
        f"      - {merged}\n",
    )
    assert fixed != ISSUE
    result = check_text(fixed, "p.yaml", Config())
    assert [d for d in result.diagnostics if d.severity >= Severity.WARNING] == []


def test_suppression_and_configuration_apply() -> None:
    silenced = ISSUE.replace(
        "approved with conditions}", "approved with conditions}  # procmap: ignore[duplicate-flow]"
    )
    assert found(silenced) == []
    assert [s for _, _, s, _ in found(ISSUE, Config(severities={"duplicate-flow": Severity.WARNING}))] == ["warning"]


# --------------------------------------------------------------------------- through the CLI


def test_validate_reports_it_and_exits_1(run, tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(ISSUE)
    proc = run("validate", path)
    assert proc.returncode == 1
    line = proc.stdout.decode().splitlines()[0]
    assert line.startswith(f"{path}:17:9: error [duplicate-flow] step 'review' flows to 'done' again")


@pytest.mark.parametrize("command", [("export", "--to", "bpmn"), ("export", "--to", "graphml"), ("audit",)])
def test_outputs_refuse_the_file_instead_of_dropping_a_flow(run, tmp_path, command) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(ISSUE)
    proc = run(command[0], path, *command[1:])
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert b":17:9: error [duplicate-flow]" in proc.stderr
