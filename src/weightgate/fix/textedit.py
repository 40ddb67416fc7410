"""Line-by-line editing of text files that keeps everything it does not touch.

A model card's front matter is edited as text, never re-dumped: a value is replaced inside its own line
(keeping the key's spelling, the quoting style and a trailing comment), a key is renamed in place, and new
keys are appended at the end of the block. Line endings (LF or CRLF) and a UTF-8 byte order mark are kept.
"""
from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple, Union

from ..collect.card import _LICENSE_HEADING  # the same notion of a "License" heading as the card reader

BOM = b"\xef\xbb\xbf"
_OPEN = re.compile(r"^[ \t]*---[ \t]*\r?\n$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$")
_KEY_LINE = re.compile(r"""^(?P<key>"[^"\n]*"|'[^'\n]*'|[^\s"'#:\-?&*!|>%@`{}\[\],][^:#\n]*?)(?P<colon>[ \t]*:)(?=[ \t]|$)""")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s")
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+-]*(?::(?!\s)[A-Za-z0-9._/+%?=&#~-]*)*$")
_YAML11_SPECIAL = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~"
    r"|[-+]?(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0x[0-9a-fA-F_]+"
    r"|0o?[0-7_]+|\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?)$")


class NotText(Exception):
    """The file is not UTF-8 text, so it is not edited."""


def yaml_scalar(value: str, style: str = "") -> str:
    """`value` as a YAML scalar: in the given quote style, else plain when that reads back as the same string."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"' or not _PLAIN_SAFE.match(value) or _YAML11_SPECIAL.match(value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _split_value(rest: str) -> Optional[Tuple[str, str, str, str]]:
    """(space before the value, the value as written, its quote style, what follows: spaces + comment).

    None when the value is not a one-line scalar (a block, a flow collection, an anchor, a tag…)."""
    m = re.match(r"[ \t]*", rest)
    lead, s = m.group(0), rest[m.end():]
    if not s or s[0] in "[{|>&*!%@`":
        return None
    if s[0] in "\"'":
        q = s[0]
        i = 1
        while i < len(s):
            if q == '"' and s[i] == "\\":
                i += 2
                continue
            if s[i] == q:
                if q == "'" and s[i + 1:i + 2] == "'":
                    i += 2
                    continue
                break
            i += 1
        else:
            return None  # quoted scalar continues on the next line
        value, tail = s[:i + 1], s[i + 1:]
        if tail.strip() and not tail.strip().startswith("#"):
            return None
        return lead, value, q, tail
    c = re.search(r"[ \t]+#", s)
    value = s[:c.start()] if c else s
    stripped = value.rstrip(" \t")
    return lead, stripped, "", s[len(stripped):]


class TextFile:
    """A UTF-8 text file as a list of lines, each with its own line ending."""

    def __init__(self, data: Optional[bytes]):
        data = data or b""
        self.bom = data.startswith(BOM)
        try:
            text = (data[3:] if self.bom else data).decode("utf-8")
        except UnicodeDecodeError:
            raise NotText("not UTF-8 text") from None
        parts = text.split("\n")
        self.lines: List[str] = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        first = next((l for l in self.lines if l.endswith("\n")), None)
        self.nl = "\r\n" if first is not None and first.endswith("\r\n") else "\n"

    def data(self) -> bytes:
        return (BOM if self.bom else b"") + "".join(self.lines).encode("utf-8")

    @staticmethod
    def content(line: str) -> str:
        return line.rstrip("\r\n")

    def _ending(self, line: str) -> str:
        return line[len(self.content(line)):]

    def ensure_final_newline(self) -> None:
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += self.nl

    def append_paragraph(self, lines: Sequence[str]) -> None:
        """Add lines at the end, separated from what is there by one blank line."""
        self.ensure_final_newline()
        if self.lines and self.content(self.lines[-1]).strip():
            self.lines.append(self.nl)
        self.lines.extend(l + self.nl for l in lines)


class Card(TextFile):
    """A model card: front matter edited as text, sections added to the body."""

    def __init__(self, data: Optional[bytes]):
        super().__init__(data)
        self.close = self._find_close()

    def _find_close(self) -> Optional[int]:
        if not self.lines or not _OPEN.match(self.lines[0]):
            return None
        for i in range(1, len(self.lines)):
            if _CLOSE.match(self.content(self.lines[i])):
                return i
        return None

    @property
    def has_front_matter(self) -> bool:
        return self.close is not None

    def front_matter(self) -> str:
        return "".join(self.lines[1:self.close]) if self.close is not None else ""

    def data_keys(self) -> Optional[dict]:
        """The parsed front matter (None when absent or not a mapping)."""
        if self.close is None:
            return {}
        import yaml

        try:
            data = yaml.safe_load(self.front_matter())
        except yaml.YAMLError:
            return None
        if data is None:
            return {}
        return data if isinstance(data, dict) else None

    # ---- in-place line edits --------------------------------------------------------------------------
    def _key_line(self, line_no: int) -> Optional[Tuple[int, re.Match]]:
        i = line_no - 1
        if self.close is None or not 0 < i < self.close:
            return None
        m = _KEY_LINE.match(self.lines[i])
        return (i, m) if m else None

    def key_at(self, line_no: int) -> Optional[str]:
        hit = self._key_line(line_no)
        return hit[1].group("key").strip("\"'") if hit else None

    def value_at(self, line_no: int) -> Optional[Tuple[str, str]]:
        """(value as written, quote style) of the `key: value` on this line."""
        hit = self._key_line(line_no)
        if not hit:
            return None
        i, m = hit
        parts = _split_value(self.content(self.lines[i])[m.end():])
        return (parts[1], parts[2]) if parts else None

    def set_value(self, line_no: int, value: str) -> bool:
        """Replace the scalar value on this line, keeping the quote style and any comment. False if not possible."""
        hit = self._key_line(line_no)
        if not hit:
            return False
        i, m = hit
        line = self.lines[i]
        body = self.content(line)
        parts = _split_value(body[m.end():])
        if parts is None:
            return False
        lead, _old, style, tail = parts
        self.lines[i] = body[:m.end()] + (lead or " ") + yaml_scalar(value, style) + tail + self._ending(line)
        return True

    def rename_key(self, line_no: int, new_key: str) -> bool:
        hit = self._key_line(line_no)
        if not hit:
            return False
        i, m = hit
        key = m.group("key")
        q = key[0] if key[0] in "\"'" else ""
        new = f"{q}{new_key}{q}" if q else new_key
        self.lines[i] = new + self.lines[i][m.start("colon"):]
        return True

    # ---- adding keys ----------------------------------------------------------------------------------
    def _list_indent(self) -> str:
        for line in self.lines[1:self.close or 0]:
            m = re.match(r"^([ \t]*)- ", line)
            if m:
                return m.group(1)
        return ""

    def add_key(self, key: str, value: Union[str, Sequence[str]]) -> None:
        """Append `key: value` (or a block list) at the end of the front matter, creating it if absent."""
        if self.close is None:
            self.lines[0:0] = ["---" + self.nl, "---" + self.nl]
            self.close = 1
        if isinstance(value, str):
            new = [f"{key}: {yaml_scalar(value)}{self.nl}"]
        else:
            indent = self._list_indent()
            new = [f"{key}:{self.nl}"] + [f"{indent}- {yaml_scalar(v)}{self.nl}" for v in value]
        self.lines[self.close:self.close] = new
        self.close += len(new)

    # ---- body ---------------------------------------------------------------------------------------------
    def _body_start(self) -> int:
        return self.close + 1 if self.close is not None else 0

    def license_section(self) -> Optional[Tuple[int, int]]:
        """(heading index, end index) of the first "License" section of the body."""
        in_code = False
        start = level = None
        for i in range(self._body_start(), len(self.lines)):
            text = self.content(self.lines[i])
            if text.strip().startswith(("```", "~~~")):
                in_code = not in_code
                continue
            if in_code:
                continue
            h = _HEADING.match(text)
            if not h:
                continue
            if start is None:
                if _LICENSE_HEADING.match(text):
                    start, level = i, len(h.group(1))
            elif len(h.group(1)) <= level:
                return start, i
        return (start, len(self.lines)) if start is not None else None

    def add_to_license_section(self, paragraph: str) -> None:
        """Add a paragraph at the end of the card's License section (created at the end of the body if absent)."""
        section = self.license_section()
        if section is None:
            self.append_paragraph(["## License", "", paragraph])
            return
        head, end = section
        k = end
        while k > head + 1 and not self.content(self.lines[k - 1]).strip():
            k -= 1
        if not self.lines[k - 1].endswith("\n"):
            self.lines[k - 1] += self.nl
        new = [self.nl, paragraph + self.nl]
        if k < len(self.lines) and self.content(self.lines[k]).strip():
            new.append(self.nl)  # a heading follows directly: keep a blank line before it
        self.lines[k:k] = new
