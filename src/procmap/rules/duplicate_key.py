from procmap.diagnostics import Severity
from procmap.rules.base import Rule

RULE = Rule(
    id="duplicate-key",
    severity=Severity.ERROR,
    summary="a mapping key given twice",
    doc=(
        "A key appears twice in the same mapping. YAML parsers silently keep the last value, so "
        "the first one is lost without a word: a step's `next` or `owner` written twice means one "
        "of them is not what the process does. Reported at the second occurrence."
    ),
    bad="""\
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
    owner: Tier-1 agent
    owner: Tier-2 agent   # YAML would keep only this one
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
    owner: Tier-1 agent
    backup: Tier-2 agent
""",
)
