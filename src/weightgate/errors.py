"""weightgate's own exceptions. Only these may escape a reader; the CLI maps them to exit codes."""
from __future__ import annotations


class WeightgateError(Exception):
    """Base class."""


class ReadError(WeightgateError):
    """A file in the checked tree cannot be read or parsed. Becomes a finding, never a crash."""

    def __init__(self, path: str, message: str, line: int = 1):
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.message = message
        self.line = line


class UsageError(WeightgateError):
    """Bad invocation or configuration: exit 2 with one line."""


class ConfigError(UsageError):
    """Bad configuration file: names the file, the key and what is expected."""


class ComplianceError(WeightgateError):
    """Raised by weightgate.gate() when a model folder has error-level findings."""

    def __init__(self, report):
        self.report = report
        errors = [f for f in report.findings if f.severity == "error" and not f.waived]
        lines = [f"{f.path}:{f.line}: {f.rule}: {f.message}" for f in errors[:20]]
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} licence compliance error(s):\n" + "\n".join(lines) + more)
