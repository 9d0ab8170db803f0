"""The audit's four formats: what a terminal, a CI log, GitHub and a browser get."""

from __future__ import annotations

import json
import re
import sys
import types
from html.parser import HTMLParser

import pytest

from procmap.config import Config
from procmap.diagnostics import UsageError
from test_audit_cases import LOAN, RETURNS, SUPPORT

NASTY = """
version: 1
process: {id: nasty, name: "Nasty <b>names</b> & co"}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: desk, name: Desk, kind: onstage}
  - {id: back, name: Back office, kind: backstage}
  - {id: shop, name: Shop, kind: onstage}
steps:
  - {id: ask, name: "Ask | pipe", lane: customer, channel: "web | app", next: [greet]}
  - id: greet
    name: "<script>alert('x')</script>"
    lane: desk
    owner: "[link](http://evil.example) *bold* `code`"
    evidence: "line one\\nline two"
    channel: "\\e[31mred"
    next: [check]
  - {id: check, name: Check, lane: back, duration: 1h, next: [sell]}
  - {id: sell, name: "A & B <img src=x onerror=alert(1)>", lane: shop, channel: shop}
"""


def _items(cli, write, text: str, name: str = "p.yaml", **limits: int):
    from procmap.audit import audit
    from procmap.validate import require_valid

    return [audit(require_valid(str(write(text, name)), Config()), dict(limits))]


# --- HTML ---------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects what the tests look for: sections, scripts, anything that would fetch from a network."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[tuple[str, str]] = []  # (article id, data-section)
        self.article = ""
        self.tags: list[str] = []
        self.fetching: list[str] = []
        self.text: list[str] = []
        self.event_handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "article":
            self.article = a.get("id") or ""
        if "data-section" in a:
            self.sections.append((self.article, a["data-section"] or ""))
        for key, value in attrs:
            if key.startswith("on"):
                self.event_handlers.append(key)
            if key in ("src", "href") and value and not value.startswith(("#", "data:")):
                self.fetching.append(value)
        if tag == "link" or (tag == "style" and "@import" in (a.get("src") or "")):
            self.fetching.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


SECTIONS = [
    "summary",
    "journeys",
    "diagram",
    "customer_actions",
    "touchpoints",
    "visible_handoffs",
    "handoffs",
    "visibility_crossings",
    "hidden_contacts",
    "waits",
    "channel_switches",
    "data_classes",
    "fail_points",
    "metrics",
]


def test_html_is_self_contained_with_all_sections(cli, write, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "procmap.render", None)  # as if no renderer: ImportError
    result = cli("audit", write(RETURNS, "a.yaml"), write(SUPPORT, "b.yaml"), "--format", "html")
    assert result.exit_code == 0
    page = _Page()
    page.feed(result.stdout)
    assert page.tags[0] == "html"
    assert page.sections[0] == ("", "overview")
    assert page.sections[1:] == [(p, s) for p in ("p1", "p2") for s in SECTIONS]
    assert page.fetching == []
    assert page.tags.count("script") == 1 and "iframe" not in page.tags  # procmap's zoom script, nothing else
    assert _only_our_script(result.stdout)
    assert "Content-Security-Policy" in result.stdout and "default-src 'none'" in result.stdout
    text = " ".join(page.text)
    assert "Diagram not available" in text
    assert "Product return" in text and "Support ticket" in text
    assert "Customer-visible handoffs (2)" in text and "Customer-visible handoffs (3)" in text


def test_html_escapes_everything_the_user_wrote(cli, write, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "procmap.render", None)
    result = cli("audit", write(NASTY), "--format", "html")
    assert result.exit_code == 0
    page = _Page()
    page.feed(result.stdout)
    assert page.tags.count("script") == 1 and "img" not in page.tags and "b" not in page.tags
    assert _only_our_script(result.stdout)
    assert page.event_handlers == [] and page.fetching == []
    text = "".join(page.text)
    assert "<script>alert('x')</script>" in text  # shown, as text
    assert "A & B <img src=x onerror=alert(1)>" in text
    assert "Nasty <b>names</b> & co" in text


