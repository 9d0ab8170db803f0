"""Every rule of SPEC §3, firing and not firing, at the exact line:col and severity.

Expected findings are worked out by hand from SPEC's definitions and written
literally.  Most graphs use one line per step, in flow style, padded so that
every step's id sits at column 10 and its first `next` item at column 47::

    ----+----1----+----2----+----3----+----4----+-7
      - {id: t1, name: T1, lane: agent,    next: [k1, k2]}
               ^10                               ^47 ^51

With ``{to: .., when: x}`` flows the second flow starts at column 66 and a
flow's ``to`` value at its start + 5.  The lanes header has 9 lines, so step
*k* is on line 9 + k.
"""

from __future__ import annotations

import textwrap

from procmap.config import Config
from procmap.diagnostics import Severity
from procmap.rules import BY_ID, RULES
from procmap.validate import check_text

HEAD = """\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Clerk, kind: backstage}
  - {id: billing, name: Billing, kind: onstage}
  - {id: it, name: IT, kind: support}
steps:
"""
assert HEAD.count("\n") == 9

E, W, INF = "error", "warning", "info"


def steps(body: str) -> str:
    """The HEAD plus step lines written flush-left in the test (re-indented by two spaces)."""
    return HEAD + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "  ")


def findings(
    text: str, *rules: str, config: Config | None = None, skip=("empty-lane", "repeat-contact")
) -> list[tuple]:
    """(line, col, severity, rule) of every finding, in output order; filtered to ``rules`` if given."""
    result = check_text(text, "p.yaml", config or Config())
    return [
        (d.line, d.column, d.severity.label, d.rule)
        for d in result.diagnostics
        if (d.rule in rules if rules else d.rule not in skip)
    ]


def messages(text: str, rule: str, config: Config | None = None) -> list[str]:
    return [d.message for d in check_text(text, "p.yaml", config or Config()).diagnostics if d.rule == rule]


def test_layout_assumptions():
    line = steps("- {id: t1, name: T1, lane: customer, next: [{to: k1, when: x}, {to: k2, when: y}]}").splitlines()[9]
    assert line.index("t1") + 1 == 10
    assert line.index("{to: k1") + 1 == 47
    assert line.index("{to: k2") + 1 == 66


# --------------------------------------------------------------------------- registry


def test_registry_has_spec_rules_with_default_severities():
    expected = {
        "yaml-syntax": Severity.ERROR,
        "duplicate-key": Severity.ERROR,
        "schema": Severity.ERROR,
        "duplicate-id": Severity.ERROR,
        "duplicate-flow": Severity.ERROR,
        "unknown-reference": Severity.ERROR,
        "customer-step-backstage": Severity.ERROR,
        "unreachable-step": Severity.ERROR,
        "no-end": Severity.ERROR,
        "dead-end": Severity.WARNING,
        "unlabeled-branch": Severity.WARNING,
        "hidden-contact": Severity.WARNING,
        "empty-lane": Severity.WARNING,
        "handoff-without-owner": Severity.WARNING,
        "no-backup": Severity.INFO,
        "visible-handoff": Severity.INFO,
        "repeat-contact": Severity.INFO,
        "backup-is-owner": Severity.WARNING,
        "asked-twice": Severity.INFO,
        "sla-breach": Severity.WARNING,
        "unmatched-fork": Severity.ERROR,
        "budget": Severity.ERROR,
    }
    assert {r.id: r.severity for r in RULES} == expected
    # SPEC's table order (duplicate-flow by its kin), then §5.5's, budget last
    assert [r.id for r in RULES] == list(expected)
    assert set(BY_ID) == set(expected)
    for rule in RULES:
        assert rule.summary and rule.doc, rule.id
        assert bool(rule.bad) == bool(rule.good) == (rule.id != "budget"), rule.id


# --------------------------------------------------------------------------- yaml-syntax, duplicate-key


def test_yaml_syntax_fires_at_the_parse_error():
    text = "version: 1\nprocess: {id: demo, name: Demo\nlanes: []\n"
    assert findings(text) == [(3, 6, E, "yaml-syntax")]
    assert "invalid YAML" in messages(text, "yaml-syntax")[0]


def test_yaml_syntax_bad_indentation():
    text = "version: 1\nprocess:\n  id: demo\n name: Demo\n"
    found = findings(text)
    assert [f[2:] for f in found] == [(E, "yaml-syntax")]
    assert found[0][0] == 4


