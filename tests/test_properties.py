"""Property-based tests (issue 6): random valid processes and random breakages of them.

The core is called in-process (``check_text``, ``Analysis``) for speed, plus a
few runs of the real CLI.  Budgets are set so the whole module runs in well
under a minute; ``HYPOTHESIS_PROFILE=explore`` searches ten times longer.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import tempfile
from collections import deque
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)
from procmap.config import Config
from procmap.diagnostics import Severity, UsageError
from procmap.load.loader import LoadError, decode
from procmap.validate import FileResult, check_text
from strategies import DANGLING, Mutant, mutants, processes, profile, yaml_texts

# The line breaks YAML 1.1 (libyaml) counts; a final break does not open a new line.
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def file_lines(text: str) -> list[str]:
    lines = _BREAKS.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def assert_positions_inside(result: FileResult, text: str) -> None:
    """Every diagnostic names a real line, and a column inside it (or just past its end)."""
    lines = file_lines(text)
    for d in result.diagnostics:
        assert 1 <= d.line <= max(1, len(lines)), f"line {d.line} outside 1..{len(lines)}: {d}"
        width = len(lines[d.line - 1]) if lines else 0
        assert 1 <= d.column <= width + 1, f"column {d.column} outside 1..{width + 1}: {d}"
        assert d.message.strip() and len(d.message) < 1000, d


def errors(result: FileResult) -> list[str]:
    return [f"{d.line}:{d.column} [{d.rule}] {d.message}" for d in result.diagnostics if d.severity == Severity.ERROR]


def points_at(text: str, line: int, column: int, marker: str) -> bool:
    rest = file_lines(text)[line - 1][column - 1 :]
    return rest.lstrip("\"'").startswith(marker)


def check_mutant(mutant: Mutant) -> FileResult:
    result = check_text(mutant.text, "mutant.yaml", Config())
    assert_positions_inside(result, mutant.text)
    if mutant.expect_rule:
        found = [d for d in result.diagnostics if d.rule == mutant.expect_rule and d.severity == Severity.ERROR]
        assert found, f"{mutant.kind}: no {mutant.expect_rule} error in {errors(result)}\n{mutant.text}"
        if mutant.marker:
            assert any(points_at(mutant.text, d.line, d.column, mutant.marker) for d in found), (
                f"{mutant.kind}: no {mutant.expect_rule} error points at {mutant.marker!r}: {errors(result)}\n{mutant.text}"
            )
        if mutant.pos:
            assert any((d.line, d.column) == mutant.pos for d in found), (
                f"{mutant.kind}: expected {mutant.pos}, got {errors(result)}\n{mutant.text}"
            )
    return result


# --------------------------------------------------------------------------- validate, in-process


@profile(150)
@given(st.data())
def test_valid_processes_give_no_errors(data: st.DataObject) -> None:
    process = data.draw(processes())
    text = data.draw(yaml_texts(process))
    result = check_text(text, "valid.yaml", Config())
    assert errors(result) == [], text
    assert result.model is not None and result.graph is not None
    assert result.graph.number_of_nodes() == len(process["steps"])
    assert_positions_inside(result, text)


@profile(300)
@given(mutants())
def test_mutants_never_crash_and_point_inside_the_file(mutant: Mutant) -> None:
    check_mutant(mutant)


@profile(150)
@given(st.data())
def test_mutated_bytes_never_crash(data: st.DataObject) -> None:
    """Byte-level damage (what a bad download or a wrong encoding does) goes through the decoder first."""
    raw = bytearray(data.draw(yaml_texts(data.draw(processes(max_steps=6)))).encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw)))
        chunk = data.draw(st.binary(min_size=1, max_size=4))
        if data.draw(st.booleans()):
            raw[at : at + len(chunk)] = chunk
        else:
            raw[at:at] = chunk
    try:
        text = decode(bytes(raw), "bytes.yaml")
    except UsageError as exc:  # binary / UTF-16: refused as a file problem (exit 2)
        assert "bytes.yaml" in str(exc)
        return
    except LoadError as exc:
        lines = file_lines(bytes(raw).decode("utf-8", "replace"))
        d = exc.diagnostic
        assert 1 <= d.line <= max(1, len(lines)) and 1 <= d.column <= len(lines[d.line - 1]) + 1, d
        return
    assert_positions_inside(check_text(text, "bytes.yaml", Config()), text)


# --------------------------------------------------------------------------- audit invariants


def _touchpoint_free_distances(g, touch: set[str], source: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Shortest number of flows from ``source`` to each touchpoint, never passing *through* a touchpoint."""
    dist = {source: 0}
    reached: dict[str, int] = {}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        for nxt in g.successors(node):
            if nxt in touch:
                reached.setdefault(nxt, dist[node] + 1)
                continue
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                queue.append(nxt)
    return reached


