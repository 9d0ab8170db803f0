"""The audit as one self-contained HTML page, for people who will not open a terminal.

No network: styles are inline, there is no script, fonts are the reader's
own, and a Content-Security-Policy forbids loading anything, so the file
works from an e-mail attachment or an air-gapped share and nothing in it can
run.  Every user-written text goes through :func:`html.escape`.  The
diagram is `procmap.render`'s SVG, inline, when that module is available.
"""

from __future__ import annotations

import html
import re
from typing import Any

from procmap import __version__
from procmap.audit import Audited
from procmap.reports import audit_journeys as J
from procmap.reports import audit_sections as S

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; script-src 'none'"

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
.bad { color: var(--bad); font-weight: 600; }
.ok { color: var(--ok); font-weight: 600; }
.diagram { overflow: auto; border: 1px solid var(--line); border-radius: .5rem; padding: .5rem;
  background: #ffffff; }
.note { background: var(--card); border-left: 4px solid var(--line); padding: .5rem .8rem; }
details summary { cursor: pointer; color: var(--accent); }
nav ul { padding-left: 1.2rem; }
a { color: var(--accent); }
@media print { h2 { break-before: page; } .diagram { overflow: visible; } }
"""

_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.DOTALL)


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(value: S.Cell) -> str:
    if value is None:
        return '<span class="muted">–</span>'
    if isinstance(value, S.Ids):
        return (" → " if value.path else ", ").join(f"<code>{esc(i)}</code>" for i in value.items)
    return esc(value).replace("\n", "<br>")


def _table(
    headers: tuple[str, ...], rows: list[tuple[S.Cell, ...]], numeric: tuple[int, ...] = (), css: str = ""
) -> str:
    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f"<th{cls(i)}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "\n".join(
        "<tr>" + "".join(f"<td{cls(i)}>{_cell(c)}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    attr = f' class="{css}"' if css else ""
    return f"<table{attr}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def diagram(item: Audited) -> str:
    """The swimlane SVG inline, or a note saying why there is none."""
    try:
        from procmap.render import RenderFailed, RenderUnavailable, render
    except ImportError:
        return '<p class="note">Diagram not available: this procmap has no renderer installed.</p>'
    try:
        svg = render(item.result, "svg")
    except (RenderUnavailable, RenderFailed) as exc:
        # A report must not fail because its picture cannot be drawn (e.g. over the step limit).
        return f'<p class="note">Diagram not available: {esc(exc)}</p>'
    text = svg.decode("utf-8") if isinstance(svg, bytes) else str(svg)
    return f'<div class="diagram">{_PROLOG.sub("", text, count=1)}</div>'


def _process(n: int, item: Audited) -> str:
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

    cards = "".join(
        f'<div class="card"><div class="value">{esc(value)}</div><div class="label">{esc(label)}</div></div>'
        for label, value in S.headline(m)
    )
    out.append(f'<section data-section="summary" id="{pid}-summary"><div class="cards">{cards}</div>')
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

    out.append(f'<section data-section="diagram" id="{pid}-diagram"><h3>Diagram</h3>{diagram(item)}</section>')

    for section in S.build(r, item.graph, glyphs):
        body = _table(section.headers, section.rows) if section.rows else f"<p>{esc(section.empty)}</p>"
        out.append(
            f'<section data-section="{esc(section.key)}" id="{pid}-{esc(section.key)}">'
            f'<h3>{esc(section.title)}</h3><p class="blurb">{esc(section.blurb)}</p>{body}</section>'
        )
    metric_rows: list[tuple[S.Cell, ...]] = [(label, S.metric_value(k, m[k])) for k, label in S.METRIC_LABELS.items()]
    out.append(
        f'<section data-section="metrics" id="{pid}-metrics"><h3>All metrics</h3>'
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
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="procmap {esc(__version__)}">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{esc(title)}</h1>",
        '<p class="meta">What the customer meets in each process: who they deal with, where they are passed '
        "from one party to another, and what they wait on. Made by procmap audit.</p></header>",
    ]
    if len(reports) > 1:
        rows = S.overview_rows(reports)
        parts.append('<nav data-section="overview"><h2>Overview</h2>')
        parts.append(_table(S.OVERVIEW_HEADERS, rows, numeric=(2, 3, 4, 5)))
        links = "".join(
            f'<li><a href="#p{n}">{esc(r["name"])}</a> <code>{esc(r["file"])}</code></li>'
            for n, r in enumerate(reports, start=1)
        )
        parts.append(f"<ul>{links}</ul></nav>")
    parts += [_process(n, item) for n, item in enumerate(audited, start=1)]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
