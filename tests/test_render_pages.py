"""`render --page`: fit, don't tile (issue 20).

Checked on the PDF itself with pdfplumber: every example and a 60-step
generated process print on one A4-landscape page or wrap into rows, every
character at 6 points or more, no shape or text crossing a page edge (a box
cut between two pages would), every step's name on some page, the legend
whole on one page.  Also: PNG with --page is that page at 200 dpi, SVG with
--page has the page as its viewBox or is refused in one line, --page is
refused where it would be ignored, --tile keeps tiling, `render FOLDER`,
and planning costs a bounded number of layouts whatever the size.
"""

from __future__ import annotations

import re
import struct
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

pdfplumber = pytest.importorskip("pdfplumber")
sys.path.insert(0, str(ROOT / "benchmarks"))

FILES = [*sorted(EXAMPLES.glob("*.yaml")), EXAMPLES / "stories" / "wrong-invoice.yaml"]
SUPPORT = EXAMPLES / "support-ticket.yaml"
INVOICE = EXAMPLES / "stories" / "wrong-invoice.yaml"
A4_LANDSCAPE = (841.89, 595.28)
LEGEND = ("Customer action", "Touchpoint (onstage)", "Decision", "End step", "Start")


def _generated(tmp_path: Path, steps: int, seed: int = 7) -> Path:
    from generate import process_yaml

    path = tmp_path / f"generated-{steps}.yaml"
    path.write_text(process_yaml(steps, seed=seed), encoding="utf-8")
    return path


def _check_pdf(pdf_path: Path, page: tuple[float, float]) -> list[str]:
    """Every page's text, after asserting the print rules on every page."""
    texts = []
    with pdfplumber.open(pdf_path) as pdf:
        assert pdf.pages, "no page"
        for n, p in enumerate(pdf.pages, start=1):
            assert (round(p.width, 1), round(p.height, 1)) == (round(page[0], 1), round(page[1], 1)), n
            sizes = [c["size"] for c in p.chars]
            assert sizes, f"page {n} has no text"
            assert min(sizes) >= 6.0 - 0.01, f"page {n}: text at {min(sizes):.2f} pt"
            for kind in ("chars", "rects", "curves", "lines"):
                for o in getattr(p, kind):
                    inside = o["x0"] >= -0.5 and o["top"] >= -0.5 and o["x1"] <= p.width + 0.5
                    assert inside and o["bottom"] <= p.height + 0.5, f"page {n}: a {kind[:-1]} crosses the page edge"
            texts.append(p.extract_text() or "")
    return texts


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


def _pages_hold_everything(texts: list[str], source: Path) -> None:
    import yaml

    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    found = _words(" ".join(texts))
    for step in data["steps"]:
        first = re.findall(r"\w+", step["name"])[:2]
        assert set(first) <= found, f"step {step['id']} is missing from the print"
    # The legend is whole: every caption of its key on one page.
    holding = [i for i, t in enumerate(texts) if all(c in t for c in LEGEND)]
    assert len(holding) == 1, "the legend is split between pages"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_example_prints_on_a4_landscape_without_a_cut(cli, tmp_path, path):
    out = tmp_path / "print.pdf"
    res = cli("render", path, "--page", "a4-landscape", "-o", out)
    assert res.exit_code == 0, res.stderr
    texts = _check_pdf(out, A4_LANDSCAPE)
    _pages_hold_everything(texts, path)
    assert len(texts) <= 8
    if len(texts) > 1:
        assert all(f"page {n} of {len(texts)}" in t for n, t in enumerate(texts, start=1))
        assert all("Part " in t for t in texts[:-1]), "a page of rows without its part heading"


def test_a_60_step_generated_process_wraps_into_rows(cli, tmp_path):
    path = _generated(tmp_path, 60)
    out = tmp_path / "print.pdf"
    res = cli("render", path, "--page", "a4-landscape", "-o", out)
    assert res.exit_code == 0, res.stderr
    texts = _check_pdf(out, A4_LANDSCAPE)
    _pages_hold_everything(texts, path)
    assert 2 <= len(texts) <= 30


