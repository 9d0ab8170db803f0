"""The `procmap-validate` pre-commit hook (issue 5, part 5), run through real pre-commit.

Two runs on a temporary git repository that mixes process files with other
YAML (a workflow, a settings file, .pre-commit-config.yaml itself):

* offline and fast: the hook from ``.pre-commit-hooks.yaml`` as a ``repo: local``
  hook, with ``language: system`` pointing at this interpreter's procmap;
* the real thing: ``pre-commit try-repo`` on a copy of the project, which builds
  the hook's Python environment with pip.  It skips when that cannot be built
  (offline CI), and when pre-commit itself is not installed.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from forkserver import run_process  # CPU-time hang guard, not wall-clock (a loaded machine)

MANIFEST = ROOT / ".pre-commit-hooks.yaml"

GOOD = """\
version: 1
process:
  id: refund
  name: Refund request
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Support agent, kind: onstage}
steps:
  - {id: ask, name: Ask for a refund, lane: customer, next: [answer]}
  - {id: answer, name: Answer the request, lane: agent, owner: Agent, next: [done]}
  - {id: done, name: Receive the refund, lane: customer}
"""

BAD = GOOD.replace("next: [done]", "next: [dnoe]")

OTHER_YAML = {
    ".github/workflows/ci.yml": "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: []\n",
    "config/settings.yaml": "debug: false\nversion: 3\n",
}


def _hook() -> dict:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return next(h for h in hooks if h["id"] == "procmap-validate")


def _require_pre_commit() -> None:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")


def _require_hook_options() -> None:
    """The hook's entry uses validate options; skip (loudly) if this procmap lacks one of them."""
    words = shlex.split(_hook()["entry"])
    options = [w.split("=")[0] for w in words if w.startswith("--")]
    help_text = subprocess.run(
        [sys.executable, "-m", "procmap", "validate", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "TERM": "dumb", "COLUMNS": "200", "NO_COLOR": "1"},
        check=False,
    ).stdout
    missing = [o for o in options if o not in help_text]
    if missing:
        pytest.skip(f"procmap validate has no {', '.join(missing)} option yet (used by the hook entry)")


def _env(home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PRE_COMMIT_HOME": str(home),
        "NO_COLOR": "1",
    }
    env.pop("GITHUB_ACTIONS", None)  # plain text diagnostics in the hook output
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _user_repo(tmp_path: Path, env: dict[str, str], config: dict | None) -> Path:
    repo = tmp_path / "user"
    repo.mkdir()
    _git(repo, env, "init", "-q", "-b", "main")
    files = {"processes/refund.yaml": GOOD, **OTHER_YAML}
    if config is not None:
        files[".pre-commit-config.yaml"] = yaml.safe_dump(config, sort_keys=False)
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(repo, env, "add", "-A")
    return repo


