"""Progress bars for work that takes more than about a second: on a terminal only.

Never in pipes, files or CI logs (stderr not a TTY, ``CI`` set, or
``TERM=dumb``): there a bar is only noise that log viewers mangle.  With
``NO_COLOR`` the bar is drawn without colour.  The bar appears only once the
work has run for :data:`DELAY` seconds, so quick runs print nothing extra,
and it is erased when the work ends (the ``wrote PATH`` line stays).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DELAY = 1.0


def wanted(stream: Any = None) -> bool:
    stream = stream or sys.stderr
    if os.environ.get("CI") or os.environ.get("PROCMAP_NO_PROGRESS") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Bar:
    """A handle the work advances; a no-op when no bar is shown."""

    def __init__(self, progress: Any = None, task: Any = None) -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)


@contextmanager
def progress(description: str, total: int | None = None, *, enabled: bool | None = None) -> Iterator[Bar]:
    """A bar for ``total`` items (None: a pulsing bar with the elapsed time), shown after DELAY seconds."""
    if not (wanted() if enabled is None else enabled):
        yield Bar()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")) or None)
    columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
    if total is not None:
        columns.append(MofNCompleteColumn())
    columns.append(TimeElapsedColumn())
    bar = Progress(*columns, console=console, transient=True)
    task = bar.add_task(description, total=total)
    lock = threading.Lock()
    state = {"done": False}

    def show() -> None:
        with lock:
            if not state["done"]:
                bar.start()

    timer = threading.Timer(DELAY, show)
    timer.daemon = True
    timer.start()
    try:
        yield Bar(bar, task)
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            bar.stop()
