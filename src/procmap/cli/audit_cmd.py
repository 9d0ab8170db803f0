"""`procmap audit`: what each process looks like from the customer's side, with budget gates."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any, Optional

import typer

from procmap.cli import colour_enabled, guarded
from procmap.cli.options import CONFIG, MAX_SIZE, PATHS, QUIET, STDIN_NAME, config_from, output_option, wrote
from procmap.diagnostics import printable_line


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


EPILOG = """Examples:

  procmap audit examples/*.yaml

  procmap audit process.yaml --format markdown > audit.md

  procmap audit processes/ -o audit.html          (format from the suffix)

  procmap audit processes/ --max-journey-handoffs 2 --max-silence 2d

  procmap audit process.yaml --repeats 2          (journeys that come back up to twice)

Budgets come from [budgets] in procmap.toml (or [tool.procmap.budgets] in pyproject.toml);
the flags override them. A process over a budget is named on stderr after the report.

Exit codes: 0 report written (every process within its budgets), 1 a file has errors (its
diagnostics on stderr, no report) or a budget is exceeded, 2 usage or read error.
"""


def register(app: Any) -> None:
    @app.command(epilog=EPILOG)
    @guarded
    def audit(
        paths: list[str] = PATHS,
        fmt: Optional[Format] = typer.Option(
            None,
            "--format",
            "-f",
            help="Report format [default: from the -o suffix (.html, .md, .json), else text].",
            show_default=False,
        ),
        output: Optional[str] = output_option(),
        max_visible_handoffs: Optional[int] = typer.Option(
            None,
            "--max-visible-handoffs",
            metavar="N",
            min=0,
            help="Fail (exit 1) when a process has more customer-visible handoffs.",
        ),
        max_touchpoints: Optional[int] = typer.Option(
            None, "--max-touchpoints", metavar="N", min=0, help="Fail (exit 1) when a process has more touchpoints."
        ),
        max_journey_handoffs: Optional[int] = typer.Option(
            None,
            "--max-journey-handoffs",
            metavar="N",
            min=0,
            help="Fail (exit 1) when one journey has more customer-visible handoffs (the budget to gate on).",
        ),
        max_journey_parties: Optional[int] = typer.Option(
            None, "--max-journey-parties", metavar="N", min=0, help="Fail (exit 1) when one journey meets more parties."
        ),
        max_silence: Optional[str] = typer.Option(
            None,
            "--max-silence",
            metavar="DURATION",
            help="Fail (exit 1) when the customer can hear nothing for longer (2d, 4h, PT30M).",
        ),
        max_comes_back: Optional[float] = typer.Option(
            None,
            "--max-comes-back",
            metavar="P",
            min=0,
            max=1,
            help="Fail (exit 1) when more customers have to come back (0.1: one in ten; without shares: any journey).",
        ),
        worst_by: Optional[str] = typer.Option(
            None,
            "--worst-by",
            metavar="FIG,FIG,…",
            help=(
                "Order for the worst journey, larger is worse [default: comes_back,longest_silence,elapsed,"
                "visible_handoffs]."
            ),
            show_default=False,
        ),
        repeats: int = typer.Option(
            1,
            "--repeats",
            metavar="N",
            min=0,
            help=f"Journeys take at most this many loop edges (times the customer has to come back); at most {MAX_REPEATS}.",
        ),
        config: Optional[str] = CONFIG,
        stdin_filename: str = STDIN_NAME,
        max_file_size: Optional[int] = MAX_SIZE,
        quiet: bool = QUIET,
    ) -> None:
        """Report journeys, customer actions, touchpoints, handoffs, visibility crossings, waits and metrics per process."""
        from procmap.audit import audit_paths, limits
        from procmap.cli.progress import progress
        from procmap.fileio import check_output, write_output
        from procmap.load.discovery import collect
        from procmap.reports.audit_formats import render
        from procmap.validate import InvalidProcess

        _check_repeats(repeats)
        cfg = config_from(config, max_file_size)
        budget_limits = limits(
            cfg.budgets,
            max_visible_handoffs=max_visible_handoffs,
            max_touchpoints=max_touchpoints,
            max_journey_handoffs=max_journey_handoffs,
            max_journey_parties=max_journey_parties,
            max_silence=_seconds(max_silence),
            max_comes_back=max_comes_back,
        )
        order = _worst_by(worst_by)
        chosen = fmt.value if fmt else _format_for(output)
        files = collect(paths)
        check_output(output, files)  # before the work: never a file this run reads
        with progress("auditing", total=len(files) if len(files) > 1 else None) as bar:
            audited, invalid = audit_paths(
                files,
                cfg,
                budget_limits,
                stdin_name=stdin_filename,
                parallel=chosen == "json",
                repeats=repeats,
                worst_by=order,
                on_file=bar.advance,
            )
        if invalid:
            raise InvalidProcess(invalid)
        to_stdout = output in (None, "-")
        colour = to_stdout and colour_enabled()  # a TTY without NO_COLOR, or FORCE_COLOR
        report = render(audited, chosen, tty=to_stdout and (_isatty() or colour), colour=colour)
        write_output(output, report, inputs=files)
        wrote(output, quiet)
        over = [(a, b) for a in audited for b in a.exceeded]
        for item, check in over:
            line = f"{item.result.path}: budget exceeded: {check.message(item.report['id'])}"
            print(printable_line(line), file=sys.stderr)
        if over:
            raise typer.Exit(1)


# Journeys are read over R+1 copies of the process (SPEC §5.2) and their number grows like 2**R: past
# 20 comings back the cost grows without telling the user anything new (measured: R=30 on a 6 KB file
# 2.5 s CPU, R=100 over a minute; R=10000 ran out of memory).
MAX_REPEATS = 20


def _check_repeats(repeats: int) -> None:
    """Refuse an R the analysis cannot read in bounded time and memory, before any file is read."""
    from procmap.diagnostics import UsageError

    if repeats > MAX_REPEATS:
        raise UsageError(
            f"--repeats {repeats}: at most {MAX_REPEATS} (the journeys grow like 2^N; the expected values "
            "already count every loop, with no limit)"
        )


def _seconds(text: str | None) -> float | None:
    """``--max-silence``'s duration in seconds; a bad one is a usage error (exit 2)."""
    if text is None:
        return None
    from procmap.diagnostics import UsageError
    from procmap.model.durations import FORMS, parse_duration

    try:
        return parse_duration(text)
    except ValueError:
        raise UsageError(f"--max-silence: '{text}' is not a duration: use {FORMS}") from None


def _worst_by(text: str | None) -> tuple[str, ...] | None:
    """``--worst-by``'s figures; an unknown name is a usage error (exit 2)."""
    if text is None:
        return None
    from procmap.analysis.journeys.runs import parse_worst_by
    from procmap.diagnostics import UsageError

    try:
        return parse_worst_by(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".json": "json"}


def _format_for(output: str | None) -> str:
    """The format an output file's suffix asks for (``-o audit.html``); text otherwise."""
    if not output or output == "-":
        return "text"
    import os

    return _SUFFIXES.get(os.path.splitext(output)[1].lower(), "text")


def _isatty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
