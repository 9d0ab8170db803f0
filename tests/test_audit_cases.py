"""Hand-checked audits: each expected list below was worked out from SPEC §1 on paper, not by running procmap.

The processes cover loops, branches, customer actions between touchpoints,
backstage relays between two onstage parties, onstage overrides in backstage
and support lanes, support-system steps, ties broken by file order and pairs
joined by several paths.  The reasoning for the less obvious entries is in the
comments.
"""

from __future__ import annotations

import json
import re

import pytest

# --- A: a product return. Customer actions between touchpoints, support-system steps,
# a relay through the warehouse between two onstage parties (courier -> desk).
RETURNS = """
version: 1
process: {id: returns, name: Product return}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: desk, name: Service desk, kind: onstage}
  - {id: courier, name: Courier, kind: onstage}
  - {id: warehouse, name: Warehouse, kind: backstage}
  - {id: erp, name: ERP system, kind: support}
steps:
  - {id: request, name: Request a return, lane: customer, channel: web, next: [log]}
  - {id: log, name: Log the return, lane: desk, channel: web, owner: Desk agent, evidence: Return number, next: [label]}
  - {id: label, name: Create shipping label, lane: erp, duration: 1m, next: [print]}
  - {id: print, name: Print the label, lane: customer, channel: web, next: [pickup]}
  - {id: pickup, name: Collect the parcel, lane: courier, channel: in-person, evidence: Receipt, owner: Driver, next: [inspect]}
  - {id: inspect, name: Inspect the goods, lane: warehouse, duration: 2d, owner: Inspector, fail_point: true, next: [refund]}
  - {id: refund, name: Refund the payment, lane: erp, duration: 1h, data: [payment], next: [notify]}
  - {id: notify, name: Tell the customer, lane: desk, channel: email, evidence: Refund e-mail, data: [pii]}
"""

RETURNS_EXPECTED = {
    "customer_actions": ["request", "print"],
    "touchpoints": [
        {"step": "log", "lane": "desk", "channel": "web", "evidence": "Return number", "owner": "Desk agent"},
        {"step": "pickup", "lane": "courier", "channel": "in-person", "evidence": "Receipt", "owner": "Driver"},
        {"step": "notify", "lane": "desk", "channel": "email", "evidence": "Refund e-mail", "owner": None},
    ],
    # log -> label (support, backstage) -> print (customer action) -> pickup: no touchpoint inside.
    "visible_handoffs": [
        {"from": "log", "to": "pickup", "from_lane": "desk", "to_lane": "courier", "via": ["label", "print"]},
        {"from": "pickup", "to": "notify", "from_lane": "courier", "to_lane": "desk", "via": ["inspect", "refund"]},
    ],
    # label -> print and print -> pickup touch the customer lane: not handoffs.
    "handoffs": [
        {"from": "log", "to": "label", "from_lane": "desk", "to_lane": "erp", "class": "visibility-line"},
        {"from": "pickup", "to": "inspect", "from_lane": "courier", "to_lane": "warehouse", "class": "visibility-line"},
        {"from": "inspect", "to": "refund", "from_lane": "warehouse", "to_lane": "erp", "class": "backstage"},
        {"from": "refund", "to": "notify", "from_lane": "erp", "to_lane": "desk", "class": "visibility-line"},
    ],
    # label (backstage) -> print (a customer step, onstage) crosses the line too.
    "visibility_crossings": [
        {"from": "log", "to": "label"},
        {"from": "label", "to": "print"},
        {"from": "pickup", "to": "inspect"},
        {"from": "refund", "to": "notify"},
    ],
    "hidden_contacts": [{"from": "label", "to": "print"}],
    "channel_switches": [
        {"from": "print", "to": "pickup", "from_channel": "web", "to_channel": "in-person"},
        {"from": "pickup", "to": "notify", "from_channel": "in-person", "to_channel": "email"},
    ],
    # 1m = 60 s; 2d + 1h = 172800 + 3600 s.
    "waits": [
        {"from": "log", "to": "print", "via": ["label"], "min_seconds": 60, "max_seconds": 60, "no_duration": []},
        {
            "from": "pickup",
            "to": "notify",
            "via": ["inspect", "refund"],
            "min_seconds": 176400,
            "max_seconds": 176400,
            "no_duration": [],
        },
    ],
    "data_classes": {"payment": ["refund"], "pii": ["notify"]},
    "fail_points": [{"step": "inspect", "owner": "Inspector", "backup": None, "has_backup": False}],
    "metrics": {
        "steps": 8,
        "customer_actions": 2,
        "touchpoints": 3,
        "visible_handoffs": 2,
        "handoffs": 4,
        "visibility_crossings": 4,
        "onstage_handoffs": 0,
        "visibility_line_handoffs": 3,
        "backstage_handoffs": 1,
        "hidden_contacts": 1,
        "parties_met": 2,
        "channels_used": 3,
        "channel_switches": 2,
        "data_classes": 2,
        "fail_points": 1,
        "fail_points_without_backup": 1,
        "waits": 2,
        "max_wait_seconds": 176400,
        "unbounded_waits": 0,
    },
}

