"""Fonts for PNG and PDF: the bundled Liberation Sans first, then the machine's fonts, per character.

Liberation Sans covers Latin, Greek and Cyrillic; a step named
"⚠ Rückruf ☎" or "東京 office" needs more.  For every character the
bundled face lacks, fontconfig (``fc-list :charset=…``) names the system
fonts that have it; PNG (resvg) is given those files next to Liberation
Sans, and in the PDF each text is cut into runs drawn with the first face
that has their characters, so one odd character never switches a whole
label to a wider font.  reportlab embeds TrueType outlines only, so a CFF
font (Noto CJK's OpenType) serves PNG but not PDF.  Characters no available
font can draw are named in one warning with the Debian package to install.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from procmap.render.raster import font_files

if TYPE_CHECKING:
    import networkx as nx

    from procmap.render.layout import Layout

# Where to find a font for a script, by Debian package (PNG, then PDF: reportlab needs TrueType outlines).
PACKAGES = (
    ((0x3000, 0x9FFF), "fonts-noto-cjk", "fonts-wqy-zenhei"),
    ((0xAC00, 0xD7AF), "fonts-noto-cjk", "fonts-unfonts-core"),
    ((0xF900, 0xFAFF), "fonts-noto-cjk", "fonts-wqy-zenhei"),
    ((0xFF00, 0xFFEF), "fonts-noto-cjk", "fonts-wqy-zenhei"),
    ((0x1F000, 0x1FAFF), "fonts-noto-color-emoji", "fonts-symbola"),
    ((0x0590, 0x08FF), "fonts-noto-core", "fonts-dejavu-core"),
    ((0x0900, 0x0DFF), "fonts-noto-core", "fonts-noto-core"),
    ((0x2000, 0x2BFF), "fonts-dejavu-core", "fonts-dejavu-core"),
)
_PREFERRED = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "NotoSans-Regular.ttf")


@lru_cache(maxsize=1)
def bundled_chars() -> frozenset[int]:
    """Code points the bundled Liberation Sans Regular draws."""
    files = font_files()
    if not files:
        return frozenset(range(0x20, 0x7F))
    from reportlab.pdfbase.ttfonts import TTFontFile

    return frozenset(TTFontFile(files[0]).charToGlyph)


def _drawn(ch: str) -> bool:
    """Whether a character needs a glyph at all (spaces, joiners and marks without a base do not)."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Zs", "Zl", "Zp")