def test_the_wrong_invoice_story_is_two_pages_and_its_fail_point_whole(cli, tmp_path):
    out = tmp_path / "story.pdf"
    assert cli("render", INVOICE, "--page", "a4-landscape", "-o", out).exit_code == 0
    texts = _check_pdf(out, A4_LANDSCAPE)
    assert len(texts) == 2
    assert sum("Correct the invoice" in t for t in texts) == 1
    # A3 landscape holds it on one page, unwrapped.
    one = tmp_path / "a3.pdf"
    assert cli("render", INVOICE, "--page", "a3-landscape", "-o", one).exit_code == 0
    texts = _check_pdf(one, (1190.55, 841.89))
    assert len(texts) == 1 and "Part " not in texts[0]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_with_page_is_that_page_at_200_dpi(cli, tmp_path):
    sizes = {}
    for page in ("a3", "a3-landscape", "slide"):
        out = tmp_path / f"{page}.png"
        res = cli("render", INVOICE, "--page", page, "-o", out)
        if page == "slide":
            assert res.exit_code == 2 and re.search(r"needs \d+ slide pages", res.stderr) and not out.exists()
            continue
        assert res.exit_code == 0, res.stderr
        sizes[page] = _png_size(out.read_bytes())
    # A3 at 200 dpi is 2,339 x 3,307 px (resvg rounds each side to within a pixel or two)
    assert abs(sizes["a3"][0] - 2339) <= 2 and abs(sizes["a3"][1] - 3307) <= 2
    assert abs(sizes["a3-landscape"][0] - 3307) <= 2 and abs(sizes["a3-landscape"][1] - 2339) <= 2


def test_svg_with_page_has_the_page_as_viewbox_or_is_refused(cli, tmp_path):
    out = tmp_path / "one.svg"
    res = cli("render", INVOICE, "--page", "a3-landscape", "-o", out)
    assert res.exit_code == 0, res.stderr
    head = out.read_text(encoding="utf-8")[:600]
    assert 'viewBox="0 0 1190.55 841.89"' in head and 'width="1190.55pt"' in head
    res = cli("render", SUPPORT, "--page", "a4-landscape", "-o", tmp_path / "many.svg")
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "a4-landscape pages" in res.stderr and "PDF" in res.stderr
    assert not (tmp_path / "many.svg").exists()


def test_page_and_tile_are_never_ignored(cli, tmp_path):
    res = cli("render", SUPPORT, "--page", "a4", "-f", "dot", "-o", tmp_path / "x.dot")
    assert res.exit_code == 2 and "--page applies to SVG, PNG and PDF" in res.stderr
    res = cli("render", SUPPORT, "--page", "a4", "-f", "mermaid", "-o", tmp_path / "x.mmd")
    assert res.exit_code == 2 and "--page" in res.stderr
    res = cli("render", SUPPORT, "--tile", "-o", tmp_path / "x.pdf")
    assert res.exit_code == 2 and "--tile needs --page" in res.stderr
    res = cli("render", SUPPORT, "--tile", "--page", "a4", "-o", tmp_path / "x.png")
    assert res.exit_code == 2 and "--tile" in res.stderr
    assert not list(tmp_path.iterdir())


def test_tile_keeps_tiling_for_plotters(cli, tmp_path):
    tiled, fitted = tmp_path / "tiled.pdf", tmp_path / "fitted.pdf"
    assert cli("render", SUPPORT, "--page", "a4-landscape", "--tile", "-o", tiled).exit_code == 0
    assert cli("render", SUPPORT, "--page", "a4-landscape", "-o", fitted).exit_code == 0
    with pdfplumber.open(tiled) as a, pdfplumber.open(fitted) as b:
        assert len(a.pages) > len(b.pages)


