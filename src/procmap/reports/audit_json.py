"""The audit as JSON: SPEC §3's keys (and more), lists in file order, so diffs of the output are meaningful."""

from __future__ import annotations

import json

from procmap.audit import Audited


def render(audited: list[Audited]) -> str:
    return json.dumps({"processes": [a.report for a in audited]}, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
