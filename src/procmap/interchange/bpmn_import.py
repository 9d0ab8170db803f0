"""From a read BPMN model to procmap's process data: folding, message flows, kinds, start.

:mod:`procmap.interchange.bpmn_in` reads the XML into nodes, sequence flows
and lanes; this module walks every path out of each step through gateways
and non-step events until it reaches the next steps (that is where branch
labels come from), adds message flows, decides lane kinds
(:mod:`procmap.interchange.bpmn_kinds`) and the start step, and returns the
data a procmap file holds plus the report.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procmap.diagnostics import UsageError
from procmap.interchange.bpmn_in import (
    EVENTS,
    LANE_KINDS,
    PROCMAP,
    THROWING,
    Imported,
    Node,
    Reader,
    SeqFlow,
    Slugs,
    clean,
    parse,
    shorten,
    slugify,
)
from procmap.interchange.bpmn_kinds import LaneFacts, PoolFacts, decide

if TYPE_CHECKING:
    from lxml.etree import _Element

TAG_NAMES = {
    "task": "Task",
    "userTask": "User task",
    "manualTask": "Manual task",
    "serviceTask": "Service task",
    "sendTask": "Send task",
    "receiveTask": "Receive task",
    "scriptTask": "Script task",
    "businessRuleTask": "Business rule task",
    "callActivity": "Call activity",
    "subProcess": "Sub-process",
    "transaction": "Transaction",
    "adHocSubProcess": "Ad-hoc sub-process",
}
EVENT_TAGS = EVENTS
CATCHABLE = ("error", "escalation", "cancel", "compensate")


# Rules a model itself can break, whatever the import does: every path from the start loops for ever
# (procmap processes must finish).  Such a model is refused with the rule's words; any other error in the
# written process is a bug in the import.
MODEL_FAULTS = frozenset({"no-end"})

# One pending piece of a walk: ("arrive" | "leave" | "finish", node id, labels so far, share).
Work = tuple[str, str, tuple[str, ...], float | None]


@dataclass
class Hop:
    """Where one path out of a step arrives: a step, or an end event (``step`` None)."""

    step: str | None
    end: str | None
    labels: tuple[str, ...]
    share: float | None = None  # procmap's own `share`, read back from a file it exported
    all: tuple[str, ...] = ()  # a parallel split whose branches each start at one step: a fork (SPEC §7.3)


def import_bpmn(data: bytes, path: str, *, kinds: dict[str, str] | None = None, process: str | None = None) -> Imported:
    """The procmap process a BPMN 2.0 model holds (raises UsageError for what is not a usable model)."""
    result = _import(data, path, kinds=kinds, process=process, parallel=True)
    if result.data.get("_forks") and _unmatched(result.data):
        # A parallel split that is not block-structured (its branches meet nowhere, or at an exclusive merge,
        # or leave one another) stays a set of alternatives with today's `parallel-split` warning.
        result = _import(data, path, kinds=kinds, process=process, parallel=False)
    result.data.pop("_forks", None)
    return result


def _unmatched(data: dict[str, Any]) -> bool:
    """Whether the forks and joins made from parallel gateways break SPEC §7.1's block structure."""
    from procmap.config import Config
    from procmap.interchange.process_yaml import dump_document
    from procmap.rules import RULES
    from procmap.validate import check_document

    clean_data = {k: v for k, v in data.items() if k != "_forks"}
    only = Config(severities={rule.id: None for rule in RULES if rule.id != "unmatched-fork"})
    checked = check_document(dump_document(clean_data, "<import>", [], {}), only)
    return any(d.rule == "unmatched-fork" for d in checked.diagnostics)


def _import(data: bytes, path: str, *, kinds: dict[str, str] | None, process: str | None, parallel: bool) -> Imported:
    root = parse(data, path)
    reader = Reader(root, path, kinds=kinds or {}, process=process)
    reader.select_pools()
    for pool in reader.pools:
        if pool.process is not None:
            reader.walk(pool.process, pool, None)
    reader.assign_lanes()
    for flow in reader.flows:
        if flow.source in reader.nodes and flow.target in reader.nodes:
            reader.out.setdefault(flow.source, []).append(flow)
    return Mapper(reader, parallel=parallel).run()


