"""`procmap render`: the service-blueprint diagram of one process, or one per process of many."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import Any, Optional

import typer

from procmap.cli import guarded
from procmap.cli.options import CONFIG, MAX_SIZE, QUIET, STDIN_NAME, config_from, wrote


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

  procmap render support.yaml --view customer -o support-customer.png

  procmap render support.yaml --page a4-landscape -o support.pdf   (fitted: one page, or rows)

  procmap render support.yaml --page slide -o support.png   (one 16:9 slide at 200 dpi)

  procmap render examples/ -o diagrams/ --format svg   (one file per process)

Suffixes: .svg .png .pdf .dot/.gv .mmd/.mermaid. Lanes are drawn top to bottom
by zone (customer, onstage, backstage, support) with the lines of interaction,
visibility and internal interaction between them; long processes wrap into
parts of --wrap columns, and flows between parts end in numbered connectors.

SVG, PNG and PDF need no system Graphviz (procmap bundles one); a `dot` on PATH
is used only if the bundled engine cannot load (PROCMAP_GRAPHVIZ=system prefers
it). The file is validated first: errors are printed as by `procmap validate`
and nothing is drawn (exit 1). --highlight worst draws the journey with the most
customer-visible handoffs bold and numbers them (main: the usual path; all: every
customer-visible handoff; none). --view customer keeps only what the customer
deals with, backstage work folded into dashed flows labelled with its wait.
"""


class Highlight(StrEnum):
    worst = "worst"
    main = "main"
    all = "all"
    none = "none"


class Evidence(StrEnum):
    notes = "notes"
    row = "row"


class View(StrEnum):
    full = "full"
    customer = "customer"
    story = "story"


