"""The blueprint as a Mermaid flowchart, for GitHub/GitLab markdown.

One subgraph per lane, declared in blueprint order (zone, then file order)
and titled with its zone; decisions are rhombi, end steps stadiums, the start
is marked by a small circle.  Customer-visible handoffs are drawn in the
highlight colour (``linkStyle``), badged ``Hn`` on the flow that reaches the
new party, and listed in a legend node.

What the output guarantees, and what it cannot (checked with mermaid-cli and
Chromium by tests/outside/run on every example and 200 random processes):

* it renders: the front matter asks for Mermaid's ELK layout, which draws
  lane subgraphs with flows between them at every size tried (200 steps
  included); a renderer without ELK (GitHub, GitLab) falls back to dagre,
  which crashed on three or more sibling subgraphs (``Cannot set properties
  of undefined (setting 'order')``), so the lanes are nested in invisible
  pairs (:func:`_in_pairs`) and render there too;
* every step is drawn inside its lane's box, and no two lane boxes overlap;
* **not** the lanes' order on the page: Mermaid cannot pin positions, and
  neither dagre nor ELK keeps subgraphs in declaration order (ELK places lane
  boxes by the flows between them).  The header comment says so; use
  ``--format svg``/``png``/``pdf`` for the blueprint with lanes in order.

Every identifier is generated (``S0``, ``L0``…), never taken from the file,
and every piece of user text is a quoted string with Mermaid's entity codes
for its metacharacters, including ``%`` (``%%{init}%%`` directives are
recognised anywhere in the source).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from procmap.render import text
from procmap.render.dot import FAIL, HANDOFF, STEP_STYLE, step_class
from procmap.render.layout import PARALLEL_MARK, ZONES, lane_order

if TYPE_CHECKING:
    import networkx as nx

    from procmap.analysis.facts import VisibleHandoff

MAX_EDGES = 500  # Mermaid's default maxEdges: beyond it GitHub refuses to draw
MAX_TEXT = 50_000  # Mermaid's default maxTextSize
_ZONE_TITLE = {
    "customer": "customer · above the line of interaction",
    "onstage": "onstage · between the lines of interaction and visibility",
    "backstage": "backstage · below the line of visibility",
    "support": "support · below the line of internal interaction",
}
_ESC = {"%": "#37;"}


def _label(lines: list[str]) -> str:
    return '"' + text.mermaid_text(lines).replace("%", _ESC["%"]) + '"'


def _wrap(value: str, chars: int = 28, max_lines: int = 4) -> list[str]:
    return text.wrap(value, chars * 5.6, 10, max_lines=max_lines)


def _step_lines(d: dict) -> list[str]:
    lines = _wrap(d["name"])
    if d.get("channel"):
        lines.append(f"[{text.one_line(d['channel'], 160, 10)}]")
    if d.get("evidence"):
        lines.append("sees: " + text.one_line(d["evidence"], 200, 10))
    if d.get("fail_point"):
        lines.append("▲ fail point")
    if d.get("parallel"):
        lines.insert(0, PARALLEL_MARK)  # a parallel gateway: a fork or a join, a diamond marked +
    return lines


def _lane_title(name: str, kind: str, steps: Iterable[list[str]]) -> list[str]:
    """The lane's name and zone, wrapped no wider than the lane's widest step.

    Mermaid's ELK layout sizes a lane box by the steps inside it, then draws the
    box wide enough for its title: a title wider than the steps pushed the box
    over its neighbour (clinic-appointment's one-step Laboratory lane overlapped
    the Nurse lane; 5 of 46 files in CI's check).  A step box is its text plus
    padding, so a title wrapped to the widest step line (measured in the same
    font metrics, at least 12 characters' worth) stays inside.
    """
    widest = max((text.width(line, 10) for lines in steps for line in lines), default=40 * 5.6)
    limit = max(12 * 5.6, widest)
    return [*text.wrap(name, limit, 10, max_lines=3), *text.wrap(_ZONE_TITLE[kind], limit, 10, max_lines=5)]


def _in_pairs(blocks: list[list[str]], groups: list[str]) -> list[str]:
    """The lane subgraphs nested in invisible groups so that no subgraph holds more than two.

    Dagre keeps sibling subgraphs apart with left-of constraints learnt rank by rank
    and honours them when it sorts the next rank (``resolveConflicts``).  That step
    merges a subgraph into its right neighbour without checking the merged pair
    against the constraints the left one had: with three siblings or more, a later
    rank can undo an order already learnt, the constraints form a cycle, the
    subgraphs on it are left out of a rank and the layout dies with ``Cannot set
    properties of undefined (setting 'order')``.  Two siblings always keep their
    one constraint, so halving the lanes (blueprint order kept) into groups of at
    most two, recursively, removes the cause for any process.  The groups get
    generated ids ``G0``, ``G1``… and are drawn with no fill and no border.
    """
    if len(blocks) <= 2:
        return [line for block in blocks for line in block]
    half = (len(blocks) + 1) // 2
    out: list[str] = []
    for part in (blocks[:half], blocks[half:]):
        if len(part) == 1:
            out.extend(part[0])
            continue
        gid = f"G{len(groups)}"
        groups.append(gid)
        out.append(f'  subgraph {gid}[" "]')
        out.append("    direction LR")
        out.extend("  " + line for line in _in_pairs(part, groups))
        out.append("  end")
    return out


def to_mermaid(g: nx.DiGraph, visible: list[VisibleHandoff]) -> str:
    from procmap import __version__

    ids = {n: f"S{i}" for i, n in enumerate(g.nodes)}
    lanes = lane_order(g)
    out = [
        # Front matter must open the text; a renderer without ELK falls back to dagre.
        "---",
        "config:",
        "  layout: elk",
        "---",
        f"%% Service blueprint drawn by procmap {__version__}: one subgraph per lane, each step inside its lane.",
        "%% Lanes are declared in blueprint order (zone, then file order), nested in invisible pairs (G0, G1...)",
        "%% so that Mermaid's dagre layout (GitHub, GitLab) draws them too. Mermaid places the lanes itself:",
        "%% their order on the page is not guaranteed. `procmap render -f svg` draws them in order.",
        "flowchart LR",
    ]
    by_lane: dict[str, list[str]] = {}
    for n in g.nodes:
        by_lane.setdefault(g.nodes[n]["lane"], []).append(n)
    classes: dict[str, list[str]] = {}
    start = g.graph.get("start")
    lane_blocks: list[list[str]] = []
    for li, lane in enumerate(lanes):
        step_lines = {n: _step_lines(g.nodes[n]) for n in by_lane.get(lane.id, [])}
        block = [
            f"  subgraph L{li}[{_label(_lane_title(lane.name, lane.kind, step_lines.values()))}]",
            "    direction LR",
        ]
        lane_blocks.append(block)
        for n, lines in step_lines.items():
            d = g.nodes[n]
            label = _label(lines)
            if g.out_degree(n) > 1 or d.get("parallel"):
                shape = f"{{{label}}}"
            elif d["end"]:
                shape = f"([{label}])"
            else:
                shape = f"[{label}]"
            block.append(f"    {ids[n]}{shape}")
            classes.setdefault(step_class(d), []).append(ids[n])
            if d["fail_point"]:
                classes.setdefault("failPoint", []).append(ids[n])
            if d["end"]:
                classes.setdefault("endStep", []).append(ids[n])
        block.append("  end")
    groups: list[str] = []
    out.extend(_in_pairs(lane_blocks, groups))
    for kind in ZONES:
        if not any(lane.kind == kind for lane in lanes):
            out.append(f"  %% no {kind} lane")

    handoff_edges: set[tuple[str, str]] = set()
    badges: dict[tuple[str, str], list[str]] = {}
    for i, vh in enumerate(visible, start=1):
        path = [vh.source, *vh.via, vh.target]
        pairs = list(itertools.pairwise(path))
        handoff_edges.update(pairs)
        badges.setdefault(pairs[-1], []).append(f"H{i}")

    edge_no = 0
    highlighted: list[int] = []
    if start in ids:
        out.append(f'  START((" ")) --> {ids[start]}')
        edge_no += 1
    for u in g.nodes:
        for v in sorted(g.successors(u), key=lambda t: g.edges[u, t]["index"]):
            when = g.edges[u, v].get("when")
            parts = _wrap(when, 24, 3) if when else []
            if g.edges[u, v].get("fork") is not None and not g.nodes[u].get("parallel"):
                parts = [f"{PARALLEL_MARK} {parts[0]}" if parts else PARALLEL_MARK, *parts[1:]]
            if (u, v) in badges:
                parts.append(", ".join(badges[(u, v)]))
            parts = [p for p in parts if p.strip()]  # `-->|""|` is a Mermaid parse error
            arrow = f"-->|{_label(parts)}|" if parts else "-->"
            out.append(f"  {ids[u]} {arrow} {ids[v]}")
            if (u, v) in handoff_edges:
                highlighted.append(edge_no)
            edge_no += 1

    legend = [f"Customer-visible handoffs ({len(visible)})" if visible else "Customer-visible handoffs: none"]
    lanes_by_id = g.graph["lanes"]
    for i, vh in enumerate(visible, start=1):
        a = lanes_by_id[vh.source_lane].name if vh.source_lane in lanes_by_id else vh.source_lane
        b = lanes_by_id[vh.target_lane].name if vh.target_lane in lanes_by_id else vh.target_lane
        legend.append(
            text.one_line(f"H{i}: {a} → {b} ({g.nodes[vh.source]['name']} → {g.nodes[vh.target]['name']})", 420, 10)
        )
    out.append('  subgraph LEGEND["Legend"]')
    out.append(f"    LEGEND_H[{_label(legend)}]")
    out.append("  end")

    for kind, (fill, border, pen) in STEP_STYLE.items():
        out.append(f"  classDef {kind} fill:{fill},stroke:{border},stroke-width:{pen}px,color:#111827")
    out.append(f"  classDef failPoint stroke:{FAIL},stroke-width:3px")
    out.append("  classDef endStep stroke-width:3px")
    out.append("  classDef startMarker fill:#111827,stroke:#111827")
    out.append("  classDef legendNote fill:#ffffff,stroke:#9ca3af,text-align:left")
    for kind, members in classes.items():
        out.append(f"  class {','.join(members)} {kind}")
    if start in ids:
        out.append("  class START startMarker")
    out.append("  class LEGEND_H legendNote")
    for gid in groups:
        out.append(f"  style {gid} fill:none,stroke:none")
    if highlighted:
        out.append(f"  linkStyle {','.join(map(str, highlighted))} stroke:{HANDOFF},stroke-width:3px")
    return "\n".join(out) + "\n"
