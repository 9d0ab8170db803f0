from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
from procmap.rules.base import Rule

RULE = Rule(
    id="schema",
    severity=Severity.ERROR,
    summary="missing/unknown keys, wrong types, bad slugs/durations",
    doc=(
        "The file does not follow the format: a required key is missing, a key is unknown (a typo "
        "must never pass silently), a value has the wrong type, an id is not a slug, a duration "
        "cannot be read, or the version is not 1. Unknown keys come with the closest known key."
    ),
    bad=HEAD + "  - id: ask\n    nmae: Ask a question\n    lane: customer\n    duration: soon\n",
    good=HEAD + "  - id: ask\n    name: Ask a question\n    lane: customer\n    duration: 5m\n",
)
