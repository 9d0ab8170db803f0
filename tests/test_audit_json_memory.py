"""`audit --format json` writes what `json.dumps(…, indent=2)` writes, without holding every piece at once."""

from __future__ import annotations

import json
import sys
import tracemalloc
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT
from procmap.audit import audit
from procmap.config import Config
from procmap.reports import audit_json
from procmap.validate import require_valid


def _dumps(audited) -> str:
    return json.dumps({"processes": [a.report for a in audited]}, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _audited(path: Path):
    return [audit(require_valid(str(path), Config()), {})]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_same_text_as_json_dumps(example: Path) -> None:
    audited = _audited(example)
    assert audit_json.render(audited) == _dumps(audited)


def test_many_batches_and_no_piece_lost(tmp_path: Path) -> None:
    """A 2,000-step process: many batches of pieces, and the last one short."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import process_yaml

    path = tmp_path / "big.yaml"
    path.write_text(
        process_yaml(2_000, shares=True).replace(
            "name: Synthetic process synthetic", "name: Synthetischer Prozess ✓ 𝄞", 1
        ),
        encoding="utf-8",
    )
    audited = _audited(path)
    text = audit_json.render(audited)
    assert text.count("\n") > 3 * audit_json.BATCH  # pieces: at least one per line
    assert "𝄞" in text
    assert text == _dumps(audited)


def test_peak_memory_well_under_json_dumps(tmp_path: Path) -> None:
    """Measured with tracemalloc: `json.dumps` held every piece (2.6 KiB per step at 16,000 steps)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import process_yaml

    path = tmp_path / "big.yaml"
    path.write_text(process_yaml(2_000, shares=True), encoding="utf-8")
    audited = _audited(path)

    def peak(render) -> int:
        tracemalloc.start()
        try:
            render(audited)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    ours, theirs = peak(audit_json.render), peak(_dumps)
    assert ours < 0.6 * theirs, (ours, theirs)
