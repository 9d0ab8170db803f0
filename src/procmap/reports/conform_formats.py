"""Conform report formats: text, Markdown, JSON and HTML, all drawn from :mod:`procmap.conform`'s dictionary."""

from __future__ import annotations

from procmap.conform import Conformed

FORMATS = ("text", "markdown", "json", "html")


def render(item: Conformed, fmt: str) -> str:
    """The report of ``item`` in ``fmt``."""
    if fmt == "json":
        from procmap.reports import conform_json

        return conform_json.render(item)
    if fmt == "markdown":
        from procmap.reports import conform_markdown

        return conform_markdown.render(item)
    if fmt == "html":
        from procmap.reports import conform_html

        return conform_html.render(item)
    if fmt == "text":
        from procmap.reports import conform_text

        return conform_text.render(item)
    raise ValueError(f"unknown conform format {fmt!r}")
