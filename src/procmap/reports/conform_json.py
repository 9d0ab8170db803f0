"""The conform report as JSON: SPEC §6.3's keys (and more), lists in a stable order."""

from __future__ import annotations

import json
import re

from procmap.conform import Conformed

# What ``json.dumps`` leaves raw inside strings (it escapes C0 itself): DEL, C1, bidi overrides.
_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def render(item: Conformed) -> str:
    """UTF-8 JSON with every control character (C1 and bidi overrides too, which ``json`` leaves raw)
    written as a ``\\u`` escape: the same strings, harmless on a terminal."""
    text = json.dumps(item.report, indent=2, ensure_ascii=False)
    return _RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n"
