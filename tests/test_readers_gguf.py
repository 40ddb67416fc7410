"""GGUF key-value reader: hand-written files, files from gguf.GGUFWriter, corrupt and huge inputs."""
from __future__ import annotations

import io
import os
import struct
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest_checkpoints import (GIB, mutations, LLAMA_KVS, T_ARR, T_BOOL, T_F32, T_F64, T_I8, T_I16, T_I32,  # noqa
                                  T_I64, T_STR, T_U8, T_U16, T_U32, T_U64, counting_open, gguf_bytes, gstr,
                                  is_sparse_supported, sparse_gguf, vocab_kvs)

from weightgate.errors import ReadError  # noqa: E402
from weightgate.readers import gguf as gg  # noqa: E402


def read_bytes(data: bytes):
    return gg.read_header(io.BytesIO(data), len(data), "m.gguf")


def read_file(p, counter=None):
    if counter is None:
        with open(p, "rb") as f:
            return gg.read_header(f, os.path.getsize(p), str(p))
    with counting_open(str(p), counter) as f:
        return gg.read_header(f, os.path.getsize(p), str(p))


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("endian", ["<", ">"])
def test_handwritten(version, endian):
    h = read_bytes(gguf_bytes(LLAMA_KVS, version=version, e=endian))
    assert h.version == version
    assert h.kv_count == len(LLAMA_KVS)
    assert h.metadata == {k: v for k, _, v in LLAMA_KVS}


def test_all_scalar_types():
    kvs = [("u8", T_U8, 255), ("i8", T_I8, -1), ("u16", T_U16, 65535), ("i16", T_I16, -2),
           ("u32", T_U32, 2 ** 32 - 1), ("i32", T_I32, -3), ("f32", T_F32, 0.5), ("bool", T_BOOL, True),
           ("str", T_STR, "héllo"), ("u64", T_U64, 2 ** 64 - 1), ("i64", T_I64, -4), ("f64", T_F64, 0.25)]
    data = gguf_bytes(kvs)
    h = read_bytes(data)
    assert h.metadata == {k: v for k, _, v in kvs}
    assert h.kv_end == len(data)


def test_vocab_is_walked_not_kept_and_fixed_arrays_are_seeked(tmp_path):
    n = 100_000
    kvs = LLAMA_KVS + vocab_kvs(n) + [("general.quantization_version", T_U32, 2)]
    data = gguf_bytes(kvs)
    p = tmp_path / "m.gguf"
    p.write_bytes(data + b"\0" * 4096)  # stand-in for tensor infos and data
    counter = {}
    h = read_file(p, counter)
    assert h.kv_end == len(data)
    assert "tokenizer.ggml.tokens" not in h.metadata
    assert "tokenizer.ggml.scores" not in h.metadata
    assert h.metadata["general.quantization_version"] == 2
    assert h.metadata["tokenizer.ggml.model"] == "llama"
    # scores (f32) and token types (i32) are seeked over: 8 bytes per token never read
    assert counter[str(p)] <= h.kv_end - 8 * n + gg._WALK_CHUNK


def test_general_string_arrays_kept_when_small():
    kvs = [("general.tags", T_ARR, (T_STR, ["text-generation", "llama"])),
           ("other.list", T_ARR, (T_STR, ["a", "b"])),
           ("general.nested", T_ARR, (T_ARR, [(T_U8, [1, 2]), (T_U8, [3])]))]
    h = read_bytes(gguf_bytes(kvs))
    assert h.metadata == {"general.tags": ["text-generation", "llama"]}


def test_long_string_is_skipped_not_kept():
    big = "x" * (gg.MAX_STRING_KEPT + 1)
    kvs = [("general.description", T_STR, big), ("general.license", T_STR, "mit")]
    h = read_bytes(gguf_bytes(kvs))
    assert h.metadata == {"general.license": "mit"}


