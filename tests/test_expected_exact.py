"""Expected figures exact on extreme shares (issue 24 items 4 and 14, SPEC §5.4's 1e-6, never a wrong digit).

The solver is checked against an independent one: exact fractions and a dense
Gauss–Jordan elimination on the decimal shares as written, on random small
processes whose shares include 1e-12, 1e-300 and their complements.  The CLI
cases are the round-three reproducers.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest

from procmap.analysis.journeys import Journeys
from procmap.config import Config
from procmap.validate import check_text

HEADER = """version: 1
process: {id: p, name: P}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: desk, name: Desk, kind: onstage}
  - {id: clerk, name: Clerk, kind: backstage}
steps:
"""

# (first, second) share pairs as written: both sum to 1 within SPEC's ±0.001
PAIRS = [("0.5", "0.5"), ("0.999999999999", "0.000000000001"), ("1", "1.0e-300"), ("0.9", "0.1"), ("0.25", "0.75")]


def _step(i: int, lane: str, flows: list[tuple[int, str | None]], duration: int) -> str:
    body = ", ".join(f"{{to: s{v}, when: w{v}" + (f", share: {s}}}" if s else "}") for v, s in flows)
    return f"  - {{id: s{i}, name: S{i}, lane: {lane}, duration: {duration}m, next: [{body}]}}\n"


def random_process(rng: random.Random) -> str:
    n = rng.randint(2, 7)
    text = HEADER
    for i in range(n - 1):
        lane = rng.choice(["customer", "desk", "clerk"])
        other = rng.randrange(n)
        if other == i + 1 or rng.random() < 0.2:
            flows = [(i + 1, None)]
        else:
            a, b = rng.choice(PAIRS)
            flows = [(i + 1, a), (other, b)] if rng.random() < 0.5 else [(other, b), (i + 1, a)]
        text += _step(i, lane, flows, rng.randint(0, 3))
    text += f"  - {{id: s{n - 1}, name: S{n - 1}, lane: customer}}\n"
    return text


def exact_visits(j: Journeys) -> list[Fraction]:
    """Expected visits by exact fractions: solve (I - Q^T) v = e_start densely (an independent method)."""
    n = j.n
    q = [[Fraction(0)] * n for _ in range(n)]
    for u in range(n):
        succ = j.succ[u]
        if len(succ) == 1:
            q[u][succ[0]] += 1
        elif succ:
            shares = [Fraction(repr(j.g.edges[j.ids[u], j.ids[v]]["share"])) for v in succ]
            for v, s in zip(succ, shares, strict=True):
                q[u][v] += s / sum(shares)
    a = [[(1 if r == c else 0) - q[c][r] for c in range(n)] + [Fraction(int(r == j.start))] for r in range(n)]
    for col in range(n):
        piv = next(r for r in range(col, n) if a[r][col] != 0)
        a[col], a[piv] = a[piv], a[col]
        p = a[col][col]
        a[col] = [x / p for x in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[r][n] for r in range(n)]


def close(got: float | int | None, exact: Fraction) -> bool:
    """Within 1e-9 relative; an integer value shown as exactly that integer."""
    if got is None:  # only beyond what a JSON number holds: the audit says why (Expected.expected_unavailable)
        return not Fraction(2225073858507201, 10**323) <= abs(exact) < Fraction(10**308)
    if exact.denominator == 1 and abs(exact) < 10**15:
        return isinstance(got, int) and got == exact
    return abs(Fraction(got) - exact) <= abs(exact) * Fraction(1, 10**9)


@pytest.mark.parametrize("seed", range(60))
def test_expected_agrees_with_an_exact_fraction_solve(seed: int) -> None:
    rng = random.Random(seed)
    text = random_process(rng)
    result = check_text(text, "random.yaml", Config())
    assert result.graph is not None, text
    j = Journeys(result.graph)
    if j.expected is None:
        return
    v = exact_visits(j)
    n = j.n
    want = {
        "customer_actions": sum((v[k] for k in range(n) if j.customer[k]), Fraction(0)),
        "touchpoints": sum((v[k] for k in range(n) if j.touch[k]), Fraction(0)),
        "elapsed": sum((v[k] * Fraction(j.dur[k], j.scale) for k in range(n)), Fraction(0)),
    }
    repeats = Fraction(0)
    for u, w in j.unplanned:
        succ = j.succ[u]
        shares = [Fraction(repr(j.g.edges[j.ids[u], j.ids[x]]["share"] or 1)) for x in succ]
        repeats += v[u] * shares[succ.index(w)] / sum(shares)
    want["repeats"] = repeats
    for name, exact in want.items():
        assert close(j.expected[name], exact), (name, j.expected[name], float(exact), text)
        assert (j.expected[name] is None) == (name in j.expected_unavailable)


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _expected(run, path) -> dict:
    r = run("audit", str(path), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert b"Traceback" not in r.stderr and b"internal error" not in r.stderr
    return json.loads(r.stdout)["processes"][0]["journeys"]


def _self_loop(stay: str, leave: str) -> str:
    return HEADER + (
        "  - {id: a, name: A, lane: customer, next: [b]}\n"
        f"  - {{id: b, name: B, lane: desk, next: [{{to: b, when: again, share: {stay}}}, "
        f"{{to: c, when: done, share: {leave}}}]}}\n"
        "  - {id: c, name: C, lane: customer}\n"
    )


def test_self_loop_with_exit_share_1e_12_is_exact(run, tmp_path) -> None:
    """Was off by 8.9e-5 relative, and the step after the loop (visited once) showed 1.00002."""
    j = _expected(run, _write(tmp_path, "tiny.yaml", _self_loop("0.999999999999", "0.000000000001")))
    e = j["expected"]
    assert e["touchpoints"] == 10**12
    assert e["repeats"] == 10**12 - 1
    assert e["customer_actions"] == 2  # a and c, each visited exactly once
    assert e["p_comes_back"] == pytest.approx(0.999999999999, rel=1e-15)


def test_exit_share_1e_300_is_computed_not_overflowed(run, tmp_path) -> None:
    """Was OverflowError: 1 - (1 - 1e-300) is 0 in floats."""
    j = _expected(run, _write(tmp_path, "tinier.yaml", _self_loop("1", "1.0e-300")))
    e = j["expected"]
    assert e["customer_actions"] == 2
    assert e["touchpoints"] == pytest.approx(1e300, rel=1e-12)
    assert e["p_comes_back"] == pytest.approx(0.999999999999, rel=1e-15)


def test_sixty_nested_loops_with_shares_one_half(run, tmp_path) -> None:
    """Was ZeroDivisionError: elimination in floats cancelled to 0. Step i's visits are 2**(i+1) exactly."""
    depth = 60
    # each level i closes with a loop back to s_i: the innermost first
    text = HEADER
    for i in range(depth):
        text += f"  - {{id: s{i}, name: S{i}, lane: clerk, next: [{f's{i + 1}' if i < depth - 1 else 'x0'}]}}\n"
    for i in range(depth):
        back = depth - 1 - i
        nxt = f"x{i + 1}" if i < depth - 1 else "end"
        lane = "desk" if i == 0 else "clerk"
        text += (
            f"  - {{id: x{i}, name: X{i}, lane: {lane}, next: [{{to: {nxt}, when: on, share: 0.5}}, "
            f"{{to: s{back}, when: again, share: 0.5}}]}}\n"
        )
    text += "  - {id: end, name: End, lane: customer}\n"
    j = _expected(run, _write(tmp_path, "nested.yaml", text))
    e = j["expected"]
    assert e is not None
    # x0 (the only touchpoint) sits inside all 60 loops: 2**60 visits exactly.
    assert e["touchpoints"] == pytest.approx(2.0**60, rel=1e-12)
    assert e["customer_actions"] == 1


