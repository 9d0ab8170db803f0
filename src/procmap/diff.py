"""What changes for the customer between two versions of a process.

A reviewer of a process change asks "will the customer be passed around more,
see new people, lose sight of a step?", not "which lines changed".  So the
comparison is between the two :class:`~procmap.analysis.facts.Analysis` results,
keyed by the ids authors already use (step ids, lane ids, and the
``(from, to)`` pair of touchpoint ids for a customer-visible handoff, SPEC §1),
never by position in the file: reordering steps changes nothing here.

The comparison is pure data in, data out; :mod:`procmap.reports.diff` formats
it.  A side may be *empty* (the file did not exist at the old revision, see
``--allow-missing-old``): everything on the other side is then added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procmap.validate import FileResult

#: Attributes of a customer-facing step whose change the customer notices
#: (the ones `audit` reports for touchpoints).
FACING_FIELDS = ("lane", "channel", "evidence")

#: Journey figures compared by diff (SPEC §5), worst first: name -> how it is read from the analysis.
JOURNEY_FIGURES = (
    "max_journey_handoffs",
    "main_journey_handoffs",
    "max_journey_parties",
    "longest_silence_seconds",
)

#: The journeys compared figure by figure (SPEC §5.4, §5.7): the main, the worst and the average customer.
JOURNEY_VIEWS = ("main", "worst", "expected")

#: Figures of one journey in the order a reader weighs them (SPEC §5.3, §5.7); ``comes_back`` is
#: ``repeats + chases``. A figure one side's analysis does not compute is left out.
JOURNEY_FIGURE_ORDER = (
    "comes_back",
    "repeats",
    "chases",
    "longest_silence",
    "elapsed",
    "visible_handoffs",
    "parties",
    "touchpoints",
    "customer_actions",
    "channel_switches",
)

#: Metrics that describe the customer's experience; a change in any of them is
#: a customer-facing change even when no step list changed (a longer wait).
#: Metrics not named here (step counts, backstage handoffs, data classes, fail
#: points) are reported but count as internal.
CUSTOMER_METRICS = frozenset(
    {
        "customer_actions",
        "touchpoints",
        "visible_handoffs",
        "onstage_handoffs",
        "hidden_contacts",
        "parties_met",
        "channels_used",
        "channel_switches",
        "waits",
        "max_wait_seconds",
        "unbounded_waits",
    }
)


@dataclass(frozen=True, slots=True)
class Side:
    """One version of a process, reduced to what the comparison needs."""

    label: str  # the argument as given (file, '-', git:REV:path)
    exists: bool
    process_id: str | None
    name: str | None
    lanes: dict[str, dict[str, Any]]  # id -> {name, kind}, in file order
    steps: dict[str, dict[str, Any]]  # id -> graph node attributes, in file order
    touchpoints: list[str]
    customer_actions: list[str]
    visible_handoffs: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]]  # (u, v) -> (lane u, lane v, via)
    metrics: dict[str, Any]
    # SPEC §5: the journey figures compared (JOURNEY_FIGURES) and the repeat loops, (from, to) -> facing steps
    journeys: dict[str, Any] = field(default_factory=dict)
    repeat_loops: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # SPEC §5.7: the figures of the main and worst journeys and the averages ("expected", None without shares),
    # each with ``comes_back``; and the share of customers who come back (None without shares)
    views: dict[str, dict[str, float | int] | None] = field(default_factory=dict)
    p_comes_back: float | None = None
    # SPEC §7: parallel work, (forking step, its branches sorted) -> (branches in `all` order, join or None);
    # and the join steps
    forks: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, ...], str | None]] = field(default_factory=dict)
    joins: list[str] = field(default_factory=list)


def side_from_result(label: str, result: FileResult) -> Side:
    """Reduce a validated file (``require_valid``) to a :class:`Side`."""
    g, analysis = result.graph, result.analysis
    if g is None or analysis is None:
        raise ValueError(f"{label}: not a validated process")
    lanes = {
        lane.id: {"name": lane.name, "kind": lane.kind}
        for lane in sorted(g.graph["lanes"].values(), key=lambda info: info.index)
    }
    return Side(
        label=label,
        exists=True,
        process_id=g.graph["id"],
        name=g.graph["name"],
        lanes=lanes,
        steps={n: dict(d) for n, d in g.nodes(data=True)},
        touchpoints=list(analysis.touchpoints),
        customer_actions=list(analysis.customer_actions),
        visible_handoffs={
            (h.source, h.target): (h.source_lane, h.target_lane, h.via) for h in analysis.visible_handoffs
        },
        metrics=analysis.metrics(),
        **_journey_side(result),
        **_block_side(g),
    )


def _block_side(g: Any) -> dict[str, Any]:
    """The forks (keyed by step and branch set: listing the branches in another order changes nothing) and joins."""
    from procmap.analysis.blocks import blocks_of

    forks = {(f.step, tuple(sorted(f.targets))): (f.targets, f.join) for f in blocks_of(g).forks.values()}
    return {"forks": forks, "joins": [n for n, d in g.nodes(data=True) if d.get("join")]}


def _journey_side(result: FileResult) -> dict[str, Any]:
    """The journey figures a reviewer compares, and the repeat loops by their loop edge."""
    from procmap.analysis.journeys import Journeys

    j = result.journeys or Journeys(result.graph)
    _lo, hi = j.bounds
    main = j.main
    figures = {
        "max_journey_handoffs": hi.get("visible_handoffs", 0),
        "main_journey_handoffs": main.figures["visible_handoffs"] if main else 0,
        "max_journey_parties": hi.get("parties", 0),
        "longest_silence_seconds": hi.get("longest_silence", 0),
    }
    loops = {(x.source, x.target): x.facing for x in j.repeat_loops}
    expected = j.expected
    views = {
        "main": _with_comes_back(main.figures) if main else None,
        "worst": _with_comes_back(j.worst.figures) if j.worst else None,
        "expected": _with_comes_back({k: v for k, v in expected.items() if k != "p_comes_back"}) if expected else None,
    }
    p_back = expected.get("p_comes_back") if expected else None
    return {"journeys": figures, "repeat_loops": loops, "views": views, "p_comes_back": p_back}


def _with_comes_back(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures with ``comes_back`` (``repeats + chases``, SPEC §5.7) first."""
    repeats, chases = figures.get("repeats"), figures.get("chases")
    # An average that could not be computed exactly is null (expected_unavailable): its sum is unknown, not 0.
    back = None if repeats is None or chases is None else repeats + chases
    return {"comes_back": back, **figures}


