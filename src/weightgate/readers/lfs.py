"""Git LFS pointer files (git-lfs/git-lfs:docs/spec.md).

A pointer is a small UTF-8 text of `key value` lines, each ending in LF: `version` first, the other keys
sorted; `oid sha256:<64 hex>` and `size <bytes>` are required. The object lives at
<git dir>/lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>.
"""
from __future__ import annotations

import os
import stat
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import BinaryIO, Iterable, Optional, Tuple

from .._record import record

from ..errors import ReadError
from ..text import LazyPattern

MAX_POINTER = 1024  # git-lfs never treats a larger file as a pointer
VERSION_LINE = b"version https://git-lfs.github.com/spec/v1"
_OLD_VERSION = b"version https://hawser.github.com/spec/v1"  # pre-1.0 pointers, still accepted by git-lfs

_KEY = LazyPattern(r"[a-z0-9.-]+\Z")
_EXT_KEY = LazyPattern(r"ext-[0-9]-[a-z0-9.-]+\Z")  # the only keys the spec allows besides version/oid/size
_OID = LazyPattern(r"sha256:([0-9a-f]{64})\Z")
_SIZE = LazyPattern(r"(0|[1-9][0-9]*)\Z")


@record
class LfsPointer:
    oid: str  # 64 lowercase hex digits
    size: int


def looks_like_pointer(head: bytes, size: int) -> bool:
    """Whether a file of `size` bytes beginning with `head` claims to be a pointer (then parse it strictly)."""
    return size < MAX_POINTER and (head.startswith(VERSION_LINE) or head.startswith(_OLD_VERSION))


def parse_pointer(data: bytes, path: str) -> LfsPointer:
    if len(data) >= MAX_POINTER:
        raise ReadError(path, f"LFS pointer is {len(data)} bytes; pointers are under {MAX_POINTER}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ReadError(path, "LFS pointer is not valid UTF-8") from None
    if not text.endswith("\n"):
        raise ReadError(path, "LFS pointer does not end with a newline")
    lines = text[:-1].split("\n")
    pairs = []
    for n, line in enumerate(lines, 1):
        key, sep, value = line.partition(" ")
        if not sep or not _KEY.match(key) or not value or "\r" in value:
            raise ReadError(path, f"malformed LFS pointer line {n}: {line[:80]!r}", line=n)
        pairs.append((key, value, n))
    if pairs[0][0] != "version" or pairs[0][1].encode() not in (VERSION_LINE[8:], _OLD_VERSION[8:]):
        raise ReadError(path, "LFS pointer does not start with 'version https://git-lfs.github.com/spec/v1'")
    keys = [k for k, _, _ in pairs[1:]]
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        raise ReadError(path, "LFS pointer keys after 'version' are not sorted and unique")
    for k, _, n in pairs[1:]:
        if k not in ("oid", "size") and not _EXT_KEY.match(k):
            raise ReadError(path, f"LFS pointer has an unknown key {k!r}", line=n)
    fields = {k: (v, n) for k, v, n in pairs}
    if "oid" not in fields:
        raise ReadError(path, "LFS pointer has no 'oid' line")
    if "size" not in fields:
        raise ReadError(path, "LFS pointer has no 'size' line")
    oid_m = _OID.match(fields["oid"][0])
    if not oid_m:
        raise ReadError(path, f"LFS pointer oid {fields['oid'][0][:80]!r} is not 'sha256:' + 64 lowercase hex "
                              "digits", line=fields["oid"][1])
    if not _SIZE.match(fields["size"][0]):
        raise ReadError(path, f"LFS pointer size {fields['size'][0][:40]!r} is not a decimal integer",
                        line=fields["size"][1])
    return LfsPointer(oid=oid_m.group(1), size=int(fields["size"][0]))


def object_path(objects_dir: str, oid: str) -> str:
    return os.path.join(objects_dir, oid[0:2], oid[2:4], oid)


def resolve(pointer: LfsPointer, objects_dirs: Iterable[str]) -> Tuple[Optional[str], str]:
    """(path of the local object, "") or (None, why not). An object of the wrong size counts as absent:
    it is a partial download."""
    why = "not in any local LFS object store"
    for d in objects_dirs:
        p = object_path(d, pointer.oid)
        try:
            st = os.stat(p)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if st.st_size != pointer.size:
            why = f"the local object is {st.st_size} bytes, the pointer says {pointer.size} (incomplete download)"
            continue
        return p, ""
    return None, why


def open_object(p: str, path: str) -> Tuple[BinaryIO, int]:
    """Open a resolved object (a plain file under .git, outside any Source) for reading."""
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise ReadError(path, f"cannot read LFS object: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError(path, "LFS object is not a regular file")
        return os.fdopen(fd, "rb"), st.st_size
    except BaseException:
        os.close(fd)
        raise
