"""The knowledge data files: consistency between them, and the look-ups the rules rely on."""
from __future__ import annotations

import pytest

from weightgate.knowledge import DUTY_KINDS, load
from weightgate.text import slug

KB = load()


# ---- consistency -----------------------------------------------------------------------------------------
def test_data_loads_with_content():
    assert len(KB.licenses) > 100
    assert len(KB.families) > 100
    assert KB.reuploaders and KB.reupload_suffixes and KB.generic_titles and KB.datasets


def test_every_referenced_licence_exists():
    for fam in KB.families:
        assert fam.license in KB.licenses, f"family {fam.name!r} → unknown licence {fam.license!r}"
    for ds in KB.datasets:
        assert ds.license in KB.licenses, f"dataset {ds.ids} → unknown licence {ds.license!r}"
    for lid, lic in KB.licenses.items():
        for pol in lic.policies:
            assert pol in KB.licenses, f"{lid}: unknown policy {pol!r}"
            assert KB.licenses[pol].kind == "use-policy", f"{lid}: {pol!r} is not a use-policy"
        for other in lic.relabel.allowed:
            assert other in KB.licenses, f"{lid}: relabel.allowed names unknown {other!r}"
        for other in lic.supersedes:
            assert other in KB.licenses, f"{lid}: supersedes unknown {other!r}"
        if lic.parent:
            assert lic.parent in KB.licenses


def test_hub_ids_are_real_hub_licence_ids():
    assert "unknown" in KB.hub_ids and "other" in KB.hub_ids
    assert len(set(KB.hub_ids)) == len(KB.hub_ids)
    for lid, lic in KB.licenses.items():
        for h in lic.hub_ids:
            assert h in KB.hub_ids, f"{lid}: {h!r} is not a Hub licence id"


def test_every_hub_licence_id_but_unknown_and_other_has_a_licence():
    for h in KB.hub_ids:
        if h in ("unknown", "other"):
            assert KB.lookup(h) is None
            continue
        lid = KB.lookup(h)
        assert lid is not None, f"Hub id {h!r} has no licence entry"
        assert h in KB.licenses[lid].hub_ids


def test_no_two_licences_claim_the_same_name():
    # Every id, SPDX id, Hub id, licence_name and alias must look up to its own licence (no shadowing).
    for lid, lic in KB.licenses.items():
        for key in (lid, *lic.hub_ids, *lic.license_names, *lic.aliases):
            assert KB.lookup(key) == lid, f"{key!r} of {lid} looks up to {KB.lookup(key)!r}"


def test_every_licence_is_well_formed():
    for lid, lic in KB.licenses.items():
        assert lic.name and lic.spdx and lic.source, lid
        if lic.kind == "non-commercial":
            assert not lic.commercial, lid
        if lic.relabel.mode == "non-commercial":
            assert not lic.commercial, lid
        if lic.relabel.mode in ("same", "share-alike", "non-commercial", "no-derivatives") and lic.kind != "unknown":
            assert lic.kind != "permissive", f"{lid}: permissive kind with restrictive relabel mode"
        for d in lic.duties:
            assert d.kind in DUTY_KINDS
            if d.kind == "notice":
                assert d.text, f"{lid}: notice duty without text"
            if d.kind == "attribution":
                assert d.phrases, f"{lid}: attribution duty without phrases"
            if d.kind == "naming":
                assert d.prefix, f"{lid}: naming duty without prefix"
            if d.kind == "use-restrictions":
                assert d.group, f"{lid}: use-restrictions duty without group"
        if lic.relabel.mode == "carry-restrictions":
            assert lic.duty("use-restrictions"), f"{lid}: carry-restrictions needs a use-restrictions duty"


def test_permissive_licence_duties_are_warnings():
    for lid in ("apache-2.0", "mit", "cc-by-4.0", "gpt2-modified-mit"):
        for d in KB.licenses[lid].duties:
            assert d.severity == "warning", (lid, d.kind)


