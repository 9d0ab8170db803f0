"""Validate loaded values against the models and turn pydantic errors into diagnostics.

Two jobs: (1) every pydantic error becomes a ``schema`` diagnostic pointing at
the offending node, with a message a process author understands; (2) the
values are *pruned* of what failed (unknown keys removed, broken steps, lanes
or flows dropped) so the semantic rules can still run and a file gets all its
findings in one pass, as a linter should.
"""

from __future__ import annotations

import copy
import difflib
import functools
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from procmap.diagnostics import Diagnostic, Severity
from procmap.load.loader import Document, shorten
from procmap.model.process import Flow, Lane, ProcessFile, ProcessInfo, Step
from procmap.model.walk import depth_first

_FIELDS = {
    "process": ProcessInfo.model_fields,
    "lanes": Lane.model_fields,
    "steps": Step.model_fields,
    "next": Flow.model_fields,
    None: ProcessFile.model_fields,
}
_REQUIRED = {k: {n for n, f in v.items() if f.is_required()} for k, v in _FIELDS.items()}
_PLACEHOLDER = "invalid-process"  # stands in for a bad process id/name so the steps still get checked

_TYPE_NAMES = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a mapping",
    type(None): "empty (null)",
}
_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "float_type": "a number",
}


@dataclass
class Checked:
    """The outcome of schema validation.

    ``model`` is the (possibly pruned) valid model, or None when nothing usable
    is left.  The ``*_map`` lists give, for each kept lane/step/flow, its index
    in the file, so later diagnostics point at the right node.
    """

    diagnostics: list[Diagnostic]
    model: ProcessFile | None
    pruned: bool = False
    lane_map: list[int] = field(default_factory=list)
    step_map: list[int] = field(default_factory=list)
    flow_map: dict[int, list[int]] = field(default_factory=dict)
    dropped_ids: set[str] = field(default_factory=set)


