"""license-mismatch — sources inside the repository contradict each other about the model's licence.

The card's `license:` metadata is the reference; weightgate compares it with "License:" lines and "released
under …" sentences in the card text, the LICENSE file in the model folder, REUSE sidecars and SPDX headers,
and licence claims in checkpoint metadata (GGUF, safetensors, ONNX). Without card metadata, the LICENSE file is
the reference. A contradiction leaves users unsure which terms apply; the Hub shows only the metadata.

Also reported here: declaring a different version of the base's licence line (a Llama 3 base declared
`llama2`): each Llama agreement covers only its own version's materials (LICENSE-FACTS §1.5).

Fix: make every source state the same licence (the one the base requires).
"""
from __future__ import annotations

import fnmatch

from . import base_phrase, clause_of, finding
from .relabel_forbidden import permits, same_family, where

ID = "license-mismatch"
SEVERITY = "error"
SUMMARY = "Licence sources inside the repository contradict each other (card metadata vs text vs LICENSE vs checkpoint)."


def _required_copy(model, d) -> bool:
    """A licence file holding an ancestor's own licence is the copy that licence demands, not a contradiction."""
    inherited = {lic.id for lic, _ in model.inherited()}
    return d.source == "license-file" and set(d.ids) <= inherited


def _relabel(model, d) -> bool:
    """Declarations a base forbids are reported once, by relabel-forbidden."""
    kb = model.kb
    return any(not any(permits(kb, lic, i) or same_family(kb, i, lic.id) for i in d.ids)
               for lic, _ in model.inherited())


def _covered(kb, ids_a, ids_b) -> bool:
    """One side names a generic licence ("Creative Commons", `openrail`) the other side's licence belongs to."""

    def covers(general, specific) -> bool:
        lic = kb.get(general)
        return lic is not None and any(fnmatch.fnmatchcase(specific, g) for g in lic.covers)

    return any(covers(a, b) or covers(b, a) for a in ids_a for b in ids_b)


def check(model):
    kb = model.kb
    known = [d for d in model.declared if d.ids and (d.source != "license-file" or d.distance == 0)
             and not _required_copy(model, d)]
    reference = next((d for d in known if d.source == "card"), None) or next(
        (d for d in known if d.source == "license-file"), None)
    if reference is not None:
        ref_ids = set(reference.ids)
        for d in known:
            if d is reference or d.source == reference.source == "card" or set(d.ids) & ref_ids:
                continue
            if _covered(kb, d.ids, ref_ids):
                continue  # "the Creative Commons license (CC BY-SA-4.0)" beside `license: cc-by-sa-4.0`
            if d.source == "license-file" and reference.source == "license-file":
                continue  # several licence files (code + model) may sit side by side
            if _relabel(model, d):
                continue
            yield finding(ID, SEVERITY, d.path, d.line,
                          f"{where(d)}, but {where(reference)} ({reference.path}:{reference.line})", "",
                          f"state one licence everywhere: change this to match {', '.join(reference.ids)} "
                          f"or correct the other source")
    reported = set()
    for d in model.declared:
        for lic, base in model.inherited():
            for i in d.ids:
                if same_family(kb, i, lic.id) and (d.path, d.line) not in reported:
                    reported.add((d.path, d.line))
                    declared = kb.get(i)
                    yield finding(ID, SEVERITY, d.path, d.line,
                                  f"{where(d)} ({declared.name}), but {base_phrase(base)} is under the {lic.name} "
                                  f"({lic.id}); each version's agreement covers only its own materials",
                                  clause_of(lic, lic.relabel.clause, lic.relabel.quote),
                                  f"declare `{lic.label}` and ship the {lic.name}")
