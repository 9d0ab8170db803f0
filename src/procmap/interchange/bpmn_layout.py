"""Geometry for the BPMN diagram: a pool of horizontal lanes, flow left to right.

BPMN tools (bpmn.io, Camunda Modeler, Signavio) draw exactly what the
BPMNDiagram section says and do not lay a model out themselves, so an export
without coordinates opens as an empty canvas.  This module computes them, with
three promises a reader can rely on (tests/test_bpmn_geometry.py checks each
on the DI of every example and of random processes):

* **no two flows share a stretch of line**, so no flow seems to run into the
  wrong shape;
* **no label overlaps a shape or another label**;
* **every branch leaves its gateway on its own line**: fan-out branches do
  not share a trunk.

How:

* columns: every element gets the column of its longest path from the start
  event, after removing the back edges of a depth-first search (loops), so the
  flow reads left to right and loops run right to left;
* rows: lanes are stacked top to bottom in the order given; elements that
  share a lane and a column are stacked inside the lane, which grows to fit;
* ports: flows leave a shape on its right and enter on its left, each at its
  own height.  Leaving heights are odd multiples of a unit, entering heights
  even multiples, and the centre is kept for a flow that runs straight along
  its row, so a stub leaving one shape can never lie on a stub entering its
  neighbour;
* tracks: vertical stretches run in the gaps between columns and horizontal
  ones either through empty cells of a row or in the channels between rows;
  every flow gets a track of its own in each gap and channel it uses, and
  gaps and channels widen to fit their tracks;
* labels: event names below the event, gateway questions above the gateway
  (rows grow to hold them), flow names at the first free place along the
  flow, tried against every shape and every label already placed.

Pure geometry on plain values (no XML), so it can be tested on its own.
Sizes are bpmn.io's defaults, so shapes look native when edited there.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

SIZES = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}
POOL_X, POOL_Y = 20, 20
POOL_LABEL = 30  # the pool's name band on the left
LANE_LABEL = 30  # each lane's name band, inside the pool
CELL_W = 100  # widest shape
CORE_H = 80  # tallest shape
MIN_GAP = 50  # between columns
MIN_CHANNEL = 24  # between rows
TRACK = 8  # distance between parallel lines in a gap or channel
TRACK_PAD = 12  # from a gap's or channel's edge to its first track
ROW_PAD = 12  # above and below the shapes of a row, before labels
PORT_UNIT = 6.0  # port heights: leaving at odd multiples, entering at even ones
LABEL_W = 90  # bpmn.io wraps external labels at 90 px
LABEL_LINE_H = 14
CHAR_W = 6.2  # a conservative average for bpmn.io's 11 px sans-serif
LABEL_GAP = 4


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom


@dataclass(frozen=True, slots=True)
class Element:
    id: str
    lane: str
    shape: str  # task | gateway | event
    label: str | None = None  # drawn below an event, above a gateway


@dataclass(frozen=True, slots=True)
class Edge:
    id: str
    source: str
    target: str
    label: str | None = None


@dataclass
class Layout:
    pool: Box
    lanes: dict[str, Box] = field(default_factory=dict)
    shapes: dict[str, Box] = field(default_factory=dict)
    waypoints: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    labels: dict[str, Box] = field(default_factory=dict)  # flow id -> label
    shape_labels: dict[str, Box] = field(default_factory=dict)  # element id -> label
    columns: dict[str, int] = field(default_factory=dict)


def back_edges(elements: Sequence[Element], edges: Sequence[Edge], root: str) -> set[str]:
    """Edges closing a cycle in a depth-first search from ``root`` (then any unvisited element).

    Iterative, so a process with thousands of steps cannot hit the recursion limit.
    """
    succ: dict[str, list[Edge]] = {e.id: [] for e in elements}
    for edge in edges:
        succ[edge.source].append(edge)
    state: dict[str, int] = {}  # 1: on the stack, 2: finished
    back: set[str] = set()
    for first in [root, *(e.id for e in elements)]:
        if first in state:
            continue
        state[first] = 1
        stack = [(first, iter(succ[first]))]
        while stack:
            node, todo = stack[-1]
            for edge in todo:
                seen = state.get(edge.target)
                if seen is None:
                    state[edge.target] = 1
                    stack.append((edge.target, iter(succ[edge.target])))
                    break
                if seen == 1:
                    back.add(edge.id)
            else:
                state[node] = 2
                stack.pop()
    return back


def columns(
    elements: Sequence[Element], edges: Sequence[Edge], root: str, back: set[str] | None = None
) -> dict[str, int]:
    """Longest-path layering of the graph without its back edges."""
    if back is None:
        back = back_edges(elements, edges, root)
    indegree = {e.id: 0 for e in elements}
    succ: dict[str, list[str]] = {e.id: [] for e in elements}
    for edge in edges:
        if edge.id not in back:
            indegree[edge.target] += 1
            succ[edge.source].append(edge.target)
    col = {e.id: 0 for e in elements}
    ready = [e.id for e in elements if indegree[e.id] == 0]
    i = 0
    while i < len(ready):
        node = ready[i]
        i += 1
        for target in succ[node]:
            col[target] = max(col[target], col[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return col


def label_size(text: str) -> tuple[float, float]:
    """Width and height bpmn.io needs for an external label: wrapped by words at 90 px."""
    lines, current = 0, 0.0
    widest = 0.0
    for word in text.split() or [""]:
        w = len(word) * CHAR_W
        while w > LABEL_W:  # bpmn.io breaks a word wider than the label
            if current:
                lines, widest, current = lines + 1, max(widest, current), 0.0
            lines, widest, w = lines + 1, LABEL_W, w - LABEL_W
        needed = w if not current else current + CHAR_W + w
        if needed > LABEL_W:
            lines, widest, current = lines + 1, max(widest, current), w
        else:
            current = needed
    lines, widest = lines + 1, max(widest, current)
    return max(12.0, math.ceil(widest)), lines * LABEL_LINE_H


# -- abstract routes ---------------------------------------------------------------------------------


@dataclass
class _Route:
    """A flow's route before coordinates: which ports, gaps and channel it uses."""

    edge: Edge
    kind: str  # straight | z | row_s | row_t | channel | self
    exit_port: int = 0  # multiple of the port unit
    entry_port: int = 0
    gap_a: int | None = None  # gap (index = column to its right) of the first vertical stretch
    gap_b: int | None = None  # gap of the second one
    channel: int | None = None  # channel (index = row below it) of the horizontal stretch
    track_a: int = 0
    track_b: int = 0
    track_c: int = 0
    direction: int = 0  # -1 up, 0 level, 1 down: sorts the ports


