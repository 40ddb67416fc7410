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


@pytest.mark.parametrize("raw", ["", "   ", "not a model id!", "https://example.com/x y"])
def test_unusable_refs(raw):
    assert normalise_ref(raw, "") is None
