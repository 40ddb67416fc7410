"""collect: read one model folder (and the licence files above it) into facts with locations."""
from __future__ import annotations

import posixpath
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List, Optional, Tuple

from ..errors import ReadError
from ..facts import Fact, LicenseFile, ModelFacts, Problem
from ..sources import TEXT_CAP, Source
from ..text import decode, normalise
from .. import discover
from .card import meant_key, read_card, split_front_matter
from .configs import looks_like_mergekit, read_adapter_config, read_mergekit, read_model_config

# Front-matter keys that make a lone README.md a model card (a plain project README has none of them),
# matched in any case and spelling the Hub would not read (`License:`, `base-model:` still say "model card").
MODEL_CARD_KEYS = ("base_model", "license", "library_name", "pipeline_tag", "model-index", "model_name",
                   "base_model_relation", "license_name", "licence")
# Keys of static-site generators (Jekyll, MkDocs, Hugo, Docusaurus). A docs page with `title:`/`layout:` and
# a `license: MIT` is the project's documentation, not a model card, unless it also names model-only keys.
SITE_KEYS = ("layout", "title", "permalink", "nav_order", "nav_exclude", "parent", "grand_parent", "has_children",
             "sidebar_position", "sidebar_label", "slug", "weight", "draft", "hide", "template", "date",
             "redirect_from", "toc", "search_exclude", "categories")
_MODEL_ONLY_KEYS = ("base_model", "library_name", "pipeline_tag", "model-index", "model_name", "base_model_relation")
# the same, spelt as card_says_model compares keys (`-` as `_`), built once
_COMPARED_MODEL_KEYS = frozenset(k.replace("-", "_") for k in MODEL_CARD_KEYS)
_COMPARED_MODEL_ONLY_KEYS = frozenset(k.replace("-", "_") for k in _MODEL_ONLY_KEYS)


def _front_keys(yaml_text: str) -> List[str]:
    """Top-level keys of front matter, lowercased with `-`/space as `_` (a cheap look before parsing YAML)."""
    return [line.split(":", 1)[0].strip().lower().replace("-", "_").replace(" ", "_")
            for line in yaml_text.splitlines() if ":" in line and line[:1] not in (" ", "\t", "#", "-")]


_CURRENT = [None]


def current_file():
    """The file being read when something unexpected happened (for the CLI's internal-error line)."""
    return _CURRENT[0]


class Reader:
    """Reads text files from a Source once, decoding and capping them; failures become problem facts."""

    def __init__(self, source: Source):
        self.source = source
        self._cache: Dict[str, Tuple[Optional[str], List[Fact]]] = {}
        self._licence_cache: Dict[str, Tuple[str, tuple, tuple]] = {}

    def identified(self, path: str, text: str, kb) -> Tuple[str, tuple, tuple]:
        """(normalised text, licence ids, full copies) of a licence file, computed once per check: a LICENSE
        at the repository root governs every model folder below it."""
        hit = self._licence_cache.get(path)
        if hit is None:
            norm = normalise(text)
            hit = self._licence_cache[path] = (norm, *kb.identify(norm))
        return hit

    def text(self, path: str) -> Tuple[Optional[str], List[Fact]]:
        if path in self._cache:
            return self._cache[path]
        problems: List[Fact] = []
        text = None
        _CURRENT[0] = path
        try:
            data = self.source.read_bytes(path, TEXT_CAP + 1)
            if len(data) > TEXT_CAP:
                data = data[:TEXT_CAP]
                problems.append(Fact("problem", Problem(
                    "metadata-invalid", f"file is larger than {TEXT_CAP // (1024 * 1024)} MB; only the start was read",
                    "keep cards, configs and licence files small"), path, 1, "read", ))
            text, problem = _decode_leniently(data)
            if problem is not None:
                problems.append(Fact("problem", problem[0], path, problem[1], "read"))
        except ReadError as e:
            problems.append(Fact("problem", Problem("metadata-invalid", f"cannot read: {e.message}",
                                                    "replace it with a regular file inside the repository"),
                                 path, 1, "read"))
        self._cache[path] = (text, problems)
        return text, problems


