"""Reading a BPMN 2.0 model as a procmap process (`procmap import`).

A BPMN collaboration already holds a service blueprint: pools and lanes are
the parties, message flows between a customer pool and the company are the
line of interaction.  This module maps one onto the other (the full table is
in docs/import.md):

* every innermost lane becomes a lane (a pool without lanes: one lane named
  after the pool); kinds are decided by :mod:`procmap.interchange.bpmn_kinds`;
* every task, call activity and collapsed sub-process becomes a step;
  expanded sub-processes are flattened into their parent; events that end a
  message flow become steps so the exchange is kept;
* gateways and the other events are folded away: each step flows to the
  steps its paths reach, the branch label (``when``) built from the flow's
  name, else its condition, else ``otherwise`` for a default flow, prefixed
  by the gateway's name;
* message flows become flows labelled ``message: NAME``;
* what procmap cannot hold is listed in :attr:`Imported.notes`, one item each.

The XML is parsed from bytes with entity resolution, DTD loading and network
access off and libxml2's depth and size limits on, so a hostile file costs a
one-line error, never memory or time.  Elements procmap itself exported carry
``procmap:*`` attributes; those are read back exactly, so an exported process
round-trips without guessing.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procmap.diagnostics import UsageError

if TYPE_CHECKING:
    from lxml.etree import _Element

BPMN_NAMESPACES = ("http://www.omg.org/spec/BPMN/20100524/MODEL", "http://schema.omg.org/spec/BPMN/2.0")
PROCMAP = "https://procmap.dev/schema/bpmn-extension/v1"
_PM_ID, _PM_FROM, _PM_TO, _PM_SHARE, _PM_PLANNED = (
    f"{{{PROCMAP}}}{name}" for name in ("id", "from", "to", "share", "planned")
)
LANE_KINDS = ("customer", "onstage", "backstage", "support")

TASKS = frozenset(
    "task userTask manualTask serviceTask sendTask receiveTask scriptTask businessRuleTask callActivity".split()
)
SUBPROCESSES = frozenset(("subProcess", "transaction", "adHocSubProcess"))
GATEWAYS = frozenset(("exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"))
EVENTS = frozenset(
    (
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "implicitThrowEvent",
    )
)
THROWING = frozenset(("endEvent", "intermediateThrowEvent", "implicitThrowEvent"))
DEFINITIONS = (
    "messageEventDefinition timerEventDefinition errorEventDefinition escalationEventDefinition "
    "signalEventDefinition conditionalEventDefinition compensateEventDefinition cancelEventDefinition "
    "linkEventDefinition terminateEventDefinition"
).split()
SLUG_MAX = 60

# What becomes of every element the BPMN 2.0 schema (Semantic.xsd) allows inside a process or sub-process:
# the flow elements and artifacts, and the process's own parts.  Nothing is dropped without a word: an element
# is mapped (docs/import.md, "What becomes what"), reported on its own line, or one of the execution details
# listed as "ignored" there.  tests/test_hostile_round3_import.py walks the schema against this table.
PROCESS_CONTENT: dict[str, str] = {
    **{tag: "step" for tag in TASKS},
    **{tag: "step or flattened" for tag in SUBPROCESSES},
    **{tag: "folded into labelled flows" for tag in GATEWAYS},
    **{tag: "step, folded, joined or a branch label (see event_is_step)" for tag in EVENTS},
    "sequenceFlow": "flow",
    "laneSet": "lanes",
    "documentation": "description",
    "dataObject": "data (through the associations of the steps)",
    "dataObjectReference": "data (through the associations of the steps)",
    "dataStoreReference": "data, and reported (data-store)",
    "textAnnotation": "reported (annotation)",
    "group": "reported (group)",
    "association": "ignored: it only links an annotation (reported) or a compensation handler",
    "event": "reported (unknown-element): the abstract event has no type",
    "callChoreography": "reported (choreography)",
    "choreographyTask": "reported (choreography)",
    "subChoreography": "reported (choreography)",
    "performer": "reported (performer) on a process or expanded sub-process; a step's owner",
    "humanPerformer": "reported (performer) on a process or expanded sub-process; a step's owner",
    "potentialOwner": "reported (performer) on a process or expanded sub-process; a step's owner",
    "resourceRole": "reported (performer) on a process or expanded sub-process; a step's owner",
    **{
        tag: "ignored: an execution detail"
        for tag in (
            "extensionElements auditing monitoring property correlationSubscription supports ioSpecification "
            "ioBinding supportedInterfaceRef incoming outgoing categoryValueRef completionCondition"
        ).split()
    },
    **{
        tag: "the activity's own attribute (data, owner, multi-instance/loop report)"
        for tag in "dataInputAssociation dataOutputAssociation standardLoopCharacteristics "
        "multiInstanceLoopCharacteristics".split()
    },
}
QUIET = frozenset(
    tag for tag, how in PROCESS_CONTENT.items() if how.startswith(("ignored", "the activity's", "data ("))
) | {"laneSet", "documentation"}


@dataclass
class Note:
    """One line of the import report: something simplified, guessed or left out."""

    severity: str  # "warning": a construct procmap cannot hold (fails --strict); "info": how a choice was made
    code: str
    message: str
    line: int | None = None

    def render(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.severity} [{self.code}] {self.message}"


@dataclass
class Imported:
    """The process as plain data, ready to write, plus what the import had to say about it."""

    data: dict[str, Any]
    notes: list[Note]
    header: list[str]
    step_comments: dict[str, str]

    @property
    def lost(self) -> list[Note]:
        return [n for n in self.notes if n.severity == "warning"]


# --------------------------------------------------------------------------- reading


def read_bytes(path: str, max_size: int) -> bytes:
    """The model file's bytes; missing, special or oversized files are usage errors (exit 2)."""
    if path == "-":
        data = sys.stdin.buffer.read(max_size + 1)
    else:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise UsageError(f"{path}: no such file or directory") from None
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"{path}: is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"{path}: not a regular file; pipe it to '-' instead")
        if st.st_size > max_size:
            raise UsageError(
                f"{path}: file is {st.st_size:,} bytes, over the {max_size:,}-byte limit (raise it with --max-file-size)"
            )
        try:
            with open(path, "rb") as fh:
                data = fh.read(max_size + 1)
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_size:
        raise UsageError(f"{path}: input is over the {max_size:,}-byte limit (raise it with --max-file-size)")
    return data


