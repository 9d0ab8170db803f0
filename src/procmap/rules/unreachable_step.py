from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.model.graph import descendants
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    start = ctx.graph.graph["start"]
    if not ctx.graph_complete or start not in ctx.graph:
        return
    reached = descendants(ctx.graph._succ, start) | {start}
    if reached & ctx.dangling:
        return  # a flow to an unknown step might reach any step: unknown-reference says why
    for node in ctx.graph.nodes:
        if node not in reached:
            yield Finding(ctx.node_loc(node), f"step '{node}' cannot be reached from the start step '{start}'")


RULE = Rule(
    id="unreachable-step",
    severity=Severity.ERROR,
    summary="a step no path from the start reaches",
    doc=(
        "No chain of `next` flows leads from the start step to this step, so no customer will ever "
        "go through it. Either a flow to it is missing (often a misspelled `next`) or the step is "
        "left over from an older version of the process."
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
  - id: answer   # nothing flows here
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
