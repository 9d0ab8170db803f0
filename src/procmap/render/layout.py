"""Where everything goes: the service-blueprint geometry, computed before Graphviz sees it.

Graphviz's own layouts let steps drift between lanes (cluster order and
cross-cluster ``rank=same`` are hints, not guarantees).  So procmap computes
every position itself and hands Graphviz pinned coordinates (engine ``nop2``),
using it only to route edges and draw:

* y: one band per lane, lanes grouped by zone (customer, onstage, backstage,
  support) and in file order within a zone;  the three blueprint lines sit
  between the zones (an empty zone still gets a thin band, so all three lines
  are always drawn);
* x: one column per flow step — longest-path layering after removing the
  loop edges found by a depth-first walk from the start in file order;
  steps sharing a lane and a column are stacked inside the band;
* long processes wrap into rows of at most ``wrap`` columns; every row repeats
  the lanes and lines, and flows that leave a row end in a numbered
  connector that reappears at the start of the row where they continue.

Coordinates here are in points, origin at the top left, y growing downwards.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from procmap.render import text

if TYPE_CHECKING:
    import networkx as nx

    from procmap.analysis.facts import VisibleHandoff

ZONES = ("customer", "onstage", "backstage", "support")
LINES = (
    ("interaction", "LINE OF INTERACTION"),
    ("visibility", "LINE OF VISIBILITY"),
    ("internal", "LINE OF INTERNAL INTERACTION"),
)

FONT = 11.0  # step labels
SMALL = 9.0  # notes, branch labels, captions
LINE_H = 1.2  # Graphviz's line spacing, as a multiple of the font size
STEP_TEXT = 130.0  # wrap width of a step name
DECISION_TEXT = 96.0
PARALLEL_MARK = "+"  # the mark of BPMN's parallel gateway, on forks and joins (SPEC §7.3)
NOTE_TEXT = 130.0
BRANCH_TEXT = 84.0
TITLE_W = 172.0  # lane-title column (holds "LINE OF INTERNAL INTERACTION" at 9 pt bold)
RULE_FONT = 9.0  # the blueprint lines' captions
BADGE_FONT = 10.0
COL_GAP = 64.0
SLOT_GAP = 16.0
BAND_PAD = 16.0
NOTE_GAP = 10.0
EMPTY_ZONE_H = 30.0
LABEL_ROOM = 26.0  # free length before a labelled flow may turn, beyond its label
SELF_LOOP = 16.0
CONNECTOR = 22.0
CONN_PITCH = CONNECTOR + 10
MARGIN_PAD = 14.0
ROW_GAP = 56.0
ROW_HEADER = 22.0
DEFAULT_WRAP = 20
RESUMED_BADGE_ROOM = 30.0  # the poster: a badged flow resuming in a row starts this far before its step
LAST_LABEL_ROOM = 40.0  # after the last column of a row, for the labels of flows leaving it (more tipped A4 prints of a 60-step process from 28 to 55 pages)


@dataclass(frozen=True, slots=True)
class Sizes:
    """Type sizes and the widths text wraps at: the poster's, or the story slide's (bigger, narrower).

    A slide is read from across a room: what matters is the drawing's width
    counted in its *smallest* text, so the story view sets every text near
    one size and wraps names into narrow columns.
    """

    font: float = FONT
    small: float = SMALL
    rule: float = RULE_FONT
    badge: float = BADGE_FONT
    title: float = 16.0
    step_text: float = STEP_TEXT
    decision_text: float = DECISION_TEXT
    note_text: float = NOTE_TEXT
    branch_text: float = BRANCH_TEXT
    title_w: float = TITLE_W
    col_gap: float = COL_GAP
    step_lines: int = 5
    connector: float = SMALL  # the smallest text: 6 pt when a print is scaled to 2/3
    band_pad: float = BAND_PAD
    row_gap: float = ROW_GAP
    row_header: float = ROW_HEADER
    label_room: float = LABEL_ROOM
    title_clear: float = 22.0  # a lane title's distance from the blueprint lines' captions
    label_lines: int = 3  # a branch label's lines at most
    max_gap: float = math.inf  # the room kept for labels after a column, at most (labels then go above or below)
    diamond_aspect: float = 2.0  # a decision's width over its height
    label_height: bool = False  # bands tall enough for every label over a flow along the lane
    badge_room: float = 0.0  # the story: a badged flow down a shared column, its length each side of the line
    wait_text: float = 1.5  # a folded flow's wait wraps at this many times branch_text
    party_lines: int = 3  # the story: a touchpoint's party and channel, under its name
    party_text: float = 0.0  # the story: the width the party and channel wrap at (0: the name's)
    legend_gap: float = 30.0  # from the last row to the legend
    subtitle_y: float = 44.0  # the subtitle's centre; the rows start 20 points under it
    note_gap: float = NOTE_GAP  # between a step and its note or marker
    margin_pad: float = MARGIN_PAD  # between a row's ends and its first and last step (or connectors)


POSTER = Sizes()
PARTY = 100.0
# --view story: every text 12 pt (the title 16) and narrow columns: a 960 x 540 pt slide keeps it >= 12 pt when it fits.
STORY = Sizes(
    font=12.0,
    small=12.0,
    rule=12.0,
    badge=12.0,
    title=16.0,
    step_text=84.0,
    decision_text=96.0,
    note_text=150.0,
    branch_text=72.0,
    title_w=0.0,  # one band, no lane titles: each touchpoint names its party in its box
    col_gap=18.0,
    step_lines=3,
    connector=12.0,
    band_pad=4.0,
    row_gap=10.0,
    row_header=0.0,  # no "Part 1 of 2": a slide's rows read on like lines of text, their connectors numbered
    label_room=14.0,
    title_clear=38.0,
    label_lines=8,  # never cut on a slide: a label too tall for its spot makes the story redraw wider
    max_gap=90.0,
    diamond_aspect=2.0,
    party_lines=2,
    party_text=PARTY,
    badge_room=28.0,
    wait_text=1.0,  # narrow and tall: the gaps between columns are what a slide runs out of
    legend_gap=10.0,
    subtitle_y=37.0,
    note_gap=5.0,
    margin_pad=8.0,
)


@dataclass(slots=True)
class Box:
    """A pinned node: centre ``(x, y)``, size ``w`` x ``h``."""

    name: str
    x: float
    y: float
    w: float
    h: float
    lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class StepBox(Box):
    step: str = ""
    lane: str = ""
    row: int = 0
    col: int = 0
    shape: str = "box"  # box | diamond
    note: Box | None = None


@dataclass(slots=True)
class Band:
    lane: str | None  # None: an empty zone
    zone: str
    row: int
    top: float
    height: float
    title: Box | None = None
    stripe: int = 0  # alternate shading within a zone


@dataclass(slots=True)
class Rule:
    """One of the three blueprint lines in one row."""

    key: str
    label: str
    row: int
    y: float
    tag: Box | None = None


@dataclass(slots=True)
class Edge:
    tail: str
    head: str
    source: str  # the flow's step ids (a split flow keeps them on both halves)
    target: str
    label: list[str]
    back: bool = False
    handoff: bool = False
    badge: str = ""
    arrow: bool = True
    emphasis: str = ""  # "" | "journey" (bold) | "quiet" (another customer-visible handoff)
    folded: str = ""  # customer view: the wait of the backstage stretch this flow stands for
    silence: bool = False  # story view: the journey's longest silence
    text: str = ""  # the label's whole text, unwrapped (re-wrapped where its start is crowded; named in warnings)

    @property
    def pair(self) -> tuple[str, str]:
        """The flow's (from, to) steps."""
        return self.source, self.target


