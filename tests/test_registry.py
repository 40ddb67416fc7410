"""The built-in model registry (data/families.toml): real Hub ids resolve to the licence their own card declares,
specific releases are never shadowed by a broader family, and the indexed look-up keeps file order."""
from __future__ import annotations

import fnmatch
import re

import pytest

from weightgate.knowledge import load

KB = load()

# Real Hub ids (originals, the publishers' own quantizations and community re-uploads) with the licence their
# card declares. Evidence for each is in the family's `evidence` field.
REAL_IDS = [
    # Meta Llama 1-4, Code Llama, Llama Guard
    ("huggyllama/llama-7b", "llama1"), ("meta-llama/Llama-2-7b-hf", "llama2"), ("meta-llama/Llama-2-70b-chat-hf", "llama2"),
    ("meta-llama/Meta-Llama-3-8B", "llama3"), ("meta-llama/Meta-Llama-3-70B-Instruct", "llama3"),
    ("meta-llama/Llama-3.1-8B-Instruct", "llama3.1"), ("meta-llama/Llama-3.1-405B", "llama3.1"),
    ("meta-llama/Llama-3.2-3B", "llama3.2"), ("meta-llama/Llama-3.2-90B-Vision-Instruct", "llama3.2"),
    ("meta-llama/Llama-3.3-70B-Instruct", "llama3.3"), ("meta-llama/Llama-4-Maverick-17B-128E-Instruct", "llama4"),
    ("codellama/CodeLlama-34b-Instruct-hf", "llama2"), ("meta-llama/CodeLlama-7b-Python-hf", "llama2"),
    ("meta-llama/LlamaGuard-7b", "llama2"), ("meta-llama/Meta-Llama-Guard-2-8B", "llama3"),
    ("meta-llama/Llama-Guard-3-1B", "llama3.2"), ("meta-llama/Llama-Guard-3-11B-Vision", "llama3.2"),
    ("meta-llama/Llama-Guard-4-12B", "llama4"), ("meta-llama/Llama-Prompt-Guard-2-86M", "llama4"),
    # Qwen 1 / 1.5 / 2 / 2.5 / 3, by size and line
    ("Qwen/Qwen-7B", "tongyi-qianwen"), ("Qwen/Qwen-1_8B", "tongyi-qianwen-research"),
    ("Qwen/Qwen1.5-0.5B-Chat", "tongyi-qianwen-research"), ("Qwen/Qwen1.5-1.8B", "tongyi-qianwen-research"),
    ("Qwen/Qwen1.5-7B-Chat", "tongyi-qianwen"), ("Qwen/Qwen1.5-14B-Chat-AWQ", "tongyi-qianwen"),
    ("Qwen/Qwen1.5-32B", "tongyi-qianwen-research"), ("Qwen/Qwen1.5-32B-Chat", "tongyi-qianwen"),
    ("Qwen/Qwen1.5-72B-Chat", "tongyi-qianwen"), ("Qwen/Qwen1.5-110B", "tongyi-qianwen"),
    ("Qwen/Qwen1.5-MoE-A2.7B-Chat", "tongyi-qianwen"), ("Qwen/CodeQwen1.5-7B", "tongyi-qianwen-research"),
    ("Qwen/CodeQwen1.5-7B-Chat", "tongyi-qianwen"), ("Qwen/CodeQwen1.5-7B-Chat-GGUF", "tongyi-qianwen"),
    ("Qwen/Qwen2-0.5B", "apache-2.0"), ("Qwen/Qwen2-1.5B-Instruct-AWQ", "apache-2.0"), ("Qwen/Qwen2-7B-Instruct-GGUF", "apache-2.0"),
    ("Qwen/Qwen2-57B-A14B-Instruct", "apache-2.0"), ("Qwen/Qwen2-72B", "tongyi-qianwen"), ("Qwen/Qwen2-72B-Instruct", "tongyi-qianwen"),
    ("Qwen/Qwen2-Math-1.5B-Instruct", "apache-2.0"), ("Qwen/Qwen2-Math-72B-Instruct", "tongyi-qianwen"),
    ("Qwen/Qwen2-VL-2B-Instruct", "apache-2.0"), ("Qwen/Qwen2-VL-7B-Instruct-GPTQ-Int4", "apache-2.0"),
    ("Qwen/Qwen2-VL-72B-Instruct-AWQ", "tongyi-qianwen"), ("Qwen/Qwen2-Audio-7B-Instruct", "apache-2.0"),
    ("Qwen/Qwen2.5-0.5B", "apache-2.0"), ("Qwen/Qwen2.5-3B", "qwen-research"), ("Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen-research"),
    ("Qwen/Qwen2.5-14B-Instruct-AWQ", "apache-2.0"), ("Qwen/Qwen2.5-32B", "apache-2.0"), ("Qwen/Qwen2.5-72B", "qwen"),
    ("Qwen/Qwen2.5-72B-Instruct-AWQ", "qwen"), ("Qwen/Qwen2.5-Coder-1.5B-Instruct", "apache-2.0"),
    ("Qwen/Qwen2.5-Coder-3B-Instruct", "qwen-research"), ("Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", "apache-2.0"),
    ("Qwen/Qwen2.5-Coder-32B-Instruct", "apache-2.0"), ("Qwen/Qwen2.5-Math-7B-Instruct", "apache-2.0"),
    ("Qwen/Qwen2.5-Math-72B-Instruct", "qwen"), ("Qwen/Qwen2.5-VL-3B-Instruct", "qwen-research"),
    ("Qwen/Qwen2.5-VL-7B-Instruct", "apache-2.0"), ("Qwen/Qwen2.5-VL-32B-Instruct", "apache-2.0"),
    ("Qwen/Qwen2.5-VL-72B-Instruct", "qwen"), ("Qwen/QwQ-32B", "apache-2.0"), ("Qwen/QwQ-32B-Preview", "apache-2.0"),
    ("Qwen/Qwen3-0.6B", "apache-2.0"), ("Qwen/Qwen3-30B-A3B-Instruct-2507", "apache-2.0"),
    ("Alibaba-NLP/gte-Qwen2-7B-instruct", "apache-2.0"),
    # DeepSeek
    ("deepseek-ai/deepseek-llm-67b-base", "deepseek"), ("deepseek-ai/deepseek-coder-6.7b-instruct", "deepseek"),
    ("deepseek-ai/deepseek-coder-33b-base", "deepseek"), ("deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct", "deepseek"),
    ("deepseek-ai/deepseek-math-7b-base", "deepseek"), ("deepseek-ai/deepseek-moe-16b-chat", "deepseek"),
    ("deepseek-ai/deepseek-vl-7b-chat", "deepseek"), ("deepseek-ai/DeepSeek-V2-Lite", "deepseek"), ("deepseek-ai/DeepSeek-V2.5", "deepseek"),
    ("deepseek-ai/DeepSeek-V3-Base", "deepseek"), ("deepseek-ai/DeepSeek-R1", "mit"), ("deepseek-ai/DeepSeek-R1-Zero", "mit"),
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "mit"), ("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "mit"),
    ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "llama3.1"),
    # Mistral
    ("mistralai/Mistral-7B-v0.1", "apache-2.0"), ("mistral-community/Mistral-7B-v0.2", "apache-2.0"),
    ("mistralai/Mistral-7B-Instruct-v0.3", "apache-2.0"), ("mistralai/Mixtral-8x22B-Instruct-v0.1", "apache-2.0"),
    ("mistral-community/Mixtral-8x22B-v0.1", "apache-2.0"), ("mistralai/Mistral-Nemo-Base-2407", "apache-2.0"),
    ("mistralai/Codestral-22B-v0.1", "mnpl-0.1"), ("mistralai/Mistral-Large-Instruct-2407", "mrl-0.1"),
    ("mistralai/Mistral-Large-Instruct-2411", "mrl-0.1"), ("mistralai/Mistral-Small-Instruct-2409", "mrl-0.1"),
    ("mistralai/Ministral-8B-Instruct-2410", "mrl-0.1"), ("mistralai/Mistral-Small-24B-Instruct-2501", "apache-2.0"),
    ("mistralai/Mistral-Small-3.1-24B-Instruct-2503", "apache-2.0"), ("mistralai/Mathstral-7B-v0.1", "apache-2.0"),
    ("mistralai/Mamba-Codestral-7B-v0.1", "apache-2.0"), ("mistralai/Pixtral-12B-2409", "apache-2.0"), ("mistral-community/pixtral-12b", "apache-2.0"),
    # Phi
    ("microsoft/phi-1_5", "mit"), ("microsoft/phi-2", "mit"), ("microsoft/Phi-3-medium-128k-instruct", "mit"),
    ("microsoft/Phi-3.5-MoE-instruct", "mit"), ("microsoft/Phi-3-vision-128k-instruct", "mit"), ("microsoft/phi-4", "mit"),
    ("microsoft/Phi-4-mini-instruct", "mit"), ("microsoft/Phi-4-multimodal-instruct", "mit"),
    # Gemma
    ("google/gemma-2b", "gemma"), ("google/gemma-2-27b-it", "gemma"), ("google/gemma-3-4b-it", "gemma"),
    ("google/codegemma-7b", "gemma"), ("google/recurrentgemma-2b", "gemma"), ("google/gemma-scope", "cc-by-4.0"),
    # Falcon, Yi, GLM, others
    ("tiiuae/falcon-40b-instruct", "apache-2.0"), ("tiiuae/falcon-rw-1b", "apache-2.0"), ("tiiuae/falcon-180B-chat", "falcon-180b"),
    ("tiiuae/Falcon3-10B-Base", "tii-falcon-2024-12"), ("tiiuae/falcon-mamba-7b", "falcon-mamba-7b-license"), ("01-ai/Yi-34B-Chat", "apache-2.0"), ("01-ai/Yi-1.5-9B-Chat", "apache-2.0"),
    ("01-ai/Yi-Coder-9B-Chat", "apache-2.0"), ("THUDM/glm-4-9b-chat", "glm-4"), ("baichuan-inc/Baichuan2-13B-Chat", "baichuan2-community-license"),
    ("openbmb/MiniCPM3-4B", "apache-2.0"), ("zai-org/GLM-4.5-Air", "mit"), ("inceptionai/jais-family-6p7b-chat", "apache-2.0"),
    ("allenai/OLMo-7B", "apache-2.0"), ("allenai/OLMoE-1B-7B-0924-Instruct", "apache-2.0"),
    ("allenai/Molmo-7B-D-0924", "apache-2.0"), ("allenai/OLMo-2-1124-7B-Instruct", "apache-2.0"), ("allenai/OLMo-2-0325-32B", "apache-2.0"),
    ("bigcode/starcoder2-15b", "bigcode-openrail-m"), ("bigscience/bloomz-7b1", "bigscience-bloom-rail-1.0"),
    ("EleutherAI/pythia-410m-deduped", "apache-2.0"), ("EleutherAI/gpt-neo-1.3B", "mit"), ("openai/gpt-oss-20b", "apache-2.0"),
    ("HuggingFaceTB/SmolLM-135M-Instruct", "apache-2.0"), ("HuggingFaceTB/SmolLM2-1.7B-Instruct", "apache-2.0"), ("HuggingFaceTB/SmolLM3-3B", "apache-2.0"),
    ("nvidia/Nemotron-4-340B-Instruct", "nvidia-open-model-license"), ("nvidia/Mistral-NeMo-12B-Instruct", "apache-2.0"),
    ("nvidia/NVLM-D-72B", "cc-by-nc-4.0"), ("xai-org/grok-1", "apache-2.0"),
    # famous fine-tunes used as bases
    ("TinyLlama/TinyLlama_v1.1", "apache-2.0"), ("HuggingFaceH4/zephyr-7b-beta", "mit"), ("teknium/OpenHermes-2.5-Mistral-7B", "apache-2.0"),
    ("NousResearch/Hermes-2-Pro-Llama-3-8B", "llama3"), ("NousResearch/Hermes-2-Pro-Mistral-7B", "apache-2.0"),
    ("openchat/openchat-3.5-0106", "apache-2.0"), ("openchat/openchat-3.6-8b-20240522", "llama3"),
    ("berkeley-nest/Starling-LM-7B-alpha", "apache-2.0"), ("Nexusflow/Starling-LM-7B-beta", "apache-2.0"),
    ("Open-Orca/Mistral-7B-OpenOrca", "apache-2.0"), ("cognitivecomputations/dolphin-2.9-llama3-70b", "llama3"),
    ("cognitivecomputations/dolphin-2.6-mixtral-8x7b", "apache-2.0"), ("mlabonne/NeuralBeagle14-7B", "cc-by-nc-4.0"),
    ("Phind/Phind-CodeLlama-34B-v2", "llama2"), ("elyza/ELYZA-japanese-Llama-2-7b-instruct", "llama2"),
    ("elyza/Llama-3-ELYZA-JP-8B", "llama3"), ("aaditya/Llama3-OpenBioLLM-8B", "llama3"), ("BioMistral/BioMistral-7B", "apache-2.0"),
    ("rinna/japanese-gpt-neox-3.6b", "mit"), ("cyberagent/open-calm-7b", "cc-by-sa-4.0"), ("lmsys/vicuna-13b-v1.5", "llama2"),
    ("microsoft/Orca-2-7b", "microsoft-research-license"), ("upstage/SOLAR-10.7B-Instruct-v1.0", "cc-by-nc-4.0"),
    # encoders, speech, vision
    ("google-bert/bert-base-multilingual-cased", "apache-2.0"), ("FacebookAI/xlm-roberta-large", "mit"),
    ("microsoft/deberta-v3-base", "mit"), ("answerdotai/ModernBERT-base", "apache-2.0"), ("Helsinki-NLP/opus-mt-en-de", "cc-by-4.0"),
    ("Helsinki-NLP/opus-mt-fr-en", "apache-2.0"), ("cross-encoder/ms-marco-MiniLM-L-6-v2", "apache-2.0"), ("OpenGVLab/InternViT-6B-448px-V1-5", "mit"),
    ("microsoft/mdeberta-v3-base", "mit"), ("sentence-transformers/all-MiniLM-L6-v2", "apache-2.0"),
    ("sentence-transformers/LaBSE", "apache-2.0"), ("BAAI/bge-large-zh-v1.5", "mit"), ("thenlper/gte-large", "mit"),
    ("intfloat/multilingual-e5-large-instruct", "mit"), ("Snowflake/snowflake-arctic-embed-m-v1.5", "apache-2.0"),
    ("mixedbread-ai/mxbai-embed-large-v1", "apache-2.0"), ("jinaai/jina-reranker-v2-base-multilingual", "cc-by-nc-4.0"),
    ("google/flan-t5-xl", "apache-2.0"), ("google/madlad400-3b-mt", "apache-2.0"), ("facebook/nllb-200-distilled-600M", "cc-by-nc-4.0"),
    ("facebook/m2m100_418M", "mit"), ("openai/whisper-small", "apache-2.0"), ("openai/whisper-large-v3-turbo", "mit"),
    ("nvidia/parakeet-tdt-1.1b", "cc-by-4.0"), ("facebook/seamless-m4t-v2-large", "cc-by-nc-4.0"), ("microsoft/Florence-2-large", "mit"),
    ("microsoft/layoutlmv3-base", "cc-by-nc-sa-4.0"), ("naver-clova-ix/donut-base", "mit"), ("parler-tts/parler-tts-mini-v1", "apache-2.0"),
    # diffusion
    ("runwayml/stable-diffusion-v1-5", "creativeml-openrail-m"), ("stabilityai/stable-diffusion-2-1-base", "openrail++"),
    ("stabilityai/stable-diffusion-xl-base-1.0", "openrail++"), ("stabilityai/stable-diffusion-3.5-medium", "stability-ai-community"),
    ("stabilityai/stable-video-diffusion-img2vid", "stability-ai-community"), ("stabilityai/stable-cascade", "stable-cascade-nc-community"),
    ("black-forest-labs/FLUX.1-schnell", "apache-2.0"), ("black-forest-labs/FLUX.1-dev", "flux-1-dev-non-commercial"),
    ("XLabs-AI/flux-RealismLora", "flux-1-dev-non-commercial"), ("SG161222/RealVisXL_V4.0", "openrail++"),
    ("SG161222/Realistic_Vision_V5.1_noVAE", "creativeml-openrail-m"), ("Lykon/dreamshaper-8", "creativeml-openrail-m"),
    ("ByteDance/SDXL-Lightning", "openrail++"), ("lllyasviel/control_v11p_sd15_canny", "openrail"), ("segmind/SSD-1B", "apache-2.0"),
    ("cagliostrolab/animagine-xl-3.0", "faipl-1.0-sd"), ("OnomaAIResearch/Illustrious-xl-early-release-v0", "faipl-1.0-sd"),
    ("OnomaAIResearch/Illustrious-XL-v2.0", "creativeml-openrail-m"), ("Qwen/Qwen-Image", "apache-2.0"), ("Qwen/Qwen-Image-Edit-2511", "apache-2.0"),
    ("Wan-AI/Wan2.1-T2V-14B", "apache-2.0"), ("Wan-AI/Wan2.2-TI2V-5B-Diffusers", "apache-2.0"), ("hexgrad/Kokoro-82M", "apache-2.0"),
    # re-uploads and quantizations under other namespaces resolve to the original
    ("unsloth/Qwen2.5-7B-Instruct-bnb-4bit", "apache-2.0"), ("unsloth/Qwen2.5-Coder-3B-Instruct", "qwen-research"),
    ("unsloth/Qwen2-VL-7B-Instruct-bnb-4bit", "apache-2.0"), ("unsloth/Qwen3-4B-Instruct-2507", "apache-2.0"),
    ("unsloth/phi-4-unsloth-bnb-4bit", "mit"), ("unsloth/Phi-4-mini-instruct", "mit"), ("unsloth/mistral-7b-bnb-4bit", "apache-2.0"),
    ("unsloth/Mistral-Small-24B-Instruct-2501", "apache-2.0"), ("unsloth/gpt-oss-20b", "apache-2.0"),
    ("unsloth/SmolLM2-360M-Instruct", "apache-2.0"), ("unsloth/yi-6b-bnb-4bit", "apache-2.0"), ("unsloth/granite-3.1-8b-instruct", "apache-2.0"),
    ("bartowski/Qwen2.5-Coder-32B-Instruct-GGUF", "apache-2.0"), ("bartowski/Ministral-8B-Instruct-2410-GGUF", "mrl-0.1"),
    ("bartowski/deepseek-coder-6.7b-instruct-GGUF", "deepseek"), ("bartowski/Llama-3.2-3B-Instruct-GGUF", "llama3.2"),
    ("TheBloke/CodeLlama-7B-Instruct-GGUF", "llama2"), ("TheBloke/OpenHermes-2.5-Mistral-7B-GGUF", "apache-2.0"),
    ("TheBloke/Mistral-7B-OpenOrca-GPTQ", "apache-2.0"), ("mlx-community/Qwen2.5-VL-7B-Instruct-4bit", "apache-2.0"),
    ("mlx-community/gemma-3-27b-it-4bit", "gemma"), ("lmstudio-community/Qwen2.5-72B-Instruct-GGUF", "qwen"),
    ("MaziyarPanahi/Meta-Llama-3-8B-Instruct-GGUF", "llama3"), ("MaziyarPanahi/Mistral-7B-Instruct-v0.3-GGUF", "apache-2.0"),
    ("mradermacher/Mistral-Nemo-Instruct-2407-GGUF", "apache-2.0"), ("mradermacher/QwQ-32B-i1-GGUF", "apache-2.0"),
    ("QuantFactory/Meta-Llama-3-8B-Instruct-GGUF", "llama3"), ("NousResearch/Meta-Llama-3.1-8B-Instruct", "llama3.1"),
    ("hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4", "llama3.1"), ("hugging-quants/Llama-3.2-3B-Instruct-Q4_K_M-GGUF", "llama3.2"),
    ("casperhansen/mistral-nemo-instruct-2407-awq", "apache-2.0"), ("bartowski/Phi-3-medium-4k-instruct-GGUF", "mit"),
    ("TheBloke/neural-chat-7B-v3-1-GGUF", "apache-2.0"),
    # the repo name of an original listed by exact id
    ("TheBloke/zephyr-7B-beta-GGUF", "mit"), ("TheBloke/Starling-LM-7B-alpha-GGUF", "apache-2.0"), ("mlx-community/whisper-large-v3-turbo", "mit"),
    ("bartowski/dolphin-2.9-llama3-70b-GGUF", "llama3"), ("second-state/Nomic-embed-text-v1.5-Embedding-GGUF", None),
    # newer re-uploads prefix the original organisation
    ("bartowski/Qwen_Qwen3-8B-GGUF", "apache-2.0"), ("bartowski/google_gemma-3-12b-it-GGUF", "gemma"),
    ("bartowski/mistralai_Mistral-Small-3.1-24B-Instruct-2503-GGUF", "apache-2.0"), ("bartowski/Qwen_Qwen2.5-VL-72B-Instruct-GGUF", "qwen"),
    ("lmstudio-community/meta-llama_Llama-4-Scout-17B-16E-Instruct-GGUF", "llama4"), ("mlx-community/deepseek-ai_DeepSeek-R1-Distill-Llama-8B-4bit", "llama3.1"),
]