def empty_side(label: str) -> Side:
    """A process that does not exist yet (or any more): no lanes, no steps, all metrics zero."""
    import networkx as nx

    from procmap.analysis.facts import Analysis

    return Side(
        label,
        False,
        None,
        None,
        {},
        {},
        [],
        [],
        {},
        Analysis(nx.DiGraph()).metrics(),
        dict.fromkeys(JOURNEY_FIGURES, 0),
    )


@dataclass(frozen=True, slots=True)
class StepEntry:
    """A customer action or touchpoint that appeared or disappeared."""

    step: str
    name: str
    lane: str
    channel: str | None
    evidence: str | None
    note: str  # why: "new step", "now onstage", "step removed", ...

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "name": self.name,
            "lane": self.lane,
            "channel": self.channel,
            "evidence": self.evidence,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class StepChange:
    """A customer-facing step present on both sides whose lane, channel or evidence changed."""

    step: str
    name: str
    lane: str  # now
    channel: str | None  # now
    changes: dict[str, tuple[Any, Any]]  # field -> (old, new)

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "name": self.name,
            "lane": self.lane,
            "channel": self.channel,
            "changes": {k: {"old": old, "new": new} for k, (old, new) in self.changes.items()},
        }


@dataclass(frozen=True, slots=True)
class HandoffEntry:
    source: str
    target: str
    source_lane: str
    target_lane: str
    via: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "from_lane": self.source_lane,
            "to_lane": self.target_lane,
            "via": list(self.via),
        }


