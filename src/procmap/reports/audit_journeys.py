"""The "Journeys" part of the audit as format-neutral sections, written for a customer-experience lead.

What one customer goes through comes first in every human format: the usual
journey and the worst one step by step (names, not ids; each handoff, each
return and each silence marked), the range of each figure over all
journeys, then where the customer has to come back, where failures surface,
what they are asked twice and which promises break.  The formatters only
draw these tables; the words are decided once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procmap.model.durations import format_duration
from procmap.model.words import average, percent, times_on_average
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
    "repeats": "Times round a loop back (repeats)",
    "chases": "Times the customer chases",
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


def _is_chase(data: Any) -> bool:
    """A ``contact: chase`` step (SPEC §5.7): the customer acts because nothing came."""
    return bool(data.get("chase") or data.get("contact") == "chase")


def _is_planned(graph: Any, u: str, v: str) -> bool:
    """A ``planned: true`` loop flow (SPEC §5.7): a return the customer expects, not a repeat."""
    return bool(graph.has_edge(u, v) and graph.edges[u, v].get("planned"))


def _ordinal(n: int) -> str:
    """2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def journey_rows(
    journey: dict[str, Any], graph: Any, glyphs: Glyphs, loops: set[tuple[str, str]]
) -> list[tuple[Cell, ...]]:
    """One row per step: who does it, and what the customer notices (handoffs, returns, chases, silences, updates).

    A return is labelled only where the journey really revisits a step: a loop
    flow can lead to a step this journey has not met yet (the loop was found
    on another branch), and calling that "back again" told the reader a
    customer came back who never had.  The step a loop flow brings the
    journey back to says so in full; the steps after it that the journey also
    meets again are counted ("2nd visit").
    """
    nodes = graph.nodes
    rows: list[tuple[Cell, ...]] = []
    last_lane: str | None = None
    silence = 0.0
    seen_facing = False
    visits: dict[str, int] = {}
    planned = False  # the last loop flow taken was planned: what it brings back to is expected
    steps = journey["steps"]
    # A run through a fork (SPEC §7.2) lists its visits in timeline order, where branches overlap in time:
    # summing durations between facing rows would be a wrong silence, so per-step silences are left to the
    # run's own longest_silence figure (measured on the timeline) and only said for runs without forks.
    forked = any(
        graph.edges[step, nxt].get("fork") is not None for step in set(steps) for nxt in graph.successors(step)
    )
    for i, step in enumerate(steps):
        d = nodes[step]
        notes: list[str] = []
        if i and (steps[i - 1], step) in loops:
            planned = _is_planned(graph, steps[i - 1], step)
        visits[step] = visits.get(step, 0) + 1
        if visits[step] > 1:
            if (steps[i - 1], step) in loops:
                came = f"(from {_name(graph, steps[i - 1])})"
                notes.append(
                    f"planned return to this step {came}" if planned else f"REPEAT: back to this step again {came}"
                )
            else:
                notes.append(f"{_ordinal(visits[step])} visit" + (", as planned" if planned else ""))
        if _is_chase(d):
            notes.append("CHASE: the customer has to chase (nothing came)")
        if d["facing"]:
            if seen_facing and silence > 0 and not forked:
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
    """ "8 steps, 2 handoffs the customer sees, …, comes back 2 times, takes 6d 10m"."""
    f = journey["figures"]
    parts = [
        f"{len(journey['steps'])} steps",
        f"{f['visible_handoffs']} handoff{'s' if f['visible_handoffs'] != 1 else ''} the customer sees",
        f"{f['parties']} part{'ies' if f['parties'] != 1 else 'y'}",
        f"longest silence {figure_text('longest_silence', f['longest_silence'])}",
        f"takes {figure_text('elapsed', f['elapsed'])}",
    ]
    back = comes_back(f)
    if back:
        parts.append(f"comes back {back} time{'s' if back != 1 else ''}")
    return ", ".join(parts)


def _average_back(expected: dict[str, Any]) -> str | None:
    """How often a customer comes back on average, in words; None when a figure could not be computed exactly
    (``expected_unavailable``): a missing average is said as missing, never counted as 0."""
    repeats, chases = expected.get("repeats"), expected.get("chases")
    if repeats is None or chases is None:
        return None
    return times_on_average(float(repeats) + float(chases))


def comes_back(figures: dict[str, Any]) -> int:
    """SPEC §5.7: a journey comes back ``repeats + chases`` times (chases once the analysis counts them)."""
    return int(figures.get("repeats") or 0) + int(figures.get("chases") or 0)


