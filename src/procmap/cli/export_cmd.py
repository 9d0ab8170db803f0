"""`procmap export`: the process in interchange formats (BPMN 2.0, GraphML, node-link JSON)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Optional

import typer

from procmap.cli import guarded
from procmap.cli.options import CONFIG, MAX_SIZE, QUIET, STDIN_NAME, config_from, output_option, wrote


class Target(StrEnum):
    bpmn = "bpmn"
    graphml = "graphml"
    json = "json"


EPILOG = """Examples:

  procmap export support.yaml --to bpmn -o support.bpmn

  procmap export support.yaml -o support.graphml    # format from the suffix

  procmap export support.yaml --to json | jq '.nodes[] | select(.touchpoint) | .id'

bpmn: BPMN 2.0 XML, one pool with a lane per procmap lane and a diagram, for
bpmn.io, Camunda Modeler and other BPMN tools. graphml: for yEd, Gephi,
Cytoscape. json: networkx node-link data (edges under "edges").

The file is validated first: errors are printed as by `procmap validate` and
nothing is exported (exit 1). Warnings do not stop the export.
"""


def register(app: Any) -> None:
    @app.command(epilog=EPILOG)
    @guarded
    def export(
        file: str = typer.Argument(
            ..., metavar="FILE", help="Process file ('-' reads standard input).", show_default=False
        ),
        to: Optional[Target] = typer.Option(
            None, "--to", "-t", help="Output format [default: from the -o suffix: .bpmn, .graphml, .json]."
        ),
        output: Optional[str] = output_option("Write the export to this file instead of standard output"),
        config: Optional[str] = CONFIG,
        stdin_filename: str = STDIN_NAME,
        max_file_size: Optional[int] = MAX_SIZE,
        quiet: bool = QUIET,
    ) -> None:
        """Export a process as BPMN 2.0 XML (lanes and diagram), GraphML or node-link JSON."""
        from procmap.diagnostics import UsageError
        from procmap.fileio import check_output, write_output
        from procmap.interchange import FORMATS, export, format_from_suffix
        from procmap.validate import require_valid

        fmt = to.value if to else format_from_suffix(output)
        if fmt is None:
            raise UsageError(
                f"choose a format with --to ({', '.join(FORMATS)})"
                + (f": cannot tell it from '{output}'" if output and output != "-" else "")
            )
        check_output(output, [file])
        cfg = config_from(config, max_file_size)
        result = require_valid(file, cfg, stdin_name=stdin_filename)
        write_output(output, export(result, fmt), inputs=[file])
        wrote(output, quiet)
