"""`procmap import`: a BPMN 2.0 model as a procmap process, with a report of what it simplified."""

from __future__ import annotations

import sys
from typing import Any, Optional

import typer

from procmap.cli import guarded
from procmap.config import MAX_FILE_SIZE_LIMIT

EPILOG = """Examples:

  procmap import order.bpmn -o order.yaml

  procmap import shop.bpmn --kind Customer=customer --kind Picker=backstage -o shop.yaml

  procmap import model.bpmn --process Collaboration_2 --strict -o model.yaml

Pools and lanes become lanes; tasks, call activities and collapsed
sub-processes become steps; gateways are folded into labelled flows; message
flows become flows labelled "message: NAME". Lane kinds come from procmap's own
attributes (a file procmap exported), then --kind, then the structure of the
collaboration (see docs/import.md).

Everything procmap cannot hold (parallel splits, event sub-processes, extra
start events, timers that are not durations, multi-instance markers, data
stores, annotations) is listed on stderr, one line per item with the BPMN
element id. --strict exits 1 when any is listed (the file is still written).
The result always passes `procmap validate` with no errors.
"""


def _parse_kinds(values: list[str]) -> dict[str, str]:
    from procmap.diagnostics import UsageError

    kinds: dict[str, str] = {}
    for value in values:
        lane, sep, kind = value.rpartition("=")
        if not sep or not lane.strip() or not kind.strip():
            raise UsageError(f"--kind {value!r}: write LANE=KIND, e.g. --kind Customer=customer")
        kinds[lane.strip()] = kind.strip().lower()
    return kinds


def register(app: Any) -> None:
    @app.command("import", epilog=EPILOG)
    @guarded
    def import_(
        model: str = typer.Argument(
            ..., metavar="MODEL.bpmn", help="BPMN 2.0 XML file ('-' reads standard input).", show_default=False
        ),
        output: Optional[str] = typer.Option(
            None, "--output", "-o", metavar="FILE", help="Write the process here instead of standard output."
        ),
        kind: list[str] = typer.Option(
            [],
            "--kind",
            "-k",
            metavar="LANE=KIND",
            help="Set a lane's (or a pool's) kind: customer, onstage, "
            "backstage or support. Repeatable; LANE is a lane or pool name, or the lane id written.",
        ),
        process: Optional[str] = typer.Option(
            None,
            "--process",
            "-p",
            metavar="ID",
            help="Import this collaboration, participant or process (id or name).",
        ),
        strict: bool = typer.Option(False, "--strict", help="Exit 1 when anything had to be simplified or left out."),
        max_file_size: int = typer.Option(
            20 * 1024 * 1024,
            "--max-file-size",
            metavar="BYTES",
            min=1,
            max=MAX_FILE_SIZE_LIMIT,
            help="Largest input in bytes [default: 20 MB].",
            show_default=False,
        ),
    ) -> None:
        """Import a BPMN 2.0 model (pools, lanes, tasks, gateways, message flows) as a procmap process."""
        from procmap.config import Config
        from procmap.diagnostics import Severity, UsageError, printable_line
        from procmap.fileio import write_output
        from procmap.interchange.bpmn_import import MODEL_FAULTS, import_bpmn
        from procmap.interchange.bpmn_in import read_bytes
        from procmap.interchange.process_yaml import dump_document
        from procmap.rules import RULES
        from procmap.validate import check_document

        kinds = _parse_kinds(kind)
        shown = "<stdin>" if model == "-" else model
        data = read_bytes(model, max_file_size)
        # Only errors stop an import, so only the error rules run: the warnings (journeys, handoffs…) are
        # what `procmap validate` and `audit` are for, and were 40 % of importing 5,000 tasks.
        errors_only = Config(severities={rule.id: None for rule in RULES if rule.severity < Severity.ERROR})
        result = import_bpmn(data, shown, kinds=kinds, process=process)
        # The writer hands over the values and positions of what it wrote: the check reads them, not a
        # second parse of the text (docs/performance.md, "Import").
        written = dump_document(result.data, output or "<import>", result.header, result.step_comments)
        checked = check_document(written, errors_only)
        text = written.text
        errors = [d for d in checked.diagnostics if d.severity.label == "error"]
        if errors:
            first = errors[0]
            if first.rule in MODEL_FAULTS:
                raise UsageError(
                    f"{shown}: the model cannot become a procmap process ({first.rule}): {first.message}; "
                    "change the model (e.g. give the loop a way out to an end event)"
                )
            raise UsageError(
                f"{shown}: the imported process does not validate ({first.rule}: {first.message}); "
                "this is a bug in procmap import, please report it with the model"
            )
        write_output(output, text, inputs=[model])
        # Names and ids come from the model and the path from the user: every control character (C0, C1,
        # DEL) and bidi override is shown escaped, never sent raw to the terminal.
        for note in sorted(result.notes, key=lambda n: n.line or 0):
            print(printable_line(note.render(shown)), file=sys.stderr)
        steps, lanes = len(result.data["steps"]), len(result.data["lanes"])
        lost = len(result.lost)
        summary = (
            f"procmap: imported {steps} step(s) in {lanes} lane(s) from {shown}"
            + (f" into {output}" if output and output != "-" else "")
            + (f"; {lost} construct(s) simplified or left out (listed above)" if lost else "; nothing left out")
        )
        print(printable_line(summary), file=sys.stderr)
        if strict and lost:
            raise typer.Exit(1)
