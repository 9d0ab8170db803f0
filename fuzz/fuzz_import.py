#!/usr/bin/env python3
"""Coverage-guided fuzzing of `procmap import`: bytes as a BPMN file, then the YAML it writes validated.

Run with atheris (libFuzzer for Python); see fuzz/README.md.  Each input is
the raw bytes of a would-be BPMN model, read the way ``procmap import`` reads
one (``import_bpmn``: the hardened lxml parse, the reading of pools, lanes and
flow nodes, the walk of every path, lane kinds, the start step) and written
the way it writes one (``process_yaml.dump``).  A finding is anything a user
would see as a bug:

- an exception other than a one-line ``UsageError`` escaping the import (the
  CLI would print "internal error", exit 2), or a ``UsageError`` whose
  message is empty, several lines or huge;
- a written process that ``check_text`` (what ``procmap validate`` runs) does
  not accept with zero errors: the CLI would refuse it as "a bug in procmap
  import" (errors the model itself causes, ``MODEL_FAULTS``, are refused
  with the rule's own words instead);
- a report line (the text the CLI prints to the terminal) that still holds a
  control character or bidi override after the CLI's escaping;
- libFuzzer's own guards: a run slower than ``-timeout`` seconds or using more
  than ``-rss_limit_mb`` (rings of gateways, deep nesting, quadratic walks).

Seeds: the BPMN MIWG reference models (read from ../shared/oracles/miwg when
present, never copied into the project) and this round's reproducers
(``fuzz/seed_corpus.py --bpmn DIR``).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["procmap"]):
    from procmap.config import Config
    from procmap.diagnostics import UNPRINTABLE, UsageError, printable_line
    from procmap.interchange import bpmn_import, bpmn_in, bpmn_kinds, process_yaml  # noqa: F401
    from procmap.interchange.bpmn_import import MODEL_FAULTS, import_bpmn
    from procmap.interchange.process_yaml import dump
    from procmap.validate import check_text

CONFIG = Config()


def one_input(data: bytes) -> None:
    try:
        result = import_bpmn(data, "fuzz.bpmn")
    except UsageError as exc:
        message = str(exc)
        if not message.strip() or "\n" in printable_line(message) or len(message) > 2000:
            raise AssertionError(f"bad usage message: {message[:300]!r}") from None
        return
    for note in result.notes:
        line = printable_line(note.render("fuzz.bpmn"))
        if UNPRINTABLE.search(line):
            raise AssertionError(f"report line keeps a control character: {line[:300]!r}")
    text = dump(result.data, result.header, result.step_comments)
    checked = check_text(text, "fuzz.yaml", CONFIG)
    # A model whose every path loops for ever is refused with the rule's words (MODEL_FAULTS): not a bug.
    errors = [d for d in checked.diagnostics if d.severity.label == "error" and d.rule not in MODEL_FAULTS]
    if errors:
        raise AssertionError(
            f"imported process does not validate: {errors[0].rule}: {errors[0].message}\n--- yaml ---\n{text[:3000]}"
        )


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
