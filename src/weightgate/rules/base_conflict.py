"""base-conflict — files inside one model folder name bases under different licences.

The card's `base_model` is one witness; the files that came out of training are others: `adapter_config.json`
(`base_model_name_or_path`), `config.json` (`_name_or_path`), the same files in a trainer's `checkpoint-N/`
subfolder, a `mergekit_config.yml`, a GGUF's `general.base_model.*` entries or a safetensors `base_model`.
When one of them names a model the registry places under a licence that none of the card's bases has, the
weights may come from that other model, and the card's word alone does not settle it.

A GGUF whose own `general.name` / `general.basename` is the name of a known base family ("Llama 2 7B Chat")
while the folder declares a licence that family does not allow, or declares none and names no base, is
reported the same way: a quantization keeps its original's licence.

Only references that resolve through the built-in registry are compared (a training-time path such as
`/content/outputs` says nothing). Fix: name the base the weights really come from in the card, or remove the
stale file (a leftover `checkpoint-N/` of another run).
"""
from __future__ import annotations

from . import finding

ID = "base-conflict"
SEVERITY = "error"
SUMMARY = "A config, checkpoint or GGUF in the model folder names a base under another licence than the card's bases."

_CARD_SIDE = ("card:", "card-body")  # a mergekit_config.yml is a file from the run, like a config


def _registry_license(kb, value):
    """(licence id, family name) when the registry knows the model a reference names."""
    from ..lineage import normalise_ref

    ref = normalise_ref(value, "") if isinstance(value, str) else None
    if ref is None or ref.kind != "hub":
        return None
    hit = kb.family_for(ref.id)
    return (kb.main(hit[0].license), hit[0].name) if hit else None


def check(model):
    from .relabel_forbidden import permits, same_family

    kb = model.kb
    facts = model.facts
    card_refs = [f for f in facts.of("base") if f.origin.startswith(_CARD_SIDE)]
    card_lics = {}
    for f in card_refs:
        hit = _registry_license(kb, f.value)
        if hit:
            card_lics[hit[0]] = f
    for b in model.bases:  # card bases resolved another way (local folder, configuration's models table)
        if b.license and any(e.origin.startswith(_CARD_SIDE) for e in b.evidence):
            card_lics.setdefault(kb.main(b.license), b.evidence[0])
    if card_lics:
        others = [f for f in facts.facts if f.kind in ("base", "base_weak") and not f.origin.startswith(_CARD_SIDE)]
        for f in others:
            hit = _registry_license(kb, f.value)
            if hit is None or hit[0] in card_lics or any(same_family(kb, hit[0], l) for l in card_lics):
                continue
            lid, fam = hit
            named = ", ".join(sorted(str(c.value) for c in card_lics.values()))
            yield finding(ID, SEVERITY, f.path, f.line,
                          f"{f.path} names {f.value} ({fam}, {lid}) as the base, but the card names {named} "
                          f"({', '.join(sorted(card_lics))}); the weights may come from {f.value}",
                          "", "name the base the weights come from in the card's `base_model`, or remove the "
                              "file from another run")
    declared = {i: d for d in model.declared for i in d.ids}
    for f in facts.of("self_name"):
        hit = _registry_license(kb, f.value)
        if hit is None:
            continue
        lid, fam = hit
        if any(kb.main(b.license) == lid for b in model.bases if b.license):
            continue  # the lineage already carries this licence; the other rules judge it
        lic = kb.get(lid)
        if not declared and lic is not None:
            yield finding(ID, SEVERITY, f.path, f.line,
                          f"{f.path} calls itself {f.value} ({f.origin.split(':', 1)[-1]}), a model of the {fam} "
                          f"family under the {lic.name} ({lid}), but the folder names no base and declares no "
                          "licence; a quantization keeps its original's licence and duties",
                          "", f"name the base in a model card (`base_model:`), declare {lic.label} and ship its "
                              "licence text")
            continue
        for did, d in declared.items():
            if did == lid or lic is None or same_family(kb, lid, did) or permits(kb, lic, did):
                continue
            yield finding(ID, SEVERITY, f.path, f.line,
                          f"{f.path} calls itself {f.value} ({f.origin.split(':', 1)[-1]}), a model of the {fam} "
                          f"family under the {lic.name} ({lid}), but the model declares {d.raw} at "
                          f"{d.path}:{d.line}; a quantization keeps its original's licence",
                          "", f"declare {lic.label} and ship its licence text, or name the real base in "
                              "`base_model` if this is not a copy of that model")
            break
