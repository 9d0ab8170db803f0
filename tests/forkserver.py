"""Run ``procmap ARGS`` as a real child process without paying interpreter start-up each time.

Why: the hostile-input suite runs the CLI about 300 times, one fresh process
per run so that a hang can be killed and CPU time and peak memory measured
with ``wait4``. Most of each run was start-up — importing typer, pydantic and
networkx (≈0.45 s of a 0.5 s run on the 2-core CI machine) — which put the
README's test command over its 5-minute budget.

A fork server (the technique of Android's zygote and multiprocessing's
``forkserver``) imports those once; each run is an ``os.fork()`` of that
single-threaded server. The child is a real process: its own stdin, stdout,
stderr files, working directory and environment, procmap's own ``main()`` and
signal handlers, its exit status and resource usage read by ``wait4``, and it
can be killed. Only interpreter start-up is shared; the tests that are about
start-up, signals or a fresh interpreter keep using ``subprocess``.

Protocol (one JSON object per line on the server's stdin and stdout): a
request ``{"argv", "cwd", "env", "stdin", "stdout", "stderr"}`` (file paths),
answered first by ``{"pid"}`` right after the fork (so the caller can kill the
child on a runaway), then by ``{"status", "cpu", "maxrss_kb"}`` when it ends.

The hang guard measures CPU time, not wall-clock time: a watchdog reads the
child's user+system time from ``/proc/PID/stat`` and kills it past the limit,
so a machine loaded eight times over (which stretches wall time, not CPU
time) cannot fail a test. A very generous wall-clock cap (20 times the CPU
limit, at least ten minutes) stays as the last resort for a child blocked
without using CPU (a FIFO nobody opens).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WALL_FACTOR = 20  # the last-resort wall-clock cap: this many times the CPU limit ...
WALL_FLOOR = 600.0  # ... and never under ten minutes
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_of(pid: int) -> float | None:
    """User+system CPU seconds of a live process and its waited-for children (``/proc/PID/stat``); None once gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2 :].split()  # the command name may hold spaces and parentheses
    # fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17
    return sum(int(f) for f in fields[11:15]) / _TICKS


def wall_cap(cpu_limit: float) -> float:
    """The wall-clock last resort for a CPU limit: 20x, at least ten minutes."""
    return max(WALL_FLOOR, WALL_FACTOR * cpu_limit)


class Watchdog:
    """Kills ``pid`` (via ``kill``) once its CPU time passes ``cpu_limit`` or wall time passes ``wall_limit``.

    Polled, four times a second, from a daemon thread; ``stop()`` when the child has ended.
    """

    def __init__(self, pid: int, kill: Callable[[], None], *, cpu_limit: float, wall_limit: float) -> None:
        self.pid = pid
        self.kill = kill
        self.cpu_limit = cpu_limit
        self.wall_limit = wall_limit
        self.fired: str | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        start = time.monotonic()
        while not self._done.wait(0.25):
            cpu = cpu_of(self.pid)
            if cpu is None:
                return
            if cpu > self.cpu_limit:
                self.fired = f"{cpu:.1f}s of CPU (limit {self.cpu_limit:g}s)"
            elif time.monotonic() - start > self.wall_limit:
                self.fired = f"{time.monotonic() - start:.0f}s of wall-clock time (last-resort cap)"
            else:
                continue
            self.kill()
            return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def as_from_a_terminal() -> None:
    """``preexec_fn``: the child starts with SIGINT at its default, as a command typed at a terminal does.

    A shell that starts the suite in the background (``cmd &`` without job
    control) makes it, and every child, ignore SIGINT (POSIX); Python then keeps
    ignoring it and a test of what Ctrl-C does would see the signal do nothing.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_process(
    command: list[str],
    *,
    input: bytes | None = None,
    cwd: str | Path | None = None,
    env: dict[str, str] | None = None,
    cpu_limit: float = 60.0,
    wall_limit: float | None = None,
    preexec_fn: Callable[[], None] | None = None,
    text: bool = False,
) -> subprocess.CompletedProcess:
    """``subprocess.run(command, capture_output=True)`` with a CPU-time hang guard instead of ``timeout=``.

    A child past its CPU limit (or the last-resort wall cap) is killed and reported as
    ``-9``, as a timeout would be, never raised: the caller's assertion shows what it printed.
    """
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=env,
            preexec_fn=preexec_fn,
        )
        dog = Watchdog(proc.pid, proc.kill, cpu_limit=cpu_limit, wall_limit=wall_limit or wall_cap(cpu_limit))
        try:
            if input is not None:
                assert proc.stdin is not None
                try:
                    proc.stdin.write(input)
                    proc.stdin.close()
                except BrokenPipeError:  # the child stopped reading: that is its right
                    pass
            proc.wait()
        finally:
            dog.stop()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if text:
        return subprocess.CompletedProcess(command, proc.returncode, _text(stdout), _text(stderr))
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


def communicate(proc: subprocess.Popen, *, cpu_limit: float = 30.0) -> tuple:
    """``proc.communicate()`` with the CPU-time guard instead of ``timeout=`` (killed past it: exit -9)."""
    dog = Watchdog(proc.pid, proc.kill, cpu_limit=cpu_limit, wall_limit=wall_cap(cpu_limit))
    try:
        return proc.communicate()
    finally:
        dog.stop()


def _text(data: bytes) -> str:
    """What ``text=True`` gives: the locale's decoding and universal newlines."""
    import locale

    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace("\r", "\n")


