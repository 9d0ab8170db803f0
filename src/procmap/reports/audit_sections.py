"""The report's sections as format-neutral tables, so every output shows the same facts.

Each formatter only decides how a table looks and how to escape a cell; which
rows exist, in which order, with which words, is decided once here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Union

from procmap.model.durations import format_duration


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

# The figures a reader looks at first (HTML cards, Markdown summary line).
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


def overview_rows(reports: list[dict[str, Any]]) -> list[tuple[Cell, ...]]:
    """One row per process, for reports on several files."""
    rows: list[tuple[Cell, ...]] = []
    for r in reports:
        m = r["metrics"]
        over = [b["budget"] for b in r["budgets"] if b["exceeded"]]
        rows.append(
            (
                Ids([r["id"]]),
                r["file"],
                str(m["touchpoints"]),
                str(m["visible_handoffs"]),
                str(m["handoffs"]),
                str(m["customer_actions"]),
                *_journey_cells(r.get("journeys")),
                ("over: " + ", ".join(over)) if over else ("ok" if r["budgets"] else "-"),
            )
        )
    return rows


def _journey_cells(journeys: dict[str, Any] | None) -> tuple[str, str]:
    """What one customer meets (SPEC §5) beside the totals, which count places in the graph: the main
    journey's visible handoffs and the worst journey's, and the longest silence any journey has."""
    if not journeys:
        return "-", "-"
    main, worst = journeys["main"]["figures"]["visible_handoffs"], journeys["max"]["visible_handoffs"]
    silence = journeys["max"]["longest_silence"]
    return f"{main} / {worst}", format_duration(silence) if silence else "-"


OVERVIEW_HEADERS = (
    "Process",
    "File",
    "Touchpoints",
    "Visible handoffs",
    "Handoffs",
    "Customer actions",
    "Journey handoffs (main / worst)",
    "Longest silence",
    "Budgets",
)
