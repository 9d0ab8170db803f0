"""The rule registry: one module per rule, each exporting ``RULE``.

Adding a rule means adding a module and one line here; validation, SARIF's
rule table, configuration and docs/rules.md all read this list.
"""

from __future__ import annotations

from procmap.rules import (
    asked_twice,
    backup_is_owner,
    budget,
    customer_step_backstage,
    dead_end,
    duplicate_flow,
    duplicate_id,
    duplicate_key,
    empty_lane,
    handoff_without_owner,
    hidden_contact,
    no_backup,
    no_end,
    repeat_contact,
    schema,
    sla_breach,
    unknown_reference,
    unlabeled_branch,
    unmatched_fork,
    unreachable_step,
    visible_handoff,
    yaml_syntax,
)
from procmap.rules.base import Context, Finding, Rule

RULES: tuple[Rule, ...] = tuple(
    m.RULE
    for m in (
        yaml_syntax,
        duplicate_key,
        schema,
        duplicate_id,
        duplicate_flow,
        unknown_reference,
        customer_step_backstage,
        unreachable_step,
        no_end,
        dead_end,
        unlabeled_branch,
        hidden_contact,
        empty_lane,
        handoff_without_owner,
        no_backup,
        visible_handoff,
        repeat_contact,
        backup_is_owner,
        asked_twice,
        sla_breach,
        unmatched_fork,
        budget,
    )
)
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}

__all__ = ["BY_ID", "RULES", "Context", "Finding", "Rule"]