def test_a_figure_beyond_a_json_number_is_null_with_the_reason(run, tmp_path) -> None:
    """1e300 visits of a step that takes 10,000 days: the mean elapsed time is past 1e308 seconds."""
    text = _self_loop("1", "1.0e-300").replace("lane: desk,", "lane: desk, duration: 10000d,")
    j = _expected(run, _write(tmp_path, "huge.yaml", text))
    assert j["expected"]["elapsed"] is None
    assert "larger than a JSON number can hold exactly" in j["expected_unavailable"]["elapsed"]
    assert j["expected"]["touchpoints"] == pytest.approx(1e300, rel=1e-12)


def test_repeats_is_capped_with_procmaps_message(run, tmp_path) -> None:
    """`--repeats 10000` on a 6 KB file was a MemoryError; now exit 2 before any file is read."""
    path = _write(tmp_path, "p.yaml", _self_loop("0.5", "0.5"))
    r = run("audit", str(path), "--repeats", "10000")
    assert r.returncode == 2
    assert b"--repeats 10000: at most 20" in r.stderr
    assert b"Traceback" not in r.stderr
    ok = run("audit", str(path), "--repeats", "20", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["processes"][0]["journeys"]["repeats"] == 20
    helped = run("audit", "--help")
    assert b"at most 20" in b" ".join(helped.stdout.split())