def _describe(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _where(loc: tuple[Any, ...], data: Any = None) -> str:
    """Human path to a node: ``step 'triage' .next[0].when`` rather than ``steps.1.next.0.when``."""
    if data is not None and len(loc) >= 2 and loc[0] in ("steps", "lanes") and isinstance(loc[1], int):
        items = data.get(loc[0]) if isinstance(data, dict) else None
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        ident = item.get("id") if isinstance(item, dict) else None
        name = f"{loc[0][:-1]} {shorten(ident)}" if isinstance(ident, str) else f"{loc[0][:-1]} #{loc[1] + 1}"
        rest = _where(loc[2:])
        return f"{name} {rest}" if rest != "the file" else name
    parts = []
    for p in loc:
        parts.append(f"[{p}]" if isinstance(p, int) else (f".{p}" if parts else str(p)))
    return "".join(parts) or "the file"


def _section(loc: tuple[Any, ...]) -> Any:
    """Which model a loc's last mapping belongs to, for required/known field lookups."""
    if len(loc) >= 4 and loc[0] == "steps" and loc[2] == "next":
        return "next"
    if loc and loc[0] in ("lanes", "steps") and len(loc) >= 2:
        return loc[0]
    if loc and loc[0] == "process":
        return "process"
    return None


@functools.lru_cache(maxsize=1024)
def _closest_key(key: str, known: tuple[str, ...]) -> list[str]:
    """The did-you-mean for an unknown key, cached: one typo copied to 20,000 steps cost 4 s of difflib."""
    return difflib.get_close_matches(key, known, n=1)


def _message(err: dict[str, Any], loc: tuple[Any, ...], data: Any) -> str:
    kind = err["type"]
    where = _where(loc, data)
    value = err.get("input")
    if kind == "extra_forbidden":
        key = loc[-1]
        known = _FIELDS[_section(loc[:-1])]
        hint = _closest_key(str(key), tuple(known))
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else f"; known keys: {', '.join(known)}"
        return f"unknown key {shorten(key)} in {_where(loc[:-1], data)}{suggestion}"
    if kind == "flow_target_missing":
        return f"{where} is missing required key 'to'"
    if kind == "missing":
        return f"{_where(loc[:-1], data)} is missing required key '{loc[-1]}'"
    if kind == "string_pattern_mismatch":
        return f"{where} must be a slug (lowercase letters, digits, '-' and '_', starting with a letter or digit), got {shorten(value)}"
    if kind == "literal_error":
        if loc == ("version",):
            return f"version must be 1 (the only version of the format), got {shorten(value)}"
        expected = err.get("ctx", {}).get("expected", "")
        return f"{where} must be one of {expected}, got {shorten(value)}"
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        if loc and loc[-1] == "next":
            expected = "a list of step ids or {to, when} mappings"
        elif len(loc) >= 2 and loc[-2] == "next":
            expected = "a step id or a {to, when} mapping"
        if value is None:
            return f"{where} must be {expected}, but it is empty"
        if isinstance(value, (dict, list)):
            return f"{where} must be {expected}, got {_describe(value)}"
        hint = ""
        if kind == "list_type" and isinstance(value, str):
            hint = f" (for one item write [{value}])"
        elif kind == "string_type" and isinstance(value, bool):
            # Unquoted true/false are booleans: a trap for branch labels and names.
            hint = " (unquoted true/false are booleans in YAML: put the text in quotes)"
        elif kind == "string_type" and isinstance(value, (int, float)):
            hint = " (put the text in quotes)"
        return f"{where} must be {expected}, got {_describe(value)} {shorten(value)}{hint}"
    if kind == "too_short" and loc and loc[-1] == "all":
        return f"{where} must list two or more steps: a fork starts several branches at once (one step is an ordinary flow: `to`)"
    if kind == "too_short":
        return f"{where} must not be empty"
    if kind == "string_too_short":
        return f"{where} must not be empty"
    if kind == "string_too_long":
        return f"{where} is too long (over 200 characters)"
    if kind in ("greater_than", "less_than_equal") and loc and loc[-1] == "share":
        return f"{where} must be a fraction above 0 and at most 1, got {shorten(value)}"
    if kind == "value_error":
        return f"{where}: {err['msg'].removeprefix('Value error, ')}"
    return f"{where}: {err['msg']}"


def _clean_loc(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Drop the type names union/validator wrappers add to locs ("function-before[...]", "str").

    Only parts that are not keys of the data are dropped: a user's own key may
    well be called ``str`` or contain ``[`` (and must then be reported, not lost).
    """
    out = []
    node = data
    for p in loc:
        if isinstance(node, dict) and p in node:
            node = node[p]
        elif isinstance(node, list) and isinstance(p, int) and 0 <= p < len(node):
            node = node[p]
        elif isinstance(p, str) and ("[" in p or p in ("str", "Flow")):
            continue
        else:
            node = None
        out.append(p)
    return tuple(out)


def check(doc: Document) -> Checked:
    """Validate ``doc.data``; return diagnostics and the best usable model."""
    data = doc.data
    if not isinstance(data, dict):
        what = "empty" if data is None else f"{_describe(data)}"
        return Checked(
            [
                Diagnostic(
                    doc.path,
                    *doc.root_pos,
                    Severity.ERROR,
                    "schema",
                    f"a process file must be a mapping with version, process, lanes and steps; this one is {what}",
                )
            ],
            None,
        )
    try:
        model = ProcessFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    else:
        n_steps, n_lanes = len(model.steps), len(model.lanes)
        checked = Checked(
            [],
            model,
            lane_map=list(range(n_lanes)),
            step_map=list(range(n_steps)),
            flow_map={i: list(range(len(s.next))) for i, s in enumerate(model.steps)},
        )
        checked.diagnostics.extend(journey_keys(doc, checked))
        return checked

    diagnostics = []
    for err in errors:
        loc = _clean_loc(tuple(err["loc"]), data)
        is_key = err["type"] == "extra_forbidden"
        line, col = doc.locate(loc, key=is_key) if is_key or err["type"] != "missing" else doc.locate(loc[:-1])
        diagnostics.append(Diagnostic(doc.path, line, col, Severity.ERROR, "schema", _message(err, loc, data)))
    checked = _prune(doc, data, [(_clean_loc(tuple(e["loc"]), data), e["type"]) for e in errors], diagnostics)
    checked.diagnostics.extend(journey_keys(doc, checked))
    return checked


SHARE_TOLERANCE = 0.001


def _raw_flows(doc: Document, index: int) -> list[Any]:
    """The step's flows as written (a flow dropped for its own error must not look like a missing share)."""
    steps = doc.data.get("steps") if isinstance(doc.data, dict) else None
    step = steps[index] if isinstance(steps, list) and index < len(steps) else None
    flows = step.get("next") if isinstance(step, dict) else None
    return flows if isinstance(flows, list) else []


def journey_keys(doc: Document, checked: Checked) -> list[Diagnostic]:
    """SPEC §5.1's rules that span several keys: shares all-or-none summing to 1, updates only on touchpoints.

    They are ``schema`` errors (the file is malformed, not merely unusual), but a
    single field cannot see them: a share needs its sibling flows, a contact
    needs the lane's kind.  Checked on the (possibly pruned) model, pointing at
    the file's own nodes through the step and flow maps.
    """
    model = checked.model
    if model is None:
        return []
    kinds: dict[str, str] = {}
    for lane in model.lanes:
        kinds.setdefault(lane.id, lane.kind)
    out: list[Diagnostic] = []
    for k, step in enumerate(model.steps):
        index = checked.step_map[k]
        shared = [f for f in step.next if f.share is not None]
        if shared and len(checked.flow_map.get(k, step.next)) == len(_raw_flows(doc, index)):
            missing = [f.to for f in step.next if f.share is None]
            if missing:
                names = ", ".join(shorten(t) for t in missing)
                message = (
                    f"step {shorten(step.id)} gives a share to some of its flows but not to {names}: "
                    "give every flow of the step a share, or none"
                )
                line, col = doc.locate(("steps", index, "next"))
                out.append(Diagnostic(doc.path, line, col, Severity.ERROR, "schema", message))
            else:
                total = sum(f.share for f in shared if f.share is not None)
                if abs(total - 1) > SHARE_TOLERANCE:
                    message = (
                        f"the shares of the flows of step {shorten(step.id)} add up to {round(total, 6):g}, not 1: "
                        "they are the fractions of customers taking each flow"
                    )
                    line, col = doc.locate(("steps", index, "next"))
                    out.append(Diagnostic(doc.path, line, col, Severity.ERROR, "schema", message))
        if step.contact == "update":
            kind = kinds.get(step.lane)
            if kind is None:
                continue  # an unknown lane: unknown-reference says so
            visibility = step.visibility or ("onstage" if kind in ("customer", "onstage") else "backstage")
            if kind == "customer" or visibility != "onstage":
                where = "in the customer lane" if kind == "customer" else "backstage"
                message = (
                    f"step {shorten(step.id)} has contact: update but is {where}: an update is a status "
                    "message from a touchpoint (an onstage step outside the customer lane)"
                )
                line, col = doc.locate(("steps", index, "contact"))
                out.append(Diagnostic(doc.path, line, col, Severity.ERROR, "schema", message))
    out.extend(_story_keys(doc, checked, model, kinds))
    return out


def _facing(step: Step, kinds: dict[str, str]) -> bool | None:
    """SPEC §5.2's facing step, read from the model; None when the lane is unknown (unknown-reference says so)."""
    kind = kinds.get(step.lane)
    if kind is None:
        return None
    visibility = step.visibility or ("onstage" if kind in ("customer", "onstage") else "backstage")
    return kind == "customer" or visibility == "onstage"


def _story_keys(doc: Document, checked: Checked, model: ProcessFile, kinds: dict[str, str]) -> list[Diagnostic]:
    """SPEC §5.7's keys that need the rest of the file: chase, sla_from, planned.

    A chase is a customer action and never the start; ``sla_from`` needs an
    ``sla`` and names a facing step (an unknown id is `unknown-reference`'s);
    ``planned`` only on a loop edge of SPEC §5.2's walk, read here on the
    model exactly as the graph is built (first of two same-id steps, flows to
    unknown steps left out, a repeated target once).
    """
    out: list[Diagnostic] = []

    def error(loc: tuple[Any, ...], message: str) -> None:
        line, col = doc.locate(loc)
        out.append(Diagnostic(doc.path, line, col, Severity.ERROR, "schema", message))

    first: dict[str, int] = {}
    for k, step in enumerate(model.steps):
        first.setdefault(step.id, k)
    start = model.start_id()
    for k, step in enumerate(model.steps):
        index = checked.step_map[k]
        if step.contact == "chase":
            kind = kinds.get(step.lane)
            if kind is not None and kind != "customer":
                error(
                    ("steps", index, "contact"),
                    f"step {shorten(step.id)} has contact: chase but is not in the customer lane: a chase is "
                    "the customer acting again because nothing came (call again, write again)",
                )
            elif step.id == start and first.get(step.id) == k:
                error(
                    ("steps", index, "contact"),
                    f"step {shorten(step.id)} has contact: chase but is where the process starts: a chase "
                    "follows a first contact",
                )
        if step.sla_from is not None:
            if step.sla is None:
                error(
                    ("steps", index, "sla_from"),
                    f"step {shorten(step.id)} has sla_from but no sla: sla_from says where the promised time starts",
                )
            source = first.get(step.sla_from)
            if source is not None and _facing(model.steps[source], kinds) is False:
                error(
                    ("steps", index, "sla_from"),
                    f"step {shorten(step.id)} measures its sla from {shorten(step.sla_from)}, which the customer "
                    "does not see: sla_from names a customer action or a touchpoint",
                )
    if any(f.planned for s in model.steps for f in s.next):
        succ: list[list[int]] = []
        for k, step in enumerate(model.steps):
            targets: list[int] = []
            if first[step.id] == k:
                for f in step.next:
                    for target in f.targets:
                        v = first.get(target)
                        if v is not None and v not in targets:
                            targets.append(v)
            succ.append(targets)
        loops, _post = depth_first(first.get(start, -1), succ)
        for k, step in enumerate(model.steps):
            for j, flow in enumerate(step.next):
                if (
                    flow.planned
                    and flow.to is not None
                    and (k, first.get(flow.to, -1)) not in loops
                    and first[step.id] == k
                ):
                    flows = checked.flow_map.get(k, list(range(len(step.next))))
                    error(
                        ("steps", checked.step_map[k], "next", flows[j], "planned"),
                        f"the flow from {shorten(step.id)} to {shorten(flow.to)} is planned but does not go back "
                        "to a step the process already passed: planned: true marks an expected loop (a "
                        "follow-up visit)",
                    )
    return out


def _prune(
    doc: Document, data: dict[str, Any], errors: list[tuple[tuple[Any, ...], str]], diagnostics: list[Diagnostic]
) -> Checked:
    """Remove what failed so the remaining process can still be checked semantically."""
    clean = copy.copy(data)
    drop_lanes: set[int] = set()
    drop_steps: set[int] = set()
    drop_flows: dict[int, set[int]] = {}
    delete: list[tuple[Any, ...]] = []
    placeholders: dict[str, str] = {}
    bad_process = False
    for loc, kind in errors:
        if not loc:
            return Checked(diagnostics, None)
        top = loc[0]
        if top == "version":
            continue  # a wrong version: report it, still check the rest
        if len(loc) == 1:
            if kind == "extra_forbidden":
                delete.append(loc)  # an unknown top-level key: drop it, check the rest
                continue
            if top == "process":
                bad_process = True  # missing or not a mapping: stand in a placeholder
                continue
            return Checked(diagnostics, None)  # no usable lanes or steps
        if top == "process":
            if kind == "extra_forbidden" or loc[1] not in _REQUIRED["process"]:
                delete.append(loc[:2])
            else:
                # A bad process id or name only matters in messages: keep checking the steps.
                placeholders[str(loc[1])] = _PLACEHOLDER
            continue
        idx = loc[1]
        if not isinstance(idx, int):
            return Checked(diagnostics, None)
        if top == "lanes":
            if len(loc) > 2 and (kind == "extra_forbidden" or loc[2] not in _REQUIRED["lanes"]):
                delete.append(loc[:3])
            else:
                drop_lanes.add(idx)
            continue
        # steps
        if len(loc) > 3 and loc[2] == "next" and isinstance(loc[3], int):
            if kind == "extra_forbidden" and len(loc) == 5:
                delete.append(loc[:5])
            else:
                drop_flows.setdefault(idx, set()).add(loc[3])
        elif len(loc) > 2 and (kind == "extra_forbidden" or loc[2] not in _REQUIRED["steps"]):
            delete.append(loc[:3])
        else:
            drop_steps.add(idx)

    clean["version"] = 1
    for loc in delete:
        if len(loc) == 1:
            clean.pop(loc[0], None)
    delete = [loc for loc in delete if len(loc) > 1]
    if bad_process or not isinstance(clean.get("process"), dict):
        clean["process"] = {"id": _PLACEHOLDER, "name": _PLACEHOLDER}
    else:
        clean["process"] = {**clean["process"], **placeholders}
    lanes = (
        [dict(x) if isinstance(x, dict) else x for x in clean.get("lanes") or []]
        if isinstance(clean.get("lanes"), list)
        else clean.get("lanes")
    )
    steps = (
        [dict(x) if isinstance(x, dict) else x for x in clean.get("steps") or []]
        if isinstance(clean.get("steps"), list)
        else clean.get("steps")
    )
    if not isinstance(lanes, list) or not isinstance(steps, list):
        return Checked(diagnostics, None)
    for s in steps:
        if isinstance(s, dict) and isinstance(s.get("next"), list):
            s["next"] = [dict(f) if isinstance(f, dict) else f for f in s["next"]]
    holders = {"process": [clean["process"]], "lanes": lanes, "steps": steps}
    for loc in delete:
        target: Any = clean["process"] if loc[0] == "process" else holders[loc[0]][loc[1]]
        rest = loc[1:] if loc[0] == "process" else loc[2:]
        for part in rest[:-1]:
            target = target[part]
        if isinstance(target, dict):
            target.pop(rest[-1], None)

    dropped_ids = {
        x["id"]
        for i, x in enumerate(lanes + steps)
        if isinstance(x, dict)
        and isinstance(x.get("id"), str)
        and ((i < len(lanes) and i in drop_lanes) or (i >= len(lanes) and (i - len(lanes)) in drop_steps))
    }
    lane_map = [i for i in range(len(lanes)) if i not in drop_lanes]
    step_map = [i for i in range(len(steps)) if i not in drop_steps]
    flow_map: dict[int, list[int]] = {}
    for i in step_map:
        s = steps[i]
        nxt = s.get("next") if isinstance(s, dict) else None
        if isinstance(nxt, list):
            keep = [j for j in range(len(nxt)) if j not in drop_flows.get(i, set())]
            s["next"] = [nxt[j] for j in keep]
            flow_map[i] = keep
    clean["lanes"] = [lanes[i] for i in lane_map]
    clean["steps"] = [steps[i] for i in step_map]
    try:
        model = ProcessFile.model_validate(clean)
    except ValidationError:
        return Checked(diagnostics, None)
    return Checked(
        diagnostics,
        model,
        # A deleted `next` (wrong type) turns its step into a false end step, so
        # the flow graph is as incomplete as when a step or a flow is dropped.
        # A dropped lane does not change the flows.
        pruned=bool(
            drop_steps or drop_flows or any(len(loc) == 3 and loc[0] == "steps" and loc[2] == "next" for loc in delete)
        ),
        lane_map=lane_map,
        step_map=step_map,
        flow_map={k: flow_map.get(i, []) for k, i in enumerate(step_map)},
        dropped_ids=dropped_ids,
    )
