"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

GitHub needs: tool.driver.rules with ids and descriptions, results with
ruleId/level/message, and a physicalLocation whose artifactLocation.uri is
relative to the repository root (we use the working directory) with a region.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from procmap import __version__
from procmap.diagnostics import Severity
from procmap.reports.findings import all_diagnostics
from procmap.validate import FileResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
HELP_URI = "https://github.com/procmap/procmap/blob/main/docs/rules.md"


def _encode(path: str) -> str:
    """Percent-encode a POSIX path for a URI (RFC 3986): every byte but unreserved ones and ``/``.

    Works on the path's bytes (``os.fsencode``), so non-ASCII names become
    their UTF-8 escapes and undecodable bytes survive; ``:`` is escaped too, so
    a relative first segment like ``a:b.yaml`` cannot be read as a scheme.
    """
    return quote(os.fsencode(path), safe="/")


def artifact_uri(path: str) -> str:
    """The ``artifactLocation.uri`` of a file procmap reported on.

    Relative to the working directory (code scanning resolves it against the
    checkout root) when the file lies below it, else an absolute ``file:``
    URI; ``<stdin>`` without ``--stdin-filename`` becomes ``stdin``.
    """
    if path.startswith("<") and path.endswith(">"):
        return _encode(path.strip("<>"))
    p = Path(path)
    try:
        rel = os.path.relpath(p.resolve(), Path.cwd().resolve())
    except ValueError:  # pragma: no cover - other drive on Windows
        return p.resolve().as_uri()
    if rel == ".." or rel.startswith("../"):
        return "file://" + _encode(p.resolve().as_posix())
    return _encode(Path(rel).as_posix())


def sarif(results: list[FileResult]) -> str:
    from procmap.rules import RULES

    index = {r.id: i for i, r in enumerate(RULES)}
    rules = [
        {
            "id": r.id,
            "name": r.display_name,
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
                            "artifactLocation": {"uri": artifact_uri(d.file)},
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
