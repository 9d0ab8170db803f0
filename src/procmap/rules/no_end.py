from collections.abc import Iterator

import networkx as nx

from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    start = g.graph["start"]
    if not ctx.graph_complete or start not in g:
        return
    reached = nx.descendants(g, start) | {start}
    if any(g.nodes[n]["end"] for n in reached):
        return
    loc = ("process", "start") if ctx.model.process.start else ctx.node_loc(start)
    yield Finding(
        loc,
        f"no end step (a step without `next`) can be reached from the start step '{start}': "
        "the process never finishes for the customer",
    )


RULE = Rule(
    id="no-end",
    severity=Severity.ERROR,
    summary="a process with no end step reachable from the start",
    doc=(
        "Every path from the start goes round forever: no step without `next` can be reached. "
        "A process the customer can never finish is either drawn wrong (a missing end step) or "
        "genuinely traps people; both need fixing before the diagram means anything."
    ),
    bad=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [answer]\n  - id: answer\n    name: Answer\n    lane: agent\n    next: [ask]\n",
    good=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [answer]\n  - id: answer\n    name: Answer\n    lane: agent\n    next:\n      - {to: ask, when: unclear}\n      - {to: done, when: clear}\n  - id: done\n    name: Done\n    lane: customer\n",
    check=check,
)