def test_use_restriction_groups():
    def groups(lid):
        return {d.group for d in KB.licenses[lid].duty("use-restrictions")}
    assert groups("creativeml-openrail-m") == groups("openrail++") == {"openrail-m"}
    assert groups("bigscience-bloom-rail-1.0").isdisjoint(groups("creativeml-openrail-m"))
    assert groups("deepseek") and groups("bigcode-openrail-m") and groups("gemma")
    assert groups("falcon-2-11b-tii-1.0") == groups("tii-falcon-2024-12")


@pytest.mark.parametrize("lid,mode", [
    ("llama2", "same"), ("llama3", "same"), ("llama3.1", "same"), ("llama4", "same"), ("llama1", "same"),
    ("gemma", "carry-restrictions"), ("creativeml-openrail-m", "carry-restrictions"),
    ("openrail++", "carry-restrictions"), ("bigscience-bloom-rail-1.0", "carry-restrictions"),
    ("deepseek", "carry-restrictions"), ("bigcode-openrail-m", "carry-restrictions"),
    ("falcon-180b", "carry-restrictions"), ("falcon-2-11b-tii-1.0", "carry-restrictions"),
    ("tii-falcon-2024-12", "carry-restrictions"), ("opt-175b", "same"), ("sdxl-0.9-research", "same"),
    ("deepfloyd-if-license", "same"), ("flux-1-dev-non-commercial", "same"), ("stability-ai-community", "same"),
    ("stability-ai-nc-research-community", "same"), ("svd-nc-community", "same"), ("tongyi-qianwen", "same"),
    ("tongyi-qianwen-research", "same"), ("qwen-research", "non-commercial"), ("mnpl-0.1", "non-commercial"),
    ("mrl-0.1", "non-commercial"), ("cc-by-nc-4.0", "non-commercial"), ("cc-by-sa-4.0", "share-alike"),
    ("cc-by-nc-sa-4.0", "share-alike"), ("cc-by-nd-4.0", "no-derivatives"), ("cc-by-nc-nd-4.0", "no-derivatives"),
    ("apache-2.0", "any"), ("mit", "any"), ("cc-by-4.0", "any"), ("gpl-3.0", "share-alike"),
    ("openrail", "carry-restrictions"), ("bigscience-openrail-m", "carry-restrictions"),
])
def test_relabel_modes(lid, mode):
    assert KB.licenses[lid].relabel.mode == mode


@pytest.mark.parametrize("lid,text", [
    ("llama2", "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved."),
    ("llama3.1", "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved."),
    ("gemma", "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"),
    ("opt-175b", "OPT-175B is licensed under the OPT-175B license, Copyright (c) Meta Platforms, Inc. All Rights Reserved."),
])
def test_notice_texts(lid, text):
    assert [d.text for d in KB.licenses[lid].duty("notice")] == [text]


def test_attribution_and_naming_duties():
    assert KB.licenses["llama3"].duty("attribution")[0].phrases == ("Built with Meta Llama 3",)
    assert KB.licenses["llama3"].duty("naming")[0].prefix == "Llama 3"
    for lid in ("llama3.1", "llama3.2", "llama3.3", "llama4"):
        assert KB.licenses[lid].duty("attribution")[0].phrases == ("Built with Llama",)
        assert KB.licenses[lid].duty("naming")[0].prefix == "Llama"
    assert not KB.licenses["llama2"].duty("attribution") and not KB.licenses["llama2"].duty("naming")
    assert KB.licenses["stability-ai-community"].duty("attribution")[0].phrases == ("Powered by Stability AI",)
    assert set(KB.licenses["qwen-research"].duty("attribution")[0].phrases) == {"Built with Qwen", "Improved using Qwen"}
    assert "Falcon LLM technology" in KB.licenses["falcon-180b"].duty("attribution")[0].phrases[0]
    assert "artificial intelligence technology" in KB.licenses["tii-falcon-2024-12"].duty("attribution")[0].phrases[0]


def test_commercial_flags():
    for lid in ("opt-175b", "llama1", "flux-1-dev-non-commercial", "qwen-research", "mnpl-0.1", "cc-by-nc-4.0",
                "cc-by-nc-sa-4.0", "cc-by-nc-nd-4.0", "svd-nc-community", "tongyi-qianwen-research"):
        assert not KB.licenses[lid].commercial, lid
    for lid in ("llama2", "llama3.1", "gemma", "apache-2.0", "mit", "creativeml-openrail-m", "tongyi-qianwen",
                "stability-ai-community", "falcon-180b", "deepseek", "cc-by-sa-4.0", "cc-by-nd-4.0"):
        assert KB.licenses[lid].commercial, lid


