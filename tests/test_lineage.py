"""Base references are normalised before resolution."""
from __future__ import annotations

import pytest

from weightgate.lineage import normalise_ref


@pytest.mark.parametrize("raw,kind,ident", [
    ("meta-llama/Llama-2-7b-hf", "hub", "meta-llama/llama-2-7b-hf"),
    ("https://huggingface.co/meta-llama/Llama-2-7b-hf", "hub", "meta-llama/llama-2-7b-hf"),
    ("https://huggingface.co/meta-llama/Llama-2-7b-hf/tree/main", "hub", "meta-llama/llama-2-7b-hf"),
    ("hf://meta-llama/Llama-2-7b-hf", "hub", "meta-llama/llama-2-7b-hf"),
    ("meta-llama/Llama-2-7b-hf@6fdf2e60", "hub", "meta-llama/llama-2-7b-hf"),
    ("/root/.cache/huggingface/hub/models--meta-llama--Llama-2-7b-hf/snapshots/6fdf2e60", "hub",
     "meta-llama/llama-2-7b-hf"),
    ("gpt2", "hub", "gpt2"),
    ("../base", "local", "base"),
    ("./checkpoints/base", "local", "lora/checkpoints/base"),
    ("/content/outputs/checkpoint-500", "local", "/content/outputs/checkpoint-500"),
])
def test_normalise_ref(raw, kind, ident):
    ref = normalise_ref(raw, "lora")
    assert (ref.kind, ref.id) == (kind, ident)


@pytest.mark.parametrize("raw", ["", "   ", "\u200b"])
def test_only_empty_refs_are_dropped(raw):
    assert normalise_ref(raw, "") is None


@pytest.mark.parametrize("raw,kind,ident,problem", [
    # class 1 of issue 11: what is written is kept, cleaned, and said when the Hub would not read it
    ("Llama 2 7B", "name", "llama 2 7b", ""),
    ("not a model id!", "name", "not a model id!", ""),
    ("https://example.com/x y", "url", "https://example.com/x y", ""),
    ("https://hf-mirror.com/meta-llama/Llama-2-7b-hf", "hub", "meta-llama/llama-2-7b-hf", ""),
    ("hf-mirror.com/meta-llama/Llama-2-7b-hf/tree/main", "hub", "meta-llama/llama-2-7b-hf", ""),
    ("meta-llama/Llama-2-7b-hf:main", "hub", "meta-llama/llama-2-7b-hf", ""),
    ("meta-llama/Llama-2-7b-hf@refs/pr/1", "hub", "meta-llama/llama-2-7b-hf", ""),
    ("meta-llama / Llama-2-7b-hf", "hub", "meta-llama/llama-2-7b-hf", ""),
    ("meta-llama/Llama-2-7b-hf/tree/main", "hub", "meta-llama/llama-2-7b-hf", ""),
    ("meta-llama/Llama\u200b-2-7b-hf", "hub", "meta-llama/llama-2-7b-hf", "invisible"),
    ("\u202emeta-llama/Llama-2-7b-hf", "hub", "meta-llama/llama-2-7b-hf", "invisible"),
    ("meta-ll\u0430ma/Llama-2-7b-hf", "hub", "meta-llama/llama-2-7b-hf", "look-alike"),  # Cyrillic а
    ("\uff4d\uff45\uff54\uff41-llama/Llama-2-7b-hf", "hub", "meta-llama/llama-2-7b-hf", ""),  # fullwidth: NFKC
    ("meta-llama/Llama\u20132\u20137b-hf", "hub", "meta-llama/llama-2-7b-hf", "look-alike"),  # en dashes
    ("meta-llama/Llama-2-7b-hf.", "hub", "meta-llama/llama-2-7b-hf", ""),
    ("C:\\models\\Llama-2-7b-hf", "local", "C:\\models\\Llama-2-7b-hf", ""),
])
def test_unclean_refs_are_kept(raw, kind, ident, problem):
    ref = normalise_ref(raw, "")
    assert (ref.kind, ref.id) == (kind, ident)
    assert problem in ref.problem and bool(problem) == bool(ref.problem)
