"""`procmap schema`: the JSON Schema of the process format, for editors."""

from __future__ import annotations

from typing import Any, Optional

from procmap.cli import guarded
from procmap.cli.options import QUIET, output_option, wrote

EPILOG = """Examples:

  procmap schema > process-v1.schema.json

  procmap schema -o .vscode/procmap.schema.json

Then make this the first line of a process file (the path is relative to the
YAML file) for completion and hover docs in editors that use
yaml-language-server (VS Code's YAML extension, Neovim, Helix, Emacs lsp-mode):

  # yaml-language-server: $schema=../.vscode/procmap.schema.json

The schema is JSON Schema draft-07, generated from procmap's own models. It
checks the shape of a file; references between steps and lanes are checked by
procmap validate.
"""


def register(app: Any) -> None:
    @app.command(epilog=EPILOG)
    @guarded
    def schema(
        output: Optional[str] = output_option("Write the schema to this file instead of standard output"),
        quiet: bool = QUIET,
    ) -> None:
        """Print the JSON Schema (draft-07) of the process format, for editor completion and checks."""
        from procmap.fileio import write_output
        from procmap.model.jsonschema import render_schema

        write_output(output, render_schema())
        wrote(output, quiet)
