"""Project configuration: ``procmap.toml`` or ``[tool.procmap]`` in ``pyproject.toml``.

Found by walking up from the working directory, like ruff and pytest do, so a
repository configures procmap once at its root.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procmap.diagnostics import Severity, UsageError
from procmap.load.loader import DEFAULT_MAX_FILE_SIZE

BUDGET_KEYS = ("max-visible-handoffs", "max-touchpoints", "max-journey-handoffs", "max-journey-parties", "max-silence")
DURATION_BUDGETS = ("max-silence",)  # a duration ("2d", "PT4H") or a number of seconds
_TOP_KEYS = {"strict", "rules", "budgets", "max-file-size", "jobs"}


@dataclass
class Config:
    strict: bool = False
    severities: dict[str, Severity | None] = field(default_factory=dict)  # None = off
    budgets: dict[str, float] = field(default_factory=dict)  # counts, and seconds for DURATION_BUDGETS
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    jobs: int | None = None
    source: str | None = None

    def severity(self, rule_id: str, default: Severity) -> Severity | None:
        return self.severities.get(rule_id, default)


def find_config(start: Path | None = None) -> Path | None:
    """Nearest procmap.toml, or pyproject.toml with a [tool.procmap] table, upward from ``start``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "procmap.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "procmap" in data.get("tool", {}):
                return pyproject
    return None


def load_config(explicit: str | None = None, *, start: Path | None = None) -> Config:
    """Read the configuration, or defaults when there is none; bad config is a usage error."""
    from procmap.rules import BY_ID

    path = Path(explicit) if explicit else find_config(start)
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read config: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None
    table: dict[str, Any] = raw
    if path.name == "pyproject.toml":
        table = raw.get("tool", {}).get("procmap", {})
    unknown = set(table) - _TOP_KEYS
    if unknown:
        raise UsageError(
            f"{path}: unknown configuration key(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(_TOP_KEYS))})"
        )
    cfg = Config(source=str(path))
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise UsageError(f"{path}: 'strict' must be true or false")
    cfg.strict = strict
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise UsageError(f'{path}: [rules] must be a table of rule-id = "error|warning|info|off"')
    for rule_id, level in rules.items():
        if rule_id not in BY_ID:
            raise UsageError(f"{path}: unknown rule '{rule_id}' in [rules]")
        if not isinstance(level, str) or level.lower() not in ("error", "warning", "info", "off"):
            raise UsageError(f'{path}: rule \'{rule_id}\' must be "error", "warning", "info" or "off", not {level!r}')
        cfg.severities[rule_id] = None if level.lower() == "off" else Severity.parse(level)
    budgets = table.get("budgets", {})
    if not isinstance(budgets, dict):
        raise UsageError(f"{path}: [budgets] must be a table")
    for key, value in budgets.items():
        if key not in BUDGET_KEYS:
            raise UsageError(f"{path}: unknown budget '{key}' (known: {', '.join(BUDGET_KEYS)})")
        if key in DURATION_BUDGETS:
            cfg.budgets[key] = _duration_budget(path, key, value)
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise UsageError(f"{path}: budget '{key}' must be a non-negative integer")
        cfg.budgets[key] = value
    size = table.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise UsageError(f"{path}: 'max-file-size' must be a positive number of bytes")
    cfg.max_file_size = size
    jobs = table.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise UsageError(f"{path}: 'jobs' must be a positive integer")
    cfg.jobs = jobs
    return cfg


def _duration_budget(path: Path, key: str, value: Any) -> float:
    """A duration budget in seconds: a duration string as in process files, or a number of seconds."""
    from procmap.model.durations import FORMS, parse_duration

    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError:
            pass
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise UsageError(f"{path}: budget '{key}' must be a duration: {FORMS}, or a number of seconds")
