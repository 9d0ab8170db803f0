"""Writing outputs safely: atomically, and never over an input."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from procmap.diagnostics import UsageError


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def write_output(path: str | None, content: str | bytes, *, inputs: list[str] = ()) -> None:  # type: ignore[assignment]
    """Write ``content`` to ``path`` (stdout for None or ``-``).

    Writes to a temporary file in the target's directory and renames it into
    place, so a reader never sees half a file and a failure leaves nothing
    behind.  Refuses to overwrite any of ``inputs``.
    """
    if path is None or path == "-":
        if isinstance(content, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(content)
            sys.stdout.flush()
        return
    for item in inputs:
        if item != "-" and os.path.exists(path) and _same_file(path, item):
            raise UsageError(f"{path}: refusing to overwrite an input file")
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{path}: directory {folder} does not exist")
    if target.is_dir():
        raise UsageError(f"{path}: is a directory")
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            mode = os.stat(target).st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
        except OSError:
            pass
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
