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
    """Run ``python -m procmap`` as a real subprocess (exit codes, stderr, no tracebacks)."""

    def invoke(
        *args: str,
        input: bytes | str | None = None,
        cwd: str | Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ):
        full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
        full_env.pop("GITHUB_ACTIONS", None) if "GITHUB_ACTIONS" not in (env or {}) else None
        data = input.encode() if isinstance(input, str) else input
        return subprocess.run(
            [sys.executable, "-m", "procmap", *[str(a) for a in args]],
            input=data,
            capture_output=True,
            cwd=cwd,
            env=full_env,
            timeout=timeout,
        )

    return invoke


@pytest.fixture
def write(tmp_path: Path):
    """Write a dedented YAML file into tmp_path and return its path."""

    def make(text: str, name: str = "process.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return make
