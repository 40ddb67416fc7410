"""missing-use-restrictions — use restrictions of the base are not passed on to users of the derivative.

OpenRAIL-M licences (CreativeML Open RAIL-M §4.a and paragraph 5, Open RAIL++-M, BigScience BLOOM RAIL, BigCode
OpenRAIL-M, DeepSeek) let a derivative be released under other terms only if the use-based restrictions are
"included as an enforceable provision" in those terms. Gemma (§3.1.1) and the Falcon TII licences (§4.1) say
the same of their prohibited/acceptable use policies. An adapter that ships no base weights still inherits
them.

Passed on means one of: the card declares the base's own licence (or one carrying the same restrictions);
a copy of the licence text ships with the model; or the card states that use is subject to those
restrictions, naming the licence and linking to it (e.g. "Use of this model is subject to the use-based
restrictions in Attachment A of the CreativeML Open RAIL-M license: LICENSE").

Fix: declare the base's licence, ship its text, or add the incorporating statement with a link
(`weightgate fix` adds the statement).
"""
from __future__ import annotations

from . import clause_of, finding, under
from ..text import normalise

ID = "missing-use-restrictions"
SEVERITY = "error"
SUMMARY = "An OpenRAIL/RAIL/Gemma/AUP-restricted base whose use restrictions are not passed on."

INCORPORATING = ("use restriction", "use-based restriction", "attachment a", "prohibited use", "acceptable use",
                 "use policy", "restricted use", "paragraph 5", "section 3.2")


def _names(lic):
    return {normalise(n) for n in (lic.name, lic.id, *lic.hub_ids, *lic.aliases, *lic.license_names) if n}


def passed_on(model, lic, duty) -> bool:
    kb = model.kb
    carriers = {lic.id} | (kb.restriction_group(duty.group) if duty.group else set())
    if any(i in carriers for d in model.declared for i in d.ids):
        return True
    if any(kb.main(c) in carriers for lf in model.facts.license_files for c in lf.copies):
        return True
    names = _names(lic)
    for _line, para in model.paragraphs():
        if any(k in para for k in INCORPORATING) and any(n in para for n in names) and (
                "http" in para or "](" in para or "license" in para.split("restriction", 1)[-1]):
            return True
    return False


def check(model):
    for lic, base in model.inherited():
        for duty in lic.duty("use-restrictions"):
            if passed_on(model, lic, duty):
                continue
            declared = next((d for d in model.declared if d.ids and d.source in ("card", "license-file")), None)
            path, line = (declared.path, declared.line) if declared else model.anchor()
            label = f"`{declared.raw}` " if declared and declared.source == "card" else ""
            yield finding(ID, duty.severity or SEVERITY, path, line,
                          f"{under(base, lic)}, whose use restrictions must bind "
                          f"every user of a derivative; the declared {label}terms do not carry them",
                          clause_of(lic, duty.clause, duty.quote),
                          f"declare `license: {lic.label}` and ship its text, or state in the card that use is subject "
                          f"to the use restrictions of the {lic.name}, with a link to it")
