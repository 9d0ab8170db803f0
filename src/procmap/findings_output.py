"""Diagnostics as text, JSON and GitHub Actions workflow commands (SARIF: sarif.py)."""

from __future__ import annotations

import json

from procmap.diagnostics import Diagnostic, Severity
from procmap.validate import FileResult

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}


def all_diagnostics(results: list[FileResult]) -> list[Diagnostic]:
    return sorted((d for r in results for d in r.diagnostics), key=Diagnostic.sort_key)


def summary(results: list[FileResult]) -> dict[str, int]:
    diags = [d for r in results for d in r.diagnostics]
    return {
        "files": len(results),
        "errors": sum(d.severity == Severity.ERROR for d in diags),
        "warnings": sum(d.severity == Severity.WARNING for d in diags),
        "infos": sum(d.severity == Severity.INFO for d in diags),
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def text(results: list[FileResult], *, colour: bool = False) -> str:
    lines = []
    for d in all_diagnostics(results):
        sev = d.severity.label
        if colour:
            sev = f"{_COLOURS[d.severity]}{sev}\x1b[0m"
            where = f"\x1b[1m{d.file}:{d.line}:{d.column}\x1b[0m"
        else:
            where = f"{d.file}:{d.line}:{d.column}"
        lines.append(f"{where}: {sev} [{d.rule}] {_one_line(d.message)}")
    s = summary(results)
    lines.append(
        f"{_plural(s['files'], 'file')} checked: {_plural(s['errors'], 'error')}, "
        f"{_plural(s['warnings'], 'warning')}, {_plural(s['infos'], 'info')}"
    )
    return "\n".join(lines) + "\n"


def _one_line(message: str) -> str:
    return " ".join(message.split())


def as_json(results: list[FileResult]) -> str:
    return (
        json.dumps(
            {"diagnostics": [d.to_dict() for d in all_diagnostics(results)], "summary": summary(results)},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def _escape_data(value: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(results: list[FileResult]) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = [
        f"::{level[d.severity]} file={_escape_property(d.file)},line={d.line},col={d.column},"
        f"title={_escape_property(d.rule)}::{_escape_data(d.message)}"
        for d in all_diagnostics(results)
    ]
    s = summary(results)
    lines.append(
        f"{_plural(s['files'], 'file')} checked: {_plural(s['errors'], 'error')}, "
        f"{_plural(s['warnings'], 'warning')}, {_plural(s['infos'], 'info')}"
    )
    return "\n".join(lines) + "\n"
