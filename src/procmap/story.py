"""The opening of every audit: at most three plain sentences that tell what hurts the customer, worst first.

A customer-experience lead reads the first lines of a report and stops.  So
each process opens with its story, built only from the audit's own figures
(the ``journeys`` object of SPEC §5.4 and §5.7), in this order of harm:

1. the customer has to come back: the share who do (``expected.p_comes_back``),
   or "can have to come back" when the flows carry no shares;
2. each broken promise (``sla`` entries with ``breach``): the step, the longest
   wait against the promise, and from where the clock runs;
3. the fail points and where the customer finds out (``Cause:`` when a
   sentence above it is what they cause, ``Risk:`` otherwise);
4. the data the customer is asked for twice;
5. with room left, what the worst journey costs in handoffs and silence.

"Nothing found" is said only when none of 1–4 is there.  :func:`story` is a
pure function of the report dictionary and the step names, so it is tested
with plain dicts.  It sits beside :mod:`procmap.audit`, which stores its
sentences in the report as ``headline``; every format (text, Markdown, HTML,
JSON) shows them unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from procmap.model.durations import format_duration
from procmap.model.words import names_list, percent, plural, times_on_average

#: The most sentences a process opens with.
MAX_SENTENCES = 3
#: The longest a step name is quoted in a sentence (a 20 MB name must not become a 20 MB headline).
MAX_NAME = 80
NOTHING_FOUND = "Nothing found: no customer has to come back, no promise breaks, no fail point, nothing is asked twice."


def story(report: dict[str, Any], names: Mapping[str, str], chase_steps: Collection[str] = ()) -> list[str]:
    """The opening sentences of one process (at most :data:`MAX_SENTENCES`), worst first.

    ``names`` maps step ids to their names (ids stand in for missing ones);
    ``chase_steps`` are the ids of ``contact: chase`` steps, named as where the
    customer comes back.
    """
    j = report.get("journeys")
    if not j or j.get("main") is None:
        return []

    def name(step: str | None) -> str:
        if step is None:
            return "the start"
        text = " ".join(str(names.get(step, step))[:MAX_NAME].split())
        return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"

    found = [s for s in (_come_back(j, name, chase_steps), _broken_promises(j, name)) if s]
    fail = _fail_points(report, j, name, cause=bool(found))
    asked = _asked_twice(j, name)
    found += [s for s in (fail, asked) if s]
    if not found:
        found.append(NOTHING_FOUND)
    if len(found) < MAX_SENTENCES:
        worst = _worst_journey(j)
        if worst:
            found.append(worst)
    return found[:MAX_SENTENCES]


def _comes_back(figures: Mapping[str, Any]) -> int:
    return int(figures.get("repeats") or 0) + int(figures.get("chases") or 0)


def _come_back(j: dict[str, Any], name: Any, chase_steps: Collection[str]) -> str | None:
    """ "30 % of customers have to come back (Call again)." — or "can have to" when no shares say how many."""
    expected = j.get("expected")
    p = expected.get("p_comes_back") if expected else None
    can = _comes_back(j["max"]) > 0 or bool(j.get("repeat_loops"))
    if p is not None:
        if p <= 0:
            return None
        return f"{percent(p)} of customers have to come back ({_where_back(j, name, chase_steps)})."
    if not can:
        return None
    if expected is not None and expected.get("repeats") is not None and expected.get("chases") is not None:
        # Shares, but no probability of coming back (an analysis without p_comes_back): the average instead.
        times = float(expected["repeats"]) + float(expected["chases"])
        return f"A customer can have to come back ({_where_back(j, name, chase_steps)}): {times_on_average(times)}."
    return f"A customer can have to come back ({_where_back(j, name, chase_steps)})."


def _where_back(j: dict[str, Any], name: Any, chase_steps: Collection[str]) -> str:
    """Where the customer comes back: the chase steps of the worst journey, else of the process, then the first
    step the customer meets again on each repeat loop."""
    chases = set(chase_steps)
    order: list[str] = [s for s in j["worst"]["steps"] if s in chases]
    order += [s for s in chase_steps if s not in order]
    order += [x["facing"][0] for x in j.get("repeat_loops", []) if x.get("facing")]
    seen = list(dict.fromkeys(name(step) for step in dict.fromkeys(order)))  # distinct, in order, linear
    return names_list(seen, limit=2) if seen else "a loop back"


def _broken_promises(j: dict[str, Any], name: Any) -> str | None:
    """ "E-mail the corrected invoice can take 6d 10m from Call about the wrong invoice, against a promise of 2d."."""
    broken = [s for s in j.get("sla", []) if s.get("breach")]
    if not broken:
        return None

    def one(s: dict[str, Any]) -> str:
        promise = format_duration(float(s["sla"]))
        if s["longest_wait"] is None:
            return f"{name(s['step'])} has no limit at all (work out of sight can loop), against a promise of {promise}"
        wait = format_duration(float(s["longest_wait"]))
        return f"{name(s['step'])} can take {wait} from {name(s['from'])}, against a promise of {promise}"

    if len(broken) == 1:
        return one(broken[0]) + "."
    shown = "; ".join(one(s) for s in broken[:2])
    more = f"; and {plural(len(broken) - 2, 'more')}" if len(broken) > 2 else ""
    return f"{len(broken)} promises break: {shown}{more}."


def _no_backup(marked: dict[str, Any], entry: dict[str, Any]) -> bool:
    """No one covers: no backup, a backup that is the owner, or a step the no-backup rule selected.

    ``marked``: the report's ``fail_points`` (the ``fail_point: true`` steps, with their owners) by step.
    """
    backup = entry.get("backup")
    if not backup:
        return True
    if entry["step"] not in marked:  # selected by no-backup's definition: an owned wait without a real backup
        return True
    owner = marked[entry["step"]].get("owner")
    return bool(owner) and str(owner).strip().casefold() == str(backup).strip().casefold()


def _fail_points(report: dict[str, Any], j: dict[str, Any], name: Any, cause: bool) -> str | None:
    """ "Cause: Correct the invoice has no backup (the customer finds out at …)." — no-backup ones first."""
    entries = j.get("fail_points", [])
    if not entries:
        return None
    marked = {f["step"]: f for f in report.get("fail_points", [])}
    ranked = sorted(entries, key=lambda f: not _no_backup(marked, f))  # stable: file order within each kind

    def one(f: dict[str, Any]) -> str:
        backup = " ".join(str(f["backup"])[:MAX_NAME].split())
        what = "has no backup" if _no_backup(marked, f) else f"can fail, with {backup} as backup"
        at = [name(s) for s in f.get("surfaces_at", [])]
        where = f"the customer finds out at {_or_list(at)}" if at else "no later contact tells the customer"
        return f"{name(f['step'])} {what} ({where})"

    shown = "; ".join(one(f) for f in ranked[:2])
    more = f"; and {plural(len(ranked) - 2, 'more fail point')}" if len(ranked) > 2 else ""
    return f"{'Cause' if cause else 'Risk'}: {shown}{more}."


def _or_list(items: list[str], limit: int = 2) -> str:
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" or {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _asked_twice(j: dict[str, Any], name: Any) -> str | None:
    """ "The customer is asked again for invoice-details and account-number at Call again."."""
    entries = j.get("asked_twice", [])
    if not entries:
        return None
    by_second: dict[str, list[str]] = {}
    for a in entries:
        classes = by_second.setdefault(a["second"], [])
        if a["data"] not in classes:
            classes.append(a["data"])
    parts = [f"for {names_list(classes)} at {name(second)}" for second, classes in list(by_second.items())[:2]]
    more = len(by_second) - 2 + (1 if j.get("asked_twice_omitted") else 0)
    tail = " and at other steps" if more > 0 else ""
    return f"The customer is asked again {'; '.join(parts)}{tail}."


def _worst_journey(j: dict[str, Any]) -> str | None:
    """ "On the worst journey the customer is passed on 3 times and hears nothing for up to 2d 2h."."""
    f = j["worst"]["figures"]
    parts = []
    if f.get("visible_handoffs"):
        n = int(f["visible_handoffs"])
        parts.append("is passed on once" if n == 1 else f"is passed on {n} times")
    if f.get("longest_silence"):
        parts.append(f"hears nothing for up to {format_duration(float(f['longest_silence']))}")
    if not parts:
        return None
    return f"On the worst journey the customer {' and '.join(parts)}."


def with_headline(report: dict[str, Any], graph: Any) -> dict[str, Any]:
    """``report`` with ``headline`` (the :func:`story` sentences) right after the process's identity.

    Built where the report is built (the audit's workers send only report
    dictionaries back, no graph), so every format reads the same sentences.
    """
    names = {n: str(d["name"]) for n, d in graph.nodes(data=True)}
    chases = [n for n, d in graph.nodes(data=True) if d.get("chase") or d.get("contact") == "chase"]
    sentences = story(report, names, chases)
    out: dict[str, Any] = {}
    for key, value in report.items():
        out[key] = value
        if key == "owner":
            out["headline"] = sentences
    out.setdefault("headline", sentences)
    return out
