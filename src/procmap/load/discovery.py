"""Turn command-line paths into the list of process files to check."""

from __future__ import annotations

import os

from procmap.diagnostics import UsageError
from procmap.load.loader import STDIN, looks_like_process

_SUFFIXES = (".yaml", ".yml")


def _scan(folder: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__"))
        for name in sorted(files):
            if not name.endswith(_SUFFIXES):
                continue
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as fh:
                    head = fh.read(1 << 20)
            except OSError:
                continue
            if b"\x00" in head:
                continue
            if looks_like_process(head.decode("utf-8", "replace")):
                found.append(path)
    return found


def collect(paths: list[str]) -> list[str]:
    """Files named explicitly are always checked; directories contribute their process files.

    A directory with no process file in it is a usage error: in CI it almost
    always means a wrong path, and passing silently would hide that.
    """
    out: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if path != STDIN and os.path.isdir(path):
            found = _scan(path)
            if not found:
                raise UsageError(
                    f"{path}: no process files (*.yaml / *.yml with top-level 'version' and 'process') found"
                )
            items = found
        else:
            items = [path]
        for item in items:
            key = item if item == STDIN else os.path.normpath(item)
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out
