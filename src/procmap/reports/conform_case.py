"""``procmap conform --case-detail ID``: one case, event by event, in text, Markdown, JSON or HTML.

Drawn from the report's ``case_detail`` (:mod:`procmap.analysis.log_case_detail`):
the case's events with the step each one is, the waits between its steps, and
where it left the blueprint, said in a sentence first.
"""

from __future__ import annotations

import json
from typing import Any

from procmap.conform import Conformed
from procmap.reports import conform_sections as S


def _step(graph: Any, step: str | None) -> str:
    return S.name(graph, step) if step is not None else ""


def verdict(detail: dict[str, Any], graph: Any) -> str:
    """Where the case left the blueprint, in one sentence."""
    left = detail["left_blueprint"]
    if not detail["steps"]:
        return "No event of this case maps to a step of the blueprint, so it does not fit."
    if left is None:
        if detail["fits"]:
            return "It went through the blueprint as drawn, start to end."
        return "Every move follows a flow, but the steps do not make one run of the blueprint's parallel work."
    at, to = _step(graph, left["at"]), _step(graph, left["to"])
    if left["why"] == "start":
        return f"It left the blueprint at once: it starts at {at!r}, where the blueprint does not start."
    if left["why"] == "end":
        return f"It left the blueprint at the end: it stops at {at!r}, before the blueprint ends."
    return f"It left the blueprint moving from {at!r} to {to!r}: no flow of the blueprint goes that way."


def lines(r: dict[str, Any], graph: Any) -> list[str]:
    d = r["case_detail"]
    mapped = sum(1 for e in d["events"] if e["step"])
    out = [
        f"Case {d['case']} of {r['name']} ({r['file']}): {S.plural(len(d['events']), 'event')}, "
        f"{mapped:,} of them steps of the blueprint; it {'fits' if d['fits'] else 'does not fit'}.",
        verdict(d, graph),
    ]
    out += S.filtered(r)
    return out


def _has_starts(d: dict[str, Any]) -> bool:
    return any(e["start"] for e in d["events"])


def event_table(d: dict[str, Any], graph: Any) -> tuple[tuple[str, ...], list[tuple[S.Cell, ...]]]:
    starts = _has_starts(d)
    headers = (
        ("Started", "Time", "Activity", "Step", "Resource") if starts else ("Time", "Activity", "Step", "Resource")
    )
    rows = []
    for e in d["events"]:
        step = _step(graph, e["step"]) if e["step"] else f"({e['why_not']})"
        row: tuple[S.Cell, ...] = (e["time"], e["activity"], step, e["resource"])
        rows.append((e["start"], *row) if starts else row)
    return headers, rows


WAIT_HEADERS = ("From", "To", "Wait", "In the blueprint")


def wait_rows(d: dict[str, Any], graph: Any) -> list[tuple[S.Cell, ...]]:
    return [
        (_step(graph, w["from"]), _step(graph, w["to"]), S.duration(w["wait"]), "yes" if w["modelled"] else "NO")
        for w in d["waits"]
    ]


def _json(item: Conformed) -> str:
    from procmap.reports.conform_json import _RAW

    r = item.report
    out = {
        "process": r["process"],
        "file": r["file"],
        "logs": r["logs"],
        "filters": r.get("filters"),
        **r["case_detail"],
    }
    text = json.dumps(out, indent=2, ensure_ascii=False)
    return _RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n"


def _text(item: Conformed) -> str:
    import textwrap

    from procmap.diagnostics import printable_line
    from procmap.reports.conform_text import WIDTH, table

    r, graph = item.report, item.result.graph
    d = r["case_detail"]
    title = printable_line(f"Case {d['case']}: what happened to it")
    out = [title, "=" * len(title), ""]
    for sentence in lines(r, graph):
        out += textwrap.wrap(printable_line(sentence), WIDTH)
    headers, rows = event_table(d, graph)
    out += ["", "Events", "------", *table(headers, rows), ""]
    out += ["Waits between steps", "-------------------"]
    out += table(WAIT_HEADERS, wait_rows(d, graph), numeric=(2,)) if d["waits"] else ["  None: fewer than two steps."]
    return "\n".join(out) + "\n"


def _markdown(item: Conformed) -> str:
    from procmap.reports.audit_markdown import escape, table

    r, graph = item.report, item.result.graph
    d = r["case_detail"]
    title = f"Case {d['case']}: what happened to it"
    parts = [f"## {escape(title)}", ""]
    parts += [escape(sentence) + "  " for sentence in lines(r, graph)]
    headers, rows = event_table(d, graph)
    parts += ["", "### Events", "", table(headers, rows), "", "### Waits between steps", ""]
    parts.append(table(WAIT_HEADERS, wait_rows(d, graph)) if d["waits"] else "_None: fewer than two steps._")
    return "\n".join(parts) + "\n"


def _html(item: Conformed) -> str:
    from procmap.reports.audit_html import _CSS
    from procmap.reports.conform_html import esc, table
    from procmap.reports.html_page import page_head

    r, graph = item.report, item.result.graph
    d = r["case_detail"]
    title = f"Case {d['case']}: what happened to it"
    headers, rows = event_table(d, graph)
    waits = (
        table(WAIT_HEADERS, wait_rows(d, graph), numeric=(2,)) if d["waits"] else "<p>None: fewer than two steps.</p>"
    )
    parts = [
        *page_head(esc(title), _CSS),
        f"<header><h1>{esc(title)}</h1>",
        *(f'<p class="meta">{esc(sentence)}</p>' for sentence in lines(r, graph)),
        "</header>",
        f'<section data-section="events"><h2>Events</h2>{table(headers, rows)}</section>',
        f'<section data-section="waits"><h2>Waits between steps</h2>{waits}</section>',
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def render(item: Conformed, fmt: str) -> str:
    """The case of ``item.report["case_detail"]`` in ``fmt``."""
    if fmt == "json":
        return _json(item)
    if fmt == "markdown":
        return _markdown(item)
    if fmt == "html":
        return _html(item)
    if fmt == "text":
        return _text(item)
    raise ValueError(f"unknown conform format {fmt!r}")
