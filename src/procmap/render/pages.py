"""Paper: ``--page a4|a3|letter|tabloid[-landscape]|slide``, fitted, never tiled (unless ``--tile``).

A blueprint is wide; paper is not.  The rule, in order:

1. the whole blueprint on one page, scaled to fit, when its smallest text
   stays at 6 points or more;
2. otherwise the process is laid out again in **rows** (the timeline
   wrapped, every row repeating the lanes with their titles and the three
   blueprint lines, flows between rows as numbered connectors) and the rows
   are stacked onto as few pages as keep every text at 6 points or more:
   each row, the title and the legend is a block that is never cut;
3. ``--tile`` keeps the poster cut into page-sized tiles, for plotters and
   wall-sized prints (see :func:`tiles`).

``slide`` is a 16:9 slide, 13.33 x 7.5 inches.  Planning works on
:class:`procmap.render.svg.Block` sizes only, so it costs nothing next to
drawing; :func:`choose_wrap` tries a handful of row lengths on the layout
alone before anything is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from procmap.diagnostics import UsageError

if TYPE_CHECKING:
    from procmap.render.layout import Layout
    from procmap.render.svg import Block

MM = 72 / 25.4
SIZES = {
    "a4": (210 * MM, 297 * MM),
    "a3": (297 * MM, 420 * MM),
    "letter": (612.0, 792.0),
    "tabloid": (792.0, 1224.0),
}
SLIDE = (13.333 * 72, 7.5 * 72)  # 16:9, PowerPoint's and Google Slides' default
NAMES = (*SIZES, *(f"{name}-landscape" for name in SIZES), "slide", "poster")
MARGIN = 28.0  # points, all round: what office printers cannot print
SLIDE_MARGIN = 0.0  # a screen shows to its edge, and every drawing keeps its own padding (layout's MARGIN_PAD)
SMALLEST_FONT = 9.0  # branch labels, notes, captions, connector numbers; step names are 11
MIN_TEXT = 6.0
GAP = 14.0  # points between two blocks on one page (at the page's scale)


@dataclass(frozen=True)
class Page:
    name: str
    width: float
    height: float
    margin: float = MARGIN

    @property
    def area(self) -> tuple[float, float]:
        return self.width - 2 * self.margin, self.height - 2 * self.margin


def parse(name: str | None) -> Page | None:
    """The page for ``--page`` (None: poster, one sheet per part at full size)."""
    if name is None:
        return None
    key = name.strip().lower()
    if key == "poster":
        return None
    if key == "slide":
        return Page(key, *SLIDE, margin=SLIDE_MARGIN)
    landscape = key.endswith("-landscape")
    base = key.removesuffix("-landscape")
    if base not in SIZES:
        raise UsageError(f"unknown page {name!r} (use {', '.join(NAMES)})")
    w, h = SIZES[base]
    if landscape:
        w, h = h, w
    return Page(key, w, h)


# -- fitting ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    """What planning needs of a block: its kind, size in points and smallest text."""

    kind: str
    width: float
    height: float
    min_font: float = SMALLEST_FONT


@dataclass
class Sheet:
    """One page: (block index, x, y, scale) for every block on it, x/y its top left on the page."""

    placed: list[tuple[int, float, float, float]] = field(default_factory=list)


def fit(sizes: list[Size], page: Page) -> list[Sheet] | None:
    """The blocks stacked onto pages, or None when some row cannot keep its text at 6 points on ``page``.

    Rows share one scale (the largest that fits the widest and the tallest of
    them, never above 1), so every page of a print looks the same; rows short
    enough sit side by side, read left to right; the title stays with the
    first row (the scale gives way a little for it when it can), the legend
    goes under the last row, or on a page of its own when it does not fit
    there, or under the rows of an earlier page with room for it (never a
    page of its own when some page has room).
    """
    aw, ah = page.area
    body = [s for s in sizes if s.kind not in ("header", "legend")]
    if not body:
        return None
    smallest = min(s.min_font for s in body)
    floor = MIN_TEXT / smallest * 1.005  # a hair above: viewers and browsers round a page's scale
    widest, tallest = max(s.width for s in body), max(s.height for s in body)
    top = min(1.0, aw / widest, ah / tallest)
    if top < floor - 1e-9:
        return None
    # Candidate scales: the largest, and those that put n rows side by side or m rows one above the other.
    candidates = {top, *(floor + (top - floor) * k / 12 for k in range(12))}
    for n in range(2, 9):
        candidates.add(min(top, (aw - (n - 1) * GAP) / (n * widest)))
        candidates.add(min(top, (ah - (n - 1) * GAP) / (n * tallest)))
    best: list[Sheet] | None = None
    for scale in sorted((c for c in candidates if c >= floor - 1e-9), reverse=True):
        sheets = _pack(sizes, page, scale, floor)
        if best is None or len(sheets) < len(best):
            best = sheets
    if best is not None:
        _centre(best, sizes, page)
    return best


def _centre(sheets: list[Sheet], sizes: list[Size], page: Page) -> None:
    """Each page's blocks centred across the page as one group; a single page centred down it too (a slide)."""
    for sheet in sheets:
        right = max(x + sizes[i].width * k for i, x, _y, k in sheet.placed)
        bottom = max(y + sizes[i].height * k for i, _x, y, k in sheet.placed)
        dx = max(0.0, (page.width - page.margin - right) / 2)
        dy = max(0.0, (page.height - page.margin - bottom) / 2) if len(sheets) == 1 else 0.0
        sheet.placed = [(i, x + dx, y + dy, k) for i, x, y, k in sheet.placed]


