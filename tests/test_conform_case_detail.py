"""``--case-detail ID`` (issue 25 item 3): one case's events mapped to steps, its waits, where it left the blueprint.

On the shipped support-ticket example: T-1005 jumps from the acknowledgement
straight to the solution (no flow allows it), T-1001 fits.  Times are shown in
UTC (the log's +02:00 times two hours earlier).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "examples" / "support-ticket.yaml"
LOG = ROOT / "examples" / "logs" / "support-tickets.csv"


def _detail(run, case: str, fmt: str = "json", *extra: str):
    return run("conform", MODEL, LOG, "--case", "ticket_id", "--case-detail", case, "--format", fmt, *extra)


def test_json_names_the_events_the_waits_and_the_departure(run) -> None:
    done = _detail(run, "T-1005")
    assert done.returncode == 0, done.stderr.decode()
    d = json.loads(done.stdout)
    assert (d["case"], d["fits"], d["steps"]) == ("T-1005", False, 5)
    assert d["events"][0] == {
        "time": "2024-04-03T02:30:00",
        "start": None,
        "activity": "open-ticket",
        "step": "open-ticket",
        "why_not": None,
        "resource": None,
    }
    assert [e["step"] for e in d["events"]] == ["open-ticket", "acknowledge", "solve", "confirm", "close-ticket"]
    assert [(w["from"], w["to"], w["wait"], w["modelled"]) for w in d["waits"]][:3] == [
        ("open-ticket", "acknowledge", 60, True),
        ("acknowledge", "solve", 35 * 60, False),
        ("solve", "confirm", 400 * 60, True),
    ]
    assert d["left_blueprint"] == {"at": "acknowledge", "to": "solve", "why": "move"}
    assert "variants" not in d  # the case, not the report


def test_a_fitting_case_did_not_leave(run) -> None:
    d = json.loads(_detail(run, "T-1001").stdout)
    assert d["fits"] and d["left_blueprint"] is None


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_format_says_where_it_left(run, fmt: str) -> None:
    done = _detail(run, "T-1005", fmt)
    assert done.returncode == 0
    out = " ".join(done.stdout.decode().split())
    assert "Case T-1005" in out
    assert "It left the blueprint moving from" in out and "no flow of the blueprint goes that way" in out
    assert "2024-04-03T02:31:00" in out and "helpdesk-bot" in out and "35m" in out


def test_an_unknown_case_is_one_line_exit_2(run) -> None:
    done = _detail(run, "T-9999", "text")
    assert done.returncode == 2 and not done.stdout
    assert (
        done.stderr.decode()
        == "procmap: --case-detail 'T-9999': no such case among the 8 read (the first is 'T-1001')\n"
    )


def test_unmapped_and_lifecycle_events_say_why_they_are_not_steps(run, tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        "version: 1\nprocess: {id: m, name: M}\nlanes: [{id: o, name: O, kind: backstage}]\n"
        "steps:\n  - {id: a, name: A, lane: o, next: [b]}\n  - {id: b, name: B, lane: o}\n",
        encoding="utf-8",
    )
    log = tmp_path / "l.csv"
    log.write_text(
        "case,activity,timestamp,lifecycle:transition\n"
        "1,A,2024-01-01T09:00:00,start\n1,A,2024-01-01T09:30:00,complete\n"
        "1,Coffee,2024-01-01T10:00:00,complete\n1,B,2024-01-01T11:00:00,complete\n",
        encoding="utf-8",
    )
    d = json.loads(run("conform", model, log, "--case-detail", "1", "--format", "json").stdout)
    assert [(e["activity"], e["step"], e["why_not"]) for e in d["events"]] == [
        ("A", None, "lifecycle 'start'"),
        ("A", "a", None),
        ("Coffee", None, "unmapped"),
        ("B", "b", None),
    ]
    assert d["waits"] == [{"from": "a", "to": "b", "wait": 5400, "modelled": True}]
    assert d["fits"] is True
