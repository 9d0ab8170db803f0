from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.model.durations import format_duration
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    if not ctx.graph_complete:
        return
    nodes = ctx.graph.nodes
    for entry in ctx.journeys.sla:
        if not entry.breach:
            continue
        since = f"since '{entry.source}'" if entry.source else "from the start"
        if entry.longest_wait is None:
            wait = "without limit (a loop of steps out of the customer's sight)"
        else:
            wait = format_duration(entry.longest_wait)
        yield Finding(
            ctx.step_loc(nodes[entry.step]["index"], "sla"),
            f"step '{entry.step}' can keep the customer waiting {wait} {since}, over its sla of "
            f"{format_duration(entry.sla)}",
        )


RULE = Rule(
    id="sla-breach",
    severity=Severity.WARNING,
    summary="a step whose `sla` the modelled durations already break",
    doc=(
        "The longest wait for the step — the durations of the steps after the last customer-facing "
        "step (customer action or touchpoint, updates included) up to and including this one, on the "
        "worst path — is over its `sla`. A loop of steps out of the customer's sight on the way makes "
        "the wait unbounded, which always breaks the sla. Reported at the `sla` value. Shorten the "
        "work, cut the loop, or promise what the process can keep."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Billing clerk, kind: backstage}
steps:
  - id: call
    name: Report a wrong invoice
    lane: customer
    next: [log]
  - id: log
    name: Log the complaint
    lane: agent
    owner: Agent
    next: [check]
  - id: check
    name: Check the invoice
    lane: clerk
    owner: Billing clerk
    backup: Billing lead
    duration: 2d
    next: [reply]
  - id: reply
    name: Send the corrected invoice
    lane: agent
    owner: Agent
    duration: 1h
    sla: 1d   # 2d of checking plus 1h after the complaint is logged
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Billing clerk, kind: backstage}
steps:
  - id: call
    name: Report a wrong invoice
    lane: customer
    next: [log]
  - id: log
    name: Log the complaint
    lane: agent
    owner: Agent
    next: [check]
  - id: check
    name: Check the invoice
    lane: clerk
    owner: Billing clerk
    backup: Billing lead
    duration: 4h
    next: [reply]
  - id: reply
    name: Send the corrected invoice
    lane: agent
    owner: Agent
    duration: 1h
    sla: 1d
""",
    check=check,
)
