"""Property-based tests over every parser of checked content: whatever the bytes, a parser returns a
normal result or raises weightgate's own ReadError. Anything else (ValueError, struct.error, RecursionError,
MemoryError, a hang) is a bug.

Run more examples with `HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py` (see docs/bad-inputs.md).
"""
from __future__ import annotations

import io
import json
import struct

import conftest_hypothesis  # noqa: F401  (registers and loads the profiles)
from conftest_checkpoints import varint
from hypothesis import given, strategies as st

from weightgate.collect.card import read_card
from weightgate.collect.configs import read_adapter_config, read_mergekit, read_model_config
from weightgate.errors import ReadError
from weightgate.facts import Fact
from weightgate.readers import gguf, lfs, onnx, safetensors

PATH = "m/file"


def only_read_errors(fn, *args):
    """Call a binary reader; ReadError is its only allowed failure. Returns the result or None."""
    try:
        return fn(*args)
    except ReadError as e:
        assert e.path == PATH and e.message and e.line >= 1
        return None


def stream(data: bytes):
    return io.BytesIO(data), len(data), PATH


# --- text: card front matter and body ---------------------------------------------------------------------

YAML_BITS = ["license", "base_model", "tags", "datasets", "model-index", "license_name", "license_link", ":", ": ",
             "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "&b ", "*b", "<<: ", "!!str ", "!!python/name:os.system ",
             "? ", "|", ">", "'", '"', "#", "\t", " ", "  ", "\n", "no", "yes", "on", "~", "null", "1e999", "0x1f",
             "2024-13-45", "9" * 30, "mit", "apache-2.0", "meta-llama/Llama-2-7b-hf", "%YAML 1.1\n", "---\n", "...\n",
             "\ufeff", "\x00", "\r\n", "é", "\u2028"]
BODY_BITS = ["license: ", "License: ", "| License | ", "**License**: ", "# ", "## License\n", "released under ",
             "this model is licensed under the ", "based on ", "fine-tuned from ", "https://huggingface.co/",
             "[", "](", ")", "[a](b)", "*", "**", "_", "`", "```", "```\n", "merge_method: x\n", "open source model",
             "badge/license-", "--", "a/b", " ", "\n", ".", "Apache 2.0", "MIT", "\t", "|"]

yaml_text = st.lists(st.sampled_from(YAML_BITS), max_size=60).map("".join)
card_text = st.one_of(
    st.text(max_size=400),
    st.builds(lambda y, b: f"---\n{y}\n---\n{b}", yaml_text, st.lists(st.sampled_from(BODY_BITS), max_size=40).map("".join)),
    st.builds(lambda y: "---\n" + y, yaml_text),
    st.lists(st.sampled_from(BODY_BITS), max_size=80).map("".join),
)


@given(card_text)
def test_read_card_never_raises(text):
    facts, body, start = read_card("m/README.md", text)
    assert isinstance(body, str) and start >= 1
    for f in facts:
        assert isinstance(f, Fact) and f.path == "m/README.md" and f.line >= 1


# --- JSON configs and mergekit YAML -----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["base_model_name_or_path", "_name_or_path", "quantization_config", "peft_type", "revision",
                         "x"]) | st.text(max_size=5), inner, max_size=5),
    max_leaves=20)
JSON_BITS = ["{", "}", "[", "]", ",", ":", '"', "\\", "\\u", "d800", "1e999", "-", "0", "NaN", "Infinity", "true",
             "null", " ", "\n", '"_name_or_path"', '"base_model_name_or_path"', "\x00", "9" * 5000]
