"""The pydantic models of the format (SPEC §2) and duration parsing, as units."""

from __future__ import annotations

import re

import pytest
import yaml
from pydantic import ValidationError

from procmap.model.durations import format_duration, parse_duration
from procmap.model.process import DURATION_PATTERN, SLUG_PATTERN, Flow, Lane, ProcessFile, ProcessInfo, Step

SPEC_EXAMPLE = """\
version: 1
process:
  id: support-ticket
  name: Support ticket
  description: Free text
  owner: Customer care
  start: open-ticket
lanes:
  - id: customer
    name: Customer
    kind: customer
  - id: agent
    name: Support agent
    kind: onstage
steps:
  - id: open-ticket
    name: Open a ticket
    lane: customer
    channel: web
    next: [triage]
  - id: triage
    name: Triage ticket
    lane: agent
    visibility: onstage
    owner: Tier-1 agent
    backup: Tier-1 lead
    duration: 15m
    sla: 1h
    evidence: Ticket e-mail
    data: [pii]
    fail_point: true
    next:
      - to: solve
        when: known issue
      - to: escalate
        when: needs engineering
"""


def minimal(**step: object) -> dict:
    return {
        "version": 1,
        "process": {"id": "p", "name": "P"},
        "lanes": [{"id": "customer", "name": "Customer", "kind": "customer"}],
        "steps": [{"id": "a", "name": "A", "lane": "customer", **step}],
    }


def test_spec_example_reads_every_key():
    model = ProcessFile.model_validate(yaml.safe_load(SPEC_EXAMPLE))
    assert model.process.start == "open-ticket"
    assert model.start_id() == "open-ticket"
    assert [lane.kind for lane in model.lanes] == ["customer", "onstage"]
    open_ticket, triage = model.steps
    assert [(f.to, f.when) for f in open_ticket.next] == [("triage", None)]
    assert [(f.to, f.when) for f in triage.next] == [("solve", "known issue"), ("escalate", "needs engineering")]
    assert triage.duration_seconds == 900 and triage.sla_seconds == 3600
    assert triage.data == ["pii"] and triage.fail_point is True
    assert triage.visibility == "onstage" and open_ticket.visibility is None


def test_defaults():
    step = ProcessFile.model_validate(minimal()).steps[0]
    assert step.next == [] and step.data == [] and step.fail_point is False
    assert step.visibility is None and step.duration_seconds is None and step.sla_seconds is None
    assert ProcessFile.model_validate(minimal()).start_id() == "a"  # default: the first step


@pytest.mark.parametrize("slug", ["a", "open-ticket", "tier_2", "3ds-check", "x" * 200])
def test_slugs_accepted(slug):
    assert re.match(SLUG_PATTERN, slug)
    assert Step(id=slug, name="N", lane=slug).id == slug


@pytest.mark.parametrize("slug", ["", "Open", "open ticket", "-draft", "_x", "étape", "a.b", "x" * 201])
def test_slugs_rejected(slug):
    with pytest.raises(ValidationError):
        Step(id=slug, name="N", lane="customer")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("15m", 900),
        ("2h", 7200),
        ("3d", 259200),
        ("1w", 604800),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("1.5h", 5400),
        ("PT15M", 900),
        ("pt15m", 900),
        ("PT1H30M", 5400),
        ("P1DT2H", 93600),
        ("P2W", 1209600),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds
    assert re.match(DURATION_PATTERN, text), "the JSON Schema pattern must accept what the parser accepts"
    assert Step(id="a", name="A", lane="l", duration=text).duration_seconds == seconds


@pytest.mark.parametrize("text", ["soon", "15 minutes", "15", "PT", "P", "", "P1M", "P1Y", "-5m", "1y", "m15"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)
    assert not re.match(DURATION_PATTERN, text), "the JSON Schema pattern must reject what the parser rejects"
    with pytest.raises(ValidationError):
        Step(id="a", name="A", lane="l", sla=text)


def test_format_duration():
    assert format_duration(0) == "0s"
    assert format_duration(5400) == "1h 30m"
    assert format_duration(93600 + 61) == "1d 2h 1m"  # exact to the minute (tests/test_story_words.py)


@pytest.mark.parametrize(
    "change",
    [
        {"name": 123},  # strict: no number-to-string coercion
        {"fail_point": "true"},  # no string-to-bool coercion
        {"next": "b"},  # a list, not one string
        {"data": "pii"},
        {"visibility": "hidden"},
        {"colour": "red"},  # unknown keys are errors
        {"next": [{"to": "b", "whn": "x"}]},
        {"next": [5]},
    ],
)
def test_strict_step_fields(change):
    with pytest.raises(ValidationError):
        ProcessFile.model_validate(minimal(**change))


def test_flow_shorthand_and_mixed_forms():
    step = ProcessFile.model_validate(minimal(next=["b", {"to": "c", "when": "x"}])).steps[0]
    assert [(f.to, f.when) for f in step.next] == [("b", None), ("c", "x")]


@pytest.mark.parametrize(
    "data",
    [
        {**minimal(), "version": 2},
        {**minimal(), "version": "1"},
        {**minimal(), "lanes": []},
        {**minimal(), "steps": []},
        {**minimal(), "extra": 1},
        {k: v for k, v in minimal().items() if k != "process"},
    ],
)
def test_strict_top_level(data):
    with pytest.raises(ValidationError):
        ProcessFile.model_validate(data)


def test_lane_kinds():
    for kind in ("customer", "onstage", "backstage", "support"):
        assert Lane(id="l", name="L", kind=kind).kind == kind
    with pytest.raises(ValidationError):
        Lane(id="l", name="L", kind="frontstage")


def test_models_are_frozen():
    info = ProcessInfo(id="p", name="P")
    with pytest.raises(ValidationError):
        info.id = "q"  # type: ignore[misc]


def test_every_field_is_documented():
    """docs/format.md and the editor schema are generated from these descriptions."""
    for model in (ProcessFile, ProcessInfo, Lane, Step, Flow):
        assert model.__doc__, model
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
