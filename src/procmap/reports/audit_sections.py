"""The report's sections as format-neutral tables, so every output shows the same facts.

Each formatter only decides how a table looks and how to escape a cell; which
rows exist, in which order, with which words, is decided once here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Union

from procmap.model.durations import format_duration
from procmap.model.words import percent


class Ids:
    """Step, lane or data-class ids, shown as code; ``path`` joins them with arrows (a → b), else commas."""

    __slots__ = ("items", "path")

    def __init__(self, items: Iterable[str], joiner: str = "list") -> None:
        self.items = tuple(items)
        self.path = joiner == "path"


Cell = Union[str, Ids, None]  # str: free text from the user or a figure


@dataclass(frozen=True)
class Section:
    key: str  # stable anchor: the JSON key it shows
    title: str
    blurb: str  # what it means, in plain words (for readers who do not know the vocabulary)
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    empty: str = "None."


@dataclass(frozen=True)
class Glyphs:
    arrow: str
    dash: str
    ge: str

    @classmethod
    def pick(cls, ascii_only: bool) -> Glyphs:
        return cls("->", "-", ">=") if ascii_only else cls("→", "–", "≥")


# Human labels of the metrics, in display order (JSON keys are the metric names).
METRIC_LABELS: dict[str, str] = {
    "steps": "Steps",
    "customer_actions": "Customer actions",
    "touchpoints": "Touchpoints",
    "visible_handoffs": "Customer-visible handoffs",
    "handoffs": "Handoffs",
    "visibility_crossings": "Line-of-visibility crossings",
    "onstage_handoffs": "Onstage handoffs",
    "visibility_line_handoffs": "Visibility-line handoffs",
    "backstage_handoffs": "Backstage handoffs",
    "hidden_contacts": "Hidden contacts",
    "parties_met": "Parties the customer meets",
    "channels_used": "Channels used",
    "channel_switches": "Channel switches",
    "data_classes": "Data classes",
    "fail_points": "Fail points",
    "fail_points_without_backup": "Fail points without backup",
    "waits": "Waits",
    "max_wait_seconds": "Longest bounded wait",
    "unbounded_waits": "Unbounded waits (loops)",
}

#: Where the graph's totals go: they count places in the graph (every distinct pair some path joins), not
#: what one customer meets, so they follow the journeys under a title that says so (issue 19).
GRAPH_TITLE = "Across the whole graph"
GRAPH_BLURB = (
    "Totals over every step and flow of the process: each place counts once, whichever customer passes it. "
    "One customer meets far fewer (see the journeys above)."
)

# The graph's totals a reader looks at first, shown under GRAPH_TITLE (never as the report's headline).
HEADLINE = (
    "touchpoints",
    "visible_handoffs",
    "customer_actions",
    "channel_switches",
    "max_wait_seconds",
    "fail_points_without_backup",
)


def headline(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of the headline figures; the longest wait says "no upper bound" when a loop allows it."""
    out = []
    for key in HEADLINE:
        if key == "max_wait_seconds":
            value = "no upper bound" if metrics["unbounded_waits"] else metric_value(key, metrics[key])
            out.append(("Longest wait", value))
        else:
            out.append((METRIC_LABELS[key], metric_value(key, metrics[key])))
    return out


def metric_value(key: str, value: Any) -> str:
    if value is None:
        return "unbounded"
    if key.endswith("_seconds"):
        return format_duration(float(value))
    return str(value)


def wait_text(wait: dict[str, Any], glyphs: Glyphs) -> str:
    low = format_duration(float(wait["min_seconds"]))
    high = wait["max_seconds"]
    if high is None:
        return f"{glyphs.ge} {low} (loop: no upper bound)"
    if high == wait["min_seconds"]:
        return low
    return f"{low} {glyphs.dash} {format_duration(float(high))}"


def _name(graph: Any, step: str) -> str:
    return str(graph.nodes[step]["name"])


