"""Which commands exist, in help order: one module each, each exposing ``register(app)``."""

from __future__ import annotations

from importlib import import_module
from typing import Any

COMMANDS = ("validate", "audit", "render", "diff", "export", "import", "conform", "schema", "init")


def register(app: Any, only: str | None = None) -> None:
    """Register every command, or just ``only`` when the command line names one.

    Building a typer command costs real start-up time (its parameter adapters),
    and `procmap validate` in CI should not pay for six commands it never runs;
    help and unknown names still see them all.
    """
    for name in (only,) if only in COMMANDS else COMMANDS:
        import_module(f"procmap.cli.{name}_cmd").register(app)
