"""`procmap validate`: the linter."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Any, Optional

import typer

from procmap.cli import colour_enabled, guarded
from procmap.cli.options import CONFIG, MAX_SIZE, PATHS, QUIET, STDIN_NAME, config_from, output_option, wrote
from procmap.config import MAX_JOBS


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


EPILOG = """Examples:

  procmap validate examples/

  procmap validate process.yaml --format sarif -o procmap.sarif

  cat process.yaml | procmap validate - --stdin-filename process.yaml

Exit codes: 0 clean, 1 errors (or warnings with --strict), 2 usage or read error.
"""


def _process_files_only(paths: list[str]) -> list[str]:
    """Drop named regular files that are not process files (same test as a directory scan).

    Directories, '-' and paths that cannot be read are kept, so they are still
    expanded or reported as usual.
    """
    from procmap.load.loader import looks_like_process

    kept = []
    for path in paths:
        if path != "-" and os.path.isfile(path):
            try:
                with open(path, "rb") as fh:
                    head = fh.read(1 << 20)
            except OSError:
                kept.append(path)
                continue
            if b"\x00" in head or not looks_like_process(head.decode("utf-8", "replace")):
                continue
        kept.append(path)
    return kept


def register(app: Any) -> None:
    @app.command(epilog=EPILOG)
    @guarded
    def validate(
        paths: list[str] = PATHS,
        fmt: Optional[Format] = typer.Option(
            None, "--format", "-f", help="Output format [default: text; github when GITHUB_ACTIONS=true]."
        ),
        output: Optional[str] = output_option(),
        config: Optional[str] = CONFIG,
        strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 1)."),
        stdin_filename: str = STDIN_NAME,
        max_file_size: Optional[int] = MAX_SIZE,
        jobs: Optional[int] = typer.Option(
            None,
            "--jobs",
            "-j",
            metavar="N",
            min=0,
            max=MAX_JOBS,
            help="Check files in N processes (0: one per core) [default: one per core from 32 files, else 1].",
        ),
        only_processes: bool = typer.Option(
            False,
            "--only-processes",
            help="Skip named files that are not process files (no top-level 'version' and 'process' keys), "
            "as a directory scan does: for pre-commit and editors that pass every YAML file.",
        ),
        quiet: bool = QUIET,
    ) -> None:
        """Check process files against the format and the rules; print diagnostics with file:line:col."""
        from procmap.fileio import check_output
        from procmap.load.discovery import collect
        from procmap.reports import findings as findings_output
        from procmap.validate import check_paths, failed

        cfg = config_from(config, max_file_size, strict)
        if only_processes:
            paths = _process_files_only(paths)
        chosen = fmt.value if fmt else ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
        files = collect(paths)
        check_output(output, files)  # before the work: never a file this run reads
        results = check_paths(files, cfg, stdin_name=stdin_filename, jobs=jobs, keep=False)
        if chosen == "json":
            report = findings_output.as_json(results)
        elif chosen == "github":
            report = findings_output.github(results)
        elif chosen == "sarif":
            from procmap.reports.sarif import sarif

            report = sarif(results)
        else:
            report = findings_output.text(results, colour=output is None and colour_enabled())
        from procmap.fileio import write_output

        write_output(output, report, inputs=files)
        wrote(output, quiet)
        if failed(results, cfg.strict):
            raise typer.Exit(1)
