"""Writing a process (plain data) as a readable procmap YAML file.

`yaml.safe_dump` of the whole document would lose the things a person reading
an imported file needs: a header saying where it came from, key order as in
docs/format.md, short ``next: [a, b]`` lists, and a comment on a step's line
(which is also where a ``# procmap: ignore[...]`` suppression must sit).  So
the layout is written here and only the scalars are YAML's: every distinct
value is quoted by libyaml's C emitter in one batch (a YAML sequence of them,
split back into items), which is what keeps quoting right and an import of
thousands of steps fast.  A PyYAML without libyaml falls back to its
pure-Python emitter with the same result.
"""

from __future__ import annotations

import re
from array import array
from typing import Any

from procmap.load.loader import Document, Pos, Positions

PROCESS_KEYS = ("id", "name", "description", "owner", "start")
LANE_KEYS = ("id", "name", "kind", "description")
STEP_KEYS = (
    "id", "name", "lane", "description", "channel", "visibility", "contact", "owner", "backup",
    "duration", "sla", "sla_from", "evidence", "stage", "data", "fail_point", "join", "next",
)  # fmt: skip
FLOW_KEYS = ("to", "all", "when", "share", "planned")
WIDTH = 1 << 30  # never fold a long scalar over several lines
# libyaml escapes characters beyond the Basic Multilingual Plane ("\U0001F600") even with allow_unicode;
# PyYAML's own emitter writes them as they are, so text holding one is quoted by it (rare, and still right).
ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _key(value: Any) -> tuple[type, Any]:
    """A dict key that keeps 1, 1.0, True and "1" apart (and NaN equal to itself)."""
    return (type(value), value if isinstance(value, str) else repr(value))


def _items(text: str) -> list[str]:
    """The items of a YAML block sequence of scalars, each as written (continuation lines joined by newlines)."""
    if text.startswith("[]"):
        return []
    items: list[str] = []
    for line in text.split("\n"):
        if line.startswith("- "):
            items.append(line[2:])
        elif line == "-":
            items.append("")
        elif items and line != "...":
            items[-1] += "\n" + line
    if items:
        items[-1] = items[-1].rstrip("\n")
    return items


def _dump_batch(values: list[Any], *, double: bool, pure: bool = False) -> list[str]:
    import yaml

    dumper = yaml.SafeDumper if pure else getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(
        values,
        Dumper=dumper,
        default_flow_style=False,
        allow_unicode=True,
        width=WIDTH,
        default_style='"' if double else None,
    )
    items = _items(text)
    if len(items) != len(values):  # never silently misaligned: quote one by one instead
        return [_items(yaml.dump([v], Dumper=dumper, allow_unicode=True, width=WIDTH,
                                 default_style='"' if double else None))[0] for v in values]  # fmt: skip
    return items


def quote_all(values: list[Any]) -> dict[tuple[type, Any], str]:
    """Each value as one YAML scalar on one line, quoted exactly when it has to be.

    Line breaks of any kind (YAML 1.1 counts NEL, LS and PS) and control
    characters only survive escaped, in double quotes; so does text whose
    quoted form has outer whitespace.
    """
    distinct = list({_key(v): v for v in values}.values())
    astral = [v for v in distinct if isinstance(v, str) and not v.isascii() and ASTRAL.search(v)]
    if astral:
        marked = {_key(v) for v in astral}
        distinct = [v for v in distinct if _key(v) not in marked]
    out: dict[tuple[type, Any], str] = {}
    for batch, pure in ((distinct, False), (astral, True)):
        if not batch:
            continue
        redo: list[Any] = []
        for value, written in zip(batch, _dump_batch(batch, double=False, pure=pure), strict=True):
            if isinstance(value, str) and (not value.isprintable() or "\n" in written or written != written.strip()):
                redo.append(value)
            else:
                out[_key(value)] = written
        if redo:
            for value, written in zip(redo, _dump_batch(redo, double=True, pure=pure), strict=True):
                out[_key(value)] = written
    return out


def scalar(value: Any) -> str:
    """One YAML scalar on one line (see :func:`quote_all`)."""
    return quote_all([value])[_key(value)]


def comment_text(text: str) -> str:
    """Text safe inside a YAML comment: one line, no characters YAML forbids or reads as line breaks."""
    return "".join(c if c.isprintable() else "?" for c in " ".join(text.split()))


def _comment(text: str | None) -> str:
    return f"  # {comment_text(text)}" if text else ""


