from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    nodes = ctx.graph.nodes
    for node in ctx.analysis.no_backup:
        d = nodes[node]
        lacks = "its backup is its owner" if d["backup"] else "has no backup"
        if d["fail_point"]:
            yield Finding(ctx.node_loc(node), f"step '{node}' is a fail point and {lacks}")
        else:
            yield Finding(
                ctx.node_loc(node),
                f"step '{node}' (owner: {d['owner']}) keeps the customer waiting between two touchpoints and {lacks}",
            )


RULE = Rule(
    id="no-backup",
    severity=Severity.INFO,
    summary="a fail point, or an owned backstage step the customer waits on, without `backup`",
    doc=(
        "A step with no `backup` (or a `backup` that is its `owner` again: no backup at all) that is "
        "either a `fail_point`, or has an `owner` and lies backstage "
        "on a path between two consecutive touchpoints, so the customer waits on it. When its owner "
        "is away the customer's wait has no end; naming who covers is how the wait stays bounded."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Records clerk, kind: backstage}
steps:
  - id: call
    name: Take the call
    lane: agent
    owner: Agent
    next: [check]
  - id: check   # the caller waits on this, and nobody covers for the clerk
    name: Check the contract
    lane: clerk
    owner: Records clerk
    next: [reply]
  - id: reply
    name: Give the answer
    lane: agent
    owner: Agent
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Records clerk, kind: backstage}
steps:
  - id: call
    name: Take the call
    lane: agent
    owner: Agent
    next: [check]
  - id: check
    name: Check the contract
    lane: clerk
    owner: Records clerk
    backup: Senior clerk
    next: [reply]
  - id: reply
    name: Give the answer
    lane: agent
    owner: Agent
""",
    check=check,
)
