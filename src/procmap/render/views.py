"""The customer's view of a process: ``procmap render --view customer``.

A customer process, in the service-design literature, shows the process
"from the customer's point of view, showing no personnel or systems that the
customer does not interact with".  So the view keeps the facing steps
(customer actions and touchpoints, SPEC §5.2) and the lanes that hold them —
the customer and onstage lanes always — and folds each stretch of backstage
or support work between two facing steps into one dashed flow labelled with
its wait: the least and the greatest total duration over the stretch's
paths, "unbounded" when a loop lies inside it.  The figures are the audit's
own (``Analysis.waits``), so the picture and ``procmap audit`` agree.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from procmap.render import text

if TYPE_CHECKING:
    import networkx as nx

    from procmap.analysis.facts import Analysis
    from procmap.analysis.journeys.figures import Journey
    from procmap.validate import FileResult


def wait_label(least: float, most: float | None, unknown: bool) -> str:
    """``wait 2h–1d``, ``wait 30m``, ``wait 1h–unbounded``: durations in the audit's own format."""
    lo = _duration(least)
    hi = "unbounded" if most is None else _duration(most)
    if unknown and lo == hi == "0":
        return "wait untimed"
    span = lo if lo == hi else f"{lo}–{hi}"
    return f"wait {span}{' + untimed steps' if unknown else ''}"


def _duration(seconds: float) -> str:
    from procmap.model.durations import format_duration

    return "0" if seconds <= 0 else format_duration(seconds)


def customer_view(g: nx.DiGraph, analysis: Analysis) -> nx.DiGraph:
    """A flow graph of the facing steps only, backstage stretches folded (edges with ``wait``)."""
    import networkx as nx

    facing = {n for n, d in g.nodes(data=True) if d.get("facing")}
    view = nx.DiGraph()
    view.graph.update(g.graph)
    keep = {g.nodes[n]["lane"] for n in facing}
    lanes = g.graph["lanes"]
    view.graph["lanes"] = {
        lane_id: lane for lane_id, lane in lanes.items() if lane.kind in ("customer", "onstage") or lane_id in keep
    }
    for n, d in g.nodes(data=True):
        if n in facing:
            view.add_node(n, **d, decision=g.out_degree(n) > 1)  # a step keeps its shape in every view
    for u, v, d in g.edges(data=True):
        if u in facing and v in facing:
            view.add_edge(u, v, when=d.get("when"), index=d["index"])
    for w in analysis.waits:
        if view.has_edge(w.source, w.target):
            continue  # a direct flow already joins them; the wait still shows in the audit
        first = next((x for x in w.via[:1]), None)
        when = g.edges[w.source, first].get("when") if first is not None and g.has_edge(w.source, first) else None
        label = wait_label(w.min_seconds, w.max_seconds, bool(w.no_duration))
        index = g.edges[w.source, first]["index"] if first is not None and g.has_edge(w.source, first) else 1000
        view.add_edge(w.source, w.target, when=when, wait=label, index=index + 0.5)
    start = g.graph.get("start")
    if start not in facing:
        # The customer's story starts at the first facing step the start reaches.
        from collections import deque

        seen, queue, first_facing = {start}, deque([start]), None
        while queue and first_facing is None:
            for nxt in sorted(g.successors(queue.popleft()), key=lambda t: list(g.nodes).index(t)):
                if nxt in facing:
                    first_facing = nxt
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        view.graph["start"] = first_facing
    for n in view.nodes:
        view.nodes[n]["end"] = view.out_degree(n) == 0 or g.nodes[n]["end"]
    return view


# -- the story: --view story -------------------------------------------------------------------------

SLIDE = (960.0, 540.0)  # a 16:9 slide in points (13.33 x 7.5 in): what the story is drawn to fit
STORY_LANE = "onstage"
ONE_BAND = True
STORY_WHENS = 32  # characters of branch conditions a story label keeps along one stretch"  # every touchpoint of the story sits in one band: the service as the customer meets it


def _pct(p: float) -> str:
    """30%, 2.5%: a share as people read it (never '0.3'); no space, so a label never breaks inside it."""
    value = p * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 or value >= 10 else f"{value:.1f}%"


