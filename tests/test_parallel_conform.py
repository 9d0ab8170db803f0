"""conform with parallel work (SPEC §7.3): the running example of process mining, imported from BPMN.

The log and the model are van der Aalst's running example (Process Mining,
ch. 1), written here by hand: register, then examine (casually or
thoroughly) beside check ticket, then decide, then reinitiate (back before
the fork), pay or reject.  pm4py fits 6 of 6 cases on it; its
directly-follows graph is the ``DFG`` below, counted by hand from the log.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bpmn_support import bpmn, import_bpmn
from procmap.analysis.replay import Replay
from procmap.model.process import ProcessFile

LOG = """case,activity,resource,timestamp
1,register request,Pete,2010-12-30T11:02:00+01:00
1,examine thoroughly,Sue,2010-12-31T10:06:00+01:00
1,check ticket,Mike,2011-01-05T15:12:00+01:00
1,decide,Sara,2011-01-06T11:18:00+01:00
1,reject request,Pete,2011-01-07T14:24:00+01:00
2,register request,Mike,2010-12-30T11:32:00+01:00
2,check ticket,Mike,2010-12-30T12:12:00+01:00
2,examine casually,Sean,2010-12-30T14:16:00+01:00
2,decide,Sara,2011-01-05T11:22:00+01:00
2,pay compensation,Ellen,2011-01-08T12:05:00+01:00
3,register request,Pete,2010-12-30T14:32:00+01:00
3,examine casually,Mike,2010-12-30T15:06:00+01:00
3,check ticket,Ellen,2010-12-30T16:34:00+01:00
3,decide,Sara,2011-01-06T09:18:00+01:00
3,reinitiate request,Sara,2011-01-06T12:18:00+01:00
3,examine thoroughly,Sean,2011-01-06T13:06:00+01:00
3,check ticket,Pete,2011-01-08T11:43:00+01:00
3,decide,Sara,2011-01-09T09:55:00+01:00
3,pay compensation,Ellen,2011-01-15T10:45:00+01:00
4,register request,Pete,2011-01-06T15:02:00+01:00
4,check ticket,Mike,2011-01-07T12:06:00+01:00
4,examine thoroughly,Sean,2011-01-08T14:43:00+01:00
4,decide,Sara,2011-01-09T12:02:00+01:00
4,reject request,Ellen,2011-01-12T15:44:00+01:00
5,register request,Ellen,2011-01-06T09:02:00+01:00
5,examine casually,Mike,2011-01-07T10:16:00+01:00
5,check ticket,Pete,2011-01-08T11:22:00+01:00
5,decide,Sara,2011-01-10T13:28:00+01:00
5,reinitiate request,Sara,2011-01-11T16:18:00+01:00
5,check ticket,Ellen,2011-01-14T14:33:00+01:00
5,examine casually,Mike,2011-01-16T15:50:00+01:00
5,decide,Sara,2011-01-19T11:18:00+01:00
5,reinitiate request,Sara,2011-01-20T12:48:00+01:00
5,examine casually,Sue,2011-01-21T09:06:00+01:00
5,check ticket,Pete,2011-01-21T11:34:00+01:00
5,decide,Sara,2011-01-23T13:12:00+01:00
5,reject request,Mike,2011-01-24T14:56:00+01:00
6,register request,Mike,2011-01-06T15:02:00+01:00
6,examine casually,Ellen,2011-01-06T16:06:00+01:00
6,check ticket,Mike,2011-01-07T16:22:00+01:00
6,decide,Sara,2011-01-07T16:52:00+01:00
6,pay compensation,Mike,2011-01-16T11:47:00+01:00
"""

TASKS = {
    "register": "register request",
    "casually": "examine casually",
    "thoroughly": "examine thoroughly",
    "check": "check ticket",
    "decide": "decide",
    "reinitiate": "reinitiate request",
    "pay": "pay compensation",
    "reject": "reject request",
}
FLOWS = [
    ("s", "register"), ("register", "again"), ("again", "fork"), ("fork", "how"), ("fork", "check"),
    ("how", "casually"), ("how", "thoroughly"), ("casually", "examined"), ("thoroughly", "examined"),
    ("examined", "join"), ("check", "join"), ("join", "decide"), ("decide", "outcome"),
    ("outcome", "reinitiate"), ("outcome", "pay"), ("outcome", "reject"), ("reinitiate", "again"),
    ("pay", "done"), ("reject", "done"), ("done", "e"),
]  # fmt: skip
NODES = (
    '<startEvent id="s"/><endEvent id="e"/>\n'
    + "".join(f'<task id="{k}" name="{v}"/>\n' for k, v in TASKS.items())
    + "".join(f'<exclusiveGateway id="{g}"/>\n' for g in ("again", "how", "examined", "outcome", "done"))
    + '<parallelGateway id="fork"/><parallelGateway id="join"/>'
)
BPMN = bpmn(NODES, FLOWS, process='id="claims" name="Compensation requests"', target="x/re")

R, EC, ET, C, D, RI, P, RJ = (
    "register-request",
    "examine-casually",
    "examine-thoroughly",
    "check-ticket",
    "decide",
    "reinitiate-request",
    "pay-compensation",
    "reject-request",
)
# pm4py's directly-follows graph of the log, counted by hand (36 pairs: 42 events in 6 cases).
DFG = {
    (R, ET): 1, (R, C): 2, (R, EC): 3, (ET, C): 2, (ET, D): 1, (C, D): 6, (C, EC): 2, (C, ET): 1,
    (EC, D): 2, (EC, C): 4, (D, RJ): 3, (D, P): 3, (D, RI): 3, (RI, ET): 1, (RI, C): 1, (RI, EC): 1,
}  # fmt: skip


def imported(tmp_path: Path, cli) -> Path:
    out, err = import_bpmn(tmp_path, cli, BPMN, "running-example")
    assert "[parallel-split]" not in err
    return out


def test_the_running_example_imports_as_a_fork_and_a_join(tmp_path: Path, cli) -> None:
    data = yaml.safe_load(imported(tmp_path, cli).read_text())
    by_id = {s["id"]: s for s in data["steps"]}
    forks = [f for s in data["steps"] for f in s.get("next", []) if isinstance(f, dict) and "all" in f]
    assert len(forks) == 1 and C in forks[0]["all"]
    assert [s["id"] for s in data["steps"] if s.get("join") == "all"] == [D]
    # the choice that opens the examination branch is a (silent) step of its own
    (choice,) = [t for t in forks[0]["all"] if t != C]
    assert by_id[choice]["next"] == [EC, ET]
    assert cli("validate", tmp_path / "running-example.yaml").exit_code == 0


def test_the_running_example_fits_six_of_six_with_pm4pys_directly_follows_graph(tmp_path: Path, cli) -> None:
    model = imported(tmp_path, cli)
    log = tmp_path / "running-example.csv"
    log.write_text(LOG, encoding="utf-8")
    result = cli("conform", model, log, "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["cases"] == 6 and report["events_mapped"] == 42
    assert report["fitness"]["cases_fitting"] == 6
    assert report["fitness"]["pairs"] == 36 and report["fitness"]["pairs_conforming"] == 36
    assert {(f["from"], f["to"]): f["observed"] for f in report["flows"]} == DFG
    assert all(f["modelled"] for f in report["flows"])
    assert all(row["to"] is not None for row in report["model_flows"])  # a fork's flows, one per branch


def _model(text: str) -> ProcessFile:
    return ProcessFile.model_validate(yaml.safe_load(text))


ORDER = """
version: 1
process: {id: order, name: Order, start: take}
lanes: [{id: shop, name: Shop, kind: backstage}]
steps:
  - {id: take, name: Take, lane: shop, next: [{all: [pack, bill]}]}
  - {id: pack, name: Pack, lane: shop, next: [wrap]}
  - {id: wrap, name: Wrap, lane: shop, next: [ship]}
  - {id: bill, name: Bill, lane: shop, next: [ship]}
  - {id: ship, name: Ship, lane: shop, join: all}
