"""`procmap init`: a commented starter process and configuration.

The starter is a real, small service blueprint (replacing a lost bank card)
that uses every key of the format and passes ``procmap validate --strict``
with no findings at all, so a new user's first run is clean and every later
finding is one they caused.  The configuration is generated from the rule
registry, so it always lists every rule with its current default severity.
"""

from __future__ import annotations

from pathlib import Path

from procmap.diagnostics import UsageError

PROCESS_FILE = "process.yaml"
CONFIG_FILE = "procmap.toml"

STARTER_PROCESS = """\
# A procmap process: one service blueprint per file (format version 1).
#
#   procmap validate process.yaml          check it like a linter
#   procmap audit process.yaml             who the customer deals with, and handoffs
#   procmap render process.yaml -o card.svg
#
# Editor completion and hover docs: run `procmap schema -o process-v1.schema.json`
# and make the first line of this file the modeline comment
# "yaml-language-server: $schema=process-v1.schema.json" (after a '# ').
#
# A finding you accept on purpose can be silenced on its line with a comment
# such as "procmap: ignore[hidden-contact]" (after a '# ').

version: 1                    # the format version: always the integer 1

process:
  id: replace-lost-card       # a slug: lowercase letters, digits, '-' and '_'
  name: Replace a lost card
  description: >-
    From the customer reporting a lost card in the app to a new card that
    works. The customer only ever deals with the app.
  owner: Head of cards        # who answers for the whole process
  start: report-lost          # optional: the first step is the start anyway

# Lanes are the parties, drawn top to bottom. The kind places a lane in the
# blueprint: customer | onstage (seen by the customer) | backstage (staff the
# customer never sees) | support (systems, vendors, other teams).
lanes:
  - id: customer
    name: Cardholder
    kind: customer
  - id: app
    name: Banking app
    kind: onstage
    description: The app and the digital team behind what it shows.
  - id: card-ops
    name: Card operations
    kind: backstage
  - id: bureau
    name: Card bureau
    kind: support
    description: The vendor that prints and posts cards.

# Steps, in any order; `next` says where the process goes. A step without
# `next` is an end step. Steps in customer and onstage lanes are onstage,
# the others backstage, unless `visibility` says otherwise.
steps:
  - id: report-lost
    name: Report the card lost
    lane: customer
    channel: app              # free text: web, phone, email, chat, in-person, app...
    stage: Report             # optional phase name: consecutive steps of one stage form a band
    next: [freeze-card]       # short form: a list of step ids

  - id: freeze-card
    name: Freeze the card
    lane: app
    owner: Digital banking    # the role that does the step
    duration: 30s             # 30s, 15m, 2h, 3d, 1w, or ISO-8601 such as PT15M
    sla: 1m                   # the time promised, same syntax
    evidence: Push notification "Card frozen"   # what the customer sees or keeps
    activities: [CARD_FROZEN] # its name in event logs, for procmap conform (id and name match too)
    next: [confirm-address]

  - id: confirm-address
    name: Confirm the delivery address
    lane: customer
    channel: app
    data: [address]           # data classes the step touches (free slugs)
    next: [order-card]

  - id: order-card
    name: Order the replacement
    lane: app
    owner: Digital banking
    evidence: Order confirmation with the delivery date
    next:                     # a fork: both branches start at once (parallel work)
      - all: [cancel-old-number, review-order]

  - id: cancel-old-number
    name: Cancel the lost card's number
    lane: app
    visibility: backstage     # in an onstage lane, but the customer never sees it
    owner: Digital banking
    backup: Card operations lead   # who covers when the owner is away
    next: [print-card]

  - id: review-order
    name: Check the order for fraud
    lane: card-ops
    description: Compare the order with recent account changes.
    owner: Card operations analyst
    backup: Card operations lead
    duration: 4h
    sla: P1D
    data: [pii, address]
    fail_point: true          # a known risk: orders stall here when the team is short
    next:                     # long form: one flow per branch, `when` labels it
      - to: print-card
        when: details match
        share: 0.9            # optional: the fraction of customers taking this flow
      - to: ask-for-id
        when: address changed recently
        share: 0.1            # all flows of a step get one, adding up to 1

  - id: ask-for-id
    name: Ask for a photo ID
    lane: app
    owner: Digital banking
    channel: app
    evidence: In-app request for ID
    next: [upload-id]

  - id: upload-id
    name: Upload a photo ID
    lane: customer
    channel: app
    data: [identity-document]
    next: [receive-id]

  - id: receive-id
    name: Confirm the ID was received
    lane: app
    owner: Digital banking
    evidence: '"We have your ID" message'
    # Back to the fraud check: loops are fine. A loop through steps the customer
    # deals with is a repeat contact (an info) unless the customer expects it:
    next:
      - to: review-order
        planned: true         # an expected return (a follow-up, a second check), not a repeat

  - id: print-card
    name: Print and post the card
    lane: bureau
    owner: Card bureau
    backup: Secondary card bureau
    duration: 2d
    data: [pii, address]
    join: all                 # waits for every branch of the fork: number cancelled and order checked
    next: [notify-posted]

  - id: notify-posted
    name: Tell the customer the card is on its way
    lane: app
    owner: Digital banking
    channel: app
    contact: update           # a one-way status message, not a conversation (chase: the customer had to chase)
    evidence: Tracking number
    sla: 5d                   # promised when the card was reported lost...
    sla_from: report-lost     # ...so the time runs from that step (default: from the last step the customer faced)
    next: [activate-card]

  - id: activate-card
    name: Activate the new card
    lane: customer
    channel: app
    next: [confirm-active]

  - id: confirm-active
    name: Unfreeze the account and confirm
    lane: app
    owner: Digital banking
    evidence: Push notification "Your new card is ready"
"""

