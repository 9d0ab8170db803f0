"""`procmap conform`: a validated process against event logs (SPEC §6), as one report dictionary.

The dictionary *is* the JSON output (SPEC §6.3's keys, plus more); the text,
Markdown and HTML reports are drawn from it.  The logs are read into DuckDB
by :mod:`procmap.load.event_logs` and every figure is a query of
:mod:`procmap.analysis.logs`; this module maps activities to steps, builds
the model's tables, runs the queries in order and applies the budgets.
DuckDB is imported here and only here (and by the modules this one calls),
so no other command pays for it.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procmap.diagnostics import UsageError

if TYPE_CHECKING:
    from procmap.analysis.log_filters import Filters
    from procmap.load.engines import DuckDBEngine, Engine, Phases
    from procmap.model.process import ProcessFile
    from procmap.validate import FileResult


@dataclass(frozen=True)
class Budget:
    """One monitoring budget: ``--min-fitness`` is a floor, the others ceilings."""

    key: str
    what: str
    limit: float
    value: float | None
    floor: bool = False

    @property
    def exceeded(self) -> bool:
        if self.value is None:
            return False
        return self.value < self.limit if self.floor else self.value > self.limit

    def message(self, process_id: str) -> str:
        shown = "none" if self.value is None else f"{self.value:.1%}"
        side = "below" if self.floor else "over"
        return f"process '{process_id}': {self.what} is {shown}, {side} the budget of {self.limit:.1%} ({self.key})"


@dataclass
class Conformed:
    """The report of one process against its logs, and its budget checks."""

    result: FileResult
    report: dict[str, Any]
    budgets: list[Budget] = field(default_factory=list)

    @property
    def exceeded(self) -> list[Budget]:
        return [b for b in self.budgets if b.exceeded]


def normalise(text: str) -> str:
    """Activity names compared as SPEC §6.2 says: case, surrounding spaces and runs of spaces ignored."""
    return " ".join(text.split()).casefold()


def map_activities(model: ProcessFile, activities: list[str]) -> tuple[dict[str, str], list[str]]:
    """Which step each activity is (by id, name or `activities:`); the activities no step matches.

    An activity matching two steps is an error (exit 2), naming both and why.
    """
    by_id: dict[str, str] = {}
    by_text: dict[str, list[tuple[str, str]]] = {}
    for step in model.steps:
        by_id.setdefault(step.id, step.id)
        by_text.setdefault(normalise(step.name), []).append((step.id, "its name"))
        for alias in step.activities:
            by_text.setdefault(normalise(alias), []).append((step.id, "its activities"))
    mapping: dict[str, str] = {}
    unmapped: list[str] = []
    for activity in activities:
        found: dict[str, str] = {}
        if activity in by_id:
            found[activity] = "its id"
        for step_id, why in by_text.get(normalise(activity), ()):
            found.setdefault(step_id, why)
        if len(found) > 1:
            (a, why_a), (b, why_b) = list(found.items())[:2]
            raise UsageError(
                f"activity {activity!r} in the log matches two steps: {a!r} ({why_a}) and {b!r} ({why_b}); "
                "make the names differ or list the activity under one step's `activities:`"
            )
        if found:
            mapping[activity] = next(iter(found))
        else:
            unmapped.append(activity)
    return mapping, unmapped


def _number(value: Any) -> Any:
    """Seconds and shares for JSON: whole numbers as ints, the rest to the microsecond (floats carry noise)."""
    if isinstance(value, float):
        value = round(value, 6)
        if value.is_integer():
            return int(value)
    return value


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if hasattr(value, "__float__") and not isinstance(value, (int, bool)):
        return _number(float(value))
    return value


class _Running:
    """The engines a signal should interrupt: added once open, dropped before they close (under one lock)."""

    def __init__(self) -> None:
        self._engines: list[Engine] = []
        self._lock = threading.Lock()

    def add(self, engine: Engine) -> None:
        with self._lock:
            self._engines.append(engine)

    def close(self, engine: Engine) -> None:
        """Drop ``engine`` and close it: an interrupt never meets a connection being closed."""
        with self._lock:
            self._engines.remove(engine)
            engine.close()

    def interrupt(self) -> None:
        with self._lock:
            for engine in self._engines:
                # An engine that failed meanwhile has nothing left to stop; the main thread's
                # handler still ends the run, so no traceback from the watcher thread.
                with suppress(Exception):
                    engine.interrupt()


@contextmanager
def _signals_outlive_queries() -> Iterator[_Running]:
    """A signal during a DuckDB query ends the run as it ends every other command (exit 130/143/129), at once.

    Two things stand between a signal and the end of a long query.  Python
    runs its handlers only between bytecodes of the main thread, and DuckDB
    looks for them only between its tasks: one window task over 10M events
    ran 6 s of CPU after SIGTERM (measured).  So the signal's byte (Python's
    wakeup fd, written by the C-level handler the moment it arrives) wakes a
    thread that interrupts the engines conform registers in the yielded :class:`_Running`;
    ``Connection.interrupt`` stops the statement within 0.02 s.  And when
    procmap's handler raises (KeyboardInterrupt,
    :class:`procmap.interrupts.Terminated`) DuckDB raises its own error
    instead ("Query interrupted"), which read as an internal error: so the
    signals that arrive in here are remembered, and an error after one
    becomes that signal again.
    """
    import os
    import signal

    from procmap.interrupts import Terminated

    received: list[int] = []
    previous: dict[int, Any] = {}
    engines = _Running()

    def remember(signum: int, frame: Any) -> None:
        received.append(signum)
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        raise KeyboardInterrupt if signum == signal.SIGINT else Terminated(signum)

    in_main = threading.current_thread() is threading.main_thread()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) if in_main else ():
        handler = signal.getsignal(sig)
        if handler in (signal.SIG_IGN, signal.SIG_DFL, None):
            continue  # ignored stays ignored; the default (dying at once) needs no translation
        previous[sig] = handler
        signal.signal(sig, remember)
    watcher, wake = _watch(set(previous), engines) if previous else (None, None)
    try:
        yield engines
    except (KeyboardInterrupt, Terminated):
        raise
    except Exception:
        if received:
            raise KeyboardInterrupt if received[0] == signal.SIGINT else Terminated(received[0]) from None
        raise
    finally:
        if watcher is not None and wake is not None:
            signal.set_wakeup_fd(wake[0])  # the one that was there before (-1: none)
            os.write(wake[1], b"\0")  # no signal is numbered 0: the watcher's cue to end
            watcher.join()
            os.close(wake[1])
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _watch(signals: set[int], engines: _Running) -> tuple[threading.Thread, tuple[int, int]]:
    """A thread that interrupts ``engines`` when one of ``signals`` arrives; the previous wakeup fd and the pipe's write end."""
    import os
    import signal

    read, write = os.pipe()
    os.set_blocking(write, False)  # the C-level handler must never block on a full pipe
    before = signal.set_wakeup_fd(write, warn_on_full_buffer=False)

    def run() -> None:
        try:
            while data := os.read(read, 64):
                if any(b in signals for b in data):
                    engines.interrupt()
                if 0 in data:
                    return
        finally:
            os.close(read)

    thread = threading.Thread(target=run, name="procmap-signals", daemon=True)
    thread.start()
    return thread, (before, write)


