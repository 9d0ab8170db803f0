"""The HTML report lists the example case ids (issue 25 item 5) and keeps zoom and pan.

A terminal gets the first few ids of each finding (and how many more); the
page has room for every id the report keeps (up to 20): deviations, sla
breaches, variants, unused flows, rework, repeat contacts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

MODEL = """\
version: 1
process: {id: claim, name: Claim}
lanes: [{id: c, name: Customer, kind: customer}, {id: o, name: Office, kind: onstage}]
steps:
  - {id: file, name: File claim, lane: c, next: [check]}
  - {id: check, name: Check claim, lane: o, sla: 1h, next: [pay, refuse]}
  - {id: refuse, name: Refuse, lane: o, next: [pay]}
  - {id: pay, name: Pay, lane: o}
"""


def _log(path: Path) -> Path:
    """30 cases skip the check (file → pay, not in the blueprint) after waiting 2 h; 3 go by the blueprint."""
    rows = ["case,activity,timestamp"]
    for k in range(30):
        rows += [f"s{k:02},File claim,2024-01-01T08:00:00", f"s{k:02},Pay,2024-01-01T10:00:00"]
    for k in range(3):
        rows += [
            f"g{k},File claim,2024-01-02T08:00:00",
            f"g{k},Check claim,2024-01-02T10:00:00",
            f"g{k},Pay,2024-01-02T11:00:00",
        ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "claim.yaml"
    model.write_text(MODEL, encoding="utf-8")
    return model, _log(tmp_path / "claims.csv")


KEPT = [f"s{k:02}" for k in range(20)]  # the 20 smallest ids of the 30 that skipped


def _section(page: str, key: str) -> str:
    return re.search(rf'<section data-section="{key}">(.*?)</section>', page, re.S).group(1)


def test_html_lists_every_kept_id(run, files, tmp_path: Path) -> None:
    out = tmp_path / "claims.html"
    done = run("conform", *files, "-o", out)
    assert done.returncode == 0, done.stderr.decode()
    page = out.read_text(encoding="utf-8")
    assert ", ".join(KEPT) + " … +10" in _section(page, "deviations")
    assert ", ".join(KEPT) + " … +10" in _section(page, "variants")
    assert "g0, g1, g2" in _section(page, "variants")
    assert ", ".join(f"g{k}" for k in range(3)) in _section(page, "sla")  # waited 2 h for the check
    unused = _section(page, "unused")  # refuse is silent: Check → Refuse and Refuse → Pay, reached by g0-g2
    assert "Check claim" in unused and "g0, g1, g2" in unused


def test_text_shows_the_first_five_and_how_many_more(run, files) -> None:
    text = run("conform", *files).stdout.decode()
    assert "s00, s01, s02, s03, s04 … +25" in text
    assert "s05" not in text.split("Where reality leaves the blueprint", 1)[1].split("Moves between steps", 1)[0]


def test_json_keeps_twenty(run, files) -> None:
    r = json.loads(run("conform", *files, "--format", "json").stdout)
    (dev,) = [f for f in r["flows"] if not f["modelled"]]
    assert dev["examples"] == KEPT
    assert r["variants"][0]["examples"] == KEPT and r["variants"][0]["cases"] == 30


def test_html_keeps_zoom_and_pan(run, files, tmp_path: Path) -> None:
    out = tmp_path / "claims.html"
    run("conform", *files, "-o", out)
    page = out.read_text(encoding="utf-8")
    assert 'class="diagram"' in page and "Drag to pan; zoom with the buttons or Ctrl + wheel" in page
    assert len(re.findall(r"<script>", page)) == 1
