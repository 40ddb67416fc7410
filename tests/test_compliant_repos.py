"""Correctly licensed repositories stay green: the regression suite for everything that fails closed.

Each repository is built the way real publishers and trainers lay them out (Hub cards with prose sections,
licence tables, badges, trainer checkpoints, GGUF quantizations, a code LICENSE at the top of a project), with
the real licence texts from ../shared/licenses. `weightgate check` must exit 0 with no error finding.
"""
from __future__ import annotations

import json

import pytest

from conftest import LLAMA2_NOTICE, card, check_json, licence_text, write_tree
from conftest_checkpoints import T_STR, T_U32, gguf_bytes

LLAMA31_NOTICE = ("Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. "
                  "All Rights Reserved.")
GEMMA_NOTICE = "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"


def gguf(**kv) -> bytes:
    return gguf_bytes([(k.replace("__", "."), T_STR if isinstance(v, str) else T_U32, v) for k, v in kv.items()])


def llama2_chat():
    body = ("# Llama-2-7b-support-chat\n\nA support assistant fine-tuned from Llama 2 with TRL.\n\n"
            "| Model | Params | License |\n|---|---|---|\n| Llama-2-7b-support-chat | 7B | Llama 2 Community License |\n\n"
            "## Training\n\nThe training code is released under the MIT license; the dataset is CC BY 4.0.\n\n"
            "## License\n\nLlama 2 Community License\n")
    return {"README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-chat-hf\n"
                              "datasets:\n- OpenAssistant/oasst1", body),
            "LICENSE": licence_text("llama2"), "NOTICE": LLAMA2_NOTICE, "USE_POLICY.md": licence_text("llama2-aup"),
            "config.json": json.dumps({"_name_or_path": "meta-llama/Llama-2-7b-chat-hf"}),
            "checkpoint-500/adapter_config.json": json.dumps({"base_model_name_or_path": "meta-llama/Llama-2-7b-chat-hf",
                                                              "peft_type": "LORA"})}


def llama31_unsloth():
    body = ("# Llama-3.1-8B-Instruct-support\n\nBuilt with Llama\n\n"
            "This llama model was trained 2x faster with [Unsloth](https://github.com/unslothai/unsloth).\n\n"
            "## License\n\n[Llama 3.1 Community License](https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE)\n\n"
            "Other models we compared against are released under the Apache 2.0 license.\n")
    return {"README.md": card("license: llama3.1\nbase_model: unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit\n"
                              "tags:\n- unsloth\n- trl", body),
            "LICENSE": licence_text("llama3.1"), "NOTICE": LLAMA31_NOTICE,
            "adapter_config.json": json.dumps({"base_model_name_or_path": "unsloth/meta-llama-3.1-8b-instruct-bnb-4bit",
                                               "peft_type": "LORA"})}


def mistral_gguf():
    body = ("# Mistral-7B-Instruct-v0.2-GGUF\n\n[![License](https://img.shields.io/badge/License-Apache_2.0-blue.svg)]"
            "(https://www.apache.org/licenses/LICENSE-2.0)\n\nQuantized with llama.cpp.\n")
    return {"README.md": card("license: apache-2.0\nbase_model: mistralai/Mistral-7B-Instruct-v0.2\n"
                              "quantized_by: someone", body),
            "LICENSE": licence_text("apache-2.0"),
            "mistral-7b-instruct-v0.2.Q4_K_M.gguf": gguf(
                general__name="Mistral 7B Instruct v0.2", general__license="apache-2.0",
                general__base_model__count=1, general__base_model__0__name="Mistral 7B Instruct v0.2",
                general__base_model__0__organization="Mistralai")}


def gemma_finetune():
    body = ("# gemma-2-9b-legal\n\n## Licence\n\nGemma\n\n" + GEMMA_NOTICE + "\n\n"
            "Use of this model is subject to the Gemma Prohibited Use Policy.\n")
    return {"README.md": card("license: gemma\nbase_model: google/gemma-2-9b", body),
            "LICENSE": licence_text("gemma"), "NOTICE": GEMMA_NOTICE}


