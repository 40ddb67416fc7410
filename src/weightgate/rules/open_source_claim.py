"""open-source-claim — the card calls a derivative of a non-open-source base "open source".

Llama, Gemma, OpenRAIL, Falcon TII, Stability, Qwen and the non-commercial licences restrict use or users, so
they are not open source licences in the OSI sense, and neither is a derivative that inherits them. Calling
such a model "open source" misleads users about what they may do with it ("open weights" is accurate).

Fix: say "open weights" (or "openly available") instead.
"""
from __future__ import annotations

from . import base_phrase, finding

ID = "open-source-claim"
SEVERITY = "warning"
SUMMARY = "The card calls a derivative of a non-OSI-licensed base \"open source\"."


def check(model):
    closed = [(lic, b) for lic, b in model.inherited() if not lic.osi]
    if not closed:
        return
    lic, base = closed[0]
    for f in model.facts.of("open_source_claim"):
        yield finding(ID, SEVERITY, f.path, f.line,
                      f"the card calls the model open source, but {base_phrase(base)} is under the {lic.name} "
                      f"({lic.id}), which is not an open source licence",
                      f"{lic.name} ({lic.id}) restricts use or users", "say “open weights” instead of “open source”")
