"""Spreading per-file work over processes: validate and audit of many files."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files a worker pool costs more than it saves (measured on 2 cores).
AUTO_JOBS_MIN_FILES = 32


def cores() -> int:
    """Cores this process may use (respects CPU affinity, e.g. in containers)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def pool_map(
    func: Callable[[T], R], items: Iterable[T], workers: int, on_result: Callable[[], None] | None = None
) -> list[R]:
    """``list(map(func, items))`` in ``workers`` processes, results in input order.

    ``fork`` where available: the workers inherit the imported modules instead
    of importing typer, pydantic and networkx again.  Whatever stops the
    parent (Ctrl-C, SIGTERM, SIGHUP, an error) stops the workers too: they are
    terminated, not left to finish their queue and sleep as orphans.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from procmap.interrupts import reset_for_worker

    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=reset_for_worker)
    try:
        results = []
        for result in pool.map(func, items, chunksize=8):
            results.append(result)
            if on_result is not None:
                on_result()
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return results


def _stop(pool: object) -> None:
    """Terminate the workers now (``shutdown`` alone lets each finish its current chunk)."""
    processes = dict(getattr(pool, "_processes", None) or {})
    for proc in processes.values():
        try:
            proc.terminate()
        except (OSError, AttributeError, ValueError):
            pass
    try:
        pool.shutdown(wait=False, cancel_futures=True)  # type: ignore[attr-defined]
    except BaseException:  # already stopping: the first error is the one to report
        pass
    for proc in processes.values():
        try:
            proc.join(timeout=2)
        except (OSError, AttributeError, ValueError, AssertionError):
            pass
