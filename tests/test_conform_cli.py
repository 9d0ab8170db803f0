"""conform through the CLI: hand-written logs for each edge case, hostile logs, mapping, budgets, outputs."""

from __future__ import annotations

import gzip
import json
import re
import textwrap
from pathlib import Path

import pytest

MODEL = """\
version: 1
process:
  id: order
  name: Order
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: shop, name: Shop staff, kind: onstage}
  - {id: store, name: Warehouse, kind: backstage}
steps:
  - id: order
    name: Place order
    lane: customer
    channel: web
    next: [confirm]
  # the confirmation e-mail
  - id: confirm
    name: Confirm order
    lane: shop
    channel: email
    sla: 1h
    activities: [ORDER_CONFIRMED]
    next:
      - to: pick
        when: in stock
      - to: refund
        when: out of stock
  - {id: pick, name: Pick the parcel, lane: store, next: [deliver]}
  - {id: deliver, name: Deliver, lane: shop, channel: courier, next: [received]}
  - {id: refund, name: Refund, lane: shop, channel: email}
  - {id: received, name: Receive the parcel, lane: customer}
"""


class Done:
    """What a run left: the exit code and both streams, as bytes (the shape of subprocess.run's result)."""

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run(cli):
    """The CLI in-process (fast); `python -m procmap` subprocesses are in test_malformed_logs_in_a_real_process."""

    def invoke(*args: object) -> Done:
        result = cli(*[str(a) for a in args])
        return Done(result.exit_code, result.stdout_bytes, result.stderr_bytes)

    return invoke


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "order.yaml"
    path.write_text(MODEL, encoding="utf-8")
    return path