def test_valid_file_has_no_syntax_or_key_findings():
    text = steps("- {id: c1, name: C1, lane: customer}")
    assert findings(text, "yaml-syntax", "duplicate-key", "schema") == []


def test_duplicate_key_reported_at_second_occurrence():
    text = steps(
        """
        - id: c1
          name: First
          lane: customer
          name: Second
        """
    )
    assert findings(text) == [(13, 5, E, "duplicate-key")]
    assert messages(text, "duplicate-key") == [
        "key 'name' is given twice in this mapping (first at line 11); YAML would silently keep only the last"
    ]


def test_duplicate_key_in_flow_mapping_and_at_top_level():
    text = HEAD.replace("  - {id: agent, name: Agent,", "  - {id: agent, name: Agent, name: Agent2,") + (
        "  - {id: c1, name: C1, lane: customer}\nversion: 1\n"
    )
    assert findings(text, "duplicate-key") == [(5, 30, E, "duplicate-key"), (11, 1, E, "duplicate-key")]


def test_same_key_in_different_mappings_is_not_a_duplicate():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [c2]}
        - {id: c2, name: C2, lane: customer}
        """
    )
    assert findings(text) == []


# --------------------------------------------------------------------------- duplicate-id


def test_duplicate_lane_id_at_second_id_value():
    text = HEAD.replace("  - {id: it, name: IT, kind: support}", "  - {id: agent, name: Agent 2, kind: support}") + (
        "  - {id: c1, name: C1, lane: customer}\n"
    )
    assert findings(text) == [(8, 10, E, "duplicate-id")]
    assert messages(text, "duplicate-id") == ["lane id 'agent' is already used by the lane at line 5"]


def test_duplicate_step_id_at_second_id_value_and_no_cascade():
    # The second 'c1' has its own flows; which step they belong to is unknowable,
    # so reachability rules stay silent instead of guessing.
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [c1]}
        - {id: c1, name: C2, lane: customer, next: [k1]}
        - {id: k1, name: K1, lane: agent}
        """
    )
    assert findings(text) == [(11, 10, E, "duplicate-id")]
    assert messages(text, "duplicate-id") == ["step id 'c1' is already used by the step at line 10"]


def test_lane_and_step_may_share_an_id():
    text = steps("- {id: agent, name: A, lane: agent}")
    assert findings(text, "duplicate-id") == []


# --------------------------------------------------------------------------- unknown-reference


def test_unknown_lane_with_suggestion_and_no_empty_lane_cascade():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agnet}
        """
    )
    # 'agent' is not reported empty: the misspelled step is meant for it.
    assert findings(text, skip=()) == [
        (6, 10, W, "empty-lane"),
        (7, 10, W, "empty-lane"),
        (8, 10, W, "empty-lane"),
        (11, 30, E, "unknown-reference"),
    ]
    assert messages(text, "unknown-reference") == [
        "step 't1' is in lane 'agnet', which is not a lane (did you mean 'agent'?)"
    ]


def test_unknown_next_shorthand_and_mapping_targets():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [{to: k1, when: x}, {to: t1x, when: y}]}
        - {id: k1, name: K1, lane: agent,    next: [t11]}
        - {id: t1, name: T1, lane: agent}
        """
    )
    assert findings(text) == [(10, 71, E, "unknown-reference"), (11, 47, E, "unknown-reference")]
    assert messages(text, "unknown-reference") == [
        "step 'c1' flows to 't1x', which is not a step (did you mean 't1'?)",
        "step 'k1' flows to 't11', which is not a step (did you mean 't1'?)",
    ]


def test_unknown_start_points_at_start_value_without_suggestion_when_nothing_is_close():
    text = steps("- {id: c1, name: C1, lane: customer}").replace(
        "process: {id: demo, name: Demo}", "process: {id: demo, name: Demo, start: zzzzzz}"
    )
    assert findings(text) == [(2, 40, E, "unknown-reference")]
    assert messages(text, "unknown-reference") == ["the process starts at 'zzzzzz', which is not a step"]


