"""The validation pipeline for one file: load → schema → graph → rules → diagnostics.

Also the shared entry point of audit, render, diff and export: they all
need the same validated model and graph, and must refuse a file with errors
in exactly the way `validate` reports it.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procmap.config import Config
from procmap.diagnostics import Diagnostic, Severity
from procmap.load.loader import STDIN, LoadError, parse, read_text

if TYPE_CHECKING:
    import networkx as nx

    from procmap.analysis.facts import Analysis
    from procmap.analysis.journeys import Journeys
    from procmap.load.loader import Document
    from procmap.model.graph import ProcessGraph
    from procmap.model.process import ProcessFile

_IGNORE = re.compile(r"#\s*procmap:\s*ignore\[([^\]]*)\]")


class _Networkx:
    """``FileResult.graph``: the rules' graph as a ``networkx.DiGraph``, made on first read unless one was given.

    `validate` runs its rules on :class:`procmap.model.graph.ProcessGraph` and
    never imports networkx (start-up, see docs/performance.md); audit, render,
    export, diff and conform read this attribute, which shares the rules'
    dictionaries (nothing is copied).  A data descriptor, so the dataclass
    still takes ``graph=`` (``dataclasses.replace(result, graph=...)``).
    """

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return None  # the dataclass field's default
        graph = obj.__dict__.get("_networkx")
        if graph is None and obj.process_graph is not None:
            from procmap.model.graph import to_networkx

            graph = obj.__dict__["_networkx"] = to_networkx(obj.process_graph)
        return graph

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__["_networkx"] = value


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    doc: Document | None = None
    model: ProcessFile | None = None
    graph: nx.DiGraph | None = _Networkx()  # type: ignore[assignment]
    analysis: Analysis | None = None
    journeys: Journeys | None = None  # set when a rule needed it: audit reuses what it computed
    process_graph: ProcessGraph | None = None  # what the rules read; :attr:`graph` is the same graph in networkx

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == Severity.ERROR for d in self.diagnostics)


def suppressions(text: str) -> dict[int, set[str]]:
    """Line number → rule ids silenced by a ``# procmap: ignore[...]`` comment on that line."""
    out: dict[int, set[str]] = {}
    if "procmap:" not in text:
        return out
    for n, line in enumerate(text.splitlines(), start=1):
        m = _IGNORE.search(line)
        if m:
            out[n] = {part.strip() for part in m.group(1).split(",") if part.strip()}
    return out


def _finish(result: FileResult, raw: list[Diagnostic], text: str, config: Config) -> FileResult:
    """Apply suppressions and configured severities, then sort: the one place findings are final."""
    from procmap.rules import BY_ID

    ignored = suppressions(text)
    final = []
    for d in raw:
        if d.rule in ignored.get(d.line, ()):
            continue
        severity = config.severity(d.rule, BY_ID[d.rule].severity)
        if severity is None:
            continue
        final.append(d if severity == d.severity else Diagnostic(d.file, d.line, d.column, severity, d.rule, d.message))
    final.sort(key=Diagnostic.sort_key)
    result.diagnostics = final
    return result


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one file is checked.

    Checking builds many small, acyclic objects (values, models, graph
    dictionaries); the collector finds nothing in them, yet its passes over the
    growing heap made 10x the steps cost about 15x the time. Paused, it is
    linear (measured 7.6x for 10x, the rest being fixed costs). Re-enabled after
    each file, so anything cyclic is still collected.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _share_field_sets(model: ProcessFile) -> None:
    """Let models with the same keys written share one ``model_fields_set``.

    pydantic gives every model instance its own set of the field names the
    input gave: 728 bytes for a step with eight keys, 216 for a flow — a
    kilobyte per step, 40 % of the models' memory at 100,000 steps
    (measured).  Steps and flows repeat a handful of key sets, so equal sets
    become one object.  The models are frozen and procmap never changes the
    sets; a ``model_copy`` copies its set first, as pydantic always does.
    """
    from pydantic import BaseModel

    seen: dict[frozenset[str], set[str]] = {}

    def share(item: BaseModel) -> None:
        fields = item.__pydantic_fields_set__
        kept = seen.setdefault(frozenset(fields), fields)
        if kept is not fields:
            object.__setattr__(item, "__pydantic_fields_set__", kept)

    for lane in model.lanes:
        share(lane)
    for step in model.steps:
        share(step)
        for flow in step.next:
            if isinstance(flow, BaseModel):
                share(flow)


def check_text(text: str, path: str, config: Config) -> FileResult:
    """Validate already-read text (used for files, stdin and git revisions alike)."""
    with _gc_paused():
        return _check_text(text, path, config)


def check_document(doc: Document, config: Config) -> FileResult:
    """Validate a Document built without parsing: `procmap import` has the values and positions of what it wrote."""
    with _gc_paused():
        return _check_document(FileResult(doc.path), doc, config)


def _check_text(text: str, path: str, config: Config) -> FileResult:
    result = FileResult(path)
    try:
        doc = parse(text, path)
    except LoadError as exc:
        return _finish(result, [exc.diagnostic], text, config)
    return _check_document(result, doc, config)


