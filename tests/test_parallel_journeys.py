"""SPEC §7.2: journeys with parallel work, against the brute-force run simulator of tests/journey_oracle.py.

Random block-structured processes (nested blocks, loops inside branches,
whole-block loops, shares, updates, chases, slas, planned loops) must give
the oracle's whole `journeys` object; the order example is checked by hand
through the CLI.
"""

from __future__ import annotations

import json
import resource
import signal
from fractions import Fraction
from typing import Any

import yaml
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import journey_oracle as oracle
from conftest import EXAMPLES
from procmap.analysis.facts import Analysis
from procmap.analysis.journeys import Journeys
from procmap.analysis.journeys.programme import PROGRAMMED
from procmap.analysis.journeys.report import journeys_report
from procmap.model.graph import build_graph
from procmap.model.process import ProcessFile
from strategies import processes
from test_journeys_oracle import same

ORDER = EXAMPLES / "order-fulfilment.yaml"


def _kind(data: dict[str, Any], step: dict[str, Any]) -> str:
    return next(lane["kind"] for lane in data["lanes"] if lane["id"] == step["lane"])


def _facing(data: dict[str, Any], step: dict[str, Any]) -> bool:
    kind = _kind(data, step)
    return kind == "customer" or step.get("visibility", "onstage" if kind == "onstage" else "backstage") == "onstage"


@st.composite
def decorated(draw: st.DrawFn) -> dict[str, Any]:
    """A block-structured process with §5's keys sprinkled on: updates, chases, slas, sla_from, shares, planned."""
    data = draw(processes(max_steps=12, blocks=True))
    steps = data["steps"]
    facing = [s["id"] for s in steps if _facing(data, s)]
    for i, step in enumerate(steps):
        kind = _kind(data, step)
        if kind != "customer" and _facing(data, step) and draw(st.integers(0, 2)) == 0:
            step["contact"] = "update"
        if kind == "customer" and i > 0 and draw(st.integers(0, 2)) == 0:
            step["contact"] = "chase"
        if draw(st.integers(0, 3)) == 0:
            step["sla"] = draw(st.sampled_from(["15m", "2h", "1d"]))
            if facing and draw(st.booleans()):
                step["sla_from"] = draw(st.sampled_from(facing))
    if draw(st.integers(0, 3)) > 0:  # shares on every choice, so expected and probability are defined
        for step in steps:
            flows = step.get("next", [])
            if len(flows) > 1:
                long = [{"to": f} if isinstance(f, str) else dict(f) for f in flows]
                cuts = draw(st.sampled_from([(0.5, 0.5), (0.25, 0.75), (0.9, 0.1)] if len(long) == 2 else [None]))
                if cuts is None:
                    cuts = [round(1 / len(long), 6)] * (len(long) - 1)
                    cuts.append(round(1 - sum(cuts), 6))
                for flow, share in zip(long, cuts, strict=True):
                    flow["share"] = share
                step["next"] = long
    g = build_graph(ProcessFile.model_validate(data))
    loops = oracle.loop_edges(g, g.graph["start"])
    for step in steps:
        flows = step.get("next", [])
        for j, f in enumerate(flows):
            target = f if isinstance(f, str) else f.get("to")
            if target and (step["id"], target) in loops and draw(st.booleans()):
                flows[j] = {"to": target, "planned": True} if isinstance(f, str) else {**f, "planned": True}
    return data


class _OracleTooSlow(Exception):
    pass


def _within_cpu(seconds: float, fn: Any, *args: Any) -> Any:
    """``fn(*args)``, abandoned past ``seconds`` of this process's CPU time (ITIMER_PROF: not the clock)."""

    def stop(_signum: int, _frame: Any) -> None:
        raise _OracleTooSlow

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


ORACLE_CPU = 20.0  # seconds of CPU the brute-force oracle may spend on one draw


def compare(data: dict[str, Any], repeats: int, worst_by: tuple[str, ...] = oracle.WORST_BY) -> None:
    """procmap's journeys against the brute-force oracle's on one process.

    The oracle walks every path, so its cost is exponential in the process: a draw
    it cannot finish in ORACLE_CPU seconds of CPU is rejected (hypothesis draws
    another), never waited on — in one fresh-clone run a derandomized draw kept it
    walking for over ten minutes.
    """
    g = build_graph(ProcessFile.model_validate(data))
    j = Journeys(g, repeats).with_worst_by(worst_by)
    try:
        want = _within_cpu(ORACLE_CPU, oracle.report_blocks, g, repeats, worst_by)
    except _OracleTooSlow:
        reject()
    same(journeys_report(j, Analysis(g).no_backup), want, "journeys")