def test_misspelled_next_does_not_cascade_into_reachability_findings():
    # Only path to the end goes through the typo: without it, SPEC's definitions
    # would also give no-end (c1), dead-end (c1, k1) and unreachable-step (d1).
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [k1]}
        - {id: k1, name: K1, lane: agent,    next: [d2]}
        - {id: d1, name: D1, lane: customer}
        """
    )
    assert findings(text) == [(11, 47, E, "unknown-reference")]


def test_typo_elsewhere_does_not_hide_a_real_dead_end():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [{to: k1, when: x}, {to: l1, when: y}]}
        - {id: k1, name: K1, lane: agent,    next: [d2]}
        - {id: l1, name: L1, lane: agent,    next: [l2]}
        - {id: l2, name: L2, lane: agent,    next: [l1]}
        - {id: d1, name: D1, lane: customer}
        """
    )
    # d1 may be reached through the misspelled flow: not reported unreachable.
    assert findings(text) == [
        (11, 47, E, "unknown-reference"),
        (12, 10, W, "dead-end"),
        (13, 10, W, "dead-end"),
    ]


def test_all_references_known_gives_no_unknown_reference():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agent}
        """
    ).replace("{id: demo, name: Demo}", "{id: demo, name: Demo, start: c1}")
    assert findings(text, "unknown-reference") == []


# --------------------------------------------------------------------------- customer-step-backstage


def test_customer_step_backstage_at_visibility_value():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [c2], visibility: backstage}
        - {id: c2, name: C2, lane: customer, visibility: onstage}
        - {id: k1, name: K1, lane: agent,    visibility: backstage}
        """
    )
    assert findings(text, "customer-step-backstage") == [(10, 64, E, "customer-step-backstage")]


# --------------------------------------------------------------------------- unreachable-step


def test_unreachable_steps_from_explicit_start():
    text = steps(
        """
        - {id: a1, name: A1, lane: customer, next: [a2]}
        - {id: a2, name: A2, lane: customer, next: [b1]}
        - {id: b1, name: B1, lane: customer, next: [{to: b2, when: x}, {to: b3, when: y}]}
        - {id: b2, name: B2, lane: customer}
        - {id: b3, name: B3, lane: customer, next: [b1]}
        """
    ).replace("{id: demo, name: Demo}", "{id: demo, name: Demo, start: b1}")
    # a1 and a2 (a chain leading in) are unreachable; the loop b1 <-> b3 is reachable.
    assert findings(text) == [(10, 10, E, "unreachable-step"), (11, 10, E, "unreachable-step")]
    assert messages(text, "unreachable-step")[0] == "step 'a1' cannot be reached from the start step 'b1'"


def test_unreachable_closed_loop_is_also_a_dead_end():
    text = steps(
        """
        - {id: a1, name: A1, lane: customer}
        - {id: l1, name: L1, lane: agent,    next: [l2]}
        - {id: l2, name: L2, lane: agent,    next: [l1]}
        """
    )
    assert findings(text) == [
        (11, 10, W, "dead-end"),
        (11, 10, E, "unreachable-step"),
        (12, 10, W, "dead-end"),
        (12, 10, E, "unreachable-step"),
    ]


def test_every_branch_reachable_gives_no_unreachable_step():
    text = steps(
        """
        - {id: a1, name: A1, lane: customer, next: [{to: a3, when: x}, {to: a2, when: y}]}
        - {id: a2, name: A2, lane: customer, next: [a3]}
        - {id: a3, name: A3, lane: customer}
        """
    )
    assert findings(text) == []


def test_unknown_start_gives_only_unknown_reference():
    text = steps(
        """
        - {id: a1, name: A1, lane: customer, next: [a2]}
        - {id: a2, name: A2, lane: customer}
        """
    ).replace("{id: demo, name: Demo}", "{id: demo, name: Demo, start: a3}")
    assert findings(text) == [(2, 40, E, "unknown-reference")]


# --------------------------------------------------------------------------- no-end, dead-end


def test_no_end_cycle_reported_at_first_step_with_dead_ends():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agent,    next: [c1]}
        """
    )
    assert findings(text) == [(10, 10, W, "dead-end"), (10, 10, E, "no-end"), (11, 10, W, "dead-end")]
    assert messages(text, "no-end") == [
        "no end step (a step without `next`) can be reached from the start step 'c1': "
        "the process never finishes for the customer"
    ]


def test_no_end_with_explicit_start_points_at_start_value():
    text = steps(
        """
        - {id: d1, name: D1, lane: customer}
        - {id: c1, name: C1, lane: customer, next: [c1]}
        """
    ).replace("{id: demo, name: Demo}", "{id: demo, name: Demo, start: c1}")
    # d1 is an end step, but not reachable from the start.
    assert findings(text) == [
        (2, 40, E, "no-end"),
        (10, 10, E, "unreachable-step"),
        (11, 10, W, "dead-end"),
    ]


def test_no_end_not_reported_when_a_loop_has_an_exit():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agent,    next: [{to: c1, when: x}, {to: d1, when: y}]}
        - {id: d1, name: D1, lane: customer}
        """
    )
    assert findings(text) == []


