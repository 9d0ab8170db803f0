"""procmap's performance as a user measures it: whole processes, each beside its floor.

Every row runs two commands as fresh processes, interleaved (A B A B …) so
that the load of a shared machine falls on both alike, and reports the
medians and minimums of their CPU time (user + system, from ``wait4``) and
wall time, and the ratio.  Memory rows report the peak resident set
(the child's own VmHWM) above the same command on a 10-step file, per
step.  The verdict uses the median CPU ratio.  The machine and its load are
printed first: on a loaded machine absolute times stretch, ratios much less.

The tables printed are exactly the ones docs/performance.md shows (markdown).

Usage:  python benchmarks/run.py [--quick] [--rounds N] [--only ROW ...] [--save RUN.json]
        python benchmarks/run.py --compare FIRST.json SECOND.json

``--save`` keeps a run's figures; ``--compare`` sets two saved runs side by
side, row by row, with the difference of each and the largest: the spread
docs/performance.md states, and how a second run confirms (or not) the page.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_conform import MODEL as CONFORM_MODEL  # noqa: E402
from bench_conform import generate as conform_log  # noqa: E402
from bench_render import generate as render_process  # noqa: E402
from generate import branchy_yaml, process_yaml  # noqa: E402

PY = sys.executable
BIG = "--max-file-size=200000000"


@dataclass
class Run:
    cpu: float
    wall: float
    peak_kib: int


SPAWNER = r"""
import json, os, resource, subprocess, sys, time
def cap(limit):
    return lambda: resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 5))