class _FakeUnavailable(UsageError):
    pass


def _only_our_script(page: str) -> bool:
    """The page's one script is procmap's zoom script, allowed by its hash, and the user's text is not in it."""
    from procmap.reports.audit_html import _SCRIPT, SCRIPT_HASH

    return page.count("<script>") == 1 and f"<script>{_SCRIPT}</script>" in page and SCRIPT_HASH in page


def _fake_render_module(svg: bytes | None, reason: str = "") -> types.ModuleType:
    module = types.ModuleType("procmap.render")

    def render(result, fmt: str, **options) -> bytes:
        assert fmt == "svg" and result.graph is not None
        if svg is None:
            raise _FakeUnavailable(reason)
        return svg

    def render_pages(result, page, **options) -> list[bytes]:  # the print copies (reports/html_zoom.py)
        return [render(result, "svg")]

    module.render = render  # type: ignore[attr-defined]
    module.render_pages = render_pages  # type: ignore[attr-defined]
    module.RenderUnavailable = _FakeUnavailable  # type: ignore[attr-defined]
    module.RenderFailed = type("RenderFailed", (UsageError,), {})  # type: ignore[attr-defined]
    return module


def test_html_embeds_the_diagram_inline(cli, write, monkeypatch) -> None:
    svg = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<!-- Generated by graphviz -->\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<text>lane</text></svg>\n"
    )
    monkeypatch.setitem(sys.modules, "procmap.render", _fake_render_module(svg))
    result = cli("audit", write(RETURNS), "--format", "html")
    assert result.exit_code == 0
    html = result.stdout
    start = html.index('<section data-section="diagram"')
    block = html[start : html.index("</section>", start)]
    assert re.search(r'<div class="diagram"[^>]*><svg xmlns="http://www.w3.org/2000/svg"', block)
    assert "<?xml" not in html and "DOCTYPE svg" not in html
    assert "Diagram not available" not in html


def test_html_notes_when_the_renderer_is_unavailable(cli, write, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "procmap.render", _fake_render_module(None, "Graphviz <dot> not found"))
    result = cli("audit", write(RETURNS), "--format", "html")
    assert result.exit_code == 0
    assert "Diagram not available: Graphviz &lt;dot&gt; not found" in result.stdout


def test_html_report_survives_a_diagram_that_cannot_be_drawn(cli, write, monkeypatch) -> None:
    """The real renderer refuses some processes (e.g. over its step limit): the report still comes out."""
    import procmap.render

    def refuse(result, fmt, **kwargs):
        raise procmap.render.RenderFailed("too many steps to draw")

    monkeypatch.setattr(procmap.render, "render", refuse)
    result = cli("audit", write(RETURNS), "--format", "html")
    assert result.exit_code == 0
    assert "Diagram not available: too many steps to draw" in result.stdout
    assert 'data-section="visible_handoffs"' in result.stdout and 'data-section="metrics"' in result.stdout


# --- Markdown -----------------------------------------------------------------------------


def _markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


def test_markdown_renders_as_tables(cli, write) -> None:
    result = cli("audit", write(RETURNS, "a.yaml"), write(LOAN, "b.yaml"), "--format", "markdown")
    assert result.exit_code == 0
    md = result.stdout
    rendered = _markdown_html(md)
    # overview + per process: visible handoffs, metrics, 9 other sections minus the empty ones
    assert rendered.count("<table>") >= 1 + 2 * 5
    assert "<th>From</th>" in rendered
    assert "<td><code>log</code></td>" in rendered
    assert "**Longest wait:** 2d 1h" in md  # returns: 2d + 1h
    assert "**Longest wait:** no upper bound" in md  # loan: review <-> rework loop
    for line in md.splitlines():
        if line.startswith("|"):
            assert line.endswith("|")


