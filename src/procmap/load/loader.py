"""Read one process file into plain Python values that remember where they came from.

The loader reads libyaml's *event* stream and builds the values itself instead
of using PyYAML's composer: the composer is recursive (a C-level recursion in
the libyaml binding, which segfaults on deeply nested input) and silently keeps
the last of two duplicated keys.  Building from events lets one pass do
everything procmap needs: positions for every key and value, duplicate-key
detection, a depth limit, an alias-expansion budget and a tag whitelist.

Positions live in a side table keyed by ``id()`` of each container, so the
values handed to pydantic are ordinary ``dict``/``list`` objects.  The table
is one flat array of integers (:class:`Positions`): a tuple and two
dictionaries per container cost about 2.7 KB per step, the array about
0.4 KB, and `validate`'s memory per step is a stated goal (docs/performance.md).
"""

from __future__ import annotations

import os
import re
import stat
from array import array
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import yaml

from procmap.diagnostics import Diagnostic, Severity, UsageError
from procmap.load import DEFAULT_MAX_FILE_SIZE

try:  # the PyPI wheel ships libyaml; fall back to the pure-Python parser
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 200
MIN_EXPANSION_BUDGET = 100_000
STDIN = "-"

Pos = tuple[int, int]  # 1-based line, column

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_BOOL = "tag:yaml.org,2002:bool"
_VALUE = "tag:yaml.org,2002:value"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    _STR,
    _TIMESTAMP,
}


class Positions:
    """Where every container and every entry of one document was written, in one flat array.

    A container's record starts at its offset: its own line and column, then
    its number of entries, then per entry of a sequence its value's line and
    column, and per entry of a mapping the key's line and column followed by
    the value's (in the mapping's key order, which is the file's order).
    Records are found by ``id()`` of the container, so the document's values
    must stay alive while positions are asked for (the Document holds them).
    """

    __slots__ = ("_at", "_index", "_numbers", "typecode")

    def __init__(self, size: int = 0) -> None:
        # Lines, columns and counts are below the text's length: 4 bytes each unless the text is 4 GiB.
        self.typecode = "I" if size < (1 << 32) - 2 else "Q"
        self._numbers = array(self.typecode)
        self._at: dict[int, int] = {}
        self._index: dict[int, dict[Any, int]] = {}  # key order of big mappings, made when first asked

    def add(self, container: Any, record: array[int]) -> None:
        """Store ``container``'s finished record (own position, count, entries)."""
        self._at[id(container)] = len(self._numbers)
        self._numbers.extend(record)

    def __len__(self) -> int:
        return len(self._at)

    def of(self, node: Any) -> Where | None:
        """The positions of ``node`` (a dict or list of this document), or None for anything else."""
        at = self._at.get(id(node))
        return None if at is None else Where(self, node, at)

    def _ordinal(self, node: dict[Any, Any], key: Any) -> int | None:
        if len(node) <= 16:
            for k, name in enumerate(node):
                if name is key or name == key:
                    return k
            return None
        index = self._index.get(id(node))
        if index is None:
            index = self._index[id(node)] = {name: k for k, name in enumerate(node)}
        return index.get(key)

    def _pos(self, i: int) -> Pos:
        return (self._numbers[i], self._numbers[i + 1])


class Where:
    """The positions of one mapping or sequence: its own, each entry's value and each key."""

    __slots__ = ("_at", "_node", "_table")

    def __init__(self, table: Positions, node: Any, at: int) -> None:
        self._table, self._node, self._at = table, node, at

    @property
    def pos(self) -> Pos:
        return self._table._pos(self._at)

    def _slot(self, part: Any) -> int | None:
        count = self._table._numbers[self._at + 2]
        node = self._node
        if type(node) is list:
            if isinstance(part, int) and 0 <= part < min(len(node), count):
                return self._at + 3 + 2 * part
            return None
        k = self._table._ordinal(node, part) if part in node else None
        if k is None or k >= count:
            return None  # not a key of this mapping as it was read
        return self._at + 3 + 4 * k

    def child(self, part: Any) -> Pos | None:
        """Where the value of key ``part`` (a mapping) or item ``part`` (a sequence) was written."""
        i = self._slot(part)
        if i is None:
            return None
        return self._table._pos(i if type(self._node) is list else i + 2)

    def key(self, part: Any) -> Pos | None:
        """Where the key ``part`` of a mapping was written."""
        i = self._slot(part) if type(self._node) is dict else None
        return None if i is None else self._table._pos(i)


