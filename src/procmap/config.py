"""Project configuration: ``procmap.toml`` or ``[tool.procmap]`` in ``pyproject.toml``.

Found by walking up from the working directory, like ruff and pytest do, so a
repository configures procmap once at its root.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procmap.diagnostics import Severity, UsageError
from procmap.load import DEFAULT_MAX_FILE_SIZE

BUDGET_KEYS = (
    "max-visible-handoffs",
    "max-touchpoints",
    "max-journey-handoffs",
    "max-journey-parties",
    "max-silence",
    "max-comes-back",
)
PROBABILITY_BUDGETS = ("max-comes-back",)  # a number from 0 to 1
DURATION_BUDGETS = ("max-silence",)  # a duration ("2d", "PT4H") or a number of seconds
_TOP_KEYS = {"strict", "rules", "budgets", "max-file-size", "jobs"}
# Largest accepted --max-file-size / max-file-size: 4 GiB.  Far above any process file, and far
# below what a C size_t read can take (9223372036854775808 overflowed it).
MAX_FILE_SIZE_LIMIT = 1 << 32
MAX_JOBS = 1024
# A configuration file is a few hundred bytes; this bound keeps a hostile one from costing anything.
MAX_CONFIG_SIZE = 1 << 20


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


def _did_you_mean(word: str, known: list[str] | tuple[str, ...] | set[str]) -> str:
    import difflib

    hint = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse a configuration file; ``stat`` first, so a FIFO or a device can never block the run."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: config file not found") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{path}: is a directory, not a config file")
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{path}: not a regular file (a FIFO, socket or device): cannot be a config file")
    if st.st_size > MAX_CONFIG_SIZE:
        raise UsageError(f"{path}: config file is {st.st_size:,} bytes, over the {MAX_CONFIG_SIZE:,}-byte limit")
    import tomllib  # only when a configuration file exists: most runs have none

    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CONFIG_SIZE + 1)
        return tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"{path}: cannot read config: {reason}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise UsageError(f"{path}: invalid TOML: nested too deeply") from None


def _procmap_table(path: Path, raw: dict[str, Any]) -> dict[str, Any] | None:
    """The [tool.procmap] table of a pyproject.toml (None when absent); wrong types are errors."""
    tool = raw.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise UsageError(f"{path}: 'tool' must be a table ([tool.procmap]), not {_kind(tool)}")
    table = tool.get("procmap")
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.procmap] must be a table of settings, not {_kind(table)}")
    return table


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array"}.get(
        type(value), type(value).__name__
    )


def find_config(start: Path | None = None) -> Path | None:
    """Nearest procmap.toml, or pyproject.toml with a [tool.procmap] table, upward from ``start``.

    A pyproject.toml on the way that does not parse is an error, not a file to
    pass over: skipping it would silently drop the budgets it may hold, and a
    CI gate would pass that should fail.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "procmap.toml"
        if os.path.lexists(candidate):
            return candidate
        pyproject = folder / "pyproject.toml"
        if os.path.lexists(pyproject):
            try:
                table = _procmap_table(pyproject, _read_toml(pyproject))
            except UsageError as exc:
                raise UsageError(f"{exc} (procmap looks for [tool.procmap] in it; fix it or pass --config)") from None
            if table is not None:
                return pyproject
    return None


def load_config(explicit: str | None = None, *, start: Path | None = None) -> Config:
    """Read the configuration, or defaults when there is none; bad config is a usage error."""
    path = Path(explicit) if explicit else find_config(start)
    if path is None:
        return Config()
    raw = _read_toml(path)
    table: dict[str, Any] = raw
    if path.name == "pyproject.toml":
        table = _procmap_table(path, raw) or {}
    return _from_table(path, table)


def _from_table(path: Path, table: dict[str, Any]) -> Config:
    from procmap.rules import BY_ID

    unknown = sorted(set(table) - _TOP_KEYS)
    if unknown:
        raise UsageError(
            f"{path}: unknown configuration key(s): {', '.join(unknown)}{_did_you_mean(unknown[0], _TOP_KEYS)}"
            f" (known: {', '.join(sorted(_TOP_KEYS))})"
        )
    cfg = Config(source=str(path))
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise UsageError(f"{path}: 'strict' must be true or false, not {_kind(strict)}")
    cfg.strict = strict
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise UsageError(f'{path}: [rules] must be a table of rule-id = "error|warning|info|off"')
    for rule_id, level in rules.items():
        if rule_id not in BY_ID:
            raise UsageError(f"{path}: unknown rule '{rule_id}' in [rules]{_did_you_mean(rule_id, list(BY_ID))}")
        if not isinstance(level, str) or level.lower() not in ("error", "warning", "info", "off"):
            shown = repr(level) if isinstance(level, (str, int, float, bool)) else _kind(level)
            raise UsageError(f'{path}: rule \'{rule_id}\' must be "error", "warning", "info" or "off", not {shown}')
        cfg.severities[rule_id] = None if level.lower() == "off" else Severity.parse(level)
    budgets = table.get("budgets", {})
    if not isinstance(budgets, dict):
        raise UsageError(f"{path}: [budgets] must be a table")
    for key, value in budgets.items():
        if key not in BUDGET_KEYS:
            raise UsageError(
                f"{path}: unknown budget '{key}'{_did_you_mean(key, BUDGET_KEYS)} (known: {', '.join(BUDGET_KEYS)})"
            )
        if key in DURATION_BUDGETS:
            cfg.budgets[key] = _duration_budget(path, key, value)
            continue
        if key in PROBABILITY_BUDGETS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise UsageError(f"{path}: budget '{key}' must be a probability from 0 to 1 (0.1: one customer in ten)")
            cfg.budgets[key] = float(value)
            continue
        if not _is_int(value) or value < 0:
            raise UsageError(f"{path}: budget '{key}' must be a non-negative integer")
        cfg.budgets[key] = value
    size = table.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    if not _is_int(size) or size <= 0:
        raise UsageError(f"{path}: 'max-file-size' must be a positive number of bytes")
    if size > MAX_FILE_SIZE_LIMIT:
        raise UsageError(f"{path}: 'max-file-size' must be at most {MAX_FILE_SIZE_LIMIT:,} bytes (4 GiB)")
    cfg.max_file_size = size
    jobs = table.get("jobs")
    if jobs is not None and (not _is_int(jobs) or not 1 <= jobs <= MAX_JOBS):
        raise UsageError(f"{path}: 'jobs' must be a positive integer (at most {MAX_JOBS})")
    cfg.jobs = jobs
    return cfg


def _duration_budget(path: Path, key: str, value: Any) -> float:
    """A duration budget in seconds: a duration string as in process files, or a number of seconds."""
    from procmap.model.durations import FORMS, MAX_SECONDS, parse_duration

    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError:
            pass
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= MAX_SECONDS:
        return float(value)  # TOML has inf and nan: neither is a budget (and JSON cannot carry them)
    raise UsageError(f"{path}: budget '{key}' must be a duration: {FORMS}, or a number of seconds")
