"""Human-readable report: `path:line: severity [rule] message`, then `why:` and `fix:` lines, then a summary."""
from __future__ import annotations


def render(report) -> str:
    out = []
    for f in report.findings:
        tag = f"{f.severity} [{f.rule}]" + (" (waived)" if f.waived is not None else "")
        out.append(f"{f.path}:{f.line}: {tag} {f.message}")
        if f.clause:
            out.append(f"    why: {f.clause}")
        if f.fix:
            out.append(f"    fix: {f.fix}")
        if f.waived is not None:
            out.append(f"    waived: {f.waived}")
    n = len(report.models)
    models = f"{n} model folder{'s' if n != 1 else ''}"
    if report.errors or report.warnings:
        out.append(f"Found {report.errors} error{'s' if report.errors != 1 else ''} and {report.warnings} "
                   f"warning{'s' if report.warnings != 1 else ''} in {models}.")
    elif n == 0:
        out.append("No model folders found (looked for model cards, config.json, adapter_config.json, weights).")
    else:
        out.append(f"All checks passed ({models}).")
    return "\n".join(out) + "\n"
