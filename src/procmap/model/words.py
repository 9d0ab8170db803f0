"""Numbers as a customer-experience lead reads them: shares as percentages, averages as "times on average".

"Comes back 0.43" reads as 43 %; it means that customers come back 0.43 times
each, on average, while 30 % come back at all.  Every report (audit in all its
formats, diff) words these figures through the functions here, so the same
number never reads two ways.
"""

from __future__ import annotations

import math


def percent(p: float | None) -> str:
    """A probability as a percentage (``30 %``): whole numbers from 10 %, one decimal below, never a false 0 or 100.

    A share that exists is never shown as ``0 %`` (``under 0.1 %``) and one
    short of certainty never as ``100 %`` (``over 99.9 %``): a lead deciding
    whether to act must not read "nobody" or "everybody" off a rounding.
    """
    if p is None:
        return "–"
    if p <= 0:
        return "0 %"
    if p >= 1:
        return "100 %"
    pct = p * 100
    if pct < 0.1:
        return "under 0.1 %"
    if pct > 99.9:
        return "over 99.9 %"
    if 10 <= pct < 99.5:
        return f"{math.floor(pct + 0.5)} %"
    return f"{_decimals(pct, 1)} %"


def _decimals(value: float, places: int) -> str:
    """``value`` rounded to ``places`` decimals, trailing zeros dropped (``0.3``, ``2``, ``0.43``)."""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def average(value: float) -> str:
    """An expected count, two decimals at most (``0.43``, ``2.4``, ``1``)."""
    return _decimals(value, 2)


def times_on_average(value: float | None) -> str:
    """An expected number of times (``0.43 times on average``): never a bare decimal that reads as a share."""
    if value is None:
        return "–"
    text = average(value)
    return f"{text} {'time' if text == '1' else 'times'} on average"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 promise``, ``2 promises``."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def names_list(names: list[str], limit: int = 3) -> str:
    """``A``, ``A and B``, ``A, B and C``, ``A, B, C and 2 more``: a sentence never grows without bound."""
    if len(names) > limit:
        shown = names[:limit]
        return ", ".join(shown) + f" and {len(names) - limit} more"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
