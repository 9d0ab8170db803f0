"""The audit report of one process: the customer's view of it, as plain data.

Every output format (text, Markdown, JSON, HTML) is drawn from the dictionary
built here, and the dictionary is drawn from :class:`procmap.analysis.facts.Analysis`
— the object the `validate` rules use — so the report and the linter cannot
disagree.  The dictionary *is* the JSON output: keys are SPEC §3's, plus more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procmap.analysis.facts import BUDGETS
from procmap.analysis.journeys.report import JOURNEY_BUDGETS
from procmap.story import with_headline

if TYPE_CHECKING:
    import networkx as nx

    from procmap.analysis.facts import Analysis
    from procmap.analysis.journeys import Journeys
    from procmap.validate import FileResult


@dataclass
class Audited:
    """One validated file, its report and its budget checks."""

    result: FileResult
    report: dict[str, Any]
    budgets: list[Any] = field(default_factory=list)  # BudgetCheck and JourneyBudgetCheck
    loop_edges: set[tuple[str, str]] = field(default_factory=set)  # for the human formats' journey tables

    @property
    def graph(self) -> nx.DiGraph:
        assert self.result.graph is not None
        return self.result.graph

    @property
    def exceeded(self) -> list[Any]:
        return [b for b in self.budgets if b.exceeded]


def limits(config_budgets: dict[str, Any], **flags: float | None) -> dict[str, Any]:
    """The budgets in force: the config's ``[budgets]``, each overridden by its flag when given.

    ``flags`` are keyed by the config key with ``_`` for ``-``
    (``max_visible_handoffs=3``).
    """
    out = dict(config_budgets)
    for key, _metric, _what in BUDGETS + JOURNEY_BUDGETS:
        value = flags.get(key.replace("-", "_"))
        if value is not None:
            out[key] = value
    return out


def _number(value: float | int | None) -> float | int | None:
    """Seconds as an int when whole (``14400``, not ``14400.0``): stable, readable JSON."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def journeys_of(result: FileResult, repeats: int = 1, worst_by: tuple[str, ...] | None = None) -> Journeys:
    """The file's journey analysis read with ``repeats`` and ``worst_by`` (reusing what validate's rules computed)."""
    from procmap.analysis.journeys import Journeys

    if result.journeys is None:
        result.journeys = Journeys(result.graph)
    journeys = result.journeys.with_repeats(repeats)
    return journeys.with_worst_by(worst_by) if worst_by else journeys


def audit(
    result: FileResult, budget_limits: dict[str, Any], repeats: int = 1, worst_by: tuple[str, ...] | None = None
) -> Audited:
    """Build the report of a file that passed :func:`procmap.validate.require_valid`."""
    from procmap.analysis.journeys.report import journey_budgets

    assert result.analysis is not None and result.graph is not None and result.model is not None
    journeys = journeys_of(result, repeats, worst_by)
    checks: list[Any] = [*result.analysis.budgets(budget_limits), *journey_budgets(journeys, budget_limits)]
    return Audited(result, build_report(result, checks, journeys), checks, journeys.loop_edge_ids())


