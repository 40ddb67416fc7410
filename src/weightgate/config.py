"""Configuration: `[tool.weightgate]` in pyproject.toml or `.weightgate.toml`, or a dict through the API."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .errors import ConfigError


@dataclass
class Config:
    models: Dict[str, Any] = field(default_factory=dict)  # base id → licence id, or {license, path}
    licenses: List[dict] = field(default_factory=list)  # custom licence tables (docs/data-format.md)
    policy: Dict[str, List[str]] = field(default_factory=dict)  # {"allow": [...], "deny": [...]}
    severity: Dict[str, str] = field(default_factory=dict)  # rule id → error | warning | off
    exclude: List[str] = field(default_factory=list)  # path globs
    waivers: List[dict] = field(default_factory=list)  # {rule, path, reason, expires?}
    path: Optional[str] = None  # where it was read from

    @classmethod
    def from_dict(cls, data: Optional[Dict[str, Any]], source: str = "<api>") -> "Config":
        if data is None:
            return cls()
        if isinstance(data, Config):
            return data
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: configuration must be a table, not {type(data).__name__}")
        known = {"models", "licenses", "policy", "severity", "exclude", "waivers"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown key `{unknown[0]}` (expected one of {', '.join(sorted(known))})")
        return cls(models=dict(data.get("models") or {}), licenses=list(data.get("licenses") or []),
                   policy=dict(data.get("policy") or {}), severity=dict(data.get("severity") or {}),
                   exclude=list(data.get("exclude") or []), waivers=list(data.get("waivers") or []), path=source)


def load_config(start: str, explicit: Optional[str] = None) -> Config:
    """Find and read the configuration for a check rooted at `start` (replaced by the configuration module)."""
    return Config()


def apply(config: Config, findings):
    """Severity overrides and waivers."""
    return findings
