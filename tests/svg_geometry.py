"""Collision checker for procmap's blueprint SVGs: what a reader's eye would catch, as geometry.

It reads only the SVG: every ``<text>``'s box (advance widths from
``procmap.render.text`` — the Liberation Sans metrics the renderer sized
the boxes with — ascent 0.905 em, descent 0.212 em), every node's shape
(the polygon of a diamond, the bounding box of anything else), the
blueprint lines (the horizontal background polylines drawn with a pen
width) and the routed flows.  Coordinates are taken through each part's
``translate``.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

from lxml import etree

from procmap.render import text as metrics

SVG = "{http://www.w3.org/2000/svg}"
ASCENT, DESCENT = 0.905, 0.212
EPS = 0.5  # overlaps smaller than half a point are rounding, not collisions
_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
_TRANSLATE = re.compile(r"translate\(([-\d.]+)[ ,]([-\d.]+)\)")

Rect = tuple[float, float, float, float]


@dataclass
class Text:
    content: str
    rect: Rect
    owner: str  # id of the node / label group it belongs to
    kind: str  # node | branch-label | badge | other


@dataclass
class Shape:
    owner: str
    rect: Rect
    polygon: list[tuple[float, float]] | None = None  # diamonds


@dataclass
class Picture:
    texts: list[Text] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    lines: list[tuple[float, float, float]] = field(default_factory=list)  # y, x0, x1
    flows: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    flow_classes: dict[str, set[str]] = field(default_factory=dict)
    flow_ends: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # the steps a flow joins (both halves of a self-loop)


def _pairs(data: str, dx: float, dy: float) -> list[tuple[float, float]]:
    nums = [float(v) for v in _NUM.findall(data)]
    return [(x + dx, y + dy) for x, y in zip(nums[0::2], nums[1::2], strict=False)]


def _bbox(points: list[tuple[float, float]]) -> Rect:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _text_rect(el, dx: float, dy: float) -> Rect:  # type: ignore[no-untyped-def]
    size = float(el.get("font-size"))
    bold = el.get("font-weight") == "bold"
    w = metrics.width(el.text or "", size, bold=bold)
    x, y = float(el.get("x")) + dx, float(el.get("y")) + dy
    anchor = el.get("text-anchor", "start")
    x0 = {"middle": x - w / 2, "end": x - w}.get(anchor, x)
    return x0, y - ASCENT * size, x0 + w, y + DESCENT * size


def parse(svg: bytes) -> Picture:
    root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    pic = Picture()
    for part in root.iter(f"{SVG}g"):
        if "part" not in (part.get("class") or "").split():
            continue
        m = _TRANSLATE.search(part.get("transform", ""))
        dx, dy = (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)
        for el in part:
            if el.tag == f"{SVG}polyline" and el.get("stroke-width"):
                pts = _pairs(el.get("points", ""), dx, dy)
                if len(pts) == 2 and abs(pts[0][1] - pts[1][1]) < 0.01:
                    pic.lines.append((pts[0][1], min(pts[0][0], pts[1][0]), max(pts[0][0], pts[1][0])))
            if el.tag != f"{SVG}g":
                continue
            gid, cls = el.get("id", ""), (el.get("class") or "").split()
            kind = "node" if "node" in cls else "branch-label" if "branch-label" in cls else "other"
            if "handoff-badge" in cls:
                kind = "badge"
            if "edge" in cls:
                path = next(el.iter(f"{SVG}path"), None)
                if path is not None:
                    nums = _pairs(path.get("d", ""), dx, dy)
                    pic.flows[gid] = [nums[0], *nums[3::3]] if nums else []
                    pic.flow_classes[gid] = set(cls)
                    title = next(el.iter(f"{SVG}title"), None)
                    tail, _, head = (title.text or "").partition("->") if title is not None else ("", "", "")
                    pic.flow_ends[gid] = (tail.split(":")[-1], head.split(":")[-1])
            for sub in el.iter():
                if sub.tag == f"{SVG}text":
                    pic.texts.append(Text(sub.text or "", _text_rect(sub, dx, dy), gid, kind))
                elif kind in ("node", "badge") and sub.tag in (
                    f"{SVG}polygon",
                    f"{SVG}path",
                    f"{SVG}ellipse",
                    f"{SVG}rect",
                ):
                    if sub.get("fill") == "none" and sub.tag != f"{SVG}ellipse":
                        continue  # the fold of a note, inner periphery: inside the outer shape
                    if sub.tag == f"{SVG}ellipse":
                        cx, cy = float(sub.get("cx")) + dx, float(sub.get("cy")) + dy
                        rx, ry = float(sub.get("rx")), float(sub.get("ry"))
                        pic.shapes.append(Shape(gid, (cx - rx, cy - ry, cx + rx, cy + ry)))
                    elif sub.tag == f"{SVG}rect":
                        x, y = float(sub.get("x")) + dx, float(sub.get("y")) + dy
                        pic.shapes.append(Shape(gid, (x, y, x + float(sub.get("width")), y + float(sub.get("height")))))
                    else:
                        pts = _pairs(sub.get("points") or sub.get("d") or "", dx, dy)
                        if not pts:
                            continue
                        poly = (
                            pts[:4]
                            if sub.tag == f"{SVG}polygon"
                            and len(pts) == 5
                            and ("decision" in cls or "parallel-gateway" in cls)
                            else None
                        )
                        pic.shapes.append(Shape(gid, _bbox(pts), poly))
    return pic


def _overlap(a: Rect, b: Rect) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > EPS and min(a[3], b[3]) - max(a[1], b[1]) > EPS


def _in_polygon(x: float, y: float, poly: list[tuple[float, float]]) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            inside = not inside
    return inside


def _hits_shape(r: Rect, s: Shape) -> bool:
    if not _overlap(r, s.rect):
        return False
    if s.polygon is None:
        return True
    # A diamond: the rectangle (shrunk by EPS) meets the rhombus.
    cx, cy = (s.rect[0] + s.rect[2]) / 2, (s.rect[1] + s.rect[3]) / 2
    hw, hh = (s.rect[2] - s.rect[0]) / 2, (s.rect[3] - s.rect[1]) / 2
    ddx = max(0.0, r[0] + EPS - cx, cx - r[2] + EPS)
    ddy = max(0.0, r[1] + EPS - cy, cy - r[3] + EPS)
    return ddx / hw + ddy / hh < 1.0


def _inside_shape(r: Rect, s: Shape) -> bool:
    if s.polygon is None:
        return (
            r[0] >= s.rect[0] - EPS and r[2] <= s.rect[2] + EPS and r[1] >= s.rect[1] - EPS and r[3] <= s.rect[3] + EPS
        )
    corners = [(r[0] + EPS, r[1] + EPS), (r[2] - EPS, r[1] + EPS), (r[0] + EPS, r[3] - EPS), (r[2] - EPS, r[3] - EPS)]
    return all(_in_polygon(x, y, s.polygon) for x, y in corners)


def _buckets(rects: list[tuple[Rect, int]], cell: float = 80.0) -> dict[tuple[int, int], list[int]]:
    grid: dict[tuple[int, int], list[int]] = {}
    for r, i in rects:
        for gx in range(int(r[0] // cell), int(r[2] // cell) + 1):
            for gy in range(int(r[1] // cell), int(r[3] // cell) + 1):
                grid.setdefault((gx, gy), []).append(i)
    return grid


def collisions(pic: Picture) -> list[str]:
    """Every collision, described; empty when the picture is clean."""
    found: list[str] = []
    texts = pic.texts
    grid = _buckets([(t.rect, i) for i, t in enumerate(texts)])
    seen: set[tuple[int, int]] = set()
    for cell in grid.values():
        for a in range(len(cell)):
            for b in range(a + 1, len(cell)):
                i, j = cell[a], cell[b]
                key = (min(i, j), max(i, j))
                if key in seen:
                    continue
                seen.add(key)
                if _overlap(texts[i].rect, texts[j].rect):
                    found.append(
                        f"text {texts[i].content!r} ({texts[i].owner}) overlaps text {texts[j].content!r} ({texts[j].owner})"
                    )
    shapes = _buckets([(s.rect, i) for i, s in enumerate(pic.shapes)])
    for t in texts:
        candidates: set[int] = set()
        for gx in range(int(t.rect[0] // 80), int(t.rect[2] // 80) + 1):
            for gy in range(int(t.rect[1] // 80), int(t.rect[3] // 80) + 1):
                candidates.update(shapes.get((gx, gy), ()))
        for k in candidates:
            s = pic.shapes[k]
            if s.owner == t.owner:
                if t.kind == "node" and not _inside_shape(t.rect, s):
                    found.append(f"text {t.content!r} sticks out of its own node {t.owner}")
            elif _hits_shape(t.rect, s):
                found.append(f"text {t.content!r} ({t.owner}) overlaps node {s.owner}")
        for y, x0, x1 in pic.lines:
            if t.rect[1] + EPS < y < t.rect[3] - EPS and t.rect[2] > x0 and t.rect[0] < x1:
                found.append(f"text {t.content!r} ({t.owner}) lies on a blueprint line (y={y:.1f})")
    return found


def _distance(r: Rect, p: tuple[float, float]) -> float:
    dx = max(r[0] - p[0], 0.0, p[0] - r[2])
    dy = max(r[1] - p[1], 0.0, p[1] - r[3])
    return math.hypot(dx, dy)


def misplaced_labels(pic: Picture, reach: float = 6.0, start_share: float = 0.5, start_len: float = 160.0) -> list[str]:
    """Branch labels that are not beside the start of their flow.

    A label belongs at its flow's start: some point of the flow within
    ``reach`` points of the label's box lies in the first ``start_share`` of
    the flow's length, or its first ``start_len`` points, or its first straight leg out of the step
    (ignoring jogs shorter than 12 points where it leaves the step).
    """
    found = []
    labels: dict[str, list[Rect]] = {}
    for t in pic.texts:
        if t.kind == "branch-label":
            labels.setdefault(t.owner, []).append(t.rect)
    for owner, rects in labels.items():
        flow = pic.flows.get(owner.replace("label-", "", 1))
        if not flow or len(flow) < 2:
            found.append(f"{owner}: no flow {owner.replace('label-', '', 1)}")
            continue
        box = _bbox([(r[0], r[1]) for r in rects] + [(r[2], r[3]) for r in rects])
        total = sum(math.dist(a, b) for a, b in itertools.pairwise(flow))
        leg = 0.0
        for a, b in itertools.pairwise(flow):  # the first real leg (jogs under 12 pt don't count)
            leg += math.dist(a, b)
            if math.dist(a, b) >= 12.0:
                break
        limit = max(start_share * total, min(start_len, total), leg)
        best, run = math.inf, 0.0
        for a, b in itertools.pairwise(flow):
            seg = math.dist(a, b)
            pieces = max(1, int(seg // 2))
            for k in range(pieces + 1):
                p = (a[0] + (b[0] - a[0]) * k / pieces, a[1] + (b[1] - a[1]) * k / pieces)
                if run + seg * k / pieces > limit:
                    break
                best = min(best, _distance(box, p))
            run += seg
        if best > reach:
            found.append(f"{owner}: not at the start of its flow (nearest {best:.1f} pt away)")
    return found


Segment = tuple[tuple[float, float], tuple[float, float]]
RUN = 3.0  # a shared stretch shorter than this is a crossing or a touch at a corner, not a shared segment
NEAR = 1.5  # two parallel segments closer than this read as one line


def _segments(points: list[tuple[float, float]]) -> list[Segment]:
    return [(a, b) for a, b in itertools.pairwise(points) if math.dist(a, b) > 0.01]


def _shared(s: Segment, t: Segment) -> float:
    """Length two axis-parallel segments run on top of each other (0 when they do not)."""
    (ax, ay), (bx, by) = s
    (cx, cy), (dx, dy) = t
    if abs(ay - by) < 0.01 and abs(cy - dy) < 0.01 and abs(ay - cy) < NEAR:
        return min(max(ax, bx), max(cx, dx)) - max(min(ax, bx), min(cx, dx))
    if abs(ax - bx) < 0.01 and abs(cx - dx) < 0.01 and abs(ax - cx) < NEAR:
        return min(max(ay, by), max(cy, dy)) - max(min(ay, by), min(cy, dy))
    return 0.0


def shared_segments(pic: Picture, only: str | None = None) -> list[str]:
    """Pairs of flows that run on top of each other for more than RUN points: a reader cannot tell them apart.

    ``only``: a flow class (``journey``): pairs where one flow has it and the other does not.
    The two halves of a self-loop (step -> waypoint -> step) are one flow.
    """
    found = []
    segs = [(fid, s) for fid, pts in pic.flows.items() for s in _segments(pts)]
    grid = _buckets([(_bbox([*s]), i) for i, (_f, s) in enumerate(segs)])
    seen: set[tuple[str, str]] = set()
    for cell in grid.values():
        for a in range(len(cell)):
            for b in range(a + 1, len(cell)):
                (f, s), (h, t) = segs[cell[a]], segs[cell[b]]
                key = (min(f, h), max(f, h))
                if f == h or key in seen or sorted(pic.flow_ends.get(f, ())) == sorted(pic.flow_ends.get(h, (1, 2))):
                    continue
                if only is not None and (only in pic.flow_classes.get(f, ())) == (only in pic.flow_classes.get(h, ())):
                    continue
                run = _shared(s, t)
                if run > RUN:
                    seen.add(key)
                    found.append(f"flows {key[0]} and {key[1]} share {run:.0f} pt at ({s[0][0]:.0f}, {s[0][1]:.0f})")
    return found


def flows_on_lines(pic: Picture) -> list[str]:
    """Flows that run along a blueprint line (or a lane border drawn as one) for more than RUN points."""
    found = []
    for fid, pts in pic.flows.items():
        for (ax, ay), (bx, by) in _segments(pts):
            if abs(ay - by) >= 0.01:
                continue
            for y, x0, x1 in pic.lines:
                run = min(max(ax, bx), x1) - max(min(ax, bx), x0)
                if abs(ay - y) < NEAR and run > RUN:
                    found.append(f"flow {fid} runs {run:.0f} pt along the blueprint line at y={y:.1f}")
                    break
    return found


def diagonal_flows(pic: Picture) -> list[str]:
    """Flows with a piece neither horizontal nor vertical: the orthogonal router gave up (or was made to)."""
    found = []
    for fid, pts in pic.flows.items():
        for (ax, ay), (bx, by) in _segments(pts):
            if abs(ax - bx) >= 0.01 and abs(ay - by) >= 0.01:
                found.append(f"flow {fid} has a diagonal piece at ({ax:.0f}, {ay:.0f})")
                break
    return found