def _share(journey: dict[str, Any]) -> str:
    """ " (30 % of customers)" when the journey's probability is known (SPEC §5.7), else nothing."""
    p = journey.get("probability")
    return f" ({percent(p)} of customers)" if p is not None else ""


#: SPEC §5.7's worst order (``--worst-by`` replaces it; the report names the order in force as ``worst_by``).
WORST_BY = ("comes_back", "longest_silence", "elapsed", "visible_handoffs")
_WORST_WORDS = {
    "comes_back": "the most comings back (repeats and chases)",
    "longest_silence": "the longest silence",
    "elapsed": "the longest time from start to end",
    "visible_handoffs": "the most handoffs the customer sees",
    "parties": "the most parties",
    "touchpoints": "the most touchpoints",
    "customer_actions": "the most things the customer does",
    "channel_switches": "the most channel switches",
    "repeats": "the most repeats",
    "chases": "the most chases",
}


def worst_order(j: dict[str, Any]) -> str:
    """The worst journey's order in words: "the most comings back, then the longest silence, then …".

    The report does not say whether ``--worst-by`` replaced SPEC §5.7's order, so the default is named as the
    default (a ``worst_by`` list in the report, should it carry one, is named as such).
    """
    if j.get("worst_by"):
        return "by " + ", then ".join(_WORST_WORDS.get(n, f"the largest {n.replace('_', ' ')}") for n in j["worst_by"])
    return "by default " + ", then ".join(_WORST_WORDS[n] for n in WORST_BY)


JOURNEY_HEADERS = ("#", "Step", "Who", "Channel", "What the customer notices")


def sections(report: dict[str, Any], graph: Any, glyphs: Glyphs, loop_edges: set[tuple[str, str]]) -> list[Section]:
    """The journey sections of one process, in reading order; ``loop_edges`` mark the returns."""
    j = report.get("journeys")
    if not j or j.get("main") is None:
        return []
    loops = loop_edges
    out = []
    count = j["count"]
    rounds = (
        f" (each coming back at most {j['repeats']} time{'s' if j['repeats'] != 1 else ''})." if j["repeats"] else "."
    )
    if j["main"].get("probability") is not None:
        usual = "The usual case: the most likely journey, from the shares of the flows."
    else:
        usual = "The usual case: from the start, the first branch of every decision (modellers list the usual branch first)."
    out.append(
        Section(
            "journeys.main",
            f"Main journey{_share(j['main'])}: {_summary(j['main'])}",
            f"{usual} One of {count:,} possible journeys{rounds}",
            JOURNEY_HEADERS,
            journey_rows(j["main"], graph, glyphs, loops),
        )
    )
    order = worst_order(j)
    if j["worst"]["steps"] != j["main"]["steps"]:
        out.append(
            Section(
                "journeys.worst",
                f"Worst journey{_share(j['worst'])}: {_summary(j['worst'])}",
                f"The journey that hurts most, {order}; ties: the fewest steps (--worst-by sets another order).",
                JOURNEY_HEADERS,
                journey_rows(j["worst"], graph, glyphs, loops),
            )
        )
    else:
        out.append(
            Section(
                "journeys.worst",
                "Worst journey: the main journey",
                f"No journey hurts more, {order} (--worst-by sets another order).",
                JOURNEY_HEADERS,
                [],
                empty="The main journey is also the worst one.",
            )
        )
    out.append(figures_section(j))
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


#: Figures counted in times (the customer comes back, chases): their averages read "0.43 times on average".
_TIMES = frozenset({"repeats", "chases"})


def expected_text(name: str, value: Any) -> str | None:
    """An average over customers in words: "0.43 times on average" for returns, "2.4" for other counts."""
    if value is None:
        return None
    if name in _TIMES:
        return times_on_average(float(value))
    if name in ("elapsed", "longest_silence"):
        return format_duration(float(value))
    return average(float(value))