def test_osi_flags():
    assert KB.licenses["apache-2.0"].osi and KB.licenses["mit"].osi
    assert not KB.licenses["llama3.1"].osi and not KB.licenses["cc-by-4.0"].osi


def test_llama_versions_share_a_family():
    assert {KB.licenses[l].family for l in ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4")} == {"llama"}
    assert KB.licenses["llama2"].policies == ("llama2-aup",)
    assert KB.licenses["gemma"].policies == ("gemma-aup",)


# ---- lookup --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("declared,expected", [
    ("Apache 2.0", "apache-2.0"), ("apache-2.0", "apache-2.0"), ("Apache License 2.0", "apache-2.0"),
    ("Apache License, Version 2.0", "apache-2.0"), ("Apache-2.0", "apache-2.0"),
    ("MIT", "mit"), ("MIT License", "mit"), ("The MIT License (MIT)", "mit"),
    ("llama2", "llama2"), ("Llama 2 Community License Agreement", "llama2"),
    ("llama3", "llama3"), ("Meta Llama 3 Community License", "llama3"),
    ("llama3.1", "llama3.1"), ("Llama 3.1 Community License", "llama3.1"), ("llama-3.1", "llama3.1"),
    ("llama3.2", "llama3.2"), ("llama3.3", "llama3.3"), ("llama4", "llama4"),
    ("gemma", "gemma"), ("Gemma Terms of Use", "gemma"), ("gemma-terms-of-use", "gemma"),
    ("creativeml-openrail-m", "creativeml-openrail-m"), ("CreativeML Open RAIL-M", "creativeml-openrail-m"),
    ("The CreativeML OpenRAIL M license", "creativeml-openrail-m"),
    ("openrail++", "openrail++"), ("CreativeML Open RAIL++-M License", "openrail++"),
    ("bigscience-bloom-rail-1.0", "bigscience-bloom-rail-1.0"), ("BigScience RAIL License v1.0", "bigscience-bloom-rail-1.0"),
    ("bigcode-openrail-m", "bigcode-openrail-m"),
    ("cc-by-nc-4.0", "cc-by-nc-4.0"), ("CC BY-NC 4.0", "cc-by-nc-4.0"), ("cc by-nc 4.0", "cc-by-nc-4.0"),
    ("CC-BY-SA-4.0", "cc-by-sa-4.0"), ("cc-by-4.0", "cc-by-4.0"), ("CC BY 4.0", "cc-by-4.0"),
    ("Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International", "cc-by-nc-sa-4.0"),
    ("tongyi-qianwen-license-agreement", "tongyi-qianwen"), ("tongyi-qianwen-research", "tongyi-qianwen-research"),
    ("stabilityai-ai-community", "stability-ai-community"), ("Stability AI Community License", "stability-ai-community"),
    ("stabilityai-nc-research-community", "stability-ai-nc-research-community"),
    ("sai-nc-community", "stability-ai-nc-research-community"),
    ("flux-1-dev-non-commercial-license", "flux-1-dev-non-commercial"),
    ("FLUX.1 [dev] Non-Commercial License", "flux-1-dev-non-commercial"),
    ("mnpl", "mnpl-0.1"), ("Mistral AI Research License", "mrl-0.1"), ("qwen-research", "qwen-research"),
    ("qwen", "qwen"), ("deepseek", "deepseek"), ("deepseek-license", "deepseek"),
    ("DeepSeek License Agreement", "deepseek"), ("deepfloyd-if-license", "deepfloyd-if-license"),
    ("OPT-175B License Agreement", "opt-175b"), ("yi-license", "yi-license"),
    ("microsoft-research-license", "microsoft-research-license"), ("faipl-1.0-sd", "faipl-1.0-sd"),
    ("playground-v2-community", "playground-v2-community"), ("Databricks Open Model License", "databricks-open-model"),
    ("gpl-3.0", "gpl-3.0"), ("GPL-3.0-only", "gpl-3.0"), ("BSD-3-Clause", "bsd-3-clause"), ("cc0-1.0", "cc0-1.0"),
    ("openrail", "openrail"), ("bigscience-openrail-m", "bigscience-openrail-m"), ("Modified MIT License", "gpt2-modified-mit"),
])
def test_lookup(declared, expected):
    assert KB.lookup(declared) == expected


