"""Turning Graphviz's SVG output into procmap's SVG.

The parts of a blueprint (see :mod:`procmap.render.dot`) are rendered
separately in one shared coordinate system; here their ``<g>`` groups are
stacked into one document.  Graphviz writes the same ``<svg>`` element for
every part (the invisible corner nodes fix the bounding box), so stacking is
plain concatenation of groups; each group keeps its own transform anyway.

Graphviz escapes every text and attribute it writes, and procmap gives every
node and edge an explicit ``id``, so the stacked document is well-formed XML
with unique ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FONT_FAMILY = "Helvetica,Arial,'Liberation Sans',sans-serif"
_SVG_OPEN = re.compile(rb"<svg\b[^>]*>", re.S)
_VIEWBOX = re.compile(rb'viewBox="([-\d. ]+)"')
_GRAPH_GROUP = re.compile(rb'<g id="graph0" class="graph"')


class SvgError(Exception):
    """Graphviz output that does not look like Graphviz SVG."""


def _body(svg: bytes) -> tuple[bytes, bytes, bytes]:
    """Split one Graphviz SVG document into (prolog up to <svg ...>, body groups, closing)."""
    m = _SVG_OPEN.search(svg)
    end = svg.rfind(b"</svg>")
    if not m or end < 0:
        raise SvgError("Graphviz returned something that is not SVG")
    return svg[: m.end()], svg[m.end() : end], svg[end:]


def stack(parts: list[bytes], names: list[str]) -> bytes:
    """One SVG document holding every part's drawing, first part at the bottom."""
    prolog, _body0, closing = _body(parts[0])
    box = _VIEWBOX.search(prolog)
    if not box:
        raise SvgError("Graphviz SVG without a viewBox")
    x, y, w, h = box.group(1).decode().split()
    chunks = [prolog, f'\n<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#ffffff"/>'.encode()]
    for svg, name in zip(parts, names, strict=True):
        _p, body, _c = _body(svg)
        body, count = _GRAPH_GROUP.subn(f'<g id="{name}" class="graph part"'.encode(), body, count=1)
        if not count:
            raise SvgError("Graphviz SVG without its graph group")
        chunks.append(body)
    chunks.append(closing)
    return b"".join(chunks)


def polish(svg: bytes) -> bytes:
    """Font fallbacks that every renderer understands (Graphviz writes only ``Helvetica,sans-Serif``)."""
    return svg.replace(b'font-family="Helvetica,sans-Serif"', f'font-family="{FONT_FAMILY}"'.encode())


# -- pages: the drawing cut into blocks (title, rows, legend) and laid onto sheets ------------------------

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_TRANSLATE = re.compile(r"translate\(\s*(-?[\d.]+)[ ,]+(-?[\d.]+)\s*\)")
_SVG_NS = "{http://www.w3.org/2000/svg}"
# What belongs to the title block of the frame; everything else in it is the legend.
_HEAD_IDS = frozenset({"title", "subtitle"})
BLOCK_PAD = 4.0  # points kept round every block's content: strokes are wider than their geometry


@dataclass
class Block:
    """One piece of the drawing that is never cut: the title, one row of lanes (or a run of its bands), the legend.

    ``body``: SVG elements in the part's coordinates, to be moved by
    ``shift`` (Graphviz's translation of the part) into the drawing's; ``box``: their extent (x0, y0, x1, y1) in the
    drawing's viewBox; ``min_font``: the smallest text size in it (points).
    """

    kind: str
    body: str
    box: tuple[float, float, float, float]
    min_font: float
    shift: tuple[float, float] = (0.0, 0.0)  # the part's own translation, applied to ``body``
    items: list[_Element] | None = None  # the legend's elements, for :func:`reflow`

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass
class _Element:
    xml: str
    box: tuple[float, float, float, float] | None
    fonts: list[float]
    background: bool
    ident: str


def _parse(svg: bytes):  # type: ignore[no-untyped-def]
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    return etree.fromstring(svg, parser)


