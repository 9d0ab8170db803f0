"""Print procmap's performance figures, each next to its floor, as ratios.

Machines here are shared and noisy, so every figure is a median of several
runs and is reported as a ratio to a floor measured in the same run on the
same files:

* validate / audit  ÷  a raw ``yaml.load(..., CSafeLoader)`` of the same bytes
  (both as fresh processes, so start-up is on both sides);
* start-up (``--version``, validate of one small file)  ÷  ``python -c "import yaml"``;
* render  ÷  the raw layout call on the DOT that procmap produces (bench_render.py);
* growth: validate and audit at 1k / 10k / 100k steps, time and peak memory per step.

Usage:  python benchmarks/run.py [--quick] [--skip-render] [--skip-growth]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import branchy_yaml, dense_yaml, long_word_yaml, process_yaml  # noqa: E402

GOALS = {"validate": 2.0, "audit": 3.0, "startup": 2.5, "render": 1.3}


def procmap_cmd() -> list[str]:
    script = Path(sys.executable).with_name("procmap")
    return [str(script)] if script.exists() else [sys.executable, "-m", "procmap"]


def timed(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of ``cmd`` over ``runs`` runs (output discarded, exit 0/1 accepted)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append(time.perf_counter() - t)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()}")
    return statistics.median(times)


def peak_kib(cmd: list[str]) -> int:
    """Peak resident memory of one run, from GNU time when present, else from rusage."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if gnu_time:
        proc = subprocess.run(
            [gnu_time, "-f", "%M", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "0"
        try:
            return int(last)
        except ValueError:
            pass
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)


FLOOR_SCRIPT = (
    "import sys, yaml\n"
    "for p in sys.argv[1:]:\n"
    "    with open(p, 'rb') as f: yaml.load(f.read().decode('utf-8'), Loader=yaml.CSafeLoader)\n"
)


def floor_cmd(files: list[Path]) -> list[str]:
    return [sys.executable, "-c", FLOOR_SCRIPT, *map(str, files)]


def row(label: str, value: float, floor: float, goal: float | None, unit: str = "s") -> str:
    ratio = value / floor if floor else float("inf")
    verdict = "" if goal is None else ("  ok" if ratio <= goal else f"  OVER goal {goal}")
    return f"  {label:<44} {value:8.3f} {unit}   floor {floor:8.3f} {unit}   ratio {ratio:5.2f}{verdict}"


def chain_yaml(decisions: int) -> str:
    """A chain of two-way decisions with shares: 2**decisions journeys (10**30 at 100)."""
    out = [
        "version: 1",
        "process: {id: many, name: Many journeys}",
        "lanes:",
        "  - {id: customer, name: Customer, kind: customer}",
        "  - {id: desk, name: Desk, kind: onstage}",
        "  - {id: phone, name: Phone, kind: onstage}",
        "steps:",
    ]
    for i in range(decisions):
        out += [
            f"  - id: c{i}",
            f"    name: Decide {i}",
            "    lane: customer",
            "    next:",
            f"      - {{to: a{i}, when: desk, share: 0.5}}",
            f"      - {{to: b{i}, when: phone, share: 0.5}}",
            f"  - {{id: a{i}, name: Desk {i}, lane: desk, owner: Desk, channel: web, duration: 1m, next: [c{i + 1}]}}",
            f"  - {{id: b{i}, name: Phone {i}, lane: phone, owner: Phone, channel: phone, duration: 2m, next: [c{i + 1}]}}",
        ]
    out.append(f"  - {{id: c{decisions}, name: Done, lane: customer}}")
    return "\n".join(out) + "\n"


def ring_yaml(steps: int) -> str:
    """One loop through the whole process (every 10th step may send the customer back to the start), with shares:
    the expected figures need a linear solve over one strongly connected component of ``steps`` steps."""
    out = [
        "version: 1",
        "process: {id: ring, name: Ring}",
        "lanes:",
        "  - {id: customer, name: Customer, kind: customer}",
        "  - {id: desk, name: Desk, kind: onstage}",
        "  - {id: back, name: Back office, kind: backstage}",
        "steps:",
    ]
    lanes = ["customer", "desk", "back"]
    for i in range(steps):
        nxt = f"s{i + 1}" if i + 1 < steps else None
        flows = []
        if nxt and i % 10 == 9:
            flows = [f"{{to: {nxt}, when: ok, share: 0.9}}", "{to: s0, when: again, share: 0.1}"]
        elif nxt:
            flows = [nxt]
        body = f"  - {{id: s{i}, name: Step {i}, lane: {lanes[i % 3]}, owner: Team, backup: Lead, duration: 1h"
        out.append(body + (f", next: [{', '.join(flows)}]}}" if flows else "}"))
    return "\n".join(out) + "\n"


JOURNEYS_SCRIPT = (
    "import sys, time, gc\n"
    "gc.disable()\n"
    "from procmap.config import Config\n"
    "from procmap.validate import check_file\n"
    "from procmap.analysis.journeys import Journeys\n"
    "from procmap.analysis.journeys.report import journeys_report\n"
    "r = check_file(sys.argv[1], Config())\n"
    "t = time.perf_counter()\n"
    "rep = journeys_report(Journeys(r.graph), r.analysis.no_backup)\n"
    "print(time.perf_counter() - t, len(str(rep['count'])), rep['expected'] is not None)\n"
)


def journeys_section(pm: list[str], env: dict[str, str], work: Path, runs: int) -> None:
    """SPEC §5 at scale: the journey analysis inside audit, an exact count of 10**30 journeys, a big linear solve."""
    print("journeys  (SPEC §5; audit includes them; floor: raw yaml.load with CSafeLoader)")
    big = work / "journeys-16k.yaml"
    big.write_text(process_yaml(16_000), encoding="utf-8")
    f_big = timed(floor_cmd([big]), runs)
    print(
        row(
            "audit 16,000-step file (json)",
            timed([*pm, "audit", "--format", "json", str(big)], runs, env),
            f_big,
            GOALS["audit"],
        )
    )
    for label, path in (
        ("2**100 journeys (100 decisions)", work / "chain.yaml"),
        ("one 3,000-step loop, shares (expected)", work / "ring.yaml"),
    ):
        path.write_text(chain_yaml(100) if "chain" in path.name else ring_yaml(3_000), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-c", JOURNEYS_SCRIPT, str(path)], capture_output=True, text=True, env=env
        )
        if proc.returncode != 0:
            raise SystemExit(f"journeys benchmark failed: {proc.stderr}")
        seconds, digits, has_expected = proc.stdout.split()
        verdict = "ok" if float(seconds) < 1.0 else "OVER goal 1 s"
        print(
            f"  {label:<44} {float(seconds):8.3f} s   (count has {digits} digits, expected "
            f"{'computed' if has_expected == 'True' else 'null'})  {verdict}"
        )


HOSTILE_SHAPES = (
    ("branchy 400 steps (4 lanes, 5 flows each)", "branchy-400.yaml", lambda: branchy_yaml(400)),
    ("branchy 3,000 steps", "branchy-3000.yaml", lambda: branchy_yaml(3_000)),
    ("dense 2,000 steps x 40 flows", "dense-2000x40.yaml", lambda: dense_yaml(2_000)),
    ("one 20 MB word as a step name", "word-20mb.yaml", lambda: long_word_yaml(20_000_000)),
)
HOSTILE_COMMANDS = (
    ("validate", []),
    ("audit -f json", ["audit", "-f", "json"]),
    ("diff F F", ["diff"]),
    ("render dot", ["render", "-f", "dot", "-o", "-"]),
    ("export graphml", ["export", "--to", "graphml"]),
)
HOSTILE_GOAL = 10.0  # times the raw YAML load of the same file: "answers within seconds"


def hostile_section(pm: list[str], env: dict[str, str], work: Path) -> None:
    """Issue 15's shapes: small valid files whose cost exploded (n³ waits, quadratic word wrap)."""
    print("hostile shapes  (floor: raw yaml.load of the same file; one run each; output size in bytes)")
    for label, name, build in HOSTILE_SHAPES:
        path = work / name
        path.write_text(build(), encoding="utf-8")
        floor = timed(floor_cmd([path]), 1)
        for what, args in HOSTILE_COMMANDS:
            cmd = [*pm, *(args or ["validate"]), str(path)]
            if what == "diff F F":
                cmd.append(str(path))
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
            seconds = time.perf_counter() - t0
            kib = peak_kib(cmd)
            ok = proc.returncode in (0, 1)
            print(
                row(f"{label}: {what}", seconds, floor, HOSTILE_GOAL)
                + f"   out {len(proc.stdout):>11,}   peak {kib / 1024:6.0f} MiB{'' if ok else '  FAILED'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller growth sizes")
    parser.add_argument("--skip-render", action="store_true")
    parser.add_argument("--skip-growth", action="store_true")
    parser.add_argument("--skip-hostile", action="store_true", help="skip the hostile shapes of issue 15")
    args = parser.parse_args()
    runs = 3 if args.quick else 5
    pm = procmap_cmd()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    work = Path(tempfile.mkdtemp(prefix="procmap-bench-"))
    try:
        big = work / "big.yaml"
        big.write_text(process_yaml(20_000), encoding="utf-8")
        corpus = work / "corpus"
        corpus.mkdir()
        for i in range(500):
            (corpus / f"p{i:03d}.yaml").write_text(process_yaml(60, seed=i, pid=f"p{i:03d}"), encoding="utf-8")
        small = work / "small.yaml"
        small.write_text(process_yaml(10), encoding="utf-8")
        corpus_files = sorted(corpus.glob("*.yaml"))

        print(
            f"procmap benchmarks ({runs} runs each, medians; python {sys.version.split()[0]}, {os.cpu_count()} cores)"
        )
        print("validate / audit  (floor: raw yaml.load with CSafeLoader of the same files, fresh process)")
        f_big = timed(floor_cmd([big]), runs)
        f_corpus = timed(floor_cmd(corpus_files), runs)
        print(row("validate 20,000-step file", timed([*pm, "validate", str(big)], runs, env), f_big, GOALS["validate"]))
        print(
            row(
                "validate 500-file corpus",
                timed([*pm, "validate", str(corpus)], runs, env),
                f_corpus,
                GOALS["validate"],
            )
        )
        jobs = str(os.cpu_count() or 1)
        print(
            row(
                f"validate 500-file corpus --jobs {jobs}",
                timed([*pm, "validate", "--jobs", jobs, str(corpus)], runs, env),
                f_corpus,
                GOALS["validate"],
            )
        )
        print(
            row(
                "audit 20,000-step file (json)",
                timed([*pm, "audit", "--format", "json", str(big)], runs, env),
                f_big,
                GOALS["audit"],
            )
        )
        print(
            row(
                "audit 500-file corpus (json)",
                timed([*pm, "audit", "--format", "json", str(corpus)], runs, env),
                f_corpus,
                GOALS["audit"],
            )
        )

        journeys_section(pm, env, work, runs)

        print('start-up  (floor: python -c "import yaml")')
        f_start = timed([sys.executable, "-c", "import yaml"], runs * 2)
        print(row("procmap --version", timed([*pm, "--version"], runs * 2, env), f_start, GOALS["startup"]))
        print(
            row(
                "procmap validate (10-step file)",
                timed([*pm, "validate", str(small)], runs * 2, env),
                f_start,
                GOALS["startup"],
            )
        )
        stack = timed([sys.executable, "-c", "import yaml, pydantic, typer, networkx"], runs * 2)
        print(row("(context) import yaml+pydantic+typer+networkx", stack, f_start, None))

        if not args.skip_render:
            bench_render = HERE / "bench_render.py"
            if bench_render.exists():
                print("render  (floor: the raw layout engine on the DOT procmap produces)")
                sys.stdout.flush()
                subprocess.run([sys.executable, str(bench_render), "--runs", str(runs)], check=False)
            else:
                print("render: benchmarks/bench_render.py not present")

        if not args.skip_hostile:
            hostile_section(pm, env, work)

        if not args.skip_growth:
            sizes = (1_000, 10_000, 30_000) if args.quick else (1_000, 10_000, 100_000)
            print("growth  (time per step must stay flat; peak memory per step)")
            for command in ("validate", "audit"):
                for n in sizes:
                    path = work / f"grow-{n}.yaml"
                    if not path.exists():
                        path.write_text(process_yaml(n), encoding="utf-8")
                    cmd = [*pm, command, "--max-file-size", str(200 * 1024 * 1024), str(path)]
                    if command == "audit":
                        cmd[len(pm) + 1 : len(pm) + 1] = ["--format", "json"]
                    t = timed(cmd, 1 if n >= 100_000 else min(runs, 3), env)
                    floor = timed(floor_cmd([path]), 1 if n >= 100_000 else min(runs, 3))
                    kib = peak_kib(cmd)
                    print(
                        f"  {command:<8} {n:>7,} steps  {t:7.2f} s  {t / n * 1e6:7.1f} µs/step  "
                        f"floor {floor:6.2f} s  ratio {t / floor:4.2f}  peak {kib / 1024:7.1f} MiB  "
                        f"{kib * 1024 / n / 1024:6.1f} KiB/step"
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
