"""The reference docs are generated from the code and must match it; the rules' examples must be right."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT
from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)
from procmap.config import Config
from procmap.diagnostics import Severity
from procmap.rules import RULES
from procmap.validate import check_text

GEN = ROOT / "tools" / "gen_docs.py"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_docs", GEN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen():
    return _gen()


@pytest.mark.parametrize("name", ["rules.md", "format.md"])
def test_committed_docs_match_the_generated_ones(gen, name):
    path = ROOT / "docs" / name
    expected = gen.generated()[path]
    assert path.exists(), f"docs/{name} is missing: run `python tools/gen_docs.py`"
    assert path.read_text(encoding="utf-8") == expected, f"docs/{name} is out of date: run `python tools/gen_docs.py`"


def test_gen_docs_check_mode(tmp_path):
    proc = subprocess.run([sys.executable, str(GEN), "--check"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_check_mode_reports_stale_docs(gen, tmp_path, monkeypatch):
    monkeypatch.setattr(gen, "DOCS", tmp_path)
    monkeypatch.setattr(gen, "ROOT", tmp_path.parent)
    (tmp_path / "rules.md").write_text("stale\n")
    assert gen.main(["--check"]) == 1
    assert (tmp_path / "rules.md").read_text() == "stale\n"  # --check never writes
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0


@pytest.mark.parametrize("rule", [r for r in RULES if r.bad], ids=lambda r: r.id)
def test_bad_example_triggers_its_rule(rule):
    found = check_text(rule.bad, "example.yaml", Config()).diagnostics
    assert rule.id in {d.rule for d in found}, f"the failing example of {rule.id} does not trigger it"


@pytest.mark.parametrize("rule", [r for r in RULES if r.good], ids=lambda r: r.id)
def test_good_example_is_clean(rule):
    found = check_text(rule.good, "example.yaml", Config()).diagnostics
    assert rule.id not in {d.rule for d in found}, f"the fixed example of {rule.id} still triggers it"
    # A fixed example is a model to copy: nothing at warning or above.
    assert [d for d in found if d.severity >= Severity.WARNING] == []


def test_budget_rule_has_no_examples_and_docs_say_how_it_is_enabled(gen):
    budget = next(r for r in RULES if r.id == "budget")
    assert budget.bad == "" and budget.good == ""
    text = gen.rules_md()
    section = text.split("\n## budget\n", 1)[1]
    assert "[budgets]" in section and "max-visible-handoffs" in section


def test_rules_md_documents_every_rule(gen):
    text = gen.rules_md()
    headings = re.findall(r"^## (\S+)$", text, flags=re.M)
    assert headings == [r.id for r in RULES]
    for rule in RULES:
        section = text.split(f"\n## {rule.id}\n", 1)[1].split("\n## ", 1)[0]
        assert f"**{rule.severity.label}**" in section
        assert rule.doc in section
        if rule.bad:
            assert "Failing example:" in section and "Fixed:" in section
            assert rule.bad.rstrip("\n") in section and rule.good.rstrip("\n") in section
            assert f"[{rule.id}]" in section  # the printed diagnostics of the failing example


def test_format_md_lists_every_field_with_its_description(gen):
    from procmap.model.process import Flow, Lane, ProcessFile, ProcessInfo, Step

    text = gen.format_md()
    for model in (ProcessFile, ProcessInfo, Lane, Step, Flow):
        for name, field in model.model_fields.items():
            assert f"| `{name}` |" in text, f"{model.__name__}.{name} missing from format.md"
            assert " ".join(field.description.split()).replace("|", "\\|") in text
    for topic in ("## Durations", "## Ids are slugs", "## Lane kinds, zones and visibility", "PT15M", "1h30m"):
        assert topic in text


def test_format_md_example_is_a_clean_process(gen):
    found = check_text(gen.EXAMPLE, "example.yaml", Config()).diagnostics
    assert [d for d in found if d.severity >= Severity.WARNING] == []


def test_configuration_md_covers_the_settings():
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for needle in (
        "procmap.toml",
        "[tool.procmap]",
        "--config",
        "strict",
        "[rules]",
        '"off"',
        "[budgets]",
        "max-visible-handoffs",
        "max-touchpoints",
        "max-file-size",
        "jobs",
        "# procmap: ignore[",
    ):
        assert needle in text, needle


def test_configuration_md_examples_are_valid_config(tmp_path):
    """Every ```toml block of configuration.md loads (pyproject ones via [tool.procmap])."""
    from procmap.config import load_config

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 2
    for i, block in enumerate(blocks):
        name = "pyproject.toml" if "[tool.procmap" in block else "procmap.toml"
        path = tmp_path / str(i) / name
        path.parent.mkdir()
        path.write_text(block)
        load_config(str(path))  # raises UsageError on anything invalid


def test_format_md_says_what_unquoted_yes_no_and_dates_become(gen):
    """format.md's "Strict types" paragraph is checked against what validate does with each spelling."""
    text = " ".join(gen.format_md().split())
    assert "unquoted `yes`, `no`, `on` and `off` (any case) are read as the text you wrote" in text
    assert "dates and times (`2024-01-31`, `2024-01-31 10:00:00`) are kept as the text you wrote" in text
    base = gen.EXAMPLE
    for spelling in ("yes", "No", "ON", "off", "2024-01-31", "2024-01-31 10:00:00"):
        result = check_text(base.replace("name: Support ticket", f"name: {spelling}"), "p.yaml", Config())
        assert [d for d in result.diagnostics if d.rule == "schema"] == [], spelling
        assert result.model is not None and result.model.process.name == spelling
    for spelling in ("2024", "1.5", "0x1F", "true", "null", "~"):
        result = check_text(base.replace("name: Support ticket", f"name: {spelling}"), "p.yaml", Config())
        assert [(d.line, d.rule) for d in result.diagnostics if d.rule == "schema"] == [(4, "schema")], spelling
    flagged = check_text(
        base.replace("    channel: web\n", "    channel: web\n    fail_point: yes\n", 1), "p.yaml", Config()
    )
    assert [d.rule for d in flagged.diagnostics if d.severity is Severity.ERROR] == ["schema"]


# --------------------------------------------------------------------------- shell examples that run

# A shell example is a fenced block whose info string is one of these. Each
# command in it is run, in order, from a scratch folder holding a copy of the
# shipped examples/ and docs/ (so it can write files; the real ones are never touched),
# with this interpreter's procmap first on PATH and `.venv` pointing at its
# environment. It must exit 0, or the code its line shows in a trailing
# comment: `procmap validate examples/  # exit 1`. A block that cannot run here
# (it installs from PyPI, takes ten minutes, needs a placeholder filled in) is
# marked on the line before its fence with a reason:
#   <!-- docs-test: skip: installs procmap from PyPI -->
SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
SKIP_MARKER = re.compile(r"^<!--\s*docs-test:\s*skip:\s*(?P<reason>.*?)\s*-->$")
CI_RUN_REASON = ".ci/run runs this command as written"
_EXIT = re.compile(r"(?:^|\s)#\s*exits?\s+(\d+)\b")