@dataclass(frozen=True, slots=True)
class HandoffChange:
    """The same ``(from, to)`` pair on both sides, reached differently (``via``) or between other lanes."""

    old: HandoffEntry
    new: HandoffEntry

    def to_dict(self) -> dict[str, Any]:
        def part(h: HandoffEntry) -> dict[str, Any]:
            return {"from_lane": h.source_lane, "to_lane": h.target_lane, "via": list(h.via)}

        return {"from": self.new.source, "to": self.new.target, "old": part(self.old), "new": part(self.new)}


@dataclass(frozen=True, slots=True)
class VisibilityMove:
    """A step on both sides that crossed the line of visibility."""

    step: str
    name: str
    lane: str
    old: str
    new: str

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "name": self.name, "lane": self.lane, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class LaneEntry:
    lane: str
    name: str
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {"lane": self.lane, "name": self.name, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class LaneChange:
    lane: str
    changes: dict[str, tuple[Any, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"lane": self.lane, "changes": {k: {"old": o, "new": n} for k, (o, n) in self.changes.items()}}


@dataclass(frozen=True, slots=True)
class MetricDelta:
    name: str
    old: float | int | None
    new: float | int | None

    @property
    def delta(self) -> float | int | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "delta": self.delta}


@dataclass(frozen=True, slots=True)
class BlockEntry:
    """A fork item (its step, its branches, its join) or a join step that appeared or disappeared (SPEC §7)."""

    kind: str  # "fork" | "join"
    step: str
    targets: tuple[str, ...] = ()
    join: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "join":
            return {"kind": "join", "step": self.step}
        return {"kind": "fork", "step": self.step, "targets": list(self.targets), "join": self.join}


@dataclass(frozen=True, slots=True)
class RepeatLoopEntry:
    """A loop that brings the customer back, keyed by its loop edge."""

    source: str
    target: str
    facing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "facing": list(self.facing)}


@dataclass
class Changes:
    """Added / removed / changed items of one kind."""

    added: list[Any] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)
    changed: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [x.to_dict() for x in self.added],
            "removed": [x.to_dict() for x in self.removed],
            "changed": [x.to_dict() for x in self.changed],
        }


@dataclass
class ProcessDiff:
    old: Side
    new: Side
    touchpoints: Changes
    customer_actions: Changes
    visible_handoffs: Changes
    visibility: list[VisibilityMove]
    lanes: Changes
    metrics: list[MetricDelta]
    journeys: list[MetricDelta] = field(default_factory=list)
    repeat_loops: Changes = field(default_factory=Changes)
    # SPEC §5.7: per view (main, worst, expected) each figure before and after; the share who come back
    views: dict[str, list[MetricDelta]] = field(default_factory=dict)
    p_comes_back: MetricDelta = field(default_factory=lambda: MetricDelta("p_comes_back", None, None))
    structure: Changes = field(default_factory=Changes)  # forks and joins added or removed (SPEC §7)

    @property
    def worse_journeys(self) -> list[str]:
        """Why the journeys got worse (SPEC §5, §5.7): the worst journey's handoffs or the longest silence grew, a
        repeat loop appeared, or customers come back more (the share who do, the worst journey's comings back, or
        their average). Empty when they did not."""
        out = []
        for m in self.journeys:
            if m.name in ("max_journey_handoffs", "longest_silence_seconds") and (m.new or 0) > (m.old or 0):
                out.append(m.name)
        if self.repeat_loops.added:
            out.append("repeat_loops")
        p = self.p_comes_back
        if p.old is not None and p.new is not None and p.new > p.old + 1e-9:
            out.append("p_comes_back")
        for view in ("worst", "expected"):
            back = next((m for m in self.views.get(view, []) if m.name == "comes_back"), None)
            if back is not None and back.old is not None and back.new is not None and back.new > back.old + 1e-9:
                out.append(f"{view}.comes_back")
        return out

    @property
    def customer_facing(self) -> bool:
        """Anything the customer would notice: steps they meet, who they meet, what they see, how long they wait."""
        return bool(
            self.touchpoints
            or self.customer_actions
            or self.visible_handoffs
            or self.visibility
            or any(m.changed for m in self.metrics if m.name in CUSTOMER_METRICS)
            or any(m.changed for m in self.journeys)
            or bool(self.repeat_loops)
            or self.p_comes_back.changed
            or any(m.changed for deltas in self.views.values() for m in deltas)
        )

    @property
    def changed(self) -> bool:
        """Anything at all changed in what procmap compares (backstage lanes and metrics included)."""
        return self.customer_facing or bool(self.lanes) or bool(self.structure) or any(m.changed for m in self.metrics)

    @property
    def new_visible_handoffs(self) -> list[HandoffEntry]:
        return list(self.visible_handoffs.added)

    def to_dict(self) -> dict[str, Any]:
        def side(s: Side) -> dict[str, Any]:
            return {"file": s.label, "exists": s.exists, "id": s.process_id, "name": s.name}

        return {
            "old": side(self.old),
            "new": side(self.new),
            "customer_facing": self.customer_facing,
            "touchpoints": self.touchpoints.to_dict(),
            "customer_actions": self.customer_actions.to_dict(),
            "visible_handoffs": self.visible_handoffs.to_dict(),
            "visibility_changes": [m.to_dict() for m in self.visibility],
            "lanes": self.lanes.to_dict(),
            "structure": {
                "added": [x.to_dict() for x in self.structure.added],
                "removed": [x.to_dict() for x in self.structure.removed],
            },
            "metrics": {m.name: m.to_dict() for m in self.metrics},
            "journeys": {
                "figures": {m.name: m.to_dict() for m in self.journeys},
                "repeat_loops": {
                    "added": [x.to_dict() for x in self.repeat_loops.added],
                    "removed": [x.to_dict() for x in self.repeat_loops.removed],
                },
                "worse": bool(self.worse_journeys),
                **{view: {m.name: m.to_dict() for m in deltas} for view, deltas in self.views.items()},
                "p_comes_back": self.p_comes_back.to_dict(),
            },
        }