def test_table_is_broad():
    assert len(REAL_IDS) >= 150
    assert len({h.lower() for h, _ in REAL_IDS}) == len(REAL_IDS), "duplicate rows"


@pytest.mark.parametrize("hub_id,expected", REAL_IDS)
def test_real_ids_resolve_to_their_card_licence(hub_id, expected):
    hit = KB.family_for(hub_id.lower())
    if expected is None:  # a namespace that is not a known re-uploader stays unknown
        assert hit is None, hit
        return
    assert hit is not None, f"{hub_id} matched no family"
    assert hit[0].license == expected, f"{hub_id} → {hit[0].name} ({hit[0].license})"


# Specific releases whose licence differs from the line around them: the broader family must never win.
@pytest.mark.parametrize("hub_id,not_licence", [
    ("deepseek-ai/deepseek-r1-distill-qwen-7b", "deepseek"), ("deepseek-ai/deepseek-r1-distill-llama-70b", "mit"),
    ("qwen/qwen2.5-3b", "apache-2.0"), ("qwen/qwen2.5-3b-instruct-awq", "apache-2.0"), ("qwen/qwen2.5-coder-3b", "apache-2.0"),
    ("qwen/qwen2.5-vl-3b-instruct", "apache-2.0"), ("qwen/qwen2.5-72b-instruct", "apache-2.0"), ("qwen/qwen2.5-math-72b-instruct", "apache-2.0"),
    ("qwen/qwen2-72b-instruct", "apache-2.0"), ("qwen/qwen1.5-32b", "tongyi-qianwen"), ("qwen/qwen1.5-0.5b-chat", "tongyi-qianwen"),
    ("google/gemma-scope-2b-pt-res", "gemma"), ("google/gemma-4-e2b", "gemma"), ("mistralai/mistral-small-instruct-2409", "apache-2.0"),
    ("black-forest-labs/flux.1-schnell", "flux-1-dev-non-commercial"), ("openai/whisper-large-v3-turbo", "apache-2.0"),
    ("unsloth/qwen2.5-3b-instruct-bnb-4bit", "apache-2.0"), ("bartowski/qwen2.5-math-72b-instruct-gguf", "apache-2.0"),
])
def test_specific_release_is_not_given_the_broader_licence(hub_id, not_licence):
    hit = KB.family_for(hub_id)
    assert hit is not None and hit[0].license != not_licence, hit and hit[0].name