def conform(
    result: FileResult,
    logs: list[str],
    *,
    columns: dict[str, str | None] | None = None,
    min_fitness: float | None = None,
    max_repeat_contacts: float | None = None,
    max_sla_breaches: float | None = None,
    lifecycle: str | None = None,
    engine: str | Engine = "duckdb",
    memory: str | None = None,
    phases: Phases | None = None,
    filters: Filters | None = None,
    case_detail: str | None = None,
) -> Conformed:
    """Read ``logs`` and report what happened against ``result``'s process (valid: see ``require_valid``).

    ``lifecycle`` is the rule of :mod:`procmap.analysis.log_lifecycle` (None: the default with its fallback);
    ``filters`` the cases and events to keep (:mod:`procmap.analysis.log_filters`); ``case_detail`` a case
    to lay out event by event (:mod:`procmap.analysis.log_case_detail`, report key ``case_detail``).
    ``engine`` is ``--engine`` (duckdb, local, spark://…, sc://…) or an engine already open (tests share
    one Spark session); ``memory`` is ``--memory`` (default: a share of the machine, SPEC §6.5);
    ``phases`` times each phase (``--profile``) and drives the progress bar.
    """
    from procmap.load import engines

    limit = engines.memory_limit(memory)
    phases = phases or engines.Phases()
    with tempfile.TemporaryDirectory(prefix="procmap-conform-") as tmp, _signals_outlive_queries() as running:
        workdir = Path(tmp)
        duck = engines.DuckDBEngine(workdir, limit)
        running.add(duck)
        opened: Engine | None = None
        try:
            if isinstance(engine, engines.Engine):
                con: Engine = engine
            elif engines.check_engine(engine) == engines.DUCKDB:
                con = duck
            else:
                with phases.phase("starting Spark"):
                    con = opened = engines.open_engine(engine, workdir, limit)
            report = _report(duck, con, result, logs, columns or {}, workdir, lifecycle, phases, filters, case_detail)
            report["engine"] = con.name
            phases.spilled = duck.spilled()
        finally:
            if opened is not None:  # an engine passed in is its owner's to close
                opened.close()
            running.close(duck)
    checks = budgets(
        report, min_fitness=min_fitness, max_repeat_contacts=max_repeat_contacts, max_sla_breaches=max_sla_breaches
    )
    report["budgets"] = [
        {"budget": b.key, "limit": b.limit, "value": _number(b.value), "exceeded": b.exceeded} for b in checks
    ]
    return Conformed(result, report, checks)


