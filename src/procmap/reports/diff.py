"""`procmap diff` reports: text for terminals and logs, markdown for PR comments, JSON for tools.

All three are views of one :class:`~procmap.diff.ProcessDiff`, and share one
headline so a log line, a PR comment and a bot reading JSON agree on what
changed.  Markdown is written for a pull-request comment: a bold headline
(not a heading, so reports for several files can sit under per-file headings
in one comment), small tables, and when nothing changed for the customer only
the sentence "No customer-facing changes." (backstage-only edits do not
deserve a comment).
"""

from __future__ import annotations

import json
import re
from typing import Any

from procmap.diagnostics import UNPRINTABLE, terminal_text
from procmap.diff import CUSTOMER_METRICS, BlockEntry, Changes, HandoffEntry, MetricDelta, ProcessDiff, RepeatLoopEntry
from procmap.model.durations import format_duration
from procmap.model.words import average, percent
from procmap.reports.audit_journeys import FIGURE_LABELS as JOURNEY_FIGURE_LABELS
from procmap.reports.audit_sections import METRIC_LABELS as AUDIT_METRIC_LABELS

NO_CHANGES = "No customer-facing changes"

# The audit's labels, worded for a change where the audit's own wording would mislead.
METRIC_LABELS = {
    **AUDIT_METRIC_LABELS,
    "handoffs": "Handoffs (all classes)",
    "visibility_line_handoffs": "Handoffs across the line of visibility",
    "waits": "Waits on backstage work",
    "max_wait_seconds": "Longest wait",
    "unbounded_waits": "Waits with no upper bound",
    "max_journey_handoffs": "Handoffs in the worst journey",
    "main_journey_handoffs": "Handoffs in the main journey",
    "max_journey_parties": "Parties in the worst journey",
    "longest_silence_seconds": "Longest silence in a journey",
}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def metric_label(name: str) -> str:
    return METRIC_LABELS.get(name, name.replace("_", " ").capitalize())


def _number(value: float | int) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{round(value, 3)}"
    return str(int(value))


def metric_value(name: str, value: float | int | None) -> str:
    if value is None:
        return "–"
    if name.endswith("_seconds"):
        return format_duration(float(value))
    return _number(value)


def metric_delta(m: MetricDelta) -> str:
    delta = m.delta
    if delta is None:
        return "–"
    sign = "+" if delta > 0 else "-" if delta < 0 else "±"
    if m.name.endswith("_seconds"):
        return f"{sign}{format_duration(abs(float(delta)))}"
    return f"{sign}{_number(abs(delta))}"


#: The journeys diff compares, in reading order, and what each is called (SPEC §5.4, §5.7).
VIEW_LABELS = {"main": "Main journey", "worst": "Worst journey", "expected": "On average"}
_VIEW_FIGURE_LABELS = {"comes_back": "Times the customer comes back", **JOURNEY_FIGURE_LABELS}
_DURATIONS = frozenset({"elapsed", "longest_silence"})
#: Shown in the views already (the main journey's handoffs): not repeated from the older figure list.
_SHOWN_IN_VIEWS = frozenset({"main_journey_handoffs"})


def view_label(view: str, name: str) -> str:
    """ "Main journey: handoffs the customer sees"."""
    figure = _VIEW_FIGURE_LABELS.get(name, name.replace("_", " ").capitalize())
    return f"{VIEW_LABELS[view]}: {figure[0].lower()}{figure[1:]}"


def view_value(view: str, name: str, value: float | int | None) -> str:
    """A journey figure in words: durations exact to the minute, averages to two decimals ("0.43")."""
    if value is None:
        return "–"
    if name in _DURATIONS:
        return format_duration(float(value))
    if view == "expected":
        return average(float(value))
    return _number(value)


def view_delta(view: str, m: MetricDelta) -> str:
    delta = m.delta
    if delta is None:
        return "–"
    sign = "+" if delta > 0 else "-" if delta < 0 else "±"
    return f"{sign}{view_value(view, m.name, abs(delta))}"


