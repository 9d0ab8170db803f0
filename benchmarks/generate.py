"""Generate large synthetic but realistic procmap processes for benchmarks.

A process is a chain of "episodes", each shaped like real service work: the
customer acts, an onstage party responds, backstage staff and support systems
relay the work (with a retry loop and a branch), and a different onstage party
comes back to the customer — so every figure the audit computes has real work
to do (visible handoffs with `via`, crossings, waits, data classes).

Usage:
    python benchmarks/generate.py --steps 20000 -o big.yaml
    python benchmarks/generate.py --steps 16000 --shares -o loop-with-shares.yaml
    python benchmarks/generate.py --shape branchy --steps 3000 -o branchy.yaml
    python benchmarks/generate.py --steps 60 --files 500 -o corpus/
"""

from __future__ import annotations

import argparse
import os
import random

LANES = [
    ("customer", "Customer", "customer"),
    ("front-desk", "Front desk agent", "onstage"),
    ("billing", "Billing team", "onstage"),
    ("specialist", "Field specialist", "onstage"),
    ("back-office", "Back office clerk", "backstage"),
    ("review", "Review board", "backstage"),
    ("risk", "Risk analyst", "backstage"),
    ("crm", "CRM system", "support"),
    ("vendor", "Courier vendor", "support"),
]
ONSTAGE = ["front-desk", "billing", "specialist"]
BACKSTAGE = ["back-office", "review", "risk"]
SUPPORT = ["crm", "vendor"]
CHANNELS = ["web", "phone", "email", "chat", "in-person", "app"]
WORDS = (
    "review confirm update verify record notify schedule assess prepare approve collect dispatch "
    "reconcile escalate register archive document validate estimate invoice"
).split()


def _name(rng: random.Random, i: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7)))
    return f"{words.capitalize()} (step {i})"


def episode_steps(rng: random.Random, base: int, last: bool) -> list[dict]:
    """One episode of 10 steps; ``base`` numbers them, the next episode starts at base + 10."""
    s = [f"s{base + k}" for k in range(10)]
    nxt = f"s{base + 10}"
    tp1, tp2 = rng.sample(ONSTAGE, 2)
    back1, back2 = rng.sample(BACKSTAGE, 2)
    support = rng.choice(SUPPORT)
    steps = [
        {"id": s[0], "lane": "customer", "channel": rng.choice(CHANNELS), "next": [s[1]]},
        {
            "id": s[1],
            "lane": tp1,
            "owner": "Agent",
            "channel": rng.choice(CHANNELS),
            "evidence": "Confirmation e-mail",
            "duration": "5m",
            "next": [s[2]],
        },
        {"id": s[2], "lane": back1, "owner": "Clerk", "duration": "2h", "data": ["pii"], "next": [s[3]]},
        {
            "id": s[3],
            "lane": support,
            "owner": "System",
            "duration": "30s",
            "fail_point": True,
            "backup": "Manual",
            "next": [{"to": s[4], "when": "record found"}, {"to": s[5], "when": "no record"}],
        },
        {"id": s[4], "lane": back2, "owner": "Analyst", "duration": "PT1H", "next": [s[6]]},
        {
            "id": s[5],
            "lane": back1,
            "owner": "Clerk",
            "backup": "Senior clerk",
            "duration": "1d",
            "next": [{"to": s[6], "when": "done"}, {"to": s[5], "when": "retry"}],
        },
        {"id": s[6], "lane": back1, "visibility": "onstage", "owner": "Clerk", "channel": "phone", "next": [s[7]]},
        {"id": s[7], "lane": "customer", "channel": "phone", "next": [s[8]]},
        {
            "id": s[8],
            "lane": tp2,
            "owner": "Agent",
            "channel": rng.choice(CHANNELS),
            "data": ["payment"],
            "next": [{"to": s[9], "when": "accepted"}, {"to": s[1], "when": "needs changes"}],
        },
        {"id": s[9], "lane": tp2, "owner": "Agent", "sla": "4h", "next": [] if last else [nxt]},
    ]
    for k, step in enumerate(steps):
        step["name"] = _name(rng, base + k)
    return steps