# --- B: a support ticket. Branches, two loops through the customer, an onstage
# override in a backstage lane (billing clerk phones the customer), a touchpoint
# with no channel.
SUPPORT = """
version: 1
process: {id: support, name: Support ticket}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Support agent, kind: onstage}
  - {id: eng, name: Engineering, kind: backstage}
  - {id: billing, name: Billing, kind: backstage}
steps:
  - {id: open, name: Open chat, lane: customer, channel: chat, next: [triage]}
  - id: triage
    name: Triage
    lane: agent
    channel: chat
    owner: Tier-1
    next:
      - {to: solve, when: known}
      - {to: investigate, when: unknown}
      - {to: refund-call, when: billing}
  - id: investigate
    name: Investigate
    lane: eng
    duration: 4h
    owner: Engineer
    next:
      - {to: fix, when: found}
      - {to: ask-info, when: need info}
  - {id: ask-info, name: Ask for info, lane: agent, channel: email, next: [reply]}
  - {id: reply, name: Reply, lane: customer, channel: email, next: [investigate]}
  - {id: fix, name: Fix, lane: eng, duration: 1d, next: [solve]}
  - {id: solve, name: Solve, lane: agent, channel: chat, evidence: Answer, next: [confirm]}
  - {id: refund-call, name: Refund call, lane: billing, visibility: onstage, channel: phone, owner: Billing clerk, next: [confirm]}
  - id: confirm
    name: Confirm
    lane: customer
    channel: chat
    next:
      - {to: close, when: ok}
      - {to: triage, when: not solved}
  - {id: close, name: Close, lane: agent}
"""

