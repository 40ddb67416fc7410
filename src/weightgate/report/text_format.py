"""Human-readable reports.

full     `path:line: severity [rule] message`, then `why:` / `fix:` / `waived:` lines, then the summary line
concise  one line per finding (the summary goes to stderr, so stdout holds only findings)
Paths are as the engine shows them: relative to the current directory when below it, else absolute.
"""
from __future__ import annotations

from .terminal import PLAIN
from ..text import LazyPattern

# Control characters from the checked files (an escape sequence in a card's `license:`) must not reach the
# terminal: they could recolour, retitle or clear it, or split one finding over several lines.
_CONTROL = LazyPattern(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = LazyPattern(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def safe(text: str, keep_lines: bool = False) -> str:
    """`text` with control characters spelled out (`\\x1b`); `keep_lines` leaves CR and LF to the caller."""
    pattern = _CONTROL_BUT_LINES if keep_lines else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text) if text else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def finding_line(f, style=PLAIN) -> str:
    tag = f"{style.severity(f.severity)} [{style.rule(f.rule)}]" + (" (waived)" if f.waived is not None else "")
    return f"{style.path(safe(f'{f.path}:{f.line}'))}: {tag} {safe(f.message)}"


def details(f, style=PLAIN, indent: str = "    ") -> list:
    out = []
    if f.clause:
        out.append(f"{indent}{style.dim('why:')} {safe(f.clause)}")
    if f.fix:
        out.append(f"{indent}{style.dim('fix:')} {safe(f.fix)}")
    if f.waived is not None:
        out.append(f"{indent}{style.dim('waived:')} {safe(f.waived)}")
    return out


def summary(report) -> str:
    """One line: errors and warnings that count, the model folders, and the findings waived by configuration."""
    n = len(report.models)
    models = _plural(n, "model folder")
    waived = sum(1 for f in report.findings if f.waived is not None)
    if report.errors or report.warnings:
        extra = f" ({_plural(waived, 'finding')} waived)" if waived else ""
        return (f"Found {_plural(report.errors, 'error')} and {_plural(report.warnings, 'warning')} in "
                f"{models}{extra}.")
    if n == 0:
        return "No model folders found (looked for model cards, config.json, adapter_config.json, weights)."
    extra = f"; {_plural(waived, 'finding')} waived" if waived else ""
    return f"All checks passed ({models}{extra})."


def render(report, style=PLAIN) -> str:
    out = []
    for f in report.findings:
        out.append(finding_line(f, style))
        out.extend(details(f, style))
    out.append(summary(report))
    return "\n".join(out) + "\n"


def render_concise(report, style=PLAIN) -> str:
    return "".join(finding_line(f, style) + "\n" for f in report.findings)
