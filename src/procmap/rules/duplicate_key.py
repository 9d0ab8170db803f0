from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
from procmap.rules.base import Rule

RULE = Rule(
    id="duplicate-key",
    severity=Severity.ERROR,
    summary="a mapping key given twice",
    doc=(
        "A key appears twice in the same mapping. YAML parsers silently keep the last value, so "
        "the first one is lost without a word: a step's `next` or `owner` written twice means one "
        "of them is not what the process does. Reported at the second occurrence."
    ),
    bad=HEAD + "  - id: ask\n    name: Ask\n    name: Ask a question\n    lane: customer\n",
    good=HEAD + "  - id: ask\n    name: Ask a question\n    lane: customer\n",
)