@profile(150)
@given(st.data())
def test_audit_invariants(data: st.DataObject) -> None:
    process = data.draw(processes(max_steps=14))
    result = check_text(data.draw(yaml_texts(process)), "audit.yaml", Config())
    g, a = result.graph, result.analysis
    assert g is not None and a is not None
    lane = {n: g.nodes[n]["lane"] for n in g}
    kind = {n: g.nodes[n]["lane_kind"] for n in g}
    touch = set(a.touchpoints)

    # definitions
    assert set(a.customer_actions) == {n for n in g if kind[n] == "customer"}
    assert touch == {n for n in g if kind[n] != "customer" and g.nodes[n]["visibility"] == "onstage"}
    assert all(g.nodes[n]["visibility"] == "onstage" for n in a.customer_actions)

    # customer-visible handoffs: touchpoints of different lanes, a real touchpoint-free shortest path
    pairs = [(h.source, h.target) for h in a.visible_handoffs]
    assert len(pairs) == len(set(pairs)), "a pair reported twice"
    for h in a.visible_handoffs:
        assert h.source in touch and h.target in touch
        assert lane[h.source] != lane[h.target] and (h.source_lane, h.target_lane) == (lane[h.source], lane[h.target])
        assert not set(h.via) & touch, f"via {h.via} holds a touchpoint"
        path = [h.source, *h.via, h.target]
        assert all(g.has_edge(u, v) for u, v in itertools.pairwise(path)), f"{path} is not a path"
        assert len(h.via) + 1 == _touchpoint_free_distances(g, touch, h.source)[h.target], "via is not shortest"
    expected = {(u, v) for u in touch for v in _touchpoint_free_distances(g, touch, u) if lane[u] != lane[v]}
    assert set(pairs) == expected

    # handoffs: every flow between two different non-customer lanes, classed by visibility
    assert {(h.source, h.target) for h in a.handoffs} == {
        (u, v) for u, v in g.edges if lane[u] != lane[v] and "customer" not in (kind[u], kind[v])
    }
    for h in a.handoffs:
        assert kind[h.source] != "customer" and kind[h.target] != "customer"
        assert h.source_lane != h.target_lane
        ends = {g.nodes[h.source]["visibility"], g.nodes[h.target]["visibility"]}
        assert h.cls == (ends.pop() if len(ends) == 1 else "visibility-line")

    assert set(a.visibility_crossings) == {
        (u, v) for u, v in g.edges if g.nodes[u]["visibility"] != g.nodes[v]["visibility"]
    }

    m = a.metrics()
    assert m["steps"] == g.number_of_nodes() == len(process["steps"])
    assert m["customer_actions"] == len(a.customer_actions)
    assert m["touchpoints"] == len(a.touchpoints)
    assert m["visible_handoffs"] == len(a.visible_handoffs)
    assert m["handoffs"] == len(a.handoffs)
    assert m["visibility_crossings"] == len(a.visibility_crossings)


# --------------------------------------------------------------------------- a few runs of the real CLI