@dataclass(slots=True)
class Layout:
    width: float = 0.0
    height: float = 0.0
    rows: int = 1
    row_spans: list[tuple[float, float]] = field(default_factory=list)
    title: Box | None = None
    subtitle: Box | None = None
    steps: dict[str, StepBox] = field(default_factory=dict)
    bands: list[Band] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    connectors: list[Box] = field(default_factory=list)
    row_tags: list[Box] = field(default_factory=list)
    start: Box | None = None
    edges: list[Edge] = field(default_factory=list)
    legend: list[tuple[str, Box]] = field(default_factory=list)
    legend_edge: tuple[Box, Box] | None = None
    legend_folded: tuple[Box, Box] | None = None
    stages: list[Box] = field(default_factory=list)  # the stages row: one band per run of columns
    evidence: list[tuple[StepBox, Box]] = field(default_factory=list)  # --evidence row: (step, its item)
    loops: list[tuple[Box, StepBox]] = field(default_factory=list)  # self-loop waypoint, its step
    overhead: list[tuple[Box, StepBox, list[str]]] = field(default_factory=list)  # story: connector over its step
    connector_rows: dict[str, int] = field(default_factory=dict)
    handoffs: list[tuple[str, str]] = field(default_factory=list)  # (badge, description)
    highlight: Highlight | None = None
    view: str = "full"
    quiet: int = 0  # customer-visible handoffs marked quietly (not on the highlighted journey)
    sizes: Sizes = POSTER


@dataclass(slots=True)
class Highlight:
    """What the picture emphasises.

    ``mode``: ``all`` (every customer-visible handoff in magenta, numbered
    H1…), ``none``, or ``journey``: ``path`` (step ids in order) drawn bold, its
    own handoffs numbered 1, 2… in the order the customer meets them, the
    other customer-visible handoffs marked quietly.  ``title`` names the
    journey in the legend ("Worst journey").
    """

    mode: str = "all"
    title: str = ""
    path: list[str] = field(default_factory=list)
    handoffs: list[tuple[str, str]] = field(default_factory=list)  # (from, to) touchpoints along the path


def lane_order(g: nx.DiGraph) -> list:
    """Lanes top to bottom: by zone, then file order."""
    lanes = g.graph["lanes"].values()
    return sorted(lanes, key=lambda lane: (ZONES.index(lane.kind), lane.index))


