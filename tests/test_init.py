"""`procmap init`: a starter that validates cleanly, shows the whole format, and never overwrites."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import yaml


def _keys(node: Any, prefix: str = "") -> set[str]:
    """Every mapping key path in a YAML document, list items collapsed (steps[].next[].when)."""
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.add(path)
            out |= _keys(value, path)
    elif isinstance(node, list):
        for item in node:
            out |= _keys(item, f"{prefix}[]")
    return out


def test_init_writes_both_files_into_a_new_nested_directory(cli, tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    result = cli("init", target)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["process.yaml", "procmap.toml"]
    # Like every command that writes files: one `wrote PATH` line each on stderr, stdout stays empty.
    assert result.stdout == ""
    wrote = [line for line in result.stderr.splitlines() if line.startswith("wrote ")]
    assert wrote == [f"wrote {target / 'process.yaml'}", f"wrote {target / 'procmap.toml'}"]
    assert f"next: procmap validate {target / 'process.yaml'}" in result.stderr


def test_init_quiet_prints_nothing(run, tmp_path: Path) -> None:
    proc = run("init", "-q", tmp_path / "q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"" and proc.stderr == b""
    assert (tmp_path / "q" / "process.yaml").is_file()


def test_init_defaults_to_the_current_directory(run, tmp_path: Path) -> None:
    proc = run("init", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "process.yaml").is_file() and (tmp_path / "procmap.toml").is_file()


def test_starter_has_no_findings_at_all_with_its_own_config(run, tmp_path: Path) -> None:
    assert run("init", tmp_path).returncode == 0
    proc = run("validate", "--strict", "--format", "json", "process.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    report = json.loads(proc.stdout)
    assert report["diagnostics"] == []
    assert report["summary"] == {"files": 1, "errors": 0, "warnings": 0, "infos": 0}


def test_starter_passes_audit_and_exports(run, tmp_path: Path) -> None:
    assert run("init", tmp_path).returncode == 0
    proc = run("export", "process.yaml", "--to", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    graph = json.loads(proc.stdout)
    assert graph["graph"]["id"] == "replace-lost-card"
    kinds = {lane["kind"] for lane in graph["graph"]["lanes"]}
    assert kinds == {"customer", "onstage", "backstage", "support"}


def test_starter_shows_every_key_of_the_format(tmp_path: Path) -> None:
    from procmap.model.process import Flow, Lane, ProcessFile, ProcessInfo, Step
    from procmap.scaffold import STARTER_PROCESS

    data = yaml.safe_load(STARTER_PROCESS)
    keys = _keys(data)
    expected = set(ProcessFile.model_fields)
    expected |= {f"process.{k}" for k in ProcessInfo.model_fields}
    expected |= {f"lanes[].{k}" for k in Lane.model_fields}
    expected |= {f"steps[].{k}" for k in Step.model_fields}
    expected |= {f"steps[].next[].{k}" for k in Flow.model_fields}
    assert expected - keys == set()
    # Both forms of `next`: the short list of ids and the long {to, when} form.
    forms = {type(item).__name__ for step in data["steps"] for item in step.get("next", [])}
    assert forms == {"str", "dict"}
    assert {lane["kind"] for lane in data["lanes"]} == {"customer", "onstage", "backstage", "support"}
    # Comments explain it: at least one per major section.
    comments = [line for line in STARTER_PROCESS.splitlines() if "#" in line]
    assert len(comments) >= 20


def test_starter_has_no_active_editor_modeline() -> None:
    """The hint must not itself be a modeline pointing at a schema file that does not exist."""
    from procmap.scaffold import STARTER_PROCESS

    for line in STARTER_PROCESS.splitlines():
        assert not line.lstrip("# ").startswith("yaml-language-server:")


def test_config_lists_every_rule_at_its_default_and_a_budget(tmp_path: Path) -> None:
    from procmap.config import load_config
    from procmap.rules import RULES
    from procmap.scaffold import starter_config

    text = starter_config()
    data = tomllib.loads(text)
    assert data["strict"] is False
    assert data["rules"] == {rule.id: rule.severity.label for rule in RULES}
    assert data["budgets"] == {"max-journey-handoffs": 2, "max-silence": "3d"}
    path = tmp_path / "procmap.toml"
    path.write_text(text, encoding="utf-8")
    cfg = load_config(str(path))
    assert cfg.budgets == {"max-journey-handoffs": 2, "max-silence": 259200}
    assert all(cfg.severity(rule.id, rule.severity) == rule.severity for rule in RULES)
    assert "max-touchpoints" in text  # the other budget, commented out


def test_budgets_in_the_config_are_live(run, tmp_path: Path) -> None:
    """The commented budget, switched on below the starter's figure, fails validation: it is a real gate."""
    assert run("init", tmp_path).returncode == 0
    config = tmp_path / "procmap.toml"
    config.write_text(config.read_text().replace("# max-touchpoints = 12", "max-touchpoints = 1"))
    proc = run("validate", "process.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert b"[budget]" in proc.stdout and b"touchpoints" in proc.stdout


def test_refuses_to_overwrite_and_changes_nothing(run, tmp_path: Path) -> None:
    existing = tmp_path / "process.yaml"
    existing.write_text("mine\n")
    proc = run("init", tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and "process.yaml" in err and "Traceback" not in err
    assert existing.read_text() == "mine\n"
    assert not (tmp_path / "procmap.toml").exists()


def test_refuses_when_only_the_config_exists(run, tmp_path: Path) -> None:
    (tmp_path / "procmap.toml").write_text("strict = true\n")
    proc = run("init", tmp_path)
    assert proc.returncode == 2
    assert b"procmap.toml" in proc.stderr
    assert not (tmp_path / "process.yaml").exists()
    assert (tmp_path / "procmap.toml").read_text() == "strict = true\n"


def test_second_init_refuses(run, tmp_path: Path) -> None:
    assert run("init", tmp_path).returncode == 0
    before = (tmp_path / "process.yaml").read_bytes()
    proc = run("init", tmp_path)
    assert proc.returncode == 2
    assert (tmp_path / "process.yaml").read_bytes() == before


def test_target_that_is_a_file_is_a_usage_error(run, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    proc = run("init", target)
    assert proc.returncode == 2
    assert b"not a directory" in proc.stderr and proc.stderr.count(b"\n") == 1


def test_init_help_has_examples(cli) -> None:
    result = cli("init", "--help")
    assert result.exit_code == 0
    assert "procmap init processes/" in result.stdout
