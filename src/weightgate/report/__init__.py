"""report: formatters only; no judgement happens here.

Formats: full (the default text), concise, grouped, json, sarif, github; `text` is an alias of `full`.
"""
from __future__ import annotations

import importlib

from .terminal import PLAIN

FORMATS = ("full", "concise", "grouped", "json", "sarif", "github")
ALIASES = {"text": "full"}
OUTPUT_FORMATS = FORMATS + tuple(ALIASES)  # what --output-format / --format accept
HUMAN = ("full", "concise", "grouped")  # formats that may be coloured and honour --quiet


def canonical(fmt: str) -> str:
    fmt = ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return fmt


def render(report, fmt: str, style=PLAIN) -> str:
    fmt = canonical(fmt)
    report = printable_report(report)
    if fmt == "full":
        from .text_format import render as full

        return full(report, style)
    if fmt == "concise":
        from .text_format import render_concise

        return render_concise(report, style)
    if fmt == "grouped":
        from .grouped_format import render as grouped

        return grouped(report, style)
    return importlib.import_module(f"{__name__}.{fmt}_format").render(report)


def printable_report(report):
    """The report with every string made printable: a file name that is not UTF-8 is shown with its bytes
    escaped (`mod\\xe9l/README.md`) instead of crashing SARIF or making JSON invalid UTF-8."""
    from ..result import Report
    from ..text import printable

    def clean(v):
        if isinstance(v, str):
            return printable(v)
        if isinstance(v, dict):
            return {clean(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return type(v)(clean(x) for x in v)
        return v

    if not _has_surrogates(report):
        return report
    # repo_paths keep the real bytes: SARIF percent-encodes them into URIs that name the file exactly
    out = Report(findings=[f._replace(**{k: clean(getattr(f, k)) for k in _FINDING_TEXT}) for f in report.findings],
                 models=[m._replace(**{k: clean(v) for k, v in m._asdict().items()}) for m in report.models],
                 repo_paths={clean(k): v for k, v in report.repo_paths.items()})
    out.config_warnings = list(report.config_warnings)
    return out


_FINDING_TEXT = ("path", "message", "clause", "fix")


def _strings(v):
    """Every string inside plain data (records, lists, dicts)."""
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield from _strings(k)
            yield from _strings(x)
    elif isinstance(v, (list, tuple)):
        for x in v:
            yield from _strings(x)


def _has_surrogates(report) -> bool:
    """Whether any path or message holds a non-UTF-8 byte (most reports: a quick all-ASCII scan)."""
    from ..text import printable

    texts = [getattr(f, k) for f in report.findings for k in _FINDING_TEXT]
    return any(not s.isascii() and printable(s) != s for s in _strings([texts, list(report.models)]))
