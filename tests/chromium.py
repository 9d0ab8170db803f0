"""Headless Chromium for the tests that check a report's behaviour in a real browser.

One launcher for every such test (the HTML zoom and the audit report's print
layout), so the flags and the hang guard cannot drift apart. Debian's
``chromium`` is optional: tests mark themselves with :data:`needs_chromium`
and skip cleanly without it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest

from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install chromium)")


def chromium(*args: str, cpu_limit: float = 240) -> subprocess.CompletedProcess:
    """Run headless Chromium with a fresh profile; killed (exit -9) past ``cpu_limit`` seconds of CPU."""
    assert CHROMIUM is not None, "mark the test with needs_chromium"
    with tempfile.TemporaryDirectory() as profile:
        return run_process([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], text=True, cpu_limit=cpu_limit)