def test_next_empty_list_is_an_end_step():
    text = steps("- {id: c1, name: C1, lane: customer, next: []}")
    assert findings(text) == []


def test_dead_end_loop_without_exit_beside_an_end():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [{to: d1, when: x}, {to: t1, when: y}]}
        - {id: d1, name: D1, lane: customer}
        - {id: t1, name: T1, lane: agent,    next: [t2]}
        - {id: t2, name: T2, lane: agent,    next: [t1]}
        """
    )
    assert findings(text) == [(12, 10, W, "dead-end"), (13, 10, W, "dead-end")]
    assert messages(text, "dead-end")[0] == (
        "no end step can be reached from step 't1': every path from it runs into a loop with no exit"
    )


def test_dead_end_self_loop_without_exit():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [{to: d1, when: x}, {to: t1, when: y}]}
        - {id: d1, name: D1, lane: customer}
        - {id: t1, name: T1, lane: agent,    next: [t1]}
        """
    )
    assert findings(text) == [(12, 10, W, "dead-end")]


def test_self_loop_and_nested_loops_with_exits_are_fine():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agent,    next: [{to: t1, when: x}, {to: t2, when: y}]}
        - {id: t2, name: T2, lane: agent,    next: [{to: t3, when: x}, {to: c1, when: y}]}
        - {id: t3, name: T3, lane: agent,    next: [{to: t2, when: x}, {to: d1, when: y}]}
        - {id: d1, name: D1, lane: customer}
        """
    )
    assert findings(text) == []


def test_steps_leading_into_a_trap_are_dead_ends_too():
    # t0 -> t1 <-> t2, and t0 is only reachable on one branch from c1.
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [{to: d1, when: x}, {to: t0, when: y}]}
        - {id: t0, name: T0, lane: agent,    next: [t1]}
        - {id: t1, name: T1, lane: agent,    next: [t2]}
        - {id: t2, name: T2, lane: agent,    next: [t1]}
        - {id: d1, name: D1, lane: customer}
        """
    )
    assert findings(text) == [(11, 10, W, "dead-end"), (12, 10, W, "dead-end"), (13, 10, W, "dead-end")]


# --------------------------------------------------------------------------- unlabeled-branch


def test_unlabeled_branch_at_first_unlabeled_flow():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [{to: d1, when: x}, d2, {to: d3, when: ""}]}
        - {id: d1, name: D1, lane: customer}
        - {id: d2, name: D2, lane: customer}
        - {id: d3, name: D3, lane: customer}
        """
    )
    assert findings(text) == [(10, 66, W, "unlabeled-branch")]
    assert messages(text, "unlabeled-branch") == [
        "step 'c1' branches 3 ways but the flow to 'd2', 'd3' has no `when` label"
    ]


def test_unlabeled_branch_all_flows_unlabeled():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [d1, d2]}
        - {id: d1, name: D1, lane: customer}
        - {id: d2, name: D2, lane: customer}
        """
    )
    assert findings(text) == [(10, 47, W, "unlabeled-branch")]


