"""Coverage-guided fuzzing of what reads untrusted files: decoder, loader, schema check, rules, analysis.

Run with atheris (libFuzzer for Python); see fuzz/README.md.  Each input is
the raw bytes of a would-be process file.  A finding is anything a user
would see as a bug:

- an exception escaping ``decode`` / ``check_text`` / ``Analysis`` (the CLI
  would turn it into "internal error", exit 2);
- a diagnostic whose line or column is not inside the file, or whose message
  is empty or huge;
- libFuzzer's own guards: a run slower than ``-timeout`` seconds or using
  more than ``-rss_limit_mb`` (alias bombs, deep nesting, quadratic rules).

The checks mirror tests/test_properties.py; every crash found gets a
regression test there (CRASH_REGRESSIONS) or in tests/test_hostile.py.
"""

from __future__ import annotations

import itertools
import re
import sys

import atheris

with atheris.instrument_imports(include=["procmap"]):
    from procmap.config import Config
    from procmap.diagnostics import UsageError
    from procmap.load.loader import LoadError, decode
    from procmap.validate import check_text

CONFIG = Config()
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


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


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
