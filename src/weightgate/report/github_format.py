"""GitHub Actions workflow commands: one `::error`/`::warning` annotation per active finding, then the text report.

Escaping follows actions/toolkit `packages/core/src/command.ts`: in the message `%`, CR and LF become `%25`,
`%0D`, `%0A`; in properties (`file`, `line`, `title`) `:` and `,` also become `%3A` and `%2C`. Annotations and the text report after them name files from the repository top (what GitHub resolves them
against), whatever the current directory. GitHub keeps only
10 annotations of each type per step, so the full text report always follows. Waived findings get no
annotation (the text report lists them as waived).
"""
from __future__ import annotations

from . import text_format
from .text_format import safe

LIMIT = 10  # annotations of one type GitHub shows per step


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(f) -> str:
    kind = "error" if f.severity == "error" else "warning"
    props = f"file={escape_property(f.path)},line={max(1, int(f.line or 1))},title={escape_property(f'weightgate {f.rule}')}"
    body = safe(f.message, keep_lines=True)  # no control characters from the checked files in the log
    if f.clause:
        body += f"\nwhy: {safe(f.clause, keep_lines=True)}"
    if f.fix:
        body += f"\nfix: {safe(f.fix, keep_lines=True)}"
    return f"::{kind} {props}::{escape_data(body)}"


def from_top(report):
    """The report with every finding named from its repository top: the whole github output (annotations and
    the log after them) then uses the one convention GitHub resolves."""
    from ..result import Report

    findings = [f._replace(path=report.repo_path(f.path)[1]) for f in report.findings]
    return Report(findings=findings, models=report.models)


def render(report) -> str:
    report = from_top(report)
    active = report.active
    out = [annotation(f) for f in active]
    for kind in ("error", "warning"):
        n = sum(1 for f in active if (f.severity == "error") == (kind == "error"))
        if n > LIMIT:
            out.append(f"::notice title=weightgate::{n} {kind} findings; GitHub shows the first {LIMIT} as "
                       f"annotations, all are in the report below")
    return ("\n".join(out) + "\n" if out else "") + text_format.render(report)
