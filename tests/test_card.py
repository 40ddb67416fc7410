"""Reading model cards: front-matter keys with their lines, and facts from the body text."""
from __future__ import annotations

from weightgate.collect.card import read_card


def facts(text, kind=None):
    fs, _body, _start = read_card("README.md", text)
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
