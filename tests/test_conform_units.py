"""Units of conform: column choice, activity mapping, conforming pairs, share rounding, file order of ties."""

from __future__ import annotations

from pathlib import Path

import pytest

from procmap.diagnostics import UsageError
from procmap.load.event_logs import LogError, choose_columns


def test_columns_first_match_wins_and_loose_names() -> None:
    cols = choose_columns("x.csv", ["Time", "case", "Case ID", "Activity", "org:resource"], {})
    assert cols == {
        "case": "Case ID",  # case_id is looked for before case
        "activity": "Activity",
        "timestamp": "Time",
        "resource": "org:resource",
        "lifecycle": None,
        "start": None,
    }
    with pytest.raises(LogError, match="no timestamp column"):
        choose_columns("x.csv", ["case", "activity"], {})
    assert choose_columns("x.csv", ["a", "b", "c"], {"case": "A", "activity": "b", "timestamp": "c"})["case"] == "a"


def _model(text: str):
    from procmap.config import Config
    from procmap.validate import require_valid_text

    return require_valid_text(text, "m.yaml", Config())


MODEL = """\
version: 1
process: {id: p, name: P}
lanes: [{id: c, name: C, kind: customer}, {id: a, name: A, kind: onstage}, {id: b, name: B, kind: backstage}]
steps:
  - {id: s, name: Start here, lane: c, next: [x]}
  - {id: x, name: Silent work, lane: b, next: [y, z]}
  - {id: y, name: Reply, lane: a, activities: [REPLIED, "  sent   reply "], next: [s2]}
  - {id: z, name: Other, lane: b, next: [e]}
  - {id: s2, name: Again, lane: c, next: [e, s]}
  - {id: e, name: End, lane: c}
"""


def test_mapping_by_id_name_and_activities() -> None:
    from procmap.conform import map_activities

    model = _model(MODEL).model
    mapping, unmapped = map_activities(model, ["s", "START  here", "replied", "Sent Reply", "X ", "nope"])
    assert mapping == {"s": "s", "START  here": "s", "replied": "y", "Sent Reply": "y"}
    assert unmapped == ["X ", "nope"]  # ids are matched exactly


def test_two_steps_for_one_activity_is_a_usage_error() -> None:
    from procmap.conform import map_activities

    model = _model(MODEL.replace("activities: [REPLIED", "activities: [Other")).model
    with pytest.raises(UsageError, match=r"'Other'.*'y'.*'z'"):
        map_activities(model, ["Other"])


def test_conforming_pairs_through_silent_steps() -> None:
    from procmap.analysis.journeys import Journeys
    from procmap.analysis.logs import BEGIN, END, conforming_pairs, path_use

    g = _model(MODEL).graph
    loops = Journeys(g).loop_edge_ids()
    assert loops == {("s2", "s")}
    pairs = conforming_pairs(g, "s", {"s", "y", "s2"}, loops)
    assert path_use(g, "s", {"s", "y", "s2"}, {("s", "y"): 3}) == {("s", "x"): 3, ("x", "y"): 3}
    assert pairs[("s2", "s")] == 1  # the loop edges on its path
    assert (BEGIN, "s") in pairs and (BEGIN, "y") not in pairs  # s is logged: a case must begin there
    assert (("s2", END)) in pairs  # through the silent end step e
    assert ("s", END) in pairs  # s -> x -> z -> e, all silent
    assert ("y", "s") not in pairs
    only_y = conforming_pairs(g, "s", {"y"}, loops)
    assert (BEGIN, "y") in only_y  # the silent start leads to it
    assert path_use(g, "s", {"y"}, {(BEGIN, "y"): 2}) == {("s", "x"): 2, ("x", "y"): 2}


def test_rounded_shares_add_up_to_one() -> None:
    from procmap.shares import rounded

    assert rounded([1, 2]) == [0.333, 0.667]
    assert rounded([1, 1, 1]) == [0.334, 0.333, 0.333]
    for counts in ([7, 11, 13, 17], [1, 999_999], [5]):
        assert round(sum(rounded(counts)), 9) == 1


def test_ties_keep_file_order_in_a_big_file(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    from procmap.load.event_logs import load

    log = tmp_path / "ties.csv"
    with open(log, "w", encoding="utf-8") as fh:
        fh.write("case,activity,timestamp\n")
        fh.writelines(f"c{i % 7},a{i},2024-01-01T00:00:00Z\n" for i in range(120_000))
    con = duckdb.connect()
    load(con, [str(log)], {}, tmp_path)
    wrong = con.execute("SELECT count(*) FROM events WHERE activity <> 'a' || (row_no - 1)").fetchone()[0]
    assert wrong == 0
