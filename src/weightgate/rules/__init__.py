"""rules: one module per rule, collected here.

A rule module defines `ID` (public, stable), `SEVERITY` (default), a docstring that is its user
documentation (`weightgate explain ID` prints it), `SUMMARY` (one line) and `check(model) -> Iterable[Finding]`.
Clause texts come from the knowledge data, never from the rule.
"""
from __future__ import annotations

import importlib
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List

from ..facts import Finding

# Order is the order of `weightgate rules`.
RULE_MODULES = (
    "relabel_forbidden",
    "missing_license_copy",
    "missing_notice",
    "missing_attribution_phrase",
    "naming_rule",
    "missing_use_restrictions",
    "noncommercial_data",
    "generated_data_terms",
    "metadata_invalid",
    "license_mismatch",
    "unknown_base_license",
    "base_conflict",
    "lock_invalid",
    "lineage_conflict",
    "open_source_claim",
    "checkpoint_unverifiable",
    "pickle_checkpoint",
    "policy_denied",
)

_LOADED: Dict[str, object] = {}


def all_rules() -> List[object]:
    if not _LOADED:
        for name in RULE_MODULES:
            mod = importlib.import_module(f"{__name__}.{name}")
            _LOADED[mod.ID] = mod
    return list(_LOADED.values())


def get(rule_id: str):
    return {r.ID: r for r in all_rules()}.get(rule_id)


def run(model) -> List[Finding]:
    out: List[Finding] = []
    for rule in all_rules():
        out.extend(rule.check(model))
    return out


def clause_of(lic, clause: str, quote: str) -> str:
    """The clause line every finding carries: licence, section, a few quoted words."""
    q = " ".join(quote.split())
    if len(q) > 250:  # cut at a word boundary, never inside a word
        cut = q[:248].rsplit(" ", 1)[0] if " " in q[:248] else q[:247]
        q = cut.rstrip(" ,;:") + "…"
    name = f"{lic.name} ({lic.id})"
    return f"{name} {clause}: “{q}”" if q else f"{name} {clause}"


def finding(rule_id: str, severity: str, path: str, line: int, message: str, clause: str = "",
            fix: str = "") -> Finding:
    return Finding(path=path, line=line, rule=rule_id, severity=severity, message=message, clause=clause, fix=fix)


def under(base, lic) -> str:
    """"its base X is under the Llama 2 … (llama2)" / "the model is under the … (llama2)"."""
    if base is None:
        return f"the model is declared under the {lic.name} ({lic.id})"
    return f"{base_phrase(base)} is under the {lic.name} ({lic.id})"


def base_phrase(base) -> str:
    """"its base meta-llama/Llama-2-7b-hf" or, for an ancestor, "its ancestor X (via Y)"."""
    if base is None:
        return "the model's declared licence"
    if base.via:
        relabel = f"; relabelled by {base.relabelled_by}" if base.relabelled_by else ""
        return f"its ancestor {base.display} (via {' → '.join(base.via)}{relabel})"
    return f"its base {base.display}"
