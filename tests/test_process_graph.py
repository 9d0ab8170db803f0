"""procmap.model.graph's own graph and algorithms, checked against networkx on random graphs.

`validate` runs its rules on :class:`ProcessGraph` (no networkx import, see
docs/performance.md); these tests hold its three algorithms and its views to
what networkx answers on the same graph.
"""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from procmap.model.graph import (
    ProcessGraph,
    condensation,
    descendants,
    strongly_connected_components,
    to_networkx,
)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[ProcessGraph, nx.DiGraph]:
    """The same random graph built twice by the same calls: procmap's class and networkx's."""
    n = draw(st.integers(min_value=1, max_value=14))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    g, ref = ProcessGraph(), nx.DiGraph()
    for i in range(n):
        g.add_node(f"s{i}", index=i)
        ref.add_node(f"s{i}", index=i)
    for k, (u, v) in enumerate(edges):
        g.add_edge(f"s{u}", f"s{v}", index=k)
        ref.add_edge(f"s{u}", f"s{v}", index=k)
    return g, ref


@settings(max_examples=150, deadline=None)
@given(graphs(), st.data())
def test_algorithms_agree_with_networkx(pair: tuple[ProcessGraph, nx.DiGraph], data: st.DataObject) -> None:
    g, ref = pair
    nodes = list(g.nodes)
    source = data.draw(st.sampled_from(nodes))
    assert descendants(g._succ, source) == nx.descendants(ref, source)

    subset = data.draw(st.lists(st.sampled_from(nodes), unique=True, min_size=1))
    sub = ref.subgraph(subset)
    components = strongly_connected_components(g._succ, subset)
    assert sorted(map(frozenset, components), key=sorted) == sorted(
        map(frozenset, nx.strongly_connected_components(sub)), key=sorted
    )

    cond = condensation(g._succ, subset)
    assert sorted(n for c in cond.members for n in c) == sorted(subset)
    assert all(cond.mapping[n] == c for c, members in enumerate(cond.members) for n in members)
    # sinks first: every link points to an earlier component, so one pass in order is a reverse topological walk
    assert all(d < c for c, succ in enumerate(cond.successors) for d in succ)
    links = {(frozenset(cond.members[c]), frozenset(cond.members[d])) for c, s in enumerate(cond.successors) for d in s}
    ref_cond = nx.condensation(sub)
    members = nx.get_node_attributes(ref_cond, "members")
    assert links == {(frozenset(members[a]), frozenset(members[b])) for a, b in ref_cond.edges}


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_views_answer_like_networkx(pair: tuple[ProcessGraph, nx.DiGraph]) -> None:
    g, ref = pair
    assert list(g.nodes) == list(ref.nodes) and len(g) == len(ref) == g.number_of_nodes()
    assert list(g.nodes(data=True)) == list(ref.nodes(data=True))
    assert list(g.edges) == list(ref.edges) and g.number_of_edges() == ref.number_of_edges()
    for n in g.nodes:
        assert list(g.successors(n)) == list(ref.successors(n))
        assert list(g.predecessors(n)) == list(ref.predecessors(n))
    for u, v in ref.edges:
        assert g.has_edge(u, v) and (u, v) in g.edges and g.edges[u, v] == ref.edges[u, v]
    assert ("s0", "nowhere") not in g.edges and not g.has_edge("nowhere", "s0")


def test_to_networkx_shares_the_dictionaries() -> None:
    g = ProcessGraph()
    g.graph["start"] = "a"
    for n in "abc":
        g.add_node(n, index=ord(n))
    g.add_edge("a", "b", when="yes")
    g.add_edge("b", "c")
    g.add_edge("c", "a")
    view = to_networkx(g)
    assert view.graph["start"] == "a"
    assert view.edges["a", "b"] is g.edges["a", "b"]
    assert list(nx.topological_generations(nx.condensation(view))) == [[0]]  # one loop through all three
    view.add_edge("c", "d")  # a change through networkx is a change of the one graph
    assert g.has_edge("c", "d") and "d" in g.nodes and list(g.predecessors("d")) == ["c"]
    assert descendants(g._succ, "a") == {"b", "c", "d"}


def test_a_loop_back_to_the_source_leaves_it_out() -> None:
    g = ProcessGraph()
    for n in "ab":
        g.add_node(n)
    g.add_edge("a", "b")
    g.add_edge("b", "a")
    g.add_edge("a", "a")
    assert descendants(g._succ, "a") == {"b"} == nx.descendants(to_networkx(g), "a")
    assert strongly_connected_components(g._succ, ["a", "b"]) in ([["b", "a"]], [["a", "b"]])
