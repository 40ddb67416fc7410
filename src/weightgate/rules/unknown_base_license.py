"""unknown-base-license — a base model whose licence cannot be resolved offline.

weightgate resolves a base's licence without the network, in this order: the `models` table of the
configuration, `weightgate.lock` (written by `weightgate lock`), a local folder (a relative path, or a sibling folder named like the base), the local Hugging
Face cache (`HF_HUB_CACHE`, `HF_HOME/hub`, `~/.cache/huggingface/hub`), then the built-in registry of model
families and re-upload namespaces. When none knows the base, its obligations cannot be checked, so the gate
fails safe: an error when the reference is not a clean Hub id, the lock found the base missing, private or
gated, the model declares no licence of its own, or the base's name says it was built from a family with
limiting terms ("L3-8B-…", "…-Llama-2-…", "Wizard-Vicuna-…": `restricted_name_words` in families.toml). A
clean Hub id of a community model whose name shows no such family, in a model that declares its own licence,
is a warning: the declared licence is still judged, only the base's own terms are unchecked. Make every
unknown base an error with `severity = {"unknown-base-license" = "error"}` in the configuration. When the card's text names a
known ancestor with obligations ("a Llama 3 fine-tune"), that ancestor's terms are applied and the unknown
base is a warning: only its own terms are unchecked.

Fix: record the base from the Hub once and commit the lock file (`weightgate lock` asks the Hub for the base's
card, follows its own bases, and writes `weightgate.lock`; check and the hooks then read it offline). A base
the lock records as missing, private or gated is reported with that reason: fix the id, or give the lock a token
with access (`HF_TOKEN=… weightgate lock --update`). Or tell weightgate the base's licence in the configuration,

    [tool.weightgate.models]
    "acme/base-7b" = "llama2"

or download the base once (`huggingface-cli download <id> README.md LICENSE`) so its card is in the cache.
"""
from __future__ import annotations

from ..text import LazyPattern
from . import finding

ID = "unknown-base-license"
SEVERITY = "error"
SUMMARY = "A base model whose licence cannot be resolved offline."


_HUB_ID = LazyPattern(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")  # compiled when a base is unknown
GROUP_ABOVE = 3  # a merge of many unknown inputs gets one finding, not one per input


def check(model):
    unknown = [b for b in model.bases if not b.license]
    if len(unknown) > GROUP_ABOVE:
        ev = unknown[0].evidence[0] if unknown[0].evidence else None
        path, line = (ev.path, ev.line) if ev else model.anchor()
        names = ", ".join(b.display for b in unknown[:6]) + (f" and {len(unknown) - 6} more" if len(unknown) > 6 else "")
        yield finding(ID, SEVERITY, path, line,
                      f"the licences of {len(unknown)} bases cannot be resolved offline: {names}", "",
                      "run `weightgate lock` to record them from the Hub (and commit weightgate.lock), or add them to "
                      "the configuration's models table ([tool.weightgate.models] \"org/name\" = \"<licence id>\")")
        return
    for b in unknown:
        ev = b.evidence[0] if b.evidence else None
        path, line = (ev.path, ev.line) if ev else model.anchor()
        chain = f" (reached via {' → '.join(b.via)})" if b.via else ""
        if b.id.startswith(("/", "~")) or ":" in b.id[:3]:
            yield finding(ID, SEVERITY, path, line,
                          f"the base is named only by a path on another machine, {b.display}{chain}; its licence "
                          f"cannot be known", "",
                          "set `base_model:` in the card to the base's Hub id")
            continue
        detail = f"; {b.note}" if b.note else ""
        told = [a for a in model.bases if a.via[:1] == (b.display,) and a.note.startswith("named in the card's text")]
        if told:  # the card's text names a known ancestor, whose terms are applied: the gap is the base's own terms
            yield finding(ID, "warning", path, line,
                          f"the licence of base {b.display}{chain} cannot be resolved offline{detail}; the card's text "
                          f"names its ancestor {told[0].display} ({told[0].license}), whose terms are applied", "",
                          f"run `weightgate lock` to record the base from the Hub (and commit weightgate.lock), or add "
                          f"it to the configuration's models table: [tool.weightgate.models] \"{b.display}\" = "
                          f"\"<licence id>\"")
            continue
        if b.resolved_from == "lock":  # the note says why the lock has no licence and how to fix that
            fix = (f"follow the note above, or set the licence in the configuration's models table: "
                   f"[tool.weightgate.models] \"{b.display}\" = \"<licence id>\"")
        else:
            fix = (f"run `weightgate lock` to record the base from the Hub (and commit weightgate.lock), or add it "
                   f"to the configuration's models table: [tool.weightgate.models] \"{b.display}\" = \"<licence id>\"")
        severity, why = _severity(model, b)
        yield finding(ID, severity, path, line,
                      f"the licence of base {b.display}{chain} cannot be resolved offline{detail}{why}", "", fix)


def _severity(model, base):
    """(severity, reason) of one unknown base. An error when nothing limits the risk: the reference is not a
    clean Hub id, the lock found it missing, private or gated, the model declares no licence of its own, or the
    base's name says it was built from a family with limiting terms ("L3-8B-…", "…-Llama-2-…"). A warning for
    a clean Hub id of a community model whose name shows no such family, in a model that declares its licence:
    the card's own licence is judged, only the base's terms are unchecked."""
    if base.resolved_from == "lock" or not _HUB_ID.match(base.display.strip()):
        return SEVERITY, ""
    if not any(d.known for d in model.declared):
        return SEVERITY, ""
    word = model.kb.restricted_word_in(base.display)
    if word:
        return SEVERITY, f"; its name (\"{word}\") says it was built from a family whose licence limits derivatives"
    return "warning", ""
