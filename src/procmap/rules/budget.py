from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    if not ctx.budgets:
        return
    for budget in ctx.analysis.budgets(ctx.budgets):
        if budget.exceeded:
            yield Finding(("process", "id"), budget.message(ctx.model.process.id))


RULE = Rule(
    id="budget",
    name="BudgetExceeded",
    severity=Severity.ERROR,
    summary="a process over a configured budget (`[budgets]`)",
    doc=(
        "The process has more customer-visible handoffs or touchpoints than the `[budgets]` table of "
        "the configuration (or audit's `--max-visible-handoffs` / `--max-touchpoints`) allows. "
        "Budgets turn 'the customer is passed around too much' into a CI gate; only active when a "
        "budget is set."
    ),
    bad="",
    good="",
    check=check,
)
