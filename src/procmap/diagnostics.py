"""Findings and the user-facing errors that stop a command.

Every check in procmap reports through :class:`Diagnostic` so that all output
formats (text, JSON, GitHub, SARIF) carry exactly the same findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    """Ordered so that ``severity >= threshold`` decides failure."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    file: str
    line: int
    column: int
    severity: Severity
    rule: str
    message: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.rule, self.message)

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.label,
            "rule": self.rule,
            "message": self.message,
        }


class UsageError(Exception):
    """A problem the user must fix before procmap can do anything: exit code 2.

    Raised for missing/unreadable files, bad options and bad configuration; the
    CLI prints its message as one line on stderr, never a traceback.
    """


# Control characters (and bidi overrides) from a hostile file must not reach the terminal raw:
# "\x1b[2J" in a step name or file name would clear the screen of whoever runs procmap, and
# U+202E makes "gpj.exe" read as "exe.jpg".  The one set every writer uses (terminal text,
# GitHub annotations, markdown, audit tables).
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL = UNPRINTABLE
_KEPT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # all but tab and newline


def _shown(m: re.Match[str]) -> str:
    code = ord(m[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_line(message: str) -> str:
    """One line, whitespace collapsed, control characters shown as escapes."""
    flat = " ".join(message.split())
    return _CONTROL.sub(_shown, flat)


def terminal_text(text: str) -> str:
    """Text of several lines for a terminal: newlines and tabs kept, every other control character escaped.

    The escaping of :func:`printable_line` for whole reports (``diff`` text)
    that are built first and coloured afterwards.
    """
    return _KEPT.sub(_shown, text)