def _step_entry(side: Side, step: str, note: str) -> StepEntry:
    d = side.steps[step]
    return StepEntry(step, d["name"], d["lane"], d["channel"], d["evidence"], note)


def _role(d: dict[str, Any] | None) -> str:
    if d is None:
        return "absent"
    if d["customer"]:
        return "customer"
    return d["visibility"] or "absent"


_ADDED_NOTE = {"absent": "new step", "backstage": "was backstage", "customer": "was a customer action"}
_REMOVED_NOTE = {"absent": "step removed", "backstage": "now backstage", "customer": "now a customer action"}
_ACTION_ADDED_NOTE = {"absent": "new step", "backstage": "was a backstage step", "onstage": "was a touchpoint"}
_ACTION_REMOVED_NOTE = {"absent": "step removed", "backstage": "now a backstage step", "onstage": "now a touchpoint"}


def _facing_changes(old: Side, new: Side, old_ids: list[str], new_ids: list[str], added_note, removed_note) -> Changes:  # type: ignore[no-untyped-def]
    before, after = set(old_ids), set(new_ids)
    out = Changes()
    for step in new_ids:
        if step not in before:
            out.added.append(_step_entry(new, step, added_note[_role(old.steps.get(step))]))
        else:
            a, b = old.steps[step], new.steps[step]
            changes = {f: (a[f], b[f]) for f in FACING_FIELDS if a[f] != b[f]}
            if changes:
                out.changed.append(StepChange(step, b["name"], b["lane"], b["channel"], changes))
    for step in old_ids:
        if step not in after:
            out.removed.append(_step_entry(old, step, removed_note[_role(new.steps.get(step))]))
    return out


def _handoff(key: tuple[str, str], value: tuple[str, str, tuple[str, ...]]) -> HandoffEntry:
    return HandoffEntry(key[0], key[1], value[0], value[1], value[2])


def _handoff_changes(old: Side, new: Side) -> Changes:
    out = Changes()
    for key, value in new.visible_handoffs.items():
        if key not in old.visible_handoffs:
            out.added.append(_handoff(key, value))
        elif old.visible_handoffs[key] != value:
            out.changed.append(HandoffChange(_handoff(key, old.visible_handoffs[key]), _handoff(key, value)))
    out.removed = [_handoff(k, v) for k, v in old.visible_handoffs.items() if k not in new.visible_handoffs]
    return out


