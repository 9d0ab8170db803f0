"""What one customer goes through (SPEC §5): journeys, their figures, repeat loops, fail points, slas.

One class, :class:`Journeys`, reads a process graph; each of its parts is one
module, every import pointing down: :mod:`.structure` (loop edges, rounds),
:mod:`.figures` (one journey's figures), :mod:`.runs` (main, worst, bounds),
:mod:`.expected` (the Markov solve), :mod:`.parallel` (runs through forks,
listed) and :mod:`.programme` (their main run and bounds, not listed), :mod:`.surfacing` (repeat loops, fail
points, asked twice), :mod:`.sla` (promised times).  :mod:`.report` builds the
JSON object of SPEC §5.4 and the journey budgets on top.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from procmap.analysis.journeys.expected import Expected
from procmap.analysis.journeys.figures import FIGURES, Journey
from procmap.analysis.journeys.parallel import ParallelExpected
from procmap.analysis.journeys.programme import PROGRAMMED, ParallelProgramme
from procmap.analysis.journeys.runs import Runs
from procmap.analysis.journeys.sla import Slas, SlaWait
from procmap.analysis.journeys.structure import Structure
from procmap.analysis.journeys.surfacing import Surfacing


class Journeys(ParallelExpected, ParallelProgramme, Runs, Expected, Surfacing, Slas):
    """SPEC §5 for one process graph (nodes in file order, as :func:`procmap.model.graph.build_graph` makes).

    When the start reaches a fork, SPEC §7.2's runs replace §5's journeys
    (:mod:`.parallel`); otherwise §5's programmes stand untouched.
    """

    @property
    def count(self) -> int:
        return self.parallel_count if self.runs_forked else Structure.count.fget(self)  # type: ignore[attr-defined]

    @cached_property
    def main(self) -> Journey | None:
        return self.programmed_main if self.runs_forked else Runs.main.func(self)

    @cached_property
    def worst(self) -> Journey | None:
        if not self.runs_forked:
            return Runs.worst.func(self)
        self.require_listable("the worst journey")
        return self.parallel_summary[0]

    @cached_property
    def bounds(self) -> tuple[dict[str, float | int], dict[str, float | int]]:
        if not self.runs_forked:
            return Runs.bounds.func(self)
        self.require_listable("the least and greatest visible handoffs, channel switches and longest silence")
        lo, hi = self.programmed_bounds
        _worst, listed_lo, listed_hi = self.parallel_summary
        if not listed_lo:
            return {}, {}
        return (
            {name: lo[name] if name in PROGRAMMED else listed_lo[name] for name in FIGURES},
            {name: hi[name] if name in PROGRAMMED else listed_hi[name] for name in FIGURES},
        )

    @cached_property
    def expected(self) -> dict[str, Any] | None:
        return self.expected_forked if self.runs_forked else Expected.expected.func(self)

    @cached_property
    def sla(self) -> list[SlaWait]:
        return self.sla_forked if self.runs_forked else Slas.sla.func(self)

    def with_repeats(self, repeats: int) -> Journeys:
        """The same process read with another R: what does not depend on R is kept, not recomputed."""
        if repeats == self.R:
            return self
        other = object.__new__(Journeys)
        keep = {"_counted", "_ways", "_forward", "bounds", "worst", "main", "_most_probable", "sla"}
        keep |= {
            "parallel_count",
            "parallel_summary",
            "sla_forked",
            "_programme",
            "programmed_main",
            "programmed_bounds",
        }
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k not in keep})
        other.R = max(0, int(repeats))
        return other

    def with_worst_by(self, figures: tuple[str, ...]) -> Journeys:
        """The same process with another order for the worst journey (SPEC §5.7's ``--worst-by``)."""
        if tuple(figures) == self.worst_by:
            return self
        other = object.__new__(Journeys)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k not in ("worst", "parallel_summary")})
        other.worst_by = tuple(figures)
        return other