def _pre_commit(cwd: Path, env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return run_process(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        text=True,
        cpu_limit=timeout,
    )


def test_manifest_declares_the_validate_hook() -> None:
    hook = _hook()
    assert hook["language"] == "python"
    assert shlex.split(hook["entry"])[:2] == ["procmap", "validate"]
    assert "yaml" in hook.get("types", []) or "yaml" in hook.get("types_or", [])
    assert hook.get("pass_filenames", True) is True  # validate only what is being committed
    try:
        from pre_commit.clientlib import load_manifest
    except ImportError:
        return
    loaded = load_manifest(str(MANIFEST))  # pre-commit's own schema check of the manifest
    assert [h["id"] for h in loaded] == ["procmap-validate"]


def test_hook_skips_other_yaml_and_fails_on_errors_offline(tmp_path: Path) -> None:
    _require_pre_commit()
    _require_hook_options()
    hook = _hook()
    entry = shlex.split(hook["entry"])
    local = {
        **{k: v for k, v in hook.items() if k not in ("language", "entry", "minimum_pre_commit_version")},
        "language": "system",
        "entry": shlex.join([sys.executable, "-m", "procmap", *entry[1:]]),
    }
    env = _env(tmp_path / "home")
    repo = _user_repo(tmp_path, env, {"repos": [{"repo": "local", "hooks": [local]}]})

    clean = _pre_commit(repo, env, "run", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "procmap validate" in clean.stdout and "Passed" in clean.stdout

    (repo / "processes" / "broken.yaml").write_text(BAD, encoding="utf-8")
    _git(repo, env, "add", "-A")
    failing = _pre_commit(repo, env, "run", "--all-files")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "Failed" in failing.stdout
    assert "processes/broken.yaml:" in failing.stdout and "[unknown-reference]" in failing.stdout
    for other in (*OTHER_YAML, ".pre-commit-config.yaml"):
        assert f"{other}:" not in failing.stdout  # non-process YAML is skipped, not validated

    only_other = _pre_commit(repo, env, "run", "--files", *OTHER_YAML)
    assert only_other.returncode == 0, only_other.stdout + only_other.stderr


def _hook_repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """A committed copy of the project (what a user's `repo:` URL would point at)."""
    repo = tmp_path / "hook-repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", repo / "src", ignore=ignore)
    for name in ("pyproject.toml", ".pre-commit-hooks.yaml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, repo / name)
    if not (repo / "README.md").exists():  # pyproject.toml names it as the readme
        (repo / "README.md").write_text("procmap\n", encoding="utf-8")
    _git(repo, env, "init", "-q", "-b", "main")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "procmap")
    return repo


@pytest.mark.slow  # pip installs procmap and its dependencies from PyPI into a fresh environment
def test_try_repo_builds_and_runs_the_hook(tmp_path: Path) -> None:
    _require_pre_commit()
    _require_hook_options()
    env = _env(tmp_path / "home")
    hook_repo = _hook_repo(tmp_path, env)
    user = _user_repo(tmp_path, env, None)
    (user / "processes" / "broken.yaml").write_text(BAD, encoding="utf-8")
    _git(user, env, "add", "-A")
    try:
        result = _pre_commit(user, env, "try-repo", str(hook_repo), "procmap-validate", "--all-files", timeout=900)
    except subprocess.TimeoutExpired:
        pytest.skip("pre-commit took too long to build the hook environment")
    output = result.stdout + result.stderr
    if result.returncode == 3 or "An unexpected error has occurred" in output:
        reason = next((line for line in output.splitlines() if "unexpected error" in line), "see pre-commit.log")
        pytest.skip(f"pre-commit could not build the hook environment (offline?): {reason.strip()}")
    assert result.returncode == 1, output
    assert "processes/broken.yaml:" in output and "[unknown-reference]" in output
    assert "processes/refund.yaml:" not in output  # valid: no findings
    for other in OTHER_YAML:
        assert f"{other}:" not in output
    assert "1 error" in output  # the hook's own summary: only the broken file counted


# ------------------------------------------------------------ the recipes in docs/ci.md

CI_DOC = ROOT / "docs" / "ci.md"


def _doc_blocks(language: str) -> list[str]:
    """Fenced blocks of ``language`` in docs/ci.md (a fence is a line starting with three backticks)."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in CI_DOC.read_text(encoding="utf-8").splitlines():
        if current is None and line.startswith("```"):
            current = [] if line[3:].strip() == language else None
            if current is None:
                current = ["__skip__"]
        elif current is not None and line.strip() == "```":
            if current[:1] != ["__skip__"]:
                blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_doc_yaml_and_toml_blocks_are_valid(tmp_path: Path) -> None:
    import tomllib

    from procmap.config import load_config

    blocks = _doc_blocks("yaml")
    assert len(blocks) >= 5
    for block in blocks:
        yaml.safe_load(block)  # raises on a broken recipe
    for block in _doc_blocks("toml"):
        path = tmp_path / "procmap.toml"
        path.write_text(block, encoding="utf-8")
        tomllib.loads(block)
        assert load_config(str(path)).budgets  # the documented budgets are accepted


def test_doc_local_hook_matches_the_manifest() -> None:
    hook = _hook()
    configs = [c for c in map(yaml.safe_load, _doc_blocks("yaml")) if isinstance(c, dict)]
    local = [
        h
        for config in configs
        for repo in config.get("repos", [])
        if repo.get("repo") == "local"
        for h in repo["hooks"]
    ]
    assert local and local[0]["id"] == hook["id"]
    assert local[0]["entry"] == hook["entry"] and local[0]["types"] == hook["types"]


def _github_workflow() -> dict:
    configs = [c for c in map(yaml.safe_load, _doc_blocks("yaml")) if isinstance(c, dict)]
    return next(c for c in configs if "customer-impact" in c.get("jobs", {}))


def test_github_workflow_uses_sarif_upload_and_markdown_diff() -> None:
    jobs = _github_workflow()["jobs"]
    uses = [s.get("uses", "") for s in jobs["validate"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert jobs["validate"]["permissions"]["security-events"] == "write"
    run = next(s for s in jobs["customer-impact"]["steps"] if s.get("id") == "diff")
    assert "--format markdown" in run["run"] and "git:origin/${BASE_REF}:$f" in run["run"]
    assert run["env"]["BASE_REF"] == "${{ github.base_ref }}"


def test_github_diff_step_runs_against_a_temporary_repo(tmp_path: Path) -> None:
    """Run the documented `customer-impact` script with bash, as Actions would, in a throwaway repo."""
    from test_diff import BASE, RELAYED

    bash = shutil.which("bash")
    if bash is None or shutil.which("git") is None:
        pytest.skip("bash and git are needed")
    step = next(s for s in _github_workflow()["jobs"]["customer-impact"]["steps"] if s.get("id") == "diff")
    env = _env(tmp_path / "home")
    repo = tmp_path / "repo"
    (repo / "processes").mkdir(parents=True)
    _git(repo, env, "init", "-q", "-b", "main")
    (repo / "processes" / "refund.yaml").write_text(BASE, encoding="utf-8")
    (repo / "processes" / "retired.yaml").write_text(GOOD.replace("id: refund", "id: retired"), encoding="utf-8")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "base")
    _git(repo, env, "update-ref", "refs/remotes/origin/main", "HEAD")  # what the fetch step sets up
    (repo / "processes" / "refund.yaml").write_text(RELAYED, encoding="utf-8")
    (repo / "processes" / "added.yaml").write_text(GOOD.replace("id: refund", "id: added"), encoding="utf-8")
    (repo / "processes" / "retired.yaml").unlink()
    (repo / "settings.yaml").write_text("debug: true\n", encoding="utf-8")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "change")

    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "procmap").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m procmap "$@"\n', encoding="utf-8")
    (shim / "procmap").chmod(0o755)
    outputs = tmp_path / "github_output"
    outputs.write_text("", encoding="utf-8")
    run_env = {**env, "BASE_REF": "main", "GITHUB_OUTPUT": str(outputs), "PATH": f"{shim}{os.pathsep}{env['PATH']}"}
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    result = run_process(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=repo,
        env=run_env,
        text=True,
        cpu_limit=120,
    )
    assert result.returncode == 0, result.stderr
    assert dict(line.split("=", 1) for line in outputs.read_text().split()) == {"files": "3", "status": "1"}
    report = (repo / "procmap-diff.md").read_text(encoding="utf-8")
    sections = {s.split("`")[0]: s for s in report.split("#### `")[1:]}
    assert set(sections) == {"processes/added.yaml", "processes/refund.yaml", "processes/retired.yaml"}
    assert "| added | `answer` (agent) | `settle` (billing) | `relay` |" in sections["processes/refund.yaml"]
    assert "git:origin/main:processes/added.yaml (absent)" in sections["processes/added.yaml"]
    assert "processes/retired.yaml (absent)" in sections["processes/retired.yaml"]
    # the one failing file carries procmap's reason in a code block; the others have none
    assert "```\nprocmap: 1 new customer-visible handoff (answer -> settle)" in sections["processes/refund.yaml"]
    assert report.count("```") == 2


def test_gitlab_code_quality_converter(tmp_path: Path) -> None:
    """The documented converter turns real `validate --format json` output into GitLab's Code Quality format."""
    gitlab = next(b for b in _doc_blocks("yaml") if "procmap-validate:" in b and "codequality" in b)
    job = yaml.safe_load(gitlab)["procmap-validate"]
    snippet = next(line for line in job["script"] if "<<'EOF'" in line)
    code = snippet.split("<<'EOF'\n", 1)[1].rsplit("EOF", 1)[0]
    # two findings with the same rule and message in one file (duplicate keys) need distinct fingerprints
    bad = BAD.replace("  name: Refund request\n", "  name: Refund request\n  name: Again\n  owner: a\n  owner: b\n")
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "bad.yaml").write_text(bad, encoding="utf-8")
    report = subprocess.run(
        [sys.executable, "-m", "procmap", "validate", "processes/", "--format", "json", "-o", "procmap.json"],
        cwd=tmp_path,
        capture_output=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert report.returncode == 1, report.stderr
    converted = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert converted.returncode == 0, converted.stderr
    issues = json.loads((tmp_path / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    diagnostics = json.loads((tmp_path / "procmap.json").read_text(encoding="utf-8"))["diagnostics"]
    assert len(issues) == len(diagnostics) >= 3
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue, d in zip(issues, diagnostics, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"] == {"path": d["file"], "lines": {"begin": d["line"]}}
        assert issue["check_name"] == f"procmap/{d['rule']}"
