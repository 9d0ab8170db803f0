"""The blueprint as Graphviz DOT, with every position pinned.

The graph asks for ``layout=nop2``: Graphviz keeps the node positions (in
points) and only routes the edges (``splines=ortho``: right angles, like a
hand-drawn blueprint) and draws, so ``dot -Tsvg blueprint.dot`` reproduces
procmap's picture, lanes included (checked with Debian's Graphviz 2.43 by
``tests/outside/run``: no warning, no line over its 16,384-byte limit).  Lane bands, the
three blueprint lines and the title column are drawn with the ``_background``
graph attribute (xdot drawing operations): decoration, not obstacles for
edge routing.  Text never goes into ``_background``; it lives in ordinary
nodes whose labels are escaped by :func:`procmap.render.text.dot_lines`.

The picture is also available as *parts* (the title and legend, then one per
row of a wrapped process) that share one coordinate system: no flow crosses a
part (flows that leave a row end in connectors), and Graphviz's orthogonal
router is quadratic in the size of the graph, so routing rows separately
keeps a 1,000-step process near-linear.  :mod:`procmap.render.svg` stacks the
parts' SVGs back into one picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from procmap.render import text
from procmap.render.layout import Box, Layout, StepBox

if TYPE_CHECKING:
    import networkx as nx

ZONE_FILL = {
    # band, alternate band, title column
    "customer": ("#eaf2fd", "#f4f8fe", "#d5e5fa"),
    "onstage": ("#fdf4dc", "#fefaee", "#f9e7b5"),
    "backstage": ("#eff1f4", "#f7f8fa", "#dfe3e8"),
    "support": ("#e6e9ee", "#eff1f4", "#d3d8df"),
    "evidence": ("#fefcf3", "#fefcf3", "#f5efd6"),  # --evidence row: the physical-evidence band
}
STEP_STYLE = {
    # fill, border, pen width
    "customer": ("#dbeafe", "#1e40af", "1.4"),
    "touchpoint": ("#fef3c7", "#b45309", "2.2"),
    "backstage": ("#ffffff", "#4b5563", "1.2"),
    "support": ("#f3f4f6", "#6b7280", "1.2"),
}
FAIL = "#dc2626"
HANDOFF = "#c026d3"
JOURNEY = "#86198f"  # the highlighted journey: bold, darker than a plain handoff
QUIET = "#e8a6f0"
STAGE_FILL = "#475569"  # the stages row: white on slate, read before anything else
SILENCE = (
    "#b91c1c"  # the story's longest silence: its label in red  # customer-visible handoffs off the highlighted journey
)
RULE_INK = "#1f2937"
# The three blueprint lines must be told apart at a glance (and in grey print).
RULE_STYLE = {
    "interaction": ("solid", "1.6"),
    "visibility": ("dashed", "2.6"),
    "internal": ("dotted", "1.6"),
}
EDGE = "#4b5563"
INK = "#111827"
MUTED = "#4b5563"
SPLINES = "ortho"
# Graphviz 2.43's scanner rejects a line over 16,384 bytes ("longer than
# 16384?"); lines are folded well below that, counting 4 bytes a character.
FOLD_AT = 3000
# `--format dot` asks for straight lines: Graphviz 2.43's orthogonal router
# (Debian 12's `dot`) aborts on some processes of any size (a `chkSgraph`
# assertion on 1 of 100 random 20-60-step processes, a segfault from about
# 700 steps), and its spline router takes minutes at 200 steps.  procmap's
# own SVG/PNG/PDF route row by row with the bundled Graphviz and keep right angles.
FILE_SPLINES = "line"
# cairo's bitmaps stop at 32,767 pixels a side and `dot -Tpng` then shrinks
# the picture with a message; past this size the file sets a lower ``dpi``
# so that PNG fits without one (SVG and PDF scale with it, still vectors).
BITMAP_MAX_PX = 32_000


@dataclass
class Part:
    """A self-contained piece of the picture: background drawing, nodes and edges."""

    name: str
    background: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)


def _num(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _q(value: str) -> str:
    """A DOT attribute value that is procmap's own text (ids made of slugs, colours): quoted.

    Such values hold no control characters or newlines; escaping the DOT
    metacharacters is still done, so a future caller cannot break out.
    """
    if "\\" in value or '"' in value or "&" in value:
        return text.dot_string(value)
    return f'"{value}"'


def _xdot_color(op: str, color: str) -> str:
    return f"{op} {len(color.encode())} -{color}"


def _xdot_style(style: str) -> str:
    return f"S {len(style.encode())} -{style}"


class _Builder:
    def __init__(self, g: nx.DiGraph, lay: Layout, placed: bool = False) -> None:
        self.g = g
        self.lay = lay
        # placed: procmap places branch labels and badges itself after routing (see .labels);
        # the DOT handed to other Graphvizes keeps them as xlabel / headlabel.
        self.placed = placed

    def y(self, v: float) -> float:
        return self.lay.height - v

    def node(self, part: Part, box: Box, ident: str, **attrs: str) -> None:
        parts = [
            f'pos="{_num(box.x)},{_num(self.y(box.y))}"',
            f"width={_num(box.w / 72)}",
            f"height={_num(box.h / 72)}",
            f"id={_q(ident)}",
        ]
        if "label" not in attrs:
            parts.append(f"label={text.dot_lines(box.lines) if box.lines else chr(34) * 2}")
        parts += [f"{k}={v}" for k, v in attrs.items()]
        part.nodes.append(f"  {_q(box.name)} [{', '.join(parts)}];")

    def rect(self, part: Part, top: float, bottom: float, x0: float, x1: float, color: str) -> None:
        t, b = _num(self.y(top)), _num(self.y(bottom))
        part.background.append(_xdot_color("C", color))
        part.background.append(_xdot_color("c", color))
        part.background.append(f"P 4 {_num(x0)} {b} {_num(x1)} {b} {_num(x1)} {t} {_num(x0)} {t}")

    def hline(self, part: Part, y: float) -> None:
        yy = _num(self.y(y))
        part.background.append(f"L 2 0 {yy} {_num(self.lay.width)} {yy}")

    # -- parts ---------------------------------------------------------------------------------------

    def frame(self) -> Part:
        """Title, subtitle and legend."""
        lay, part = self.lay, Part("frame")
        assert lay.title is not None and lay.subtitle is not None
        self.node(
            part, lay.title, "title", shape="plaintext", fontname='"Helvetica-Bold"', fontsize=_num(lay.sizes.title)
        )
        self.node(
            part, lay.subtitle, "subtitle", shape="plaintext", fontsize=_num(lay.sizes.small), fontcolor=_q(MUTED)
        )
        _legend(self, part)
        return part

    def row(self, r: int, mine: _RowItems) -> Part:
        lay, part = self.lay, Part(f"row{r + 1}")
        bands = mine.bands
        for band in bands:
            fills = ZONE_FILL[band.zone]
            self.rect(part, band.top, band.top + band.height, 0, lay.width, fills[band.stripe])
            if lay.sizes.title_w > 0:
                self.rect(part, band.top, band.top + band.height, 0, lay.sizes.title_w, fills[2])
        part.background += [_xdot_style("solid"), _xdot_color("c", "#c4cad3")]
        for band in bands:
            self.hline(part, band.top)
        self.hline(part, lay.row_spans[r][1])
        part.background.append(_xdot_color("c", RULE_INK))
        for rule in mine.rules:
            style, width = RULE_STYLE[rule.key]
            part.background += [_xdot_style(style), _xdot_style(f"setlinewidth({width})")]
            self.hline(part, rule.y)

        for tag in lay.row_tags[r : r + 1]:
            self.node(
                part,
                tag,
                f"part-{r + 1}",
                shape="plaintext",
                fontname='"Helvetica-Bold"',
                fontsize=_num(lay.sizes.small),
                fontcolor=_q(MUTED),
            )
        for band in bands:
            if band.title is not None:
                self.node(
                    part,
                    band.title,
                    f"lane-{band.lane}-{r + 1}" if band.lane else f"evidence-row-{r + 1}",
                    shape="plaintext",
                    fontname='"Helvetica-Bold"',
                    **{"class": '"lane-title"' if band.lane else '"evidence-row-title"'},
                )
        for rule in mine.rules:
            if rule.tag is not None:
                self.node(
                    part,
                    rule.tag,
                    f"line-of-{rule.key}-{r + 1}",
                    shape="plaintext",
                    fontsize=_num(lay.sizes.rule),
                    fontname='"Helvetica-Bold"',
                    fontcolor=_q(RULE_INK),
                    **{"class": f'"blueprint-line line-of-{rule.key}"'},
                )
        if lay.start is not None and lay.steps[self.g.graph["start"]].row == r:
            self.node(
                part,
                lay.start,
                "start",
                shape="circle",
                style="filled",
                fillcolor=_q(INK),
                color=_q(INK),
                label='""',
                tooltip='"start"',
            )
        for conn in mine.connectors:
            self.node(
                part,
                conn,
                conn.name.replace(":", "-").replace("c-", "connector-", 1),
                shape="circle",
                style="filled",
                fillcolor='"#ffffff"',
                color=_q(MUTED),
                fontsize=_num(lay.sizes.connector),
                fontname='"Helvetica-Bold"',
                **{"class": '"connector"'},
            )
        for box in lay.stages:
            if box.name.split(":")[1] == str(r):
                self.node(
                    part,
                    box,
                    box.name.replace(":", "-"),
                    shape="box",
                    style='"rounded,filled"',
                    fillcolor=_q(STAGE_FILL),
                    color=_q(STAGE_FILL),
                    fontname='"Helvetica-Bold"',
                    fontsize=_num(lay.sizes.small),
                    fontcolor='"#ffffff"',
                    **{"class": '"stage"'},
                )
        for box in mine.steps:
            self.step(part, box.step, box)
        for step, item in lay.evidence:
            if step.row == r:
                self.node(
                    part,
                    item,
                    f"evidence-{step.step}",
                    shape="note",
                    style="filled",
                    fillcolor='"#fffbeb"',
                    color='"#a8a29e"',
                    fontsize=_num(lay.sizes.small),
                    fontcolor='"#44403c"',
                    **{"class": '"evidence in-row"'},
                )
        if lay.view == "story" and bands:
            # Each row is routed alone, in the whole drawing's frame: the story's flow back along its row would
            # be laid through the title or the row above. Invisible walls keep every flow inside its band.
            top, bottom = bands[0].top, bands[-1].top + bands[-1].height
            for name, y0, y1 in (("ceiling", -2.0, top - 1.0), ("floor", bottom + 1.0, lay.height + 2.0)):
                if y1 - y0 > 1.0:  # clear of the frame's corner points, which Graphviz must not find inside a node
                    wall = Box(f"{name}:{r}", lay.width / 2, (y0 + y1) / 2, lay.width - 2, y1 - y0)
                    self.node(part, wall, f"{name}-{r + 1}", shape="box", style="invis", label='""')
        elif lay.legend and lay.view != "story":
            # The legend is drawn below the rows but routed with none of them: a flow sent round its whole row
            # was laid through the legend's samples (random 27's customer view). An invisible wall keeps it out.
            y0 = min(box.y - box.h / 2 for _k, box in lay.legend) - 4.0
            if lay.height + 2.0 - y0 > 1.0:
                wall = Box(
                    f"legend-wall:{r}", lay.width / 2, (y0 + lay.height + 2.0) / 2, lay.width - 2, lay.height + 2.0 - y0
                )
                self.node(part, wall, f"legend-wall-{r + 1}", shape="box", style="invis", label='""')
        for waypoint in mine.loops:
            ident = "loop-" + waypoint.name.split(":", 1)[1]
            self.node(part, waypoint, ident, shape="point", label='""', style="invis")
        for i, e in mine.edges:
            self.edge(part, i, e)
        return part

    def step(self, part: Part, n: str, box: StepBox) -> None:
        d = self.g.nodes[n]
        kind = step_class(d)
        fill, border, pen = STEP_STYLE[kind]
        classes = ["step", kind.replace("customer", "customer-action")]
        attrs: dict[str, str] = {}
        if box.shape == "diamond":
            attrs.update(shape="diamond", style="filled")
            if d.get("parallel"):  # a parallel gateway (its label opens with +): a fork, a join, or both
                forks = any(e.get("fork") is not None for e in self.g.adj[n].values())
                classes += ["parallel-gateway"] + [c for c, on in (("join", d["join"]), ("fork", forks)) if on]
            else:
                classes.append("decision")
        else:
            attrs.update(shape="box", style='"rounded,filled"')
        if d["end"]:
            attrs["peripheries"] = "2"
            classes.append("end")
        if n == self.g.graph.get("start"):
            classes.append("start")
        if d["fail_point"]:
            border, pen = FAIL, "2.6"
            classes.append("fail-point")
        attrs.update(fillcolor=_q(fill), color=_q(border), penwidth=pen, tooltip=_tooltip_attr(_tooltip(self.g, n)))
        attrs["class"] = _q(" ".join(classes))
        self.node(part, box, f"step-{n}", **attrs)
        if box.note is not None and d.get("markers"):
            self.node(
                part,
                box.note,
                f"marker-{n}",
                shape="box",
                style="filled",
                fillcolor='"#fef2f2"',
                color=_q(SILENCE),
                fontsize=_num(self.lay.sizes.small),
                fontcolor=_q(SILENCE),
                tooltip=_tooltip_attr("\n".join([*box.note.lines, d.get("marker_tip") or ""]).strip()),
                **{"class": '"marker"'},
            )
        elif box.note is not None:
            self.node(
                part,
                box.note,
                f"evidence-{n}",
                shape="note",
                style="filled",
                fillcolor='"#fffbeb"',
                color='"#a8a29e"',
                fontsize=_num(self.lay.sizes.small),
                fontcolor='"#44403c"',
                **{"class": '"evidence"'},
            )

    def edge(self, part: Part, i: int, e) -> None:  # type: ignore[no-untyped-def]
        attrs = [f'id="flow-{i + 1}"']
        classes = ["flow"]
        if e.label and not self.placed:
            attrs.append(f"xlabel={text.dot_lines(e.label)}")
        if e.back:
            classes.append("loop")
        if not e.arrow:
            attrs.append("arrowhead=none")
        if e.folded:
            classes.append("folded")
            attrs.append('style="dashed"')
        if e.silence:
            classes.append("silence")
        if e.handoff:
            classes.append("visible-handoff")
            attrs += [f"color={_q(HANDOFF)}", "penwidth=2.6"]
        elif e.emphasis == "journey":
            classes.append("journey")
            attrs += [f"color={_q(JOURNEY)}", "penwidth=3.4"]
        elif e.emphasis == "quiet":
            classes.append("visible-handoff quiet")
            attrs += [f"color={_q(QUIET)}", "penwidth=1.8"]
        if e.badge and not self.placed:
            attrs += [
                f"headlabel={text.dot_string(e.badge)}",
                f"labelfontcolor={_q(HANDOFF)}",
                'labelfontname="Helvetica-Bold"',
                "labelfontsize=10",
                "labeldistance=1.6",
                "labelangle=40",
            ]
        overlay = self.g.graph.get("edge_overlay", {}).get((e.source, e.target))
        if overlay in OVERLAYS:  # set by callers that annotate a drawing, e.g. conform's observed flows
            attrs += OVERLAYS[overlay]
            classes.append(overlay)
        attrs.append(f"class={_q(' '.join(classes))}")
        if e.source:
            attrs.append(f"tooltip={_tooltip_attr(_edge_tip(self.g, e.source, e.target))}")
        part.edges.append(f"  {_q(e.tail)} -> {_q(e.head)} [{', '.join(attrs)}];")


# Optional per-flow styles, keyed by (source, target) in ``g.graph["edge_overlay"]``.
OVERLAYS = {
    "deviation": ['color="#d92d20"', 'fontcolor="#d92d20"', "style=dashed", "penwidth=1.8"],
    "unused": ['color="#98a2b3"', "style=dotted"],
}


def step_class(d: dict) -> str:
    """customer | touchpoint | backstage | support: how a step is drawn."""
    if d["customer"]:
        return "customer"
    if d["touchpoint"]:
        return "touchpoint"
    return "support" if d["lane_kind"] == "support" else "backstage"


def _tooltip(g: nx.DiGraph, n: str) -> str:
    d = g.nodes[n]
    lane = g.graph["lanes"].get(d["lane"])
    kind = step_class(d).replace("customer", "customer action")
    lines = [
        text.capped(" ".join(text.clean(d["name"]).split())),
        text.capped(f"{n} · {lane.name if lane else d['lane']} · {kind}"),
    ]
    for key in ("owner", "backup", "channel", "evidence", "description"):
        if d.get(key):
            lines.append(text.capped(f"{key}: {' '.join(text.clean(d[key]).split())}"))
    if d.get("data"):
        lines.append("data: " + ", ".join(d["data"]))
    if d.get("fail_point"):
        lines.append("fail point")
    return "\n".join(lines)


def _tooltip_attr(value: str) -> str:
    """A quoted DOT tooltip showing ``value`` literally, lines kept.

    Graphviz expands escapes in tooltips twice (``\\\\N`` becomes ``\\N``, then
    the node's name), so a literal backslash takes four; ``&#10;`` is a line
    break, and cannot be forged because ``&`` in the text itself is escaped.
    """
    lines = (
        text.clean(line).replace("\\", "\\" * 4).replace('"', '\\"').replace("&", "&amp;") for line in value.split("\n")
    )
    return '"' + "&#10;".join(lines) + '"'


def _edge_tip(g: nx.DiGraph, u: str, v: str) -> str:
    a = text.capped(" ".join(text.clean(g.nodes[u]["name"]).split()), 200)
    b = text.capped(" ".join(text.clean(g.nodes[v]["name"]).split()), 200)
    return f"{a} → {b}"


def _legend(b: _Builder, part: Part) -> None:
    lay = b.lay
    small = _num(lay.sizes.small)
    for key, box in lay.legend:
        ident = box.name.replace(":", "-")
        if key in STEP_STYLE:
            fill, border, pen = STEP_STYLE[key]
            b.node(
                part,
                box,
                ident,
                shape="box",
                style='"rounded,filled"',
                fillcolor=_q(fill),
                color=_q(border),
                penwidth=pen,
                fontsize=small,
            )
        elif key in ("decision", "end", "parallel"):
            fill, border, _pen = STEP_STYLE["backstage"]
            shape = (
                {"shape": "diamond", "style": "filled"}
                if key in ("decision", "parallel")
                else {"shape": "box", "style": '"rounded,filled"', "peripheries": "2"}
            )
            b.node(part, box, ident, fillcolor=_q(fill), color=_q(border), fontsize=small, **shape)
        elif key == "fail":
            b.node(
                part,
                box,
                ident,
                shape="box",
                style='"rounded,filled"',
                fillcolor='"#ffffff"',
                color=_q(FAIL),
                penwidth="2.6",
                fontsize=small,
            )
        elif key == "note":
            b.node(
                part, box, ident, shape="note", style="filled", fillcolor='"#fffbeb"', color='"#a8a29e"', fontsize=small
            )
        elif key == "start":
            b.node(part, box, ident, shape="circle", style="filled", fillcolor=_q(INK), color=_q(INK), label='""')
        elif key == "caption":
            b.node(part, box, ident, shape="plaintext", fontsize=small)
        elif key == "list":
            b.node(
                part,
                box,
                "legend-visible-handoffs",
                shape="plaintext",
                fontsize=small,
                label=text.dot_lines(box.lines, align="left"),
                **{"class": '"legend"'},
            )
    if lay.legend_edge is not None:
        a, z = lay.legend_edge
        b.node(part, a, "legend-h-a", shape="point", style="invis", label='""')
        b.node(part, z, "legend-h-b", shape="point", style="invis", label='""')
        journey = lay.highlight is not None and lay.highlight.mode == "journey"
        colour, pen = (JOURNEY, "3.4") if journey else (HANDOFF, "2.6")
        part.edges.append(f'  {_q(a.name)} -> {_q(z.name)} [id="legend-handoff", color={_q(colour)}, penwidth={pen}];')
    if lay.legend_folded is not None:
        a, z = lay.legend_folded
        b.node(part, a, "legend-w-a", shape="point", style="invis", label='""')
        b.node(part, z, "legend-w-b", shape="point", style="invis", label='""')
        part.edges.append(f'  {_q(a.name)} -> {_q(z.name)} [id="legend-folded", style="dashed"];')


@dataclass
class _RowItems:
    """What one row part draws (grouped once: rows x items loops would be quadratic)."""

    bands: list = field(default_factory=list)
    rules: list = field(default_factory=list)
    connectors: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    loops: list = field(default_factory=list)
    edges: list = field(default_factory=list)


def build_parts(g: nx.DiGraph, lay: Layout, *, placed: bool = False) -> list[Part]:
    """The frame (title, legend) and one part per row."""
    b = _Builder(g, lay, placed)
    rows = [_RowItems() for _ in range(lay.rows)]
    for band in lay.bands:
        rows[band.row].bands.append(band)
    for rule in lay.rules:
        rows[rule.row].rules.append(rule)
    row_of = {box.name: box.row for box in lay.steps.values()}
    for box in lay.steps.values():
        rows[box.row].steps.append(box)
    for conn in lay.connectors:
        row_of[conn.name] = lay.connector_rows[conn.name]
        rows[row_of[conn.name]].connectors.append(conn)
    if lay.start is not None:
        row_of[lay.start.name] = lay.steps[g.graph["start"]].row
    for waypoint, step in lay.loops:
        row_of[waypoint.name] = step.row
        rows[step.row].loops.append(waypoint)
    for i, e in enumerate(lay.edges):
        rows[row_of[e.tail]].edges.append((i, e))
    return [b.frame(), *(b.row(r, rows[r]) for r in range(lay.rows))]


def _source(
    g: nx.DiGraph, lay: Layout, parts: list[Part], *, bgcolor: str, tag: str, splines: str, dpi: int | None = None
) -> str:
    from procmap import __version__

    background = " ".join(op for p in parts for op in p.background)
    lines = [
        f"// Service blueprint of process {text.clean(g.graph.get('id', ''))}, drawn by procmap {__version__}.",
        "// Positions are pinned (layout=nop2): render with `dot -Tsvg FILE` (tested with Graphviz 2.43).",
        *(
            []
            if splines == SPLINES
            else [
                "// Flows are straight lines: Graphviz 2.43's orthogonal router aborts on some processes. With a"
                " newer Graphviz, splines=ortho below gives right angles; `procmap render -f svg` always does."
            ]
        ),
        f"digraph {_q('blueprint')} {{",
        "  graph ["
        + ", ".join(
            [
                "layout=nop2",
                f"splines={splines}",
                "outputorder=edgesfirst",
                f"bgcolor={_q(bgcolor)}",
                "pad=0.06",
                "forcelabels=true",
                *([f"dpi={dpi}"] if dpi else []),
                f"_background={text.dot_string(background)}",
            ]
        )
        + "];",
        f"  node [fontname={_q('Helvetica')}, fontsize={_num(lay.sizes.font)}, fixedsize=shape, margin=0, fontcolor={_q(INK)}];",
        f"  edge [fontname={_q('Helvetica')}, fontsize={_num(lay.sizes.small)}, fontcolor={_q(MUTED)}, color={_q(EDGE)}, arrowsize=0.7, penwidth=1.2];",
    ]
    # Invisible corners pin the drawing's bounding box to the layout's in every part.
    for name, x, y in (("nw", -6, -6), ("se", lay.width + 6, lay.height + 6)):
        lines.append(
            f'  {_q(f"corner:{tag}:{name}")} [id={_q(f"corner-{tag}-{name}")}, pos="{_num(x)},{_num(lay.height - y)}", '
            'shape=point, style=invis, width=0.01, height=0.01, label=""];'
        )
    for p in parts:
        lines.extend(p.nodes)
    for p in parts:
        lines.extend(p.edges)
    lines.append("}")
    return "\n".join(map(fold, lines)) + "\n"


def fold(line: str, limit: int = FOLD_AT) -> str:
    """``line`` split into physical lines of at most about ``limit`` characters, same DOT meaning.

    Inside a quoted string a backslash-newline is DOT's line continuation (the
    scanner drops both characters, so xdot byte counts stay exact); it is
    never put after a backslash, where it would change an escape.  Outside a
    string a space becomes a newline.
    """
    if len(line) <= limit:
        return line
    out: list[str] = []
    run, quoted, escaped = 0, False, False
    for ch in line:
        if run >= limit:
            if quoted and not escaped and ch != "\n":
                out.append("\\\n")
                run = 0
            elif not quoted and ch == " ":
                out.append("\n")
                run = 0
                continue
        out.append(ch)
        run += 1
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
    return "".join(out)


def to_dot(g: nx.DiGraph, lay: Layout, *, splines: str | None = None) -> str:
    """DOT source of the whole blueprint as one graph (what ``--format dot`` writes)."""
    if splines is None:
        splines = FILE_SPLINES
    side = max(lay.width, lay.height) + 12  # points, with the corners' margin
    dpi = int(BITMAP_MAX_PX * 72 / side) if side * 96 / 72 > BITMAP_MAX_PX else None
    return _source(g, lay, build_parts(g, lay), bgcolor="#ffffff", tag="all", splines=splines, dpi=dpi)


def part_sources(g: nx.DiGraph, lay: Layout, *, splines: str = SPLINES, placed: bool = False) -> list[str]:
    """One DOT graph per part, all in the same coordinates (transparent backgrounds).

    ``placed``: leave branch labels and badges out; procmap places them after routing.
    """
    parts = build_parts(g, lay, placed=placed)
    return [_source(g, lay, [p], bgcolor="transparent", tag=p.name, splines=splines) for p in parts]
