#!/usr/bin/env python3
"""Fill a corpus directory with seeds: the examples, every rule's good/bad example, and hostile shapes.

Usage: python fuzz/seed_corpus.py DIR
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


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for data in seeds():
        (target / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{len(list(target.iterdir()))} seeds in {target}")


if __name__ == "__main__":
    main()
