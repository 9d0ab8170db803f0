#!/usr/bin/env python3
"""Coverage-guided fuzzing of ``procmap conform``'s log path: bytes as CSV, gzipped CSV, XES and gzipped XES.

Run with atheris (libFuzzer for Python); see fuzz/README.md.  The first byte
of each input picks the format (and so the file's suffix), the rest are the
file's bytes, conformed against a small valid process (the order model of
tests/test_conform_cli.py: a branch, a silent step, slas, channels).  A
finding is anything a user would see as a bug:

- an exception other than procmap's own ``UsageError`` escaping
  ``conform`` (the CLI would print "internal error", exit 2);
- a refusal that is not one line naming the file;
- a report whose figures disagree with each other (more fitting cases than
  cases, more conforming pairs than pairs, more mapped events than events);
- a writer (text, Markdown, JSON, HTML) that raises, JSON a strict parser
  refuses, or a raw control character (ESC, C1, bidi override) in any report;
- libFuzzer's guards: a run slower than ``-timeout`` or heavier than ``-rss_limit_mb``.

The checks mirror tests/test_hostile_round3_logs.py and
tests/test_conform_cli.py; every crash found gets a regression test there.
"""

from __future__ import annotations

import gzip
import importlib
import json
import os
import pkgutil
import re
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["procmap"]):
    import procmap

    INSTRUMENTED = []
    for _info in pkgutil.walk_packages(procmap.__path__, "procmap."):
        if _info.name.startswith(("procmap.cli", "procmap.__main__")):
            continue  # the typer layer: no input handling of its own, and slow to import
        importlib.import_module(_info.name)
        INSTRUMENTED.append(_info.name)
    from procmap.conform import conform
    from procmap.diagnostics import UsageError
    from procmap.reports.conform_formats import render
    from procmap.validate import require_valid_text

MODEL = """\
version: 1
process: {id: order, name: Order}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: shop, name: Shop staff, kind: onstage}
  - {id: store, name: Warehouse, kind: backstage}
steps:
  - {id: order, name: Place order, lane: customer, channel: web, next: [confirm]}
  - id: confirm
    name: Confirm order
    lane: shop
    channel: email
    sla: 1h
    activities: [ORDER_CONFIRMED]
    next:
      - {to: pick, when: in stock}
      - {to: refund, when: out of stock}
  - {id: pick, name: Pick the parcel, lane: store, next: [deliver]}
  - {id: deliver, name: Deliver, lane: shop, channel: courier, next: [received]}
  - {id: refund, name: Refund, lane: shop, channel: email}
  - {id: received, name: Receive the parcel, lane: customer}
"""
RESULT = require_valid_text(MODEL, "order.yaml", __import__("procmap.config", fromlist=["Config"]).Config())
SUFFIXES = (".csv", ".csv.gz", ".xes", ".xes.gz")
FORMATS = ("text", "markdown", "json", "html")
# Control characters a report must never carry raw (JSON escapes C0 itself; newlines and tabs are layout).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
WORK = tempfile.mkdtemp(prefix="procmap-fuzz-logs-")
# HTML draws the blueprint (tens of milliseconds): every input gets the other formats, one in HTML_EVERY the page.
HTML_EVERY = int(os.environ.get("PROCMAP_FUZZ_HTML_EVERY", "8"))


def _refuse_constant(name: str) -> None:
    raise AssertionError(f"JSON output contains {name}, which RFC 8259 forbids")


def check_report(report: dict) -> None:
    fit = report["fitness"]
    if not 0 <= fit["cases_fitting"] <= report["cases"]:
        raise AssertionError(f"cases_fitting {fit['cases_fitting']} of {report['cases']} cases")
    if not 0 <= fit["pairs_conforming"] <= fit["pairs"]:
        raise AssertionError(f"pairs_conforming {fit['pairs_conforming']} of {fit['pairs']} pairs")
    if not 0 <= report["events_mapped"] <= report["events"]:
        raise AssertionError(f"events_mapped {report['events_mapped']} of {report['events']} events")
    if report["cases_mapped"] > report["cases"]:
        raise AssertionError("more mapped cases than cases")
    if sum(u["events"] for u in report["unmapped"]) != report["events"] - report["events_mapped"]:
        # unmapped activities' events plus mapped ones are every event, except start/other lifecycle events
        if not any(c.get("lifecycle") for c in report["columns"]):
            raise AssertionError("unmapped and mapped events do not add up to the events")


def one_input(data: bytes) -> None:
    if not data:
        return
    suffix = SUFFIXES[data[0] % len(SUFFIXES)]
    body = data[1:]
    path = os.path.join(WORK, "log" + suffix)
    with open(path, "wb") as fh:
        fh.write(gzip.compress(body, mtime=0) if suffix.endswith(".gz") else body)
    try:
        done = conform(RESULT, [path])
    except UsageError as exc:
        message = str(exc)
        if "\n" in message or path not in message or len(message) > 2000:
            raise AssertionError(f"refusal not one line naming the file: {message[:300]!r}") from None
        return
    check_report(done.report)
    for fmt in FORMATS:
        if fmt == "html" and (data[-1] % HTML_EVERY):
            continue
        text = render(done, fmt)
        if RAW.search(text):
            raise AssertionError(f"raw control character in the {fmt} report: {RAW.search(text)[0]!r}")
        if fmt == "json":
            json.loads(text, parse_constant=_refuse_constant)


def main() -> None:
    print(f"fuzz: {len(INSTRUMENTED)} procmap modules instrumented", file=sys.stderr)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