def test_long_string_in_vocab_is_seeked(tmp_path):
    kvs = [("tokenizer.ggml.tokens", T_ARR, (T_STR, ["a", "b" * (3 * gg._WALK_CHUNK), "c"])),
           ("general.license", T_STR, "mit")]
    p = tmp_path / "m.gguf"
    p.write_bytes(gguf_bytes(kvs))
    counter = {}
    h = read_file(p, counter)
    assert h.metadata == {"general.license": "mit"}
    assert counter[str(p)] < 2 * gg._WALK_CHUNK + 100


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("endian", ["<", ">"])
def test_string_arrays_across_buffer_boundaries(tmp_path, seed, endian):
    """Vocabularies whose strings straddle the read buffer's edges (lengths from 0 to past a chunk): the walk
    ends where the array ends, and the key after it is read, whatever the sizes."""
    import random

    rnd = random.Random(seed)
    sizes = [rnd.choice([0, 1, 7, 8, 9, rnd.randrange(100), rnd.randrange(gg._WALK_CHUNK // 3),
                         gg._WALK_CHUNK - rnd.randrange(20), gg._WALK_CHUNK + rnd.randrange(20)])
             for _ in range(rnd.randrange(50, 400))]
    tokens = ["t" * n for n in sizes]
    kvs = [("tokenizer.ggml.tokens", T_ARR, (T_STR, tokens)), ("general.license", T_STR, "mit")]
    data = gguf_bytes(kvs, e=endian)
    p = tmp_path / "m.gguf"
    p.write_bytes(data + b"\0" * 64)
    h = read_file(p)
    assert h.metadata == {"general.license": "mit"} and h.kv_end == len(data)
    with pytest.raises(ReadError):  # cut anywhere inside the array: a finding, never a wrong end
        read_bytes(data[: rnd.randrange(40, len(data) - 30)])


def test_sparse_20gib(tmp_path):
    p = tmp_path / "big.gguf"
    kvs = LLAMA_KVS + vocab_kvs(32_000)
    kv_end = sparse_gguf(p, kvs, 20 * GIB)
    if not is_sparse_supported(p):
        pytest.skip("filesystem without sparse files")
    counter = {}
    h = read_file(p, counter)
    assert h.kv_end == kv_end
    assert h.metadata["general.license"] == "llama2"
    assert counter[str(p)] <= kv_end  # the buffer never runs past the KV section here
    assert counter[str(p)] <= kv_end + gg._WALK_CHUNK


# --- against the gguf package -------------------------------------------------------------------------

def _gguf_writer_file(tmp_path, n_vocab=5000):
    gguf = pytest.importorskip("gguf")
    np = pytest.importorskip("numpy")
    p = tmp_path / "w.gguf"
    w = gguf.GGUFWriter(str(p), "llama")
    w.add_name("Meta Llama 3.1 8B Instruct")
    w.add_license("llama3.1")
    w.add_string("general.license.name", "llama3.1")
    w.add_string("general.license.link", "https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE")
    w.add_uint32("general.base_model.count", 1)
    w.add_string("general.base_model.0.name", "Llama 3.1 8B")
    w.add_string("general.base_model.0.organization", "Meta Llama")
    w.add_string("general.base_model.0.repo_url", "https://huggingface.co/meta-llama/Llama-3.1-8B")
    w.add_tokenizer_model("gpt2")
    w.add_token_list([f"t{i}" for i in range(n_vocab)])
    w.add_token_types([1] * n_vocab)
    w.add_token_merges([f"a{i} b{i}" for i in range(n_vocab // 2)])
    w.add_array("general.tags", ["facebook", "meta"])
    w.add_float32("llama.rope.freq_base", 500000.0)
    w.add_tensor("token_embd.weight", np.zeros((8, 16), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return p


def test_matches_gguf_reader(tmp_path):
    gguf = pytest.importorskip("gguf")
    p = _gguf_writer_file(tmp_path)
    h = read_file(p)
    ref = gguf.GGUFReader(str(p))
    assert h.version == 3
    assert h.tensor_count == len(ref.tensors) == 1
    ref_meta = {}
    kv_end = 0
    for name, field in ref.fields.items():
        if name.startswith("GGUF."):
            continue
        kv_end = max(kv_end, field.offset + sum(int(part.nbytes) for part in field.parts))
        if field.types == [gguf.GGUFValueType.STRING] or (len(field.types) == 1 and field.types[0] != gguf.GGUFValueType.ARRAY):
            ref_meta[name] = field.contents()
    assert kv_end == h.kv_end
    for k, v in ref_meta.items():
        if isinstance(v, float):
            assert h.metadata[k] == pytest.approx(v)
        else:
            assert h.metadata[k] == v, k
    assert h.metadata["general.tags"] == ["facebook", "meta"]
    assert "tokenizer.ggml.tokens" not in h.metadata and "tokenizer.ggml.merges" not in h.metadata


# --- corrupt inputs -----------------------------------------------------------------------------------

def _hdr(version=3, tensors=0, kvs=0, e="<"):
    return b"GGUF" + struct.pack(e + "IQQ", version, tensors, kvs)


def _kv(key, vtype, payload: bytes):
    return gstr(key) + struct.pack("<I", vtype) + payload


CORRUPT = {
    "empty": b"",
    "short": b"GGUF\x03\x00",
    "bad magic": b"GGML" + b"\0" * 40,
    "lowercase magic": b"gguf" + b"\0" * 40,
    "version 4": _hdr(4) + b"\0" * 16,
    "version 0": _hdr(0) + b"\0" * 16,
    "kv_count huge": _hdr(kvs=2 ** 63) + b"\0" * 64,
    "kv_count too many for file": _hdr(kvs=10) + _kv("a", T_U8, b"\1"),
    "tensor_count huge": _hdr(tensors=2 ** 64 - 1, kvs=0) + b"\0" * 8,
    "key length huge": _hdr(kvs=1) + struct.pack("<Q", 2 ** 63) + b"\0" * 32,
    "key length over spec": _hdr(kvs=1) + struct.pack("<Q", 70_000) + b"k" * 70_000 + b"\0" * 16,
    "key past eof": _hdr(kvs=1) + struct.pack("<Q", 40) + b"abc" + b"\0" * 10,
    "key not utf8": _hdr(kvs=1) + gstr(b"\xff\xfe") + struct.pack("<I", T_U8) + b"\1" + b"\0" * 8,
    "type 13": _hdr(kvs=1) + _kv("a", 13, b"\0" * 16),
    "type huge": _hdr(kvs=1) + _kv("a", 2 ** 32 - 1, b"\0" * 16),
    "string past eof": _hdr(kvs=1) + _kv("a", T_STR, struct.pack("<Q", 1000) + b"abc"),
    "string length huge": _hdr(kvs=1) + _kv("a", T_STR, struct.pack("<Q", 2 ** 64 - 1) + b"abc"),
    "value truncated": _hdr(kvs=1) + _kv("a", T_U64, b"\1\2"),
    "array count huge fixed": _hdr(kvs=1) + _kv("a", T_ARR, struct.pack("<IQ", T_F32, 2 ** 62) + b"\0" * 16),
    "array count huge strings": _hdr(kvs=1) + _kv("a", T_ARR, struct.pack("<IQ", T_STR, 2 ** 62) + b"\0" * 16),
    "array count huge arrays": _hdr(kvs=1) + _kv("a", T_ARR, struct.pack("<IQ", T_ARR, 2 ** 62) + b"\0" * 16),
    "array overflow count*size": _hdr(kvs=1) + _kv("a", T_ARR, struct.pack("<IQ", T_U64, 2 ** 61 + 1) + b"\0" * 16),
    "array item type bad": _hdr(kvs=1) + _kv("a", T_ARR, struct.pack("<IQ", 99, 1) + b"\0" * 16),
    "vocab string past eof": _hdr(kvs=1) + _kv("t", T_ARR, struct.pack("<IQ", T_STR, 2) + gstr("ok")
                                                  + struct.pack("<Q", 500) + b"short"),
    "vocab truncated mid-length": _hdr(kvs=1) + _kv("t", T_ARR, struct.pack("<IQ", T_STR, 2) + gstr("ok") + b"\1\0"),
    "nested arrays too deep": _hdr(kvs=1) + _kv("a", T_ARR, struct.pack("<IQ", T_ARR, 1) * 20 + b"\0" * 300),
    "lfs pointer": b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 1\n",
}


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_corrupt_inputs_raise_read_error(name):
    with pytest.raises(ReadError):
        read_bytes(CORRUPT[name])


def test_version_1_message():
    with pytest.raises(ReadError, match="unsupported GGUF version 1"):
        read_bytes(_hdr(1) + b"\0" * 16)


def test_fuzzed_files_only_raise_read_error():
    good = gguf_bytes(LLAMA_KVS + vocab_kvs(300) + [("general.tags", T_ARR, (T_STR, ["a", "b"]))])
    for data in mutations(good, seed=99):
        try:
            read_bytes(data)
        except ReadError:
            pass


class _NoSeek(io.BytesIO):
    def seekable(self):
        return False

    def seek(self, *a):  # pragma: no cover - must not be called
        raise AssertionError("seek on a non-seekable stream")


def test_non_seekable_stream():
    data = gguf_bytes(LLAMA_KVS + vocab_kvs(2000))
    h = gg.read_header(_NoSeek(data), len(data), "m.gguf")
    assert h.metadata["general.license"] == "llama2"