def test_single_unlabeled_flow_and_fully_labeled_branch_are_fine():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [c2]}
        - {id: c2, name: C2, lane: customer, next: [{to: d1, when: x}, {to: d2, when: y}]}
        - {id: d1, name: D1, lane: customer}
        - {id: d2, name: D2, lane: customer}
        """
    )
    assert findings(text) == []


# --------------------------------------------------------------------------- hidden-contact


def test_hidden_contact_every_backstage_kind_both_directions():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [k1]}
        - {id: k1, name: K1, lane: clerk,    next: [c2]}
        - {id: c2, name: C2, lane: customer, next: [s1]}
        - {id: s1, name: S1, lane: it,       next: [c3]}
        - {id: c3, name: C3, lane: customer, next: [o1]}
        - {id: o1, name: O1, lane: agent,    next: [c4], visibility: backstage}
        - {id: c4, name: C4, lane: customer, next: [k2]}
        - {id: k2, name: K2, lane: clerk,    next: [c5], visibility: onstage}
        - {id: c5, name: C5, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agent,    next: [k3]}
        - {id: k3, name: K3, lane: clerk,    next: [c6], owner: o}
        - {id: c6, name: C6, lane: customer}
        """
    )
    # backstage lane, support lane and an onstage-lane step overridden to backstage
    # all count; a backstage-lane step overridden to onstage (k2) does not, nor
    # does a customer action next to a touchpoint (c5 -> t1) or t1 -> k3.
    assert findings(text) == [
        (10, 47, W, "hidden-contact"),
        (11, 47, W, "hidden-contact"),
        (12, 47, W, "hidden-contact"),
        (13, 47, W, "hidden-contact"),
        (14, 47, W, "hidden-contact"),
        (15, 47, W, "hidden-contact"),
        (17, 47, INF, "visible-handoff"),
        (20, 47, W, "hidden-contact"),
    ]
    msgs = messages(text, "hidden-contact")
    assert msgs[0].startswith("customer action 'c1' flows straight to backstage step 'k1' (clerk)")
    assert msgs[1].startswith("backstage step 'k1' (clerk) flows straight to customer action 'c2'")


def test_no_hidden_contact_through_touchpoints():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agent,    next: [k1]}
        - {id: k1, name: K1, lane: clerk,    next: [t2], owner: o, backup: b}
        - {id: t2, name: T2, lane: agent,    next: [c2], owner: o}
        - {id: c2, name: C2, lane: customer}
        """
    )
    assert findings(text) == []


# --------------------------------------------------------------------------- empty-lane


def test_empty_lane_at_lane_id():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agent}
        """
    )
    assert findings(text, "empty-lane") == [
        (6, 10, W, "empty-lane"),
        (7, 10, W, "empty-lane"),
        (8, 10, W, "empty-lane"),
    ]
    assert messages(text, "empty-lane")[0] == "lane 'clerk' (backstage) has no steps"


def test_lane_of_a_step_with_schema_errors_is_not_empty():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agent}
        - {id: K1, name: K1, lane: clerk}
        """
    )
    assert all("clerk" not in m for m in messages(text, "empty-lane"))
    assert findings(text, "empty-lane") == [(7, 10, W, "empty-lane"), (8, 10, W, "empty-lane")]


# --------------------------------------------------------------------------- handoff-without-owner


def test_handoff_without_owner_by_class():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1]}
        - {id: t1, name: T1, lane: agent,    next: [t2]}
        - {id: t2, name: T2, lane: agent,    next: [b1], owner: o}
        - {id: b1, name: B1, lane: billing,  next: [k1]}
        - {id: k1, name: K1, lane: clerk,    next: [s1], owner: o, backup: b}
        - {id: s1, name: S1, lane: it,       next: [k2], owner: o}
        - {id: k2, name: K2, lane: clerk,    next: [c2]}
        - {id: c2, name: C2, lane: customer}
        """
    )
    # c1 -> t1: customer involved; t1 -> t2: same lane; b1 -> k1, k1 -> s1: owners.
    hw = findings(text, "handoff-without-owner")
    assert hw == [(12, 47, W, "handoff-without-owner"), (15, 47, W, "handoff-without-owner")]
    assert messages(text, "handoff-without-owner") == [
        "onstage handoff from 't2' (agent) to 'b1' (billing): step 'b1' has no owner, so nobody is accountable "
        "for picking it up",
        "backstage handoff from 's1' (it) to 'k2' (clerk): step 'k2' has no owner, so nobody is accountable "
        "for picking it up",
    ]


def test_visibility_line_handoff_without_owner():
    text = steps(
        """
        - {id: t1, name: T1, lane: agent,    next: [k1]}
        - {id: k1, name: K1, lane: clerk}
        """
    )
    assert findings(text) == [(10, 47, W, "handoff-without-owner")]
    assert messages(text, "handoff-without-owner")[0].startswith("visibility-line handoff from 't1' (agent)")


# --------------------------------------------------------------------------- no-backup


