"""The seed stories shipped in examples/: each gets the verdict a licence reviewer would give."""
from __future__ import annotations

import pytest

from conftest import EXAMPLES, check_json, rules_of, where

CASES = {
    # Llama 2 fine-tune relabelled CC-BY-SA-4.0 with no agreement and no NOTICE (the KARAKURI pattern).
    "llama2-relabelled-cc-by-sa": ({"relabel-forbidden", "missing-license-copy", "missing-notice"},
                                   {("relabel-forbidden", "README.md", 5), ("relabel-forbidden", "README.md", 26),
                                    ("relabel-forbidden", "README.md", 31)}),
    # OPT-2.7B fine-tune relabelled Apache-2.0: OPT-175B licence is non-commercial and bars inconsistent terms.
    "opt-finetune-apache": ({"relabel-forbidden", "missing-license-copy", "missing-notice"},
                            {("relabel-forbidden", "README.md", 2)}),
    # Dolly-v2 style Pythia fine-tune released MIT: allowed (Apache base); only a warning for the Apache copy.
    "dolly-v2-pythia-mit": (set(), set()),
    # SD 1.5 LoRA labelled MIT: drops the OpenRAIL-M use restrictions and the licence copy.
    "sd15-lora-mit": ({"missing-use-restrictions", "missing-license-copy"},
                      {("missing-use-restrictions", "README.md", 2)}),
    # Llama 3 fine-tune without "Built with Meta Llama 3", named "SuperChat-8B".
    "llama3-naming-attribution": ({"naming-rule", "missing-attribution-phrase", "missing-license-copy"},
                                  {("naming-rule", "README.md", 10)}),
    # Mistral fine-tune on MetaMathQA (GPT-3.5-Turbo generated), Apache-2.0: a provenance warning, no error.
    "metamath-mistral-gpt-generated": (set(), set()),
    # PEFT adapter whose only base reference is adapter_config.json, labelled apache-2.0.
    "peft-adapter-config-only": ({"relabel-forbidden", "missing-license-copy", "missing-notice"},
                                 {("relabel-forbidden", "README.md", 3)}),
    # Second-round SFT of a community Mistral fine-tune the registry does not know, resolved by its committed lock.
    "community-finetune-locked": (set(), set()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_verdict(name):
    errors, locations = CASES[name]
    report = check_json(EXAMPLES / name)
    assert rules_of(report, "error") == errors
    for rule, path, line in locations:
        assert (path, line) in where(report, rule), report["findings"]
    assert report["exit_code"] == (1 if errors else 0)
    for f in report["findings"]:
        assert f["message"] and f["fix"], f  # every finding says what is wrong and how to fix it
        if f["rule"] not in ("metadata-invalid", "unknown-base-license"):
            assert f["clause"], f


def test_peft_adapter_lineage_comes_from_adapter_config():
    report = check_json(EXAMPLES / "peft-adapter-config-only")
    (base,) = report["models"][0]["bases"]
    assert base["license"] == "llama2" and base["relation"] == "adapter"
    assert base["evidence"] == [{"path": "adapter_config.json", "line": 4,
                                 "origin": "adapter_config:base_model_name_or_path"}]


def test_all_examples_in_one_run():
    report = check_json(EXAMPLES)
    assert report["summary"]["models"] == len(CASES)
    assert report["exit_code"] == 1


def test_community_finetune_is_resolved_by_its_committed_lock(tmp_path):
    import shutil

    from weightgate.lockfile import parse
    from weightgate.lockwriter import render

    folder = EXAMPLES / "community-finetune-locked"
    report = check_json(folder)
    base, mistral = report["models"][0]["bases"]
    assert (base["resolved_from"], base["license"]) == ("lock", "apache-2.0")
    assert (mistral["id"], mistral["license"], mistral["via"]) == ("mistralai/Mistral-7B-v0.1", "apache-2.0", [base["id"]])
    lock_bytes = (folder / "weightgate.lock").read_bytes()
    assert render(list(parse("weightgate.lock", lock_bytes).entries.values())).encode() == lock_bytes  # as written
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / "weightgate.lock").unlink()
    assert "unknown-base-license" in rules_of(check_json(copy))  # without the lock the base is unknown


def test_generated_training_data_gets_a_provenance_warning():
    report = check_json(EXAMPLES / "metamath-mistral-gpt-generated")
    assert ("README.md", 5) in where(report, "generated-data-terms")
    f = next(f for f in report["findings"] if f["rule"] == "generated-data-terms")
    assert f["severity"] == "warning" and "OpenAI" in f["message"] and "compete" in f["clause"]
    (ds,) = report["models"][0]["datasets"]
    assert ds["id"] == "meta-math/metamathqa" and "OpenAI GPT-3.5-Turbo" in ds["generated_by"]
    assert ds["evidence"] == [{"path": "README.md", "line": 5, "origin": "card:datasets"}]