json_text = st.one_of(
    st.text(max_size=300),
    json_values.map(json.dumps),
    st.lists(st.sampled_from(JSON_BITS), max_size=80).map("".join),
    st.builds(lambda v, cut: json.dumps(v)[:cut], json_values, st.integers(0, 200)),
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * (n // 2)),
)


@given(json_text)
def test_json_config_readers_never_raise(text):
    for read in (read_adapter_config, read_model_config):
        for f in read("m/config.json", text):
            assert isinstance(f, Fact) and f.line >= 1


mergekit_values = st.recursive(
    st.none() | st.integers() | st.text(max_size=12) | st.sampled_from(["a/b", "c/d+e/f", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["model", "models", "slices", "sources", "base_model", "path", "merge_method"]), inner,
        max_size=4),
    max_leaves=25)


@given(st.one_of(yaml_text.map(lambda y: "merge_method: x\n" + y),
                 mergekit_values.map(lambda v: "merge_method: slerp\n" + json.dumps({"models": v, "base_model": v}))))
def test_read_mergekit_never_raises(text):
    for f in read_mergekit("m/mergekit_config.yml", text):
        assert isinstance(f, Fact) and f.line >= 1


# --- safetensors header and shard index -------------------------------------------------------------------

@given(st.binary(max_size=300))
def test_safetensors_arbitrary_bytes(data):
    only_read_errors(safetensors.read_header, *stream(data))
    only_read_errors(safetensors.read_index, *stream(data))


tensor_info = st.fixed_dictionaries({}, optional={
    "dtype": st.sampled_from(["F32", "F16", "BF16", "I8", "??"]) | st.integers(),
    "shape": st.lists(st.integers(-2, 10), max_size=3) | st.text(max_size=3),
    "data_offsets": st.lists(st.integers(-5, 200) | st.floats() | st.text(max_size=2), max_size=3),
})
st_header = st.dictionaries(
    st.text(max_size=8) | st.just("__metadata__"),
    tensor_info | st.dictionaries(st.text(max_size=8), st.text(max_size=8) | st.integers(), max_size=3) | json_values,
    max_size=4)


@given(st_header, st.integers(-16, 16), st.binary(max_size=64), st.sampled_from([b"", b" " * 7, b"\x00", b"}"]))
def test_safetensors_near_valid_headers(header, length_delta, data, pad):
    raw = json.dumps(header).encode() + pad
    n = max(0, len(raw) + length_delta)
    blob = struct.pack("<Q", n) + raw + data
    result = only_read_errors(safetensors.read_header, *stream(blob))
    if result is not None:
        assert result.header_size == n and all(isinstance(v, str) for v in result.metadata.values())


@given(st.dictionaries(st.sampled_from(["metadata", "weight_map", "x"]),
                       json_values | st.dictionaries(st.text(max_size=6), st.text(max_size=12) | st.integers(),
                                                     max_size=4), max_size=3))
def test_shard_index_near_valid(doc):
    result = only_read_errors(safetensors.read_index, *stream(json.dumps(doc).encode()))
    if result is not None:
        assert all(safetensors.is_safe_relative(s) for s in result.shards)


# --- GGUF key-value section -------------------------------------------------------------------------------

def gguf_string(s: bytes, lie: int = 0) -> bytes:
    return struct.pack("<Q", max(0, len(s) + lie)) + s


gguf_value = st.one_of(
    st.tuples(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12]), st.binary(min_size=0, max_size=9)),
    st.tuples(st.just(8), st.builds(gguf_string, st.binary(max_size=20), st.integers(-3, 3))),
    st.tuples(st.just(9), st.builds(lambda it, count, items: struct.pack("<IQ", it, count) + items,
                                    st.integers(0, 13), st.integers(0, 2 ** 64 - 1) | st.integers(0, 6),
                                    st.binary(max_size=40))),
    st.tuples(st.integers(13, 2 ** 32 - 1), st.binary(max_size=8)),
)
gguf_kv = st.builds(lambda key, lie, v: gguf_string(key, lie) + struct.pack("<I", v[0]) + v[1],
                    st.sampled_from([b"general.license", b"general.name", b"general.base_model.0.repo_url",
                                     b"general.base_model.count", b"tokenizer.ggml.tokens", b"", b"\xff\xfe"]),
                    st.integers(-2, 2) | st.just(0), gguf_value)


