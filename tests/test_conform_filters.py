"""Filters (issue 25 item 4): --from/--to on when cases start, --where on case or event attributes.

A case attribute (``case:channel``) keeps whole cases; an event attribute
(``resource``) keeps the matching events.  The heading states the filters in
every format, JSON ``filters`` counts what they left out, and a malformed
filter or an unknown column is one line, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procmap.analysis.log_filters import describe, parse
from procmap.diagnostics import UsageError

MODEL = """\
version: 1
process: {id: order, name: Order}
lanes: [{id: c, name: Customer, kind: customer}, {id: s, name: Shop, kind: backstage}]
steps:
  - {id: place, name: place order, lane: c, next: [invoice]}
  - {id: invoice, name: send invoice, lane: s, next: [pay]}
  - {id: pay, name: pay, lane: c}
"""

LOG = """\
case_id,activity,timestamp,resource,case:channel
A,place order,2024-01-01T09:10:00,Ann,web
A,send invoice,2024-01-01T10:30:00,Bob,web
A,pay,2024-01-02T08:00:00,Ann,web
B,place order,2024-02-05T09:20:00,Ann,phone
B,send invoice,2024-02-05T11:10:00,Bob,phone
C,place order,2024-03-05T09:20:00,Cid,web
C,send invoice,2024-03-06T11:10:00,Bob,web
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "order.yaml"
    model.write_text(MODEL, encoding="utf-8")
    log = tmp_path / "orders.csv"
    log.write_text(LOG, encoding="utf-8")
    return model, log


def _json(run, *args) -> dict:
    done = run("conform", *args, "--format", "json")
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_no_filter_is_null(run, files) -> None:
    assert _json(run, *files)["filters"] is None


def test_from_keeps_the_cases_that_start_on_or_after(run, files) -> None:
    r = _json(run, *files, "--from", "2024-02-05")
    assert (r["events"], r["cases"]) == (4, 2)
    assert r["filters"]["left_out"] == {"events": 3, "cases": 1}
    assert r["filters"]["read"] == {"events": 7, "cases": 3}
    assert sorted(e for v in r["variants"] for e in v["examples"]) == ["B", "C"]


def test_to_a_date_includes_its_whole_day(run, files) -> None:
    r = _json(run, *files, "--to", "2024-02-05")
    assert sorted(e for v in r["variants"] for e in v["examples"]) == ["A", "B"]
    r = _json(run, *files, "--to", "2024-02-05T09:20:00")  # an instant: included
    assert r["cases"] == 2
    r = _json(run, *files, "--to", "2024-02-05T09:19:59")
    assert r["cases"] == 1


def test_from_and_to_and_a_case_attribute(run, files) -> None:
    r = _json(run, *files, "--from", "2024-01-01", "--to", "2024-03-31", "--where", "channel=web")
    assert sorted(e for v in r["variants"] for e in v["examples"]) == ["A", "C"]
    assert r["filters"]["where"] == [{"column": "channel", "value": "web", "level": "case"}]
    assert r["filters"]["text"] == "cases that started from 2024-01-01 to 2024-03-31; cases with channel=web"
    assert r["events"] == 5  # whole cases


def test_an_event_attribute_keeps_the_matching_events(run, files) -> None:
    r = _json(run, *files, "--where", "resource=Ann")
    assert (r["events"], r["cases"]) == (3, 2)  # A's place and pay, B's place; C has no event of Ann's
    assert r["filters"]["left_out"] == {"events": 4, "cases": 1}
    assert r["filters"]["where"][0]["level"] == "event"


def test_one_column_twice_keeps_either_value(run, files) -> None:
    r = _json(run, *files, "--where", "resource=Ann", "--where", "resource=Cid")
    assert (r["events"], r["cases"]) == (4, 3)
    assert r["filters"]["text"] == "events with resource=Ann or resource=Cid"


def test_every_format_states_the_filters(run, files) -> None:
    said = "Filtered to cases with channel=phone: 2 cases and 5 events of the 3 cases and 7 events read left out"
    for fmt in ("text", "markdown", "html"):
        done = run("conform", *files, "--where", "channel=phone", "--format", fmt)
        assert done.returncode == 0
        assert said in " ".join(done.stdout.decode().split()), fmt


def test_unknown_column_is_one_line_naming_the_columns(run, files) -> None:
    model, log = files
    done = run("conform", model, log, "--where", "region=north")
    assert done.returncode == 2 and not done.stdout
    assert done.stderr.decode() == (
        f"procmap: {log}: no column 'region' (given with --where); "
        "columns: 'case_id', 'activity', 'timestamp', 'resource', 'case:channel'\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--where", "region"), "procmap: --where 'region': write COLUMN=VALUE (e.g. --where channel=web)"),
        (("--from", "2024-13-01"), "procmap: --from '2024-13-01': not a date (use ISO 8601"),
        (("--from", "2024-03-01", "--to", "2024-02-01"), "procmap: --from 2024-03-01 is after --to 2024-02-01"),
        (("--from", "2025-01-01"), "procmap: the filters (cases that started from 2025-01-01) leave no event"),
    ],
)
def test_bad_filters_are_usage_errors(run, files, args, said) -> None:
    done = run("conform", *files, *args)
    assert done.returncode == 2 and not done.stdout
    err = done.stderr.decode()
    assert err.startswith(said) and err.count("\n") == 1


def test_xes_trace_attribute_is_a_case_attribute(files, tmp_path: Path) -> None:
    from procmap.config import Config
    from procmap.conform import conform
    from procmap.validate import require_valid

    model, _ = files
    xes = tmp_path / "orders.xes"
    traces = "".join(
        f'<trace><string key="concept:name" value="{case}"/><string key="region" value="{region}"/>'
        f'<event><string key="concept:name" value="place order"/><date key="time:timestamp" value="{day}T09:00:00Z"/>'
        f'<string key="org:resource" value="{who}"/></event></trace>'
        for case, region, day, who in [("A", "north", "2024-01-01", "Ann"), ("B", "south", "2024-01-02", "Bob")]
    )
    xes.write_text(f'<?xml version="1.0"?><log>{traces}</log>', encoding="utf-8")
    report = conform(
        require_valid(str(model), Config()), [str(xes)], filters=parse(None, None, ["region=south"])
    ).report
    assert report["cases"] == 1 and report["filters"]["where"][0]["level"] == "case"
    assert report["variants"][0]["examples"] == ["B"]


def test_parse_and_describe_units() -> None:
    f = parse("2024-01-01", "2024-01-31", ["case:channel=web", "resource = Ann "])
    assert f.end - f.start == 31 * 86400 and not f.end_included
    assert f.columns == ("case:channel", "resource")
    assert f.where[1].value == "Ann"
    assert describe(f, {"case:channel": True, "resource": False}) == (
        "cases that started from 2024-01-01 to 2024-01-31; cases with case:channel=web; events with resource=Ann"
    )
    assert parse("2024-01-01T10:00:00+02:00", None, None).start == parse("2024-01-01T08:00:00Z", None, None).start
    assert not parse(None, None, None).any
    with pytest.raises(UsageError, match="--where '=x': write COLUMN=VALUE"):
        parse(None, None, ["=x"])
