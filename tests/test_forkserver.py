"""The fork server that most CLI tests run through must behave like ``python -m procmap``.

If it drifted (a different exit code, output lost in a buffer, a child that
cannot be killed), every test routed through it would check the wrong thing,
so it is compared here with a fresh interpreter on the same runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, run_forked
from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)

BROKEN = EXAMPLES / "broken"

RUNS = [
    ["validate", str(EXAMPLES / "support-ticket.yaml")],
    ["validate", "--format", "json", str(BROKEN)],
    ["audit", "--format", "markdown", str(EXAMPLES / "loan-application.yaml")],
    ["diff", str(EXAMPLES / "support-ticket.yaml"), str(EXAMPLES / "online-order.yaml")],
    ["validate", "no/such/file.yaml"],
    ["frobnicate"],
    ["--version"],
]


def _fresh(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return run_process([sys.executable, "-m", "procmap", *command], cwd=cwd, env=env, cpu_limit=60)


@pytest.mark.parametrize("command", RUNS, ids=lambda c: " ".join(c[:2]))
def test_a_forked_run_equals_a_fresh_interpreter(command: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    fresh = _fresh(command, tmp_path, env)
    forked = run_forked(command, cwd=tmp_path, env=env, timeout=60)
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert forked.stdout or forked.stderr  # every run above says something


def test_a_forked_run_gets_its_own_directory_and_environment(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    forked = run_forked(
        ["render", str(EXAMPLES / "support-ticket.yaml"), "-o", "sub/out.svg"],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=60,
    )
    assert forked.returncode == 0, forked.stderr
    assert (tmp_path / "sub" / "out.svg").read_bytes().startswith(b"<?xml")
    assert forked.stderr.decode().strip() == "wrote sub/out.svg"


def test_a_forked_child_that_hangs_is_killed(tmp_path: Path) -> None:
    """The hang guard works on forked children: stdin is a FIFO nobody writes, so the child blocks."""
    from forkserver import SERVER

    fifo = tmp_path / "stdin-fifo"
    os.mkfifo(fifo)
    done = SERVER.run(
        ["validate", "-"],
        cwd=str(tmp_path),
        env=dict(os.environ),
        stdout=str(tmp_path / "out"),
        stderr=str(tmp_path / "err"),
        stdin=str(fifo),
        kill_after=1.0,
    )
    assert done.returncode == -9
    assert done.seconds < 10
    # and the server goes on serving
    after = run_forked(["--version"], cwd=tmp_path, env=dict(os.environ), timeout=60)
    assert after.returncode == 0 and after.stdout.startswith(b"procmap ")
