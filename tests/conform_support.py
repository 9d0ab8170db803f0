"""Generated event logs with planted deviations, and a plain-Python reading of SPEC §6.3 to check conform against.

The generator walks a known model case by case (deterministic, no RNG
state to drift), writes what a ticketing system would log, and plants
deviations — a skipped logged step, an unmodelled jump, a repeated customer
action, activities the model does not know, a case that stops half-way, a
case with nothing mappable — recording what it planted.

:func:`reference` computes every §6.3 figure from the rows with ordinary
Python loops, straight from SPEC's words, sharing no code with procmap's SQL:
the test compares the two, and the planted facts pin both down.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

MODEL = """\
version: 1
process:
  id: help
  name: Help request
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Support agent, kind: onstage}
  - {id: expert, name: Product expert, kind: onstage}
  - {id: back, name: Back office, kind: backstage}
  - {id: system, name: Ticket system, kind: support}
steps:
  - id: ask
    name: Ask for help
    lane: customer
    channel: web
    next: [acknowledge]
  - id: acknowledge
    name: Send acknowledgement
    lane: system
    visibility: onstage
    contact: update
    channel: email
    activities: [ACK_SENT]
    next: [triage]
  - id: triage
    name: Triage request
    lane: agent
    channel: chat
    sla: 2h
    next:
      - to: check
        when: known question
        share: 0.7
      - to: escalate
        when: product issue
        share: 0.3
  - id: check
    name: Check the account
    lane: back
    next: [answer]
  - id: escalate
    name: Escalate to an expert
    lane: expert
    channel: phone
    sla: 1d
    next: [answer]
  - id: answer
    name: Send the answer
    lane: agent
    channel: chat
    next: [confirm]
  - id: confirm
    name: Confirm it worked
    lane: customer
    channel: web
    next:
      - to: close
        when: solved
        share: 0.9
      - {to: reopen, when: still broken, share: 0.1}
  - id: reopen
    name: Reopen the request
    lane: customer
    channel: web
    next: [triage]
  - id: close
    name: Close the request
    lane: system
"""

BASE = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
ACTIVITY = {  # what the log calls each step: ids, names in other case/spacing, an `activities:` alias
    "ask": "ask",
    "acknowledge": "ACK_SENT",
    "triage": "triage  REQUEST",
    "escalate": "Escalate to an expert",
    "answer": "answer",
    "confirm": "Confirm it worked",
    "reopen": "reopen",
    "close": "close",
}
UNKNOWN = "Internal note"


@dataclass
class Planted:
    cases: int = 0
    events: int = 0
    unfit: set[str] = field(default_factory=set)
    repeat_contact: set[str] = field(default_factory=set)
    unknown_events: int = 0
    skipped: int = 0
    jumps: int = 0
    reopened: int = 0


def _gap(i: int, k: int) -> int:
    """Seconds between a case's k-th and (k+1)-th logged step: whole, varied, deterministic."""
    return 60 * ((i * 7 + k * 13) % 50 + 1)


