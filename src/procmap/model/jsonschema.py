"""The JSON Schema of the process format, generated from the pydantic models.

Editors (yaml-language-server: VS Code's YAML extension, Neovim, Helix, JetBrains)
read it for completion, hover docs and on-the-fly checks, so it is generated
from :mod:`procmap.model.process` rather than written by hand: the schema can never
disagree with what ``procmap validate`` accepts.  A copy ships in the package
(``procmap/data/process-v1.schema.json``); a test fails when it drifts.

Draft: **JSON Schema draft-07**.  pydantic emits draft 2020-12, but
yaml-language-server implements draft-07 and below, and draft-07 is what the
``jsonschema`` package, SchemaStore and every editor understand.  Two things
are adapted for that: sub-schemas live under ``definitions`` (not ``$defs``),
and a ``$ref`` with sibling keywords (a description) is wrapped in ``allOf``,
because draft-07 ignores everything next to a ``$ref``.  Patterns get a
``patternErrorMessage`` (a yaml-language-server / VS Code keyword that other
validators ignore), so an editor says "must be a slug" rather than printing
the regular expression.

The schema checks the *shape* of a file; cross-references (unknown lanes and
steps, duplicate ids, reachability) are semantic rules that only
``procmap validate`` checks.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMA_ID = "https://procmap.dev/schema/process-v1.json"
DRAFT = "http://json-schema.org/draft-07/schema#"
PACKAGED = "process-v1.schema.json"


def _pattern_messages() -> dict[str, str]:
    from procmap.model.durations import FORMS
    from procmap.model.process import DURATION_PATTERN, SLUG_PATTERN

    return {
        SLUG_PATTERN: "Must be a slug: lowercase letters, digits, '-' and '_', starting with a letter or digit.",
        DURATION_PATTERN: f"Must be a duration: {FORMS}.",
    }


def build_schema() -> dict[str, Any]:
    """The schema as a dict (draft-07), with descriptions and examples from the models."""
    from pydantic.json_schema import GenerateJsonSchema

    from procmap.model.process import ProcessFile

    class _Generator(GenerateJsonSchema):
        # Auto titles ("Fail Point", "Sla") are noise in hover docs: the key is
        # right there and the description says what it is.
        def field_title_should_be_set(self, schema: Any) -> bool:
            return False

    raw = ProcessFile.model_json_schema(
        mode="validation", ref_template="#/definitions/{model}", schema_generator=_Generator
    )
    messages = _pattern_messages()
    definitions = raw.pop("$defs", {})
    body = _draft7(raw, messages)
    head = {"$schema": DRAFT, "$id": body.pop("$id", SCHEMA_ID)}
    for key in ("title", "description"):
        if key in body:
            head[key] = body.pop(key)
    return {**head, **body, "definitions": {name: _draft7(d, messages) for name, d in definitions.items()}}


def _draft7(node: Any, messages: dict[str, str]) -> Any:
    """Rewrite pydantic's output for draft-07 consumers (see the module docstring)."""
    if isinstance(node, list):
        return [_draft7(item, messages) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "default" and value is None:
            continue  # an editor would complete `key: null`; "absent" is the real default
        # `examples` and `default` are instance data, not sub-schemas: leave them verbatim.
        out[key] = value if key in ("examples", "default", "const", "enum") else _draft7(value, messages)
    message = messages.get(out.get("pattern", ""))
    if message:
        out["patternErrorMessage"] = message
    if "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out = {**out, "allOf": [{"$ref": ref}]}
    return out


def render_schema() -> str:
    """The schema as the exact text `procmap schema` prints and the package ships."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def packaged_schema_text() -> str:
    """The schema file shipped inside the package (for tools that want a path, not a command)."""
    return resources.files("procmap").joinpath("data", PACKAGED).read_text(encoding="utf-8")
