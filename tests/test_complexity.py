"""Complexity guards: 10x the steps must cost well under 20x the time (no quadratic step).

Not wall-clock bounds: both sizes run in the same test, so machine noise
largely cancels; the benchmarks in benchmarks/ give the real figures.
"""

from __future__ import annotations

import gc
import sys
import time

from conftest import ROOT
from procmap.config import Config
from procmap.validate import check_text

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import process_yaml


def _best_time(text: str, runs: int = 3) -> float:
    """Best of ``runs``, with the cyclic GC off as the `procmap` command runs (see cli.main)."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(runs):
            start = time.process_time()
            result = check_text(text, "synthetic.yaml", Config())
            result.analysis.metrics()  # the audit's figures too: waits, channel switches, handoffs
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


def test_validate_and_audit_figures_scale_linearly() -> None:
    small, large = process_yaml(500), process_yaml(5_000)
    check_text(small, "warm-up.yaml", Config())
    t_small, t_large = _best_time(small), _best_time(large)
    assert t_large < 20 * t_small, f"10x steps took {t_large / t_small:.1f}x the time"
