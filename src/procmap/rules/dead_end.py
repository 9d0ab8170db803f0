from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    if not ctx.graph_complete:
        return
    # One reverse search from all end steps: linear, whatever the number of ends.
    can_end = {n for n, d in g.nodes(data=True) if d["end"]}
    stack = list(can_end)
    while stack:
        for p in g.predecessors(stack.pop()):
            if p not in can_end:
                can_end.add(p)
                stack.append(p)
    for node in g.nodes:
        if node not in can_end:
            why = (
                "its flows lead nowhere"
                if g.out_degree(node) == 0
                else "every path from it runs into a loop with no exit"
            )
            yield Finding(ctx.node_loc(node), f"no end step can be reached from step '{node}': {why}")


RULE = Rule(
    id="dead-end",
    severity=Severity.WARNING,
    summary="a step from which no end step can be reached (a loop with no exit)",
    doc=(
        "Once a customer reaches this step they can never finish: every path from it circles in a "
        "loop with no exit. Typical causes are a retry loop without a give-up branch or a missing "
        "`next` on the last step of a loop. Add the exit the real process has."
    ),
    bad=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next:\n      - {to: done, when: simple}\n      - {to: retry, when: complex}\n  - id: retry\n    name: Retry\n    lane: agent\n    next: [retry2]\n  - id: retry2\n    name: Retry again\n    lane: agent\n    next: [retry]\n  - id: done\n    name: Done\n    lane: customer\n",
    good=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next:\n      - {to: done, when: simple}\n      - {to: retry, when: complex}\n  - id: retry\n    name: Retry\n    lane: agent\n    next:\n      - {to: done, when: solved}\n      - {to: retry, when: not yet}\n  - id: done\n    name: Done\n    lane: customer\n",
    check=check,
)
