"""Geometry for the BPMN diagram: a pool of horizontal lanes, flow left to right.

BPMN tools (bpmn.io, Camunda Modeler, Signavio) draw exactly what the
BPMNDiagram section says and do not lay a model out themselves, so an export
without coordinates opens as an empty canvas.  This module computes them:

* columns: every element gets the column of its longest path from the start
  event, after removing the back edges of a depth-first search (loops), so
  the flow reads left to right and loops run right to left;
* rows: lanes are stacked top to bottom in the order given; elements that
  share a lane and a column are stacked inside the lane, which grows to fit;
* edges: orthogonal waypoints between shape borders that never cross a
  shape: vertical lines in the gaps between columns, horizontal lines through
  empty cells or in the empty bands above and below each row; flows out of a
  gateway leave from its top or bottom corner, as BPMN modellers draw them;
  loops run back under the shapes.

Pure geometry on plain values (no XML), so it can be tested on its own.
Sizes are bpmn.io's defaults, so shapes look native when edited there.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

SIZES = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}
POOL_X, POOL_Y = 20, 20
POOL_LABEL = 30  # the pool's name band on the left
LANE_LABEL = 30  # each lane's name band, inside the pool
COL_W = 150
ROW_H = 140
MARGIN = 30
LOOP_GAP = 10
# Several lines in one gap between columns (or one band of a row) each get
# their own offset, so they never run on top of each other.
TURN_OFFSETS = (0, -10, 10, -20, 20)
LOOP_OFFSETS = (0, 5, 10, 15, 20)
LABEL_W = 90
LABEL_LINE_H = 14
CHAR_W = 6


@dataclass(frozen=True, slots=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


@dataclass(frozen=True, slots=True)
class Element:
    id: str
    lane: str
    shape: str  # task | gateway | event


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
    waypoints: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    labels: dict[str, Box] = field(default_factory=dict)
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


def columns(elements: Sequence[Element], edges: Sequence[Edge], root: str) -> dict[str, int]:
    """Longest-path layering of the graph without its back edges."""
    back = back_edges(elements, edges, root)
    forward = [e for e in edges if e.id not in back]
    indegree = {e.id: 0 for e in elements}
    succ: dict[str, list[str]] = {e.id: [] for e in elements}
    for edge in forward:
        indegree[edge.target] += 1
        succ[edge.source].append(edge.target)
    col = {e.id: 0 for e in elements}
    ready = [e.id for e in elements if indegree[e.id] == 0]
    while ready:
        node = ready.pop(0)
        for target in succ[node]:
            col[target] = max(col[target], col[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return col


def layout(elements: Sequence[Element], edges: Sequence[Edge], lanes: Sequence[str], root: str) -> Layout:
    """Place ``elements`` in ``lanes`` (top to bottom) and route ``edges``; ``root`` is the start event."""
    col = columns(elements, edges, root)
    row: dict[str, int] = {}
    used: dict[tuple[str, int], int] = {}
    for element in elements:
        key = (element.lane, col[element.id])
        row[element.id] = used.get(key, 0)
        used[key] = row[element.id] + 1
    rows_in = {lane: max([n for (ln, _), n in used.items() if ln == lane], default=1) for lane in lanes}
    first_row: dict[str, int] = {}
    for lane in lanes:
        first_row[lane] = sum(rows_in[ln] for ln in lanes[: lanes.index(lane)])
    n_cols = max(col.values(), default=0) + 1

    left = POOL_X + POOL_LABEL + LANE_LABEL + MARGIN
    pool_w = left + n_cols * COL_W + MARGIN - POOL_X
    result = Layout(pool=Box(POOL_X, POOL_Y, pool_w, ROW_H * sum(rows_in.values())), columns=col)
    for lane in lanes:
        y = POOL_Y + first_row[lane] * ROW_H
        result.lanes[lane] = Box(POOL_X + POOL_LABEL, y, pool_w - POOL_LABEL, ROW_H * rows_in[lane])
    cell: dict[str, tuple[int, int]] = {}
    for element in elements:
        w, h = SIZES[element.shape]
        cell[element.id] = (first_row[element.lane] + row[element.id], col[element.id])
        cx = left + COL_W // 2 + col[element.id] * COL_W
        cy = POOL_Y + cell[element.id][0] * ROW_H + ROW_H // 2
        result.shapes[element.id] = Box(cx - w // 2, cy - h // 2, w, h)

    router = _Router(result.shapes, cell, left)
    gateways = {e.id for e in elements if e.shape == "gateway"}
    back = back_edges(elements, edges, root)
    for edge in edges:
        points = router.route(edge.source, edge.target, edge.source in gateways, edge.id in back)
        result.waypoints[edge.id] = points
        if edge.label:
            result.labels[edge.id] = _label_box(points, edge.label)
    return result


class _Router:
    """Orthogonal routes that never cross a shape.

    Shapes sit on a grid of cells (global row, column) with free space around
    them: vertical lines run in the gaps between columns, horizontal lines
    along a row's centre only where the cells they cross are empty, otherwise
    in the empty band at the top or bottom of a row.  Each gap and band hands
    out a fresh offset per line, so parallel lines stay apart.
    """

    def __init__(self, shapes: dict[str, Box], cell: dict[str, tuple[int, int]], left: int) -> None:
        self.shapes = shapes
        self.cell = cell
        self.left = left
        self.occupied = set(cell.values())
        self.gap_use: dict[int, int] = {}
        self.band_use: dict[tuple[int, str], int] = {}

    def gap_x(self, column: int) -> int:
        """x of a vertical line in the gap just left of ``column``."""
        k = self.gap_use[column] = self.gap_use.get(column, -1) + 1
        return self.left + column * COL_W + TURN_OFFSETS[k % len(TURN_OFFSETS)]

    def band_y(self, grid_row: int, side: str) -> int:
        """y of a horizontal line in the empty band at the top or bottom of a grid row."""
        k = self.band_use[grid_row, side] = self.band_use.get((grid_row, side), -1) + 1
        offset = 6 + LOOP_OFFSETS[k % len(LOOP_OFFSETS)]
        top = POOL_Y + grid_row * ROW_H
        return top + offset if side == "top" else top + ROW_H - offset

    def _row_free(self, grid_row: int, c0: int, c1: int) -> bool:
        return all((grid_row, c) not in self.occupied for c in range(min(c0, c1) + 1, max(c0, c1)))

    def _column_free(self, column: int, r0: int, r1: int) -> bool:
        return all((r, column) not in self.occupied for r in range(min(r0, r1) + 1, max(r0, r1)))

    def route(self, source: str, target: str, from_gateway: bool, back: bool) -> list[tuple[int, int]]:
        s, t = self.shapes[source], self.shapes[target]
        (rs, cs), (rt, ct) = self.cell[source], self.cell[target]
        if source == target:
            below = self.band_y(rs, "bottom")
            side = s.right + LOOP_GAP
            return [(s.right, s.cy), (side, s.cy), (side, below), (s.cx, below), (s.cx, s.bottom)]
        if back or ct <= cs:
            # A loop: down into the bottom band of the source's row, back along
            # it, over to the target's row in a gap, and up into the target.
            y1 = self.band_y(rs, "bottom")
            if rs == rt:
                return [(s.cx, s.bottom), (s.cx, y1), (t.cx, y1), (t.cx, t.bottom)]
            x = self.gap_x(ct)
            y2 = self.band_y(rt, "bottom")
            return [(s.cx, s.bottom), (s.cx, y1), (x, y1), (x, y2), (t.cx, y2), (t.cx, t.bottom)]
        if rs == rt and self._row_free(rs, cs, ct):
            return [(s.right, s.cy), (t.x, t.cy)]
        if from_gateway and self._column_free(cs, rs, rt) and self._row_free(rt, cs, ct):
            # BPMN style: a branch leaves the gateway from its top or bottom corner.
            exit_y = s.y if rt < rs else s.bottom
            return [(s.cx, exit_y), (s.cx, t.cy), (t.x, t.cy)]
        if self._row_free(rs, cs, ct):
            x = self.gap_x(ct)
            return [(s.right, s.cy), (x, s.cy), (x, t.cy), (t.x, t.cy)]
        if self._row_free(rt, cs, ct):
            x = self.gap_x(cs + 1)
            return [(s.right, s.cy), (x, s.cy), (x, t.cy), (t.x, t.cy)]
        x1, y, x2 = self.gap_x(cs + 1), self.band_y(rt, "top"), self.gap_x(ct)
        return [(s.right, s.cy), (x1, s.cy), (x1, y), (x2, y), (x2, t.cy), (t.x, t.cy)]


def _label_box(points: list[tuple[int, int]], text: str) -> Box:
    """A label just above the last long horizontal stretch of the flow (the longest one otherwise)."""
    horizontal = [(a, b) for a, b in itertools.pairwise(points) if a[1] == b[1] and a[0] != b[0]]
    if not horizontal:
        horizontal = [(points[0], points[1])]
    a, b = horizontal[-1]
    if abs(b[0] - a[0]) < 60:
        a, b = max(horizontal, key=lambda seg: abs(seg[1][0] - seg[0][0]))
    room = abs(b[0] - a[0]) - 8
    width = max(20, min(LABEL_W, CHAR_W * len(text), room))
    lines = -(-CHAR_W * len(text) // width) or 1
    height = LABEL_LINE_H * lines
    return Box(min(a[0], b[0]) + 4, a[1] - height - 3, width, height)
