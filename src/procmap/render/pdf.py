"""SVG to PDF with svglib + reportlab: vector output, text kept as text.

svglib maps ``Helvetica`` to the PDF base font, which can only encode
Latin-1; procmap's labels may hold any Unicode, so the pages are drawn with
the bundled Liberation Sans (embedded, subset by reportlab).

A wrapped process becomes one page per row (the title on the first page, the
legend on the last), each page as large as its row: PDF viewers and printers
cope badly with a single 25,000-point-wide page.  Pages never exceed the
14,400-point limit of PDF 1.x viewers: bigger rows are scaled down to fit.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from procmap.render.raster import font_files

if TYPE_CHECKING:
    from procmap.render.pages import Page

MAX_PAGE = 14_400.0
FAMILY = "Liberation Sans"
_FONT_ATTR = re.compile(rb'font-family="[^"]*"')
_SIZE = re.compile(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([-\d. ]+)"')


def _font_map():  # type: ignore[no-untyped-def]
    from svglib.fonts import FontMap

    fonts = FontMap()
    files = font_files()
    if len(files) == 2:
        fonts.register_font(FAMILY, files[0], rlgFontName="ProcmapSans")
        fonts.register_font(FAMILY, files[1], weight="bold", rlgFontName="ProcmapSans-Bold")
    else:  # fonts not installed: the PDF base font (Latin-1 text only)
        fonts.register_font(FAMILY, rlgFontName="Helvetica")
        fonts.register_font(FAMILY, weight="bold", rlgFontName="Helvetica-Bold")
    return fonts


def crop(svg: bytes, top: float, bottom: float, content_height: float) -> bytes:
    """The same SVG showing only the band ``top``..``bottom`` of a ``content_height`` layout (points, from the top).

    Graphviz surrounds the layout with equal margins, so layout y maps to
    SVG y + (viewBox height - content height) / 2.
    """
    m = _SIZE.search(svg)
    if not m:
        raise ValueError("not a procmap SVG (no size in points)")
    x, y, w, h = (float(v) for v in m.group(3).decode().split())
    offset = (h - content_height) / 2
    top, bottom = max(y, y + offset + top), min(y + h, y + offset + bottom)
    height = bottom - top
    head = f'<svg width="{w:.2f}pt" height="{height:.2f}pt" viewBox="{x:.2f} {top:.2f} {w:.2f} {height:.2f}"'
    return svg[: m.start()] + head.encode() + svg[m.end() :]


def to_pdf(
    pages: list[bytes],
    title: str,
    *,
    page: Page | None = None,
    title_w: float = 0.0,
    fallback: Callable[[object], None] | None = None,
) -> bytes:
    """One PDF page per SVG in ``pages`` (``page`` None: each as large as it is), or each SVG laid out on
    ``page``-sized sheets (see :mod:`procmap.render.pages`).  ``fallback`` rewrites each drawing's text
    runs for characters Liberation Sans lacks (see :mod:`procmap.render.fonts`).
    Raises ImportError when svglib/reportlab are missing."""
    from reportlab.graphics import renderPDF
    from reportlab.pdfgen import canvas
    from svglib.svglib import svg2rlg

    fonts = _font_map()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pageCompression=1, invariant=1)
    pdf.setTitle(title)
    pdf.setCreator("procmap")

    def convert(svg: bytes):  # type: ignore[no-untyped-def]
        svg = _FONT_ATTR.sub(f'font-family="{FAMILY}"'.encode(), svg)
        drawing = svg2rlg(io.BytesIO(svg), font_map=fonts)
        if drawing is None:
            raise ValueError("svglib could not read the SVG")
        if fallback is not None:
            fallback(drawing)
        return drawing

    if page is None:
        # One page at a time: a 1,000-row print never holds more than one page's drawing.
        for svg in pages:
            drawing = convert(svg)
            scale = min(1.0, MAX_PAGE / max(drawing.width, 1.0), MAX_PAGE / max(drawing.height, 1.0))
            pdf.setPageSize((drawing.width * scale, drawing.height * scale))
            if scale < 1.0:
                pdf.scale(scale, scale)
            renderPDF.draw(drawing, pdf, 0, 0)
            pdf.showPage()
        pdf.save()
        return out.getvalue()

    from procmap.render.pages import tiles

    drawings = [convert(svg) for svg in pages]
    plan = []
    for k, drawing in enumerate(drawings):
        name = f"part{k}"
        # Drawn once as a form, shown through a clip on each page: the PDF holds each part once.
        pdf.beginForm(name, lowerx=0, lowery=0, upperx=drawing.width, uppery=drawing.height)
        renderPDF.draw(drawing, pdf, 0, 0)
        pdf.endForm()
        plan += [(name, drawing, t) for t in tiles(drawing.width, drawing.height, page, title_w)]
    for n, (name, drawing, t) in enumerate(plan, start=1):
        pdf.setPageSize((page.width, page.height))
        s = t.scale
        top = page.height - page.margin
        height = (t.y1 - t.y0) * s
        x = page.margin
        regions = [(0.0, title_w)] if t.titles else []
        regions.append((t.x0, t.x1))
        for x0, x1 in regions:
            pdf.saveState()
            clip = pdf.beginPath()
            clip.rect(x, top - height, (x1 - x0) * s, height)
            pdf.clipPath(clip, stroke=0, fill=0)
            # Form y runs up from the bottom of the drawing; the tile's top edge is at drawing.height - y0.
            pdf.translate(x - x0 * s, top - (drawing.height - t.y0) * s)
            pdf.scale(s, s)
            pdf.doForm(name)
            pdf.restoreState()
            x += (x1 - x0) * s
        if len(plan) > 1:
            pdf.setFont("ProcmapSans" if len(font_files()) == 2 else "Helvetica", 8)
            pdf.setFillColorRGB(0.29, 0.33, 0.39)
            pdf.drawRightString(page.width - page.margin, page.margin / 2, f"{title} · page {n} of {len(plan)}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()
