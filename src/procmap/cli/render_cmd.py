"""`procmap render`: the service-blueprint diagram of one process."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any, Optional

import typer

from procmap.cli import guarded
from procmap.cli.options import CONFIG, MAX_SIZE, QUIET, STDIN_NAME, config_from, output_option, wrote


class Format(StrEnum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    dot = "dot"
    mermaid = "mermaid"


EPILOG = """Examples:

  procmap render support.yaml -o support.svg

  procmap render support.yaml -o support.pdf          (format from the suffix)

  procmap render support.yaml --format mermaid -o -   (paste into GitHub markdown)

  cat support.yaml | procmap render - --stdin-filename support.yaml -o support.png

Suffixes: .svg .png .pdf .dot/.gv .mmd/.mermaid. Lanes are drawn top to bottom
by zone (customer, onstage, backstage, support) with the lines of interaction,
visibility and internal interaction between them; long processes wrap into
parts of --wrap columns, and flows between parts end in numbered connectors.

SVG, PNG and PDF need no system Graphviz (procmap bundles one); a `dot` on PATH
is used only if the bundled engine cannot load (PROCMAP_GRAPHVIZ=system prefers
it). The file is validated first: errors are printed as by `procmap validate`
and nothing is drawn (exit 1).
"""


def register(app: Any) -> None:
    @app.command(epilog=EPILOG)
    @guarded
    def render(
        file: str = typer.Argument(
            ..., metavar="FILE", help="Process file ('-' reads standard input).", show_default=False
        ),
        output: Optional[str] = output_option("The diagram file", required=True),
        fmt: Optional[Format] = typer.Option(
            None, "--format", "-f", help="svg, png, pdf, dot or mermaid [default: from the -o suffix]."
        ),
        wrap: Optional[int] = typer.Option(
            None,
            "--wrap",
            metavar="N",
            min=0,
            help="Columns per part before a long process wraps into another part (0: never) [default: 20].",
        ),
        scale: float = typer.Option(1.5, "--scale", metavar="FACTOR", min=0.1, max=8.0, help="PNG pixels per point."),
        max_steps: int = typer.Option(
            2000,
            "--max-steps",
            metavar="N",
            min=1,
            help="Refuse to draw SVG/PNG/PDF of bigger processes (DOT/Mermaid always work).",
        ),
        config: Optional[str] = CONFIG,
        stdin_filename: str = STDIN_NAME,
        max_file_size: Optional[int] = MAX_SIZE,
        quiet: bool = QUIET,
    ) -> None:
        """Draw a process as a service blueprint (swimlanes by zone): SVG, PNG, PDF, DOT or Mermaid."""
        from procmap.cli.progress import progress
        from procmap.diagnostics import UsageError
        from procmap.fileio import check_output, write_output
        from procmap.render import TEXT_FORMATS, format_for
        from procmap.render import render as draw
        from procmap.validate import require_valid

        if output is None:
            raise UsageError("missing -o/--output: name the diagram file, or use -o - for standard output")
        chosen = format_for(output, fmt.value if fmt else None)
        if output == "-" and chosen not in TEXT_FORMATS and sys.stdout.isatty():
            raise UsageError(f"refusing to write {chosen.upper()} to a terminal: use -o FILE or a pipe")
        check_output(output, [file])
        cfg = config_from(config, max_file_size)
        result = require_valid(file, cfg, stdin_name=stdin_filename)
        with progress(f"drawing {chosen.upper()}"):
            data = draw(result, chosen, wrap=wrap, scale=scale, max_steps=max_steps)
        if chosen == "mermaid":
            _mermaid_limits(result, data)
        write_output(output, data, inputs=[file])
        wrote(output, quiet)


def _mermaid_limits(result: Any, data: bytes) -> None:
    """Mermaid's default limits (which GitHub keeps): say so instead of letting the diagram fail later."""
    from procmap.render.mermaid import MAX_EDGES, MAX_TEXT

    flows = result.graph.number_of_edges() + 1
    if flows > MAX_EDGES or len(data) > MAX_TEXT:
        print(
            f"procmap: warning: {result.path}: {flows} flows / {len(data)} characters exceed Mermaid's default "
            f"limits ({MAX_EDGES} edges, {MAX_TEXT} characters): GitHub will not draw it; use --format svg",
            file=sys.stderr,
        )
