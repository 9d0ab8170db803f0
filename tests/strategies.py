"""Hypothesis strategies for process files: random *valid* processes and random breakages of them.

Valid means zero errors by construction: ids are unique slugs, every step is
reached from the start (each step after the first has an earlier step flowing
to it), at least one end step exists, customer steps are never backstage and
every value has the right type.  Warnings and infos may appear (dead ends,
unlabeled branches, empty lanes…): they are not errors.

The mutations break a valid process in the ways people (and editors, merges
and truncated downloads) do: a key deleted, a value of the wrong type, a
reference to nothing, an id or key given twice, junk typed or pasted in.
Several of them plant a unique marker so a test can check that the
diagnostic points at exactly the right line and column.
"""

from __future__ import annotations

import copy
import itertools
import os
from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Profiles, applied per test (never loaded globally): "ci" is deterministic and
# quick; HYPOTHESIS_PROFILE=explore searches ten times longer with fresh seeds.
_COMMON = {"suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large], "deadline": 5000}
settings.register_profile("procmap-ci", derandomize=True, database=None, **_COMMON)
settings.register_profile("procmap-explore", derandomize=False, **_COMMON)
EXPLORE = os.environ.get("HYPOTHESIS_PROFILE") == "explore"


def profile(max_examples: int) -> settings:
    """Settings for one property test: ``max_examples`` in CI, ten times more when exploring."""
    parent = settings.get_profile("procmap-explore" if EXPLORE else "procmap-ci")
    return settings(parent, max_examples=max_examples * (10 if EXPLORE else 1))


LANE_KINDS = ("customer", "onstage", "backstage", "support")
DURATIONS = ("30s", "15m", "2h", "3d", "1w", "1h30m", "1.5h", "PT15M", "P1DT2H", "pt1h")
DANGLING = "zz-dangling-ref"
JUNK_KEY = "zz_junk_key"

slugs = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)
# Names and free text: any unicode except surrogates (a UTF-8 file cannot hold them).
texts = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=24)
plain_texts = st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), min_size=1, max_size=16)


@st.composite
def processes(draw: st.DrawFn, max_steps: int = 12, max_lanes: int = 5, blocks: bool = False) -> dict[str, Any]:
    """A valid process as plain data (the dict a YAML file would load to).

    ``blocks=True`` draws a block-structured process instead (SPEC §7.1: forks with
    joins, forks whose branches end, nested blocks, decisions, loops inside a
    branch or round whole blocks, shares): no `unmatched-fork` by construction.
    Without it the draws are exactly those of before forks existed.
    """
    if blocks:
        return draw(_block_processes(max_steps, max_lanes))
    lane_ids = draw(st.lists(slugs, min_size=1, max_size=max_lanes, unique=True))
    lanes = []
    for lane_id in lane_ids:
        lane: dict[str, Any] = {"id": lane_id, "name": draw(texts), "kind": draw(st.sampled_from(LANE_KINDS))}
        if draw(st.booleans()):
            lane["description"] = draw(texts)
        lanes.append(lane)
    kinds = {lane["id"]: lane["kind"] for lane in lanes}

    step_ids = draw(st.lists(slugs, min_size=1, max_size=max_steps, unique=True))
    n = len(step_ids)
    # Reachability: each step after the first gets a parent among the earlier ones.
    parents = [draw(st.integers(0, i - 1)) for i in range(1, n)]
    targets: list[list[int]] = [[] for _ in range(n)]
    for child, parent in enumerate(parents, start=1):
        targets[parent].append(child)
    leaves = [i for i in range(n) if not targets[i]]
    ends = {n - 1} | {i for i in leaves if draw(st.booleans())}
    for i in range(n):
        if i in ends:
            continue
        extra = draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))
        targets[i].extend(t for t in extra if t not in targets[i])
        if not targets[i]:  # a leaf that is not an end must flow somewhere
            targets[i].append(draw(st.integers(0, n - 1)))

    steps = []
    for i, step_id in enumerate(step_ids):
        lane_id = draw(st.sampled_from(lane_ids))
        step: dict[str, Any] = {"id": step_id, "name": draw(texts), "lane": lane_id}
        if kinds[lane_id] == "customer":
            visibility = draw(st.sampled_from([None, "onstage"]))
        else:
            visibility = draw(st.sampled_from([None, "onstage", "backstage"]))
        if visibility:
            step["visibility"] = visibility
        for key, values in (
            ("channel", st.sampled_from(["web", "phone", "email", "chat", "in-person", "app"]) | texts),
            ("owner", texts),
            ("backup", texts),
            ("duration", st.sampled_from(DURATIONS)),
            ("sla", st.sampled_from(DURATIONS)),
            ("evidence", texts),
            ("description", texts),
            ("data", st.lists(slugs, max_size=3)),
            ("fail_point", st.booleans()),
        ):
            if draw(st.integers(0, 3)) == 0:
                step[key] = draw(values)
        flows: list[Any] = []
        for t in targets[i]:
            if draw(st.booleans()):
                flows.append(step_ids[t])
            else:
                flow: dict[str, Any] = {"to": step_ids[t]}
                if draw(st.booleans()):
                    flow["when"] = draw(texts)
                flows.append(flow)
        if flows or draw(st.booleans()):
            step["next"] = flows
        steps.append(step)

    process: dict[str, Any] = {"id": draw(slugs), "name": draw(texts)}
    for key in ("description", "owner"):
        if draw(st.booleans()):
            process[key] = draw(texts)
    if draw(st.booleans()):
        process["start"] = step_ids[0]
    return {"version": 1, "process": process, "lanes": lanes, "steps": steps}


