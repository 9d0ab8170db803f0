from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule, closest


def check(ctx: Context) -> Iterator[Finding]:
    # Read lanes from the file, not the model: a step dropped for a schema error
    # still says which lane it is in, and its lane is not empty.
    raw_steps = ctx.doc.data.get("steps") if isinstance(ctx.doc.data, dict) else None
    named = (
        {s["lane"] for s in raw_steps if isinstance(s, dict) and isinstance(s.get("lane"), str)}
        if isinstance(raw_steps, list)
        else set()
    )
    named |= {step.lane for step in ctx.model.steps}
    declared = [lane.id for lane in ctx.model.lanes]
    used = {name for name in named if isinstance(name, str)}
    # A step in a misspelled lane (unknown-reference suggests the right one) is
    # meant for that lane: one typo, one finding.
    used |= {closest(name, declared) for name in used - set(declared)} - {None}  # type: ignore[arg-type]
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
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
steps:
  - id: ask
    name: Ask a question
    lane: customer
""",
    check=check,
)
