"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

GitHub needs: tool.driver.rules with ids and descriptions, results with
ruleId/level/message, and a physicalLocation whose artifactLocation.uri is
relative to the repository root (we use the working directory) with a region.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from procmap import __version__
from procmap.diagnostics import Severity
from procmap.reports.findings import all_diagnostics
from procmap.validate import FileResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
HELP_URI = "https://github.com/procmap/procmap/blob/main/docs/rules.md"


def _uri(path: str) -> str:
    if path.startswith("<"):
        return path.strip("<>")
    p = Path(path)
    try:
        rel = os.path.relpath(p.resolve(), Path.cwd().resolve())
    except ValueError:  # pragma: no cover - other drive on Windows
        return p.resolve().as_uri()
    if rel.startswith(".."):
        return p.resolve().as_uri()
    return Path(rel).as_posix()


def sarif(results: list[FileResult]) -> str:
    from procmap.rules import RULES

    index = {r.id: i for i, r in enumerate(RULES)}
    rules = [
        {
            "id": r.id,
            "name": "".join(part.capitalize() for part in r.id.split("-")),
            "shortDescription": {"text": r.summary.replace("`", "")},
            "fullDescription": {"text": r.doc.replace("`", "")},
            "help": {"text": r.doc.replace("`", ""), "markdown": r.doc},
            "helpUri": f"{HELP_URI}#{r.id}",
            "defaultConfiguration": {"level": _LEVEL[r.severity]},
        }
        for r in RULES
    ]
    out_results = []
    for d in all_diagnostics(results):
        out_results.append(
            {
                "ruleId": d.rule,
                "ruleIndex": index[d.rule],
                "level": _LEVEL[d.severity],
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(d.file)},
                            "region": {"startLine": d.line, "startColumn": d.column},
                        }
                    }
                ],
            }
        )
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "procmap",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/procmap/procmap",
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": out_results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
