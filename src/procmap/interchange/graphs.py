"""The process graph as GraphML (yEd, Gephi, Cytoscape) and node-link JSON (D3, networkx).

Both carry the graph `procmap.model.graph.build_graph` builds, every node and edge
attribute included, plus what a graph tool cannot compute itself: a ``label``
(the step name or branch label, which yEd and Gephi display), the lane's name,
and on each flow its handoff class and whether it crosses the line of
visibility (from :class:`procmap.analysis.facts.Analysis`).  Parallel work
(SPEC §7) is marked three ways: a flow that is a branch of a fork item has
``fork`` (the item's index in the step's `next`; absent/null otherwise), a
join step has ``join: true``, and the graph's ``forks`` lists every fork item
with its step, targets and join (null when its branches end).

GraphML can only store strings, numbers and booleans, so for it absent values
(None) are left out (GraphML's "missing data"), the ``data`` tuple becomes a
comma-separated string and the graph's lanes a JSON string.  JSON keeps the
natural types: null, lists, and the lanes as a list of objects.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from procmap.validate import FileResult


def enriched_graph(result: FileResult) -> nx.DiGraph:
    """A copy of the process graph with plain-data graph attributes and the extra labels."""
    from procmap.analysis.blocks import blocks_of

    model, g, analysis = result.model, result.graph, result.analysis
    assert model is not None and g is not None and analysis is not None
    out = g.copy()
    lanes = g.graph["lanes"]
    out.graph = {
        "id": model.process.id,
        "name": model.process.name,
        "description": model.process.description,
        "owner": model.process.owner,
        "start": g.graph["start"],
        "lanes": [
            {"id": lane.id, "name": lane.name, "kind": lane.kind, "index": lane.index}
            for lane in sorted(lanes.values(), key=lambda lane: lane.index)
        ],
        "forks": [
            {"step": f.step, "item": f.item, "targets": list(f.targets), "join": f.join}
            for f in blocks_of(g).forks.values()
        ],
    }
    for _node, data in out.nodes(data=True):
        data["label"] = data["name"]
        lane = lanes.get(data["lane"])
        data["lane_name"] = lane.name if lane else None
    handoffs = {(h.source, h.target): h.cls for h in analysis.handoffs}
    crossings = set(analysis.visibility_crossings)
    for u, v, data in out.edges(data=True):
        data.pop("shared", None)  # a hint for unmatched-fork, not a fact of the flow
        data["label"] = data["when"]
        data["handoff"] = handoffs.get((u, v))
        data["crosses_visibility"] = (u, v) in crossings
    return out


def _storable(value: Any) -> Any:
    from procmap.interchange.xml_chars import xml_text

    if isinstance(value, (tuple, list)):
        return xml_text(",".join(str(v) for v in value))
    if isinstance(value, str):
        return xml_text(value)
    return value


def to_graphml(result: FileResult) -> bytes:
    """GraphML 1.0 via networkx's writer, booleans spelled as XML Schema wants them."""
    import io

    import networkx as nx
    from lxml import etree

    g = enriched_graph(result)
    flat = nx.DiGraph()
    flat.graph.update(
        {
            k: _storable(json.dumps(v, ensure_ascii=False, allow_nan=False) if isinstance(v, list) else v)
            for k, v in g.graph.items()
            if v is not None
        }
    )
    for node, data in g.nodes(data=True):
        flat.add_node(node, **{k: _storable(v) for k, v in data.items() if v is not None})
    for u, v, data in g.edges(data=True):
        flat.add_edge(u, v, **{k: _storable(x) for k, x in data.items() if x is not None})
    buffer = io.BytesIO()
    # Default key ids (d0, d1…): named ids would repeat when a node and an edge
    # attribute share a name (label, index), and key ids must be unique.
    nx.write_graphml(flat, buffer, encoding="utf-8", prettyprint=True)
    # networkx writes Python's True/False; GraphML's attr.type="boolean" is
    # xsd:boolean, whose literals are lowercase (strict readers reject "True").
    # huge_tree: a step name over 10 MB (within the 20 MB file limit) is one text node longer than
    # libxml2's default cap.  The document is networkx's own output, not untrusted XML.
    tree = etree.fromstring(buffer.getvalue(), etree.XMLParser(huge_tree=True, resolve_entities=False))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    booleans = {k.get("id") for k in tree.iterfind("g:key", ns) if k.get("attr.type") == "boolean"}
    for data in tree.iter(
        "{http://graphml.graphdrawing.org/xmlns}data", "{http://graphml.graphdrawing.org/xmlns}default"
    ):
        key = data.get("key") if data.tag.endswith("data") else data.getparent().get("id")
        if key in booleans and data.text:
            data.text = data.text.lower()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def to_json(result: FileResult) -> str:
    """networkx node-link JSON; edges under the key ``"edges"`` (networkx's new default)."""
    import networkx as nx

    g = enriched_graph(result)
    try:
        data = nx.node_link_data(g, edges="edges")
    except TypeError:  # networkx < 3.4 names the parameter `link`
        data = nx.node_link_data(g, link="edges")  # type: ignore[call-arg]
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
