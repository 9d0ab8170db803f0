"""analysis/blocks.py: the block tree (fork -> branches -> join or ends), computed once, linear in steps."""

from __future__ import annotations

import gc
import time

import yaml
from hypothesis import given

from procmap.analysis.blocks import blocks_of
from procmap.config import Config
from procmap.model.graph import build_graph
from procmap.model.process import ProcessFile
from procmap.validate import check_text
from strategies import processes, profile


def graph_of(data: dict) -> object:
    return build_graph(ProcessFile.model_validate(data))


def steps(*specs: tuple) -> dict:
    out = []
    for spec in specs:
        step_id, nxt = spec[0], spec[1]
        step = {"id": step_id, "name": step_id, "lane": "l"}
        if nxt:
            step["next"] = nxt
        if len(spec) > 2:
            step["join"] = "all"
        out.append(step)
    return {
        "version": 1,
        "process": {"id": "p", "name": "P"},
        "lanes": [{"id": "l", "name": "L", "kind": "backstage"}],
        "steps": out,
    }


NESTED = steps(
    ("a", [{"all": ["b", "c"]}]),
    ("b", [{"all": ["b1", "b2"]}]),
    ("b1", ["bj"]),
    ("b2", [{"to": "bj", "when": "x"}, {"to": "b2", "when": "again"}]),
    ("bj", ["j"], "join"),
    ("c", ["j"]),
    ("j", [{"to": "z", "when": "done"}, {"to": "a", "when": "again"}], "join"),
    ("z", [{"all": ["e1", "e2"]}]),
    ("e1", []),
    ("e2", []),
)


def test_the_block_tree_of_nested_forks():
    b = blocks_of(graph_of(NESTED))
    assert b.problems == []
    assert list(b.forks) == [("a", 0), ("b", 0), ("z", 0)]
    outer, inner, ends = b.forks[("a", 0)], b.forks[("b", 0)], b.forks[("z", 0)]
    assert (outer.join, outer.parent, outer.closed_by_ends) == ("j", None, False)
    assert (inner.join, inner.parent) == ("bj", (("a", 0), 0))
    assert (ends.join, ends.closed_by_ends, ends.parent) == (None, True, None)
    assert b.fork_of_join == {"bj": ("b", 0), "j": ("a", 0)}
    assert b.loop_edges == {("b2", "b2"), ("j", "a")}
    assert b.branch_of["a"] is None and b.branch_of["j"] is None and b.branch_of["z"] is None
    assert b.branch_of["b"] == (("a", 0), 0)
    assert b.branch_of["bj"] == (("a", 0), 0)  # a join lies in the branch that holds its block
    assert b.branch_of["b2"] == (("b", 0), 1)
    assert b.branch_of["c"] == (("a", 0), 1)
    assert b.branch_of["e2"] == (("z", 0), 1)
    assert b.frames("b2") == [(("a", 0), 0), (("b", 0), 1)]
    assert b.parallel("b1", "b2") and b.parallel("b1", "c") and b.parallel("e1", "e2")
    assert not b.parallel("b", "b1") and not b.parallel("a", "c") and not b.parallel("c", "c")


def test_a_process_without_forks_has_an_empty_tree():
    b = blocks_of(graph_of(steps(("a", ["b"]), ("b", []))))
    assert (b.forks, b.problems, b.has_forks) == ({}, [], False)


@given(processes(max_steps=16, blocks=True))
@profile(60)
def test_random_block_structured_processes_parse(data):
    g = graph_of(data)
    b = blocks_of(g)
    assert b.problems == []
    joins = [s["id"] for s in data["steps"] if s.get("join")]
    assert sorted(b.fork_of_join) == sorted(joins)
    for key, fork in b.forks.items():
        assert (fork.join is None) == fork.closed_by_ends
        for i, target in enumerate(fork.targets):
            assert b.branch_of[target] == (key, i)
        if fork.join is not None:
            assert b.branch_of[fork.join] == fork.parent


@given(processes(max_steps=16, blocks=True))
@profile(40)
def test_a_join_made_ordinary_is_reported(data):
    joins = [s for s in data["steps"] if s.get("join")]
    if not joins:
        return
    del joins[0]["join"]
    found = check_text(yaml.safe_dump(data, sort_keys=False), "p.yaml", Config()).diagnostics
    assert any(d.rule == "unmatched-fork" for d in found)


def _sequential(n: int) -> dict:
    specs: list[tuple] = []
    for k in range(n):
        specs += [(f"f{k}", [{"all": [f"a{k}", f"b{k}"]}]), (f"a{k}", [f"j{k}"]), (f"b{k}", [f"j{k}"])]
        specs.append((f"j{k}", [f"f{k + 1}"] if k + 1 < n else [], "join"))
    return steps(*specs)


def _nested(n: int) -> dict:
    specs: list[tuple] = []
    for k in range(n):
        specs += [(f"f{k}", [{"all": [f"f{k + 1}" if k + 1 < n else "leaf", f"b{k}"]}]), (f"b{k}", [f"j{k}"])]
    specs.append(("leaf", [f"j{n - 1}"]))
    for k in range(n - 1, -1, -1):
        specs.append((f"j{k}", [f"j{k - 1}"] if k else [], "join"))
    return steps(*specs)


def _cpu(data: dict) -> float:
    g = graph_of(data)
    gc.collect()
    gc.disable()  # a collection of the test's own garbage is not blocks' time
    try:
        before = time.process_time()
        b = blocks_of(g)
        spent = time.process_time() - before
    finally:
        gc.enable()
    assert b.problems == []
    return spent


def test_linear_in_steps():
    # CPU time, not wall clock (the machine is shared): doubling the steps may not quadruple it.
    # Big enough that caches do not flatter the small one (1,500 blocks fit; 12,000 steps do not).
    for make, n in ((_sequential, 3000), (_nested, 600)):
        small = min(_cpu(make(n)) for _ in range(3))
        large = min(_cpu(make(2 * n)) for _ in range(3))
        assert large < 3.2 * small + 0.05, (make.__name__, small, large)
