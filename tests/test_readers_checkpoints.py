"""collect_checkpoints: facts and problems from weight files, read at most once, header only."""
from __future__ import annotations

import json
import os
import pickle
import struct
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest_checkpoints import (GIB, LLAMA_KVS, T_STR, T_U32, CountingSource, gguf_bytes,  # noqa: E402
                                  is_sparse_supported, lfs_pointer, onnx_model, raw_safetensors,
                                  save_safetensors, sparse_gguf, sparse_safetensors, store_lfs_object,
                                  vocab_kvs)

from weightgate.collect.checkpoints import (collect_checkpoints, hub_ref, is_checkpoint,  # noqa: E402
                                            CHECKPOINT_SUFFIXES, PICKLE_SUFFIXES)
from weightgate.facts import Fact, Problem  # noqa: E402
from weightgate.sources import FsSource  # noqa: E402


def run(root, files=None, lfs_dirs=(), source=None):
    source = source or FsSource(str(root))
    if files is None:
        files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                       if p.is_file() and ".git" not in p.parts)
    return collect_checkpoints([f for f in files if is_checkpoint(f.rsplit("/", 1)[-1])], source, list(lfs_dirs))


def facts(out, kind=None):
    return [(f.kind, f.value, f.origin) for f in out if kind is None or f.kind == kind]


def problems(out):
    return [(f.value.rule, f.path, f.value.severity) for f in out if f.kind == "problem"]


