#!/usr/bin/env python3
"""Fill a corpus directory with seeds: the examples, every rule's good/bad example, and hostile shapes.

Usage: python fuzz/seed_corpus.py DIR
       python fuzz/seed_corpus.py --bpmn DIR   (for fuzz_import.py: the MIWG models and import reproducers)
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = [
    b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n",
    b"[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]\n",
    b"- - - - - - - - - - x\n",
    b"\xef\xbb\xbfversion: 1\r\nprocess: {id: p, name: P}\r\n",
    b"version: 1\nprocess:\n\tid: p\n",
    b"--- \nversion: 1\n---\nversion: 1\n",
    b'!!python/object/apply:os.system ["true"]\n',
    b"version: !!int abc\nprocess: !!binary aGk=\n",
    b"%TAG !p! tag:yaml.org,2002:\n---\nversion: !p!int 1\n",
    b"? [a]\n: b\n<<: {c: d}\n",
    b"version: 1\nversion: 1\nprocess: {id: p, id: q}\n",
]


def seeds() -> list[bytes]:
    out: list[bytes] = []
    for folder in (ROOT / "examples", ROOT / "fuzz" / "seeds"):
        if folder.is_dir():
            out.extend(p.read_bytes() for p in sorted(folder.rglob("*.y*ml")))
    sys.path.insert(0, str(ROOT / "src"))
    from procmap.rules import RULES

    for rule in RULES:
        for text in (getattr(rule, "bad", ""), getattr(rule, "good", "")):
            if text:
                out.append(text.encode("utf-8"))
    return out + HOSTILE


def _bpmn(body: str, collaboration: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'id="d">{collaboration}{body}</definitions>\n'
    ).encode()


def bpmn_seeds() -> list[bytes]:
    """The BPMN MIWG models (read from ../shared at run time, never copied here) and issue 24's import shapes."""
    miwg = ROOT.parent / "shared" / "oracles" / "miwg"
    out = [p.read_bytes() for p in sorted(miwg.glob("*.bpmn"))] if miwg.is_dir() else []
    flow = '<sequenceFlow id="{0}" sourceRef="{1}" targetRef="{2}"/>'
    ring = "".join(
        f'<exclusiveGateway id="g{i}"/>' + flow.format(f"r{i}", f"g{i}", f"g{(i + 1) % 20}") for i in range(20)
    )
    out.append(
        _bpmn(
            f'<process id="p"><startEvent id="s"/><task id="a" name="A"/>{flow.format("f1", "s", "a")}'
            f"{flow.format('f2', 'a', 'g0')}{ring}</process>"
        )
    )  # fmt: skip  (item 15: a ring)
    out.append(
        _bpmn(
            '<process id="p"><startEvent id="s"/><callActivity id="c" name="Again" calledElement="p"/>'
            f"{flow.format('f', 's', 'c')}</process>"
        )
    )  # fmt: skip  (item 15: calls itself)
    lanes = "".join(f'<lane id="L{i}" name="Lane {i}"><flowNodeRef>t{i}</flowNodeRef></lane>' for i in range(8))
    tasks = "".join(f'<task id="t{i}" name="T{i}"/>' + flow.format(f"f{i}", f"t{i}", f"t{i + 1}") for i in range(7))
    out.append(_bpmn(f'<process id="p"><laneSet id="ls">{lanes}</laneSet><task id="t7"/>{tasks}</process>'))  # 11
    events = "".join(
        f'<{tag} id="e{i}" name="E{i}"><{d}EventDefinition/></{tag}>' + flow.format(f"x{i}", f"e{i}", f"e{i + 1}")
        for i, (tag, d) in enumerate(
            [
                ("intermediateCatchEvent", "conditional"),
                ("intermediateThrowEvent", "signal"),
                ("intermediateCatchEvent", "signal"),
                ("intermediateThrowEvent", "message"),
                ("intermediateThrowEvent", "escalation"),
                ("intermediateCatchEvent", "message"),
            ]
        )
    )
    out.append(
        _bpmn(
            f'<process id="p"><startEvent id="s"/>{flow.format("f0", "s", "e0")}{events}<endEvent id="e6"/></process>'
        )
    )  # fmt: skip  (item 6: intermediate events)
    out.append(_bpmn('<collaboration id="c"><participant id="P" name="Customer Onboarding" processRef="p"/>'
                     '</collaboration><process id="p"><task id="a" name="\u009b2J\u202eName\x7f"/></process>'))  # fmt: skip
    return out


def main() -> None:
    bpmn = sys.argv[1:2] == ["--bpmn"]
    if len(sys.argv) != 2 + bpmn:
        sys.exit(__doc__)
    target = Path(sys.argv[-1])
    target.mkdir(parents=True, exist_ok=True)
    for data in bpmn_seeds() if bpmn else seeds():
        (target / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{len(list(target.iterdir()))} seeds in {target}")


if __name__ == "__main__":
    main()
