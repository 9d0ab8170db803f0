"""Interchange formats for a validated process: BPMN 2.0, GraphML and node-link JSON.

One module per format; this one only maps a format name (or an output file's
suffix) to its writer, so the CLI stays a thin wrapper.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procmap.validate import FileResult

FORMATS: tuple[str, ...] = ("bpmn", "graphml", "json")
SUFFIXES: dict[str, str] = {".bpmn": "bpmn", ".bpmn2": "bpmn", ".graphml": "graphml", ".json": "json"}


def format_from_suffix(path: str | None) -> str | None:
    """The format an output file name implies (``flow.bpmn`` → bpmn), or None."""
    if not path or path == "-":
        return None
    return SUFFIXES.get(Path(path).suffix.lower())


def export(result: FileResult, fmt: str) -> bytes | str:
    """Serialise a validated process (from :func:`procmap.validate.require_valid`) as ``fmt``."""
    if fmt in ("bpmn", "graphml"):
        try:
            import lxml.etree  # noqa: F401
        except ImportError:
            from procmap.diagnostics import UsageError

            raise UsageError(f"exporting {fmt} needs the lxml package (pip install lxml)") from None
    if fmt == "bpmn":
        from procmap.interchange.bpmn_out import to_bpmn

        return to_bpmn(result)
    from procmap.interchange import graphs

    if fmt == "graphml":
        return graphs.to_graphml(result)
    if fmt == "json":
        return graphs.to_json(result)
    raise ValueError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
