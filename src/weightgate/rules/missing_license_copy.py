"""missing-license-copy — the base's licence must travel with the model, and no copy of it was found.

Most model licences make redistribution conditional on handing recipients the licence itself: the Llama
agreements (§1.b.i "provide a copy of this Agreement"), Gemma (§3.1.2), the OpenRAIL family (§4.b), OPT-175B,
Stability, Qwen, FLUX.1 [dev] (§3.a) and others. An adapter or quantization counts as a copy or derivative.

A copy counts when a file in the model folder or any folder above it (up to the repository root) holds the
licence text: LICENSE*, LICENCE*, COPYING*, `LICENSES/*`, files named like `LICENSE_GEMMA.md` or
`Llama2-License.txt`, or the file the card's `license_link` points to. The text is recognised by
version-specific fingerprints, so a Llama 3 agreement does not satisfy a Llama 2 base, and it must be the
whole text: every section of the licence present and nearly all of its length (section markers derived from
the real texts, `data/coverage.toml`). A truncated or stub copy is reported at that file, saying how much of
the licence it holds and which sections are missing.

Permissive licences (Apache-2.0 §4(a), MIT) also ask for the licence text, but their absence is a warning at
most. The Creative Commons 4.0 licences accept "the URI or hyperlink to" the licence (§3(a)(1)(C)): a card
that declares the CC licence's Hub id (the Hub shows it as a link), a `license_link` to it, or its URL in
the card satisfies them.

Fix: copy the base's licence file next to the model (`weightgate fix` copies it from the base's local folder
or the Hugging Face cache; it never downloads).
"""
from __future__ import annotations

from . import clause_of, finding, under

ID = "missing-license-copy"
SEVERITY = "error"
SUMMARY = "The base requires its licence/agreement to accompany copies, and no copy was found."


def has_copy(model, lic) -> bool:
    kb = model.kb
    return any(kb.main(c) == lic.id for lf in model.facts.license_files for c in lf.copies)


def links_to(model, lic) -> bool:
    """For licences that accept "the URI or hyperlink to" themselves (CC 4.0 §3(a)(1)(C)): the card links to
    it — a `license_link`, the licence's URL in the card, or its Hub id in `license:` (the Hub shows that as a
    link to the licence)."""
    kb = model.kb
    if any(d.source == "card" and lic.id in d.ids for d in model.declared):
        return True
    url = (lic.url or "").lower().split("://", 1)[-1].rstrip("/")
    stem = url.rsplit("/legalcode", 1)[0] if url else ""
    for f in model.facts.of("license_link"):
        if not isinstance(f.value, str):
            continue
        named = kb.lookup(f.value)
        if (stem and stem in f.value.lower()) or (named and kb.main(named) == lic.id):
            return True
    return bool(stem) and stem in model.facts.card_body.lower()


def location(model):
    for d in model.declared:
        if d.source == "card":
            return d.path, d.line
    return model.anchor()


def partial_copy(model, lic):
    """(file, message) for the nearest licence file that names the licence but holds only part of it."""
    kb = model.kb
    for lf in sorted(model.facts.license_files, key=lambda lf: lf.distance):
        if lf.role not in ("license", "embedded"):
            continue  # a NOTICE quotes the licence's notice line; it is not meant to be the text
        for lid in lf.ids:
            if kb.main(lid) != lic.id:
                continue
            whole, percent, missing = kb.coverage(lid, lf.text)
            if whole:
                continue
            gap = (f"{kb.missing_sections(lid, missing)} {'is' if len(missing) == 1 else 'are'} missing" if missing
                   else "it is much shorter than the licence")
            return lf, f"{lf.path} holds only about {percent} % of the {lic.name}; {gap}"
    return None


def check(model):
    for lic, base in model.obligations():
        for duty in lic.duty("license-copy"):
            if has_copy(model, lic) or (duty.link_ok and links_to(model, lic)):
                continue
            partial = partial_copy(model, lic)
            if partial is not None:
                lf, what = partial
                yield finding(ID, duty.severity or SEVERITY, lf.path, 1,
                              f"{under(base, lic)}, which must accompany every copy as a whole text: {what}",
                              clause_of(lic, duty.clause, duty.quote),
                              f"replace {lf.path} with the full {lic.name} text"
                              + (f" (official text: {lic.url})" if lic.url else ""))
                continue
            path, line = location(model)
            if base is not None and base.license_path:
                fix = f"copy {base.license_path} into the model folder as LICENSE (`weightgate fix` does this)"
            else:
                fix = (f"add the full {lic.name} text to the model folder as LICENSE"
                       + (f" (official text: {lic.url})" if lic.url else ""))
            yield finding(ID, duty.severity or SEVERITY, path, line,
                          f"{under(base, lic)}, which must accompany every copy; "
                          "no copy of it was found in the model folder or the folders above it",
                          clause_of(lic, duty.clause, duty.quote), fix)
