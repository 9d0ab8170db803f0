"""`procmap conform` at scale: a generated log of 1,000,000 events in 100,000 cases.

Prints conform's wall time as a ratio to DuckDB's bare read of the same file
(``CREATE TABLE AS SELECT * FROM read_csv(...)`` in a fresh process: what
any tool that reads the log with DuckDB must pay at least), and the peak
resident memory of both, at two log sizes, and once more at the large size
with DuckDB's memory capped (PROCMAP_MEMORY_LIMIT): past its limit DuckDB
spills to disk, so memory is bounded by the engine, not by the log.  Both sides are fresh processes, so both pay start-up.

Usage:  python benchmarks/bench_conform.py [--events 1000000] [--runs 3] [--keep DIR]

``--scale`` (SPEC §6.5, docs/performance.md "conform at scale") measures growth
instead: Parquet logs of 21.7 events per case written by DuckDB itself (1M,
10M, 30M, 100M events; cached in ``--cache``, never committed), conform with
its default settings in a fresh process per size (CPU user+sys, peak RSS,
peak spill), interleaved with the floor — DuckDB alone counting the
directly-follows pairs of the same Parquet in a fresh process — and 1M on
Spark ``--engine local`` against DuckDB.  CPU and peak RSS come from
``wait4`` in a small launcher process (a big parent's high-water mark would
carry across exec into the child's figure); spill is the peak size of the
temporary folder, polled.

Usage:  python benchmarks/bench_conform.py --scale [--sizes 1M,10M,30M,100M] [--runs 2] [--spark]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOAL = 3.0
CAP = "200MB"  # PROCMAP_MEMORY_LIMIT for the bounded-memory row

MODEL = """\
version: 1
process:
  id: bench-help
  name: Help request (benchmark)
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Support agent, kind: onstage}
  - {id: expert, name: Product expert, kind: onstage}
  - {id: back, name: Back office, kind: backstage}
  - {id: system, name: Ticket system, kind: support}
steps:
  - {id: ask, name: Ask for help, lane: customer, channel: web, next: [acknowledge]}
  - {id: acknowledge, name: Send acknowledgement, lane: system, visibility: onstage, channel: email, next: [triage]}
  - id: triage
    name: Triage request
    lane: agent
    channel: chat
    sla: 2h
    next: [{to: check, when: known question}, {to: escalate, when: product issue}]
  - {id: check, name: Check the account, lane: back, next: [answer]}
  - {id: escalate, name: Escalate to an expert, lane: expert, channel: phone, sla: 1d, next: [answer]}
  - {id: answer, name: Send the answer, lane: agent, channel: chat, next: [confirm]}
  - id: confirm
    name: Confirm it worked
    lane: customer
    channel: web
    next: [{to: close, when: solved}, {to: reopen, when: still broken}]
  - {id: reopen, name: Reopen the request, lane: customer, channel: web, next: [triage]}
  - {id: close, name: Close the request, lane: system}
