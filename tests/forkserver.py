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
child on a timeout), then by ``{"status", "cpu", "maxrss_kb"}`` when it ends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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
        kill_after: float,
    ) -> Finished:
        with self._lock:
            server = self._server()
            assert server.stdin is not None and server.stdout is not None
            request = {"argv": argv, "cwd": cwd, "env": env, "stdin": stdin, "stdout": stdout, "stderr": stderr}
            start = time.monotonic()
            server.stdin.write(json.dumps(request) + "\n")
            server.stdin.flush()
            pid = json.loads(server.stdout.readline())["pid"]
            killer = threading.Timer(kill_after, _kill, (pid,))
            killer.start()
            try:
                answer = json.loads(server.stdout.readline())
            finally:
                killer.cancel()
            seconds = time.monotonic() - start
        return Finished(os.waitstatus_to_exitcode(answer["status"]), seconds, answer["cpu"], answer["maxrss_kb"] / 1024)

    def capture(self, argv: list[str], *, cwd: str | Path | None, env: dict[str, str], kill_after: float) -> Finished:
        """One run with stdin from /dev/null and its stdout and stderr read back (the common case)."""
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            out, err = os.path.join(scratch, "stdout"), os.path.join(scratch, "stderr")
            done = self.run(argv, cwd=str(cwd or os.getcwd()), env=env, stdout=out, stderr=err, kill_after=kill_after)
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
