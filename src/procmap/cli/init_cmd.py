"""`procmap init`: scaffold a commented starter process and configuration."""

from __future__ import annotations

import sys
from typing import Any

import typer

from procmap.cli import guarded
from procmap.cli.options import wrote

EPILOG = """Examples:

  procmap init

  procmap init processes/

Writes process.yaml (a small, commented service blueprint that uses every key
of the format and validates cleanly) and procmap.toml (every rule at its
default severity, and an example budget). Existing files are never
overwritten: init stops with exit 2 instead.
"""


def register(app: Any) -> None:
    @app.command(epilog=EPILOG)
    @guarded
    def init(
        directory: str = typer.Argument(".", metavar="DIR", help="Directory to write into (created if missing)."),
        quiet: bool = typer.Option(
            False, "--quiet", "-q", help="Print nothing when done (no 'wrote PATH' lines, no hint)."
        ),
    ) -> None:
        """Write a commented starter process and procmap.toml into DIR (default: the current directory)."""
        from procmap.scaffold import PROCESS_FILE, scaffold

        written = scaffold(directory)
        for path in written:
            wrote(str(path), quiet)
        if not quiet:
            process = next(str(p) for p in written if p.name == PROCESS_FILE)
            print(f"next: procmap validate {process} && procmap audit {process}", file=sys.stderr)