def sd_lora():
    body = ("# sks-dog-lora\n\n| Base model | License |\n|---|---|\n| stable-diffusion-v1-5 | CreativeML OpenRAIL-M |\n\n"
            "## License\n\nCreativeML OpenRAIL-M\n")
    return {"README.md": card("license: creativeml-openrail-m\nbase_model: runwayml/stable-diffusion-v1-5\n"
                              "tags:\n- lora", body),
            "LICENSE": licence_text("creativeml-openrail-m")}


def llama32_gguf():
    """A bartowski-style quantization: the GGUF calls itself by the base's name and keeps its licence."""
    notice = ("Llama 3.2 is licensed under the Llama 3.2 Community License, Copyright © Meta Platforms, Inc. "
              "All Rights Reserved.")
    body = ("# Llamacpp imatrix Quantizations of Llama-3.2-1B-Instruct\n\nOriginal model: "
            "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct\n\nBuilt with Llama\n\n"
            "| Filename | Quant type | File Size |\n|---|---|---|\n| Llama-3.2-1B-Instruct-Q4_K_M.gguf | Q4_K_M | 0.81GB |\n")
    return {"README.md": card("license: llama3.2\nbase_model: meta-llama/Llama-3.2-1B-Instruct\n"
                              "model_name: Llama-3.2-1B-Instruct-GGUF\nquantized_by: bartowski", body),
            "LICENSE": licence_text("llama3.2"), "NOTICE": notice,
            "Llama-3.2-1B-Instruct-Q4_K_M.gguf": gguf(
                general__name="Llama 3.2 1B Instruct", general__basename="Llama-3.2", general__size_label="1B",
                general__finetune="Instruct", general__license="llama3.2", general__base_model__count=1,
                general__base_model__0__name="Llama 3.2 1B Instruct", general__base_model__0__organization="Meta Llama",
                general__base_model__0__repo_url="https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct")}


def sdxl_lora():
    body = "# pixel-xl\n\n## License\n\nCreativeML Open RAIL++-M\n"
    return {"README.md": card("license: openrail++\nbase_model: stabilityai/stable-diffusion-xl-base-1.0\n"
                              "tags:\n- lora", body),
            "LICENSE.md": licence_text("openrail++-sdxl-1.0"), "unet/config.json": "{}"}


def python_project_with_model():
    """A code repository: Apache LICENSE at the top, docs pages with Jekyll front matter, tiny test fixtures,
    and one model folder with its own Llama 2 licence and notice."""
    files = {"LICENSE": licence_text("apache-2.0"), "pyproject.toml": "[project]\nname = 'x'\n",
             "docs/README.md": "---\nlayout: default\ntitle: Docs\nlicense: MIT\nnav_order: 1\n---\n# Docs\n",
             "docs/index.md": "---\ntitle: Home\nlicense: MIT\n---\n# Home\n",
             "tests/fixtures/config.json": json.dumps({"_name_or_path": "meta-llama/Llama-2-7b-hf"}),
             "tests/fixtures/model.safetensors": b"\x00\x00"}
    files.update({f"models/chat/{k}": v for k, v in llama2_chat().items()})
    return files


REPOS = {
    "llama2-chat-trl": llama2_chat,
    "llama3.1-unsloth-lora": llama31_unsloth,
    "mistral-gguf": mistral_gguf,
    "gemma-finetune": gemma_finetune,
    "sd15-lora": sd_lora,
    "llama3.2-gguf-quant": llama32_gguf,
    "sdxl-lora": sdxl_lora,
    "python-project-with-model": python_project_with_model,
}


@pytest.mark.parametrize("name", sorted(REPOS))
def test_compliant_repo_passes(name, tmp_path):
    write_tree(tmp_path, REPOS[name]())
    report = check_json(tmp_path)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == [] and report["exit_code"] == 0