def _flow_share(g: nx.DiGraph, u: str, v: str) -> float | None:
    """The share of customers at ``u`` who take ``u -> v``: 1 for a step's only flow, None when unknown."""
    share = g.edges[u, v].get("share")
    if share is not None:
        return float(share)
    return 1.0 if g.out_degree(u) == 1 else None


def story_view(result: FileResult, mode: str = "worst") -> nx.DiGraph:
    """The worst journey as the customer lives it: a graph for :func:`procmap.render.layout.build`.

    The journey is the audit's own (SPEC §5.7's worst, through the analysis
    API), so the slide always tells the story the audit tells.  It keeps the
    journey's facing steps, each once, in two bands: the customer, and every
    touchpoint (its party named in the box).  Consecutive facing visits are
    one flow; the backstage stretch between them is folded into it with its
    wait read along this journey (the longest is the silence: "2d 5m: the
    customer hears nothing"); a stretch that goes round a loop says where it
    goes back to; the shares along a stretch give its probability.  Chase
    steps, broken promises and fail points carry markers in the box where
    the customer meets them.  A run through forks (SPEC §7.2) is read off
    its timeline instead (:func:`_run_stretches`): the branches side by side
    between parallel gateways.
    """
    import networkx as nx

    from procmap.analysis.facts import Analysis
    from procmap.model.durations import format_duration
    from procmap.model.graph import LaneInfo
    from procmap.render.highlight import journey, journeys_of

    g = result.graph
    j = journeys_of(result)
    walk = journey(result, mode)
    steps = list(walk.steps) if walk is not None else []
    loops = set(walk.repeats_at) if walk is not None else set()
    nodes = g.nodes
    facing_at = [i for i, n in enumerate(steps) if nodes[n]["facing"]]

    view = nx.DiGraph()
    view.graph.update(g.graph)
    lanes = g.graph["lanes"]
    customer_lanes = sorted({nodes[steps[i]]["lane"] for i in facing_at if nodes[steps[i]]["customer"]})
    kept = {lane: lanes[lane] for lane in customer_lanes}
    parties = [lanes[nodes[steps[i]]["lane"]] for i in facing_at if not nodes[steps[i]]["customer"]]
    names = list(dict.fromkeys(" ".join(p.name.split()) for p in parties))
    onstage = "The service" if len(names) != 1 else names[0]
    kept[STORY_LANE] = LaneInfo(STORY_LANE, onstage, "onstage", len(lanes))
    if not customer_lanes:  # a journey without a customer action still shows the customer's band
        first = next((lane for lane in lanes.values() if lane.kind == "customer"), None)
        if first is not None:
            kept = {first.id: first, **kept}
    view.graph["lanes"] = {STORY_LANE: kept[STORY_LANE]} if ONE_BAND else kept
    view.graph["journey"] = steps

    for i in facing_at:
        n = steps[i]
        if n in view:
            continue
        d = dict(nodes[n])
        d["decision"] = g.out_degree(n) > 1  # the shape it has in every view
        d["evidence"] = None  # a slide has no room for notes; the poster keeps them
        # A fail point the customer meets at this very step is its red border (the legend's "Fail point"):
        # a marker under the box would say it twice and cost the slide a line of height.
        d["markers"] = []
        d["fail_line"] = False
        if not d["customer"]:
            if len(names) > 1 or ONE_BAND:  # the band holds several parties: each box names its own, with the channel
                party = " ".join(lanes[d["lane"]].name.split()) if d["lane"] in lanes else d["lane"]
                channel = " ".join(text.clean(d["channel"]).split()) if d.get("channel") else ""
                d["party"] = f"{party} · {channel}" if channel else party
                d["channel"] = None
            d["lane"] = STORY_LANE
        elif ONE_BAND:
            d["lane"] = STORY_LANE
        if d.get("contact") == "chase" or d.get("chase"):
            d["markers"].append("↻ a chase")
        view.add_node(n, **d)
    if walk is not None:
        f = walk.figures
        parts = [f"{format_duration(f['elapsed'])} from first to last step" if f["elapsed"] else "no durations"]
        if f.get("longest_silence"):
            parts.append(f"longest silence {format_duration(f['longest_silence'])}")
        comes = f.get("repeats", 0) + f.get("chases", 0)
        if comes:
            parts.append("the customer comes back" + (f" {comes} times" if comes > 1 else ""))
        n = f["visible_handoffs"]
        parts.append(f"{n} customer-visible handoff{'' if n == 1 else 's'}{', numbered on the flows' if n else ''}")
        view.graph["subtitle"] = " · ".join(parts)
    if not facing_at:
        return view
    view.graph["start"] = steps[facing_at[0]]

    if walk is not None and walk.timeline:
        # A run through parallel work (SPEC §7.2): the branches side by side between a fork and a join gateway.
        gateways, stretches, silence_into = _run_stretches(g, walk, {(j.ids[u], j.ids[v]) for u, v in j.unplanned})
        for name, step, kind in gateways:
            if kind != "step" and name not in view:
                view.add_node(name, **_gateway(nodes[step], kind))
    else:
        gateways, stretches, silence_into = [], _journey_stretches(g, steps, facing_at, loops), None
    silence = max((s[3] for s in stretches if s[2]), default=0)
    if silence_into is not None:
        silence = walk.figures["longest_silence"] if walk is not None else 0
    marked_silence = False
    for u, v, inside, wait, untimed, share, whens, back, round_loop in stretches:
        if view.has_edge(u, v):
            view.edges[u, v]["times"] += 1
            continue
        # A slide reads one condition; a chain of them ("identity verified score 550 to 699 approve") becomes
        # the share of customers it leaves (the conditions stay in the audit and on the poster).
        lines = list(whens) if len(whens) <= 1 or len(" ".join(whens)) <= STORY_WHENS else []
        if share is not None and share < 1 - 1e-9:
            lines.append(f"{_pct(share)} of customers" if not lines else f"({_pct(share)})")
        again = "".join(f"↻ back to {_name(g, target)} · " for target in back)
        attrs: dict = {"when": " ".join(lines) if lines else None, "index": len(view.edges), "times": 1}
        is_silence = (u, v) == silence_into if silence_into is not None else bool(inside) and wait == silence
        if is_silence and silence > 0 and not marked_silence:
            attrs["wait"] = f"{again}{format_duration(silence)}: the customer hears nothing"
            attrs["silence"] = True
            marked_silence = True
        elif inside and wait > 0:
            attrs["wait"] = f"{again}wait {format_duration(wait)}{' + untimed steps' if untimed else ''}"
        elif inside:
            attrs["wait"] = f"{again}backstage work{', untimed' if untimed else ''}"
        elif again:
            attrs["when"] = " ".join([*lines, again.rstrip(" ·")])
        if round_loop:
            attrs["comes_back"] = True
        view.add_edge(u, v, **attrs)

    if gateways:
        # The journey drawn bold is every flow of the run, branch after branch (a sequence whose pairs hold them).
        path: list[str] = []
        for u, v, *_rest in stretches:
            path += [u, v] if not path or path[-1] != u else [v]
        view.graph["journey_path"] = path

    # Markers where the customer meets what went wrong: broken promises and fail points.
    on_journey = set(steps)

    def surface(step: str) -> str | None:
        """The first facing visit at or after the journey's first visit of ``step``."""
        if step not in on_journey:
            return None
        k = steps.index(step)
        return next((steps[i] for i in facing_at if i >= k), None)

    for s in j.sla:
        if not s.breach:
            continue
        at = surface(s.step)
        if at is None:
            continue
        waited = "unbounded" if s.longest_wait is None else format_duration(s.longest_wait)
        view.nodes[at]["markers"].append(f"⚠ {format_duration(s.sla)} promised: up to {waited}")
    upstream: dict[str, list[str]] = {}
    for f in j.fail_points(Analysis(g).no_backup):
        at = surface(f.step)
        if at is None or (f.step == at and f.marked):
            continue  # a marked facing fail point is drawn as one already
        if f.step == at:
            view.nodes[at]["markers"].append("▲ no backup")
            continue
        upstream.setdefault(at, []).append(_name(g, f.step))
    for at, failing in upstream.items():
        # Short on the slide (where it surfaces is the point); the names on hover and in the audit.
        count = len(failing)
        view.nodes[at]["markers"].append("▲ fail point upstream" if count == 1 else f"▲ {count} fail points upstream")
        view.nodes[at]["marker_tip"] = "Fails upstream, shows here: " + "; ".join(failing)
    for n in view.nodes:
        view.nodes[n]["end"] = view.out_degree(n) == 0 or (n in nodes and nodes[n]["end"])
    if not gateways:  # through forks the branches stack in one column each: the layout's own layering
        view.graph["columns"] = story_columns(view)
    return view


