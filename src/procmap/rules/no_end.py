from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.model.graph import descendants
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    g = ctx.graph
    start = g.graph["start"]
    if not ctx.graph_complete or start not in g:
        return
    reached = descendants(g._succ, start) | {start}
    if any(g.nodes[n]["end"] for n in reached) or reached & ctx.dangling:
        return  # an end is reachable, or may be through a flow to an unknown step
    loc = ("process", "start") if ctx.model.process.start else ctx.node_loc(start)
    yield Finding(
        loc,
        f"no end step (a step without `next`) can be reached from the start step '{start}': "
        "the process never finishes for the customer",
    )


RULE = Rule(
    id="no-end",
    severity=Severity.ERROR,
    summary="a process with no end step reachable from the start",
    doc=(
        "Every path from the start goes round forever: no step without `next` can be reached. "
        "A process the customer can never finish is either drawn wrong (a missing end step) or "
        "genuinely traps people; both need fixing before the diagram means anything."
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
    next: [answer]
  - id: answer
    name: Answer
    lane: agent
    next: [ask]   # always back to the start
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
    next: [answer]
  - id: answer
    name: Answer
    lane: agent
    next:
      - {to: ask, when: unclear}
      - {to: done, when: clear}
  - id: done
    name: Read the answer
    lane: customer
""",
    check=check,
)