def parse(data: bytes, path: str) -> _Element:
    """The ``definitions`` element, or a one-line :class:`UsageError` for anything else."""
    from lxml import etree

    if not data or data.isspace():  # (no stripped copy of a big file)
        raise UsageError(f"{path}: empty file, not a BPMN model")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (0, 0)
        message = " ".join(str(exc.msg or exc).split())
        message = re.sub(r",? line \d+, column \d+$", "", message)
        raise UsageError(f"{path}:{line}:{col}: not well-formed XML: {message}") from None
    except (ValueError, MemoryError) as exc:
        raise UsageError(f"{path}: cannot parse as XML: {exc}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UsageError(
            f"{path}: refusing a document type declaration (DTD): BPMN files have none, and entities in one "
            "are how XML bombs and external-entity attacks work"
        )
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.namespace not in BPMN_NAMESPACES or qname.localname != "definitions":
        found = f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname
        raise UsageError(
            f"{path}:{root.sourceline or 1}: not a BPMN 2.0 model: the root element is <{found}>, "
            f"expected <definitions> in namespace {BPMN_NAMESPACES[0]}"
        )
    return root


# --------------------------------------------------------------------------- the model as read


@dataclass
class Pool:
    key: str
    name: str
    process: _Element | None
    index: int
    lanes: list[LaneIn] = field(default_factory=list)
    black_box_steps: list[str] = field(default_factory=list)


@dataclass
class LaneIn:
    key: str
    name: str
    pool: str
    element: _Element | None
    procmap_id: str | None = None
    procmap_kind: str | None = None
    description: str | None = None


@dataclass
class Node:
    id: str
    tag: str
    el: _Element
    pool: str
    parent: str | None  # the expanded sub-process it sits in
    lane: str | None = None
    step: bool = False
    expanded: bool = False
    event_kind: str | None = None  # "message", "timer", "error", … (first definition)
    pm_id: str | None = None  # procmap's own id (a file procmap exported), read once: the mapping asks often


@dataclass
class SeqFlow:
    id: str
    source: str
    target: str
    el: _Element
    index: int
    # procmap's own attributes of the flow (a file procmap exported), read once: every path through the flow
    # asks for them, and an lxml attribute read with a namespace costs about a microsecond.
    pm_from: str | None = None
    pm_to: str | None = None
    pm_share: str | None = None
    pm_planned: str | None = None


