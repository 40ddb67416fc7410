"""End to end: checkpoint metadata drives findings of `weightgate check` (subprocess, JSON report)."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest import LLAMA2_NOTICE, card, licence_text, write_tree  # noqa: E402
from conftest_checkpoints import (LLAMA_KVS, T_STR, T_U32, gguf_bytes, lfs_pointer, onnx_model,  # noqa: E402
                                  raw_safetensors, store_lfs_object)

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def check(repo) -> dict:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("GITHUB_ACTIONS", None)
    cwd = str(repo) if os.path.isdir(repo) else None  # paths print relative to the cwd: run from the folder
    p = subprocess.run([sys.executable, "-m", "weightgate", "check", os.path.abspath(repo), "--format", "json"],
                       capture_output=True, text=True, env=env, timeout=120, cwd=cwd)
    assert p.returncode in (0, 1), p.stderr
    report = json.loads(p.stdout)
    report["exit_code"] = p.returncode
    return report


def found(report, severity=None):
    return {(f["rule"], f["path"]) for f in report["findings"] if severity is None or f["severity"] == severity}


def st_blob(metadata=None) -> bytes:
    header = {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}
    if metadata:
        header["__metadata__"] = metadata
    return raw_safetensors(json.dumps(header).encode(), b"\0" * 16)


# --- sharded safetensors ----------------------------------------------------------------------------------

def _sharded_repo(root, n=4, missing=()):
    names = [f"model-{i + 1:05d}-of-{n:05d}.safetensors" for i in range(n)]
    files = {"README.md": card("license: apache-2.0\nlibrary_name: transformers"),
             "LICENSE": licence_text("apache-2.0"),
             "model.safetensors.index.json": json.dumps(
                 {"metadata": {"total_size": 16 * n}, "weight_map": {f"l{i}": nm for i, nm in enumerate(names)}})}
    files.update({nm: st_blob({"format": "pt"}) for nm in names if nm not in missing})
    return write_tree(root, files)


def test_sharded_pass(tmp_path):
    r = check(_sharded_repo(tmp_path))
    assert found(r, "error") == set()
    assert r["exit_code"] == 0


def test_sharded_missing_shard_fails(tmp_path):
    r = check(_sharded_repo(tmp_path, missing={"model-00003-of-00004.safetensors"}))
    assert ("metadata-invalid", "model.safetensors.index.json") in found(r, "error")
    assert r["exit_code"] == 1


def test_corrupt_shard_fails(tmp_path):
    repo = _sharded_repo(tmp_path)
    (repo / "model-00002-of-00004.safetensors").write_bytes(b"\xff" * 64)
    r = check(repo)
    assert ("metadata-invalid", "model-00002-of-00004.safetensors") in found(r, "error")


# --- GGUF quantization of Llama 2 -------------------------------------------------------------------------

def _gguf_repo(root, stamped: str):
    kvs = [(k, t, stamped if k == "general.license" else v) for k, t, v in LLAMA_KVS]
    kvs = [(k, t, v) for k, t, v in kvs if not k.startswith("general.base_model.")]
    kvs += [("general.base_model.count", T_U32, 1),
            ("general.base_model.0.repo_url", T_STR, "https://huggingface.co/meta-llama/Llama-2-7b-chat-hf")]
    return write_tree(root, {
        "README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-chat-hf\nbase_model_relation: quantized"),
        "LICENSE": licence_text("llama2"),
        "USE_POLICY.md": licence_text("llama2-aup"),
        "NOTICE": LLAMA2_NOTICE + "\n",
        "llama-2-7b-chat.Q4_K_M.gguf": gguf_bytes(kvs),
    })


def test_gguf_llama2_pass(tmp_path):
    r = check(_gguf_repo(tmp_path, "llama2"))
    assert found(r, "error") == set(), r["findings"]
    assert r["exit_code"] == 0
    assert r["models"][0]["bases"][0]["id"].lower() == "meta-llama/llama-2-7b-chat-hf"


def test_gguf_relabelled_apache_fails(tmp_path):
    r = check(_gguf_repo(tmp_path, "apache-2.0"))
    assert ("relabel-forbidden", "llama-2-7b-chat.Q4_K_M.gguf") in found(r, "error")
    assert r["exit_code"] == 1


def test_gguf_base_from_metadata_alone(tmp_path):
    # No base_model in the card: the GGUF's general.base_model names Llama 2, and its apache-2.0 stamp fails.
    repo = _gguf_repo(tmp_path, "apache-2.0")
    (repo / "README.md").write_text(card("license: apache-2.0"))
    (repo / "LICENSE").write_text(licence_text("apache-2.0"))
    r = check(repo)
    assert ("relabel-forbidden", "llama-2-7b-chat.Q4_K_M.gguf") in found(r, "error")


# --- kohya LoRA on SD 1.5 ---------------------------------------------------------------------------------

def _lora_repo(root, license_stamp: str):
    meta = {"ss_sd_model_name": "v1-5-pruned-emaonly.safetensors", "ss_base_model_version": "sd_v1",
            "ss_network_module": "networks.lora", "modelspec.architecture": "stable-diffusion-v1/lora",
            "modelspec.title": "Pixel Art", "modelspec.license": license_stamp}
    return write_tree(root, {
        "README.md": card("license: creativeml-openrail-m\nbase_model: runwayml/stable-diffusion-v1-5\n"
                          "tags:\n- lora"),
        "LICENSE": licence_text("creativeml-openrail-m"),
        "pixel-art.safetensors": st_blob(meta),
    })


def test_lora_openrail_pass(tmp_path):
    r = check(_lora_repo(tmp_path, "creativeml-openrail-m"))
    assert not any(p == "pixel-art.safetensors" for _, p in found(r, "error")), r["findings"]
    assert r["models"][0]["bases"][0]["relation"] == "adapter"


def test_lora_stamped_mit_fails(tmp_path):
    r = check(_lora_repo(tmp_path, "mit"))
    assert any(p == "pixel-art.safetensors" for _, p in found(r, "error")), r["findings"]
    assert r["exit_code"] == 1


# --- ONNX --------------------------------------------------------------------------------------------------

def _onnx_repo(root, model_license: str):
    pytest.importorskip("onnx")
    # At the folder root: discovery currently makes a weights-only `onnx/` subfolder a model of its own.
    return write_tree(root, {
        "README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"),
        "LICENSE": licence_text("llama2"),
        "USE_POLICY.md": licence_text("llama2-aup"),
        "NOTICE": LLAMA2_NOTICE + "\n",
        "model.onnx": onnx_model({"model_license": model_license}, initializer_floats=256)
        .SerializeToString(),
    })


def test_onnx_pass(tmp_path):
    r = check(_onnx_repo(tmp_path, "llama2"))
    assert found(r, "error") == set(), r["findings"]


def test_onnx_relabelled_fails(tmp_path):
    r = check(_onnx_repo(tmp_path, "MIT"))
    assert ("relabel-forbidden", "model.onnx") in found(r, "error")


# --- pickles and LFS ----------------------------------------------------------------------------------------

def test_pickle_warns_and_is_never_loaded(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    repo = write_tree(tmp_path / "repo", {"README.md": card("license: apache-2.0\nlibrary_name: transformers"),
                                          "LICENSE": licence_text("apache-2.0"),
                                          "pytorch_model.bin": pickle.dumps(Evil())})
    r = check(repo)
    assert not marker.exists()
    assert ("pickle-checkpoint", "pytorch_model.bin") in found(r, "warning")
    assert r["exit_code"] == 0


def test_lfs_pointer_unverifiable_then_resolved(tmp_path):
    content = gguf_bytes([("general.license", T_STR, "apache-2.0"), ("general.base_model.count", T_U32, 1),
                          ("general.base_model.0.repo_url", T_STR, "https://huggingface.co/meta-llama/Llama-2-7b-hf")])
    ptr, _ = lfs_pointer(content)
    repo = write_tree(tmp_path / "repo", {"README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"),
                                          "LICENSE": licence_text("llama2"), "NOTICE": LLAMA2_NOTICE + "\n",
                                          "USE_POLICY.md": licence_text("llama2-aup"),
                                          "model.gguf": ptr})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    r = check(repo)
    assert ("checkpoint-unverifiable", "model.gguf") in found(r, "warning")
    assert not any(rule == "relabel-forbidden" for rule, _ in found(r))
    store_lfs_object(repo / ".git", content)
    r = check(repo)
    assert ("checkpoint-unverifiable", "model.gguf") not in found(r)
    assert ("relabel-forbidden", "model.gguf") in found(r, "error")