def _union(a, b):  # type: ignore[no-untyped-def]
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _extent(el, fonts: list[float]):  # type: ignore[no-untyped-def]
    """The box of an element and its descendants (Graphviz draws with absolute coordinates, no inner transforms)."""
    from procmap.render import text as metrics

    box = None
    for node in el.iter():
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.removeprefix(_SVG_NS)
        nums: list[float] = []
        if tag in ("polygon", "polyline"):
            nums = [float(v) for v in _NUMBER.findall(node.get("points", ""))]
        elif tag == "path":
            nums = [float(v) for v in _NUMBER.findall(node.get("d", ""))]
        elif tag in ("ellipse", "circle"):
            cx, cy = float(node.get("cx", 0)), float(node.get("cy", 0))
            rx = float(node.get("rx", node.get("r", 0)))
            ry = float(node.get("ry", node.get("r", 0)))
            box = _union(box, (cx - rx, cy - ry, cx + rx, cy + ry))
        elif tag == "rect":
            x, y = float(node.get("x", 0)), float(node.get("y", 0))
            box = _union(box, (x, y, x + float(node.get("width", 0)), y + float(node.get("height", 0))))
        elif tag == "text":
            size = float(node.get("font-size", 14))
            fonts.append(size)
            content = "".join(node.itertext())
            w = metrics.width(content, size, bold=node.get("font-weight") == "bold")
            x, y = float(node.get("x", 0)), float(node.get("y", 0))
            anchor = node.get("text-anchor", "start")
            x0 = x - w / 2 if anchor == "middle" else (x - w if anchor == "end" else x)
            box = _union(box, (x0, y - size * 0.95, x0 + w, y + size * 0.25))
        if len(nums) >= 2:
            xs, ys = nums[0::2], nums[1::2]
            box = _union(box, (min(xs), min(ys[: len(xs)]), max(xs), max(ys[: len(xs)])))
    return box


def _elements(svg: bytes) -> tuple[list[_Element], tuple[float, float], tuple[float, float, float, float]]:
    """The drawn elements of one Graphviz part, each with its box in the document's viewBox;
    the part's translation; the document's viewBox."""
    from lxml import etree

    root = _parse(svg)
    view = tuple(float(v) for v in root.get("viewBox", "0 0 0 0").split())
    group = next((g for g in root if isinstance(g.tag, str) and g.tag.endswith("}g")), None)
    if group is None:
        raise SvgError("Graphviz SVG without its graph group")
    m = _TRANSLATE.search(group.get("transform", ""))
    tx, ty = (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)
    out = []
    for el in group:
        if not isinstance(el.tag, str) or el.tag.endswith("}title"):
            continue
        fonts: list[float] = []
        box = _extent(el, fonts)
        if box is not None:
            box = (box[0] + tx, box[1] + ty, box[2] + tx, box[3] + ty)
        el.tail = None
        xml = etree.tostring(el, encoding="unicode")
        background = not el.tag.endswith("}g")
        out.append(_Element(xml, box, fonts, background, el.get("id", "")))
    return out, (tx, ty), view  # type: ignore[return-value]


def _block(kind: str, items: list[_Element], shift: tuple[float, float]) -> Block | None:
    box = None
    for e in items:
        box = _union(box, e.box)
    if box is None:
        return None
    box = (box[0] - BLOCK_PAD, box[1] - BLOCK_PAD, box[2] + BLOCK_PAD, box[3] + BLOCK_PAD)
    fonts = [f for e in items for f in e.fonts]
    return Block(kind, "".join(e.xml for e in items), box, min(fonts, default=99.0), shift, items)


def _clamp_x(xml: str, right: float) -> str:
    """A background polygon or line cut off at ``right`` (part coordinates): lane bands end where the row does."""

    def fix(m: re.Match[str]) -> str:
        pairs = _NUMBER.findall(m.group(1))
        out = []
        for x, y in zip(pairs[0::2], pairs[1::2], strict=False):
            out.append(f"{min(float(x), right):.2f},{y}")
        return f'points="{" ".join(out)}"'

    return re.sub(r'points="([^"]*)"', fix, xml, count=1)


