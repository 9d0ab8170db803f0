"""SPEC §5.1: `contact: update` and `share`, with their `schema` errors at the right node."""

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


def _diagnostics(cli, write, steps: str) -> list[dict]:
    path = write(HEAD + steps)
    result = cli("validate", "--format", "json", path)
    return [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "schema"]


def test_shares_that_add_up_are_accepted(cli, write) -> None:
    steps = """\
  - id: ask
    name: Ask
    lane: customer
    next:
      - {to: yes, when: yes, share: 0.7}
      - {to: no, when: no, share: 0.3}
  - {id: "yes", name: Yes, lane: agent}
  - {id: "no", name: No, lane: agent}
"""
    assert _diagnostics(cli, write, steps) == []


def test_shares_off_by_more_than_a_thousandth_are_an_error_at_next(cli, write) -> None:
    steps = """\
  - id: ask
    name: Ask
    lane: customer
    next:
      - {to: a, when: x, share: 0.7}
      - {to: b, when: y, share: 0.298}
  - {id: a, name: A, lane: agent}
  - {id: b, name: B, lane: agent}
"""
    found = _diagnostics(cli, write, steps)
    assert [(d["line"], d["column"]) for d in found] == [(12, 7)]
    assert "0.998" in found[0]["message"]


def test_within_tolerance_passes(cli, write) -> None:
    steps = """\
  - id: ask
    name: Ask
    lane: customer
    next:
      - {to: a, when: x, share: 0.7}
      - {to: b, when: y, share: 0.3009}
  - {id: a, name: A, lane: agent}
  - {id: b, name: B, lane: agent}
"""
    assert _diagnostics(cli, write, steps) == []


def test_some_flows_without_share_is_an_error_naming_them(cli, write) -> None:
    steps = """\
  - id: ask
    name: Ask
    lane: customer
    next:
      - {to: a, when: x, share: 1}
      - {to: b, when: y}
  - {id: a, name: A, lane: agent}
  - {id: b, name: B, lane: agent}
"""
    found = _diagnostics(cli, write, steps)
    assert [(d["line"], d["column"]) for d in found] == [(12, 7)]
    assert "'b'" in found[0]["message"]


def test_share_out_of_range_is_an_error_at_the_value_without_a_cascade(cli, write) -> None:
    steps = """\
  - id: ask
    name: Ask
    lane: customer
    next:
      - {to: a, when: x, share: 0}
      - {to: b, when: y, share: 1}
  - {id: a, name: A, lane: agent}
  - {id: b, name: B, lane: agent}
"""
    found = _diagnostics(cli, write, steps)
    assert [(d["line"], d["column"]) for d in found] == [(12, 33)]


def test_update_on_a_touchpoint_is_fine_elsewhere_an_error_at_contact(cli, write) -> None:
    steps = """\
  - id: ask
    name: Ask
    lane: customer
    contact: update
    next: [mail]
  - id: mail
    name: Mail
    lane: agent
    contact: update
    next: [file]
  - id: file
    name: File it
    lane: clerk
    contact: update
    next: [call]
  - id: call
    name: Call back
    lane: clerk
    visibility: onstage
    contact: update
"""
    found = _diagnostics(cli, write, steps)
    assert [(d["line"], d["column"]) for d in found] == [(11, 14), (21, 14)]
    assert "customer lane" in found[0]["message"] and "backstage" in found[1]["message"]


def test_unknown_contact_value_is_a_schema_error(cli, write) -> None:
    steps = """\
  - id: ask
    name: Ask
    lane: agent
    contact: newsletter
"""
    found = _diagnostics(cli, write, steps)
    assert [(d["line"], d["column"]) for d in found] == [(11, 14)]
