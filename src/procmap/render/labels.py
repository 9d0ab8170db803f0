"""Placing branch labels and handoff badges after Graphviz has routed the flows.

Graphviz places ``xlabel`` and ``headlabel`` text itself, and its placer
only avoids other labels: branch labels ended up under decision diamonds,
on the blueprint lines or two lanes away from their flow.  So procmap lets
Graphviz route the flows (nothing else is left to it), reads the routed
paths back from the SVG, and places every branch label at the *start* of its
flow and every handoff badge at the *end* of its flow, on the first spot
that overlaps no step, note, title, caption, blueprint line or other label
(and, where possible, no other flow).  Boxes are measured with the same
Liberation Sans metrics that sized the steps (:mod:`procmap.render.text`).

Coordinates are the layout's (points, origin top left, y down); the SVG
fragments returned are in the part's Graphviz coordinates (y negated and
shifted by the layout height), to be inserted inside the part's group.
"""

from __future__ import annotations

import html
import itertools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procmap.render import text
from procmap.render.layout import BADGE_FONT, LINE_H, SMALL, Box

if TYPE_CHECKING:
    from procmap.render.layout import Edge, Layout

ASCENT = 0.905  # Liberation Sans, in em: what the text box spans above and below the baseline
DESCENT = 0.212
CLEAR = 2.5  # free space kept around every label
GAP = 3.0  # distance between a flow and its label
_EDGE = re.compile(r'<g id="flow&#45;(\d+)" class="edge[^"]*">(.*?)</g>', re.S)
_PATH_D = re.compile(r'<path[^>]* d="([^"]+)"')
_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")

Rect = tuple[float, float, float, float]


@dataclass(slots=True)
class _Item:
    rect: Rect
    diamond: bool = False


