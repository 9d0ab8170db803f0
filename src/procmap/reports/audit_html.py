"""The audit as one self-contained HTML page, for people who will not open a terminal.

No network: styles are inline, fonts are the reader's own, and a
Content-Security-Policy forbids loading anything, so the file works from an
e-mail attachment or an air-gapped share.  The one script (zoom and pan of
the diagrams) is procmap's own, inline, allowed by its SHA-256 hash in the
policy: nothing else can run, and a report without it still reads (diagrams
fit the page width).  Every user-written text goes through
:func:`html.escape`.  The diagrams are `procmap.render`'s SVG, inline: the
blueprint with the worst journey highlighted, and the customer's view.

Printing: A4 landscape, each diagram replaced by its print pages (fitted
onto one page or wrapped into rows, text at 6 points or more; see
:mod:`procmap.reports.html_zoom`), headings kept with what follows.
"""

from __future__ import annotations

import contextvars
import html
import re
from typing import Any

from procmap.audit import Audited
from procmap.reports import audit_journeys as J
from procmap.reports import audit_sections as S
from procmap.reports import html_zoom as Z
from procmap.reports.html_page import page_head

# Zoom, pan and print of the diagrams: one module for the audit and the conform report.
_SCRIPT = Z.SCRIPT
SCRIPT_HASH = Z.SCRIPT_HASH
CSP = Z.CSP
# The print pages of the report's diagrams, collected while the processes are written (see html_zoom.appendix).
_PRINTS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("prints", default=None)
_NAMES: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("names", default={})  # noqa: B039

_CSS = """
:root { color-scheme: light dark; --fg: #1d2433; --muted: #5b6478; --line: #d8dde6; --bg: #ffffff;
  --card: #f4f6fa; --accent: #0b5cad; --bad: #b42318; --ok: #067647; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #a3abbb; --line: #3a4150; --bg: #161a22;
  --card: #202633; --accent: #7cb4f2; --bad: #f97066; --ok: #47cd89; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; font: 15px/1.5 system-ui, -apple-system, "Segoe UI",
  Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 .25rem; padding-top: 1rem; border-top: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.75rem 0 .25rem; }
h4 { font-size: .98rem; margin: 1.25rem 0 .2rem; }
p.meta, p.blurb { color: var(--muted); margin: .2rem 0 .6rem; }
.muted { color: var(--muted); }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 .5rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: var(--card); }
td.num, th.num { text-align: right; }
table.narrow { width: auto; min-width: 24rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .6rem; margin: 1rem 0; }
.card { background: var(--card); border-radius: .5rem; padding: .7rem .9rem; }
.card .value { font-size: 1.6rem; font-weight: 650; }
.card .label { color: var(--muted); font-size: .85rem; }
.story { font-size: 1.1rem; margin: .5rem 0 0; }
.story p { margin: .2rem 0; }
.story p:first-child { font-weight: 600; }
.cards.graph .value { font-size: 1.2rem; }
.cards.journeys .value { font-size: 1.3rem; margin: .1rem 0 .2rem; }
.card .detail { font-size: .85rem; }
.bad { color: var(--bad); font-weight: 600; }
.ok { color: var(--ok); font-weight: 600; }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: .9rem; margin-bottom: .2rem; }
td.bad, tr.bad td:first-child { color: var(--bad); font-weight: 600; }
tr.bad { background: color-mix(in srgb, var(--bad) 8%, transparent); }
.id { color: var(--muted); font-size: .85em; margin-left: .25em; }
.note { background: var(--card); border-left: 4px solid var(--line); padding: .5rem .8rem; }
details summary { cursor: pointer; color: var(--accent); }
nav ul { padding-left: 1.2rem; }
a { color: var(--accent); }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  h2, h3, h4, figcaption { break-after: avoid; }
  figure, .cards, tr { break-inside: avoid; }
}
"""

_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.DOTALL)


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(value: S.Cell) -> str:
    if value is None:
        return '<span class="muted">–</span>'
    if isinstance(value, S.Ids):
        names = _NAMES.get()
        return (" → " if value.path else ", ").join(_named(i, names) for i in value.items)
    if value == "EXCEEDED":
        return '<span class="bad">EXCEEDED</span>'
    return esc(value).replace("\n", "<br>")


def _named(ident: str, names: dict[str, str]) -> str:
    """A step or lane by its name, the id secondary; other ids (data classes, budgets) as code."""
    name = names.get(ident)
    if not name:
        return f"<code>{esc(ident)}</code>"
    return f'{esc(name)}<code class="id">{esc(ident)}</code>'


def _names(graph: Any) -> dict[str, str]:
    if graph is None:
        return {}
    out = {lane_id: " ".join(lane.name.split()) for lane_id, lane in graph.graph["lanes"].items()}
    out.update({n: " ".join(str(d["name"]).split()) for n, d in graph.nodes(data=True)})
    return out


