from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule, closest


def _hint(name: str, known: list[str]) -> str:
    close = closest(name, known)
    return f" (did you mean '{close}'?)" if close else ""


def check(ctx: Context) -> Iterator[Finding]:
    dropped = ctx.checked.dropped_ids
    lanes = [lane.id for lane in ctx.model.lanes]
    steps = [step.id for step in ctx.model.steps]
    lane_set, step_set = set(lanes), set(steps)
    start = ctx.model.process.start
    if start is not None and start not in step_set and start not in dropped:
        yield Finding(
            ("process", "start"), f"the process starts at '{start}', which is not a step{_hint(start, steps)}"
        )
    for i, step in enumerate(ctx.model.steps):
        if step.lane not in lane_set and step.lane not in dropped:
            yield Finding(
                ctx.step_loc(i, "lane"),
                f"step '{step.id}' is in lane '{step.lane}', which is not a lane{_hint(step.lane, lanes)}",
            )
        source = step.sla_from
        if source is not None and source not in step_set and source not in dropped:
            yield Finding(
                ctx.step_loc(i, "sla_from"),
                f"step '{step.id}' measures its sla from '{source}', which is not a step{_hint(source, steps)}",
            )
        for j, flow in enumerate(step.next):
            for k, target in enumerate(flow.targets):
                if target in step_set or target in dropped:
                    continue
                loc = ctx.flow_loc(i, j)
                if flow.is_fork:
                    loc = (*loc, "all", k)
                elif flow.when is not None or isinstance(ctx.doc.data["steps"][loc[1]]["next"][loc[3]], dict):
                    loc = (*loc, "to")
                what = "forks" if flow.is_fork else "flows"
                yield Finding(loc, f"step '{step.id}' {what} to '{target}', which is not a step{_hint(target, steps)}")


RULE = Rule(
    id="unknown-reference",
    severity=Severity.ERROR,
    summary="a lane, `next` target, `start` or `sla_from` that does not exist",
    doc=(
        "A step names a lane that is not declared, a `next` flow leads to a step that does not exist, "
        "`process.start` or a step's `sla_from` names no step. Usually a typo: the message suggests the closest id. "
        "Left alone, the flow silently goes nowhere and the diagram and audit miss part of the process."
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
    next: [answr]   # no step 'answr'
  - id: answer
    name: Answer
    lane: agnt   # no lane 'agnt'
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
""",
    check=check,
)
