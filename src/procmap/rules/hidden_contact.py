from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    nodes = ctx.graph.nodes
    for u, v in ctx.analysis.hidden_contacts:
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
        "talking to nobody they can see: a frequent source of 'who am I dealing with?' complaints."
    ),
    bad=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [file]\n  - id: file\n    name: File request\n    lane: clerk\n",
    good=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [file]\n  - id: file\n    name: File request\n    lane: clerk\n    visibility: onstage\n",
    check=check,
)