def test_constants_and_is_checkpoint():
    assert CHECKPOINT_SUFFIXES == (".safetensors", ".gguf", ".onnx")
    assert PICKLE_SUFFIXES == (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
    for name in ["model.safetensors", "M.GGUF", "m.onnx", "pytorch_model.bin", "x.ckpt", "a.pt", "b.pth",
                 "c.pkl", "d.pickle", "model.safetensors.index.json", "pytorch_model.bin.index.json"]:
        assert is_checkpoint(name), name
    for name in ["config.json", "README.md", "tokenizer.json", "model.safetensors.json", "LICENSE"]:
        assert not is_checkpoint(name), name


@pytest.mark.parametrize("url,ref", [
    ("https://huggingface.co/meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf"),
    ("https://huggingface.co/meta-llama/Llama-2-7b-hf/tree/main", "meta-llama/Llama-2-7b-hf"),
    ("http://www.huggingface.co/gpt2", "gpt2"),
    ("hf.co/org/name.git", "org/name"),
    ("https://huggingface.co/datasets/org/data", None),
    ("https://github.com/org/repo", None),
])
def test_hub_ref(url, ref):
    assert hub_ref(url) == ref


# --- GGUF ---------------------------------------------------------------------------------------------

def test_gguf_facts(tmp_path):
    kvs = LLAMA_KVS + [("general.license.name", T_STR, "llama2"),
                       ("general.license.link", T_STR, "https://ai.meta.com/llama/license/")] + vocab_kvs(100)
    (tmp_path / "llama-2-7b-chat.Q4_K_M.gguf").write_bytes(gguf_bytes(kvs))
    out = run(tmp_path)
    assert facts(out) == [
        ("license", "llama2", "gguf:general.license"),
        ("license_name", "llama2", "gguf:general.license.name"),
        ("license_link", "https://ai.meta.com/llama/license/", "gguf:general.license.link"),
        ("name", "Llama 2 7B Chat", "gguf:general.name"),
        ("self_name", "Llama-2-7B-Chat", "gguf:general.name"),  # in Hub spelling, for base-conflict
        ("base", "meta-llama/Llama-2-7b-chat-hf", "gguf:general.base_model.0.repo_url"),
        ("relation", "quantized", "gguf:general.type"),
    ]
    assert all(f.path == "llama-2-7b-chat.Q4_K_M.gguf" and f.line == 1 for f in out)


def test_gguf_org_name_source_and_adapter(tmp_path):
    kvs = [("general.type", T_STR, "adapter"), ("general.license", T_STR, "apache-2.0"),
           ("general.base_model.count", T_U32, 2),
           ("general.base_model.0.organization", T_STR, "mistralai"),
           ("general.base_model.0.name", T_STR, "Mistral-7B-v0.1"),
           ("general.base_model.1.name", T_STR, "Only A Name")]
    (tmp_path / "a.gguf").write_bytes(gguf_bytes(kvs))
    kvs2 = [("general.source.repo_url", T_STR, "https://huggingface.co/Qwen/Qwen2-7B")]
    (tmp_path / "b.gguf").write_bytes(gguf_bytes(kvs2))
    kvs3 = [("general.base_model.count", T_U32, 1),
            ("general.base_model.0.repo_url", T_STR, "https://huggingface.co/meta-llama/Llama-3.1-8B"),
            ("general.source.url", T_STR, "https://huggingface.co/NousResearch/Hermes-3-Llama-3.1-8B")]
    (tmp_path / "c.gguf").write_bytes(gguf_bytes(kvs3))
    out = run(tmp_path)
    by = lambda p: [(k, v, o) for (k, v, o), f in zip(facts(out), out) if f.path == p]  # noqa: E731
    assert by("a.gguf") == [("license", "apache-2.0", "gguf:general.license"),
                            ("base", "mistralai/Mistral-7B-v0.1", "gguf:general.base_model.0.name"),
                            # a name without organisation is a reference too (resolved or unknown, never dropped)
                            ("base", "Only-A-Name", "gguf:general.base_model.1.name"),
                            ("relation", "adapter", "gguf:general.type")]
    assert by("b.gguf") == [("base", "Qwen/Qwen2-7B", "gguf:general.source.repo_url"),
                            ("relation", "quantized", "gguf:general.type")]
    # with base_model entries, the source model is only a hint (two bases would read as a merge)
    assert by("c.gguf") == [("base", "meta-llama/Llama-3.1-8B", "gguf:general.base_model.0.repo_url"),
                            ("base_hint", "NousResearch/Hermes-3-Llama-3.1-8B", "gguf:general.source.url"),
                            ("relation", "quantized", "gguf:general.type")]


# --- safetensors -----------------------------------------------------------------------------------------

def test_kohya_lora_facts(tmp_path):
    save_safetensors(tmp_path / "pixel-art.safetensors", {
        "ss_sd_model_name": "v1-5-pruned-emaonly.safetensors", "ss_base_model_version": "sd_v1",
        "ss_network_module": "networks.lora", "ss_network_dim": "32",
        "modelspec.architecture": "stable-diffusion-v1/lora", "modelspec.title": "Pixel Art",
        "modelspec.license": "mit", "modelspec.sai_model_spec": "1.0.0"})
    out = run(tmp_path)
    assert facts(out) == [
        ("license", "mit", "safetensors:modelspec.license"),
        ("name", "Pixel Art", "safetensors:modelspec.title"),
        ("base_hint", "v1-5-pruned-emaonly.safetensors", "safetensors:ss_sd_model_name"),
        ("base_hint", "sd_v1", "safetensors:ss_base_model_version"),
        ("base_hint", "stable-diffusion-v1", "safetensors:modelspec.architecture"),
        ("relation", "adapter", "safetensors:ss_network_module"),
    ]


def test_safetensors_license_and_base(tmp_path):
    save_safetensors(tmp_path / "model.safetensors", {"format": "pt", "license": "apache-2.0",
                                                      "base_model": "https://huggingface.co/org/base"})
    assert facts(run(tmp_path)) == [("license", "apache-2.0", "safetensors:license"),
                                    ("base", "org/base", "safetensors:base_model")]


def test_transformers_file_has_no_facts(tmp_path):
    save_safetensors(tmp_path / "model.safetensors", {"format": "pt"})
    assert run(tmp_path) == []


# --- ONNX ----------------------------------------------------------------------------------------------

def test_onnx_facts(tmp_path):
    onnx = pytest.importorskip("onnx")
    (tmp_path / "onnx").mkdir()
    onnx.save(onnx_model({"model_license": "MIT", "model_author": "x"}, initializer_floats=1000),
              str(tmp_path / "onnx" / "model.onnx"))
    out = run(tmp_path)
    assert facts(out) == [("license", "MIT", "onnx:model_license")]
    assert out[0].path == "onnx/model.onnx"


# --- problems --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,data", [
    ("m.safetensors", struct.pack("<Q", 10 ** 9) + b"{}"),
    ("m.safetensors", raw_safetensors(b'{"__metadata__": {"license": 3}}')),
    ("m.safetensors", b""),
    ("m.gguf", b"GGUF" + struct.pack("<IQQ", 1, 0, 0)),
    ("m.gguf", b"GGUF" + struct.pack("<IQQ", 3, 0, 2 ** 60) + b"\0" * 2000),
    ("m.onnx", b"\xff" * 2000),
])
def test_corrupt_file_is_metadata_invalid(tmp_path, name, data):
    (tmp_path / name).write_bytes(data)
    out = run(tmp_path)
    assert problems(out) == [("metadata-invalid", name, None)]
    assert name in out[0].value.message