def figures_section(j: dict[str, Any]) -> Section:
    """Each figure for the main and the worst journey, its least and most over all journeys, and its average.

    The first two rows are the ones that hurt most: how often a customer comes
    back (repeats and chases together, SPEC §5.7) and how many come back at all.
    """
    main, worst = j["main"]["figures"], j["worst"]["figures"]
    expected = j.get("expected")
    p_back = expected.get("p_comes_back") if expected else None
    rows: list[tuple[Cell, ...]] = []
    avg_back = None
    if expected is not None:
        avg_back = _average_back(expected)
    rows.append(("Times the customer comes back", str(comes_back(main)), str(comes_back(worst)), None, None, avg_back))
    rows.append(
        (
            "Customers who come back at all",
            "yes" if comes_back(main) else "no",
            "yes" if comes_back(worst) else "no",
            None,
            None,
            percent(p_back) if p_back is not None else None,
        )
    )
    for name, label in FIGURE_LABELS.items():
        if name not in main:
            continue  # a figure this analysis does not compute (chases before SPEC §5.7)
        exp = expected_text(name, expected.get(name)) if expected is not None else None
        rows.append(
            (
                label,
                figure_text(name, main[name]),
                figure_text(name, worst[name]),
                figure_text(name, j["min"].get(name)),
                figure_text(name, j["max"].get(name)),
                exp,
            )
        )
    notes = []
    if j["steps_without_duration"]:
        notes.append(f"{j['steps_without_duration']} steps have no duration and count as 0")
    if j["facing_steps_without_channel"]:
        notes.append(f"{j['facing_steps_without_channel']} customer-facing steps have no channel")
    blurb = (
        "Each figure over all journeys: what the usual customer and the worst-off one meet, the least and the most "
        "any one customer meets, and the average over customers (from the flows' shares; blank when shares are "
        "missing)."
    )
    if notes:
        blurb += " Note: " + "; ".join(notes) + "."
    return Section(
        "journeys.figures", "Per journey", blurb, ("Figure", "Main", "Worst", "Min", "Max", "On average"), rows
    )


def _backup_text(graph: Any, fail: dict[str, Any]) -> str:
    backup = fail["backup"]
    if not backup:
        return "none"
    owner = graph.nodes[fail["step"]]["owner"]
    if owner and owner.strip().casefold() == backup.strip().casefold():
        return f"{backup} (the owner: no backup at all)"
    return str(backup)


@dataclass(frozen=True)
class Tile:
    """One headline tile: a title, its figure, and the details under it (one customer's view, never a total)."""

    title: str
    value: str
    details: tuple[str, ...] = ()

    def line(self) -> str:
        """The tile as one line of text: "Worst journey: takes 4d 31m; comes back 2 times, …"."""
        return f"{self.title}: {self.value}" + (f" ({', '.join(self.details)})" if self.details else "")


def _journey_details(f: dict[str, Any]) -> tuple[str, ...]:
    back, handoffs = comes_back(f), f["visible_handoffs"]
    return (
        f"comes back {back} time{'s' if back != 1 else ''}",
        f"{handoffs} handoff{'s' if handoffs != 1 else ''} the customer sees",
        f"longest silence {figure_text('longest_silence', f['longest_silence'])}",
    )


def journey_tiles(report: dict[str, Any]) -> list[Tile]:
    """The figures a reader looks at first: who comes back, then the main, the worst and the average journey.

    Per journey (SPEC §5.4, §5.7), never graph totals: those count places
    and live under "Across the whole graph".
    """
    j = report.get("journeys")
    if not j or j.get("main") is None:
        return []
    main, worst = j["main"]["figures"], j["worst"]["figures"]
    expected = j.get("expected")
    p_back = expected.get("p_comes_back") if expected else None
    avg_back = None
    if expected is not None:
        avg_back = _average_back(expected)
    if p_back is not None:
        back = Tile("Customers who come back", percent(p_back), (avg_back,) if avg_back else ())
    elif comes_back(j["max"]) or j.get("repeat_loops"):
        back = Tile("Customers who come back", "possible", (avg_back,) if avg_back else ("no shares to say how many",))
    else:
        back = Tile("Customers who come back", "none")
    tiles = [
        back,
        Tile(
            f"Main journey{_share(j['main'])}",
            f"takes {figure_text('elapsed', main['elapsed'])}",
            _journey_details(main),
        ),
        Tile(
            f"Worst journey{_share(j['worst'])}",
            f"takes {figure_text('elapsed', worst['elapsed'])}",
            _journey_details(worst),
        ),
    ]
    if expected is not None:
        tiles.append(
            Tile(
                "On average",
                f"takes {figure_text('elapsed', expected.get('elapsed'))}",
                (
                    f"{average(float(expected.get('visible_handoffs') or 0))} handoffs the customer sees",
                    f"{average(float(expected.get('touchpoints') or 0))} touchpoints",
                ),
            )
        )
    broken = sum(1 for s in j["sla"] if s["breach"])
    tiles.append(Tile("Promises broken", f"{broken} of {len(j['sla'])}" if j["sla"] else "none made"))
    return tiles
