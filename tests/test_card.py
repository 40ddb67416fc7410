"""Reading model cards: front-matter keys with their lines, and facts from the body text."""
from __future__ import annotations

import pytest

from weightgate import knowledge
from weightgate.collect.card import read_card
from weightgate.collect.prose_lineage import prose_bases


def facts(text, kind=None):
    fs, body, start = read_card("README.md", text)
    fs = fs + prose_bases("README.md", body, start, knowledge.load())  # what collect_model reads from a card
    return [(f.kind, f.value, f.line) for f in fs if kind is None or f.kind == kind]


def test_front_matter_keys_keep_their_lines():
    text = "---\nlanguage:\n- en\nlicense: llama2\nbase_model:\n- a/b\n- c/d\n---\n# T\n"
    assert facts(text, "license") == [("license", "llama2", 4)]
    assert facts(text, "base") == [("base", "a/b", 6), ("base", "c/d", 7)]
    assert facts(text, "title") == [("title", "T", 9)]


def test_crlf_and_bom():
    text = "\ufeff---\r\nlicense: mit\r\n---\r\n# Name\r\n"
    assert facts(text, "license") == [("license", "mit", 2)]
    assert facts(text, "title") == [("title", "Name", 4)]


def test_unsloth_template_body():
    body = ("---\nlicense: apache-2.0\n---\n\n# Uploaded  model\n\n- **Developed by:** someone\n"
            "- **License:** apache-2.0\n- **Finetuned from model :** unsloth/llama-3-8b-bnb-4bit\n")
    assert ("license_claim", "apache-2.0", 8) in facts(body)
    assert ("base_prose", "unsloth/llama-3-8b-bnb-4bit", 9) in facts(body)


def test_trainer_template_fine_tuned_version_of_link():
    body = "---\nlicense: mit\n---\nThis model is a fine-tuned version of [gpt2](https://huggingface.co/openai-community/gpt2) on x.\n"
    assert facts(body, "base_prose") == [("base_prose", "openai-community/gpt2", 4)]


def test_badge_and_released_under():
    body = ("---\nlicense: mit\n---\n[![License](https://img.shields.io/badge/License-Apache_2.0-blue.svg)](x)\n\n"
            "We release the weights under the MIT license.\nThe base model is released under Apache 2.0.\n")
    claims = facts(body, "license_claim")
    assert ("license_claim", "Apache 2.0", 4) in claims
    assert any(v.startswith("MIT") and line == 6 for _, v, line in claims)
    assert not any(line == 7 for _, _, line in claims)  # a sentence about the base is not the model's claim


def test_more_information_needed_is_not_a_licence():
    body = "---\nlibrary_name: peft\n---\n- **License:** [More Information Needed]\n"
    assert facts(body, "license_claim") == [("license_claim", "[More Information Needed]", 4)]


def test_code_blocks_are_ignored():
    body = "---\nlicense: mit\n---\n```\nLicense: apache-2.0\n```\n"
    assert facts(body, "license_claim") == []


def test_front_matter_after_blank_lines():
    # diffusers' DreamBooth cards begin with an empty line
    text = "\n\n---\nlicense: openrail++\nbase_model: stabilityai/stable-diffusion-xl-base-1.0\n---\n# x\n"
    assert facts(text, "license") == [("license", "openrail++", 4)]


def test_code_licence_sentence_is_not_the_model_licence():
    body = ("---\nlicense: llama3.1\n---\nOur code is released under the Apache-2.0 License. Our model, as it is "
            "built on Llama 3.1, is required to comply with the Llama 3.1 License.\n"
            "This code repository is licensed under the MIT License.\n")
    assert facts(body, "license_claim") == []


def test_prose_base_is_taken_from_its_own_sentence():
    body = ("---\nlicense: gemma\n---\nFine-tuned from the base model `google/gemma-7b`. See the [StarCoder2 card]"
            "(https://huggingface.co/bigcode/starcoder2-15b) for details.\nThis model was merged with "
            "[Xwin-LM/Xwin-LM-13B-V0.2](https://huggingface.co/Xwin-LM/Xwin-LM-13B-V0.2).\n")
    assert facts(body, "base_prose") == [("base_prose", "google/gemma-7b", 4), ("base_prose", "Xwin-LM/Xwin-LM-13B-V0.2", 5)]


def test_mergekit_configuration_in_the_card_names_the_inputs():
    body = ("---\nlibrary_name: transformers\ntags:\n- merge\n---\n# merged\n\n### Configuration\n\n```yaml\n"
            "models:\n  - model: meta-llama/Meta-Llama-3-8B-Instruct\n  - model: NousResearch/Hermes-2-Pro-Llama-3-8B\n"
            "merge_method: slerp\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct\n```\n")
    bases = facts(body, "base")
    assert ("base", "meta-llama/Meta-Llama-3-8B-Instruct", 12) in bases
    assert ("base", "NousResearch/Hermes-2-Pro-Llama-3-8B", 13) in bases


def test_quantized_by_marks_a_quantization():
    assert ("relation", "quantized", 3) in facts("---\nlicense: llama3.1\nquantized_by: bartowski\n---\n")


@pytest.mark.parametrize("title,sentence,claimed", [
    ("Orca 2", "Llama 2 is licensed under the LLAMA 2 Community License.", False),
    ("Orca 2", "Orca 2 is licensed under the Microsoft Research License.", True),
    ("Model Card for Zephyr 7B", "Zephyr 7B is released under the MIT license.", True),
    ("Orca 2", "The model is licensed under the MIT license.", True),
    ("Orca 2", "It is released under the MIT license.", True),
    ("Senku-70B-Full", "My diffs are released under the CC-BY-NC-4.0 license.", True),
    ("Tim Dettmers' Guanaco 65B GGML", "Guanaco adapter weights are licensed under Apache 2.0.", True),
    ("DMD2 Model Card", "Improved Distribution Matching Distillation is released under CC-BY-NC-4.0.", True),
    ("LLaVA Model Card", "Llama 2 is licensed under the LLAMA 2 Community License.", False),
])
def test_a_licence_sentence_about_another_named_model_is_not_this_models(title, sentence, claimed):
    from weightgate.collect.card import body_facts

    facts = body_facts("README.md", f"# {title}\n\n## License\n\n{sentence}\n", 5)
    assert any(f.kind == "license_claim" for f in facts) == claimed, facts