def test_pickles_are_never_opened_nor_loaded(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    for name in ("pytorch_model.bin", "model.ckpt", "weights.pt", "x.pth", "y.pkl", "z.pickle"):
        (tmp_path / name).write_bytes(pickle.dumps(Evil()))
    assert not marker.exists()
    src = CountingSource(str(tmp_path))
    out = run(tmp_path, source=src)
    assert not marker.exists()
    assert src.opens == {}  # not even a byte read
    assert sorted(problems(out)) == sorted(("pickle-checkpoint", n, "warning") for n in (
        "pytorch_model.bin", "model.ckpt", "weights.pt", "x.pth", "y.pkl", "z.pickle"))
    assert "safetensors" in out[0].value.fix


def test_openvino_bin_is_not_a_pickle(tmp_path):
    (tmp_path / "openvino_model.xml").write_text("<net/>")
    (tmp_path / "openvino_model.bin").write_bytes(b"\0" * 16)
    assert run(tmp_path) == []


def test_symlink_outside_is_unverifiable(tmp_path):
    outside = tmp_path / "outside.safetensors"
    save_safetensors(outside, {"license": "mit"})
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(outside, repo / "model.safetensors")
    out = run(repo, files=["model.safetensors"])
    assert problems(out) == [("checkpoint-unverifiable", "model.safetensors", "warning")]


# --- shards ----------------------------------------------------------------------------------------------

def _sharded(root, n, meta=None, missing=(), index_name="model.safetensors.index.json"):
    names = [f"model-{i + 1:05d}-of-{n:05d}.safetensors" for i in range(n)]
    wmap = {f"layer.{i}.weight": nm for i, nm in enumerate(names)}
    (root / index_name).write_text(json.dumps({"metadata": {"total_size": 64 * n}, "weight_map": wmap}))
    header = {"layer.0.weight": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 64]}}
    if meta:
        header["__metadata__"] = meta
    blob = raw_safetensors(json.dumps(header).encode(), b"\0" * 64)
    for i, nm in enumerate(names):
        if nm not in missing:
            (root / nm).write_bytes(blob)
    return names


def test_sharded_facts_once_and_each_shard_read_once(tmp_path):
    names = _sharded(tmp_path, 4, {"format": "pt", "license": "apache-2.0"})
    src = CountingSource(str(tmp_path))
    out = run(tmp_path, source=src)
    assert facts(out) == [("license", "apache-2.0", "safetensors:license")]
    assert out[0].path == names[0]
    assert all(src.opens[n] == 1 for n in names)
    assert src.opens["model.safetensors.index.json"] == 1


def test_missing_shard(tmp_path):
    names = _sharded(tmp_path, 3, missing={"model-00002-of-00003.safetensors"})
    out = run(tmp_path)
    assert problems(out) == [("metadata-invalid", "model.safetensors.index.json", None)]
    assert "model-00002-of-00003.safetensors" in out[0].value.message
    assert len(names) == 3


def test_pytorch_bin_index(tmp_path):
    (tmp_path / "pytorch_model.bin.index.json").write_text(json.dumps(
        {"metadata": {}, "weight_map": {"a": "pytorch_model-00001-of-00002.bin",
                                        "b": "pytorch_model-00002-of-00002.bin"}}))
    (tmp_path / "pytorch_model-00001-of-00002.bin").write_bytes(b"\x80\x04.")
    out = run(tmp_path)
    probs = problems(out)
    assert ("metadata-invalid", "pytorch_model.bin.index.json", None) in probs
    assert ("pickle-checkpoint", "pytorch_model-00001-of-00002.bin", "warning") in probs


