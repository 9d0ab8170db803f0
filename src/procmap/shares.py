"""`conform --write-shares`: the observed shares written into a copy of the process file.

A textual edit at the positions the loader recorded, not a YAML dump: the
copy keeps every comment, blank line, quote style and key order of the
original, and changes only the flows of branching steps.  The edited text is
parsed and validated again before anything is written, so a copy that would
not load is never produced.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from procmap.diagnostics import UsageError

if TYPE_CHECKING:
    from procmap.validate import FileResult

DECIMALS = 3
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_TOKEN = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^\s,\]\}#]+")


def rounded(counts: list[int], decimals: int = DECIMALS) -> list[float]:
    """Fractions of ``counts`` rounded so they still add up to exactly 1 (largest remainders get the spare units)."""
    scale = 10**decimals
    total = sum(counts)
    exact = [c * scale / total for c in counts]
    floors = [int(x) for x in exact]
    spare = scale - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:spare]:
        floors[i] += 1
    return [f / scale for f in floors]


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _BREAK.finditer(text)]


def write_observed(result: FileResult, report: dict[str, Any]) -> tuple[str, list[str]]:
    """The process text with each branching step's shares set from ``report``; notes on what was left alone."""
    doc = result.doc
    assert doc is not None
    text = doc.text
    starts = _line_starts(text)
    newline = "\r\n" if "\r\n" in text else "\n"

    def offset(pos: tuple[int, int]) -> int:
        line, col = pos
        return starts[line - 1] + col - 1

    def token_end(at: int) -> int:
        m = _TOKEN.match(text, at)
        if not m:
            raise UsageError(f"{result.path}: cannot find the value at offset {at} to edit")
        return m.end()

    by_step: dict[str, list[dict[str, Any]]] = {}
    for row in report["shares"]:
        by_step.setdefault(row["from"], []).append(row)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    notes: list[str] = []
    steps = doc.data["steps"]
    for step in steps:
        rows = by_step.get(step.get("id")) if isinstance(step, dict) else None
        if not rows:
            continue
        counts = [r["count"] for r in rows]
        if not sum(counts):
            notes.append(f"step {step['id']!r}: no case left it by a conforming move; its shares are unchanged")
            continue
        if 0 in counts:
            never = ", ".join(repr(r["to"]) for r in rows if not r["count"])
            notes.append(
                f"step {step['id']!r}: the flow to {never} was never taken, and a share must be above 0; "
                "its shares are unchanged"
            )
            continue
        values = rounded(counts)
        flows = step["next"]
        seq = doc.where(flows)
        assert seq is not None  # a list read from the file
        for j, (flow, share) in enumerate(zip(flows, values, strict=True)):
            shown = f"{share:.{DECIMALS}f}".rstrip("0").rstrip(".") if share < 1 else "1"
            if isinstance(flow, str):
                at = offset(seq.child(j))  # type: ignore[arg-type]
                edits.append((at, token_end(at), f"{{to: {flow}, share: {shown}}}"))
                continue
            info = doc.where(flow)
            assert info is not None  # a mapping read from the file
            if "share" in flow:
                at = offset(info.child("share"))  # type: ignore[arg-type]
                edits.append((at, token_end(at), shown))
                continue
            to_at = offset(info.child("to"))  # type: ignore[arg-type]
            to_end = token_end(to_at)
            if text[offset(info.pos)] == "{":
                edits.append((to_end, to_end, f", share: {shown}"))
            else:
                key_line, key_col = info.key("to")  # type: ignore[misc]
                line_end = starts[key_line] if key_line < len(starts) else len(text)
                # Insert after the `to:` line, before its line break is lost at the end of the file.
                if line_end == len(text) and not text.endswith(("\n", "\r")):
                    edits.append((line_end, line_end, f"{newline}{' ' * (key_col - 1)}share: {shown}"))
                else:
                    edits.append((line_end, line_end, f"{' ' * (key_col - 1)}share: {shown}{newline}"))
    out = text
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + new + out[end:]
    _check(result, out, report)
    return out, notes


def _check(result: FileResult, text: str, report: dict[str, Any]) -> None:
    """Refuse to write a copy that does not load, or whose shares are not the ones meant."""
    from procmap.config import Config
    from procmap.load.loader import LoadError, parse
    from procmap.validate import check_text

    try:
        parse(text, result.path)
    except LoadError as exc:  # pragma: no cover - a bug in the edit, never the user's doing
        raise UsageError(f"{result.path}: could not write the shares without breaking the file ({exc})") from None
    checked = check_text(text, result.path, Config())
    errors = [d for d in checked.diagnostics if d.severity.label == "error"]
    if errors:
        first = errors[0]
        raise UsageError(
            f"{result.path}: the copy with observed shares would not validate "
            f"(line {first.line}: {first.message}); nothing written"
        )
