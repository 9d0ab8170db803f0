"""`procmap render`: the blueprint layout, the five formats and the command's contract."""

from __future__ import annotations

import importlib.util
import itertools
import re
import struct
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

etree = pytest.importorskip("lxml.etree")

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
LINE_LABELS = ("LINE OF INTERACTION", "LINE OF VISIBILITY", "LINE OF INTERNAL INTERACTION")

# Lanes listed out of blueprint order, an empty lane, a visibility override
# (a backstage clerk who phones the customer), a loop, a self-loop, a decision
# with labelled branches, evidence, a fail point, two end steps.
PROCESS = """\
version: 1
process:
  id: refund
  name: Refund request
lanes:
  - id: ledger
    name: Ledger system
    kind: support
  - id: clerk
    name: Billing clerk
    kind: backstage
  - id: customer
    name: Customer
    kind: customer
  - id: desk
    name: Service desk
    kind: onstage
  - id: idle
    name: Idle lane
    kind: onstage
steps:
  - id: ask
    name: Ask for a refund
    lane: customer
    channel: web
    next: [log]
  - id: log
    name: Log the request
    lane: desk
    channel: chat
    evidence: Chat transcript
    next: [check]
  - id: check
    name: Check the payment
    lane: clerk
    owner: Clerk
    fail_point: true
    next:
      - to: call
        when: unclear
      - to: pay
        when: clear
  - id: call
    name: Phone the customer
    lane: clerk
    visibility: onstage
    owner: Clerk
    next: [answer]
  - id: answer
    name: Answer the questions
    lane: customer
    next: [check]
  - id: pay
    name: Book the refund
    lane: ledger
    next:
      - to: pay
        when: retry
      - to: confirm
        when: booked
  - id: confirm
    name: Confirm the refund
    lane: desk
    next: [done, survey]
  - id: done
    name: Receive the money
    lane: customer
  - id: survey
    name: Send a survey
    lane: ledger
"""