@given(st.sampled_from([2, 3, 1, 4, 0x03000000]), st.integers(0, 3) | st.integers(0, 2 ** 64 - 1),
       st.lists(gguf_kv, max_size=6), st.integers(-2, 3), st.binary(max_size=16))
def test_gguf_kv_section(version, tensor_count, kvs, count_delta, tail):
    blob = (b"GGUF" + struct.pack("<IQQ", version, tensor_count, max(0, len(kvs) + count_delta)) + b"".join(kvs)
            + tail)
    result = only_read_errors(gguf.read_header, *stream(blob))
    if result is not None:
        assert 24 <= result.kv_end <= len(blob)


@given(st.binary(max_size=300))
def test_gguf_arbitrary_bytes(data):
    only_read_errors(gguf.read_header, *stream(b"GGUF" + data))
    only_read_errors(gguf.read_header, *stream(data))


# --- ONNX metadata scan -----------------------------------------------------------------------------------

pb_field = st.one_of(
    st.builds(lambda num, v: varint(num << 3) + varint(v), st.integers(0, 20), st.integers(0, 2 ** 70)),
    st.builds(lambda num, payload, lie: varint(num << 3 | 2) + varint(max(0, len(payload) + lie)) + payload,
              st.sampled_from([2, 3, 4, 6, 7, 14, 8]), st.binary(max_size=30) | st.builds(
                  lambda k, v: b"\x0a" + varint(len(k)) + k + b"\x12" + varint(len(v)) + v,
                  st.binary(max_size=8), st.binary(max_size=8)), st.integers(-3, 3) | st.just(0)),
    st.builds(lambda num, wire, rest: varint(num << 3 | wire) + rest, st.integers(0, 20), st.integers(0, 7),
              st.binary(max_size=10)),
)


@given(st.lists(pb_field, max_size=8), st.binary(max_size=8))
def test_onnx_metadata_scan(fields, tail):
    blob = b"".join(fields) + tail
    result = only_read_errors(onnx.read_header, *stream(blob))
    if result is not None:
        assert result.ir_version >= 0 and all(isinstance(v, str) for v in result.metadata_props.values())


@given(st.binary(max_size=300))
def test_onnx_arbitrary_bytes(data):
    only_read_errors(onnx.read_header, *stream(data))


# --- Git LFS pointers -------------------------------------------------------------------------------------

lfs_line = st.one_of(
    st.just("version https://git-lfs.github.com/spec/v1"),
    st.builds(lambda h: "oid sha256:" + h, st.text("0123456789abcdefABCDEF", min_size=60, max_size=66)),
    st.builds(lambda n: f"size {n}", st.integers(-5, 2 ** 70) | st.text("0123456789 x-", max_size=25)),
    st.builds(lambda k, v: f"{k} {v}", st.sampled_from(["ext-0-foo", "ext-a-b", "Oid", "size", "x", ""]),
              st.text(max_size=10)),
    st.text(max_size=30),
)


@given(st.lists(lfs_line, max_size=6), st.sampled_from(["\n", "\r\n", ""]), st.booleans())
def test_lfs_pointer_near_valid(lines, end, latin):
    text = end.join(lines) + end
    data = text.encode("latin-1", "replace") if latin else text.encode("utf-8", "surrogatepass")
    ptr = only_read_errors(lfs.parse_pointer, data, PATH)
    if ptr is not None:
        assert len(ptr.oid) == 64 and ptr.size >= 0
        assert lfs.looks_like_pointer(data, len(data)) or len(data) < lfs.MAX_POINTER


@given(st.binary(max_size=1100))
def test_lfs_pointer_arbitrary_bytes(data):
    only_read_errors(lfs.parse_pointer, lfs.VERSION_LINE + b"\n" + data, PATH)
    only_read_errors(lfs.parse_pointer, data, PATH)