def _scalar(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    text = str(v)
    return f'"{text}"' if any(c in text for c in ":#{}[],&*!|>'\"%@`") else text


def process_yaml(steps_wanted: int, seed: int = 1, pid: str = "synthetic", shares: bool = False) -> str:
    """YAML text of a process with ``steps_wanted`` steps (rounded up to a multiple of 10).

    With ``shares``, every branch carries a share (0.8 for the first flow, 0.2 for the second):
    the retry self-loop and the rework loop then make the expected figures solve a Markov chain.
    """
    rng = random.Random(seed)
    episodes = max(1, -(-steps_wanted // 10))
    out = [
        "version: 1",
        "process:",
        f"  id: {pid}",
        f"  name: Synthetic process {pid}",
        "  owner: Benchmarks",
        "lanes:",
    ]
    for lid, name, kind in LANES:
        out += [f"  - id: {lid}", f"    name: {name}", f"    kind: {kind}"]
    out.append("steps:")
    for e in range(episodes):
        for step in episode_steps(rng, e * 10, e == episodes - 1):
            out.append(f"  - id: {step['id']}")
            for key in (
                "name",
                "lane",
                "visibility",
                "channel",
                "owner",
                "backup",
                "duration",
                "sla",
                "evidence",
                "fail_point",
            ):
                if key in step:
                    out.append(f"    {key}: {_scalar(step[key])}")
            if "data" in step:
                out.append(f"    data: [{', '.join(step['data'])}]")
            if step["next"]:
                out.append("    next:")
                for k, flow in enumerate(step["next"]):
                    if isinstance(flow, dict):
                        out.append(f"      - to: {flow['to']}")
                        out.append(f"        when: {_scalar(flow['when'])}")
                        if shares:
                            out.append(f"        share: {0.8 if k == 0 else 0.2}")
                    else:
                        out.append(f"      - {flow}")
    return "\n".join(out) + "\n"


# -- hostile shapes (issue 15): small valid files whose cost explodes when an algorithm is not linear

_SHAPE_LANES = [("customer", "customer"), ("front", "onstage"), ("office", "backstage"), ("system", "support")]


def _shape_header(pid: str) -> list[str]:
    out = ["version: 1", "process:", f"  id: {pid}", f"  name: {pid}", "lanes:"]
    for lid, kind in _SHAPE_LANES:
        out.append(f"  - {{id: {lid}, name: {lid.capitalize()}, kind: {kind}}}")
    out.append("steps:")
    return out


def branchy_yaml(steps: int, fanout: int = 5) -> str:
    """4 lanes in turn, each step branching to the next ``fanout``: 400 steps made audit take 49 s.

    Every pair of touchpoints has backstage work between it along many paths,
    so a report that lists each (touchpoint, touchpoint) wait grows as n³.
    """
    out = _shape_header(f"branchy-{steps}")
    for i in range(steps):
        lane = _SHAPE_LANES[i % 4][0]
        targets = [f"s{j}" for j in range(i + 1, min(steps, i + 1 + fanout))]
        extra = ", duration: 5m" if lane != "customer" else ""
        flows = ", ".join(f"{{to: {t}, when: branch {t}}}" for t in targets)
        out.append(f"  - {{id: s{i}, name: Step {i}, lane: {lane}{extra}, next: [{flows}]}}")
    return "\n".join(out) + "\n"


def dense_yaml(steps: int, flows: int = 40) -> str:
    """``steps`` steps with ``flows`` flows each (2,000 × 40 is within --max-steps 2000)."""
    out = _shape_header(f"dense-{steps}x{flows}")
    for i in range(steps):
        lane = _SHAPE_LANES[i % 4][0]
        targets = [f"s{(i + k) % steps}" for k in range(1, flows + 1) if (i + k) % steps != i]
        body = ", ".join(f"{{to: {t}, when: to {t}}}" for t in targets)
        out.append(f"  - {{id: s{i}, name: Step {i}, lane: {lane}, next: [{body}]}}")
    out.append("  - {id: end, name: End, lane: customer}")
    out[-2] = out[-2].replace("next: [", "next: [{to: end, when: done}, ", 1)
    return "\n".join(out) + "\n"


def long_word_yaml(chars: int) -> str:
    """One step whose name is a single ``chars``-character word (20 MB is within the default size limit)."""
    out = _shape_header(f"word-{chars}")
    out.append("  - id: first")
    out.append("    name: " + "w" * chars)
    out.append("    lane: customer")
    out.append("    next: [second]")
    out.append("  - {id: second, name: Second, lane: front}")
    return "\n".join(out) + "\n"


SHAPES = {"branchy": branchy_yaml, "dense": dense_yaml, "word": long_word_yaml}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000, help="steps per process (multiple of 10)")
    parser.add_argument("--files", type=int, default=1, help="number of files (a corpus when > 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", required=True, help="file (one process) or directory (corpus)")
    parser.add_argument("--shares", action="store_true", help="a share on every branch (expected figures)")
    parser.add_argument(
        "--shape",
        choices=sorted(SHAPES),
        help="a hostile shape instead of the realistic process: branchy (--steps), dense (--steps, 40 flows "
        "each), word (--steps characters in one step name)",
    )
    args = parser.parse_args()
    if args.shape:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(SHAPES[args.shape](args.steps))
        return
    if args.files == 1 and not args.output.endswith(os.sep):
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(process_yaml(args.steps, args.seed, shares=args.shares))
        return
    os.makedirs(args.output, exist_ok=True)
    for i in range(args.files):
        path = os.path.join(args.output, f"process-{i:04d}.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(process_yaml(args.steps, args.seed + i, pid=f"synthetic-{i:04d}", shares=args.shares))


if __name__ == "__main__":
    main()
