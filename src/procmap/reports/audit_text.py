"""The audit as terminal text: rich tables on a terminal, plain ASCII tables anywhere else.

On a TTY the tables are rich's (rounded borders, wrapped to the terminal's
width, colour unless NO_COLOR).  In a pipe, a file or a CI log they are drawn
with ``+ - |`` only, one row per line, no escape codes: logs read the same on
every runner, rows can be grepped, and a 20,000-step process is written in
well under a second (rich's layout engine needs tens of seconds for that).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from typing import Any

from procmap.audit import Audited
from procmap.diagnostics import printable_line
from procmap.reports import audit_journeys as J
from procmap.reports import audit_sections as S

Rows = list[tuple[S.Cell, ...]]


def _clean(text: str) -> str:
    """One line, no control characters: a step name must never move the cursor or change colours."""
    return printable_line(text)


def _cell_text(value: S.Cell, glyphs: S.Glyphs) -> str:
    if value is None:
        return glyphs.dash
    if isinstance(value, S.Ids):
        joiner = f" {glyphs.arrow} " if value.path else ", "
        return joiner.join(_clean(i) for i in value.items)
    return _clean(value)


def _width(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Plain:
    """ASCII tables sized to their content; nothing a log viewer could misread."""

    glyphs = S.Glyphs.pick(ascii_only=True)

    def __init__(self) -> None:
        self.out = io.StringIO()

    def heading(self, text: str, level: int) -> None:
        self.out.write(text + "\n")
        if level == 1:
            self.out.write("=" * _width(text) + "\n")

    def line(self, label: str, text: str) -> None:
        self.out.write(f"{label}{text}\n")

    def blank(self) -> None:
        self.out.write("\n")

    def table(self, headers: tuple[str, ...], rows: Rows) -> None:
        body = [[_cell_text(c, self.glyphs) for c in row] for row in rows]
        widths = [_width(h) for h in headers]
        for cells in body:
            for i, text in enumerate(cells):
                widths[i] = max(widths[i], _width(text))
        rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+\n"

        def fmt(cells: list[str] | tuple[str, ...]) -> str:
            return "|" + "|".join(f" {t}{' ' * (w - _width(t))} " for t, w in zip(cells, widths, strict=True)) + "|\n"

        write = self.out.write
        write(rule)
        write(fmt(headers))
        write(rule)
        for cells in body:
            write(fmt(cells))
        write(rule)

    def result(self) -> str:
        return self.out.getvalue()


class _Rich:
    """rich tables for a person at a terminal."""

    glyphs = S.Glyphs.pick(ascii_only=False)

    def __init__(self, colour: bool, width: int | None) -> None:
        from rich.console import Console

        self.out = io.StringIO()
        self.console = Console(
            file=self.out,
            width=width or 120,
            force_terminal=colour,
            no_color=not colour,
            color_system="standard" if colour else None,
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=False,
            legacy_windows=False,
        )

    def heading(self, text: str, level: int) -> None:
        from rich.text import Text

        if level == 1:
            self.console.print(Text(text, style="bold underline"))
        else:
            self.console.print(Text(text, style="bold"))

    def line(self, label: str, text: str) -> None:
        from rich.text import Text

        self.console.print(Text(label, style="bold") + Text(text))

    def blank(self) -> None:
        self.console.print()

    def table(self, headers: tuple[str, ...], rows: Rows) -> None:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        t = Table(box=box.ROUNDED, header_style="bold")
        for h in headers:
            t.add_column(h, overflow="fold")
        for row in rows:
            cells = []
            for value in row:
                style = "dim" if value is None else "cyan" if isinstance(value, S.Ids) else ""
                cells.append(Text(_cell_text(value, self.glyphs), style=style))
            t.add_row(*cells)
        self.console.print(t)

    def result(self) -> str:
        return self.out.getvalue()


def render(audited: list[Audited], *, tty: bool = False, colour: bool = False, width: int | None = None) -> str:
    """The text report; ``tty`` picks rich tables (with colour when ``colour``), else plain ASCII."""
    w: _Plain | _Rich = _Rich(colour, width) if tty else _Plain()
    glyphs = w.glyphs
    reports = [a.report for a in audited]
    if len(audited) > 1:
        w.heading(f"Audit of {len(audited)} processes", 1)
        w.table(S.OVERVIEW_HEADERS, S.overview_rows(reports))
        w.blank()
    for item in audited:
        r = item.report
        w.heading(f"{_clean(r['name'])} ({r['id']}) {glyphs.dash} {_clean(r['file'])}", 1)
        w.blank()
        for sentence in r.get("headline", []):
            w.line("", _clean(sentence))
        tiles = J.journey_tiles(r)
        if tiles:
            w.blank()
            for tile in tiles:
                w.line("", _clean(tile.line()))
        w.blank()
        if r["budgets"]:
            w.heading("Budgets", 2)
            w.table(S.BUDGET_HEADERS, S.budget_rows(r))
            w.blank()
        journey_sections = J.sections(r, item.graph, glyphs, item.loop_edges)
        if journey_sections:
            w.heading("Journeys: what one customer goes through", 2)
            w.blank()
        for section in journey_sections:
            if section.rows:
                w.heading(section.title, 2)
                w.line("", _clean(section.blurb))
                w.table(section.headers, section.rows)
            else:
                w.line(f"{_clean(section.title)}: ", section.empty)
            w.blank()
        w.heading(S.GRAPH_TITLE, 2)
        w.line("", S.GRAPH_BLURB)
        w.table(("Metric", "Value", "Metric", "Value"), _metric_rows(r))
        w.blank()
        for section in S.build(r, item.graph, glyphs):
            if section.rows:
                w.heading(section.title, 2)
                w.table(section.headers, section.rows)
            else:
                w.line(f"{section.title}: ", section.empty.lower().rstrip("."))
            w.blank()
    return w.result()


def _metric_rows(report: dict[str, Any]) -> Rows:
    """Metrics two to a row, so the block stays short."""
    value: Callable[[str], str] = lambda key: S.metric_value(key, report["metrics"][key])  # noqa: E731
    items = [(label, value(key)) for key, label in S.METRIC_LABELS.items()]
    half = (len(items) + 1) // 2
    rows: Rows = []
    for i in range(half):
        right = items[half + i] if half + i < len(items) else ("", "")
        rows.append((items[i][0], items[i][1], right[0], right[1]))
    return rows
