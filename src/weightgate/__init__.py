"""weightgate — licence compliance for machine-learning model repositories.

    >>> import weightgate
    >>> report = weightgate.check("path/to/model")
    >>> report.ok, [f.rule for f in report.findings]

`gate(path)` raises ComplianceError when there are error-level findings (for upload scripts); a bad
configuration raises ConfigError, a bad argument (a missing path, a bad revision) UsageError (its base class).
Imports are lazy so that `import weightgate` stays cheap.
"""
from __future__ import annotations

from .__about__ import __version__

__all__ = ["check", "gate", "bom", "Report", "Finding", "ComplianceError", "ConfigError", "UsageError",
           "__version__"]


def check(path=".", ref=None, config=None, **options):
    """Check the model folders under `path` and return a Report.

    path     a repository, a model folder inside one, or a file (→ its folder); a list of paths is accepted
    ref      a git revision: check the models as they are in that commit, not the working tree
    config   a dict with the configuration keys (models, licenses, policy, severity, exclude, waivers),
             a path to a TOML file, or None to find `.weightgate.toml` / `[tool.weightgate]` above `path`
    options  hf_cache=<dir> (default: the usual Hugging Face cache), changed_since=<rev>, staged=True,
             cwd=<dir>: paths as the CLI prints them (relative to <dir> when below it, else absolute);
             by default they are relative to the checked folder
    """
    from .api import check as _check

    return _check(path, ref=ref, config=config, **options)


def gate(path=".", ref=None, config=None, **options):
    """Like check(), but raise ComplianceError when the report has error-level findings."""
    report = check(path, ref=ref, config=config, **options)
    if not report.ok:
        from .errors import ComplianceError

        raise ComplianceError(report)
    return report


def bom(path=".", format="cyclonedx", config=None, hf_cache=None, timestamp=None, ref=None) -> str:
    """The AI bill of materials of the model folders under `path` (what `weightgate bom` writes): CycloneDX 1.6
    JSON, or SPDX 3.0.1 JSON-LD with `format="spdx"`; `ref` describes a git revision instead of the working
    tree. `timestamp` (ISO 8601, UTC) is recorded only when given."""
    from .aibom import FORMATS, build, render

    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    paths = [path] if isinstance(path, str) or not hasattr(path, "__iter__") else list(path)
    return render(build([str(p) for p in paths] or ["."], config=config, hf_cache=hf_cache, ref=ref), format,
                  timestamp)


def __getattr__(name):
    if name == "Report":
        from .result import Report

        return Report
    if name == "Finding":
        from .facts import Finding

        return Finding
    if name in ("ComplianceError", "ConfigError", "UsageError"):
        from . import errors

        return getattr(errors, name)
    raise AttributeError(name)