def _in_process_cli(*args: str) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from procmap.cli import app

    result = CliRunner().invoke(app(), list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@profile(50)
@given(mutants(max_steps=6))
def test_cli_validate_json_on_mutants(mutant: Mutant) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.yaml"
        path.write_bytes(mutant.text.encode("utf-8", "surrogatepass"))
        code, out, err = _in_process_cli("validate", str(path), "--format", "json")
    if code == 2:  # a file-level refusal (e.g. junk put a NUL byte in): one line naming the file
        assert len(err.strip().splitlines()) == 1 and str(path) in err, err
        return
    assert code in (0, 1), (code, out, err)
    report = json.loads(out)
    lines = file_lines(mutant.text.removeprefix("\ufeff"))
    for d in report["diagnostics"]:
        assert 1 <= d["line"] <= max(1, len(lines)), d
        assert 1 <= d["column"] <= (len(lines[d["line"] - 1]) if lines else 0) + 1, d
    assert code == (1 if report["summary"]["errors"] else 0)


@profile(30)
@given(st.data())
def test_cli_audit_json_metrics_match_lists(data: st.DataObject) -> None:
    text = data.draw(yaml_texts(data.draw(processes(max_steps=10))))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "process.yaml"
        path.write_text(text, encoding="utf-8", newline="")
        code, out, err = _in_process_cli("audit", str(path), "--format", "json")
    assert code == 0, (out, err)
    (report,) = json.loads(out)["processes"]
    for key in ("customer_actions", "touchpoints", "visible_handoffs", "handoffs", "visibility_crossings"):
        assert report["metrics"][key] == len(report[key]), key
    analysis = check_text(text, "p", Config()).analysis
    assert analysis is not None
    assert [(h["from"], h["to"], tuple(h["via"])) for h in report["visible_handoffs"]] == [
        (h.source, h.target, h.via) for h in analysis.visible_handoffs
    ]


@profile(4)
@given(mutants(max_steps=5))
def test_real_subprocess_on_mutants(mutant: Mutant) -> None:
    """A real interpreter per example: exit codes and the absence of tracebacks as a user sees them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.yaml"
        path.write_bytes(mutant.text.encode("utf-8", "surrogatepass"))
        proc = run_process(
            [sys.executable, "-m", "procmap", "validate", str(path)],
            text=True,
            cpu_limit=60,
            env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        )
    assert proc.returncode in (0, 1, 2), proc
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    if proc.returncode == 2:
        assert len(proc.stderr.strip().splitlines()) == 1 and str(path) in proc.stderr
    else:
        assert proc.stdout.rstrip().splitlines()[-1].startswith("1 file checked:"), proc.stdout


# --------------------------------------------------------------------------- regressions

# Every crash found by the fuzzer (fuzz/README.md) or an explore run of this module, pinned as an exact input.
CRASH_REGRESSIONS: list[str] = [
    # a key with '[' was taken for a pydantic wrapper name and dropped from the error path: IndexError
    " \n    la[e: ",
    "str: 1\n",  # same, for a key called 'str'
    "version: 1\nprocess: {id: p, name: n, str: 1, Flow: 2}\n",
    "!!int ",  # an explicit tag on an empty scalar: IndexError inside PyYAML's int constructor
    "a: !!float\nb: !!bool\nc: !!null x\nd: !!int -\n",
    # explore run: a step whose lane is a list made the empty-lane rule build a set of lists (TypeError)
    "version: 1\nprocess: {id: p, name: P}\nlanes: [{id: c, name: C, kind: customer}]\n"
    "steps:\n- {id: a, name: A, lane: [], next: [b]}\n- {id: b, name: B, lane: c}\n",
    "version: 1\nprocess: {id: p, name: P}\nlanes: [{id: c, name: C, kind: customer}]\n"
    "steps:\n- {id: a, name: A, lane: {x: 1}}\n- {id: b, name: B, lane: c}\n",
]


def test_crash_regressions() -> None:
    for text in CRASH_REGRESSIONS:
        result = check_text(text, "regression.yaml", Config())
        assert_positions_inside(result, text)
        assert errors(result), f"{text!r} is invalid and must be reported"


def test_dangling_marker_is_a_slug() -> None:
    """The strategies rely on the marker being a valid id that no generated step can take."""
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", DANGLING) and len(DANGLING) > 11
