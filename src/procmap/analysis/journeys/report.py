"""SPEC §5.4's ``journeys`` object and §5.6's journey budgets: what the audit reports of the journeys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from procmap.analysis.journeys import Journeys
from procmap.analysis.journeys.figures import Journey
from procmap.analysis.journeys.surfacing import ASKED_TWICE_LIMIT
from procmap.model.words import percent


def _number(value: float | int | None) -> float | int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _probability(value: Fraction | None) -> float | int | None:
    """An exact product of decimal shares as a JSON number (1 stays 1)."""
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _journey(journey: Journey | None, shares: bool) -> dict[str, Any] | None:
    """A journey as SPEC §5.7 shows it: steps, probability (null without shares), figures."""
    if journey is None:
        return None
    return {
        "steps": list(journey.steps),
        "probability": _probability(journey.probability) if shares else None,
        "figures": journey.figures,
    }


def journeys_report(j: Journeys | Any, no_backup: Iterable[str] | None = None) -> dict[str, Any]:
    """SPEC §5.4's ``journeys`` object, exactly: the audit's JSON and every other format draw on it.

    ``j`` may also be a process graph (read with one repeat); ``no_backup``
    defaults to the `no-backup` rule's selection on it, so callers such as the
    renderer need nothing but the graph.
    """
    if not isinstance(j, Journeys):
        j = Journeys(j)
    if no_backup is None:
        from procmap.analysis.facts import Analysis

        no_backup = Analysis(j.g).no_backup
    lo, hi = j.bounds
    main, worst = j.main, j.worst
    shares = j.chance is not None
    asked = j.asked_twice
    # Only when the capped list leaves some out, like the audit's waits_omitted: §5.4's keys otherwise.
    omitted = j.asked_twice_total - len(asked) if len(asked) >= ASKED_TWICE_LIMIT else 0
    report = {
        "repeats": j.R,
        "count": j.count,
        "facing_steps_without_channel": j.facing_steps_without_channel,
        "steps_without_duration": j.steps_without_duration,
        "main": _journey(main, shares),
        "min": lo,
        "max": hi,
        "worst": _journey(worst, shares),
        "expected": j.expected,
        "repeat_loops": [
            {"from": x.source, "to": x.target, "when": x.when, "facing": list(x.facing)} for x in j.repeat_loops
        ],
        "fail_points": [
            {"step": f.step, "backup": f.backup, "surfaces_at": list(f.surfaces_at)} for f in j.fail_points(no_backup)
        ],
        "asked_twice": [{"data": a.data, "first": a.first, "second": a.second} for a in asked],
        "sla": [
            {
                "step": s.step,
                "sla": _number(s.sla),
                "longest_wait": _number(s.longest_wait),
                "from": s.source,
                "breach": s.breach,
            }
            for s in j.sla
        ],
    }
    if omitted > 0:
        report["asked_twice_omitted"] = omitted
    if j.expected is not None and j.expected_unavailable:
        # A figure of `expected` that is null although shares define it: why (beyond what a JSON number holds).
        report["expected_unavailable"] = j.expected_unavailable
    return report


# (config key, figure, words for messages): SPEC §5.6's budgets on the worst single journey, and
# §5.7's max-comes-back on the chance of coming back.
JOURNEY_BUDGETS: tuple[tuple[str, str, str], ...] = (
    ("max-journey-handoffs", "visible_handoffs", "customer-visible handoffs"),
    ("max-journey-parties", "parties", "parties"),
    ("max-silence", "longest_silence", "silence"),
    ("max-comes-back", "p_comes_back", "chance of coming back"),
)


@dataclass(frozen=True, slots=True)
class JourneyBudgetCheck:
    """A journey budget against its figure: the journeys' maximum, or ``p_comes_back``.

    ``value`` is None for max-comes-back without shares: there is no
    probability, and the budget is exceeded when any journey comes back
    (``comes_back``), as SPEC §5.7 says.
    """

    key: str
    metric: str
    what: str
    limit: float
    value: float | None
    comes_back: bool = False

    @property
    def exceeded(self) -> bool:
        if self.value is None:
            return self.comes_back
        return self.value > self.limit

    def message(self, process_id: str) -> str:
        if self.metric == "longest_silence":
            from procmap.model.durations import format_duration

            assert self.value is not None
            return (
                f"process '{process_id}' has a journey with {format_duration(self.value)} of silence (the customer "
                f"hears nothing), over the budget of {format_duration(self.limit)} ({self.key})"
            )
        if self.metric == "p_comes_back":
            if self.value is None:
                return (
                    f"process '{process_id}' has a journey where the customer comes back (no shares say how many "
                    f"do), over the budget of {percent(self.limit)} ({self.key})"
                )
            return (
                f"process '{process_id}' has {percent(self.value)} of customers coming back, over the budget of "
                f"{percent(self.limit)} ({self.key})"
            )
        return (
            f"process '{process_id}' has a journey with {_number(self.value)} {self.what}, over the budget of "
            f"{_number(self.limit)} ({self.key})"
        )


def journey_budgets(j: Journeys, limits: dict[str, Any]) -> list[JourneyBudgetCheck]:
    """Each journey budget set in ``limits`` (config keys), with the worst journey's figure or p_comes_back."""
    wanted = [(key, metric, what) for key, metric, what in JOURNEY_BUDGETS if limits.get(key) is not None]
    if not wanted:
        return []
    _lo, hi = j.bounds
    out = []
    for key, metric, what in wanted:
        if metric == "p_comes_back":
            expected = j.expected
            back = bool(hi.get("repeats", 0) or hi.get("chases", 0))
            value = expected["p_comes_back"] if expected is not None else None
            out.append(JourneyBudgetCheck(key, metric, what, limits[key], value, back))
        else:
            out.append(JourneyBudgetCheck(key, metric, what, limits[key], hi.get(metric, 0)))
    return out
