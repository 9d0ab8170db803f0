from collections.abc import Iterator

import networkx as nx

from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    start = ctx.graph.graph["start"]
    if not ctx.graph_complete or start not in ctx.graph:
        return
    reached = nx.descendants(ctx.graph, start) | {start}
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
    bad=HEAD + "  - id: ask\n    name: Ask\n    lane: customer\n  - id: answer\n    name: Answer\n    lane: agent\n",
    good=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [answer]\n  - id: answer\n    name: Answer\n    lane: agent\n",
    check=check,
)