def layout(elements: Sequence[Element], edges: Sequence[Edge], lanes: Sequence[str], root: str) -> Layout:
    """Place ``elements`` in ``lanes`` (top to bottom) and route ``edges``; ``root`` is the start event."""
    back = back_edges(elements, edges, root)
    col = columns(elements, edges, root, back)
    by_id = {e.id: e for e in elements}

    # -- grid: (global row, column) per element ------------------------------------------------------
    used: dict[tuple[str, int], int] = {}
    slot: dict[str, int] = {}
    for element in elements:
        key = (element.lane, col[element.id])
        slot[element.id] = used.get(key, 0)
        used[key] = slot[element.id] + 1
    rows_in = dict.fromkeys(lanes, 1)
    for (lane, _), n in used.items():
        rows_in[lane] = max(rows_in[lane], n)
    first_row: dict[str, int] = {}
    total = 0
    for lane in lanes:
        first_row[lane] = total
        total += rows_in[lane]
    n_rows = total
    n_cols = max(col.values(), default=0) + 1
    cell = {e.id: (first_row[e.lane] + slot[e.id], col[e.id]) for e in elements}
    occupied = set(cell.values())

    def row_free(r: int, c0: int, c1: int) -> bool:
        return all((r, c) not in occupied for c in range(min(c0, c1) + 1, max(c0, c1)))

    # -- abstract routes ------------------------------------------------------------------------------
    routes: list[_Route] = []
    for edge in edges:
        (rs, cs), (rt, ct) = cell[edge.source], cell[edge.target]
        is_back = edge.id in back or ct <= cs
        if edge.source == edge.target:
            route = _Route(edge, "channel", gap_a=cs + 1, gap_b=cs, channel=rs + 1, direction=1)
        elif is_back:
            low = max(rs, rt)
            route = _Route(edge, "channel", gap_a=cs + 1, gap_b=ct, channel=low + 1, direction=1)
        elif rs == rt and row_free(rs, cs, ct):
            route = _Route(edge, "straight")
        elif ct == cs + 1:
            route = _Route(edge, "z", gap_a=ct, direction=(rt > rs) - (rt < rs))
        elif row_free(rt, cs, ct):
            route = _Route(edge, "row_t", gap_a=cs + 1, direction=(rt > rs) - (rt < rs))
        elif row_free(rs, cs, ct):
            route = _Route(edge, "row_s", gap_b=ct, direction=(rt > rs) - (rt < rs))
        else:
            channel = rt if rt > rs else rs
            route = _Route(edge, "channel", gap_a=cs + 1, gap_b=ct, channel=channel, direction=1 if rt > rs else -1)
        routes.append(route)

    # A straight flow needs the centre of both ends; a second one into the same
    # target (or out of the same source) cannot exist: the cells between are empty.
    _assign_ports(routes, by_id)

    gap_tracks: dict[int, int] = {}
    channel_tracks: dict[int, int] = {}

    def take(table: dict[int, int], key: int) -> int:
        k = table.get(key, 0)
        table[key] = k + 1
        return k

    for route in sorted(routes, key=lambda r: (r.direction, r.edge.id)):
        if route.gap_a is not None:
            route.track_a = take(gap_tracks, route.gap_a)
        if route.gap_b is not None:
            route.track_b = take(gap_tracks, route.gap_b)
        if route.channel is not None:
            route.track_c = take(channel_tracks, route.channel)

    # -- coordinates ------------------------------------------------------------------------------------
    unit = _port_unit(routes, by_id)
    label_size_of = {e.id: label_size(e.label) for e in elements if e.label}
    above = [ROW_PAD] * n_rows
    below = [ROW_PAD] * n_rows
    for element in elements:
        if element.id in label_size_of:
            r = cell[element.id][0]
            h = label_size_of[element.id][1] + LABEL_GAP + 2
            w, sh = SIZES[element.shape]
            spare = (CORE_H - sh) / 2
            if element.shape == "gateway":
                above[r] = max(above[r], h - spare + ROW_PAD / 2)
            else:
                below[r] = max(below[r], h - spare + ROW_PAD / 2)

    def span(tracks: int, minimum: float) -> float:
        return max(minimum, 2 * TRACK_PAD + max(0, tracks - 1) * TRACK)

    # A named flow leaving a shape gets room for its name on its first stretch.
    gap_min = [float(MIN_GAP)] * (n_cols + 1)
    for edge in edges:
        if edge.label:
            c = cell[edge.source][1]
            slack = (CELL_W - SIZES[by_id[edge.source].shape][0]) / 2
            gap_min[c + 1] = max(gap_min[c + 1], label_size(edge.label)[0] + 12 - slack)
    gap_w = [span(gap_tracks.get(g, 0), gap_min[g]) for g in range(n_cols + 1)]
    channel_h = [span(channel_tracks.get(k, 0), MIN_CHANNEL) for k in range(n_rows + 1)]
    left = POOL_X + POOL_LABEL + LANE_LABEL
    gap_x: list[float] = []
    col_x: list[float] = []
    x = float(left)
    for c in range(n_cols + 1):
        gap_x.append(x)
        x += gap_w[c]
        if c < n_cols:
            col_x.append(x)
            x += CELL_W
    right = x
    channel_y: list[float] = []
    row_top: list[float] = []
    row_cy: list[float] = []
    y = float(POOL_Y)
    for r in range(n_rows + 1):
        channel_y.append(y)
        y += channel_h[r]
        if r < n_rows:
            row_top.append(y)
            row_cy.append(y + above[r] + CORE_H / 2)
            y += above[r] + CORE_H + below[r]
    bottom = y

    result = Layout(pool=Box(POOL_X, POOL_Y, right - POOL_X, bottom - POOL_Y), columns=col)
    for i, lane in enumerate(lanes):
        top = channel_y[first_row[lane]]
        end = channel_y[first_row[lanes[i + 1]]] if i + 1 < len(lanes) else bottom
        result.lanes[lane] = Box(POOL_X + POOL_LABEL, top, right - POOL_X - POOL_LABEL, end - top)
    for element in elements:
        w, h = SIZES[element.shape]
        r, c = cell[element.id]
        cx, cy = col_x[c] + CELL_W / 2, row_cy[r]
        result.shapes[element.id] = Box(cx - w / 2, cy - h / 2, w, h)
        if element.id in label_size_of:
            lw, lh = label_size_of[element.id]
            box = result.shapes[element.id]
            ly = box.y - LABEL_GAP - lh if element.shape == "gateway" else box.bottom + LABEL_GAP
            result.shape_labels[element.id] = Box(cx - lw / 2, ly, lw, lh)

    def track_x(gap: int, k: int) -> float:
        return gap_x[gap] + TRACK_PAD + k * TRACK

    def track_y(channel: int, k: int) -> float:
        return channel_y[channel] + TRACK_PAD + k * TRACK

    for route in routes:
        s, t = result.shapes[route.edge.source], result.shapes[route.edge.target]
        sx, sy = _port(s, by_id[route.edge.source].shape, route.exit_port * unit, leaving=True)
        tx, ty = _port(t, by_id[route.edge.target].shape, route.entry_port * unit, leaving=False)
        if route.kind == "straight":
            points = [(sx, sy), (tx, ty)]
        elif route.kind == "z":
            xa = track_x(route.gap_a, route.track_a)
            points = [(sx, sy), (xa, sy), (xa, ty), (tx, ty)]
        elif route.kind == "row_t":
            xa = track_x(route.gap_a, route.track_a)
            points = [(sx, sy), (xa, sy), (xa, ty), (tx, ty)]
        elif route.kind == "row_s":
            xb = track_x(route.gap_b, route.track_b)
            points = [(sx, sy), (xb, sy), (xb, ty), (tx, ty)]
        else:
            xa, xb = track_x(route.gap_a, route.track_a), track_x(route.gap_b, route.track_b)
            yc = track_y(route.channel, route.track_c)
            points = [(sx, sy), (xa, sy), (xa, yc), (xb, yc), (xb, ty), (tx, ty)]
        result.waypoints[route.edge.id] = [(_r(px), _r(py)) for px, py in _simplify(points)]

    _place_flow_labels(result, edges, left, right)
    return result


