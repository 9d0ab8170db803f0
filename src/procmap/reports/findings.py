"""Diagnostics as text, JSON and GitHub Actions workflow commands (SARIF: sarif.py)."""

from __future__ import annotations

import json

from procmap.diagnostics import Diagnostic, Severity, printable_line
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
            where = f"\x1b[1m{printable_line(d.file)}:{d.line}:{d.column}\x1b[0m"
        else:
            where = f"{printable_line(d.file)}:{d.line}:{d.column}"
        lines.append(f"{where}: {sev} [{d.rule}] {printable_line(d.message)}")
    s = summary(results)
    lines.append(
        f"{_plural(s['files'], 'file')} checked: {_plural(s['errors'], 'error')}, "
        f"{_plural(s['warnings'], 'warning')}, {_plural(s['infos'], 'info')}"
    )
    return "\n".join(lines) + "\n"


def as_json(results: list[FileResult]) -> str:
    return (
        json.dumps(
            {"diagnostics": [d.to_dict() for d in all_diagnostics(results)], "summary": summary(results)},
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
        )
        + "\n"
    )


def _escape_data(value: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workspace_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it, else unchanged.

    GitHub matches annotations (and SARIF results) to repository files by a
    path relative to the checkout, which is the working directory of a job;
    an absolute path would leave the annotation unattached.
    """
    import os

    if path.startswith("<") or not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(os.path.realpath(path), os.path.realpath(os.getcwd()))
    except ValueError:  # pragma: no cover - another drive on Windows
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def github(results: list[FileResult]) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = [
        f"::{level[d.severity]} file={_escape_property(printable_line(workspace_path(d.file)))},line={d.line},"
        f"col={d.column},title={_escape_property(d.rule)}::{_escape_data(printable_line(d.message))}"
        for d in all_diagnostics(results)
    ]
    s = summary(results)
    lines.append(
        f"{_plural(s['files'], 'file')} checked: {_plural(s['errors'], 'error')}, "
        f"{_plural(s['warnings'], 'warning')}, {_plural(s['infos'], 'info')}"
    )
    return "\n".join(lines) + "\n"
