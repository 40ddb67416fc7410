"""Each rule on realistic model repositories: the verdict a careful licence reviewer would give.

Rows read as a table: (files of the repo, configuration, findings that must appear, rules that must not).
"""
from __future__ import annotations

import pytest

import weightgate
from conftest import LLAMA2_NOTICE, card, licence_text, write_tree

LLAMA3_NOTICE = ("Meta Llama 3 is licensed under the Meta Llama 3 Community License, Copyright © Meta Platforms, "
                 "Inc. All Rights Reserved.")
LLAMA31_NOTICE = ("Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. "
                  "All Rights Reserved.")
GEMMA_NOTICE = "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"


def run(tmp_path, files, config=None):
    write_tree(tmp_path, files)
    return weightgate.check(str(tmp_path), config=config or {})


def found(report, rule=None):
    return {(f.rule, f.path, f.line) for f in report.findings if rule is None or f.rule == rule}


def rules(report, severity=None):
    return {f.rule for f in report.findings if severity is None or f.severity == severity}


def compliant_llama2(extra_front="", body="# Llama-2-7b-support\n\nA fine-tune.\n"):
    return {
        "README.md": card(f"license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n{extra_front}", body),
        "LICENSE": licence_text("llama2"),
        "NOTICE": LLAMA2_NOTICE + "\n",
    }


# ---- relabel-forbidden -----------------------------------------------------------------------------------

def test_llama2_finetune_relabelled_mit_is_forbidden(tmp_path):
    r = run(tmp_path, {"README.md": card("license: mit\nbase_model: meta-llama/Llama-2-7b-hf")})
    assert ("relabel-forbidden", "README.md", 2) in found(r)
    f = next(f for f in r.findings if f.rule == "relabel-forbidden")
    assert "llama2" in f.clause and "§1.b.i" in f.clause and "license: llama2" in f.fix


def test_compliant_llama2_derivative_passes_clean(tmp_path):
    r = run(tmp_path, compliant_llama2())
    assert r.findings == [] and r.ok


def test_opt_finetune_relabelled_apache_is_forbidden(tmp_path):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: facebook/opt-2.7b")})
    assert ("relabel-forbidden", "README.md", 2) in found(r)
    assert "opt-175b" in next(f.clause for f in r.findings if f.rule == "relabel-forbidden")


def test_share_alike_base_allows_only_share_alike(tmp_path):
    cfg = {"models": {"acme/wiki-base": "cc-by-sa-4.0"}}
    bad = run(tmp_path / "bad", {"README.md": card("license: mit\nbase_model: acme/wiki-base")}, cfg)
    good = run(tmp_path / "good", {"README.md": card("license: cc-by-sa-4.0\nbase_model: acme/wiki-base")}, cfg)
    assert "relabel-forbidden" in rules(bad)
    assert "relabel-forbidden" not in rules(good)


def test_non_commercial_base_accepts_non_commercial_labels_only(tmp_path):
    cfg = {"models": {"acme/nc-base": "cc-by-nc-4.0"}}
    bad = run(tmp_path / "bad", {"README.md": card("license: apache-2.0\nbase_model: acme/nc-base")}, cfg)
    good = run(tmp_path / "good", {"README.md": card("license: cc-by-nc-sa-4.0\nbase_model: acme/nc-base")}, cfg)
    assert "relabel-forbidden" in rules(bad)
    assert "relabel-forbidden" not in rules(good)


def test_permissive_base_may_be_narrowed(tmp_path):
    r = run(tmp_path, {"README.md": card("license: cc-by-nc-4.0\nbase_model: EleutherAI/pythia-1b")})
    assert rules(r, "error") == set()


def test_repo_wide_mit_license_over_llama_adapter_is_seen(tmp_path):
    r = run(tmp_path, {
        "LICENSE": licence_text("mit"),
        "adapters/support-lora/README.md": card("library_name: peft"),
        "adapters/support-lora/adapter_config.json":
            '{"peft_type": "LORA", "base_model_name_or_path": "meta-llama/Llama-2-7b-hf"}',
    })
    assert ("relabel-forbidden", "LICENSE", 1) in found(r)


def test_code_licence_above_a_properly_licensed_model_is_not_a_relabel(tmp_path):
    files = {"LICENSE": licence_text("mit")}
    files.update({f"models/llama-2-7b-support/{k}": v for k, v in compliant_llama2().items()})
    r = run(tmp_path, files)
    assert r.findings == []


