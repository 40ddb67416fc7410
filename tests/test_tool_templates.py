"""Cards as training tools write them: their template quirks are warnings, never a failed compliant repo."""
from __future__ import annotations

import pytest

from conftest import card, check_json, licence_text, write_tree


def severities(report, rule):
    return {f["severity"] for f in report["findings"] if f["rule"] == rule}


def test_trl_licence_placeholder_is_a_warning_on_a_permissive_chain(tmp_path):
    # TRL's model card template writes `licence: license` into every card it makes
    write_tree(tmp_path, {"README.md": card("base_model: Qwen/Qwen2.5-7B-Instruct\nlibrary_name: transformers\n"
                                            "model_name: qwen-sft\nlicence: license\ntags:\n- trl\n- sft"),
                          "LICENSE": licence_text("apache-2.0")})
    report = check_json(tmp_path)
    assert report["exit_code"] == 0 and severities(report, "metadata-invalid") == {"warning"}


def test_llamafactory_license_other_is_a_warning_when_every_base_permits_any_licence(tmp_path):
    write_tree(tmp_path, {"README.md": card("library_name: peft\nlicense: other\nbase_model: Qwen/Qwen2.5-7B-Instruct\n"
                                            "tags:\n- llama-factory\n- lora"),
                          "adapter_config.json": '{"base_model_name_or_path": "Qwen/Qwen2.5-7B-Instruct"}',
                          "LICENSE": licence_text("apache-2.0")})
    report = check_json(tmp_path)
    assert report["exit_code"] == 0 and severities(report, "metadata-invalid") == {"warning"}


@pytest.mark.parametrize("base", ["meta-llama/Llama-2-7b-hf", "acme-internal/base-7b"])
def test_license_other_without_a_name_stays_an_error_when_terms_could_break(tmp_path, base):
    write_tree(tmp_path, {"README.md": card(f"license: other\nbase_model: {base}")})
    report = check_json(tmp_path)
    assert report["exit_code"] == 1 and "error" in severities(report, "metadata-invalid")


def test_a_misspelt_key_whose_value_is_lost_stays_an_error(tmp_path):
    write_tree(tmp_path, {"README.md": card("license: other\nlicense_nmae: llama2\nlicense_link: LICENSE\n"
                                            "base_model: meta-llama/Llama-2-7b-hf")})
    report = check_json(tmp_path)
    assert report["exit_code"] == 1
