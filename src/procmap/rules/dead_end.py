from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    if not ctx.graph_complete:
        return
    # One reverse search from all end steps: linear, whatever the number of ends.
    # A step with a flow to an unknown step may end through it (unknown-reference
    # reports the flow), so it seeds the search too.
    can_end = {n for n, d in g.nodes(data=True) if d["end"]} | ctx.dangling
    stack = list(can_end)
    while stack:
        for p in g.predecessors(stack.pop()):
            if p not in can_end:
                can_end.add(p)
                stack.append(p)
    for node in g.nodes:
        if node not in can_end:
            # Every step here has a flow (an end step or a dangling flow would be in
            # can_end), so what stops it is always a loop.
            yield Finding(
                ctx.node_loc(node),
                f"no end step can be reached from step '{node}': every path from it runs into a loop with no exit",
            )


RULE = Rule(
    id="dead-end",
    severity=Severity.WARNING,
    summary="a step from which no end step can be reached (a loop with no exit)",
    doc=(
        "Once a customer reaches this step they can never finish: every path from it circles in a "
        "loop with no exit. Typical causes are a retry loop without a give-up branch or a missing "
        "`next` on the last step of a loop. Add the exit the real process has."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: ask
    name: Ask a question
    lane: customer
    next:
      - {to: answer, when: simple}
      - {to: research, when: complex}
  - id: research
    name: Research
    lane: agent
    next: [research-more]
  - id: research-more
    name: Research more
    lane: agent
    next: [research]   # round and round, no way out
  - id: answer
    name: Answer
    lane: agent
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: ask
    name: Ask a question
    lane: customer
    next:
      - {to: answer, when: simple}
      - {to: research, when: complex}
  - id: research
    name: Research
    lane: agent
    next:
      - {to: answer, when: found}
      - {to: research, when: not yet}
  - id: answer
    name: Answer
    lane: agent
""",
    check=check,
)
