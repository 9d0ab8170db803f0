"""SPEC §5.7 through the CLI: chase, planned, sla_from, probability, main and worst, --worst-by, max-comes-back."""

from __future__ import annotations

import json

import pytest

from conftest import EXAMPLES

HEAD = """\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Clerk, kind: backstage}
steps:
"""

# A call, a clerk who is away 30 % of the time, a customer who then calls again.
STORY = (
    HEAD
    + """\
  - {id: call, name: Call, lane: customer, channel: phone, next: [take]}
  - id: take
    name: Take the call
    lane: agent
    channel: phone
    duration: 10m
    next: [desk]
  - id: desk
    name: Correct it
    lane: clerk
    duration: 2d
    next:
      - {to: mail, when: in, share: 0.7}
      - {to: again, when: away, share: 0.3}
  - {id: again, name: Call again, lane: customer, channel: phone, contact: chase, next: [answer]}
  - id: answer
    name: Promise a call back
    lane: agent
    channel: phone
    duration: 15m
    next: [desk]
  - id: mail
    name: Send the corrected invoice
    lane: agent
    channel: email
    contact: update
    duration: 1m
    sla: 2d
    sla_from: call
"""
)


def _validate(cli, write, text: str) -> list[dict]:
    result = cli("validate", "--format", "json", write(HEAD + text))
    return json.loads(result.stdout)["diagnostics"]


def _journeys(cli, path, *flags: str) -> dict:
    result = cli("audit", "--format", "json", *flags, path)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["processes"][0]["journeys"]


def test_chase_only_on_a_customer_action_and_never_the_start(cli, write) -> None:
    found = _validate(
        cli,
        write,
        """\
  - {id: ask, name: Ask, lane: customer, contact: chase, next: [answer]}
  - {id: answer, name: Answer, lane: agent, contact: chase, next: [again]}
  - {id: again, name: Ask again, lane: customer, contact: chase}
""",
    )
    schema = [(d["line"], d["column"], d["message"]) for d in found if d["rule"] == "schema"]
    assert [(line, col) for line, col, _ in schema] == [(8, 51), (9, 54)]
    assert "where the process starts" in schema[0][2] and "not in the customer lane" in schema[1][2]


def test_sla_from_must_name_a_facing_step_with_an_sla_and_an_existing_id(cli, write) -> None:
    found = _validate(
        cli,
        write,
        """\
  - {id: ask, name: Ask, lane: customer, next: [file]}
  - {id: file, name: File, lane: clerk, sla: 1d, sla_from: file, next: [reply]}
  - {id: reply, name: Reply, lane: agent, sla_from: ask, next: [close]}
  - {id: close, name: Close, lane: agent, sla: 1d, sla_from: asx}
""",
    )
    got = [(d["rule"], d["line"], d["column"]) for d in found]
    assert ("schema", 9, 60) in got  # file is backstage: the customer does not see it
    assert ("schema", 10, 53) in got  # sla_from without sla
    assert ("unknown-reference", 11, 62) in got
    messages = {d["rule"]: d["message"] for d in found if d["line"] in (9, 11)}
    assert "does not see" in messages["schema"] and "which is not a step" in messages["unknown-reference"]


def test_planned_only_on_a_loop_edge(cli, write) -> None:
    found = _validate(
        cli,
        write,
        """\
  - id: visit
    name: Visit
    lane: customer
    next: [{to: see, planned: true}]
  - id: see
    name: See the doctor
    lane: agent
    next:
      - {to: visit, when: follow-up, planned: true}
      - {to: done, when: all clear}
  - {id: done, name: Done, lane: agent}
""",
    )
    schema = [(d["line"], d["column"], d["message"]) for d in found if d["rule"] == "schema"]
    assert [(line, col) for line, col, _ in schema] == [(11, 31)]  # visit -> see goes forward; see -> visit is the loop
    assert "planned but does not go back" in schema[0][2]
    # The planned follow-up is no repeat contact.
    assert not [d for d in found if d["rule"] == "repeat-contact"]


