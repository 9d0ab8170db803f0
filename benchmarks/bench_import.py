"""`procmap import` at scale: a generated process exported to BPMN, then imported back.

Prints the import's wall time as a ratio to the export of the same process
(both in-process, same run, median of --runs), and to a bare lxml parse of the
BPMN file (what any BPMN reader pays at least), at two sizes, so the ratio
shows whether import stays linear: 4x the steps should cost about 4x.

Usage:  python benchmarks/bench_import.py [--steps 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _median(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    from generate import process_yaml
    from lxml import etree

    from procmap.config import Config
    from procmap.interchange.bpmn_import import import_bpmn
    from procmap.interchange.bpmn_out import to_bpmn
    from procmap.interchange.process_yaml import dump
    from procmap.validate import check_text

    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'steps':>7} {'bpmn MB':>8} {'parse s':>8} {'export s':>9} {'import s':>9} {'import/export':>14} {'import/parse':>13}"
    )
    previous = None
    for steps in (args.steps, args.steps * 4):
        text = process_yaml(steps)
        result = check_text(text, "bench.yaml", Config())
        data = to_bpmn(result)
        parse = _median(lambda data=data: etree.fromstring(data, etree.XMLParser(resolve_entities=False)), args.runs)
        export = _median(lambda result=result: to_bpmn(result), args.runs)

        def run_import(data: bytes = data) -> None:
            imported = import_bpmn(data, "bench.bpmn")
            dump(imported.data, imported.header, imported.step_comments)

        took = _median(run_import, args.runs)
        print(
            f"{steps:>7} {len(data) / 1e6:>8.1f} {parse:>8.3f} {export:>9.3f} {took:>9.3f} "
            f"{took / export:>14.2f} {took / parse:>13.1f}"
        )
        if previous is not None:
            print(f"4x the steps: import took {took / previous:.1f}x the time")
        previous = took


if __name__ == "__main__":
    main()
