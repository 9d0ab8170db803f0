"""unmatched-fork: parallel work that is not block-structured (SPEC §7.1).

The reading of a fork (every figure of a run, the picture's gateways, BPMN's
parallelGateway pairs, conform's replay) needs to know where its branches
meet again. The structure itself is computed by :mod:`procmap.analysis.blocks`;
this rule only turns its problems into findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    # With flows missing (dropped for schema errors, or to steps that do not exist)
    # a branch may look unmatched only because its flow is gone: those errors first.
    if not ctx.graph_complete or ctx.dangling:
        return
    for problem in ctx.blocks.problems:
        if problem.fork is not None:
            step, item = problem.fork
            yield Finding(ctx.flow_loc(ctx.graph.nodes[step]["index"], item), problem.message)
        elif problem.join is not None:
            yield Finding(ctx.step_loc(ctx.graph.nodes[problem.join]["index"], "join"), problem.message, key=True)


RULE = Rule(
    id="unmatched-fork",
    severity=Severity.ERROR,
    summary="a fork whose branches do not meet at one join (or all end), or a join no fork reaches",
    doc=(
        "A fork (`next: [{all: [a, b]}]`) starts its branches at once; they must close in one of two ways: "
        "every path of every branch reaches one step with `join: all` (and nothing reaches that join "
        "without passing through the fork), or no branch reaches a join and each ends at an end step "
        "(the process ends when all have). A branch's steps are its own: no flow leads from one branch "
        "into another or out of the block except through the join, and a loop stays inside one branch "
        "or runs from after the join back to before the fork. Nested forks need their own join inside "
        "the branch. Reported at the fork item, naming the branch or step at fault, or at the `join` key "
        "of a join no fork reaches."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: desk, name: Order desk, kind: onstage}
  - {id: shop, name: Shop, kind: backstage}
steps:
  - id: order
    name: Place the order
    lane: customer
    next: [accept]
  - id: accept
    name: Accept the order
    lane: desk
    owner: Clerk
    next:
      - all: [pack, invoice]   # 'invoice' ends before the join
  - id: pack
    name: Pack the goods
    lane: shop
    owner: Packer
    next: [ship]
  - id: invoice
    name: Write the invoice
    lane: shop
    owner: Clerk
  - id: ship
    name: Ship
    lane: shop
    owner: Packer
    join: all
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: desk, name: Order desk, kind: onstage}
  - {id: shop, name: Shop, kind: backstage}
steps:
  - id: order
    name: Place the order
    lane: customer
    next: [accept]
  - id: accept
    name: Accept the order
    lane: desk
    owner: Clerk
    next:
      - all: [pack, invoice]
  - id: pack
    name: Pack the goods
    lane: shop
    owner: Packer
    next: [ship]
  - id: invoice
    name: Write the invoice
    lane: shop
    owner: Clerk
    next: [ship]
  - id: ship
    name: Ship
    lane: shop
    owner: Packer
    join: all
""",
    check=check,
)