def build_report(result: FileResult, checks: list[Any], journeys: Journeys | None = None) -> dict[str, Any]:
    """The JSON object of one process; every list in file order of its first step, then of its second."""
    a: Analysis = result.analysis  # type: ignore[assignment]
    g = a.g
    nodes = g.nodes
    process = result.model.process  # type: ignore[union-attr]

    from procmap.analysis.journeys.report import journeys_report

    if journeys is None:
        journeys = journeys_of(result)

    def lanes(u: str, v: str) -> dict[str, str]:
        return {"from": u, "to": v, "from_lane": nodes[u]["lane"], "to_lane": nodes[v]["lane"]}

    report = {
        "id": process.id,
        "name": process.name,
        "file": result.path,
        "owner": process.owner,
        "customer_actions": list(a.customer_actions),
        "touchpoints": [
            {
                "step": t,
                "name": nodes[t]["name"],
                "lane": nodes[t]["lane"],
                "lane_kind": nodes[t]["lane_kind"],
                "channel": nodes[t]["channel"],
                "evidence": nodes[t]["evidence"],
                "owner": nodes[t]["owner"],
            }
            for t in a.touchpoints
        ],
        "visible_handoffs": [{**lanes(h.source, h.target), "via": list(h.via)} for h in a.visible_handoffs],
        "handoffs": [{**lanes(h.source, h.target), "class": h.cls} for h in a.handoffs],
        "visibility_crossings": [
            {"from": u, "to": v, "direction": f"{nodes[u]['visibility']}-to-{nodes[v]['visibility']}"}
            for u, v in a.visibility_crossings
        ],
        "hidden_contacts": [{"from": u, "to": v} for u, v in a.hidden_contacts],
        "channel_switches": [
            {"from": s.source, "to": s.target, "from_channel": s.source_channel, "to_channel": s.target_channel}
            for s in a.channel_switches
        ],
        "waits": [
            {
                "from": w.source,
                "to": w.target,
                "via": list(w.via),
                "min_seconds": _number(w.min_seconds),
                "max_seconds": _number(w.max_seconds),
                "no_duration": list(w.no_duration),
            }
            for w in a.waits
        ],
        **_omitted_waits(a),
        "data_classes": {cls: list(steps) for cls, steps in a.data_classes.items()},
        "fail_points": [
            {
                "step": n,
                "name": nodes[n]["name"],
                "lane": nodes[n]["lane"],
                "owner": nodes[n]["owner"],
                "backup": nodes[n]["backup"],
                "has_backup": bool(nodes[n]["backup"]),
            }
            for n in a.fail_points
        ],
        "metrics": {k: _number(v) for k, v in a.metrics().items()},
        "journeys": journeys_report(journeys, a.no_backup),
        "budgets": [
            {
                "budget": c.key,
                "metric": c.metric,
                "limit": _number(c.limit),
                "value": _number(c.value),
                "exceeded": c.exceeded,
            }
            for c in checks
        ],
    }
    return with_headline(report, g)  # the story every format opens with (procmap.story)


def _omitted_waits(a: Analysis) -> dict[str, int]:
    """``waits_omitted``: how many waits the capped ``waits`` list leaves out (the key only when some are)."""
    omitted = a.wait_count - len(a.waits)
    return {"waits_omitted": omitted} if omitted > 0 else {}


def _audit_one_path(
    args: tuple[str, Any, str, dict[str, Any], int, tuple[str, ...] | None],
) -> tuple[Audited | None, list[Any]]:
    """Worker: validate and audit one file; keep only what JSON needs (graphs do not travel well)."""
    from procmap.validate import FileResult, InvalidProcess, require_valid

    path, config, stdin_name, budget_limits, repeats, worst_by = args
    try:
        result = require_valid(path, config, stdin_name=stdin_name)
    except InvalidProcess as exc:
        return None, [FileResult(r.path, r.diagnostics) for r in exc.results]
    item = audit(result, budget_limits, repeats, worst_by)
    return Audited(FileResult(result.path), item.report, item.budgets), []


def audit_paths(
    files: list[str],
    config: Any,
    budget_limits: dict[str, Any],
    *,
    stdin_name: str,
    parallel: bool,
    repeats: int = 1,
    worst_by: tuple[str, ...] | None = None,
    on_file: Callable[[], None] | None = None,
) -> tuple[list[Audited], list[FileResult]]:
    """Audit every file; returns (audited, invalid results).

    With ``parallel`` (JSON reports of many files) the work runs in one process
    per core and only the report dictionaries come back: measured 500 small
    files 7.3 s -> well under the 3× floor goal on 2 cores.
    """
    from procmap.parallel import AUTO_JOBS_MIN_FILES, cores, pool_map

    if parallel and len(files) >= AUTO_JOBS_MIN_FILES and "-" not in files and cores() > 1:
        pairs = pool_map(
            _audit_one_path,
            [(f, config, stdin_name, budget_limits, repeats, worst_by) for f in files],
            cores(),
            on_result=on_file,
        )
        return [a for a, _ in pairs if a is not None], [r for _, bad in pairs for r in bad]
    from procmap.validate import InvalidProcess, require_valid

    audited: list[Audited] = []
    invalid: list[FileResult] = []
    for path in files:
        try:
            result = require_valid(path, config, stdin_name=stdin_name)
        except InvalidProcess as exc:
            invalid.extend(exc.results)
        else:
            if not invalid:
                audited.append(audit(result, budget_limits, repeats, worst_by))
        if on_file is not None:
            on_file()
    if invalid:
        return [], invalid
    return audited, []
