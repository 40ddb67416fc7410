"""Grouped report: each model folder with a one-line lineage summary, then its findings.

    models/acme-chat: acme-chat (mit) ← meta-llama/Llama-2-7b-hf (llama2, registry)
      models/acme-chat/README.md:3: error [relabel-forbidden] …

Findings keep their full paths (they name files that exist from the current directory); a finding outside
every model folder (a configuration file, a licence file above the models) is listed under "Other files".
"""
from __future__ import annotations

import os
import posixpath

from .terminal import PLAIN
from .text_format import details, finding_line, safe, summary


def lineage_line(m) -> str:
    """`acme-chat (mit) ← meta-llama/Llama-2-7b-hf (llama2, registry)`."""
    name = posixpath.basename(m.root.rstrip("/")) if m.root not in (".", "") else ""
    name = name or os.path.basename(os.getcwd()) or m.root
    declared = sorted({d["license"] for d in m.declared if d.get("license")})
    head = name + (f" ({', '.join(declared)})" if declared else "")
    if not m.bases:
        return f"{head}, no base model declared"
    bases = ", ".join(f"{b['id']} ({b.get('license') or 'licence unknown'}, {b.get('resolved_from') or 'unresolved'})"
                      for b in m.bases)
    return f"{head} ← {bases}"


def _owner(path: str, roots) -> str:
    """The deepest model folder containing `path` ("" when none does)."""
    best = ""
    for r in roots:
        if r in (".", "") and not path.startswith(("/", "../")):
            best = best or r
        elif path.startswith(r.rstrip("/") + "/") and len(r) > len(best):
            best = r
    return best


def render(report, style=PLAIN) -> str:
    roots = [m.root for m in report.models]
    groups = {r: [] for r in roots}
    other = []
    for f in report.findings:
        owner = _owner(f.path, roots)
        (groups[owner] if owner in groups else other).append(f)
    out = []
    for m in report.models:
        found = groups[m.root]
        out.append(f"{style.path(safe(m.root))}: {safe(lineage_line(m))}")
        for f in found:
            out.append("  " + finding_line(f, style))
            out.extend(details(f, style, indent="      "))
        if not found:
            out.append("  no findings")
        out.append("")
    if other:
        out.append("Other files:")
        for f in other:
            out.append("  " + finding_line(f, style))
            out.extend(details(f, style, indent="      "))
        out.append("")
    out.append(summary(report))
    return "\n".join(out) + "\n"
