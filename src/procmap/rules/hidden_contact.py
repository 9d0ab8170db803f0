from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    nodes = ctx.graph.nodes
    for u, v in ctx.analysis.hidden_contacts:
        if nodes[v].get("chase"):
            continue  # SPEC §5.7: the customer chases because nothing came; the silence is the point
        if nodes[u]["customer"]:
            msg = (
                f"customer action '{u}' flows straight to backstage step {ctx.label(v)}: "
                "the customer deals with someone who is meant to be out of sight"
            )
        else:
            msg = (
                f"backstage step {ctx.label(u)} flows straight to customer action '{v}': "
                "the customer deals with someone who is meant to be out of sight"
            )
        yield Finding(ctx.edge_loc(u, v), msg + " (make the step onstage or put a touchpoint between)")


RULE = Rule(
    id="hidden-contact",
    severity=Severity.WARNING,
    summary="a backstage step that flows directly to or from a customer action",
    doc=(
        "A backstage step passes work straight to the customer, or takes it straight from them, with "
        "no onstage step between. Either the step really is visible to the customer (mark it "
        "`visibility: onstage` so the audit counts it as a touchpoint) or the customer is left "
        "talking to nobody they can see: a frequent source of 'who am I dealing with?' complaints. "
        "A flow into a chase step (`contact: chase`) is not reported: the customer acts there because "
        "nothing came, which is what the chase models."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: clerk, name: Records clerk, kind: backstage}
steps:
  - id: ask
    name: Ask for a copy of the contract
    lane: customer
    next: [send-copy]   # straight to someone the customer cannot see
  - id: send-copy
    name: Send the copy
    lane: clerk
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: clerk, name: Records clerk, kind: backstage}
steps:
  - id: ask
    name: Ask for a copy of the contract
    lane: customer
    next: [send-copy]
  - id: send-copy
    name: Send the copy
    lane: clerk
    visibility: onstage   # the customer gets an e-mail from the clerk
""",
    check=check,
)