"""


def test_replay_takes_every_interleaving_and_only_those() -> None:
    replay = Replay.of(_model(ORDER))
    logged = {"take", "pack", "wrap", "bill", "ship"}
    for order in (
        ["take", "pack", "wrap", "bill", "ship"],
        ["take", "bill", "pack", "wrap", "ship"],
        ["take", "pack", "bill", "wrap", "ship"],
    ):
        assert replay.fits(order, logged) is True, order
    assert replay.fits(["take", "wrap", "pack", "bill", "ship"], logged) is False  # a branch out of its order
    assert replay.fits(["take", "pack", "wrap", "ship"], logged) is False  # the join before all branches
    assert replay.fits(["take", "pack", "wrap", "bill"], logged) is False  # stops before the join
    # wrap is silent: left out of the events, the case still fits
    assert replay.fits(["take", "bill", "pack", "ship"], logged - {"wrap"}) is True


def test_a_case_that_skips_a_branch_does_not_fit_though_each_pair_conforms(tmp_path: Path, cli) -> None:
    """Pairwise, register → check → decide → pay conforms; by replay the examination branch never ran."""
    model = imported(tmp_path, cli)
    log = tmp_path / "skips.csv"
    log.write_text(
        "case,activity,resource,timestamp\n"
        "7,register request,Pete,2011-02-01T09:00:00+01:00\n"
        "7,check ticket,Mike,2011-02-01T10:00:00+01:00\n"
        "7,decide,Sara,2011-02-02T10:00:00+01:00\n"
        "7,pay compensation,Ellen,2011-02-03T10:00:00+01:00\n"
        "8,register request,Pete,2011-02-01T09:00:00+01:00\n"
        "8,check ticket,Mike,2011-02-01T10:00:00+01:00\n"
        "8,examine casually,Sue,2011-02-01T11:00:00+01:00\n"
        "8,decide,Sara,2011-02-02T10:00:00+01:00\n"
        "8,reinitiate request,Sara,2011-02-02T11:00:00+01:00\n"
        "8,examine thoroughly,Sue,2011-02-02T12:00:00+01:00\n"
        "8,check ticket,Mike,2011-02-02T13:00:00+01:00\n"
        "8,decide,Sara,2011-02-02T14:00:00+01:00\n"
        "8,pay compensation,Ellen,2011-02-03T10:00:00+01:00\n",  # case 8 logs both examinations: not silent
        encoding="utf-8",
    )
    report = json.loads(cli("conform", model, log, "--format", "json").stdout)
    assert report["fitness"]["pairs_conforming"] == 3 + 8
    assert report["fitness"]["cases_fitting"] == 1  # case 8 only


def test_past_the_bound_replay_says_it_does_not_know(monkeypatch: pytest.MonkeyPatch) -> None:
    from procmap.analysis import replay as module

    monkeypatch.setattr(module, "MAX_MARKINGS", 2)
    replay = Replay.of(_model(ORDER))
    assert replay.fits(["take", "bill", "ship"], {"take", "bill", "ship"}) is None  # never a guess