def _visibility_moves(old: Side, new: Side) -> list[VisibilityMove]:
    out = []
    for step, b in new.steps.items():
        a = old.steps.get(step)
        if a is None or a["visibility"] == b["visibility"]:
            continue
        out.append(VisibilityMove(step, b["name"], b["lane"], a["visibility"], b["visibility"]))
    return out


def _lane_changes(old: Side, new: Side) -> Changes:
    out = Changes()
    for lane, info in new.lanes.items():
        if lane not in old.lanes:
            out.added.append(LaneEntry(lane, info["name"], info["kind"]))
            continue
        changes = {k: (old.lanes[lane][k], info[k]) for k in ("kind", "name") if old.lanes[lane][k] != info[k]}
        if changes:
            out.changed.append(LaneChange(lane, changes))
    out.removed = [LaneEntry(lane, i["name"], i["kind"]) for lane, i in old.lanes.items() if lane not in new.lanes]
    return out


def _structure_changes(old: Side, new: Side) -> Changes:
    """Forks and joins added or removed: a structural change, whatever the figures say."""
    out = Changes()
    for key, (targets, join) in new.forks.items():
        if key not in old.forks:
            out.added.append(BlockEntry("fork", key[0], targets, join))
    out.added += [BlockEntry("join", n) for n in new.joins if n not in old.joins]
    for key, (targets, join) in old.forks.items():
        if key not in new.forks:
            out.removed.append(BlockEntry("fork", key[0], targets, join))
    out.removed += [BlockEntry("join", n) for n in old.joins if n not in new.joins]
    return out


def compare(old: Side, new: Side) -> ProcessDiff:
    """Everything that differs between ``old`` and ``new``, each list in file order of its side.

    Added items follow the new file's order, removed ones the old file's, so
    output is stable and reads like the files.
    """
    handoffs = _handoff_changes(old, new)
    metrics = [MetricDelta(name, old.metrics.get(name), new.metrics.get(name)) for name in new.metrics]
    metrics += [MetricDelta(name, value, None) for name, value in old.metrics.items() if name not in new.metrics]
    return ProcessDiff(
        old=old,
        new=new,
        touchpoints=_facing_changes(old, new, old.touchpoints, new.touchpoints, _ADDED_NOTE, _REMOVED_NOTE),
        customer_actions=_facing_changes(
            old, new, old.customer_actions, new.customer_actions, _ACTION_ADDED_NOTE, _ACTION_REMOVED_NOTE
        ),
        visible_handoffs=handoffs,
        visibility=_visibility_moves(old, new),
        lanes=_lane_changes(old, new),
        metrics=metrics,
        journeys=[MetricDelta(name, old.journeys.get(name), new.journeys.get(name)) for name in JOURNEY_FIGURES],
        views={view: _view_deltas(old.views.get(view), new.views.get(view)) for view in JOURNEY_VIEWS},
        p_comes_back=MetricDelta("p_comes_back", old.p_comes_back, new.p_comes_back),
        repeat_loops=Changes(
            added=[
                RepeatLoopEntry(u, v, f) for (u, v), f in new.repeat_loops.items() if (u, v) not in old.repeat_loops
            ],
            removed=[
                RepeatLoopEntry(u, v, f) for (u, v), f in old.repeat_loops.items() if (u, v) not in new.repeat_loops
            ],
        ),
        structure=_structure_changes(old, new),
    )


def _view_deltas(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[MetricDelta]:
    """Each figure of one view (main, worst or expected) before and after, in :data:`JOURNEY_FIGURE_ORDER`.

    A side without the view (no shares: no averages; an absent file) gives ``None`` for each figure; a figure
    neither side computes is left out.
    """
    names = [n for n in JOURNEY_FIGURE_ORDER if n in (old or {}) or n in (new or {})]
    return [MetricDelta(n, (old or {}).get(n), (new or {}).get(n)) for n in names]