def test_render_a_folder_like_many_files(cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for f in FILES[:2]:
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "notes.yaml").write_text("just: a note\n", encoding="utf-8")  # not a process: not drawn
    out = tmp_path / "out"
    res = cli("render", folder, "-o", f"{out}/", "-f", "pdf", "--page", "a4-landscape")
    assert res.exit_code == 0, res.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{f.stem}.pdf" for f in FILES[:2])
    res = cli("render", folder)
    assert res.exit_code == 2 and "output directory" in res.stderr
    res = cli("render", EXAMPLES, "-o", tmp_path / "all", "-q")
    assert res.exit_code == 1  # the broken example is reported, the others drawn
    assert "broken-process.yaml" in res.stderr
    assert (tmp_path / "all" / "support-ticket.svg").exists()


def test_fit_units():
    from procmap.render.pages import MIN_TEXT, Size, fit, parse

    slide = parse("slide")
    assert slide is not None and round(slide.width / slide.height, 2) == round(16 / 9, 2)
    a4 = parse("a4-landscape")
    assert a4 is not None
    # Fits: scaled down, never up.
    (sheet,) = fit([Size("whole", 400, 300)], a4)
    assert sheet.placed[0][3] == 1.0
    # Too wide for 6 pt: refused, so the caller wraps.
    assert fit([Size("whole", 4000, 300)], a4) is None
    # Rows stack, several to a page, one scale for all, text never below 6 pt.
    rows = [Size("header", 300, 50), *[Size("row", 1100, 300) for _ in range(5)], Size("legend", 900, 120)]
    sheets = fit(rows, a4)
    assert sheets is not None and 2 <= len(sheets) <= 5
    scales = {s for sheet in sheets for _i, _x, _y, s in sheet.placed if rows[_i].kind == "row"}
    assert len(scales) == 1 and scales.pop() * 9 >= MIN_TEXT
    placed = [i for sheet in sheets for i, *_ in sheet.placed]
    assert sorted(placed) == list(range(len(rows)))  # nothing dropped, nothing twice
    body = [i for i in placed if rows[i].kind != "legend"]
    assert body == sorted(body)  # the title and rows in reading order (the legend goes where there is room)
    for sheet in sheets:  # nothing beyond the printable area
        for i, x, y, s in sheet.placed:
            assert x + rows[i].width * s <= a4.width - a4.margin + 1e-6
            assert y + rows[i].height * s <= a4.height - a4.margin + 1e-6


def test_planning_costs_a_bounded_number_of_layouts(tmp_path, monkeypatch):
    """Item 13: `--wrap 1 --page a4` of 1,201 steps took 74 s; planning now tries about a dozen layouts."""
    from procmap.config import load_config
    from procmap.render import highlight, layout
    from procmap.render.pages import choose_wrap, parse
    from procmap.validate import require_valid

    path = _generated(tmp_path, 400)
    result = require_valid(str(path), load_config(None))
    marks = highlight.choose(result, None, result.graph)
    calls = []

    def build(w: int):
        calls.append(w)
        return layout.build(result.graph, list(result.analysis.visible_handoffs), wrap=w, highlight=marks)

    back = layout._back_edges(result.graph)
    columns = max(layout.columns(result.graph, back).values(), default=0) + 1
    w = choose_wrap(build, columns, parse("a4-landscape"))
    assert w is not None and w >= 1
    assert len(calls) <= 16, calls


@pytest.mark.parametrize("path", [SUPPORT, EXAMPLES / "clinic-appointment.yaml"], ids=lambda p: p.stem)
def test_a4_portrait_relays_the_poster_legend_at_6pt(cli, tmp_path, path):
    """A poster's legend is wider than A4 portrait at 6 pt: its lines are laid out again, nothing dropped."""
    out = tmp_path / "portrait.pdf"
    assert cli("render", path, "--page", "a4", "-o", out).exit_code == 0
    texts = _check_pdf(out, (A4_LANDSCAPE[1], A4_LANDSCAPE[0]))
    _pages_hold_everything(texts, path)
    legend = next(t for t in texts if "Customer action" in t)
    assert "Worst journey" in legend and "Marked quietly" in legend
