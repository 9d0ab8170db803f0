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


def pool_map(func: Callable[[T], R], items: Iterable[T], workers: int) -> list[R]:
    """``list(map(func, items))`` in ``workers`` processes, results in input order.

    ``fork`` where available: the workers inherit the imported modules instead
    of importing typer, pydantic and networkx again.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(func, items, chunksize=8))