def _pack(sizes: list[Size], page: Page, scale: float, floor: float) -> list[Sheet]:
    """The blocks onto pages at ``scale``, in reading order (see :func:`fit`)."""
    aw, ah = page.area
    body = [s for s in sizes if s.kind not in ("header", "legend")]
    head = next((s for s in sizes if s.kind == "header"), None)
    if head is not None:
        together = (ah - GAP) / (head.height + body[0].height)
        if together < scale and together >= floor:
            scale = together

    def scale_of(s: Size) -> float:
        if s.kind in ("header", "legend"):
            return min(scale, aw / max(s.width, 1.0), ah / max(s.height, 1.0))
        return scale

    sheets: list[Sheet] = [Sheet()]
    left, right, bottom = page.margin, page.margin + aw, page.margin + ah
    x, y, line_h = left, page.margin, 0.0  # the current line of blocks: where the next goes, its height
    ends: list[float] = []  # where the content of each finished page ends
    previous = ""
    for i, s in enumerate(sizes):
        k = scale_of(s)
        w, h = s.width * k, s.height * k
        if s.kind == "row" and previous == "row" and x + w <= right + 1e-6 and y + h <= bottom + 1e-6:
            # Short rows (a tall process wrapped to a column or two) sit side by side, read left to right.
            sheets[-1].placed.append((i, x, y, k))
            x += w + GAP
            line_h = max(line_h, h)
            previous = s.kind
            continue
        top = y + line_h + GAP if sheets[-1].placed else page.margin
        if sheets[-1].placed and top + h > bottom + 1e-6:
            if s.kind == "legend":
                # Never a page for the legend alone: under the rows of the last page with room for it.
                for sheet, low in reversed(list(zip(sheets[:-1], ends, strict=True))):
                    if low + GAP + h <= bottom + 1e-6:
                        sheet.placed.append((i, left, low + GAP, k))
                        break
                else:
                    sheets.append(Sheet())
                    sheets[-1].placed.append((i, left, page.margin, k))
                continue
            ends.append(top - GAP)
            sheets.append(Sheet())
            top = page.margin
        sheets[-1].placed.append((i, left, top, k))
        x, y, line_h = left + w + GAP, top, h
        previous = s.kind
    return sheets


def sizes_of(blocks: list[Block]) -> list[Size]:
    return [Size(b.kind, b.width, b.height, b.min_font) for b in blocks]


def estimate(lay: Layout) -> list[Size]:
    """Block sizes of a layout before it is drawn (steps, notes and connectors bound a row; labels sit in gaps)."""
    from procmap.render.layout import MARGIN_PAD

    right = [0.0] * lay.rows
    for box in lay.steps.values():
        edge = box.x + max(box.w, box.note.w if box.note else 0.0) / 2
        right[box.row] = max(right[box.row], edge)
    for conn in lay.connectors:
        r = lay.connector_rows.get(conn.name, 0)
        right[r] = max(right[r], conn.x + conn.w / 2)
    out = [Size("header", max(lay.title.w if lay.title else 0, lay.subtitle.w if lay.subtitle else 0) + 8, 60.0)]
    widest = max(right, default=0.0) + MARGIN_PAD + 8  # drawn rows all end where the widest does
    for top, bottom in lay.row_spans:
        out.append(Size("row", widest, bottom - top + 8))
    legend_top = lay.row_spans[-1][1] if lay.row_spans else 0.0
    legend_w = max((b.x + b.w / 2 for _k, b in lay.legend), default=0.0)
    out.append(Size("legend", legend_w + 8, max(lay.height - legend_top - 20, 20.0)))
    return out


def pages_needed(sheets: list[Sheet] | None) -> float:
    return math.inf if sheets is None else len(sheets)


def choose_wrap(build: Callable[[int], Layout], columns: int, page: Page, most: int | None = None) -> int | None:
    """The row length (columns per row) that prints on the fewest pages with text at 6 points or more.

    ``build(w)`` lays the process out in rows of ``w`` columns.  Row width
    grows with ``w`` and row height barely changes, so a binary search finds
    the longest row that fits, and a few shorter ones are compared for the
    page count (two short rows may share a page where one long row would
    not).  About a dozen layouts, whatever the size: planning stays linear.
    None: not even one column per row fits (lanes too tall for the page).
    """
    top = max(1, min(columns, most or columns))
    cache: dict[int, list[Sheet] | None] = {}

    def plan(w: int) -> list[Sheet] | None:
        if w not in cache:
            cache[w] = fit(estimate(build(w)), page)
        return cache[w]

    lo, hi = 1, top
    if plan(1) is None:
        return None
    while lo < hi:  # the largest w that fits
        mid = (lo + hi + 1) // 2
        if plan(mid) is not None:
            lo = mid
        else:
            hi = mid - 1
    best = lo
    for w in range(lo - 1, max(0, lo - 4), -1):
        if pages_needed(plan(w)) < pages_needed(plan(best)):
            best = w
    return best


# -- tiling (``--tile``) -------------------------------------------------------------------------------------


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
    """``--tile``: a part of ``width`` x ``height`` points cut into page-sized tiles.

    Scaled to fit when that keeps the smallest text at 6 points; otherwise
    drawn at the largest scale that fits the page's height (never below that
    floor) and cut into columns, each page repeating the lane-title column on
    its left so a reader always knows which band is which.
    """
    aw, ah = page.area
    floor = MIN_TEXT / SMALLEST_FONT
    fit_scale = min(1.0, aw / width, ah / height)
    if fit_scale >= floor:
        return [Tile(0.0, width, 0.0, height, fit_scale, False)]
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