@dataclass(frozen=True)
class ShellBlock:
    doc: str  # path relative to the project root
    line: int  # line of the opening fence
    language: str
    commands: tuple[str, ...]
    skip: str | None  # the marker's reason

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def _commands(language: str, body: list[str]) -> list[str]:
    """The commands of a block: `$ ` lines of a console block (the rest is output), every line of an sh block."""
    commands: list[str] = []
    pending: str | None = None
    for raw in body:
        line = raw.rstrip()
        if pending is not None:
            pending += "\n" + (line[2:] if language == "console" and line.startswith("> ") else line)
        elif language == "console":
            if not line.startswith("$ "):
                continue  # output shown on the page
            pending = line[2:]
        else:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            pending = line
        if pending.endswith("\\"):
            continue
        commands.append(pending)
        pending = None
    if pending is not None:
        commands.append(pending)
    return commands


def shell_blocks(root: Path = ROOT, paths: list[Path] | None = None) -> list[ShellBlock]:
    """Every shell block of README.md and docs/**/*.md under ``root`` (new pages are picked up as they come)."""
    found: list[ShellBlock] = []
    for path in paths or [root / "README.md", *sorted((root / "docs").rglob("*.md"))]:
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            fence = re.match(r"^(`{3,}|~{3,})\s*([\w+-]*)(.*)$", lines[i])
            if not fence:
                i += 1
                continue
            marker, language = fence.group(1), fence.group(2).lower()
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip().startswith(marker)), len(lines))
            if language in SHELL_LANGUAGES:
                before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
                skip = SKIP_MARKER.match(before)
                found.append(
                    ShellBlock(
                        path.relative_to(root).as_posix(),
                        i + 1,
                        language,
                        tuple(_commands(language, lines[i + 1 : end])),
                        skip.group("reason") if skip else None,
                    )
                )
            i = end + 1
    return found


BLOCKS = shell_blocks()