SUPPORT_EXPECTED = {
    "customer_actions": ["open", "reply", "confirm"],
    "touchpoints": [
        {"step": "triage", "lane": "agent", "channel": "chat", "evidence": None, "owner": "Tier-1"},
        {"step": "ask-info", "lane": "agent", "channel": "email", "evidence": None, "owner": None},
        {"step": "solve", "lane": "agent", "channel": "chat", "evidence": "Answer", "owner": None},
        {"step": "refund-call", "lane": "billing", "channel": "phone", "evidence": None, "owner": "Billing clerk"},
        {"step": "close", "lane": "agent", "channel": None, "evidence": None, "owner": None},
    ],
    # Pairs of consecutive touchpoints: triage->{ask-info, solve, refund-call}, ask-info->{ask-info, solve}
    # (round the customer loop), solve->{triage, close}, refund-call->{triage, close}; only those whose
    # lanes differ are visible.  The loop confirm -> triage makes billing -> agent visible twice.
    "visible_handoffs": [
        {"from": "triage", "to": "refund-call", "from_lane": "agent", "to_lane": "billing", "via": []},
        {"from": "refund-call", "to": "triage", "from_lane": "billing", "to_lane": "agent", "via": ["confirm"]},
        {"from": "refund-call", "to": "close", "from_lane": "billing", "to_lane": "agent", "via": ["confirm"]},
    ],
    # triage's targets in file order: investigate (3), solve (7, same lane), refund-call (8).
    # triage -> refund-call: both onstage (override) -> an onstage handoff.
    "handoffs": [
        {"from": "triage", "to": "investigate", "from_lane": "agent", "to_lane": "eng", "class": "visibility-line"},
        {"from": "triage", "to": "refund-call", "from_lane": "agent", "to_lane": "billing", "class": "onstage"},
        {"from": "investigate", "to": "ask-info", "from_lane": "eng", "to_lane": "agent", "class": "visibility-line"},
        {"from": "fix", "to": "solve", "from_lane": "eng", "to_lane": "agent", "class": "visibility-line"},
    ],
    "visibility_crossings": [
        {"from": "triage", "to": "investigate"},
        {"from": "investigate", "to": "ask-info"},
        {"from": "reply", "to": "investigate"},
        {"from": "fix", "to": "solve"},
    ],
    "hidden_contacts": [{"from": "reply", "to": "investigate"}],
    # close has no channel: confirm -> close is no switch.
    "channel_switches": [
        {"from": "triage", "to": "ask-info", "from_channel": "chat", "to_channel": "email"},
        {"from": "triage", "to": "refund-call", "from_channel": "chat", "to_channel": "phone"},
        {"from": "reply", "to": "solve", "from_channel": "email", "to_channel": "chat"},
        {"from": "refund-call", "to": "confirm", "from_channel": "phone", "to_channel": "chat"},
    ],
    # Facing steps with backstage work between them: triage and reply both lead into eng.
    # 4h = 14400 s; 4h + 1d = 100800 s.  triage -> solve directly has no backstage step, so the
    # wait triage -> solve is the one through investigate and fix.
    "waits": [
        {
            "from": "triage",
            "to": "ask-info",
            "via": ["investigate"],
            "min_seconds": 14400,
            "max_seconds": 14400,
            "no_duration": [],
        },
        {
            "from": "triage",
            "to": "solve",
            "via": ["investigate", "fix"],
            "min_seconds": 100800,
            "max_seconds": 100800,
            "no_duration": [],
        },
        {
            "from": "reply",
            "to": "ask-info",
            "via": ["investigate"],
            "min_seconds": 14400,
            "max_seconds": 14400,
            "no_duration": [],
        },
        {
            "from": "reply",
            "to": "solve",
            "via": ["investigate", "fix"],
            "min_seconds": 100800,
            "max_seconds": 100800,
            "no_duration": [],
        },
    ],
    "data_classes": {},
    "fail_points": [],
    "metrics": {
        "steps": 10,
        "customer_actions": 3,
        "touchpoints": 5,
        "visible_handoffs": 3,
        "handoffs": 4,
        "visibility_crossings": 4,
        "onstage_handoffs": 1,
        "visibility_line_handoffs": 3,
        "backstage_handoffs": 0,
        "hidden_contacts": 1,
        "parties_met": 2,
        "channels_used": 3,
        "channel_switches": 4,
        "data_classes": 0,
        "fail_points": 0,
        # investigate: owned, backstage, the customer waits on it, no backup (what no-backup reports).
        "fail_points_without_backup": 1,
        "waits": 4,
        "max_wait_seconds": 100800,
        "unbounded_waits": 0,
    },
}

# --- C: a restaurant. A backstage relay (kitchen or supplier system) between two onstage
# parties, two equally short paths joining one pair (reported once; the tie goes to the
# step first in the file, buy-in, although `next` lists cook first), lanes not in zone order.
RESTAURANT = """
version: 1
process: {id: restaurant, name: Restaurant order}
lanes:
  - {id: front, name: Front desk, kind: onstage}
  - {id: kitchen, name: Kitchen, kind: backstage}
  - {id: supplier, name: Supplier system, kind: support}
  - {id: waiter, name: Waiter, kind: onstage}
  - {id: customer, name: Guest, kind: customer}
steps:
  - id: order
    name: Take the order
    lane: front
    channel: in-person
    owner: Host
    next:
      - {to: cook, when: in stock}
      - {to: buy-in, when: out of stock}
  - {id: buy-in, name: Buy the dish in, lane: supplier, duration: 45m, next: [serve]}
  - {id: cook, name: Cook, lane: kitchen, duration: 20m, owner: Chef, backup: Sous-chef, fail_point: true, next: [serve]}
  - {id: serve, name: Serve, lane: waiter, channel: in-person, evidence: Dish, next: [pay]}
  - {id: pay, name: Pay in the app, lane: customer, channel: app, next: [receipt]}
  - {id: receipt, name: Hand the receipt, lane: front, channel: in-person, evidence: Receipt, data: [payment]}
"""

