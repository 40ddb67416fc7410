"""missing-attribution-phrase — the card does not display the phrase the base's licence requires.

Some licences require a derivative to "prominently display" a phrase: "Built with Meta Llama 3" (Llama 3
§1.b.i), "Built with Llama" (Llama 3.1, 3.2, 3.3, 4), "Powered by Stability AI" (Stability AI Community
License §IV.a), "[name] is built using Falcon LLM technology from the Technology Innovation Institute" (Falcon
180B/2 §6.1), "Built with Qwen" or "Improved using Qwen" (Qwen Research §4.b). The model card is the product
documentation of a model repository, so the phrase must appear in its text.

The phrase quoted inside a copy of the licence (the clause that demands it) does not count, and neither does
the YAML front matter (some cards embed the agreement in `extra_gated_prompt`).

Fix: add the phrase to a "License" section of the card (`weightgate fix` adds it).
"""
from __future__ import annotations

from . import clause_of, finding, under
from ..text import normalise

ID = "missing-attribution-phrase"
SEVERITY = "error"
SUMMARY = "A phrase the base's licence requires (\"Built with Llama\", …) is not displayed in the card."


def _clause_context(quote: str, phrase: str):
    """The words around the phrase in the licence's own clause ("prominently display … on a related")."""
    i = quote.find(phrase)
    if i < 0:
        return "", ""
    before = " ".join(quote[:i].split()[-2:])
    after = " ".join(quote[i + len(phrase):].split()[:3])
    return before, after


def displayed(model, duty) -> bool:
    quote = normalise(duty.quote)
    for phrase in duty.phrases:
        p = normalise(phrase)
        before, after = _clause_context(quote, p)
        for _line, para in model.paragraphs():
            start = para.find(p)
            while start >= 0:
                quoted = ((before and para[:start].rstrip().endswith(before))
                          or (after and para[start + len(p):].lstrip().startswith(after)))
                if not quoted:
                    return True
                start = para.find(p, start + 1)
    return False


def check(model):
    for lic, base in model.obligations():
        for duty in lic.duty("attribution"):
            if displayed(model, duty):
                continue
            path, line = model.anchor()
            phrase = " or ".join(f"“{p}”" for p in duty.phrases)
            yield finding(ID, duty.severity or SEVERITY, path, line,
                          f"{under(base, lic)}, which requires derivatives to "
                          f"display {phrase}; the card does not",
                          clause_of(lic, duty.clause, duty.quote),
                          f"add {phrase} to a “License” section of the model card (README.md)")
