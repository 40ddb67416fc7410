"""The licence data against the real licence texts in ../shared/licenses.

Every saved text must be identified as exactly its own licence, every fingerprint must be unique to its text,
and every phrase a duty asks for (NOTICE line, attribution phrase, naming prefix, quoted words) must occur in
the licence it comes from.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from weightgate.knowledge import load
from weightgate.text import decode, normalise

LICENSES = Path(__file__).resolve().parents[2] / "shared" / "licenses"

# LLaMA-1's saved text is the OPT-175B template with a different attribution notice: the notice is the only
# text that tells the two apart, so both fingerprints come from it and a Notice file alone reads as a copy.
NOTICE_IS_ONLY_MARKER = {"llama1"}


def _texts() -> dict:
    if not LICENSES.is_dir():
        return {}
    return {p.stem: normalise(decode(p.read_bytes())) for p in sorted(LICENSES.glob("*.txt"))}


TEXTS = _texts()
KB = load()
needs_texts = pytest.mark.skipif(not TEXTS, reason=f"{LICENSES} not available")
STEMS = sorted(TEXTS) or ["<none>"]
WITH_TEXT = sorted(l for l in KB.licenses if l in TEXTS) or ["<none>"]
MAIN_WITH_TEXT = sorted(l for l in KB.licenses if l in TEXTS and not KB.licenses[l].parent) or ["<none>"]


@needs_texts
@pytest.mark.parametrize("stem", STEMS)
def test_saved_text_is_identified_as_exactly_its_licence(stem):
    assert stem in KB.licenses, f"no licence entry with id {stem!r} (ids of saved texts are their file stems)"
    ids, copies = KB.identify(TEXTS[stem])
    assert ids == (stem,)
    assert stem in copies


@needs_texts
@pytest.mark.parametrize("lid", WITH_TEXT)
def test_fingerprints_occur_in_own_text_and_no_other(lid):
    lic = KB.licenses[lid]
    assert len(lic.fingerprints) >= 2, f"{lid}: give at least two fingerprints"
    assert len(set(lic.fingerprints)) == len(lic.fingerprints)
    for fp in lic.fingerprints:
        assert fp in TEXTS[lid], f"{lid}: fingerprint {fp!r} is not in its own text"
        for other, text in TEXTS.items():
            if other == lid or lid in KB.licenses[other].supersedes:
                continue
            assert fp not in text, f"{lid}: fingerprint {fp!r} also occurs in {other}.txt"


def test_licences_without_saved_text_have_no_fingerprints():
    if not TEXTS:
        pytest.skip(f"{LICENSES} not available")
    for lid, lic in KB.licenses.items():
        if lid not in TEXTS:
            assert not lic.fingerprints, f"{lid}: fingerprints need a saved text to be checked against"


@needs_texts
@pytest.mark.parametrize("lid", MAIN_WITH_TEXT)
def test_duty_phrases_occur_in_the_licence_text(lid):
    lic, text = KB.licenses[lid], TEXTS[lid]
    for d in lic.duties:
        if d.kind == "notice":
            assert d.text and normalise(d.text) in text, f"{lid}: NOTICE {d.text!r} not in the text"
        if d.kind == "attribution":
            assert d.phrases
            for p in d.phrases:
                assert normalise(p) in text, f"{lid}: attribution phrase {p!r} not in the text"
        if d.kind == "naming":
            assert d.prefix and normalise(d.prefix) in text, f"{lid}: naming prefix {d.prefix!r} not in the text"


@needs_texts
@pytest.mark.parametrize("lid", MAIN_WITH_TEXT)
def test_quoted_words_occur_in_the_licence_text(lid):
    lic, text = KB.licenses[lid], TEXTS[lid]
    quotes = [d.quote for d in lic.duties] + [lic.relabel.quote]
    for q in quotes:
        if q:
            assert normalise(q) in text, f"{lid}: quote {q!r} is not in the text"


@needs_texts
@pytest.mark.parametrize("lid", MAIN_WITH_TEXT)
def test_a_notice_line_alone_is_not_a_copy_of_the_licence(lid):
    for d in KB.licenses[lid].duty("notice"):
        _, copies = KB.identify(normalise(d.text))
        if lid in NOTICE_IS_ONLY_MARKER:
            continue
        assert lid not in copies, f"{lid}: its NOTICE line alone holds two fingerprints"


@needs_texts
def test_gpt2_modified_mit_is_not_mit_and_glm_is_neither():
    assert KB.identify(TEXTS["gpt2-modified-mit"])[0] == ("gpt2-modified-mit",)
    assert KB.identify(TEXTS["glm-130b"])[0] == ("glm-130b",)
    assert KB.identify(TEXTS["mit"])[0] == ("mit",)


@needs_texts
def test_llama3_licence_with_appended_use_policy_is_only_the_licence():
    # meta-llama/llama3:LICENSE appends the AUP ('If you access or use Meta Llama 3 …')
    assert "acceptable use policy" in TEXTS["llama3"]
    assert KB.identify(TEXTS["llama3"])[0] == ("llama3",)


@needs_texts
def test_variants_identify_as_themselves_and_point_to_their_parent():
    for variant, parent in (("openrail++-sdxl-1.0", "openrail++"),
                            ("flux-1-dev-non-commercial-2024-08", "flux-1-dev-non-commercial")):
        assert KB.identify(TEXTS[variant])[0] == (variant,)
        assert KB.main(variant) == parent


@needs_texts
def test_text_in_markdown_with_line_wrapping_still_matches():
    # The same Llama 3.1 text, wrapped and emphasised as model cards often embed it.
    raw = (LICENSES / "llama3.1.txt").read_text(encoding="utf-8")
    words = raw.replace("Llama 3.1 is licensed", "**Llama 3.1** is licensed").split(" ")
    wrapped = "\n".join(" ".join(words[i:i + 9]) for i in range(0, len(words), 9))
    ids, copies = KB.identify(normalise(wrapped))
    assert ids == ("llama3.1",) and copies == ("llama3.1",)
