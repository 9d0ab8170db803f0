"""The audit as GitHub-flavoured Markdown, ready to paste into a pull-request comment.

Each process opens with its story (the same sentences as every format) and
the per-journey figures, then budgets, the journeys and the customer-visible
handoffs; the graph's totals and the other sections are folded in a
``<details>`` block named for what they are, so a comment stays short.  Every
user-written text is escaped for a table cell: pipes, newlines, HTML and
Markdown punctuation cannot break the table or inject markup.
"""

from __future__ import annotations

import re
from typing import Any

from procmap.audit import Audited
from procmap.diagnostics import UNPRINTABLE
from procmap.reports import audit_journeys as J
from procmap.reports import audit_sections as S

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape(text: str) -> str:
    """Text for a GFM table cell (or a heading) that renders literally."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")
    text = "\n".join(UNPRINTABLE.sub("", line) for line in lines)
    text = _SPECIAL.sub(r"\\\1", text)
    return "<br>".join(" ".join(line.split()) for line in text.split("\n"))


def code(text: str) -> str:
    """An id or a file name as inline code: the one code-span builder (no value can close it, pipes
    escaped for table cells, control and bidi characters removed)."""
    from procmap.reports.diff import code as code_span

    return code_span(text)


def cell(value: S.Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, S.Ids):
        return (" → " if value.path else ", ").join(code(i) for i in value.items)
    return escape(value)


def table(headers: tuple[str, ...], rows: list[tuple[S.Cell, ...]], align: str = "---") -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align for _ in headers) + "|"]
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


def _section(section: S.Section) -> str:
    body = table(section.headers, section.rows) if section.rows else f"_{section.empty}_"
    return f"#### {section.title}\n\n{body}\n"


def _process(item: Audited) -> str:
    r = item.report
    m = r["metrics"]
    glyphs = S.Glyphs.pick(ascii_only=False)
    parts = [f"### {escape(r['name'])} ({code(r['id'])})", "", f"File: {code(r['file'])}", ""]
    sentences = r.get("headline", [])
    if sentences:
        parts += [escape(" ".join(sentences)), ""]
    tiles = J.journey_tiles(r)
    if tiles:
        parts += [" · ".join(f"**{escape(t.title)}:** {escape(t.line()[len(t.title) + 2 :])}" for t in tiles), ""]
    over = [b for b in r["budgets"] if b["exceeded"]]
    if r["budgets"]:
        status = "**Budget exceeded**" if over else "Within budget"
        parts += [f"{status}:", "", table(S.BUDGET_HEADERS, S.budget_rows(r)), ""]
    journey_sections = J.sections(r, item.graph, glyphs, item.loop_edges)
    if journey_sections:
        parts += ["#### Journeys: what one customer goes through", ""]
        for section in journey_sections:
            body = table(section.headers, section.rows) if section.rows else f"_{escape(section.empty)}_"
            parts += [f"**{escape(section.title)}**", "", escape(section.blurb), "", body, ""]
    built = S.build(r, item.graph, glyphs)
    by_key = {s.key: s for s in built}
    parts.append(_section(by_key["visible_handoffs"]))
    parts += ["<details>", f"<summary>{S.GRAPH_TITLE}: all sections and totals</summary>", ""]
    totals = " · ".join(f"**{label}:** {value}" for label, value in S.headline(m))
    rows: list[tuple[S.Cell, ...]] = [(label, S.metric_value(k, m[k])) for k, label in S.METRIC_LABELS.items()]
    parts += [f"#### {S.GRAPH_TITLE}", "", escape(S.GRAPH_BLURB), "", totals, "", table(("Metric", "Value"), rows), ""]
    for section in built:
        if section.key != "visible_handoffs":
            parts.append(_section(section))
    parts += ["</details>", ""]
    return "\n".join(parts)


def render(audited: list[Audited]) -> str:
    reports: list[dict[str, Any]] = [a.report for a in audited]
    out = ["## procmap audit", ""]
    if len(audited) > 1:
        out += [table(S.OVERVIEW_HEADERS, S.overview_rows(reports)), ""]
    out += [_process(item) for item in audited]
    return "\n".join(out).rstrip("\n") + "\n"
