"""Which commands exist, in help order: one module each, each exposing ``register(app)``."""

from __future__ import annotations

from importlib import import_module
from typing import Any

COMMANDS = ("validate", "audit", "render", "diff", "export", "schema", "init")


def register(app: Any) -> None:
    for name in COMMANDS:
        import_module(f"procmap.cli.{name}_cmd").register(app)
