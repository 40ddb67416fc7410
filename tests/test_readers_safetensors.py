"""safetensors header and shard-index reader."""
from __future__ import annotations

import io
import json
import os
import random
import struct
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest_checkpoints import (GIB, counting_open, is_sparse_supported, raw_safetensors,  # noqa: E402
                                  save_safetensors, sparse_safetensors)

from weightgate.errors import ReadError  # noqa: E402
from weightgate.readers import safetensors as st  # noqa: E402
from weightgate.readers._io import json_too_deep  # noqa: E402

safetensors = pytest.importorskip("safetensors")


def read_file(p):
    with open(p, "rb") as f:
        return st.read_header(f, os.path.getsize(p), str(p))


def read_bytes(data: bytes):
    return st.read_header(io.BytesIO(data), len(data), "x.safetensors")


def test_real_file_metadata_matches_safe_open(tmp_path):
    from safetensors import safe_open

    p = tmp_path / "m.safetensors"
    meta = {"format": "pt", "license": "apache-2.0", "modelspec.title": "Tiny", "ünï": "cödé"}
    save_safetensors(p, meta, n_tensors=3)
    h = read_file(p)
    assert h.metadata == meta
    assert h.tensor_count == 3
    with safe_open(str(p), framework="numpy") as f:
        assert f.metadata() == h.metadata


def test_no_metadata(tmp_path):
    p = tmp_path / "m.safetensors"
    save_safetensors(p, None)
    h = read_file(p)
    assert h.metadata == {}
    assert h.tensor_count == 2


def test_reads_exactly_header_plus_8(tmp_path):
    p = tmp_path / "m.safetensors"
    save_safetensors(p, {"license": "mit"}, n_tensors=50)
    counter = {}
    with counting_open(str(p), counter) as f:
        h = st.read_header(f, os.path.getsize(p), "m")
    assert counter[str(p)] == 8 + h.header_size < os.path.getsize(p)


def test_sparse_20gib_reads_only_the_header(tmp_path):
    p = tmp_path / "big.safetensors"
    n = sparse_safetensors(p, 20 * GIB, {"license": "llama3.1"})
    if not is_sparse_supported(p):
        pytest.skip("filesystem without sparse files")
    counter = {}
    with counting_open(str(p), counter) as f:
        h = st.read_header(f, os.path.getsize(p), "big")
    assert h.metadata == {"license": "llama3.1"}
    assert counter[str(p)] == 8 + n


def test_sparse_file_is_valid_for_safetensors_itself(tmp_path):
    # Cross-check the hand-built sparse layout with the reference implementation (mmap, no reads).
    from safetensors import safe_open

    p = tmp_path / "big.safetensors"
    sparse_safetensors(p, 64 * 1024 * 1024, {"license": "mit"})
    with safe_open(str(p), framework="numpy") as f:
        assert f.metadata() == {"license": "mit"}


def _h(obj) -> bytes:
    return json.dumps(obj).encode()


GOOD_TENSOR = {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}