# derandomize: the brute-force oracle is exponential in the runs; a fixed draw keeps CI's cost known (a random
# draw once walked for minutes), and wider searches are for a run by hand with derandomize off.
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(decorated(), st.integers(0, 1))
def test_random_block_processes_match_the_run_simulator(data: dict[str, Any], repeats: int) -> None:
    compare(data, repeats)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    decorated(),
    st.integers(0, 1),
    st.lists(st.sampled_from((*oracle.FIGURES, "comes_back")), min_size=1, max_size=3, unique=True).map(tuple),
)
def test_random_worst_by_orders_on_block_processes(data: dict[str, Any], repeats: int, order: tuple) -> None:
    compare(data, repeats, order)


def _journeys(run: Any, *args: str) -> dict[str, Any]:
    result = run("audit", str(ORDER), "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["processes"][0]["journeys"]


def test_order_example_through_the_cli_by_hand(run: Any) -> None:
    """pack ‖ invoice: the timeline interleaves the branches; elapsed is the critical path, not the sum."""
    j = _journeys(run)
    assert j["count"] == 3  # in stock (packed first time), in stock with one re-pick, out of stock
    main = j["main"]
    # 5m + 1m + 10m, then pick 2h ‖ invoice 1h (+1m sent), pack 30m, hand over 15m, 1d delivery, 2m
    assert main["steps"] == [
        "place-order",
        "confirm-order",
        "check-stock",
        "write-invoice",
        "pick-goods",
        "send-invoice",
        "pack-parcel",
        "hand-to-carrier",
        "deliver",
        "receive-parcel",
    ]
    assert main["figures"]["elapsed"] == 300 + 60 + 600 + 7200 + 1800 + 900 + 86400 + 120
    # the longest stretch nothing facing covers: invoice sent (4620 s) to delivery's start (10860 s)
    assert main["figures"]["longest_silence"] == 10860 - 4620
    assert main["probability"] == 0.92 * 0.95
    worst = j["worst"]
    assert worst["figures"]["repeats"] == 1
    assert worst["steps"].count("pick-goods") == 2
    assert j["expected"]["elapsed"] is None and j["expected"]["visible_handoffs"] is None
    assert j["expected"]["customer_actions"] == 2
    assert abs(j["expected"]["p_comes_back"] - 0.92 * 0.05) < 1e-9


def test_a_run_without_forks_is_read_as_before() -> None:
    """Inside a branch-free process §7.2's engine is not used: the §5 figures stand (one run = one journey)."""
    data = {
        "version": 1,
        "process": {"id": "p", "name": "P"},
        "lanes": [{"id": "c", "name": "C", "kind": "customer"}, {"id": "d", "name": "D", "kind": "onstage"}],
        "steps": [
            {"id": "a", "name": "A", "lane": "c", "duration": "1m", "next": ["b"]},
            {"id": "b", "name": "B", "lane": "d", "duration": "2m"},
        ],
    }
    j = Journeys(build_graph(ProcessFile.model_validate(data)))
    assert not j.runs_forked
    assert j.count == 1 and j.main is not None and j.main.figures["elapsed"] == 180


def test_two_branches_alternating_lanes_make_a_handoff_at_each_switch() -> None:
    """§7.2: handoffs along the timeline depend on timing: desk 0-1m, phone 1m-3m ‖ phone 0-2m… interleave."""
    data = {
        "version": 1,
        "process": {"id": "p", "name": "P"},
        "lanes": [
            {"id": "desk", "name": "Desk", "kind": "onstage"},
            {"id": "phone", "name": "Phone", "kind": "onstage"},
        ],
        "steps": [
            {"id": "s", "name": "S", "lane": "desk", "next": [{"all": ["a1", "b1"]}]},
            {"id": "a1", "name": "A1", "lane": "desk", "duration": "1m", "next": ["a2"]},
            {"id": "a2", "name": "A2", "lane": "desk", "duration": "2m", "next": ["j"]},
            {"id": "b1", "name": "B1", "lane": "phone", "duration": "2m", "next": ["b2"]},
            {"id": "b2", "name": "B2", "lane": "phone", "duration": "2m", "next": ["j"]},
            {"id": "j", "name": "J", "lane": "desk", "join": "all"},
        ],
    }
    g = build_graph(ProcessFile.model_validate(data))
    main = Journeys(g).main
    assert main is not None
    # starts: s 0, a1 0, b1 0, a2 1m, b2 2m, j 4m; ties at 0 by finish: s (0), a1 (1m), b1 (2m)
    assert main.steps == ("s", "a1", "b1", "a2", "b2", "j")
    assert main.figures["visible_handoffs"] == 4  # desk desk phone desk phone desk
    assert main.figures["elapsed"] == 240
    same(journeys_report(Journeys(g), Analysis(g).no_backup), oracle.report_blocks(g), "journeys")


def _listed_main_and_bounds(j: Journeys) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The engine's own enumerator: main (most probable, ties and no shares: the first) and each figure's range."""
    shares = j.chance is not None
    main = None
    lo: dict[str, Any] = {}
    hi: dict[str, Any] = {}
    for run in j.iter_runs():
        figures, order, _s, _f = j.run_figures(run)
        if main is None or (shares and run.probability > main[0]):
            main = (run.probability, j._as_journey(run, figures, order, shares))
        for name, v in figures.items():
            lo[name], hi[name] = min(lo.get(name, v), v), max(hi.get(name, v), v)

    def shown(name: str, v: Any) -> Any:
        return j._seconds(v) if name in ("elapsed", "longest_silence") else v

    return (main[1] if main else None), {n: shown(n, v) for n, v in lo.items()}, {n: shown(n, v) for n, v in hi.items()}


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(decorated(), st.integers(0, 1))
def test_the_programme_gives_the_listed_main_and_bounds(data: dict[str, Any], repeats: int) -> None:
    """Main and the figures that add up (and parties) come from a programme over the blocks, never a listing:
    the same run, figures and probability as the enumerator on random block-structured processes."""
    g = build_graph(ProcessFile.model_validate(data))
    j = Journeys(g, repeats)
    if not j.runs_forked or j.parallel_count > 5_000:  # the listing is the slow side: keep CI's cost known
        return
    main, lo, hi = _listed_main_and_bounds(j)
    got = j.programmed_main
    assert (got is None) == (main is None)
    if main is not None:
        assert got.steps == main.steps and got.figures == main.figures and got.probability == main.probability
        assert got.timeline == main.timeline
    plo, phi = j.programmed_bounds
    assert set(plo) == set(PROGRAMMED) == set(phi)
    for name in PROGRAMMED:
        assert (plo[name], phi[name]) == (lo[name], hi[name]), name


def test_the_programme_reads_parties_over_the_branches() -> None:
    """Lanes met add over branches as sets: desk ‖ (desk or phone) meets one or two parties."""
    data = {
        "version": 1,
        "process": {"id": "p", "name": "P"},
        "lanes": [
            {"id": "c", "name": "C", "kind": "customer"},
            {"id": "desk", "name": "Desk", "kind": "onstage"},
            {"id": "phone", "name": "Phone", "kind": "onstage"},
        ],
        "steps": [
            {"id": "s", "name": "S", "lane": "c", "next": [{"all": ["a", "b"]}]},
            {"id": "a", "name": "A", "lane": "desk", "duration": "1h", "next": ["j"]},
            {"id": "b", "name": "B", "lane": "c", "next": [{"to": "b1", "share": 0.3}, {"to": "b2", "share": 0.7}]},
            {"id": "b1", "name": "B1", "lane": "desk", "duration": "2h", "next": ["j"]},
            {"id": "b2", "name": "B2", "lane": "phone", "duration": "30m", "next": ["j"]},
            {"id": "j", "name": "J", "lane": "c", "join": "all"},
        ],
    }
    j = Journeys(build_graph(ProcessFile.model_validate(data)))
    lo, hi = j.programmed_bounds
    assert (lo["parties"], hi["parties"]) == (1, 2)
    assert (lo["elapsed"], hi["elapsed"]) == (3600, 7200)  # the longest branch: 1h ‖ 30m, 1h ‖ 2h
    assert j.main.steps == ("s", "b", "b2", "a", "j") and j.main.probability == Fraction(7, 10)
    assert (j.bounds[0]["parties"], j.bounds[1]["parties"]) == (1, 2)  # what audit reports


def _many_runs(path: Any, sla: bool) -> Any:
    """Two branches of twelve two-way choices each: 2^24 runs in a 75-step file."""

    def branch(p: str, n: int) -> list[str]:
        out = []
        for i in range(n):
            a, after = f"{p}{i}", (f"{p}{i + 1}" if i + 1 < n else "j")
            out += [
                f"  - {{id: {a}, name: {a}, lane: back, next: [{{to: {a}x, when: x}}, {{to: {a}y, when: y}}]}}",
                f"  - {{id: {a}x, name: {a}x, lane: back, next: [{after}]}}",
                f"  - {{id: {a}y, name: {a}y, lane: back, next: [{after}]}}",
            ]
        return out

    lines = [
        "version: 1",
        "process: {id: p, name: P}",
        "lanes:",
        "  - {id: cust, name: C, kind: customer}",
        "  - {id: back, name: B, kind: backstage}",
        "steps:",
        "  - {id: s, name: S, lane: cust, next: [{all: [a0, b0]}]}",
        *branch("a", 12),
        *branch("b", 12),
        f"  - {{id: j, name: J, lane: back, join: all{', sla: 1d' if sla else ''}, next: [e]}}",
        "  - {id: e, name: E, lane: cust}",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_too_many_runs_through_forks_are_refused_in_one_line(run: Any, tmp_path: Any) -> None:
    """The slas and the worst run are read on each run's timeline: 2^24 runs would take hours, so procmap says so,
    naming the file and what needs the listing: exit 2 from validate (the sla rule) and from audit."""
    path = _many_runs(tmp_path / "forks.yaml", sla=True)
    for command in ("validate", "audit"):
        proc = run(command, str(path), timeout=30)
        err = proc.stderr.decode() if isinstance(proc.stderr, bytes) else proc.stderr
        assert proc.returncode == 2, err
        assert f"{path}: 16,777,216 journeys through parallel work are too many to read one by one" in err
        assert "for the promised times (sla)" in err
        assert "Traceback" not in err
    quiet = _many_runs(tmp_path / "quiet.yaml", sla=False)
    proc = run("audit", str(quiet), timeout=30)
    err = proc.stderr.decode() if isinstance(proc.stderr, bytes) else proc.stderr
    assert proc.returncode == 2 and f"{quiet}: 16,777,216 journeys" in err, err
    assert "for the least and greatest visible handoffs, channel switches and longest silence" in err


def test_the_main_run_and_the_counts_of_many_runs_need_no_listing(run: Any, tmp_path: Any) -> None:
    """2^24 runs: the count, the main run and the bounds that add up come from the programme in a fraction of a
    CPU second (a listing took hours); validate and the main journey's picture answer through the CLI."""
    path = _many_runs(tmp_path / "forks.yaml", sla=False)
    g = build_graph(ProcessFile.model_validate(yaml.safe_load(path.read_text())))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    j = Journeys(g)
    count, main, (lo, hi) = j.count, j.main, j.programmed_bounds
    cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - before
    assert cpu < 5, cpu  # measured 0.003 s
    assert count == 2**24
    assert main is not None and main.steps[0] == "s" and main.steps[-2:] == ("j", "e") and len(main.steps) == 51
    assert (lo["customer_actions"], hi["customer_actions"]) == (2, 2) and lo["parties"] == hi["parties"] == 0
    for args in (("validate", str(path)), ("render", str(path), "--highlight", "main", "-f", "svg", "-o", "-")):
        proc = run(*args, timeout=20)
        err = proc.stderr.decode() if isinstance(proc.stderr, bytes) else proc.stderr
        assert proc.returncode == 0, (args, err)


def test_the_oracle_guard_stops_on_cpu_time() -> None:
    """The guard above really stops a walk that does not end (0.2 s of CPU)."""
    import pytest

    def forever() -> None:
        while True:
            pass

    with pytest.raises(_OracleTooSlow):
        _within_cpu(0.2, forever)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
