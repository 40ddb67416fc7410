"""Helpers for the checkpoint reader tests (imported by tests/test_readers_*.py; not a conftest plugin).

Builders write real files: safetensors through the `safetensors` package where possible, GGUF byte by byte,
protobuf fields by hand for malformed ONNX. CountingSource counts opens and bytes read per path.
"""
from __future__ import annotations

import hashlib
import io
import random
import json
import os
import struct
from typing import Dict, List, Optional, Sequence, Tuple

from weightgate.sources import FsSource

GIB = 1 << 30


# --- counting ---------------------------------------------------------------------------------------------

class CountingStream(io.RawIOBase):
    """Wraps a binary stream and counts the bytes actually returned by read()."""

    def __init__(self, inner, counter: Dict[str, int], key: str):
        self.inner, self.counter, self.key = inner, counter, key

    def readable(self):
        return True

    def seekable(self):
        return self.inner.seekable()

    def read(self, n=-1):
        data = self.inner.read(n)
        self.counter[self.key] = self.counter.get(self.key, 0) + len(data)
        return data

    def readinto(self, b):
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def seek(self, pos, whence=0):
        return self.inner.seek(pos, whence)

    def tell(self):
        return self.inner.tell()

    def close(self):
        self.inner.close()
        super().close()


class CountingSource(FsSource):
    """FsSource that records how often each path is opened and how many bytes are read from it."""

    def __init__(self, root):
        super().__init__(root)
        self.opens: Dict[str, int] = {}
        self.bytes_read: Dict[str, int] = {}

    def open(self, path):
        self.opens[path] = self.opens.get(path, 0) + 1
        return CountingStream(super().open(path), self.bytes_read, path)


def counting_open(path: str, counter: Dict[str, int]):
    return CountingStream(open(path, "rb"), counter, path)


# --- safetensors ------------------------------------------------------------------------------------------

def save_safetensors(path, metadata: Optional[Dict[str, str]] = None, n_tensors: int = 2) -> None:
    import numpy as np
    from safetensors.numpy import save_file

    tensors = {f"layer.{i}.weight": np.full((4, 4), i, dtype=np.float32) for i in range(n_tensors)}
    save_file(tensors, str(path), metadata=metadata)


def raw_safetensors(header: bytes, data: bytes = b"") -> bytes:
    return struct.pack("<Q", len(header)) + header + data


def sparse_safetensors(path, data_size: int, metadata: Optional[Dict[str, str]] = None) -> int:
    """A valid safetensors file whose data section is `data_size` bytes of holes. Returns N."""
    header = {"weight": {"dtype": "U8", "shape": [data_size], "data_offsets": [0, data_size]}}
    if metadata is not None:
        header["__metadata__"] = metadata
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # safetensors pads to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
    os.truncate(path, 8 + len(raw) + data_size)
    return len(raw)


# --- GGUF -------------------------------------------------------------------------------------------------

T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, T_U64, T_I64, T_F64 = range(13)
_FMT = {T_U8: "B", T_I8: "b", T_U16: "H", T_I16: "h", T_U32: "I", T_I32: "i", T_F32: "f", T_BOOL: "?",
        T_U64: "Q", T_I64: "q", T_F64: "d"}


def gstr(s, e="<") -> bytes:
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(e + "Q", len(b)) + b


def gval(t: int, v, e="<") -> bytes:
    if t in _FMT:
        return struct.pack(e + _FMT[t], v)
    if t == T_STR:
        return gstr(v, e)
    if t == T_ARR:
        itype, items = v
        return struct.pack(e + "IQ", itype, len(items)) + b"".join(gval(itype, x, e) for x in items)
    raise ValueError(t)


def gguf_kv(kvs: Sequence[Tuple[str, int, object]], e="<") -> bytes:
    return b"".join(gstr(k, e) + struct.pack(e + "I", t) + gval(t, v, e) for k, t, v in kvs)