RESTAURANT_EXPECTED = {
    "customer_actions": ["pay"],
    "touchpoints": [
        {"step": "order", "lane": "front", "channel": "in-person", "evidence": None, "owner": "Host"},
        {"step": "serve", "lane": "waiter", "channel": "in-person", "evidence": "Dish", "owner": None},
        {"step": "receipt", "lane": "front", "channel": "in-person", "evidence": "Receipt", "owner": None},
    ],
    "visible_handoffs": [
        {"from": "order", "to": "serve", "from_lane": "front", "to_lane": "waiter", "via": ["buy-in"]},
        {"from": "serve", "to": "receipt", "from_lane": "waiter", "to_lane": "front", "via": ["pay"]},
    ],
    # Targets in file order: buy-in (2) before cook (3).
    "handoffs": [
        {"from": "order", "to": "buy-in", "from_lane": "front", "to_lane": "supplier", "class": "visibility-line"},
        {"from": "order", "to": "cook", "from_lane": "front", "to_lane": "kitchen", "class": "visibility-line"},
        {"from": "buy-in", "to": "serve", "from_lane": "supplier", "to_lane": "waiter", "class": "visibility-line"},
        {"from": "cook", "to": "serve", "from_lane": "kitchen", "to_lane": "waiter", "class": "visibility-line"},
    ],
    "visibility_crossings": [
        {"from": "order", "to": "buy-in"},
        {"from": "order", "to": "cook"},
        {"from": "buy-in", "to": "serve"},
        {"from": "cook", "to": "serve"},
    ],
    "hidden_contacts": [],
    "channel_switches": [
        {"from": "serve", "to": "pay", "from_channel": "in-person", "to_channel": "app"},
        {"from": "pay", "to": "receipt", "from_channel": "app", "to_channel": "in-person"},
    ],
    # The least wait goes through cook (20m = 1200 s), the greatest through buy-in (45m = 2700 s).
    "waits": [
        {"from": "order", "to": "serve", "via": ["cook"], "min_seconds": 1200, "max_seconds": 2700, "no_duration": []},
    ],
    "data_classes": {"payment": ["receipt"]},
    "fail_points": [{"step": "cook", "owner": "Chef", "backup": "Sous-chef", "has_backup": True}],
    "metrics": {
        "steps": 6,
        "customer_actions": 1,
        "touchpoints": 3,
        "visible_handoffs": 2,
        "handoffs": 4,
        "visibility_crossings": 4,
        "onstage_handoffs": 0,
        "visibility_line_handoffs": 4,
        "backstage_handoffs": 0,
        "hidden_contacts": 0,
        "parties_met": 2,
        "channels_used": 2,
        "channel_switches": 2,
        "data_classes": 1,
        "fail_points": 1,
        "fail_points_without_backup": 0,
        "waits": 1,
        "max_wait_seconds": 2700,
        "unbounded_waits": 0,
    },
}

# --- D: a loan application. A support-system step made onstage (the portal acknowledges the
# customer), a backstage rework loop between two touchpoints (no upper bound on the wait),
# hidden contacts in both directions, a step with no duration, data classes on several steps,
# the customer lane not first.
LOAN = """
version: 1
process: {id: loan, name: Loan application}
lanes:
  - {id: advisor, name: Advisor, kind: onstage}
  - {id: customer, name: Applicant, kind: customer}
  - {id: underwriting, name: Underwriting, kind: backstage}
  - {id: scoring, name: Scoring engine, kind: support}
  - {id: portal, name: Customer portal, kind: support}
steps:
  - {id: apply, name: Apply in the app, lane: customer, channel: app, next: [ack]}
  - {id: ack, name: Acknowledge, lane: portal, visibility: onstage, channel: app, evidence: Application number, data: [pii], next: [score]}
  - {id: score, name: Score, lane: scoring, duration: 5m, data: [pii, credit], next: [review]}
  - id: review
    name: Review
    lane: underwriting
    duration: 1d
    owner: Underwriter
    fail_point: true
    next:
      - {to: rework, when: incomplete}
      - {to: call, when: complete}
      - {to: decline, when: rejected}
  - {id: rework, name: Rework, lane: underwriting, duration: 2h, owner: Underwriter, backup: Senior underwriter, next: [review]}
  - {id: call, name: Call with offer, lane: advisor, channel: phone, owner: Advisor, next: [sign]}
  - {id: sign, name: Sign at the branch, lane: customer, channel: in-person, next: [archive]}
  - {id: archive, name: Archive, lane: underwriting, data: [pii]}
  - {id: decline, name: Decline, lane: scoring, next: [letter]}
  - {id: letter, name: Receive the letter, lane: customer, channel: post}
"""