def test_license_file_in_model_folder_relabels(tmp_path):
    r = run(tmp_path, {"README.md": card("base_model: meta-llama/Llama-2-7b-hf", "# Llama-2-x\n"),
                       "LICENSE": licence_text("apache-2.0")})
    assert ("relabel-forbidden", "LICENSE", 1) in found(r)


def test_relabel_in_card_text_is_reported_at_its_line(tmp_path):
    body = "# Llama-2-7b-x\n\n- **License:** apache-2.0\n"
    r = run(tmp_path, {**compliant_llama2(body=body)})
    assert ("relabel-forbidden", "README.md", 7) in found(r)


# ---- missing-license-copy --------------------------------------------------------------------------------

def test_missing_llama2_agreement(tmp_path):
    files = compliant_llama2()
    del files["LICENSE"]
    r = run(tmp_path, files)
    assert rules(r) == {"missing-license-copy"}


def test_llama3_agreement_does_not_satisfy_llama2(tmp_path):
    files = compliant_llama2()
    files["LICENSE"] = licence_text("llama3")
    r = run(tmp_path, files)
    assert "missing-license-copy" in rules(r)


def test_agreement_in_repo_root_covers_model_folders_below(tmp_path):
    files = {"LICENSE": licence_text("llama2"),
             "models/a/README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"),
             "models/a/NOTICE": LLAMA2_NOTICE}
    assert run(tmp_path, files).findings == []


def test_license_link_target_counts_as_copy(tmp_path):
    files = compliant_llama2(extra_front="license_link: docs/LLAMA_AGREEMENT.txt")
    files["docs/LLAMA_AGREEMENT.txt"] = files.pop("LICENSE")
    r = run(tmp_path, files)
    assert "missing-license-copy" not in rules(r)


def test_missing_apache_copy_is_only_a_warning(tmp_path):
    r = run(tmp_path, {"README.md": card("license: mit\nbase_model: EleutherAI/pythia-1b")})
    assert r.ok and rules(r, "warning") == {"missing-license-copy"}


# ---- missing-notice ----------------------------------------------------------------------------------------

def test_missing_notice_when_only_the_agreement_quotes_it(tmp_path):
    files = compliant_llama2()
    del files["NOTICE"]
    r = run(tmp_path, files)
    assert rules(r) == {"missing-notice"}


@pytest.mark.parametrize("where", ["card", "license"])
def test_notice_accepted_in_card_or_license_file(tmp_path, where):
    files = compliant_llama2()
    del files["NOTICE"]
    if where == "card":
        files["README.md"] += f"\n## Notice\n\n{LLAMA2_NOTICE}\n"
    else:
        files["LICENSE"] += f"\n\n{LLAMA2_NOTICE}\n"
    assert run(tmp_path, files).findings == []


def test_notice_match_ignores_wrapping_and_copyright_sign(tmp_path):
    files = compliant_llama2()
    files["NOTICE"] = LLAMA2_NOTICE.replace("(c)", "©").replace(" Inc.", "\nInc.")
    assert run(tmp_path, files).findings == []


def test_gemma_derivative_needs_notice_copy_and_restrictions(tmp_path):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: google/gemma-2-9b")})
    assert {"missing-notice", "missing-license-copy", "missing-use-restrictions"} <= rules(r)
    ok = run(tmp_path / "ok", {"README.md": card("license: gemma\nbase_model: google/gemma-2-9b"),
                                "LICENSE": licence_text("gemma"), "NOTICE": GEMMA_NOTICE})
    assert ok.findings == []


# ---- missing-attribution-phrase and naming-rule ---------------------------------------------------------

def llama31(name_title, body_extra=""):
    return {"README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B-Instruct",
                              f"# {name_title}\n\nA fine-tune.\n{body_extra}"),
            "LICENSE": licence_text("llama3.1"), "NOTICE": LLAMA31_NOTICE}


def test_llama31_needs_built_with_llama(tmp_path):
    r = run(tmp_path, llama31("Llama-3.1-8B-Support"))
    assert rules(r) == {"missing-attribution-phrase"}
    ok = run(tmp_path / "ok", llama31("Llama-3.1-8B-Support", "\nBuilt with Llama\n"))
    assert ok.findings == []


def test_phrase_quoted_from_the_licence_does_not_count(tmp_path):
    quote = ("\nThe licence says you must prominently display “Built with Llama” on a related website, user "
             "interface, blogpost, about page, or product documentation.\n")
    r = run(tmp_path, llama31("Llama-3.1-8B-Support", quote))
    assert "missing-attribution-phrase" in rules(r)