def register(app: Any) -> None:
    @app.command(epilog=EPILOG)
    @guarded
    def render(
        files: list[str] = typer.Argument(
            ...,
            metavar="FILE...",
            help="Process files, or folders to draw every process in ('-' reads standard input).",
            show_default=False,
        ),
        output: Optional[str] = typer.Option(
            None,
            "--output",
            "-o",
            metavar="FILE",
            help="Output file ('-': standard output; missing folders are created); a directory (ending in '/', "
            "or existing) for one file per process. [required, or --output-dir]",
            show_default=False,
        ),
        output_dir: Optional[str] = typer.Option(
            None,
            "--output-dir",
            metavar="DIR",
            help="Write one diagram per process into this directory.",
            show_default=False,
        ),
        fmt: Optional[Format] = typer.Option(
            None,
            "--format",
            "-f",
            help="svg, png, pdf, dot or mermaid [default: from OUT's suffix; svg for a directory].",
        ),
        highlight: Optional[Highlight] = typer.Option(
            None,
            "--highlight",
            help="worst | main (one journey bold, its handoffs numbered) | all | none [default: worst where journeys exist, else all].",
            show_default=False,
        ),
        view: View = typer.Option(
            View.full,
            "--view",
            help="full blueprint, the customer's view, or the story (the worst journey on one slide).",
        ),
        evidence: Evidence = typer.Option(
            Evidence.notes,
            "--evidence",
            help="What the customer sees: notes under the steps, or a physical-evidence row under the customer lane.",
        ),
        page: Optional[str] = typer.Option(
            None,
            "--page",
            metavar="SIZE",
            help="Paper: a4, a3, letter, tabloid (add -landscape), slide (16:9), or poster [default: poster]. "
            "The blueprint is fitted onto one page, or wrapped into rows over as few pages as keep text at 6 pt; "
            "PNG and SVG are that one page.",
            show_default=False,
        ),
        tile: bool = typer.Option(
            False,
            "--tile",
            help="With --page and PDF: cut the full-size poster into page-sized tiles (for plotters) instead of fitting.",
        ),
        wrap: Optional[int] = typer.Option(
            None,
            "--wrap",
            metavar="N",
            min=0,
            help="Columns per part before a long process wraps into another part (0: never) [default: 20].",
        ),
        scale: Optional[float] = typer.Option(
            None,
            "--scale",
            metavar="FACTOR",
            min=0.1,
            max=8.0,
            help="PNG pixels per point [default: 1.5, or to fit --page].",
        ),
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
        from procmap.diagnostics import UsageError
        from procmap.render import pages

        if page is not None:
            pages.parse(page)  # a bad --page is a usage error before any work
        if tile and page is None:
            raise UsageError("--tile needs --page: the size of the tiles (e.g. --page a3)")
        if any(f != "-" and os.path.isdir(f) for f in files):
            from procmap.load.discovery import collect

            files = collect(files)
            if output is not None and output != "-" and output_dir is None:
                output_dir = output
                output = None
            if output_dir is None:
                raise UsageError("a folder of processes needs an output directory: -o DIR/ or --output-dir DIR")
        options = {
            "highlight": highlight.value if highlight else None,
            "view": view.value,
            "evidence": evidence.value,
            "page": page,
            "wrap": wrap,
            "scale": scale,
            "max_steps": max_steps,
            "tile": tile,
        }
        folder = output_dir
        if folder is None and output is not None and output != "-":
            if output.endswith(("/", os.sep)) or os.path.isdir(output) or len(files) > 1:
                folder = output
        elif output_dir is not None and output is not None:
            raise UsageError("use either -o/--output or --output-dir, not both")
        if folder is None:
            if len(files) > 1:
                raise UsageError("several files need an output directory: -o DIR/ or --output-dir DIR")
            if output is None:
                raise UsageError("missing -o/--output: name the diagram file, or use -o - for standard output")
            _one(files[0], output, fmt, options, config, stdin_filename, max_file_size)
            wrote(output, quiet)
            return
        _many(files, folder, fmt, options, config, max_file_size, quiet)


def _one(file: str, output: str, fmt: Any, options: dict, config: Any, stdin_filename: str, max_size: Any) -> None:
    from procmap.cli.progress import progress
    from procmap.diagnostics import UsageError
    from procmap.fileio import check_output, write_output
    from procmap.render import TEXT_FORMATS, format_for
    from procmap.render import render as draw
    from procmap.validate import require_valid

    chosen = format_for(output, fmt.value if fmt else None)
    _page_rules(chosen, options)
    if output == "-" and chosen not in TEXT_FORMATS and sys.stdout.isatty():
        raise UsageError(f"refusing to write {chosen.upper()} to a terminal: use -o FILE or a pipe")
    check_output(output, [file])
    cfg = config_from(config, max_size)
    result = require_valid(file, cfg, stdin_name=stdin_filename)
    notes: list[str] = []
    with progress(f"drawing {chosen.upper()}"):
        data = draw(result, chosen, **options, notes=notes)
    if chosen == "mermaid":
        _mermaid_limits(result, data)
    _font_warning(result, chosen)
    _notes(result, notes)
    write_output(output, data, inputs=[file])


def _many(
    files: list[str], folder: str, fmt: Any, options: dict, config: Any, max_size: Any, quiet: bool = False
) -> None:
    """One diagram per process into ``folder``: invalid files are reported and skipped (exit 1 at the end)."""
    from pathlib import Path

    import typer

    from procmap.diagnostics import UsageError
    from procmap.fileio import write_output
    from procmap.render import SUFFIX_OF, RenderFailed
    from procmap.render import render as draw
    from procmap.validate import InvalidProcess, require_valid

    if "-" in files:
        raise UsageError("'-' (standard input) cannot be drawn into a directory: name the output file with -o")
    chosen = fmt.value if fmt else "svg"
    _page_rules(chosen, options)
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{folder}: not a directory")
    target.mkdir(parents=True, exist_ok=True)
    suffix = SUFFIX_OF[chosen] if options["view"] == "full" else f"-{options['view']}{SUFFIX_OF[chosen]}"
    names: dict[str, str] = {}
    for file in files:
        stem = Path(file).stem
        if stem in names:
            raise UsageError(f"{file} and {names[stem]} would both be drawn to {stem}{suffix}: rename one")
        names[stem] = file
    cfg = config_from(config, max_size)
    failed = False
    from procmap.cli.progress import progress

    with progress("drawing", total=len(files)) as bar:
        advance = bar.advance
        for file in files:
            out = str(target / f"{Path(file).stem}{suffix}")
            try:
                result = require_valid(file, cfg)
                notes: list[str] = []
                data = draw(result, chosen, **options, notes=notes)
            except InvalidProcess as exc:
                from procmap.reports.findings import text

                sys.stderr.write(text(exc.results, colour=False))
                failed = True
                advance()
                continue
            except RenderFailed as exc:
                print(f"procmap: {exc}", file=sys.stderr)
                failed = True
                advance()
                continue
            _font_warning(result, chosen)
            _notes(result, notes)
            write_output(out, data, inputs=files)
            wrote(out, quiet)
            advance()
    if failed:
        raise typer.Exit(1)


def _page_rules(fmt: str, options: dict) -> None:
    """--page and --tile are never ignored: refused in one line where the format has no pages."""
    from procmap.diagnostics import UsageError

    if options["page"] is not None and fmt in ("dot", "mermaid"):
        raise UsageError(f"--page applies to SVG, PNG and PDF; {fmt} text has no page size (drop --page)")
    if options["tile"] and fmt != "pdf":
        raise UsageError(f"--tile cuts a PDF into page-sized tiles; {fmt.upper()} is one picture (drop --tile)")


def _font_warning(result: Any, fmt: str) -> None:
    """One line naming characters no available font can draw (PNG and PDF draw with fonts; SVG leaves it to the viewer)."""
    if fmt not in ("png", "pdf"):
        return
    from procmap.render import fonts

    line = fonts.missing_warning(result, fmt)
    if line:
        print(f"procmap: warning: {result.path}: {line}", file=sys.stderr)


def _notes(result: Any, notes: list[str]) -> None:
    """What the picture could not show (a label with no free spot), one warning each: never dropped silently."""
    for note in notes:
        print(f"procmap: warning: {result.path}: {note}", file=sys.stderr)


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
