"""Which zone each imported lane belongs to: the lane-kind rules of `procmap import`.

BPMN has pools and lanes but no word for the line of interaction or the line
of visibility, so kinds are decided in a fixed order (docs/import.md):

1. procmap's own ``procmap:kind`` attribute (a file procmap exported);
2. ``--kind LANE=KIND`` given by the user;
3. structure: the customer is a pool that exchanges message flows with the
   others, is not only started by someone else's message, and is not the
   organisation's main pool; in the main pool (most steps) a lane is onstage
   when most of its steps deal with the customer, else backstage; every other
   pool is support;
4. names, weakly: only to break ties, or — when no message flow says anything
   — a lane called just "Customer"/"Client"/… is taken as the customer.

Kept apart from the BPMN reading so the rules can be read (and tested) on
plain data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CUSTOMER_WORDS = frozenset(
    "customer customers client clients buyer buyers shopper shoppers consumer consumers patient patients "
    "guest guests passenger passengers applicant applicants citizen citizens member members traveller "
    "travellers traveler travelers tenant tenants visitor visitors caller callers requester requestor "
    "subscriber subscribers policyholder policyholders claimant claimants borrower borrowers".split()
)
# "Customer service", "Client care team": staff who serve customers, not customers.
STAFF_WORDS = frozenset(
    "service services care support success relations desk agent agents team teams manager managers "
    "representative representatives rep reps center centre department dept office management experience "
    "operations ops advisor adviser advisors advisers officer officers clerk clerks staff helpdesk".split()
)


def customer_like(name: str) -> bool:
    """A name that says "the customer" and not "staff serving customers" (a weak signal only).

    The name's head word (its last, outside brackets) must be a customer
    word: "Customer", "New client", "The patients (walk-in)" are; "Customer
    Onboarding" (a company's process named after its customer),
    "Customer service agent" and "Client care team" are not.  The same test
    serves both places a name counts (breaking a tie between structural
    candidates, and the lane fallback when no message flow says anything).
    """
    words = re.findall(r"[a-z]+", re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", name.lower()))
    return bool(words) and words[-1] in CUSTOMER_WORDS and not any(w in STAFF_WORDS for w in words)


@dataclass
class PoolFacts:
    """What the structure says about one pool (participant or unreferenced process)."""

    key: str
    name: str
    index: int
    steps: int
    lanes: int
    black_box: bool  # no process of its own
    reactive: bool  # its process only ever starts on a message from someone else
    partners: set[str] = field(default_factory=set)  # pools it exchanges message flows with


@dataclass
class LaneFacts:
    key: str
    name: str
    pool: str
    fixed: str | None = None  # kind from procmap's attribute or --kind
    fixed_by: str = ""
    steps: list[str] = field(default_factory=list)


@dataclass
class KindDecision:
    kinds: dict[str, str]  # lane key -> kind
    onstage_steps: set[str]  # steps to mark `visibility: onstage`
    notes: list[tuple[str, str]]  # (severity, message)
    customer_pool: str | None


def choose_customer(pools: list[PoolFacts]) -> tuple[PoolFacts | None, list[PoolFacts]]:
    """The customer pool by structure, and the candidates it was chosen from."""
    candidates = [p for p in pools if p.partners and not p.reactive]
    if len(candidates) > 1:
        main = max(candidates, key=lambda p: (p.steps, p.lanes, -p.index))
        candidates = [p for p in candidates if p is not main]
    if not candidates:
        return None, []
    biggest = max(pools, key=lambda p: (p.steps, p.lanes, -p.index))

    def rank(p: PoolFacts) -> tuple[int, int, int, int, int, int]:
        return (
            0 if p.black_box else 1,
            0 if biggest.key in p.partners else 1,
            -len(p.partners),
            0 if customer_like(p.name) else 1,
            p.steps,
            p.index,
        )

    return min(candidates, key=rank), candidates


def decide(
    pools: list[PoolFacts],
    lanes: list[LaneFacts],
    contacts: dict[str, set[str]],
    step_lane: dict[str, str],
    fixed_steps: set[str],
) -> KindDecision:
    """Kinds for every lane and the steps that deal with the customer from a backstage lane.

    ``contacts``: step -> the steps it exchanges a message or a direct flow
    with (both directions). ``fixed_steps``: steps whose visibility procmap
    itself recorded (never re-marked).
    """
    notes: list[tuple[str, str]] = []
    kinds: dict[str, str] = {lane.key: lane.fixed for lane in lanes if lane.fixed}
    by_pool: dict[str, list[LaneFacts]] = {}
    for lane in lanes:
        by_pool.setdefault(lane.pool, []).append(lane)
    pool_of = {p.key: p for p in pools}
    customer_pool: str | None = None

    if all(lane.fixed for lane in lanes):
        customer_pool = next((lane.pool for lane in lanes if lane.fixed == "customer"), None)
    elif not any(kind == "customer" for kind in kinds.values()):
        open_pools = [p for p in pools if any(not lane.fixed for lane in by_pool.get(p.key, []))]
        chosen, candidates = choose_customer(open_pools)
        if chosen is not None:
            customer_pool = chosen.key
            for lane in by_pool.get(chosen.key, []):
                kinds.setdefault(lane.key, "customer")
            why = "has no process of its own" if chosen.black_box else "starts its own process"
            others = [p.name for p in candidates if p is not chosen]
            notes.append(
                (
                    "info",
                    f"pool '{chosen.name}' taken as the customer: it exchanges messages with "
                    f"{_names(pool_of, chosen.partners)} and {why}"
                    + (f" (other candidates: {', '.join(others)})" if others else "")
                    + f"; if that is wrong, name the customer with --kind 'LANE=customer' and set "
                    f"this one with --kind '{chosen.name}=support'",
                )
            )
        else:
            named = [lane for lane in lanes if not lane.fixed and customer_like(lane.name)]
            if named:
                for lane in named:
                    kinds[lane.key] = "customer"
                notes.append(
                    (
                        "info",
                        "no message flow shows who the customer is; lane(s) "
                        + ", ".join(f"'{lane.name}'" for lane in named)
                        + " taken as the customer from the name alone (check it; --kind 'LANE=KIND' overrides)",
                    )
                )
            else:
                notes.append(
                    (
                        "warning",
                        "no customer found: no pool exchanges message flows as a customer would, and no lane is "
                        "named like one; every lane is staff or support, so the blueprint has no customer actions "
                        "— name the customer's lane with --kind 'LANE=customer'",
                    )
                )
    else:
        customer_pool = next((lane.pool for lane in lanes if kinds.get(lane.key) == "customer"), None)

    customer_lanes = {key for key, kind in kinds.items() if kind == "customer"}
    customer_steps = {s for s, lane in step_lane.items() if lane in customer_lanes}

    def deals_with_customer(step: str) -> bool:
        return bool(contacts.get(step, set()) & customer_steps)

    rest = [
        p for p in pools if p.key != customer_pool and not all(kinds.get(x.key) == "customer" for x in by_pool[p.key])
    ]
    main = max(rest, key=lambda p: (p.steps, p.lanes, -p.index)) if rest else None
    for lane in lanes:
        if lane.key in kinds:
            continue
        if main is not None and lane.pool == main.key:
            facing = sum(1 for s in lane.steps if deals_with_customer(s))
            kinds[lane.key] = "onstage" if lane.steps and facing * 2 > len(lane.steps) else "backstage"
        else:
            kinds[lane.key] = "support"

    onstage_steps = {
        s
        for s, lane in step_lane.items()
        if s not in fixed_steps and kinds.get(lane) in ("backstage", "support") and deals_with_customer(s)
    }
    return KindDecision(kinds, onstage_steps, notes, customer_pool)


def _names(pools: dict[str, PoolFacts], keys: set[str]) -> str:
    names = sorted((pools[k].index, pools[k].name) for k in keys if k in pools)
    return ", ".join(f"'{n}'" for _, n in names) or "other pools"