@dataclass
class Document:
    """A parsed file: its values, where each one was written, and its text."""

    path: str
    text: str
    data: Any
    root_pos: Pos
    positions: Positions
    duplicate_keys: list[Diagnostic]

    def where(self, node: Any) -> Where | None:
        """The positions of one mapping or sequence of :attr:`data` (None for a scalar)."""
        return self.positions.of(node)

    def locate(self, loc: tuple[Any, ...], *, key: bool = False) -> Pos:
        """Position of the node reached by following ``loc`` from the root.

        Walks as far as the path exists and returns the deepest node found, so a
        missing key points at the mapping that lacks it.  With ``key=True`` the
        last step returns the key's position rather than its value's.
        """
        return clamp_lengths(self.line_lengths, self._walk(loc, key))

    def _walk(self, loc: tuple[Any, ...], key: bool) -> Pos:
        node: Any = self.data
        pos = self.root_pos
        last = len(loc) - 1
        for i, part in enumerate(loc):
            where = self.positions.of(node)
            if where is None:
                break
            if key and i == last and type(node) is dict:
                found = where.key(part)
                if found is not None:
                    return found
            found = where.child(part)
            if found is None:
                break
            pos = found
            node = node[part]
        return pos

    @cached_property
    def line_lengths(self) -> array[int]:
        """The length of each line as libyaml numbers them (8 bytes a line, where a list of the lines cost ~70)."""
        return line_lengths(self.text)


class LoadError(Exception):
    """The file is not YAML procmap can read; carries a positioned diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


# The line breaks libyaml counts (YAML 1.1): positions must be computed the same way.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """The file's lines as libyaml numbers them (a final line break does not start a new line)."""
    lines = _BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def clamp(text: str, pos: Pos) -> Pos:
    """Keep a position inside the file.

    libyaml reports errors found at the end of the stream one line *after*
    the last one; an editor cannot jump there, so point just past the end of
    the last line instead.
    """
    return clamp_lengths(line_lengths(text), pos)


def line_lengths(text: str) -> array[int]:
    """The length of each of :func:`split_lines`'s lines, without building the lines."""
    lengths = array("I" if len(text) < (1 << 32) - 1 else "Q")
    start = 0
    for m in _BREAK.finditer(text):
        lengths.append(m.start() - start)
        start = m.end()
    if start < len(text):
        lengths.append(len(text) - start)
    return lengths


def clamp_lengths(lengths: array[int] | list[int], pos: Pos) -> Pos:
    """:func:`clamp_to` from the lines' lengths alone."""
    line, col = pos
    if not lengths:
        return (1, 1)
    if line > len(lengths):
        return (len(lengths), lengths[-1] + 1)
    return (max(line, 1), max(1, min(col, lengths[line - 1] + 1)))


def clamp_to(lines: list[str], pos: Pos) -> Pos:
    line, col = pos
    if not lines:
        return (1, 1)
    if line > len(lines):
        return (len(lines), len(lines[-1]) + 1)
    return (max(line, 1), max(1, min(col, len(lines[line - 1]) + 1)))


def offset_pos(text: str, index: int) -> Pos:
    """1-based line and column of character ``index`` of ``text``."""
    head = text[:index]
    starts = [m.end() for m in _BREAK.finditer(head)]
    line_start = starts[-1] if starts else 0
    return (len(starts) + 1, index - line_start + 1)


