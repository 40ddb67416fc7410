"""Lineage read from card text and from names without an organisation (issue 12 items 1-2), references that
are not clean Hub ids (issue 11 class 1) and local look-alikes of curated bases (issue 11 class 3).

Rows read as tables: (card text, the bases it names) and (repository, findings that must / must not appear).
"""
from __future__ import annotations

import json

import pytest

import weightgate
from weightgate import knowledge
from weightgate.collect.prose_lineage import prose_bases
from conftest import LLAMA2_NOTICE, card, licence_text, write_tree

KB = knowledge.load()


def named(text):
    return [f.value for f in prose_bases("README.md", text + "\n", 1, KB)]


@pytest.mark.parametrize("text,bases", [
    # the Hub card template, with and without bold, brackets and links
    ("- **Finetuned from model [optional]:** [meta-llama/Llama-2-7b-hf](https://huggingface.co/meta-llama/Llama-2-7b-hf)",
     ["meta-llama/Llama-2-7b-hf"]),
    ("- **Finetuned from model :** unsloth/llama-3-8b-bnb-4bit", ["unsloth/llama-3-8b-bnb-4bit"]),
    ("Finetuned from model: meta-llama/Llama-2-7b-hf", ["meta-llama/Llama-2-7b-hf"]),
    ("**Base model:** CodeLlama-7B", ["CodeLlama-7B"]),
    ("Base Model: Llama3-8B-Instruct", ["Llama3-8B-Instruct"]),
    ("Original model: https://huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct", ["meta-llama/Meta-Llama-3-8B-Instruct"]),
    ("- **Foundation model:** Meta-Llama-3-8B", ["Meta-Llama-3-8B"]),
    ("Pretrained model: [Llama 2 7B](https://huggingface.co/meta-llama/Llama-2-7b-hf)", ["meta-llama/Llama-2-7b-hf"]),
    ("Original model: https://hf-mirror.com/meta-llama/Meta-Llama-3-8B-Instruct", ["meta-llama/Meta-Llama-3-8B-Instruct"]),
    ("This model is fine-tuned from pythia-12b on our data.", ["pythia-12b"]),
    ("Fine-tuned on meta-llama/Llama-2-7b-hf with QLoRA.", ["meta-llama/Llama-2-7b-hf"]),
    ("Fine-tuned on Llama-3-8B-Instruct.", ["Llama-3-8B-Instruct"]),
    ("We fine-tuned Llama-2-7b on 10k support tickets.", ["Llama-2-7b"]),
    ("This model was further fine-tuned meta-llama/Llama-2-7b-hf with DPO.", ["meta-llama/Llama-2-7b-hf"]),
    ("We have quantized the Meta-Llama-3-8B-Instruct weights to 4 bits.", ["Meta-Llama-3-8B-Instruct"]),
    ("This model is a LoRA adapter for Llama-2-7b-chat.", ["Llama-2-7b-chat"]),
    ("AMD's Llama-3.1-405B-Instruct-FP8-KV is a quantized version of Meta's Llama 3.1 405B Instruct model using AMD's "
     "Quark framework.", ["Llama 3.1 405B Instruct"]),
    ("Sunflower-14B-W8A8 is a quantized version of `Sunbird/Sunflower-14B` optimized for inference.",
     ["Sunbird/Sunflower-14B"]),
    ("This is an ExLlamaV2 quant of meta-llama/Llama-2-7b-hf", ["meta-llama/Llama-2-7b-hf"]),
    ("[GGUF of https://huggingface.co/Orenguteng/Lexi-Llama-3-8B-Uncensored](https://huggingface.co/Orenguteng/Lexi-"
     "Llama-3-8B-Uncensored)", ["Orenguteng/Lexi-Llama-3-8B-Uncensored"]),
    ("It is a continued pretraining of Mistral-7B-v0.1 on German text.", ["Mistral-7B-v0.1"]),
    ("Valkyrie-49B is a fine-tune of nvidia/Llama-3\\_3-Nemotron-Super-49B-v1\\_5. While it is often categorized",
     ["nvidia/Llama-3_3-Nemotron-Super-49B-v1_5"]),  # Markdown escapes
    ("The model is a fine-tune of Meta's Llama 3.2 3B Instruct, so it's published under the Llama 3.2 license.",
     ["Llama 3.2 3B Instruct"]),
    ("Fine-tuned from meta-llama/Llama-2-7b-hf on the Alpaca dataset.", ["meta-llama/Llama-2-7b-hf"]),
    ("This model is a fine-tuned version of [mistralai/Mistral-7B-v0.1](https://huggingface.co/mistralai/Mistral-7B-v0.1)"
     " on the HuggingFaceH4/ultrachat_200k dataset.", ["mistralai/Mistral-7B-v0.1"]),
    ("It is based on Meta-Llama-3-8B.", ["Meta-Llama-3-8B"]),
    ("Built on Qwen3.", ["Qwen3"]),
    ("Built upon Llama 2 7B with extra data.", ["Llama 2 7B"]),
    ("Derived from meta-llama_Llama-2-7b-hf.", ["meta-llama/Llama-2-7b-hf"]),  # slash mangled to an underscore
    ("This is a quantized version of meta-llama/Llama-2-7b-chat-hf.", ["meta-llama/Llama-2-7b-chat-hf"]),
    ("This repo contains GGUF format model files for [Meta's Llama 2 7B Chat]"
     "(https://huggingface.co/meta-llama/Llama-2-7b-chat-hf).", ["meta-llama/Llama-2-7b-chat-hf"]),
    ("An AWQ version of TheBloke/Llama-2-7B-Chat-AWQ", ["TheBloke/Llama-2-7B-Chat-AWQ"]),
    ("Quantized from unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit using llama.cpp.",
     ["unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit"]),
    ("This is a merge of mistralai/Mistral-7B-v0.1 and meta-llama/Llama-2-7b-hf.",
     ["mistralai/Mistral-7B-v0.1", "meta-llama/Llama-2-7b-hf"]),
    ("This model is a Llama 3 fine-tune trained for chat.", ["Llama 3"]),
    ("This is a fine-tuned version of Llama-2-7B-GGUF.", ["Llama-2-7B-GGUF"]),
    ("fine-tuned from /home/u/models/Llama-2-7b-hf", ["Llama-2-7b-hf"]),
    ("## Llamacpp imatrix Quantizations of Meta-Llama-3.1-8B-Instruct", ["Meta-Llama-3.1-8B-Instruct"]),
    ("This model is a fine-tuned version of [/root/models/Meta-Llama-3-8B-Instruct](/root/models/Meta-Llama-3-8B-"
     "Instruct) on the identity dataset.", ["Meta-Llama-3-8B-Instruct"]),  # LLaMA-Factory with a local model
])
def test_prose_names_its_bases(text, bases):
    assert named(text) == bases


