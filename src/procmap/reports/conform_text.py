"""The conform report as plain text for a terminal or a CI log: sentences first, then aligned tables."""

from __future__ import annotations

import textwrap
import unicodedata

from procmap.conform import Conformed
from procmap.diagnostics import printable_line
from procmap.reports import conform_sections as S

WIDTH = 100


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def _clip(text: str, limit: int = 48) -> str:
    text = printable_line(text)
    return text if _width(text) <= limit else text[: limit - 1] + "…"


def table(headers: tuple[str, ...], rows: list[tuple[S.Cell, ...]], numeric: tuple[int, ...] = ()) -> list[str]:
    cells = [[_clip(h) for h in headers]] + [[_clip("–" if c is None else c) for c in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = []
        for i, c in enumerate(row):
            pad = " " * (widths[i] - _width(c))
            parts.append(pad + c if i in numeric else c + pad)
        return "  " + "  ".join(parts).rstrip()

    out = [line(cells[0]), "  " + "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return out


def render(item: Conformed) -> str:
    r = item.report
    graph = item.result.graph
    out = [printable_line(S.title(r)), "=" * min(WIDTH, _width(printable_line(S.title(r)))), ""]
    for sentence in S.intro(r):
        out += textwrap.wrap(printable_line(sentence), WIDTH)
    out.append("")
    if r["budgets"]:
        out.append("Budgets")
        out += table(S.BUDGET_HEADERS, S.budget_rows(r), numeric=(1, 2))
        out.append("")
    for section in S.build(r, graph):
        out += [section.title, "-" * _width(section.title)]
        out += textwrap.wrap(section.blurb, WIDTH)
        out += table(section.headers, section.rows, section.numeric) if section.rows else ["  " + section.empty]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
