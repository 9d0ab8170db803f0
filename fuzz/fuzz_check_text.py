#!/usr/bin/env python3
"""Coverage-guided fuzzing of what reads untrusted files and of what procmap writes from them.

Run with atheris (libFuzzer for Python); see fuzz/README.md.  Each input is
the raw bytes of a would-be process file.  A finding is anything a user
would see as a bug:

- an exception escaping ``decode`` / ``check_text`` / ``Analysis`` or any
  writer (the CLI would turn it into "internal error", exit 2);
- a diagnostic whose line or column is not inside the file, or whose message
  is empty or huge;
- an output another tool would reject: JSON that a strict parser refuses
  (``NaN``/``Infinity``), BPMN, GraphML or SVG that is not well-formed XML;
  any writer (audit text/markdown/HTML, DOT, Mermaid) that raises;
- libFuzzer's own guards: a run slower than ``-timeout`` seconds or using
  more than ``-rss_limit_mb`` (alias bombs, deep nesting, quadratic rules).

Every procmap module is imported inside ``instrument_imports()``: procmap
imports most of its modules lazily (inside the functions that need them), and
a module first imported after the block would run uninstrumented, invisible to
libFuzzer's coverage feedback.

The checks mirror tests/test_properties.py; every crash found gets a
regression test there (CRASH_REGRESSIONS) or in tests/test_hostile*.py.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import pkgutil
import re
import sys

import atheris

with atheris.instrument_imports(include=["procmap"]):
    import procmap

    INSTRUMENTED = []
    for _info in pkgutil.walk_packages(procmap.__path__, "procmap."):
        if _info.name.startswith(("procmap.cli", "procmap.__main__")):
            continue  # the typer layer: no input handling of its own, and slow to import
        importlib.import_module(_info.name)
        INSTRUMENTED.append(_info.name)
    from procmap.config import Config
    from procmap.diagnostics import UsageError
    from procmap.load.loader import LoadError, decode
    from procmap.validate import check_text

CONFIG = Config()
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# Drawing SVG through the WebAssembly Graphviz costs tens of milliseconds a step: only small processes.
SVG_MAX_STEPS = int(os.environ.get("PROCMAP_FUZZ_SVG_STEPS", "40"))


def _lines(text: str) -> list[str]:
    lines = _BREAKS.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _check_position(text: str, line: int, column: int, message: str) -> None:
    lines = _lines(text)
    if not 1 <= line <= max(1, len(lines)):
        raise AssertionError(f"line {line} outside 1..{len(lines)}: {message}")
    width = len(lines[line - 1]) if lines else 0
    if not 1 <= column <= width + 1:
        raise AssertionError(f"column {column} outside 1..{width + 1} on line {line}: {message}")
    if not message.strip() or len(message) > 1000:
        raise AssertionError(f"bad message: {message[:200]!r}")


def _refuse_constant(name: str) -> None:
    raise AssertionError(f"JSON output contains {name}, which RFC 8259 forbids")


def strict_json(text: str | bytes, what: str) -> None:
    """Parse as a strict RFC 8259 reader would (JSON.parse, jq): no NaN or Infinity."""
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise AssertionError(f"{what}: not strict JSON: {exc}") from None


def well_formed_xml(data: str | bytes, what: str) -> None:
    from lxml import etree

    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise AssertionError(f"{what}: not well-formed XML: {exc}") from None


def check_outputs(result: object) -> None:
    """Every writer on a valid process: strict JSON, well-formed XML."""
    from procmap.audit import audit
    from procmap.interchange import export
    from procmap.render import render
    from procmap.reports import audit_formats

    strict_json(export(result, "json"), "export --to json")
    well_formed_xml(export(result, "bpmn"), "export --to bpmn")
    well_formed_xml(export(result, "graphml"), "export --to graphml")
    audited = [audit(result, {})]
    strict_json(audit_formats.render(audited, "json"), "audit -f json")
    for fmt in ("text", "markdown", "html"):
        audit_formats.render(audited, fmt)
    render(result, "dot")
    render(result, "mermaid")
    if result.graph.number_of_nodes() <= SVG_MAX_STEPS:  # type: ignore[attr-defined]
        well_formed_xml(render(result, "svg"), "render svg")


def one_input(data: bytes) -> None:
    try:
        text = decode(data, "fuzz.yaml")
    except UsageError:  # binary, UTF-16: refused as a file problem (exit 2)
        return
    except LoadError as exc:  # not UTF-8: positioned in the text as an editor would show it
        d = exc.diagnostic
        _check_position(data.decode("utf-8", "replace"), d.line, d.column, d.message)
        return
    result = check_text(text, "fuzz.yaml", CONFIG)
    for d in result.diagnostics:
        _check_position(text, d.line, d.column, d.message)
    if result.analysis is not None:
        metrics = result.analysis.metrics()
        if metrics["visible_handoffs"] != len(result.analysis.visible_handoffs):
            raise AssertionError("metrics disagree with the lists")
        for h in result.analysis.visible_handoffs:
            path = [h.source, *h.via, h.target]
            if not all(result.graph.has_edge(u, v) for u, v in itertools.pairwise(path)):
                raise AssertionError(f"visible handoff {path} is not a path")
        if not result.has_errors:
            check_outputs(result)


def main() -> None:
    print(f"fuzz: {len(INSTRUMENTED)} procmap modules instrumented", file=sys.stderr)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
