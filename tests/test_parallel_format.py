"""SPEC §7.1: fork items, `join: all`, and the block structure rule `unmatched-fork`."""

from __future__ import annotations

import textwrap

import pytest

from procmap.config import Config
from procmap.validate import check_text

HEAD = """\
version: 1
process: {id: order, name: Order}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: desk, name: Desk, kind: onstage}
  - {id: shop, name: Shop, kind: backstage}
steps:
"""


def process(steps: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(steps).lstrip("\n"), "  ")


def findings(text: str, rule: str | None = None) -> list[tuple[int, int, str, str]]:
    found = check_text(text, "p.yaml", Config()).diagnostics
    return [(d.line, d.column, d.rule, d.message) for d in found if rule is None or d.rule == rule]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


GOOD = process(
    """
    - id: order
      name: Order
      lane: customer
      next: [accept]
    - id: accept
      name: Accept
      lane: desk
      owner: Clerk
      next:
        - {all: [pack, invoice], when: in stock}
        - {to: sorry, when: out of stock}
    - id: pack
      name: Pack
      lane: shop
      owner: Packer
      next: [ship]
    - id: invoice
      name: Invoice
      lane: shop
      owner: Clerk
      next: [ship]
    - id: ship
      name: Ship
      lane: shop
      owner: Packer
      join: all
      next: [receive]
    - id: sorry
      name: Say sorry
      lane: desk
      owner: Clerk
    - id: receive
      name: Receive
      lane: customer
    """
)


def test_a_well_formed_fork_is_clean():
    assert findings(GOOD, "unmatched-fork") == []
    assert [f for f in findings(GOOD) if f[2] in ("schema", "unknown-reference", "duplicate-flow")] == []


def test_a_branch_that_ends_before_the_join():
    text = GOOD.replace("    owner: Clerk\n    next: [ship]\n", "    owner: Clerk\n")
    got = findings(text, "unmatched-fork")
    assert got == [
        (
            line_of(text, "{all: [pack, invoice]"),
            9,
            "unmatched-fork",
            "branch 'invoice' of the fork at 'accept' ends at 'invoice' without reaching its join 'ship': "
            "every branch reaches the join, or (with no join) every branch ends at an end step",
        )
    ]


def test_a_branch_that_ends_on_one_path_before_the_join():
    text = GOOD.replace(
        "    owner: Clerk\n    next: [ship]\n",
        "    owner: Clerk\n    next:\n    - {to: ship, when: ok}\n    - {to: lost, when: lost}\n",
    ) + textwrap.indent("- id: lost\n  name: Lost\n  lane: shop\n  owner: Clerk\n", "  ")
    got = findings(text, "unmatched-fork")
    assert [(line, m) for line, _, _, m in got] == [
        (
            line_of(text, "{all: [pack, invoice]"),
            "branch 'invoice' of the fork at 'accept' ends at 'lost' before the join 'ship': every path of every "
            "branch reaches the join",
        )
    ]


def test_a_join_no_fork_reaches_is_reported_at_its_join_key():
    text = GOOD.replace("{all: [pack, invoice], when: in stock}", "{to: pack, when: in stock}").replace(
        "    owner: Clerk\n    next: [ship]\n", "    owner: Clerk\n"
    )
    got = findings(text, "unmatched-fork")
    assert got == [
        (
            line_of(text, "join: all"),
            5,
            "unmatched-fork",
            "step 'ship' has `join: all` but no fork's branches reach it: a join closes the branches of one fork "
            "(`next: [{all: [a, b]}]`); remove `join` if it is an ordinary step",
        )
    ]


def test_a_loop_edge_leaving_a_branch():
    text = GOOD.replace(
        "    owner: Packer\n    next: [ship]\n",
        "    owner: Packer\n    next:\n    - {to: ship, when: packed}\n    - {to: accept, when: damaged}\n",
    )
    got = findings(text, "unmatched-fork")
    assert [(line, m) for line, _, _, m in got] == [
        (
            line_of(text, "{all: [pack, invoice]"),
            "the flow from 'pack' in branch 'pack' of the fork at 'accept' loops back to 'accept' outside the "
            "branch: a loop stays inside one branch, or runs from after the join back to before the fork",
        )
    ]