class _Grid:
    """Axis-aligned boxes bucketed by 64-pt cells: a few hundred labels against thousands of boxes stays fast."""

    CELL = 64.0

    def __init__(self, bounds: Rect = (-1e9, -1e9, 1e9, 1e9)) -> None:
        self.cells: dict[tuple[int, int], list[_Item]] = {}
        self.bounds = bounds  # a box must lie inside

    def add(self, r: Rect, diamond: bool = False) -> None:
        b = self.bounds
        if r[2] < b[0] or r[0] > b[2] or r[3] < b[1] or r[1] > b[3]:
            return  # nothing inside the bounds can touch it (the legend, seen from a row above)
        item = _Item(r, diamond)
        c, cells = self.CELL, self.cells
        # Only the cells inside the bounds: a blueprint line spans the whole width, a part is one row.
        i0, i1 = int(max(r[0], b[0]) // c), int(min(r[2], b[2]) // c)
        j0, j1 = int(max(r[1], b[1]) // c), int(min(r[3], b[3]) // c)
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                bucket = cells.get((i, j))
                if bucket is None:
                    cells[(i, j)] = [item]
                else:
                    bucket.append(item)

    def hits(self, r: Rect) -> bool:
        b = self.bounds
        if r[0] < b[0] or r[1] < b[1] or r[2] > b[2] or r[3] > b[3]:
            return True
        c, cells = self.CELL, self.cells
        for i in range(int(r[0] // c), int(r[2] // c) + 1):
            for j in range(int(r[1] // c), int(r[3] // c) + 1):
                items = cells.get((i, j))
                if items:
                    for item in items:
                        a = item.rect
                        if r[0] < a[2] and r[2] > a[0] and r[1] < a[3] and r[3] > a[1] and _overlap(r, item):
                            return True
        return False


def _overlap(r: Rect, item: _Item) -> bool:
    a = item.rect
    if r[0] >= a[2] or r[2] <= a[0] or r[1] >= a[3] or r[3] <= a[1]:
        return False
    if not item.diamond:
        return True
    cx, cy, hw, hh = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2, (a[2] - a[0]) / 2, (a[3] - a[1]) / 2
    dx = max(0.0, r[0] - cx, cx - r[2])
    dy = max(0.0, r[1] - cy, cy - r[3])
    return dx / hw + dy / hh < 1.0


def _rect(box: Box, pad: float = 0.0) -> Rect:
    return (box.x - box.w / 2 - pad, box.y - box.h / 2 - pad, box.x + box.w / 2 + pad, box.y + box.h / 2 + pad)


def obstacles(lay: Layout, row: int) -> _Grid:
    """Everything in ``row`` a label must not touch (blueprint lines as thin boxes)."""
    top, bottom = lay.row_spans[row]
    # Inside the row and half the gaps around it (flows that go round a one-lane row run there),
    # right of the title column; the frame's texts (title, legend) are obstacles too.
    above = 0.0 if row == 0 else (lay.row_spans[row - 1][1] + top) / 2
    below = lay.height if row == len(lay.row_spans) - 1 else (bottom + lay.row_spans[row + 1][0]) / 2
    grid = _Grid((lay.sizes.title_w + 2, above + 2, lay.width, below - 2))
    for box in (lay.title, lay.subtitle, *(b for _k, b in lay.legend)):
        if box is not None:
            grid.add(_rect(box, 2.0), diamond=False)
    for box in lay.steps.values():
        if box.row != row:
            continue
        grid.add(_rect(box, 1.0), diamond=box.shape == "diamond")
        if box.note is not None:
            grid.add(_rect(box.note, 1.0))
    for step, item in lay.evidence:
        if step.row == row:
            grid.add(_rect(item, 1.0))
    for band in lay.bands:
        if band.row == row and band.title is not None:
            grid.add(_rect(band.title))
    for rule in lay.rules:
        if rule.row == row:
            grid.add((0.0, rule.y - 1.5, lay.width, rule.y + 1.5))
            if rule.tag is not None:
                grid.add(_rect(rule.tag))
    for conn in lay.connectors:
        if lay.connector_rows[conn.name] == row:
            grid.add(_rect(conn, 1.0))
    if lay.start is not None and lay.start.y and top <= lay.start.y <= bottom:
        grid.add(_rect(lay.start, 1.0))
    if row < len(lay.row_tags):
        grid.add(_rect(lay.row_tags[row]))
    return grid


def _points(d: str) -> list[tuple[float, float]]:
    """The polyline through a Graphviz path's end points (orthogonal routes are straight cubic pieces)."""
    nums = [float(v) for v in _NUM.findall(d)]
    pts = list(zip(nums[0::2], nums[1::2], strict=False))
    if not pts:
        return []
    out = [pts[0]]
    for i in range(3, len(pts), 3):
        if pts[i] != out[-1]:
            out.append(pts[i])
    if len(pts) > 1 and len(out) == 1:
        out.append(pts[-1])
    return out


def routed_paths(svg_part: str, height: float) -> dict[int, list[tuple[float, float]]]:
    """Flow index (0-based, as in ``Layout.edges``) -> its routed polyline in layout coordinates."""
    out = {}
    for m in _EDGE.finditer(svg_part):
        d = _PATH_D.search(m.group(2))
        if d:
            pts = _points(d.group(1))
            out[int(m.group(1)) - 1] = [(x, y + height) for x, y in pts]
    return out


def _segments_grid(paths: dict[int, list[tuple[float, float]]]) -> _Grid:
    grid = _Grid()
    for pts in paths.values():
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            grid.add((min(x0, x1) - 0.8, min(y0, y1) - 0.8, max(x0, x1) + 0.8, max(y0, y1) + 0.8))
    return grid


def _walk(pts: list[tuple[float, float]], reverse: bool, limit: float, pitch: float = 5.0):  # type: ignore[no-untyped-def]
    """(point, unit direction of travel) every ``pitch`` points from the start (or the end) of a polyline,
    corners included, up to ``limit`` points along it."""
    seq = list(reversed(pts)) if reverse else pts
    travelled = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(seq):
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        if length == 0:
            continue
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        t = 0.0
        while t < length:
            if travelled + t > limit:
                return
            yield (x0 + ux * t, y0 + uy * t), (ux, uy)
            t += pitch if t or travelled else 2.0
        travelled += length


def _candidates(
    p: tuple[float, float], u: tuple[float, float], w: float, h: float, reverse: bool, on_line: bool = False
):  # type: ignore[no-untyped-def]
    """Boxes of size w x h beside the flow at ``p`` (travelling along ``u``), nearest side first; with
    ``on_line`` (a badge), last the box centred on the flow, which marks it as a stop on a route does."""
    x, y = p
    ux, uy = u
    if on_line:
        yield from _candidates(p, u, w, h, reverse)
        yield (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        return
    # Starting where the flow goes, then sliding back along it a quarter of the label at a time.
    if abs(ux) >= abs(uy):  # horizontal piece: above or below
        ahead = ux > 0 if not reverse else ux < 0
        for f in (0.0, 0.25, 0.5, 0.75, 1.0):
            x0 = x - f * w if ahead else x - (1 - f) * w
            for y0 in (y - GAP - h, y + GAP):
                yield (x0, y0, x0 + w, y0 + h)
    else:  # vertical piece: right or left of it
        down = uy > 0 if not reverse else uy < 0
        for f in (0.0, 0.25, 0.5, 0.75, 1.0):
            y0 = y - f * h if down else y - (1 - f) * h
            for x0 in (x + GAP, x - GAP - w):
                yield (x0, y0, x0 + w, y0 + h)


def first_leg(pts: list[tuple[float, float]]) -> float:
    """Length along the flow to the end of its first real leg (jogs under 12 points at the step don't count)."""
    run = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        seg = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        run += seg
        if seg >= 12.0:
            break
    return run


def near_start(total: float, first_leg: float) -> float:
    """How far along a flow its label may sit and still read as the flow's start: on its first
    straight leg out of the step, or in its first half, or its first 150 points."""
    return max(first_leg, 0.5 * total, min(150.0, total))


def _place(
    pts: list[tuple[float, float]],
    w: float,
    h: float,
    hard: _Grid,
    soft: _Grid,
    reverse: bool,
    far: bool = True,
    on_line: bool = False,
) -> Rect | None:
    """The first free spot near the flow's start (or end): clear of everything, else clear of all but
    other flows; failing both, the first spot clear of everything further along."""
    total = sum(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 for (x0, y0), (x1, y1) in itertools.pairwise(pts))
    fallback = None
    leg = first_leg(list(reversed(pts)) if reverse else pts)
    for p, u in _walk(pts, reverse, near_start(total, leg)):
        for r in _candidates(p, u, w, h, reverse, on_line):
            padded = (r[0] - CLEAR, r[1] - CLEAR, r[2] + CLEAR, r[3] + CLEAR)
            if hard.hits(padded):
                continue
            if not soft.hits(r):
                return r
            if fallback is None:
                fallback = r
    if fallback is not None or not far:
        return fallback
    for p, u in _walk(pts, reverse, total, pitch=8.0):
        for r in _candidates(p, u, w, h, reverse, on_line):
            if not hard.hits((r[0] - CLEAR, r[1] - CLEAR, r[2] + CLEAR, r[3] + CLEAR)):
                return r
    return None


def _text(x: float, y: float, line: str, size: float, fill: str, *, anchor: str, bold: bool, dy: float) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text xml:space="preserve" text-anchor="{anchor}" x="{x:.2f}" y="{y - dy:.2f}" '
        f'font-family="Helvetica,sans-Serif"{weight} font-size="{size:.2f}" fill="{fill}">'
        f"{html.escape(text.clean(line), quote=False)}</text>"
    )


def label_box_size(lines: list[str], size: float = SMALL) -> tuple[float, float]:
    return max(text.width(line, size) for line in lines) + 2, len(lines) * size * LINE_H


def badge_box_size(badge: str, size: float = BADGE_FONT) -> tuple[float, float]:
    return text.width(badge, size, bold=True) + 10, size * LINE_H + 4


def _shapes_of(lines: list[str], size: float = SMALL, whole: str = "") -> list[list[str]]:
    """The label as wrapped; then, where its start is crowded, the whole text flatter (one line, two), narrower,
    narrower still, and last one shortened line: tried in turn.

    A long flat label fits along a long leg where the usual three lines do
    not, a narrow one beside a vertical leg; only the last shape cuts text.
    """
    whole = whole or " ".join(lines)
    unit = size / SMALL
    widest = max(text.width(line, size) for line in lines)
    shapes = [lines]
    flat = text.width(whole, size)
    if len(lines) > 1 and flat <= 400.0 * unit:
        shapes.append([whole])
    if len(lines) > 2:
        shapes.append(text.wrap(whole, max(flat / 2 + 8 * unit, widest), size, max_lines=2))
    shapes.append(text.wrap(whole, 60.0 * unit, size, max_lines=4))
    shapes.append(text.wrap(whole, 40.0 * unit, size, max_lines=6))
    shapes.append([text.one_line(whole, 60.0 * unit, size)])
    unique: list[list[str]] = []
    for shape in shapes:
        if shape not in unique:
            unique.append(shape)
    return unique


def _reach(pts: list[tuple[float, float]]) -> float:
    total = sum(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 for (x0, y0), (x1, y1) in itertools.pairwise(pts))
    return near_start(total, first_leg(pts))


def place(lay: Layout, row: int, svg_part: str, colours: dict[str, str]) -> tuple[str, list[tuple[int, str, Rect]]]:
    """SVG groups for the branch labels and badges of ``row``'s flows, and where each went.

    Branch labels first, the most constrained first (fewest free spots near
    the flow's start), then the badges.  A label with no free spot anywhere
    along its flow is listed as ``unplaced``; one re-wrapped or cut to fit a
    crowded start as ``narrowed``; one whose only spot lies over another
    flow as ``crossing``.  ``colours``: ``label`` (branch-label ink) and
    ``badge`` / ``badge-journey``.
    """
    paths = {i: pts for i, pts in routed_paths(svg_part, lay.height).items() if len(pts) >= 2}
    hard = obstacles(lay, row)
    soft = _segments_grid(paths)
    dy = lay.height
    small, badge_font = lay.sizes.small, lay.sizes.badge
    out: list[str] = []
    placed: list[tuple[int, str, Rect]] = []
    # Short flows first: they have the least room near their start.
    labelled = sorted((i for i in paths if lay.edges[i].label), key=lambda i: (_reach(paths[i]), i))
    for i in labelled:
        e: Edge = lay.edges[i]
        r, shown = None, e.label
        shapes = _shapes_of(e.label, small, e.text)
        for k, shown in enumerate(shapes):
            w, h = label_box_size(shown, small)
            r = _place(paths[i], w, h, hard, soft, reverse=False, far=k == len(shapes) - 1)
            if r is not None:
                break
        if r is None:
            placed.append((i, "unplaced", (0.0, 0.0, 0.0, 0.0)))  # no free spot: the caller decides
            continue
        hard.add(r)
        # "crossing": drawn, but over another flow (the only spot left): the story then makes more room.
        placed.append((i, "narrowed" if shown != e.label else "crossing" if soft.hits(r) else "label", r))
        pitch = small * LINE_H
        base = r[1] + (pitch - (ASCENT + DESCENT) * small) / 2 + ASCENT * small
        ink = colours.get("silence", colours["label"]) if e.silence else colours["label"]
        lines = "".join(
            _text(r[0] + 1, base + k * pitch, line, small, ink, anchor="start", bold=False, dy=dy)
            for k, line in enumerate(shown)
        )
        cls = "branch-label wait" if e.folded else "branch-label"
        cls += " silence" if e.silence else ""
        tip = ""
        if shown != e.label:  # narrowed to fit a crowded start: the full text on hover
            tip = f"<title>{html.escape(e.text or ' '.join(e.label), quote=False)}</title>"
        out.append(f'<g id="label-flow-{i + 1}" class="{cls}">{tip}{lines}</g>')
    for i in sorted(paths):
        e = lay.edges[i]
        pts = paths[i]
        if e.badge:
            w, h = badge_box_size(e.badge, badge_font)
            r = _place(pts, w, h, hard, soft, reverse=True, on_line=True)
            if r is None:
                placed.append((i, "badge-unplaced", (0.0, 0.0, 0.0, 0.0)))  # said by the caller, never silent
            else:
                hard.add(r)
                placed.append((i, "badge", r))
                ink = colours["badge-journey"] if e.emphasis == "journey" else colours["badge"]
                base = (r[1] + r[3]) / 2 + (ASCENT - DESCENT) * badge_font / 2
                out.append(
                    f'<g id="badge-flow-{i + 1}" class="handoff-badge">'
                    f'<rect x="{r[0]:.2f}" y="{r[1] - dy:.2f}" width="{r[2] - r[0]:.2f}" height="{r[3] - r[1]:.2f}" '
                    f'rx="{(r[3] - r[1]) / 2:.2f}" fill="#ffffff" stroke="{ink}" stroke-width="1.4"/>'
                    + _text((r[0] + r[2]) / 2, base, e.badge, badge_font, ink, anchor="middle", bold=True, dy=dy)
                    + "</g>"
                )
    return "".join(out), placed


# -- separating flows that Graphviz's orthogonal router lays on top of each other ---------------------

NUDGE = tuple(s * k for k in range(5, 41, 5) for s in (1.0, -1.0))  # perpendicular shifts tried, nearest first
NEAR = 1.5  # closer than this, two parallel pieces read as one line
RUN = 3.0  # shorter than this, a shared stretch is a crossing or a touch at a corner
_POLYGON = re.compile(r'(<polygon[^>]* points=")([^"]+)(")')
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_LINE = re.compile(r'<polyline[^>]* stroke-width="[^"]+"[^>]* points="([^"]+)"')


@dataclass(slots=True)
class _Route:
    start: int  # where the flow's group body starts in the part's text
    end: int
    body: str
    ends: str  # "tail->head": the two halves of one flow (a self-loop's) may share
    pts: list[list[float]]
    journey: bool


def _orthogonal(d: str) -> list[list[float]] | None:
    """The vertices of a path made of straight axis-parallel cubic pieces, or None (a curve: left alone)."""
    nums = [float(v) for v in _NUM.findall(d)]
    pts = list(zip(nums[0::2], nums[1::2], strict=False))
    if len(pts) < 4 or (len(pts) - 1) % 3:
        return None
    out = [list(pts[0])]
    for i in range(1, len(pts), 3):
        piece = [pts[i - 1], *pts[i : i + 3]]
        if not (
            all(abs(p[0] - piece[0][0]) < 0.01 for p in piece) or all(abs(p[1] - piece[0][1]) < 0.01 for p in piece)
        ):
            return None
        if math.dist(piece[0], piece[3]) > 0.01:
            out.append(list(piece[3]))
    return out if len(out) >= 2 else None


def _run(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(max(a0, a1), max(b0, b1)) - max(min(a0, a1), min(b0, b1))


def _piece(pts: list[list[float]], k: int) -> tuple[str, float, float, float]:
    """Segment k as (axis, its fixed coordinate, from, to): axis "h" runs along x at y."""
    (x0, y0), (x1, y1) = pts[k], pts[k + 1]
    return ("h", y0, x0, x1) if abs(y0 - y1) < 0.01 else ("v", x0, y0, y1)


def separate(svg_part: str) -> str:
    """The part with flows that run on top of each other, or along a blueprint line, moved apart.

    Graphviz's orthogonal router gives parallel flows in one channel the same
    track now and then (10 of 100 random blueprints had two flows on one
    stretch, often the bold journey over a flow it hides), and lays a flow on
    a blueprint line where the line runs through a channel.  Each such piece
    is shifted sideways by a few points, to the nearest offset free of other
    flows and lines; its neighbours (at right angles) stretch to follow, and
    an arrowhead on a moved last piece moves with it.  The journey keeps its
    track: the other flow moves.  Curved routes (the fallback) are left alone.
    """
    routes: list[_Route] = []
    for m in _EDGE.finditer(svg_part):
        body = m.group(2)
        d = _PATH_D.search(body)
        pts = _orthogonal(d.group(1)) if d else None
        if pts is None:
            continue
        title = _TITLE.search(body)
        cls = m.group(0)[: m.group(0).index(">")]
        routes.append(_Route(m.start(2), m.end(2), body, title.group(1) if title else "", pts, "journey" in cls))
    if not routes:
        return svg_part
    lines = []
    for m in _LINE.finditer(svg_part):
        nums = [float(v) for v in _NUM.findall(m.group(1))]
        if len(nums) == 4 and abs(nums[1] - nums[3]) < 0.01:
            lines.append((nums[1], min(nums[0], nums[2]), max(nums[0], nums[2])))

    def clashes(r: _Route, axis: str, at: float, lo: float, hi: float, near: float) -> bool:
        if axis == "h" and any(abs(at - y) < near + 1 and _run(lo, hi, x0, x1) > RUN for y, x0, x1 in lines):
            return True
        for other in routes:
            if other is r or other.ends == r.ends:
                continue
            for k in range(len(other.pts) - 1):
                ax, c, a, b = _piece(other.pts, k)
                if ax == axis and abs(c - at) < near and _run(lo, hi, a, b) > RUN:
                    return True
        return False

    moved = False
    for _round in range(3):
        changed = False
        for r in sorted(routes, key=lambda r: r.journey):  # the journey keeps its track when it can
            for k in range(len(r.pts) - 1):
                axis, at, a, b = _piece(r.pts, k)
                if not clashes(r, axis, at, a, b, NEAR):
                    continue
                for delta in NUDGE:
                    if not clashes(r, axis, at + delta, a, b, 3.0):
                        break
                else:
                    continue
                i = 1 if axis == "h" else 0
                r.pts[k][i] += delta
                r.pts[k + 1][i] += delta
                if k + 1 == len(r.pts) - 1:  # the arrowhead follows its flow
                    r.body = _POLYGON.sub(
                        lambda p, i=i, dl=delta: p.group(1) + _shift(p.group(2), i, dl) + p.group(3), r.body, count=1
                    )
                changed = moved = True
        if not changed:
            break
    if not moved:
        return svg_part
    out, last = [], 0
    for r in sorted(routes, key=lambda r: r.start):
        d = (
            "M"
            + f"{r.pts[0][0]:.2f},{r.pts[0][1]:.2f}C"
            + " ".join(
                f"{p[0]:.2f},{p[1]:.2f} {q[0]:.2f},{q[1]:.2f} {q[0]:.2f},{q[1]:.2f}"
                for p, q in itertools.pairwise(r.pts)
            )
        )
        body = _PATH_D.sub(lambda p, d=d: p.group(0).replace(p.group(1), d), r.body, count=1)
        out += [svg_part[last : r.start], body]
        last = r.end
    out.append(svg_part[last:])
    return "".join(out)


def _shift(points: str, axis: int, delta: float) -> str:
    nums = [float(v) for v in _NUM.findall(points)]
    pairs = [[x, y] for x, y in zip(nums[0::2], nums[1::2], strict=False)]
    for p in pairs:
        p[axis] += delta
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in pairs)