@pytest.mark.parametrize("text", [
    "- **Finetuned from model [optional]:** [More Information Needed]",
    "Our model is better than Llama 2 on every benchmark.",
    "It outperforms models based on Llama 2.",
    "It is competitive with Llama-2-70B and based on our own architecture.",
    "Similar to Llama 2, this model is based on RoPE.",
    "This model was fine-tuned on instruction/response pairs.",
    "Fine-tuned on English/Chinese data.",
    "Fine-tuned on HuggingFaceH4/ultrachat_200k.",  # data, as often as not: only known models count after "on"
    "Fine-tuned on the teknium/OpenHermes-2.5 dataset.",
    "This model is fine-tuned on the Alpaca dataset.",
    "Llama-2/Llama-3 style models are based on decoder blocks.",
    "This model is based on the transformer architecture.",
    "Evaluation based on MMLU and GSM8K.",
    "Results are based on lm-evaluation-harness v0.4.0.",
    "Built on top of TRL and PEFT.",
    "This model was trained from scratch.",
    "This is a merge of two models using SLERP.",
    "This is a merge of pre-trained language models created using [mergekit](https://github.com/cg123/mergekit).",
    "## Evaluation based on Llama-2-7b",
    "We fine-tuned acme/secret-base-7b on our data.",  # an object the registry does not know: maybe not a model
    "Many fine-tuned Llama 2 variants exist.",
    "We fine-tuned it with care.",
    "This model is a quantized version of the base model.",
    "QLoRA is a quantized version of LoRA.",
    "Nothing here is a fine-tune of an existing model.",
    "Fine-tuned on answers generated by Qwen-72B-Chat.",  # data a model made is not a base
    "For this example, we'll use the SD-v1-5 model and the LCM-LoRA for SD-v1-5 with canny ControlNet.",
    "We release a pretrained model trained on Llama-2-7b outputs.",
    "fine-tuned from /home/u/models/my-private-model",
    "Our architecture is based on the Llama 2 architecture.",
    "The model architecture is based on Llama 2.",
    "The prompt format is based on Llama 2 Chat.",
    "Released under a license based on the Llama 2 license.",
    "Distilled from Qwen2.5-72B-Instruct into a small student.",  # a teacher is not a base
    "The tokenizer is based on Llama-2-7b.",
])
def test_not_lineage(text):
    assert named(text) == []


