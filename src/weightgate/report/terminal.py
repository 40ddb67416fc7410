"""Writing to a terminal: colour only where it helps (a TTY, NO_COLOR / FORCE_COLOR honoured) and never a
crash on a stream whose encoding cannot show “curly quotes”, ©, § or arrows (it gets an ASCII spelling).

Kept to `os`/`sys`: every hook run imports this module.
"""
from __future__ import annotations

import os
import sys

_ASCII = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "©": "(c)", "®": "(r)", "§": "S", "→": "->",
                        "←": "<-", "…": "...", "–": "-", "—": "-", "•": "*", "\u00a0": " ", "×": "x"})


def colour_wanted(stream, environ=None) -> bool:
    """NO_COLOR (any non-empty value) wins, then FORCE_COLOR; otherwise colour only on a real terminal."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


class Style:
    """ANSI styles for the parts of a report a reader scans for; `Style(False)` returns text unchanged."""

    def __init__(self, colour: bool = False):
        self.colour = colour

    def _sgr(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour and text else text

    def path(self, text: str) -> str:
        return self._sgr("1", text)

    def rule(self, text: str) -> str:
        return self._sgr("36", text)

    def severity(self, severity: str, text: str = "") -> str:
        return self._sgr("1;31" if severity == "error" else "1;33", text or severity)

    def dim(self, text: str) -> str:
        return self._sgr("2", text)


PLAIN = Style(False)


def to_ascii(text: str) -> str:
    """The report spelled in ASCII: typographic quotes, ©, §, arrows and dashes get their usual substitutes."""
    return text.translate(_ASCII).encode("ascii", "replace").decode("ascii")


def write(text: str, stream=None) -> None:
    """Write `text`, falling back to ASCII spellings when the stream's encoding cannot hold it."""
    stream = sys.stdout if stream is None else stream
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = to_ascii(text)
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a stream whose `encoding` does not say what it can hold
        stream.write(to_ascii(text))
