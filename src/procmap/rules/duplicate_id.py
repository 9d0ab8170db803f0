from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
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
    bad=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [ask]\n  - id: ask\n    name: Ask again\n    lane: customer\n",
    good=HEAD
    + "  - id: ask\n    name: Ask\n    lane: customer\n    next: [ask-again]\n  - id: ask-again\n    name: Ask again\n    lane: customer\n",
    check=check,
)
