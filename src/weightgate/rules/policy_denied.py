"""policy-denied — a licence in the model's lineage or declarations is against your organisation's policy.

Licences can permit a use that your organisation still rules out: no non-commercial bases in a product, no
Llama models in this repository. Write that down in the configuration and the gate enforces it for every
ancestor (bases, and bases of bases) and for every licence the model declares:

    [tool.weightgate.policy]
    deny = ["non-commercial", "llama*"]      # licence kinds, licence ids, or globs on licence ids
    # allow = ["apache-2.0", "mit"]          # when set, every licence must match an allow entry

A `deny` entry matches a licence by its id or Hub id (globs such as `llama*` allowed) or by its kind
(`permissive`, `share-alike`, `copyleft`, `responsible-ai`, `proprietary-custom`, `non-commercial`,
`no-derivatives`); `non-commercial` also matches any licence that forbids commercial use. When `allow` is set,
a licence that matches no `allow` entry is denied too; `deny` wins over `allow`. A base whose licence is
unknown is reported by `unknown-base-license`, not here.

The finding names the policy entry that matched and the base that brings the licence.

Fix: replace the base (or the declared licence) with one the policy allows, or, after review, add a waiver
with the reason:

    [[tool.weightgate.waivers]]
    rule = "policy-denied"
    path = "models/research-only/*"
    reason = "research prototype, never shipped; approved by legal 2025-03-01"
"""
from __future__ import annotations

import fnmatch
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Optional

from . import base_phrase, finding

ID = "policy-denied"
SEVERITY = "error"
SUMMARY = "A licence in the lineage or declarations is denied by the configured policy."


def _names(lic) -> tuple:
    return tuple(dict.fromkeys(x.lower() for x in (lic.id, *lic.hub_ids) if x))


def matches(entry: str, lic, kb) -> bool:
    """Does a policy entry (licence id, kind or glob) match a licence?"""
    e = entry.strip().lower()
    if e == lic.kind:
        return True
    if e == "non-commercial" and not lic.commercial:
        return True
    names = _names(lic)
    if any(c in e for c in "*?["):
        return any(fnmatch.fnmatchcase(n, e) for n in names)
    lid = kb.lookup(entry)
    return e in names or (lid is not None and kb.main(lid) == lic.id)


def verdict(policy: dict, lic, kb) -> Optional[str]:
    """Why the policy denies `lic` (a phrase naming the entry), or None when it is allowed."""
    for entry in policy.get("deny", ()):
        if matches(entry, lic, kb):
            return f'the policy denies it (deny entry "{entry}")'
    allow = policy.get("allow")
    if allow and not any(matches(entry, lic, kb) for entry in allow):
        return "it matches no entry of the policy's allow list (" + ", ".join(f'"{a}"' for a in allow) + ")"
    return None


def _where(config) -> str:
    if config is None or not config.path:
        return ""
    import os

    rel = os.path.relpath(config.path) if os.path.isabs(config.path) else config.path
    return f" in {config.path if rel.startswith('..') else rel.replace(os.sep, '/')}"


def check(model):
    config = model.config
    policy = getattr(config, "policy", None) or {}
    if not policy.get("deny") and not policy.get("allow"):
        return
    kb = model.kb
    fix = ("use a base (or declare a licence) the policy allows, or add a waiver with the reason: "
           f'[[tool.weightgate.waivers]] rule = "{ID}", path = "…", reason = "…"')
    reported = set()
    for b in model.bases:
        if not b.license:
            continue
        lic = kb.get(kb.main(b.license))
        if lic is None or lic.kind == "use-policy" or lic.id in reported:
            continue
        why = verdict(policy, lic, kb)
        if why is None:
            continue
        reported.add(lic.id)
        ev = b.evidence[0] if b.evidence else None
        path, line = (ev.path, ev.line) if ev else model.anchor()
        yield finding(ID, SEVERITY, path, line,
                      f"{base_phrase(b)} is under the {lic.name} ({lic.id}, {lic.kind}), and {why}",
                      f"organisation policy{_where(config)}", fix)
    for d in model.declared:
        for lid in d.ids:
            lic = kb.get(kb.main(lid))
            if lic is None or lic.kind == "use-policy" or lic.id in reported:
                continue
            why = verdict(policy, lic, kb)
            if why is None:
                continue
            reported.add(lic.id)
            src = f"`{d.raw}`" if d.source == "card" else f"in {d.path}"
            yield finding(ID, SEVERITY, d.path, d.line,
                          f"the model declares the {lic.name} ({lic.id}, {lic.kind}) {src}, and {why}",
                          f"organisation policy{_where(config)}", fix)
