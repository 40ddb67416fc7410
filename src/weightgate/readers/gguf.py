"""GGUF v2/v3 key-value section (ggml-org/ggml:docs/gguf.md).

Layout: magic "GGUF", u32 version, u64 tensor_count, u64 kv_count, then kv_count pairs of
key (u64 length + UTF-8), u32 value type, value. Arrays are item type + u64 count + items. We stop at the
end of the key-value section: tensor infos and tensor data are never read.
"""
from __future__ import annotations

import struct
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, BinaryIO, Dict

from .._record import record

from ..errors import ReadError
from ._io import read_exact, skip

MAX_STRING_KEPT = 1 << 20  # longer string values are skipped, not kept
MAX_KEY = 65535  # the spec caps keys at 2**16 - 1 bytes
MAX_ARRAY_KEPT = 256  # small string arrays under general.* are kept (tags, languages)
MAX_ARRAY_DEPTH = 8
_WALK_CHUNK = 1 << 16  # string arrays (vocabularies) are walked through a buffer of this size

T_STRING, T_ARRAY = 8, 9
# type -> (struct code, size); 8 (string) and 9 (array) are variable-sized
_SCALARS = {0: ("B", 1), 1: ("b", 1), 2: ("H", 2), 3: ("h", 2), 4: ("I", 4), 5: ("i", 4), 6: ("f", 4),
            7: ("?", 1), 10: ("Q", 8), 11: ("q", 8), 12: ("d", 8)}
# smallest possible encoding of one value of each type, to bound counts before looping over them
_MIN_SIZE = {**{t: s for t, (_, s) in _SCALARS.items()}, T_STRING: 8, T_ARRAY: 12}


@record
class GGUFHeader:
    version: int
    tensor_count: int
    kv_count: int
    metadata: Dict[str, Any]  # scalars and (capped) strings; big arrays and long strings are left out
    kv_end: int  # file offset just past the key-value section


class _Reader:
    """Position-tracking reads with bounds checks against the file size.

    Reads are exact, except while walking string arrays, which fill `buf` in chunks; later reads drain
    `buf` first. So the file is read at most _WALK_CHUNK bytes past the key-value section."""

    def __init__(self, f: BinaryIO, size: int, path: str, endian: str):
        self.f, self.size, self.path, self.e = f, size, path, endian
        self.pos = 0  # logical position in the file
        self.buf = b""  # bytes at [pos, pos + len(buf) - i) already read from the file
        self.i = 0

    def need(self, n: int, what: str) -> None:
        if n < 0 or n > self.size - self.pos:
            raise ReadError(self.path, f"{what} ({n} bytes at offset {self.pos}) runs past the end of the "
                                       f"{self.size}-byte file")

    def read(self, n: int, what: str) -> bytes:
        self.need(n, what)
        avail = len(self.buf) - self.i
        if avail >= n:
            data = self.buf[self.i:self.i + n]
            self.i += n
        else:
            data = self.buf[self.i:] + read_exact(self.f, n - avail, self.path, what)
            self.buf, self.i = b"", 0
        self.pos += n
        return data

    def skip(self, n: int, what: str) -> None:
        self.need(n, what)
        avail = len(self.buf) - self.i
        if avail >= n:
            self.i += n
        else:
            skip(self.f, n - avail, self.path)
            self.buf, self.i = b"", 0
        self.pos += n

    def fill(self, n: int) -> None:
        """Make at least n bytes available in buf (n <= what is left of the file), reading a chunk."""
        avail = len(self.buf) - self.i
        if avail >= n:
            return
        file_left = self.size - self.pos - avail
        want = min(max(_WALK_CHUNK, n - avail), file_left)
        self.buf = self.buf[self.i:] + read_exact(self.f, want, self.path, "array data")
        self.i = 0

    def u32(self, what: str) -> int:
        return struct.unpack(self.e + "I", self.read(4, what))[0]

    def u64(self, what: str) -> int:
        return struct.unpack(self.e + "Q", self.read(8, what))[0]