def _assign_ports(routes: list[_Route], by_id: dict[str, Element]) -> None:
    """Port multiples per shape: the centre for straight flows (and a lone entry), then odd/even steps."""
    exits: dict[str, list[_Route]] = {}
    entries: dict[str, list[_Route]] = {}
    for route in routes:
        exits.setdefault(route.edge.source, []).append(route)
        entries.setdefault(route.edge.target, []).append(route)
    for group in exits.values():
        rest = [r for r in group if r.kind != "straight"]
        _spread(rest, odd=True, attr="exit_port")
    for group in entries.values():
        if len(group) == 1:
            group[0].entry_port = 0
            continue
        rest = [r for r in group if r.kind != "straight"]
        _spread(rest, odd=False, attr="entry_port")


def _spread(group: list[_Route], *, odd: bool, attr: str) -> None:
    """Give upward routes negative and the others positive multiples, nearest the centre first."""
    ups = [r for r in group if r.direction < 0]
    downs = [r for r in group if r.direction >= 0]
    for sign, members in ((-1, ups), (1, downs)):
        for i, route in enumerate(members):
            setattr(route, attr, sign * (2 * i + 1 if odd else 2 * (i + 1)))


def _port_unit(routes: list[_Route], by_id: dict[str, Element]) -> float:
    """One unit for the whole diagram (the odd/even argument needs it shared), small enough for every port."""
    unit = PORT_UNIT
    for route in routes:
        for elem_id, k in ((route.edge.source, route.exit_port), (route.edge.target, route.entry_port)):
            if k:
                half = SIZES[by_id[elem_id].shape][1] / 2 - 3
                unit = min(unit, half / abs(k))
    return unit