def _scalars(data: dict[str, Any]) -> list[Any]:
    """Every scalar the document holds, in any order (for one batch of quoting)."""
    found: list[Any] = [data["version"], *data["process"].values()]
    for item in [*data["lanes"], *data["steps"]]:
        for key, value in item.items():
            if key == "next":
                for flow in value:
                    for part in flow.values() if isinstance(flow, dict) else (flow,):
                        found.extend(part if isinstance(part, list) else (part,))  # a fork's `all` list
            elif isinstance(value, list):
                found.extend(value)
            else:
                found.append(value)
    return found


def dump(data: dict[str, Any], header: list[str] | None = None, step_comments: dict[str, str] | None = None) -> str:
    """The YAML text of a process: header comments, then version, process, lanes and steps."""
    return _Writer(data, header, step_comments, positions=False).text()


def dump_document(
    data: dict[str, Any], path: str, header: list[str] | None = None, step_comments: dict[str, str] | None = None
) -> Document:
    """The text :func:`dump` writes, with the :class:`~procmap.load.loader.Document` reading it back would give.

    `procmap import` checks what it writes with validate's own schema and
    rules, which read a Document: values in the file's key order plus where
    each key and value was written.  The writer knows both as it writes each
    line, so it hands them over instead of parsing its own text again (a
    sixth of importing 5,000 tasks).  The values are the ones written (every
    scalar is YAML's own quoting of that very value, which reads back as it);
    `tests/test_perf_import.py` checks the result equals ``parse(text)``
    on every example, every MIWG model and generated processes.  Shapes the
    fast path does not lay out (an empty process, lanes or steps list, which
    YAML reads as null) are parsed instead.
    """
    from procmap.load.loader import parse

    writer = _Writer(data, header, step_comments, positions=True)
    text = writer.text()
    if writer.document_data is None:
        return parse(text, path)
    return Document(path, text, writer.document_data, writer.root_pos, writer.table, [])