def test_a_quantizers_copy_of_the_original_card_tells_the_originals_lineage():
    body = ("# Zephyr 3B - GGUF\n\nOriginal model: [Zephyr](https://huggingface.co/stabilityai/stablelm-zephyr-3b)\n\n"
            "## Thanks\n\nbased on meta-llama/Llama-2-7b-hf\n\n### Patrons\n\nbuilt on meta-llama/Llama-2-7b-hf\n\n"
            "# Original model card: Stability AI's StableLM Zephyr 3B\n\n# `StableLM Zephyr 3B`\n\n"
            "* **Finetuned from model**: [stabilityai/stablelm-3b-4e1t](https://huggingface.co/stabilityai/stablelm-3b-4e1t)\n")
    assert [f.value for f in prose_bases("README.md", body, 1, KB)] == ["stabilityai/stablelm-zephyr-3b"]


def test_a_version_is_never_dropped_from_a_name():
    assert named("This open-source model is built upon Animagine XL V3, a specialized SDXL model.") != ["Animagine XL"]
    assert named("Built upon Llama 2 7B Chat.") == ["Llama 2 7B Chat"]


def test_citations_benchmark_tables_and_code_are_not_lineage():
    body = ("# Model\n\n## Evaluation\n\nOur fine-tune of meta-llama/Llama-2-7b-hf scores 50.\n\n"
            "| Model | based on meta-llama/Llama-2-7b-hf |\n|---|---|\n\n## Citation\n\n"
            "Touvron et al. Llama 2, fine-tuned from meta-llama/Llama-2-7b-hf.\n"
            "```\nbased on meta-llama/Llama-2-7b-hf\n```\n")
    assert prose_bases("README.md", body, 1, KB) == []


@pytest.mark.parametrize("name,license", [
    ("CodeLlama-7B", "llama2"), ("pythia-12b", "apache-2.0"), ("Llama3-8B-Instruct", "llama3"),
    ("Meta-Llama-3-8B", "llama3"), ("Llama 2", "llama2"), ("Llama 3", "llama3"), ("Llama 2 7B", "llama2"),
    ("Meta-Llama-3-8B-Instruct-Q4_K_M", "llama3"), ("Llama-2-7b-hf-exl2-4.0bpw", "llama2"),
    ("Mistral-7B-Instruct-v0.2-GPTQ-Int4", "apache-2.0"), ("Meta-Llama-3-8B-Instruct-MLX-4bit", "llama3"),
    ("Llama-3.2-1B-Instruct-AWQ", "llama3.2"), ("llama-3.1-8b-instruct-4.65bpw-h6-exl2", "llama3.1"),
    ("Meta-Llama-3.1-8B-Instruct.Q8_0", "llama3.1"), ("Llama-2-7B-Chat-GGUF", "llama2"),
])
def test_names_without_an_organisation(name, license):
    fam, _how = KB.family_for_name(name)
    assert fam.license == license


@pytest.mark.parametrize("name", ["instruction", "llama-3-groq-8b", "my-model-7b", "transformer", "t5-ish"])
def test_unknown_names_match_nothing(name):
    assert KB.family_for_name(name) is None  # a broad glob (huggyllama/llama-*) never claims a name


# ---- end to end: verdicts ------------------------------------------------------------------------------------

def run(tmp_path, files, config=None, hf_cache=None):
    write_tree(tmp_path, files)
    return weightgate.check(str(tmp_path / "m") if (tmp_path / "m").is_dir() else str(tmp_path),
                            config=config or {}, hf_cache=hf_cache)


def rules(report, severity="error"):
    return {f.rule for f in report.findings if f.severity == severity}


