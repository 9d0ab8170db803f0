from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
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
    bad=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [answer]\n  - id: answer\n    name: Answer\n    lane: agent\n    owner: Agent\n    next: [file]\n  - id: file\n    name: File\n    lane: clerk\n",
    good=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [answer]\n  - id: answer\n    name: Answer\n    lane: agent\n    owner: Agent\n    next: [file]\n  - id: file\n    name: File\n    lane: clerk\n    owner: Records clerk\n",
    check=check,
)