@pytest.mark.parametrize("hub_id", [
    "qwen/qwen1.5-4b-chat", "meta-llama/llama-guard-3-8b", "stabilityai/stable-video-diffusion-img2vid-xt-1-1",
    "nousresearch/hermes-2-theta-llama-3-8b", "nousresearch/nous-hermes-llama2-13b",
    "deepseek-ai/janus-pro-7b", "internlm/internlm2_5-7b-chat",
    "someone/qwen2.5-7b-instruct", "someone/phi-4", "maziyarpanahi/calme-2.3-phi3-4b", "mradermacher/my-own-merge-i1-gguf",
    "bartowski/someone_custom-merge-gguf", "inceptionai/jais-adapted-7b-chat", "zai-org/glm-4.6", "bartowski/qwen_qwen3.5-9b-gguf",
])
def test_unverified_or_community_ids_stay_unknown(hub_id):
    # left out on purpose (licence not verified or label contradicts the base), or not a re-upload namespace
    assert KB.family_for(hub_id) is None


def test_every_family_has_a_known_licence_and_sourced_evidence():
    sourced = re.compile(r"LICENSE-FACTS\.md|@[0-9a-f]{7}|pages: |docs: |huggingface\.co")
    for fam in KB.families:
        assert fam.license in KB.licenses, f"{fam.name}: unknown licence {fam.license!r}"
        assert fam.ids or fam.names or fam.hints, fam.name
        assert sourced.search(fam.evidence), f"{fam.name}: evidence names no source: {fam.evidence!r}"
    names = [f.name for f in KB.families]
    assert len(set(names)) == len(names), "family names must be unique"


