"""Which commands exist, in help order: one module each, each exposing ``register(app)``."""

from __future__ import annotations

import functools
import inspect
from importlib import import_module
from typing import Any

COMMANDS = ("validate", "audit", "render", "diff", "export", "import", "conform", "schema", "init")


def register(app: Any, only: str | None = None) -> None:
    """Register every command, or just ``only`` when the command line names one.

    Building a typer command costs real start-up time (its parameter adapters),
    and `procmap validate` in CI should not pay for six commands it never runs;
    help and unknown names still see them all.  Every command gets the help
    conventions of :class:`HelpCommand` and its whole first docstring line as
    the summary in `procmap --help` (click would cut it at 45 characters).
    """
    for name in (only,) if only in COMMANDS else COMMANDS:
        import_module(f"procmap.cli.{name}_cmd").register(app)
    for info in app.registered_commands:
        info.cls = help_command_class()
        if info.short_help is None and info.callback is not None:
            doc = inspect.getdoc(info.callback) or ""
            info.short_help = doc.split("\n\n")[0].replace("\n", " ")


@functools.cache
def help_command_class() -> type:
    from typer.core import TyperArgument, TyperCommand

    class HelpCommand(TyperCommand):
        """Help without Python type names: arguments show their metavar only (``PATH``, not ``PATH <list[str]>``)."""

        def format_help(self, ctx: Any, formatter: Any) -> None:
            for param in self.params:
                if isinstance(param, TyperArgument):
                    param.display_type_rich = _no_type  # type: ignore[method-assign]
            super().format_help(ctx, formatter)

    return HelpCommand


def _no_type(ctx: Any) -> None:
    return None