_CONFIG_HEAD = """\
# procmap configuration. procmap finds this file in the current directory or
# any parent (or [tool.procmap] in pyproject.toml); --config FILE overrides.

# Fail on warnings too (exit 1), as `procmap validate --strict` does.
strict = false

# Severity of each rule: "error", "warning", "info" or "off".
# These are the defaults of this procmap version; change a value to tighten or
# relax a rule. A single finding is silenced with "# procmap: ignore[rule-id]".
[rules]
"""

_CONFIG_TAIL = """
# Budgets per process: going over one is an error in `procmap validate` and
# makes `procmap audit` exit 1 (audit also takes each as a flag, such as
# --max-journey-handoffs 2). Gate on the journey budgets: they measure what one
# customer goes through; the totals grow with every failure branch you model.
[budgets]
max-journey-handoffs = 2      # handoffs the customer sees in any one journey
max-silence = "3d"            # the longest a customer may hear nothing
# max-journey-parties = 3     # parties one customer deals with
# max-visible-handoffs = 3    # total customer-visible handoffs in the process
# max-touchpoints = 12        # onstage steps the customer deals with
"""


def starter_config() -> str:
    """The commented ``procmap.toml``: every rule at its default severity, and an example budget."""
    from procmap.rules import RULES

    width = max(len(r.id) for r in RULES) + len(' = "warning"')
    lines = []
    for rule in RULES:
        setting = f'{rule.id} = "{rule.severity.label}"'
        lines.append(f"{setting:<{width}}  # {rule.summary}")
    return _CONFIG_HEAD + "\n".join(lines) + "\n" + _CONFIG_TAIL


def scaffold(directory: str) -> list[Path]:
    """Write the starter files into ``directory`` (created if missing); never overwrite anything."""
    from procmap.fileio import write_output

    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{directory}: exists and is not a directory")
    targets = {folder / PROCESS_FILE: STARTER_PROCESS, folder / CONFIG_FILE: starter_config()}
    existing = [str(path) for path in targets if path.exists() or path.is_symlink()]
    if existing:
        raise UsageError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}: not overwriting")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{directory}: cannot create directory: {exc.strerror or exc}") from None
    for path, text in targets.items():
        write_output(str(path), text)
    return list(targets)
