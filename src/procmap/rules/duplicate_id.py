from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for kind, items, loc in (("lane", ctx.model.lanes, ctx.lane_loc), ("step", ctx.model.steps, ctx.step_loc)):
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                line = ctx.doc.locate(loc(first[item.id], "id"))[0]
                yield Finding(loc(i, "id"), f"{kind} id '{item.id}' is already used by the {kind} at line {line}")
            else:
                first[item.id] = i


RULE = Rule(
    id="duplicate-id",
    severity=Severity.ERROR,
    summary="two lanes or two steps with one id",
    doc=(
        "Two lanes, or two steps, share an id. Every flow and every report refers to steps and lanes "
        "by id, so a shared id makes it impossible to tell which one a flow leads to; procmap keeps "
        "the first and reports the second."
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
    name: Answer by phone
    lane: agent
  - id: answer   # the same id again
    name: Answer by e-mail
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
      - {to: answer-phone, when: by phone}
      - {to: answer-email, when: by e-mail}
  - id: answer-phone
    name: Answer by phone
    lane: agent
  - id: answer-email
    name: Answer by e-mail
    lane: agent
""",
    check=check,
)
