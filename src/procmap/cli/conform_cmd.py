"""`procmap conform`: the process against event logs (SPEC §6)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any, Optional

import typer

from procmap.cli import guarded
from procmap.cli.options import CONFIG, MAX_SIZE, QUIET, config_from, wrote
from procmap.diagnostics import printable_line


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


EPILOG = """Examples:

  procmap conform support.yaml tickets.csv

  procmap conform support.yaml 2024-*.xes.gz -o conform.html      (format from the suffix)

  procmap conform support.yaml export.csv --case "Ticket ID" --activity Status --timestamp "Changed at"

  procmap conform support.yaml tickets.parquet --min-fitness 0.9 --max-repeat-contacts 0.1

  procmap conform support.yaml tickets.csv --write-shares -o support-observed.yaml

  procmap conform support.yaml tickets.csv --from 2024-03-01 --to 2024-03-31 --where case:channel=web

  procmap conform support.yaml tickets.csv --case-detail T-1004      (one case, event by event)

Logs: .csv (header row; ',' ';' or tab), .xes / .xes.gz, .parquet; several are read as one.
Columns are found by name (case:concept:name, case_id, case; concept:name, activity;
time:timestamp, timestamp, time; org:resource, resource; lifecycle:transition) unless named
with the options. An activity is a step when it equals the step's id, its name (case and
spaces ignored) or one of its `activities:`.

