from collections.abc import Iterator

from procmap.analysis.facts import same_person
from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for index, step in enumerate(ctx.model.steps):
        if same_person(step.owner, step.backup):
            yield Finding(
                ctx.step_loc(index, "backup"),
                f"step '{step.id}' names its owner '{step.owner}' as its backup: nobody covers when the owner is away",
            )


RULE = Rule(
    id="backup-is-owner",
    severity=Severity.WARNING,
    summary="a `backup` that is the step's own `owner` — no backup at all",
    doc=(
        "The step's `backup` is the same as its `owner` (case and surrounding spaces ignored). A "
        "backup is who covers when the owner is away; naming the owner again means that when they "
        "are away the work waits for them, and the customer waits with it. Reported at the `backup` "
        "value. Name the person or role who really covers."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Billing clerk, kind: backstage}
steps:
  - id: call
    name: Take the call
    lane: agent
    owner: Agent
    next: [check]
  - id: check
    name: Check the invoice
    lane: clerk
    owner: Billing clerk
    backup: billing clerk   # the same person: no backup
    next: [reply]
  - id: reply
    name: Call back with the answer
    lane: agent
    owner: Agent
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Billing clerk, kind: backstage}
steps:
  - id: call
    name: Take the call
    lane: agent
    owner: Agent
    next: [check]
  - id: check
    name: Check the invoice
    lane: clerk
    owner: Billing clerk
    backup: Billing team lead
    next: [reply]
  - id: reply
    name: Call back with the answer
    lane: agent
    owner: Agent
""",
    check=check,
)
