"""Mermaid lane boxes: a lane's title never wider than its steps (ELK would push the box over its neighbour)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLES


def _lanes_and_steps(mermaid: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each lane subgraph's title lines and its steps' label lines, read back from procmap's Mermaid."""
    lanes: list[tuple[list[str], list[list[str]]]] = []
    for line in mermaid.splitlines():
        if m := re.match(r'\s*subgraph L\d+\["(.*)"\]$', line):
            lanes.append((m.group(1).split("<br>"), []))
        elif lanes and (m := re.match(r'\s+S\d+[\[({]+"(.*?)"[\])}]+$', line)):
            lanes[-1][1].append(m.group(1).split("<br>"))
    return lanes


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_lane_titles_no_wider_than_their_steps(example: Path) -> None:
    """ELK sizes a lane box by its steps and then widens it for its title, over the next lane:
    every title line is at most as wide as the lane's widest step line (or 12 characters' worth)."""
    from procmap.config import Config
    from procmap.render import render, text
    from procmap.validate import require_valid

    out = render(require_valid(str(example), Config()), "mermaid")
    lanes = _lanes_and_steps(out.decode() if isinstance(out, bytes) else out)
    assert lanes and all(steps for _, steps in lanes)
    for title, steps in lanes:
        widest = max(12 * 5.6, max(text.width(line, 10) for lines in steps for line in lines))
        assert max(text.width(line, 10) for line in title) <= widest, (title, widest)
    # the check can fail: clinic-appointment's one-step Laboratory lane had a 41-character title line
    if example.stem == "clinic-appointment":
        assert any(len(steps) == 1 and len(" ".join(title)) > 41 for title, steps in lanes)


def _subgraph_children(mermaid: str) -> dict[str, list[str]]:
    """Each subgraph's subgraphs, in source order; ``""`` is the top level."""
    children: dict[str, list[str]] = {"": []}
    stack = [""]
    for line in mermaid.splitlines():
        if m := re.match(r"\s*subgraph (\w+)\[", line):
            children[stack[-1]].append(m.group(1))
            children[m.group(1)] = []
            stack.append(m.group(1))
        elif line.strip() == "end":
            stack.pop()
    assert stack == [""]
    return children


def _process(lanes: int) -> str:
    """A process with ``lanes`` lanes over all four zones and flows back and forth between them."""
    kinds = ["customer", "onstage", "backstage", "support"]
    out = ["version: 1", "process:", "  id: p", "  name: Lanes", "lanes:"]
    for i in range(lanes):
        out += [f"- id: lane{i}", f"  name: Lane {i}", f"  kind: {kinds[i % 4]}"]
    out.append("steps:")
    for i in range(2 * lanes):
        out += [f"- id: s{i}", f"  name: Step {i}", f"  lane: lane{(i * 3) % lanes}"]
        if i < 2 * lanes - 1:
            out += ["  next:", f"  - to: s{i + 1}", "    when: on"] + ([f"  - s{i // 2}"] if i > 1 else [])
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("lanes", [1, 2, 3, 4, 5, 7, 8, 9, 16])
def test_lanes_nested_in_pairs_in_blueprint_order(tmp_path: Path, run, lanes: int) -> None:
    """Dagre crashes on three or more sibling subgraphs (docs/render.md, Mermaid): no subgraph, and not
    the top level, holds more than two lane subgraphs or groups; the groups are invisible and blank;
    the lanes read top to bottom in blueprint order, each once, with its steps."""
    src = tmp_path / "p.yaml"
    src.write_text(_process(lanes), encoding="utf-8")
    res = run("render", src, "-o", "-", "-f", "mermaid")
    assert res.returncode == 0, res.stderr
    mermaid = res.stdout if isinstance(res.stdout, str) else res.stdout.decode()
    children = _subgraph_children(mermaid)
    for parent, subs in children.items():
        assert len([s for s in subs if s != "LEGEND"]) <= 2, (parent, subs)
    order = [m.group(1) for m in re.finditer(r"subgraph (L\d+)\[", mermaid)]
    assert order == [f"L{i}" for i in range(lanes)]
    groups = [name for name in children if name.startswith("G")]
    assert len(groups) == max(0, lanes - 2)  # a binary tree of `lanes` leaves, the top level its root
    for group in groups:
        assert f'subgraph {group}[" "]' in mermaid and f"style {group} fill:none,stroke:none" in mermaid
        assert all(re.fullmatch(r"[GL]\d+", s) for s in children[group])
    steps = re.findall(r"^\s+(S\d+)[\[({]", mermaid, flags=re.MULTILINE)
    assert sorted(steps) == sorted(f"S{i}" for i in range(2 * lanes))
