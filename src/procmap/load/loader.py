"""Read one process file into plain Python values that remember where they came from.

The loader reads libyaml's *event* stream and builds the values itself instead
of using PyYAML's composer: the composer is recursive (a C-level recursion in
the libyaml binding, which segfaults on deeply nested input) and silently keeps
the last of two duplicated keys.  Building from events lets one pass do
everything procmap needs: positions for every key and value, duplicate-key
detection, a depth limit, an alias-expansion budget and a tag whitelist.

Positions live in a side table keyed by ``id()`` of each container, so the
values handed to pydantic are ordinary ``dict``/``list`` objects.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml

from procmap.diagnostics import Diagnostic, Severity, UsageError

try:  # the PyPI wheel ships libyaml; fall back to the pure-Python parser
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024
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


@dataclass(slots=True)
class Container:
    """Positions of one mapping or sequence: its own, and each child's."""

    pos: Pos
    key_pos: dict[Any, Pos] = field(default_factory=dict)
    child_pos: dict[Any, Pos] | list[Pos] = field(default_factory=dict)


@dataclass
class Document:
    """A parsed file: its values, where each one was written, and its raw lines."""

    path: str
    text: str
    data: Any
    root_pos: Pos
    containers: dict[int, Container]
    duplicate_keys: list[Diagnostic]

    def locate(self, loc: tuple[Any, ...], *, key: bool = False) -> Pos:
        """Position of the node reached by following ``loc`` from the root.

        Walks as far as the path exists and returns the deepest node found, so a
        missing key points at the mapping that lacks it.  With ``key=True`` the
        last step returns the key's position rather than its value's.
        """
        return clamp_to(self.lines, self._walk(loc, key))

    def _walk(self, loc: tuple[Any, ...], key: bool) -> Pos:
        node: Any = self.data
        pos = self.root_pos
        for i, part in enumerate(loc):
            info = self.containers.get(id(node))
            if info is None:
                break
            if isinstance(node, dict) and part in node:
                if key and i == len(loc) - 1:
                    return info.key_pos[part]
                pos = info.child_pos[part]  # type: ignore[index]
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                pos = info.child_pos[part]  # type: ignore[index]
                node = node[part]
            else:
                break
        return pos

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)


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
    return clamp_to(split_lines(text), pos)


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
        self.containers: dict[int, Container] = {}
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
        return Document(self.path, self.text, data, root_pos, self.containers, self.duplicates)

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
        # Stack frames: [container, info, pending_key, pending_key_pos, anchor, size]
        stack: list[list[Any]] = []
        result: Any = None
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        while True:
            event = get()
            kind = type(event)
            value: Any
            size = 1
            if kind in end_events:
                frame = stack.pop()
                value, size = frame[0], frame[5]
                start = frame[1].pos
                if frame[4]:
                    self.anchors[frame[4]] = (value, size)
            elif kind is scalar_event:
                mark = event.start_mark
                start = (mark.line + 1, mark.column + 1)
                value = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
            elif kind is alias_event:
                start = _pos(event.start_mark)
                if event.anchor not in self.anchors:
                    raise _error(self.path, start, f"unknown alias {shorten('*' + event.anchor)}")
                value, size = self.anchors[event.anchor]
                self.expanded += size
                if self.expanded > self.budget:
                    raise _error(
                        self.path,
                        start,
                        f"aliases expand to more than {self.budget:,} nodes (an alias bomb?); refusing to expand",
                    )
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                start = _pos(event.start_mark)
                is_map = kind is yaml.MappingStartEvent
                self._check_collection_tag(event, _MAP if is_map else _SEQ)
                if len(stack) >= MAX_DEPTH:
                    raise _nesting_error(self.path, start)
                container: Any = {} if is_map else []
                info = Container(start, {}, {} if is_map else [])
                self.containers[id(container)] = info
                stack.append([container, info, _NOKEY, None, event.anchor, 1])
                continue
            else:  # pragma: no cover - libyaml guarantees the grammar
                raise _error(self.path, _pos(event.start_mark), f"unexpected YAML event {kind.__name__}")

            if not stack:
                return value
            frame = stack[-1]
            frame[5] += size
            parent, info = frame[0], frame[1]
            if type(parent) is list:
                parent.append(value)
                info.child_pos.append(start)
            elif frame[2] is _NOKEY:
                if type(value) in (dict, list):
                    raise _error(self.path, start, "mapping keys must be plain scalars")
                frame[2], frame[3] = value, start
            else:
                key, key_pos = frame[2], frame[3]
                frame[2] = _NOKEY
                if key in parent:
                    first = info.key_pos[key]
                    self.duplicates.append(
                        Diagnostic(
                            self.path,
                            key_pos[0],
                            key_pos[1],
                            Severity.ERROR,
                            "duplicate-key",
                            f"key {shorten(key)} is given twice in this mapping (first at line {first[0]}); "
                            "YAML would silently keep only the last",
                        )
                    )
                    continue
                parent[key] = value
                info.key_pos[key] = key_pos
                info.child_pos[key] = start  # type: ignore[index]
        return result  # pragma: no cover


_NOKEY = object()


def load(path: str, *, max_size: int = DEFAULT_MAX_FILE_SIZE, stdin_name: str = "<stdin>") -> Document:
    """Read and parse ``path`` (``-`` for standard input)."""
    text = read_text(path, max_size=max_size, stdin_name=stdin_name)
    return parse(text, stdin_name if path == STDIN else path)