@pytest.mark.parametrize("name,ok", [("Llama-3.1-8B-Support", True), ("llama_3_1_support", True),
                                     ("LLAMA Support 8B", True), ("SupportBot-8B", False),
                                     ("Meta-Llama-3.1-8B-Support", False)])
def test_llama31_naming_rule(tmp_path, name, ok):
    r = run(tmp_path, llama31(name, "\nBuilt with Llama\n"))
    assert ("naming-rule" not in rules(r)) == ok


@pytest.mark.parametrize("name,ok", [("Llama-3-8B-sft", True), ("LLAMA 3 Instruct Ja", True),
                                     ("Llama-30B-sft", False), ("Hermes-8B", False)])
def test_llama3_naming_rule_needs_llama_3(tmp_path, name, ok):
    files = {"README.md": card(f"license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B\nmodel_name: {name}",
                               "# x\n\nBuilt with Meta Llama 3\n"),
             "LICENSE": licence_text("llama3"), "NOTICE": LLAMA3_NOTICE}
    r = run(tmp_path, files)
    assert ("naming-rule" not in rules(r)) == ok


def test_template_title_falls_back_to_folder_name(tmp_path):
    # Unsloth's template titles every card "Uploaded  model"; the repository name is the model's name.
    files = {"support-bot-8b/README.md": card("license: llama3\nbase_model: unsloth/llama-3-8b-bnb-4bit",
                                              "# Uploaded  model\n\nBuilt with Meta Llama 3\n")}
    r = run(tmp_path, files)
    f = next(f for f in r.findings if f.rule == "naming-rule")
    assert "support-bot-8b" in f.message


# ---- missing-use-restrictions ---------------------------------------------------------------------------

def test_sd15_lora_labelled_mit_drops_use_restrictions(tmp_path):
    r = run(tmp_path, {"README.md": card("license: mit\nbase_model: runwayml/stable-diffusion-v1-5")})
    assert ("missing-use-restrictions", "README.md", 2) in found(r)
    assert "relabel-forbidden" not in rules(r)  # OpenRAIL lets other terms carry the restrictions


def test_incorporating_statement_passes_restrictions_on(tmp_path):
    body = ("# sks dog LoRA\n\n## License\n\nReleased under MIT. Use of this LoRA is subject to the use-based "
            "restrictions in Attachment A of the CreativeML Open RAIL-M license: "
            "https://huggingface.co/spaces/CompVis/stable-diffusion-license\n")
    r = run(tmp_path, {"README.md": card("license: mit\nbase_model: runwayml/stable-diffusion-v1-5", body),
                       "LICENSE.creativeml-openrail-m.txt": licence_text("creativeml-openrail-m")})
    assert "missing-use-restrictions" not in rules(r)


def test_declaring_the_openrail_licence_passes(tmp_path):
    r = run(tmp_path, {"README.md": card("license: creativeml-openrail-m\nbase_model: runwayml/stable-diffusion-v1-5"),
                       "LICENSE": licence_text("creativeml-openrail-m")})
    assert r.findings == []


# ---- noncommercial-data ----------------------------------------------------------------------------------

def test_alpaca_data_with_commercial_licence(tmp_path):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: EleutherAI/pythia-1b\n"
                                         "datasets:\n- tatsu-lab/alpaca")})
    assert ("noncommercial-data", "README.md", 5) in found(r)
    nc = run(tmp_path / "nc", {"README.md": card("license: cc-by-nc-4.0\nbase_model: EleutherAI/pythia-1b\n"
                                                 "datasets:\n- tatsu-lab/alpaca")})
    assert "noncommercial-data" not in rules(nc)


def test_alpaca_named_only_in_prose_is_a_warning(tmp_path):
    body = "# x\n\nThis model is a fine-tuned version of pythia on the identity and the alpaca datasets.\n"
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: EleutherAI/pythia-1b", body)})
    assert [(f.rule, f.severity) for f in r.findings if f.rule == "noncommercial-data"] == [
        ("noncommercial-data", "warning")]


# ---- metadata-invalid ------------------------------------------------------------------------------------

