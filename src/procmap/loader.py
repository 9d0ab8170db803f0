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

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


class LoadError(Exception):
    """The file is not YAML procmap can read; carries a positioned diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


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
            raise UsageError(f"{path}: not a regular file (FIFO, socket or device); refusing to read it")
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
    if b"\x00" in raw:
        raise UsageError(f"{shown}: binary file (contains NUL bytes), not a YAML process")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
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


_PROCESS_MARKERS = (re.compile(r"^version\s*:", re.M), re.compile(r"^process\s*:", re.M))


def looks_like_process(text: str) -> bool:
    """Cheap test used when scanning directories: top-level ``version`` and ``process`` keys."""
    return all(p.search(text) for p in _PROCESS_MARKERS)


def _pos(mark: Any) -> Pos:
    return (mark.line + 1, mark.column + 1)


def _error(path: str, pos: Pos, message: str, rule: str = "yaml-syntax") -> LoadError:
    return LoadError(Diagnostic(path, pos[0], pos[1], Severity.ERROR, rule, message))


def parse(text: str, path: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`LoadError` on bad YAML."""
    loader = _Loader(text)
    try:
        return _Builder(loader, path, text).build()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(mark) if mark is not None else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
            problem = f"{problem} ({exc.context} at line {exc.context_mark.line + 1})"
        raise _error(path, pos, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise _error(path, (1, 1), f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


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
        # tree ("billion laughs"); pydantic would walk every copy.
        self.budget = max(MIN_EXPANSION_BUDGET, len(text) * 2)
        self.expanded = 0

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
        if tag is None or tag == "!":
            tag = _STR if tag == "!" else self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag not in _SCALAR_TAGS:
            if tag == _MERGE:
                raise _error(
                    self.path, _pos(event.start_mark), "merge keys ('<<') are not supported; write the keys out"
                )
            raise _error(
                self.path,
                _pos(event.start_mark),
                f"tag {event.tag!r} is not allowed: procmap reads plain YAML only",
            )
        if tag in (_STR, _TIMESTAMP):
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        return self.loader.yaml_constructors[tag](self.loader, node)

    def _check_collection_tag(self, event: Any, expected: str) -> None:
        if event.tag not in (None, "!", expected):
            raise _error(
                self.path,
                _pos(event.start_mark),
                f"tag {event.tag!r} is not allowed: procmap reads plain YAML only",
            )

    def _value(self, get: Any) -> Any:
        """Build one value iteratively (an explicit stack, so depth cannot crash Python)."""
        # Stack frames: [container, info, pending_key, pending_key_pos, anchor, size]
        stack: list[list[Any]] = []
        result: Any = None
        while True:
            event = get()
            start = _pos(event.start_mark)
            value: Any
            size = 1
            if isinstance(event, yaml.ScalarEvent):
                value = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in self.anchors:
                    raise _error(self.path, start, f"unknown alias '*{event.anchor}'")
                value, size = self.anchors[event.anchor]
                self.expanded += size
                if self.expanded > self.budget:
                    raise _error(
                        self.path,
                        start,
                        f"aliases expand to more than {self.budget:,} nodes (an alias bomb?); refusing to expand",
                    )
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                is_map = isinstance(event, yaml.MappingStartEvent)
                self._check_collection_tag(event, _MAP if is_map else _SEQ)
                if len(stack) >= MAX_DEPTH:
                    raise _error(self.path, start, f"nesting deeper than {MAX_DEPTH} levels; not a process file")
                container: Any = {} if is_map else []
                info = Container(start, {}, {} if is_map else [])
                self.containers[id(container)] = info
                stack.append([container, info, _NOKEY, None, event.anchor, 1])
                continue
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                value, size = frame[0], frame[5]
                start = frame[1].pos
                if frame[4]:
                    self.anchors[frame[4]] = (value, size)
            else:  # pragma: no cover - libyaml guarantees the grammar
                raise _error(self.path, start, f"unexpected YAML event {type(event).__name__}")

            if not stack:
                return value
            frame = stack[-1]
            frame[5] += size
            self.expanded += 1
            parent, info = frame[0], frame[1]
            if isinstance(parent, list):
                parent.append(value)
                info.child_pos.append(start)
            elif frame[2] is _NOKEY:
                if isinstance(value, (dict, list)):
                    raise _error(self.path, start, "mapping keys must be plain scalars")
                try:
                    hash(value)
                except TypeError:  # pragma: no cover - scalars are hashable
                    raise _error(self.path, start, "mapping keys must be plain scalars") from None
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
                            f"key '{key}' is given twice in this mapping (first at line {first[0]}); "
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
