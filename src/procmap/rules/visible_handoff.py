from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for h in ctx.analysis.visible_handoffs:
        first = h.via[0] if h.via else h.target
        via = f" via {', '.join(repr(s) for s in h.via)}" if h.via else ""
        yield Finding(
            ctx.edge_loc(h.source, first),
            f"customer-visible handoff: after '{h.source}' ({h.source_lane}) the customer next deals with "
            f"'{h.target}' ({h.target_lane}){via}",
        )


RULE = Rule(
    id="visible-handoff",
    severity=Severity.INFO,
    summary="each customer-visible handoff",
    doc=(
        "The customer next deals with a different party than the one they last dealt with: two "
        "touchpoints in different lanes joined by a flow path with no touchpoint between (customer "
        "actions and backstage steps may be between). Each one is a moment where the customer may "
        "repeat themself or fall through the cracks. Reported at the flow where the path starts; "
        "set a budget with `max-visible-handoffs`."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Records clerk, kind: backstage}
  - {id: billing, name: Billing, kind: onstage}
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
    next: [bill]
  - id: bill   # a new party calls the customer back
    name: Explain the bill
    lane: billing
    owner: Billing clerk
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
    next: [bill]
  - id: bill   # the agent who took the call explains the bill
    name: Explain the bill
    lane: agent
    owner: Agent
""",
    check=check,
)
