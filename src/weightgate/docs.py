"""`weightgate rules`, `weightgate explain [RULE]` and `weightgate licenses [FILTER]`: documentation straight
from the rule modules and the data."""
from __future__ import annotations

import inspect
import json
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import List, Tuple

from . import knowledge, rules
from .errors import UsageError


def _write(text: str) -> None:
    from .report.terminal import write

    write(text)


def rules_command(args) -> int:
    mods = rules.all_rules()
    if args.format == "json":
        _write(json.dumps([{"id": m.ID, "severity": m.SEVERITY, "summary": m.SUMMARY} for m in mods],
                          indent=2) + "\n")
        return 0
    _write(_rules_table(mods))
    return 0


def _rules_table(mods) -> str:
    width = max(len(m.ID) for m in mods)
    return "".join(f"{m.ID:<{width}}  {m.SEVERITY:<7}  {m.SUMMARY}\n" for m in mods)


def licenses_command(args) -> int:
    """Every licence id weightgate knows (built in, and from --config), optionally filtered."""
    kb = knowledge.load()
    if args.config:
        from .config import load_config

        cfg = load_config(".", explicit=args.config)
        if cfg.licenses:
            kb = knowledge.extended(kb, cfg.licenses, cfg.path or "configuration")
    want = (args.filter or "").lower()
    rows = []
    for lic in sorted(kb.licenses.values(), key=lambda l: l.id):
        words = (lic.id, lic.name, lic.kind, lic.family, *lic.hub_ids, *lic.license_names, *lic.aliases)
        if want and not any(want in w.lower() for w in words if w):
            continue
        rows.append(lic)
    if args.format == "json":
        _write(json.dumps([{"id": l.id, "name": l.name, "kind": l.kind, "source": l.source, "hub_ids": list(l.hub_ids),
                            "spdx": l.spdx, "parent": l.parent or None} for l in rows], indent=2,
                          ensure_ascii=False) + "\n")
        return 0
    if not rows:
        raise UsageError(f"no licence id, name or kind contains `{args.filter}` (see `weightgate licenses`)")
    wid = max(len(l.id) for l in rows)
    wkind = max(len(l.kind) for l in rows)
    wname = max(len(l.name) for l in rows)
    _write("".join(f"{l.id:<{wid}}  {l.kind:<{wkind}}  {l.name:<{wname}}  {l.source.split(';')[0]}".rstrip() + "\n"
                   for l in rows))
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
    "generated-data-terms": "generator",
}


def clauses(rule_id: str, kb=None) -> List[Tuple[str, str, str, str]]:
    """(licence id, clause, quoted words, what must be carried) for every licence clause a rule enforces."""
    kind = ENFORCES.get(rule_id)
    if not kind:
        return []
    kb = kb or knowledge.load()
    out = []
    if kind == "generator":  # terms of models that generate training data: licences only here (see clause_lines)
        return [(g.license, f"{g.clause}", g.quote, g.kind) for g in kb.generators if g.license]
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
    if ENFORCES.get(rule_id) == "generator":  # generators' terms that are not licences: OpenAI, Anthropic, Gemini
        for g in (kb or knowledge.load()).generators:
            if not g.license:
                lines.append(f"- {g.name}: {g.terms}, {g.clause} ({g.kind})" + (f": “{g.quote}”" if g.quote else ""))
    for lid, clause, quote, extra in clauses(rule_id, kb):
        mode = f" ({extra})" if ENFORCES.get(rule_id) in ("relabel", "non-commercial", "generator") else ""
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
    if not args.rule:
        _write("Explain one of these rules with `weightgate explain RULE`:\n\n" + _rules_table(rules.all_rules())
               + "\nLicence ids the explanations cite: `weightgate licenses`.\n")
        return 0
    mod = rules.get(args.rule)
    if mod is None:
        import difflib

        ids = list(rules.IDS)
        close = difflib.get_close_matches(args.rule, ids, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        raise UsageError(f"unknown rule `{args.rule}`{hint}; rules are: {', '.join(ids)}")
    _write(documentation(mod))
    return 0
