"""What one customer goes through (SPEC §5): journeys, their figures, repeat loops, fail points, slas.

One class, :class:`Journeys`, reads a process graph; each of its parts is one
module, every import pointing down: :mod:`.structure` (loop edges, rounds),
:mod:`.figures` (one journey's figures), :mod:`.runs` (main, worst, bounds),
:mod:`.expected` (the Markov solve), :mod:`.surfacing` (repeat loops, fail
points, asked twice), :mod:`.sla` (promised times).  :mod:`.report` builds the
JSON object of SPEC §5.4 and the journey budgets on top.
"""

from __future__ import annotations

from procmap.analysis.journeys.expected import Expected
from procmap.analysis.journeys.runs import Runs
from procmap.analysis.journeys.sla import Slas
from procmap.analysis.journeys.surfacing import Surfacing


class Journeys(Runs, Expected, Surfacing, Slas):
    """SPEC §5 for one process graph (nodes in file order, as :func:`procmap.model.graph.build_graph` makes)."""

    def with_repeats(self, repeats: int) -> Journeys:
        """The same process read with another R: what does not depend on R is kept, not recomputed."""
        if repeats == self.R:
            return self
        other = object.__new__(Journeys)
        keep = {"counts", "_ways", "_additive", "_forward", "bounds", "worst", "main", "_most_probable", "sla"}
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k not in keep})
        other.R = max(0, int(repeats))
        return other

    def with_worst_by(self, figures: tuple[str, ...]) -> Journeys:
        """The same process with another order for the worst journey (SPEC §5.7's ``--worst-by``)."""
        if tuple(figures) == self.worst_by:
            return self
        other = object.__new__(Journeys)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k != "worst"})
        other.worst_by = tuple(figures)
        return other