def test_loops_inside_a_branch_and_around_the_whole_block_are_fine():
    text = GOOD.replace(
        "    owner: Packer\n    next: [ship]\n",
        "    owner: Packer\n    next: [check]\n  - id: check\n    name: Check\n    lane: shop\n"
        "    owner: Packer\n    next:\n    - {to: ship, when: ok}\n    - {to: pack, when: damaged}\n",
    ).replace(
        "    join: all\n    next: [receive]\n",
        "    join: all\n    next:\n    - {to: receive, when: delivered}\n    - {to: accept, when: returned}\n",
    )
    assert findings(text, "unmatched-fork") == []


def test_branches_meeting_without_a_join():
    text = GOOD.replace("    owner: Packer\n    join: all\n", "    owner: Packer\n")
    got = findings(text, "unmatched-fork")
    assert [m for *_, m in got] == [
        "branches 'pack' and 'invoice' of the fork at 'accept' meet at 'ship', which is not a join: give 'ship' "
        "`join: all` (and let every branch reach it)"
    ]


def test_a_path_into_a_branch_from_outside():
    text = GOOD.replace("{to: sorry, when: out of stock}", "{to: invoice, when: invoice only}")
    got = findings(text, "unmatched-fork")
    assert got and all(line == line_of(text, "{all: [pack, invoice]") for line, *_ in got)
    assert "branch 'invoice' of the fork at 'accept'" in got[0][3]
    assert "reached by another flow" in got[0][3] or "also" in got[0][3]


def test_a_join_reached_without_the_fork():
    text = GOOD.replace("{to: sorry, when: out of stock}", "{to: ship, when: ship anyway}")
    got = findings(text, "unmatched-fork")
    assert [m for *_, m in got] == [
        "the join 'ship' of the fork at 'accept' is also reached from 'accept' without passing through the fork: "
        "a join is reached only by its fork's branches"
    ]


ENDS = process(
    """
    - id: order
      name: Order
      lane: customer
      next: [accept]
    - id: accept
      name: Accept
      lane: desk
      owner: Clerk
      next:
        - all: [pack, invoice]
    - id: pack
      name: Pack
      lane: shop
      owner: Packer
    - id: invoice
      name: Invoice
      lane: shop
      owner: Clerk
    """
)


def test_a_fork_whose_branches_each_end_is_fine():
    assert findings(ENDS, "unmatched-fork") == []


def test_a_fork_that_both_joins_and_ends_is_unmatched():
    text = ENDS.replace("    owner: Packer\n", "    owner: Packer\n    next: [done]\n") + (
        "  - id: done\n    name: Done\n    lane: shop\n    owner: Packer\n    join: all\n"
    )
    got = findings(text, "unmatched-fork")
    assert [m for *_, m in got] == [
        "branch 'invoice' of the fork at 'accept' ends at 'invoice' without reaching its join 'done': every "
        "branch reaches the join, or (with no join) every branch ends at an end step"
    ]


def test_a_fork_without_a_join_inside_a_joined_branch():
    text = process(
        """
        - id: start
          name: Start
          lane: desk
          next:
            - all: [a, b]
        - id: a
          name: A
          lane: desk
          next:
            - all: [a1, a2]
        - id: a1
          name: A1
          lane: desk
        - id: a2
          name: A2
          lane: desk
        - id: b
          name: B
          lane: desk
          next: [j]
        - id: j
          name: J
          lane: desk
          join: all
        """
    )
    got = findings(text, "unmatched-fork")
    assert (
        line_of(text, "- all: [a1, a2]"),
        "the fork at 'a' has no join but lies inside branch 'a' of the fork at 'start', which has one ('j'): "
        "give it its own join inside the branch",
    ) in [(line, m) for line, _, _, m in got]


def test_nested_blocks_are_fine():
    text = process(
        """
        - id: start
          name: Start
          lane: desk
          next:
            - all: [a, b]
        - id: a
          name: A
          lane: desk
          next:
            - all: [a1, a2]
        - id: a1
          name: A1
          lane: desk
          next: [aj]
        - id: a2
          name: A2
          lane: shop
          owner: X
          next:
            - {to: a3, when: x}
            - {to: aj, when: y}
        - id: a3
          name: A3
          lane: shop
          owner: X
          next: [aj]
        - id: aj
          name: AJ
          lane: desk
          join: all
          next: [j]
        - id: b
          name: B
          lane: desk
          next: [j]
        - id: j
          name: J
          lane: desk
          join: all
        """
    )
    assert findings(text, "unmatched-fork") == []