@pytest.mark.parametrize("declared", ["unknown", "other", "", "proprietary", "see LICENSE", "TII Falcon License 2.0"])
def test_lookup_unknown(declared):
    assert KB.lookup(declared) is None


def test_suggest_hub_id():
    assert KB.suggest_hub_id("Apache 2.0") == "apache-2.0"
    assert KB.suggest_hub_id("Llama 3.1 Community License") == "llama3.1"
    assert KB.suggest_hub_id("stabilityai-ai-community") == "other"


# ---- families --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hub_id,expected", [
    ("meta-llama/Llama-2-7b-hf", "llama2"), ("meta-llama/Llama-2-13b-chat-hf", "llama2"),
    ("mistralai/Mistral-7B-Instruct-v0.3", "apache-2.0"), ("unsloth/mistral-7b-instruct-v0.3-bnb-4bit", "apache-2.0"),
    ("mistralai/Mistral-Nemo-Instruct-2407", "apache-2.0"), ("unsloth/tinyllama-bnb-4bit", "apache-2.0"),
    ("stable-diffusion-v1-5/stable-diffusion-v1-5", "creativeml-openrail-m"),
    ("meta-llama/Meta-Llama-3-8B-Instruct", "llama3"), ("meta-llama/Meta-Llama-3-70B", "llama3"),
    ("meta-llama/Llama-3.1-8B", "llama3.1"), ("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama3.1"),
    ("meta-llama/Llama-3.2-1B-Instruct", "llama3.2"), ("meta-llama/Llama-3.2-11B-Vision-Instruct", "llama3.2"),
    ("meta-llama/Llama-3.3-70B-Instruct", "llama3.3"), ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama4"),
    ("unsloth/llama-3-8b-bnb-4bit", "llama3"), ("unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit", "llama3.1"),
    ("unsloth/Llama-3.2-1B-Instruct", "llama3.2"), ("unsloth/Llama-3.2-3B-Instruct-bnb-4bit", "llama3.2"),
    ("TheBloke/Llama-2-7B-Chat-GGUF", "llama2"), ("TheBloke/Llama-2-13B-GPTQ", "llama2"),
    ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "llama3.1"), ("bartowski/Codestral-22B-v0.1-GGUF", "mnpl-0.1"),
    ("bartowski/Qwen2.5-72B-Instruct-GGUF", "qwen"), ("TheBloke/SOLAR-10.7B-Instruct-v1.0-GGUF", "cc-by-nc-4.0"),
    ("NousResearch/Llama-2-7b-hf", "llama2"), ("NousResearch/Meta-Llama-3-8B-Instruct", "llama3"),
    ("NousResearch/Meta-Llama-3.1-8B", "llama3.1"), ("huggyllama/llama-7b", "llama1"),
    ("decapoda-research/llama-7b-hf", "llama1"), ("codellama/CodeLlama-7b-hf", "llama2"),
    ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "llama3.1"), ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "llama3.3"),
    ("deepseek-ai/DeepSeek-R1", "mit"), ("deepseek-ai/DeepSeek-V3", "deepseek"), ("deepseek-ai/deepseek-llm-7b-chat", "deepseek"),
    ("facebook/opt-2.7b", "opt-175b"), ("facebook/opt-125m", "opt-175b"),
    ("Qwen/Qwen2.5-3B-Instruct", "qwen-research"), ("Qwen/Qwen2.5-7B-Instruct", "apache-2.0"),
    ("Qwen/Qwen2.5-72B-Instruct", "qwen"), ("Qwen/Qwen-7B-Chat", "tongyi-qianwen"),
    ("Qwen/Qwen-1_8B-Chat", "tongyi-qianwen-research"), ("Qwen/Qwen3-8B", "apache-2.0"),
    ("black-forest-labs/FLUX.1-dev", "flux-1-dev-non-commercial"), ("black-forest-labs/FLUX.1-Fill-dev", "flux-1-dev-non-commercial"),
    ("black-forest-labs/FLUX.1-schnell", "apache-2.0"),
    ("google/gemma-2-9b", "gemma"), ("google/gemma-7b-it", "gemma"), ("google/gemma-3-27b-it", "gemma"),
    ("google/paligemma-3b-pt-224", "gemma"), ("google/gemma-4-e2b", "apache-2.0"), ("unsloth/gemma-2-9b-bnb-4bit", "gemma"),
    ("runwayml/stable-diffusion-v1-5", "creativeml-openrail-m"), ("CompVis/stable-diffusion-v1-4", "creativeml-openrail-m"),
    ("stabilityai/stable-diffusion-2-1", "openrail++"), ("stabilityai/stable-diffusion-xl-base-1.0", "openrail++"),
    ("stabilityai/stable-diffusion-xl-base-0.9", "sdxl-0.9-research"), ("stabilityai/sdxl-turbo", "stability-ai-nc-research-community"),
    ("stabilityai/stable-video-diffusion-img2vid-xt", "stability-ai-community"), ("stabilityai/sv3d", "stability-ai-nc-community"),
    ("stabilityai/stable-diffusion-3.5-large", "stability-ai-community"),
    ("DeepFloyd/IF-I-XL-v1.0", "deepfloyd-if-license"),
    ("EleutherAI/pythia-2.8b", "apache-2.0"), ("EleutherAI/gpt-j-6b", "apache-2.0"), ("EleutherAI/gpt-neox-20b", "apache-2.0"),
    ("bigscience/bloom-560m", "bigscience-bloom-rail-1.0"), ("bigscience/bloom", "bigscience-bloom-rail-1.0"),
    ("mistralai/Mistral-7B-v0.1", "apache-2.0"), ("mistralai/Mistral-7B-Instruct-v0.1", "apache-2.0"),
    ("mistralai/Mixtral-8x7B-Instruct-v0.1", "apache-2.0"), ("mistralai/Codestral-22B-v0.1", "mnpl-0.1"),
    ("mistralai/Mistral-Large-Instruct-2407", "mrl-0.1"),
    ("tiiuae/falcon-7b", "apache-2.0"), ("tiiuae/falcon-180B", "falcon-180b"), ("tiiuae/falcon-11B", "falcon-2-11b-tii-1.0"),
    ("tiiuae/Falcon3-7B-Instruct", "tii-falcon-2024-12"),
    ("openai-community/gpt2", "mit"), ("gpt2", "mit"), ("distilbert/distilgpt2", "apache-2.0"),
    ("microsoft/phi-2", "mit"), ("microsoft/Phi-3-mini-4k-instruct", "mit"), ("microsoft/Orca-2-13b", "microsoft-research-license"),
    ("bigcode/starcoder", "bigcode-openrail-m"), ("bigcode/gpt_bigcode-santacoder", "openrail"),
    ("google/flan-t5-base", "apache-2.0"), ("t5-small", "apache-2.0"), ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "apache-2.0"),
    ("upstage/SOLAR-10.7B-v1.0", "apache-2.0"), ("upstage/SOLAR-10.7B-Instruct-v1.0", "cc-by-nc-4.0"),
    ("stabilityai/stablelm-base-alpha-7b", "cc-by-sa-4.0"), ("stabilityai/stablelm-tuned-alpha-7b", "cc-by-nc-sa-4.0"),
    ("THUDM/glm-130b", "glm-130b"), ("databricks/dolly-v2-12b", "mit"), ("lmsys/vicuna-7b-v1.5", "llama2"),
    ("lmsys/vicuna-13b-v1.3", "llama1"), ("WizardLMTeam/WizardLM-13B-V1.2", "llama2"), ("WizardLM/WizardLM-7B-V1.0", "llama1"),
    ("bert-base-uncased", "apache-2.0"), ("FacebookAI/roberta-base", "mit"), ("BAAI/bge-m3", "mit"),
    ("jinaai/jina-embeddings-v3", "cc-by-nc-4.0"), ("facebook/musicgen-small", "cc-by-nc-4.0"),
    ("openai/whisper-large-v3", "apache-2.0"), ("openai/whisper-large-v3-turbo", "mit"),
])
def test_family_for(hub_id, expected):
    hit = KB.family_for(hub_id.lower())
    assert hit is not None, f"{hub_id} matched no family"
    assert hit[0].license == expected, f"{hub_id} → {hit[0].name} ({hit[0].license})"


