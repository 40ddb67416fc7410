"""ONNX ModelProto metadata, by walking the protobuf wire format of the top-level message only.

Fields kept (onnx/onnx:onnx/onnx.proto): ir_version 1, producer_name 2, producer_version 3, domain 4,
model_version 5, doc_string 6 (capped), metadata_props 14 (StringStringEntryProto: key 1, value 2).
Everything else, the graph (7) above all, is seeked over and never read.
"""
from __future__ import annotations

if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import BinaryIO, Dict, Optional

from ..errors import ReadError
from ._io import read_exact, skip

MAX_DOC = 64 * 1024  # a longer doc_string is skipped
MAX_ENTRY = 16 * 1024 * 1024  # a longer metadata_props entry is skipped
MAX_FIELDS = 1_000_000  # top-level fields; a model has a dozen plus its metadata_props

_STRINGS = {2: "producer_name", 3: "producer_version", 4: "domain"}
_MAX_SMALL = 64 * 1024


class OnnxHeader:
    """Filled field by field while walking the ModelProto (so a plain class, not a record)."""

    __slots__ = ("ir_version", "metadata_props", "producer_name", "producer_version", "domain", "model_version",
                 "doc_string")

    def __init__(self, ir_version: int):
        self.ir_version = ir_version
        self.metadata_props: Dict[str, str] = {}
        self.producer_name = ""
        self.producer_version = ""
        self.domain = ""
        self.model_version: Optional[int] = None
        self.doc_string = ""


class _Stream:
    def __init__(self, f: BinaryIO, size: int, path: str):
        self.f, self.size, self.path, self.pos = f, size, path, 0

    def varint(self, what: str) -> int:
        result = shift = 0
        for _ in range(10):
            if self.pos >= self.size:
                raise ReadError(self.path, f"unexpected end of file in a varint ({what}) at offset {self.pos}")
            b = read_exact(self.f, 1, self.path, what)[0]
            self.pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
        raise ReadError(self.path, f"malformed varint ({what}) ending at offset {self.pos}: over 10 bytes")

    def check(self, n: int, what: str) -> None:
        if n > self.size - self.pos:
            raise ReadError(self.path, f"{what} of {n} bytes at offset {self.pos} runs past the end of the "
                                       f"{self.size}-byte file")

    def read(self, n: int, what: str) -> bytes:
        self.check(n, what)
        data = read_exact(self.f, n, self.path, what)
        self.pos += n
        return data

    def skip(self, n: int, what: str) -> None:
        self.check(n, what)
        skip(self.f, n, self.path)
        self.pos += n


def read_header(f: BinaryIO, size: int, path: str) -> OnnxHeader:
    if size == 0:
        raise ReadError(path, "empty file")
    s = _Stream(f, size, path)
    out = OnnxHeader(ir_version=-1)
    nfields = 0
    while s.pos < size:
        nfields += 1
        if nfields > MAX_FIELDS:
            raise ReadError(path, f"more than {MAX_FIELDS} top-level fields")
        key = s.varint("field tag")
        num, wire = key >> 3, key & 7
        if num == 0:
            raise ReadError(path, f"invalid field number 0 at offset {s.pos}")
        if wire == 0:
            v = s.varint(f"field {num}")
            if num == 1:
                out.ir_version = v
            elif num == 5:
                out.model_version = v
        elif wire == 1:
            s.skip(8, f"field {num}")
        elif wire == 5:
            s.skip(4, f"field {num}")
        elif wire == 2:
            n = s.varint(f"length of field {num}")
            s.check(n, f"field {num}")
            if num == 14 and n <= MAX_ENTRY:
                k, v = _entry(s.read(n, "metadata_props entry"), path)
                out.metadata_props[k] = v  # repeated keys: the last one wins, as in onnx.load
            elif num in _STRINGS and n <= _MAX_SMALL:
                setattr(out, _STRINGS[num], s.read(n, _STRINGS[num]).decode("utf-8", "replace"))
            elif num == 6 and n <= MAX_DOC:
                out.doc_string = s.read(n, "doc_string").decode("utf-8", "replace")
            else:
                s.skip(n, f"field {num}")  # the graph, initializers, functions …: never read
        else:
            # 3/4 are deprecated groups (unused by ONNX); 6/7 do not exist
            raise ReadError(path, f"invalid wire type {wire} for field {num} at offset {s.pos}: "
                                  "not an ONNX model")
    if out.ir_version < 0:
        raise ReadError(path, "no ir_version field: not an ONNX model")
    return out


def _entry(data: bytes, path: str):
    """Parse one StringStringEntryProto from memory."""
    i, n = 0, len(data)
    key = value = ""

    def varint():
        nonlocal i
        result = shift = 0
        for _ in range(10):
            if i >= n:
                raise ReadError(path, "truncated varint in a metadata_props entry")
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
        raise ReadError(path, "malformed varint in a metadata_props entry")

    while i < n:
        tag = varint()
        num, wire = tag >> 3, tag & 7
        if num == 0:
            raise ReadError(path, "invalid field number 0 in a metadata_props entry")
        if wire == 0:
            varint()
        elif wire == 1 or wire == 5:
            step = 8 if wire == 1 else 4
            if i + step > n:
                raise ReadError(path, "truncated fixed-width field in a metadata_props entry")
            i += step
        elif wire == 2:
            ln = varint()
            if ln > n - i:
                raise ReadError(path, "string runs past the end of a metadata_props entry")
            raw = data[i:i + ln]
            i += ln
            if num == 1:
                key = raw.decode("utf-8", "replace")
            elif num == 2:
                value = raw.decode("utf-8", "replace")
        else:
            raise ReadError(path, f"invalid wire type {wire} in a metadata_props entry")
    return key, value
