from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for i, step in enumerate(ctx.model.steps):
        if len(step.next) < 2:
            continue
        unlabeled = [j for j, flow in enumerate(step.next) if not (flow.when and flow.when.strip())]
        if unlabeled:
            names = ", ".join(f"'{step.next[j].to}'" for j in unlabeled)
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
    bad=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [a, b]\n  - id: a\n    name: A\n    lane: agent\n  - id: b\n    name: B\n    lane: agent\n",
    good=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next:\n      - {to: a, when: by phone}\n      - {to: b, when: by e-mail}\n  - id: a\n    name: A\n    lane: agent\n  - id: b\n    name: B\n    lane: agent\n",
    check=check,
)
