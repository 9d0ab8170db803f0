from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    kinds = {lane.id: lane.kind for lane in ctx.model.lanes}
    for i, step in enumerate(ctx.model.steps):
        if step.visibility == "backstage" and kinds.get(step.lane) == "customer":
            yield Finding(
                ctx.step_loc(i, "visibility"),
                f"step '{step.id}' is a customer action (lane '{step.lane}') but is marked backstage; "
                "what the customer does is always onstage",
            )


RULE = Rule(
    id="customer-step-backstage",
    severity=Severity.ERROR,
    summary="a customer-lane step marked backstage",
    doc=(
        "A step in a customer lane has `visibility: backstage`. The customer always sees what they do "
        "themself, so the step is onstage whatever the file says; the marking hides a customer action "
        "from the audit. Move the step to a backstage lane, or drop the override."
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
    visibility: backstage   # the customer sees what they do
    next: [answer]
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
    check=check,
)
