"""Writing outputs safely: atomically, through links and devices, and never over an input.

The promises (docs/robustness.md, "What procmap writes"):

- a file procmap read in this run is never written, however it is named:
  ``-o`` is compared by device and inode (and by real path, for files that do
  not exist yet) with every collected input, not with the literal arguments;
- a regular file is replaced atomically (a temporary file beside it, then a
  rename), so a reader never sees half a report and a failure or a signal
  leaves the old file and no temporary one;
- a character device, FIFO or socket (``/dev/null``, ``/dev/stdout``,
  ``>(cat)``) is written straight through: renaming over it would replace
  the device node, and a full device (``/dev/full``) must fail as full;
- a symbolic link is followed and its target replaced atomically, so the link
  stays a link;
- missing parent folders are created; every OS error is one line naming the
  path (:class:`UsageError`, exit 2).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from procmap.diagnostics import UsageError

# Temporary files being written right now: a signal handler removes them (see procmap.cli.signals).
_PENDING: set[str] = set()


def pending_temporaries() -> list[str]:
    return list(_PENDING)


def remove_pending() -> None:
    """Delete every temporary file still being written (called on SIGTERM/SIGHUP/SIGINT)."""
    for tmp in list(_PENDING):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _PENDING.discard(tmp)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    return exc.strerror or str(exc)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def is_stdout(path: str | None) -> bool:
    return path is None or path == "-"


def check_output(path: str | None, inputs: Iterable[str] = ()) -> None:
    """Refuse, before any work is done, an output that is an input or can never be written.

    ``inputs`` are the files the command reads (after directory discovery);
    '-' and ``git:`` arguments are ignored.
    """
    if is_stdout(path):
        return
    assert path is not None
    if path == "":
        raise UsageError("-o '': the output file name is empty (use -o - for standard output)")
    if "\x00" in path:
        raise UsageError(f"{path!r}: a file name cannot contain NUL")
    target_id = _identity(path)
    target_real = os.path.realpath(path)
    for item in inputs:
        if item == "-" or item.startswith("git:"):
            continue
        same = target_id is not None and target_id == _identity(item)
        if same or os.path.realpath(item) == target_real:
            raise UsageError(f"{path}: refusing to overwrite an input file ({item})")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory")


def write_output(path: str | None, content: str | bytes, *, inputs: Iterable[str] = ()) -> None:
    """Write ``content`` to ``path`` (stdout for None or ``-``); see the module docstring."""
    if is_stdout(path):
        if isinstance(content, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(content)
            sys.stdout.flush()
        return
    assert path is not None
    check_output(path, inputs)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None  # a missing folder, or a file where one should be: _make_parents says which
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError(f"{path}: cannot write: too many levels of symbolic links") from None
        raise UsageError(f"{path}: cannot write: {_reason(exc)}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_through(path, data)
        return
    # A symlink (even a dangling one) is followed: its target is what gets replaced.
    target = os.path.realpath(path)
    _write_atomic(path, target, data, st.st_mode & 0o7777 if st is not None else None)


def _write_through(path: str, data: bytes) -> None:
    """Devices, FIFOs, sockets: open and write, as the shell's ``>`` does."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {_reason(exc)}") from None
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {_reason(exc)}") from None
    finally:
        os.close(fd)


def _make_parents(path: str, folder: str) -> None:
    if os.path.isdir(folder):
        return
    if os.path.lexists(folder) and not os.path.isdir(folder):
        raise UsageError(f"{path}: cannot create the folder {folder}: a file of that name exists")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{path}: cannot create the folder {folder}: {_reason(exc)}") from None


def _write_atomic(path: str, target: str, data: bytes, mode: int | None) -> None:
    with atomic_path(path, target=target, mode=mode) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()


@contextmanager
def atomic_path(path: str, *, target: str | None = None, mode: int | None = None) -> Iterator[str]:
    """A temporary file beside ``target`` (default ``path``) to write, renamed over it when the block ends.

    For writers that need a file name rather than bytes (DuckDB's ``COPY … TO``).
    An error or a signal in the block removes the temporary file and leaves the
    target as it was; an OS error is one line naming ``path`` (exit 2).
    """
    target = target or path
    folder = os.path.dirname(target) or "."
    _make_parents(path, folder)
    name = os.path.basename(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name[:100]}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        # The temporary file goes beside the target: its folder is what refused.
        raise UsageError(f"{path}: cannot write into {folder}: {_reason(exc)}") from None
    os.close(fd)
    _PENDING.add(tmp)
    try:
        yield tmp
        try:
            os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        except OSError:
            pass
        os.replace(tmp, target)
        _PENDING.discard(tmp)
    except OSError as exc:
        _discard(tmp)
        raise UsageError(f"{path}: cannot write: {_reason(exc)}") from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
    _PENDING.discard(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
