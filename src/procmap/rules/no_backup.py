from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    waiting = ctx.analysis.waiting_steps
    for node, d in ctx.graph.nodes(data=True):
        if d["backup"]:
            continue
        if d["fail_point"]:
            yield Finding(ctx.node_loc(node), f"step '{node}' is a fail point and has no backup")
        elif d["owner"] and node in waiting:
            yield Finding(
                ctx.node_loc(node),
                f"step '{node}' (owner: {d['owner']}) keeps the customer waiting between two touchpoints "
                "and has no backup",
            )


RULE = Rule(
    id="no-backup",
    severity=Severity.INFO,
    summary="a fail point, or an owned backstage step the customer waits on, without `backup`",
    doc=(
        "A step with no `backup` that is either a `fail_point`, or has an `owner` and lies backstage "
        "on a path between two consecutive touchpoints, so the customer waits on it. When its owner "
        "is away the customer's wait has no end; naming who covers is how the wait stays bounded."
    ),
    bad=HEAD
    + "  - id: call\n    name: Call\n    lane: agent\n    next: [check]\n  - id: check\n    name: Check\n    lane: clerk\n    owner: Clerk\n    next: [reply]\n  - id: reply\n    name: Reply\n    lane: agent\n    owner: Agent\n",
    good=HEAD
    + "  - id: call\n    name: Call\n    lane: agent\n    next: [check]\n  - id: check\n    name: Check\n    lane: clerk\n    owner: Clerk\n    backup: Senior clerk\n    next: [reply]\n  - id: reply\n    name: Reply\n    lane: agent\n    owner: Agent\n",
    check=check,
)
