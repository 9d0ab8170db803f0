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
from typing import Any

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
    comments = step_comments or {}
    q = quote_all(_scalars(data))
    lines = [f"# {comment_text(line)}" for line in header or []]
    lines.append(f"version: {q[_key(data['version'])]}")
    lines.append("process:")
    for key in PROCESS_KEYS:
        if key in data["process"]:
            lines.append(f"  {key}: {q[_key(data['process'][key])]}")
    lines.append("lanes:")
    for lane in data["lanes"]:
        lines.extend(_mapping(lane, LANE_KEYS, q))
    lines.append("steps:")
    for step in data["steps"]:
        lines.extend(_mapping(step, STEP_KEYS, q, comments.get(step["id"])))
    return "\n".join(lines) + "\n"


def _mapping(
    item: dict[str, Any], keys: tuple[str, ...], q: dict[tuple[type, Any], str], comment: str | None = None
) -> list[str]:
    out: list[str] = []
    for key in keys:
        if key not in item:
            continue
        prefix = "  - " if not out else "    "
        value = item[key]
        if key == "next":
            out.extend(_flows(prefix, value, q))
        elif isinstance(value, list):
            out.append(f"{prefix}{key}: [{', '.join(q[_key(v)] for v in value)}]")
        else:
            out.append(f"{prefix}{key}: {q[_key(value)]}" + (_comment(comment) if not out else ""))
    return out


def _flows(prefix: str, flows: list[Any], q: dict[tuple[type, Any], str]) -> list[str]:
    if all(isinstance(f, str) for f in flows):
        return [f"{prefix}next: [{', '.join(q[_key(f)] for f in flows)}]"]
    out = [f"{prefix}next:"]
    for flow in flows:
        if isinstance(flow, str):
            out.append(f"      - {q[_key(flow)]}")
            continue
        first = True
        for key in FLOW_KEYS:
            if key in flow:
                value = flow[key]
                text = f"[{', '.join(q[_key(v)] for v in value)}]" if isinstance(value, list) else q[_key(value)]
                out.append(f"      {'- ' if first else '  '}{key}: {text}")
                first = False
    return out