def gguf_bytes(kvs: Sequence[Tuple[str, int, object]], version: int = 3, tensor_count: int = 0,
               e: str = "<", kv_count: Optional[int] = None) -> bytes:
    """Magic, version, counts and the key-value section (no tensor infos unless appended)."""
    n = len(kvs) if kv_count is None else kv_count
    return b"GGUF" + struct.pack(e + "IQQ", version, tensor_count, n) + gguf_kv(kvs, e)


def sparse_gguf(path, kvs, data_size: int) -> int:
    """A GGUF with one U8 tensor of `data_size` bytes of holes. Returns the end of the KV section."""
    head = gguf_bytes(kvs, tensor_count=1)
    kv_end = len(head)
    info = gstr("weight") + struct.pack("<I", 1) + struct.pack("<Q", data_size // 4) + struct.pack("<IQ", 0, 0)
    body = head + info
    body += b"\0" * (-len(body) % 32)
    with open(path, "wb") as f:
        f.write(body)
    os.truncate(path, len(body) + data_size)
    return kv_end


LLAMA_KVS = [
    ("general.architecture", T_STR, "llama"),
    ("general.name", T_STR, "Llama 2 7B Chat"),
    ("general.license", T_STR, "llama2"),
    ("general.base_model.count", T_U32, 1),
    ("general.base_model.0.name", T_STR, "Llama 2 7b Chat Hf"),
    ("general.base_model.0.organization", T_STR, "Meta Llama"),
    ("general.base_model.0.repo_url", T_STR, "https://huggingface.co/meta-llama/Llama-2-7b-chat-hf"),
    ("llama.context_length", T_U32, 4096),
    ("general.file_type", T_U32, 15),
]


def vocab_kvs(n: int) -> List[Tuple[str, int, object]]:
    return [
        ("tokenizer.ggml.model", T_STR, "llama"),
        ("tokenizer.ggml.tokens", T_ARR, (T_STR, [f"tok{i}" for i in range(n)])),
        ("tokenizer.ggml.scores", T_ARR, (T_F32, [0.0] * n)),
        ("tokenizer.ggml.token_type", T_ARR, (T_I32, [1] * n)),
    ]


# --- protobuf (ONNX) --------------------------------------------------------------------------------------

def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_field(num: int, wire: int, payload) -> bytes:
    tag = varint(num << 3 | wire)
    if wire == 0:
        return tag + varint(payload)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    return tag + payload


def onnx_model(metadata: Dict[str, str], initializer_floats: int = 0, producer: str = "weightgate-tests"):
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    inits = []
    if initializer_floats:
        inits = [numpy_helper.from_array(np.zeros(initializer_floats, dtype=np.float32), "w")]
    node = helper.make_node("Identity", ["x"], ["y"])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])],
                              initializer=inits)
    model = helper.make_model(graph, producer_name=producer, producer_version="1.0")
    if metadata:
        helper.set_model_props(model, metadata)
    return model


# --- Git LFS ----------------------------------------------------------------------------------------------

def lfs_pointer(content: bytes) -> Tuple[bytes, str]:
    oid = hashlib.sha256(content).hexdigest()
    text = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(content)}\n"
    return text.encode(), oid


def store_lfs_object(git_dir, content: bytes) -> str:
    """Put `content` where git-lfs keeps it: <git dir>/lfs/objects/ab/cd/abcd…; returns the objects dir."""
    oid = hashlib.sha256(content).hexdigest()
    objects = os.path.join(str(git_dir), "lfs", "objects")
    d = os.path.join(objects, oid[:2], oid[2:4])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, oid), "wb") as f:
        f.write(content)
    return objects


def is_sparse_supported(path) -> bool:
    st = os.stat(path)
    return getattr(st, "st_blocks", 0) * 512 < st.st_size // 2


def mutations(good: bytes, seed: int, n: int = 3000):
    """`n` damaged copies of a valid file: every other one truncated, the rest with 1–3 random bytes changed."""
    rng = random.Random(seed)
    for i in range(n):
        data = bytearray(good)
        if i % 2:
            data = data[:rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 3)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        yield bytes(data)
