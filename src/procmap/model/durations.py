"""Duration strings (``15m``, ``1h30m``, ``PT15M``) to seconds.

Short forms are what people type; ISO-8601 is what other tools export.  Both
parse to seconds so that SLA and wait-time arithmetic is unit-free.
"""

from __future__ import annotations

import re
from functools import lru_cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SHORT = re.compile(r"^(?:(\d+(?:\.\d+)?)\s*([smhdw])\s*)+$")
_SHORT_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_ISO = re.compile(
    r"^P(?!$)(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)

FORMS = "a number and a unit (30s, 15m, 2h, 3d, 1w, 1h30m) or ISO-8601 (PT15M, P1DT2H)"


@lru_cache(maxsize=4096)
def parse_duration(text: str) -> float:
    """Seconds in ``text``; ``ValueError`` naming the accepted forms otherwise.

    Cached: a file repeats the same few durations, and each is read by the
    model validator and again by the graph.
    """
    value = text.strip()
    if _SHORT.match(value):
        return float(sum(float(n) * _UNITS[u] for n, u in _SHORT_PART.findall(value)))
    m = _ISO.match(value.upper())
    if m:
        weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
        return weeks * 604800 + days * 86400 + hours * 3600 + minutes * 60 + seconds
    raise ValueError(f"'{text}' is not a duration: use {FORMS}")


def format_duration(seconds: float) -> str:
    """Compact human form used in reports (``1h 30m``)."""
    if seconds <= 0:
        return "0s"
    parts = []
    rest = round(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return " ".join(parts[:2]) if parts else "0s"