for line in sys.stdin:
    req = json.loads(line)
    t = time.perf_counter()
    proc = subprocess.Popen(req["cmd"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=req["env"],
                            preexec_fn=cap(req["cpu_limit"]))
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.stderr.close()
    print(json.dumps({"code": os.waitstatus_to_exitcode(status), "cpu": usage.ru_utime + usage.ru_stime,
                      "wall": wall, "peak": usage.ru_maxrss, "err": err[-2000:].decode(errors="replace")}), flush=True)
"""


class Spawner:
    """Starts every measured process from a small helper started before any file was generated.

    Linux counts the memory of the process that forks (vfork or fork) in the
    child's ``ru_maxrss`` until it execs, so children started from this
    script, which holds generated files, inherited its peak (117 MiB for a
    10-step validate in a first version).  The helper stays at an idle
    interpreter's size, below any command measured.
    """

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [PY, "-c", SPAWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )

    def __call__(self, cmd: list[str], env: dict[str, str] | None) -> dict[str, object]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {"cmd": cmd, "env": env if env is not None else dict(os.environ), "cpu_limit": CPU_LIMIT[0]}
        self.proc.stdin.write(json.dumps(request) + "\n")
        return json.loads(self.proc.stdout.readline())


SPAWN = Spawner()
CPU_LIMIT = [600]  # seconds of CPU a measured process may use (--cpu-limit): a runaway row is reported, not waited for


class TooSlow(Exception):
    """A measured process used up its CPU limit (killed by RLIMIT_CPU)."""


# `python -m procmap ARGS` that reports its own peak memory (VmHWM, from its /proc status) as it ends.
HWM_PROBE = (
    "import runpy, sys\n"
    "sys.argv = ['procmap', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('procmap', run_name='__main__', alter_sys=True)\n"
    "finally:\n"
    "    hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
    "    sys.stderr.write('\\n' + hwm)\n"
)


def procmap_reporting_memory() -> list[str]:
    """The command prefix for rows that read memory: procmap measures its own peak.

    ``wait4``'s ``ru_maxrss`` is not the child's own figure: Linux carries the
    high-water mark of the process that forks across fork and exec.  The
    spawner below keeps that small, but the child's VmHWM is its own address
    space whatever started it (``/proc`` on Linux; elsewhere ``wait4``'s figure
    is used).
    """
    return [PY, "-c", HWM_PROBE] if Path("/proc/self/status").exists() else [PY, "-m", "procmap"]


def run(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """One fresh process: CPU from wait4, wall from the clock, peak memory its own VmHWM (else wait4's); exit 0 or 1."""
    done = SPAWN(cmd, env)
    code = int(done["code"])  # type: ignore[call-overload]
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and float(done["cpu"]) >= CPU_LIMIT[0]):  # type: ignore[arg-type]
        raise TooSlow(" ".join(cmd))
    if code not in (0, 1):
        raise SystemExit(f"benchmark command failed ({code}): {' '.join(cmd)}\n{done['err']}")
    peak = int(done["peak"])  # type: ignore[call-overload]
    err = str(done["err"])
    if "VmHWM:" in err:
        peak = int(err.rsplit("VmHWM:", 1)[1].split()[0])
    return Run(float(done["cpu"]), float(done["wall"]), peak)


def interleaved(
    a: list[str], b: list[str], rounds: int, env: dict[str, str], warm: bool = True
) -> tuple[list[Run], list[Run]]:
    """A B A B …: procmap and its floor alternate, after one untimed warm-up of each (file cache) when ``warm``."""
    if warm:
        run(a, env)
        run(b, env)
    ours, floor = [], []
    for _ in range(rounds):
        ours.append(run(a, env))
        floor.append(run(b, env))
    return ours, floor


def med(runs: list[Run], what: str) -> float:
    return statistics.median(getattr(r, what) for r in runs)


def low(runs: list[Run], what: str) -> float:
    return min(getattr(r, what) for r in runs)


ROWS: list[str] = []
COMPONENTS: list[str] = []
# The same rows as data (--save writes them; --compare sets two saved runs side by side).
RESULTS: list[dict[str, object]] = []


def ratio_row(label: str, floor_label: str, ours: list[Run], floor: list[Run], goal: float | None) -> None:
    """One table row: CPU and wall medians (minimums), the median and minimum CPU ratios, the verdict."""
    r_med = med(ours, "cpu") / med(floor, "cpu")
    r_min = low(ours, "cpu") / low(floor, "cpu")
    verdict = "—" if goal is None else (f"≤ {goal:g}: **met**" if r_med <= goal else f"≤ {goal:g}: **not met**")
    RESULTS.append({"row": f"{label} vs {floor_label}", "value": round(r_med, 2), "unit": "", "goal": goal})
    ROWS.append(
        f"| {label} | {floor_label} "
        f"| {med(ours, 'cpu'):.2f} ({low(ours, 'cpu'):.2f}) / {med(ours, 'wall'):.2f} "
        f"| {med(floor, 'cpu'):.2f} ({low(floor, 'cpu'):.2f}) / {med(floor, 'wall'):.2f} "
        f"| **{r_med:.2f}** ({r_min:.2f}) | {verdict} |"
    )
    print(ROWS[-1], flush=True)


def memory_row(label: str, floor_label: str, runs: list[Run], base: list[Run], steps: int, goal: float) -> None:
    """Peak memory above the same command on a 10-step file, per step (largest of the runs: the honest figure)."""
    extra = max(r.peak_kib for r in runs) - min(r.peak_kib for r in base)
    per_step = extra / steps
    verdict = f"≤ {goal:g} KiB: **met**" if per_step <= goal else f"≤ {goal:g} KiB: **not met**"
    RESULTS.append({"row": f"{label} vs {floor_label}", "value": round(per_step, 2), "unit": " KiB/step", "goal": goal})
    ROWS.append(
        f"| {label} | {floor_label} "
        f"| peak {max(r.peak_kib for r in runs) / 1024:.0f} MiB, CPU {med(runs, 'cpu'):.1f} s "
        f"| peak {min(r.peak_kib for r in base) / 1024:.0f} MiB "
        f"| **{per_step:.2f} KiB/step** | {verdict} |"
    )
    print(ROWS[-1], flush=True)


def python_c(code: str, *args: str) -> list[str]:
    return [PY, "-c", code, *args]


YAML_LOAD = "import sys, yaml\nyaml.load(open(sys.argv[1], encoding='utf-8').read(), Loader=yaml.CSafeLoader)\n"
LXML_PARSE = (
    "import sys\nfrom lxml import etree\n"
    "etree.parse(sys.argv[1], etree.XMLParser(resolve_entities=False, huge_tree=True))\n"
)
DUCKDB_DFG = (
    "import sys, duckdb\n"
    "duckdb.sql('''SELECT a, b, count(*) AS n FROM (\n"
    "  SELECT activity AS a, lead(activity) OVER (PARTITION BY case_id ORDER BY timestamp) AS b\n"
    "  FROM read_parquet(?)) WHERE b IS NOT NULL GROUP BY a, b''', params=[sys.argv[1]]).fetchall()\n"
)
ENGINE_ALONE = (
    "import json, sys\nfrom procmap.render.engines import wasm_engine\n"
    "wasm_engine().render_all(json.load(open(sys.argv[1])), 'svg')\n"
)
TO_PARQUET = (
    "import sys, duckdb\n"
    "duckdb.sql(f\"COPY (SELECT * FROM read_csv('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet)\")\n"
)


def machine() -> list[str]:
    """What the figures were measured on, and how busy it was."""
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    load = os.getloadavg()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip() if shutil.which("uptime") else ""
    versions = subprocess.run(
        python_c(
            "import importlib.metadata as m\n"
            "print(', '.join(f'{p} {m.version(p)}' for p in "
            "('pydantic', 'typer', 'networkx', 'PyYAML', 'lxml', 'duckdb', 'wasmtime')))"
        ),
        capture_output=True,
        text=True,
    ).stdout.strip()
    return [
        f"- {time.strftime('%Y-%m-%d %H:%M %Z')}; {platform.platform()}; Python {platform.python_version()}; "
        f"{os.cpu_count()} cores (nproc); {mem}",
        f"- load average at the start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (`uptime`: {uptime})",
        f"- {versions}",
    ]


def precompile() -> str:
    """Write procmap's bytecode once, as ``pip install`` does, so no row pays for compiling the source.

    An editable install run with PYTHONDONTWRITEBYTECODE=1 otherwise compiles
    every procmap module on every run (docs/performance.md, "Start-up").
    """
    import procmap

    package = Path(procmap.__file__).parent
    subprocess.run([PY, "-m", "compileall", "-q", str(package)], check=True)
    return str(package)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller files and fewer rounds (a smoke test)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of the small rows (default 9, quick 5)")
    parser.add_argument(
        "--only", nargs="*", default=None, help="rows to run: startup memory import shares branchy conform render"
    )
    parser.add_argument(
        "--cpu-limit", type=int, default=CPU_LIMIT[0], help="stop a measured process after this many CPU seconds"
    )
    parser.add_argument("--save", metavar="RUN.json", help="also write this run's figures here (for --compare)")
    parser.add_argument(
        "--compare", nargs=2, metavar=("FIRST.json", "SECOND.json"), help="compare two saved runs and exit"
    )
    args = parser.parse_args()
    if args.compare:
        compare(Path(args.compare[0]), Path(args.compare[1]))
        return
    CPU_LIMIT[0] = args.cpu_limit
    quick = args.quick
    rounds = args.rounds or (5 if quick else 9)
    big_rounds = 1 if quick else 2
    want: Callable[[str], bool] = lambda name: args.only is None or name in args.only  # noqa: E731
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    pm = [PY, "-m", "procmap"]
    package = precompile()

    print("## Machine\n")
    about = machine()
    for line in about:
        print(line)
    print(f"- procmap from {package} (bytecode written first, as an install does)\n", flush=True)
    print("## Whole processes (CPU s: median (minimum) / wall s: median; ratio of CPU medians (of minimums))\n")
    header = "| procmap | floor | procmap CPU / wall | floor CPU / wall | ratio | goal |\n|---|---|---|---|---|---|"
    print(header, flush=True)

    work = Path(tempfile.mkdtemp(prefix="procmap-bench-"))
    started = time.perf_counter()
    try:
        small = work / "small.yaml"
        small.write_text(process_yaml(10), encoding="utf-8")

        if want("startup"):
            ours, floor = interleaved(
                [*pm, "validate", str(small)], python_c("import yaml, pydantic, typer, networkx"), rounds, env
            )
            ratio_row(
                "`validate` of a 10-step file",
                "`python -c 'import yaml, pydantic, typer, networkx'`",
                ours,
                floor,
                1.25,
            )

        if want("memory"):
            n = 30_000 if quick else 100_000
            path = work / f"validate-{n}.yaml"
            path.write_text(process_yaml(n), encoding="utf-8")
            own = procmap_reporting_memory()
            ours, base = interleaved(
                [*own, "validate", BIG, str(path)], [*own, "validate", str(small)], big_rounds, env, warm=False
            )
            memory_row(f"`validate`, {n:,} steps: peak memory", "`validate` of a 10-step file", ours, base, n, 6.0)

        if want("import"):
            n = 1_000 if quick else 5_000
            source = work / f"export-{n}.yaml"
            source.write_text(process_yaml(n), encoding="utf-8")
            bpmn = work / f"model-{n}.bpmn"
            subprocess.run([*pm, "export", "--to", "bpmn", "-q", str(source), "-o", str(bpmn)], check=True, env=env)
            out = work / "imported.yaml"
            # A second or so each: the small rows' rounds (two rounds gave 3.6 and 4.6 on one loaded machine).
            ours, floor = interleaved(
                [*pm, "import", BIG, str(bpmn), "-o", str(out)], python_c(LXML_PARSE, str(bpmn)), rounds, env
            )
            size = bpmn.stat().st_size / 1e6
            ratio_row(f"`import` of a {n:,}-task BPMN ({size:.1f} MB)", "bare lxml parse of the file", ours, floor, 3.0)

        if want("shares"):
            sizes = (1_000, 4_000) if quick else (4_000, 16_000)
            paths = []
            for n in sizes:
                p = work / f"shares-{n}.yaml"
                p.write_text(process_yaml(n, shares=True), encoding="utf-8")
                paths.append(p)
            audit = [*procmap_reporting_memory(), "audit", "--format", "json", BIG]
            big_runs, small_runs = interleaved(
                [*audit, str(paths[1])], [*audit, str(paths[0])], big_rounds, env, warm=False
            )
            ratio_row(
                f"`audit`, loop with shares, {sizes[1]:,} steps",
                f"the same at {sizes[0]:,} steps (4× the steps)",
                big_runs,
                small_runs,
                4.0,
            )
            base = [run([*audit, str(small)], env) for _ in range(2)]
            memory_row(
                f"`audit`, loop with shares, {sizes[1]:,} steps: peak memory",
                "`audit` of a 10-step file",
                big_runs,
                base,
                sizes[1],
                2.0,
            )

        if want("branchy"):
            path = work / "branchy-3000.yaml"
            path.write_text(branchy_yaml(3_000), encoding="utf-8")
            try:
                ours, floor = interleaved(
                    [*pm, "audit", "--format", "json", str(path)],
                    python_c(YAML_LOAD, str(path)),
                    big_rounds,
                    env,
                    warm=False,
                )
                ratio_row("`audit`, branchy, 3,000 steps", "CSafeLoader `yaml.load` of the file", ours, floor, 3.0)
            except TooSlow:
                RESULTS.append({"row": "`audit`, branchy, 3,000 steps vs CSafeLoader `yaml.load` of the file",
                                "value": None, "unit": "", "goal": 3.0,
                                "note": f"did not finish: stopped at {CPU_LIMIT[0]} s of CPU"})  # fmt: skip
                ROWS.append(
                    "| `audit`, branchy, 3,000 steps | CSafeLoader `yaml.load` of the file "
                    f"| did not finish: stopped at {CPU_LIMIT[0]} s of CPU | | | ≤ 3: **not met** |"
                )
                print(ROWS[-1], flush=True)

        if want("conform"):
            cases = 20_000 if quick else 100_000
            model = work / "help.yaml"
            model.write_text(CONFORM_MODEL, encoding="utf-8")
            csv_log = work / "events.csv"
            events = conform_log(csv_log, cases)
            parquet = work / "events.parquet"
            subprocess.run(python_c(TO_PARQUET, str(csv_log), str(parquet)), check=True, capture_output=True)
            ours, floor = interleaved(
                [*pm, "conform", str(model), str(parquet), "--format", "json", "-o", str(work / "conform.json")],
                python_c(DUCKDB_DFG, str(parquet)),
                big_rounds,
                env,
                warm=False,
            )
            ratio_row(
                f"`conform`, {events:,} events (Parquet)",
                "DuckDB's directly-follows query on the same file",
                ours,
                floor,
                3.0,
            )

        if want("render"):
            path = work / "render-200.yaml"
            path.write_text(render_process(200), encoding="utf-8")
            dot_file = work / "render-200.dot"
            subprocess.run([*pm, "render", "-q", str(path), "-f", "dot", "-o", str(dot_file)], check=True, env=env)
            parts = work / "parts.json"
            subprocess.run(
                python_c(
                    "import json, sys\nfrom procmap.config import Config\nfrom procmap.render import dot, layout\n"
                    "from procmap.validate import require_valid\n"
                    "r = require_valid(sys.argv[1], Config())\n"
                    "lay = layout.build(r.graph, r.analysis.visible_handoffs)\n"
                    "json.dump(dot.part_sources(r.graph, lay, placed=True), open(sys.argv[2], 'w'))\n",
                    str(path),
                    str(parts),
                ),
                check=True,
            )
            svg = [*pm, "render", "-q", str(path), "-f", "svg", "-o", str(work / "out.svg")]
            system_dot = shutil.which("dot")
            if system_dot:
                ours, floor = interleaved(
                    svg, [system_dot, "-Tsvg", str(dot_file), "-o", str(work / "dot.svg")], rounds, env
                )
                ratio_row(
                    "`render` SVG, 200 steps",
                    "Graphviz `dot -Tsvg` of procmap's own `--format dot`",
                    ours,
                    floor,
                    None,
                )
            else:
                ROWS.append("| `render` SVG, 200 steps | `dot -Tsvg`: no Graphviz on PATH, not measured | | | | |")
                print(ROWS[-1])
            ours, floor = interleaved(svg, python_c(ENGINE_ALONE, str(parts)), rounds, env)
            ratio_row(
                "`render` SVG, 200 steps",
                "the bundled engine alone on the same parts (fresh process)",
                ours,
                floor,
                None,
            )

        print(f"\n(whole-process rows took {time.perf_counter() - started:.0f} s)\n", flush=True)
        components(work, quick)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    end = f"- load average at the end {' / '.join(f'{x:.1f}' for x in os.getloadavg())}"
    print(end)
    if args.save:
        saved = {"machine": [*about, end], "results": RESULTS, "components": COMPONENTS}
        Path(args.save).write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def compare(first_path: Path, second_path: Path) -> None:
    """Two saved runs side by side: each row's figure in both, the difference, and the largest difference."""
    first, second = (json.loads(p.read_text(encoding="utf-8")) for p in (first_path, second_path))
    earlier = {r["row"]: r for r in first["results"]}
    print("| row | goal | first run | second run | difference | verdict (second run) |\n|---|---|---|---|---|---|")
    spread: list[tuple[float, str]] = []
    for row in second["results"]:
        before = earlier.get(row["row"])
        goal, unit = row["goal"], row["unit"]
        goal_text = "—" if goal is None else f"≤ {goal:g}{unit.replace('/step', '')}"

        def shown(r: dict[str, object] | None) -> str:
            if r is None:
                return "not measured"
            return str(r.get("note")) if r["value"] is None else f"{r['value']:g}{r['unit']}"

        difference = ""
        if before is not None and before["value"] and row["value"] is not None:
            change = row["value"] / before["value"] - 1
            difference = f"{change:+.0%}".replace("%", " %")
            spread.append((abs(change), row["row"]))
        if goal is None:
            verdict = "—"
        elif row["value"] is None:
            verdict = f"{goal_text}: **not met**"
        else:
            verdict = f"{goal_text}: **{'met' if row['value'] <= goal else 'not met'}**"
        print(f"| {row['row']} | {goal_text} | {shown(before)} | {shown(row)} | {difference} | {verdict} |")
    if spread:
        largest, where = max(spread)
        print(f"\nLargest difference: {largest:.0%} ({where}); rows compared: {len(spread)}.")


COMPONENT_SCRIPT = r"""
import gc, json, sys, time
gc.disable()
t0 = time.process_time()
from procmap.config import Config
from procmap.load.loader import parse, read_text
from procmap.model import check as schema_check
from procmap.model.graph import build_process_graph
from procmap.rules import RULES, Context
t_import = time.process_time() - t0
path, steps = sys.argv[1], int(sys.argv[2])
out = {"imports on validate's path (PyYAML, pydantic, the models, graph and rules)": t_import}
t = time.process_time(); text = read_text(path, max_size=1 << 30); out["read the file"] = time.process_time() - t
t = time.process_time(); doc = parse(text, path); out["parse (libyaml events, values and positions)"] = time.process_time() - t
t = time.process_time(); checked = schema_check.check(doc); out["schema (pydantic models)"] = time.process_time() - t
t = time.process_time(); g = build_process_graph(checked.model); out["graph"] = time.process_time() - t
ctx = Context(doc, checked, checked.model, g, {})
t = time.process_time()
n = 0
for rule in RULES:
    if rule.check is not None:
        for f in rule.check(ctx):
            doc.locate(f.loc, key=f.key)
            n += 1
out[f"rules ({n:,} findings, located)"] = time.process_time() - t
print(json.dumps(out))
"""

RENDER_SCRIPT = r"""
import gc, json, statistics, sys, time
from procmap.config import Config
from procmap.render import dot, layout, render
from procmap.render.engines import wasm_engine
from procmap.validate import require_valid
result = require_valid(sys.argv[1], Config())
engine = wasm_engine()
g = result.graph
lay = layout.build(g, result.analysis.visible_handoffs)
parts = dot.part_sources(g, lay, placed=True)
render(result, "svg")
ours, floor, text = [], [], []
for _ in range(int(sys.argv[2])):
    t = time.process_time(); render(result, "svg"); ours.append(time.process_time() - t)
    t = time.process_time(); engine.render_all(parts, "svg"); floor.append(time.process_time() - t)
    t = time.process_time(); lay2 = layout.build(g, result.analysis.visible_handoffs); dot.part_sources(g, lay2, placed=True); text.append(time.process_time() - t)
print(json.dumps({"render SVG (in-process)": statistics.median(ours),
                  "the engine on its parts": statistics.median(floor),
                  "layout, labels and DOT text": statistics.median(text)}))
"""


IMPORT_SCRIPT = r"""
import gc, json, sys, time
gc.disable()  # as procmap's CLI runs
from procmap.config import Config
from procmap.diagnostics import Severity
from procmap.interchange.bpmn_import import import_bpmn
from procmap.interchange.bpmn_in import parse as parse_xml
from procmap.interchange.process_yaml import dump_document
from procmap.rules import RULES
from procmap.validate import check_document
data = open(sys.argv[1], "rb").read()
errors_only = Config(severities={rule.id: None for rule in RULES if rule.severity < Severity.ERROR})
best = {}
for _ in range(int(sys.argv[2])):
    got = {}
    t = time.process_time(); root = parse_xml(data, "m.bpmn"); got["the lxml parse"] = time.process_time() - t
    del root
    bytearray(1 << 16)  # settle the C library's bookkeeping after the freed tree before the next step
    t = time.process_time(); result = import_bpmn(data, "m.bpmn")
    got["parse and map (BPMN walk, paths between steps, step data)"] = time.process_time() - t
    # glibc merges the freed tree's small blocks at the next large request: a cost of its own
    t = time.process_time(); bytearray(1 << 16); got["malloc bookkeeping after the tree is freed"] = time.process_time() - t
    t = time.process_time(); written = dump_document(result.data, "m.yaml", result.header, result.step_comments)
    got["write the YAML with its values and positions"] = time.process_time() - t
    t = time.process_time(); check_document(written, errors_only)
    got["check it (schema, graph, error rules)"] = time.process_time() - t
    del result, written
    bytearray(1 << 16)
    best = {k: min(v, best.get(k, v)) for k, v in got.items()}
print(json.dumps(best))
"""


def components(work: Path, quick: bool) -> None:
    """The second table: where the time goes inside one process (CPU, one run; labelled as such)."""
    print("## Inside one process (CPU s, in-process timings; not comparable with the table above)\n")
    print("| component | CPU s | per step |\n|---|---|---|")
    n = 20_000 if not quick else 5_000
    path = work / f"components-{n}.yaml"
    path.write_text(process_yaml(n), encoding="utf-8")
    proc = subprocess.run(python_c(COMPONENT_SCRIPT, str(path), str(n)), capture_output=True, text=True, check=True)
    for name, seconds in json.loads(proc.stdout).items():
        per = "" if name.startswith("imports") else f"{seconds / n * 1e6:.0f} µs"
        label = name if name.startswith("imports") else f"validate {n:,} steps: {name}"
        COMPONENTS.append(f"| {label} | {seconds:.3f} | {per} |")
        print(COMPONENTS[-1], flush=True)
    tasks = 1_000 if quick else 5_000
    bpmn = work / f"model-{tasks}.bpmn"
    if bpmn.exists():
        proc = subprocess.run(python_c(IMPORT_SCRIPT, str(bpmn), "3"), capture_output=True, text=True, check=True)
        for name, seconds in json.loads(proc.stdout).items():
            COMPONENTS.append(
                f"| import {tasks:,} tasks: {name} (best of 3) | {seconds:.3f} | {seconds / tasks * 1e6:.0f} µs |"
            )
            print(COMPONENTS[-1], flush=True)
    path = work / "render-200.yaml"
    if path.exists():
        proc = subprocess.run(python_c(RENDER_SCRIPT, str(path), "3" if quick else "7"), capture_output=True, text=True)
        if proc.returncode == 0:
            for name, seconds in json.loads(proc.stdout).items():
                COMPONENTS.append(f"| 200 steps: {name} | {seconds:.3f} | {seconds / 200 * 1e3:.1f} ms |")
                print(COMPONENTS[-1], flush=True)


if __name__ == "__main__":
    main()
