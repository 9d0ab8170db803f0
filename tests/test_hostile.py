"""Hostile and broken input (issue 6), for every command.

Each case runs the real CLI in a subprocess (a segfault shows as a negative
return code instead of killing pytest) and checks the contract of SPEC §3: a
specific message naming the file (with line:col where there is one), exit 1
(invalid process) or 2 (cannot read / not a process), no traceback, within a
time bound (a hang guard, not a benchmark) and a memory bound (peak RSS of the
child, from ``wait4``).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

TIME_LIMIT = 10.0  # seconds of CPU per run (never wall-clock time, which load stretches): a hang guard only
MEMORY_LIMIT_MB = 600  # peak resident memory of one run
COMMANDS = ("validate", "audit", "render", "export", "diff")
OUTPUT_COMMANDS = ("validate", "audit", "render", "export")

GOOD = """\
version: 1
process:
  id: support-ticket
  name: Support ticket
lanes:
  - id: customer
    name: Customer
    kind: customer
  - id: agent
    name: Support agent
    kind: onstage
steps:
  - id: open-ticket
    name: Open a ticket
    lane: customer
    next: [triage]
  - id: triage
    name: Triage ticket
    lane: agent
    owner: Tier-1 agent
"""
assert GOOD.count("\n") == 20  # positions below are computed from this layout

HEADER = """\
version: 1
process:
  id: big
  name: Big
lanes:
  - id: customer
    name: Customer
    kind: customer
  - id: agent
    name: Agent
    kind: onstage
  - id: office
    name: Back office
    kind: backstage
steps:
"""


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    cpu_seconds: float
    max_rss_mb: float

    def __str__(self) -> str:
        return (
            f"exit {self.returncode} after {self.seconds:.2f}s ({self.cpu_seconds:.2f}s CPU), "
            f"{self.max_rss_mb:.0f} MB\n"
            f"--- stdout\n{self.stdout[:2000]}\n--- stderr\n{self.stderr[:2000]}"
        )


def run_measured(
    args: list[str | Path],
    *,
    cwd: str | Path | None = None,
    input: bytes | None = None,
    preexec_fn: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
) -> Outcome:
    """Run ``python -m procmap ARGS``; its CPU time and peak RSS from wait4, killed past 4x TIME_LIMIT of CPU.

    The guard is CPU time (forkserver.Watchdog), so a loaded machine cannot fail a run; wall time is only
    reported, and capped as a last resort (forkserver.wall_cap) for a run blocked without using CPU.
    """
    from forkserver import Watchdog, wall_cap

    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    for name in ("GITHUB_ACTIONS", "PROCMAP_DEBUG", "FORCE_COLOR"):
        full_env.pop(name, None)
    if input is None and preexec_fn is None and not os.environ.get("PROCMAP_TESTS_NO_FORKSERVER"):
        return _run_forked([str(a) for a in args], cwd=cwd, env=full_env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "procmap", *[str(a) for a in args]],
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=full_env,
            preexec_fn=preexec_fn,
        )
        dog = Watchdog(proc.pid, proc.kill, cpu_limit=TIME_LIMIT * 4, wall_limit=wall_cap(TIME_LIMIT * 4))
        try:
            if input is not None:
                assert proc.stdin is not None
                try:
                    proc.stdin.write(input)
                    proc.stdin.close()
                except BrokenPipeError:  # the child stopped reading: that is its right
                    pass
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            dog.stop()
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Outcome(
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
        )


def _run_forked(args: list[str], *, cwd: str | Path | None, env: dict[str, str]) -> Outcome:
    """The same run as a fork of a preloaded server (see forkserver.py: a real child, without start-up)."""
    from forkserver import SERVER

    done = SERVER.capture(args, cwd=cwd, env=env, cpu_limit=TIME_LIMIT * 4)
    return Outcome(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
        done.seconds,
        done.cpu_seconds,
        done.max_rss_mb,
    )


def command_args(command: str, path: Path | str, workdir: Path) -> list[str | Path]:
    """The argument list that makes ``command`` read ``path`` (diff reads it twice)."""
    if command == "render":
        return ["render", path, "-o", workdir / "out.svg"]
    if command == "export":
        return ["export", path, "--to", "json"]
    if command == "diff":
        return ["diff", path, path]
    return [command, path]


def assert_bounded(outcome: Outcome) -> None:
    """No crash, no traceback, no hang, no memory blow-up."""
    assert outcome.returncode >= 0, f"killed by signal {-outcome.returncode}\n{outcome}"
    assert "Traceback" not in outcome.stderr and "Traceback" not in outcome.stdout, str(outcome)
    assert outcome.cpu_seconds < TIME_LIMIT, str(outcome)  # CPU, not wall-clock: load cannot fail it
    assert outcome.max_rss_mb < MEMORY_LIMIT_MB, str(outcome)
    assert all(len(line) < 1000 for line in (outcome.stdout + outcome.stderr).splitlines()), "over-long line"
    # NO_COLOR is set: an escape character in the output came from the file (terminal injection)
    assert "\x1b" not in outcome.stdout + outcome.stderr, "raw escape character in the output"


def assert_usage_error(outcome: Outcome, path: Path | str, pattern: str) -> None:
    """Exit 2 with exactly one line on stderr that names the file and says what is wrong."""
    assert_bounded(outcome)
    assert outcome.returncode == 2, str(outcome)
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, str(outcome)
    assert str(path) in lines[0], str(outcome)
    assert re.search(pattern, lines[0], re.IGNORECASE), str(outcome)


def assert_invalid(
    outcome: Outcome, path: Path | str, rule: str, pattern: str = "", pos: tuple[int, int] | None = None
) -> None:
    """Exit 1 with a ``file:line:col: error [rule] message`` diagnostic (stdout for validate, stderr otherwise)."""
    assert_bounded(outcome)
    assert outcome.returncode == 1, str(outcome)
    text = outcome.stdout + outcome.stderr
    regex = rf"^{re.escape(str(path))}:(\d+):(\d+): error \[{re.escape(rule)}\] .*(?:{pattern})"
    found = re.search(regex, text, re.MULTILINE | re.IGNORECASE)
    assert found, f"no diagnostic matching {regex!r}\n{outcome}"
    if pos is not None:
        assert (int(found[1]), int(found[2])) == pos, f"expected {pos}, got {found[1]}:{found[2]}\n{outcome}"


def assert_accepted(outcome: Outcome, command: str, workdir: Path) -> None:
    assert_bounded(outcome)
    assert outcome.returncode == 0, str(outcome)
    if command == "render":
        from xml.etree import ElementTree

        root = ElementTree.parse(workdir / "out.svg").getroot()  # well-formed XML, whatever the labels held
        assert root.tag.endswith("svg"), "render wrote no SVG"
    if command == "export":
        json.loads(outcome.stdout)


# --------------------------------------------------------------------------- the hostile files


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it and what every command must answer."""

    name: str
    make: Callable[[Path], Path]
    code: int  # 0 accepted, 1 invalid process, 2 cannot read / not a process
    pattern: str = ""  # a regular expression the message must match
    rule: str = ""
    pos: tuple[int, int] | None = None


