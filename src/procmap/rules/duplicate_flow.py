"""duplicate-flow: a step with two flows to one target.

A flow graph has one edge per pair of steps, and so do BPMN, GraphML and the
diagram; a second flow to the same step would silently lose its branch label
in every output. The fix is always a merge, so the message writes the merged
flow out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from procmap.diagnostics import Severity
from procmap.rules.base import Context, Finding, Rule


def merged_flow(target: str, labels: list[str]) -> str:
    """The one flow that replaces several to ``target``, as YAML flow style.

    Labels are joined with "or" (the flow is taken when any of them holds),
    repeats dropped, order kept; the label is double-quoted so any text stays
    one YAML string.
    """
    unique = list(dict.fromkeys(labels))
    if not unique:
        return f"{{to: {target}}}"
    return f"{{to: {target}, when: {json.dumps(' or '.join(unique), ensure_ascii=False)}}}"


def check(ctx: Context) -> Iterator[Finding]:
    for i, step in enumerate(ctx.model.steps):
        by_target: dict[str, list[int]] = {}
        for j, flow in enumerate(step.next):
            if flow.to is not None:  # a fork's branch named again is unmatched-fork's to report
                by_target.setdefault(flow.to, []).append(j)
        for target, flows in by_target.items():
            if len(flows) < 2:
                continue
            labels = [w.strip() for j in flows if (w := step.next[j].when) and w.strip()]
            first_line = ctx.doc.locate(ctx.flow_loc(i, flows[0]))[0]
            if len(set(labels)) > 1:
                how = f"outputs keep one flow per pair of steps and would drop its label; merge them: {merged_flow(target, labels)}"
            elif labels and len(labels) < len(flows):
                how = f"merge them into one flow that says when it is taken: {merged_flow(target, labels)}"
            else:
                how = f"remove the repeat: {merged_flow(target, labels)} says it once"
            for j in flows[1:]:
                yield Finding(
                    ctx.flow_loc(i, j),
                    f"step '{step.id}' flows to '{target}' again (first at line {first_line}): {how}",
                )


RULE = Rule(
    id="duplicate-flow",
    severity=Severity.ERROR,
    summary="two flows from one step to the same target",
    doc=(
        "A step lists the same target twice in `next`. A flow graph, BPMN, GraphML and the diagram "
        "all hold one flow per pair of steps, so the second flow and its `when` label would be lost "
        'without a word. Merge them into one flow whose label says both: `when: "approved or approved '
        'with conditions"`. Reported at the second flow (and at any later one to the same target).'
    ),
    bad="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: apply
    name: Apply
    lane: customer
    next: [review]
  - id: review
    name: Review the application
    lane: agent
    owner: Reviewer
    next:
      - {to: done, when: approved}
      - {to: done, when: approved with conditions}   # the same target again
      - {to: apply, when: incomplete}
  - id: done
    name: Send the decision
    lane: agent
    owner: Reviewer
""",
    good="""\
version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
steps:
  - id: apply
    name: Apply
    lane: customer
    next: [review]
  - id: review
    name: Review the application
    lane: agent
    owner: Reviewer
    next:
      - {to: done, when: "approved or approved with conditions"}
      - {to: apply, when: incomplete}
  - id: done
    name: Send the decision
    lane: agent
    owner: Reviewer
""",
    check=check,
)
