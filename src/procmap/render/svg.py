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