def blocks(frame: bytes, rows: list[bytes]) -> tuple[list[Block], float]:
    """The drawing as blocks: the title, each row, the legend (in reading order); and the widest row's right edge.

    Every part shares the document's coordinates, so the blocks keep their
    places relative to one another; a row's lane bands, drawn by Graphviz
    across the whole document, are cut off just after the row's widest
    content, so a short row is not as wide as the legend.
    """
    items, shift, _view = _elements(frame)
    head = [e for e in items if e.ident in _HEAD_IDS]
    legend = [e for e in items if e.ident not in _HEAD_IDS]
    parsed = [_elements(svg) for svg in rows]
    right = 0.0
    for els, (tx, _ty), _v in parsed:
        for e in els:
            if not e.background and e.box is not None:
                right = max(right, e.box[2] - tx)
    right += 14.0  # the layout's margin after the last column
    out: list[Block] = []
    title = _block("header", head, shift)
    if title:
        out.append(title)
    for els, (tx, ty), _v in parsed:
        kept = []
        for e in els:
            if e.background:
                xml = _clamp_x(e.xml, right)
                box = e.box and (e.box[0], e.box[1], min(e.box[2], right + tx), e.box[3])
                e = _Element(xml, box, e.fonts, True, e.ident)
            kept.append(e)
        block = _block("row", kept, (tx, ty))
        if block:
            out.append(block)
    key = _block("legend", legend, shift)
    if key:
        out.append(key)
    return out, right


def whole(parts: list[bytes], names: list[str]) -> Block:
    """The whole drawing as one block (what fits one page unwrapped)."""
    from lxml import etree

    # stack() keeps one <g> per part, each with its own transform: take them whole.
    root = _parse(stack(parts, names))
    view = tuple(float(v) for v in root.get("viewBox", "0 0 0 0").split())

    fonts = [float(t.get("font-size", 14)) for t in root.iter(f"{_SVG_NS}text")]
    body = "".join(
        etree.tostring(g, encoding="unicode") for g in root if isinstance(g.tag, str) and g.tag.endswith("}g")
    )
    box = (view[0], view[1], view[0] + view[2], view[1] + view[3])
    return Block("whole", body, box, min(fonts, default=99.0))


def page_document(
    width: float, height: float, placed: list[tuple[Block, float, float, float]], note: str = ""
) -> bytes:
    """One sheet ``width`` x ``height`` points: each block at (x, y) (its top left on the sheet) scaled by s.

    ``note``: a small grey line at the bottom right ("page 2 of 5").
    """
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n',
        f'<svg width="{width:.2f}pt" height="{height:.2f}pt" viewBox="0 0 {width:.2f} {height:.2f}" '
        'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n',
        f'<rect x="0" y="0" width="{width:.2f}" height="{height:.2f}" fill="#ffffff"/>\n',
    ]
    for block, x, y, s in placed:
        # One group, one transform (svglib's cost grows with nesting): block box to (x, y), scaled.
        dx, dy = x + (block.shift[0] - block.box[0]) * s, y + (block.shift[1] - block.box[1]) * s
        out.append(
            f'<g class="page-block {block.kind}" transform="translate({dx:.3f} {dy:.3f}) scale({s:.5f})">'
            f"{block.body}</g>\n"
        )
    if note:
        import html as _html

        out.append(
            f'<text x="{width - 28:.2f}" y="{height - 12:.2f}" text-anchor="end" font-family="{FONT_FAMILY}" '
            f'font-size="8" fill="#4b5563">{_html.escape(note)}</text>\n'
        )
    out.append("</svg>\n")
    return "".join(out).encode("utf-8")


