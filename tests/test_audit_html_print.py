"""The HTML audit in a real browser: zoom script allowed by the CSP, prints landscape with no cut diagram and no empty page.

Needs Debian's `chromium` and poppler's `pdftotext` (skips without them).
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from chromium import CHROMIUM, chromium, needs_chromium
from conftest import EXAMPLES


def test_the_script_is_allowed_by_its_hash_and_nothing_else():
    from procmap.reports import audit_html

    digest = base64.b64encode(hashlib.sha256(audit_html._SCRIPT.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in audit_html.CSP
    assert "unsafe-inline" not in audit_html.CSP.split("script-src", 1)[1]
    assert "default-src 'none'" in audit_html.CSP


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    from procmap.cli import app

    out = tmp_path_factory.mktemp("html") / "audit.html"
    files = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    res = CliRunner().invoke(app(), ["audit", *files, "--format", "html", "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    return out


def test_report_structure(report: Path):
    page = report.read_text(encoding="utf-8")
    n = len(list(EXAMPLES.glob("*.yaml")))
    assert n >= 5  # every example, order-fulfilment's parallel work included
    assert page.count('<figure class="blueprint">') == n and page.count('<figure class="customer-view">') == n
    assert page.count("<script>") == 1 and "src=" not in page.split("<script>", 1)[1].split("</script>", 1)[0]
    # names first, ids secondary
    assert re.search(r'Ask for an appointment<code class="id">request-appointment</code>', page)


@needs_chromium
def test_zoom_script_runs_under_the_csp(report: Path):
    dom = chromium("--dump-dom", report.as_uri(), cpu_limit=180).stdout
    assert dom.count('class="zoombar"') == 2 * len(list(EXAMPLES.glob("*.yaml")))  # the script ran: one bar per diagram


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftotext") is None, reason="needs chromium and pdftotext")
def test_prints_landscape_with_no_cut_diagram_and_no_empty_page(report: Path, tmp_path: Path):
    pdf = tmp_path / "audit.pdf"
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri(), cpu_limit=180)
    assert pdf.exists()
    bbox = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(bbox)], check=True)
    pages = bbox.read_text(encoding="utf-8").split("<page ")[1:]
    assert 4 <= len(pages) <= 120  # the diagrams on pages of their own at 6 pt or more (tests/test_html_zoom.py)
    for i, page in enumerate(pages, start=1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        assert width > height, f"page {i} is not landscape"
        right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', page)]
        assert right, f"page {i} is empty"
        assert max(right) <= width, f"page {i}: something runs past the right edge"
    # every blueprint's title reaches the printout (no diagram lost), on a page of its own width
    text = " ".join(re.findall(r"<word [^>]*>([^<]*)</word>", " ".join(pages)))
    for name in ("Clinic appointment", "Consumer loan application", "Support ticket with escalation"):
        assert name in text