class Mapper:
    def __init__(self, reader: Reader, *, parallel: bool = False) -> None:
        self.r = reader
        self.parallel = parallel
        self.forks: dict[str, list[tuple[tuple[str, ...], str | None, float | None]]] = {}
        self.join_steps: set[str] = set()
        self.nodes = reader.nodes
        self.steps: dict[str, Node] = {}
        self.passes: dict[str, set[str]] = {}
        self.incoming: dict[str, int] = {}
        for flow in reader.flows:
            self.incoming[flow.target] = self.incoming.get(flow.target, 0) + 1
        self.names: dict[str, str] = {}
        self._names: dict[str, str] = {}  # step_name's answers
        self.extra_names: dict[str, str] = {}
        self.extra_lane: dict[str, str] = {}
        self.durations: dict[str, str] = {}
        self.shares: dict[tuple[str, str], float] = {}
        self._pool_starts: dict[str, list[str]] = {}
        # procmap's own planned loops (SPEC §5.7): its export marks the flow u -> v with procmap:planned.
        self.planned_pairs = {(f.pm_from, f.pm_to) for f in reader.flows if f.pm_planned == "true"}
        self.pool_by_key = {p.key: p for p in reader.pools}

    # ------------------------------------------------------------------ which nodes are steps

    def decide_steps(self) -> None:
        r = self.r
        loop_tags = (r.q("multiInstanceLoopCharacteristics"), r.q("standardLoopCharacteristics"))
        endpoints = {mf.get("sourceRef") for mf in r.message_flows} | {mf.get("targetRef") for mf in r.message_flows}
        after_event_gateway = {
            f.target for f in r.flows if f.source in self.nodes and self.nodes[f.source].tag == "eventBasedGateway"
        }
        for node in self.nodes.values():
            if node.tag in EVENT_TAGS:
                if node.id in endpoints or self.event_is_step(node, after_event_gateway):
                    node.step = True
                self.check_timer(node)
                if node.tag == "endEvent" and node.event_kind == "terminate" and not node.step:
                    r.note(
                        "warning",
                        "terminate",
                        f"{r.label_of(node.el)} ends every path at once; procmap's paths are alternatives, "
                        "so it is kept as an ordinary end",
                        node.el,
                    )
            if node.step:
                self.steps[node.id] = node
            el = node.el
            loop = next(el.iterchildren(*loop_tags), None)  # the first marker, found by lxml in C
            if loop is not None:
                kind = "multi-instance" if r.local(loop) == "multiInstanceLoopCharacteristics" else "loop"
                r.note(
                    "warning",
                    kind,
                    f"{r.label_of(el)} is a {kind} activity; procmap has no such marker: kept as one step "
                    "(its repetition is not modelled)",
                    el,
                )
            if node.tag == "callActivity":
                called = el.get("calledElement") or "?"
                own = next((p.process.get("id") for p in r.pools if p.key == node.pool and p.process is not None), None)
                r.note(
                    "info",
                    "call-activity",
                    f"{r.label_of(el)} calls its own process '{called}' (a recursion): kept as one step"
                    if called == own
                    else f"{r.label_of(el)} calls '{called}': kept as one step; the called process is not imported",
                    el,
                )

    def plan_parallel(self) -> None:
        """Gateways a fork or join needs as steps (SPEC §7.3), only where no task can stand in for them.

        A fork item names the first step of each branch, so a branch that
        opens with a choice (pm4py's running example: examine casually or
        thoroughly, beside check ticket) gets that choice as a step; a join
        is the step after the converging parallel gateway, so a gateway that
        leads on to a choice or an end becomes the join step itself.  Both
        are silent steps for `conform` (no event maps to them).
        """
        if not self.parallel:
            return
        r = self.r

        def make_step(node: Node, why: str) -> None:
            if node.step:
                return
            node.step = True
            self.steps[node.id] = node
            r.note("info", "gateway-step", f"{r.label_of(node.el)} {why}: kept as a step", node.el)

        for node in list(self.nodes.values()):
            if node.tag != "parallelGateway":
                continue
            flows = r.out.get(node.id, [])
            if len(flows) > 1:
                into = [f.source for f in r.flows if f.target == node.id]
                merged = len(into) > 1 or any(
                    self.nodes[i].tag.endswith("Gateway") and self.incoming.get(i, 0) > 1
                    for i in into
                    if i in self.nodes
                )
                from_start = any(
                    i in self.nodes and self.nodes[i].tag == "startEvent" and not self.nodes[i].step for i in into
                )
                if merged:
                    # Reached along several paths (a loop back to before the split): one fork, at one step.
                    make_step(node, "splits paths that several steps reach")
                elif from_start:
                    # The process starts with the split: its fork needs a step to start from.
                    make_step(node, "starts the process with parallel branches")
                for flow in flows:
                    target = self.nodes.get(flow.target)
                    if target is not None and target.tag.endswith("Gateway") and len(r.out.get(target.id, [])) > 1:
                        make_step(target, "opens a branch of a parallel split with a choice")
            elif len(flows) == 1 and self.incoming.get(node.id, 0) > 1:
                target = self.nodes.get(flows[0].target)
                if (
                    target is not None
                    and not target.step
                    and (target.tag == "endEvent" or len(r.out.get(target.id, [])) > 1)
                ):
                    make_step(node, "joins parallel branches before a choice or an end")

    def event_is_step(self, node: Node, after_event_gateway: set[str]) -> bool:
        """Whether an event is something that happens on the journey, so it becomes a step.

        A BPMN user draws an intermediate event to say that the process waits
        for something (a message, a signal, a condition, a time) or makes
        something happen (sends, signals, escalates, compensates, reaches a
        named milestone), so every such event is a step.  Folded away are only
        the events that carry nothing procmap would lose: a none start or end
        (the start and ends of the process), an unnamed none intermediate
        event, link events (the path is joined), events after an event-based
        gateway (their name labels the branch), boundary events (a labelled
        branch from their host) and error/escalation/cancel/compensation ends
        that a boundary event catches (the path is joined to it).  A start
        event with a trigger is a step too: what starts the process is kept.
        """
        kind = node.event_kind
        if node.tag == "boundaryEvent" or kind == "link" or node.id in after_event_gateway:
            return False
        if node.tag == "startEvent":
            return kind is not None and node.parent is None
        if node.tag == "endEvent":
            if kind is None or kind == "terminate":
                return False
            return not (kind in CATCHABLE and self.catching_boundaries(node))
        if kind is None:
            return bool(clean(node.el.get("name")))  # a named milestone; an unnamed none event is a bare joint
        return True

    def catching_boundaries(self, node: Node) -> list[str]:
        """The boundary events on the sub-processes around ``node`` that catch what it throws (innermost first)."""
        parent: str | None = node.parent
        while parent:
            catching = [b for b in self.r.boundaries.get(parent, []) if self.nodes[b].event_kind == node.event_kind]
            if catching:
                return catching
            parent = self.nodes[parent].parent
        return []

    def check_timer(self, node: Node) -> None:
        r = self.r
        timer = r.event_definition(node.el, "timer")
        if timer is None:
            return
        from procmap.model.durations import parse_duration

        duration = timer.find(r.q("timeDuration"))
        text = clean(duration.text if duration is not None else "")
        try:
            if not text:
                raise ValueError
            parse_duration(text)
            self.durations[node.id] = text
        except ValueError:
            what = next(
                (r.local(c) for c in timer if r.local(c) in ("timeDate", "timeCycle", "timeDuration")), "no time"
            )
            value = clean(next((c.text for c in timer if r.local(c) in ("timeDate", "timeCycle", "timeDuration")), ""))
            r.note(
                "warning",
                "timer",
                f"timer of {r.label_of(node.el)} is not a plain duration ({what}"
                + (f" '{shorten(value, 40)}'" if value else "")
                + "): procmap keeps durations only; "
                + ("the step has no duration" if node.step else "not kept"),
                node.el,
            )

    # ------------------------------------------------------------------ walking paths

    def flow_label(self, flow: SeqFlow, source: Node | None) -> str | None:
        el = flow.el
        if flow.pm_from is not None:
            return el.get("name") or None
        name = clean(el.get("name"))
        if name:
            return name
        cond = el.find(self.r.q("conditionExpression"))
        if cond is not None and clean(cond.text):
            return clean(cond.text)
        if source is not None and source.el.get("default") == flow.id:
            return "otherwise"
        return None

    def hops(self, step_id: str) -> list[Hop]:
        """Every place the paths out of ``step_id`` reach: the next steps, or ends."""
        out: list[Hop] = []
        seen: set[str] = set()
        node = self.nodes[step_id]
        flows = self.r.out.get(step_id, [])
        if self.parallel and node.tag == "parallelGateway" and len(flows) > 1:
            fork = self._fork(step_id, flows, seen)
            if fork is not None:
                return [Hop(fork[0], None, (), None, fork)]
        for flow in flows:
            label = self.flow_label(flow, node)
            self.arrive(step_id, flow.target, (label,) if label else (), out, seen, self.share_of(flow))
        for boundary in self.r.boundaries.get(step_id, []):
            self.arrive(step_id, boundary, (), out, seen)
        for boundary in self.entry_boundaries.get(step_id, []):
            self.arrive(step_id, boundary, (), out, seen)
        if node.tag in THROWING and node.event_kind in CATCHABLE:
            for boundary in self.catching_boundaries(node):  # an escalation thrown mid-way also reaches its catcher
                self.arrive(step_id, boundary, (), out, seen)
        if not flows:
            if node.parent:
                self.leave(step_id, node.parent, (), out, seen)
            elif out:
                out.append(Hop(None, None, ()))  # the step may also just finish
        return out

    def arrive(
        self,
        source: str,
        target: str,
        labels: tuple[str, ...],
        out: list[Hop],
        seen: set[str],
        share: float | None = None,
    ) -> None:
        """Follow one path from ``source`` into ``target`` until it reaches steps or ends (appended to ``out``).

        An explicit stack, not recursion: a ring of a thousand gateways is a
        long walk, never a RecursionError.  Items are taken in the order the
        recursive walk would take them (children pushed in reverse), so the
        flows come out in model order.
        """
        self._walk(source, ("arrive", target, labels, share), out, seen)

    def _walk(self, source: str, first: Work, out: list[Hop], seen: set[str]) -> None:
        stack: list[Work] = [first]
        while stack:
            what, ident, path, part_share = stack.pop()
            if what == "arrive":
                more = self._arrive_one(source, ident, path, out, seen, part_share)
            elif what == "leave":
                more = self._leave_one(source, ident, path, out, seen)
            else:
                more = self._finish_one(source, self.nodes[ident], path, out)
            stack.extend(reversed(more))

    def _arrive_one(
        self,
        source: str,
        target: str,
        labels: tuple[str, ...],
        out: list[Hop],
        seen: set[str],
        share: float | None,
    ) -> list[Work]:
        node = self.nodes.get(target)
        if node is None:
            return []
        if node.step:
            out.append(Hop(target, None, labels, share))
            return []
        if target in seen:
            return []
        seen.add(target)
        self.passes.setdefault(target, set()).add(source)
        r = self.r
        if node.tag == "boundaryEvent":
            labels = (*labels, self.boundary_label(node))
        if node.expanded:
            return [("arrive", entry, labels, None) for entry in self.entries(target)]
        if node.tag == "intermediateThrowEvent" and node.event_kind == "link":
            catches = self.link_targets(node)
            if not catches:
                r.note(
                    "warning",
                    "link",
                    f"{r.label_of(node.el)} links to '{self.link_name(node) or '?'}', but no link catch event in its "
                    "pool has that name: the path ends there",
                    node.el,
                )
            return [("arrive", catch, labels, None) for catch in catches]
        flows = r.out.get(target, [])
        if node.tag == "endEvent" or not flows:
            return [("finish", target, labels, None)]
        branching = len(flows) > 1
        if branching and self.parallel and node.tag == "parallelGateway":
            fork = self._fork(source, flows, seen)
            if fork is not None:
                out.append(Hop(fork[0], None, labels, share, fork))
                return []
        if branching and node.tag in ("parallelGateway", "inclusiveGateway", "complexGateway"):
            kind = node.tag.removesuffix("Gateway")
            r.note(
                "warning",
                f"{kind}-split",
                f"{r.label_of(node.el)} splits into {len(flows)} paths taken "
                + ("together" if kind == "parallel" else "possibly together")
                + "; procmap branches are exclusive: kept as alternative flows",
                node.el,
            )
        gateway_name = clean(node.el.get("name")) if node.tag.endswith("Gateway") else ""
        more: list[Work] = []
        for flow in flows:
            part = self.flow_label(flow, node)
            if part is None and node.tag == "eventBasedGateway":
                event = self.nodes.get(flow.target)
                part = clean(event.el.get("name")) if event is not None else None
                part = part or (self.durations.get(flow.target) and f"after {self.durations[flow.target]}") or None
            # procmap's own flows carry their exact `when`; its gateways are named for bpmnlint only.
            if part and branching and gateway_name and flow.pm_from is None:
                part = f"{gateway_name} {part}" if gateway_name[-1] in "?:" else f"{gateway_name}: {part}"
            own = self.share_of(flow)
            more.append(("arrive", flow.target, (*labels, part) if part else labels, share if own is None else own))
        return more

    def _fork(self, source: str, flows: list[SeqFlow], seen: set[str]) -> tuple[str, ...] | None:
        """The first steps of a parallel split's branches, when each branch starts at exactly one step.

        Each outgoing flow is walked on its own; a branch that reaches
        several steps (an exclusive choice right after the split), an end or
        a nested split is not a branch procmap can name, so the split stays
        alternatives (the caller's warning).
        """
        firsts: list[str] = []
        for flow in flows:
            found: list[Hop] = []
            self._walk(source, ("arrive", flow.target, (), None), found, set(seen))
            if len(found) != 1 or found[0].step is None or found[0].all or found[0].step in firsts:
                return None
            if self.flow_label(flow, self.nodes.get(flow.source)):
                return None  # a labelled branch would lose its label in a fork item
            firsts.append(found[0].step)
        return tuple(firsts)

    def find_joins(self) -> None:
        """Steps right after a converging parallel gateway: `join: all` (SPEC §7.3)."""
        if not self.parallel:
            return
        for node in self.nodes.values():
            if node.tag != "parallelGateway" or self.incoming.get(node.id, 0) < 2:
                continue
            if node.step:
                self.join_steps.add(node.id)
                continue
            if node.id not in self.passes:
                continue
            found: list[Hop] = []
            for flow in self.r.out.get(node.id, []):
                self.arrive(node.id, flow.target, (), found, set())
            self.join_steps.update(h.step for h in found if h.step and not h.all)

    def share_of(self, flow: SeqFlow) -> float | None:
        value = flow.pm_share
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    def _finish_one(self, source: str, node: Node, labels: tuple[str, ...], out: list[Hop]) -> list[Work]:
        """A path reaches an end: of the process, or of an expanded sub-process it then leaves."""
        if node.parent is None:
            out.append(Hop(None, node.id if node.tag == "endEvent" else None, labels))
            return []
        if node.tag in THROWING and node.event_kind in CATCHABLE:
            catching = self.catching_boundaries(node)
            if catching:
                return [("arrive", boundary, labels, None) for boundary in catching]
        return [("leave", node.parent, labels, None)]

    def leave(self, source: str, parent: str, labels: tuple[str, ...], out: list[Hop], seen: set[str]) -> None:
        """Leave an expanded sub-process (a step inside it with no outgoing flow ends it)."""
        self._walk(source, ("leave", parent, labels, None), out, seen)

    def _leave_one(
        self, source: str, parent: str, labels: tuple[str, ...], out: list[Hop], seen: set[str]
    ) -> list[Work]:
        key = f"leave:{parent}"
        self.passes.setdefault(key, set()).add(source)
        if key in seen:
            return []
        seen.add(key)
        node = self.nodes[parent]
        flows = self.r.out.get(parent, [])
        if not flows:
            return [("finish", parent, labels, None)]
        more: list[Work] = []
        for flow in flows:
            part = self.flow_label(flow, node)
            more.append(("arrive", flow.target, (*labels, part) if part else labels, None))
        return more

    def entries(self, parent: str) -> list[str]:
        inside = self.r.children.get(parent, [])
        starts = [n for n in inside if self.nodes[n].tag == "startEvent"]
        if starts:
            return starts
        return [n for n in inside if not self.incoming.get(n) and self.nodes[n].tag != "boundaryEvent"]

    def link_name(self, node: Node) -> str | None:
        definition = self.r.event_definition(node.el, "link")
        return (definition.get("name") if definition is not None else None) or node.el.get("name")

    def link_targets(self, node: Node) -> list[str]:
        """The link catch events of the same name in the same pool (indexed once)."""
        if not hasattr(self, "_links"):
            self._links: dict[tuple[str, str | None], list[str]] = {}
            for n in self.nodes.values():
                if n.tag == "intermediateCatchEvent" and n.event_kind == "link":
                    self._links.setdefault((n.pool, self.link_name(n)), []).append(n.id)
        return self._links.get((node.pool, self.link_name(node)), [])

    def boundary_label(self, node: Node) -> str:
        name = clean(node.el.get("name"))
        kind = node.event_kind or "event"
        if name:
            return name
        if kind == "timer" and node.id in self.durations:
            return f"after {self.durations[node.id]}"
        return kind

    # ------------------------------------------------------------------ the whole mapping

    def run(self) -> Imported:
        self.decide_steps()
        self.plan_parallel()
        self.plan_boundaries()
        hops = {s: self.hops(s) for s in list(self.steps)}
        self.find_joins()
        self.report_dead_loops()
        ends = self.materialise_ends(hops)
        nexts: dict[str, list[tuple[str, str | None]]] = {}
        for step, found in hops.items():
            nexts[step] = []
            for hop in found:
                target = hop.step or (hop.end if hop.end in ends else None)
                if hop.step is None and hop.end is None and f"{step}#end" in ends:
                    target = f"{step}#end"
                if hop.all:
                    label = "; ".join(hop.labels) or None
                    self.forks.setdefault(step, []).append((hop.all, label, hop.share))
                    nexts[step].extend((t, label) for t in hop.all)
                    continue
                if target is not None:
                    nexts[step].append((target, "; ".join(hop.labels) or None))
                    if hop.share is not None:
                        self.shares[step, target] = hop.share
        for end in ends:
            nexts.setdefault(end, [])
        self.add_message_flows(nexts)
        return self.build(nexts)

    def report_dead_loops(self) -> None:
        """Gateways and events a path enters but never leaves (a ring of gateways): named, never silently cut.

        A node is live when a path through it can reach a step or an end:
        found backwards from every node that is not a plain pass-through, in
        one pass over the flows (linear, and without recursion).
        """
        r = self.r
        into: dict[str, list[str]] = {}
        for flow in r.flows:
            into.setdefault(flow.target, []).append(flow.source)
        live: set[str] = set()
        queue: deque[str] = deque()
        for node in self.nodes.values():
            plain = (
                not node.step
                and not node.expanded
                and node.tag != "endEvent"
                and bool(r.out.get(node.id))
                and not (node.tag == "intermediateThrowEvent" and node.event_kind == "link")
            )
            if not plain:
                live.add(node.id)
                queue.append(node.id)
        while queue:
            for before in into.get(queue.popleft(), []):
                if before not in live:
                    live.add(before)
                    queue.append(before)
        dead = [n for n in self.nodes if n in self.passes and n not in live]
        if dead:
            first = self.nodes[dead[0]].el
            r.note(
                "warning",
                "dead-loop",
                f"{len(dead)} gateway(s) or event(s) form a loop that no path leaves "
                f"({', '.join(repr(d) for d in dead[:5])}{' …' if len(dead) > 5 else ''}): "
                "the paths into it end there",
                first,
            )

    def plan_boundaries(self) -> None:
        """Boundary events on expanded sub-processes that nothing inside throws: branch from its first steps."""
        self.entry_boundaries: dict[str, list[str]] = {}
        r = self.r
        # What the throw events inside each sub-process throw, found by walking each one's ancestors once
        # (not every node per host: thousands of sub-processes with boundaries stay linear).
        thrown_inside: dict[str, set[str | None]] = {}
        for n in self.nodes.values():
            if n.tag in THROWING:
                parent = n.parent
                while parent:
                    thrown_inside.setdefault(parent, set()).add(n.event_kind)
                    parent = self.nodes[parent].parent
        for host, boundaries in r.boundaries.items():
            node = self.nodes.get(host)
            if node is None or not node.expanded:
                continue
            inner_kinds = thrown_inside.get(host, set())
            loose = [
                b
                for b in boundaries
                if self.nodes[b].event_kind not in inner_kinds or self.nodes[b].event_kind not in CATCHABLE
            ]
            if not loose:
                continue
            first: list[Hop] = []
            for entry in self.entries(host):
                self.arrive(host, entry, (), first, set())
            for hop in first:
                if hop.step:
                    self.entry_boundaries.setdefault(hop.step, []).extend(loose)
            for b in loose:
                r.note(
                    "info",
                    "boundary-on-subprocess",
                    f"{r.label_of(self.nodes[b].el)} on expanded sub-process '{host}': drawn as a branch from "
                    "the sub-process's first step(s), since its steps are flattened",
                    self.nodes[b].el,
                )
        for node in self.nodes.values():
            if node.tag == "boundaryEvent" and node.el.get("cancelActivity") == "false":
                r.note(
                    "warning",
                    "non-interrupting",
                    f"{r.label_of(node.el)} does not interrupt its host (both go on); procmap branches are "
                    "exclusive: kept as an alternative flow",
                    node.el,
                )

    def materialise_ends(self, hops: dict[str, list[Hop]]) -> set[str]:
        """End events that must become steps so that a branch ending there is not lost."""
        ends: set[str] = set()
        for step, found in hops.items():
            distinct = {(h.step, h.end) for h in found}
            if len(distinct) < 2:
                continue
            for hop in found:
                if hop.step is None:
                    if hop.end is None:
                        key = f"{step}#end"
                        self.extra_names[key] = "End"
                        self.extra_lane[key] = self.nodes[step].lane or ""
                        ends.add(key)
                    else:
                        ends.add(hop.end)
        return ends

    # ------------------------------------------------------------------ message flows

    def add_message_flows(self, nexts: dict[str, list[tuple[str, str | None]]]) -> None:
        r = self.r
        pools = {p.key: p for p in r.pools}
        self.exchanges: list[tuple[str, str]] = []
        self.step_index = {s: i for i, s in enumerate(nexts)}
        self.pool_steps: dict[str, list[str]] = {}
        for s in nexts:
            self.pool_steps.setdefault(self.lane_pool(s), []).append(s)
        bb_steps: dict[str, list[tuple[str, str]]] = {}
        branches = self.branches(nexts)
        for mf in r.message_flows:
            label = self.message_label(mf)
            sides: list[list[str]] = []
            for ref, role in ((mf.get("sourceRef"), "source"), (mf.get("targetRef"), "target")):
                if ref in pools and pools[ref].process is None:
                    key = f"{mf.get('id')}#{role}"
                    other_ref = mf.get("targetRef") if role == "source" else mf.get("sourceRef")
                    other = self.pool_of_ref(other_ref)
                    verb = "to" if role == "source" else "from"
                    self.extra_names[key] = (
                        clean(mf.get("name"))
                        or self.message_name(mf)
                        or (f"Message {verb} {other.name}" if other else "Message")
                    )
                    self.extra_lane[key] = pools[ref].lanes[0].key
                    nexts.setdefault(key, [])
                    bb_steps.setdefault(ref, []).append((key, other_ref or ""))
                    sides.append([key])
                else:
                    sides.append(self.resolve(ref, role, nexts))
            if not sides[0] or not sides[1]:
                r.note(
                    "warning",
                    "message-flow",
                    f"message flow '{mf.get('id')}'"
                    + (f' ("{clean(mf.get("name"))}")' if clean(mf.get("name")) else "")
                    + " joins an element outside the imported pools; not kept",
                    mf,
                )
                continue
            for s in sides[0]:
                for t in sides[1]:
                    self.exchanges.append((s, t))
                    if branches.get(s, frozenset()) != branches.get(t, frozenset()) and t in self.steps:
                        # A flow out of a parallel branch (or into one) would break the block (SPEC §7.1).
                        r.note(
                            "warning",
                            "message-flow",
                            f"message flow '{mf.get('id')}' from '{s}' to '{t}' crosses the boundary of a "
                            "parallel branch: not kept (a flow out of a branch would break its block)",
                            mf,
                        )
                        continue
                    nexts[s].append((t, label))
        self.chain_black_boxes(bb_steps, nexts)

    def branches(self, nexts: dict[str, list[tuple[str, str | None]]]) -> dict[str, frozenset[tuple[str, int]]]:
        """The parallel branches (fork step, branch index) each step lies in, along sequence flows to the joins."""
        found: dict[str, set[tuple[str, int]]] = {}
        for fork_step, items in self.forks.items():
            for targets, _, _ in items:
                for i, first in enumerate(targets):
                    seen = {first}
                    queue = deque([first])
                    while queue:
                        u = queue.popleft()
                        found.setdefault(u, set()).add((fork_step, i))
                        for v, _ in nexts.get(u, []):
                            if v not in seen and v not in self.join_steps and v != fork_step:
                                seen.add(v)
                                queue.append(v)
        return {k: frozenset(v) for k, v in found.items()}

    def message_name(self, mf: _Element) -> str:
        message = self.r.by_id.get(mf.get("messageRef") or "")
        return clean(message.get("name")) if message is not None else ""

    def message_label(self, mf: _Element) -> str:
        """``message: NAME``: the flow's name, its message's, else the name of the event or task it joins."""
        name = clean(mf.get("name")) or self.message_name(mf)
        if not name:
            ends = [self.nodes.get(mf.get("targetRef") or ""), self.nodes.get(mf.get("sourceRef") or "")]
            events = [n for n in ends if n is not None and n.tag in EVENT_TAGS and clean(n.el.get("name"))]
            named = events or [n for n in ends if n is not None and clean(n.el.get("name"))]
            name = clean(named[0].el.get("name")) if named else ""
        return f"message: {name}" if name else "message"

    def pool_of_ref(self, ref: str | None) -> Any:
        if ref in self.pool_by_key:
            return self.pool_by_key[ref]
        node = self.nodes.get(ref or "")
        return self.pool_by_key.get(node.pool) if node is not None else None

    def resolve(self, ref: str | None, role: str, nexts: dict[str, list[tuple[str, str | None]]]) -> list[str]:
        """The steps a message flow's end stands for."""
        if ref in self.steps:
            return [ref]
        node = self.nodes.get(ref or "")
        if node is not None:
            if role == "target":
                found: list[Hop] = []
                self.arrive(ref, ref, (), found, set())
                return _unique(h.step for h in found if h.step)
            via = self.passes.get(f"leave:{ref}", set()) | self.passes.get(ref or "", set())
            return sorted((s for s in via if s in self.step_index), key=self.step_index.__getitem__)
        pool = self.pool_by_key.get(ref or "")
        if pool is None:
            return []
        mine = self.pool_steps.get(pool.key, [])
        if role == "target":
            return self.pool_starts(pool.key)[:1] or mine[:1]
        return [s for s in mine if not nexts[s]] or mine[-1:]

    def lane_pool(self, step: str) -> str:
        lane = self.nodes[step].lane if step in self.nodes else self.extra_lane.get(step, "")
        return self.r.lanes[lane].pool if lane in self.r.lanes else ""

    def top_starts(self, pool: str) -> list[Node]:
        """The pool's top-level start events, indexed once (a model with thousands of pools stays linear)."""
        if not hasattr(self, "_top_starts"):
            self._top_starts: dict[str, list[Node]] = {}
            for n in self.nodes.values():
                if n.parent is None and n.tag == "startEvent":
                    self._top_starts.setdefault(n.pool, []).append(n)
        return self._top_starts.get(pool, [])

    def pool_starts(self, pool: str) -> list[str]:
        """First steps after the pool's top-level start events (none-triggered ones first)."""
        if pool in self._pool_starts:
            return self._pool_starts[pool]
        starts = sorted(self.top_starts(pool), key=lambda n: n.event_kind is not None)
        found: list[str] = []
        for start in starts:
            if start.step:
                found.append(start.id)
                continue
            hops: list[Hop] = []
            self.arrive(start.id, start.id, (), hops, set())
            found.extend(h.step for h in hops if h.step)
        self._pool_starts[pool] = _unique(found)
        return self._pool_starts[pool]

    def chain_black_boxes(
        self, bb: dict[str, list[tuple[str, str]]], nexts: dict[str, list[tuple[str, str | None]]]
    ) -> None:
        """A pool with no process: its exchanges, one step each, chained in the order of their counterparts."""
        if not bb:
            return
        rank: dict[str, int] = {}
        queue: deque[str] = deque()
        for pool in self.r.pools:
            for s in self.pool_starts(pool.key):
                if s not in rank:
                    rank[s] = len(rank)
                    queue.append(s)
        while queue:
            u = queue.popleft()
            for v, _ in nexts.get(u, []):
                if v not in rank:
                    rank[v] = len(rank)
                    queue.append(v)
        partners: dict[str, list[str]] = {}
        for s, t in self.exchanges:
            partners.setdefault(s, []).append(t)
            partners.setdefault(t, []).append(s)
        for pool_key, items in bb.items():
            pool = self.pool_by_key[pool_key]

            def counterpart(item: tuple[str, str]) -> int:
                return min((rank.get(p, len(rank) + 1) for p in partners.get(item[0], [])), default=len(rank) + 1)

            ordered = sorted(items, key=counterpart)
            pool.black_box_steps = [key for key, _ in ordered]
            for (a, _), (b, _) in itertools.pairwise(ordered):
                nexts[a].insert(0, (b, None))
            if len(ordered) > 1:
                self.r.note(
                    "info",
                    "black-box-pool",
                    f"pool '{pool.name}' has no process of its own: its {len(ordered)} message exchanges became "
                    "steps, in the order of the steps they exchange with",
                )

    # ------------------------------------------------------------------ building the data

    def build(self, nexts: dict[str, list[tuple[str, str | None]]]) -> Imported:
        r = self.r
        order = [n for n in self.steps] + [k for k in nexts if k not in self.steps]
        if not order:
            raise UsageError(
                f"{r.path}: nothing to import: the model's pools hold no task, sub-process or event procmap keeps "
                "as a step (a procmap process needs at least one step)"
            )
        # lanes: ids and names
        lane_slugs = Slugs()
        lane_ids: dict[str, str] = {}
        name_count: dict[str, int] = {}
        for pool in r.pools:
            for lane in pool.lanes:
                name_count[lane.name] = name_count.get(lane.name, 0) + 1
        lane_names: dict[str, str] = {}
        for pool in r.pools:
            for lane in pool.lanes:
                name = lane.name
                if lane.procmap_id is None and name_count[name] > 1 and name != pool.name:
                    name = f"{pool.name} / {name}"
                lane_names[lane.key] = name
                lane_ids[lane.key] = lane_slugs.make(name, lane.key, lane.procmap_id)
        step_lane = {s: (self.nodes[s].lane if s in self.nodes else self.extra_lane[s]) or "" for s in order}
        # kinds
        fixed = self.fixed_kinds(lane_ids, lane_names)
        steps_of_lane: dict[str, list[str]] = {}
        for s in order:
            steps_of_lane.setdefault(step_lane[s], []).append(s)
        lane_facts = [
            LaneFacts(
                lane.key,
                lane_names[lane.key],
                pool.key,
                fixed.get(lane.key),
                steps=steps_of_lane.get(lane.key, []),
            )
            for pool in r.pools
            for lane in pool.lanes
        ]
        contacts: dict[str, set[str]] = {}
        for u, targets in nexts.items():
            for v, _ in targets:
                contacts.setdefault(u, set()).add(v)
                contacts.setdefault(v, set()).add(u)
        pool_facts = []
        partners: dict[str, set[str]] = {p.key: set() for p in r.pools}
        for s, t in self.exchanges:
            ps, pt = self.lane_pool(s), self.lane_pool(t)
            if ps and pt and ps != pt:
                partners[ps].add(pt)
                partners[pt].add(ps)
        steps_of_pool: dict[str, int] = {}
        for s in self.steps:
            # A pool's size is its activities: events kept as steps (a message start, a milestone) do not make
            # a pool the organisation's main one.
            if self.nodes[s].tag not in EVENT_TAGS:
                steps_of_pool[self.nodes[s].pool] = steps_of_pool.get(self.nodes[s].pool, 0) + 1
        for pool in r.pools:
            starts = self.top_starts(pool.key)
            pool_facts.append(
                PoolFacts(
                    pool.key,
                    pool.name,
                    pool.index,
                    steps_of_pool.get(pool.key, 0),
                    len(pool.lanes),
                    pool.process is None,
                    bool(starts) and all(n.event_kind == "message" for n in starts),
                    partners[pool.key],
                )
            )
        fixed_steps = {s for s in self.steps if self.nodes[s].pm_id is not None}
        decision = decide(pool_facts, lane_facts, contacts, step_lane, fixed_steps)
        for severity, message in decision.notes:
            r.note(severity, "customer" if severity == "info" else "no-customer", message)

        order, pool_order = self.reading_order(order, nexts, decision, pool_facts)
        step_slugs = Slugs()
        ids: dict[str, str] = {}
        for s in order:
            node = self.nodes.get(s)
            ids[s] = step_slugs.make(self.step_name(s), s.split("#")[0], node.pm_id if node is not None else None)

        start = self.choose_start(order, nexts, decision, pool_facts)
        reached = self.reach(start, nexts)
        comments: dict[str, str] = {}
        for s in order:
            node = self.nodes.get(s)
            if node is not None and node.pm_id is None:
                comments[ids[s]] = f"from {r.local(node.el)} '{s}'"
            elif node is None:
                comments[ids[s]] = (
                    "end of a branch" if s.endswith("#end") else "message exchange of a pool without a process"
                )
        self.report_unreached(order, reached, start, ids, comments)

        steps_out: list[dict[str, Any]] = []
        kinds = decision.kinds
        for s in order:
            steps_out.append(
                self.step_data(s, ids, lane_ids, kinds, step_lane, nexts, decision.onstage_steps, lane_names)
            )
        lanes_out = []
        for pool in pool_order:
            for lane in pool.lanes:
                entry: dict[str, Any] = {
                    "id": lane_ids[lane.key],
                    "name": lane_names[lane.key],
                    "kind": kinds[lane.key],
                }
                if lane.description:
                    entry["description"] = lane.description
                lanes_out.append(entry)
        process = self.process_info(ids[start] if start else ids[order[0]])
        data: dict[str, Any] = {"version": 1, "process": process, "lanes": lanes_out, "steps": steps_out}
        if self.forks:
            data["_forks"] = True  # read (and removed) by import_bpmn: check the block structure
        header = self.header(lane_names, kinds)
        return Imported(data, r.notes, header, comments)

    def reading_order(
        self,
        order: list[str],
        nexts: dict[str, list[tuple[str, str | None]]],
        decision: Any,
        pools: list[PoolFacts],
    ) -> tuple[list[str], list[Any]]:
        """Steps and pools in the order a reader follows them: the customer's pool first, each pool in flow order.

        A file procmap exported keeps its own order exactly (that is its
        file order); other tools write elements in whatever order they were
        drawn, which reads badly.
        """
        r = self.r
        if all(s in self.nodes and self.nodes[s].pm_id is not None for s in order):
            return order, list(r.pools)
        rest = [p for p in pools if p.key != decision.customer_pool]
        main = max(rest, key=lambda p: (p.steps, p.lanes, -p.index)) if rest else None
        rank_pool = {
            p.key: (0 if p.key == decision.customer_pool else 1 if main and p.key == main.key else 2, p.index)
            for p in pools
        }
        pool_order = sorted(r.pools, key=lambda p: rank_pool[p.key])
        position = {s: i for i, s in enumerate(order)}
        flow_rank: dict[str, int] = {}
        for pool in pool_order:
            queue = deque(s for s in [*self.pool_starts(pool.key), *pool.black_box_steps] if s in position)
            for s in queue:
                flow_rank.setdefault(s, len(flow_rank))
            while queue:
                u = queue.popleft()
                for v, _ in nexts.get(u, []):
                    if v not in flow_rank and self.lane_pool(v) == pool.key:
                        flow_rank[v] = len(flow_rank)
                        queue.append(v)
        ordered = sorted(
            order,
            key=lambda s: (rank_pool.get(self.lane_pool(s), (3, 0)), flow_rank.get(s, len(order) + position[s])),
        )
        return ordered, pool_order

    def fixed_kinds(self, lane_ids: dict[str, str], lane_names: dict[str, str]) -> dict[str, str]:
        r = self.r
        fixed = {lane.key: lane.procmap_kind for lane in r.lanes.values() if lane.procmap_kind}
        for given, kind in r.user_kinds.items():
            if kind not in LANE_KINDS:
                raise UsageError(f"--kind {given}={kind}: the kind must be one of {', '.join(LANE_KINDS)}")
            want = clean(given).casefold()
            matched = [
                lane.key
                for lane in r.lanes.values()
                if want
                in {
                    lane_ids[lane.key].casefold(),
                    lane_names[lane.key].casefold(),
                    lane.name.casefold(),
                    lane.key.casefold(),
                }
            ]
            if not matched:
                matched = [
                    lane.key
                    for pool in r.pools
                    if want in {pool.name.casefold(), pool.key.casefold()}
                    for lane in pool.lanes
                ]
            if not matched:
                import difflib

                choices = sorted({lane_names[k] for k in r.lanes} | {p.name for p in r.pools})
                close = difflib.get_close_matches(clean(given), choices, n=1)
                raise UsageError(
                    f"--kind {given}={kind}: no lane or pool is called '{given}'"
                    + (f" (did you mean '{close[0]}'?)" if close else "")
                    + f"; lanes: {', '.join(repr(lane_names[k]) for k in r.lanes)}"
                )
            for key in matched:
                fixed[key] = kind
        return fixed

    def step_name(self, s: str) -> str:
        """A step's name (asked for its id, then for its data: worked out once)."""
        name = self._names.get(s)
        if name is None:
            name = self._names[s] = self._step_name(s)
        return name

    def _step_name(self, s: str) -> str:
        if s in self.extra_names:
            return self.extra_names[s]
        node = self.nodes[s]
        el = node.el
        if node.pm_id is not None:
            own = self.r.pm(el, "name")
            if own is not None:
                return own  # a blank name procmap's export replaced for BPMN tools
            if el.get("name") is not None:
                return el.get("name")  # type: ignore[return-value]
        name = clean(el.get("name"))
        if name:
            return name
        if node.tag in TAG_NAMES:
            return TAG_NAMES[node.tag]
        if node.event_kind == "message":
            message = self.message_of_event(node)
            verb = "Receive" if node.tag in ("startEvent", "intermediateCatchEvent", "boundaryEvent") else "Send"
            return f"{verb} {message}" if message else f"{verb} message"
        if node.event_kind == "timer":
            return f"Wait {self.durations[s]}" if s in self.durations else "Wait"
        catching = node.tag in ("startEvent", "intermediateCatchEvent", "boundaryEvent")
        kind = node.event_kind
        if kind in ("signal", "escalation", "error"):
            ref = {"signal": "signalRef", "escalation": "escalationRef", "error": "errorRef"}[kind]
            definition = self.r.event_definition(node.el)
            target = self.r.by_id.get(definition.get(ref) or "") if definition is not None else None
            what = clean(target.get("name")) if target is not None else ""
            verb = {
                "signal": ("Signal", "Signal"),
                "escalation": ("Escalation", "Escalate"),
                "error": ("Error", "Error"),
            }
            noun = verb[kind][0 if catching else 1]
            return f"{noun} {what}" if what else (f"{noun} received" if catching else noun)
        if kind == "conditional":
            definition = self.r.event_definition(node.el)
            condition = definition.find(self.r.q("condition")) if definition is not None else None
            text = clean(condition.text if condition is not None else "")
            return f"Wait until {shorten(text, 50)}" if text else "Wait until condition"
        if kind == "compensate":
            return "Compensate"
        if node.tag == "parallelGateway":
            return "Start branches" if len(self.r.out.get(s, [])) > 1 else "Branches done"
        if node.tag.endswith("Gateway"):
            return "Choose"
        return "End" if node.tag == "endEvent" else "Event"

    def message_of_event(self, node: Node) -> str:
        definition = self.r.event_definition(node.el, "message")
        ref = definition.get("messageRef") if definition is not None else None
        message = self.r.by_id.get(ref or "")
        if message is not None and clean(message.get("name")):
            return clean(message.get("name"))
        for mf in self.r.message_flows:
            if node.id in (mf.get("sourceRef"), mf.get("targetRef")):
                return clean(mf.get("name")) or self.message_name(mf)
        return ""

    def choose_start(
        self, order: list[str], nexts: dict[str, list[tuple[str, str | None]]], decision: Any, pools: list[PoolFacts]
    ) -> str | None:
        r = self.r
        saved = r.pm(next((p.process for p in r.pools if p.process is not None), None), "start")
        if saved:
            for s in order:
                if s in self.nodes and self.nodes[s].pm_id == saved:
                    return s
        # Candidates in order of preference: the customer's own start (a
        # journey begins with the customer), a black-box customer's first
        # message, then each pool's starts, biggest pool first.  The one from
        # which the most steps can be reached wins; ties keep that order.
        candidates: list[str] = []
        cust = next((p for p in r.pools if p.key == decision.customer_pool), None)
        if cust is not None and cust.process is not None:
            candidates.extend(self.pool_starts(cust.key))
        if cust is not None and cust.black_box_steps and cust.black_box_steps[0].endswith("#source"):
            candidates.append(cust.black_box_steps[0])
        rest = sorted(
            (p for p in pools if p.key != decision.customer_pool), key=lambda p: (-p.steps, -p.lanes, p.index)
        )
        for facts in rest:
            candidates.extend(self.pool_starts(facts.key))
        candidates.extend(order[:1])
        best: str | None = None
        best_reach = -1
        covered: set[str] = set()
        for candidate in _unique(candidates):
            if candidate in covered:
                continue  # reached from an earlier candidate, so it cannot reach more: that one keeps the tie
            reached = self.reach(candidate, nexts)
            covered |= reached
            if len(reached) > best_reach:
                best, best_reach = candidate, len(reached)
            if len(reached) == len(order):
                break
        return best

    def reach(self, start: str | None, nexts: dict[str, list[tuple[str, str | None]]]) -> set[str]:
        if start is None:
            return set()
        seen = {start}
        queue = deque([start])
        while queue:
            for v, _ in nexts.get(queue.popleft(), []):
                if v not in seen:
                    seen.add(v)
                    queue.append(v)
        return seen

    def report_unreached(
        self, order: list[str], reached: set[str], start: str | None, ids: dict[str, str], comments: dict[str, str]
    ) -> None:
        r = self.r
        missing = [s for s in order if s not in reached]
        start_events = [n for n in self.nodes.values() if n.parent is None and n.tag == "startEvent" and not n.step]
        chosen_from = {n.id for n in start_events if start is not None and start in self.pool_starts_from(n)}
        for event in start_events:
            if event.id in chosen_from:
                continue
            after = self.pool_starts_from(event)
            if after and all(s in reached for s in after):
                continue  # its path is also reached from the start: nothing is cut off
            first = [ids[s] for s in after if s in ids]
            r.note(
                "warning",
                "extra-start",
                f"{r.label_of(event.el)} is another way into the process; procmap has one start "
                f"('{ids[start] if start else '?'}')"
                + (f": the path from it begins at {', '.join(repr(f) for f in first)}" if first else ""),
                event.el,
            )
        if missing:
            for s in missing:
                comments[ids[s]] = (comments.get(ids[s], "") + "  # " if ids[s] in comments else "") + (
                    "procmap: ignore[unreachable-step]"
                )
            r.note(
                "warning",
                "unreachable",
                f"{len(missing)} step(s) cannot be reached from the start step '{ids[start] if start else '?'}' "
                f"by sequence or message flows: {', '.join(repr(ids[s]) for s in missing[:8])}"
                + (" …" if len(missing) > 8 else "")
                + "; kept, each marked `# procmap: ignore[unreachable-step]`",
            )

    def pool_starts_from(self, event: Node) -> list[str]:
        hops: list[Hop] = []
        self.arrive(event.id, event.id, (), hops, set())
        return _unique(h.step for h in hops if h.step)

    def step_data(
        self,
        s: str,
        ids: dict[str, str],
        lane_ids: dict[str, str],
        kinds: dict[str, str],
        step_lane: dict[str, str],
        nexts: dict[str, list[tuple[str, str | None]]],
        onstage: set[str],
        lane_names: dict[str, str],
    ) -> dict[str, Any]:
        r = self.r
        node = self.nodes.get(s)
        el = node.el if node is not None else None
        pm = None
        if node is not None and node.pm_id is not None:  # a file procmap exported: its own attributes
            # All of the element's attributes in one call: a dozen namespaced `get`s cost twice as much.
            get, ns = dict(node.el.items()).get, f"{{{PROCMAP}}}"
            pm = lambda key: get(ns + key)  # noqa: E731
        out: dict[str, Any] = {"id": ids[s], "name": self.step_name(s), "lane": lane_ids[step_lane[s]]}
        if el is not None:
            doc = r.documentation(el)
            if doc:
                out["description"] = doc
        if pm is not None:
            for key, attr in (
                ("channel", "channel"),
                ("visibility", "visibilityOverride"),
                ("owner", "owner"),
                ("backup", "backup"),
                ("duration", "duration"),
                ("sla", "sla"),
                ("sla_from", "slaFrom"),
                ("evidence", "evidence"),
                ("stage", "stage"),
            ):
                value = pm(attr)
                if value is not None:
                    out[key] = value
            data_classes = pm("data")
            if data_classes:
                out["data"] = data_classes.split()
            if pm("failPoint") == "true":
                out["fail_point"] = True
            contact = pm("contact")
            if contact not in (None, "interaction"):
                out["contact"] = contact  # update, chase
        else:
            if s in onstage:
                out["visibility"] = "onstage"
            owner = self.owner_of(el) if el is not None else None
            if owner is None and kinds[step_lane[s]] != "customer":
                owner = lane_names[step_lane[s]]
            if owner:
                out["owner"] = owner
            if s in self.durations and node is not None and node.step:
                out["duration"] = self.durations[s]
            data = self.data_of(el) if el is not None else []
            if data:
                out["data"] = data
        if s in self.join_steps:
            out["join"] = "all"
        flows: list[Any] = []
        placed: dict[str, int] = {}
        # A fork's targets follow one another in nexts (see run): the first makes the `all` item, the rest skip.
        pending = [list(targets) for targets, _, _ in self.forks.get(s, [])]
        fork_items = list(self.forks.get(s, []))
        for target, label in nexts.get(s, []):
            if pending and target == pending[0][0]:
                targets, fork_label, fork_share = fork_items[0]
                if len(pending[0]) == len(targets):
                    item: dict[str, Any] = {"all": [ids[t] for t in targets]}
                    if fork_label:
                        item["when"] = fork_label
                    if fork_share is not None:
                        item["share"] = fork_share
                    flows.append(item)
                pending[0].pop(0)
                if not pending[0]:
                    pending.pop(0)
                    fork_items.pop(0)
                continue
            if target not in ids:
                continue
            if ids[target] in placed:
                existing = flows[placed[ids[target]]]
                if label and isinstance(existing, dict) and existing.get("when") and label not in existing["when"]:
                    existing["when"] = f"{existing['when']} or {label}"
                elif label and isinstance(existing, str):
                    flows[placed[ids[target]]] = {"to": existing, "when": label}
                continue
            placed[ids[target]] = len(flows)
            flow: dict[str, Any] = {"to": ids[target]}
            if label:
                flow["when"] = label
            if (s, target) in self.shares:
                flow["share"] = self.shares[s, target]
            if pm is not None and (ids[s], ids[target]) in self.planned_pairs:
                flow["planned"] = True
            flows.append(flow if len(flow) > 1 else ids[target])
        if flows:
            out["next"] = flows
        return out

    def owner_of(self, el: _Element) -> str | None:
        r = self.r
        for tag in ("potentialOwner", "humanPerformer", "performer"):
            role = el.find(r.q(tag))
            if role is None:
                continue
            ref = role.find(r.q("resourceRef"))
            resource = r.by_id.get(clean(ref.text)) if ref is not None else None
            if resource is not None and clean(resource.get("name")):
                return clean(resource.get("name"))
            expr = role.find(f"{r.q('resourceAssignmentExpression')}/{r.q('formalExpression')}")
            if expr is not None and clean(expr.text):
                return clean(expr.text)
            if clean(role.get("name")):
                return clean(role.get("name"))
        return None

    def data_of(self, el: _Element) -> list[str]:
        r = self.r
        found: list[str] = []
        for assoc in [*el.findall(r.q("dataInputAssociation")), *el.findall(r.q("dataOutputAssociation"))]:
            for part in ("sourceRef", "targetRef"):
                for ref in assoc.findall(r.q(part)):
                    item = r.by_id.get(clean(ref.text))
                    if item is None or r.local(item) not in (
                        "dataObjectReference",
                        "dataStoreReference",
                        "dataObject",
                        "dataStore",
                    ):
                        continue
                    name = clean(item.get("name"))
                    if not name and item.get("dataObjectRef"):
                        target = r.by_id.get(item.get("dataObjectRef"))
                        name = clean(target.get("name")) if target is not None else ""
                    slug = slugify(name, item.get("id") or "data")
                    if slug not in found:
                        found.append(slug)
        return found

    def process_info(self, start: str) -> dict[str, Any]:
        r = self.r
        exported = next((p.process for p in r.pools if p.process is not None and r.pm(p.process, "id")), None)
        if exported is not None:
            info: dict[str, Any] = {
                "id": r.pm(exported, "id"),
                "name": r.pm(exported, "name") or exported.get("name") or r.pools[0].name,
            }
            doc = r.documentation(exported)
            if doc:
                info["description"] = doc
            if r.pm(exported, "owner"):
                info["owner"] = r.pm(exported, "owner")
            info["start"] = start
            return info
        collab = r.root.find(r.q("collaboration"))
        name = clean(r.root.get("name")) or (clean(collab.get("name")) if collab is not None else "")
        if not name:
            name = r.pools[0].name if len(r.pools) == 1 else " / ".join(p.name for p in r.pools)
        info = {"id": slugify(name, r.root.get("id") or "imported")}
        info["name"] = name
        doc = r.documentation(r.root) or (r.documentation(collab) if collab is not None else None)
        if doc:
            info["description"] = doc
        info["start"] = start
        return info

    def header(self, lane_names: dict[str, str], kinds: dict[str, str]) -> list[str]:
        r = self.r
        import os

        exporter = clean(r.root.get("exporter"))
        version = clean(r.root.get("exporterVersion"))
        source = os.path.basename(r.path) if r.path != "-" else "standard input"
        lines = [
            f"Imported from {source} by procmap import (BPMN 2.0"
            + (f", made with {exporter}{' ' + version if version else ''}" if exporter else "")
            + ").",
            "Pools: "
            + "; ".join(
                f"{p.name} ({', '.join(f'{lane_names[lane.key]}: {kinds[lane.key]}' for lane in p.lanes)})"
                for p in r.pools
            ),
        ]
        lost = sum(1 for n in r.notes if n.severity == "warning")
        if lost:
            lines.append(f"{lost} BPMN construct(s) were simplified or left out: see the report of `procmap import`.")
        return lines


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))
