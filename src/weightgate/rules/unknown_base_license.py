"""unknown-base-license — a base model whose licence cannot be resolved offline.

weightgate resolves a base's licence without the network, in this order: the `models` table of the
configuration, a local folder (a relative path, or a sibling folder named like the base), the local Hugging
Face cache (`HF_HUB_CACHE`, `HF_HOME/hub`, `~/.cache/huggingface/hub`), then the built-in registry of model
families and re-upload namespaces. When none knows the base, its obligations cannot be checked, so the gate
fails safe (error by default; lower it with `severity` in the configuration).

Fix: tell weightgate the base's licence in the configuration,

    [tool.weightgate.models]
    "acme/base-7b" = "llama2"

or download the base once (`huggingface-cli download <id> README.md LICENSE`) so its card is in the cache.
"""
from __future__ import annotations

from . import finding

ID = "unknown-base-license"
SEVERITY = "error"
SUMMARY = "A base model whose licence cannot be resolved offline."


def check(model):
    for b in model.bases:
        if b.license:
            continue
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
        yield finding(ID, SEVERITY, path, line,
                      f"the licence of base {b.display}{chain} cannot be resolved offline{detail}", "",
                      f"add it to the configuration's models table: [tool.weightgate.models] \"{b.display}\" = "
                      f"\"<licence id>\", or put the base's card in the Hugging Face cache")
