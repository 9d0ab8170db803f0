from procmap.diagnostics import Severity
from procmap.rules._examples import HEAD
from procmap.rules.base import Rule

RULE = Rule(
    id="yaml-syntax",
    severity=Severity.ERROR,
    summary="YAML that does not parse",
    doc=(
        "The file is not YAML procmap can read: a syntax error, text that is not UTF-8, several "
        "documents in one file, an object-building tag such as `!!python/object`, an alias that "
        "expands too far, or nesting far deeper than any process needs. Nothing else can be checked "
        "until this is fixed, and a process nobody can read cannot be reviewed."
    ),
    bad=HEAD + "  - id: ask\n    name: Ask [a question\n    lane: customer\n    next: [ask2\n",
    good=HEAD + "  - id: ask\n    name: Ask a question\n    lane: customer\n",
)