def compliant_llama2(front="license: llama2", body="# support-7b\n\nA fine-tune.\n"):
    return {"README.md": card(front, body), "LICENSE": licence_text("llama2"), "NOTICE": LLAMA2_NOTICE + "\n"}


@pytest.mark.parametrize("body", [
    "# x\n\nFine-tuned from meta-llama/Llama-2-7b-hf.\n",
    "# x\n\n- **Finetuned from model [optional]:** [Llama-2-7b](https://huggingface.co/meta-llama/Llama-2-7b-hf)\n",
    "# x\n\nThis model is a Llama 2 fine-tune.\n",
    "# x\n\nBase model: CodeLlama-7B\n",
    "# x\n\nDerived from meta-llama_Llama-2-7b-hf.\n",
    "# x\n\nA GGUF version of TheBloke/Llama-2-7B-Chat-GGUF.\n",
    "# x\n\nWe fine-tuned Llama-2-7b on 10k support tickets.\n",
    "# x\n\nThis model is a LoRA adapter for Llama-2-7b-chat.\n",
    "# x\n\nBuilt upon https://hf-mirror.com/meta-llama/Llama-2-7b-hf with our data.\n",
])
def test_prose_only_relabel_fails(tmp_path, body):
    r = run(tmp_path, {"README.md": card("license: mit", body)})
    assert "relabel-forbidden" in rules(r)
    base = r.models[0].bases[0]
    assert base["license"] == "llama2" and base["evidence"][0]["line"] == 6


def test_prose_only_compliant_llama2_stays_green(tmp_path):
    r = run(tmp_path, compliant_llama2(body="# support-7b\n\nFine-tuned from Llama-2-7b-hf. Better than Llama 1.\n"))
    assert rules(r) == set(), r.findings


def test_config_local_training_path_resolves_through_the_registry(tmp_path):
    files = {"README.md": card("license: mit"), "config.json": json.dumps({"_name_or_path": "/home/u/models/Llama-2-7b-hf"}),
             "model.safetensors": b""}
    r = run(tmp_path, files)
    assert r.models[0].bases[0]["license"] == "llama2" and "relabel-forbidden" in rules(r)


def test_a_training_path_adds_nothing_next_to_the_hub_id(tmp_path):
    files = {"README.md": card("license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct"),
             "adapter_config.json": json.dumps({"base_model_name_or_path": "/root/models/Meta-Llama-3-8B-Instruct"})}
    assert [b["id"] for b in run(tmp_path, files).models[0].bases] == ["meta-llama/Meta-Llama-3-8B-Instruct"]


def test_adapter_with_only_a_training_path_resolves_by_its_last_part(tmp_path):
    files = {"README.md": card("license: apache-2.0"),
             "adapter_config.json": json.dumps({"base_model_name_or_path": "/root/models/Meta-Llama-3-8B-Instruct"})}
    r = run(tmp_path, files)
    assert r.models[0].bases[0]["license"] == "llama3" and "relabel-forbidden" in rules(r)


def test_adapter_with_an_unknown_training_path_stays_unknown(tmp_path):
    files = {"README.md": card("license: apache-2.0"),
             "adapter_config.json": json.dumps({"base_model_name_or_path": "/root/models/my-base"})}
    assert "unknown-base-license" in rules(run(tmp_path, files))


def test_a_name_in_prose_adds_nothing_next_to_a_hub_id_in_config(tmp_path):
    files = {"README.md": card("license: llama2", "# x\n\nFine-tuned from Llama-2-7b-hf.\n"),
             "config.json": json.dumps({"_name_or_path": "meta-llama/Llama-2-7b-hf"})}
    bases = run(tmp_path, files).models[0].bases
    assert [(b["id"], b["relation"]) for b in bases] == [("meta-llama/Llama-2-7b-hf", "finetune")]


def test_prose_naming_the_model_itself_is_not_a_base(tmp_path):
    body = ("# Qwen-14B\n\nAdditionally, based on the pretrained Qwen-14B, we release Qwen-14B-Chat, which is "
            "trained with alignment techniques.\n")
    assert run(tmp_path, {"README.md": card("license: other", body)}).models[0].bases == []