def test_no_id_or_name_is_listed_twice():
    seen = {}
    for fam in KB.families:
        for key in [("id", g) for g in fam.ids] + [("name", n) for n in fam.names]:
            assert key not in seen, f"{key} in {seen.get(key)!r} and {fam.name!r}"
            seen[key] = fam.name


def test_no_glob_is_shadowed_by_an_earlier_family_with_another_licence():
    # every literal id (and a concrete id made from every glob) resolves to its own family, or to one with the
    # same licence: first-match order never hands a specific release the licence of a broader line
    def concrete(glob):
        return glob.replace("[0-9]", "8").replace("*", "x")

    for fam in KB.families:
        for g in fam.ids:
            hit = KB.family_for(concrete(g))
            assert hit is not None and hit[0].license == fam.license, (g, fam.name, hit and hit[0].name)
        for n in fam.names:
            hit = KB.family_for("unsloth/" + concrete(n))
            assert hit is not None and hit[0].license == fam.license, (n, fam.name, hit and hit[0].name)


def _linear_family_for(hub_id):
    # the unindexed definition: first family in file order whose glob matches
    org, _, name = hub_id.partition("/")
    for fam in KB.families:
        if any(fnmatch.fnmatchcase(hub_id, g) for g in fam.ids):
            return fam, "id"
    if org in KB.reuploaders and name:
        candidates = (name, KB.strip_reupload_suffixes(name))
        for fam in KB.families:
            if any(fnmatch.fnmatchcase(n, g) for g in fam.names for n in candidates):
                return fam, f"re-upload by {org}"
        if "_" in candidates[1]:
            original = candidates[1].replace("_", "/", 1)
            for fam in KB.families:
                if any(fnmatch.fnmatchcase(original, g) for g in fam.ids):
                    return fam, f"re-upload by {org}"
        for repo_name in candidates:
            owners = [f for f in KB.families for g in f.ids if "/" in g and not set(g) & set("*?[") and g.split("/", 1)[1] == repo_name]
            if owners and len({f.license for f in owners}) == 1:
                return owners[0], f"re-upload by {org}"
    return None


def test_indexed_lookup_equals_linear_first_match():
    probes = {h.lower() for h, _ in REAL_IDS} | {"gpt2", "t5-small", "bert-large-cased", "x", "a/b/c", "/", "unsloth/"}
    for fam in KB.families[::3]:
        for g in fam.ids[:3]:
            probes |= {g.replace("*", ""), g.replace("*", "-instruct"), g.replace("*", "x/y")}
        for n in fam.names[:3]:
            probes |= {"thebloke/" + n.replace("*", "") + "-gguf", "someone/" + n.replace("*", "")}
        for g in fam.ids[:2]:
            probes.add("bartowski/" + g.replace("/", "_", 1).replace("*", "-it") + "-gguf")
    for p in sorted(probes):
        assert KB.family_for(p) == _linear_family_for(p), p
