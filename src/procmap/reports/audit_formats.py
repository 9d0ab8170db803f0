"""Audit report formats: text (rich), Markdown, JSON and HTML, all drawn from :mod:`procmap.audit` data."""

from __future__ import annotations

from procmap.audit import Audited

FORMATS = ("text", "markdown", "json", "html")


def render(audited: list[Audited], fmt: str, *, tty: bool = False, colour: bool = False) -> str:
    """The report of ``audited`` in ``fmt``; ``tty``/``colour`` only matter for text."""
    if fmt == "json":
        from procmap.reports import audit_json as as_json

        return as_json.render(audited)
    if fmt == "markdown":
        from procmap.reports import audit_markdown as as_markdown

        return as_markdown.render(audited)
    if fmt == "html":
        from procmap.reports import audit_html as as_html

        return as_html.render(audited)
    if fmt == "text":
        from procmap.reports import audit_text as as_text

        width = None
        if tty:
            import shutil

            width = shutil.get_terminal_size((120, 24)).columns
        return as_text.render(audited, tty=tty, colour=colour, width=width)
    raise ValueError(f"unknown audit format {fmt!r}")
