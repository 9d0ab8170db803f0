"""Options shared by several commands, declared once."""

from __future__ import annotations

from typing import Optional

import typer

from procmap.config import MAX_FILE_SIZE_LIMIT, Config, load_config

PATHS = typer.Argument(
    ..., metavar="PATH", help="Process files or directories ('-' reads standard input).", show_default=False
)
CONFIG = typer.Option(
    None,
    "--config",
    "-c",
    metavar="FILE",
    help="Configuration file (default: procmap.toml or pyproject.toml [tool.procmap], searched upward).",
)
STDIN_NAME = typer.Option("<stdin>", "--stdin-filename", metavar="NAME", help="Name to report for input read from '-'.")
MAX_SIZE = typer.Option(
    None,
    "--max-file-size",
    metavar="BYTES",
    help="Largest input file in bytes [default: 20 MB].",
    min=1,
    max=MAX_FILE_SIZE_LIMIT,
)


def output_option(what: str = "Write the report to this file instead of standard output", *, required: bool = False):
    """``-o FILE``: the same name, metavar and wording on every command."""
    suffix = " [required]" if required else ""
    return typer.Option(
        None,
        "--output",
        "-o",
        metavar="FILE",
        help=f"{what} ('-': standard output; missing folders are created).{suffix}",
        show_default=False,
    )


def config_from(path: Optional[str], max_file_size: Optional[int] = None, strict: Optional[bool] = None) -> Config:
    cfg = load_config(path)
    if max_file_size is not None:
        cfg.max_file_size = max_file_size
    if strict:
        cfg.strict = True
    return cfg


QUIET = typer.Option(False, "--quiet", "-q", help="Print no 'wrote PATH' line when the output file is written.")


def wrote(path: str | None, quiet: bool) -> None:
    """The one line a command prints on stderr after writing a file: scripts and people see where it went."""
    import sys

    from procmap.diagnostics import printable_line
    from procmap.fileio import is_stdout

    if quiet or is_stdout(path):
        return
    print(f"wrote {printable_line(str(path))}", file=sys.stderr)
