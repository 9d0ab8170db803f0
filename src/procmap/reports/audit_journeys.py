"""The "Journeys" part of the audit as format-neutral sections, written for a customer-experience lead.

What one customer goes through comes first in every human format: the usual
journey and the worst one step by step (names, not ids; each handoff, each
return and each silence marked), the range of each figure over all
journeys, then where the customer has to come back, where failures surface,
what they are asked twice and which promises break.  The formatters only
draw these tables; the words are decided once, here.
"""

from __future__ import annotations

from typing import Any

from procmap.model.durations import format_duration
from procmap.reports.audit_sections import Cell, Glyphs, Section

# Journeys longer than this are cut in the step-by-step tables (the JSON keeps every step).
MAX_ROWS = 300

FIGURE_LABELS: dict[str, str] = {
    "visible_handoffs": "Handoffs the customer sees",
    "parties": "Parties the customer deals with",
    "longest_silence": "Longest silence",
    "elapsed": "Time from start to end",
    "touchpoints": "Touchpoints (updates included)",
    "customer_actions": "Things the customer does",
    "channel_switches": "Channel switches",
    "repeats": "Times the customer comes back",
}


def figure_text(name: str, value: Any) -> str:
    if value is None:
        return "–"
    if name in ("elapsed", "longest_silence"):
        return format_duration(float(value))
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _name(graph: Any, step: str) -> str:
    return str(graph.nodes[step]["name"])


def _lane_name(graph: Any, lane: str) -> str:
    info = graph.graph.get("lanes", {}).get(lane)
    return info.name if info is not None else lane


def journey_rows(
    journey: dict[str, Any], graph: Any, glyphs: Glyphs, loops: set[tuple[str, str]]
) -> list[tuple[Cell, ...]]:
    """One row per step: who does it, and what the customer notices (handoffs, returns, silences, updates)."""
    nodes = graph.nodes
    rows: list[tuple[Cell, ...]] = []
    last_lane: str | None = None
    silence = 0.0
    seen_facing = False
    steps = journey["steps"]
    for i, step in enumerate(steps):
        d = nodes[step]
        notes: list[str] = []
        if i and (steps[i - 1], step) in loops:
            notes.append(f"REPEAT: back to this step again (from {_name(graph, steps[i - 1])})")
        if d["facing"]:
            if seen_facing and silence > 0:
                notes.append(f"after {format_duration(silence)} of silence")
            seen_facing = True
            silence = 0.0
        elif seen_facing:
            silence += d["duration"] or 0.0
        if d["touchpoint"] and d.get("update"):
            notes.append("status update (one-way)")
        elif d["touchpoint"]:
            if last_lane is not None and last_lane != d["lane"]:
                notes.append(f"HANDOFF: {_lane_name(graph, last_lane)} {glyphs.arrow} {_lane_name(graph, d['lane'])}")
            last_lane = d["lane"]
        if d["customer"]:
            who = "the customer"
        elif d["facing"]:
            who = _lane_name(graph, d["lane"])
        else:
            who = f"{_lane_name(graph, d['lane'])} (out of sight)"
        rows.append((str(i + 1), _name(graph, step), who, d["channel"], "; ".join(notes) or None))
        if len(rows) == MAX_ROWS and len(steps) > MAX_ROWS:
            rows.append(("…", f"{len(steps) - MAX_ROWS} more steps (all in the JSON report)", None, None, None))
            break
    return rows


def _summary(journey: dict[str, Any]) -> str:
    f = journey["figures"]
    parts = [
        f"{len(journey['steps'])} steps",
        f"{f['visible_handoffs']} handoff{'s' if f['visible_handoffs'] != 1 else ''} the customer sees",
        f"{f['parties']} part{'ies' if f['parties'] != 1 else 'y'}",
        f"longest silence {figure_text('longest_silence', f['longest_silence'])}",
    ]
    if f["repeats"]:
        parts.append(f"comes back {f['repeats']} time{'s' if f['repeats'] != 1 else ''}")
    return ", ".join(parts)


JOURNEY_HEADERS = ("#", "Step", "Who", "Channel", "What the customer notices")


