"""No collisions, checked by geometry: every example and 100 random processes, in every view.

Flows are checked too: no two flows share a segment and no flow runs along a
blueprint line, on every example and the 100 random processes, in every view
(before procmap moved such flows apart after routing, Graphviz's orthogonal
router laid two flows on top of each other in 11 full and 14 customer views of
the 100, and 3 customer views ran a flow along a line).

The SVGs are rendered once per module (the renders are the expensive part)
and every check reads them; see ``svg_geometry`` for what counts as a
collision.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES

sys.path.insert(0, str(Path(__file__).parent))
pytest.importorskip("lxml.etree")
pytest.importorskip("wasmtime")

from svg_geometry import collisions, diagonal_flows, flows_on_lines, misplaced_labels, parse, shared_segments

RANDOM_PROCESSES = 100
KINDS = ("customer", "onstage", "backstage", "support")
WORDS = (
    "check confirm the customer's order send a reminder review documents approve refund call back "
    "escalate to second line verify identity schedule visit log ticket update record notify "
    "Überprüfung données client naïve café 東京 déjà-vu supercalifragilisticexpialidocious"
).split()


def random_process(seed: int) -> str:
    """A valid process of 10–120 steps: every step reachable, branches with labels of any length, loops,
    self-loops, stacked steps, evidence notes, fail points and channels."""
    rng = random.Random(seed)
    n = rng.randint(10, 120)
    lanes = [("customer", "Customer", "customer")]
    for k in range(rng.randint(2, 7)):
        kind = rng.choice(KINDS)
        name = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).capitalize()
        lanes.append((f"lane{k}", name, kind))
    lines = ["version: 1", "process:", f"  id: random-{seed}", f"  name: Random process {seed}", "lanes:"]
    for lid, name, kind in lanes:
        lines += [f"  - id: {lid}", f'    name: "{name}"', f"    kind: {kind}"]
    nexts: dict[int, list[int]] = {i: [] for i in range(n)}
    for i in range(1, n):  # every step reachable from an earlier one
        nexts[rng.randrange(max(0, i - 6), i)].append(i)
    for i in range(n - 1):
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            j = rng.randrange(i + 1, min(n, i + 8))
            if j not in nexts[i]:
                nexts[i].append(j)
        if rng.random() < 0.08 and i > 2:
            nexts[i].append(rng.randrange(max(0, i - 5), i))  # a loop back
        if rng.random() < 0.03:
            nexts[i].append(i)  # a self-loop
    lines.append("steps:")
    for i in range(n):
        lid = rng.choice(lanes)[0]
        name = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 9)))
        lines += [f"  - id: s{i}", f'    name: "{name}"', f"    lane: {lid}", "    owner: Someone"]
        if rng.random() < 0.3:
            lines.append(f"    channel: {rng.choice(['web', 'phone', 'e-mail', 'in person at the branch'])}")
        if rng.random() < 0.2:
            lines.append(f'    evidence: "{" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12)))}"')
        if rng.random() < 0.1:
            lines.append("    fail_point: true")
        if rng.random() < 0.5:
            lines.append(f"    duration: {rng.randint(1, 90)}m")
        if nexts[i]:
            lines.append("    next:")
            for j in nexts[i]:
                lines.append(f"      - to: s{j}")
                if len(nexts[i]) > 1:
                    label = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 7)))
                    lines.append(f'        when: "{label}"')
    return "\n".join(lines) + "\n"


def _render(path: Path, view: str) -> bytes:
    from procmap.config import Config
    from procmap.render import render
    from procmap.validate import require_valid

    return render(require_valid(str(path), Config()), "svg", view=view)


CHUNKS = 4  # the 100 processes in four tests, so that pytest-xdist spreads them over the cores


def _random_files(folder: Path, chunk: int) -> list[Path]:
    files = []
    for seed in range(chunk, RANDOM_PROCESSES, CHUNKS):
        path = folder / f"random-{seed}.yaml"
        path.write_text(random_process(seed), encoding="utf-8")
        files.append(path)
    return files


@pytest.mark.parametrize("view", ["full", "customer", "story"])
@pytest.mark.parametrize(
    "example", [*sorted(EXAMPLES.glob("*.yaml")), *sorted(EXAMPLES.glob("stories/*.yaml"))], ids=lambda p: p.stem
)
def test_examples_have_no_collisions(example: Path, view: str):
    pic = parse(_render(example, view))
    assert pic.texts and pic.shapes and (pic.lines or view == "story")  # the story slide is one band: no lines
    assert collisions(pic) == []
    assert misplaced_labels(pic) == []
    assert shared_segments(pic) == []
    assert flows_on_lines(pic) == []
    assert diagonal_flows(pic) == []  # right angles: the segment checks are about orthogonal routes


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_evidence_row_has_no_collisions(example: Path):
    from procmap.config import Config
    from procmap.render import render
    from procmap.validate import require_valid

    pic = parse(render(require_valid(str(example), Config()), "svg", evidence="row"))
    assert collisions(pic) == [] and misplaced_labels(pic) == []
    assert shared_segments(pic) == [] and flows_on_lines(pic) == []


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("view", ["full", "customer", "story"])
def test_random_processes_have_no_collisions(tmp_path: Path, view: str, chunk: int):
    problems = {}
    labels = 0
    for path in _random_files(tmp_path, chunk):
        pic = parse(_render(path, view))
        labels += sum(t.kind == "branch-label" for t in pic.texts)
        found = collisions(pic) + misplaced_labels(pic) + shared_segments(pic) + flows_on_lines(pic)
        if found:
            problems[path.name] = found[:3]
    assert labels > (20 if view == "story" else 50)  # the processes do exercise branch labels
    assert problems == {}


def test_the_checker_sees_collisions():
    """The checker itself: a label on a node, on a blueprint line, two texts on each other, a far label."""
    svg = b"""<svg xmlns="http://www.w3.org/2000/svg" width="400pt" height="300pt" viewBox="0 0 400 300">
