"""Label text: cleaning, wrapping, measuring and escaping for every output.

Everything a process file says ends up inside DOT, SVG, PDF or Mermaid
source, so all of it passes through here.  Cleaning removes what no output
can carry (control characters, lone surrogates); wrapping keeps a 200-character
step name from making a 2,000-point node; escaping is per output, because each
has its own metacharacters.

Widths are measured with the advance widths of Liberation Sans (metric-compatible
with Helvetica and Arial, and bundled for PNG/PDF), so node sizes do not depend
on which fonts the machine has and the DOT output is byte-for-byte stable.
"""

from __future__ import annotations

import re
import unicodedata

# Advance widths (1/1000 em) of Liberation Sans for U+0020..U+007E.
_REGULAR = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
)  # fmt: skip

ELLIPSIS = "…"
# Control characters (XML 1.0 forbids them), lone surrogates, U+FFFE/U+FFFF.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_WIDTHS: dict[bool, dict[str, int]] = {
    False: {chr(0x20 + i): w for i, w in enumerate(_REGULAR)},
    True: {chr(0x20 + i): w for i, w in enumerate(_BOLD)},
}


def clean(text: object) -> str:
    """Make any value safe to place in an XML/DOT/Mermaid label.

    Control characters (which XML 1.0 forbids), lone surrogates and the
    non-characters U+FFFE/U+FFFF become U+FFFD; tabs become spaces; CR/CRLF
    become LF.  Newlines are kept: callers treat them as line breaks.
    """
    s = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNSAFE.sub("\ufffd", s)


def _char_width(ch: str, bold: bool) -> int:
    """Advance width of a character outside the ASCII table (cached in ``_WIDTHS``)."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        w = 0
    elif unicodedata.east_asian_width(ch) in ("W", "F") or unicodedata.category(ch) == "So":
        # Wide East Asian characters, and pictographs such as ▲ ★ ⚠ ☎ (Liberation Sans: 0.99 em for ▲;
        # the fallback faces 0.9–1.25 em): 0.6 em made their labels overrun the box.
        w = 1000
    else:
        base = unicodedata.normalize("NFD", ch)[0]
        w = _WIDTHS[bold].get(base, 600) if base != ch else 600
    _WIDTHS[bold][ch] = w
    return w


def width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in points of one line of ``text`` at ``size`` points."""
    table = _WIDTHS[bold]
    try:
        total = sum(map(table.__getitem__, text))
    except KeyError:
        total = sum(table[ch] if ch in table else _char_width(ch, bold) for ch in text)
    return total * size / 1000.0


def _fit(text: str, limit: float, size: float, bold: bool) -> int:
    """How many leading characters of ``text`` fit in ``limit`` points."""
    budget = limit * 1000.0 / size
    table, used = _WIDTHS[bold], 0
    for i, ch in enumerate(text):
        used += table[ch] if ch in table else _char_width(ch, bold)
        if used > budget:
            return i
    return len(text)


def _fit_from(text: str, start: int, limit: float, size: float, bold: bool) -> int:
    """How many characters of ``text`` from ``start`` on fit in ``limit`` points (at least one)."""
    budget = limit * 1000.0 / size
    table, used = _WIDTHS[bold], 0
    for i in range(start, len(text)):
        ch = text[i]
        used += table[ch] if ch in table else _char_width(ch, bold)
        if used > budget:
            return max(1, i - start)
    return len(text) - start


HYPHEN = "-"
BREAKS_AFTER = "-/‐–—_.\\|"  # a word is broken after one of these, when it has one, rather than anywhere


