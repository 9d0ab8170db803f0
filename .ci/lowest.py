"""Print pip constraints that pin every direct dependency to the lowest version pyproject.toml allows.

CI installs the project with these (``pip install -e ".[dev]" -c FILE``) and
runs the suite again, so a lower bound that is too low fails CI instead of a
user's install. Indirect dependencies still resolve to their newest release
(uv calls this ``--resolution lowest-direct``). A dependency without a lower
bound cannot be tested this way, so it is an error.

    python3 .ci/lowest.py > lowest.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*?)\s*(?:;.*)?$")


def lowest(requirement: str) -> str | None:
    """``name==X`` for a requirement whose specifiers include ``>=X`` or ``==X``; None without a lower bound."""
    match = _REQ.match(requirement)
    if not match:
        raise ValueError(f"cannot read requirement {requirement!r}")
    name, specifiers = match.group(1), match.group(2)
    for spec in filter(None, (s.strip() for s in specifiers.split(","))):
        op, version = re.match(r"(===|==|>=|~=|<=|!=|<|>)\s*(\S+)", spec).groups()
        if op in (">=", "~=", "==", "==="):
            return f"{name}=={version}"
    return None


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pins: dict[str, str] = {}
    missing = []
    for requirement in requirements:
        pin = lowest(requirement)
        if pin is None:
            missing.append(requirement)
        else:
            pins.setdefault(pin.split("==")[0].lower(), pin)
    if missing:
        print(f"lowest.py: no lower bound on {', '.join(missing)}; add one to pyproject.toml", file=sys.stderr)
        return 1
    print("\n".join(sorted(pins.values(), key=str.lower)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
