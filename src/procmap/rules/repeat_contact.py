from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule

_NAMED = 5


def check(ctx: Context) -> Iterator[Finding]:
    nodes = ctx.graph.nodes
    for i, step in enumerate(ctx.model.steps):
        # SPEC §5.7: a chase is a repeat contact the modeller drew as a step of its own.
        if step.contact == "chase" and step.id in nodes and nodes[step.id]["index"] == i and nodes[step.id]["chase"]:
            yield Finding(
                ctx.step_loc(i, "contact"),
                f"step '{step.id}' is a chase: the customer has to come back and contact you again because "
                "nothing came",
            )
    if not ctx.graph_complete:
        return
    for loop in ctx.journeys.repeat_loops:
        # A loop round a whole big process can meet thousands of steps: name a few, count the rest,
        # so one finding stays one readable line (the audit lists them all).
        again = ", ".join(f"'{s}'" for s in loop.facing[:_NAMED])
        if len(loop.facing) > _NAMED:
            again += f" and {len(loop.facing) - _NAMED} more"
        yield Finding(
            ctx.edge_loc(loop.source, loop.target),
            f"the flow from '{loop.source}' back to '{loop.target}' is a repeat loop: the customer has to come "
            f"back and deal with {again} again",
        )


RULE = Rule(
    id="repeat-contact",
    severity=Severity.INFO,
    summary="a loop or a chase step that brings the customer back (a repeat contact)",
    doc=(
        "A loop edge (a flow back to a step on the current path of a depth-first walk from the start, "
        "visiting each step's `next` in order) whose cycle holds a customer action or a touchpoint "
        "(updates included): each time it is taken, the customer has to come back and go through "
        "those steps again — call again, re-send documents, re-explain the case. Reported at the "
        "flow in `next` that closes the loop. Some loops are the service working as designed; many "
        "are failure demand worth removing (fix it the first time, or keep the customer informed "
        "instead of making them chase). A loop the customer expects (a follow-up visit) is marked "
        "`planned: true` on its flow and is not reported. Each step with `contact: chase` (the customer "
        "calls or writes again because nothing came) is reported too, at its `contact` value."
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: call
    name: Call about the invoice
    lane: customer
    next: [answer]
  - id: answer
    name: Promise a call back
    lane: agent
    next:
      - {to: done, when: solved}
      - {to: call, when: no call back}   # the customer calls again
  - id: done
    name: Correct the invoice
    lane: agent
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: call
    name: Call about the invoice
    lane: customer
    next: [answer]
  - id: answer
    name: Correct the invoice while on the phone
    lane: agent
    next: [done]
  - id: done
    name: Send the corrected invoice
    lane: agent
""",
    check=check,
)
