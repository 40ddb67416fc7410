"""Training-data knowledge: the curated entries of `datasets.toml` and the Data Provenance Collection import.

The import (`datasets_dpi.jsonl`, written by `scripts/import_data_provenance.py`) is large, so it is read only
when a card names a dataset; a check of cards that name none never opens it. It holds one JSON line per Hub
dataset id (`["org/name", [records…]]`) after a header line (`{"source": …, "ids": […]}`), so a look-up finds its line
with a byte search and parses that line alone instead of the whole collection; the header lists the ids, so
a name the collection does not have is answered without reading the rest.
"""
from __future__ import annotations

import os
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, Optional, Tuple

from .._record import record
from . import DATA_DIR

DPI_FILE = "datasets_dpi.jsonl"
RESTRICTED = ("NC", "Acad")  # the collection's classes that forbid commercial use ("?" is folded into Acad)

_URL = re.compile(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/", re.I)
_PAGE_PARTS = ("viewer", "tree", "blob", "resolve", "raw", "discussions", "commits")
_NAME = re.compile(r"^[a-z0-9][\w.-]*$")


def hub_dataset_id(ref: str) -> Optional[str]:
    """The lowercase Hub dataset id a reference means: `org/name`, `datasets/org/name`, a Hub URL of the
    dataset or of one of its pages, or a legacy id without an organisation (`imdb`). None for anything else."""
    if not isinstance(ref, str):
        return None
    s = ref.strip().strip("`'\"<>()[]").strip()
    s = _URL.sub("", s)
    s = re.sub(r"^datasets/", "", s, flags=re.I).split("?", 1)[0].split("#", 1)[0]
    parts = [p for p in s.split("/") if p]
    if not parts:
        return None
    if len(parts) >= 2 and parts[1].lower() not in _PAGE_PARTS:
        parts = parts[:2]
    else:
        parts = parts[:1]
    parts[-1] = parts[-1].split("@", 1)[0]
    if parts[-1].endswith(".git"):
        parts[-1] = parts[-1][:-4]
    out = "/".join(parts).lower()
    return out if all(_NAME.match(p) for p in out.split("/")) else None


@record
class LicenceFact:
    name: str  # the collection's licence name ("CC BY-NC 4.0", "OpenAI", "Custom")
    use: str  # All | NC | Acad | Unspecified ("?" in the collection is read as Acad, as it does)
    attribution: bool
    share_alike: bool
    url: str  # where the collection saw it


@record
class Subset:
    """One record of the collection (a dataset or one subset of a collection hosted under one Hub id)."""

    record: str
    file: str  # collection file, e.g. data_summaries/Alpaca.json
    licences: Tuple[LicenceFact, ...]
    generated_by: Tuple[str, ...]
    notes: str

    @property
    def use(self) -> str:
        return resolve_use([l.use for l in self.licences])

    def source(self, commit: str) -> str:
        return f"Data Provenance Collection {self.file} record {self.record!r} @ {commit[:12]}"


@record
class DatasetInfo:
    """What the knowledge says about one Hub dataset id."""

    id: str
    subsets: Tuple[Subset, ...]  # from the collection (empty for a curated-only entry)
    commit: str  # the collection commit the facts come from
    curated: object = None  # the curated knowledge.Dataset, which takes precedence

    @property
    def use(self) -> str:
        """The collection's use class of the whole id (most restrictive over its subsets; see `mixed`)."""
        return resolve_use([s.use for s in self.subsets])

    @property
    def mixed(self) -> bool:
        """Subsets disagree: some are commercially usable and some are not."""
        uses = {s.use for s in self.subsets}
        return bool(uses & set(RESTRICTED)) and bool(uses - set(RESTRICTED))

    @property
    def generated_by(self) -> Tuple[str, ...]:
        seen: Dict[str, None] = dict.fromkeys(self.curated.generated_by if self.curated is not None else ())
        for s in self.subsets:
            for g in s.generated_by:
                seen.setdefault(g, None)
        return tuple(seen)

    def licence_names(self) -> Tuple[str, ...]:
        seen: Dict[str, None] = {}
        for s in self.subsets:
            for l in s.licences:
                seen.setdefault(l.name, None)
        return tuple(seen)


def resolve_use(uses) -> str:
    """The collection's own resolution of several licences (src/helpers/filters.py resolve_multiple_licenses):
    any Acad (or unknown) → Acad, else any NC → NC, else any Unspecified → Unspecified, else All."""
    uses = list(uses)
    if not uses:
        return "Unspecified"
    if "?" in uses or "Acad" in uses:
        return "Acad"
    if "NC" in uses:
        return "NC"
    if "Unspecified" in uses:
        return "Unspecified"
    return "All"


_RAW = None  # the file's bytes, read on the first look-up of an id the collection has
_HEADER = None  # its first line: source and the list of ids


def _header(data_dir: str = DATA_DIR) -> dict:
    global _HEADER
    if _HEADER is None:
        import json

        with open(os.path.join(data_dir, DPI_FILE), "rb") as f:
            _HEADER = json.loads(f.readline())
        _HEADER["ids"] = frozenset(_HEADER.get("ids", ()))
    return _HEADER


def _raw(data_dir: str = DATA_DIR) -> bytes:
    global _RAW
    if _RAW is None:
        with open(os.path.join(data_dir, DPI_FILE), "rb") as f:
            _RAW = b"\n" + f.read()
    return _RAW


def is_loaded() -> bool:
    """Whether the collection's records have been read in this process (start-up tests ask)."""
    return _RAW is not None


def source() -> dict:
    """The header: repository, commit, licence, attribution notice, files missing from the snapshot."""
    return _header()["source"]


def known(did: str) -> bool:
    """Whether the collection has records for this id (from the header line alone)."""
    return did in _header()["ids"]


def records(did: str) -> list:
    """The collection's records for a normalised Hub dataset id (empty when it has none)."""
    import json

    if not known(did):
        return []
    raw = _raw()
    start = raw.find(b"\n[" + json.dumps(did).encode() + b",")
    if start < 0:
        return []
    end = raw.find(b"\n", start + 1)
    return json.loads(raw[start + 1: end if end >= 0 else len(raw)])[1]


def all_records():
    """(id, records) for every id of the collection, in order (tests and tools; a check never needs them all)."""
    import json

    for line in _raw().split(b"\n")[2:]:
        if line.strip():
            did, recs = json.loads(line)
            yield did, recs


def lookup(kb, ref: str) -> Optional[DatasetInfo]:
    """The facts about a dataset reference: the curated entry (by id or prose name) and the collection's
    records for its Hub id. None when neither knows it."""
    curated = kb.dataset_for(ref) if kb is not None else None
    did = hub_dataset_id(ref)
    subsets = tuple(_subset(r) for r in records(did)) if did else ()
    if curated is None and not subsets:
        return None
    return DatasetInfo(id=did or (curated.ids[0] if curated and curated.ids else ref.strip().lower()),
                       subsets=subsets, commit=source()["commit"], curated=curated)


def _subset(raw: dict) -> Subset:
    lics = tuple(LicenceFact(name=name, use=use, attribution=bool(attr), share_alike=bool(sa), url=url)
                 for name, url, use, attr, sa in raw["licenses"])
    return Subset(record=raw["record"], file=raw["file"], licences=lics,
                  generated_by=tuple(raw.get("generated", ())), notes=raw.get("notes", ""))
