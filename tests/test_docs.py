"""The reference docs are generated from the code and must match it; the rules' examples must be right."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest

from conftest import ROOT
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