def test_family_for_reports_how_it_matched():
    assert KB.family_for("meta-llama/llama-2-7b-hf")[1] == "id"
    assert KB.family_for("thebloke/llama-2-7b-chat-gguf")[1] == "re-upload by thebloke"


@pytest.mark.parametrize("hub_id", [
    "someuser/llama-3-8b-finetune", "someuser/llama-2-7b", "TheBloke/Nous-Hermes-Llama2-GGUF",
    "unknown-org/anything", "unsloth/some-private-model", "bartowski/my-merge-v2-GGUF",
    "facebook/opt-iml-1.3b", "google/pegasus-large", "facebook/mbart-large-cc25", "openai/clip-vit-base-patch32",
    "meta-llama", "qwen/qwen1.5-4b-chat", "mistralai/mistral-7b-v0.4-hypothetical",
])
def test_family_for_unknown(hub_id):
    assert KB.family_for(hub_id.lower()) is None


def test_family_globs_are_lowercase_and_entries_have_evidence():
    for fam in KB.families:
        assert fam.evidence, fam.name
        for g in fam.ids + fam.names:
            assert g == g.lower(), (fam.name, g)
    for org, ev in KB.reuploaders.items():
        assert org == org.lower() and ev, org


def test_specific_families_come_before_general_ones():
    names = [f.name for f in KB.families]
    assert names.index("Qwen2.5-3B") < names.index("Qwen2.5 (other sizes)")
    assert names.index("Gemma 4") < names.index("Gemma 1-3, CodeGemma, PaliGemma, RecurrentGemma")
    assert names.index("FLUX.1 [schnell]") < names.index("FLUX.1 [dev] family")
    assert names.index("DeepSeek-R1-Distill-Llama-8B") < names.index("DeepSeek-R1")