def simulate(n: int, *, lifecycle: bool = False) -> tuple[list[dict[str, Any]], Planted]:
    """``n`` cases (plus one with nothing mappable) as log rows in file order."""
    rows: list[dict[str, Any]] = []
    planted = Planted(cases=n + 1)
    for i in range(n):
        case = f"C{i:05d}"
        steps = ["ask", "acknowledge", "triage", "escalate" if i % 4 == 0 else None, "answer", "confirm"]
        if i % 5 == 0:
            planted.reopened += 1
            planted.repeat_contact.add(case)  # confirm happens twice
            steps += ["reopen", "triage", None, "answer", "confirm"]
        steps.append("close")
        seq: list[str] = [s for s in steps if s is not None]  # None: the silent check step
        if i % 17 == 3:
            seq.remove("acknowledge")
            planted.skipped += 1
            planted.unfit.add(case)
        if i % 19 == 5:
            seq.insert(seq.index("answer") + 1, "escalate")
            planted.jumps += 1
            planted.unfit.add(case)
        if i % 13 == 7:
            seq.insert(seq.index("triage") + 1, "ask")
            planted.repeat_contact.add(case)
            planted.unfit.add(case)
        if i % 23 == 9:
            seq = seq[: seq.index("triage") + 1]
            planted.unfit.add(case)
            planted.repeat_contact.discard(case)
        activities = [ACTIVITY[s] for s in seq]
        if i % 11 == 2:
            activities.insert(2, UNKNOWN)
            planted.unknown_events += 1
        t = BASE + timedelta(seconds=600 * i)
        for k, activity in enumerate(activities):
            if k:
                t += timedelta(seconds=_gap(i, k))
            step = next((s for s, a in ACTIVITY.items() if a == activity), None)
            resource = _resource(step, i, k)
            if lifecycle and step in ("triage", "answer", "escalate"):
                rows.append(_row(case, activity, t - timedelta(seconds=30 + k), resource, "start"))
            rows.append(_row(case, activity, t, resource, "complete" if lifecycle else None))
    rows.append(_row("Z-only-notes", UNKNOWN, BASE, None, "complete" if lifecycle else None))
    planted.unknown_events += 1
    planted.unfit.add("Z-only-notes")
    planted.events = len(rows)
    return rows, planted


def _resource(step: str | None, i: int, k: int) -> str | None:
    if step in ("triage", "answer"):
        return f"agent-{(i + k) % 3}"
    if step == "escalate":
        return "expert-1"
    if step in ("acknowledge", "close"):
        return "ticket-bot"
    return None  # customers and notes: no resource


def _row(case: str, activity: str, t: datetime, resource: str | None, lifecycle: str | None) -> dict[str, Any]:
    return {"case": case, "activity": activity, "t": t, "resource": resource, "lifecycle": lifecycle}