@pytest.mark.parametrize("front,line,needle", [
    ("license: other", 2, "license_name"),
    ("license: Apache 2.0", 2, "apache-2.0"),
    ("licence: mit", 2, "`license`"),
    ("license: mit\nlanguage: no", 3, "boolean"),
    ("license: [mit\nbase_model: x", 3, "YAML"),
    ("- a\n- b", 2, "mapping"),
    ("license: mit\nbase_model_relation: distilled", 3, "base_model_relation"),
])
def test_metadata_invalid(tmp_path, front, line, needle):
    r = run(tmp_path, {"README.md": card(front)})
    hits = [f for f in r.findings if f.rule == "metadata-invalid"]
    assert hits, r.findings
    assert hits[0].line == line and needle in hits[0].message + hits[0].fix


@pytest.mark.parametrize("front,severity", [
    ("license: mit\nlanguage:\n- en\n- no", "warning"),  # Norwegian, read as False: untidy, not a gap
    ("license: mit\ntags: [yes]", "warning"),
    ("license: no", "error"), ("license: mit\nmodel_name: 7", "error"), ("license: mit\ndatasets: [on]", "error"),
    ("license: mit\nbase_model: true", "error"),
])
def test_values_of_the_wrong_type_fail_only_where_weightgate_judges_them(tmp_path, front, severity):
    r = run(tmp_path, {"README.md": card(front)})
    assert [(f.rule, f.severity) for f in r.findings if "must be" in f.message] == [("metadata-invalid", severity)]


def test_broken_config_json_names_file_and_line(tmp_path):
    r = run(tmp_path, {"config.json": '{\n  "model_type": "llama",\n  "x": ,\n}\n'})
    assert [(f.rule, f.path, f.line) for f in r.findings] == [("metadata-invalid", "config.json", 3)]


# ---- license-mismatch ------------------------------------------------------------------------------------

def test_card_metadata_and_text_disagree(tmp_path):
    body = "# x\n\n- **License:** Apache 2.0\n"
    r = run(tmp_path, {"README.md": card("license: mit\nbase_model: EleutherAI/pythia-1b", body)})
    assert ("license-mismatch", "README.md", 7) in found(r)


REPLIT_LICENSE = "The checkpoint and vocabulary are licensed under the Creative Commons license (CC BY-SA-4.0)."


@pytest.mark.parametrize("front,body,mismatch", [
    ("license: cc-by-sa-4.0", REPLIT_LICENSE, False),
    ("license: openrail", "- **License:** CreativeML Open RAIL-M", False),
    ("license: mit", REPLIT_LICENSE, True),
    ("license: cc-by-sa-4.0", REPLIT_LICENSE.replace("BY-SA", "BY-NC"), True),  # the bracketed licence decides
    ("license: cc-by-sa-4.0", "The weights are licensed under a Creative Commons license (see LICENSE).", False),
    ("license: cc-by-sa-4.0", "- **License:** Creative Commons Attribution-NonCommercial 4.0", True),
])
def test_a_generic_licence_name_agrees_with_its_members(tmp_path, front, body, mismatch):
    """`cc` and `openrail` name families (data: `covers`): a text naming only the family agrees with a member."""
    r = run(tmp_path, {"README.md": card(front, "# x\n\n## License\n\n" + body + "\n")})
    assert any(f.rule == "license-mismatch" for f in r.findings) == mismatch, r.findings


def test_llama3_base_declared_llama2_is_a_mismatch(tmp_path):
    r = run(tmp_path, {"README.md": card("license: llama2\nbase_model: meta-llama/Meta-Llama-3-8B")})
    assert ("license-mismatch", "README.md", 2) in found(r)
    assert "relabel-forbidden" not in rules(r)


# ---- unknown-base-license and resolution ---------------------------------------------------------------

def test_unknown_base_fails_safe(tmp_path):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: acme-internal/base-7b")})
    assert ("unknown-base-license", "README.md", 3) in found(r)
    assert "models" in next(f.fix for f in r.findings if f.rule == "unknown-base-license")


def test_models_table_resolves_a_private_base(tmp_path):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: acme-internal/base-7b")},
            {"models": {"acme-internal/base-7b": "llama2"}})
    assert "unknown-base-license" not in rules(r) and "relabel-forbidden" in rules(r)


def test_local_base_folder_is_followed_to_its_own_base(tmp_path):
    files = {"base/README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"),
             "lora/README.md": card("license: mit\nbase_model: ../base")}
    r = run(tmp_path, files)
    assert ("relabel-forbidden", "lora/README.md", 2) in found(r)


