"""Read a process file as it was at a git revision: ``git:REV:path``.

`procmap diff git:main:process.yaml process.yaml` is how a pull-request
pipeline compares a branch with its base, so the old side must come straight
from git without a checkout.  procmap shells out to the ``git`` found on PATH
(in the current directory's repository) instead of depending on a git library:
CI images already have git, and its own rev parsing (``origin/main``,
``HEAD~1``, tags, sha prefixes) is exactly what users expect.

``path`` is relative to the current directory, like every other path on the
command line (git itself would read ``REV:path`` from the repository root; we
pass ``REV:./path``).  Every failure is a one-line :class:`UsageError`
(exit 2) naming the argument, except a path that did not exist at ``REV``,
which the caller may accept as "no process yet" (``--allow-missing-old``).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from procmap.diagnostics import UsageError
from procmap.load.loader import DEFAULT_MAX_FILE_SIZE

PREFIX = "git:"
_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class GitSpec:
    """A parsed ``git:REV:path`` argument."""

    text: str  # as the user wrote it: the name used in every message
    rev: str
    path: str


class MissingAtRevision(Exception):
    """The revision exists but the path does not exist in it."""

    def __init__(self, spec: GitSpec) -> None:
        super().__init__(f"{spec.text}: '{spec.path}' does not exist at {spec.rev}")
        self.spec = spec


def is_git_spec(arg: str) -> bool:
    return arg.startswith(PREFIX)


def parse_spec(arg: str) -> GitSpec:
    """Split ``git:REV:path`` at the first colon after ``git:``.

    Ref names cannot contain ``:`` (git-check-ref-format), so the first colon
    always ends the revision and the path may contain colons of its own.
    """
    body = arg[len(PREFIX) :]
    if "\n" in body or "\0" in body:
        raise UsageError(f"{arg!r}: a git:REV:PATH argument cannot contain newlines or NUL")
    rev, sep, path = body.partition(":")
    if not sep or not rev or not path:
        raise UsageError(f"{arg}: expected git:REV:PATH, e.g. git:main:process.yaml or git:HEAD~1:processes/order.yaml")
    if rev.startswith("-"):
        raise UsageError(f"{arg}: a revision cannot start with '-'")
    return GitSpec(arg, rev, path)


def _git(args: list[str], spec: GitSpec, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", "--no-pager", *args], input=stdin, capture_output=True, env=env, timeout=_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise UsageError(f"{spec.text}: git is not installed (needed to read git:REV:PATH)") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"{spec.text}: git did not answer within {_TIMEOUT:.0f} seconds") from None
    except OSError as exc:
        raise UsageError(f"{spec.text}: cannot run git: {exc.strerror or exc}") from None


def _last_line(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    return text.splitlines()[-1].removeprefix("fatal: ") if text else "unknown git error"


def _object_name(spec: GitSpec) -> str:
    """``REV:./path`` (current-directory relative), or ``REV:path`` from the top when the path leaves the folder.

    A path that is absolute or climbs with ``..`` is resolved against the
    repository's top: outside it is a usage error.  (Passed to git as
    ``REV:../../etc/passwd`` it only said "does not exist", and with
    --allow-missing-old compared against an empty process.)
    """
    norm = os.path.normpath(spec.path).replace(os.sep, "/")
    if not os.path.isabs(spec.path) and not (norm == ".." or norm.startswith("../")):
        return f"{spec.rev}:./{norm}"
    top = _git(["rev-parse", "--show-toplevel"], spec)
    root = os.path.realpath(top.stdout.decode("utf-8", "replace").strip())
    if os.path.isabs(spec.path):
        full = os.path.realpath(spec.path)
    else:
        full = os.path.normpath(os.path.join(os.path.realpath(os.getcwd()), spec.path))
    rel = os.path.relpath(full, root)
    if rel == ".." or rel.startswith(".." + os.sep):
        raise UsageError(f"{spec.text}: {spec.path} is outside the repository at {root}")
    return f"{spec.rev}:{rel.replace(os.sep, '/')}"


def read_spec(spec: GitSpec, *, max_size: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of ``spec.path`` at ``spec.rev``; :class:`MissingAtRevision` if it was not there."""
    inside = _git(["rev-parse", "--is-inside-work-tree"], spec)
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise UsageError(f"{spec.text}: {os.getcwd()} is not inside a git work tree")
    rev = _git(["rev-parse", "--verify", "--quiet", f"{spec.rev}^{{commit}}"], spec)
    if rev.returncode != 0:
        raise UsageError(
            f"{spec.text}: unknown revision '{spec.rev}' (a shallow CI clone may lack it: git fetch origin <branch>)"
        )
    name = _object_name(spec)
    # One call for existence, type and size: "blob 1234", or "<name> missing" (the name may hold
    # spaces: "HEAD:./new process.yaml missing", so the answer is read from its end, never split).
    check = _git(["cat-file", "--batch-check=%(objecttype) %(objectsize)"], spec, stdin=name.encode() + b"\n")
    answer = check.stdout.decode("utf-8", "replace").strip()
    found, _, size_text = answer.partition(" ")
    if check.returncode != 0 or answer.endswith((" missing", " ambiguous")) or not size_text.isdigit():
        raise MissingAtRevision(spec)
    size = int(size_text)
    if found != "blob":
        raise UsageError(f"{spec.text}: '{spec.path}' is a {'directory' if found == 'tree' else found} at {spec.rev}")
    if size > max_size:
        raise UsageError(
            f"{spec.text}: file is {size:,} bytes, over the {max_size:,}-byte limit (raise it with --max-file-size)"
        )
    shown = _git(["show", name], spec)
    if shown.returncode != 0:
        raise UsageError(f"{spec.text}: git show failed: {_last_line(shown.stderr)}")
    return shown.stdout


def decode(raw: bytes, spec: GitSpec, *, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """Text of a blob, refused on the same grounds as a file on disk (size, NUL bytes, UTF-8).

    Invalid UTF-8 raises :class:`LoadError` with the position of the bad byte,
    so it is reported as a diagnostic, exactly like a file that fails to decode.
    """
    from procmap.diagnostics import Diagnostic, Severity
    from procmap.load.loader import LoadError

    if len(raw) > max_size:
        raise UsageError(
            f"{spec.text}: file is {len(raw):,} bytes, over the {max_size:,}-byte limit (raise it with --max-file-size)"
        )
    if b"\x00" in raw:
        raise UsageError(f"{spec.text}: binary file (contains NUL bytes), not a YAML process")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        raise LoadError(Diagnostic(spec.text, line, col, Severity.ERROR, "yaml-syntax", message)) from None