def reflow(block: Block, width: float) -> Block:
    """The legend laid out again in lines no wider than ``width`` (points of the drawing).

    A legend as wide as a poster would otherwise be scaled below 6 points on
    a portrait page.  Its symbols keep their captions (an element whose id
    ends in ``-caption`` stays with the one before it), each line of the list
    becomes an item of its own, and a line still too wide is wrapped at word
    boundaries with the same metrics that sized it.  Nothing is dropped.
    """
    import copy

    from lxml import etree

    from procmap.render import text as metrics

    items = [e for e in (block.items or []) if e.box is not None]
    if not items:
        return block
    sx, sy = block.shift
    pieces: list[_Element] = []
    for e in items:
        el = _parse_fragment(e.xml)
        texts = [t for t in el.iter(f"{_SVG_NS}text")]
        shapes = [n for n in el.iter() if isinstance(n.tag, str) and n.tag.removeprefix(_SVG_NS) in _SHAPES]
        if len(texts) > 1 and not shapes:
            for t in texts:  # a list: one item per line, each wrapped to the width
                size = float(t.get("font-size", 9))
                content = "".join(t.itertext())
                lines = metrics.wrap(content, width - 8, size, max_lines=50) or [content]
                y = float(t.get("y", 0))
                for k, line in enumerate(lines):
                    piece = copy.deepcopy(t)
                    piece.text = line
                    for child in list(piece):
                        piece.remove(child)
                    piece.set("y", f"{y + k * size * 1.2:.2f}")
                    piece.tail = None
                    xml = etree.tostring(piece, encoding="unicode")
                    fonts: list[float] = []
                    box = _extent(_parse_fragment(xml), fonts)
                    box = box and (box[0] + sx, box[1] + sy, box[2] + sx, box[3] + sy)
                    pieces.append(_Element(xml, box, fonts, False, e.ident + "-line"))
                    # later lines of this item sit under the wrapped ones
                if len(lines) > 1:
                    shift_down = (len(lines) - 1) * size * 1.2
                    for t2 in texts[texts.index(t) + 1 :]:
                        t2.set("y", f"{float(t2.get('y', 0)) + shift_down:.2f}")
            continue
        pieces.append(e)
    # Units: an element with its caption; lines: units whose centres share a height.
    units: list[list[_Element]] = []
    for e in sorted(pieces, key=lambda e: (round((e.box[1] + e.box[3]) / 2 / 6), e.box[0])):  # type: ignore[index]
        if units and e.ident.endswith("-caption"):
            units[-1].append(e)
        else:
            units.append([e])

    def extent(unit: list[_Element]) -> tuple[float, float, float, float]:
        box = None
        for e in unit:
            box = _union(box, e.box)
        return box  # type: ignore[return-value]

    x0 = min(extent(u)[0] for u in units)
    y = min(extent(u)[1] for u in units)
    out: list[str] = []
    fonts = [f for e in pieces for f in e.fonts]
    cursor, line_top, line_h, line_key = x0, y, 0.0, None
    placed_box = None
    for unit in units:
        ux0, uy0, ux1, uy1 = extent(unit)
        key = round((uy0 + uy1) / 2 / 6)
        if line_key is not None and (key != line_key or cursor + (ux1 - ux0) > x0 + width):
            line_top += line_h + 5
            cursor, line_h = x0, 0.0
        line_key = key
        dx, dy = cursor - ux0, line_top - uy0
        out.append(f'<g transform="translate({dx:.2f} {dy:.2f})">' + "".join(e.xml for e in unit) + "</g>")
        placed_box = _union(placed_box, (ux0 + dx, uy0 + dy, ux1 + dx, uy1 + dy))
        cursor += ux1 - ux0 + 14
        line_h = max(line_h, uy1 - uy0)
    assert placed_box is not None
    box = (
        placed_box[0] - BLOCK_PAD,
        placed_box[1] - BLOCK_PAD,
        placed_box[2] + BLOCK_PAD,
        placed_box[3] + BLOCK_PAD,
    )
    return Block(block.kind, "".join(out), box, min(fonts, default=block.min_font), block.shift, None)


_SHAPES = frozenset({"path", "polygon", "polyline", "ellipse", "circle", "rect"})


def _parse_fragment(xml: str):  # type: ignore[no-untyped-def]
    """One serialised element (it carries its SVG namespace declaration) parsed back."""
    return _parse(xml.encode("utf-8"))
