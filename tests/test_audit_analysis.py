"""Corner cases of the customer-side analysis shared by audit and the rules (expected values from SPEC §1)."""

from __future__ import annotations

import time

from procmap.analysis.facts import Analysis
from procmap.config import Config
from procmap.validate import check_text

LANES = """
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: desk, name: Desk, kind: onstage}
  - {id: shop, name: Shop, kind: onstage}
  - {id: back, name: Back office, kind: backstage}
  - {id: sys, name: System, kind: support}
"""


def analysis(steps: str) -> Analysis:
    text = "version: 1\nprocess: {id: t, name: T}\n" + LANES + "steps:\n" + steps
    result = check_text(text, "t.yaml", Config())
    assert not result.has_errors, result.diagnostics
    assert result.analysis is not None
    return result.analysis


def test_shortest_via_wins_over_file_order() -> None:
    a = analysis(
        """
  - {id: s, name: S, lane: desk, next: [x1, y]}
  - {id: x1, name: X1, lane: back, next: [x2]}
  - {id: x2, name: X2, lane: back, next: [t]}
  - {id: y, name: Y, lane: sys, next: [t]}
  - {id: t, name: T, lane: shop}
"""
    )
    (h,) = a.visible_handoffs
    assert (h.source, h.target, h.via) == ("s", "t", ("y",))


def test_ties_compare_the_interior_step_by_step() -> None:
    # Two 2-step interiors: (b1, a2) and (b2, a1); file order: a1 < a2 < b1 < b2.
    # Step by step from the start, b1 comes before b2, so (b1, a2) wins.
    a = analysis(
        """
  - {id: s, name: S, lane: desk, next: [b2, b1]}
  - {id: a1, name: A1, lane: back, next: [t]}
  - {id: a2, name: A2, lane: back, next: [t]}
  - {id: b1, name: B1, lane: back, next: [a2]}
  - {id: b2, name: B2, lane: back, next: [a1]}
  - {id: t, name: T, lane: shop}
"""
    )
    assert [h.via for h in a.visible_handoffs] == [("b1", "a2")]


def test_loop_back_to_the_same_touchpoint_is_no_handoff_but_a_wait() -> None:
    a = analysis(
        """
  - {id: s, name: S, lane: desk, next: [{to: work, when: again}, {to: t, when: done}]}
  - {id: work, name: Work, lane: back, duration: 30m, next: [s]}
  - {id: t, name: T, lane: desk}
"""
    )
    assert a.visible_handoffs == []
    assert [(w.source, w.target, w.via, w.min_seconds, w.max_seconds) for w in a.waits] == [
        ("s", "s", ("work",), 1800.0, 1800.0)
    ]


def test_touchpoints_in_the_interior_break_the_pair() -> None:
    # desk -> shop -> desk: two visible handoffs, never desk -> desk through shop.
    a = analysis(
        """
  - {id: a, name: A, lane: desk, next: [b]}
  - {id: b, name: B, lane: shop, next: [c]}
  - {id: c, name: C, lane: desk}
"""
    )
    assert [(h.source, h.target) for h in a.visible_handoffs] == [("a", "b"), ("b", "c")]


def test_onstage_override_in_a_support_lane_is_a_touchpoint_and_a_party() -> None:
    a = analysis(
        """
  - {id: a, name: A, lane: desk, next: [bot]}
  - {id: bot, name: Chatbot, lane: sys, visibility: onstage, next: [c]}
  - {id: c, name: C, lane: desk}
"""
    )
    assert a.touchpoints == ["a", "bot", "c"]
    assert [(h.source, h.target, h.cls) for h in a.handoffs] == [("a", "bot", "onstage"), ("bot", "c", "onstage")]
    assert a.visibility_crossings == []
    assert [(h.source, h.target) for h in a.visible_handoffs] == [("a", "bot"), ("bot", "c")]