Exit codes: 0 report written, 1 the process has errors (diagnostics on stderr, no report), a
budget is exceeded or (--strict-mapping) an activity is not a step, 2 usage error or a log
that cannot be read (one line naming the file and the row or element).
"""

_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".json": "json"}


def _share(value: Optional[float], flag: str) -> Optional[float]:
    if value is not None and not 0 <= value <= 1:
        from procmap.diagnostics import UsageError

        raise UsageError(f"{flag} {value}: give a fraction between 0 and 1 (0.9 is 90%)")
    return value


def register(app: Any) -> None:
    @app.command(epilog=EPILOG)
    @guarded
    def conform(
        process: str = typer.Argument(..., metavar="PROCESS", help="The process file.", show_default=False),
        logs: list[str] = typer.Argument(
            None, metavar="LOG...", help="Event logs: .csv, .xes, .xes.gz, .parquet.", show_default=False
        ),
        fmt: Optional[Format] = typer.Option(
            None,
            "--format",
            "-f",
            help="Report format [default: from the -o suffix (.html, .md, .json), else text].",
            show_default=False,
        ),
        output: Optional[str] = typer.Option(
            None,
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to this file instead of standard output (with --write-shares: the process "
            "copy); missing folders are created.",
        ),
        case: Optional[str] = typer.Option(
            None, "--case", metavar="COLUMN", help="Column (or XES attribute) of the case id."
        ),
        activity: Optional[str] = typer.Option(
            None, "--activity", metavar="COLUMN", help="Column of the activity name."
        ),
        timestamp: Optional[str] = typer.Option(None, "--timestamp", metavar="COLUMN", help="Column of the timestamp."),
        resource: Optional[str] = typer.Option(
            None, "--resource", metavar="COLUMN", help="Column of who did it (optional)."
        ),
        start: Optional[str] = typer.Option(
            None,
            "--start",
            metavar="COLUMN",
            help="Column of each event's start (optional; default start_timestamp): gives work time.",
        ),
        lifecycle: Optional[str] = typer.Option(
            None,
            "--lifecycle",
            metavar="RULE|COLUMN",
            help="Which events are steps: none, complete or start,complete (the default: starts give work time); "
            "any other value names the lifecycle column.",
        ),
        date_from: Optional[str] = typer.Option(
            None,
            "--from",
            metavar="DATE",
            help="Keep the cases that start on or after this date (ISO 8601: 2024-03-01 or a date-time).",
        ),
        date_to: Optional[str] = typer.Option(
            None,
            "--to",
            metavar="DATE",
            help="Keep the cases that start on or before this date (a date includes its whole day).",
        ),
        where: Optional[list[str]] = typer.Option(
            None,
            "--where",
            metavar="COLUMN=VALUE",
            help="Keep what has this value (repeatable): a case attribute (case:…) keeps whole cases, "
            "an event attribute the matching events; one column given twice keeps either value.",
        ),
        case_detail: Optional[str] = typer.Option(
            None,
            "--case-detail",
            metavar="CASE",
            help="Print one case instead of the report: its events mapped to steps, its waits, and where it "
            "left the blueprint.",
        ),
        strict_mapping: bool = typer.Option(
            False, "--strict-mapping", help="Fail (exit 1) when some activity is not a step of the process."
        ),
        min_fitness: Optional[float] = typer.Option(
            None,
            "--min-fitness",
            metavar="FRACTION",
            help="Fail (exit 1) when fewer cases than this fraction fit the process.",
        ),
        max_repeat_contacts: Optional[float] = typer.Option(
            None,
            "--max-repeat-contacts",
            metavar="FRACTION",
            help="Fail (exit 1) when more cases than this fraction have a repeat contact.",
        ),
        max_sla_breaches: Optional[float] = typer.Option(
            None,
            "--max-sla-breaches",
            metavar="FRACTION",
            help="Fail (exit 1) when more cases than this fraction wait past an sla.",
        ),
        write_shares: bool = typer.Option(
            False,
            "--write-shares",
            help="Write the observed shares into a copy of the process file (-o), comments and layout kept.",
        ),
        config: Optional[str] = CONFIG,
        max_file_size: Optional[int] = MAX_SIZE,
        engine: str = typer.Option(
            "duckdb",
            "--engine",
            metavar="ENGINE",
            help="Where the queries run: duckdb (embedded), local (Spark in this process), spark://HOST:7077 "
            "or sc://HOST:15002 (Spark Connect); Spark needs pip install 'procmap[spark]'.",
        ),
        memory: Optional[str] = typer.Option(
            None,
            "--memory",
            metavar="SIZE",
            help="Memory the engine may use before it spills to disk (e.g. 4GB) [default: a quarter of the machine's].",
            show_default=False,
        ),
        profile: bool = typer.Option(
            False, "--profile", help="Print each phase's CPU and wall time, and the bytes spilled, on stderr."
        ),
        to_parquet: bool = typer.Option(
            False,
            "--to-parquet",
            help="Convert the logs named (CSV, XES) to Parquet into the folder -o DIR, for a cluster; no report.",
        ),
        quiet: bool = QUIET,
    ) -> None:
        """Compare a process with event logs: fitness, observed flows and waits, journeys, shares, slas."""
        from procmap.analysis import log_filters
        from procmap.conform import conform as run
        from procmap.diagnostics import UsageError
        from procmap.fileio import check_output, write_output
        from procmap.reports.conform_formats import render
        from procmap.validate import require_valid

        logs = list(logs or [])
        if process == "-" or "-" in logs:
            raise UsageError("conform reads files, not standard input: give the process and the logs as paths")
        if to_parquet:
            _to_parquet([process, *logs], output, case, activity, timestamp, resource, start, lifecycle, memory, quiet)
            return
        if not logs:
            raise UsageError("conform needs the process file and at least one event log (LOG...)")
        from procmap.load.engines import check_engine

        engine = check_engine(engine)
        if write_shares and output in (None, "-"):
            raise UsageError("--write-shares needs -o OUT: the process file is never changed in place")
        checks = {
            "min_fitness": _share(min_fitness, "--min-fitness"),
            "max_repeat_contacts": _share(max_repeat_contacts, "--max-repeat-contacts"),
            "max_sla_breaches": _share(max_sla_breaches, "--max-sla-breaches"),
        }
        columns = {"case": case, "activity": activity, "timestamp": timestamp, "resource": resource, "start": start}
        rule = None
        if lifecycle is not None and lifecycle.replace(" ", "").lower() in ("none", "complete", "start,complete"):
            rule, lifecycle = lifecycle.replace(" ", "").lower(), None
        columns["lifecycle"] = lifecycle
        filters = log_filters.parse(date_from, date_to, where)
        check_output(output, [process, *logs])  # before any work, and before any report is printed
        cfg = config_from(config, max_file_size)
        result = require_valid(process, cfg)
        if case_detail is not None and write_shares:
            raise UsageError("--case-detail prints one case; --write-shares writes a process file: give one of them")
        phases = _phases(fmt is not Format.json and _format_for(output) != "json")
        try:
            done = run(
                result,
                logs,
                columns=columns,
                lifecycle=rule,
                filters=filters if filters.any else None,
                case_detail=case_detail,
                engine=engine,
                memory=memory,
                phases=phases,
                **checks,
            )
        finally:
            phases.close()  # the bar, if one was drawn, is erased before anything else is printed
        if profile:
            for line in phases.table():
                print(f"procmap: profile: {line}", file=sys.stderr)
        for note in done.report["notes"]:  # what was read differently from what was named, before the report
            print(printable_line(f"procmap: warning: {note}"), file=sys.stderr)
        if write_shares:
            from procmap.shares import write_observed

            text, notes = write_observed(result, done.report)
            chosen = fmt.value if fmt else "text"
            sys.stdout.write(render(done, chosen))
            write_output(output, text, inputs=[process, *logs])
            wrote(output, quiet)
            for note in notes:
                print(f"{process}: {note}", file=sys.stderr)
        elif case_detail is not None:
            from procmap.reports import conform_case

            chosen = fmt.value if fmt else _format_for(output)
            write_output(output, conform_case.render(done, chosen), inputs=[process, *logs])
            wrote(output, quiet)
        else:
            chosen = fmt.value if fmt else _format_for(output)
            write_output(output, render(done, chosen), inputs=[process, *logs])
            wrote(output, quiet)
        failed = False
        for check in done.exceeded:
            line = f"{process}: budget exceeded: {check.message(done.report['process'])}"
            print(printable_line(line), file=sys.stderr)
            failed = True
        if strict_mapping and done.report["unmapped"]:
            names = ", ".join(repr(u["activity"]) for u in done.report["unmapped"][:5])
            more = len(done.report["unmapped"]) - 5
            print(
                f"{process}: {len(done.report['unmapped'])} activities of the log are not steps "
                f"(--strict-mapping): {names}{f' and {more} more' if more > 0 else ''}",
                file=sys.stderr,
            )
            failed = True
        if failed:
            raise typer.Exit(1)


def _format_for(output: str | None) -> str:
    if not output or output == "-":
        return "text"
    import os

    return _SUFFIXES.get(os.path.splitext(output)[1].lower(), "text")


def _phases(visual: bool) -> Any:
    """conform's phases, with a progress bar on a terminal for logs over a million events (never in JSON)."""
    from contextlib import ExitStack

    from procmap.cli.progress import progress, wanted
    from procmap.load.engines import Phases

    stack = ExitStack()
    bar: list[Any] = []

    def listener(name: str) -> None:
        if name in ("reading", "starting Spark"):
            return
        if not bar and phases.events > PROGRESS_FROM and visual and wanted():
            bar.append(stack.enter_context(progress("conform: sequences, pairs, figures", total=5)))
        elif bar:
            bar[0].advance()

    phases = Phases(listener)
    phases.close = stack.close  # type: ignore[attr-defined]
    return phases