def _table(
    headers: tuple[str, ...], rows: list[tuple[S.Cell, ...]], numeric: tuple[int, ...] = (), css: str = ""
) -> str:
    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f"<th{cls(i)}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "\n".join(
        ('<tr class="bad">' if "EXCEEDED" in row else "<tr>")
        + "".join(f"<td{cls(i)}>{_cell(c)}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    attr = f' class="{css}"' if css else ""
    return f"<table{attr}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def diagram(item: Audited, view: str = "full") -> str:
    """A swimlane SVG inline with zoom and its print pages, or a note saying why there is none."""
    return Z.diagram(item.result, _PRINTS.get(), view=view)


def _diagrams(item: Audited) -> str:
    """The blueprint (worst journey highlighted) and the customer's view, each scaled to the page width."""
    return (
        '<figure class="blueprint"><figcaption>Service blueprint, the worst journey highlighted '
        f"({Z.CAPTION})</figcaption>"
        f"{diagram(item)}</figure>"
        '<figure class="customer-view"><figcaption>As the customer lives it: the customer and onstage lanes, '
        "backstage work folded into dashed flows labelled with its wait</figcaption>"
        f"{diagram(item, 'customer')}</figure>"
    )


def _cards(items: list[tuple[str, str]]) -> str:
    return "".join(
        f'<div class="card"><div class="value">{esc(value)}</div><div class="label">{esc(label)}</div></div>'
        for label, value in items
    )


def _process(n: int, item: Audited) -> str:
    token = _NAMES.set(_names(item.graph))
    try:
        return _process_body(n, item)
    finally:
        _NAMES.reset(token)


def _process_body(n: int, item: Audited) -> str:
    r = item.report
    m = r["metrics"]
    pid = f"p{n}"
    glyphs = S.Glyphs.pick(ascii_only=False)
    out = [f'<article class="process" id="{pid}">']
    out.append(f"<h2>{esc(r['name'])} <code>{esc(r['id'])}</code></h2>")
    meta = f"File <code>{esc(r['file'])}</code>"
    if r.get("owner"):
        meta += f" · owner {esc(r['owner'])}"
    out.append(f'<p class="meta">{meta}</p>')

    sentences = "".join(f"<p>{esc(sentence)}</p>" for sentence in r.get("headline", []))
    out.append(f'<section data-section="summary" id="{pid}-summary"><div class="story">{sentences}</div>')
    tiles = J.journey_tiles(r)
    if tiles:
        cards = "".join(
            f'<div class="card"><div class="label">{esc(t.title)}</div><div class="value">{esc(t.value)}</div>'
            + "".join(f'<div class="detail">{esc(d)}</div>' for d in t.details)
            + "</div>"
            for t in tiles
        )
        out.append(f'<div class="cards journeys">{cards}</div>')
    if r["budgets"]:
        over = [b for b in r["budgets"] if b["exceeded"]]
        verdict = '<span class="bad">Budget exceeded</span>' if over else '<span class="ok">Within budget</span>'
        rows = S.budget_rows(r)
        out.append(f"<p>{verdict}</p>")
        out.append(_table(S.BUDGET_HEADERS, rows, numeric=(1, 2)))
    out.append("</section>")

    journey_sections = J.sections(r, item.graph, glyphs, item.loop_edges)
    if journey_sections:
        out.append(
            f'<section data-section="journeys" id="{pid}-journeys"><h3>Journeys: what one customer goes through</h3>'
        )
        for section in journey_sections:
            body = _table(section.headers, section.rows) if section.rows else f"<p>{esc(section.empty)}</p>"
            out.append(
                f'<div data-part="{esc(section.key)}" id="{pid}-{esc(section.key.replace(".", "-"))}">'
                f'<h4>{esc(section.title)}</h4><p class="blurb">{esc(section.blurb)}</p>{body}</div>'
            )
        out.append("</section>")

    out.append(f'<section data-section="diagram" id="{pid}-diagram"><h3>Diagrams</h3>{_diagrams(item)}</section>')

    for section in S.build(r, item.graph, glyphs):
        body = _table(section.headers, section.rows) if section.rows else f"<p>{esc(section.empty)}</p>"
        out.append(
            f'<section data-section="{esc(section.key)}" id="{pid}-{esc(section.key)}">'
            f'<h3>{esc(section.title)}</h3><p class="blurb">{esc(section.blurb)}</p>{body}</section>'
        )
    metric_rows: list[tuple[S.Cell, ...]] = [(label, S.metric_value(k, m[k])) for k, label in S.METRIC_LABELS.items()]
    out.append(
        f'<section data-section="metrics" id="{pid}-metrics"><h3>{esc(S.GRAPH_TITLE)}</h3>'
        f'<p class="blurb">{esc(S.GRAPH_BLURB)}</p><div class="cards graph">{_cards(S.headline(m))}</div>'
        + _table(("Metric", "Value"), metric_rows, numeric=(1,), css="narrow")
        + "</section>"
    )
    out.append("</article>")
    return "\n".join(out)


def render(audited: list[Audited]) -> str:
    reports = [a.report for a in audited]
    title = (
        f"Customer audit: {reports[0]['name']}" if len(reports) == 1 else f"Customer audit: {len(reports)} processes"
    )
    parts = [
        *page_head(esc(title), _CSS + Z.CSS),
        f"<header><h1>{esc(title)}</h1>",
        '<p class="meta">What the customer meets in each process: who they deal with, where they are passed '
        "from one party to another, and what they wait on. Made by procmap audit.</p></header>",
    ]
    if len(reports) > 1:
        rows = S.overview_rows(reports)
        token = _NAMES.set({r["id"]: " ".join(str(r["name"]).split()) for r in reports})
        parts.append('<nav data-section="overview"><h2>Overview</h2>')
        parts.append(_table(S.OVERVIEW_HEADERS, rows, numeric=(2, 3, 4, 5, 6, 7)))
        _NAMES.reset(token)
        place = {id(r): n for n, r in enumerate(reports, start=1)}
        links = "".join(  # worst first, as the table
            f'<li><a href="#p{place[id(r)]}">{esc(r["name"])}</a> <code>{esc(r["file"])}</code></li>'
            for r in S.overview_order(reports)
        )
        parts.append(f"<ul>{links}</ul></nav>")
    prints: list[str] = []
    token = _PRINTS.set(prints)
    try:
        parts += [_process(n, item) for n, item in enumerate(audited, start=1)]
    finally:
        _PRINTS.reset(token)
    parts.append(Z.appendix(prints))
    parts += [f"<script>{_SCRIPT}</script>", "</body>", "</html>", ""]
    return "\n".join(parts)