Stretch = tuple[str, str, list[str], float, bool, "float | None", list[str], list[str], bool]
"""One flow of the story: (from, to, folded steps, their wait, untimed, share, whens, back-to targets, round a loop)."""


def _journey_stretches(g: nx.DiGraph, steps: list[str], facing_at: list[int], loops: set[int]) -> list[Stretch]:
    """One flow per pair of consecutive facing visits of a journey; a pair met twice (round a loop) is one flow."""
    nodes = g.nodes
    stretches: list[Stretch] = []
    for a, b in itertools.pairwise(facing_at):
        inside = steps[a + 1 : b]
        wait = sum(nodes[x]["duration"] or 0 for x in inside)
        untimed = any(nodes[x]["duration"] is None for x in inside)
        share: float | None = 1.0
        whens = []
        back = []
        round_loop = False
        for k in range(a + 1, b + 1):
            u, v = steps[k - 1], steps[k]
            s = _flow_share(g, u, v)
            share = None if share is None or s is None else share * s
            when = g.edges[u, v].get("when")
            if when:
                whens.append(" ".join(text.clean(when).split()))
            if k in loops:
                round_loop = True
                if k != b:  # a loop straight into a drawn step: its arrow says so already
                    back.append(v)
        stretches.append((steps[a], steps[b], inside, wait, untimed, share, whens, back, round_loop))
    return stretches


