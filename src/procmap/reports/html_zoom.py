"""Zoom, pan and print for the diagrams of the HTML reports (audit and conform), in one place.

On screen a diagram opens at a readable size (its natural size: 9-point
labels are 12 px) unless the whole of it already fits the width; the
buttons (−, +, Fit, 100 %), Ctrl/⌘ + wheel zoom, and dragging pans
without selecting text.  While the picture is scrolled sideways a copy of
its lane-title column stays pinned at the left edge, so a reader always
knows which band is which.  The script is procmap's own, inline, allowed by
its SHA-256 hash in the page's Content-Security-Policy; without it the
diagram still fits the page width.

On paper the screen diagrams are left out and the same blueprints, fitted
onto A4-landscape pages by :func:`procmap.render.render_pages` (one page,
or rows over as few pages as keep every text at 6 points or more; see
:mod:`procmap.render.pages`), follow the report's text, each page with no
margin of the browser's (the pages carry their own, and their titles say
which process and view they show).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import sys
from typing import Any

PRINT_PAGE = "a4-landscape"
TITLE_COLUMN = 184.0  # points: the lane-title column (172) and Graphviz's pad, in the SVG's units

SCRIPT = """
(function () {
  var TITLES = TITLE_COLUMN;
  document.querySelectorAll('.diagram').forEach(function (box) {
    var svg = box.querySelector('svg');
    if (!svg) { return; }
    var vb = svg.viewBox && svg.viewBox.baseVal;
    var natural = vb && vb.width ? vb.width * 4 / 3 : svg.getBoundingClientRect().width || 800;
    var titles = vb && vb.width ? Math.min(1, TITLES / vb.width) : 0;  // the lane-title column's share
    var pin = document.createElement('div');
    pin.className = 'lane-pin';
    pin.setAttribute('aria-hidden', 'true');
    var copy = svg.cloneNode(true);
    copy.querySelectorAll('[id]').forEach(function (e) { e.removeAttribute('id'); });
    pin.appendChild(copy);
    box.appendChild(pin);
    var label = document.createElement('span');
    label.className = 'muted zoomlevel';
    function fit() { return Math.max(0.05, box.clientWidth / natural); }
    var zoom = Math.min(fit() >= 1 ? fit() : 1, 4);
    function place() {
      pin.style.left = box.scrollLeft + 'px';
      pin.style.display = titles > 0 && box.scrollLeft > 2 ? 'block' : 'none';
    }
    function apply(cx, cy) {
      var before = box.scrollWidth || 1;
      var fx = cx === undefined ? 0.5 : cx, fy = cy === undefined ? 0.5 : cy;
      var px = box.scrollLeft + fx * box.clientWidth, py = box.scrollTop + fy * box.clientHeight;
      var w = natural * zoom;
      svg.style.width = w + 'px';
      copy.style.width = w + 'px';
      pin.style.width = (titles * w) + 'px';
      var ratio = (box.scrollWidth || 1) / before;
      box.scrollLeft = px * ratio - fx * box.clientWidth;
      box.scrollTop = py * ratio - fy * box.clientHeight;
      label.textContent = Math.round(zoom * 100) + '%';
      box.classList.toggle('pannable', box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1);
      place();
    }
    function set(z, cx, cy) { zoom = Math.min(4, Math.max(Math.min(fit(), 1), z)); apply(cx, cy); }
    var bar = document.createElement('div');
    bar.className = 'zoombar';
    [['\\u2212', function () { return zoom / 1.25; }, 'Zoom out'],
     ['+', function () { return zoom * 1.25; }, 'Zoom in'],
     ['Fit', fit, 'The whole diagram in the page width'],
     ['1:1', function () { return 1; }, 'Natural size: 9-point labels at 12 px']].forEach(function (b) {
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.textContent = b[0];
      btn.title = b[2];
      btn.setAttribute('aria-label', b[2]);
      btn.addEventListener('click', function () { set(b[1]()); });
      bar.appendChild(btn);
    });
    bar.appendChild(label);
    box.parentNode.insertBefore(bar, box);
    box.addEventListener('wheel', function (e) {
      if (!e.ctrlKey && !e.metaKey) { return; }
      e.preventDefault();
      var r = box.getBoundingClientRect();
      set(zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15), (e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
    }, { passive: false });
    box.addEventListener('scroll', place);
    var drag = null;
    box.addEventListener('pointerdown', function (e) {
      if (e.button !== 0 || !box.classList.contains('pannable')) { return; }
      e.preventDefault();
      drag = [e.clientX, e.clientY, box.scrollLeft, box.scrollTop];
      box.classList.add('dragging');
      box.setPointerCapture(e.pointerId);
    });
    box.addEventListener('pointermove', function (e) {
      if (!drag) { return; }
      box.scrollLeft = drag[2] - (e.clientX - drag[0]);
      box.scrollTop = drag[3] - (e.clientY - drag[1]);
    });
    function end() { drag = null; box.classList.remove('dragging'); }
    box.addEventListener('pointerup', end);
    box.addEventListener('pointercancel', end);
    apply(0, 0);
  });
})();
""".replace("TITLE_COLUMN", f"{TITLE_COLUMN:g}")
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; script-src '{SCRIPT_HASH}'"
CAPTION = "drag to pan; zoom with the buttons or Ctrl + wheel; lane titles stay in view"

CSS = """
.diagram { position: relative; overflow: auto; border: 1px solid var(--line); border-radius: .5rem;
  background: #ffffff; max-height: 85vh; }
.diagram > svg { display: block; width: 100%; height: auto; }
.diagram.pannable { cursor: grab; }
.diagram.dragging { cursor: grabbing; user-select: none; -webkit-user-select: none; }
.lane-pin { position: absolute; top: 0; left: 0; overflow: hidden; display: none; background: #ffffff;
  box-shadow: 2px 0 4px rgba(0, 0, 0, .18); pointer-events: none; }
.lane-pin svg { display: block; height: auto; }
.zoombar { display: flex; gap: .3rem; align-items: center; margin: .2rem 0; }
.zoombar button { font: inherit; min-width: 2.2rem; padding: .1rem .5rem; border: 1px solid var(--line);
  border-radius: .3rem; background: var(--card); color: var(--fg); cursor: pointer; }
.print-pages { display: none; }
@page { size: A4 landscape; margin: 12mm; }
@page blueprint { size: A4 landscape; margin: 0; }
@media print {
  .zoombar { display: none !important; }
  .diagram { overflow: visible; max-height: none; border: none; }
  .diagram > svg { width: 100% !important; height: auto; }
  body:has(.print-page) .diagram, body:has(.print-page) figure > figcaption,
  body:has(.print-page) [data-section=diagram] > h3 { display: none !important; }
  .print-pages { display: block; }
  .print-page { page: blueprint; break-before: page; break-inside: avoid; width: 297mm; height: 210mm;
    overflow: hidden; }
  .print-page svg { display: block; width: 297mm; height: 210mm; }
}
"""

_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.DOTALL)
_ID = re.compile(r'\s(id)="[^"]*"')


def inline(svg: bytes | str) -> str:
    """An SVG document as markup to put inside HTML (no XML prolog, DOCTYPE or comments before it)."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else str(svg)
    return _PROLOG.sub("", text, count=1)


def diagram(result: Any, prints: list[str] | None = None, **options: Any) -> str:
    """The zoomable screen diagram, or a note saying why there is none.

    ``result``: a validated :class:`procmap.validate.FileResult`; ``options``
    go to :func:`procmap.render.render` (``view``, ``highlight``).  Its print
    pages go into ``prints`` (for :func:`appendix`: the report's text then
    flows on paper without a half-empty page before every diagram), or,
    when ``prints`` is None, right after the screen diagram.
    """
    try:
        from procmap.render import RenderFailed, RenderUnavailable, render
    except ImportError:
        return '<p class="note">Diagram not available: this procmap has no renderer installed.</p>'
    try:
        svg = inline(render(result, "svg", **options))
    except (RenderUnavailable, RenderFailed) as exc:
        # A report must not fail because its picture cannot be drawn (e.g. over the step limit).
        return f'<p class="note">Diagram not available: {html.escape(str(exc))}</p>'
    screen = f'<div class="diagram">{svg}</div>'
    # The module `render` came from (sys.modules): `from procmap import render` reads the package's
    # attribute instead, which can be another module object than the one imported above.
    render_pages = getattr(sys.modules["procmap.render"], "render_pages", None)
    if render_pages is None:  # a renderer without pages: the screen diagram prints, fitted to the width
        return screen
    try:
        pages = render_pages(result, PRINT_PAGE, **options)
    except (RenderUnavailable, RenderFailed) as exc:
        printed = f'<p class="note">Diagram not printed: {html.escape(str(exc))}</p>'
    else:
        # The print copies lose their ids: the screen diagram keeps the ones a reader or a test may look up.
        printed = "".join(f'<div class="print-page">{_ID.sub("", inline(p))}</div>' for p in pages)
    if prints is None:
        return screen + f'<div class="print-pages">{printed}</div>'
    prints.append(printed)
    return screen


def appendix(prints: list[str]) -> str:
    """The print pages of every diagram of a report, after its text (shown on paper only)."""
    return f'<section class="print-pages" data-section="print">{"".join(prints)}</section>' if prints else ""
