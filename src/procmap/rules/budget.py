from collections.abc import Iterator

from procmap.analysis.journeys.report import JOURNEY_BUDGETS, journey_budgets
from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    if not ctx.budgets:
        return
    for budget in ctx.analysis.budgets(ctx.budgets):
        if budget.exceeded:
            yield Finding(("process", "id"), budget.message(ctx.model.process.id))
    if any(ctx.budgets.get(key) is not None for key, _metric, _what in JOURNEY_BUDGETS):
        for check in journey_budgets(ctx.journeys, ctx.budgets):
            if check.exceeded:
                yield Finding(("process", "id"), check.message(ctx.model.process.id))


RULE = Rule(
    id="budget",
    name="BudgetExceeded",
    severity=Severity.ERROR,
    summary="a process over a configured budget (`[budgets]`)",
    doc=(
        "The process has more customer-visible handoffs or touchpoints than the `[budgets]` table of "
        "the configuration (or audit's `--max-visible-handoffs` / `--max-touchpoints`) allows, or one "
        "of its journeys goes over a journey budget: `max-journey-handoffs` (visible handoffs in one "
        "journey), `max-journey-parties` (parties in one journey), `max-silence` (the longest time the "
        "customer hears nothing, a duration), `max-comes-back` (the chance that a customer has to come "
        "back, from 0 to 1; without shares, exceeded when any journey comes back). The journey budgets are the ones to gate on: the totals "
        "grow with every failure branch modelled, a journey's figures only with what one customer meets. "
        "Budgets turn 'the customer is passed around too much' into a CI gate; only active when a "
        "budget is set."
    ),
    bad="",
    good="",
    check=check,
)