def test_markdown_escapes_cells(cli, write) -> None:
    result = cli("audit", write(NASTY), "--format", "markdown")
    md = result.stdout
    rendered = _markdown_html(md)
    assert "<script>" not in rendered and "<img" not in rendered and "<a href" not in rendered
    assert "<strong>bold</strong>" not in rendered and "*bold*" in md.replace("\\", "")  # stays literal
    # the pipe stays inside its cell: the customer actions row has exactly 3 cells
    row = next(line for line in md.splitlines() if line.startswith("| `ask`"))
    cells = [c for c in row.replace("\\|", "¦").split("|")[1:-1]]
    assert len(cells) == 3 and "Ask ¦ pipe" in cells[1] and "web ¦ app" in cells[2]
    assert "line one<br>line two" in md
    assert "\x1b" not in md


# --- Text -----------------------------------------------------------------------------------


def test_text_in_a_pipe_is_plain_ascii(run, write) -> None:
    proc = run("audit", write(RETURNS), env={"NO_COLOR": "", "FORCE_COLOR": ""})
    assert proc.returncode == 0
    out = proc.stdout.decode("utf-8")
    assert "\x1b" not in out
    assert not any(ch in out for ch in "─│╭╮╰╯━→–")
    assert "| log    | pickup | desk -> courier | label -> print    |" in out
    assert "Customer-visible handoffs (2)" in out


def test_text_on_a_terminal_has_boxes_and_colour_unless_no_color(write) -> None:
    from procmap.reports.audit_formats import render

    items = _items(None, write, RETURNS)
    coloured = render(items, "text", tty=True, colour=True)
    assert "\x1b[" in coloured and "╭" in coloured and "→" in coloured
    plain = render(items, "text", tty=True, colour=False)
    assert "\x1b" not in plain and "╭" in plain


@pytest.mark.parametrize("columns", ["200", "80"])
def test_text_neutralises_control_characters_and_markup(write, monkeypatch, columns: str) -> None:
    """User text is shown as written at any terminal width, never obeyed as escapes, markup or links.

    On a terminal the report takes the terminal's width (``COLUMNS`` first),
    and a narrow table wraps cells: the width is set here, not inherited (under
    pytest-xdist the workers run with COLUMNS=80, which once wrapped the owner
    cell and failed this test only in parallel runs).
    """
    from procmap.reports.audit_formats import render

    monkeypatch.setenv("COLUMNS", columns)
    out = render(_items(None, write, NASTY), "text", tty=True, colour=True)
    assert "\x1b[31m" not in out and "\x1b]8;" not in out  # no raw colour escape from the file, no hyperlink
    shown = re.sub(r"\x1b\[[0-9;]*m", "", out)  # procmap's own styling
    cells = _cells(shown)
    assert "\\x1b[31mred" in cells  # the escape is shown, not obeyed
    assert "[link](http://evil.example)*bold*`code`" in cells
    assert "<script>alert('x')</script>" in cells
    if columns == "200":
        assert "[link](http://evil.example) *bold* `code`" in shown  # wide enough: not even wrapped


def _cells(text: str) -> set[str]:
    """Every table cell's text with the wrapping undone (whitespace dropped): rows whose first cell is empty continue the row above."""
    records: list[list[str]] = []
    for line in text.splitlines():
        if "│" not in line:
            continue
        parts = line.split("│")[1:-1]
        if (parts and parts[0].strip()) or not records or len(records[-1]) != len(parts):
            records.append(["".join(p.split()) for p in parts])
        else:
            records[-1] = [a + "".join(p.split()) for a, p in zip(records[-1], parts, strict=True)]
    return {cell for record in records for cell in record}


def test_text_budget_table(write) -> None:
    from procmap.reports.audit_formats import render

    out = render(_items(None, write, RETURNS, **{"max-touchpoints": 2}), "text")
    assert "| max-touchpoints | 2     | 3     | EXCEEDED |" in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_format_shows_the_same_visible_handoffs(cli, write, fmt: str, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "procmap.render", None)
    path = write(SUPPORT)
    data = json.loads(cli("audit", path, "--format", "json").stdout)["processes"][0]
    out = cli("audit", path, "--format", fmt).stdout
    for h in data["visible_handoffs"]:
        assert h["from"] in out and h["to"] in out
    assert "Customer-visible handoffs (3)" in out


