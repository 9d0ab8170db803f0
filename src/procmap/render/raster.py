"""SVG to PNG with resvg (``resvg-py``), using the fonts procmap ships.

resvg needs no system library and draws text only with fonts it is given: it
silently drops text in a family it cannot find.  procmap hands it Liberation
Sans (metric-compatible with the Helvetica that node sizes are computed for)
as the sans-serif family, and lets it fall back to the machine's fonts for
characters Liberation Sans lacks (CJK, emoji).

Size: 1.5 px per point (108 dpi: 11-point labels are 16 px tall), reduced
for big diagrams so the image stays under 30 megapixels and 32,000 px a side, the
limits of common viewers and browsers.
"""

from __future__ import annotations

import re
from importlib import resources

PX_PER_PT = 1.5
MAX_PIXELS = 30_000_000
MAX_SIDE = 32_000
_SIZE = re.compile(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def font_files() -> list[str]:
    """The bundled Liberation Sans faces that exist (an install without package data has none)."""
    folder = resources.files("procmap") / "data" / "fonts"
    paths = [folder / name for name in ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf")]
    return [str(p) for p in paths if p.is_file()]


def scale_for(width_pt: float, height_pt: float, wanted: float | None = None) -> float:
    """Pixels per point for a drawing of this size (see the module docstring)."""
    scale = wanted or PX_PER_PT
    area = width_pt * height_pt
    if area * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / area) ** 0.5
    return min(scale, MAX_SIDE / max(width_pt, height_pt, 1.0))


_FAMILY = re.compile(rb'(<text\b(?![^>]*data-fallback)[^>]*?)font-family="[^"]*"')


def to_png(
    svg: bytes, scale: float | None = None, extra_fonts: list[str] | None = None, *, exact: bool = False
) -> bytes:
    """Rasterise procmap's SVG (raises ImportError when resvg-py is missing).

    Text is drawn with the bundled Liberation Sans and, for the characters it
    lacks, only with ``extra_fonts`` (see :mod:`procmap.render.fonts`): resvg
    falls back per character among the fonts it is given, so a label keeps
    Liberation Sans's metrics (which sized its box) for everything it can draw.
    ``exact``: draw at ``scale`` as asked (a page at 200 dpi is far below the
    size limits), not reduced for huge diagrams.
    """
    import resvg_py

    svg = _FAMILY.sub(rb'\1font-family="Liberation Sans"', svg)

    m = _SIZE.search(svg)
    if not m:
        raise ValueError("not a procmap SVG (no size in points)")
    w_pt, h_pt = float(m.group(1)), float(m.group(2))
    scale = scale if exact and scale else scale_for(w_pt, h_pt, scale)
    # resvg reads "pt" sizes inconsistently across versions: give it CSS pixels.
    svg = (
        svg[: m.start()] + f'<svg width="{w_pt * 4 / 3:.2f}px" height="{h_pt * 4 / 3:.2f}px"'.encode() + svg[m.end() :]
    )
    png = resvg_py.svg_to_bytes(
        svg_string=svg.decode("utf-8"),
        zoom=scale * 3 / 4,
        font_files=[*font_files(), *(extra_fonts or [])],
        font_family="Liberation Sans",
        sans_serif_family="Liberation Sans",
        skip_system_fonts=bool(font_files()),
        background="white",
    )
    return bytes(png)