def test_hf_cache_resolves_base_card(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    snap = cache / "models--acme--Base-7B" / "snapshots" / "abc123"
    write_tree(snap, {"README.md": card("license: llama2")})
    (cache / "models--acme--Base-7B" / "refs").mkdir()
    (cache / "models--acme--Base-7B" / "refs" / "main").write_text("abc123")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    r = run(tmp_path / "repo", {"README.md": card("license: apache-2.0\nbase_model: acme/Base-7B")})
    assert "relabel-forbidden" in rules(r)
    assert r.models[0].bases[0]["resolved_from"] == "hf-cache"


def test_reupload_namespace_inherits_original_licence(tmp_path):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: unsloth/llama-3-8b-bnb-4bit")})
    base = r.models[0].bases[0]
    assert base["license"] == "llama3" and base["resolved_from"] == "registry"


def test_cycles_between_local_folders_terminate(tmp_path):
    files = {"a/README.md": card("license: mit\nbase_model: ../b"), "b/README.md": card("license: mit\nbase_model: ../a")}
    r = run(tmp_path, files)
    assert len(r.models) == 2


# ---- open-source-claim -----------------------------------------------------------------------------------

def test_open_source_claim_on_llama_derivative(tmp_path):
    files = compliant_llama2(body="# Llama-2-x\n\nThe best open-source model for support.\n")
    r = run(tmp_path, files)
    assert [(f.rule, f.severity, f.line) for f in r.findings] == [("open-source-claim", "warning", 7)]


def test_open_source_claim_on_apache_base_is_fine(tmp_path):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: EleutherAI/pythia-1b",
                                         "# x\n\nAn open-source model.\n"), "LICENSE": licence_text("apache-2.0")})
    assert r.findings == []


# ---- regressions from reviewing real repositories --------------------------------------------------------

def test_required_copy_beside_a_permitted_relabel_is_no_contradiction(tmp_path):
    r = run(tmp_path, {"README.md": card("license: mit\nbase_model: runwayml/stable-diffusion-v1-5",
                                         "# x\n\nUse is subject to the use-based restrictions in Attachment A of the "
                                         "CreativeML Open RAIL-M license (LICENSE.creativeml-openrail-m.txt).\n"),
                       "LICENSE.creativeml-openrail-m.txt": licence_text("creativeml-openrail-m")})
    assert r.findings == []


def test_relabel_in_prose_is_reported_once_with_a_line_fix(tmp_path):
    files = compliant_llama2(body="# Llama-2-7b-x\n\n- **License:** apache-2.0\n")
    r = run(tmp_path, files)
    at_line = [f for f in r.findings if f.line == 7]
    assert [f.rule for f in at_line] == ["relabel-forbidden"]
    assert "edit this line" in at_line[0].fix


def test_underscored_title_keeps_its_underscores(tmp_path):
    files = {"README.md": card("license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B",
                               "# llama_3_8b_sft\n\nBuilt with Meta Llama 3\n"),
             "LICENSE": licence_text("llama3"), "NOTICE": LLAMA3_NOTICE}
    assert "naming-rule" not in rules(run(tmp_path, files))


def test_kohya_lora_hints_name_one_base(tmp_path):
    from safetensors.numpy import save_file
    import numpy as np

    write_tree(tmp_path, {"README.md": card("license: mit\ntags:\n- lora")})
    save_file({"lora_unet_down.alpha": np.zeros((1,), dtype=np.float32)}, str(tmp_path / "sks_dog.safetensors"),
              metadata={"ss_sd_model_name": "v1-5-pruned-emaonly.safetensors", "ss_base_model_version": "sd_v1",
                        "ss_network_module": "networks.lora", "ss_output_name": "sks_dog"})
    r = weightgate.check(str(tmp_path), config={})
    (base,) = r.models[0].bases
    assert base["license"] == "creativeml-openrail-m" and base["relation"] == "adapter"
    assert "unknown-base-license" not in rules(r) and "missing-use-restrictions" in rules(r)


def test_unknown_checkpoint_hint_is_not_a_base(tmp_path):
    from safetensors.numpy import save_file
    import numpy as np

    write_tree(tmp_path, {"README.md": card("license: mit\ntags:\n- lora")})
    save_file({"w": np.zeros((1,), dtype=np.float32)}, str(tmp_path / "style.safetensors"),
              metadata={"ss_sd_model_name": "myMergedAnimeModel_v7.safetensors", "ss_network_module": "networks.lora"})
    r = weightgate.check(str(tmp_path), config={})
    assert r.models[0].bases == [] and "unknown-base-license" not in rules(r)