def _decode_leniently(data: bytes):
    """(text or None, (Problem, line) or None). A text file that is not clean UTF-8 is still what it says it is:
    a card with a cp1252 apostrophe, Latin-1 letters or a stray NUL is reported at the first bad byte, then read
    with the bad bytes replaced, so every rule still runs on it. Only binary junk (NUL bytes in a file that
    does not open like a card) is left unread."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        bom_less = _utf16_without_bom(data)
        if bom_less is not None:
            return bom_less, (Problem("metadata-invalid", "UTF-16 text without a byte-order mark; the Hub and most "
                                      "tools read it as binary", "save the file as UTF-8"), 1)
        if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"---"):
            return None, (Problem("metadata-invalid", "not UTF-8 text (binary data (NUL bytes))",
                                  "save the file as UTF-8"), 1)
        at = data.index(b"\x00")
        text = decode(data.replace(b"\x00", b""), lenient=True)
        return text, (Problem("metadata-invalid", "holds NUL bytes (binary data in a text file); read without them",
                              "save the file as plain UTF-8 text"), data.count(b"\n", 0, at) + 1)
    try:
        return decode(data), None
    except UnicodeDecodeError as e:
        bad = data[e.start:e.start + 4]
        return decode(data, lenient=True), (Problem(
            "metadata-invalid", f"not UTF-8 text ({e.reason}: byte {bad[:1].hex()} at offset {e.start}, probably "
            "cp1252/Latin-1); read with the byte replaced, but the Hub and other tools may not read it at all",
            "save the file as UTF-8"), data.count(b"\n", 0, e.start) + 1)


def _utf16_without_bom(data: bytes) -> Optional[str]:
    """The text of UTF-16 saved without a byte-order mark (every other byte of an ASCII start is NUL), else None."""
    head = data[:64]
    for enc, text_bytes, nul_bytes in (("utf-16-le", head[0::2], head[1::2]), ("utf-16-be", head[1::2], head[0::2])):
        if len(head) >= 8 and nul_bytes.strip(b"\x00") == b"" and b"\x00" not in text_bytes:
            return data[: len(data) // 2 * 2].decode(enc, "replace")
    return None


def card_says_model(reader: Reader, path: str) -> bool:
    text, _ = reader.text(path)
    if not text:
        return False
    yaml_text, _, _, _ = split_front_matter(text)
    if yaml_text is None:
        return False
    # meant_key answers in the Hub's spelling (`model-index`): compare every key with `-` as `_`
    keys = [(meant_key(k) or k).replace("-", "_") for k in _front_keys(yaml_text)]
    if any(k in _COMPARED_MODEL_KEYS for k in keys):
        site = any(k in SITE_KEYS for k in keys)
        return not site or any(k in _COMPARED_MODEL_ONLY_KEYS for k in keys)
    # Front matter that is not a plain `key: value` mapping is broken metadata worth reporting.
    first = next((l for l in yaml_text.splitlines() if l.strip() and not l.lstrip().startswith("#")), "")
    return bool(first) and not re.match(r"^[\w.-]+\s*:", first)


def collect_model(reader: Reader, kb, folder: str, files: List[str], stop_at: str,
                  lfs_dirs: List[str], name_hint: str) -> ModelFacts:
    source = reader.source
    mf = ModelFacts(root=folder or ".", name_hint=name_hint)
    join = (lambda n: f"{folder}/{n}") if folder else (lambda n: n)
    mf.files = [join(n) for n in files]
    for name in files:
        low = name.rsplit("/", 1)[-1].lower()  # files of card-less subfolders come as "sub/name"
        path = join(name)
        if low in discover.CARD_NAMES and "/" not in name:
            text, problems = reader.text(path)
            mf.facts.extend(problems)
            if text is not None:
                facts, body, body_start = read_card(path, text)
                mf.facts.extend(facts)
                from .prose_lineage import prose_bases  # bases named in the card's text need the registry

                mf.facts.extend(prose_bases(path, body, body_start, kb))
                mf.card_path, mf.card_body, mf.card_body_start = path, body, body_start
        elif low == "adapter_config.json":
            text, problems = reader.text(path)
            mf.facts.extend(problems)
            if text is not None:
                mf.facts.extend(read_adapter_config(path, text))
        elif low in ("config.json", "model_index.json"):
            text, problems = reader.text(path)
            mf.facts.extend(problems)
            if text is not None:
                mf.facts.extend(read_model_config(path, text))
        elif low.endswith((".yml", ".yaml")) and source.kind(path) == "file" and source.size(path) < 1024 * 1024:
            text, problems = reader.text(path)
            if text is not None and looks_like_mergekit(text):
                mf.facts.extend(problems)
                mf.facts.extend(read_mergekit(path, text))
    mf.facts.extend(_checkpoint_facts(source, mf.files, lfs_dirs))
    governing = discover.governing_files(source, folder, stop_at)
    governing += [(p, 0) for p in _linked_files(source, mf) if p not in {g for g, _ in governing}]
    mf.license_files = read_license_files(reader, kb, governing, mf)
    for f in mf.of("embedded_license_text"):  # the agreement in the card's access gate is shown to every user
        norm = normalise(f.value)
        ids, copies = kb.identify(norm)
        if ids:
            mf.license_files.append(LicenseFile(path=f.path, role="embedded", ids=ids, copies=copies, text=norm,
                                                raw_lines=tuple(f.value.splitlines()), distance=0))
    _CURRENT[0] = None  # done reading: a later failure is not the last file's fault
    return mf


def _linked_files(source: Source, mf: ModelFacts) -> List[str]:
    """Files in the repository that the card's `license_link` points to (whatever their name)."""
    out = []
    for f in mf.of("license_link") + mf.of("license_link_body"):
        target = f.value.strip()
        if not target or "://" in target or target.startswith(("#", "mailto:")):
            continue
        path = posixpath.normpath(posixpath.join(posixpath.dirname(f.path), target))
        if not path.startswith("..") and source.kind(path) == "file":
            out.append(path)
    return out