def test_a_nested_branch_escaping_to_the_outer_join():
    text = process(
        """
        - id: start
          name: Start
          lane: desk
          next:
            - all: [a, b]
        - id: a
          name: A
          lane: desk
          next:
            - all: [a1, a2]
        - id: a1
          name: A1
          lane: desk
          next: [aj]
        - id: a2
          name: A2
          lane: desk
          next: [j]
        - id: aj
          name: AJ
          lane: desk
          join: all
          next: [j]
        - id: b
          name: B
          lane: desk
          next: [j]
        - id: j
          name: J
          lane: desk
          join: all
        """
    )
    got = findings(text, "unmatched-fork")
    assert got, "an escape from a nested block must be reported"
    assert any(line == line_of(text, "- all: [a1, a2]") and "'a2'" in m for line, _, _, m in got)


def test_a_fork_branch_back_onto_the_path_is_not_a_loop_edge():
    text = process(
        """
        - id: start
          name: Start
          lane: desk
          next:
            - all: [start, b]
        - id: b
          name: B
          lane: desk
        """
    )
    got = findings(text, "unmatched-fork")
    assert [m for *_, m in got][:1] == [
        "branch 'start' of the fork at 'start' leads back to a step before the fork: a fork's branches start new "
        "work, they are never loop edges"
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("{all: [pack], when: x}", "step 'accept' next[0].all must list two or more steps"),
        ("{all: [pack, pack]}", "step 'accept' next[0]: the fork lists 'pack' twice: branches share no step"),
        ("{all: [pack, invoice], to: pack}", "step 'accept' next[0]: a flow has `to` (one step) or `all`"),
        ("{all: [pack, invoice], planned: true}", "step 'accept' next[0]: `planned` cannot be on a fork item"),
        ("{when: x}", "step 'accept' next[0] is missing required key 'to'"),
    ],
)
def test_malformed_fork_items_are_schema_errors(item, message):
    text = GOOD.replace("{all: [pack, invoice], when: in stock}", item)
    got = findings(text, "schema")
    assert any(m.startswith(message) for *_, m in got), got
    assert all(line == line_of(text, item) for line, *_ in got if "next[0]" in _[-1])


def test_join_takes_only_all():
    text = GOOD.replace("join: all", "join: any")
    got = findings(text, "schema")
    assert [(line, m) for line, _, _, m in got] == [
        (line_of(text, "join: any"), "step 'ship' join must be one of 'all', got 'any'")
    ]


def test_other_rules_read_fork_targets():
    # unknown-reference points at the branch inside `all`; unmatched-fork waits for it
    text = GOOD.replace("{all: [pack, invoice]", "{all: [pack, invoce]")
    got = findings(text)
    assert [(line, col, rule) for line, col, rule, _ in got if rule == "unknown-reference"] == [
        (
            line_of(text, "invoce"),
            text.splitlines()[line_of(text, "invoce") - 1].index("invoce") + 1,
            "unknown-reference",
        )
    ]
    assert "step 'accept' forks to 'invoce', which is not a step (did you mean 'invoice'?)" in [m for *_, m in got]
    assert [f for f in got if f[2] == "unmatched-fork"] == []
    # a fork's branch is reachable through the fork; a step nothing reaches is still reported
    text = GOOD + "  - id: stray\n    name: Stray\n    lane: shop\n    owner: X\n"
    assert [r for _, _, r, _ in findings(text) if r == "unreachable-step"] == ["unreachable-step"]
    # an unlabeled alternative beside a fork names the fork's branches
    text = GOOD.replace("{all: [pack, invoice], when: in stock}", "{all: [pack, invoice]}")
    assert [m for *_, m in findings(text, "unlabeled-branch")] == [
        "step 'accept' branches 2 ways but the flow to 'pack' + 'invoice' has no `when` label"
    ]


def test_shares_count_a_fork_as_one_alternative():
    text = GOOD.replace("when: in stock}", "when: in stock, share: 0.9}").replace(
        "when: out of stock}", "when: out of stock, share: 0.1}"
    )
    assert findings(text, "schema") == []
    bad = text.replace("share: 0.1}", "share: 0.2}")
    assert [m for *_, m in findings(bad, "schema")] == [
        "the shares of the flows of step 'accept' add up to 1.1, not 1: they are the fractions of customers "
        "taking each flow"
    ]


def test_cli_reports_unmatched_fork_with_exit_1(run, write):
    text = GOOD.replace("    owner: Clerk\n    next: [ship]\n", "    owner: Clerk\n")
    path = write(text)
    proc = run("validate", path)
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert f"process.yaml:{line_of(text, '{all: [pack, invoice]')}:9: error [unmatched-fork] branch 'invoice'" in out
    assert "Traceback" not in proc.stderr.decode()
    assert run("validate", write(GOOD)).returncode == 0