def _port(box: Box, shape: str, dy: float, *, leaving: bool) -> tuple[float, float]:
    """The point on the shape's outline at height ``cy + dy``, on its right (leaving) or left side."""
    half_w, half_h = box.w / 2, box.h / 2
    if shape == "gateway":
        reach = half_w * (1 - abs(dy) / half_h)
    elif shape == "event":
        reach = math.sqrt(max(0.0, half_w * half_w - dy * dy))
    else:
        reach = half_w
    return (box.cx + reach if leaving else box.cx - reach), box.cy + dy


def _simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and points in the middle of a straight stretch."""
    out: list[tuple[float, float]] = []
    for p in points:
        if out and abs(out[-1][0] - p[0]) < 1e-9 and abs(out[-1][1] - p[1]) < 1e-9:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (abs(ax - bx) < 1e-9 and abs(bx - p[0]) < 1e-9) or (abs(ay - by) < 1e-9 and abs(by - p[1]) < 1e-9):
                out[-1] = p
                continue
        out.append(p)
    return out


def _r(v: float) -> float:
    """Two decimals: exact enough for a drawing, short in the XML."""
    return round(v, 2)


# -- flow labels ---------------------------------------------------------------------------------------


class _Occupancy:
    """Boxes already on the canvas, bucketed so a test costs a few comparisons."""

    SIZE = 200.0

    def __init__(self) -> None:
        self.buckets: dict[tuple[int, int], list[Box]] = {}

    def _keys(self, box: Box) -> list[tuple[int, int]]:
        x0, x1 = int(box.x // self.SIZE), int(box.right // self.SIZE)
        y0, y1 = int(box.y // self.SIZE), int(box.bottom // self.SIZE)
        return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.buckets.setdefault(key, []).append(box)

    def free(self, box: Box) -> bool:
        return not any(other.overlaps(box) for key in self._keys(box) for other in self.buckets.get(key, ()))


def _place_flow_labels(result: Layout, edges: Sequence[Edge], left: float, right: float) -> None:
    """Each flow name at the first free place along its flow, or in a free strip under the pool."""
    taken = _Occupancy()
    for box in result.shapes.values():
        taken.add(Box(box.x - 2, box.y - 2, box.w + 4, box.h + 4))
    for box in result.shape_labels.values():
        taken.add(box)
    spill_y = result.pool.bottom + 10
    for edge in edges:
        if not edge.label:
            continue
        w, h = label_size(edge.label)
        chosen = None
        for box in _candidates(result.waypoints[edge.id], w, h):
            if box.x >= left and box.right <= right and taken.free(box):
                chosen = box
                break
        if chosen is None:
            # Nowhere free along the flow: below the pool, under where the flow starts.
            x0 = max(left, result.waypoints[edge.id][0][0])
            chosen = Box(x0, spill_y, w, h)
            while not taken.free(chosen):
                chosen = Box(x0, chosen.y + LABEL_LINE_H, w, h)
        taken.add(chosen)
        result.labels[edge.id] = Box(_r(chosen.x), _r(chosen.y), chosen.w, chosen.h)


def _candidates(points: list[tuple[float, float]], w: float, h: float):  # type: ignore[no-untyped-def]
    """Label boxes along a flow, nearest its start first: above/below horizontal stretches, beside vertical ones."""
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        if ay == by:
            lo, hi = min(ax, bx), max(ax, bx)
            starts = [lo + 4, hi - w - 4, (lo + hi - w) / 2]
            steps = int(max(0.0, hi - lo - w) // 30)
            starts += [lo + 4 + 30 * i for i in range(1, min(steps, 40))]
            for lift in (0, LABEL_LINE_H, 2 * LABEL_LINE_H):
                for x0 in starts:
                    yield Box(x0, ay - h - 3 - lift, w, h)
                    yield Box(x0, ay + 3 + lift, w, h)
            for x0 in (lo - w / 2, hi - w / 2):
                yield Box(x0, ay - h - 3, w, h)
        else:
            lo, hi = min(ay, by), max(ay, by)
            steps = int(max(0.0, hi - lo - h) // 20)
            for y0 in [lo + 4, hi - h - 4, *(lo + 4 + 20 * i for i in range(1, min(steps, 40)))]:
                yield Box(ax + 4, y0, w, h)
                yield Box(ax - w - 4, y0, w, h)
