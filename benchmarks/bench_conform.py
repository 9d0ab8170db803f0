"""`procmap conform` at scale: a generated log of 1,000,000 events in 100,000 cases.

Prints conform's wall time as a ratio to DuckDB's bare read of the same file
(``CREATE TABLE AS SELECT * FROM read_csv(...)`` in a fresh process: what
any tool that reads the log with DuckDB must pay at least), and the peak
resident memory of both, at two log sizes, and once more at the large size
with DuckDB's memory capped (PROCMAP_MEMORY_LIMIT): past its limit DuckDB
spills to disk, so memory is bounded by the engine, not by the log.  Both sides are fresh processes, so both pay start-up.

Usage:  python benchmarks/bench_conform.py [--events 1000000] [--runs 3] [--keep DIR]
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
