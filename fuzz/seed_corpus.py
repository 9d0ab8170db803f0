#!/usr/bin/env python3
"""Fill a corpus directory with seeds: the examples, every rule's good/bad example, and hostile shapes.

Usage: python fuzz/seed_corpus.py DIR            (process files, for fuzz_check_text.py)
       python fuzz/seed_corpus.py --logs DIR     (event logs, for fuzz_logs.py)
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


def main() -> None:
    logs = sys.argv[1:2] == ["--logs"]
    args = sys.argv[2:] if logs else sys.argv[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    target = Path(args[0])
    target.mkdir(parents=True, exist_ok=True)
    for data in LOG_SEEDS if logs else seeds():
        (target / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{len(list(target.iterdir()))} seeds in {target}")


if __name__ == "__main__":
    main()