def build(report: dict[str, Any], graph: Any, glyphs: Glyphs) -> list[Section]:
    """All sections of one process, in report order (metrics and budgets are drawn by each formatter)."""
    r = report
    nodes = graph.nodes
    return [
        Section(
            "customer_actions",
            f"Customer actions ({len(r['customer_actions'])})",
            "Steps the customer does themself (the customer lane).",
            ("Step", "Name", "Channel"),
            [(Ids([s]), _name(graph, s), nodes[s]["channel"]) for s in r["customer_actions"]],
        ),
        Section(
            "touchpoints",
            f"Touchpoints ({len(r['touchpoints'])})",
            "Onstage steps of the organisation: the moments the customer deals with someone.",
            ("Step", "Name", "Lane", "Channel", "Evidence", "Owner"),
            [
                (Ids([t["step"]]), t["name"], Ids([t["lane"]]), t["channel"], t["evidence"], t["owner"])
                for t in r["touchpoints"]
            ],
        ),
        Section(
            "visible_handoffs",
            f"Customer-visible handoffs ({len(r['visible_handoffs'])})",
            "The customer next deals with a different party than the one they last dealt with.",
            ("From", "To", "Lanes", "Via"),
            [
                (
                    Ids([h["from"]]),
                    Ids([h["to"]]),
                    Ids([h["from_lane"], h["to_lane"]], "path"),
                    Ids(h["via"], "path") if h["via"] else "(direct)",
                )
                for h in r["visible_handoffs"]
            ],
        ),
        Section(
            "handoffs",
            f"Handoffs ({len(r['handoffs'])})",
            "Work passing between two lanes of the organisation, by where the customer can see it.",
            ("From", "To", "Lanes", "Class"),
            [
                (Ids([h["from"]]), Ids([h["to"]]), Ids([h["from_lane"], h["to_lane"]], "path"), h["class"])
                for h in r["handoffs"]
            ],
        ),
        Section(
            "visibility_crossings",
            f"Line-of-visibility crossings ({len(r['visibility_crossings'])})",
            "Flows between a step the customer sees and one they do not.",
            ("From", "To", "Direction"),
            [
                (Ids([c["from"]]), Ids([c["to"]]), c["direction"].replace("-to-", f" {glyphs.arrow} "))
                for c in r["visibility_crossings"]
            ],
        ),
        Section(
            "hidden_contacts",
            f"Hidden contacts ({len(r['hidden_contacts'])})",
            "A backstage step flowing straight to or from the customer: someone the customer deals with but "
            "nobody shows them.",
            ("From", "To"),
            [(Ids([c["from"]]), Ids([c["to"]])) for c in r["hidden_contacts"]],
        ),
        Section(
            "waits",
            f"Waits ({len(r['waits'])})",
            "Backstage work between two moments the customer takes part in: the least and the greatest total "
            "duration over the paths between them.",
            ("From", "To", "Via (least wait)", "Wait", "Without duration"),
            [
                (
                    Ids([w["from"]]),
                    Ids([w["to"]]),
                    Ids(w["via"], "path"),
                    wait_text(w, glyphs),
                    Ids(w["no_duration"]) if w["no_duration"] else None,
                )
                for w in r["waits"]
            ],
        ),
        Section(
            "channel_switches",
            f"Channel switches ({len(r['channel_switches'])})",
            "The customer moves from one channel to another between two customer-facing steps.",
            ("From", "To", "Channels"),
            [
                (Ids([s["from"]]), Ids([s["to"]]), f"{s['from_channel']} {glyphs.arrow} {s['to_channel']}")
                for s in r["channel_switches"]
            ],
        ),
        Section(
            "data_classes",
            f"Data classes ({len(r['data_classes'])})",
            "Which steps touch each class of data.",
            ("Class", "Steps"),
            [(Ids([cls]), Ids(steps)) for cls, steps in r["data_classes"].items()],
        ),
        Section(
            "fail_points",
            f"Fail points ({len(r['fail_points'])})",
            "Steps marked as a known risk of failure, and who covers when their owner is away.",
            ("Step", "Name", "Lane", "Owner", "Backup"),
            [
                (Ids([f["step"]]), f["name"], Ids([f["lane"]]), f["owner"], f["backup"] or "none")
                for f in r["fail_points"]
            ],
        ),
    ]


