from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for i, step in enumerate(ctx.model.steps):
        if len(step.next) < 2:
            continue
        unlabeled = [j for j, flow in enumerate(step.next) if not (flow.when and flow.when.strip())]
        if unlabeled:
            names = ", ".join(" + ".join(f"'{t}'" for t in step.next[j].targets) for j in unlabeled)
            yield Finding(
                ctx.flow_loc(i, unlabeled[0]),
                f"step '{step.id}' branches {len(step.next)} ways but the flow to {names} has no `when` label",
            )


RULE = Rule(
    id="unlabeled-branch",
    severity=Severity.WARNING,
    summary="a step with several `next` flows, some without `when`",
    doc=(
        "A step branches but not every branch says when it is taken. Readers of the diagram, and "
        "the staff who run the process, cannot tell which way a customer goes. Give every flow of "
        "a branching step a `when` label."
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
    next: [phone, email]   # which one, when?
  - id: phone
    name: Answer by phone
    lane: agent
  - id: email
    name: Answer by e-mail
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
    next:
      - {to: phone, when: urgent}
      - {to: email, when: not urgent}
  - id: phone
    name: Answer by phone
    lane: agent
  - id: email
    name: Answer by e-mail
    lane: agent
""",
    check=check,
)