def test_no_backup_waiting_steps_between_consecutive_touchpoints():
    text = steps(
        """
        - {id: t1, name: T1, lane: agent,    next: [k1], owner: o}
        - {id: k1, name: K1, lane: clerk,    next: [c1], owner: o}
        - {id: c1, name: C1, lane: customer, next: [s1]}
        - {id: s1, name: S1, lane: it,       next: [t2], owner: o}
        - {id: t2, name: T2, lane: billing,  next: [o1], owner: o}
        - {id: o1, name: O1, lane: billing,  next: [t3], owner: o, visibility: backstage}
        - {id: t3, name: T3, lane: billing,  next: [k2], owner: o}
        - {id: k2, name: K2, lane: clerk,    next: [k3]}
        - {id: k3, name: K3, lane: clerk,    next: [t4], owner: o, backup: b}
        - {id: t4, name: T4, lane: clerk,    next: [k4], owner: o, visibility: onstage}
        - {id: k4, name: K4, lane: clerk,    owner: o}
        """
    )
    # k1 and s1 wait between t1 and t2 (a customer action between is fine); o1 is
    # an onstage-lane step made backstage between t2 and t3.  k2 has no owner, k3
    # has a backup, k4 comes after the last touchpoint: none reported.
    assert findings(text, "no-backup") == [
        (11, 10, INF, "no-backup"),
        (13, 10, INF, "no-backup"),
        (15, 10, INF, "no-backup"),
    ]
    assert messages(text, "no-backup")[0] == (
        "step 'k1' (owner: o) keeps the customer waiting between two touchpoints and has no backup"
    )