def _back_edges(g: nx.DiGraph) -> set[tuple[str, str]]:
    """Loop edges: those reaching a step still on the depth-first path from the start.

    Iterative DFS in file order (start first, then any step not yet seen), so
    the same file always gives the same columns.
    """
    from procmap.model.graph import successors_in_order

    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the path, 2 done
    roots = [g.graph["start"]] if g.graph.get("start") in g else []
    roots += list(g.nodes)
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(successors_in_order(g, root)))]
        while stack:
            node, it = stack[-1]
            for nxt in it:
                seen = state.get(nxt)
                if seen == 1:
                    back.add((node, nxt))
                elif seen is None:
                    state[nxt] = 1
                    stack.append((nxt, iter(successors_in_order(g, nxt))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return back


def columns(g: nx.DiGraph, back: set[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layer of every step over the flow graph without its loop edges."""
    import networkx as nx

    dag = nx.DiGraph()
    dag.add_nodes_from(g.nodes)
    dag.add_edges_from((u, v) for u, v in g.edges if (u, v) not in back)
    order = {n: i for i, n in enumerate(g.nodes)}
    col: dict[str, int] = {}
    for n in nx.lexicographical_topological_sort(dag, key=order.__getitem__):
        col[n] = max((col[p] + 1 for p in dag.predecessors(n)), default=0)
    return col


def _step_box(n: str, d: dict, decision: bool, sz: Sizes = POSTER) -> StepBox:
    if decision and sz.badge_room and d["name"]:
        # The story: a diamond is as wide as its text plus twice its height, so the wrap width that makes it
        # smallest is tried rather than assumed (a slide runs out of width and height alike).
        widths = [sz.decision_text * f for f in (0.75, 0.875, 1.0, 1.25, 1.5)]
        boxes = [_step_box(n, d, decision, replace(sz, decision_text=w, badge_room=0.0)) for w in widths]
        best = min(boxes, key=lambda b: b.w + b.h)
        return best
    limit = sz.decision_text if decision else sz.step_text
    # A gateway of the story (a fork or join of its own, no step's name) holds its + alone.
    lines = text.wrap(d["name"], limit, sz.font, max_lines=sz.step_lines) if d["name"] else []
    if d.get("party"):
        # On one line (the story), the party may take a wider box rather than be cut: "Web shop · web".
        wide = max(limit, sz.party_text) if sz.party_lines > 1 else max(limit, sz.step_text * 2)
        party = text.wrap(d["party"], wide, sz.font, max_lines=sz.party_lines)
        head, dot, channel = d["party"].rpartition(" · ")
        named = text.wrap(head, wide, sz.font, max_lines=sz.party_lines) if dot else []
        if len(party) > 1 and dot and len(named) < sz.party_lines and text.width(f"[{channel}]", sz.font) <= wide:
            # Too long for one line: the party, then its channel as a customer's step shows one ("[phone]"),
            # never "· phone" alone on a line.
            party = [*named, f"[{channel}]"]
        lines += party
    if d.get("parallel"):
        lines.insert(0, PARALLEL_MARK)  # BPMN's parallel gateway: a diamond marked +
    if d.get("channel"):
        lines.append(text.one_line(f"[{d['channel']}]", limit, sz.font))
    if d.get("fail_point") and d.get("fail_line", True):
        lines.append("▲ fail point")
    tw = max(text.width(line, sz.font) for line in lines)
    th = len(lines) * sz.font * LINE_H
    if decision:
        # A rhombus k times as wide as tall holds a centred a x b half-box when A >= a + k b.
        k = sz.diamond_aspect
        half_w = (tw / 2 + 4) + k * (th / 2 + 3)
        w, h = max(2 * half_w, 60.0 * k), max(2 * half_w / k, 60.0)
    else:
        w, h = max(tw + 22, 96.0), max(th + 16, 38.0)
    box = StepBox(
        f"s:{n}", 0, 0, round(w, 1), round(h, 1), lines, step=n, lane=d["lane"], shape="diamond" if decision else "box"
    )
    if d.get("markers"):  # the story: what went wrong, where the customer meets it
        note_lines = [line for m in d["markers"] for line in text.wrap(m, sz.note_text, sz.small, max_lines=3)]
        nw = max(text.width(line, sz.small) for line in note_lines) + 18
        nh = len(note_lines) * sz.small * LINE_H + 10
        box.note = Box(f"n:{n}", 0, 0, round(nw, 1), round(nh, 1), note_lines)
    elif d.get("evidence"):
        note_lines = text.wrap(f"sees: {d['evidence']}", sz.note_text, sz.small, max_lines=3)
        nw = max(text.width(line, sz.small) for line in note_lines) + 18
        nh = len(note_lines) * sz.small * LINE_H + 10
        box.note = Box(f"n:{n}", 0, 0, round(nw, 1), round(nh, 1), note_lines)
    return box


def _extent(box: StepBox, gap: float = NOTE_GAP) -> float:
    return box.h + (box.note.h + gap if box.note else 0)


def build(
    g: nx.DiGraph,
    visible: list[VisibleHandoff],
    *,
    wrap: int | None = None,
    highlight: Highlight | None = None,
    view: str = "full",
    sizes: Sizes = POSTER,
    evidence: str = "notes",
) -> Layout:
    """Compute the whole blueprint geometry for the flow graph ``g``.

    ``evidence="row"``: what the customer sees sits in a band of its own under
    the customer lanes (the blueprint's physical-evidence row), each item in
    its step's column, instead of a note under the step.

    ``view="customer"``: ``g`` is the customer's view (see :mod:`.views`): only
    the zones holding its lanes are drawn (customer and onstage always).
    """
    wrap = DEFAULT_WRAP if wrap is None else wrap
    highlight = highlight or Highlight()
    lay = Layout(highlight=highlight, view=view, sizes=sizes)
    sz = sizes
    lanes = lane_order(g)
    if view == "story":
        zones = [z for z in ZONES if any(lane.kind == z for lane in lanes)]
    elif view in ("customer", "story"):
        zones = [z for z in ZONES if z in ("customer", "onstage") or any(lane.kind == z for lane in lanes)]
    else:
        zones = list(ZONES)
    back = _back_edges(g)
    col = g.graph.get("columns") or columns(g, back)
    ncols = max(col.values(), default=0) + 1
    if wrap and ncols > wrap:
        nrows = math.ceil(ncols / wrap)
        per_row = math.ceil(ncols / nrows)
    else:
        nrows, per_row = 1, ncols
    lay.rows = nrows

    boxes: dict[str, StepBox] = {}
    for n, d in g.nodes(data=True):
        box = _step_box(n, d, d.get("decision", g.out_degree(n) > 1) or bool(d.get("parallel")), sz)
        box.col = col[n] % per_row
        box.row = col[n] // per_row
        boxes[n] = box
        if evidence == "row" and box.note is not None and box.note.name.startswith("n:") and not d.get("markers"):
            # The note moves into the evidence row: same box, its own band.
            note, box.note = box.note, None
            lay.evidence.append((box, Box(f"e:{n}", 0, 0, note.w, note.h, note.lines)))
    lay.steps = boxes
    ev_cells: dict[tuple[int, int], list[Box]] = {}
    for box, item in lay.evidence:
        ev_cells.setdefault((box.row, box.col), []).append(item)

    # Cells: (row, lane, column) -> steps, in file order.
    cells: dict[tuple[int, str, int], list[StepBox]] = {}
    cells_by_row: dict[int, dict[tuple[str, int], list[StepBox]]] = {}
    for box in boxes.values():
        group = cells.setdefault((box.row, box.lane, box.col), [])
        group.append(box)
        cells_by_row.setdefault(box.row, {})[(box.lane, box.col)] = group

    # Column widths per row.
    col_w: dict[tuple[int, int], float] = {}
    for box in boxes.values():
        key = (box.row, box.col)
        wdt = max(box.w, box.note.w if box.note else 0)
        col_w[key] = max(col_w.get(key, 0.0), wdt)
    for key, items in ev_cells.items():
        col_w[key] = max(col_w.get(key, 0.0), *(item.w for item in items))

    left, right = _flows(g, lay, boxes, back, visible)

    # The gap after a column holds the labels of the flows that leave it (they sit at the flow's start).
    # Many labelled flows out of one step need room to spread along their legs, too.
    gap_after: dict[tuple[int, int], float] = {}
    widest: dict[str, float] = {}
    count: dict[str, int] = {}
    roomy = g.graph.get("label_slack", {})  # the story: extra room for the labels that found no spot in less
    slack: dict[str, float] = {}
    for e in lay.edges:
        tail = boxes.get(e.tail[2:]) if e.tail.startswith("s:") else None
        if tail is None or not e.label:
            continue
        widest[tail.step] = max(widest.get(tail.step, 0.0), max(text.width(line, sz.small) for line in e.label))
        count[tail.step] = count.get(tail.step, 0) + 1
        slack[tail.step] = max(slack.get(tail.step, 0.0), roomy.get((e.source, e.target), 0.0))
    for step, wdt in widest.items():
        tail = boxes[step]
        need = min(wdt + sz.label_room + max(0, count[step] - 2) * 36.0, sz.max_gap + slack[step])
        key = (tail.row, tail.col)
        gap_after[key] = max(gap_after.get(key, sz.col_gap), need)
    for e in lay.edges:
        # A labelled flow back to the column just before its step leaves to the left: its label's room is
        # the gap before that step (clinic's "needs another time" found none when only the right side had room).
        tail = boxes.get(e.tail[2:]) if e.tail.startswith("s:") else None
        head = boxes.get(e.head[2:]) if e.head.startswith("s:") else None
        if tail is None or head is None or not e.label or head.row != tail.row or head.col != tail.col - 1:
            continue
        wdt = max(text.width(line, sz.small) for line in e.label)
        key = (tail.row, head.col)
        gap_after[key] = max(gap_after.get(key, sz.col_gap), min(wdt + sz.label_room, sz.max_gap))

    if sz.badge_room:
        # The story's flows between neighbours are short: one that carries a handoff badge gets room for it.
        for e in lay.edges:
            tail = boxes.get(e.tail[2:]) if e.tail.startswith("s:") else None
            head = boxes.get(e.head[2:]) if e.head.startswith("s:") else None
            if e.badge and tail is not None and head is not None and head.row == tail.row and head.col > tail.col:
                key = (tail.row, head.col - 1)
                gap_after[key] = max(gap_after.get(key, sz.col_gap), sz.col_gap + sz.badge_room)

    # Vertical room per (row, lane): above and below the line through the steps' centres.
    lane_rank = {lane.id: i for i, lane in enumerate(lanes)}
    # No title column (the story: one band, each box naming its party): no lane titles either.
    title_lines = {
        lane.id: text.wrap(lane.name, sz.title_w - 24, sz.font, bold=True, max_lines=4) if sz.title_w > 0 else []
        for lane in lanes
    }
    up: dict[tuple[int, str], float] = {}
    down: dict[tuple[int, str], float] = {}
    for (row, lane, _c), group in cells.items():
        if len(group) == 1:
            b = group[0]
            above, below = b.h / 2, b.h / 2 + (b.note.h + sz.note_gap if b.note else 0)
        else:
            total = sum(_extent(b, sz.note_gap) for b in group) + SLOT_GAP * (len(group) - 1)
            above = below = total / 2
        if any(g.has_edge(b.step, b.step) for b in group):
            above += 2 * SELF_LOOP  # room for the self-loop's waypoint above the step
        up[(row, lane)] = max(up.get((row, lane), 0.0), above)
        down[(row, lane)] = max(down.get((row, lane), 0.0), below)
    if sz.badge_room:
        # A badge on a flow straight down (or up) a shared column needs that flow to be longer than the badge:
        # the story's customer and service steps sit one above the other, their flow otherwise a few points long.
        for e in lay.edges:
            a = boxes.get(e.tail[2:]) if e.tail.startswith("s:") else None
            b = boxes.get(e.head[2:]) if e.head.startswith("s:") else None
            if not e.badge or a is None or b is None or (a.row, a.col) != (b.row, b.col) or a.lane == b.lane:
                continue
            upper, lower = (a, b) if lane_rank[a.lane] < lane_rank[b.lane] else (b, a)
            key_u, key_l = (upper.row, upper.lane), (lower.row, lower.lane)
            below_u = upper.h / 2 + (upper.note.h + sz.note_gap if upper.note else 0)
            # On either side of the blueprint line it crosses: a badge never sits on a line.
            down[key_u] = max(down.get(key_u, 0.0), below_u + sz.badge_room - sz.band_pad)
            up[key_l] = max(up.get(key_l, 0.0), lower.h / 2 + sz.badge_room - sz.band_pad)
    overhead_room: dict[str, float] = {}
    for _conn, step, label in lay.overhead:
        # Over the step: its label beside the leg up, or a badge's length, then the connector.
        leg = max(len(label) * sz.small * LINE_H + 8, sz.badge_room)
        overhead_room[step.step] = max(overhead_room.get(step.step, 0.0), leg + CONNECTOR + 4)
        key = (step.row, step.lane)
        up[key] = max(up.get(key, 0.0), step.h / 2 + overhead_room[step.step])
    if sz.badge_room:
        # One band (the story): a flow back along its row goes round the steps, above them; its label with it.
        for e in lay.edges:
            tail = boxes.get(e.tail[2:]) if e.tail.startswith("s:") else None
            head = boxes.get(e.head[2:]) if e.head.startswith("s:") else None
            if tail is None or head is None or head.row != tail.row or head.col >= tail.col:
                continue
            need = len(e.label) * sz.small * LINE_H + 18
            key = (tail.row, tail.lane)
            up[key] = max(up.get(key, 0.0), max(b.h / 2 for b in boxes.values() if b.row == tail.row) + need)
    if sz.label_height:
        # A label never cut (the story) must fit over its flow where the flow runs along its lane.
        for e in lay.edges:
            tail = boxes.get(e.tail[2:]) if e.tail.startswith("s:") else None
            head = boxes.get(e.head[2:]) if e.head.startswith("s:") else None
            if tail is None or not e.label or (head is not None and (head.lane, head.row) != (tail.lane, tail.row)):
                continue
            need = len(e.label) * sz.small * LINE_H + 10
            key = (tail.row, tail.lane)
            up[key] = max(up.get(key, 0.0), need)

    def connector_cols(items: list[Box], height: float) -> int:
        per_col = max(1, int((height - 10) // CONN_PITCH))
        return math.ceil(len(items) / per_col) if items else 0

    # Rows: vertical structure and horizontal extents.
    y = 0.0
    title = g.graph.get("name") or g.graph.get("id", "")
    if view == "customer":
        title = f"{title} — as the customer lives it"
    elif view == "story":
        title = f"{title}: the worst journey, as the customer lives it"
    lay.title = Box("title", 0, 0, 0, 24, [text.one_line(title, 2000, sz.title, bold=True)])
    lay.title.w = text.width(lay.title.lines[0], sz.title, bold=True) + 10
    y += sz.subtitle_y - 10
    if highlight.mode == "journey":
        # One truth: the journey drawn is the one counted; the process total only beside it.
        handoffs = _count(len(highlight.handoffs), "customer-visible handoff")
        total = f" ({len(visible)} in the whole process)" if len(visible) != len(highlight.handoffs) else ""
        handoffs = f"{(highlight.title or 'journey').lower()}: {handoffs}{total}"
    else:
        handoffs = _count(len(visible), "customer-visible handoff")
    stats = g.graph.get("subtitle") or " · ".join(
        (
            _count(g.number_of_nodes(), "facing step" if view == "customer" else "step"),
            _count(len(lanes), "lane"),
            handoffs,
        )
    )
    lay.subtitle = Box("subtitle", 0, 0, text.width(stats, sz.small) + 10, 16, [stats])
    y += 30 if sz.title_w > 0 else 24  # a slide (no title column) has no height to spare
    row_width: list[float] = []
    centre: dict[tuple[int, str], float] = {}
    staged = any(d.get("stage") for _n, d in g.nodes(data=True))
    evidence_top: dict[int, tuple[float, float]] = {}
    stage_h = sz.small * LINE_H + 12
    for row in range(nrows):
        top_of_row = y
        if nrows > 1 and sz.row_header:
            tag = Box(f"rowtag:{row}", 0, 0, 0, 16, [f"Part {row + 1} of {nrows}"])
            tag.w = text.width(tag.lines[0], sz.small, bold=True) + 10
            tag.x, tag.y = tag.w / 2 + 4, y + 8
            lay.row_tags.append(tag)
            y += sz.row_header
        stage_top = y
        if staged:
            y += stage_h + 6
        row_bands: list[Band] = []
        for zi, zone in enumerate(zones):
            zone_lanes = [lane for lane in lanes if lane.kind == zone]
            if zi:
                key, label = LINES[ZONES.index(zones[zi - 1])]
                lay.rules.append(Rule(key, label, row, y))
            if not zone_lanes:
                row_bands.append(Band(None, zone, row, y, EMPTY_ZONE_H))
                y += EMPTY_ZONE_H
                continue
            for si, lane in enumerate(zone_lanes):
                lines = title_lines[lane.id]
                above, below = up.get((row, lane.id), 0.0), down.get((row, lane.id), 0.0)
                content = max(above + below + 2 * sz.band_pad, 40.0)
                # The title, centred, keeps Graphviz's 6.5-pt obstacle clearance from the line captions.
                h = max(content, len(lines) * sz.font * LINE_H + 4 + 2 * sz.title_clear) if lines else content
                band = Band(lane.id, zone, row, y, h, stripe=si % 2)
                centre[(row, lane.id)] = y + (h - (above + below)) / 2 + above
                if lines:
                    title_w = max(text.width(line, sz.font, bold=True) for line in lines) + 8
                    band.title = Box(
                        f"t:{row}:{lane.id}",
                        sz.title_w / 2,
                        y + h / 2,
                        title_w,
                        len(lines) * sz.font * LINE_H + 4,
                        lines,
                    )
                row_bands.append(band)
                y += h
            if zone == "customer" and ev_cells:
                # The evidence row: under the customer lanes, above the line of interaction.
                tallest = max(
                    (
                        sum(i.h for i in items) + SLOT_GAP * (len(items) - 1)
                        for (r, _c), items in ev_cells.items()
                        if r == row
                    ),
                    default=0.0,
                )
                label = text.wrap("Physical evidence", sz.title_w - 24, sz.font, bold=True, max_lines=2)
                h = max(tallest + 2 * sz.band_pad, len(label) * sz.font * LINE_H + 4 + 2 * 10.0)
                band = Band(None, "evidence", row, y, h)
                band.title = Box(
                    f"evidence-title:{row}",
                    sz.title_w / 2,
                    y + h / 2,
                    max(text.width(line, sz.font, bold=True) for line in label) + 8,
                    len(label) * sz.font * LINE_H + 4,
                    label,
                )
                row_bands.append(band)
                evidence_top[row] = (y, h)
                y += h
        lay.bands.extend(row_bands)
        # Horizontal layout of the row.
        lcols = max((connector_cols(left.get((row, b.lane), []), b.height) for b in row_bands if b.lane), default=0)
        rcols = max((connector_cols(right.get((row, b.lane), []), b.height) for b in row_bands if b.lane), default=0)
        x = sz.title_w + sz.margin_pad + lcols * CONN_PITCH
        if any(e.badge and e.tail.endswith(":in") and lay.connector_rows.get(e.tail) == row for e in lay.edges):
            # A badge at the end of a flow that resumes here: the flow must be longer than it (on the poster
            # too: a 2-point flow from the connector into its step left the badge no spot).
            x += sz.badge_room or RESUMED_BADGE_ROOM
        resumed = [
            min(max(text.width(line, sz.small) for line in e.label) + sz.label_room, sz.max_gap + roomy.get(e.pair, 0))
            for e in lay.edges
            if e.label and e.tail.endswith(":in") and lay.connector_rows.get(e.tail) == row
        ]
        x += max(resumed, default=0.0)  # the story: the label of a flow that resumes here sits at its start
        xs: dict[int, float] = {}
        gap, asked = sz.col_gap, False
        for c in range(per_row):
            wdt = col_w.get((row, c))
            if wdt is None:
                continue
            xs[c] = x + wdt / 2
            gap, asked = gap_after.get((row, c), sz.col_gap), (row, c) in gap_after
            x += wdt + gap
        # After the last column: the margin, or all the room its labels asked for when a labelled flow leaves
        # the row there (into a connector a few points away, its label had no spot).
        x = x - gap + max(sz.margin_pad, gap - sz.col_gap + sz.margin_pad, min(gap, LAST_LABEL_ROOM) if asked else 0.0)
        for band in row_bands:
            if band.lane is None:
                continue
            for items, x0 in ((left, sz.title_w + sz.margin_pad / 2), (right, x)):
                group = items.get((row, band.lane), [])
                per_col = max(1, int((band.height - 10) // CONN_PITCH))
                count = min(len(group), per_col)
                for i, item in enumerate(group):
                    ci, ri = divmod(i, per_col)
                    step_x = CONN_PITCH * ci + CONNECTOR / 2 + 3
                    item.x = x0 + step_x
                    span = count * CONN_PITCH - 10
                    item.y = band.top + band.height / 2 - span / 2 + ri * CONN_PITCH + CONNECTOR / 2
        row_width.append(x + rcols * CONN_PITCH + sz.margin_pad)
        if staged:
            _stages(lay, g, cells_by_row.get(row, {}), xs, col_w, row, stage_top, stage_h)
        # Steps: on their lane's centre line, stacked around it when they share a cell.
        for (lane, c), group in cells_by_row.get(row, {}).items():
            mid = centre[(row, lane)]
            if len(group) == 1:
                cursor = mid - group[0].h / 2
            else:
                cursor = mid - (sum(_extent(b, sz.note_gap) for b in group) + SLOT_GAP * (len(group) - 1)) / 2
            for b in group:
                b.x, b.y = xs[c], cursor + b.h / 2
                if b.note:
                    b.note.x, b.note.y = b.x, cursor + b.h + sz.note_gap + b.note.h / 2
                cursor += _extent(b, sz.note_gap) + SLOT_GAP
        if row in evidence_top:
            top, h = evidence_top[row]
            for (r, c), items in ev_cells.items():
                if r != row:
                    continue
                cursor = top + (h - sum(i.h for i in items) - SLOT_GAP * (len(items) - 1)) / 2
                for item in items:
                    item.x, item.y = xs[c], cursor + item.h / 2
                    cursor += item.h + SLOT_GAP
        stacked: dict[str, int] = {}
        for conn, step, _label in lay.overhead:
            if step.row == row:
                k = stacked[step.step] = stacked.get(step.step, -1) + 1
                conn.x = step.x + (k - (sum(s.step == step.step for _c, s, _l in lay.overhead) - 1) / 2) * CONN_PITCH
                conn.y = step.y - step.h / 2 - overhead_room[step.step] + CONNECTOR / 2
        for waypoint, step in lay.loops:
            if step.row == row:
                waypoint.x, waypoint.y = step.x + step.w / 2 + 14, step.y - step.h / 2 - 14
        lay.row_spans.append((top_of_row, y))
        y += sz.row_gap

    legend_w, y = _legend(lay, g, y - sz.row_gap + sz.legend_gap, nrows, len(visible), max(row_width, default=0.0))

    lay.width = max([*row_width, legend_w, lay.title.w + 8, lay.subtitle.w + 8])
    lay.height = y
    lay.title.x, lay.title.y = lay.title.w / 2 + 4, 16
    lay.subtitle.x, lay.subtitle.y = lay.subtitle.w / 2 + 4, sz.subtitle_y
    for rule in lay.rules:
        # The caption sits just above its line in the title column, clear of the line itself.
        lines = text.wrap(rule.label, sz.title_w - 12, sz.rule, bold=True, max_lines=2)
        tw = max(text.width(line, sz.rule, bold=True) for line in lines) + 6
        th = 12 + (len(lines) - 1) * sz.rule * LINE_H
        rule.tag = Box(f"rule:{rule.row}:{rule.key}", 6 + tw / 2, rule.y - 2 - th / 2, tw, th, lines)
    return lay


def _flows(
    g: nx.DiGraph,
    lay: Layout,
    boxes: dict[str, StepBox],
    back: set[tuple[str, str]],
    visible: list[VisibleHandoff],
) -> tuple[dict[tuple[int, str], list[Box]], dict[tuple[int, str], list[Box]]]:
    """Edges (with branch labels and highlighting), split into numbered connector pairs
    where a flow leaves its row; returns the connectors (and start marker) waiting at the left
    and right margin of each (row, lane)."""
    sz = lay.sizes
    roomy = g.graph.get("label_slack", {})
    hl = lay.highlight or Highlight()
    strong: set[tuple[str, str]] = set()  # drawn magenta ("all") or bold (the journey)
    quiet: set[tuple[str, str]] = set()
    badges: dict[tuple[str, str], list[str]] = {}
    if hl.mode == "all":
        for i, vh in enumerate(visible, start=1):
            pairs = list(itertools.pairwise([vh.source, *vh.via, vh.target]))
            strong.update(pairs)
            badges.setdefault(pairs[-1], []).append(f"H{i}")
            lay.handoffs.append((f"H{i}", _describe(g, vh)))
    elif hl.mode == "journey":
        path_edges = list(itertools.pairwise(hl.path))
        strong.update(path_edges)
        by_pair = {(vh.source, vh.target): vh for vh in visible}
        # Number the journey's handoffs at the flow where the customer meets the new party.
        arrive = {}
        for k, (_a, b) in enumerate(path_edges):
            arrive.setdefault(b, k)
        pos = 0
        for i, (src, dst) in enumerate(hl.handoffs, start=1):
            k = next((j for j in range(pos, len(path_edges)) if path_edges[j][1] == dst), arrive.get(dst))
            if k is None:
                continue
            pos = k + 1
            badges.setdefault(path_edges[k], []).append(str(i))
            vh = by_pair.get((src, dst))
            lay.handoffs.append((str(i), _describe(g, vh) if vh else _describe_pair(g, src, dst)))
        on_path = set(hl.handoffs)
        for vh in visible:
            if (vh.source, vh.target) in on_path:
                continue
            # Counted only when drawn: a handoff whose flows all lie on the journey shows no thin line.
            pairs = [p for p in itertools.pairwise([vh.source, *vh.via, vh.target]) if p not in strong and p in g.edges]
            if pairs:
                lay.quiet += 1
                quiet.update(pairs)

    left: dict[tuple[int, str], list[Box]] = {}
    right: dict[tuple[int, str], list[Box]] = {}
    start = g.graph.get("start")
    emph = lambda pair: "journey" if hl.mode == "journey" and pair in strong else ("quiet" if pair in quiet else "")  # noqa: E731
    if start in boxes:
        lay.start = Box("start", 0, 0, 16, 16)
        left.setdefault((boxes[start].row, boxes[start].lane), []).append(lay.start)
        first = "journey" if hl.mode == "journey" and hl.path and hl.path[0] == start else ""
        lay.edges.append(Edge(lay.start.name, boxes[start].name, "", start, [], emphasis=first))
    k = 0
    texts: dict[tuple[str, str], str] = {}
    for u in g.nodes:
        for v in sorted(g.successors(u), key=lambda t: g.edges[u, t]["index"]):
            data = g.edges[u, v]
            when = data.get("when")
            folded = data.get("wait") or ""
            bu, bv = boxes[u], boxes[v]
            # The story's flow back along its row rises over the steps: its label reads along the top, on one line.
            back_over = sz.badge_room > 0 and bu.row == bv.row and bv.col < bu.col
            limit = sz.branch_text * (3 if back_over else 1) + min(roomy.get((u, v), 0.0), 480.0) / 2
            label = text.wrap(when, limit, sz.small, max_lines=sz.label_lines) if when else []
            if data.get("fork") is not None and not g.nodes[u].get("parallel"):
                # A fork beside other alternatives: its branches' flows carry the gateway's +.
                label = [f"{PARALLEL_MARK} {label[0]}" if label else PARALLEL_MARK, *label[1:]]
            if folded:
                wide = limit if sz.badge_room else sz.branch_text * sz.wait_text
                label += text.wrap(folded, wide, sz.small, max_lines=max(3, sz.label_lines))
            mark = PARALLEL_MARK if data.get("fork") is not None and not g.nodes[u].get("parallel") else ""
            whole = " ".join(x for x in (mark, " ".join(text.clean(when).split()) if when else "", folded) if x)
            texts[(u, v)] = whole
            flag, loop = hl.mode == "all" and (u, v) in strong, (u, v) in back
            badge = ", ".join(badges.get((u, v), []))
            em = emph((u, v))
            if u == v:
                # Orthogonal routing draws self-loops as huge detours: go through a waypoint just above-right.
                waypoint = Box(f"loop:{u}", 0, 0, 1, 1)
                lay.loops.append((waypoint, bu))
                lay.edges.append(
                    Edge(bu.name, waypoint.name, u, v, label, loop, flag, "", False, em, "wait" if folded else "")
                )
                lay.edges.append(Edge(waypoint.name, bu.name, u, v, [], loop, flag, badge, True, em, folded))
                continue
            if bu.row == bv.row:
                lay.edges.append(Edge(bu.name, bv.name, u, v, label, loop, flag, badge, True, em, folded))
                continue
            k += 1
            out = Box(f"c:{k}:out", 0, 0, CONNECTOR, CONNECTOR, [str(k)])
            inn = Box(f"c:{k}:in", 0, 0, CONNECTOR, CONNECTOR, [str(k)])
            if sz.badge_room and bv.row < bu.row:
                # The story (one band): a flow back to an earlier row leaves up, over its step, and comes down
                # onto its target; round the margins it would cross every row between.
                lay.overhead += [(out, bu, label), (inn, bv, [])]
            else:
                right.setdefault((bu.row, bu.lane), []).append(out)
                left.setdefault((bv.row, bv.lane), []).append(inn)
            lay.connectors += [out, inn]
            lay.connector_rows[out.name], lay.connector_rows[inn.name] = bu.row, bv.row
            # The story says a flow's label where it resumes (the start of the next row, which has room), not
            # before the connector that ends its row: the widest row is then no wider for it.
            first, then = ([], label) if sz.badge_room and bv.row > bu.row else (label, [])
            lay.edges.append(Edge(bu.name, out.name, u, v, first, loop, flag, "", True, em, folded))
            lay.edges.append(Edge(inn.name, bv.name, u, v, then, loop, flag, badge, True, em, folded))
    for e in lay.edges:
        if e.label:
            e.text = texts.get((e.source, e.target), " ".join(e.label))
        if e.source and g.has_edge(e.source, e.target):
            data = g.edges[e.source, e.target]
            e.silence = bool(data.get("silence"))
            e.back = e.back or bool(data.get("comes_back"))
    return left, right


def _stages(
    lay: Layout,
    g: nx.DiGraph,
    cells: dict[tuple[str, int], list[StepBox]],
    xs: dict[int, float],
    col_w: dict[tuple[int, int], float],
    row: int,
    top: float,
    height: float,
) -> None:
    """The stages row of ``row``: consecutive columns whose steps carry one stage form one band.

    A column's stage is the stage of its first step in file order that has one.
    """
    sz = lay.sizes
    stage_of: dict[int, str] = {}
    for (_lane, c), group in cells.items():
        for b in group:
            name = g.nodes[b.step].get("stage")
            if name and (c not in stage_of or g.nodes[b.step]["index"] < stage_of[c][1]):
                stage_of[c] = (" ".join(text.clean(name).split()), g.nodes[b.step]["index"])  # type: ignore[assignment]
    runs: list[tuple[str, int, int]] = []
    for c in sorted(xs):
        name = stage_of[c][0] if c in stage_of else None
        if name and runs and runs[-1][0] == name and runs[-1][2] == c - 1:
            runs[-1] = (name, runs[-1][1], c)
        elif name:
            runs.append((name, c, c))
    for k, (name, c0, c1) in enumerate(runs):
        x0 = xs[c0] - col_w[(row, c0)] / 2 - 8
        x1 = xs[c1] + col_w[(row, c1)] / 2 + 8
        line = text.one_line(name, max(x1 - x0 - 12, 24.0), sz.small, bold=True)
        lay.stages.append(Box(f"stage:{row}:{k}", (x0 + x1) / 2, top + height / 2, x1 - x0, height, [line]))


def _legend(
    lay: Layout, g: nx.DiGraph, top: float, nrows: int, n_visible: int, room: float = 0.0
) -> tuple[float, float]:
    """Symbol key and what is highlighted (in names), below the last row; returns (width, bottom).

    ``room``: the width of the rows above, which a story's legend may fill in one line.
    """
    sz = lay.sizes
    story = lay.view == "story"  # a slide: one compact row when it fits
    mid = top + (14 if story else 22)
    x = 8.0
    samples = [
        ("customer", "Customer action"),
        ("touchpoint", "Touchpoint (onstage)"),
        ("backstage", "Backstage step"),
        ("support", "Support step"),
        ("decision", "Decision"),
        ("end", "End step"),
        ("fail", "Fail point"),
        ("note", "sees: evidence"),
    ]
    # The legend lists only what is drawn.
    # A gateway of the story's own (a fork or join with no step's name) is the + diamond, not a backstage step.
    drawn = {_kind(d) for _n, d in g.nodes(data=True) if d["name"] or not d.get("parallel")}
    drawn |= {"decision"} if any(b.shape == "diamond" for b in lay.steps.values()) else set()
    drawn |= {"end"} if any(d["end"] for _n, d in g.nodes(data=True)) else set()
    drawn |= {"fail"} if any(d.get("fail_point") for _n, d in g.nodes(data=True)) else set()
    drawn |= {"note"} if any(d.get("evidence") and not d.get("markers") for _n, d in g.nodes(data=True)) else set()
    samples = [s for s in samples if s[0] in drawn]
    if any(b.shape == "diamond" and b.lines[:1] == [PARALLEL_MARK] for b in lay.steps.values()):
        # BPMN's parallel gateway, when one is drawn: a diamond marked + (its caption beside it, below).
        at = next((i for i, s in enumerate(samples) if s[0] == "decision"), len(samples) - 1) + 1
        samples.insert(at, ("parallel", "Fork / join (parallel)"))
        if not any(b.shape == "diamond" and b.lines[:1] != [PARALLEL_MARK] for b in lay.steps.values()):
            samples = [s for s in samples if s[0] != "decision"]  # every diamond drawn is a gateway
    if lay.view == "story":  # a slide: short captions
        samples = [(k, {"touchpoint": "Touchpoint", "parallel": "Fork / join"}.get(k, c)) for k, c in samples]
    for key, caption in samples:
        if key == "parallel":
            h = 30.0 if story else 36.0
            mark = Box("legend:parallel", x + h * 0.75, mid, h * 1.5, h, [PARALLEL_MARK])
            lay.legend.append(("parallel", mark))
            cap = Box("legend:parallel-caption", 0, mid, text.width(caption, sz.small) + 8, 14, [caption])
            cap.x = x + h * 1.5 + 4 + cap.w / 2
            lay.legend.append(("caption", cap))
            x = cap.x + cap.w / 2 + 14
            continue
        # The story marks fail points under the box where the customer meets them: its sample is the red border.
        lines = [caption, "▲ fail point"] if key == "fail" and not story else [caption]
        tw = text.width(lines[0], sz.small)
        w, h = tw + 20, {"decision": 40.0, "fail": 38.0, "note": 22.0}.get(key, 30.0)
        if story:
            h = sz.small * LINE_H + (14 if key == "decision" else 8)
        if key == "decision":
            w = tw + (40 if story else 60)
        lay.legend.append((key, Box(f"legend:{key}", x + w / 2, mid, w, h, lines)))
        x += w + 14
    lay.legend.append(("start", Box("legend:start", x + 8, mid, 16, 16)))
    cap = Box("legend:start-caption", 0, mid, text.width("Start", sz.small) + 8, 14, ["Start"])
    cap.x = x + 28 + cap.w / 2
    lay.legend.append(("caption", cap))
    x = cap.x + cap.w / 2 + 18
    hl = lay.highlight or Highlight()
    sample = {
        "all": "Customer-visible handoff (Hn)",
        "journey": f"{hl.title or 'Journey'}: its handoffs numbered",
    }.get(hl.mode)
    if lay.view == "story":
        sample = "The journey" if hl.path else None
    if hl.mode == "journey" and not hl.path:
        sample = None
    sample_len = 44.0 if story else 70.0  # a flow's sample line
    if any(e.folded for e in lay.edges):
        sample = None if hl.mode == "none" else sample
        lay.legend_folded = (Box("legend:w-a", x, mid, 2, 2), Box("legend:w-b", x + sample_len, mid, 2, 2))
        folded_caption = "Backstage wait, folded" if lay.view == "story" else "Backstage work folded: its wait"
        cap = Box("legend:w-caption", 0, mid, 0, 14, [folded_caption])
        cap.w = text.width(cap.lines[0], sz.small) + 8
        cap.x = x + sample_len + 14 + cap.w / 2
        lay.legend.append(("caption", cap))
        x = cap.x + cap.w / 2 + 18
    width = x
    if sample:
        lay.legend_edge = (Box("legend:h-a", x, mid, 2, 2), Box("legend:h-b", x + sample_len, mid, 2, 2))
        cap = Box("legend:h-caption", 0, mid, 0, 14, [sample])
        cap.w = text.width(cap.lines[0], sz.small) + 8
        cap.x = x + sample_len + 14 + cap.w / 2
        lay.legend.append(("caption", cap))
        width = cap.x + cap.w / 2
    if story:
        # The subtitle counts the handoffs and says they are numbered on the flows: the legend is one row.
        return width, top + 28 + 4
    y = top + 52
    if nrows > 1 and not story:  # the story's connectors are few and numbered: they need no caption
        cap = Box("legend:conn", 0, 0, 0, 14, ["(n) a flow that continues in another part: same number at both ends"])
        cap.w = text.width(cap.lines[0], sz.small) + 8
        cap.x, cap.y = 8 + cap.w / 2, y + 7
        lay.legend.append(("caption", cap))
        y += 24
    if hl.mode == "all":
        heading = f"Customer-visible handoffs ({n_visible})" if n_visible else "Customer-visible handoffs: none"
    elif hl.mode == "journey":
        ends = ""
        if hl.path:
            ends = f" from {_name(g, hl.path[0])} to {_name(g, hl.path[-1])}"
        noun = "step" if lay.view == "full" else "facing step"
        heading = f"{hl.title or 'Journey'} ({_count(len(hl.path), noun)}{ends}): " + (
            _count(len(lay.handoffs), "customer-visible handoff") if lay.handoffs else "no customer-visible handoff"
        )
    else:
        heading = f"Nothing highlighted ({_count(n_visible, 'customer-visible handoff')}; see procmap audit)"
    if lay.view == "story":
        n = len(lay.handoffs)
        heading = (
            f"{_count(n, 'customer-visible handoff')}, numbered in the order the customer meets them"
            if n
            else "No customer-visible handoff on this journey"
        )
    lines = [text.one_line(heading, 1100, sz.small)]
    if lay.view != "story":  # the slide numbers its handoffs on the flows; the poster lists them too
        lines += [text.one_line(f"{badge}  {desc}", 1100, sz.small) for badge, desc in lay.handoffs]
    if lay.quiet:
        lines.append(f"Marked quietly (thin magenta): {_count(lay.quiet, 'other customer-visible handoff')}")
    # 20 % slack: a system Graphviz measuring with a wider fallback font must still fit the lines in.
    lw = max(text.width(line, sz.small) for line in lines) * 1.2 + 12
    lh = len(lines) * sz.small * LINE_H + 8
    if story and len(lines) == 1 and width + 18 + lw <= max(room, 960.0 - 2 * 18):
        # Beside the samples, on their row: a slide has no height to spare.
        lay.legend.append(("list", Box("legend:list", width + 18 + lw / 2, mid, lw, lh, lines)))
        return width + 18 + lw, top + 30 + 6
    lay.legend.append(("list", Box("legend:list", 8 + lw / 2, y + lh / 2, lw, lh, lines)))
    return max(width, 8 + lw), y + lh + (6 if story else 12)


def _kind(d: dict) -> str:
    """customer | touchpoint | backstage | support: the legend's sample of a step (drawn the same by :mod:`.dot`)."""
    if d["customer"]:
        return "customer"
    if d["touchpoint"]:
        return "touchpoint"
    return "support" if d["lane_kind"] == "support" else "backstage"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _name(g: nx.DiGraph, n: str) -> str:
    return " ".join(text.clean(g.nodes[n]["name"]).split())


def _lane_name(g: nx.DiGraph, lane: str) -> str:
    lanes = g.graph["lanes"]
    return " ".join(text.clean(lanes[lane].name).split()) if lane in lanes else lane


def _describe_pair(g: nx.DiGraph, u: str, v: str) -> str:
    lu, lv = g.nodes[u]["lane"], g.nodes[v]["lane"]
    return f"{_lane_name(g, lu)} → {_lane_name(g, lv)}: {_name(g, u)} → {_name(g, v)}"


def _describe(g: nx.DiGraph, vh: VisibleHandoff) -> str:
    desc = f"{_lane_name(g, vh.source_lane)} → {_lane_name(g, vh.target_lane)}: {_name(g, vh.source)} → {_name(g, vh.target)}"
    via = [n for n in vh.via if n in g]
    if via:
        desc += " (via " + ", ".join(_name(g, n) for n in via) + ")"
    return desc
