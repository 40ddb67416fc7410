"""`weightgate rules` and `weightgate explain RULE`: documentation straight from the rule modules and the data."""
from __future__ import annotations

import inspect
import json
import sys
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import List, Tuple

from . import knowledge, rules
from .errors import UsageError


def rules_command(args) -> int:
    mods = rules.all_rules()
    if args.format == "json":
        sys.stdout.write(json.dumps([{"id": m.ID, "severity": m.SEVERITY, "summary": m.SUMMARY} for m in mods],
                                    indent=2) + "\n")
        return 0
    width = max(len(m.ID) for m in mods)
    for m in mods:
        sys.stdout.write(f"{m.ID:<{width}}  {m.SEVERITY:<7}  {m.SUMMARY}\n")
    return 0


# Which duty kinds / relabel rules each rule enforces, so explain can list the clauses from the data.
ENFORCES = {
    "relabel-forbidden": "relabel",
    "license-mismatch": "relabel",
    "missing-license-copy": "license-copy",
    "missing-notice": "notice",
    "missing-attribution-phrase": "attribution",
    "naming-rule": "naming",
    "missing-use-restrictions": "use-restrictions",
    "noncommercial-data": "non-commercial",
}


def clauses(rule_id: str, kb=None) -> List[Tuple[str, str, str, str]]:
    """(licence id, clause, quoted words, what must be carried) for every licence clause a rule enforces."""
    kind = ENFORCES.get(rule_id)
    if not kind:
        return []
    kb = kb or knowledge.load()
    out = []
    for lic in sorted(kb.licenses.values(), key=lambda l: l.id):
        if lic.parent:
            continue
        if kind == "relabel":
            if lic.relabel.mode in ("any", "carry-restrictions") or not lic.relabel.clause:
                continue
            out.append((lic.id, lic.relabel.clause, lic.relabel.quote, lic.relabel.mode))
        elif kind == "non-commercial":
            if lic.commercial or lic.kind == "use-policy":
                continue
            copy = lic.duty("license-copy")
            clause = lic.relabel.clause or (copy[0].clause if copy else "")
            quote = lic.relabel.quote or (copy[0].quote if copy else "")
            if clause:
                out.append((lic.id, clause, quote, "non-commercial"))
        else:
            for d in lic.duty(kind):
                out.append((lic.id, d.clause, d.quote, d.text or ", ".join(d.phrases) or d.prefix))
    return out


def clause_lines(rule_id: str, kb=None) -> List[str]:
    """One line per clause: `- llama2 §1.b.i: “quoted words” → what to carry`."""
    lines = []
    for lid, clause, quote, extra in clauses(rule_id, kb):
        mode = f" ({extra})" if ENFORCES.get(rule_id) in ("relabel", "non-commercial") else ""
        arrow = f" → {extra}" if extra and not mode else ""
        said = f": “{quote}”" if quote else ""
        lines.append(f"- {lid} {clause}{mode}{said}{arrow}")
    return lines


def how_to(rule_id: str) -> List[str]:
    """How to waive the rule or change its severity, as configuration snippets."""
    return ["To waive a reviewed exception, add to the configuration (pyproject.toml):",
            "    [[tool.weightgate.waivers]]", f'    rule = "{rule_id}"', '    path = "models/my-model/*"',
            '    reason = "why this is acceptable, who reviewed it"',
            '    expires = 2026-12-31        # optional', "",
            f"To change its severity: [tool.weightgate.severity] {rule_id} = \"warning\" (or \"off\")."]


def documentation(mod) -> str:
    """The rule's docstring, the clauses it enforces and how to fix or waive it (what `explain` prints)."""
    out = [f"{mod.ID} ({mod.SEVERITY})", "", inspect.cleandoc(mod.__doc__ or "")]
    lines = clause_lines(mod.ID)
    if lines:
        out += ["", "Clauses enforced:"] + lines
    out += [""] + how_to(mod.ID)
    return "\n".join(out) + "\n"


def explain_command(args) -> int:
    mod = rules.get(args.rule)
    if mod is None:
        ids = ", ".join(m.ID for m in rules.all_rules())
        raise UsageError(f"unknown rule `{args.rule}`; rules are: {ids}")
    sys.stdout.write(documentation(mod))
    return 0