def test_parent_models_are_all_bases():
    assert named("- **Parent Models:** [laion/CLIP-ViT-H-14](https://huggingface.co/laion/CLIP-ViT-H-14) and "
                 "[huggyllama/llama-65b](https://huggingface.co/huggyllama/llama-65b)") == [
        "laion/CLIP-ViT-H-14", "huggyllama/llama-65b"]


def test_config_private_training_path_is_silent(tmp_path):
    files = {"README.md": card("license: mit"), "config.json": json.dumps({"_name_or_path": "/home/u/models/my-model"})}
    assert run(tmp_path, files).models[0].bases == []


def test_metadata_wins_and_prose_disagreement_is_a_finding(tmp_path):
    body = "# x\n\nThis model is fine-tuned from meta-llama/Llama-2-7b-hf.\n"
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1", body)})
    assert [b["id"] for b in r.models[0].bases] == ["mistralai/Mistral-7B-v0.1"]
    conflict = [f for f in r.findings if f.rule == "lineage-conflict"]
    assert [(f.path, f.line) for f in conflict] == [("README.md", 7)] and "llama2" in conflict[0].message


@pytest.mark.parametrize("front,body", [
    ("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B", "This is a Llama 3 fine-tune.\n"),  # same licence family
    ("license: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1", "Built on Qwen3.\n"),  # permissive: no duties
    ("license: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1", "It beats Llama-2-7b-hf, built on Mistral 7B.\n"),
])
def test_prose_that_agrees_or_binds_nothing_is_no_conflict(tmp_path, front, body):
    r = run(tmp_path, {"README.md": card(front, "# x\n\n" + body)})
    assert "lineage-conflict" not in rules(r)


# ---- issue 11 class 1: base references that are not clean Hub ids -----------------------------------------------

@pytest.mark.parametrize("base,rule", [
    ("Llama 2 7B", "metadata-invalid"),
    ("\"meta-llama/Llama\u200b-2-7b-hf\"", "metadata-invalid"),
    ("\"\u202emeta-llama/Llama-2-7b-hf\"", "metadata-invalid"),
    ("meta-ll\u0430ma/Llama-2-7b-hf", "metadata-invalid"),
    ("https://hf-mirror.com/meta-llama/Llama-2-7b-hf", "relabel-forbidden"),
    ("meta-llama/Llama-2-7b-hf@main", "relabel-forbidden"),
    ("\"meta-llama/Llama-2-7b-hf:main\"", "relabel-forbidden"),
    ("huggingface.co/meta-llama/Llama-2-7b-hf/tree/main", "relabel-forbidden"),
    ("TheBloke/Llama-2-7B-Chat-GGUF", "relabel-forbidden"),
    ("meta-llama_Llama-2-7b-hf", "relabel-forbidden"),  # the slash mangled to an underscore
    ("models--meta-llama--Llama-2-7b-hf", "relabel-forbidden"),  # an HF cache folder name
    ("\"mistralai/Mistral-7B-v0.1, meta-llama/Llama-2-7b-hf\"", "relabel-forbidden"),  # a list in one string
    ("./Llama-2-7b-hf", "relabel-forbidden"),  # a training machine's relative path
    ("C:\\\\models\\\\Llama-2-7b-hf", "relabel-forbidden"),
])
def test_unclean_base_reference_still_relabels(tmp_path, base, rule):
    r = run(tmp_path, {"README.md": card(f"license: mit\nbase_model: {base}")})
    assert {"relabel-forbidden", rule} <= rules(r), r.findings
    assert rule == "relabel-forbidden" or any(f.line == 3 for f in r.findings if f.rule == rule)


@pytest.mark.parametrize("base", ["https://github.com/acme/model", "our internal base", "acme/base-7b:v2"])
def test_unresolvable_reference_is_never_dropped(tmp_path, base):
    r = run(tmp_path, {"README.md": card(f"license: mit\nbase_model: \"{base}\"")})
    assert any(f.rule == "unknown-base-license" and f.line == 3 for f in r.findings), r.findings


# ---- issue 11 class 3: local look-alikes never outrank curated knowledge -----------------------------------------

def _apache_copy(licence="apache-2.0"):
    return card(f"license: {licence}", "# Llama-2-7b-hf\n\nA copy.\n")