def read_header(f: BinaryIO, size: int, path: str) -> GGUFHeader:
    if size < 24:
        raise ReadError(path, f"file is {size} bytes, too short for a GGUF header")
    head = read_exact(f, 24, path, "the GGUF header")
    if head[:4] != b"GGUF":
        raise ReadError(path, f"bad magic {head[:4]!r}, expected b'GGUF'")
    endian = "<"
    (version,) = struct.unpack("<I", head[4:8])
    if version > 0xFFFF and struct.unpack(">I", head[4:8])[0] in (2, 3):
        endian = ">"  # big-endian GGUF (s390x builds): same layout, other byte order
        (version,) = struct.unpack(">I", head[4:8])
    if version == 1:
        raise ReadError(path, "unsupported GGUF version 1 (re-convert with a current llama.cpp)")
    if version not in (2, 3):
        raise ReadError(path, f"unsupported GGUF version {version}")
    tensor_count, kv_count = struct.unpack(endian + "QQ", head[8:24])
    r = _Reader(f, size, path, endian)
    r.pos = 24
    if kv_count * 13 > size - 24:  # key length 8 + type 4 + one byte of value, at the very least
        raise ReadError(path, f"kv_count {kv_count} cannot fit in a {size}-byte file")
    if tensor_count > size:
        raise ReadError(path, f"tensor_count {tensor_count} cannot fit in a {size}-byte file")
    meta: Dict[str, Any] = {}
    for i in range(kv_count):
        klen = r.u64(f"key length of pair {i}")
        if klen > MAX_KEY:
            raise ReadError(path, f"key length {klen} of pair {i} exceeds {MAX_KEY}")
        try:
            key = r.read(klen, f"key of pair {i}").decode("utf-8")
        except UnicodeDecodeError:
            raise ReadError(path, f"key of pair {i} (offset {r.pos - klen}) is not valid UTF-8") from None
        vtype = r.u32(f"value type of {key!r}")
        value = _value(r, vtype, key, keep_arrays=key.startswith("general."))
        if value is not _SKIPPED:
            meta[key] = value
    return GGUFHeader(version=version, tensor_count=tensor_count, kv_count=kv_count, metadata=meta,
                      kv_end=r.pos)


class _Skipped:
    pass


_SKIPPED = _Skipped()


def _value(r: _Reader, vtype: int, key: str, keep_arrays: bool):
    if vtype in _SCALARS:
        code, n = _SCALARS[vtype]
        return struct.unpack(r.e + code, r.read(n, f"value of {key!r}"))[0]
    if vtype == T_STRING:
        n = r.u64(f"string length of {key!r}")
        if n > MAX_STRING_KEPT:
            r.skip(n, f"string value of {key!r}")
            return _SKIPPED
        return r.read(n, f"string value of {key!r}").decode("utf-8", "replace")
    if vtype == T_ARRAY:
        return _array(r, key, keep_arrays, 0)
    raise ReadError(r.path, f"value type {vtype} of {key!r} is not a GGUF type (0-12)")


def _array(r: _Reader, key: str, keep: bool, depth: int):
    if depth >= MAX_ARRAY_DEPTH:
        raise ReadError(r.path, f"arrays nested more than {MAX_ARRAY_DEPTH} deep in {key!r}")
    itype = r.u32(f"array item type of {key!r}")
    count = r.u64(f"array length of {key!r}")
    if itype not in _MIN_SIZE:
        raise ReadError(r.path, f"array item type {itype} of {key!r} is not a GGUF type (0-12)")
    r.need(count * _MIN_SIZE[itype], f"array {key!r} of {count} items")
    if itype in _SCALARS:
        # Fixed-size items (token types, scores): seek over them, whatever their number.
        r.skip(count * _SCALARS[itype][1], f"array {key!r}")
        return _SKIPPED
    if itype == T_ARRAY:
        for _ in range(count):
            _array(r, key, False, depth + 1)
        return _SKIPPED
    # Strings: each carries its own length, so the array must be walked (a vocabulary has ~10^5 items).
    if keep and count <= MAX_ARRAY_KEPT:
        items = []
        for j in range(count):
            v = _value(r, T_STRING, f"{key}[{j}]", False)
            if v is not _SKIPPED:
                items.append(v)
        return items
    _walk_strings(r, key, count)
    return _SKIPPED


def _walk_strings(r: _Reader, key: str, count: int) -> None:
    """Step over `count` length-prefixed strings without decoding them: lengths are parsed straight out
    of the read buffer, and strings longer than the buffer are seeked over."""
    unpack = struct.Struct(r.e + "Q").unpack_from
    done = 0
    while done < count:
        # Fast path (a vocabulary and its merges hold ~10^5 short strings): step through the buffered bytes
        # while each string lies wholly inside them (so inside the file: no further checks). A tight loop:
        # this is most of a GGUF check's time.
        buf, i = r.buf, r.i
        end = len(buf)
        last = end - 8
        start, taken = i, count - done
        for n in range(count - done):
            if i > last:
                taken = n
                break
            j = i + 8 + unpack(buf, i)[0]
            if j > end:
                taken = n
                break
            i = j
        done += taken
        r.i, r.pos = i, r.pos + (i - start)
        if done >= count:
            break
        # Slow path: the next length or string crosses the end of the buffer.
        r.need(8, f"length of string {done} of array {key!r}")
        r.fill(8)
        (size,) = unpack(r.buf, r.i)
        r.i += 8
        r.pos += 8
        r.need(size, f"string {done} of array {key!r}")
        if size <= len(r.buf) - r.i:
            r.i += size
            r.pos += size
        else:
            r.skip(size, f"string {done} of array {key!r}")
        done += 1
