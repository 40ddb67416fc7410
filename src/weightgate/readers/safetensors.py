"""safetensors headers and shard indexes (*.safetensors.index.json, pytorch_model.bin.index.json).

Layout: u64 little-endian N, then N bytes of JSON starting with `{`, then tensor data. We read 8 + N bytes
and nothing more.
"""
from __future__ import annotations

import posixpath
import struct
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import BinaryIO, Dict, List

from .._record import record

from ..errors import ReadError
from ._io import load_json, read_exact

MAX_HEADER = 100_000_000  # the limit safetensors itself enforces
MAX_INDEX = 100_000_000  # an index with 10,000 shards and a million tensors is still far below this


@record
class SafetensorsHeader:
    metadata: Dict[str, str]  # `__metadata__`, {} when absent
    tensor_count: int
    header_size: int  # N; the reader consumed exactly 8 + N bytes


@record
class ShardIndex:
    metadata: Dict[str, object]
    weight_map: Dict[str, str]
    shards: List[str]  # sorted, distinct, as written (relative to the index)


def read_header(f: BinaryIO, size: int, path: str) -> SafetensorsHeader:
    if size < 8:
        raise ReadError(path, f"file is {size} bytes, too short for a safetensors header")
    (n,) = struct.unpack("<Q", read_exact(f, 8, path, "the header length"))
    if n > MAX_HEADER:
        # A Git LFS pointer read as safetensors lands here too ("version " as a u64 is huge).
        raise ReadError(path, f"header length {n} exceeds the {MAX_HEADER}-byte limit")
    if n + 8 > size:
        raise ReadError(path, f"header length {n} runs past the end of the {size}-byte file (truncated?)")
    if n < 2:
        raise ReadError(path, f"header length {n} is too short for a JSON object")
    raw = read_exact(f, n, path, "the header")
    if raw[:1] != b"{":
        raise ReadError(path, "header does not start with '{'")
    # safetensors pads headers with trailing spaces for alignment; json.loads accepts those.
    header = load_json(raw, path, "header")
    if not isinstance(header, dict):
        raise ReadError(path, "header is not a JSON object")
    meta = header.get("__metadata__")
    if meta is None:
        meta = {}
    elif not isinstance(meta, dict):
        raise ReadError(path, "__metadata__ is not a JSON object")
    for k, v in meta.items():
        if not isinstance(v, str):
            raise ReadError(path, f"__metadata__[{k!r}] is {type(v).__name__}, not a string")
    data_size = size - 8 - n
    count = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        count += 1
        if not isinstance(info, dict):
            raise ReadError(path, f"tensor {name!r} is not described by a JSON object")
        offsets = info.get("data_offsets")
        # Checking offsets against the file size is free and catches truncated downloads.
        if (isinstance(offsets, list) and len(offsets) == 2
                and all(type(x) is int for x in offsets)):
            begin, end = offsets
            if begin < 0 or end < begin:
                raise ReadError(path, f"tensor {name!r} has invalid data_offsets {offsets}")
            if end > data_size:
                raise ReadError(path, f"tensor {name!r} ends at byte {end} of a {data_size}-byte data "
                                      "section (file truncated?)")
        else:
            raise ReadError(path, f"tensor {name!r} has no valid data_offsets")
    return SafetensorsHeader(metadata=dict(meta), tensor_count=count, header_size=n)


def read_index(f: BinaryIO, size: int, path: str) -> ShardIndex:
    if size > MAX_INDEX:
        raise ReadError(path, f"shard index is {size} bytes, over the {MAX_INDEX}-byte limit")
    raw = read_exact(f, size, path, "the shard index")
    doc = load_json(raw, path, "shard index")
    if not isinstance(doc, dict):
        raise ReadError(path, "shard index is not a JSON object")
    meta = doc.get("metadata")
    if meta is None:
        meta = {}
    elif not isinstance(meta, dict):
        raise ReadError(path, "\"metadata\" is not a JSON object")
    wmap = doc.get("weight_map")
    if not isinstance(wmap, dict):
        raise ReadError(path, "\"weight_map\" is missing or not a JSON object")
    shards = set()
    for tensor, shard in wmap.items():
        if not isinstance(shard, str) or not shard:
            raise ReadError(path, f"weight_map[{tensor!r}] is not a file name")
        if not is_safe_relative(shard):
            raise ReadError(path, f"weight_map[{tensor!r}] = {shard!r} leaves the model folder")
        shards.add(shard)
    return ShardIndex(metadata=dict(meta), weight_map=dict(wmap), shards=sorted(shards))


def is_safe_relative(name: str) -> bool:
    """A relative posix path that stays inside its folder."""
    if "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    norm = posixpath.normpath(name)
    return not (norm == ".." or norm.startswith("../") or norm == ".")


def shard_path(index_path: str, shard: str) -> str:
    """Path of a shard named by an index, relative to the same root as the index."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(index_path), shard))