@pytest.mark.parametrize("where", ["Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf", "meta-llama--Llama-2-7b-hf"])
def test_sibling_folder_named_like_a_curated_base(tmp_path, where):
    files = {"m/README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf"),
             f"{where}/README.md": _apache_copy(), f"{where}/config.json": "{}"}
    write_tree(tmp_path, files)
    r = weightgate.check(str(tmp_path), config={})
    m = next(x for x in r.models if x.root == "m")
    assert m.bases[0]["license"] == "llama2" and m.bases[0]["resolved_from"] == "registry"
    conflicts = [f for f in r.findings if f.rule == "lineage-conflict" and f.path == "m/README.md"]
    assert conflicts and "apache-2.0" in conflicts[0].message and "llama2" in conflicts[0].message
    assert "relabel-forbidden" in {f.rule for f in r.findings if f.path == "m/README.md"}


def test_hf_cache_snapshot_named_like_a_curated_base(tmp_path):
    snap = tmp_path / "cache" / "models--meta-llama--Llama-2-7b-hf" / "snapshots" / "abc"
    write_tree(snap, {"README.md": _apache_copy()})
    r = run(tmp_path, {"m/README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf")},
            hf_cache=str(tmp_path / "cache"))
    assert r.models[0].bases[0]["license"] == "llama2"
    assert "relabel-forbidden" in rules(r)  # exit 1: the curated licence is used
    # the cache is this machine's state, not the repository's: the disagreement is a warning
    assert any("Hugging Face cache" in f.message for f in r.findings if f.rule == "lineage-conflict"
               and f.severity == "warning")


def test_hf_cache_disagreement_alone_does_not_fail_a_compliant_repo(tmp_path):
    snap = tmp_path / "cache" / "models--meta-llama--Llama-2-7b-hf" / "snapshots" / "abc"
    write_tree(snap, {"README.md": _apache_copy()})
    files = {"m/" + k: v for k, v in compliant_llama2("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf").items()}
    r = run(tmp_path, files, hf_cache=str(tmp_path / "cache"))
    assert rules(r) == set() and "lineage-conflict" in rules(r, "warning")


def test_a_local_copy_that_agrees_is_used_quietly(tmp_path):
    files = {"m/" + k: v for k, v in compliant_llama2("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf").items()}
    files.update({"Llama-2-7b-hf/README.md": _apache_copy("llama2"), "Llama-2-7b-hf/LICENSE": licence_text("llama2")})
    write_tree(tmp_path, files)
    r = weightgate.check(str(tmp_path), config={})
    assert [f for f in r.findings if f.path.startswith("m/") and f.severity == "error"] == []
    assert next(x for x in r.models if x.root == "m").bases[0]["license"] == "llama2"


def test_configuration_settles_a_disagreement(tmp_path):
    files = {"m/README.md": card("license: apache-2.0\nbase_model: acme/base-7b"),
             "base-7b/README.md": card("license: llama2", "# base\n")}
    write_tree(tmp_path, files)
    r = weightgate.check(str(tmp_path), config={"models": {"acme/base-7b": "apache-2.0"}})
    assert "lineage-conflict" in rules(r)  # the local copy still says llama2: a human should look
    r = weightgate.check(str(tmp_path), config={"models": {"acme/base-7b": "llama2"}})
    assert "lineage-conflict" not in rules(r)


@pytest.mark.parametrize("base_model", ["../Llama-2-7b-hf", "Llama-2-7b-hf"])
def test_declared_local_base_named_like_a_curated_base(tmp_path, base_model):
    (tmp_path / ".git").mkdir()
    files = {"m/README.md": card(f"license: apache-2.0\nbase_model: {base_model}"),
             "Llama-2-7b-hf/README.md": _apache_copy(), "Llama-2-7b-hf/config.json": "{}"}
    write_tree(tmp_path, files)
    r = weightgate.check(str(tmp_path / "m"), config={})
    assert r.models[0].bases[0]["license"] == "llama2"
    assert {"relabel-forbidden", "lineage-conflict"} <= rules(r), r.findings


def test_local_derivative_named_like_a_base_follows_its_own_lineage(tmp_path):
    (tmp_path / ".git").mkdir()
    files = {"m/README.md": card("license: llama2\nbase_model: ../mistral-7b-llama-merge"),
             "mistral-7b-llama-merge/README.md": card(
                 "license: llama2\nbase_model:\n- mistralai/Mistral-7B-v0.1\n- meta-llama/Llama-2-7b-hf")}
    write_tree(tmp_path, files)
    r = weightgate.check(str(tmp_path / "m"), config={})
    assert r.models[0].bases[0]["license"] == "llama2" and r.models[0].bases[0]["resolved_from"] == "local"
    assert "lineage-conflict" not in rules(r)