"""

# Exactly ten events per case: half come back once (a repeat contact through the loop), half are
# escalated with three activities the model does not know; `check` is never logged (a silent step).
_REOPENED = ["ask", "acknowledge", "triage", "answer", "confirm", "reopen", "triage", "answer", "confirm", "close"]
_ESCALATED = [
    "ask",
    "acknowledge",
    "Internal note",
    "triage",
    "escalate",
    "answer",
    "Internal note",
    "confirm",
    "Internal note",
    "close",
]


def generate(path: Path, cases: int) -> int:
    """Write a CSV log of ``10 * cases`` events; returns the count."""
    base = datetime(2024, 1, 1, 8, 0)
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["case_id", "activity", "timestamp", "resource"])
        for i in range(cases):
            t = base + timedelta(seconds=37 * i)
            case = f"case-{i:07d}"
            for k, activity in enumerate(_REOPENED if i % 2 else _ESCALATED):
                t += timedelta(seconds=60 * ((i * 7 + k * 13) % 50 + 1))
                w.writerow([case, activity, t.strftime("%Y-%m-%dT%H:%M:%SZ"), f"agent-{(i + k) % 40}"])
                n += 1
    return n


def run_peak(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one fresh process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{stderr}")
    return elapsed, usage.ru_maxrss


def measure(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, int]:
    results = [run_peak(cmd, env) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def bare_read_cmd(log: Path) -> list[str]:
    code = (
        "import duckdb,sys; c=duckdb.connect(); "
        'c.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]]); '
        "c.execute('SELECT count(*) FROM t').fetchone()"
    )
    return [sys.executable, "-c", code, str(log)]


def conform_cmd(model: Path, log: Path) -> list[str]:
    script = Path(sys.executable).with_name("procmap")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "procmap"]
    return [*base, "conform", str(model), str(log), "--format", "json"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the large log (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the logs here and keep them")
    parser.add_argument("--scale", action="store_true", help="the growth table on Parquet (SPEC §6.5)")
    parser.add_argument("--sizes", default="1M,10M,30M,100M", help="--scale: log sizes (events)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "procmap-bench-scale")
    parser.add_argument("--spark", action="store_true", help="--scale: also 1M on Spark --engine local")
    parser.add_argument("--memory", help="--scale: pass --memory to conform (default: conform's own default)")
    args = parser.parse_args()
    if args.scale:
        scale(args)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="procmap-bench-conform-"))
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / "model.yaml"
    model.write_text(MODEL, encoding="utf-8")
    rows = []
    capped = {**os.environ, "PROCMAP_MEMORY_LIMIT": CAP}
    for events, env in ((args.events // 10, None), (args.events, None), (args.events, capped)):
        log = folder / f"log-{events}.csv"
        if not log.exists():
            generate(log, events // 10)
        exact = sum(1 for _ in open(log, encoding="utf-8")) - 1
        read_t, read_mem = measure(bare_read_cmd(log), args.runs)
        conf_t, conf_mem = measure(conform_cmd(model, log), args.runs, env)
        rows.append((exact, log.stat().st_size, read_t, read_mem, conf_t, conf_mem, f"limit {CAP}" if env else ""))
    print(
        f"{'events':>10} {'MB':>6} {'bare read':>10} {'conform':>9} {'ratio':>6} {'read RSS':>10} {'conform RSS':>12}"
    )
    for exact, size, read_t, read_mem, conf_t, conf_mem, note in rows:
        print(
            f"{exact:>10,} {size / 1e6:>6.1f} {read_t:>9.2f}s {conf_t:>8.2f}s {conf_t / read_t:>6.2f}"
            f" {read_mem / 1024:>8.0f}MB {conf_mem / 1024:>10.0f}MB  {note}"
        )
    small, large = rows[0], rows[1]
    print(f"goal: conform <= {GOAL}x the bare read; memory growth 10x events -> {large[5] / small[5]:.2f}x RSS")
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


# ----------------------------------------------------------------------------- --scale (SPEC §6.5)

PER_CASE = 21.7  # events per case, as measured on the contact-centre logs of issue 22

LAUNCHER = r"""
import json, os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - t
import resource
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "cpu": kids.ru_utime + kids.ru_stime,
                  "rss": usage.ru_maxrss * 1024, "wall": wall}))
"""


def parse_count(text: str) -> int:
    text = text.strip().upper()
    scale_ = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("KMG")) * scale_)


def generate_parquet(path: Path, events: int) -> None:
    """``events`` events of the benchmark model, 21.7 per case, written by DuckDB (no Python per event).

    Event k belongs to case floor(k / 21.7); within a case: ask, acknowledge, then rounds of
    triage, answer, confirm, reopen (an unmapped 'Internal note' every 7th event), and close.
    """
    import duckdb

    tmp = path.with_suffix(".tmp")
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
            WITH e AS (
                SELECT k, CAST(floor(k / {PER_CASE}) AS BIGINT) AS c FROM range({events}) r(k)),
            p AS (
                SELECT k, c, k - CAST(ceil(c * {PER_CASE}) AS BIGINT) AS pos,
                       CAST(ceil((c + 1) * {PER_CASE}) AS BIGINT) - CAST(ceil(c * {PER_CASE}) AS BIGINT) AS len
                FROM e)
            SELECT 'case-' || lpad(CAST(c AS VARCHAR), 9, '0') AS case_id,
                   CASE WHEN pos = 0 THEN 'ask' WHEN pos = 1 THEN 'acknowledge' WHEN pos = len - 1 THEN 'close'
                        WHEN pos % 7 = 3 THEN 'Internal note'
                        ELSE ['triage', 'answer', 'confirm', 'reopen'][CAST((pos - 2) % 4 AS INTEGER) + 1] END
                       AS activity,
                   TIMESTAMPTZ '2024-01-01 08:00:00+00' + to_seconds(c * 37 + pos * 3000 + ((c * 7 + pos * 13) % 50) * 10)
                       AS timestamp,
                   'agent-' || CAST((c + pos) % 40 AS VARCHAR) AS resource
            FROM p ORDER BY k
        ) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)
        """
    )
    con.close()
    tmp.rename(path)