<g id="row1" class="graph part" transform="scale(1 1) rotate(0) translate(10 290)">
<polyline fill="none" stroke="#1f2937" stroke-width="1.6" points="0,-100 400,-100"/>
<g id="step-a" class="node step decision"><polygon fill="#fff" stroke="#000" points="100,-200 150,-175 100,-150 50,-175 100,-200"/>
<text text-anchor="middle" x="100" y="-172" font-family="Helvetica" font-size="11.00">A</text></g>
<g id="flow-1" class="edge flow"><path fill="none" stroke="#000" d="M150,-175C150,-175 170,-175 170,-175 170,-175 170,-20 170,-20 170,-20 390,-20 390,-20"/></g>
<g id="label-flow-1" class="branch-label"><text text-anchor="start" x="340" y="-23" font-size="9.00">far away</text></g>
<g id="t1" class="node"><text text-anchor="start" x="60" y="-98" font-size="9.00">on the line</text></g>
<g id="t2" class="node"><text text-anchor="start" x="70" y="-99" font-size="9.00">on the other text</text></g>
<g id="t3" class="node"><text text-anchor="start" x="120" y="-178" font-size="9.00">in the diamond</text></g>
<g id="t4" class="node"><text text-anchor="start" x="152" y="-192" font-size="9.00">beside the corner</text></g>
</g></svg>"""
    pic = parse(svg)
    found = collisions(pic)
    assert any("'on the line'" in f and "blueprint line" in f for f in found)
    assert any("overlaps text" in f for f in found)
    assert any("'in the diamond'" in f and "step-a" in f for f in found)
    assert not any("beside the corner" in f for f in found)  # outside the rhombus, inside its bounding box
    assert misplaced_labels(pic) and "label-flow-1" in misplaced_labels(pic)[0]


def test_the_checker_sees_shared_segments_and_flows_on_lines():
    svg = b"""<svg xmlns="http://www.w3.org/2000/svg" width="400pt" height="300pt" viewBox="0 0 400 300">