def _bench():
    spec = importlib.util.spec_from_file_location("bench_render", ROOT / "benchmarks" / "bench_render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def result(write):
    from procmap.config import Config
    from procmap.validate import require_valid

    return require_valid(str(write(PROCESS)), Config())


def _svg_root(data: bytes):
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def _all_text(root) -> str:
    parts = [t.text or "" for t in root.iter(f"{SVG}text")]
    parts += [a.get(f"{XLINK}title", "") for a in root.iter(f"{SVG}a")]
    return "\n".join(parts)


def _center_y(group) -> float:
    numbers = []
    for el in group.iter():
        if el.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse"):
            data = el.get("d") or el.get("points") or ""
            numbers += [float(y) for _x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", data)]
            if el.get("cy"):
                numbers.append(float(el.get("cy")))
    return (min(numbers) + max(numbers)) / 2


# -- layout -------------------------------------------------------------------------------------------


def test_lanes_are_ordered_by_zone_then_file_order(result):
    from procmap.render import layout

    assert [lane.id for lane in layout.lane_order(result.graph)] == ["customer", "desk", "idle", "clerk", "ledger"]
    lay = layout.build(result.graph, result.analysis.visible_handoffs)
    assert [b.lane for b in lay.bands] == ["customer", "desk", "idle", "clerk", "ledger"]
    assert [r.key for r in lay.rules] == ["interaction", "visibility", "internal"]
    tops = {b.lane: b.top for b in lay.bands}
    rule_y = {r.key: r.y for r in lay.rules}
    assert tops["customer"] < rule_y["interaction"] <= tops["desk"] < tops["idle"] < rule_y["visibility"]
    assert rule_y["visibility"] <= tops["clerk"] < rule_y["internal"] <= tops["ledger"]


def test_every_step_sits_inside_its_own_lane_band(result):
    from procmap.render import layout

    lay = layout.build(result.graph, result.analysis.visible_handoffs)
    bands = {(b.lane, b.row): b for b in lay.bands}
    for step, box in lay.steps.items():
        band = bands[(result.graph.nodes[step]["lane"], box.row)]
        assert band.top < box.y - box.h / 2 and box.y + box.h / 2 < band.top + band.height, step


def test_steps_run_left_to_right_in_flow_order(result):
    from procmap.render import layout

    g = result.graph
    back = layout._back_edges(g)
    cols = layout.columns(g, back)
    assert back == {("answer", "check"), ("pay", "pay")}
    for u, v in g.edges:
        if (u, v) not in back:
            assert cols[u] < cols[v], (u, v)
    lay = layout.build(g, result.analysis.visible_handoffs)
    assert lay.steps["ask"].x < lay.steps["log"].x < lay.steps["check"].x < lay.steps["call"].x
    # The self-loop goes through a waypoint just above-right of its step, inside the band.
    [(waypoint, step)] = lay.loops
    assert step.step == "pay" and waypoint.x > step.x + step.w / 2 and waypoint.y < step.y - step.h / 2
    band = next(b for b in lay.bands if b.lane == "ledger")
    assert band.top < waypoint.y


def test_start_is_first_even_when_not_listed_first(write):
    from procmap.config import Config
    from procmap.render import layout
    from procmap.validate import require_valid

    text = PROCESS.replace("  name: Refund request\n", "  name: Refund request\n  start: ask\n")
    text = text.replace("steps:\n", "steps:\n  - id: zzz\n    name: Later\n    lane: customer\n    next: [done]\n", 1)
    text = text.replace("    next: [answer]", "    next: [answer, zzz]")
    res = require_valid(str(write(text)), Config())
    cols = layout.columns(res.graph, layout._back_edges(res.graph))
    assert cols["ask"] == 0 and cols["zzz"] > cols["call"]


def test_nothing_overlaps_even_at_200_steps(write):
    """Graphviz falls back to straight edges through nodes when obstacles come within 6 points of each other."""
    from procmap.config import Config
    from procmap.render import layout
    from procmap.validate import require_valid

    res = require_valid(str(write(_bench().generate(200))), Config())
    lay = layout.build(res.graph, res.analysis.visible_handoffs)
    boxes = [b for s in lay.steps.values() for b in (s, s.note) if b is not None]
    boxes += [b.title for b in lay.bands if b.title] + [r.tag for r in lay.rules]
    boxes += [*lay.connectors, *lay.row_tags, lay.title, lay.subtitle, lay.start] + [b for _k, b in lay.legend]
    boxes += [waypoint for waypoint, _step in lay.loops]
    margin = 6.5
    boxes.sort(key=lambda b: b.y - b.h / 2)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b.y - b.h / 2 > a.y + a.h / 2 + margin:
                break
            close = abs(a.x - b.x) < (a.w + b.w) / 2 + margin and abs(a.y - b.y) < (a.h + b.h) / 2 + margin
            assert not close, (a.name, b.name)
    assert lay.rows == 10  # 200 generated steps wrap into parts of at most 20 columns


def test_long_processes_wrap_into_parts_joined_by_numbered_connectors(write):
    from procmap.config import Config
    from procmap.render import layout
    from procmap.validate import require_valid

    res = require_valid(str(write(_bench().generate(60))), Config())
    g = res.graph
    lay = layout.build(g, res.analysis.visible_handoffs, wrap=10)
    assert lay.rows > 1 and len(lay.row_tags) == lay.rows
    assert all(len([b for b in lay.bands if b.row == r]) == 7 for r in range(lay.rows))
    outs = {c.lines[0] for c in lay.connectors if c.name.endswith(":out")}
    ins = {c.lines[0] for c in lay.connectors if c.name.endswith(":in")}
    assert outs == ins and outs
    crossing = [(u, v) for u, v in g.edges if lay.steps[u].row != lay.steps[v].row]
    assert len(outs) == len(crossing)
    single = layout.build(g, res.analysis.visible_handoffs, wrap=0)
    assert single.rows == 1 and not single.connectors


def test_visible_handoffs_come_from_the_analysis(result):
    from procmap.render import layout

    visible = result.analysis.visible_handoffs
    assert visible, "the fixture must have customer-visible handoffs"
    lay = layout.build(result.graph, visible)
    assert [badge for badge, _ in lay.handoffs] == [f"H{i}" for i in range(1, len(visible) + 1)]
    highlighted = {(e.source, e.target) for e in lay.edges if e.handoff}
    for vh in visible:
        path = [vh.source, *vh.via, vh.target]
        assert set(itertools.pairwise(path)) <= highlighted
    # Nothing else is highlighted.
    expected = {p for vh in visible for p in zip([vh.source, *vh.via], [*vh.via, vh.target], strict=False)}
    assert highlighted == expected


def test_labels_are_wrapped_and_bounded():
    from procmap.render import text

    lines = text.wrap("word " * 200, 130, 11, max_lines=5)
    assert len(lines) == 5 and lines[-1].endswith("…")
    assert all(text.width(line, 11) <= 130 for line in lines)
    pieces = text.wrap("x" * 300, 100, 11)
    assert all(text.width(p, 11) <= 100 for p in pieces)
    assert text.wrap("a\nb", 100, 11) == ["a", "b"]
    assert text.clean("a\x00b\x1bc\ud800d\ufffe") == "a\ufffdb\ufffdc\ufffdd\ufffd"


# -- formats ------------------------------------------------------------------------------------------


def test_svg_has_every_step_lane_and_line_label(result):
    from procmap.render import render

    data = render(result, "svg")
    root = _svg_root(data)
    text = _all_text(root)
    for n, d in result.graph.nodes(data=True):
        assert d["name"] in text, n
    for lane in result.graph.graph["lanes"].values():
        assert lane.name in text
    for label in LINE_LABELS:
        assert label in text
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), "ids must stay unique across the stacked parts"


def test_svg_styles_steps_by_role(result):
    from procmap.render import render

    root = _svg_root(render(result, "svg", highlight="all"))
    classes = {
        g.get("id"): set(g.get("class", "").split())
        for g in root.iter(f"{SVG}g")
        if g.get("id", "").startswith("step-")
    }
    assert "customer-action" in classes["step-ask"] and "start" in classes["step-ask"]
    assert "touchpoint" in classes["step-log"] and "touchpoint" in classes["step-call"]
    assert {"backstage", "decision", "fail-point"} <= classes["step-check"]
    assert "support" in classes["step-pay"] and "decision" in classes["step-pay"]
    assert "end" in classes["step-done"] and "end" in classes["step-survey"]
    assert root.find(f".//{SVG}g[@id='evidence-log']") is not None
    assert root.find(f".//{SVG}g[@id='start']") is not None
    handoff_edges = [g for g in root.iter(f"{SVG}g") if "visible-handoff" in (g.get("class") or "")]
    assert handoff_edges
    legend = root.find(f".//{SVG}g[@id='legend-visible-handoffs']")
    assert legend is not None and "H1" in "".join(t.text or "" for t in legend.iter(f"{SVG}text"))


def test_svg_keeps_every_step_in_its_lane(result):
    """Read the drawing back: each step's shape is vertically centred on its own lane's title."""
    from procmap.render import render

    root = _svg_root(render(result, "svg"))
    lane_y = {}
    for g in root.iter(f"{SVG}g"):
        m = re.fullmatch(r"lane-(.+)-1", g.get("id", ""))
        if m:
            lane_y[m.group(1)] = float(next(g.iter(f"{SVG}text")).get("y"))
    assert set(lane_y) == {"customer", "desk", "idle", "clerk", "ledger"}
    for n, d in result.graph.nodes(data=True):
        group = root.find(f".//{SVG}g[@id='step-{n}']")
        y = _center_y(group)
        nearest = min(lane_y, key=lambda lane: abs(lane_y[lane] - y))
        assert nearest == d["lane"], (n, nearest)


def test_dot_output_is_accepted_by_graphviz(result):
    from procmap.render import render
    from procmap.render.engines import wasm_engine

    engine = wasm_engine()
    if engine is None:
        pytest.skip("the bundled Graphviz engine is not installed")
    source = render(result, "dot").decode()
    assert "layout=nop2" in source and source.count('id="step-') == result.graph.number_of_nodes()
    svg = engine.render(source, "svg")
    assert b"Ask for a refund" in svg
    _svg_root(svg)


def test_png_is_a_real_picture_with_text(result):
    from PIL import Image

    from procmap.render import render

    data = render(result, "png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 800 and height > 400
    import io

    image = Image.open(io.BytesIO(data)).convert("L")
    dark = sum(image.histogram()[:80])
    assert dark > 2000, "text and outlines must be drawn (resvg drops text when no font matches)"


def test_png_scale_and_cap():
    from procmap.render import raster

    assert raster.scale_for(1000, 500) == 1.5
    assert raster.scale_for(1000, 500, 3.0) == 3.0
    big = raster.scale_for(5000, 20000)
    assert 5000 * 20000 * big * big <= raster.MAX_PIXELS * 1.001
    assert raster.scale_for(60000, 100) * 60000 <= raster.MAX_SIDE + 1


def test_pdf_has_one_page_per_part_within_viewer_limits(write):
    from procmap.config import Config
    from procmap.render import render
    from procmap.validate import require_valid

    res = require_valid(str(write(_bench().generate(45))), Config())
    data = render(res, "pdf", wrap=10)
    assert data.startswith(b"%PDF-")
    boxes = [tuple(map(float, m)) for m in re.findall(rb"/MediaBox \[\s*([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", data)]
    from procmap.render import layout

    rows = layout.build(res.graph, res.analysis.visible_handoffs, wrap=10).rows
    assert len(boxes) == rows > 1
    assert all(0 < b[2] <= 14400 and 0 < b[3] <= 14400 for b in boxes)
    assert render(res, "pdf", wrap=10) == data, "PDF output must be reproducible"


def test_output_is_deterministic(result):
    from procmap.render import render

    for fmt in ("dot", "svg", "mermaid"):
        assert render(result, fmt) == render(result, fmt), fmt


def test_render_api_contract(result):
    from procmap.diagnostics import UsageError
    from procmap.render import FORMATS, RenderUnavailable, render

    assert FORMATS == ("svg", "png", "pdf", "dot", "mermaid")
    assert issubclass(RenderUnavailable, UsageError)
    with pytest.raises(UsageError):
        render(result, "jpeg")


# -- command ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "magic"),
    [
        ("out.svg", b"<?xml"),
        ("out.png", b"\x89PNG"),
        ("out.pdf", b"%PDF"),
        ("out.dot", b"// Service blueprint"),
        ("out.gv", b"// Service blueprint"),
        ("out.mmd", b"---\nconfig:\n  layout: elk\n---\n%% Service blueprint"),
        ("out.mermaid", b"---\nconfig:\n  layout: elk\n---\n%% Service blueprint"),
    ],
)
def test_format_follows_the_suffix(cli, write, tmp_path, name, magic):
    src = write(PROCESS)
    out = tmp_path / name
    res = cli("render", src, "-o", out)
    assert res.exit_code == 0, res.stderr
    assert out.read_bytes().startswith(magic)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_format_option_beats_the_suffix(cli, write, tmp_path):
    out = tmp_path / "diagram.txt"
    res = cli("render", write(PROCESS), "-o", out, "--format", "mermaid")
    assert res.exit_code == 0
    assert out.read_text().startswith("---\nconfig:\n  layout: elk\n---\n%% Service blueprint")


def test_mermaid_never_writes_an_empty_flow_label(cli, write, tmp_path):
    """A `when` of only a line break prints as nothing; `-->|""|` would be a Mermaid parse error."""
    text = PROCESS.replace("when: clear", 'when: "\\n"')
    assert 'when: "\\n"' in text
    out = tmp_path / "d.mmd"
    res = cli("render", write(text), "-o", out)
    assert res.exit_code == 0, res.stderr
    assert '|""|' not in out.read_text() and '|"<br>' not in out.read_text()


def test_text_formats_go_to_stdout(cli, write):
    res = cli("render", write(PROCESS), "-o", "-", "-f", "dot")
    assert res.exit_code == 0 and res.stdout.startswith("// Service blueprint")
    res = cli("render", write(PROCESS), "-o", "-", "-f", "svg")
    assert res.exit_code == 0 and "<svg" in res.stdout


def test_binary_to_a_pipe(run, write):
    proc = run("render", write(PROCESS), "-o", "-", "-f", "png")
    assert proc.returncode == 0 and proc.stdout.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "out.jpeg"], "cannot tell the format"),
        (["-o", "noext"], "cannot tell the format"),
        ([], "missing -o/--output"),
        (["-o", "-"], "--format is required"),
    ],
)
def test_usage_errors_exit_2_with_one_line(run, write, tmp_path, args, message):
    proc = run("render", write(PROCESS), *args, cwd=tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_rendering_onto_the_input_is_refused(run, write):
    src = write(PROCESS, name="process.svg")
    before = src.read_bytes()
    proc = run("render", src, "-o", src, "-f", "svg")
    assert proc.returncode == 2 and b"refusing to overwrite an input" in proc.stderr
    assert src.read_bytes() == before


def test_invalid_process_gives_diagnostics_and_no_output(run, write, tmp_path):
    src = write(PROCESS.replace("next: [log]", "next: [lgo]"))
    out = tmp_path / "out.svg"
    proc = run("render", src, "-o", out)
    assert proc.returncode == 1
    assert b"unknown-reference" in proc.stderr
    assert not out.exists()


def test_stdin_with_a_name(run, tmp_path):
    out = tmp_path / "x.mmd"
    proc = run("render", "-", "--stdin-filename", "refund.yaml", "-o", out, input=PROCESS)
    assert proc.returncode == 0, proc.stderr
    assert "Ask for a refund" in out.read_text()
    bad = run("render", "-", "--stdin-filename", "refund.yaml", "-o", out, input="version: 1\n")
    assert bad.returncode == 1 and b"refund.yaml" in bad.stderr


def test_help_has_examples(cli):
    res = cli("render", "--help")
    assert res.exit_code == 0
    assert "procmap render support.yaml -o support.svg" in res.stdout


@pytest.mark.skipif(not EXAMPLE_FILES, reason="no examples yet")
@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "dot", "mermaid"])
def test_every_example_renders(cli, tmp_path, example: Path, fmt):
    out = tmp_path / f"out.{fmt}"
    res = cli("render", example, "-o", out, "-f", fmt)
    assert res.exit_code == 0, res.stderr
    data = out.read_bytes()
    assert len(data) > 500
    if fmt == "svg":
        import yaml

        doc = yaml.safe_load(example.read_text(encoding="utf-8"))
        text = _all_text(_svg_root(data))
        for step in doc["steps"]:
            assert " ".join(step["name"].split()) in text
        for lane in doc["lanes"]:
            assert lane["name"] in text
        for label in LINE_LABELS:
            assert label in text