def shorten(value: object, limit: int = 60) -> str:
    """``repr`` of a value for a message, cut short: a hostile file may hold megabyte-long values."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def read_text(path: str, *, max_size: int = DEFAULT_MAX_FILE_SIZE, stdin_name: str = "<stdin>") -> str:
    """Read and decode a file, refusing what is not a readable UTF-8 text file.

    Failures here are about the *file* (missing, unreadable, binary, too big),
    so they raise :class:`UsageError` (exit 2); decoding problems that have a
    position raise :class:`LoadError` instead.
    """
    shown = stdin_name if path == STDIN else path
    if path == STDIN:
        import sys

        raw = sys.stdin.buffer.read(max_size + 1)
    else:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if os.path.islink(path):
                raise UsageError(f"{path}: broken symbolic link") from None
            raise UsageError(f"{path}: no such file or directory") from None
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"{path}: is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(
                f"{path}: not a regular file (FIFO, socket or device); refusing to read it (pipe it to '-' instead)"
            )
        if st.st_size > max_size:
            raise UsageError(
                f"{path}: file is {st.st_size:,} bytes, over the {max_size:,}-byte limit "
                "(raise it with --max-file-size or max-file-size in procmap.toml)"
            )
        try:
            with open(path, "rb") as fh:
                raw = fh.read(max_size + 1)
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_size:
        raise UsageError(f"{shown}: input is over the {max_size:,}-byte limit (raise it with --max-file-size)")
    return decode(raw, shown)


def decode(raw: bytes, shown: str) -> str:
    """Bytes of a process file to text: UTF-8, optional BOM; refuse binary and UTF-16 with a clear reason."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UsageError(f"{shown}: file is UTF-16 (or UTF-32) encoded; save it as UTF-8")
    if b"\x00" in raw:
        raise UsageError(f"{shown}: binary file (contains NUL bytes), not a YAML process")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Columns count characters, not bytes: decode what precedes the bad byte.
        head = raw[: exc.start].decode("utf-8")
        line, col = offset_pos(head, len(head))
        raise LoadError(
            Diagnostic(
                shown,
                line,
                col,
                Severity.ERROR,
                "yaml-syntax",
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            )
        ) from None


# Block style at column 0 (`version: 1`), quoted keys (`"version": 1`), and flow style
# (`{version: 1, process: {...}}`, JSON) all count.
_PROCESS_MARKERS = tuple(
    re.compile(rf"(?:^|^\{{\s*|[{{,]\s*)[\"']?{key}[\"']?\s*:", re.M) for key in ("version", "process")
)


def looks_like_process(text: str) -> bool:
    """Cheap test used when scanning directories: top-level ``version`` and ``process`` keys."""
    return all(p.search(text) for p in _PROCESS_MARKERS)


def _pos(mark: Any) -> Pos:
    return (mark.line + 1, mark.column + 1)


def _error(path: str, pos: Pos, message: str, rule: str = "yaml-syntax") -> LoadError:
    return LoadError(Diagnostic(path, pos[0], pos[1], Severity.ERROR, rule, message))