def launch(cmd: list[str], env: dict[str, str], spill_dir: Path | None = None) -> dict[str, float]:
    """One fresh process under the small launcher: CPU (user+sys), peak RSS, wall, peak spill."""
    import json
    import threading

    peak = [0]
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.5):
            total = 0
            for root, _dirs, files in os.walk(spill_dir or "/nonexistent"):
                for name in files:
                    try:
                        total += os.stat(os.path.join(root, name)).st_size
                    except OSError:
                        pass
            peak[0] = max(peak[0], total)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    proc = subprocess.run([sys.executable, "-c", LAUNCHER, *cmd], capture_output=True, env=env, check=False, text=True)
    done.set()
    watcher.join()
    lines = proc.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(f"launcher failed: {proc.stderr}")
    out = json.loads(lines[-1])
    if out["code"] not in (0, 1):
        raise SystemExit(f"failed ({out['code']}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    out["spill"] = peak[0]
    return out


FLOOR = (
    'import duckdb,sys; duckdb.sql("SELECT a, b, count(*) FROM (SELECT activity a, lead(activity) OVER '
    '(PARTITION BY case_id ORDER BY timestamp) b FROM read_parquet(\'" + sys.argv[1] + "\')) GROUP BY ALL").fetchall()'
)


def scale(args: argparse.Namespace) -> None:
    cache = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    model = cache / "model.yaml"
    model.write_text(MODEL, encoding="utf-8")
    script = Path(sys.executable).with_name("procmap")
    procmap = [str(script)] if script.exists() else [sys.executable, "-m", "procmap"]
    extra = ["--memory", args.memory] if args.memory else []
    rows = []
    for size in [parse_count(s) for s in args.sizes.split(",")]:
        log = cache / f"log-{size}.parquet"
        if not log.exists():
            print(f"writing {log} ...", file=sys.stderr, flush=True)
            generate_parquet(log, size)
        spill = Path(tempfile.mkdtemp(prefix="spill-", dir=cache))
        env = {**os.environ, "TMPDIR": str(spill)}
        conf_cmd = [*procmap, "conform", str(model), str(log), "--format", "json", "-o", os.devnull, *extra]
        floors, confs = [], []
        for _ in range(args.runs):  # interleaved: the machine's load hits both alike
            floors.append(launch([sys.executable, "-c", FLOOR, str(log)], dict(os.environ)))
            confs.append(launch(conf_cmd, env, spill))
            print(f"  {size:,}: floor {floors[-1]['cpu']:.2f}s, conform {confs[-1]['cpu']:.2f}s", file=sys.stderr)
        spill.rmdir()
        floor = statistics.median(f["cpu"] for f in floors)
        conf = statistics.median(c["cpu"] for c in confs)
        low_floor, low_conf = min(f["cpu"] for f in floors), min(c["cpu"] for c in confs)
        conf_runs = ", ".join(f"{c['cpu']:.2f}" for c in confs)
        floor_runs = ", ".join(f"{f['cpu']:.2f}" for f in floors)
        print(
            f"  {size:,}: conform CPU {conf_runs} s (median {conf:.2f}, min {low_conf:.2f}); "
            f"floor {floor_runs} s "
            f"(median {floor:.2f}, min {low_floor:.2f}); ratio of medians {conf / floor:.2f}, "
            f"of minimums {low_conf / low_floor:.2f}",
            file=sys.stderr,
        )
        rows.append(
            ("duckdb", size, conf, max(c["rss"] for c in confs), max(c["spill"] for c in confs), floor, conf / floor)
        )
        if args.spark and size == 1_000_000:
            spark_cmd = [*conf_cmd, "--engine", "local"]
            sp = [launch(spark_cmd, env) for _ in range(args.runs)]
            cpu = statistics.median(s["cpu"] for s in sp)
            wall = statistics.median(s["wall"] for s in sp)
            rows.append(("spark local", size, cpu, max(s["rss"] for s in sp), 0, floor, cpu / floor))
            print(f"  spark local 1M: wall {wall:.1f}s", file=sys.stderr)
    base = next((r for r in rows if r[0] == "duckdb"), None)
    print("| engine | events | CPU | CPU/event | vs 1M | peak RSS | spill | floor CPU | × floor |")
    print("|---|---|---|---|---|---|---|---|---|")
    for engine, size, cpu, rss, spilled, floor, ratio in rows:
        per = cpu / size * 1e6
        growth = per / (base[2] / base[1] * 1e6) if base else float("nan")
        print(
            f"| {engine} | {size / 1e6:g}M | {cpu:.1f} s | {per:.2f} µs | {growth:.2f}× | {rss / 2**30:.2f} GB "
            f"| {spilled / 2**30:.2f} GB | {floor:.1f} s | {ratio:.1f}× |"
        )


if __name__ == "__main__":
    main()