def _gateway(step: dict, kind: str) -> dict:
    """A fork or join of the story: BPMN's parallel gateway (a diamond marked +) in the service's band."""
    d = dict(step)
    d.update(
        name="",
        lane=STORY_LANE,
        parallel=True,
        decision=False,
        join=kind == "join",
        customer=False,
        touchpoint=False,
        update=False,
        facing=False,
        channel=None,
        evidence=None,
        fail_point=False,
        fail_line=False,
        markers=[],
        chase=False,
        contact=None,
    )
    return d


def _run_stretches(
    g: nx.DiGraph, walk: Journey, unplanned: set[tuple[str, str]]
) -> tuple[list[tuple[str, str, str]], list[Stretch], tuple[str, str] | None]:
    """The story of a run through forks: its gateways, its flows, and the flow its silence is said on.

    The run's visits form a graph (each follows one visit, a join its
    branches' ends).  A gateway is put after each visit that forks and
    before each join; the facing visits and the gateways are drawn, every
    other visit folds into the flow that passes it, with its duration.  The
    silence (SPEC §7.2: the longest stretch no facing visit covers, read on
    the timeline, so the branches cover each other) is said on the flow into
    the facing visit that ends it.
    """
    nodes = g.nodes
    steps, timeline = list(walk.steps), walk.timeline
    n = len(steps)
    children: list[list[int]] = [[] for _ in range(n)]
    for i, (preds, _s, _f) in enumerate(timeline):
        for p in preds:
            children[p].append(i)
    # The drawn graph: a node per visit, plus a gateway after each fork and before each join.
    names: list[str] = []  # story node of each augmented node ("" when folded)
    real: list[int | None] = []  # the visit, or None for a gateway
    kids: list[list[int]] = []
    gateways: list[tuple[str, str, str]] = []
    out_of: list[int] = [0] * n

    def add(name: str, visit: int | None, preds: list[int]) -> int:
        names.append(name)
        real.append(visit)
        kids.append([])
        for p in preds:
            kids[p].append(len(names) - 1)
        return len(names) - 1

    for i in range(n):
        preds = [out_of[p] for p in timeline[i][0]]
        # A facing step that is a join, or whose one way on is a fork, is drawn as the gateway itself (its shape
        # in every view); any other fork or join gets a gateway of its own.
        itself = nodes[steps[i]]["facing"] and nodes[steps[i]].get("parallel")
        if len(preds) > 1 and not itself:
            name = f"{steps[i]}.join"
            gateways.append((name, steps[i], "join"))
            preds = [add(name, None, preds)]
        out_of[i] = add(steps[i] if nodes[steps[i]]["facing"] else "", i, preds)
        if itself:
            gateways.append((steps[i], steps[i], "step"))
        elif len(children[i]) > 1:
            name = f"{steps[i]}.fork"
            gateways.append((name, steps[i], "fork"))
            out_of[i] = add(name, None, [out_of[i]])
    stretches: list[Stretch] = []
    for a in range(len(names)):
        if not names[a]:
            continue
        for c in kids[a]:
            inside: list[int] = []
            while c is not None and not names[c]:
                inside.append(c)
                c = kids[c][0] if kids[c] else None
            if c is None:
                continue  # the branch ends without another facing visit: after the last one is no wait
            reals = [x for x in (real[a], *(real[y] for y in inside), real[c]) if x is not None]
            flows = list(itertools.pairwise(steps[x] for x in reals))
            if real[c] is None and reals:
                last = reals[-1]
                if names[c].endswith(".fork"):
                    flows += [(steps[last], steps[k]) for k in children[last][:1]]  # the fork item, once
                else:
                    flows += [(steps[last], steps[k]) for k in children[last]]  # into the join
            share: float | None = 1.0
            whens: list[str] = []
            back: list[str] = []
            round_loop = False
            for u, v in flows:
                s = _flow_share(g, u, v)
                share = None if share is None or s is None else share * s
                when = g.edges[u, v].get("when")
                if when:
                    whens.append(" ".join(text.clean(when).split()))
                if (u, v) in unplanned:
                    round_loop = True
                    if v != names[c]:
                        back.append(v)
            folded = [steps[real[y]] for y in inside if real[y] is not None]  # type: ignore[index]
            wait = sum(nodes[x]["duration"] or 0 for x in folded)
            untimed = any(nodes[x]["duration"] is None for x in folded)
            stretches.append((names[a], names[c], folded, wait, untimed, share, whens, back, round_loop))
    # The silence: the longest gap between facing visits on the timeline, said on the flow into the visit ending it.
    facing = sorted((s, f, i) for i, (_p, s, f) in enumerate(timeline) if nodes[steps[i]]["facing"])
    silence_into: tuple[str, str] | None = None
    best, reach = 0.0, None
    for s, f, i in facing:
        if reach is not None and s - reach > best:
            best = s - reach
            into = next((x for x in stretches if x[1] == steps[i]), None)
            silence_into = (into[0], into[1]) if into is not None else None
        reach = f if reach is None else max(reach, f)
    return gateways, stretches, silence_into


def story_columns(view: nx.DiGraph) -> dict[str, int]:
    """Columns for the story: a step shares the column of the step before it when it sits in the other band.

    The customer calls and the service answers: one column, the flow straight
    down.  That halves the width of a slide, where width is what runs out.
    """
    col: dict[str, int] = {}
    used: dict[int, set[str]] = {}
    c, prev = -1, None
    for n in view.nodes:  # first-visit order along the journey
        lane = view.nodes[n]["lane"]
        shared = (
            prev is not None
            and view.has_edge(prev, n)
            and len(used.get(c, ())) == 1
            and lane not in used.get(c, ())
            and not view.has_edge(n, prev)
        )
        if not shared:
            c += 1
        col[n] = c
        used.setdefault(c, set()).add(lane)
        prev = n
    return col


def _name(g: nx.DiGraph, n: str) -> str:
    return " ".join(text.clean(g.nodes[n]["name"]).split())
