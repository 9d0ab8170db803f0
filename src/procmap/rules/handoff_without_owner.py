from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    nodes = ctx.graph.nodes
    for h in ctx.analysis.handoffs:
        if not nodes[h.target]["owner"]:
            yield Finding(
                ctx.edge_loc(h.source, h.target),
                f"{h.cls} handoff from '{h.source}' ({h.source_lane}) to '{h.target}' ({h.target_lane}): "
                f"step '{h.target}' has no owner, so nobody is accountable for picking it up",
            )


RULE = Rule(
    id="handoff-without-owner",
    severity=Severity.WARNING,
    summary="a handoff whose target step has no `owner`",
    doc=(
        "Work passes from one party (lane) to another and the receiving step names no `owner`. "
        "Handoffs are where work waits and gets lost; a named role on the receiving side is the "
        "cheapest insurance that someone picks it up."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Records clerk, kind: backstage}
steps:
  - id: ask
    name: Ask for a refund
    lane: customer
    next: [take-request]
  - id: take-request
    name: Take the request
    lane: agent
    owner: Tier-1 agent
    next: [file]
  - id: file   # who picks this up?
    name: File the refund
    lane: clerk
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Records clerk, kind: backstage}
steps:
  - id: ask
    name: Ask for a refund
    lane: customer
    next: [take-request]
  - id: take-request
    name: Take the request
    lane: agent
    owner: Tier-1 agent
    next: [file]
  - id: file
    name: File the refund
    lane: clerk
    owner: Refunds clerk
""",
    check=check,
)
