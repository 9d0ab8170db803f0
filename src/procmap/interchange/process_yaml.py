"""Writing a process (plain data) as a readable procmap YAML file.

`yaml.safe_dump` would lose the things a person reading an imported file
needs: a header saying where it came from, key order as in docs/format.md,
short ``next: [a, b]`` lists, and a comment on a step's line (which is also
where a ``# procmap: ignore[...]`` suppression must sit).  Scalars are still
written by PyYAML, so quoting is always right.
"""

from __future__ import annotations

from typing import Any

PROCESS_KEYS = ("id", "name", "description", "owner", "start")
LANE_KEYS = ("id", "name", "kind", "description")
STEP_KEYS = (
    "id", "name", "lane", "description", "channel", "contact", "visibility", "owner", "backup",
    "duration", "sla", "evidence", "data", "fail_point", "next",
)  # fmt: skip
FLOW_KEYS = ("to", "when", "share")


def scalar(value: Any) -> str:
    """One YAML scalar on one line, quoted exactly when it has to be."""
    import yaml

    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return yaml.safe_dump(value, default_flow_style=True).split("\n")[0]
    text = str(value)
    dumped = yaml.safe_dump(text, default_flow_style=True, allow_unicode=True, width=1 << 30)
    dumped = dumped.removesuffix("\n").removesuffix("\n...").removesuffix("...")
    # Line breaks of any kind (YAML 1.1 counts NEL, LS and PS) and control
    # characters only survive escaped, in double quotes.
    if not all(c.isprintable() for c in text) or "\n" in dumped.strip("\n") or dumped != dumped.strip():
        dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1 << 30)
        dumped = dumped.rstrip("\n")
    return dumped.strip("\n")


def comment_text(text: str) -> str:
    """Text safe inside a YAML comment: one line, no characters YAML forbids or reads as line breaks."""
    return "".join(c if c.isprintable() else "?" for c in " ".join(text.split()))


def _comment(text: str | None) -> str:
    return f"  # {comment_text(text)}" if text else ""


def dump(data: dict[str, Any], header: list[str] | None = None, step_comments: dict[str, str] | None = None) -> str:
    """The YAML text of a process: header comments, then version, process, lanes and steps."""
    comments = step_comments or {}
    lines = [f"# {comment_text(line)}" for line in header or []]
    lines.append(f"version: {scalar(data['version'])}")
    lines.append("process:")
    for key in PROCESS_KEYS:
        if key in data["process"]:
            lines.append(f"  {key}: {scalar(data['process'][key])}")
    lines.append("lanes:")
    for lane in data["lanes"]:
        lines.extend(_mapping(lane, LANE_KEYS))
    lines.append("steps:")
    for step in data["steps"]:
        lines.extend(_mapping(step, STEP_KEYS, comments.get(step["id"])))
    return "\n".join(lines) + "\n"


def _mapping(item: dict[str, Any], keys: tuple[str, ...], comment: str | None = None) -> list[str]:
    out: list[str] = []
    for key in keys:
        if key not in item:
            continue
        prefix = "  - " if not out else "    "
        value = item[key]
        if key == "next":
            out.extend(_flows(prefix, value))
        elif isinstance(value, list):
            out.append(f"{prefix}{key}: [{', '.join(scalar(v) for v in value)}]")
        else:
            out.append(f"{prefix}{key}: {scalar(value)}" + (_comment(comment) if not out else ""))
    return out


def _flows(prefix: str, flows: list[Any]) -> list[str]:
    if all(isinstance(f, str) for f in flows):
        return [f"{prefix}next: [{', '.join(scalar(f) for f in flows)}]"]
    out = [f"{prefix}next:"]
    for flow in flows:
        if isinstance(flow, str):
            out.append(f"      - {scalar(flow)}")
            continue
        first = True
        for key in FLOW_KEYS:
            if key in flow:
                out.append(f"      {'- ' if first else '  '}{key}: {scalar(flow[key])}")
                first = False
    return out