def expected_exit(command: str) -> int:
    match = _EXIT.search(command.splitlines()[-1])
    return int(match.group(1)) if match else 0


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")  # pages may use the sample data they ship
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return tmp_path


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.skip is None], ids=lambda b: b.id)
def test_shell_example_runs(block: ShellBlock, scratch: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR", "PROCMAP_CONFIG")}
    env.update(NO_COLOR="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    assert block.commands, f"{block.id}: a shell block with no command"
    for command in block.commands:
        proc = run_process(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=scratch,
            env=env,
            text=True,
            cpu_limit=300,
        )
        want = expected_exit(command)
        assert proc.returncode == want, (
            f"{block.id}: `{command}` exited {proc.returncode}, the page shows {want}\n"
            f"--- stdout\n{proc.stdout[-2000:]}\n--- stderr\n{proc.stderr[-2000:]}"
        )
        assert "Traceback" not in proc.stderr, proc.stderr


def test_every_skipped_shell_example_says_why() -> None:
    for block in BLOCKS:
        if block.skip is not None:
            assert len(block.skip) >= 10, f"{block.id}: a docs-test skip needs a reason"


def test_shell_examples_are_found(tmp_path: Path) -> None:
    """The extractor itself: fences, console prompts, continuations, exit comments and skip markers."""
    page = tmp_path / "page.md"
    page.write_text(
        "Text.\n\n```sh\n# a comment\nprocmap validate a.yaml\nprocmap audit \\\n  b.yaml   # exit 1\n```\n\n"
        "<!-- docs-test: skip: needs the network -->\n```console\n$ pip install procmap\nCollecting procmap\n```\n\n"
        "```yaml\nnot: shell\n```\n\n~~~bash\necho hi\n~~~\n",
        encoding="utf-8",
    )
    blocks = shell_blocks(tmp_path, [page])
    assert [(b.doc, b.line, b.language, b.commands, b.skip) for b in blocks] == [
        ("page.md", 3, "sh", ("procmap validate a.yaml", "procmap audit \\\n  b.yaml   # exit 1"), None),
        ("page.md", 11, "console", ("pip install procmap",), "needs the network"),
        ("page.md", 20, "bash", ("echo hi",), None),
    ]
    assert [expected_exit(c) for c in blocks[0].commands] == [0, 1]


def test_readme_and_docs_have_shell_examples() -> None:
    docs = {b.doc for b in BLOCKS}
    assert "README.md" in docs and "docs/audit.md" in docs and "docs/render.md" in docs
    assert sum(1 for b in BLOCKS if b.skip is None) >= 5


def test_ci_runs_the_readme_commands_as_written() -> None:
    """README's install and test commands are what .ci/run executes, line for line (keep them in sync)."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    readme = [b for b in BLOCKS if b.doc == "README.md" and b.skip == CI_RUN_REASON]
    assert len(readme) == 2, "README's quick-start and test commands carry the .ci/run marker"
    commands = [c for b in readme for c in b.commands]
    assert any("pytest" in c for c in commands)
    for command in commands:
        assert command in ci, f"README's `{command}` is not a line of .ci/run"
    positions = [ci.index(c) for c in commands]
    assert positions == sorted(positions), ".ci/run runs them in the README's order"


def test_install_pins_in_the_docs_match_the_package() -> None:
    """`rev: vX.Y.Z` (pre-commit) and `procmap==X.Y.*` (pip) name the version this checkout is."""
    from procmap import __version__

    major_minor = ".".join(__version__.split(".")[:2])
    pages = {name: (ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "docs/ci.md")}
    revs = [(name, rev) for name, text in pages.items() for rev in re.findall(r"\brev:\s*(\S+)", text)]
    assert revs and all(rev == f"v{__version__}" for _, rev in revs), revs
    pins = re.findall(r"procmap==([\w.*]+)", pages["docs/ci.md"])
    assert pins and all(pin in (__version__, f"{major_minor}.*") for pin in pins), pins


def test_ci_md_describes_what_the_diff_markdown_shows(run, tmp_path: Path) -> None:
    """docs/ci.md: internal-only changes are one line; with a customer-facing change, internal metrics show too."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "a change that is internal only is the single line" in " ".join(text.split())
    old = (ROOT / "examples" / "support-ticket.yaml").read_text(encoding="utf-8")
    sides = {
        "old.yaml": old,
        "internal.yaml": old.replace("name: Engineering\n", "name: Engineering team\n", 1),
        "facing.yaml": old.replace("name: Engineering\n    kind: backstage", "name: Engineering\n    kind: onstage", 1),
    }
    for name, body in sides.items():
        assert name == "old.yaml" or body != old
        (tmp_path / name).write_text(body, encoding="utf-8")
    internal = run("diff", "old.yaml", "internal.yaml", "--format", "markdown", cwd=tmp_path)
    assert (internal.returncode, internal.stdout.decode()) == (0, "No customer-facing changes.\n")
    facing = run("diff", "old.yaml", "facing.yaml", "--format", "markdown", cwd=tmp_path)
    assert facing.returncode == 0
    shown = facing.stdout.decode()
    assert "| Touchpoints |" in shown  # customer-facing
    assert "| Backstage handoffs |" in shown and "**Lanes**" in shown  # internal, shown as context


def test_audit_help_opens_with_an_example_that_runs(run, scratch: Path) -> None:
    """The first example in `audit --help` works on the shipped examples (it once named examples/, broken/ included)."""
    shown = run("audit", "--help", env={"COLUMNS": "200", "TERM": "dumb"}).stdout.decode()
    examples = [line.strip() for line in shown.splitlines() if line.strip().startswith("procmap audit ")]
    assert examples and examples[0] == "procmap audit examples/*.yaml"
    proc = subprocess.run(
        ["bash", "-c", examples[0].replace("procmap", f"{sys.executable} -m procmap", 1)],
        cwd=scratch,
        capture_output=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(b"Customer actions") >= 4  # one report per shipped example