@st.composite
def yaml_texts(draw: st.DrawFn, data: Any) -> str:
    """``data`` written out as YAML in one of the styles people use (block, flow, mixed; LF or CRLF)."""
    style = draw(st.sampled_from(["block", "flow", "mixed"]))
    text = yaml.safe_dump(
        data,
        sort_keys=draw(st.booleans()),
        allow_unicode=draw(st.booleans()),
        default_flow_style={"block": False, "flow": True, "mixed": None}[style],
        width=draw(st.sampled_from([80, 10_000])),
        indent=draw(st.sampled_from([2, 4])),
    )
    if draw(st.booleans()):
        text = f"# a process\n{text}"
    if draw(st.integers(0, 4)) == 0:
        text = text.replace("\n", "\r\n")
    return text


# --------------------------------------------------------------------------- mutations


@dataclass
class Mutant:
    """A broken process: its text, what was done, and what must be reported."""

    text: str
    kind: str
    expect_rule: str | None = None  # an error of this rule must be reported…
    marker: str | None = None  # …pointing at where this text starts
    pos: tuple[int, int] | None = None  # …or at this line and column
    notes: list[str] = field(default_factory=list)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value below ``node``."""
    out: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((*prefix, i))
            out.extend(_paths(value, (*prefix, i)))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


REQUIRED = {
    (): ("version", "process", "lanes", "steps"),
    ("process",): ("id", "name"),
    ("lanes",): ("id", "name", "kind"),
    ("steps",): ("id", "name", "lane"),
}
WRONG_VALUES: list[Any] = [123, 1.5, True, None, [], {}, "text", ["a", "b"], {"k": "v"}]


def _shape(path: tuple[Any, ...]) -> tuple[Any, ...]:
    """A path with list indexes removed: ('steps', 3, 'id') -> ('steps', 'id')."""
    return tuple(p for p in path if not isinstance(p, int))


@st.composite
def mutants(draw: st.DrawFn, max_steps: int = 10) -> Mutant:
    """A valid process broken in one random way (or, sometimes, two)."""
    data = draw(processes(max_steps=max_steps))
    mutant = draw(_mutate(data))
    if draw(st.integers(0, 5)) == 0:  # a second, text-level breakage on top
        mutant = Mutant(draw(_text_junk(mutant.text)), f"{mutant.kind}+junk")
    return mutant


@st.composite
def _mutate(draw: st.DrawFn, data: dict[str, Any]) -> Mutant:
    kind = draw(
        st.sampled_from(
            [
                "delete-key",
                "delete-required",
                "wrong-type",
                "dangling-next",
                "dangling-lane",
                "dangling-start",
                "duplicate-step-id",
                "duplicate-lane-id",
                "unknown-key",
                "duplicate-key",
                "junk",
                "truncate",
                "swap-lines",
            ]
        )
    )
    data = copy.deepcopy(data)
    if kind == "delete-key":
        path = draw(st.sampled_from([p for p in _paths(data) if isinstance(_get(data, p[:-1]), dict)]))
        del _get(data, path[:-1])[path[-1]]
        return Mutant(draw(yaml_texts(data)), kind)
    if kind == "delete-required":
        section = draw(st.sampled_from(list(REQUIRED)))
        holder: Any = data if section == () else data[section[0]]
        if isinstance(holder, list):
            holder = draw(st.sampled_from(holder))
        del holder[draw(st.sampled_from(REQUIRED[section]))]
        return Mutant(draw(yaml_texts(data)), kind, expect_rule="schema")
    if kind == "wrong-type":
        path = draw(st.sampled_from(_paths(data)))
        old = _get(data, path)
        new = draw(st.sampled_from([v for v in WRONG_VALUES if type(v) is not type(old)]))
        _get(data, path[:-1])[path[-1]] = new
        return Mutant(draw(yaml_texts(data)), kind, notes=[f"{path} = {new!r}"])
    if kind == "dangling-next":
        step = draw(st.sampled_from(data["steps"]))
        flows = step.setdefault("next", [])
        if flows and draw(st.booleans()):
            i = draw(st.integers(0, len(flows) - 1))
            flows[i] = {**flows[i], "to": DANGLING} if isinstance(flows[i], dict) else DANGLING
        else:
            flows.append(DANGLING if draw(st.booleans()) else {"to": DANGLING, "when": "never"})
        return Mutant(draw(yaml_texts(data)), kind, "unknown-reference", DANGLING)
    if kind == "dangling-lane":
        draw(st.sampled_from(data["steps"]))["lane"] = DANGLING
        return Mutant(draw(yaml_texts(data)), kind, "unknown-reference", DANGLING)
    if kind == "dangling-start":
        data["process"]["start"] = DANGLING
        return Mutant(draw(yaml_texts(data)), kind, "unknown-reference", DANGLING)
    if kind in ("duplicate-step-id", "duplicate-lane-id"):
        items = data["steps" if kind == "duplicate-step-id" else "lanes"]
        copied = dict(draw(st.sampled_from(items)))
        if kind == "duplicate-step-id":
            copied.pop("next", None)  # an end step: it must not change reachability
        items.insert(draw(st.integers(0, len(items))), copied)
        return Mutant(draw(yaml_texts(data)), kind, "duplicate-id")
    if kind == "unknown-key":
        holders = [data["process"], *data["lanes"], *data["steps"]]
        draw(st.sampled_from(holders))[JUNK_KEY] = draw(st.sampled_from(WRONG_VALUES))
        return Mutant(draw(yaml_texts(data)), kind, "schema", JUNK_KEY)
    if kind == "duplicate-key":
        return draw(_duplicate_key(data))
    text = draw(yaml_texts(data))
    if kind == "junk":
        return Mutant(draw(_text_junk(text)), kind)
    if kind == "truncate":
        return Mutant(text[: draw(st.integers(0, len(text)))], kind)
    lines = text.splitlines(keepends=True)  # swap-lines
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return Mutant("".join(lines), kind)


def _one_line_entries(text: str) -> list[tuple[int, int]]:
    """(line, column), 0-based, of every ``key: scalar`` mapping entry written on a single line."""
    found: list[tuple[int, int]] = []
    todo = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if (
                    isinstance(key, yaml.ScalarNode)
                    and isinstance(value, yaml.ScalarNode)
                    and key.start_mark.line == value.end_mark.line
                    and value.style not in ("|", ">")
                ):
                    found.append((key.start_mark.line, key.start_mark.column))
                todo.append(value)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    return sorted(found)


@st.composite
def _duplicate_key(draw: st.DrawFn, data: dict[str, Any]) -> Mutant:
    """Repeat one ``key: value`` line of a block mapping right after itself."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)
    line, column = draw(st.sampled_from(_one_line_entries(text)))
    lines = text.splitlines(keepends=True)
    copy_of = lines[line]
    lines.insert(line + 1, " " * column + copy_of[column:])
    return Mutant("".join(lines), "duplicate-key", "duplicate-key", pos=(line + 2, column + 1))


