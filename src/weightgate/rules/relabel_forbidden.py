"""relabel-forbidden — the model declares a licence that its base's licence does not allow.

A derivative (fine-tune, adapter, merge, quantization) inherits its base's licence terms. Some licences let a
derivative carry other terms (MIT, Apache-2.0, CC-BY; OpenRAIL and Gemma as long as the use restrictions go
with it — see `missing-use-restrictions`). Others do not: the Llama agreements must accompany every copy and
derivative, the OPT-175B, LLaMA-1, FLUX.1 [dev] and Stability non-commercial licences forbid "inconsistent"
terms, CC-BY-SA demands the same licence (share-alike), and non-commercial licences (CC-BY-NC, Qwen Research,
Mistral MNPL/MRL) keep binding whatever the label says. A permissive label on such a derivative misleads
every downstream user.

Checked declarations: the card's `license:` (with `license_name`/`license_link` for `other`), "License:"
lines, badges and "released under …" sentences in the card text, the governing LICENSE file (the model
folder's own, else the nearest one above it), and licence claims in checkpoint metadata (GGUF
`general.license`, safetensors `__metadata__`, ONNX `model_license`).

A derivative may narrow terms (a permissive base released CC-BY-NC is fine) but never loosen them. Declaring a
different version of the same licence line (a Llama 3 base declared `llama2`) is reported as
`license-mismatch` instead.

Fix: declare the base's licence (`weightgate fix` sets it when the base allows exactly one), or, where several
are allowed, pick one of them.
"""
from __future__ import annotations

from . import clause_of, finding, under

ID = "relabel-forbidden"
SEVERITY = "error"
SUMMARY = "A declared licence that the base's licence does not allow for this derivative."


def permits(kb, base_lic, declared_id: str) -> bool:
    """Whether `base_lic` lets a derivative be declared under `declared_id`."""
    if declared_id == base_lic.id or declared_id in base_lic.relabel.allowed:
        return base_lic.relabel.mode != "no-derivatives"
    mode = base_lic.relabel.mode
    if mode in ("any", "carry-restrictions"):
        return True
    if mode == "non-commercial":
        d = kb.get(declared_id)
        return d is not None and not d.commercial
    return False  # same, share-alike, no-derivatives


def same_family(kb, a: str, b: str) -> bool:
    la, lb = kb.get(a), kb.get(b)
    return bool(la and lb and la.family and la.family == lb.family and a != b)


def where(d) -> str:
    if d.source == "card":
        return f"the card declares `license: {d.raw}`"
    if d.source == "card-body":
        return f"the card text states the licence is {_short(d.raw)} ({', '.join(d.ids)})"
    if d.source == "license-file":
        return f"{d.path} holds the {' + '.join(d.ids)} licence text"
    if d.source == "sidecar":
        return f"{d.path} declares `{d.raw}`"
    return f"checkpoint metadata declares `{d.raw}`"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split()).rstrip(" .;,")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return f"“{text}”"


def suggested_label(lic) -> str:
    if lic.hub_ids:
        return f"`license: {lic.hub_ids[0]}`"
    slug = lic.license_names[0] if lic.license_names else lic.id
    return f"`license: other`, `license_name: {slug}`, `license_link: LICENSE`"


def _reason(kb, lic) -> str:
    mode = lic.relabel.mode
    if mode == "non-commercial":
        return "which is non-commercial and keeps binding derivatives whatever their label"
    if mode == "share-alike":
        allowed = ", ".join([lic.id, *lic.relabel.allowed])
        return f"which requires derivatives to carry the same licence ({allowed})"
    if mode == "no-derivatives":
        return "which allows no adapted material to be shared at all"
    return "which does not allow derivatives under other terms"


def check(model):
    kb = model.kb
    for d in model.declared:
        if not d.ids:
            continue
        for lic, base in model.inherited():
            if any(permits(kb, lic, i) for i in d.ids):
                continue
            if any(same_family(kb, i, lic.id) for i in d.ids):
                continue  # reported by license-mismatch
            if lic.relabel.mode == "no-derivatives":
                fix = "do not distribute this derivative; the base's licence forbids sharing adapted material"
            elif lic.relabel.mode == "non-commercial":
                fix = f"declare a non-commercial licence, e.g. {suggested_label(lic)}, and remove commercial claims"
            elif d.source == "card-body":
                fix = f"edit this line to state the {lic.name} (`{lic.label}`)" + (
                    ", as the card metadata already does" if any(c.source == "card" and lic.id in c.ids
                                                                for c in model.declared) else
                    f", and declare {suggested_label(lic)} in the card metadata")
            elif d.source == "license-file":
                fix = (f"replace {d.path} with the {lic.name} text (keep a code licence outside the model folder), "
                       f"and declare {suggested_label(lic)} in the card")
            else:
                fix = f"declare {suggested_label(lic)}" + (" in the card" if d.source != "checkpoint" else
                                                          " in the checkpoint metadata (or remove the claim)")
            yield finding(
                ID, SEVERITY, d.path, d.line,
                f"{where(d)}, but {under(base, lic)}, {_reason(kb, lic)}",
                clause_of(lic, lic.relabel.clause, lic.relabel.quote), fix)
            break
