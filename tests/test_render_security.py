"""Hostile labels: nothing a process file says can break or inject into SVG, DOT or Mermaid output."""

from __future__ import annotations

import re

import pytest

etree = pytest.importorskip("lxml.etree")

SVG_NS = "http://www.w3.org/2000/svg"
# What procmap's SVG is made of; anything else would have been injected.
ALLOWED = {"svg", "g", "title", "path", "polygon", "polyline", "ellipse", "text", "a", "rect"}

EVIL = r"""
version: 1
process:
  id: evil
  name: "Evil \"quotes\" <script>alert(1)</script> & co ]]> --> %%{init: {'securityLevel':'loose'}}%%"
lanes:
  - id: customer
    name: "Customer <b onmouseover=\"alert(1)\">x</b> & \\N \\G"
    kind: customer
  - id: staff
    name: "Staff\" ; end; subgraph X[\"pwn\"] %% `md` #quot; #35; &amp; |pipe|"
    kind: onstage
  - id: sys
    name: "Système 日本語 😀 \u0007bell \u200Frtl"
    kind: support
steps:
  - id: a
    name: "<script>alert('x')</script> \"quoted\" & ampersand &amp; &lt; \\n backslash-n\nreal newline"
    lane: customer
    evidence: "</text><script>alert(2)</script><text>"
    channel: "web\" onload=\"alert(3)"
    next:
      - to: b
        when: "<img src=x onerror=alert(4)> | \"]\" -->"
      - to: c
        when: "x --> y ; click S0 call alert(5)"
  - id: b
    name: "<svg onload=alert(7)><foreignObject><body onload=alert(8)></foreignObject></svg> & &#60;script&#62; \\\\server\\share"
    lane: staff
    fail_point: true
    next: [c]
  - id: c
    name: "]]><!-- <![CDATA[ x ]]> ' \" \\\\ \\l \\r {{ }} [[ ]] (( )) ; %% comment"
    lane: sys
    description: "tooltip <svg onload=alert(6)>"
"""


@pytest.fixture
def evil(write):
    from procmap.config import Config
    from procmap.validate import require_valid

    return require_valid(str(write(EVIL)), Config())


def test_svg_is_well_formed_and_inert(evil):
    from procmap.render import render

    data = render(evil, "svg")
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    names = {etree.QName(el).localname for el in root.iter() if isinstance(el.tag, str)}
    assert names <= ALLOWED, names - ALLOWED
    assert all(etree.QName(el).namespace == SVG_NS for el in root.iter() if isinstance(el.tag, str))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname.lower()
            assert not local.startswith("on"), (el.tag, attr)
            if local == "href":
                assert not value.strip().lower().startswith("javascript"), value
    # The hostile text is there, as text.
    texts = "".join(t.text or "" for t in root.iter(f"{{{SVG_NS}}}text"))
    texts += "".join(a.get("{http://www.w3.org/1999/xlink}title", "") for a in root.iter(f"{{{SVG_NS}}}a"))
    assert "<script>alert('x')</s" in texts
    assert "&amp;" in texts and "&#60;script&#62;" in texts, "entities in a name are shown literally, not decoded"
    assert "Customer <b" in texts and "\\N \\G" in texts
    # Tooltips go through Graphviz's escape expansion twice: \N must not become the node's name.
    tips = [a.get("{http://www.w3.org/1999/xlink}title", "") for a in root.iter(f"{{{SVG_NS}}}a")]
    assert any("x</b> & \\N \\G · customer action" in tip for tip in tips)
    assert any("\\\\ \\l \\r {{ }}" in tip for tip in tips)


def test_png_and_pdf_survive_hostile_text(evil):
    from procmap.render import render

    assert render(evil, "png").startswith(b"\x89PNG")
    assert render(evil, "pdf").startswith(b"%PDF-")


def test_dot_cannot_be_broken_out_of(evil):
    from procmap.render import render
    from procmap.render.engines import wasm_engine

    source = render(evil, "dot").decode()
    # Every user string is inside a quoted DOT string: no unescaped quote or brace leaks.
    for line in source.splitlines():
        if line.startswith("  ") and "[" in line:
            assert line.rstrip().endswith("];"), line
    engine = wasm_engine()
    if engine is None:
        pytest.skip("the bundled Graphviz engine is not installed")
    svg = engine.render(source, "svg")
    root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True))
    assert not [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "script"]


def test_mermaid_text_is_escaped(evil):
    from procmap.render import render

    source = render(evil, "mermaid").decode()
    body = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%%"))
    assert "<script" not in body and "<img" not in body and "<b " not in body
    assert "%%{" not in source, "a directive in a label could change Mermaid's security level"
    assert "click S0" in source  # as text inside a quoted label …
    assert not any(line.strip().startswith("click ") for line in source.splitlines())  # … never a statement
    assert "subgraph X" not in source.replace("subgraph X[#quot;", "")
    assert len(re.findall(r"^\s+subgraph L\d+\[", source, re.M)) == 3  # lanes sit nested in pairs (G…)
    for line in source.splitlines():
        if "[" in line and '"' in line:
            assert line.count('"') % 2 == 0, line