def budgets(
    report: dict[str, Any],
    *,
    min_fitness: float | None,
    max_repeat_contacts: float | None,
    max_sla_breaches: float | None,
) -> list[Budget]:
    out = []
    if min_fitness is not None:
        out.append(
            Budget(
                "min-fitness",
                "the share of cases that fit the model",
                min_fitness,
                report["fitness"]["share"],
                floor=True,
            )
        )
    if max_repeat_contacts is not None:
        out.append(
            Budget(
                "max-repeat-contacts",
                "the share of cases with a repeat contact",
                max_repeat_contacts,
                report["repeat_contacts"]["share"],
            )
        )
    if max_sla_breaches is not None:
        out.append(
            Budget(
                "max-sla-breaches",
                "the share of cases with an sla breach",
                max_sla_breaches,
                report["sla_breaches"]["share"],
            )
        )
    return out


def _read(
    duck: DuckDBEngine,
    con: Engine,
    logs: list[str],
    columns: dict[str, str | None],
    workdir: Path,
    rule: str | None,
    filters: Filters | None,
) -> tuple[list[Any], str | None, str | None, dict[str, Any] | None]:
    """The logs as the ``events`` table of ``con``, the lifecycle rule and the filters applied.

    DuckDB reads them where they lie.  Spark in this process gets the very
    table DuckDB's reader made (every check and every row number the same),
    as Parquet in the work folder; a cluster cannot see that folder, so there
    Spark reads the Parquet logs itself (:func:`procmap.load.engines.spark_events`).
    Returns the logs read, the lifecycle column and note, and what the filters left out.
    """
    from procmap.analysis import log_filters, log_lifecycle
    from procmap.load import engines, event_logs

    if con is duck or con.name.startswith("local"):
        read = event_logs.load(duck.con, logs, columns, workdir, filters.columns if filters else ())
        life_column = next((log.columns["lifecycle"] for log in read if log.columns.get("lifecycle")), None)
        life_note = log_lifecycle.apply_rule(duck, rule, life_column)
        filtered = None
        if filters is not None:
            # a --where column is a case attribute when some log holds it as one (`case:…`)
            case_level = {c: any(log.attributes[c].startswith("case:") for log in read) for c in filters.columns}
            filtered = log_filters.apply(duck.con, filters, case_level)
        if con is not duck:
            staged = workdir / "events.parquet"
            duck.execute(f"COPY events TO {event_logs.duck_path(staged)} (FORMAT parquet)")
            con.register_parquet("events_staged", [str(staged)])
            con.create_table("events", "SELECT * FROM events_staged")
        return read, life_column, life_note, filtered
    if filters is not None and filters.any:
        raise UsageError(
            f"--engine {con.name}: --from, --to and --where run on DuckDB or --engine local; "
            "filter the Parquet on the cluster instead"
        )
    read = engines.spark_events(con, logs, columns)  # type: ignore[arg-type]
    life_column = next((log.columns["lifecycle"] for log in read if log.columns.get("lifecycle")), None)
    return read, life_column, log_lifecycle.apply_rule(con, rule, life_column), None


