from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    if not ctx.graph_complete:
        return
    nodes = ctx.graph.nodes
    for entry in ctx.journeys.asked_twice:
        yield Finding(
            ctx.step_loc(nodes[entry.second]["index"], "data"),
            f"step '{entry.second}' has the customer give '{entry.data}' again: they already gave it at "
            f"'{entry.first}', earlier on the same path",
        )


RULE = Rule(
    id="asked-twice",
    severity=Severity.INFO,
    summary="a customer action that asks for data an earlier customer action already gave",
    doc=(
        "Two customer actions share a data class (`data`) and a flow path leads from the first to the "
        "second: the customer is asked for the same information twice (when paths run both ways, the "
        "one first in the file counts as first). Every such pair is reported, at the second step's "
        "`data`. Pass what the customer gave along with the work, or look it up, instead of asking "
        "again."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: call
    name: Call and give the invoice number
    lane: customer
    data: [invoice-number]
    next: [answer]
  - id: answer
    name: Transfer to billing
    lane: agent
    next: [repeat]
  - id: repeat
    name: Give the invoice number again
    lane: customer
    data: [invoice-number]
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: call
    name: Call and give the invoice number
    lane: customer
    data: [invoice-number]
    next: [answer]
  - id: answer
    name: Transfer to billing with the case notes
    lane: agent
    next: [confirm]
  - id: confirm
    name: Confirm the corrected amount
    lane: customer
""",
    check=check,
)