def test_backstage_override_in_an_onstage_lane_is_not_a_touchpoint() -> None:
    a = analysis(
        """
  - {id: a, name: A, lane: desk, next: [note]}
  - {id: note, name: Note, lane: shop, visibility: backstage, next: [c]}
  - {id: c, name: C, lane: shop}
"""
    )
    assert a.touchpoints == ["a", "c"]
    assert [(h.source, h.target, h.via) for h in a.visible_handoffs] == [("a", "c", ("note",))]
    assert [(h.source, h.target, h.cls) for h in a.handoffs] == [("a", "note", "visibility-line")]


def test_channel_less_steps_keep_the_customer_where_they_are() -> None:
    a = analysis(
        """
  - {id: a, name: A, lane: customer, channel: Web, next: [b]}
  - {id: b, name: B, lane: desk, next: [c]}
  - {id: c, name: C, lane: customer, channel: " web ", next: [d]}
  - {id: d, name: D, lane: shop, next: [e]}
  - {id: e, name: E, lane: customer, channel: phone}
"""
    )
    assert [(s.source, s.target, s.source_channel, s.target_channel) for s in a.channel_switches] == [
        ("c", "e", " web ", "phone")
    ]
    assert a.metrics()["channels_used"] == 2


def test_wait_range_with_unknown_durations() -> None:
    a = analysis(
        """
  - {id: a, name: A, lane: desk, next: [{to: quick, when: easy}, {to: slow, when: hard}, {to: blank, when: odd}]}
  - {id: quick, name: Quick, lane: back, duration: 10m, next: [b]}
  - {id: slow, name: Slow, lane: back, duration: PT2H, next: [more]}
  - {id: more, name: More, lane: sys, duration: 30m, next: [b]}
  - {id: blank, name: Blank, lane: back, next: [b]}
  - {id: b, name: B, lane: customer}
"""
    )
    (w,) = a.waits
    # blank has no duration: it counts as 0, so the least wait goes through it (a lower bound).
    assert (w.source, w.target, w.via, w.min_seconds, w.max_seconds, w.no_duration) == (
        "a",
        "b",
        ("blank",),
        0.0,
        9000.0,
        ("blank",),
    )


def test_budgets_only_for_what_is_set() -> None:
    a = analysis(
        """
  - {id: a, name: A, lane: desk, next: [b]}
  - {id: b, name: B, lane: shop}
"""
    )
    assert a.budgets({}) == []
    (check,) = a.budgets({"max-touchpoints": 2})
    assert (check.value, check.limit, check.exceeded) == (2, 2, False)
    (check,) = a.budgets({"max-visible-handoffs": 0})
    assert check.exceeded and check.message("t") == (
        "process 't' has 1 customer-visible handoffs, over the budget of 0 (max-visible-handoffs)"
    )


def test_large_process_is_audited_quickly() -> None:
    # 3,000 steps: touchpoints in two lanes, a backstage loop and a customer action between each two.
    lines = []
    n = 600
    for i in range(n):
        nxt = f"[b{i}]"
        lines.append(f"  - {{id: t{i}, name: T, lane: {'desk' if i % 2 else 'shop'}, channel: c{i % 3}, next: {nxt}}}")
        lines.append(f"  - {{id: b{i}, name: B, lane: back, duration: 1m, next: [s{i}]}}")
        lines.append(f"  - {{id: s{i}, name: S, lane: sys, owner: O, next: [c{i}, b{i}]}}")
        lines.append(f"  - {{id: c{i}, name: C, lane: customer, channel: c{(i + 1) % 3}, next: [r{i}]}}")
        end = f"[t{i + 1}]" if i + 1 < n else "[]"
        lines.append(f"  - {{id: r{i}, name: R, lane: back, next: {end}}}")
    a = analysis("\n".join(lines) + "\n")
    start = time.process_time()
    metrics = a.metrics()
    elapsed = time.process_time() - start
    assert metrics["touchpoints"] == n and metrics["visible_handoffs"] == n - 1
    assert metrics["unbounded_waits"] == n  # t -> b <-> s -> c: a backstage loop on every stretch
    assert elapsed < 5, elapsed
