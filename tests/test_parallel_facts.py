"""SPEC §7.3: §1 facts read a fork's branches as flows; audit runs on a process with forks; diff reports forks and joins."""

from __future__ import annotations

import json

import pytest

from conftest import EXAMPLES
from procmap.config import Config
from procmap.validate import check_text

EXAMPLE = EXAMPLES / "order-fulfilment.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")
# The same order, written in sequence: the invoice after packing, no fork and no join.
SEQUENTIAL = (
    TEXT.replace(
        "      - all: [pick-goods, write-invoice]   # a fork: both branches start at once\n", "      - to: pick-goods\n"
    )
    .replace(
        "      - to: hand-to-carrier\n        when: parcel complete",
        "      - to: write-invoice\n        when: parcel complete",
    )
    .replace("    join: all                 # waits until the parcel is packed and the invoice sent\n", "")
)


def analysis(text: str):
    result = check_text(text, "p.yaml", Config())
    assert not result.has_errors
    return result.analysis


def test_the_sequential_variant_is_what_the_tests_think_it_is():
    assert "all:" not in SEQUENTIAL and "join:" not in SEQUENTIAL and SEQUENTIAL != TEXT


def test_facts_read_branches_as_flows():
    a = analysis(TEXT)
    handoffs = {(h.source, h.target): h.cls for h in a.handoffs}
    # each branch is a flow from the forking step, and each branch's last flow enters the join
    assert handoffs[("check-stock", "write-invoice")] == "backstage"
    assert handoffs[("send-invoice", "hand-to-carrier")] == "visibility-line"
    visible = {(h.source, h.target) for h in a.visible_handoffs}
    assert ("send-invoice", "deliver") in visible  # the invoice e-mail, then the courier
    assert ("confirm-order", "deliver") in visible  # through the packing branch, no touchpoint between


def test_audit_runs_on_a_process_with_forks_in_every_format(run):
    for fmt in ("text", "json", "markdown", "html"):
        proc = run("audit", EXAMPLE, "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        assert b"Traceback" not in proc.stderr
    (process,) = json.loads(run("audit", EXAMPLE, "--format", "json").stdout)["processes"]
    handoffs = {(h["from"], h["to"]): h["class"] for h in process["handoffs"]}
    assert handoffs[("check-stock", "write-invoice")] == "backstage"  # a branch, read as a flow


def _diff(run, tmp_path, old: str, new: str, fmt: str = "json"):
    a, b = tmp_path / "old.yaml", tmp_path / "new.yaml"
    a.write_text(old, encoding="utf-8")
    b.write_text(new, encoding="utf-8")
    return run("diff", a, b, "--format", fmt)


def test_diff_reports_a_fork_and_its_join_added(run, tmp_path):
    proc = _diff(run, tmp_path, SEQUENTIAL, TEXT)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["structure"] == {
        "added": [
            {
                "kind": "fork",
                "step": "check-stock",
                "targets": ["pick-goods", "write-invoice"],
                "join": "hand-to-carrier",
            },
            {"kind": "join", "step": "hand-to-carrier"},
        ],
        "removed": [],
    }
    text = _diff(run, tmp_path, SEQUENTIAL, TEXT, "text").stdout.decode()
    assert "1 fork added, 1 join added" in text.splitlines()[1]
    assert "  + fork at check-stock into pick-goods | write-invoice, joined at hand-to-carrier" in text
    assert "  + join at hand-to-carrier" in text
    markdown = _diff(run, tmp_path, SEQUENTIAL, TEXT, "markdown").stdout.decode()
    assert "fork at check-stock into pick-goods \\| write-invoice, joined at hand-to-carrier" in markdown


def test_diff_reports_them_removed(run, tmp_path):
    report = json.loads(_diff(run, tmp_path, TEXT, SEQUENTIAL).stdout)
    assert [x["kind"] for x in report["structure"]["removed"]] == ["fork", "join"]
    assert report["structure"]["added"] == []


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t,
        lambda t: t.replace("all: [pick-goods, write-invoice]", "all: [write-invoice, pick-goods]"),
    ],
    ids=["same", "branches-reordered"],
)
def test_no_structural_change_when_the_blocks_are_the_same(run, tmp_path, edit):
    report = json.loads(_diff(run, tmp_path, TEXT, edit(TEXT)).stdout)
    assert report["structure"] == {"added": [], "removed": []}