def test_reupload_suffixes():
    sufs = KB.reupload_suffixes
    assert {"-gguf", "-bnb-4bit", "-gptq", "-awq", "-hf", "-4bit"} <= set(sufs)
    for i, a in enumerate(sufs):
        for b in sufs[i + 1:]:
            assert not (b.endswith(a) and len(b) > len(a)), f"{b!r} must come before {a!r}"
    assert KB.strip_reupload_suffixes("llama-3-8b-instruct-bnb-4bit") == "llama-3-8b-instruct"
    assert KB.strip_reupload_suffixes("llama-2-7b-chat-hf-gguf") == "llama-2-7b-chat"
    assert KB.strip_reupload_suffixes("gguf") == "gguf"


def test_generic_titles():
    for t in ("uploaded model", "model card for model id", "readme"):
        assert t in KB.generic_titles
    assert "llama 3.1 8b" not in KB.generic_titles


# ---- datasets --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ref,expected", [
    ("tatsu-lab/alpaca", "cc-by-nc-4.0"), ("Tatsu-Lab/Alpaca", "cc-by-nc-4.0"), ("Stanford Alpaca", "cc-by-nc-4.0"),
    ("alpaca", "cc-by-nc-4.0"), ("yahma/alpaca-cleaned", "cc-by-nc-4.0"), ("vicgalle/alpaca-gpt4", "cc-by-nc-4.0"),
    ("databricks/databricks-dolly-15k", "cc-by-sa-3.0"), ("dolly-15k", "cc-by-sa-3.0"),
])
def test_dataset_for(ref, expected):
    ds = KB.dataset_for(ref)
    assert ds is not None and ds.license == expected and ds.evidence


@pytest.mark.parametrize("ref", ["openwebtext", "someone/alpaca-style-data", "HuggingFaceH4/ultrachat_200k"])
def test_dataset_for_unknown(ref):
    assert KB.dataset_for(ref) is None
