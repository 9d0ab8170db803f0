"""Generate large synthetic but realistic procmap processes for benchmarks.

A process is a chain of "episodes", each shaped like real service work: the
customer acts, an onstage party responds, backstage staff and support systems
relay the work (with a retry loop and a branch), and a different onstage party
comes back to the customer — so every figure the audit computes has real work
to do (visible handoffs with `via`, crossings, waits, data classes).

Usage:
    python benchmarks/generate.py --steps 20000 -o big.yaml
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


def process_yaml(steps_wanted: int, seed: int = 1, pid: str = "synthetic") -> str:
    """YAML text of a process with ``steps_wanted`` steps (rounded up to a multiple of 10)."""
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
                for flow in step["next"]:
                    if isinstance(flow, dict):
                        out.append(f"      - to: {flow['to']}")
                        out.append(f"        when: {_scalar(flow['when'])}")
                    else:
                        out.append(f"      - {flow}")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000, help="steps per process (multiple of 10)")
    parser.add_argument("--files", type=int, default=1, help="number of files (a corpus when > 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", required=True, help="file (one process) or directory (corpus)")
    args = parser.parse_args()
    if args.files == 1 and not args.output.endswith(os.sep):
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(process_yaml(args.steps, args.seed))
        return
    os.makedirs(args.output, exist_ok=True)
    for i in range(args.files):
        path = os.path.join(args.output, f"process-{i:04d}.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(process_yaml(args.steps, args.seed + i, pid=f"synthetic-{i:04d}"))


if __name__ == "__main__":
    main()
