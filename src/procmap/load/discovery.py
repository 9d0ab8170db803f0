"""Turn command-line paths into the list of process files to check."""

from __future__ import annotations

import os
import stat

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
            head = _head(path)
            if head is None or b"\x00" in head:
                continue
            if looks_like_process(head.decode("utf-8", "replace")):
                found.append(path)
    return found


def _head(path: str) -> bytes | None:
    """The first MiB of a regular file; None for anything else.

    A FIFO named ``x.yaml`` (or a symlink to ``/dev/stdin``) in a scanned
    folder must not block the scan: ``stat`` first, then open without
    blocking and check again on the open descriptor, so a file swapped for a
    FIFO between the two calls is caught too.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(1 << 20)
    except OSError:
        return None
    finally:
        os.close(fd)


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
