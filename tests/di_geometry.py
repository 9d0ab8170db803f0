"""Check a BPMN file's diagram (BPMNDI) the way a reader's eye would, with plain lxml and arithmetic.

No procmap code: it reads any BPMN 2.0 file.  Findings:

* ``shared segment``: two flows (or one flow with itself) run along the same
  stretch of line, so a reader cannot tell where either goes;
* ``shared port``: two flows leave (or enter) one shape at the same point: a
  fan-out on one trunk;
* ``label overlap``: a label's bounds overlap a flow node's shape or another label;
* ``through shape``: a flow's line runs across a flow node that is not its end;
* ``loose end``: a flow's first/last waypoint is not on its source's/target's outline.

Usage: python tests/di_geometry.py FILE.bpmn...   (exit 1 and one line per finding)
"""

from __future__ import annotations

import itertools
import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {
    "bpmn": BPMN,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
EPS = 0.01  # coordinates are written with two decimals
MIN_SHARED = 0.5  # a common stretch shorter than this is a crossing or a touch, not a shared line
ON_OUTLINE = 1.0


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Rect) -> bool:
        return (
            self.x < other.x + other.w - EPS
            and other.x < self.x + self.w - EPS
            and self.y < other.y + other.h - EPS
            and other.y < self.y + self.h - EPS
        )

    def cut_by(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Does the segment a-b pass through the rectangle's open interior?"""
        (x1, y1), (x2, y2) = a, b
        t0, t1 = 0.0, 1.0
        dx, dy = x2 - x1, y2 - y1
        for p, q in (
            (-dx, x1 - (self.x + EPS)),
            (dx, (self.x + self.w - EPS) - x1),
            (-dy, y1 - (self.y + EPS)),
            (dy, (self.y + self.h - EPS) - y1),
        ):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
        return t1 - t0 > 1e-9


def _bounds(el: etree._Element) -> Rect:
    b = el.find("dc:Bounds", NS)
    return Rect(*(float(b.get(k)) for k in ("x", "y", "width", "height")))


def _on_outline(kind: str, r: Rect, p: tuple[float, float]) -> bool:
    cx, cy, hw, hh = r.x + r.w / 2, r.y + r.h / 2, r.w / 2, r.h / 2
    x, y = p
    if kind == "gateway":
        return abs(abs(x - cx) / hw + abs(y - cy) / hh - 1) * min(hw, hh) <= ON_OUTLINE
    if kind == "event":
        return abs(math.hypot(x - cx, y - cy) - hw) <= ON_OUTLINE
    inside_x = r.x - ON_OUTLINE <= x <= r.x + r.w + ON_OUTLINE
    inside_y = r.y - ON_OUTLINE <= y <= r.y + r.h + ON_OUTLINE
    near_x = min(abs(x - r.x), abs(x - r.x - r.w)) <= ON_OUTLINE
    near_y = min(abs(y - r.y), abs(y - r.y - r.h)) <= ON_OUTLINE
    return (near_x and inside_y) or (near_y and inside_x)


def _kind(tag: str) -> str:
    local = etree.QName(tag).localname
    if local.endswith("Gateway"):
        return "gateway"
    if local.endswith("Event"):
        return "event"
    return "task"


def check(data: bytes) -> list[str]:
    """Every finding in one BPMN document's diagram."""
    root = etree.fromstring(data)
    kinds: dict[str, str] = {}
    flows: dict[str, tuple[str, str]] = {}
    for process in root.iterfind("bpmn:process", NS):
        for el in process:
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if local == "sequenceFlow":
                flows[el.get("id")] = (el.get("sourceRef"), el.get("targetRef"))
            elif local.endswith(("Task", "task", "Gateway", "Event")) or local == "task":
                kinds[el.get("id")] = _kind(el.tag)
    shapes: dict[str, Rect] = {}
    labels: dict[str, Rect] = {}
    lines: dict[str, list[tuple[float, float]]] = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        ref = shape.get("bpmnElement")
        if ref in kinds:
            shapes[ref] = _bounds(shape)
        label = shape.find("bpmndi:BPMNLabel", NS)
        if label is not None and label.find("dc:Bounds", NS) is not None:
            labels[f"label of {ref}"] = _bounds(label)
    for edge in root.iterfind(".//bpmndi:BPMNEdge", NS):
        ref = edge.get("bpmnElement")
        lines[ref] = [(float(w.get("x")), float(w.get("y"))) for w in edge.iterfind("di:waypoint", NS)]
        label = edge.find("bpmndi:BPMNLabel", NS)
        if label is not None and label.find("dc:Bounds", NS) is not None:
            labels[f"label of {ref}"] = _bounds(label)

    findings: list[str] = []
    findings += _shared_segments(lines)
    findings += _shared_ports(lines, flows)
    findings += _label_overlaps(labels, shapes, _Grid(shapes))
    grid = _Grid(shapes)
    for flow_id, points in lines.items():
        source, target = flows.get(flow_id, (None, None))
        for a, b in itertools.pairwise(points):
            for node_id in grid.near(a, b):
                if node_id not in (source, target) and shapes[node_id].cut_by(a, b):
                    findings.append(f"through shape: {flow_id} runs across {node_id}")
        if source in shapes and points and not _on_outline(kinds[source], shapes[source], points[0]):
            findings.append(f"loose end: {flow_id} does not start on {source}")
        if target in shapes and points and not _on_outline(kinds[target], shapes[target], points[-1]):
            findings.append(f"loose end: {flow_id} does not end on {target}")
    return findings


class _Grid:
    """Shapes bucketed by 200-px cells: a segment is tested against the shapes near it only."""

    SIZE = 200.0

    def __init__(self, shapes: dict[str, Rect]) -> None:
        self.cells: dict[tuple[int, int], list[str]] = defaultdict(list)
        for node_id, r in shapes.items():
            for key in self._keys(r.x, r.y, r.x + r.w, r.y + r.h):
                self.cells[key].append(node_id)

    def _keys(self, x0: float, y0: float, x1: float, y1: float) -> list[tuple[int, int]]:
        return [
            (i, j)
            for i in range(int(x0 // self.SIZE), int(x1 // self.SIZE) + 1)
            for j in range(int(y0 // self.SIZE), int(y1 // self.SIZE) + 1)
        ]

    def near(self, a: tuple[float, float], b: tuple[float, float]) -> set[str]:
        keys = self._keys(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
        return {node_id for key in keys for node_id in self.cells.get(key, ())}

    def overlapping(self, r: Rect) -> set[str]:
        return {node_id for key in self._keys(r.x, r.y, r.x + r.w, r.y + r.h) for node_id in self.cells.get(key, ())}


def _shared_segments(lines: dict[str, list[tuple[float, float]]]) -> list[str]:
    horizontal: dict[float, list[tuple[float, float, str]]] = defaultdict(list)
    vertical: dict[float, list[tuple[float, float, str]]] = defaultdict(list)
    findings = []
    for flow_id, points in lines.items():
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            if abs(y1 - y2) <= EPS and abs(x1 - x2) > EPS:
                horizontal[round(y1, 2)].append((min(x1, x2), max(x1, x2), flow_id))
            elif abs(x1 - x2) <= EPS and abs(y1 - y2) > EPS:
                vertical[round(x1, 2)].append((min(y1, y2), max(y1, y2), flow_id))
            elif abs(x1 - x2) > EPS:
                # A slanted segment: compare it with every other on the same line.
                slope = (y2 - y1) / (x2 - x1)
                key = (round(slope, 4), round(y1 - slope * x1, 2))
                horizontal[key].append((min(x1, x2), max(x1, x2), flow_id))  # type: ignore[index]
    for axis, groups in (("y", horizontal), ("x", vertical)):
        for where, spans in groups.items():
            spans.sort()
            reach: list[tuple[float, str]] = []  # open spans: (end, flow)
            for lo, hi, flow_id in spans:
                reach = [(end, other) for end, other in reach if end - lo > MIN_SHARED]
                for end, other in reach:
                    common = min(end, hi) - lo
                    if common > MIN_SHARED:
                        who = f"{other} and {flow_id}" if other != flow_id else f"{flow_id} with itself"
                        findings.append(f"shared segment: {who} at {axis}={where} for {common:.1f} px")
                reach.append((hi, flow_id))
    return findings


def _shared_ports(lines: dict[str, list[tuple[float, float]]], flows: dict[str, tuple[str, str]]) -> list[str]:
    findings = []
    for end, which in ((0, "leave"), (-1, "enter")):
        seen: dict[tuple[str, float, float], str] = {}
        for flow_id, points in lines.items():
            if flow_id not in flows or not points:
                continue
            node = flows[flow_id][0 if end == 0 else 1]
            key = (node, round(points[end][0], 1), round(points[end][1], 1))
            if key in seen:
                findings.append(f"shared port: {seen[key]} and {flow_id} {which} {node} at one point")
            else:
                seen[key] = flow_id
    return findings


def _label_overlaps(labels: dict[str, Rect], shapes: dict[str, Rect], grid: _Grid) -> list[str]:
    findings = []
    items = list(labels.items())
    for name, box in items:
        for node_id in sorted(grid.overlapping(box)):
            if box.overlaps(shapes[node_id]):
                findings.append(f"label overlap: {name} overlaps {node_id}")
    items.sort(key=lambda item: item[1].x)
    for i, (name, box) in enumerate(items):
        for other, obox in items[i + 1 :]:
            if obox.x >= box.x + box.w:
                break
            if box.overlaps(obox):
                findings.append(f"label overlap: {name} overlaps {other}")
    return findings


def main(argv: list[str]) -> int:
    bad = 0
    for name in argv:
        findings = check(Path(name).read_bytes())
        for finding in findings:
            print(f"{name}: {finding}")
        bad += bool(findings)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
