"""ONNX metadata_props reader, cross-checked against onnx.load."""
from __future__ import annotations

import io
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest_checkpoints import counting_open, mutations, onnx_model, pb_field, varint  # noqa: E402

from weightgate.errors import ReadError  # noqa: E402
from weightgate.readers import onnx as ox  # noqa: E402

onnx = pytest.importorskip("onnx")


def read_file(p, counter=None):
    opener = (lambda: counting_open(str(p), counter)) if counter is not None else (lambda: open(p, "rb"))
    with opener() as f:
        return ox.read_header(f, os.path.getsize(p), str(p))


def read_bytes(data: bytes):
    return ox.read_header(io.BytesIO(data), len(data), "m.onnx")


def reference(p):
    m = onnx.load(str(p), load_external_data=False)
    return {e.key: e.value for e in m.metadata_props}, m


@pytest.mark.parametrize("meta", [
    {"model_license": "MIT", "model_author": "Jane"},
    {"model_license": "llama3.1", "description": "ünïcode ✓", "empty": ""},
    {},
])
def test_matches_onnx_load(tmp_path, meta):
    p = tmp_path / "m.onnx"
    onnx.save(onnx_model(meta), str(p))
    h = read_file(p)
    ref, m = reference(p)
    assert h.metadata_props == ref == meta
    assert h.producer_name == m.producer_name == "weightgate-tests"
    assert h.producer_version == m.producer_version
    assert h.ir_version == m.ir_version


def test_graph_is_never_read(tmp_path):
    p = tmp_path / "m.onnx"
    onnx.save(onnx_model({"model_license": "apache-2.0"}, initializer_floats=2_000_000), str(p))
    counter = {}
    h = read_file(p, counter)
    assert h.metadata_props == {"model_license": "apache-2.0"}
    assert os.path.getsize(p) > 8_000_000
    assert counter[str(p)] < 1024


def test_external_data(tmp_path):
    p = tmp_path / "m.onnx"
    onnx.save(onnx_model({"model_license": "MIT"}, initializer_floats=100_000), str(p),
              save_as_external_data=True, all_tensors_to_one_file=True, location="m.onnx.data", size_threshold=0)
    assert read_file(p).metadata_props == reference(p)[0] == {"model_license": "MIT"}


def test_duplicate_keys_and_unknown_fields(tmp_path):
    model = onnx_model({"model_license": "MIT"})
    e = model.metadata_props.add()
    e.key, e.value = "model_license", "Apache-2.0"
    data = model.SerializeToString()
    # unknown top-level fields of every wire type, and an unknown field inside an entry
    entry = pb_field(1, 2, b"k") + pb_field(2, 2, b"v") + pb_field(9, 0, 7) + pb_field(10, 5, b"\0" * 4)
    data += (pb_field(99, 0, 300) + pb_field(98, 1, b"\0" * 8) + pb_field(97, 5, b"\0" * 4)
             + pb_field(96, 2, b"junk") + pb_field(14, 2, entry))
    p = tmp_path / "m.onnx"
    p.write_bytes(data)
    h = read_file(p)
    ref, _ = reference(p)
    assert h.metadata_props == ref == {"model_license": "Apache-2.0", "k": "v"}


CORRUPT = {
    "empty": b"",
    "text": b"this is not a model\n",
    "lfs pointer": b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 1\n",
    "varint too long": b"\xff" * 11,
    "varint truncated": b"\x08\xff\xff",
    "field zero": pb_field(0, 0, 1) + pb_field(1, 0, 8),
    "length past eof": pb_field(1, 0, 8) + varint(7 << 3 | 2) + varint(10 ** 12),
    "length varint overflow": pb_field(1, 0, 8) + varint(7 << 3 | 2) + b"\xff" * 10 + b"\x01",
    "group start": pb_field(1, 0, 8) + varint(5 << 3 | 3),
    "wire type 7": pb_field(1, 0, 8) + varint(5 << 3 | 7),
    "fixed64 truncated": pb_field(1, 0, 8) + varint(30 << 3 | 1) + b"\0\0",
    "no ir_version": pb_field(2, 2, b"pytorch") + pb_field(14, 2, pb_field(1, 2, b"k")),
    "entry length past end": pb_field(1, 0, 8) + pb_field(14, 2, varint(1 << 3 | 2) + varint(50) + b"ab"),
    "entry bad wire": pb_field(1, 0, 8) + pb_field(14, 2, varint(1 << 3 | 3)),
    "entry bad varint": pb_field(1, 0, 8) + pb_field(14, 2, varint(3 << 3 | 0) + b"\xff" * 11),
    "entry field zero": pb_field(1, 0, 8) + pb_field(14, 2, varint(0) + b"\0"),
}


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_corrupt_inputs_raise_read_error(name):
    with pytest.raises(ReadError):
        read_bytes(CORRUPT[name])


def test_fuzzed_only_raise_read_error():
    good = onnx_model({"model_license": "MIT", "model_author": "x"}, initializer_floats=64).SerializeToString()
    for data in mutations(good, seed=7):
        try:
            read_bytes(data)
        except ReadError:
            pass
