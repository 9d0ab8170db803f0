"""conform reads SPEC §5.7's chase and sla_from (issue 19 item 6): a chase is a repeat contact, a promise runs from S.

The 3-case log on the wrong-invoice story: one customer calls once, one twice
(one chase), one three times (two chases) — 2 of 3 came back.  The corrected
invoice's 2-day promise runs from the first call (``sla_from: first-call``),
so a customer who chased and got the invoice the day after the chase still
waited over 2 days.  With no customer action in the log at all, repeat
contacts are "not logged" (JSON null), never 0 %.
"""

from __future__ import annotations

import json
from pathlib import Path

STORY = Path(__file__).resolve().parents[1] / "examples" / "stories" / "wrong-invoice.yaml"

ONCE = ["first-call", "take-call", "leave-on-desk", "correct-invoice", "send-corrected", "pay"]
AGAIN = ["call-again", "answer-again", "correct-invoice"]
CASES = {
    "once": ONCE,
    "twice": ONCE[:4] + AGAIN + ONCE[4:],
    "thrice": ONCE[:4] + AGAIN + AGAIN + ONCE[4:],
}


def _log(path: Path, cases: dict[str, list[str]], *, drop: set[str] = frozenset()) -> Path:
    """One event every 20 hours: 'twice' gets its invoice 6 events after the first call (5 d), 20 h after its chase."""
    lines = ["case,activity,timestamp"]
    for case, steps in cases.items():
        for i, step in enumerate(steps):
            if step in drop:
                continue
            hours = 20 * i
            lines.append(f"{case},{step},2024-03-{1 + hours // 24:02d}T{hours % 24:02d}:00:00Z")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _conform(run, log: Path, fmt: str = "json"):
    return run("conform", STORY, log, "--format", fmt)


def test_a_chase_is_a_repeat_contact_two_of_three(run, tmp_path: Path) -> None:
    done = _conform(run, _log(tmp_path / "calls.csv", CASES))
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(done.stdout)
    assert report["repeat_contacts"] == {"cases": 2, "share": 0.666667, "examples": ["thrice", "twice"]}
    text = _conform(run, tmp_path / "calls.csv", "text").stdout.decode()
    assert "2 of 3 cases (66.7%) had the customer get in touch again" in text


def test_sla_from_runs_from_the_first_call(run, tmp_path: Path) -> None:
    report = json.loads(_conform(run, _log(tmp_path / "calls.csv", CASES)).stdout)
    (row,) = [r for r in report["sla"] if r["step"] == "send-corrected"]
    # once: 4 events after the first call = 80 h; twice: 7 events = 140 h; thrice: 10 events = 200 h.
    assert row["cases"] == 3
    assert row["max_wait"] == 200 * 3600
    assert row["median_wait"] == 140 * 3600
    assert row["breaches"] == 3  # all over 48 h from the first call; from the chase (20 h) none would be
    assert report["sla_breaches"]["cases"] == 3


def test_no_customer_action_logged_is_not_logged_never_zero(run, tmp_path: Path) -> None:
    log = _log(tmp_path / "staff.csv", CASES, drop={"first-call", "call-again", "pay"})
    report = json.loads(_conform(run, log).stdout)
    assert report["repeat_contacts"] == {"cases": None, "share": None, "examples": []}
    text = _conform(run, log, "text").stdout.decode()
    assert "Repeat contacts: not logged" in text
    assert "0.0%" not in text.split("Repeat contacts")[1].splitlines()[0]
    html = _conform(run, log, "html").stdout.decode()
    assert "not logged" in html


def test_repeat_contacts_unit_without_chase_counts_the_same_action_twice(tmp_path: Path) -> None:
    """The query alone: a customer action twice counts, a chase once counts, none logged is None."""
    import duckdb

    from procmap.analysis.logs import CASE_STEPS, repeat_contacts

    con = duckdb.connect()
    con.execute("CREATE TABLE seq (case_id VARCHAR, sn INTEGER, t DOUBLE, customer BOOLEAN, chase BOOLEAN)")
    con.execute(
        "INSERT INTO seq VALUES ('a', 0, 1, true, false), ('a', 0, 2, true, false), ('b', 1, 1, true, true),"
        " ('c', 0, 1, true, false), ('d', 2, 1, false, false), ('d', 2, 2, false, false)"
    )
    case_steps = "CREATE OR REPLACE TABLE case_steps AS " + CASE_STEPS
    con.execute(case_steps)
    assert repeat_contacts(con) == 2
    con.execute("DELETE FROM seq WHERE customer")
    con.execute(case_steps)
    assert repeat_contacts(con) is None


def test_every_deviation_breach_and_repeat_names_its_cases(run, tmp_path: Path) -> None:
    """Issue 25's Done-when on the support-ticket example: the cases behind each finding, in JSON and in the text."""
    root = Path(__file__).resolve().parents[1]
    args = (root / "examples" / "support-ticket.yaml", root / "examples" / "logs" / "support-tickets.csv")
    report = json.loads(run("conform", *args, "--case", "ticket_id", "--format", "json").stdout)
    deviations = [f for f in report["flows"] if not f["modelled"]]
    assert deviations and all(len(f["examples"]) == f["observed"] for f in deviations)
    breached = [row for row in report["sla"] if row["breaches"]]
    assert breached and all(len(row["examples"]) == row["breaches"] for row in breached)
    assert len(report["repeat_contacts"]["examples"]) == report["repeat_contacts"]["cases"] == 1
    text = " ".join(run("conform", *args, "--case", "ticket_id").stdout.decode().split())
    for case in {c for f in deviations for c in f["examples"]} | {c for r in breached for c in r["examples"]}:
        assert case in text


def test_sla_breaches_name_their_cases(run, tmp_path: Path) -> None:
    report = json.loads(_conform(run, _log(tmp_path / "calls.csv", CASES)).stdout)
    (row,) = [r for r in report["sla"] if r["step"] == "send-corrected"]
    assert row["examples"] == ["once", "thrice", "twice"]
