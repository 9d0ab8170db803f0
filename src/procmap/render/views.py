"""The customer's view of a process: ``procmap render --view customer``.

A customer process, in the service-design literature, shows the process
"from the customer's point of view, showing no personnel or systems that the
customer does not interact with".  So the view keeps the facing steps
(customer actions and touchpoints, SPEC §5.2) and the lanes that hold them —
the customer and onstage lanes always — and folds each stretch of backstage
or support work between two facing steps into one dashed flow labelled with
its wait: the least and the greatest total duration over the stretch's
paths, "unbounded" when a loop lies inside it.  The figures are the audit's
own (``Analysis.waits``), so the picture and ``procmap audit`` agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

    from procmap.analysis.facts import Analysis


def wait_label(least: float, most: float | None, unknown: bool) -> str:
    """``wait 2 h–1 d``, ``wait 30 min``, ``wait 1 h–unbounded``; ``?`` marks steps without a duration."""
    lo = _duration(least)
    hi = "unbounded" if most is None else _duration(most)
    if unknown and lo == hi == "0":
        return "wait untimed"
    span = lo if lo == hi else f"{lo}–{hi}"
    return f"wait {span}{' + untimed steps' if unknown else ''}"


def _duration(seconds: float) -> str:
    if seconds <= 0:
        return "0"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.0f} {unit}" if abs(value - round(value)) < 0.05 else f"{value:.1f} {unit}"
    return f"{seconds:.0f} s"


def customer_view(g: nx.DiGraph, analysis: Analysis) -> nx.DiGraph:
    """A flow graph of the facing steps only, backstage stretches folded (edges with ``wait``)."""
    import networkx as nx

    facing = {n for n, d in g.nodes(data=True) if d.get("facing")}
    view = nx.DiGraph()
    view.graph.update(g.graph)
    keep = {g.nodes[n]["lane"] for n in facing}
    lanes = g.graph["lanes"]
    view.graph["lanes"] = {
        lane_id: lane for lane_id, lane in lanes.items() if lane.kind in ("customer", "onstage") or lane_id in keep
    }
    for n, d in g.nodes(data=True):
        if n in facing:
            view.add_node(n, **d)
    for u, v, d in g.edges(data=True):
        if u in facing and v in facing:
            view.add_edge(u, v, when=d.get("when"), index=d["index"])
    for w in analysis.waits:
        if view.has_edge(w.source, w.target):
            continue  # a direct flow already joins them; the wait still shows in the audit
        first = next((x for x in w.via[:1]), None)
        when = g.edges[w.source, first].get("when") if first is not None and g.has_edge(w.source, first) else None
        label = wait_label(w.min_seconds, w.max_seconds, bool(w.no_duration))
        index = g.edges[w.source, first]["index"] if first is not None and g.has_edge(w.source, first) else 1000
        view.add_edge(w.source, w.target, when=when, wait=label, index=index + 0.5)
    start = g.graph.get("start")
    if start not in facing:
        # The customer's story starts at the first facing step the start reaches.
        from collections import deque

        seen, queue, first_facing = {start}, deque([start]), None
        while queue and first_facing is None:
            for nxt in sorted(g.successors(queue.popleft()), key=lambda t: list(g.nodes).index(t)):
                if nxt in facing:
                    first_facing = nxt
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        view.graph["start"] = first_facing
    for n in view.nodes:
        view.nodes[n]["end"] = view.out_degree(n) == 0 or g.nodes[n]["end"]
    return view
