"""The third hostile round's `import` items (issue 24 items 6, 7, 11, 15 and 18), through the real CLI.

Each test failed before its fix.  Hang guards measure CPU time (the fork
server's wait4 figures, or the children's rusage), never the wall clock, so a
loaded machine cannot fail them.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conftest import run_forked  # noqa: F401  (starts the fork server's module)

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float


def procmap(*args: object, cwd: Path) -> Run:
    """``python -m procmap ARGS`` as a real child process, with the CPU time it used."""
    env = {**os.environ, "NO_COLOR": "1"}
    for name in ("GITHUB_ACTIONS", "PROCMAP_DEBUG", "FORCE_COLOR"):
        env.pop(name, None)
    argv = [str(a) for a in args]
    if not os.environ.get("PROCMAP_TESTS_NO_FORKSERVER"):
        from forkserver import SERVER

        done = SERVER.capture(argv, cwd=cwd, env=env, kill_after=600)
        return Run(done.returncode, done.stdout.decode(), done.stderr.decode(), done.cpu_seconds)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "procmap", *argv], cwd=cwd, env=env, capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode(), cpu)


def model(body: str, collaboration: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{BPMN}" id="d">\n'
        f"{collaboration}{body}\n</definitions>\n"
    )


def lanes_model(n: int) -> str:
    """N lanes with one task each, in one line: the shape of item 11."""
    lanes = "".join(f'<lane id="L{i}" name="Lane {i}"><flowNodeRef>t{i}</flowNodeRef></lane>' for i in range(n))
    tasks = "".join(f'<task id="t{i}" name="Task {i}"/>' for i in range(n))
    flows = "".join(f'<sequenceFlow id="f{i}" sourceRef="t{i}" targetRef="t{i + 1}"/>' for i in range(n - 1))
    start = '<startEvent id="s"/><sequenceFlow id="fs" sourceRef="s" targetRef="t0"/>'
    return model(f'<process id="p"><laneSet id="ls">{lanes}</laneSet>{start}{tasks}{flows}</process>')


def ring_model(n: int) -> str:
    """A task flowing into a ring of N gateways that no path leaves: the shape of item 15."""
    gateways = "".join(f'<exclusiveGateway id="g{i}"/>' for i in range(n))
    flows = "".join(f'<sequenceFlow id="r{i}" sourceRef="g{i}" targetRef="g{(i + 1) % n}"/>' for i in range(n))
    return model(
        '<process id="p"><startEvent id="s"/><task id="a" name="Ask"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="a"/><sequenceFlow id="f2" sourceRef="a" targetRef="g0"/>'
        f"{gateways}{flows}</process>"
    )


SELF_CALL = model(
    '<process id="p" name="Retry"><startEvent id="s"/><callActivity id="c" name="Try again" calledElement="p"/>'
    '<sequenceFlow id="f" sourceRef="s" targetRef="c"/></process>'
)


# ------------------------------------------------------------------ 11: N lanes with one task each


def test_11_lanes_with_one_task_each_import_in_linear_time(tmp_path: Path) -> None:
    """4,000 lanes took 10.6 s and 10,000 over 60 s: every lane scanned every step (n²)."""
    cpu = {}
    for n in (1_000, 4_000):
        (tmp_path / f"l{n}.bpmn").write_text(lanes_model(n))
        done = procmap("import", f"l{n}.bpmn", "-o", f"l{n}.yaml", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert f"imported {n} step(s) in {n} lane(s)" in done.stderr
        cpu[n] = done.cpu_seconds
    assert cpu[4_000] < 6 * cpu[1_000] + 1.0, cpu  # linear is 4x; the n² walk was 16x
    assert cpu[4_000] < 30, cpu


# ------------------------------------------------------------------ 15: rings and recursion


def test_15_a_ring_of_a_thousand_gateways_is_named_not_a_recursion_error(tmp_path: Path) -> None:
    (tmp_path / "ring.bpmn").write_text(ring_model(1_000))
    done = procmap("import", "ring.bpmn", "-o", "ring.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert "warning [dead-loop] 1000 gateway(s) or event(s) form a loop that no path leaves ('g0'" in done.stderr
    assert done.cpu_seconds < 30
    assert procmap("validate", "ring.yaml", cwd=tmp_path).returncode == 0


def test_15_a_long_chain_of_gateways_is_walked_without_recursion(tmp_path: Path) -> None:
    n = 5_000
    gateways = "".join(f'<exclusiveGateway id="g{i}"/>' for i in range(n))
    flows = "".join(f'<sequenceFlow id="r{i}" sourceRef="g{i}" targetRef="g{i + 1}"/>' for i in range(n - 1))
    body = (
        '<process id="p"><startEvent id="s"/><task id="a" name="Ask"/><task id="b" name="Answer"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="a"/><sequenceFlow id="f2" sourceRef="a" targetRef="g0"/>'
        f'{gateways}{flows}<sequenceFlow id="f3" sourceRef="g{n - 1}" targetRef="b"/></process>'
    )
    (tmp_path / "chain.bpmn").write_text(model(body))
    done = procmap("import", "chain.bpmn", "-o", "chain.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "next: [answer]" in (tmp_path / "chain.yaml").read_text()


def test_15_a_call_activity_calling_its_own_process_is_imported_and_said(tmp_path: Path) -> None:
    (tmp_path / "self.bpmn").write_text(SELF_CALL)
    done = procmap("import", "self.bpmn", "-o", "self.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "callActivity 'c' (\"Try again\") calls its own process 'p' (a recursion): kept as one step" in done.stderr
    assert "imported 1 step(s)" in done.stderr


def test_15_processes_that_only_call_each_other_get_a_clear_message(tmp_path: Path) -> None:
    body = (
        '<process id="p1"><startEvent id="s1"/><callActivity id="c1" name="B" calledElement="p2"/>'
        '<sequenceFlow id="f1" sourceRef="s1" targetRef="c1"/></process>'
        '<process id="p2"><startEvent id="s2"/><callActivity id="c2" name="A" calledElement="p1"/>'
        '<sequenceFlow id="f2" sourceRef="s2" targetRef="c2"/></process>'
    )
    (tmp_path / "pair.bpmn").write_text(model(body))
    done = procmap("import", "pair.bpmn", cwd=tmp_path)
    assert done.returncode == 2
    assert "every process in the model is called by another one's call activity ('p1', 'p2')" in done.stderr
    assert done.stderr.count("\n") == 1
    chosen = procmap("import", "pair.bpmn", "--process", "p1", "-o", "p1.yaml", cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stderr


def test_11_the_mapping_itself_is_linear_in_lanes() -> None:
    """The mapping alone, in-process, CPU time (time.process_time): 8x the lanes within 8x the time, with slack."""
    import time

    from procmap.interchange.bpmn_import import import_bpmn

    cpu = {}
    for n in (1_000, 8_000):
        data = lanes_model(n).encode()
        best = float("inf")
        for _ in range(2):
            start = time.process_time()
            result = import_bpmn(data, f"l{n}.bpmn")
            best = min(best, time.process_time() - start)
        assert len(result.data["lanes"]) == n
        cpu[n] = best
    assert cpu[8_000] < 16 * cpu[1_000] + 0.5, cpu  # linear is 8x; the n² lane scan was 64x
