"""The opening of every HTML page procmap writes (audit, conform, one case), in one place.

Each page carries the same Content-Security-Policy (no network, procmap's own
script by its hash: see :mod:`procmap.reports.html_zoom`), the generator's
version, and its styles inline, so one change to what a page may load is made
once for all of them.
"""

from __future__ import annotations

from html import escape

from procmap.reports.html_zoom import CSP


def page_head(title_html: str, css: str) -> list[str]:
    """The lines from ``<!DOCTYPE html>`` to ``<body>``, ``css`` inline.

    ``title_html`` comes escaped by the caller: each report has its own escaping
    (conform's also shows control characters as escapes).
    """
    from procmap import __version__

    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="procmap {escape(__version__)}">',
        f"<title>{title_html}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
    ]