def p_comes_back_text(m: MetricDelta) -> tuple[str, str, str]:
    """Before, after and the change of the share who come back, in percentage points ("-12 points")."""
    delta = "–" if m.delta is None else f"{'+' if m.delta > 0 else '-' if m.delta < 0 else '±'}"
    if m.delta is not None:
        delta += f"{average(abs(m.delta) * 100)} points"
    return percent(m.old) if m.old is not None else "–", percent(m.new) if m.new is not None else "–", delta


def journey_changes(d: ProcessDiff) -> list[tuple[str, str, str, str]]:
    """(label, before, after, change) of every journey figure that changed: the share who come back first, then
    the main, the worst and the average journey figure by figure, then the older figures."""
    rows: list[tuple[str, str, str, str]] = []
    if d.p_comes_back.changed:
        rows.append(("Customers who come back", *p_comes_back_text(d.p_comes_back)))
    for view in VIEW_LABELS:
        for m in d.views.get(view, []):
            if m.changed:
                rows.append(
                    (
                        view_label(view, m.name),
                        view_value(view, m.name, m.old),
                        view_value(view, m.name, m.new),
                        view_delta(view, m),
                    )
                )
    rows += [
        (metric_label(m.name), metric_value(m.name, m.old), metric_value(m.name, m.new), metric_delta(m))
        for m in d.journeys
        if m.changed and m.name not in _SHOWN_IN_VIEWS
    ]
    return rows


def _come_back_headline(d: ProcessDiff) -> str | None:
    """ "customers who come back 21 % → 9 %", or the average times when no share is known on both sides."""
    p = d.p_comes_back
    if p.changed and p.old is not None and p.new is not None:
        before, after, _ = p_comes_back_text(p)
        return f"customers who come back {before} → {after}"
    back = next((m for m in d.views.get("expected", []) if m.name == "comes_back"), None)
    if back is not None and back.changed and back.old is not None and back.new is not None:
        return f"times the customer comes back on average {average(back.old)} → {average(back.new)}"
    return None


def headline(d: ProcessDiff) -> str:
    """One line saying what changed for the customer, most consequential first (coming back leads)."""
    parts: list[str] = []
    back = _come_back_headline(d)
    if back:
        parts.append(back)
    h, t, a = d.visible_handoffs, d.touchpoints, d.customer_actions
    if h.added:
        parts.append(f"{_plural(len(h.added), 'new customer-visible handoff')}")
    if h.removed:
        parts.append(f"{_plural(len(h.removed), 'customer-visible handoff')} removed")
    if h.changed:
        parts.append(f"{_plural(len(h.changed), 'customer-visible handoff')} rerouted")
    for changes, word in ((t, "touchpoint"), (a, "customer action")):
        for attr in ("added", "removed", "changed"):
            items = getattr(changes, attr)
            if items:
                parts.append(f"{_plural(len(items), word)} {attr}")
    for where in ("onstage", "backstage"):
        moved = sum(1 for m in d.visibility if m.new == where)
        if moved:
            parts.append(f"{_plural(moved, 'step')} moved {where}")
    if d.repeat_loops.added:
        parts.append(f"{_plural(len(d.repeat_loops.added), 'new repeat loop')}")
    if d.repeat_loops.removed:
        parts.append(f"{_plural(len(d.repeat_loops.removed), 'repeat loop')} removed")
    for attr in ("added", "removed"):  # SPEC §7: parallel work is a structural change
        items = getattr(d.structure, attr)
        forks = sum(x.kind == "fork" for x in items)
        if forks:
            parts.append(f"{_plural(forks, 'fork')} {attr}")
        if len(items) > forks:
            parts.append(f"{_plural(len(items) - forks, 'join')} {attr}")
    if not parts:
        for m in d.metrics:
            if m.changed and m.name in CUSTOMER_METRICS:
                parts.append(
                    f"{metric_label(m.name).lower()} {metric_value(m.name, m.old)} → {metric_value(m.name, m.new)}"
                )
    if not parts:
        for label, before, after, _change in journey_changes(d):
            parts.append(f"{label[0].lower()}{label[1:]} {before} → {after}")
    if not parts:
        return NO_CHANGES
    return ", ".join(parts)