PRELOAD = (
    "typer",
    "pydantic",
    "networkx",
    "yaml",
    "procmap.cli",
    "procmap.cli.commands",
    "procmap.validate",
    "procmap.audit",
    "procmap.diff",
    "procmap.reports.findings",
    "procmap.reports.audit_json",
    "procmap.reports.audit_text",
)


def _child(request: dict) -> None:
    """In the forked child: become ``python -m procmap ARGV`` and never return."""
    import atexit
    import signal

    code = 1
    try:
        # The dispositions a fresh interpreter starts with; procmap's main() installs its own.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        fds = (
            os.open(request["stdin"] or os.devnull, os.O_RDONLY),
            os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        )
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)
        sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = sys.__stderr__ = open(
            2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1
        )
        sys.argv = ["procmap", *request["argv"]]
        from procmap.cli import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except BaseException:  # what the interpreter would do: the traceback on stderr, exit 1
            import traceback

            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
    finally:
        os._exit(code & 0xFF)


def serve() -> None:
    """The server loop: preload, then one fork per request, answered in order."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    control_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    control_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    for line in control_in:
        request = json.loads(line)
        control_out.flush()
        pid = os.fork()
        if pid == 0:
            control_in.close()
            control_out.close()
            _child(request)
        control_out.write(json.dumps({"pid": pid}) + "\n")
        control_out.flush()
        _, status, usage = os.wait4(pid, 0)
        answer = {"status": status, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}
        control_out.write(json.dumps(answer) + "\n")
        control_out.flush()


@dataclass
class Finished:
    returncode: int
    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    stdout: bytes = b""
    stderr: bytes = b""


class ForkServer:
    """The client side: one server per test process, started on first use."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def _server(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
            self._proc = subprocess.Popen(
                [sys.executable, "-c", "import forkserver; forkserver.serve()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
        return self._proc

    def run(
        self,
        argv: list[str],
        *,
        cwd: str,
        env: dict[str, str],
        stdout: str,
        stderr: str,
        stdin: str | None = None,
        cpu_limit: float = 60.0,
        kill_after: float | None = None,
    ) -> Finished:
        """One forked run; killed past ``cpu_limit`` CPU seconds or ``kill_after`` wall seconds
        (default: the last-resort cap, see :func:`wall_cap`)."""
        with self._lock:
            server = self._server()
            assert server.stdin is not None and server.stdout is not None
            request = {"argv": argv, "cwd": cwd, "env": env, "stdin": stdin, "stdout": stdout, "stderr": stderr}
            start = time.monotonic()
            server.stdin.write(json.dumps(request) + "\n")
            server.stdin.flush()
            pid = json.loads(server.stdout.readline())["pid"]
            dog = Watchdog(pid, lambda: _kill(pid), cpu_limit=cpu_limit, wall_limit=kill_after or wall_cap(cpu_limit))
            try:
                answer = json.loads(server.stdout.readline())
            finally:
                dog.stop()
            seconds = time.monotonic() - start
        return Finished(os.waitstatus_to_exitcode(answer["status"]), seconds, answer["cpu"], answer["maxrss_kb"] / 1024)

    def capture(
        self,
        argv: list[str],
        *,
        cwd: str | Path | None,
        env: dict[str, str],
        cpu_limit: float | None = None,
        kill_after: float | None = None,
    ) -> Finished:
        """One run with stdin from /dev/null and its stdout and stderr read back (the common case).

        ``kill_after`` (the older name) is read as the CPU limit here: a hang guard that a loaded
        machine cannot trip."""
        cpu_limit = cpu_limit if cpu_limit is not None else kill_after if kill_after is not None else 60.0
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            out, err = os.path.join(scratch, "stdout"), os.path.join(scratch, "stderr")
            done = self.run(argv, cwd=str(cwd or os.getcwd()), env=env, stdout=out, stderr=err, cpu_limit=cpu_limit)
            done.stdout, done.stderr = Path(out).read_bytes(), Path(err).read_bytes()
        return done

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait(timeout=10)


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


SERVER = ForkServer()

import atexit  # noqa: E402

atexit.register(SERVER.close)