JUNK = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "\t",
            ":",
            "- ",
            "[",
            "]",
            "{",
            "}",
            "&a ",
            "*a",
            "!!python/object:os.system ",
            "!x ",
            "? ",
            "---\n",
            "...\n",
            "%YAML 1.1\n",
            '"',
            "'",
            "#",
            "\ufeff",
            "\x85",
            "\u2028",
            "\r",
            "\x00",
            "\x07",
            "<<: *a\n",
            "\\",
            "é",
            "😀",
        ]
    ),
)


@st.composite
def _text_junk(draw: st.DrawFn, text: str) -> str:
    """Insert, overwrite or delete a little text at random places."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "overwrite", "delete"]))
        if action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            junk = draw(JUNK)
            text = text[:at] + junk + text[at + (len(junk) if action == "overwrite" else 0) :]
    return text


# --------------------------------------------------------------------------- block-structured processes


@st.composite
def _elements(draw: st.DrawFn, depth: int, can_end: bool, budget: list[int]) -> list[Any]:
    """A sequence of 1-3 elements: a step, a decision, a fork with a join, or (last, where the run may end) a fork whose branches end."""
    out: list[Any] = []
    for _ in range(draw(st.integers(1, 3))):
        choices = ["step"]
        if depth < 3 and budget[0] > 3:
            choices += ["choice", "fork"]
            if can_end:
                choices.append("forkend")
        kind = draw(st.sampled_from(choices))
        budget[0] -= 1
        if kind == "step":
            out.append(("step", draw(st.booleans()) and draw(st.integers(0, 2)) == 0))
            continue
        n = draw(st.integers(2, 3))
        parts = [draw(_elements(depth + 1, can_end=kind == "forkend", budget=budget)) for _ in range(n)]
        out.append((kind, parts, draw(st.integers(0, 3)) == 0))
        if kind == "forkend":
            break  # nothing follows a fork whose branches end
    return out


@st.composite
def _block_processes(draw: st.DrawFn, max_steps: int, max_lanes: int) -> dict[str, Any]:
    lane_ids = draw(st.lists(slugs, min_size=1, max_size=max_lanes, unique=True))
    lanes = [{"id": x, "name": x.upper(), "kind": draw(st.sampled_from(LANE_KINDS))} for x in lane_ids]
    kinds = {lane["id"]: lane["kind"] for lane in lanes}
    tree = draw(_elements(0, True, [max_steps]))
    steps: list[dict[str, Any]] = []

    def new() -> dict[str, Any]:
        step: dict[str, Any] = {"id": f"s{len(steps)}", "name": f"Step {len(steps)}"}
        steps.append(step)
        return step

    def shares(n: int) -> list[float]:
        cuts = sorted(draw(st.lists(st.integers(1, 9), min_size=n - 1, max_size=n - 1, unique=True)))
        points = [0, *cuts, 10]
        return [(b - a) / 10 for a, b in itertools.pairwise(points)]

    def wire(seq: list[Any], cont: str | None) -> str:
        """Create the steps of ``seq`` (pre-order: file order), flowing on to ``cont``; its first step's id."""
        heads: list[dict[str, Any]] = []
        exits: list[list[dict[str, Any]]] = []
        made: list[tuple[Any, dict[str, Any]]] = []
        for element in seq:
            head = new()
            heads.append(head)
            made.append((element, head))
        # Wire right to left: each element flows on to the next one's head.
        for k in range(len(seq) - 1, -1, -1):
            element, head = made[k]
            after = heads[k + 1]["id"] if k + 1 < len(seq) else cont
            kind = element[0]
            if kind == "step":
                head["next"] = [after] if after else []
                exits.insert(0, [head])
            elif kind == "choice":
                firsts = [wire(part, after) for part in element[1]]
                head["next"] = [{"to": f, "when": f"case {j}"} for j, f in enumerate(firsts)]
                exits.insert(0, [])
            elif kind == "fork":
                join = new()
                join["join"] = "all"
                join["next"] = [after] if after else []
                firsts = [wire(part, join["id"]) for part in element[1]]
                head["next"] = [{"all": firsts}]
                exits.insert(0, [join])
            else:  # forkend
                firsts = [wire(part, None) for part in element[1]]
                head["next"] = [{"all": firsts}]
                exits.insert(0, [])
        # Loops: from an element's exit back to the head of this or an earlier element.
        for k, element in enumerate(seq):
            if element[-1] is True and exits[k] and exits[k][0].get("next"):
                exit_step = exits[k][0]
                back = heads[draw(st.integers(0, k))]["id"]
                flows = exit_step["next"]
                if back not in [f if isinstance(f, str) else f.get("to") for f in flows]:
                    exit_step["next"] = [
                        *({"to": f, "when": "done"} if isinstance(f, str) else f for f in flows),
                        {"to": back, "when": "again"},
                    ]
        return heads[0]["id"]

    wire(tree, None)
    for step in steps:
        lane_id = draw(st.sampled_from(lane_ids))
        step["lane"] = lane_id
        if kinds[lane_id] != "customer" and draw(st.integers(0, 3)) == 0:
            step["visibility"] = draw(st.sampled_from(["onstage", "backstage"]))
        for key, values in (
            ("channel", st.sampled_from(["web", "phone", "email", "app"])),
            ("owner", st.sampled_from(["Clerk", "Packer"])),
            ("duration", st.sampled_from(DURATIONS)),
        ):
            if draw(st.integers(0, 2)) == 0:
                step[key] = draw(values)
        flows = step.get("next", [])
        if len(flows) > 1 and draw(st.booleans()):
            long = [{"to": f} if isinstance(f, str) else dict(f) for f in flows]
            for flow, share in zip(long, shares(len(long)), strict=True):
                flow["share"] = share
            step["next"] = long
        if not flows:
            step.pop("next", None)
    return {"version": 1, "process": {"id": "blocks", "name": "Blocks"}, "lanes": lanes, "steps": steps}
