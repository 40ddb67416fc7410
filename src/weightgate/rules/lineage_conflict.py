"""lineage-conflict — two sources disagree about a base: which licence governs the weights is in doubt.

Reported:
- a local folder or a Hugging Face cache snapshot named like a base that curated knowledge (the
  configuration's `models` table, the built-in registry) knows, whose card or licence file says another
  licence. Curated knowledge wins — a copy named `Llama-2-7b-hf` whose card says `apache-2.0` does not make
  a Llama 2 base Apache — and the disagreement is reported, naming both sources (an error for a folder in the
  repository, a warning for the cache, which is this machine's state);
- a base the card's text names ("fine-tuned from meta-llama/Llama-2-7b-hf", "a Llama 3 fine-tune") that the
  metadata's lineage does not explain: a known base under a licence with obligations, in no licence family of
  the bases `base_model` (or an adapter or mergekit config) names. The weights may come from either; the
  metadata is used, and this is a warning (re-uploads and quantizations often carry the upstream card, whose
  text names the upstream's own bases and siblings).

Fix: make the metadata name the real base (`base_model:`); if a local copy is mislabelled, correct its card;
if curated knowledge is wrong for your case, say so in the configuration:

    [tool.weightgate.models]
    "org/base-7b" = "<licence id>"
"""
from __future__ import annotations

from . import finding

ID = "lineage-conflict"
SEVERITY = "error"
SUMMARY = "Two sources disagree about a base's licence, or the card's text names a base the metadata does not."


def check(model):
    for b in model.bases:
        ev = b.evidence[0] if b.evidence else None
        path, line = (ev.path, ev.line) if ev else model.anchor()
        for d in b.disagreements:
            if d.how == "prose":
                named = ", ".join(f"{x.display} ({x.license})" for x in model.bases if not x.via)
                # The metadata is the card's statement of lineage; prose naming other models is often a copied
                # upstream card (a quantizer's or a distill's model table), so it is a warning to look at.
                yield finding(ID, "warning", d.path, d.line,
                              f"{d.source} under {d.license}, but the metadata's lineage is {named}; the weights "
                              f"may come from either", "",
                              "set `base_model:` to the model the weights were trained from (list every base)")
                continue
            where = f" ({d.path}:{d.line})" if d.path else ""
            # A copy in this repository is the owner's to correct; the cache is this machine's state, and the
            # curated answer is used either way.
            yield finding(ID, SEVERITY if d.how == "local" else "warning", path, line,
                          f"base {b.display}: {_curated(b)} says {b.license}, but {d.source}{where} "
                          f"says {d.license}; the curated answer ({b.license}) is used", "",
                          f"correct the copy's licence, or state the base's licence in the configuration: "
                          f"[tool.weightgate.models] \"{b.display}\" = \"<licence id>\"")


def _curated(base) -> str:
    """"the registry (Llama 2)" or "the configuration's models table": the source whose answer is used."""
    if base.resolved_from == "registry":
        return f"the registry ({base.note.split(';', 1)[0].replace('registry: ', '', 1)})"
    return "the configuration's models table" if base.resolved_from == "config" else base.resolved_from