@lru_cache(maxsize=4096)
def system_faces_for(ch: str) -> tuple[tuple[str, str], ...]:
    """(file, family) of the fonts on this machine that draw ``ch``, preferred first (none without fontconfig)."""
    fc = shutil.which("fc-list")
    if fc is None:
        return ()
    try:
        proc = subprocess.run(
            [fc, f":charset={ord(ch):x}", "--format=%{file}\t%{family[0]}\n"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    faces = {tuple(line.split("\t", 1)) for line in proc.stdout.splitlines() if "\t" in line}
    ranked = sorted(
        faces, key=lambda f: (not f[0].endswith(_PREFERRED), any(w in f[0] for w in ("Bold", "Oblique", "Italic")), f)
    )
    return tuple((file, family) for file, family in ranked)


def system_fonts_for(ch: str) -> tuple[str, ...]:
    return tuple(file for file, _family in system_faces_for(ch))


@lru_cache(maxsize=256)
def _truetype(path: str) -> bool:
    """Whether reportlab can embed this font (TrueType outlines; the first face of a collection)."""
    try:
        from reportlab.pdfbase.ttfonts import TTFontFile

        TTFontFile(path, subfontIndex=0)
    except Exception:
        return False
    return True


def texts(g: nx.DiGraph) -> str:
    """Every text of ``g`` that a diagram may draw."""
    parts = [str(g.graph.get("name") or ""), str(g.graph.get("id") or "")]
    parts += [lane.name for lane in g.graph["lanes"].values()]
    for _n, d in g.nodes(data=True):
        parts += [str(d.get(k) or "") for k in ("name", "channel", "evidence")]
    parts += [str(d.get("when") or "") for _u, _v, d in g.edges(data=True)]
    return "".join(parts)


def layout_texts(lay: Layout) -> str:
    boxes = [*lay.steps.values(), *(b.note for b in lay.steps.values() if b.note)]
    boxes += [b.title for b in lay.bands if b.title] + [b for _k, b in lay.legend]
    boxes += [x for x in (lay.title, lay.subtitle) if x is not None]
    out = ["".join(line for line in b.lines) for b in boxes]
    out += ["".join(e.label) + e.badge for e in lay.edges]
    return "".join(out)


def _needed(chars: str) -> list[str]:
    have = bundled_chars()
    return sorted({ch for ch in chars if ord(ch) not in have and _drawn(ch)})


def png_fonts(lay: Layout) -> list[str]:
    """System font files that draw what Liberation Sans cannot, for resvg (any outline format)."""
    files: list[str] = []
    for ch in _needed(layout_texts(lay)):
        for f in system_fonts_for(ch)[:1]:
            if f not in files:
                files.append(f)
    return files


def png_runs(svg: bytes, lay: Layout) -> bytes:
    """The SVG with every text that holds characters Liberation Sans lacks cut into one ``<text>`` per run.

    resvg draws a whole ``<text>`` (tspans included) in one font that has all
    its characters, so one ☎ turned a label into DejaVu Sans, wider than its
    box.  Separate texts, placed one after the other with the runs' own
    advance widths, keep everything Liberation Sans can draw in Liberation
    Sans (whose metrics sized the box) and only the rest in a fallback font.
    """
    import html
    import re

    from procmap.render import text as metrics

    face: dict[str, tuple[str, str]] = {}
    for ch in _needed(layout_texts(lay)):
        faces = system_faces_for(ch)
        if faces:
            face[ch] = faces[0]
    if not face:
        return svg

    def split(m: re.Match[str]) -> str:
        attrs, body = m.group(1), m.group(2)
        raw = html.unescape(body)
        if not any(ch in face for ch in raw):
            return m.group(0)
        size = float(re.search(r'font-size="([\d.]+)"', attrs).group(1))  # type: ignore[union-attr]
        bold = 'font-weight="bold"' in attrs
        runs: list[tuple[str, tuple[str, str] | None]] = []
        for ch in raw:
            key = face.get(ch)
            if runs and runs[-1][1] == key:
                runs[-1] = (runs[-1][0] + ch, key)
            else:
                runs.append((ch, key))
        widths = [metrics.width(t, size, bold=bold) if key is None else _advance(t, key[0], size) for t, key in runs]
        x = float(re.search(r' x="([-\d.]+)"', attrs).group(1))  # type: ignore[union-attr]
        anchor = re.search(r'text-anchor="(\w+)"', attrs)
        total = sum(widths)
        x -= {"middle": total / 2, "end": total}.get(anchor.group(1) if anchor else "start", 0.0)
        base = re.sub(r' x="[-\d.]+"', "", re.sub(r' text-anchor="\w+"', "", attrs))
        out = []
        for (t, key), w in zip(runs, widths, strict=True):
            tag = base[:-1] + f' x="{x:.2f}" text-anchor="start">'
            if key is not None:
                tag = re.sub(r'font-family="[^"]*"', f'font-family="{html.escape(key[1])}"', tag)
                tag = tag.replace("<text", '<text data-fallback="1"', 1)
            out.append(f"{tag}{html.escape(t, quote=False)}</text>")
            x += w
        return "".join(out)

    text = svg.decode("utf-8")
    return re.sub(r"(<text\b[^>]*>)([^<]*)</text>", split, text).encode("utf-8")


def _advance(run: str, path: str, size: float) -> float:
    """Advance width of ``run`` in the font at ``path`` (TrueType), else the layout's estimate."""
    from procmap.render import text as metrics

    if _truetype(path):
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        name = "Fallback-" + path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        return pdfmetrics.stringWidth(run, name, size)
    return metrics.width(run, size)


def _package(ch: str, pdf: bool) -> str:
    cp = ord(ch)
    for (lo, hi), png_pkg, pdf_pkg in PACKAGES:
        if lo <= cp <= hi:
            return pdf_pkg if pdf else png_pkg
    return "fonts-noto-core" if not pdf else "fonts-dejavu-extra"


def missing(chars: str, pdf: bool) -> list[str]:
    """Characters that no available font can draw (for PDF: no embeddable one)."""
    out = []
    for ch in _needed(chars):
        found = system_fonts_for(ch)
        if pdf:
            found = tuple(f for f in found if _truetype(f))
        if not found:
            out.append(ch)
    return out


def missing_warning(result: object, fmt: str) -> str | None:
    """One line naming the characters nothing can draw and the Debian packages that would, or None."""
    g = result.graph  # type: ignore[attr-defined]
    if g is None:
        return None
    pdf = fmt == "pdf"
    lost = missing(texts(g), pdf)
    if not lost:
        return None
    shown = " ".join(lost[:12]) + (" …" if len(lost) > 12 else "")
    codes = ", ".join(f"U+{ord(c):04X}" for c in lost[:6]) + (", …" if len(lost) > 6 else "")
    packages = sorted({_package(c, pdf) for c in lost})
    return (
        f"no installed font can draw {shown} ({codes}) in {fmt.upper()}: they show as boxes; "
        f"install {' '.join(packages)} (apt-get install {' '.join(packages)})"
    )


def pdf_fallback(lay: Layout):  # type: ignore[no-untyped-def]
    """A function that cuts each text of an svglib drawing into runs, each in a font that has its characters."""
    needed = _needed(layout_texts(lay))
    if not needed:
        return None
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    face_of: dict[str, str] = {}
    for ch in needed:
        for f in system_fonts_for(ch):
            if not _truetype(f):
                continue
            name = "Fallback-" + f.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, f, subfontIndex=0))
            face_of[ch] = name
            break

    def rewrite(drawing) -> None:  # type: ignore[no-untyped-def]
        _split_strings(drawing, face_of)

    return rewrite if face_of else None


def _split_strings(node, face_of: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    from reportlab.graphics.shapes import Group, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    contents = getattr(node, "contents", None)
    if contents is None:
        return
    for i, item in enumerate(list(contents)):
        if isinstance(item, Group):
            _split_strings(item, face_of)
            continue
        if not isinstance(item, String) or not any(ch in face_of for ch in item.text):
            continue
        runs: list[tuple[str, str]] = []
        for ch in item.text:
            font = face_of.get(ch, item.fontName)
            if runs and runs[-1][1] == font:
                runs[-1] = (runs[-1][0] + ch, font)
            else:
                runs.append((ch, font))
        widths = [stringWidth(t, f, item.fontSize) for t, f in runs]
        total = sum(widths)
        x = {"middle": item.x - total / 2, "end": item.x - total}.get(item.textAnchor, item.x)
        group = Group()
        for (t, f), w in zip(runs, widths, strict=True):
            group.add(String(x, item.y, t, fontName=f, fontSize=item.fontSize, fillColor=item.fillColor))
            x += w
        contents[i] = group
