"""One journey's figures (SPEC §5.3), read along its steps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from procmap.analysis.journeys.structure import Structure

FIGURES: tuple[str, ...] = (
    "customer_actions",
    "touchpoints",
    "parties",
    "visible_handoffs",
    "channel_switches",
    "elapsed",
    "longest_silence",
    "repeats",
    "chases",
)
# The figures that add up along a journey: the only ones with a meaningful mean (SPEC §5.4).
ADDITIVE: tuple[str, ...] = (
    "customer_actions",
    "touchpoints",
    "visible_handoffs",
    "channel_switches",
    "elapsed",
    "repeats",
    "chases",
)
SECONDS_FIGURES = frozenset({"elapsed", "longest_silence"})


@dataclass(frozen=True, slots=True)
class Journey:
    """One journey: its steps (ids, in order; loops repeat them), which flows were loop edges, and its figures."""

    steps: tuple[str, ...]
    figures: dict[str, float | int]
    repeats_at: tuple[int, ...] = ()  # positions i where steps[i-1] -> steps[i] is a loop edge that is not planned
    probability: Any = None  # a Fraction: the product of the shares of its flows (SPEC §5.7); None without shares
    # A run through parallel work (SPEC §7.2): per step of ``steps`` (timeline order), the positions in ``steps``
    # of the visits it follows (a join: its branches' ends) and its start and finish in seconds; empty otherwise.
    # The story view draws the branches side by side from it.
    timeline: tuple[tuple[tuple[int, ...], float, float], ...] = ()


class Figures(Structure):
    """The figures of one run through the rounds graph: (step, round) pairs."""

    def counts_along(self, steps: Iterable[int]) -> dict[str, int]:
        """The figures read off the order steps are met in: counts, parties, handoffs and channel switches.

        One reading for a journey (§5.3: its steps in order) and a run through
        parallel work (§7.2: its visits in timeline order), so the two cannot drift.
        """
        ca = tp = hand = sw = chases = 0
        parties: set[str] = set()
        last_lane: str | None = None
        last_chan: str | None = None
        for k in steps:
            if self.customer[k]:
                ca += 1
                chases += self.chase[k]
            if self.touch[k]:
                tp += 1
                if not self.update[k]:
                    parties.add(self.lane[k])
                    if last_lane is not None and last_lane != self.lane[k]:
                        hand += 1
                    last_lane = self.lane[k]
            if self.facing[k]:
                c = self.channel[k]
                if c is not None:
                    if last_chan is not None and last_chan != c:
                        sw += 1
                    last_chan = c
        return {
            "customer_actions": ca,
            "touchpoints": tp,
            "parties": len(parties),
            "visible_handoffs": hand,
            "channel_switches": sw,
            "chases": chases,
        }

    def figures_of(self, path: list[tuple[int, int]]) -> dict[str, float | int]:
        """SPEC §5.3's figures of one journey (§5.7's chases included), read along its steps: (step, round) pairs."""
        counts = self.counts_along(k for k, _r in path)
        elapsed = 0
        silence = 0
        open_: int | None = None
        for k, _r in path:
            elapsed += self.dur[k]
            if self.facing[k]:
                if open_ is not None:
                    silence = max(silence, open_)
                open_ = 0
            elif open_ is not None:
                open_ += self.dur[k]
        return {
            "customer_actions": counts["customer_actions"],
            "touchpoints": counts["touchpoints"],
            "parties": counts["parties"],
            "visible_handoffs": counts["visible_handoffs"],
            "channel_switches": counts["channel_switches"],
            "elapsed": self._seconds(elapsed),
            "longest_silence": self._seconds(silence),
            "repeats": len(self._repeats_at(path)),
            "chases": counts["chases"],
        }

    def _repeats_at(self, path: list[tuple[int, int]]) -> tuple[int, ...]:
        """Positions where the run takes a loop edge that is not planned (SPEC §5.7's repeats)."""
        unplanned = self.unplanned
        return tuple(
            i for i in range(1, len(path)) if path[i][1] != path[i - 1][1] and (path[i - 1][0], path[i][0]) in unplanned
        )

    def probability_of(self, path: list[tuple[int, int]]) -> Fraction:
        """The product of the shares of the flows the run takes, exactly (a step with one flow counts 1)."""
        p = Fraction(1)
        for i in range(1, len(path)):
            p *= self.share_of(path[i - 1][0], path[i][0])
        return p

    def _journey(self, path: list[tuple[int, int]], with_probability: bool = False) -> Journey:
        return Journey(
            tuple(self.ids[k] for k, _ in path),
            self.figures_of(path),
            self._repeats_at(path),
            self.probability_of(path) if with_probability else None,
        )