@pytest.mark.parametrize("body", [
    "# Mistral-support\n\nFine-tuned from mistralai/Mistral-7B-v0.1. It outperforms Llama 2 13B on our tasks.\n"
    "The architecture is based on Llama 2. Prompt format based on Llama-2-chat.\n",
    "# m\n\n## Evaluation\n\nOur model vs meta-llama/Llama-2-7b-hf: based on MMLU, we win.\n\n"
    "| model | based on |\n|---|---|\n| meta-llama/Llama-2-7b-hf | Llama 2 |\n\n## Citation\n\n"
    "```bibtex\n@article{touvron2023llama, title={Llama 2}, note={fine-tuned from Llama 2}}\n```\n",
    "# m\n\nA merge of pre-trained language models created using mergekit. Built on top of TRL.\n",
])
def test_compliant_apache_mistral_cards_stay_green(tmp_path, body):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1", body),
                       "LICENSE": licence_text("apache-2.0")})
    assert rules(r) == set(), r.findings


# ---- a community base nothing offline knows, under a card that names its known ancestor ---------------------------

def test_known_ancestor_named_in_prose_applies_to_an_unknown_base(tmp_path):
    files = {"m/" + k: v for k, v in compliant_llama2(
        "license: llama2\nbase_model: community/support-llama2-7b",
        "# support-7b\n\nThis model is a Llama 2 fine-tune, trained further on tickets.\n").items()}
    r = run(tmp_path, files)
    assert rules(r) == set(), r.findings  # compliant: the Llama 2 terms are met
    unknown = [f for f in r.findings if f.rule == "unknown-base-license"]
    assert [f.severity for f in unknown] == ["warning"] and "Llama 2 (llama2)" in unknown[0].message
    (ancestor,) = [b for b in r.models[0].bases if b["via"]]
    assert ancestor["via"] == ["community/support-llama2-7b"] and ancestor["evidence"][0]["line"] == 7


def test_known_ancestor_named_in_prose_still_catches_a_relabel(tmp_path):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: community/support-llama2-7b",
                                         "# x\n\nBuilt on Llama 2 7B.\n")})
    assert "relabel-forbidden" in rules(r)


@pytest.mark.parametrize("body", ["# x\n\nBuilt on Mistral-7B-v0.1.\n", "# x\n\nA fine-tune.\n"])
def test_without_a_restrictive_ancestor_the_unknown_base_stays_reported(tmp_path, body):
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: community/support-7b", body)})
    assert "unknown-base-license" in rules(r, "warning")  # a permissive ancestor never hides an unknown base
    r = run(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: community/support-llama-7b", body)})
    assert "unknown-base-license" in rules(r)  # a name that says Llama keeps it an error


def test_folded_patterns_are_written_in_lower_case():
    """A FoldedPattern is matched against lower-cased text: an upper-case letter in it would never match."""
    import re

    from weightgate.collect import datasets, prose_lineage
    from weightgate.text import FoldedPattern

    folded = [v for m in (prose_lineage, datasets) for v in vars(m).values() if isinstance(v, FoldedPattern)]
    assert len(folded) >= 7
    for p in folded:
        literal = re.sub(r"\\.", "", p.lower._args[0])  # escapes (\S, \W, \b) are not letters to match
        assert literal == literal.lower(), p.lower._args[0]


@pytest.mark.parametrize("line", ["Fine-Tuned from Meta-Llama/Llama-2-7b-hf.", "FINE-TUNED FROM meta-llama/Llama-2-7b-hf",
                                  "İstanbul team: fine-tuned from meta-llama/Llama-2-7b-hf"])
def test_lineage_phrases_are_found_in_any_case(line):
    from weightgate import knowledge
    from weightgate.collect.prose_lineage import prose_bases

    facts = prose_bases("README.md", line + "\n", 5, knowledge.load())
    assert [f.value.lower() for f in facts] == ["meta-llama/llama-2-7b-hf"], facts