@dataclass
class Target:
    step: str | None  # a step id (node id), or None for the end of the process
    end: str | None  # the end event's node id when step is None
    label: str | None


class Reader:
    """One import: the BPMN tree walked once into nodes, flows and lanes, then mapped."""

    def __init__(self, root: _Element, path: str, *, kinds: dict[str, str], process: str | None) -> None:
        from lxml import etree

        self.etree = etree
        self.root = root
        self.path = path
        self.ns = etree.QName(root).namespace
        self._prefix = f"{{{self.ns}}}"
        self._cut = len(self._prefix)
        self._documentation = self.q("documentation")
        self.user_kinds = kinds
        self.selected = process
        self.notes: list[Note] = []
        self.by_id: dict[str, _Element] = {}
        # Elements whose id an earlier element already has: invalid BPMN; the first keeps the id, each later
        # one is named in a warning and not imported (two lanes or tasks under one id would merge silently).
        self.shadowed: set[_Element] = set()
        duplicates: list[tuple[_Element, _Element]] = []
        diagram = self.q("BPMNDiagram").replace(self.ns, "http://www.omg.org/spec/BPMN/20100524/DI")
        for child in root:
            if child.tag == diagram:
                continue  # the layout: procmap never reads it, and it is half of a big file
            for el in child.iter():
                ident = el.get("id")
                if ident is None or not isinstance(el.tag, str):
                    continue
                first = self.by_id.setdefault(ident, el)
                if first is not el and el.tag.startswith("{" + self.ns + "}"):
                    self.shadowed.add(el)
                    duplicates.append((el, first))
        # Most models are not procmap's: procmap's export declares its namespace on <definitions>, so when
        # neither it nor a top-level element declares it, the many look-ups of procmap:* attributes are skipped.
        self.has_pm = PROCMAP in root.nsmap.values() or any(
            PROCMAP in child.nsmap.values() for child in root if isinstance(child.tag, str)
        )
        self._pm_names: dict[str, str] = {}
        self.pools: list[Pool] = []
        self.lanes: dict[str, LaneIn] = {}
        self.nodes: dict[str, Node] = {}
        self.flows: list[SeqFlow] = []
        self.out: dict[str, list[SeqFlow]] = {}
        self.boundaries: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        self.message_flows: list[_Element] = []
        self.event_subprocesses: set[str] = set()
        self.data_links: dict[str, list[str]] = {}
        self.reported: set[tuple[str, str]] = set()
        self.lane_of_ref: dict[str, str] = {}
        for el, first in duplicates:
            self.note(
                "warning",
                "duplicate-id",
                f"{self.label_of(el)} has the id of the {self.local(first) or 'element'} on line {first.sourceline}; "
                "BPMN ids are unique, so this one is not imported",
                el,
            )

    # ------------------------------------------------------------------ helpers

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def local(self, el: Any) -> str | None:
        """The BPMN local name of an element's tag; None for other namespaces, comments and PIs.

        Read off the ``{namespace}local`` tag string: building an ``etree.QName``
        per element was a fifth of mapping a 5,000-task model.
        """
        tag = el.tag
        if type(tag) is not str or not tag.startswith(self._prefix):
            return None
        return tag[self._cut :]

    def note(self, severity: str, code: str, message: str, el: _Element | None = None) -> None:
        key = (code, message)
        if key in self.reported:
            return
        self.reported.add(key)
        self.notes.append(Note(severity, code, message, el.sourceline if el is not None else None))

    def pm(self, el: _Element | None, attr: str) -> str | None:
        """procmap's own attribute ``attr`` on ``el`` (a file procmap exported), else None."""
        if el is None or not self.has_pm:
            return None
        name = self._pm_names.get(attr)
        if name is None:
            name = self._pm_names[attr] = f"{{{PROCMAP}}}{attr}"
        return el.get(name)

    def label_of(self, el: _Element) -> str:
        """How a report line names an element: its type, id and name."""
        name = clean(el.get("name"))
        return f"{self.local(el) or 'element'} '{el.get('id')}'" + (f' ("{name}")' if name else "")

    def event_definition(self, el: _Element, kind: str | None = None) -> _Element | None:
        """An event's (first) definition: written inside it, or a shared one it points to with eventDefinitionRef."""
        for child in el:
            local = self.local(child)
            if local in DEFINITIONS:
                found: _Element | None = child
            elif local == "eventDefinitionRef":
                found = self.by_id.get(clean(child.text))
                if found is None or self.local(found) not in DEFINITIONS:
                    continue
            else:
                continue
            if kind is None or self.local(found) == f"{kind}EventDefinition":
                return found
        return None

    def documentation(self, el: _Element) -> str | None:
        """The element's documentation; verbatim where procmap wrote it, trimmed where another tool did."""
        docs = list(el.iterchildren(self._documentation))  # the children so tagged (findall's path costs more)
        if self.pm(el, "id") is not None:
            return "\n\n".join(doc.text or "" for doc in docs) or None
        parts = [(doc.text or "").strip("\n") for doc in docs if (doc.text or "").strip()]
        return "\n\n".join(parts) or None

    # ------------------------------------------------------------------ pools and lanes

    def select_pools(self) -> None:
        collaborations = self.root.findall(self.q("collaboration"))
        processes = self.root.findall(self.q("process"))
        # A process another process calls is that caller's detail, not a pool of its own; a process that
        # calls itself (recursion) is still a process to import.
        called = {
            el.get("calledElement")
            for process in processes
            for el in process.iter(self.q("callActivity"))
            if el.get("calledElement") != process.get("id")
        }
        referenced = {p.get("processRef") for c in collaborations for p in c.findall(self.q("participant"))}
        chosen: _Element | None = None
        only: _Element | None = None
        if self.selected:
            el = self.by_id.get(self.selected)
            if el is None:
                el = next(
                    (
                        p
                        for p in [*processes, *self.root.iter(self.q("participant"))]
                        if clean(p.get("name")) == self.selected
                    ),
                    None,
                )
            if el is None or self.local(el) not in ("collaboration", "process", "participant"):
                choices = [c.get("id") for c in collaborations] + [p.get("id") for p in processes]
                raise UsageError(
                    f"{self.path}: --process {self.selected!r} is not a collaboration, participant or process of "
                    f"this model (it has: {', '.join(str(c) for c in choices if c) or 'none'})"
                )
            if self.local(el) == "collaboration":
                chosen = el
            else:
                only = el
        elif collaborations:
            chosen = max(
                collaborations,
                key=lambda c: (len(c.findall(self.q("participant"))), -collaborations.index(c)),
            )
            if len(collaborations) > 1:
                self.note(
                    "info",
                    "collaborations",
                    f"the model holds {len(collaborations)} collaborations; imported '{chosen.get('id')}' "
                    f"(the one with the most pools); choose another with --process "
                    + ", ".join(f"'{c.get('id')}'" for c in collaborations if c is not chosen),
                    chosen,
                )
        if only is not None:
            if self.local(only) == "participant":
                self.add_pool(only.get("id"), only.get("name"), self.by_id.get(only.get("processRef") or ""))
            else:
                self.add_pool(only.get("id"), only.get("name"), only)
            return
        if chosen is not None:
            for participant in chosen.findall(self.q("participant")):
                if participant in self.shadowed:
                    continue
                process = self.by_id.get(participant.get("processRef") or "")
                if process is not None and self.local(process) != "process":
                    process = None
                self.add_pool(participant.get("id"), participant.get("name"), process)
            self.message_flows = [mf for mf in chosen.findall(self.q("messageFlow")) if mf not in self.shadowed]
        done = {p.process for p in self.pools if p.process is not None}
        for process in processes:
            if process in done or process.get("id") in referenced or process.get("id") in called:
                continue
            if chosen is not None and not process.findall(f"{self.q('laneSet')}/{self.q('lane')}"):
                touched = {mf.get("sourceRef") for mf in self.message_flows} | {
                    mf.get("targetRef") for mf in self.message_flows
                }
                ids = {el.get("id") for el in process.iter() if isinstance(el.tag, str)}
                if not touched & ids:
                    continue
            self.add_pool(process.get("id"), process.get("name"), process)
        if not self.pools and processes:
            raise UsageError(
                f"{self.path}: every process in the model is called by another one's call activity "
                f"({', '.join(repr(p.get('id')) for p in processes[:5])}{' …' if len(processes) > 5 else ''}), "
                "so none is the top level; choose one with --process ID"
            )
        if not self.pools:
            raise UsageError(f"{self.path}: the BPMN model has no process or pool to import")

    def add_pool(self, key: str | None, name: str | None, process: _Element | None) -> None:
        key = key or f"pool-{len(self.pools) + 1}"
        pool_name = clean(name) or (clean(process.get("name")) if process is not None else "") or key
        if process is not None:
            pool_name = self.pm(process, "name") or pool_name
        pool = Pool(key, pool_name, process, len(self.pools))
        self.pools.append(pool)
        if process is not None:
            for lane_set in process.findall(self.q("laneSet")):
                self.leaf_lanes(lane_set, pool)
        if not pool.lanes:
            pool.lanes.append(LaneIn(f"{key}#lane", pool.name, key, None))
            self.lanes[pool.lanes[0].key] = pool.lanes[0]

    def leaf_lanes(self, lane_set: _Element, pool: Pool) -> None:
        for lane in lane_set.findall(self.q("lane")):
            if lane in self.shadowed:
                continue
            inner = lane.findall(f"{self.q('childLaneSet')}/{self.q('lane')}")
            if inner:
                self.leaf_lanes(lane.find(self.q("childLaneSet")), pool)
                # nodes listed on the parent lane only go to its first child
                first = self.lanes[_first_leaf(lane, self)]
                for ref in lane.findall(self.q("flowNodeRef")):
                    self.lane_of_ref.setdefault((ref.text or "").strip(), first.key)
                continue
            key = lane.get("id") or f"{pool.key}#lane{len(pool.lanes) + 1}"
            name = self.pm(lane, "name") or clean(lane.get("name")) or pool.name
            entry = LaneIn(
                key,
                self.pm(lane, "name")
                if self.pm(lane, "id") and self.pm(lane, "name") is not None
                else lane.get("name")
                if self.pm(lane, "id") and lane.get("name")
                else name,
                pool.key,
                lane,
                procmap_id=self.pm(lane, "id"),
                procmap_kind=self.pm(lane, "kind") if self.pm(lane, "kind") in LANE_KINDS else None,
                description=self.documentation(lane),
            )
            pool.lanes.append(entry)
            self.lanes[key] = entry
            for ref in lane.findall(self.q("flowNodeRef")):
                self.lane_of_ref.setdefault((ref.text or "").strip(), key)

    # ------------------------------------------------------------------ flow nodes

    def walk(self, container: _Element, pool: Pool, parent: str | None) -> None:
        for el in container:
            tag = self.local(el)
            if tag is None or el in self.shadowed:
                continue
            ident = el.get("id")
            if tag == "sequenceFlow":
                if ident and el.get("sourceRef") and el.get("targetRef"):
                    flow = SeqFlow(ident, el.get("sourceRef"), el.get("targetRef"), el, len(self.flows))
                    if self.has_pm:
                        get = el.get
                        flow.pm_from, flow.pm_to = get(_PM_FROM), get(_PM_TO)
                        flow.pm_share, flow.pm_planned = get(_PM_SHARE), get(_PM_PLANNED)
                    self.flows.append(flow)
                continue
            if tag in ("textAnnotation",):
                text = clean(" ".join(t.text or "" for t in el.findall(self.q("text"))))
                self.note(
                    "warning",
                    "annotation",
                    f"text annotation '{ident}'" + (f' ("{shorten(text)}")' if text else "") + " not kept: "
                    "procmap has no annotations (put the text in a step's description)",
                    el,
                )
                continue
            if tag in ("dataStoreReference",):
                self.note(
                    "warning",
                    "data-store",
                    f"{self.label_of(el)}: procmap has no data stores; the steps that read or write it list it "
                    "under `data`",
                    el,
                )
                continue
            if tag in QUIET:
                continue
            if tag in ("group", "callChoreography", "choreographyTask", "subChoreography"):
                code = "group" if tag == "group" else "choreography"
                self.note(
                    "warning",
                    code,
                    f"{self.label_of(el)} not kept: procmap has no "
                    + (
                        "groups (name the steps it groups in their descriptions)"
                        if tag == "group"
                        else "choreographies"
                    ),
                    el,
                )
                continue
            if tag in ("performer", "humanPerformer", "potentialOwner", "resourceRole"):
                where = self.label_of(container)
                self.note(
                    "warning",
                    "performer",
                    f"{tag} of {where} not kept: procmap has owners per step only (set `owner` on its steps)",
                    el,
                )
                continue
            if not (tag in TASKS or tag in SUBPROCESSES or tag in GATEWAYS or tag in EVENTS):
                self.note(
                    "warning",
                    "unknown-element",
                    f"{self.label_of(el)} is not an element procmap knows in a process: not kept",
                    el,
                )
                continue
            if not ident:
                self.note(
                    "warning",
                    "no-id",
                    f"{tag} without an id (line {el.sourceline}) cannot be joined by flows: not kept",
                    el,
                )
                continue
            node = Node(ident, tag, el, pool.key, parent, pm_id=el.get(_PM_ID) if self.has_pm else None)
            if tag in SUBPROCESSES:
                if el.get("triggeredByEvent") == "true":
                    self.event_subprocesses.add(ident)
                    inner = [
                        c for c in el.iter() if c is not el and self.local(c) in TASKS | SUBPROCESSES and c.get("id")
                    ]
                    self.note(
                        "warning",
                        "event-subprocess",
                        f"event sub-process '{ident}'"
                        + (f' ("{clean(el.get("name"))}")' if clean(el.get("name")) else "")
                        + f" not imported ({len(inner)} activities inside): procmap has no event-triggered "
                        "handlers; model the path it takes as steps",
                        el,
                    )
                    continue
                has_inside = any(self.local(c) in TASKS | SUBPROCESSES | GATEWAYS | EVENTS for c in el)
                node.expanded = has_inside
                node.step = not has_inside
            elif tag in TASKS:
                node.step = True
            elif tag in EVENTS:
                definition = self.event_definition(el)
                node.event_kind = (
                    self.local(definition).removesuffix("EventDefinition") if definition is not None else None
                )
                if tag == "boundaryEvent" and el.get("attachedToRef"):
                    self.boundaries.setdefault(el.get("attachedToRef"), []).append(ident)
            self.nodes[ident] = node
            self.children.setdefault(parent or "", []).append(ident)
            if node.expanded:
                self.walk(el, pool, ident)

    def assign_lanes(self) -> None:
        pools = {p.key: p for p in self.pools}
        for node in self.nodes.values():
            lane = self.lane_of_ref.get(node.id)
            if lane is None and node.tag == "boundaryEvent":
                host = self.nodes.get(node.el.get("attachedToRef") or "")
                lane = host and self.lane_of_ref.get(host.id)
            parent = node.parent
            while lane is None and parent:
                lane = self.lane_of_ref.get(parent)
                parent = self.nodes[parent].parent
            if lane is None or self.lanes[lane].pool != node.pool:
                lane = pools[node.pool].lanes[0].key
            node.lane = lane
        for node in self.nodes.values():
            if node.tag == "boundaryEvent" and node.lane == pools[node.pool].lanes[0].key:
                host = self.nodes.get(node.el.get("attachedToRef") or "")
                if host is not None and host.lane:
                    node.lane = host.lane


