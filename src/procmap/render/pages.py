"""Paper: ``--page a4|a3|letter|tabloid[-landscape]|poster``.

A blueprint is wide; paper is not.  Each part of the picture (the whole
picture, or one row of a wrapped process) is scaled to fit the page's
printable area when that keeps the smallest text (8-point connector
numbers) at 6 points or more; otherwise it is drawn at the largest scale
that fits the page's height (never below that floor) and cut into columns,
each page repeating the lane-title column on its left so a reader always
knows which band is which.  ``poster`` keeps one sheet per part at full
size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from procmap.diagnostics import UsageError

MM = 72 / 25.4
SIZES = {
    "a4": (210 * MM, 297 * MM),
    "a3": (297 * MM, 420 * MM),
    "letter": (612.0, 792.0),
    "tabloid": (792.0, 1224.0),
}
NAMES = (*SIZES, *(f"{name}-landscape" for name in SIZES), "poster")
MARGIN = 28.0  # points, all round: what office printers cannot print
SMALLEST_FONT = 8.0  # connector numbers; everything else is 9 points or more
MIN_TEXT = 6.0


@dataclass(frozen=True)
class Page:
    name: str
    width: float
    height: float

    @property
    def area(self) -> tuple[float, float]:
        return self.width - 2 * MARGIN, self.height - 2 * MARGIN


def parse(name: str | None) -> Page | None:
    """The page for ``--page`` (None: poster)."""
    if name is None:
        return None
    key = name.strip().lower()
    if key == "poster":
        return None
    landscape = key.endswith("-landscape")
    base = key.removesuffix("-landscape")
    if base not in SIZES:
        raise UsageError(f"unknown page {name!r} (use {', '.join(NAMES)})")
    w, h = SIZES[base]
    if landscape:
        w, h = h, w
    return Page(key, w, h)


@dataclass(frozen=True)
class Tile:
    """One printed page of one part: the part's region x0..x1, y0..y1 (points) at ``scale``; ``titles``:
    the lane-title column (0..title_w) is repeated on its left."""

    x0: float
    x1: float
    y0: float
    y1: float
    scale: float
    titles: bool


def tiles(width: float, height: float, page: Page, title_w: float) -> list[Tile]:
    """How a part of ``width`` x ``height`` points goes onto pages (see the module docstring)."""
    aw, ah = page.area
    floor = MIN_TEXT / SMALLEST_FONT
    fit = min(1.0, aw / width, ah / height)
    if fit >= floor:
        return [Tile(0.0, width, 0.0, height, fit, False)]
    scale = max(floor, min(1.0, ah / height))
    rows = max(1, math.ceil(height * scale / ah - 1e-9))
    slice_h = height / rows
    first_w = aw / scale  # the first page shows the titles where they are
    rest_w = aw / scale - title_w
    out = []
    for r in range(rows):
        y0, y1 = r * slice_h, (r + 1) * slice_h
        x, first = 0.0, True
        while x < width - 1e-6:
            span = first_w if first else rest_w
            out.append(Tile(x, min(width, x + span), y0, y1, scale, not first))
            x += span
            first = False
    return out