def _file(name: str, content: str | bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return make


def _lazy(name: str, build: Callable[[], str | bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        return _file(name, build())(folder)

    return make


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _quadratic_aliases() -> str:
    # Not exponential: one 20,000-item list aliased 10,000 times (200 M nodes for pydantic to walk).
    items = ", ".join(["x"] * 20_000)
    return f"big: &big [{items}]\nsteps: [{', '.join(['*big'] * 10_000)}]\n"


def _aliased_steps() -> str:
    # Linear, not exponential: 250,000 aliases of one step (1.2 MB) would be 250,000 steps for pydantic.
    head = "version: 1\nprocess: {id: p, name: P}\nlanes: [{id: c, name: C, kind: customer}]\nsteps:\n"
    return head + "- &s {id: a, name: b, lane: c}\n" + "- *s\n" * 250_000


def _bomb_in_process() -> str:
    lines = [f"x0: &x0 [{', '.join(['open-ticket'] * 10)}]"]
    lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]" for i in range(1, 9)]
    body = "\n  ".join(lines)
    return GOOD.replace("name: Support ticket", f"name: Support ticket\n  description:\n    {body}\n").replace(
        "next: [triage]", "next: *x8"
    )


def _steps(n: int, *, cycle: bool = False) -> str:
    """A process of ``n`` steps in one chain across three lanes (customer, onstage, backstage)."""
    lanes = ("customer", "agent", "office")
    out = [HEADER]
    for i in range(n):
        nxt = f"[s{i + 1}]" if i + 1 < n else ("[s0]" if cycle else "[]")
        out.append(f"  - id: s{i}\n    name: Step {i}\n    lane: {lanes[i % 3]}\n    owner: Someone\n    next: {nxt}\n")
    return "".join(out)


def _many_errors(n: int) -> str:
    return _steps(n).replace("    owner: Someone\n", "    ownr: Someone\n")


def _deep_block_mapping(levels: int) -> str:
    # Block mappings need one more column per level, so the file grows with the square of the depth.
    return "".join(" " * i + "a:\n" for i in range(levels)) + " " * levels + "x\n"


def _big_file() -> bytes:
    line = b"# padding padding padding padding padding padding padding padding padding padding\n"
    return GOOD.encode() + line * (50 * 1024 * 1024 // len(line) + 1)


EXECUTING_PAYLOADS = 6  # the first ones in _payload run a command when constructed by an unsafe loader


def _payload(marker: Path) -> list[tuple[str, str]]:
    """Object-building YAML: the first EXECUTING_PAYLOADS would create ``marker`` if ever constructed."""
    m = str(marker)
    return [
        ("apply-root.yaml", f'!!python/object/apply:os.system ["touch {m}"]\n'),
        (
            "apply-name.yaml",
            GOOD.replace("name: Support ticket", f'name: !!python/object/apply:os.system ["touch {m}"]'),
        ),
        (
            "new.yaml",
            GOOD.replace("owner: Tier-1 agent", f'owner: !!python/object/new:subprocess.call [["touch", "{m}"]]'),
        ),
        (
            "exec.yaml",
            GOOD.replace("next: [triage]", f"next: !!python/object/apply:builtins.exec [\"open('{m}', 'w')\"]"),
        ),
        ("verbatim.yaml", f'x: !<tag:yaml.org,2002:python/object/apply:os.system> ["touch {m}"]\n'),
        ("shorthand.yaml", f'%TAG !p! tag:yaml.org,2002:python/\n---\nx: !p!object/apply:os.system ["touch {m}"]\n'),
        ("key.yaml", f'? !!python/object/apply:os.system ["touch {m}"]\n: x\n'),
        ("name-tag.yaml", GOOD.replace("kind: onstage", "kind: !!python/name:os.system")),
        ("module.yaml", GOOD.replace("kind: onstage", "kind: !!python/module:os")),
        ("set.yaml", GOOD.replace("owner: Tier-1 agent", "owner: !!set {a, b}")),
        ("binary.yaml", GOOD.replace("owner: Tier-1 agent", "owner: !!binary aGVsbG8=")),
        ("omap.yaml", GOOD.replace("next: [triage]", "next: !!omap [{to: triage}]")),
        ("local.yaml", GOOD.replace("owner: Tier-1 agent", "owner: !vault secret")),
    ]


_CRLF_BAD = GOOD.replace("    lane: agent\n", "    lane: agnt\n").replace("\n", "\r\n")
_UNICODE_NAMES = (
    GOOD.replace("name: Support ticket", 'name: "Öffnen — 開く 😀 <b>&amp;</b> \\"quoted\\" \'single\'"')
    .replace("name: Triage ticket", 'name: "Triage\\nzweite Zeile — ✓"')
    .replace("name: Customer", "name: Kunde 客户")
)

CASES: list[Case] = [
    # alias bombs
    Case("billion-laughs", _lazy("laughs.yaml", _billion_laughs), 1, "alias", "yaml-syntax"),
    Case("quadratic-aliases", _lazy("quadratic.yaml", _quadratic_aliases), 1, "alias", "yaml-syntax"),
    Case("bomb-in-process", _lazy("bomb.yaml", _bomb_in_process), 1, "alias", "yaml-syntax"),
    Case("aliased-steps", _lazy("aliased.yaml", _aliased_steps), 1, "alias", "yaml-syntax"),
    # deep nesting: the C composer would segfault; the loader must refuse early
    Case(
        "deep-flow-sequence",
        _lazy("flowseq.yaml", lambda: "[" * 50_000 + "]" * 50_000 + "\n"),
        1,
        "nesting",
        "yaml-syntax",
        (1, 201),
    ),
    Case(
        "deep-flow-mapping",
        _lazy("flowmap.yaml", lambda: "{a: " * 50_000 + "1" + "}" * 50_000),
        1,
        "nesting",
        "yaml-syntax",
    ),
    Case("deep-block-sequence", _lazy("blockseq.yaml", lambda: "- " * 50_000 + "x\n"), 1, "nesting", "yaml-syntax"),
    Case("deep-block-mapping", _lazy("blockmap.yaml", lambda: _deep_block_mapping(3_000)), 1, "nesting", "yaml-syntax"),
    Case(
        "deep-in-process",
        _lazy("deepproc.yaml", lambda: GOOD.replace("next: [triage]", "next: " + "[" * 30_000 + "]" * 30_000)),
        1,
        "nesting",
        "yaml-syntax",
    ),
    # very long single lines (messages must stay short: values are cut)
    Case(
        "long-id",
        _lazy("longid.yaml", lambda: GOOD.replace("id: triage", "id: " + "X" * 5_000_000)),
        1,
        "must be a slug|too long",
        "schema",
        (17, 9),
    ),
    Case(
        "long-key",
        _lazy("longkey.yaml", lambda: GOOD.replace("owner: Tier-1 agent", "k" * 1000 + ": v")),
        1,
        "unknown key",
        "schema",
        (20, 5),
    ),
    Case("long-scalar", _lazy("longscalar.yaml", lambda: "z" * 10_000_000), 1, "must be a mapping", "schema", (1, 1)),
    Case(
        "long-number",
        _lazy("longnum.yaml", lambda: "version: " + "9" * 100_000 + "\n"),
        1,
        "too many digits",
        "yaml-syntax",
        (1, 10),
    ),
    # encodings and line ends
    Case(
        "binary", _file("image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4), 2, "binary file"
    ),
    Case(
        "random-bytes",
        _lazy("random.yaml", lambda: bytes(random.Random(6).randrange(1, 256) for _ in range(4096))),
        1,
        "not valid UTF-8",
        "yaml-syntax",
    ),
    Case("utf-16", _file("utf16.yaml", GOOD.encode("utf-16")), 2, "UTF-16"),
    Case(
        "latin-1",
        _file("latin1.yaml", GOOD.replace("name: Support agent", "name: Agent café").encode("latin-1")),
        1,
        "not valid UTF-8",
        "yaml-syntax",
        (10, 20),
    ),
    Case("bom", _file("bom.yaml", b"\xef\xbb\xbf" + GOOD.encode()), 0),
    Case(
        "bom-error-columns",
        _file("bomerr.yaml", b"\xef\xbb\xbf" + GOOD.replace("version: 1", "version: 2").encode()),
        1,
        "version",
        "schema",
        (1, 10),
    ),
    Case("crlf", _file("crlf.yaml", GOOD.replace("\n", "\r\n")), 0),
    Case("crlf-error-columns", _file("crlferr.yaml", _CRLF_BAD), 1, "agnt", "unknown-reference", (19, 11)),
    Case(
        "cr-only",
        _file("cr.yaml", GOOD.replace("    lane: agent\n", "    lane: agnt\n").replace("\n", "\r")),
        1,
        "agnt",
        "unknown-reference",
        (19, 11),
    ),
    Case(
        "tab-indent",
        _file("tabs.yaml", GOOD.replace("    name: Customer", "\tname: Customer")),
        1,
        "indents with spaces",
        "yaml-syntax",
        (7, 1),
    ),
    Case(
        "control-char",
        _file("ctrl.yaml", GOOD.replace("name: Triage ticket", "name: Triage\x07ticket")),
        1,
        "#x0007",
        "yaml-syntax",
        (18, 17),
    ),
    # not one process
    Case("empty", _file("empty.yaml", ""), 1, "empty", "schema", (1, 1)),
    Case("comments-only", _file("comments.yaml", "# nothing here\n\n# really\n"), 1, "empty", "schema", (1, 1)),
    Case("top-level-list", _file("list.yaml", "- version: 1\n- process: x\n"), 1, "list", "schema", (1, 1)),
    Case("top-level-scalar", _file("scalar.yaml", "just a string\n"), 1, "string", "schema", (1, 1)),
    Case(
        "several-documents",
        _file("multi.yaml", GOOD + "---\n" + GOOD),
        1,
        "several YAML documents",
        "yaml-syntax",
        (21, 1),
    ),
    Case(
        "unclosed-at-eof",
        _file("unclosed.yaml", GOOD.replace("next: [triage]", "next: [triage")),
        1,
        "invalid YAML",
        "yaml-syntax",
    ),
    # ids are slugs; names may hold any unicode
    Case(
        "unicode-step-id",
        _file("ustep.yaml", GOOD.replace("id: triage", "id: trièage")),
        1,
        "must be a slug",
        "schema",
        (17, 9),
    ),
    Case(
        "unicode-lane-id",
        _file("ulane.yaml", GOOD.replace("id: agent", "id: агент")),
        1,
        "must be a slug",
        "schema",
        (9, 9),
    ),
    Case("unicode-names", _file("unames.yaml", _UNICODE_NAMES), 0),
    # graph shapes
    Case("self-loop-only", _file("selfloop.yaml", GOOD + "    next: [triage]\n"), 1, "", "no-end"),
    Case(
        "self-loop-with-exit",
        _file(
            "selfexit.yaml",
            GOOD.replace(
                "    owner: Tier-1 agent\n",
                "    owner: Tier-1 agent\n    next: [{to: triage, when: again}, {to: done, when: solved}]\n  - id: done\n    name: Done\n    lane: agent\n    owner: Tier-1 agent\n",
            ),
        ),
        0,
    ),
    Case("huge-cycle", _lazy("cycle.yaml", lambda: _steps(20_000, cycle=True)), 1, "", "no-end"),
    Case("many-errors", _lazy("errors.yaml", lambda: _many_errors(20_000)), 1, "unknown key 'ownr'", "schema", (19, 5)),
]
# Terminal escapes, bidi overrides and other control characters in names (YAML escapes, so the file is clean text).
_CONTROL_NAMES = (
    GOOD.replace("name: Support ticket", 'name: "Clear \\e[2J\\e]0;title\\a screen \\u202e gnp.exe"')
    .replace("name: Triage ticket", 'name: "Bell \\a NUL \\0 DEL \\x7f C1 \\x9b"')
    .replace("owner: Tier-1 agent", 'owner: "Bob \\e[31m red"\n    fail_point: true')
)
# …and in a message: the no-backup info quotes the owner of a backstage step the customer waits on.
_CONTROL_MESSAGE = """\
version: 1
process: {id: p, name: "Escapes"}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
  - {id: back, name: Back, kind: backstage}
steps:
  - {id: a, name: A, lane: customer, next: [b]}
  - {id: b, name: B, lane: agent, next: [c]}
  - {id: c, name: C, lane: back, owner: "Bob \\e[2J\\e]0;title\\a\\u202e", next: [d]}
  - {id: d, name: D, lane: agent}
  - {id: e, name: E, lane: agnt}
"""
CASES += [
    Case("control-chars-in-names", _file("ctrlnames.yaml", _CONTROL_NAMES), 0),
    Case(
        "control-chars-in-messages", _file("ctrlmsg.yaml", _CONTROL_MESSAGE), 1, "agnt", "unknown-reference", (12, 28)
    ),
]
HUGE = Case("huge-valid", _lazy("huge.yaml", lambda: _steps(20_000)), 0)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


_made: dict[tuple[str, str], Path] = {}


def materialise(case: Case, folder: Path) -> Path:
    """Write each case's file once per session (some are tens of megabytes)."""
    key = (str(folder), case.name)
    if key not in _made:
        sub = folder / case.name
        sub.mkdir(exist_ok=True)
        _made[key] = case.make(sub)
    return _made[key]


def check_case(case: Case, command: str, path: Path, workdir: Path, outcome: Outcome) -> None:
    if case.code == 0:
        assert_accepted(outcome, command, workdir)
        return
    if case.code == 2:
        assert_usage_error(outcome, path, case.pattern)
    else:
        assert_invalid(outcome, path, case.rule, case.pattern, case.pos)
    if command == "render":
        assert not (workdir / "out.svg").exists(), "a failed render left an output file"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_file(case: Case, command: str, hostile_dir: Path, tmp_path: Path) -> None:
    path = materialise(case, hostile_dir)
    outcome = run_measured(command_args(command, path, tmp_path), cwd=tmp_path)
    check_case(case, command, path, tmp_path, outcome)


@pytest.mark.slow  # each run reads, checks and reports 20,000 steps
@pytest.mark.parametrize("command", ("validate", "audit", "export", "diff"))
def test_twenty_thousand_steps(command: str, hostile_dir: Path, tmp_path: Path) -> None:
    path = materialise(HUGE, hostile_dir)
    outcome = run_measured(command_args(command, path, tmp_path), cwd=tmp_path)
    assert_accepted(outcome, command, tmp_path)


@pytest.mark.slow
def test_twenty_thousand_steps_render(hostile_dir: Path, tmp_path: Path) -> None:
    """A blueprint of 20,000 steps is either drawn or refused with one clear line, never a hang."""
    path = materialise(HUGE, hostile_dir)
    outcome = run_measured(command_args("render", path, tmp_path), cwd=tmp_path)
    assert_bounded(outcome)
    if outcome.returncode == 0:
        assert (tmp_path / "out.svg").stat().st_size > 0
    else:
        assert_usage_error(outcome, path, r"step|large|limit")
        assert not (tmp_path / "out.svg").exists()


# --------------------------------------------------------------------------- object-building tags


def test_object_tags_rejected_never_executed_validate(tmp_path: Path) -> None:
    """Every object-building tag is refused at its position; one validate run checks them all."""
    marker = tmp_path / "PWNED"
    paths = []
    for name, text in _payload(marker):
        paths.append(tmp_path / name)
        paths[-1].write_text(text, encoding="utf-8")
    outcome = run_measured(["validate", *paths], cwd=tmp_path)
    for path in paths:
        assert_invalid(outcome, path, "yaml-syntax", "not allowed")
    assert not marker.exists(), "a payload ran"


@pytest.mark.parametrize("command", ("audit", "render", "export", "diff"))
def test_python_tags_rejected_never_executed(command: str, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    for name, text in _payload(marker)[:EXECUTING_PAYLOADS]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        outcome = run_measured(command_args(command, path, tmp_path), cwd=tmp_path)
        assert_invalid(outcome, path, "yaml-syntax", "not allowed")
        assert not marker.exists(), f"{name}: the payload ran"
    assert not (tmp_path / "out.svg").exists()


# --------------------------------------------------------------------------- files that cannot be read


def _drop_dac_capabilities() -> None:
    """In the child, before exec: give up root's right to ignore file permissions.

    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH are removed from the bounding set,
    so the exec'd process is root without them and mode 000 files are refused.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _unreadable_file(folder: Path) -> tuple[Path, Callable[[], None] | None]:
    """A file this test's children cannot read, and the preexec hook that makes it so for root."""
    path = folder / "secret.yaml"
    path.write_text(GOOD, encoding="utf-8")
    path.chmod(0)
    hook = _drop_dac_capabilities if os.geteuid() == 0 else None
    from forkserver import run_process

    try:
        probe = run_process([sys.executable, "-c", f"open({str(path)!r}).read()"], preexec_fn=hook, cpu_limit=30)
    except (OSError, subprocess.SubprocessError):
        pytest.skip("cannot drop root's file-permission capabilities here")
    if probe.returncode == 0:
        pytest.skip("this environment reads mode-000 files anyway")
    return path, hook


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_file(command: str, tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert_usage_error(run_measured(command_args(command, path, tmp_path), cwd=tmp_path), path, "no such file")


@pytest.mark.parametrize("command", COMMANDS)
def test_directory(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    (folder / "other.yaml").write_text("just: yaml\n", encoding="utf-8")
    outcome = run_measured(command_args(command, folder, tmp_path), cwd=tmp_path)
    assert_usage_error(outcome, folder, r"director|no process files")


@pytest.mark.parametrize("command", COMMANDS)
def test_fifo(command: str, tmp_path: Path) -> None:
    """Opening a FIFO with no writer would block forever; it must be refused without opening it."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    outcome = run_measured(command_args(command, fifo, tmp_path), cwd=tmp_path)
    assert_usage_error(outcome, fifo, "not a regular file")


@pytest.mark.parametrize("command", COMMANDS)
def test_broken_symlink(command: str, tmp_path: Path) -> None:
    link = tmp_path / "dangling.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    assert_usage_error(run_measured(command_args(command, link, tmp_path), cwd=tmp_path), link, "broken symbolic link")


@pytest.mark.parametrize("command", COMMANDS)
def test_symlink_loop(command: str, tmp_path: Path) -> None:
    link = tmp_path / "loop.yaml"
    link.symlink_to(link)
    assert_usage_error(run_measured(command_args(command, link, tmp_path), cwd=tmp_path), link, "symbolic link")


@pytest.mark.parametrize("command", COMMANDS)
def test_permission_denied(command: str, tmp_path: Path) -> None:
    """Root ignores permissions, so as root the child runs without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH."""
    path, hook = _unreadable_file(tmp_path)
    try:
        outcome = run_measured(command_args(command, path, tmp_path), cwd=tmp_path, preexec_fn=hook)
        assert_usage_error(outcome, path, "permission denied")
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


# --------------------------------------------------------------------------- size limits


@dataclass(frozen=True)
class SizeCase:
    name: str
    extra: tuple[str, ...]
    config: str | None


@pytest.mark.parametrize("command", COMMANDS)
def test_fifty_megabytes_refused(command: str, hostile_dir: Path, tmp_path: Path) -> None:
    path = materialise(Case("big-file", _lazy("big.yaml", _big_file), 2), hostile_dir)
    assert path.stat().st_size > 50 * 1024 * 1024
    outcome = run_measured(command_args(command, path, tmp_path), cwd=tmp_path)
    assert_usage_error(outcome, path, r"over the .*-byte limit.*max-file-size")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "how",
    [SizeCase("option", ("--max-file-size", "100"), None), SizeCase("config", (), "max-file-size = 100\n")],
    ids=lambda h: h.name,
)
def test_max_file_size_is_configurable(command: str, how: SizeCase, tmp_path: Path) -> None:
    path = tmp_path / "process.yaml"
    path.write_text(GOOD, encoding="utf-8")
    if how.config:
        (tmp_path / "procmap.toml").write_text(how.config, encoding="utf-8")
    outcome = run_measured([*command_args(command, path, tmp_path), *how.extra], cwd=tmp_path)
    assert_usage_error(outcome, path, r"over the 100-byte limit")
    # and the same file passes once the limit is raised again
    raised = ["--max-file-size", "100000"] if how.extra else []
    if how.config:
        (tmp_path / "procmap.toml").write_text("max-file-size = 100000\n", encoding="utf-8")
    assert_accepted(run_measured([*command_args(command, path, tmp_path), *raised], cwd=tmp_path), command, tmp_path)


@pytest.mark.parametrize("command", ("validate", "audit"))
def test_oversized_stdin(command: str, tmp_path: Path) -> None:
    outcome = run_measured([command, "-", "--max-file-size", "1000"], cwd=tmp_path, input=GOOD.encode() * 100)
    assert_usage_error(outcome, "<stdin>", r"over the 1,000-byte limit")


@pytest.mark.parametrize("command", ("validate", "audit"))
def test_binary_stdin(command: str, tmp_path: Path) -> None:
    outcome = run_measured([command, "-"], cwd=tmp_path, input=b"\x00\x01\x02" * 1000)
    assert_usage_error(outcome, "<stdin>", "binary file")


# --------------------------------------------------------------------------- outputs


def _good(tmp_path: Path, name: str = "process.yaml") -> Path:
    path = tmp_path / name
    path.write_text(GOOD, encoding="utf-8")
    return path


OUT_NAME = {"validate": "report.txt", "audit": "report.txt", "render": "out.svg", "export": "graph.json"}


def _with_output(command: str, path: Path, out: Path | str) -> list[str | Path]:
    if command == "export":
        return ["export", path, "--to", "json", "-o", out]
    if command == "render":
        return ["render", path, "--format", "svg", "-o", out]
    return [command, path, "-o", out]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp"))


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_never_writes_onto_an_input(command: str, tmp_path: Path) -> None:
    path = _good(tmp_path)
    before = path.read_bytes()
    (tmp_path / "alias.yaml").symlink_to(path)
    for target in (path, "./process.yaml", f"{tmp_path}/./process.yaml", tmp_path / "alias.yaml"):
        outcome = run_measured(_with_output(command, path, target), cwd=tmp_path)
        assert_bounded(outcome)
        assert outcome.returncode == 2, str(outcome)
        assert "input" in outcome.stderr, str(outcome)
        assert path.read_bytes() == before
    hard = tmp_path / f"hard-{OUT_NAME[command]}"
    os.link(path, hard)
    outcome = run_measured(_with_output(command, path, hard), cwd=tmp_path)
    assert outcome.returncode == 2, str(outcome)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def _failing_input(command: str, tmp_path: Path) -> list[Path]:
    """Inputs that make ``command`` fail: a missing file (all), an invalid process (commands that validate first)."""
    missing = tmp_path / "missing.yaml"
    if command == "validate":
        return [missing]
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("lane: agent", "lane: agnt"), encoding="utf-8")
    return [missing, bad]


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_failure_leaves_no_output(command: str, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for path in _failing_input(command, tmp_path):
        fresh = out_dir / f"fresh-{OUT_NAME[command]}"
        outcome = run_measured(_with_output(command, path, fresh), cwd=tmp_path)
        assert_bounded(outcome)
        assert outcome.returncode in (1, 2), str(outcome)
        assert not fresh.exists(), f"{path.name}: a failed run created its output"
        kept = out_dir / f"kept-{OUT_NAME[command]}"
        kept.write_text("previous content", encoding="utf-8")
        outcome = run_measured(_with_output(command, path, kept), cwd=tmp_path)
        assert outcome.returncode in (1, 2), str(outcome)
        assert kept.read_text(encoding="utf-8") == "previous content", "a failed run clobbered the old output"
        kept.unlink()
        assert list(out_dir.iterdir()) == [], "temporary files left behind"


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_replaced_atomically(command: str, tmp_path: Path) -> None:
    """The output is renamed into place: a hard link to the old output keeps the old bytes."""
    path = _good(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / OUT_NAME[command]
    out.write_text("old", encoding="utf-8")
    os.link(out, tmp_path / "old-copy")
    outcome = run_measured(_with_output(command, path, out), cwd=tmp_path)
    assert_bounded(outcome)
    assert outcome.returncode == 0, str(outcome)
    assert out.read_bytes() != b"old" and out.stat().st_size > 0
    assert (tmp_path / "old-copy").read_text(encoding="utf-8") == "old", "output was rewritten in place"
    assert sorted(p.name for p in out_dir.iterdir()) == [OUT_NAME[command]]


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_into_missing_directory_creates_it(command: str, tmp_path: Path) -> None:
    """Issue 10 item 8: `-o` creates missing parent folders (docs/editors.md's `schema -o .procmap/...`)."""
    path = _good(tmp_path)
    out = tmp_path / "no" / "such" / "dir" / OUT_NAME[command]
    outcome = run_measured(_with_output(command, path, out), cwd=tmp_path)
    assert outcome.returncode in (0, 1), str(outcome)
    assert out.stat().st_size > 0
    assert f"wrote {out}" in outcome.stderr


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_folder_blocked_by_a_file(command: str, tmp_path: Path) -> None:
    path = _good(tmp_path)
    (tmp_path / "no").write_text("a file where a folder should be")
    out = tmp_path / "no" / "dir" / OUT_NAME[command]
    outcome = run_measured(_with_output(command, path, out), cwd=tmp_path)
    assert_usage_error(outcome, out, "cannot create the folder")


def test_write_output_cleans_up_when_rename_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procmap import fileio
    from procmap.diagnostics import UsageError

    out = tmp_path / "out.txt"
    out.write_text("old", encoding="utf-8")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", refuse)
    with pytest.raises(UsageError, match="No space left"):
        fileio.write_output(str(out), "new content", inputs=[])
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_write_output_cleans_up_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procmap import fileio

    def interrupt(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fileio.write_output(str(tmp_path / "out.txt"), b"bytes", inputs=[])
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- loader units (fast, in-process)


@pytest.mark.parametrize(
    ("text", "rule", "pos", "fragment"),
    [
        ("version: 1\nprocess: [a\n", "yaml-syntax", (2, 12), "invalid YAML"),  # libyaml says line 3: past the end
        ("version: 1\rprocess: [a\r", "yaml-syntax", (2, 12), "invalid YAML"),
        ("version: 1\nprocess:\x0c x\n", "yaml-syntax", (2, 9), "#x000c"),
        ("a: 1 # hé \x01\n", "yaml-syntax", (1, 11), "#x0001"),
        ("version: !!int abc\n", "yaml-syntax", (1, 10), "as int"),
        ("version: !!float abc\n", "yaml-syntax", (1, 10), "as float"),
        ("version: !!bool maybe\n", "yaml-syntax", (1, 10), "as bool"),
        ("version: " + "9" * 5000 + "\n", "yaml-syntax", (1, 10), "too many digits"),
        ("version: 1\nname: \ud800\n", "yaml-syntax", (2, 7), "surrogate"),
        ("a: &a [*a]\n", "yaml-syntax", (1, 8), "unknown alias"),
    ],
)
def test_loader_errors_are_positioned(text: str, rule: str, pos: tuple[int, int], fragment: str) -> None:
    from procmap.config import Config
    from procmap.validate import check_text

    result = check_text(text, "f.yaml", Config())
    first = result.diagnostics[0]
    assert (first.rule, (first.line, first.column)) == (rule, pos), first
    assert fragment in first.message
    assert "\n" not in first.message


def test_signals_are_not_swallowed_as_success() -> None:
    """Sanity check of the harness itself: a child killed by a signal is reported as such."""
    proc = subprocess.Popen([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"])
    _, status, _ = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == -signal.SIGSEGV


def test_payloads_are_live(tmp_path: Path) -> None:
    """Control for the non-execution tests: PyYAML's unsafe loader does run each executing payload."""
    import yaml

    marker = tmp_path / "PWNED"
    for name, text in _payload(marker)[:EXECUTING_PAYLOADS]:
        yaml.unsafe_load(text)
        assert marker.exists(), f"{name} is not a live payload, so it proves nothing"
        marker.unlink()


def test_shared_anchors_within_budget() -> None:
    """Anchors used as intended (one data list shared by every step) stay well inside the alias budget."""
    from procmap.config import Config
    from procmap.validate import check_text

    text = (
        _steps(20_000)
        .replace("    owner: Someone\n", "    owner: Someone\n    data: *classes\n")
        .replace("steps:\n", "classes: &classes [a, b, c, d, e, f, g, h, i, j]\nsteps:\n", 1)
    )
    text = text.replace("    data: *classes\n", "    data: &classes [a, b, c, d, e, f, g, h, i, j]\n", 1).replace(
        "classes: &classes [a, b, c, d, e, f, g, h, i, j]\n", "", 1
    )
    result = check_text(text, "shared.yaml", Config())
    assert [d for d in result.diagnostics if d.rule in ("yaml-syntax", "schema")] == []
    assert result.model is not None and all(len(s.data) == 10 for s in result.model.steps)