def parse(text: str, path: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`LoadError` on bad YAML."""
    try:
        loader = _Loader(text)
    except UnicodeEncodeError as exc:  # lone surrogates: only reachable from in-process callers
        raise _error(path, offset_pos(text, exc.start), "text holds an unpaired surrogate; not UTF-8") from None
    try:
        return _Builder(loader, path, text).build()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        deep = _first_too_deep(text, mark.index) if mark is not None else None
        if deep is not None:
            raise _nesting_error(path, deep) from None
        pos = _pos(mark) if mark is not None else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
            problem = f"{problem} ({exc.context} at line {clamp(text, _pos(exc.context_mark))[0]})"
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            # The parser's wording names the character, not the cause: say what to change.
            problem = f"a tab where YAML expects spaces (YAML indents with spaces only): {problem}"
        raise _error(path, clamp(text, pos), f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        # libyaml gives a *byte* offset into the UTF-8 text; turn it into line:col.
        index = len(text.encode("utf-8")[: exc.position].decode("utf-8", "ignore"))
        char = exc.character if isinstance(exc.character, int) else ord(text[index]) if index < len(text) else 0
        raise _error(
            path,
            clamp(text, offset_pos(text, index)),
            f"invalid YAML: character #x{char:04x} is not allowed: {exc.reason}",
        ) from None
    except yaml.YAMLError as exc:
        raise _error(path, (1, 1), f"invalid YAML: {' '.join(str(exc).split())}") from None
    finally:
        loader.dispose()


def _nesting_error(path: str, pos: Pos) -> LoadError:
    return _error(path, pos, f"nesting deeper than {MAX_DEPTH} levels; not a process file")


# Characters that can open a collection: one nesting level needs at least one of them.
_OPENERS = ("[", "{", "-", ":", "?")


def _first_too_deep(text: str, stop: int) -> Pos | None:
    """Where the text before ``stop`` first nests deeper than :data:`MAX_DEPTH`, if it does.

    The builder enforces the limit as events arrive, but libyaml's scanner
    reads up to 1024 characters ahead of the last event it hands out, and
    libyaml 0.2.6 (PyYAML 6.0.4) stops at depth 1000 with an error of its own.
    Dense nesting (``[[[[…``) therefore fails inside libyaml before the
    builder sees level 201.  So when parsing fails at ``stop``, the text
    before it is read again for its depth alone: that prefix nests at most as
    deep as libyaml allows, and its events up to level 201 are those of the
    whole file, so procmap's limit decides, at the first node past it,
    whichever YAML library is installed.
    """
    head = text[:stop]
    if stop <= MAX_DEPTH or sum(head.count(c) for c in _OPENERS) <= MAX_DEPTH:
        return None  # too short to hold that many levels: the cheap common case
    loader = _Loader(head)
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, starts):
                depth += 1
                if depth > MAX_DEPTH:
                    return _pos(event.start_mark)
            elif isinstance(event, ends):
                depth -= 1
    except yaml.YAMLError:
        return None  # the prefix fails before going too deep: the original error stands
    finally:
        loader.dispose()
    return None


class _Builder:
    """Turns the event stream into values; one instance per document."""

    def __init__(self, loader: Any, path: str, text: str) -> None:
        self.loader = loader
        self.path = path
        self.text = text
        self.positions = Positions(len(text))
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.duplicates: list[Diagnostic] = []
        # Expansion budget: aliases can make a small file describe an exponential
        # tree ("billion laughs"), or one big anchor repeated thousands of times;
        # pydantic and the rules would walk every copy.  Nodes added by aliases
        # may not exceed one per 4 bytes of file (about what plain text can
        # describe), with a floor so small files can still share anchors freely.
        self.budget = max(MIN_EXPANSION_BUDGET, len(text) // 4)
        self.expanded = 0
        self.plain: dict[str, Any] = {}

    def build(self) -> Document:
        get = self.loader.get_event
        get()  # StreamStart
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            raise _error(self.path, (1, 1), "file is empty: expected a process mapping", "schema")
        root_pos = _pos(event.start_mark)  # DocumentStart
        data = self._value(get)
        end = get()  # DocumentEnd
        nxt = get()
        if not isinstance(nxt, yaml.StreamEndEvent):
            raise _error(
                self.path,
                _pos(nxt.start_mark),
                "several YAML documents in one file ('---'); put one process per file",
            )
        del end
        return Document(self.path, self.text, data, root_pos, self.positions, self.duplicates)

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        value = event.value
        if tag is None:
            if not event.implicit[0]:  # quoted: always a string
                return value
            # Plain scalars resolve by their text alone: memoise (a process repeats lane ids, kinds…).
            cached = self.plain.get(value, _NOKEY)
            if cached is not _NOKEY:
                return cached
            tag = self.loader.resolve(yaml.ScalarNode, value, (True, False))
            if tag == _VALUE:  # PyYAML resolves a lone '=' to a tag it cannot construct: it is text
                tag = _STR
            result = self._construct(tag, event)
            if len(self.plain) < 100_000:
                self.plain[value] = result
            return result
        if tag == "!":
            return value
        return self._construct(tag, event)

    def _construct(self, tag: str, event: Any) -> Any:
        if tag not in _SCALAR_TAGS:
            if tag == _MERGE:
                raise _error(
                    self.path, _pos(event.start_mark), "merge keys ('<<') are not supported; write the keys out"
                )
            raise _error(
                self.path,
                _pos(event.start_mark),
                f"tag {shorten(event.tag)} is not allowed: procmap reads plain YAML only",
            )
        if tag in (_STR, _TIMESTAMP):
            return event.value
        if tag == _BOOL and event.tag is None and event.value.lower() not in ("true", "false"):
            # YAML 1.1 reads yes/no/on/off as booleans; in a process file they are
            # branch labels and names ("when: yes"), so keep them as text (YAML 1.2 rule).
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            return self.loader.yaml_constructors[tag](self.loader, node)
        except Exception as exc:  # PyYAML's constructors fail in many ways on bad text ('!!int ' -> IndexError)
            kind = tag.rsplit(":", 1)[-1]
            reason = "too many digits" if "digits" in str(exc) else f"not a valid {kind}"
            raise _error(
                self.path, _pos(event.start_mark), f"cannot read {shorten(event.value)} as {kind}: {reason}"
            ) from None

    def _check_collection_tag(self, event: Any, expected: str) -> None:
        if event.tag not in (None, "!", expected):
            raise _error(
                self.path,
                _pos(event.start_mark),
                f"tag {shorten(event.tag)} is not allowed: procmap reads plain YAML only",
            )

    def _value(self, get: Any) -> Any:
        """Build one value iteratively (an explicit stack, so depth cannot crash Python)."""
        # Stack frames: [container, record, pending_key, pending_key_line, pending_key_col, anchor, size,
        # key ordinals (made only when a key repeats)]; record is the container's Positions record so far.
        stack: list[list[Any]] = []
        result: Any = None
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        positions = self.positions
        typecode = positions.typecode
        while True:
            event = get()
            kind = type(event)
            value: Any
            size = 1
            if kind in end_events:
                frame = stack.pop()
                value, record, size = frame[0], frame[1], frame[6]
                line, col = record[0], record[1]
                record[2] = len(value)
                positions.add(value, record)
                if frame[5]:
                    self.anchors[frame[5]] = (value, size)
            elif kind is scalar_event:
                mark = event.start_mark
                line, col = mark.line + 1, mark.column + 1
                value = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
            elif kind is alias_event:
                line, col = _pos(event.start_mark)
                if event.anchor not in self.anchors:
                    raise _error(self.path, (line, col), f"unknown alias {shorten('*' + event.anchor)}")
                value, size = self.anchors[event.anchor]
                self.expanded += size
                if self.expanded > self.budget:
                    raise _error(
                        self.path,
                        (line, col),
                        f"aliases expand to more than {self.budget:,} nodes (an alias bomb?); refusing to expand",
                    )
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                start = _pos(event.start_mark)
                is_map = kind is yaml.MappingStartEvent
                self._check_collection_tag(event, _MAP if is_map else _SEQ)
                if len(stack) >= MAX_DEPTH:
                    raise _nesting_error(self.path, start)
                container: Any = {} if is_map else []
                stack.append([container, array(typecode, (*start, 0)), _NOKEY, 0, 0, event.anchor, 1, None])
                continue
            else:  # pragma: no cover - libyaml guarantees the grammar
                raise _error(self.path, _pos(event.start_mark), f"unexpected YAML event {kind.__name__}")

            if not stack:
                return value
            frame = stack[-1]
            frame[6] += size
            parent, record = frame[0], frame[1]
            if type(parent) is list:
                parent.append(value)
                record.append(line)
                record.append(col)
            elif frame[2] is _NOKEY:
                if type(value) in (dict, list):
                    raise _error(self.path, (line, col), "mapping keys must be plain scalars")
                frame[2], frame[3], frame[4] = value, line, col
            else:
                key = frame[2]
                frame[2] = _NOKEY
                if key in parent:
                    if frame[7] is None:
                        frame[7] = {name: k for k, name in enumerate(parent)}
                    first = record[3 + 4 * frame[7][key]]
                    self.duplicates.append(
                        Diagnostic(
                            self.path,
                            frame[3],
                            frame[4],
                            Severity.ERROR,
                            "duplicate-key",
                            f"key {shorten(key)} is given twice in this mapping (first at line {first}); "
                            "YAML would silently keep only the last",
                        )
                    )
                    continue
                if frame[7] is not None:
                    frame[7][key] = len(parent)
                parent[key] = value
                record.extend((frame[3], frame[4], line, col))
        return result  # pragma: no cover


_NOKEY = object()


def load(path: str, *, max_size: int = DEFAULT_MAX_FILE_SIZE, stdin_name: str = "<stdin>") -> Document:
    """Read and parse ``path`` (``-`` for standard input)."""
    text = read_text(path, max_size=max_size, stdin_name=stdin_name)
    return parse(text, stdin_name if path == STDIN else path)
