"""The conform report as JSON: SPEC §6.3's keys (and more), lists in a stable order."""

from __future__ import annotations

import json

from procmap.conform import Conformed


def render(item: Conformed) -> str:
    return json.dumps(item.report, indent=2, ensure_ascii=False) + "\n"