def _check_document(result: FileResult, doc: Document, config: Config) -> FileResult:
    from procmap.model import check as schema_check
    from procmap.model.graph import build_process_graph
    from procmap.rules import RULES, Context

    path, text = doc.path, doc.text
    result.doc = doc
    raw = list(doc.duplicate_keys)
    checked = schema_check.check(doc)
    raw.extend(checked.diagnostics)
    if checked.model is not None:
        _share_field_sets(checked.model)
        graph = build_process_graph(checked.model)
        graph.graph["source"] = path  # the name messages about the whole process give (journeys past their limit)
        ctx = Context(doc, checked, checked.model, graph, dict(config.budgets))
        for rule in RULES:
            if rule.check is None or config.severity(rule.id, rule.severity) is None:
                continue
            for f in rule.check(ctx):
                line, col = doc.locate(f.loc, key=f.key)
                raw.append(Diagnostic(path, line, col, rule.severity, rule.id, f.message))
        result.model, result.process_graph, result.analysis = checked.model, graph, ctx.analysis
        result.journeys = ctx.__dict__.get("journeys")
    return _finish(result, raw, text, config)


def check_file(path: str, config: Config, *, stdin_name: str = "<stdin>") -> FileResult:
    """Validate one path; file-level problems (missing, binary, too big) raise UsageError."""
    shown = stdin_name if path == STDIN else path
    try:
        text = read_text(path, max_size=config.max_file_size, stdin_name=stdin_name)
    except LoadError as exc:
        return _finish(FileResult(shown), [exc.diagnostic], "", config)
    return check_text(text, shown, config)


def failed(results: list[FileResult], strict: bool) -> bool:
    threshold = Severity.WARNING if strict else Severity.ERROR
    return any(d.severity >= threshold for r in results for d in r.diagnostics)


def _diagnostics_only(args: tuple[str, Config, str], raise_usage: bool = False) -> FileResult:
    path, config, stdin_name = args
    from procmap.diagnostics import UsageError

    try:
        result = check_file(path, config, stdin_name=stdin_name)
    except UsageError as exc:
        if raise_usage:
            raise
        return FileResult(path, [Diagnostic(path, 0, 0, Severity.ERROR, "__usage__", str(exc))])
    return FileResult(result.path, result.diagnostics)


def check_paths(
    paths: list[str], config: Config, *, stdin_name: str = "<stdin>", jobs: int | None = None, keep: bool = True
) -> list[FileResult]:
    """Validate every file named by ``paths`` (directories expanded).

    With ``keep=False`` and several jobs, files are checked in worker
    processes and only diagnostics come back (models and graphs stay behind:
    they are expensive to pickle and `validate` does not need them).
    """
    from procmap.diagnostics import UsageError
    from procmap.load.discovery import collect
    from procmap.parallel import AUTO_JOBS_MIN_FILES, cores, pool_map

    files = collect(paths)
    if jobs is not None:
        workers = jobs
    elif config.jobs is not None:
        workers = config.jobs
    else:
        # Default: one process per core once there are enough files to repay
        # the pool's start-up (measured: 500 small files 4.8 s -> 2.7 s on 2 cores).
        workers = 0 if len(files) >= AUTO_JOBS_MIN_FILES else 1
    if workers == 0:
        workers = cores()
    if keep:
        return [check_file(f, config, stdin_name=stdin_name) for f in files]
    if workers <= 1 or len(files) < 4 or STDIN in files:
        # One file at a time, keeping only its diagnostics: holding every document, model and
        # graph to the end made 500 files of 60 steps peak at 302 MiB on one worker (61 MiB with two).
        return [_diagnostics_only((f, config, stdin_name), raise_usage=True) for f in files]
    results = pool_map(_diagnostics_only, [(f, config, stdin_name) for f in files], workers)
    for r in results:
        if r.diagnostics and r.diagnostics[0].rule == "__usage__":
            raise UsageError(r.diagnostics[0].message)
    return results


class InvalidProcess(Exception):
    """A command that needs a valid process got one with errors (exit 1, diagnostics on stderr)."""

    def __init__(self, results: list[FileResult]) -> None:
        super().__init__("process has errors")
        self.results = results


def require_valid(path: str, config: Config, *, stdin_name: str = "<stdin>") -> FileResult:
    """Validate ``path`` for audit/render/diff/export: errors stop them, warnings do not.

    Budgets are a report-level gate for those commands, not a validation
    error, so they are left out here.
    """
    from dataclasses import replace

    result = check_file(path, replace(config, budgets={}), stdin_name=stdin_name)
    if result.has_errors or result.model is None:
        raise InvalidProcess([result])
    return result


def require_valid_text(text: str, name: str, config: Config) -> FileResult:
    """:func:`require_valid` for text that does not come from a file (stdin, git revisions)."""
    from dataclasses import replace

    result = check_text(text, name, replace(config, budgets={}))
    if result.has_errors or result.model is None:
        raise InvalidProcess([result])
    return result