LOAN_EXPECTED = {
    "customer_actions": ["apply", "sign", "letter"],
    "touchpoints": [
        {"step": "ack", "lane": "portal", "channel": "app", "evidence": "Application number", "owner": None},
        {"step": "call", "lane": "advisor", "channel": "phone", "evidence": None, "owner": "Advisor"},
    ],
    # ack -> score -> review -> call; the rework loop and the decline branch do not change it.
    "visible_handoffs": [
        {"from": "ack", "to": "call", "from_lane": "portal", "to_lane": "advisor", "via": ["score", "review"]},
    ],
    "handoffs": [
        {"from": "ack", "to": "score", "from_lane": "portal", "to_lane": "scoring", "class": "visibility-line"},
        {"from": "score", "to": "review", "from_lane": "scoring", "to_lane": "underwriting", "class": "backstage"},
        {"from": "review", "to": "call", "from_lane": "underwriting", "to_lane": "advisor", "class": "visibility-line"},
        {"from": "review", "to": "decline", "from_lane": "underwriting", "to_lane": "scoring", "class": "backstage"},
    ],
    "visibility_crossings": [
        {"from": "ack", "to": "score"},
        {"from": "review", "to": "call"},
        {"from": "sign", "to": "archive"},
        {"from": "decline", "to": "letter"},
    ],
    "hidden_contacts": [{"from": "sign", "to": "archive"}, {"from": "decline", "to": "letter"}],
    "channel_switches": [
        {"from": "ack", "to": "call", "from_channel": "app", "to_channel": "phone"},
        {"from": "ack", "to": "letter", "from_channel": "app", "to_channel": "post"},
        {"from": "call", "to": "sign", "from_channel": "phone", "to_channel": "in-person"},
    ],
    # 5m + 1d = 300 + 86400 s at least; review <-> rework is a loop, so no upper bound (null).
    # archive follows sign but leads to no facing step: no wait.
    "waits": [
        {
            "from": "ack",
            "to": "call",
            "via": ["score", "review"],
            "min_seconds": 86700,
            "max_seconds": None,
            "no_duration": [],
        },
        {
            "from": "ack",
            "to": "letter",
            "via": ["score", "review", "decline"],
            "min_seconds": 86700,
            "max_seconds": None,
            "no_duration": ["decline"],
        },
    ],
    "data_classes": {"credit": ["score"], "pii": ["ack", "score", "archive"]},
    "fail_points": [{"step": "review", "owner": "Underwriter", "backup": None, "has_backup": False}],
    "metrics": {
        "steps": 10,
        "customer_actions": 3,
        "touchpoints": 2,
        "visible_handoffs": 1,
        "handoffs": 4,
        "visibility_crossings": 4,
        "onstage_handoffs": 0,
        "visibility_line_handoffs": 2,
        "backstage_handoffs": 2,
        "hidden_contacts": 2,
        "parties_met": 2,
        "channels_used": 4,
        "channel_switches": 3,
        "data_classes": 2,
        "fail_points": 1,
        "fail_points_without_backup": 1,
        "waits": 2,
        "max_wait_seconds": 0,
        "unbounded_waits": 2,
    },
}

CASES = {
    "returns": (RETURNS, RETURNS_EXPECTED),
    "support": (SUPPORT, SUPPORT_EXPECTED),
    "restaurant": (RESTAURANT, RESTAURANT_EXPECTED),
    "loan": (LOAN, LOAN_EXPECTED),
}

# Keys compared for dict items that carry more than the expectation lists (e.g. names).
_TOUCHPOINT_KEYS = ("step", "lane", "channel", "evidence", "owner")
_FAIL_KEYS = ("step", "owner", "backup", "has_backup")
_CROSSING_KEYS = ("from", "to")