CORRUPT = {
    "empty": b"",
    "short length": b"\x01\x02\x03",
    "length only": struct.pack("<Q", 10),
    "n too big": struct.pack("<Q", 100_000_001) + b"{}",
    "n past eof": struct.pack("<Q", 50) + b"{}",
    "n huge": struct.pack("<Q", 2 ** 64 - 1) + b"{}",
    "not an object": raw_safetensors(b"[1, 2, 3]"),
    "string header": raw_safetensors(b'"hello"'),
    "invalid json": raw_safetensors(b'{"a": '),
    "invalid utf8": raw_safetensors(b'{"\xff": 1}'),
    "metadata int": raw_safetensors(_h({"__metadata__": {"license": 1}})),
    "metadata nested": raw_safetensors(_h({"__metadata__": {"license": {"id": "mit"}}})),
    "metadata null value": raw_safetensors(_h({"__metadata__": {"license": None}})),
    "metadata list": raw_safetensors(_h({"__metadata__": ["mit"]})),
    "tensor not object": raw_safetensors(_h({"w": [1, 2]})),
    "tensor no offsets": raw_safetensors(_h({"w": {"dtype": "F32", "shape": [1]}})),
    "tensor past eof": raw_safetensors(_h({"w": GOOD_TENSOR}), b"\0\0"),
    "tensor bad offsets": raw_safetensors(_h({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}),
                                          b"\0" * 4),
    "deep brackets": raw_safetensors(b'{"a":' + b"[" * 200_000),
    "deep balanced": raw_safetensors(b'{"a":' + b"[" * 200_000 + b"]" * 200_000 + b"}"),
    "deep objects": raw_safetensors(b'{"a":' + b'{"a":' * 5000 + b"1" + b"}" * 5001),
    "huge int": raw_safetensors(b'{"a": ' + b"9" * 10_000 + b"}"),
    "lfs pointer": (b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 12\n"),
    "html": b"<!DOCTYPE html><html><body>Not Found</body></html>",
}


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_corrupt_inputs_raise_read_error(name):
    with pytest.raises(ReadError) as ei:
        read_bytes(CORRUPT[name])
    assert ei.value.path == "x.safetensors"
    assert ei.value.message


def test_valid_small_header_with_padding():
    header = _h({"w": GOOD_TENSOR, "__metadata__": {"a": "b"}}) + b"    "
    h = read_bytes(raw_safetensors(header, b"\0" * 4))
    assert h.metadata == {"a": "b"} and h.tensor_count == 1


def test_json_depth_guard():
    assert json_too_deep(b"[" * 200_000)
    assert json_too_deep(b"[" * 1000 + b"]" * 1000)
    assert not json_too_deep(b'{"a": [[1, 2], {"b": "[[[[[[[[[["}]}')
    assert not json_too_deep(b'{"a": "\\"[[[[", "b": [1]}')
    assert not json_too_deep(b"[" * 60 + b"]" * 60)


def test_fuzzed_headers_only_raise_read_error(tmp_path):
    p = tmp_path / "m.safetensors"
    save_safetensors(p, {"license": "mit", "format": "pt"}, n_tensors=4)
    good = p.read_bytes()
    rng = random.Random(1234)
    for i in range(3000):
        data = bytearray(good)
        op = i % 3
        if op == 0:
            data = data[:rng.randrange(len(data))]
        elif op == 1:
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            pos = rng.randrange(8, len(data))
            data[pos:pos] = bytes(rng.choice(b'[]{}",:\\0 a\xff') for _ in range(rng.randint(1, 20)))
        try:
            read_bytes(bytes(data))
        except ReadError:
            pass


# --- shard index ------------------------------------------------------------------------------------------

def read_index(doc) -> st.ShardIndex:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return st.read_index(io.BytesIO(data), len(data), "model.safetensors.index.json")


def test_index_shards():
    idx = read_index({"metadata": {"total_size": 10},
                      "weight_map": {"a": "model-00002-of-00002.safetensors",
                                     "b": "model-00001-of-00002.safetensors",
                                     "c": "model-00001-of-00002.safetensors"}})
    assert idx.shards == ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    assert idx.metadata == {"total_size": 10}


@pytest.mark.parametrize("doc", [
    b"", b"[]", b"{", b"\xff\xfe", {"metadata": {}}, {"weight_map": []}, {"weight_map": {"a": 3}},
    {"weight_map": {"a": ""}}, {"weight_map": {"a": "../outside.safetensors"}},
    {"weight_map": {"a": "/etc/passwd"}}, {"metadata": [], "weight_map": {}}, b"[" * 100_000,
])
def test_bad_index(doc):
    with pytest.raises(ReadError):
        read_index(doc)


def test_shard_path():
    assert st.shard_path("sub/model.safetensors.index.json", "m-1.safetensors") == "sub/m-1.safetensors"
    assert st.shard_path("model.safetensors.index.json", "m-1.safetensors") == "m-1.safetensors"