def budget_rows(report: dict[str, Any]) -> list[tuple[Cell, ...]]:
    return [
        (Ids([b["budget"]]), str(b["limit"]), str(b["value"]), "EXCEEDED" if b["exceeded"] else "ok")
        for b in report["budgets"]
    ]


BUDGET_HEADERS = ("Budget", "Limit", "Value", "Status")


def _comes_back(figures: dict[str, Any]) -> int:
    return int(figures.get("repeats") or 0) + int(figures.get("chases") or 0)


#: SPEC §5.7's worst order, read on each process's worst journey: the overview's sort key.
_WORST_KEY = ("comes_back", "longest_silence", "elapsed", "visible_handoffs")


def worst_key(report: dict[str, Any]) -> tuple[float, ...]:
    """How much a process hurts its worst-off customer, comparable across processes (larger is worse)."""
    j = report.get("journeys")
    if not j or j.get("worst") is None:
        return tuple(-1.0 for _ in _WORST_KEY)
    f = j["worst"]["figures"]
    return tuple(float(_comes_back(f) if k == "comes_back" else f.get(k) or 0) for k in _WORST_KEY)


def overview_order(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The processes worst first (SPEC §5.7's worst order on each one's worst journey); ties keep the input order."""
    return sorted(reports, key=worst_key, reverse=True) if reports else []


def overview_rows(reports: list[dict[str, Any]]) -> list[tuple[Cell, ...]]:
    """One row per process, worst first, leading with what one customer goes through (reports on several files).

    The graph's totals (touchpoints, visible handoffs in the whole graph) are
    left to each process's "Across the whole graph" section: they count
    places, and the cleanest-looking totals belonged to the process whose
    customers come back most (issue 19).
    """
    rows: list[tuple[Cell, ...]] = []
    for r in sorted(reports, key=worst_key, reverse=True):
        over = [b["budget"] for b in r["budgets"] if b["exceeded"]]
        rows.append(
            (
                Ids([r["id"]]),
                r["file"],
                *_journey_cells(r.get("journeys")),
                ("over: " + ", ".join(over)) if over else ("ok" if r["budgets"] else "-"),
            )
        )
    return rows


def _journey_cells(journeys: dict[str, Any] | None) -> tuple[str, ...]:
    """Come back (share, or whether any journey can), the worst journey's silence and time, the main and worst
    journeys' handoffs, and the promises broken."""
    if not journeys or journeys.get("main") is None:
        return ("-",) * 6
    worst = journeys["worst"]["figures"]
    expected = journeys.get("expected")
    p_back = expected.get("p_comes_back") if expected else None
    if p_back is not None:
        back = percent(p_back)
    elif _comes_back(journeys["max"]) or journeys.get("repeat_loops"):
        back = "possible"
    else:
        back = "no"
    main_handoffs = journeys["main"]["figures"]["visible_handoffs"]
    silence = worst["longest_silence"]
    broken = sum(1 for s in journeys["sla"] if s["breach"])
    return (
        back,
        str(_comes_back(worst)),
        format_duration(float(silence)) if silence else "-",
        format_duration(float(worst["elapsed"])) if worst["elapsed"] else "-",
        f"{main_handoffs} / {worst['visible_handoffs']}",
        f"{broken} of {len(journeys['sla'])}" if journeys["sla"] else "-",
    )


OVERVIEW_HEADERS = (
    "Process",
    "File",
    "Customers who come back",
    "Worst journey comes back",
    "Longest silence (worst journey)",
    "Time (worst journey)",
    "Journey handoffs (main / worst)",
    "Promises broken",
    "Budgets",
)
