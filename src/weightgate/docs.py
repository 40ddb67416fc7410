"""`weightgate rules` and `weightgate explain RULE`: documentation straight from the rule modules and the data."""
from __future__ import annotations

import inspect
import json
import sys

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
}


def explain_command(args) -> int:
    mod = rules.get(args.rule)
    if mod is None:
        ids = ", ".join(m.ID for m in rules.all_rules())
        raise UsageError(f"unknown rule `{args.rule}`; rules are: {ids}")
    out = [f"{mod.ID} ({mod.SEVERITY})", "", inspect.cleandoc(mod.__doc__ or "")]
    kind = ENFORCES.get(mod.ID)
    if kind:
        kb = knowledge.load()
        out += ["", "Clauses enforced:"]
        for lic in sorted(kb.licenses.values(), key=lambda l: l.id):
            if lic.parent:
                continue
            if kind == "relabel":
                if lic.relabel.mode in ("any", "carry-restrictions") or not lic.relabel.clause:
                    continue
                out.append(f"- {lic.id} {lic.relabel.clause} ({lic.relabel.mode}): “{lic.relabel.quote}”")
            else:
                for d in lic.duty(kind):
                    extra = d.text or ", ".join(d.phrases) or d.prefix
                    out.append(f"- {lic.id} {d.clause}: “{d.quote}”" + (f" → {extra}" if extra else ""))
    out += ["", "To waive a reviewed exception, add to the configuration:",
            "    [[tool.weightgate.waivers]]", f'    rule = "{mod.ID}"', '    path = "models/my-model/*"',
            '    reason = "why this is acceptable, who reviewed it"', "",
            f"To change its severity: [tool.weightgate.severity] {mod.ID} = \"warning\" (or \"off\")."]
    sys.stdout.write("\n".join(out) + "\n")
    return 0
