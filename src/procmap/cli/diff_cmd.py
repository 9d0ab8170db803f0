"""`procmap diff OLD NEW`: what a change to a process means for the customer."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Optional

import typer

from procmap.cli import colour_enabled, guarded
from procmap.cli.options import CONFIG, MAX_SIZE, QUIET, STDIN_NAME, config_from, output_option, wrote

if TYPE_CHECKING:
    from procmap.config import Config
    from procmap.diff import Side


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


EPILOG = """Examples:

  procmap diff old/support.yaml support.yaml

  procmap diff git:main:processes/support.yaml processes/support.yaml --format markdown

  procmap diff git:origin/main:support.yaml support.yaml --fail-on-new-visible-handoffs

  procmap diff git:origin/main:support.yaml support.yaml --fail-on-worse-journeys

  procmap diff git:HEAD~1:new-process.yaml new-process.yaml --allow-missing-old --format json

OLD and NEW are files, '-' (standard input, one side only) or git:REV:PATH, which reads PATH
(relative to the current directory) as it was at revision REV of the current repository.

Exit codes: 0 compared (changes or not), 1 a side has validation errors or, with
--fail-on-new-visible-handoffs, a new customer-visible handoff appeared, or, with
--fail-on-worse-journeys, the worst journey's handoffs or the longest silence grew, a
repeat loop appeared or customers come back more; 2 usage, git or read error.
"""


def _load(arg: str, cfg: Config, *, allow_missing: bool, flag: str, stdin_name: str) -> Side:
    """Validate one side (errors raise InvalidProcess) and reduce it; a missing side may be empty."""
    from procmap.diff import empty_side, side_from_result
    from procmap.load import gitrev
    from procmap.load.loader import LoadError
    from procmap.validate import FileResult, InvalidProcess, require_valid, require_valid_text

    if gitrev.is_git_spec(arg):
        spec = gitrev.parse_spec(arg)
        try:
            raw = gitrev.read_spec(spec, max_size=cfg.max_file_size)
        except gitrev.MissingAtRevision as exc:
            if allow_missing:
                return empty_side(arg)
            from procmap.diagnostics import UsageError

            raise UsageError(f"{exc} (to compare with an empty process, add {flag})") from None
        try:
            text = gitrev.decode(raw, spec, max_size=cfg.max_file_size)
        except LoadError as exc:
            raise InvalidProcess([FileResult(arg, [exc.diagnostic])]) from None
        return side_from_result(arg, require_valid_text(text, arg, cfg))
    if allow_missing and arg != "-" and not os.path.lexists(arg):
        return empty_side(arg)
    result = require_valid(arg, cfg, stdin_name=stdin_name)
    return side_from_result(stdin_name if arg == "-" else arg, result)


def register(app: Any) -> None:
    @app.command(epilog=EPILOG)
    @guarded
    def diff(
        old: str = typer.Argument(
            ..., metavar="OLD", help="The process before: a file, '-', or git:REV:PATH.", show_default=False
        ),
        new: str = typer.Argument(
            ..., metavar="NEW", help="The process after: a file, '-', or git:REV:PATH.", show_default=False
        ),
        fmt: Format = typer.Option(
            Format.text, "--format", "-f", help="text for terminals, markdown for a PR comment, json for tools."
        ),
        output: Optional[str] = output_option(),
        fail_on_new_visible_handoffs: bool = typer.Option(
            False,
            "--fail-on-new-visible-handoffs",
            help="Exit 1 when NEW has a customer-visible handoff (a (from, to) touchpoint pair) that OLD lacks.",
        ),
        fail_on_worse_journeys: bool = typer.Option(
            False,
            "--fail-on-worse-journeys",
            help="Exit 1 when the worst journey's handoffs or the longest silence grew, a repeat loop appeared, "
            "or customers come back more (share, worst journey or average).",
        ),
        allow_missing_old: bool = typer.Option(
            False,
            "--allow-missing-old",
            help="Treat OLD as an empty process when it does not exist (a file added by this change).",
        ),
        allow_missing_new: bool = typer.Option(
            False,
            "--allow-missing-new",
            help="Treat NEW as an empty process when it does not exist (a file deleted by this change).",
        ),
        config: Optional[str] = CONFIG,
        stdin_filename: str = STDIN_NAME,
        max_file_size: Optional[int] = MAX_SIZE,
        quiet: bool = QUIET,
    ) -> None:
        """Compare two versions of a process: touchpoints, customer-visible handoffs, visibility, lanes, metrics."""
        from procmap.diagnostics import UsageError
        from procmap.diff import compare
        from procmap.fileio import check_output, write_output
        from procmap.reports import diff as diff_output
        from procmap.validate import InvalidProcess

        if old == "-" and new == "-":
            raise UsageError("OLD and NEW cannot both be '-' (standard input can be read once)")
        inputs = [p for p in (old, new) if p != "-" and not p.startswith("git:")]
        check_output(output, inputs)
        cfg = config_from(config, max_file_size)
        sides: list[Side] = []
        invalid: list[Any] = []
        for arg, allow, flag in (
            (old, allow_missing_old, "--allow-missing-old"),
            (new, allow_missing_new, "--allow-missing-new"),
        ):
            try:
                sides.append(_load(arg, cfg, allow_missing=allow, flag=flag, stdin_name=stdin_filename))
            except InvalidProcess as exc:
                invalid.extend(exc.results)
        if invalid:
            raise InvalidProcess(invalid)
        before, after = sides
        if not before.exists and not after.exists:
            raise UsageError(f"neither {old} nor {new} exists: nothing to compare")
        result = compare(before, after)
        if fmt == Format.json:
            report = diff_output.as_json(result)
        elif fmt == Format.markdown:
            report = diff_output.markdown(result)
        else:
            report = diff_output.text(result, colour=output is None and colour_enabled())
        write_output(output, report, inputs=inputs)
        wrote(output, quiet)
        added = result.new_visible_handoffs
        worse = result.worse_journeys if fail_on_worse_journeys else []
        if worse:
            from procmap.reports.diff import metric_label

            why = ", ".join(
                "a new repeat loop" if w == "repeat_loops" else metric_label(w).lower() + " grew" for w in worse
            )
            print(
                f"procmap: the journeys got worse ({why}); failing because of --fail-on-worse-journeys", file=sys.stderr
            )
        if fail_on_new_visible_handoffs and added:
            pairs = ", ".join(f"{h.source} -> {h.target}" for h in added)
            print(
                f"procmap: {len(added)} new customer-visible handoff{'s' if len(added) != 1 else ''} "
                f"({pairs}); failing because of --fail-on-new-visible-handoffs",
                file=sys.stderr,
            )
            raise typer.Exit(1)
        if worse:
            raise typer.Exit(1)
