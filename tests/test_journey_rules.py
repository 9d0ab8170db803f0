"""SPEC §5.5's rules at the exact node SPEC names, through the real CLI."""

from __future__ import annotations

import json

HEAD = """\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Clerk, kind: backstage}
steps:
"""


def _found(cli, write, body: str, rule: str) -> list[tuple[int, int, str, str]]:
    result = cli("validate", "--format", "json", write(HEAD + body))
    return [
        (d["line"], d["column"], d["severity"], d["message"])
        for d in json.loads(result.stdout)["diagnostics"]
        if d["rule"] == rule
    ]


def test_repeat_contact_at_the_loop_flow_and_not_for_a_backstage_rework_loop(cli, write) -> None:
    body = """\
  - id: call
    name: Call
    lane: customer
    next: [answer]
  - id: answer
    name: Answer
    lane: agent
    next:
      - {to: check, when: ok}
      - {to: call, when: call back}
  - id: check
    name: Check
    lane: clerk
    next:
      - {to: check, when: again}
      - {to: done, when: ok}
  - id: done
    name: Done
    lane: agent
"""
    found = _found(cli, write, body, "repeat-contact")
    assert [(line, col, sev) for line, col, sev, _ in found] == [(17, 9, "info")]
    assert "'call', 'answer'" in found[0][3]


def test_backup_is_owner_at_the_backup_value_ignoring_case_and_spaces(cli, write) -> None:
    body = """\
  - id: call
    name: Call
    lane: customer
    next: [answer]
  - id: answer
    name: Answer
    lane: agent
    owner: Ann Lee
    backup: "  ann lee "
    next: [done]
  - id: done
    name: Done
    lane: agent
    owner: Ann Lee
    backup: Bob
"""
    found = _found(cli, write, body, "backup-is-owner")
    assert [(line, col, sev) for line, col, sev, _ in found] == [(16, 13, "warning")]


def test_asked_twice_at_the_second_steps_data_once_per_pair(cli, write) -> None:
    body = """\
  - id: call
    name: Call
    lane: customer
    data: [pii, invoice]
    next: [answer]
  - id: answer
    name: Answer
    lane: agent
    next: [again]
  - id: again
    name: Give it again
    lane: customer
    data: [invoice]
    next: [third]
  - id: third
    name: And again
    lane: customer
    data: [invoice, pii]
"""
    found = _found(cli, write, body, "asked-twice")
    # (invoice, call, again) at again's data; at third: (invoice, call), (pii, call), (invoice, again)
    assert [(line, col) for line, col, _, _ in found] == [(20, 11), (25, 11), (25, 11), (25, 11)]
    assert all(sev == "info" for _, _, sev, _ in found)


def test_sla_breach_at_the_sla_value_and_unbounded_loops(cli, write) -> None:
    body = """\
  - id: call
    name: Call
    lane: customer
    next: [check]
  - id: check
    name: Check
    lane: clerk
    duration: 2d
    next:
      - {to: check, when: not yet}
      - {to: reply, when: done}
  - id: reply
    name: Reply
    lane: agent
    duration: 1h
    sla: 30d
  - id: slow
    name: Unused
    lane: agent
    sla: 1h
"""
    found = _found(cli, write, body, "sla-breach")
    assert [(line, col, sev) for line, col, sev, _ in found] == [(23, 10, "warning")]
    assert "without limit" in found[0][3]


def test_sla_within_the_promise_is_not_reported(cli, write) -> None:
    body = """\
  - id: call
    name: Call
    lane: customer
    next: [check]
  - id: check
    name: Check
    lane: clerk
    duration: 2d
    next: [reply]
  - id: reply
    name: Reply
    lane: agent
    duration: 1h
    sla: 49h
"""
    assert _found(cli, write, body, "sla-breach") == []
    body = body.replace("sla: 49h", "sla: 48h59m")
    found = _found(cli, write, body, "sla-breach")
    assert [(line, col) for line, col, _, _ in found] == [(21, 10)]
    assert "2d 1h since 'call'" in found[0][3]


def test_repeat_contact_names_a_few_facing_steps_and_counts_the_rest(cli, write) -> None:
    """A loop round a big process stays one readable line (the hostile 20,000-step cycle once made it 200 KB)."""
    chain = "".join(
        f"  - {{id: s{i}, name: S{i}, lane: {'customer' if i % 2 == 0 else 'agent'}, next: [s{i + 1}]}}\n"
        for i in range(9)
    )
    body = (
        chain
        + "  - id: s9\n    name: S9\n    lane: agent\n    next:\n      - {to: end, when: done}\n"
        + ("      - {to: s0, when: again}\n  - {id: end, name: End, lane: agent}\n")
    )
    found = _found(cli, write, body, "repeat-contact")
    assert len(found) == 1
    message = found[0][3]
    assert "'s0', 's1', 's2', 's3', 's4' and 5 more again" in message
    assert "'s5'" not in message


def test_asked_twice_is_listed_to_a_limit_with_the_exact_count(cli, write) -> None:
    """60 customer actions in a row giving one class: 1,770 pairs, the first 1,000 listed in SPEC order."""
    steps = "".join(
        f"  - {{id: s{i}, name: S{i}, lane: customer, data: [x], next: [{'t' if i == 59 else f's{i + 1}'}]}}\n"
        for i in range(60)
    )
    result = cli("audit", "-f", "json", write(HEAD + steps + "  - {id: t, name: T, lane: agent}\n"))
    journeys = json.loads(result.stdout)["processes"][0]["journeys"]
    listed = journeys["asked_twice"]
    assert len(listed) == 1000 and journeys["asked_twice_omitted"] == 60 * 59 // 2 - 1000
    assert listed[:3] == [
        {"data": "x", "first": "s0", "second": "s1"},
        {"data": "x", "first": "s0", "second": "s2"},
        {"data": "x", "first": "s1", "second": "s2"},
    ]


def test_asked_twice_under_the_limit_has_no_extra_key(cli, write) -> None:
    steps = "".join(
        f"  - {{id: s{i}, name: S{i}, lane: customer, data: [x], next: [{'t' if i == 2 else f's{i + 1}'}]}}\n"
        for i in range(3)
    )
    result = cli("audit", "-f", "json", write(HEAD + steps + "  - {id: t, name: T, lane: agent}\n"))
    journeys = json.loads(result.stdout)["processes"][0]["journeys"]
    assert len(journeys["asked_twice"]) == 3 and "asked_twice_omitted" not in journeys