<g id="row1" class="graph part" transform="scale(1 1) rotate(0) translate(10 290)">
<polyline fill="none" stroke="#1f2937" stroke-width="1.6" points="0,-100 400,-100"/>
<g id="flow-1" class="edge flow journey"><title>s:a&#45;&gt;s:b</title><path fill="none" d="M10,-200C10,-200 300,-200 300,-200"/></g>
<g id="flow-2" class="edge flow"><title>s:c&#45;&gt;s:d</title><path fill="none" d="M100,-200C100,-200 200,-200 200,-200"/></g>
<g id="flow-3" class="edge flow"><title>s:e&#45;&gt;s:f</title><path fill="none" d="M20,-100C20,-100 90,-100 90,-100"/></g>
<g id="flow-4" class="edge flow"><title>s:g&#45;&gt;s:h</title><path fill="none" d="M50,-150C50,-150 50,-20 50,-20"/></g>
</g></svg>"""
    pic = parse(svg)
    shared = shared_segments(pic)
    assert len(shared) == 1 and "flow-1" in shared[0] and "flow-2" in shared[0]  # crossing flow-4 is no sharing
    assert shared_segments(pic, "journey") == shared
    on = flows_on_lines(pic)
    assert len(on) == 1 and "flow-3" in on[0]


def test_flows_on_one_track_are_moved_apart():
    """What Graphviz's router does now and then, undone after routing: a flow on the journey's track and a
    flow along a blueprint line are shifted sideways (arrowhead included); the journey keeps its track."""
    from procmap.render.labels import separate

    part = """<g id="row1" class="graph part" transform="scale(1 1) rotate(0) translate(10 290)">
<polyline fill="none" stroke="#1f2937" stroke-width="1.6" points="0,-100 400,-100"/>
<g id="flow&#45;1" class="edge flow journey"><title>s:a&#45;&gt;s:b</title><path fill="none" d="M10,-250C10,-250 10,-200 10,-200 10,-200 300,-200 300,-200"/><polygon points="300,-202 307,-200 300,-198 300,-202"/></g>
<g id="flow&#45;2" class="edge flow"><title>s:c&#45;&gt;s:d</title><path fill="none" d="M100,-250C100,-250 100,-200 100,-200 100,-200 200,-200 200,-200"/><polygon points="200,-202 207,-200 200,-198 200,-202"/></g>
<g id="flow&#45;3" class="edge flow"><title>s:e&#45;&gt;s:f</title><path fill="none" d="M20,-150C20,-150 20,-100 20,-100 20,-100 90,-100 90,-100"/><polygon points="90,-102 97,-100 90,-98 90,-102"/></g>
</g>"""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="400pt" height="300pt" viewBox="0 0 400 300">{}</svg>'
    before = parse(svg.format(part).encode())
    assert shared_segments(before) and flows_on_lines(before)  # the checker sees both
    after = parse(svg.format(separate(part)).encode())
    assert shared_segments(after) == [] and flows_on_lines(after) == []
    assert after.flows["flow-1"] == before.flows["flow-1"]  # the journey kept its track
    moved = after.flows["flow-2"][-1][1] - before.flows["flow-2"][-1][1]
    assert abs(moved) >= 3
    arrow = separate(part).split('id="flow&#45;2"')[1].split("points=")[1]
    assert f"{-200 + moved:.2f}" in arrow  # the arrowhead went with its flow
    assert separate(separate(part)) == separate(part)  # nothing left to move
    assert diagonal_flows(after) == []
    curved = part.replace("M10,-250C10,-250 10,-200 10,-200", "M10,-250C10,-250 40,-200 40,-200")
    assert diagonal_flows(parse(svg.format(curved).encode())) == ["flow flow-1 has a diagonal piece at (20, 40)"]
    assert 'd="M10,-250C10,-250 40,-200' in separate(curved)  # a curved route is left alone