def test_the_story_figures(cli, write) -> None:
    path = write(STORY)
    j = _journeys(cli, path)
    # Most probable first: the clerk was in (70 %).
    assert j["main"]["steps"] == ["call", "take", "desk", "mail"] and j["main"]["probability"] == pytest.approx(0.7)
    # Worst: the customer comes back (a chase and a repeat), 0.3 x 0.7 of customers.
    assert j["worst"]["steps"] == ["call", "take", "desk", "again", "answer", "desk", "mail"]
    assert j["worst"]["probability"] == pytest.approx(0.21)
    assert (j["worst"]["figures"]["chases"], j["worst"]["figures"]["repeats"]) == (1, 1)
    assert j["expected"]["p_comes_back"] == pytest.approx(0.3)
    assert j["expected"]["chases"] == pytest.approx(0.3 / 0.7)  # 0.3 + 0.09 + 0.027 + ...
    # From the first call, not the chase: 10m + 2d + 15m + 2d + 1m = 4d 26m.
    assert j["sla"] == [{"step": "mail", "sla": 172800, "longest_wait": 347160, "from": "call", "breach": True}]
    # No round for the loop: no journey reaches the chase; the promise still breaks, by 11 minutes.
    j0 = _journeys(cli, path, "--repeats", "0")
    assert j0["worst"]["figures"]["chases"] == 0 and j0["sla"][0]["longest_wait"] == 173460  # 10m + 2d + 1m
    assert j0["sla"][0]["breach"] is True


def test_worst_by_replaces_the_order_and_refuses_unknown_names(cli, write) -> None:
    path = write(STORY)
    j = _journeys(cli, path, "--worst-by", "channel_switches, touchpoints")
    assert j["worst"]["figures"]["channel_switches"] == 1  # phone -> email, whichever way
    assert j["worst"]["steps"] == ["call", "take", "desk", "again", "answer", "desk", "mail"]
    j = _journeys(cli, path, "--worst-by", "parties")
    assert j["worst"]["steps"] == ["call", "take", "desk", "mail"]  # a tie: the fewest steps
    result = cli("audit", "--worst-by", "comes_back,silence", path)
    assert result.exit_code == 2
    assert "--worst-by: 'silence' is not a journey figure" in result.stderr


def test_max_comes_back_from_flags_and_config(cli, write, tmp_path, monkeypatch) -> None:
    path = write(STORY)
    result = cli("audit", "--max-comes-back", "0.25", path)
    assert result.exit_code == 1
    assert "has 30 % of customers coming back, over the budget of 25 % (max-comes-back)" in result.stderr
    assert cli("audit", "--max-comes-back", "0.3", path).exit_code == 0
    # Without shares there is no probability: any journey that comes back exceeds the budget.
    unshared = write(STORY.replace(", share: 0.7", "").replace(", share: 0.3", ""), "unshared.yaml")
    result = cli("audit", "--max-comes-back", "0.9", unshared)
    assert result.exit_code == 1 and "a journey where the customer comes back" in result.stderr
    budgets = [
        b
        for b in json.loads(cli("audit", "-f", "json", "--max-comes-back", "0.9", unshared).stdout)["processes"][0][
            "budgets"
        ]
    ]
    assert budgets == [
        {"budget": "max-comes-back", "metric": "p_comes_back", "limit": 0.9, "value": None, "exceeded": True}
    ]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "procmap.toml").write_text("[budgets]\nmax-comes-back = 0.5\n")
    assert cli("audit", path).exit_code == 0
    (tmp_path / "procmap.toml").write_text("[budgets]\nmax-comes-back = 1.5\n")
    result = cli("audit", path)
    assert result.exit_code == 2 and "budget 'max-comes-back' must be a probability from 0 to 1" in result.stderr


def test_hidden_contact_skips_a_flow_into_a_chase(cli, write) -> None:
    found = _validate(
        cli,
        write,
        """\
  - {id: ask, name: Ask, lane: customer, next: [work]}
  - {id: work, name: Work, lane: clerk, next: [{to: again, when: nothing came}, {to: ask2, when: asked}]}
  - {id: again, name: Ask again, lane: customer, contact: chase, next: [reply]}
  - {id: ask2, name: Ask something else, lane: customer, next: [reply]}
  - {id: reply, name: Reply, lane: agent}
""",
    )
    hidden = [(d["line"], d["message"]) for d in found if d["rule"] == "hidden-contact"]
    assert [line for line, _ in hidden] == [8, 9]  # ask -> work, work -> ask2; not work -> again
    chases = [d for d in found if d["rule"] == "repeat-contact"]
    assert [(d["line"], d["column"]) for d in chases] == [(10, 59)]
    assert "is a chase" in chases[0]["message"]


def test_clinic_follow_up_is_planned_and_the_invoice_worst_is_the_call_again(cli) -> None:
    clinic = _journeys(cli, EXAMPLES / "clinic-appointment.yaml")
    assert ("review-results", "book-slot") not in {(x["from"], x["to"]) for x in clinic["repeat_loops"]}
    invoice = _journeys(cli, EXAMPLES / "stories" / "wrong-invoice.yaml")
    assert "call-again" in invoice["worst"]["steps"] and "call-again" not in invoice["main"]["steps"]
    assert invoice["sla"][0]["from"] == "first-call" and invoice["sla"][0]["breach"] is True
