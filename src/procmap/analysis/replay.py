"""Replay a case's mapped steps over the model's markings (SPEC §7.3): does it fit a process with forks?

With forks, a case's events are an interleaving of a run's branches, so the
pairwise test of §6.2 (each consecutive pair joined by a silent path) no
longer decides whether a case fits.  Here a *marking* is the multiset of
active positions: a step ready to run, or one branch arrived at a join.
Silent steps, forks into their branches and joins whose branches have all
arrived fire without an event; each logged event must be taken by some
reachable marking.  Every reachable marking is kept (sets of markings, not
one guess), and their number is bounded: past the bound the answer is
"unknown", said so, never a guess.  Each distinct variant is replayed once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from procmap.model.process import ProcessFile

Marking = tuple[str, ...]
"""Sorted active positions: a step id (ready to run) or ``"STEP@join"`` (one branch arrived at STEP)."""

MAX_MARKINGS = 20_000


@dataclass
class Replay:
    """The fork structure of one process, ready to replay variants."""

    alternatives: dict[str, list[tuple[str, ...]]]  # each step's `next` items: one target, or a fork's targets
    joins: dict[str, int]  # join step -> how many branches must arrive
    start: str

    @classmethod
    def of(cls, model: ProcessFile) -> Replay:
        alternatives: dict[str, list[tuple[str, ...]]] = {}
        joins: dict[str, int] = {}
        for step in model.steps:
            items: list[tuple[str, ...]] = []
            for flow in step.next:
                items.append(tuple(flow.all) if flow.all else (flow.to,))  # type: ignore[arg-type]
            alternatives[step.id] = items
        # A join's fork is the one whose branches reach it: its number of branches is what must arrive.
        join_ids = {s.id for s in model.steps if s.join == "all"}
        for step in model.steps:
            for targets in alternatives[step.id]:
                if len(targets) > 1:
                    for j in _closing_join(targets, alternatives, join_ids):
                        joins[j] = len(targets)
        return cls(alternatives, joins, model.start_id())

    def _arrive(self, marking: Counter[str], target: str) -> None:
        marking[f"{target}@join" if target in self.joins else target] += 1

    def _moves(self, marking: Marking, step: str) -> list[Marking]:
        """The markings after ``step`` runs (one per alternative of its `next`)."""
        base = Counter(marking)
        base[step] -= 1
        out: list[Marking] = []
        items = self.alternatives.get(step, [])
        if not items:
            out.append(_key(base))  # an end step: its branch (or the run) ends
        for targets in items:
            after = base.copy()
            for t in targets:
                self._arrive(after, t)
            out.append(_key(after))
        return out

    def _silent(self, markings: set[Marking], logged: set[str]) -> set[Marking] | None:
        """Every marking reachable with silent moves alone (None when past the bound)."""
        seen = set(markings)
        todo = list(markings)
        while todo:
            m = todo.pop()
            nexts: list[Marking] = []
            counts = Counter(m)
            for pos in counts:
                if pos.endswith("@join"):
                    join = pos.removesuffix("@join")
                    if counts[pos] >= self.joins[join]:
                        after = counts.copy()
                        after[pos] -= self.joins[join]
                        after[join] += 1
                        nexts.append(_key(after))
                elif pos not in logged:
                    nexts.extend(self._moves(m, pos))
            for n in nexts:
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
                    if len(seen) > MAX_MARKINGS:
                        return None
        return seen

    def fits(self, variant: Iterable[str], logged: set[str]) -> bool | None:
        """Whether the events are an interleaving of a run with silent steps left out (None: bound hit)."""
        current = self._silent({(self.start,)}, logged)
        for step in variant:
            if current is None:
                return None
            taken: set[Marking] = set()
            for m in current:
                if step in m:
                    taken.update(self._moves(m, step))
            if not taken:
                return False
            current = self._silent(taken, logged)
        if current is None:
            return None
        return () in current


def _key(counts: Counter[str]) -> Marking:
    return tuple(sorted(counts.elements()))


def _closing_join(
    targets: tuple[str, ...], alternatives: dict[str, list[tuple[str, ...]]], joins: set[str]
) -> set[str]:
    """The joins the branches of a fork reach first (a join stops the walk; nested forks close inside)."""
    found: set[str] = set()
    seen: set[str] = set(targets)
    todo = list(targets)
    while todo:
        u = todo.pop()
        if u in joins:
            found.add(u)
            continue
        for items in alternatives.get(u, []):
            if len(items) > 1:
                inner = _closing_join(items, alternatives, joins)
                nxt = [v for j in inner for v in _after(j, alternatives)]
            else:
                nxt = list(items)
            for v in nxt:
                if v not in seen:
                    seen.add(v)
                    todo.append(v)
    return found


def _after(join: str, alternatives: dict[str, list[tuple[str, ...]]]) -> list[str]:
    return [v for items in alternatives.get(join, []) for v in items]


def parallel_pairs(g: object, logged: set[str]) -> set[tuple[str, str]]:
    """Pairs of logged steps in different branches of one fork, either order: they conform (SPEC §7.3)."""
    from procmap.analysis.blocks import blocks_of

    blocks = blocks_of(g)
    if not blocks.has_forks:
        return set()
    steps = sorted(logged)
    return {(a, b) for a in steps for b in steps if a != b and blocks.parallel(a, b)}


def refit(con: object, model: ProcessFile, numbers: object, logged: set[str], workdir: Path) -> str | None:
    """Decide ``cases.fits`` by replay when the model has forks; a note when some variant hit the bound.

    ``cases`` is conform's table (procmap.analysis.logs), each case's variant
    (sequence of mapped steps) its ``steps``; each distinct variant is replayed
    once and the answer joined back to its cases.  A variant past the bound keeps the
    pairwise answer of §6.2 and is counted in the note.
    """
    if not any(flow.all for step in model.steps for flow in step.next):
        return None
    replay = Replay.of(model)
    # each distinct variant (``cases.steps``, an array) numbered once, replayed once, its answer joined back
    con.create_table(  # type: ignore[attr-defined]
        "variant_ids",
        "SELECT steps, row_number() OVER (ORDER BY steps) AS vid FROM (SELECT DISTINCT steps FROM cases) d",
    )
    rows = con.execute("SELECT vid, steps FROM variant_ids").fetchall()  # type: ignore[attr-defined]
    answers: list[tuple[int, bool]] = []
    unknown = 0
    for vid, variant in rows:
        steps = [numbers.step(int(n)) for n in variant]  # type: ignore[attr-defined]
        fits = replay.fits(steps, logged)
        if fits is None:
            unknown += 1
            continue
        answers.append((int(vid), fits))
    con.register_rows(  # type: ignore[attr-defined]
        "variant_fits", (("vid", "BIGINT"), ("fits", "BOOLEAN")), answers, workdir
    )
    # cases made again with the replayed answer (Spark's views take no UPDATE)
    columns = ", ".join(
        "coalesce(f.fits, k.fits) AS fits" if c == "fits" else f"k.{c}"
        for c in con.columns("cases")  # type: ignore[attr-defined]
    )
    con.create_table(  # type: ignore[attr-defined]
        "cases",
        f"""
        SELECT {columns} FROM cases k
        JOIN variant_ids i ON i.steps = k.steps
        LEFT JOIN variant_fits f ON f.vid = i.vid
        """,
    )
    if unknown:
        return (
            f"{unknown} variant(s) reached more than {MAX_MARKINGS} markings in replay: their fit is the "
            "pairwise answer of SPEC §6.2, not an interleaving check"
        )
    return None