def test_huge_processes_are_refused_for_drawings_only(run, write, tmp_path):
    src = write(_bench().generate(30))
    proc = run("render", src, "-o", tmp_path / "out.svg", "--max-steps", "10")
    assert proc.returncode == 2
    assert b"30 steps are too many to draw" in proc.stderr and proc.stderr.count(b"\n") == 1
    assert not (tmp_path / "out.svg").exists()
    assert run("render", src, "-o", tmp_path / "out.dot", "--max-steps", "10").returncode == 0


def test_one_line_reads_only_the_head_of_a_huge_text_and_gives_the_same_line():
    """A 20 MB name is cleaned and measured only as far as can show; the line is the one the whole text gives."""
    import random
    import time

    from procmap.render import text

    def slow(s: str, limit: float, size: float) -> str:
        flat = " ".join(text.clean(s).split())
        return flat if text.width(flat, size) <= limit else text._shorten(flat, limit, size, False)

    rng = random.Random(5)
    samples = ["w" * 5000, " " * 5000 + "short", "\u0301" * 4000 + "x", "a\r\nb\tc " * 900]
    samples += ["".join(rng.choice("ab  \t\u0301é東\x00\r\n") for _ in range(rng.randint(0, 3000))) for _ in range(200)]
    for s in samples:
        for limit in (40.0, 300.0, 1100.0):
            assert text.one_line(s, limit, 9.0) == slow(s, limit, 9.0)
    huge = "w" * 20_000_000
    start = time.process_time()
    line = text.one_line(huge, 1100, 9.0)
    assert line.endswith(text.ELLIPSIS) and text.width(line, 9.0) <= 1100
    assert time.process_time() - start < 0.05  # it did not read 20 MB


def test_pictographs_are_measured_one_em_wide():
    """▲ ★ ⚠ ☎ are about 1 em in every face that draws them (0.6 em made their labels overrun the box)."""
    from procmap.render import text

    for ch in "▲★⚠☎":
        assert text.width(ch, 10.0) == 10.0
    assert text.width("東", 10.0) == 10.0 and text.width("é", 10.0) == text.width("e", 10.0)