def csv_file(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


GOOD = """
case,activity,timestamp,resource
1,order,2024-05-01T10:00:00Z,
1,ORDER_CONFIRMED,2024-05-01T10:20:00Z,ann
1,Pick the parcel,2024-05-01T11:00:00Z,bob
1,deliver,2024-05-02T09:00:00Z,cat
1,received,2024-05-02T09:05:00Z,
2,order,2024-05-01T12:00:00Z,
2,confirm,2024-05-01T14:00:00Z,ann
2,refund,2024-05-01T15:00:00Z,dan
"""


def report(run, *args) -> dict:
    proc = run("conform", *args, "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def one_line_error(proc, *needles: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err)
    assert proc.stdout == b""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


# ----------------------------------------------------------------------------- the figures on a tiny log


def test_a_small_log_in_every_figure(run, model: Path, tmp_path: Path) -> None:
    r = report(run, model, csv_file(tmp_path, GOOD))
    assert (r["events"], r["cases"]) == (8, 2)
    assert r["fitness"] == {
        "cases_fitting": 2,
        "pairs": 6,
        "pairs_conforming": 6,
        "share": 1,
        "pairs_share": 1,
    }
    assert r["unmapped"] == []
    assert r["unused_flows"] == []
    assert r["silent_steps"] == []
    # an hour-long wait at confirm in case 2 (12:00 -> 14:00) breaches its 1h sla; case 1 waited 20 minutes
    assert r["sla"] == [
        {
            "step": "confirm",
            "sla": 3600,
            "cases": 2,
            "breaches": 1,
            "median_wait": 4200,
            "p90_wait": 6600,
            "max_wait": 7200,
            "examples": ["2"],  # the case over the promise
        }
    ]
    assert r["sla_breaches"] == {"cases": 1, "share": 0.5}
    shares = {(s["from"], s["to"]): (s["observed"], s["count"]) for s in r["shares"]}
    assert shares == {("confirm", "pick"): (0.5, 1), ("confirm", "refund"): (0.5, 1)}
    # case 1 meets ann then cat at touchpoints (bob picks backstage): one change; case 2 ann then dan: one
    assert r["resource_changes"] == {"min": 1, "median": 1, "p90": 1, "max": 1, "mean": 1}
    assert r["figures"]["elapsed"]["max"] == 23 * 3600 + 5 * 60
    # case 1: order(web) confirm(email) deliver(courier) received(no channel): 2 switches
    assert r["figures"]["channel_switches"]["max"] == 2
    assert r["figures"]["longest_silence"]["max"] == 22 * 3600 + 40 * 60  # confirm 10:20 -> deliver 09:00
    assert r["repeat_contacts"] == {"cases": 0, "share": 0, "examples": []}


def test_ties_keep_file_order_and_zones_compare_in_utc(run, model: Path, tmp_path: Path) -> None:
    log = csv_file(
        tmp_path,
        """
        case;activity;timestamp
        1;order;2024-05-01T12:00:00+02:00
        1;confirm;2024-05-01 10:30:00
        1;refund;2024-05-01T10:30:00Z
        """,
    )
    r = report(run, model, log)
    assert [(f["from"], f["to"], f["wait"]["max"]) for f in r["flows"]] == [
        ("order", "confirm", 1800),
        ("confirm", "refund", 0),
    ]
    assert r["fitness"]["cases_fitting"] == 1


def test_unmapped_activities_are_listed_and_strict_mapping_fails(run, model: Path, tmp_path: Path) -> None:
    log = csv_file(tmp_path, GOOD + "2,Fraud check,2024-05-01T13:00:00Z,eve\n2,Fraud check,2024-05-01T13:30:00Z,eve\n")
    r = report(run, model, log)
    assert r["unmapped"] == [{"activity": "Fraud check", "events": 2}]
    assert r["fitness"]["pairs_conforming"] == 6  # the unknown events are skipped, not deviations
    proc = run("conform", model, log, "--strict-mapping")
    assert proc.returncode == 1
    assert "Fraud check" in proc.stderr.decode() and "--strict-mapping" in proc.stderr.decode()
    assert b"Activities the blueprint does not know" in proc.stdout


def test_an_activity_matching_two_steps_is_exit_2_naming_both(run, tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(MODEL.replace("activities: [ORDER_CONFIRMED]", "activities: [Refund]"), encoding="utf-8")
    log = csv_file(tmp_path, GOOD)
    one_line_error(run("conform", model, log), "'refund'", "'confirm'", "two steps")


def test_column_overrides_and_loose_column_names(run, model: Path, tmp_path: Path) -> None:
    log = csv_file(
        tmp_path,
        """
        Ticket,Status,Changed at,Case ID
        1,order,2024-05-01T10:00:00Z,x
        1,confirm,2024-05-01T10:10:00Z,x
        """,
    )
    r = report(run, model, log, "--case", "ticket", "--activity", "Status", "--timestamp", "changed at")
    assert r["columns"][0]["case"] == "Ticket" and r["cases"] == 1 and r["events"] == 2
    r = report(run, model, log, "--activity", "Status", "--timestamp", "Changed at")
    assert r["columns"][0]["case"] == "Case ID"  # found as case_id
    one_line_error(run("conform", model, log, "--case", "nope"), "no column 'nope'", "--case")


def test_a_case_with_nothing_mapped_counts_and_does_not_fit(run, model: Path, tmp_path: Path) -> None:
    log = csv_file(tmp_path, GOOD + "3,Fraud check,2024-05-01T13:00:00Z,eve\n")
    r = report(run, model, log)
    assert r["cases"] == 3 and r["cases_mapped"] == 2
    assert r["fitness"]["cases_fitting"] == 2 and r["fitness"]["share"] == pytest.approx(2 / 3)


def test_a_case_that_stops_early_does_not_fit(run, model: Path, tmp_path: Path) -> None:
    stops = "3,order,2024-05-03T10:00:00Z,\n3,confirm,2024-05-03T10:10:00Z,ann\n3,pick,2024-05-03T11:00:00Z,bob\n"
    r = report(run, model, csv_file(tmp_path, GOOD + stops))
    assert r["fitness"]["cases_fitting"] == 2  # case 3 stops at picking, before delivery (a logged step)
    assert r["fitness"]["pairs"] == r["fitness"]["pairs_conforming"] == 8


def test_an_end_step_never_logged_is_silent_and_a_case_may_stop_before_it(run, model: Path, tmp_path: Path) -> None:
    r = report(run, model, csv_file(tmp_path, "\n".join(GOOD.strip().splitlines()[:5]) + "\n"))
    assert r["silent_steps"] == ["refund", "received"]
    assert r["fitness"]["cases_fitting"] == 1
    assert [(u["from"], u["to"]) for u in r["unused_flows"]] == [("confirm", "refund")]
    assert r["unused_flows"][0]["reached_from"] == 1  # the one case confirmed, and went on to pick


def test_budgets_exit_1_after_the_report(run, model: Path, tmp_path: Path) -> None:
    log = csv_file(tmp_path, GOOD)
    assert run("conform", model, log, "--min-fitness", "1", "--max-sla-breaches", "0.5").returncode == 0
    proc = run("conform", model, log, "--max-sla-breaches", "0.4", "--format", "json")
    assert proc.returncode == 1
    assert "max-sla-breaches" in proc.stderr.decode()
    budgets = json.loads(proc.stdout)["budgets"]
    assert budgets == [{"budget": "max-sla-breaches", "limit": 0.4, "value": 0.5, "exceeded": True}]
    one_line_error(run("conform", model, log, "--min-fitness", "90"), "between 0 and 1")


def test_html_markdown_and_text_use_names(run, model: Path, tmp_path: Path) -> None:
    log = csv_file(tmp_path, GOOD + "2,order,2024-05-01T16:00:00Z,\n")
    out = tmp_path / "r.html"
    assert run("conform", model, log, "-o", out).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and page.count("<script>") == 1  # zoom and pan, allowed by its hash
    assert "Place order" in page and "<svg" in page
    # refund -> order is not in the blueprint: drawn as an extra flow, dashed red
    assert re.search(r'class="[^"]*\bflow\b[^"]*\bdeviation\b', page)
    assert "1× not in the" in page  # its label (wrapped in the drawing)
    md = run("conform", model, log, "--format", "markdown").stdout.decode()
    assert "| Refund | Place order |" in md
    text = run("conform", model, log).stdout.decode()
    assert "Where reality leaves the blueprint" in text and "Refund" in text


# ----------------------------------------------------------------------------- XES and Parquet


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <global scope="event"><string key="org:resource" value="desk"/></global>
  <trace>
    <string key="concept:name" value="A"/>
    <event><string key="concept:name" value="order"/><date key="time:timestamp" value="2024-05-01T10:00:00+02:00"/></event>
    <event><string key="concept:name" value="confirm"/><date key="time:timestamp" value="2024-05-01T08:30:00Z"/>
      <string key="org:resource" value="ann"/></event>
    <event><string key="concept:name" value="refund"/><date key="time:timestamp" value="2024-05-01T09:00:00Z"/></event>
  </trace>
</log>
"""


def test_xes_and_gzipped_xes(run, model: Path, tmp_path: Path) -> None:
    plain = tmp_path / "log.xes"
    plain.write_text(XES, encoding="utf-8")
    packed = tmp_path / "log.xes.gz"
    packed.write_bytes(gzip.compress(XES.encode()))
    for path in (plain, packed):
        r = report(run, model, path)
        assert (r["events"], r["cases"], r["fitness"]["cases_fitting"]) == (3, 1, 1)
        assert r["flows"][0]["wait"]["max"] == 1800  # 10:00+02:00 is 08:00Z
        assert r["columns"][0]["resource"] == "org:resource"


def test_parquet(run, model: Path, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    log = csv_file(tmp_path, GOOD)
    out = tmp_path / "log.parquet"
    con = duckdb.connect()
    source = f"read_csv('{log}', all_varchar = true)"
    con.execute(
        f'COPY (SELECT "case", activity, CAST(timestamp AS TIMESTAMPTZ) AS timestamp, resource FROM {source}) '
        f"TO '{out}' (FORMAT parquet)"
    )
    assert report(run, model, out)["fitness"] == report(run, model, log)["fitness"]


# ----------------------------------------------------------------------------- hostile and malformed logs


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("empty.csv", b"", ("empty.csv", "empty file")),
        ("header.csv", b"case,activity,timestamp\n", ("no events",)),
        ("cols.csv", b"id,what,when\n1,a,2024-01-01\n", ("no case column", "--case")),
        ("ts.csv", b"case,activity,timestamp\n1,order,2024-01-01\n1,confirm,yesterday\n", ("row 2", "'yesterday'")),
        ("blank.csv", b"case,activity,timestamp\n1,,2024-01-01\n", ("row 1", "empty activity")),
        ("ragged.csv", b"case,activity,timestamp\n1,order,2024-01-01,extra\n", ("line 2",)),
        ("bin.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("binary",)),
        ("latin.csv", b"case,activit\xe9,timestamp\n", ("UTF-8",)),
        ("log.json", b"{}", ("unknown log format",)),
        ("not.xes", b"<html><body/></html>", ("not XES", "<html>")),
        ("cut.xes", XES.encode()[:400], ("cut.xes", "line")),
        ("bin.xes", b"\x00\x01\x02garbage", ("bin.xes",)),
        ("none.xes", b'<log xmlns="http://www.xes-standard.org/"></log>', ("no events",)),
        ("bad.xes.gz", b"not gzip at all", ("gzip",)),
        ("bad.parquet", b"PAR1 not really", ("Parquet",)),
        (
            "bomb.xes",
            b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<log><trace><event><string key="concept:name" value="&b;"/></event></trace></log>',
            ("DOCTYPE",),
        ),
        (
            "xxe.xes",
            b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<log><trace><event><string key="concept:name" value="&x;"/></event></trace></log>',
            ("DOCTYPE",),
        ),
    ],
)
def test_malformed_logs_get_one_line_and_exit_2(run, model: Path, tmp_path: Path, name, content, needles) -> None:
    log = tmp_path / name
    log.write_bytes(content)
    out = tmp_path / "report.json"
    proc = run("conform", model, log, "-o", out)
    one_line_error(proc, *needles)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["order.yaml", name])  # nothing half-written


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ts.csv", b"case,activity,timestamp\n1,order,2024-01-01\n1,confirm,yesterday\n"),
        ("cut.xes", XES.encode()[:400]),
        ("bin.parquet", bytes(range(256)) * 4),
    ],
)
def test_malformed_logs_in_a_real_process(model: Path, tmp_path: Path, name: str, content: bytes) -> None:
    import sys

    from forkserver import run_process

    log = tmp_path / name
    log.write_bytes(content)
    proc = run_process([sys.executable, "-m", "procmap", "conform", str(model), str(log)], cpu_limit=120)
    one_line_error(proc, name)


def test_missing_log_and_directory(run, model: Path, tmp_path: Path) -> None:
    one_line_error(run("conform", model, tmp_path / "nope.csv"), "no such file")
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    one_line_error(run("conform", model, folder), "is a directory")


def test_an_invalid_process_gets_its_diagnostics_and_exit_1(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MODEL.replace("next: [confirm]", "next: [confirn]"), encoding="utf-8")
    proc = run("conform", bad, csv_file(tmp_path, GOOD))
    assert proc.returncode == 1
    assert "unknown-reference" in proc.stderr.decode() and proc.stdout == b""


def test_refuses_to_overwrite_a_log(run, model: Path, tmp_path: Path) -> None:
    log = csv_file(tmp_path, GOOD)
    before = log.read_bytes()
    one_line_error(run("conform", model, log, "-o", log, "--format", "json"), "refusing to overwrite")
    assert log.read_bytes() == before


# ----------------------------------------------------------------------------- --write-shares


def test_write_shares_keeps_comments_and_layout(run, model: Path, tmp_path: Path) -> None:
    rows = GOOD + "".join(
        f"{c},order,2024-05-03T10:00:00Z,\n{c},confirm,2024-05-03T10:10:00Z,ann\n{c},refund,2024-05-03T11:00:00Z,\n"
        for c in (3, 4)
    )
    log = csv_file(tmp_path, rows)
    out = tmp_path / "observed.yaml"
    proc = run("conform", model, log, "--write-shares", "-o", out)
    assert proc.returncode == 0, proc.stderr.decode()
    written = out.read_text(encoding="utf-8")
    assert written.count("share:") == 2
    original = MODEL.splitlines()
    lines = written.splitlines()
    assert [line for line in lines if "share:" not in line] == original  # nothing else moved
    assert "        share: 0.25" in lines and "        share: 0.75" in lines
    assert "  # the confirmation e-mail" in lines
    assert model.read_text(encoding="utf-8") == MODEL  # the input is never touched
    assert run("validate", out).returncode == 0
    again = report(run, out, log)
    assert [(s["model"], s["observed"]) for s in again["shares"]] == [(0.25, 0.25), (0.75, 0.75)]


def test_write_shares_on_shorthand_and_flow_style_and_existing_shares(run, tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        MODEL.replace(
            """      - to: pick
        when: in stock
      - to: refund
        when: out of stock""",
            "      [pick, {to: refund, when: out of stock}]",
        ).replace("    next:\n      [pick", "    next: [pick")
    )
    text = model.read_text()
    assert "next: [pick, {to: refund, when: out of stock}]" in text, text
    log = csv_file(
        tmp_path,
        GOOD + "3,order,2024-05-03T10:00:00Z,\n3,confirm,2024-05-03T10:10:00Z,ann\n3,refund,2024-05-03T11:00:00Z,\n",
    )
    out = tmp_path / "o.yaml"
    assert run("conform", model, log, "--write-shares", "-o", out).returncode == 0
    assert "next: [{to: pick, share: 0.333}, {to: refund, share: 0.667, when: out of stock}]" in out.read_text()
    # writing again over a file that has shares replaces their values in place
    out2 = tmp_path / "o2.yaml"
    assert run("conform", out, csv_file(tmp_path, GOOD, "g.csv"), "--write-shares", "-o", out2).returncode == 0
    assert "next: [{to: pick, share: 0.5}, {to: refund, share: 0.5, when: out of stock}]" in out2.read_text()


def test_write_shares_leaves_a_branch_never_taken_and_says_so(run, model: Path, tmp_path: Path) -> None:
    log = csv_file(tmp_path, "\n".join(GOOD.strip().splitlines()[:6]) + "\n")
    out = tmp_path / "o.yaml"
    proc = run("conform", model, log, "--write-shares", "-o", out)
    assert proc.returncode == 0
    assert "never taken" in proc.stderr.decode()
    assert out.read_text() == MODEL


def test_write_shares_needs_an_output(run, model: Path, tmp_path: Path) -> None:
    one_line_error(run("conform", model, csv_file(tmp_path, GOOD), "--write-shares"), "-o")


def test_the_documented_example_is_what_procmap_prints(run, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    args = ("examples/support-ticket.yaml", "examples/logs/support-tickets.csv", "--case", "ticket_id")
    proc = run("conform", *args)
    assert proc.returncode == 0, proc.stderr
    doc = (ROOT / "docs" / "conform.md").read_text(encoding="utf-8")
    printed = proc.stdout.decode().splitlines()
    block = doc.split("```\nSupport ticket with escalation", 1)[1].split("```", 1)[0]
    quoted = ["Support ticket with escalation" + block.splitlines()[0], *block.splitlines()[1:]]
    for line in quoted:
        if line and line != "…":
            assert line in printed, line
    r = report(run, *args)
    assert (r["events"], r["cases"], r["fitness"]["cases_fitting"]) == (58, 8, 2)
    assert r["silent_steps"] == ["investigate", "tell-progress", "fix-defect", "deploy"]


def test_a_bad_memory_limit_is_one_line(run, model: Path, tmp_path: Path, monkeypatch) -> None:
    # SPEC §6.5: --memory (else PROCMAP_MEMORY_LIMIT, else a quarter of the machine); a size the engine cannot run in,
    # or no size at all, is one line naming where it was given, and nothing is written
    out = tmp_path / "r.json"
    one_line_error(run("conform", model, csv_file(tmp_path, GOOD), "-o", out, "--memory", "2MB"), "--memory '2MB'")
    assert not out.exists()
    one_line_error(run("conform", model, csv_file(tmp_path, GOOD), "--memory", "lots"), "--memory 'lots'")
    monkeypatch.setenv("PROCMAP_MEMORY_LIMIT", "lots")
    one_line_error(run("conform", model, csv_file(tmp_path, GOOD)), "PROCMAP_MEMORY_LIMIT='lots'")


def test_help_has_examples(run) -> None:
    out = run("conform", "--help").stdout.decode()
    assert "Examples:" in out and "--write-shares" in out and "--strict-mapping" in out


def test_other_commands_never_import_duckdb(tmp_path: Path) -> None:
    import sys

    from conftest import EXAMPLES
    from forkserver import run_process

    proc = run_process(
        [sys.executable, "-X", "importtime", "-m", "procmap", "validate", str(EXAMPLES / "support-ticket.yaml")],
        cpu_limit=120,
    )
    assert proc.returncode in (0, 1)
    assert b"duckdb" not in proc.stderr