def test_weights_only_subfolder_belongs_to_the_carded_model(tmp_path):
    import onnx
    from onnx import helper

    write_tree(tmp_path, {"README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"),
                          "LICENSE": licence_text("llama2"), "NOTICE": LLAMA2_NOTICE})
    (tmp_path / "onnx").mkdir()
    graph = helper.make_graph([], "g", [], [])
    model = helper.make_model(graph)
    helper.set_model_props(model, {"model_license": "apache-2.0"})
    onnx.save(model, str(tmp_path / "onnx" / "model.onnx"))
    r = weightgate.check(str(tmp_path), config={})
    assert len(r.models) == 1
    assert ("relabel-forbidden", "onnx/model.onnx", 1) in found(r)


# ---- regressions from the review of real Hub cards ------------------------------------------------------

@pytest.mark.parametrize("sentence,flagged", [
    ("This model was fine-tuned on the Alpaca dataset.", True),
    ("We report MT-Bench and AlpacaEval scores below.", False),
    ("## Prompt template: Alpaca", False),
    ("It uses the Alpaca prompt format for instructions.", False),
    ("| alpaca | 52k | instructions |", False),
])
def test_alpaca_prose_needs_training_context(tmp_path, sentence, flagged):
    body = f"# x\n\n{sentence}\n"
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: EleutherAI/pythia-1b", body)})
    assert ("noncommercial-data" in rules(r)) == flagged


@pytest.mark.parametrize("front,body,flagged", [
    ("model-index:\n- name: Llama-3.1-SuperNova-Lite\n  results: []", "# [Open LLM Leaderboard Evaluation Results](x)\n", False),
    ("", "# Updates\n\n- new version\n", None),  # section heading: falls back to the folder name
    ("", "## Intro\n\n# SuperChat\n", None),  # an H1 after another heading is not the title
])
def test_naming_rule_name_sources(tmp_path, front, body, flagged):
    folder = tmp_path / "Llama-3.1-8B-support"
    files = {"README.md": card(f"license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n{front}",
                               body + "\nBuilt with Llama\n"),
             "LICENSE": licence_text("llama3.1"), "NOTICE": LLAMA31_NOTICE}
    r = run(folder, files)
    assert "naming-rule" not in rules(r)


def test_generic_folder_name_is_not_judged(tmp_path):
    files = {"checkpoint-900/README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B",
                                              "Built with Llama\n")}
    assert "naming-rule" not in rules(run(tmp_path, files))


def test_quantizations_keep_the_original_name(tmp_path):
    files = {"README.md": card("license: llama3.1\nbase_model: meta-llama/Meta-Llama-3.1-8B-Instruct\n"
                               "quantized_by: bartowski", "## Llamacpp imatrix Quantizations of Meta-Llama-3.1-8B-Instruct\n")}
    r = run(tmp_path / "Meta-Llama-3.1-8B-Instruct-GGUF", files)
    assert "naming-rule" not in rules(r) and {"missing-license-copy", "missing-notice"} <= rules(r)


def test_declared_model_licence_duties_apply_with_an_unknown_base(tmp_path):
    r = run(tmp_path, {"README.md": card("license: gemma\nbase_model: someone/gemma-7b-private-ft")})
    assert {"unknown-base-license", "missing-license-copy", "missing-notice"} <= rules(r)


def test_creative_commons_by_nc_is_not_read_as_cc(tmp_path):
    body = "# x\n\nThis model is released under the Creative Commons BY-NC license.\n"
    r = run(tmp_path, {"README.md": card("license: cc-by-nc-4.0\nbase_model: EleutherAI/pythia-1b", body)})
    assert "license-mismatch" not in rules(r)


def test_many_unknown_merge_inputs_make_one_finding(tmp_path):
    bases = "\n".join(f"- acme/part-{i}" for i in range(6))
    r = run(tmp_path, {"README.md": card(f"license: apache-2.0\nbase_model:\n{bases}")})
    assert [f.rule for f in r.findings].count("unknown-base-license") == 1


def test_thanks_to_open_source_projects_is_not_a_claim(tmp_path):
    files = compliant_llama2(body="# Llama-2-x\n\nWe thank the open-source community and open-source models like "
                                  "Mistral.\n")
    assert run(tmp_path, files).findings == []