def _checkpoint_facts(source: Source, files: List[str], lfs_dirs: List[str]) -> List[Fact]:
    if not any(f.lower().endswith(discover.WEIGHT_SUFFIXES) for f in files):
        return []  # most folders have no weights: do not even import the readers
    try:
        from .checkpoints import collect_checkpoints, is_checkpoint
    except ImportError:  # checkpoint readers not installed in this build
        return []
    weights = [f for f in files if is_checkpoint(posixpath.basename(f))]
    return collect_checkpoints(weights, _Noting(source), lfs_dirs) if weights else []


class _Noting:
    """The source, noting each file opened as the one being read (for the CLI's internal-error line)."""

    def __init__(self, source: Source):
        self._source = source

    def __getattr__(self, name):
        return getattr(self._source, name)

    def open(self, path: str):
        _CURRENT[0] = path
        return self._source.open(path)


def read_license_files(reader: Reader, kb, found: List[Tuple[str, int]], mf: ModelFacts) -> List[LicenseFile]:
    out = []
    for path, distance in found:
        text, problems = reader.text(path)
        if distance == 0:
            mf.facts.extend(problems)
        if text is None:
            continue
        norm, ids, copies = reader.identified(path, text, kb)
        role = discover.license_role(posixpath.basename(path))
        out.append(LicenseFile(path=path, role=role, ids=ids, copies=copies, text=norm,
                               raw_lines=tuple(text.splitlines()), distance=distance))
        for i, line in enumerate(text.splitlines()[:200]):
            if "SPDX-License-Identifier:" in line:
                value = line.split("SPDX-License-Identifier:", 1)[1].strip().rstrip("*/ -").strip()
                mf.facts.append(Fact("license_spdx", value, path, i + 1, "spdx-header"))
    return out