def test_html_with_the_installed_renderer_keeps_user_text_inert(cli, write) -> None:
    """Whatever `procmap.render` is installed (or none): names never become markup, nothing is fetched."""
    result = cli("audit", write(NASTY), "--format", "html")
    assert result.exit_code == 0
    page = _Page()
    page.feed(result.stdout)
    assert {"img", "iframe", "object", "embed", "link"}.isdisjoint(page.tags)
    assert page.tags.count("script") == 1 and _only_our_script(result.stdout)
    assert page.event_handlers == [] and page.fetching == []
    assert ("p1", "diagram") in page.sections
    diagram_present = "<svg" in result.stdout
    assert diagram_present != ("Diagram not available" in result.stdout)


def test_force_color_and_no_color(run, write) -> None:
    path = write(RETURNS)
    forced = run("audit", path, env={"NO_COLOR": "", "FORCE_COLOR": "1"}).stdout.decode()
    assert "\x1b[" in forced and "╭" in forced
    both = run("audit", path, env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout.decode()
    assert "\x1b" not in both and "+----" in both
    to_file = path.with_name("report.txt")
    assert run("audit", path, "-o", to_file, env={"NO_COLOR": "", "FORCE_COLOR": "1"}).returncode == 0
    assert "\x1b" not in to_file.read_text(encoding="utf-8")


def test_overview_leads_with_the_customer_worst_first(run):
    """Several files: one row per process, worst first by SPEC §5.7's worst order read on each process's worst
    journey (comes back, longest silence, elapsed, handoffs), with what one customer meets as columns; the
    graph totals are not in it (they count places, and made the invoice story look cleanest: issue 19)."""
    from conftest import EXAMPLES

    files = [
        EXAMPLES / "support-ticket.yaml",
        EXAMPLES / "loan-application.yaml",
        EXAMPLES / "stories" / "wrong-invoice.yaml",
    ]
    text = run("audit", *files).stdout.decode()
    lines = text.splitlines()
    header = [c.strip() for c in next(x for x in lines if "Journey handoffs (main / worst)" in x).strip("|").split("|")]
    assert header[2:8] == [
        "Customers who come back",
        "Worst journey comes back",
        "Longest silence (worst journey)",
        "Time (worst journey)",
        "Journey handoffs (main / worst)",
        "Promises broken",
    ]
    assert "Touchpoints" not in header and "Visible handoffs" not in header
    data = json.loads(run("audit", "--format", "json", *files).stdout)

    def key(report: dict) -> tuple:
        f = report["journeys"]["worst"]["figures"]
        return (f["repeats"] + f.get("chases", 0), f["longest_silence"], f["elapsed"], f["visible_handoffs"])

    expected_order = [r["id"] for r in sorted(data["processes"], key=key, reverse=True)]
    rows = [x for x in lines if x.startswith("| ") and not x.startswith("| Process")][: len(files)]
    assert [r.strip("|").split("|")[0].strip() for r in rows] == expected_order
    for report in data["processes"]:
        j = report["journeys"]
        row = next(x for x in rows if x.startswith(f"| {report['id']} "))
        cells = [c.strip() for c in row.strip("|").split("|")]
        worst = j["worst"]["figures"]
        assert cells[6] == f"{j['main']['figures']['visible_handoffs']} / {worst['visible_handoffs']}"
        broken = sum(1 for s in j["sla"] if s["breach"])
        assert cells[7] == f"{broken} of {len(j['sla'])}"
    invoice = next(x for x in rows if x.startswith("| wrong-invoice "))
    assert "| 1 of 1 " in invoice  # the corrected invoice's promise breaks
    for fmt in ("markdown", "html"):
        out = run("audit", "--format", fmt, *files).stdout.decode()
        assert "Journey handoffs (main / worst)" in out and "Customers who come back" in out
        overview = (
            out.split("\n### ")[0]
            if fmt == "markdown"
            else out.split('data-section="overview"')[1].split("</table>")[0]
        )
        mark = "`{}`" if fmt == "markdown" else "{}</code>"
        positions = [overview.index(mark.format(pid)) for pid in expected_order]
        assert positions == sorted(positions), fmt