def test_no_backup_loop_back_to_the_same_touchpoint_and_before_the_first():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [k0]}
        - {id: k0, name: K0, lane: clerk,    next: [t1], owner: o}
        - {id: t1, name: T1, lane: agent,    next: [k1], owner: o}
        - {id: k1, name: K1, lane: clerk,    next: [{to: t1, when: x}, {to: d1, when: y}], owner: o}
        - {id: d1, name: D1, lane: customer}
        """
    )
    # k0 comes before the first touchpoint (the customer is not yet waiting on
    # anyone they met); k1 lies between t1 and t1 again.
    assert findings(text, "no-backup") == [(13, 10, INF, "no-backup")]


def test_no_backup_fail_points_anywhere():
    text = steps(
        """
        - {id: c1, name: C1, lane: customer, next: [t1], fail_point: true}
        - {id: t1, name: T1, lane: agent,    next: [k1], fail_point: true, backup: b}
        - {id: k1, name: K1, lane: clerk,    fail_point: true, owner: o}
        """
    )
    assert findings(text, "no-backup") == [(10, 10, INF, "no-backup"), (12, 10, INF, "no-backup")]
    assert messages(text, "no-backup")[0] == "step 'c1' is a fail point and has no backup"


# --------------------------------------------------------------------------- visible-handoff


def test_visible_handoffs_direct_relayed_and_through_customer_actions():
    text = steps(
        """
        - {id: t1, name: T1, lane: agent,    next: [t2], owner: o}
        - {id: t2, name: T2, lane: agent,    next: [b1], owner: o}
        - {id: b1, name: B1, lane: billing,  next: [k1], owner: o}
        - {id: k1, name: K1, lane: clerk,    next: [s1], owner: o, backup: b}
        - {id: s1, name: S1, lane: it,       next: [k2], owner: o, backup: b}
        - {id: k2, name: K2, lane: clerk,    next: [c1], owner: o, backup: b, visibility: onstage}
        - {id: c1, name: C1, lane: customer, next: [t3]}
        - {id: t3, name: T3, lane: agent,    owner: o}
        """
    )
    # (t1, t2): same lane.  (t2, b1): direct.  (b1, k2): backstage relay k1, s1 to
    # a backstage-lane step made onstage.  (k2, t3): through a customer action.
    assert findings(text) == [
        (11, 47, INF, "visible-handoff"),
        (12, 47, INF, "visible-handoff"),
        (15, 47, INF, "visible-handoff"),
    ]
    assert messages(text, "visible-handoff") == [
        "customer-visible handoff: after 't2' (agent) the customer next deals with 'b1' (billing)",
        "customer-visible handoff: after 'b1' (billing) the customer next deals with 'k2' (clerk) via 'k1', 's1'",
        "customer-visible handoff: after 'k2' (clerk) the customer next deals with 't3' (agent) via 'c1'",
    ]


def test_visible_handoff_reported_once_with_shortest_via_and_file_order_ties():
    text = steps(
        """
        - {id: t1, name: T1, lane: agent,    next: [{to: k3, when: x}, {to: k2, when: y}, {to: k1, when: z}], owner: o}
        - {id: k1, name: K1, lane: clerk,    next: [k4], owner: o, backup: b}
        - {id: k2, name: K2, lane: clerk,    next: [b1], owner: o, backup: b}
        - {id: k3, name: K3, lane: clerk,    next: [b1], owner: o, backup: b}
        - {id: k4, name: K4, lane: clerk,    next: [b1], owner: o, backup: b}
        - {id: b1, name: B1, lane: billing,  owner: o}
        """
    )
    # Three paths t1 -> b1; the shortest are via k2 and via k3, and k2 comes first
    # in the file.  Reported at t1's flow to k2 (the second flow, column 66).
    assert findings(text) == [(10, 66, INF, "visible-handoff")]
    assert messages(text, "visible-handoff") == [
        "customer-visible handoff: after 't1' (agent) the customer next deals with 'b1' (billing) via 'k2'"
    ]


def test_no_visible_handoff_past_an_intermediate_touchpoint_or_within_a_lane():
    text = steps(
        """
        - {id: t1, name: T1, lane: agent,    next: [t1b], owner: o}
        - {id: t1b, name: T1b, lane: agent,  next: [t2], owner: o}
        - {id: t2, name: T2, lane: billing,  next: [{to: t2, when: x}, {to: t3, when: y}], owner: o}
        - {id: t3, name: T3, lane: billing,  owner: o}
        """
    )
    # Only (t1b, t2): t1 -> t2 has t1b, a touchpoint, inside; self-loop and
    # t2 -> t3 stay in one lane.
    assert findings(text) == [(11, 47, INF, "visible-handoff")]


def test_visible_handoffs_around_a_loop_both_ways():
    text = steps(
        """
        - {id: t1, name: T1, lane: agent,    next: [b1], owner: o}
        - {id: b1, name: B1, lane: billing,  next: [{to: t1, when: x}, {to: d1, when: y}], owner: o}
        - {id: d1, name: D1, lane: customer}
        """
    )
    assert findings(text) == [(10, 47, INF, "visible-handoff"), (11, 47, INF, "visible-handoff")]


# --------------------------------------------------------------------------- budget


def _budget_text() -> str:
    return steps(
        """
        - {id: t1, name: T1, lane: agent,    next: [b1], owner: o}
        - {id: b1, name: B1, lane: billing,  next: [t2], owner: o}
        - {id: t2, name: T2, lane: agent,    owner: o}
        """
    )


def test_budget_exceeded_is_an_error_at_process_id():
    cfg = Config(budgets={"max-visible-handoffs": 1})
    assert findings(_budget_text(), "budget", config=cfg) == [(2, 15, E, "budget")]
    assert messages(_budget_text(), "budget", cfg) == [
        "process 'demo' has 2 customer-visible handoffs, over the budget of 1 (max-visible-handoffs)"
    ]


def test_budget_touchpoints_and_limits_that_are_met():
    assert findings(_budget_text(), "budget", config=Config(budgets={"max-touchpoints": 2})) == [(2, 15, E, "budget")]
    assert findings(_budget_text(), "budget", config=Config(budgets={"max-touchpoints": 3})) == []
    assert findings(_budget_text(), "budget", config=Config(budgets={"max-visible-handoffs": 2})) == []
    assert findings(_budget_text(), "budget") == []


# --------------------------------------------------------------------------- severities and suppressions (units)


def test_configured_severity_changes_and_off_removes():
    text = _budget_text()
    cfg = Config(severities={"visible-handoff": Severity.WARNING, "empty-lane": None})
    assert findings(text, config=cfg, skip=()) == [(10, 47, W, "visible-handoff"), (11, 47, W, "visible-handoff")]


def test_inline_suppression_only_that_line_and_those_ids():
    text = steps(
        """
        - {id: t1, name: T1, lane: agent,    next: [b1], owner: o}  # procmap: ignore[visible-handoff, dead-end]
        - {id: b1, name: B1, lane: billing,  next: [t2]}  # procmap: ignore[no-backup]
        - {id: t2, name: T2, lane: agent,    owner: o}
        """
    )
    assert findings(text) == [
        (10, 47, W, "handoff-without-owner"),
        (11, 47, INF, "visible-handoff"),
    ]