def _audit_json(cli, path) -> dict:
    result = cli("audit", path, "--format", "json")
    assert result.exit_code == 0, result.output
    (process,) = json.loads(result.stdout)["processes"]
    return process


@pytest.mark.parametrize("name", sorted(CASES))
def test_hand_checked_lists(cli, write, name: str) -> None:
    text, expected = CASES[name]
    got = _audit_json(cli, write(text, f"{name}.yaml"))
    assert got["id"] == name
    assert got["customer_actions"] == expected["customer_actions"]
    assert [{k: t[k] for k in _TOUCHPOINT_KEYS} for t in got["touchpoints"]] == expected["touchpoints"]
    assert got["visible_handoffs"] == expected["visible_handoffs"]
    assert got["handoffs"] == expected["handoffs"]
    assert [{k: c[k] for k in _CROSSING_KEYS} for c in got["visibility_crossings"]] == expected["visibility_crossings"]
    assert got["hidden_contacts"] == expected["hidden_contacts"]
    assert got["channel_switches"] == expected["channel_switches"]
    assert got["waits"] == expected["waits"]
    assert got["data_classes"] == expected["data_classes"]
    assert [{k: f[k] for k in _FAIL_KEYS} for f in got["fail_points"]] == expected["fail_points"]
    assert got["metrics"] == expected["metrics"]


def test_crossing_directions(cli, write) -> None:
    got = _audit_json(cli, write(RETURNS, "returns.yaml"))
    assert [c["direction"] for c in got["visibility_crossings"]] == [
        "onstage-to-backstage",
        "backstage-to-onstage",
        "onstage-to-backstage",
        "backstage-to-onstage",
    ]


_VISIBLE = re.compile(
    r"^customer-visible handoff: after '(?P<src>[^']+)' \((?P<sl>[^)]+)\) the customer next deals with "
    r"'(?P<dst>[^']+)' \((?P<dl>[^)]+)\)(?: via (?P<via>.*))?$"
)


def test_validate_and_audit_agree_on_visible_handoffs(cli, write) -> None:
    """One code path: validate's visible-handoff findings are exactly audit's visible_handoffs."""
    paths = [write(text, f"{name}.yaml") for name, (text, _) in sorted(CASES.items())]
    validated = cli("validate", *paths, "--format", "json")
    assert validated.exit_code == 0, validated.output
    from_validate = set()
    for d in json.loads(validated.stdout)["diagnostics"]:
        if d["rule"] != "visible-handoff":
            continue
        m = _VISIBLE.match(d["message"])
        assert m, d["message"]
        via = tuple(re.findall(r"'([^']+)'", m["via"])) if m["via"] else ()
        from_validate.add((d["file"], m["src"], m["dst"], m["sl"], m["dl"], via))
    audited = cli("audit", *paths, "--format", "json")
    assert audited.exit_code == 0, audited.output
    from_audit = {
        (p["file"], h["from"], h["to"], h["from_lane"], h["to_lane"], tuple(h["via"]))
        for p in json.loads(audited.stdout)["processes"]
        for h in p["visible_handoffs"]
    }
    assert from_audit == from_validate
    assert len(from_audit) == sum(len(e["visible_handoffs"]) for _, e in CASES.values())


def test_no_backup_and_hidden_contact_follow_the_same_analysis(cli, write) -> None:
    """validate's no-backup and hidden-contact findings, from the definitions, on the hand-checked files."""
    paths = {name: write(text, f"{name}.yaml") for name, (text, _) in CASES.items()}
    result = cli("validate", *paths.values(), "--format", "json")
    diags = json.loads(result.stdout)["diagnostics"]
    no_backup = sorted(
        (d["file"].rsplit("/", 1)[-1], d["message"].split("'")[1]) for d in diags if d["rule"] == "no-backup"
    )
    # returns: inspect is a fail point without backup.  support: investigate has an owner, no backup
    # and lies between triage and ask-info.  restaurant: cook has a backup.  loan: review is a fail
    # point without backup (rework has one; score has no owner).
    assert no_backup == [("loan.yaml", "review"), ("returns.yaml", "inspect"), ("support.yaml", "investigate")]
    hidden = sum(1 for d in diags if d["rule"] == "hidden-contact")
    assert hidden == sum(len(e["hidden_contacts"]) for _, e in CASES.values())