def write_csv(rows: list[dict[str, Any]], path: Path, *, delimiter: str = ",", zone: str = "Z") -> Path:
    """The rows as a CSV log; ``zone`` is how timestamps are written (``Z``, ``+02:00``, or ``""`` naive)."""
    lifecycle = any(r["lifecycle"] for r in rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(["case_id", "activity", "timestamp", "resource"] + (["lifecycle:transition"] if lifecycle else []))
        for r in rows:
            w.writerow(
                [r["case"], r["activity"], stamp(r["t"], zone), r["resource"] or ""]
                + ([r["lifecycle"]] if lifecycle else [])
            )
    return path


def stamp(t: datetime, zone: str) -> str:
    if zone == "Z":
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if not zone:
        return t.strftime("%Y-%m-%d %H:%M:%S")
    sign = 1 if zone[0] == "+" else -1
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    local = t + sign * timedelta(hours=hours, minutes=minutes)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + zone


def write_xes(rows: list[dict[str, Any]], path: Path) -> Path:
    from xml.sax.saxutils import quoteattr

    by_case: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_case[r["case"]].append(r)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">']
    for case, events in by_case.items():
        out.append(f'<trace><string key="concept:name" value={quoteattr(case)}/>')
        for r in events:
            parts = [
                f'<string key="concept:name" value={quoteattr(r["activity"])}/>',
                f'<date key="time:timestamp" value="{r["t"].isoformat()}"/>',
            ]
            if r["resource"]:
                parts.append(f'<string key="org:resource" value={quoteattr(r["resource"])}/>')
            if r["lifecycle"]:
                parts.append(f'<string key="lifecycle:transition" value="{r["lifecycle"]}"/>')
            out.append("<event>" + "".join(parts) + "</event>")
        out.append("</trace>")
    out.append("</log>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the reference reading


def quantile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default, DuckDB's quantile_cont)."""
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "min": min(values),
        "median": quantile(values, 0.5),
        "p90": quantile(values, 0.9),
        "max": max(values),
        "mean": sum(values) / len(values),
    }


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def reference(model_text: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """SPEC §6.3 read literally, in plain Python loops over the rows."""
    m = yaml.safe_load(model_text)
    kinds = {lane["id"]: lane["kind"] for lane in m["lanes"]}
    steps = {s["id"]: s for s in m["steps"]}
    order = list(steps)
    succ = {s: [(f if isinstance(f, str) else f["to"]) for f in steps[s].get("next", [])] for s in order}
    start = m["process"].get("start") or order[0]

    def visibility(s: str) -> str:
        kind = kinds[steps[s]["lane"]]
        if kind == "customer":
            return "onstage"
        return steps[s].get("visibility") or ("onstage" if kind == "onstage" else "backstage")

    customer = {s for s in order if kinds[steps[s]["lane"]] == "customer"}
    touch = {s for s in order if s not in customer and visibility(s) == "onstage"}
    facing = customer | touch
    update = {s for s in order if steps[s].get("contact") == "update"}

    def step_of(activity: str) -> str | None:
        for s in order:
            if activity == s or _norm(activity) == _norm(steps[s]["name"]):
                return s
            if any(_norm(activity) == _norm(a) for a in steps[s].get("activities", [])):
                return s
        return None

    # loop edges (SPEC 5.2)
    loops: set[tuple[str, str]] = set()
    done: set[str] = set()

    def dfs(u: str, path: list[str]) -> None:
        done.add(u)
        path.append(u)
        for v in succ[u]:
            if v in path:
                loops.add((u, v))
            elif v not in done:
                dfs(v, path)
        path.pop()

    dfs(start, [])

    cases: dict[str, list[tuple[Any, int, str, str | None]]] = defaultdict(list)
    activity_count: Counter[str] = Counter()
    for n, r in enumerate(rows):
        activity_count[r["activity"]] += 1
        cases.setdefault(r["case"], [])
        s = step_of(r["activity"])
        if s is None or r["lifecycle"] not in (None, "complete"):
            continue
        cases[r["case"]].append((r["t"].timestamp(), n, s, r["resource"]))
    for evs in cases.values():
        evs.sort(key=lambda e: (e[0], e[1]))
    logged = {e[2] for evs in cases.values() for e in evs}

    def silent_path(a: str, b: str) -> list[tuple[str, str]] | None:
        """Shortest path a -> b with silent interior, or None."""
        prev: dict[str, str] = {}
        queue = deque([a])
        seen = {a}
        while queue:
            u = queue.popleft()
            for v in succ[u]:
                if v == b:
                    path = [(u, v)]
                    while u != a:
                        path.append((prev[u], u))
                        u = prev[u]
                    return path[::-1]
                if v in logged or v in seen:
                    continue
                seen.add(v)
                prev[v] = u
                queue.append(v)
        return None

    def begins(s: str) -> bool:
        return s == start or (start not in logged and silent_path(start, s) is not None)

    def ends(s: str) -> bool:
        if not succ[s]:
            return True
        queue, seen = deque([s]), {s}
        while queue:
            u = queue.popleft()
            for v in succ[u]:
                if v in logged or v in seen:
                    continue
                if not succ[v]:
                    return True
                seen.add(v)
                queue.append(v)
        return False

    flows: dict[tuple[str, str], list[float]] = defaultdict(list)
    conforming: dict[tuple[str, str], bool] = {}
    taken: Counter[tuple[str, str]] = Counter()
    fitting = pairs = pairs_ok = 0
    per_case: dict[str, dict[str, float]] = {}
    changes: list[int] = []
    repeat_cases = 0
    for evs in cases.values():
        if not evs:
            continue
        seq = [e[2] for e in evs]
        ok = begins(seq[0]) and ends(seq[-1])
        repeats = 0
        for (t1, _, a, _), (t2, _, b, _) in itertools.pairwise(evs):
            path = silent_path(a, b)
            conforming[(a, b)] = path is not None
            flows[(a, b)].append(t2 - t1)
            pairs += 1
            if path is None:
                ok = False
            else:
                pairs_ok += 1
                repeats += sum(1 for e in path if e in loops)
                taken.update(path)
        fitting += ok
        tps = [steps[s]["lane"] for s in seq if s in touch and s not in update]
        chans = [steps[s]["channel"].strip().casefold() for s in seq if s in facing and steps[s].get("channel")]
        ftimes = [t for t, _, s, _ in evs if s in facing]
        per_case[evs[0][2] + str(len(per_case))] = {
            "customer_actions": sum(1 for s in seq if s in customer),
            "touchpoints": sum(1 for s in seq if s in touch),
            "parties": len(set(tps)),
            "visible_handoffs": sum(1 for x, y in itertools.pairwise(tps) if x != y),
            "channel_switches": sum(1 for x, y in itertools.pairwise(chans) if x != y),
            "elapsed": evs[-1][0] - evs[0][0],
            "longest_silence": max((y - x for x, y in itertools.pairwise(ftimes)), default=0),
            "repeats": repeats,
        }
        people = [res for _, _, s, res in evs if s in touch and s not in update and res]
        changes.append(sum(1 for x, y in itertools.pairwise(people) if x != y))
        counts = Counter(s for s in seq if s in customer)
        repeat_cases += any(c > 1 for c in counts.values())

    figures = {k: summary([c[k] for c in per_case.values()]) for k in next(iter(per_case.values()))}
    sla_rows = []
    for s in order:
        if "sla" not in steps[s]:
            continue
        waits = []
        for evs in cases.values():
            worst = None
            for k, (t, _, step, _) in enumerate(evs):
                if step != s:
                    continue
                before = [e[0] for e in evs[:k] if e[2] in facing]
                w = t - (before[-1] if before else evs[0][0])
                worst = w if worst is None else max(worst, w)
            if worst is not None:
                waits.append(worst)
        sla_rows.append((s, waits))
    shares = []
    for s in order:
        if len(succ[s]) < 2:
            continue
        total = sum(taken[(s, v)] for v in succ[s])
        shares.extend(
            {"from": s, "to": v, "observed": taken[(s, v)] / total if total else None, "count": taken[(s, v)]}
            for v in succ[s]
        )
    index = {s: i for i, s in enumerate(order)}
    return {
        "events": len(rows),
        "cases": len(cases),
        "unmapped": sorted(
            ({"activity": a, "events": n} for a, n in activity_count.items() if step_of(a) is None),
            key=lambda u: (-u["events"], u["activity"]),
        ),
        "fitness": {"cases_fitting": fitting, "pairs": pairs, "pairs_conforming": pairs_ok},
        "flows": sorted(
            (
                {
                    "from": a,
                    "to": b,
                    "observed": len(w),
                    "modelled": conforming[(a, b)],
                    "wait": {"median": quantile(w, 0.5), "p90": quantile(w, 0.9), "max": max(w)},
                }
                for (a, b), w in flows.items()
            ),
            key=lambda f: (-f["observed"], index[f["from"]], index[f["to"]]),
        ),
        "figures": figures,
        "shares": shares,
        "repeat_contacts": {"cases": repeat_cases},
        "sla": [
            {
                "step": s,
                "sla": _seconds(steps[s]["sla"]),
                "cases": len(w),
                "breaches": sum(1 for x in w if x > _seconds(steps[s]["sla"])),
                "p90_wait": quantile(w, 0.9) if w else None,
            }
            for s, w in sla_rows
        ],
        "resource_changes": {k: v for k, v in summary(changes).items() if k in ("median", "p90", "max")},
    }


def _seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return float(text[:-1]) * units[text[-1]]


def close(a: Any, b: Any) -> bool:
    """Deep equality with floats compared to 1e-9 relative (JSON rounds to the microsecond)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return all(k in a and close(a[k], v) for k, v in b.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b
