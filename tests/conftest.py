"""Shared test helpers: run the real CLI in-process or as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ORACLES = ROOT.parent / "shared" / "oracles"


@pytest.fixture
def cli():
    """Invoke the typer app in-process: ``cli("validate", path)`` -> click Result (stdout/stderr split)."""
    from procmap.cli import app

    runner = CliRunner()
    application = app()

    def invoke(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None):
        return runner.invoke(application, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def run():
    """Run ``python -m procmap`` as a real child process (exit codes, stderr, no tracebacks).

    Without ``input`` the child is forked from a preloaded server (conftest.run_forked); with it, a
    fresh interpreter reads the bytes from a pipe. ``timeout`` is CPU seconds (forkserver.Watchdog):
    a loaded machine stretches wall time, never CPU time, so it cannot fail a test; a child past it
    is killed and shows as exit -9."""

    def invoke(
        *args: str,
        input: bytes | str | None = None,
        cwd: str | Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ):
        from forkserver import run_process

        full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
        full_env.pop("GITHUB_ACTIONS", None) if "GITHUB_ACTIONS" not in (env or {}) else None
        command = [str(a) for a in args]
        if input is None and not os.environ.get("PROCMAP_TESTS_NO_FORKSERVER"):
            return run_forked(command, cwd=cwd, env=full_env, timeout=timeout)
        data = input.encode() if isinstance(input, str) else input
        return run_process(
            [sys.executable, "-m", "procmap", *command], input=data, cwd=cwd, env=full_env, cpu_limit=timeout
        )

    return invoke


def run_forked(
    command: list[str], *, cwd: str | Path | None, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[bytes]:
    """``python -m procmap COMMAND`` as a fork of a preloaded server: a real child process without the
    0.4 s of interpreter start-up and imports (see forkserver.py; PROCMAP_TESTS_NO_FORKSERVER=1 turns it off).
    ``timeout`` is the CPU-time limit."""
    from forkserver import SERVER

    done = SERVER.capture(command, cwd=cwd, env=env, cpu_limit=timeout)
    return subprocess.CompletedProcess(
        [sys.executable, "-m", "procmap", *command], done.returncode, done.stdout, done.stderr
    )


@pytest.fixture
def write(tmp_path: Path):
    """Write a dedented YAML file into tmp_path and return its path."""

    def make(text: str, name: str = "process.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return make
