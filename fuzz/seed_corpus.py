#!/usr/bin/env python3
"""Fill a corpus directory with seeds: the examples, every rule's good/bad example, and hostile shapes.

Usage: python fuzz/seed_corpus.py DIR            (process files, for fuzz_check_text.py)
       python fuzz/seed_corpus.py --logs DIR     (event logs, for fuzz_logs.py)
       python fuzz/seed_corpus.py --bpmn DIR     (for fuzz_import.py: the MIWG models and import reproducers)
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


# Event logs for fuzz_logs.py: the first byte picks the format (0 .csv, 1 .csv.gz, 2 .xes, 3 .xes.gz).
_CSV = b"case,activity,timestamp,resource\n1,order,2024-05-01T10:00:00Z,\n1,ORDER_CONFIRMED,2024-05-01T10:20:00Z,ann\n"
_XES = (
    b'<log xmlns="http://www.xes-standard.org/"><trace><string key="concept:name" value="1"/>'
    b'<event><string key="concept:name" value="order"/><date key="time:timestamp" value="2024-05-01T10:00:00Z"/>'
    b"</event></trace></log>"
)
LOG_SEEDS = [
    b"\x00" + _CSV,
    b"\x01" + _CSV,
    b"\x02" + _XES,
    b"\x03" + _XES,
    # issue 24's reproducers, as bytes
    b"\x00" + _CSV.replace(b"2024-05-01T10:20:00Z", b"epoch"),
    b"\x00" + _CSV.replace(b"10:20:00Z", b"10:20:00+99:00"),
    b"\x00" + _CSV.replace(b"2024-05-01T10:20:00Z", b"1899-12-31T23:00:00Z"),
    b"\x00" + _CSV + b"\x00" * 4096,
    b"\x00" + _CSV.replace(b"\n", b"\r"),
    b"\x00" + _CSV + b'1,"' + b"x" * 4000 + b'",2024-05-01T11:00:00Z,\n',
    b"\x00" + _CSV + b"2,\x1b[2Jclear\xc2\x9b31m,2024-05-01T16:00:00Z,\n",
    b"\x00case;activity;timestamp\n1;order;2024-05-01 10:00\n",
    b"\x00\xef\xbb\xbfcase\tactivity\ttimestamp\n1\torder\t2024-05-01\n",
    b"\x02" + _XES.replace(b"</trace>", b'</trace><event><string key="concept:name" value="x"/></event>'),
    b"\x02" + _XES.replace(b"<trace>", b"<trace><event/>" * 3),
    b'\x02<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + _XES,
    b"\x02"
    + _XES.replace(b"<log", b'<log><global scope="trace"><string key="concept:name" value="g"/></global').replace(
        b'"/><trace>', b'"/></global><trace>', 1
    ),
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
    kind = sys.argv[1] if sys.argv[1:2] in (["--logs"], ["--bpmn"]) else None
    args = sys.argv[2:] if kind else sys.argv[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    target = Path(args[0])
    target.mkdir(parents=True, exist_ok=True)
    chosen = LOG_SEEDS if kind == "--logs" else bpmn_seeds() if kind == "--bpmn" else seeds()
    for data in chosen:
        (target / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{len(list(target.iterdir()))} seeds in {target}")


if __name__ == "__main__":
    main()
