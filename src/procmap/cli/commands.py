"""Which commands exist: one module each, registered here in help order."""

from __future__ import annotations

from typing import Any


def register(app: Any) -> None:
    from procmap.cli import validate_cmd

    validate_cmd.register(app)
    for name in ("audit_cmd", "render_cmd", "diff_cmd", "export_cmd", "schema_cmd", "init_cmd"):
        try:
            module = __import__(f"procmap.cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"procmap.cli.{name}":
                raise
            continue
        module.register(app)
