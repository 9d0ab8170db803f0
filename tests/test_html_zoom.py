"""Zoom, pan and print of the diagrams in the HTML reports (audit and conform), issue 20 item 6.

The structure is checked on the HTML; the behaviour in headless Chromium
(Debian's `chromium`; these tests skip cleanly without it): conform.html's
zoom-in button changes the diagram's scale, and the HTML audit of the
examples prints to A4 landscape with every diagram on whole pages, no text
below 6 points and no page more than half empty.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from chromium import chromium, needs_chromium
from conftest import EXAMPLES


@pytest.fixture(scope="module")
def conform_html(tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    from procmap.cli import app

    out = tmp_path_factory.mktemp("conform") / "conform.html"
    args = ["conform", str(EXAMPLES / "support-ticket.yaml"), str(EXAMPLES / "logs" / "support-tickets.csv")]
    res = CliRunner().invoke(app(), [*args, "--case", "ticket_id", "-o", str(out), "-q"], catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    return out


@pytest.fixture(scope="module")
def audit_html(tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    from procmap.cli import app

    out = tmp_path_factory.mktemp("audit") / "audit.html"
    files = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    res = CliRunner().invoke(app(), ["audit", *files, "--format", "html", "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    return out


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, re.S)


@pytest.mark.parametrize("which", ["audit_html", "conform_html"])
def test_one_script_allowed_by_its_hash_and_print_pages(request, which):
    page = request.getfixturevalue(which).read_text(encoding="utf-8")
    (script,) = _scripts(page)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1]
    assert 'class="diagram"' in page and 'class="print-pages"' in page
    # the print copies are whole A4-landscape pages, without the screen diagram's ids
    prints = page.split('class="print-pages"', 1)[1]
    assert prints.count('<div class="print-page"><svg width="841.89pt" height="595.28pt"') >= 1
    assert ' id="step-' not in prints
    assert "zoom with the buttons" not in page.replace("zoom with the buttons or Ctrl + wheel", "")


def test_the_caption_says_what_exists(audit_html):
    page = audit_html.read_text(encoding="utf-8")
    assert "drag to pan; zoom with the buttons or Ctrl + wheel; lane titles stay in view" in page


_PROBE = """<!DOCTYPE html><html><body><pre id="out">waiting</pre>
<iframe id="f" src="{src}" style="width:1200px;height:900px"></iframe>
<script>
document.getElementById('f').addEventListener('load', function () {{
  var d = this.contentDocument, out = {{}};
  var box = d.querySelector('.diagram'), svg = box.querySelector('svg');
  var zoomIn = d.querySelector('.zoombar button[aria-label="Zoom in"]');
  var fit = d.querySelector('.zoombar button[aria-label="The whole diagram in the page width"]');
  out.bars = d.querySelectorAll('.zoombar').length;
  out.before = svg.getBoundingClientRect().width;
  out.fontBefore = d.querySelector('.diagram svg text').getBoundingClientRect().height;
  zoomIn.click();
  out.after = svg.getBoundingClientRect().width;
  box.scrollLeft = 400;
  box.dispatchEvent(new Event('scroll'));
  var pin = d.querySelector('.lane-pin');
  out.pinShown = getComputedStyle(pin).display !== 'none';
  out.pinLeft = parseFloat(pin.style.left);
  fit.click();
  out.fit = svg.getBoundingClientRect().width;
  out.boxWidth = box.clientWidth;
  document.getElementById('out').textContent = JSON.stringify(out);
}});
</script></body></html>"""


@needs_chromium
def test_conform_zoom_works_in_chromium(conform_html, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(_PROBE.format(src=conform_html.as_uri()), encoding="utf-8")
    res = chromium("--allow-file-access-from-files", "--virtual-time-budget=8000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="out">(\{.*?\})</pre>', res.stdout)
    assert found, f"the probe did not run: {res.stdout[-500:]} {res.stderr[-500:]}"
    out = json.loads(found.group(1).replace("&quot;", '"'))
    assert out["bars"] == 1  # the script ran under the page's CSP
    assert out["after"] > out["before"] * 1.2  # zoom in: the diagram's scale changes
    # Readable at the default zoom: text at its natural size, not squeezed to the page width.
    assert out["fontBefore"] >= 8
    assert out["pinShown"] and out["pinLeft"] == pytest.approx(400, abs=2)  # lane titles kept in view
    assert out["fit"] <= out["boxWidth"] + 1


def _pages(pdf: Path) -> list:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return [
            {
                "width": p.width,
                "height": p.height,
                "chars": [(c["size"], c["top"], c["bottom"], c["x0"], c["x1"]) for c in p.chars],
                "text": p.extract_text() or "",
                "objects": [
                    (o["x0"], o["top"], o["x1"], o["bottom"])
                    for k in ("rects", "curves", "lines")
                    for o in getattr(p, k)
                ],
            }
            for p in doc.pages
        ]


@needs_chromium
def test_audit_prints_a4_landscape_diagrams_whole_text_6pt_no_half_empty_page(audit_html, tmp_path):
    pytest.importorskip("pdfplumber")
    pdf = tmp_path / "audit.pdf"
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", audit_html.as_uri())
    assert pdf.exists()
    pages = _pages(pdf)
    assert 10 <= len(pages) <= 120
    diagram_pages = 0
    for n, page in enumerate(pages, start=1):
        assert round(page["width"]) == 842 and round(page["height"]) == 595, f"page {n} is not A4 landscape"
        assert page["chars"], f"page {n} is empty"
        assert min(c[0] for c in page["chars"]) >= 6.0 - 0.02, f"page {n}: text below 6 pt"
        for x0, top, x1, bottom in page["objects"]:
            assert x0 >= -1 and top >= -1 and x1 <= page["width"] + 1 and bottom <= page["height"] + 1, n
        assert max(c[4] for c in page["chars"]) <= page["width"], f"page {n}: text past the right edge"
        if re.search(r"· page \d+ of \d+", page["text"]) or "steps ·" in page["text"]:
            diagram_pages += 1
    assert diagram_pages >= 8  # two diagrams per process, each on pages of its own
    # No diagram cut: every print page of the HTML is exactly one page of the printout, after the text.
    printed = audit_html.read_text(encoding="utf-8").count('<div class="print-page">')
    text_end = max(n for n, p in enumerate(pages) if "Metric" in p["text"])
    assert len(pages) - 1 - text_end == printed
    # No page more than half empty: the content of every page reaches below its middle, except the
    # last page of the text (the report's text flows on, then the diagrams' pages follow) and a page
    # that holds only a legend (a legend as tall as a third of the page finds no room under the rows).
    for n, page in enumerate(pages):
        body = [c for c in page["chars"] if c[2] < page["height"] - 20]  # not the page footer
        low = max(c[2] for c in body)
        legend_only = (
            "Customer action" in page["text"] and "Part " not in page["text"] and "steps ·" not in page["text"]
        )
        if n == text_end or legend_only:
            continue
        assert low >= page["height"] / 2, f"page {n + 1} is more than half empty: {page['text'][:80]!r}"
    # every process's blueprint and customer view reach the printout
    text = " ".join(p["text"] for p in pages)
    for name in ("Clinic appointment", "Consumer loan application", "Support ticket with escalation"):
        assert f"{name} — as the customer lives it" in text