class _Writer:
    """Lays out one process line by line; with ``positions``, also the values and positions a parse would give.

    Every scalar is written on the line of its key (:func:`quote_all` keeps
    each on one line), so a value's column is its key's plus the key's
    length and ``": "``; nested mappings and sequences start where their
    first item does, which is what libyaml reports.
    """

    def __init__(
        self,
        data: dict[str, Any],
        header: list[str] | None,
        step_comments: dict[str, str] | None,
        *,
        positions: bool,
    ) -> None:
        self.data = data
        self.comments = step_comments or {}
        self.q = quote_all(_scalars(data))
        self.lines = [f"# {comment_text(line)}" for line in header or []]
        self.track = positions
        self.document_data: dict[str, Any] | None = None
        self.complete = True  # False: a shape the positions are not laid out for (the text is parsed instead)
        self.root_pos: Pos = (1, 1)
        self.table: Positions = Positions(0)

    def text(self) -> str:
        data, q, lines = self.data, self.q, self.lines
        track = self.track and all(data[part] for part in ("process", "lanes", "steps"))
        if track:
            self._prepare()
        first = len(lines) + 1
        lines.append(f"version: {q[_key(data['version'])]}")
        lines.append("process:")
        process = self._mapping_lines(data["process"], PROCESS_KEYS, 2, None, track)
        lines.append("lanes:")
        lanes = self._items(data["lanes"], LANE_KEYS, None, track)
        lines.append("steps:")
        steps = self._items(data["steps"], STEP_KEYS, self.comments, track)
        text = "\n".join(lines) + "\n"
        if track and self.complete and process is not None and lanes is not None and steps is not None:
            self.table = Positions(len(text))
            self._flush()
            root = {"version": data["version"], "process": process, "lanes": lanes, "steps": steps}
            self._add(root, [first, 1, 4, first, 1, first, 10, first + 1, 1, first + 2, 3,
                             self.starts["lanes"], 1, self.starts["lanes"] + 1, 3,
                             self.starts["steps"], 1, self.starts["steps"] + 1, 3])  # fmt: skip
            self._flush()
            self.root_pos = (first, 1)
            self.document_data = root
        return text

    # The records of containers are kept in a list first and stored once the text's size (which picks the
    # array's type) is known.
    def _prepare(self) -> None:
        self.pending: list[tuple[Any, list[int]]] = []
        self.starts: dict[str, int] = {}

    def _add(self, container: Any, record: list[int]) -> None:
        self.pending.append((container, record))

    def _flush(self) -> None:
        table = self.table
        typecode = table.typecode
        for container, record in self.pending:
            table.add(container, array(typecode, record))
        self.pending = []

    def _items(
        self, items: list[dict[str, Any]], keys: tuple[str, ...], comments: dict[str, str] | None, track: bool
    ) -> list[Any] | None:
        """A block sequence of mappings (lanes, steps); with ``track`` the values read back and their record."""
        lines = self.lines
        if track:
            self.starts["lanes" if keys is LANE_KEYS else "steps"] = len(lines)
        values: list[Any] = []
        record = [len(lines) + 1, 3, len(items)]
        complete = True
        for item in items:
            line = len(lines) + 1
            comment = comments.get(item["id"]) if comments is not None and "id" in item else None
            value = self._mapping_lines(item, keys, 4, comment, track)
            if track:
                if value is None:
                    complete = False
                values.append(value)
                record.append(line)
                record.append(5)
        if not track or not complete:
            return None
        self._add(values, record)
        return values

    def _mapping_lines(
        self, item: dict[str, Any], keys: tuple[str, ...], indent: int, comment: str | None, track: bool
    ) -> dict[str, Any] | None:
        """Write one mapping's lines: a lane or step (``"  - "`` first, then four spaces) or the process (two)."""
        q, lines = self.q, self.lines
        top = indent == 2
        value_of: dict[str, Any] = {}
        record: list[int] = [len(lines) + 1, indent + 1, 0]
        first = True
        for key in keys:
            if key not in item:
                continue
            value = item[key]
            line = len(lines) + 1
            prefix = "  " if top else "  - " if first else "    "
            key_col = len(prefix) + 1
            if key == "next":
                flows, where = self._flows(prefix, value, track)
                if track:
                    value_of[key] = flows
                    record.extend((line, key_col, *where))
            elif isinstance(value, list):
                texts = [q[_key(v)] for v in value]
                lines.append(f"{prefix}{key}: [{', '.join(texts)}]")
                if track:
                    value_col = key_col + len(key) + 2
                    value_of[key] = self._flow_sequence(value, texts, line, value_col)
                    record.extend((line, key_col, line, value_col))
            else:
                lines.append(f"{prefix}{key}: {q[_key(value)]}" + (_comment(comment) if first and not top else ""))
                if track:
                    value_of[key] = value
                    record.extend((line, key_col, line, key_col + len(key) + 2))
            first = False
        if not track or not value_of:
            return None
        record[2] = len(value_of)
        self._add(value_of, record)
        return value_of

    def _flow_sequence(self, values: list[Any], texts: list[str], line: int, col: int) -> list[Any]:
        """``[a, b]`` at ``col``: its values (a new list) and their record."""
        record = [line, col, len(values)]
        at = col + 1
        for text in texts:
            record.append(line)
            record.append(at)
            at += len(text) + 2
        copy = list(values)
        self._add(copy, record)
        return copy

    def _flows(self, prefix: str, flows: list[Any], track: bool) -> tuple[Any, tuple[int, int]]:
        """Write a step's ``next``; with ``track``, its value read back and where that value starts."""
        q, lines = self.q, self.lines
        line = len(lines) + 1
        col = len(prefix) + len("next: ") + 1
        if all(isinstance(f, str) for f in flows):
            texts = [q[_key(f)] for f in flows]
            lines.append(f"{prefix}next: [{', '.join(texts)}]")
            if not track:
                return None, (0, 0)
            return self._flow_sequence(flows, texts, line, col), (line, col)
        lines.append(f"{prefix}next:")
        values: list[Any] = []
        value_of: dict[str, Any]
        record = [line + 1, 7, len(flows)]
        for flow in flows:
            at = len(lines) + 1
            if isinstance(flow, str):
                lines.append(f"      - {q[_key(flow)]}")
                values.append(flow)
                record.extend((at, 9))
                continue
            value_of = {}
            entry: list[int] = [at, 9, 0]
            for key in FLOW_KEYS:
                if key in flow:
                    value = flow[key]
                    here = len(lines) + 1
                    value_col = 9 + len(key) + 2
                    if isinstance(value, list):
                        texts = [q[_key(v)] for v in value]
                        text = f"[{', '.join(texts)}]"
                        if track:
                            value_of[key] = self._flow_sequence(value, texts, here, value_col)
                    else:
                        text = q[_key(value)]
                        value_of[key] = value
                    lines.append(f"      {'- ' if here == at else '  '}{key}: {text}")
                    entry.extend((here, 9, here, value_col))
            if track:
                if not value_of:
                    self.complete = False  # an empty flow mapping writes no line: leave it to the parser
                entry[2] = len(value_of)
                self._add(value_of, entry)
                values.append(value_of)
            record.extend((at, 9))
        if not track:
            return None, (0, 0)
        self._add(values, record)
        return values, (line + 1, 7)
