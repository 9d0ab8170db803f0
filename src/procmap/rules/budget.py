from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    if not ctx.budgets:
        return
    metrics = ctx.analysis.metrics()
    for key, metric, what in (
        ("max-visible-handoffs", "visible_handoffs", "customer-visible handoffs"),
        ("max-touchpoints", "touchpoints", "touchpoints"),
    ):
        limit = ctx.budgets.get(key)
        if limit is not None and metrics[metric] > limit:  # type: ignore[operator]
            yield Finding(
                ("process", "id"),
                f"process '{ctx.model.process.id}' has {metrics[metric]} {what}, over the budget of {limit} ({key})",
            )


RULE = Rule(
    id="budget",
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
