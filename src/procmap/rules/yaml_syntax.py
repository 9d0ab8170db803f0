from procmap.diagnostics import Severity
from procmap.rules.base import Rule

RULE = Rule(
    id="yaml-syntax",
    severity=Severity.ERROR,
    summary="YAML that does not parse",
    doc=(
        "The file is not YAML procmap can read: a syntax error, text that is not UTF-8, several "
        "documents in one file, an object-building tag such as `!!python/object`, an alias that "
        "expands too far, or nesting far deeper than any process needs. Nothing else can be checked "
        "until this is fixed, and a process nobody can read cannot be reviewed."
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
    next: [answer   # the list is never closed
  - id: answer
    name: Answer
    lane: agent
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
""",
)
