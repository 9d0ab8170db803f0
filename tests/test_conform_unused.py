"""Unused flows carry their cases (issue 25 item 3): who reached the flow's source step and went another way.

A logged source is reached by the cases with an event of it; a silent one by
the cases whose moves pass through it (SPEC §6.2's chosen path), the stretch
from a silent start included.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MODEL = """\
version: 1
process: {id: route, name: Route}
lanes: [{id: c, name: Customer, kind: customer}, {id: o, name: Office, kind: backstage}]
steps:
  - {id: open, name: Open, lane: c, next: [a, e]}
  - {id: a, name: Apply, lane: c, next: [b, c]}
  - {id: b, name: Basic check, lane: o, next: [hub, e]}
  - {id: c, name: Careful check, lane: o, next: [hub]}
  - {id: hub, name: Route, lane: o, next: [d, e]}
  - {id: d, name: Decide, lane: o}
  - {id: e, name: Escalate, lane: o}
"""

LOG = """\
case,activity,timestamp
k1,Apply,2024-01-01T09:00:00
k1,Basic check,2024-01-01T10:00:00
k1,Decide,2024-01-01T11:00:00
k2,Apply,2024-01-02T09:00:00
k2,Basic check,2024-01-02T10:00:00
k2,Decide,2024-01-02T11:00:00
k3,Apply,2024-01-03T09:00:00
k3,Careful check,2024-01-03T10:00:00
k3,Decide,2024-01-03T11:00:00
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "route.yaml"
    model.write_text(MODEL, encoding="utf-8")
    log = tmp_path / "route.csv"
    log.write_text(LOG, encoding="utf-8")
    return model, log


def test_unused_flows_name_the_cases_that_reached_their_source(run, files) -> None:
    done = run("conform", *files, "--format", "json")
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(done.stdout)
    assert report["silent_steps"] == ["open", "hub", "e"]
    unused = {(u["from"], u["to"]): (u["reached_from"], u["examples"]) for u in report["unused_flows"]}
    assert unused == {
        ("open", "e"): (3, ["k1", "k2", "k3"]),  # a silent start: every case began there
        ("b", "e"): (2, ["k1", "k2"]),  # a logged step: the cases with its event
        ("hub", "e"): (3, ["k1", "k2", "k3"]),  # silent, on the way from both checks to Decide
    }


def test_a_source_nobody_reached_has_no_cases(run, files, tmp_path: Path) -> None:
    model, _ = files
    log = tmp_path / "basic.csv"
    log.write_text("\n".join(line for line in LOG.splitlines() if not line.startswith("k3")) + "\n", encoding="utf-8")
    report = json.loads(run("conform", model, log, "--format", "json").stdout)
    unused = {(u["from"], u["to"]): (u["reached_from"], u["examples"]) for u in report["unused_flows"]}
    assert unused[("c", "hub")] == (0, [])  # Careful check is silent now, and no move passes through it
    assert unused[("a", "c")] == (2, ["k1", "k2"])


def test_text_report_lists_them(run, files) -> None:
    done = run("conform", *files)
    text = done.stdout.decode()
    section = text[text.index("Flows of the blueprint nobody took") :]
    assert "Cases there" in section
    assert "Basic check  Escalate" in section and "k1, k2" in section