def sections(report: dict[str, Any], graph: Any, glyphs: Glyphs, loop_edges: set[tuple[str, str]]) -> list[Section]:
    """The journey sections of one process, in reading order; ``loop_edges`` mark the returns."""
    j = report.get("journeys")
    if not j or j.get("main") is None:
        return []
    loops = loop_edges
    out = []
    count = j["count"]
    out.append(
        Section(
            "journeys.main",
            f"Main journey: {_summary(j['main'])}",
            "The usual case: from the start, the first branch of every decision (modellers list the usual branch "
            f"first). One of {count:,} possible journeys"
            + (
                f" (each coming back at most {j['repeats']} time{'s' if j['repeats'] != 1 else ''})."
                if j["repeats"]
                else "."
            ),
            JOURNEY_HEADERS,
            journey_rows(j["main"], graph, glyphs, loops),
        )
    )
    if j["worst"]["steps"] != j["main"]["steps"]:
        out.append(
            Section(
                "journeys.worst",
                f"Worst journey: {_summary(j['worst'])}",
                "The journey with the most handoffs the customer sees (ties: the longest, then the shortest in steps).",
                JOURNEY_HEADERS,
                journey_rows(j["worst"], graph, glyphs, loops),
            )
        )
    else:
        out.append(
            Section(
                "journeys.worst",
                "Worst journey: the main journey",
                "No journey has more handoffs the customer sees, or takes longer with as many.",
                JOURNEY_HEADERS,
                [],
                empty="The main journey is also the worst one.",
            )
        )
    expected = j.get("expected")
    rows: list[tuple[Cell, ...]] = []
    for name, label in FIGURE_LABELS.items():
        exp = None
        if expected is not None and name in expected:
            exp = figure_text(name, expected[name])
        rows.append(
            (
                label,
                figure_text(name, j["main"]["figures"][name]),
                figure_text(name, j["min"][name]),
                figure_text(name, j["max"][name]),
                exp,
            )
        )
    notes = []
    if j["steps_without_duration"]:
        notes.append(f"{j['steps_without_duration']} steps have no duration and count as 0")
    if j["facing_steps_without_channel"]:
        notes.append(f"{j['facing_steps_without_channel']} customer-facing steps have no channel")
    blurb = (
        "Each figure over all journeys: what the usual customer meets, the least and the most any one customer "
        "meets, and the average over customers (from the flows' shares; blank when shares are missing)."
    )
    if notes:
        blurb += " Note: " + "; ".join(notes) + "."
    out.append(Section("journeys.figures", "Per journey", blurb, ("Figure", "Main", "Min", "Max", "Expected"), rows))
    out.append(
        Section(
            "journeys.repeat_loops",
            f"The customer has to come back ({len(j['repeat_loops'])})",
            "Loops through steps the customer takes part in: each time one is taken, the customer deals with "
            "these steps again.",
            ("Back from", "To", "When", "The customer meets again"),
            [
                (
                    _name(graph, x["from"]),
                    _name(graph, x["to"]),
                    x["when"],
                    f" {glyphs.arrow} ".join(_name(graph, s) for s in x["facing"]),
                )
                for x in j["repeat_loops"]
            ],
            empty="None: no loop brings the customer back.",
        )
    )
    out.append(
        Section(
            "journeys.fail_points",
            f"Where failures surface ({len(j['fail_points'])})",
            "Known risks (fail points), and owned steps the customer waits on with nobody named to cover, with the "
            "moments where the customer finds out when they fail.",
            ("Step", "Backup", "The customer finds out at"),
            [
                (
                    _name(graph, f["step"]),
                    _backup_text(graph, f),
                    ", ".join(_name(graph, s) for s in f["surfaces_at"]) or "nowhere (no later customer contact)",
                )
                for f in j["fail_points"]
            ],
            empty="None.",
        )
    )
    out.append(
        Section(
            "journeys.asked_twice",
            f"Asked twice ({len(j['asked_twice'])})",
            "The customer gives the same kind of data again, later on the same path.",
            ("Data", "First given at", "Asked again at"),
            [(a["data"], _name(graph, a["first"]), _name(graph, a["second"])) for a in j["asked_twice"]],
            empty="None: nothing is asked twice.",
        )
    )
    out.append(
        Section(
            "journeys.sla",
            f"Promised times ({len(j['sla'])}, {sum(1 for s in j['sla'] if s['breach'])} broken)",
            "Each step with an sla: the longest the customer can wait for it since they last dealt with anyone.",
            ("Step", "Promised", "Longest wait", "Since", "Status"),
            [
                (
                    _name(graph, s["step"]),
                    format_duration(float(s["sla"])),
                    "no limit (a loop of work out of sight)"
                    if s["longest_wait"] is None
                    else format_duration(float(s["longest_wait"])),
                    _name(graph, s["from"]) if s["from"] else "the start",
                    "BROKEN" if s["breach"] else "kept",
                )
                for s in j["sla"]
            ],
            empty="No step has an sla.",
        )
    )
    return out


def _backup_text(graph: Any, fail: dict[str, Any]) -> str:
    backup = fail["backup"]
    if not backup:
        return "none"
    owner = graph.nodes[fail["step"]]["owner"]
    if owner and owner.strip().casefold() == backup.strip().casefold():
        return f"{backup} (the owner: no backup at all)"
    return str(backup)
