from procmap.diagnostics import Severity
from procmap.rules.base import Rule

RULE = Rule(
    id="schema",
    name="SchemaViolation",
    severity=Severity.ERROR,
    summary="missing/unknown keys, wrong types, bad slugs/durations",
    doc=(
        "The file does not follow the format: a required key is missing, a key is unknown (a typo "
        "must never pass silently), a value has the wrong type, an id is not a slug, a duration "
        "cannot be read, or the version is not 1. Unknown keys come with the closest known key."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: ask
    nmae: Ask a question   # typo in a key
    lane: customer
    next: [answer]
  - id: answer
    name: Answer
    lane: agent
    duration: soon   # not a duration
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: ask
    name: Ask a question
    lane: customer
    next: [answer]
  - id: answer
    name: Answer
    lane: agent
    duration: 15m
""",
)
