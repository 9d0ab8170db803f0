from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule

_HEAD = "version: 1\nprocess: {id: demo, name: Demo}\nlanes:\n  - {id: customer, name: Customer, kind: customer}\n"


def check(ctx: Context) -> Iterator[Finding]:
    used = {step.lane for step in ctx.model.steps}
    for i, lane in enumerate(ctx.model.lanes):
        if lane.id not in used:
            yield Finding(ctx.lane_loc(i, "id"), f"lane '{lane.id}' ({lane.kind}) has no steps")


RULE = Rule(
    id="empty-lane",
    severity=Severity.WARNING,
    summary="a lane with no steps",
    doc=(
        "A lane is declared but no step is in it. It draws an empty band in the blueprint and "
        "suggests a party that does nothing; often a step was moved and the lane left behind, or "
        "a step names the lane with a typo."
    ),
    bad=_HEAD + "  - {id: agent, name: Agent, kind: onstage}\nsteps:\n  - id: ask\n    name: Ask\n    lane: customer\n",
    good=_HEAD + "steps:\n  - id: ask\n    name: Ask\n    lane: customer\n",
    check=check,
)