def _title(d: ProcessDiff) -> str:
    old, new = d.old.process_id, d.new.process_id
    if old and new and old != new:
        return f"{old} → {new}"
    return new or old or "(no process)"


def _label(side_label: str, exists: bool) -> str:
    return side_label if exists else f"{side_label} (absent)"


# ---------------------------------------------------------------- JSON


def as_json(d: ProcessDiff) -> str:
    data = d.to_dict()
    data = {"headline": headline(d), **data}
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# ---------------------------------------------------------------- text

_GREEN, _RED, _YELLOW, _BOLD, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[0m"


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _via_text(via: tuple[str, ...]) -> str:
    return "via " + ", ".join(via) if via else "directly"


def _handoff_text(h: HandoffEntry) -> str:
    return f"{h.source} ({h.source_lane}) -> {h.target} ({h.target_lane}) {_via_text(h.via)}"


def _change_text(changes: dict[str, tuple[Any, Any]]) -> str:
    return "; ".join(
        f"{k} {_one_line(o) if o is not None else '(none)'} -> {_one_line(n) if n is not None else '(none)'}"
        for k, (o, n) in changes.items()
    )


def text(d: ProcessDiff, *, colour: bool = False) -> str:
    """The terminal report: built plain, escaped as a whole (names, ids and file labels are the
    user's), and only then coloured, so no value can carry an escape sequence to the terminal."""
    plain = terminal_text(_plain_text(d))
    if not colour:
        return plain
    out = []
    for line in plain.split("\n"):
        if line in _SECTIONS:
            line = f"{_BOLD}{line}{_RESET}"
        elif line[:4] in ("  + ", "  - ", "  ~ "):
            symbol = line[2]
            line = f"  { ({'+': _GREEN, '-': _RED}.get(symbol, _YELLOW)) }{symbol}{_RESET}{line[3:]}"
        out.append(line)
    return "\n".join(out)


_SECTIONS = frozenset(
    (
        "Customer-visible handoffs",
        "Touchpoints",
        "Customer actions",
        "Line of visibility",
        "Lanes",
        "Journeys (what one customer goes through)",
        "Metrics",
    )
)


def _plain_text(d: ProcessDiff) -> str:
    def mark(symbol: str) -> str:
        return symbol

    def heading(title: str) -> str:
        return title

    lines = [
        f"procmap diff: {_label(d.old.label, d.old.exists)} -> {_label(d.new.label, d.new.exists)} ({_title(d).replace('→', '->')})",
        headline(d).replace("→", "->") + ("" if d.customer_facing else "."),
    ]

    def section(title: str, rows: list[str]) -> None:
        if rows:
            lines.append("")
            lines.append(heading(title))
            lines.extend(f"  {row}" for row in rows)

    h = d.visible_handoffs
    section(
        "Customer-visible handoffs",
        [f"{mark('+')} {_handoff_text(x)}" for x in h.added]
        + [f"{mark('-')} {_handoff_text(x)}" for x in h.removed]
        + [f"{mark('~')} {c.new.source} -> {c.new.target}: {_handoff_diff_text(c.old, c.new)}" for c in h.changed],
    )
    for title, changes in (("Touchpoints", d.touchpoints), ("Customer actions", d.customer_actions)):
        section(title, _step_rows(changes, mark))
    section(
        "Line of visibility",
        [f'{mark("~")} {m.step} "{_one_line(m.name)}" ({m.lane}): {m.old} -> {m.new}' for m in d.visibility],
    )
    lanes = d.lanes
    section(
        "Lanes",
        [f'{mark("+")} {x.lane} "{_one_line(x.name)}" ({x.kind})' for x in lanes.added]
        + [f'{mark("-")} {x.lane} "{_one_line(x.name)}" ({x.kind})' for x in lanes.removed]
        + [f"{mark('~')} {c.lane}: {_change_text(c.changes)}" for c in lanes.changed],
    )
    section(
        "Parallel work (forks and joins)",
        [f"{mark('+')} {_block_text(x)}" for x in d.structure.added]
        + [f"{mark('-')} {_block_text(x)}" for x in d.structure.removed],
    )
    journeys = [f"{label}  {before} -> {after}  ({change})" for label, before, after, change in journey_changes(d)]
    journeys += [f"{mark('+')} repeat loop {_loop_text(x)}" for x in d.repeat_loops.added]
    journeys += [f"{mark('-')} repeat loop {_loop_text(x)}" for x in d.repeat_loops.removed]
    section("Journeys (what one customer goes through)", journeys)
    changed = [m for m in d.metrics if m.changed]
    if changed:
        width = max(len(metric_label(m.name)) for m in changed)
        section(
            "Metrics",
            [
                f"{metric_label(m.name):<{width}}  {metric_value(m.name, m.old)} -> {metric_value(m.name, m.new)}"
                f"  ({metric_delta(m)})"
                for m in changed
            ],
        )
    return "\n".join(lines) + "\n"


def _block_text(x: BlockEntry) -> str:
    if x.kind == "join":
        return f"join at {x.step}"
    closed = f", joined at {x.join}" if x.join else ", each branch ends"
    return f"fork at {x.step} into {' | '.join(x.targets)}{closed}"


def _loop_text(x: RepeatLoopEntry) -> str:
    return f"{x.source} -> {x.target}: the customer comes back to {', '.join(x.facing)}"


def _handoff_diff_text(old: HandoffEntry, new: HandoffEntry) -> str:
    parts = []
    if (old.source_lane, old.target_lane) != (new.source_lane, new.target_lane):
        parts.append(f"lanes {old.source_lane} -> {old.target_lane} now {new.source_lane} -> {new.target_lane}")
    if old.via != new.via:
        parts.append(f"{_via_text(old.via)} now {_via_text(new.via)}")
    return "; ".join(parts)


def _step_rows(changes: Changes, mark: Any) -> list[str]:
    def entry(symbol: str, x: Any) -> str:
        extra = ", ".join(p for p in (x.lane, x.channel and _one_line(x.channel)) if p)
        return f'{mark(symbol)} {x.step} "{_one_line(x.name)}" ({extra}): {x.note}'

    return (
        [entry("+", x) for x in changes.added]
        + [entry("-", x) for x in changes.removed]
        + [f'{mark("~")} {c.step} "{_one_line(c.name)}": {_change_text(c.changes)}' for c in changes.changed]
    )


# ---------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(value: Any) -> str:
    """Free text made inert in GitHub-flavoured markdown and safe in a table cell.

    Emphasis, links, code and pipes are backslash-escaped, HTML is turned into
    entities, and ``@`` gets an invisible word joiner so that a step named
    "Notify @billing-team" does not ping a team from a bot comment.
    """
    if value is None:
        return ""
    s = UNPRINTABLE.sub("", _one_line(value)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s).replace("@", "@\u2060")


def code(value: str) -> str:
    """An inline code span no value can close early (CommonMark 6.1).

    The fence is one backtick longer than the longest run of backticks in the
    value: a file named ``x``@octocat [click](javascript:…) <b>`` stays code,
    with no mention, link or HTML in a bot comment.  Pipes are escaped for
    table cells, control characters and bidi overrides removed.
    """
    s = UNPRINTABLE.sub("", _one_line(value)).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ") and s.strip()) else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return out


def _via_md(via: tuple[str, ...]) -> str:
    return ", ".join(code(v) for v in via) if via else "directly"


def _value_md(value: Any) -> str:
    return md(value) if value is not None else "_(none)_"


def markdown(d: ProcessDiff) -> str:
    if not d.customer_facing:
        return NO_CHANGES + ".\n"
    name = f" {md(d.new.name or d.old.name)}" if (d.new.name or d.old.name) else ""
    out = [
        f"**procmap: {md(headline(d))}**",
        "",
        f"{code(_title(d))}{name} · {code(_label(d.old.label, d.old.exists))} → "
        f"{code(_label(d.new.label, d.new.exists))}",
    ]

    def block(title: str, header: list[str], rows: list[list[str]]) -> None:
        if rows:
            out.extend(["", f"**{title}**", "", *_table(header, rows)])

    h = d.visible_handoffs
    rows = [
        ["added", f"{code(x.source)} ({md(x.source_lane)})", f"{code(x.target)} ({md(x.target_lane)})", _via_md(x.via)]
        for x in h.added
    ]
    rows += [
        [
            "removed",
            f"{code(x.source)} ({md(x.source_lane)})",
            f"{code(x.target)} ({md(x.target_lane)})",
            _via_md(x.via),
        ]
        for x in h.removed
    ]
    for c in h.changed:
        lanes_old, lanes_new = (c.old.source_lane, c.old.target_lane), (c.new.source_lane, c.new.target_lane)
        src = f"{code(c.new.source)} ({md(c.new.source_lane)})"
        dst = f"{code(c.new.target)} ({md(c.new.target_lane)})"
        if lanes_old != lanes_new:
            src = f"{code(c.new.source)} ({md(c.old.source_lane)} → {md(c.new.source_lane)})"
            dst = f"{code(c.new.target)} ({md(c.old.target_lane)} → {md(c.new.target_lane)})"
        via = _via_md(c.new.via) if c.old.via == c.new.via else f"~~{_via_md(c.old.via)}~~ → {_via_md(c.new.via)}"
        rows.append(["rerouted", src, dst, via])
    block("Customer-visible handoffs", ["Change", "From", "To", "Via"], rows)

    for title, changes in (("Touchpoints", d.touchpoints), ("Customer actions", d.customer_actions)):
        rows = []
        for verb, items in (("added", changes.added), ("removed", changes.removed)):
            rows += [[verb, f"{code(x.step)} {md(x.name)}", md(x.lane), md(x.channel), md(x.note)] for x in items]
        for c in changes.changed:
            cells = {
                k: f"{_value_md(c.changes[k][0])} → {_value_md(c.changes[k][1])}" if k in c.changes else md(v)
                for k, v in (("lane", c.lane), ("channel", c.channel))
            }
            note = "; ".join(
                f"{md(k)}: {_value_md(o)} → {_value_md(n)}" for k, (o, n) in c.changes.items() if k not in cells
            )
            rows.append(["changed", f"{code(c.step)} {md(c.name)}", cells["lane"], cells["channel"], note])
        block(title, ["Change", "Step", "Lane", "Channel", "Note"], rows)

    block(
        "Line of visibility",
        ["Step", "Lane", "Moved"],
        [[f"{code(m.step)} {md(m.name)}", md(m.lane), f"{m.old} → {m.new}"] for m in d.visibility],
    )
    lanes = d.lanes
    rows = [["added", code(x.lane), md(x.name), md(x.kind)] for x in lanes.added]
    rows += [["removed", code(x.lane), md(x.name), md(x.kind)] for x in lanes.removed]
    for c in lanes.changed:
        old_kind, new_kind = c.changes.get("kind", (None, None))
        old_name, new_name = c.changes.get("name", (None, None))
        rows.append(
            [
                "changed",
                code(c.lane),
                f"{md(old_name)} → {md(new_name)}" if "name" in c.changes else "",
                f"{md(old_kind)} → {md(new_kind)}" if "kind" in c.changes else "",
            ]
        )
    block("Lanes", ["Change", "Lane", "Name", "Kind"], rows)
    block(
        "Parallel work",
        ["Change", "What"],
        [["added", md(_block_text(x))] for x in d.structure.added]
        + [["removed", md(_block_text(x))] for x in d.structure.removed],
    )
    rows = [[md(label), before, after, change] for label, before, after, change in journey_changes(d)]
    rows += [
        ["repeat loop added", f"{code(x.source)} → {code(x.target)}", ", ".join(code(f) for f in x.facing), ""]
        for x in d.repeat_loops.added
    ]
    rows += [
        ["repeat loop removed", f"{code(x.source)} → {code(x.target)}", ", ".join(code(f) for f in x.facing), ""]
        for x in d.repeat_loops.removed
    ]
    block("Journeys", ["Figure", "Before", "After", "Change"], rows)
    block(
        "Metrics",
        ["Metric", "Before", "After", "Change"],
        [
            [md(metric_label(m.name)), metric_value(m.name, m.old), metric_value(m.name, m.new), metric_delta(m)]
            for m in d.metrics
            if m.changed
        ],
    )
    return "\n".join(out) + "\n"
