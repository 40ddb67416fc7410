"""Small helpers shared by the binary readers: exact reads, seeking, and a JSON nesting guard."""
from __future__ import annotations

import json
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, BinaryIO

from ..errors import ReadError

_SKIP_CHUNK = 1 << 20

# A JSON string, written as an unrolled loop so the regex engine never backtracks deeply.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")

# json.loads recurses once per nesting level; stay far below the interpreter's recursion limit.
MAX_JSON_DEPTH = 64


def read_exact(f: BinaryIO, n: int, path: str, what: str = "data") -> bytes:
    """Read exactly n bytes or raise ReadError (short reads are retried; EOF is an error)."""
    if n == 0:
        return b""
    try:
        data = f.read(n)
        if data is None:
            data = b""
        if len(data) < n:
            parts = [data]
            got = len(data)
            while got < n:
                more = f.read(n - got)
                if not more:
                    break
                parts.append(more)
                got += len(more)
            data = b"".join(parts)
    except MemoryError:
        raise ReadError(path, f"{what} too large to read") from None
    except OSError as e:
        raise ReadError(path, f"cannot read: {e.strerror or e}") from None
    if len(data) < n:
        raise ReadError(path, f"unexpected end of file while reading {what}")
    return data


def skip(f: BinaryIO, n: int, path: str) -> None:
    """Move n bytes forward without keeping them: a seek when the stream allows it."""
    if n <= 0:
        return
    try:
        seekable = f.seekable()
    except (OSError, ValueError, AttributeError):
        seekable = False
    try:
        if seekable:
            f.seek(n, 1)
            return
        while n > 0:
            chunk = f.read(min(n, _SKIP_CHUNK))
            if not chunk:
                raise ReadError(path, "unexpected end of file")
            n -= len(chunk)
    except OSError as e:
        raise ReadError(path, f"cannot read: {e.strerror or e}") from None


def json_too_deep(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when `data` nests arrays/objects deeper than about `limit` levels (or its brackets do not
    balance, which json.loads would reject anyway).

    Strings are blanked first, then every other byte except brackets is dropped; each round removes the
    innermost `[]`/`{}` pairs. Everything runs in C, so a 100 MB header of `[` costs a few passes, not a
    Python loop per byte. A round may remove up to two levels, so the effective cap is at most 2*limit.
    """
    skeleton = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        if not skeleton:
            return False
        shorter = skeleton.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(skeleton):
            return True  # unbalanced: let the caller reject it
        skeleton = shorter
    return bool(skeleton)


def load_json(data: bytes, path: str, what: str) -> Any:
    """Strict UTF-8 JSON with a nesting bound; every failure becomes ReadError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReadError(path, f"{what} is not valid UTF-8 (byte {e.start})") from None
    if json_too_deep(data):
        raise ReadError(path, f"{what} is nested too deeply or its brackets do not balance")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:  # JSONDecodeError is a ValueError; so is the int-digit cap
        msg = getattr(e, "msg", None) or str(e) or type(e).__name__
        raise ReadError(path, f"{what} is not valid JSON: {msg}") from None
    except MemoryError:
        raise ReadError(path, f"{what} too large to parse") from None


class PrefixedStream:
    """A stream whose first bytes were already read (to sniff the format): yields them, then the rest.

    Supports what the readers use: read(n), seekable(), and relative seek(n, 1)."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(n)
        if n is None or n < 0:
            data, self._head = self._head + self._rest.read(), b""
            return data
        data, self._head = self._head[:n], self._head[n:]
        if len(data) < n:
            data += self._rest.read(n - len(data))
        return data

    def seekable(self) -> bool:
        try:
            return self._rest.seekable()
        except (OSError, ValueError, AttributeError):
            return False

    def seek(self, offset: int, whence: int = 0) -> None:
        if whence != 1 or offset < 0:
            raise OSError("PrefixedStream supports forward relative seeks only")
        used = min(offset, len(self._head))
        self._head = self._head[used:]
        if offset > used:
            self._rest.seek(offset - used, 1)
