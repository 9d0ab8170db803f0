"""`procmap import` against a bare lxml parse of the same BPMN file, in CPU time.

A generated process of ``--tasks`` steps (default 5,000: 9.4 MB of BPMN) is
exported to BPMN, then in interleaved rounds (so a change in the machine's
load hits both sides alike):

* whole processes as a user runs them: ``python -m procmap import FILE -o OUT``
  against ``python -c "from lxml import etree; etree.parse(FILE)"``, CPU time
  of each child (user + system, from ``getrusage``);
* in-process: the import as the command runs it (map, write the YAML with
  the values and positions it wrote, check those; the cyclic garbage
  collector off, as procmap's CLI runs) against ``etree.fromstring`` of the same bytes, with
  ``time.process_time``.

Prints medians and minimums of ``--rounds`` (default 5) and the ratios.
Issue 23's goal is import ≤ 3x the lxml parse.

Usage:  python benchmarks/bench_import.py [--tasks 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def child_cpu(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def cpu(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    from generate import process_yaml
    from lxml import etree

    from procmap.config import Config
    from procmap.diagnostics import Severity
    from procmap.interchange.bpmn_import import import_bpmn
    from procmap.interchange.bpmn_out import to_bpmn
    from procmap.interchange.process_yaml import dump_document
    from procmap.rules import RULES
    from procmap.validate import check_document, check_text

    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    data = to_bpmn(check_text(process_yaml(args.tasks), "bench.yaml", Config()))
    errors_only = Config(severities={rule.id: None for rule in RULES if rule.severity < Severity.ERROR})

    def in_process_import() -> None:
        gc.disable()
        try:
            imported = import_bpmn(data, "bench.bpmn")
            written = dump_document(imported.data, "bench.yaml", imported.header, imported.step_comments)
            check_document(written, errors_only)
        finally:
            gc.enable()

    figures: dict[str, list[float]] = {"procmap import": [], "lxml parse": [], "import (in)": [], "parse (in)": []}
    with tempfile.TemporaryDirectory() as scratch:
        model = Path(scratch) / "bench.bpmn"
        model.write_bytes(data)
        out = Path(scratch) / "bench.yaml"
        procmap = [sys.executable, "-m", "procmap", "import", str(model), "-o", str(out)]
        lxml = [sys.executable, "-c", f"from lxml import etree; etree.parse({str(model)!r})"]
        for _ in range(args.rounds):
            figures["procmap import"].append(child_cpu(procmap))
            figures["lxml parse"].append(child_cpu(lxml))
            figures["import (in)"].append(cpu(in_process_import))
            figures["parse (in)"].append(cpu(lambda: etree.fromstring(data, etree.XMLParser(resolve_entities=False))))
    med = {k: statistics.median(v) for k, v in figures.items()}
    print(f"{args.tasks:,} tasks, {len(data) / 1e6:.1f} MB of BPMN; CPU seconds, median (min) of {args.rounds} rounds")
    for key, values in figures.items():
        print(f"  {key:<16} {med[key]:7.3f} ({min(values):.3f})")
    print(f"  whole process: import / lxml parse = {med['procmap import'] / med['lxml parse']:.2f}x")
    print(f"  in-process:    import / lxml parse = {med['import (in)'] / med['parse (in)']:.2f}x")


if __name__ == "__main__":
    main()