def _report(
    duck: DuckDBEngine,
    con: Engine,
    result: FileResult,
    logs: list[str],
    columns: dict[str, str | None],
    workdir: Path,
    rule: str | None,
    phases: Phases,
    filters: Filters | None = None,
    case_detail: str | None = None,
) -> dict:
    import duckdb

    from procmap.analysis import (
        log_case_detail,
        log_cases,
        log_lifecycle,
        log_overview,
        log_unused,
        log_variants,
        replay,
    )
    from procmap.analysis import logs as q
    from procmap.analysis.journeys import Journeys
    from procmap.load import engines

    g = result.graph
    model = result.model
    assert g is not None and model is not None
    try:
        with phases.phase("reading"):
            read, life_column, life_note, filtered = _read(duck, con, logs, columns, workdir, rule, filters)
            events = int(con.execute("SELECT count(*) FROM events").fetchone()[0])  # type: ignore[index]
        phases.events = events
        # SPEC §6.5: exact quantiles while they fit, the engine's approximate ones past the threshold
        con.approximate = events > engines.APPROXIMATE_FROM
        phases.start("sequences")
        stats = q.log_stats(con)
        activity_counts = stats.activities
        mapping, unmapped = map_activities(model, [a for a, _ in activity_counts])
        updates = {n for n, d in g.nodes(data=True) if d.get("update")}
        shares = {(u, v): d.get("share") for u, v, d in g.edges(data=True)}
        start = model.start_id()
        loops = Journeys(g).loop_edge_ids()  # SPEC §5.2, as audit reads them
        numbers = q.Model(g)
        q.register_model(con, numbers, mapping=mapping, updates=updates, shares=shares, loops=loops, workdir=workdir)
        logged = stats.logged(mapping)
        pairs = q.conforming_pairs(g, start, logged, loops)
        for pair in replay.parallel_pairs(g, logged):  # SPEC §7.3: steps of two branches of one fork, any order
            pairs.setdefault(pair, 0)
        q.register_pairs(con, numbers, pairs, workdir)
        q.build_sequences(con)
        q.build_cases(con, numbers.lanes)
        # SPEC §7.3: with forks, fit is decided by replay
        replay_note = replay.refit(con, model, numbers, logged, workdir)
        phases.start("pairs and waits")
        q.build_pairs(con)
        phases.start("figures")
        totals = q.counts(con, events)
        fit = q.fitness(con)
        flows = q.observed_flows(con, numbers)
        used = q.flow_use(con, numbers, start, logged, ends=True)
        taken = q.flow_use(con, numbers, start, logged, ends=False)
        unused = q.unused_flows(con, numbers, used)
        reached = log_unused.reached(con, numbers, start, logged, {u for u, _ in unused}, workdir)
        figures = q.figures(con)
        repeat_cases = q.repeat_contacts(con)
        sla_rows, sla_cases = q.sla(con, numbers)
        changes = q.resource_changes(con)
        work = q.work_times(con, numbers, lifecycle_starts=rule != "complete" and stats.lifecycles, starts=stats.starts)
        left_out = log_lifecycle.left_out(stats, rule, mapping)
        phases.start("overview and variants")
        case_time = log_overview.case_time(con)
        ends = log_overview.end_activities(con)
        rework = log_overview.rework(con, numbers.ids)
        workload = log_overview.workload(con, lifecycles=stats.lifecycles, starts=stats.starts)
        variants = log_variants.variants(con, numbers.ids)
        phases.start("example cases")
        deviation_cases = log_cases.deviation_cases(con, numbers.ids)
        breach_cases = log_cases.sla_cases(con, numbers.ids)
        repeat_examples = log_cases.repeat_cases(con) if repeat_cases else []
        detail = log_case_detail.detail(con, numbers.ids, case_detail) if case_detail is not None else None
        for f in flows:
            if not f["modelled"]:
                f["examples"] = deviation_cases.get((f["from"], f["to"]), [])
        for row in sla_rows:
            row["examples"] = breach_cases.get(row["step"], [])
        phases.stop()
    except duckdb.OutOfMemoryException as exc:
        raise UsageError(
            f"{', '.join(logs)}: needs more memory than procmap may use ({str(exc).splitlines()[0]}); "
            "give it more with --memory (e.g. --memory 8GB)"
        ) from None
    except Exception as exc:
        if con is duck or not type(exc).__module__.startswith(("pyspark", "py4j", "grpc")):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"--engine {con.name}: Spark failed ({first[:300]})") from None

    cases = totals["cases"]
    counts_by_activity = dict(activity_counts)
    report: dict[str, Any] = {
        "process": model.process.id,
        "name": model.process.name,
        "file": result.path,
        "logs": [log.path for log in read],
        "notes": [note for log in read for note in log.notes]
        + ([life_note] if life_note else [])
        + ([replay_note] if replay_note else []),
        "filters": filtered,
        "lifecycle": {"column": life_column, "rule": rule or "start,complete", "note": life_note},
        "left_out": left_out,
        "columns": [{"log": log.path, "format": log.kind, **log.columns} for log in read],
        "events": totals["events"],
        "cases": cases,
        "events_mapped": totals["events_mapped"],
        "events_mapped_share": totals["events_mapped"] / totals["events"] if totals["events"] else None,
        "case_time": case_time,
        "start_activities": ends["start"],
        "end_activities": ends["end"],
        "rework": rework,
        "workload": workload,
        "variants": variants,
        "cases_mapped": totals["cases_mapped"],
        "unmapped": [{"activity": a, "events": counts_by_activity[a]} for a in unmapped],
        "silent_steps": [n for n in g.nodes if n not in logged],
        "fitness": {
            **fit,
            "share": fit["cases_fitting"] / cases if cases else None,
            "pairs_share": fit["pairs_conforming"] / fit["pairs"] if fit["pairs"] else None,
        },
        "flows": flows,
        # with the cases that reached the flow's source and left another way (issue 25 item 3)
        "unused_flows": [
            {"from": u, "to": v, "reached_from": reached.get(u, (0, []))[0], "examples": reached.get(u, (0, []))[1]}
            for u, v in unused
        ],
        "model_flows": [
            {"from": s.id, "to": to, "when": f.when, "taken": used.get((s.id, to), 0)}
            for s in model.steps
            for f in s.next
            for to in (f.all or [f.to])  # a fork's flows, one per branch
            if g.has_edge(s.id, to)
        ],
        "figures": figures,
        "shares": _shares(model, taken),
        # None when no customer action is logged: "not logged", never 0 % (SPEC §6.3)
        "repeat_contacts": {
            "cases": repeat_cases,
            "share": repeat_cases / cases if cases and repeat_cases is not None else None,
            "examples": repeat_examples,
        },
        "sla": sla_rows,
        "sla_breaches": {"cases": sla_cases, "share": sla_cases / cases if cases else None},
        "resource_changes": changes,
        "resources_known": any(log.columns.get("resource") for log in read),
        "work": work,
    }
    if detail is not None:
        report["case_detail"] = detail
    return _clean(report)


def _shares(model: ProcessFile, used: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    """For each branching step: each flow's observed fraction of the conforming pairs leaving it, beside the model's."""
    out = []
    for step in model.steps:
        if len(step.next) < 2:
            continue
        counts = [max(used.get((step.id, t), 0) for t in (f.all or [f.to])) for f in step.next]  # a fork: its branches
        total = sum(counts)
        for flow, n in zip(step.next, counts, strict=True):
            out.append(
                {
                    "from": step.id,
                    "to": flow.to,
                    **({"all": flow.all} if flow.all else {}),
                    "when": flow.when,
                    "model": flow.share,
                    "observed": n / total if total else None,
                    "count": n,
                }
            )
    return out
