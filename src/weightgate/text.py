"""Text helpers shared by readers and rules: decoding and the one normalisation used for all matching.

Fingerprints, NOTICE strings and attribution phrases in the data files are matched after `normalise` is
applied to both sides, so data authors write phrases naturally and the matcher stays forgiving of markdown,
quote styles, line wrapping and the © / (c) spelling.
"""
from __future__ import annotations

import re

_QUOTES = dict.fromkeys(map(ord, "'\"‘’‚‛“”„‟`´«»‹›"), None)
_MARKUP = dict.fromkeys(map(ord, "*\\"), None)
_DASHES = {ord(c): "-" for c in "‐‑‒–—―−"}
_WS = re.compile(r"\s+")


def normalise(s: str) -> str:
    """Lowercase, NFKC, quotes and markdown emphasis removed, dashes unified, © → (c), whitespace collapsed."""
    s = _plain_marks(s)
    if not s.isascii():  # typographic quotes and dashes alone do not need NFKC (nor `unicodedata`)
        s = _plain_marks(nfkc(s))  # again: NFKC makes ASCII quotes of full-width ones
    return _WS.sub(" ", s).strip().lower()


def _plain_marks(s: str) -> str:
    s = s.replace("©", "(c)").replace("\\_", "_")
    return s.translate(_QUOTES).translate(_MARKUP).translate(_DASHES)


def nfkc(s: str) -> str:
    """NFKC normal form. ASCII text is already in it, so `unicodedata` (a C module a hook would load for
    nothing on most repositories) is imported only for text that needs it."""
    if s.isascii():
        return s
    import unicodedata

    return unicodedata.normalize("NFKC", s)


# Characters that do not show: zero-width spaces and joiners, soft hyphen, word joiner, BOM, bidi controls.
INVISIBLE = dict.fromkeys([0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063,
                           0x2064, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)], None)
# Cyrillic and Greek letters drawn like Latin ones (NFKC keeps them apart: "meta-llаma" with a Cyrillic а), and
# dashes and slashes drawn like ASCII ones.
LOOKALIKE = str.maketrans("аеорсхуіјѕԁԛѡһԝкмнтвАВЕКМНОРСТХУІЈЅοαειкκνρτυχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ‐‑‒–—―−⁄∕",
                          "aeopcxyijsdqwhwkmhtbABEKMHOPCTXYIJSoaeikkvptuxABEHIKMNOPTYXZ-------//")


def skeleton(s: str) -> str:
    """What a reader sees: NFKC, invisible characters dropped, look-alike letters as their Latin twins."""
    s = nfkc(s).translate(INVISIBLE)
    return s if s.isascii() else s.translate(LOOKALIKE)


def decode(data: bytes, lenient: bool = False) -> str:
    """Decode text from a checked file: UTF-8 (BOM stripped) or UTF-16 with a BOM.

    Raises UnicodeDecodeError for anything else (callers turn that into a finding), unless `lenient`: then
    undecodable bytes become U+FFFD and the rest of the text is read as it is.
    """
    errors = "replace" if lenient else "strict"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors)
    return data.decode("utf-8", errors)


def printable(s: str) -> str:
    """A file name that was not UTF-8 (Python keeps its bytes as lone surrogates) with those bytes written as
    `\\xNN`, so every output format stays valid UTF-8."""
    return re.sub("[\udc80-\udcff]", lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", s)


def slug(s: str) -> str:
    """Compare-friendly form of an identifier: lowercase ASCII alphanumerics only ("Apache 2.0" → "apache20")."""
    return s.lower().encode("ascii", "ignore").translate(None, _NOT_ALNUM).decode("ascii")


_NOT_ALNUM = bytes(b for b in range(256) if not (48 <= b <= 57 or 97 <= b <= 122))


class LazyPattern:
    """A regular expression compiled on first use. Compiling is a large part of a small check's cost, and many
    patterns (LFS pointers, prose about datasets, open-source claims) are needed by few repositories."""

    __slots__ = ("_args", "_re")

    def __init__(self, *args):
        self._args, self._re = args, None

    def __getattr__(self, name):
        if self._re is None:
            self._re = re.compile(*self._args)
        return getattr(self._re, name)


class FoldedPattern:
    """A case-insensitive pattern for callers that use only where it matches, whether it does, or lower-cased
    groups: it is matched against the lower-cased text and compiled without IGNORECASE, which doubles the compile
    time of a large alternation (the card prose patterns are compiled on most real cards). Positions are those of
    the given text: lower-casing keeps its length, else the IGNORECASE pattern reads the text itself. The pattern
    is written in lower case (a test holds it to that)."""

    __slots__ = ("lower", "any_case")

    def __init__(self, pattern: str, flags: int = 0):
        self.lower = LazyPattern(pattern, flags)
        self.any_case = LazyPattern(pattern, flags | re.I)

    def _on(self, text: str):
        low = text.lower()
        return (self.lower, low) if len(low) == len(text) else (self.any_case, text)

    def _matcher(name: str):  # noqa: N805 - builds the methods below
        def method(self, text: str):
            pattern, text = self._on(text)
            return getattr(pattern, name)(text)

        method.__name__ = name
        return method

    search, match = _matcher("search"), _matcher("match")
    fullmatch, finditer = _matcher("fullmatch"), _matcher("finditer")
    del _matcher