def test_corrupt_index(tmp_path):
    (tmp_path / "model.safetensors.index.json").write_text('{"weight_map": [}')
    assert problems(run(tmp_path)) == [("metadata-invalid", "model.safetensors.index.json", None)]


def test_10000_shards_each_read_once(tmp_path):
    names = _sharded(tmp_path, 10_000, {"format": "pt"})
    src = CountingSource(str(tmp_path))
    out = run(tmp_path, source=src)
    assert out == []
    assert len(src.opens) == 10_001 and set(src.opens.values()) == {1}
    assert src.bytes_read[names[-1]] == os.path.getsize(tmp_path / names[-1]) - 64


# --- LFS -------------------------------------------------------------------------------------------------

def test_lfs_pointer_resolved_from_git_dir(tmp_path):
    real = tmp_path / "real.gguf"
    real.write_bytes(gguf_bytes(LLAMA_KVS))
    content = real.read_bytes()
    real.unlink()
    repo = tmp_path / "repo"
    repo.mkdir()
    ptr, oid = lfs_pointer(content)
    (repo / "model.Q4_K_M.gguf").write_bytes(ptr)
    objects = store_lfs_object(repo / ".git", content)
    out = run(repo, lfs_dirs=[objects])
    assert ("license", "llama2", "gguf:general.license") in facts(out)
    assert all(f.path == "model.Q4_K_M.gguf" for f in out)


def test_lfs_pointer_unresolved(tmp_path):
    ptr, _ = lfs_pointer(b"some big weights")
    (tmp_path / "model.safetensors").write_bytes(ptr)
    out = run(tmp_path, lfs_dirs=[str(tmp_path / ".git" / "lfs" / "objects")])
    assert problems(out) == [("checkpoint-unverifiable", "model.safetensors", "warning")]
    assert "git lfs pull" in out[0].value.fix and "git lfs fetch" in out[0].value.fix


def test_lfs_pointer_malformed(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:xyz\nsize 1\n")
    out = run(tmp_path)
    assert problems(out) == [("metadata-invalid", "model.onnx", None)]
    assert "LFS pointer" in out[0].value.message


def test_lfs_object_corrupt(tmp_path):
    content = struct.pack("<Q", 10 ** 9) + b"{}" + b"\0" * 2000
    ptr, _ = lfs_pointer(content)
    (tmp_path / "m.safetensors").write_bytes(ptr)
    objects = store_lfs_object(tmp_path / ".git", content)
    assert problems(run(tmp_path, lfs_dirs=[objects])) == [("metadata-invalid", "m.safetensors", None)]


# --- size independence -----------------------------------------------------------------------------------

def test_sparse_20gib_files_read_header_only(tmp_path):
    n = sparse_safetensors(tmp_path / "big.safetensors", 20 * GIB, {"license": "llama3.1"})
    kv_end = sparse_gguf(tmp_path / "big.gguf", LLAMA_KVS + vocab_kvs(32_000), 20 * GIB)
    if not is_sparse_supported(tmp_path / "big.safetensors"):
        pytest.skip("filesystem without sparse files")
    src = CountingSource(str(tmp_path))
    out = run(tmp_path, source=src)
    assert ("license", "llama3.1", "safetensors:license") in facts(out)
    assert ("license", "llama2", "gguf:general.license") in facts(out)
    assert src.bytes_read["big.safetensors"] == 8 + n
    assert src.bytes_read["big.gguf"] <= kv_end
    assert src.opens == {"big.safetensors": 1, "big.gguf": 1}


def test_small_files_read_once(tmp_path):
    save_safetensors(tmp_path / "tiny.safetensors", {"license": "mit"}, n_tensors=1)
    assert os.path.getsize(tmp_path / "tiny.safetensors") < 1024
    src = CountingSource(str(tmp_path))
    out = run(tmp_path, source=src)
    assert facts(out) == [("license", "mit", "safetensors:license")]
    assert src.opens == {"tiny.safetensors": 1}


def test_fact_types(tmp_path):
    (tmp_path / "x.gguf").write_bytes(b"GGUF")
    out = run(tmp_path)
    assert isinstance(out[0], Fact) and isinstance(out[0].value, Problem)
