"""rules: one module per rule, collected here.

A rule module defines `ID` (public, stable), `SEVERITY` (default), a docstring that is its user
documentation (`weightgate explain ID` prints it), `SUMMARY` (one line) and `check(model) -> Iterable[Finding]`,
and is listed in REGISTRY with its id and its gate. Clause texts come from the knowledge data, never from the rule.
"""
from __future__ import annotations

import os
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List

from ..facts import Finding

# module, rule id, gate. Order is the order of `weightgate rules` and of each model's findings. The ids are
# known here so that validating `--select` or a configuration imports no rule (a test holds them to the modules).
# A gate names facts without which the rule cannot find anything: a rule whose gate is false on a model is
# neither imported nor run. A wrong gate silently drops findings, so each is a necessary condition read from the
# rule's check() (see GATES), and "always" where no cheap one is plainly sound.
REGISTRY = (
    ("relabel_forbidden", "relabel-forbidden", "inherited"),
    ("missing_license_copy", "missing-license-copy", "duty:license-copy"),
    ("missing_notice", "missing-notice", "notice"),
    ("missing_attribution_phrase", "missing-attribution-phrase", "duty:attribution"),
    ("naming_rule", "naming-rule", "duty:naming"),
    ("missing_use_restrictions", "missing-use-restrictions", "duty:use-restrictions"),
    ("noncommercial_data", "noncommercial-data", "datasets"),
    ("generated_data_terms", "generated-data-terms", "generators"),
    ("metadata_invalid", "metadata-invalid", "always"),
    ("license_mismatch", "license-mismatch", "two-licences-or-inherited"),
    ("unknown_base_license", "unknown-base-license", "unresolved-base"),
    ("base_conflict", "base-conflict", "base-names"),
    ("lock_invalid", "lock-invalid", "problems"),
    ("lineage_conflict", "lineage-conflict", "disagreements"),
    ("open_source_claim", "open-source-claim", "open-source-claim"),
    ("checkpoint_unverifiable", "checkpoint-unverifiable", "problems"),
    ("pickle_checkpoint", "pickle-checkpoint", "problems"),
    ("policy_denied", "policy-denied", "policy"),
)
IDS = tuple(rule_id for _module, rule_id, _gate in REGISTRY)


def _two_licences_or_inherited(model, kinds, rule_id) -> bool:
    return len({i for d in model.declared for i in d.ids}) > 1 or bool(model.inherited())


def _notice(model, kinds, rule_id) -> bool:
    return (any(lic.duty("notice") for lic, _base in model.obligations())
            or any(base.notice_lines for _lic, base in model.inherited()))


def _policy(model, kinds, rule_id) -> bool:
    policy = getattr(model.config, "policy", None) or {}
    return bool(policy.get("deny") or policy.get("allow"))


def _duty(kind: str):
    """A licence among the obligations (which hold every inherited one) carries this kind of duty."""
    return (f"model.obligations() with a {kind} duty",
            lambda model, kinds, rule_id: any(lic.duty(kind) for lic, _base in model.obligations()))


# gate → (what the guarded rules read, whether a model has it). Each answer comes from values the Model computes
# once for all rules (inherited(), obligations(), datasets()); `kinds` is the set of its fact kinds, with
# "problem:<rule id>" for each problem the readers noted.
GATES = {
    "always": ("anything", lambda model, kinds, rule_id: True),
    "inherited": ("model.inherited()", lambda model, kinds, rule_id: bool(model.inherited())),
    **{f"duty:{kind}": _duty(kind) for kind in ("license-copy", "attribution", "naming", "use-restrictions")},
    "notice": ("model.obligations() with a notice duty, or a base's NOTICE lines", _notice),
    "unresolved-base": ("the bases without a licence",
                        lambda model, kinds, rule_id: any(not b.license for b in model.bases)),
    "disagreements": ("the bases' disagreements",
                      lambda model, kinds, rule_id: any(b.disagreements for b in model.bases)),
    "two-licences-or-inherited": ("declarations naming two licences between them, or model.inherited()",
                                  _two_licences_or_inherited),
    "base-names": ("bases named by files, or a checkpoint's own name (base, base_weak, self_name facts)",
                   lambda model, kinds, rule_id: not kinds.isdisjoint(("base", "base_weak", "self_name"))),
    "open-source-claim": ("open_source_claim facts", lambda model, kinds, rule_id: "open_source_claim" in kinds),
    "datasets": ("the datasets the card names (model.datasets())",
                 lambda model, kinds, rule_id: bool(model.datasets()[0])),
    "generators": ("the generators of the training data (model.datasets())",
                   lambda model, kinds, rule_id: bool(model.datasets()[1])),
    "problems": ("problems the readers noted for this rule",
                 lambda model, kinds, rule_id: "problem:" + rule_id in kinds),
    "policy": ("a configured policy with deny or allow entries", _policy),
}
MODES = ("on", "off", "verify")  # WEIGHTGATE_RULE_GATES: gated (default); every rule; every rule, checking gates

_MODULES: Dict[str, object] = {}


def _module(name: str):
    mod = _MODULES.get(name)
    if mod is None:  # __import__, not importlib: `python -X importtime` then shows what a check imports
        mod = _MODULES[name] = __import__(f"{__name__}.{name}", fromlist=["check"])
    return mod


def all_rules() -> List[object]:
    return [_module(name) for name, _id, _gate in REGISTRY]


def get(rule_id: str):
    return next((_module(name) for name, rid, _gate in REGISTRY if rid == rule_id), None)


def _kinds(model) -> set:
    kinds = set()
    for f in model.facts.facts:
        kinds.add(f.kind)
        if f.kind == "problem":
            kinds.add("problem:" + f.value.rule)
    return kinds


def run(model, mode: str = "") -> List[Finding]:
    """Every finding of every rule on one model, in REGISTRY order. Rules whose gate is false are skipped
    (mode "on", the default); "off" runs every rule; "verify" runs every rule and raises when one whose gate is
    false finds something. The mode defaults to the environment's WEIGHTGATE_RULE_GATES (unknown: "off")."""
    mode = mode or os.environ.get("WEIGHTGATE_RULE_GATES") or "on"
    if mode not in MODES:
        mode = "off"  # a mistyped mode must not hide findings
    kinds = _kinds(model) if mode != "off" else set()
    out: List[Finding] = []
    for name, rule_id, gate in REGISTRY:
        open_ = mode == "off" or GATES[gate][1](model, kinds, rule_id)
        if not open_ and mode == "on":
            continue
        found = list(_module(name).check(model))
        if found and not open_:
            raise RuntimeError(f"the gate {gate!r} of {rule_id} is false on {model.root}, yet the rule found: "
                               f"{found[0].message}")
        out.extend(found)
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
