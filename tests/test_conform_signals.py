"""A signal ends `conform` at once, even inside one long DuckDB statement.

Python runs signal handlers only between the main thread's bytecodes, and
DuckDB looks for them only between its tasks: one window task over 10M events
kept running 5.9 s after SIGTERM before procmap's handler ran.  conform now
interrupts the statement from a thread the signal wakes (Python's wakeup fd).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forkserver import as_from_a_terminal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

pytestmark = pytest.mark.slow

EVENTS = 10_000_000  # the sequence window's tasks at this size ran for seconds each (measured)
SIGNAL_AT = 8.0  # CPU seconds of the child: past reading (about 4 s), inside the sequence window
AFTER_AT_MOST = 2.0  # CPU seconds the child may use once signalled (0.3 measured; 5.9 before)


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads a child's CPU time from /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_stops_a_long_query_at_once(tmp_path: Path, sig: signal.Signals) -> None:
    import bench_conform

    log = tmp_path / "log.parquet"
    bench_conform.generate_parquet(log, EVENTS)
    model = tmp_path / "model.yaml"
    model.write_text(bench_conform.MODEL, encoding="utf-8")
    out = tmp_path / "report.json"
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "procmap", "conform", str(model), str(log), "--format", "json", "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=as_from_a_terminal,
    )
    while proc.poll() is None and _cpu(proc.pid) < SIGNAL_AT:
        time.sleep(0.05)
    assert proc.poll() is None, "conform ended before the signal: the log is too small to test this"
    at = _cpu(proc.pid)
    proc.send_signal(sig)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    after = usage.ru_utime + usage.ru_stime - at
    assert proc.returncode == 128 + sig, err
    assert err.strip().splitlines() == [
        f"procmap: {'interrupted' if sig == signal.SIGINT else 'terminated by SIGTERM'}"
    ]
    assert after <= AFTER_AT_MOST, f"{after:.2f} s of CPU after {sig.name}"
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("procmap-conform-")]