def clean(text: str | None) -> str:
    """A BPMN name as one line: diagram line breaks and runs of spaces become one space."""
    return " ".join((text or "").split())


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_leaf(lane: _Element, reader: Reader) -> str:
    inner = lane.find(reader.q("childLaneSet"))
    while inner is not None:
        first = inner.find(reader.q("lane"))
        if first is None:
            break
        lane = first
        inner = lane.find(reader.q("childLaneSet"))
    return lane.get("id")


def slugify(text: str, fallback: str) -> str:
    """A procmap slug (``^[a-z0-9][a-z0-9_-]*$``) from a name, else from an XML id."""
    import unicodedata

    for source in (text, fallback):
        ascii_text = unicodedata.normalize("NFKD", source).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-_")
        if slug:
            return slug[:SLUG_MAX].rstrip("-_") or slug[:1]
    return "item"


class Slugs:
    """Unique slugs: the first ``pay-order``, then ``pay-order-2``…"""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.last: dict[str, int] = {}  # the last suffix tried per base: 10,000 unnamed tasks stay linear

    def make(self, text: str, fallback: str, exact: str | None = None) -> str:
        if exact and re.fullmatch(r"[a-z0-9][a-z0-9_-]*", exact) and exact not in self.used:
            self.used.add(exact)
            return exact
        base = slugify(text, fallback)
        candidate, n = base, self.last.get(base, 1)
        if n > 1:
            candidate = f"{base}-{n}"
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.last[base] = n
        self.used.add(candidate)
        return candidate