def _split_word(word: str, limit: float, size: float, bold: bool, max_pieces: int | None = None) -> list[str]:
    """Break a word wider than ``limit`` into pieces that fit (URLs, ids, long compounds).

    A reader must see that a word goes on: each piece but the last ends at
    one of the word's own breaks (a hyphen or a slash, :data:`BREAKS_AFTER`)
    when one lies in the part that fits, else with a hyphen added
    ("acknowledge-" over "ment", never "acknowledgem" over "ent").  Walks
    the word once with an index (slicing off the rest each time made a 1 MB
    name cost seconds and a 20 MB one minutes) and stops after
    ``max_pieces``: wrap() keeps five lines, so the rest of a 20 MB word is
    never looked at.
    """
    pieces: list[str] = []
    start = 0
    room = max(limit - width(HYPHEN, size, bold=bold), 0.0)
    while start < len(word) and (max_pieces is None or len(pieces) < max_pieces):
        n = _fit_from(word, start, limit, size, bold)
        if start + n >= len(word):
            pieces.append(word[start:])
            break
        head = word[start : start + n]
        # The word's own last break in the part that fits, if it keeps at least a third of that part.
        own = max(head.rfind(ch) for ch in BREAKS_AFTER)
        if own >= max(1, n // 3):
            pieces.append(head[: own + 1])
            start += own + 1
            continue
        n = _fit_from(word, start, room, size, bold)
        piece = word[start : start + n]
        mark = piece[-1] not in BREAKS_AFTER and width(piece + HYPHEN, size, bold=bold) <= limit
        pieces.append(piece + HYPHEN if mark else piece)
        start += n
    return pieces


def _shorten(line: str, limit: float, size: float, bold: bool) -> str:
    """``line`` cut to fit ``limit`` points with an ellipsis."""
    room = limit - width(ELLIPSIS, size, bold=bold)
    return line[: _fit(line, room, size, bold)].rstrip() + ELLIPSIS


def wrap(text: str, limit: float, size: float, *, bold: bool = False, max_lines: int = 5) -> list[str]:
    """Greedy word wrap to ``limit`` points; more than ``max_lines`` lines end in an ellipsis.

    Explicit newlines start new lines.  The full text always stays available
    to the caller (it goes into the tooltip), so truncation loses nothing.
    """
    lines: list[str] = []
    space = width(" ", size, bold=bold)
    for paragraph in clean(text).split("\n"):
        words = paragraph.split()
        if not words:
            if lines:
                lines.append("")
            continue
        current, current_w = "", 0.0
        for word in words:
            word_w = width(word, size, bold=bold)
            if current and current_w + space + word_w <= limit:
                current, current_w = f"{current} {word}", current_w + space + word_w
                continue
            if current:
                lines.append(current)
            if word_w <= limit:
                current, current_w = word, word_w
            else:
                # One piece more than the lines left, so the ellipsis logic below still sees an overflow.
                *full, current = _split_word(word, limit, size, bold, max(1, max_lines - len(lines) + 1))
                lines.extend(full)
                current_w = width(current, size, bold=bold)
            if len(lines) > max_lines:
                break
        lines.append(current)
        if len(lines) > max_lines:
            break
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return [""]
    if len(lines) > max_lines:
        last = lines[max_lines - 1].removesuffix(HYPHEN)  # "acknowledg…", not "acknowledg-…"
        fits = width(last + ELLIPSIS, size, bold=bold) <= limit
        lines = [*lines[: max_lines - 1], last + ELLIPSIS if fits else _shorten(last, limit, size, bold)]
    return lines


TOOLTIP_CHARS = 1000


def capped(text: str, limit: int = TOOLTIP_CHARS) -> str:
    """``text`` cut to ``limit`` characters with a note of the full length (tooltips, titles).

    Graphviz handles a multi-megabyte attribute in quadratic time (a 2 MB step
    name took 18 s to draw); no tooltip needs more than a screenful, and the
    full text stays in the process file and in every export.
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}{ELLIPSIS} ({len(text):,} characters)"


def one_line(text: str, limit: float, size: float, *, bold: bool = False) -> str:
    """``text`` on a single line, shortened with an ellipsis to fit ``limit`` points.

    Only a head of the text can ever show, so a huge text (a 20 MB name) is
    cleaned and measured only that far: the head is ample unless it is mostly
    blanks or zero-width marks, and then the whole text is read after all.
    """
    text = str(text)
    head = int(limit * 1000 / (size * 150)) * 4 + 64  # 4x the characters of 0.15 em that could fit
    if len(text) > head:
        flat = " ".join(clean(text[:head]).split())
        if width(flat, size, bold=bold) > limit:
            return _shorten(flat, limit, size, bold)
    flat = " ".join(clean(text).split())
    if width(flat, size, bold=bold) <= limit:
        return flat
    return _shorten(flat, limit, size, bold)


# -- DOT ---------------------------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """A quoted DOT string that Graphviz shows literally.

    Backslash and double quote are the DOT lexer's metacharacters; Graphviz
    also expands ``\\N``-style escapes and HTML entities (``&amp;``) in labels,
    so backslashes are doubled and ``&`` is written as ``&amp;``.  Newlines
    must already be turned into line-break escapes by :func:`dot_lines`.
    """
    return f'"{dot_escape(text).replace(chr(10), " ")}"'


def dot_escape(text: str) -> str:
    """The inside of a DOT quoted string showing ``text`` literally (see :func:`dot_string`)."""
    return clean(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")


def dot_lines(lines: list[str], *, align: str = "center") -> str:
    """Join label lines with Graphviz line-break escapes (``\\n`` centred, ``\\l`` left)."""
    sep = {"center": "\\n", "left": "\\l"}[align]
    body = sep.join(dot_escape(line).replace("\n", " ") for line in lines)
    if align == "left":
        body += "\\l"
    return f'"{body}"'


# -- Mermaid -----------------------------------------------------------------------------------------

_MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "|": "#124;",
    "\\": "#92;",
}
_MERMAID_RE = re.compile("[" + re.escape("".join(_MERMAID_ESCAPES)) + "]")


def mermaid_text(lines: list[str]) -> str:
    """Label text for a Mermaid quoted string: entity codes for every metacharacter, ``<br>`` between lines."""
    return "<br>".join(_MERMAID_RE.sub(lambda m: _MERMAID_ESCAPES[m.group(0)], clean(line)) for line in lines)
