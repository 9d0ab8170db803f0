"""Options shared by several commands, declared once."""

from __future__ import annotations

from typing import Optional

import typer

from procmap.config import Config, load_config

PATHS = typer.Argument(
    ..., metavar="PATH", help="Process files or directories ('-' reads standard input).", show_default=False
)
CONFIG = typer.Option(
    None,
    "--config",
    "-c",
    help="Configuration file (default: procmap.toml or pyproject.toml [tool.procmap], searched upward).",
)
STDIN_NAME = typer.Option("<stdin>", "--stdin-filename", help="Name to report for input read from '-'.")
MAX_SIZE = typer.Option(None, "--max-file-size", help="Largest input file in bytes (default 20 MB).", min=1)


def config_from(path: Optional[str], max_file_size: Optional[int] = None, strict: Optional[bool] = None) -> Config:
    cfg = load_config(path)
    if max_file_size is not None:
        cfg.max_file_size = max_file_size
    if strict:
        cfg.strict = True
    return cfg
