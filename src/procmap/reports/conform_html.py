"""The conform report as one self-contained HTML page, with the blueprint drawn over by what happened.

Same rules as the audit page (:mod:`procmap.reports.audit_html`): no network,
one script of procmap's own (zoom and pan of the diagram, allowed by its hash;
see :mod:`procmap.reports.html_zoom`), a Content-Security-Policy that forbids
loading anything, every user-written text escaped.  The diagram is `procmap.render`'s blueprint with
each flow labelled by how many times it was taken (and, between two facing
steps, the median wait), flows nobody took dotted grey, and the moves the
blueprint does not allow added as dashed red arrows.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from procmap.conform import Conformed
from procmap.diagnostics import terminal_text
from procmap.reports import conform_sections as S
from procmap.reports import html_zoom as Z
from procmap.reports.audit_html import _CSS
from procmap.reports.audit_html import esc as _html_esc
from procmap.reports.html_page import page_head


def esc(value: Any) -> str:
    """HTML-escaped, and every control character (ESC, C1, bidi overrides) shown as an escape, never kept raw."""
    return _html_esc(terminal_text(str(value)))


# Every case id the report keeps (up to 20 per finding): on a page there is room to list them all.
EXAMPLES = 20

_EXTRA_CSS = """
.legend { color: var(--muted); font-size: .9rem; }
.legend .dev { color: #d92d20; font-weight: 600; }
"""


def _cell(value: S.Cell) -> str:
    return '<span class="muted">–</span>' if value is None else esc(value)


def table(headers: tuple[str, ...], rows: list[tuple[S.Cell, ...]], numeric: tuple[int, ...] = ()) -> str:
    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f"<th{cls(i)}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "\n".join(
        "<tr>" + "".join(f"<td{cls(i)}>{_cell(c)}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def annotated_graph(item: Conformed) -> Any:
    """A copy of the process graph whose flow labels carry what happened, plus the deviations as extra flows."""
    r = item.report
    g = item.result.graph.copy()  # type: ignore[union-attr]
    nodes = g.nodes
    observed = {(f["from"], f["to"]): f for f in r["flows"]}
    overlay: dict[tuple[str, str], str] = {}
    for flow in r["model_flows"]:
        u, v, taken = flow["from"], flow["to"], flow["taken"]
        parts = [flow["when"]] if flow["when"] else []
        parts.append(f"{taken:,}×")
        seen = observed.get((u, v))
        if seen and nodes[u]["facing"] and nodes[v]["facing"]:
            parts.append(f"wait {S.approx(seen['wait'], S.duration(seen['wait']['median']))}")
        g.edges[u, v]["when"] = " · ".join(parts)
        if not taken:
            overlay[(u, v)] = "unused"
    extra = max((d.get("index", 0) for _, _, d in g.edges(data=True)), default=0) + 1
    for f in r["flows"]:
        if not f["modelled"] and f["from"] != f["to"]:
            label = f"{f['observed']:,}× not in the blueprint"
            g.add_edge(f["from"], f["to"], when=label, index=extra)
            overlay[(f["from"], f["to"])] = "deviation"
    g.graph["edge_overlay"] = overlay
    return g


def diagram(item: Conformed, prints: list[str] | None = None) -> str:
    """The blueprint as lived, zoomable on screen and fitted onto pages in print (see :mod:`.html_zoom`)."""
    drawn = dataclasses.replace(item.result, graph=annotated_graph(item))
    # No journey highlighted: what stands out here is what happened (counts, deviations).
    return Z.diagram(drawn, prints, highlight="none")


def render(item: Conformed) -> str:
    r = item.report
    title = S.title(r)
    prints: list[str] = []  # the diagram's print pages, after the text (see html_zoom.appendix)
    parts = [
        *page_head(esc(title), _CSS + Z.CSS + _EXTRA_CSS),
        f"<header><h1>{esc(title)}</h1>",
    ]
    parts += [f'<p class="meta">{esc(sentence)}</p>' for sentence in S.intro(r, EXAMPLES)]
    parts.append("</header>")
    cards = "".join(
        f'<div class="card"><div class="value">{esc(value)}</div><div class="label">{esc(label)}</div></div>'
        for label, value in S.headline(r)
    )
    parts.append(f'<section data-section="summary"><div class="cards">{cards}</div>')
    if r["budgets"]:
        over = any(b["exceeded"] for b in r["budgets"])
        verdict = '<span class="bad">Budget exceeded</span>' if over else '<span class="ok">Within budget</span>'
        parts += [f"<p>{verdict}</p>", table(S.BUDGET_HEADERS, S.budget_rows(r), numeric=(1, 2))]
    parts.append("</section>")
    parts.append(
        '<section data-section="diagram"><h2>The blueprint, as lived</h2>'
        '<p class="legend">Each flow says how many times it was taken and, between two steps the customer '
        'deals with, the median wait. <span class="dev">Dashed red</span>: moves the blueprint does not allow. '
        f"Dotted grey: flows nobody took. ({Z.CAPTION[0].upper()}{Z.CAPTION[1:]}.)</p>"
        f"{diagram(item, prints)}</section>"
    )
    for section in S.build(r, item.result.graph, EXAMPLES):
        body = table(section.headers, section.rows, section.numeric) if section.rows else f"<p>{esc(section.empty)}</p>"
        parts.append(
            f'<section data-section="{esc(section.key)}"><h2>{esc(section.title)}</h2>'
            f'<p class="blurb">{esc(section.blurb)}</p>{body}</section>'
        )
    parts += [Z.appendix(prints), f"<script>{Z.SCRIPT}</script>", "</body>", "</html>", ""]
    return "\n".join(parts)