PROGRESS_FROM = 1_000_000  # events: a smaller log is done before a bar would be worth drawing


def _to_parquet(
    logs: list[str],
    output: str | None,
    case: str | None,
    activity: str | None,
    timestamp: str | None,
    resource: str | None,
    start: str | None,
    lifecycle: str | None,
    memory: str | None,
    quiet: bool,
) -> None:
    """``--to-parquet LOG… -o DIR``: each log to DIR/NAME.parquet (SPEC §6.5)."""
    from procmap.diagnostics import UsageError
    from procmap.load.engines import memory_limit, shown_size
    from procmap.load.to_parquet import convert

    if not output or output == "-":
        raise UsageError("--to-parquet needs -o DIR: the folder the Parquet files are written to")
    columns = {"case": case, "activity": activity, "timestamp": timestamp, "resource": resource, "start": start}
    rules = ("none", "complete", "start,complete")
    columns["lifecycle"] = None if lifecycle and lifecycle.replace(" ", "").lower() in rules else lifecycle
    done = convert(logs, output, columns, memory=shown_size(memory_limit(memory)))
    if not quiet:
        for item in done:
            print(f"wrote {item.target} ({item.events:,} events from {item.source})", file=sys.stderr)
    for item in done:  # what was not kept is said even with --quiet: nothing dropped without a word
        for note in item.notes:
            print(printable_line(f"procmap: warning: {note}"), file=sys.stderr)
