"""Unknown bases: when an unknown base is an error and when a warning, and registry entries that carry their bases."""
from __future__ import annotations

import pytest

from conftest import card, check_json, write_tree


def severity_of(report, rule="unknown-base-license"):
    return {f["severity"] for f in report["findings"] if f["rule"] == rule}


@pytest.mark.parametrize("base", ["anthracite-org/magnum-v2-12b", "mlabonne/NeuralMonarch-7B",
                                  "elinas/Chronos-Gold-12B-1.0", "someone/support-bot-7b"])
def test_a_clean_community_id_without_a_family_word_is_a_warning(tmp_path, base):
    write_tree(tmp_path, {"README.md": card(f"license: apache-2.0\nbase_model: {base}")})
    report = check_json(tmp_path)
    assert severity_of(report) == {"warning"} and report["exit_code"] == 0


@pytest.mark.parametrize("base", ["Gryphe/MythoMax-L2-13b", "someone/L3-8B-roleplay", "someone/L3.1-8B-x",
                                  "ehartford/Wizard-Vicuna-7B-Uncensored", "someone/my-llama-ft",
                                  "someone/Llama3-ft", "someone/gemma-roleplay-mix", "someone/flux-lora-mix",
                                  "someone/sdxl-merge"])
def test_a_name_that_says_a_limiting_family_keeps_it_an_error(tmp_path, base):
    write_tree(tmp_path, {"README.md": card(f"license: apache-2.0\nbase_model: {base}")})
    report = check_json(tmp_path)
    assert severity_of(report) == {"error"} and report["exit_code"] == 1
    assert "built from a family" in next(f["message"] for f in report["findings"] if f["rule"] == "unknown-base-license")


@pytest.mark.parametrize("front", [
    "base_model: someone/support-bot-7b",  # the model declares no licence: nothing is judged at all
    "license: apache-2.0\nbase_model: /home/me/models/support-bot-7b",  # a path on another machine
    "license: apache-2.0\nbase_model: support bot 7b",  # not a Hub id
])
def test_nothing_to_judge_or_an_unusable_reference_stays_an_error(tmp_path, front):
    write_tree(tmp_path, {"README.md": card(front)})
    report = check_json(tmp_path)
    assert "error" in severity_of(report) and report["exit_code"] == 1


def test_strict_configuration_makes_every_unknown_base_an_error(tmp_path):
    write_tree(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: someone/support-bot-7b"),
                          ".weightgate.toml": '[severity]\n"unknown-base-license" = "error"\n'})
    report = check_json(tmp_path)
    assert severity_of(report) == {"error"} and report["exit_code"] == 1


def test_a_registry_entry_with_bases_brings_its_ancestors_terms(tmp_path):
    # Sao10K/L3-8B-Stheno-v3.2 is known by its own label (cc-by-nc-4.0) and recorded as built on Llama 3
    write_tree(tmp_path, {"README.md": card("license: cc-by-nc-4.0\nbase_model: Sao10K/L3-8B-Stheno-v3.2")})
    report = check_json(tmp_path)
    bases = {b["id"]: b for b in report["models"][0]["bases"]}
    assert bases["meta-llama/Meta-Llama-3-8B-Instruct"]["license"] == "llama3"
    assert bases["meta-llama/Meta-Llama-3-8B-Instruct"]["via"] == ["Sao10K/L3-8B-Stheno-v3.2"]
    assert "relabel-forbidden" in {f["rule"] for f in report["findings"] if f["severity"] == "error"}


def test_every_registry_base_resolves():
    from weightgate import knowledge

    kb = knowledge.load()
    for fam in kb.families:
        for base in fam.bases:
            assert kb.family_for(base.lower()), (fam.name, base)


@pytest.mark.parametrize("base, licence", [
    ("models/Qwen2_5-1_5b-Instruct", "apache-2.0"),  # LLaMA-Factory's training folder, written like a Hub id
    ("someone/Llama-2-7b-hf", "llama2"),  # an original's exact name under another organisation
    ("myorg/Meta-Llama-3-8B-Instruct", "llama3"),
])
def test_an_originals_name_under_another_organisation_is_that_original(tmp_path, base, licence):
    write_tree(tmp_path, {"README.md": card(f"license: other\nbase_model: {base}")})
    (b,) = check_json(tmp_path)["models"][0]["bases"]
    assert b["license"] == licence and "another organisation" in b["note"]


def test_a_fine_tune_named_after_its_base_brings_that_base_s_terms(tmp_path):
    write_tree(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: someone/Llama-2-7b-hf-support-ft")})
    report = check_json(tmp_path)
    (b,) = report["models"][0]["bases"]
    assert b["license"] == "llama2" and report["exit_code"] == 1  # the relabel is caught


def test_prose_naming_another_base_than_the_metadata_is_a_warning(tmp_path):
    # a quantizer's copy of an upstream card names the upstream's own bases in its text
    write_tree(tmp_path, {"README.md": card(
        "license: mit\nbase_model: deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
        "# DeepSeek-R1-Distill-Qwen-1.5B GGUF\n\nThis model is fine-tuned from meta-llama/Llama-2-7b-hf.\n")})
    report = check_json(tmp_path)
    assert {f["severity"] for f in report["findings"] if f["rule"] == "lineage-conflict"} <= {"warning"}
