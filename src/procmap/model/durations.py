"""Duration strings (``15m``, ``1h30m``, ``PT15M``) to seconds.

Short forms are what people type; ISO-8601 is what other tools export.  Both
parse to seconds so that SLA and wait-time arithmetic is unit-free.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SHORT = re.compile(r"^(?:(\d+(?:\.\d+)?)\s*([smhdw])\s*)+$")
_SHORT_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_ISO = re.compile(
    r"^P(?!$)(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)

# A bound no real step comes near, far below where float arithmetic overflows: `PT` and 400 nines
# parsed to infinity, then audit's sums and JSON writers failed on it.
MAX_YEARS = 100
MAX_SECONDS = MAX_YEARS * 365.25 * 86400

FORMS = "a number and a unit (30s, 15m, 2h, 3d, 1w, 1h30m) or ISO-8601 (PT15M, P1DT2H)"


@lru_cache(maxsize=4096)
def parse_duration(text: str) -> float:
    """Seconds in ``text``; ``ValueError`` naming the accepted forms otherwise.

    Cached: a file repeats the same few durations, and each is read by the
    model validator and again by the graph.
    """
    value = text.strip()
    if _SHORT.match(value):
        total = float(sum(float(n) * _UNITS[u] for n, u in _SHORT_PART.findall(value)))
    elif m := _ISO.match(value.upper()):
        weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
        total = weeks * 604800 + days * 86400 + hours * 3600 + minutes * 60 + seconds
    else:
        raise ValueError(f"'{_short(text)}' is not a duration: use {FORMS}")
    if not math.isfinite(total) or total > MAX_SECONDS:
        raise ValueError(f"'{_short(text)}' is longer than {MAX_YEARS} years: no step takes that long")
    return total


def _short(text: str) -> str:
    """Keep messages one readable line when the value is 5,000 digits long."""
    return text if len(text) <= 40 else f"{text[:30]}…({len(text):,} characters)"


def format_duration(seconds: float) -> str:
    """The one human form of a duration in every report (audit, conform, diff, render): exact to the minute.

    Every unit from days down to minutes is written (``1d 8h 53m``, never cut to
    ``1d 8h``: a report that drops 53 minutes tells the reader the wrong number),
    rounded to the nearest minute; seconds appear only below a minute (``45s``),
    where they are the whole story.  Days are the largest unit (``14d``, not
    ``2w``): promises and waits are quoted in days.  A wait above zero never shows
    as zero (``under 1s``); negative values (a diff's delta) carry their sign.
    """
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds == 0:
        return "0s"
    if seconds < 0.5:
        return "under 1s"
    if seconds < 59.5:
        return f"{math.floor(seconds + 0.5)}s"
    minutes = math.floor(seconds / 60 + 0.5)
    parts = []
    for unit, size in (("d", 1440), ("h", 60), ("m", 1)):
        if minutes >= size:
            parts.append(f"{minutes // size}{unit}")
            minutes %= size
    return " ".join(parts)
