"""The licence knowledge base: loads the versioned data files in weightgate/data and answers questions.

Nothing about any particular licence is written in code. See docs/data-format.md for the file format.
"""
from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .._record import record

from ..text import LazyPattern, normalise, slug

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")

KINDS = ("permissive", "share-alike", "copyleft", "responsible-ai", "proprietary-custom", "non-commercial",
         "no-derivatives", "use-policy", "unknown")
RELABEL_MODES = ("any", "same", "carry-restrictions", "non-commercial", "share-alike", "no-derivatives")
DUTY_KINDS = ("license-copy", "notice", "attribution", "naming", "use-restrictions", "state-changes")


@record
class Duty:
    """Something a derivative must carry, with the clause that demands it."""

    kind: str
    clause: str
    quote: str
    text: str = ""  # notice: the exact line
    phrases: Tuple[str, ...] = ()  # attribution: any one of these
    prefix: str = ""  # naming: the required beginning of the model name
    group: str = ""  # use-restrictions: licences in the same group carry equivalent restrictions
    severity: str = ""  # overrides the rule default (e.g. "warning" for permissive licences)
    link_ok: bool = False  # license-copy: a URI or hyperlink to the licence satisfies it (CC §3(a)(1)(C))


@record
class Relabel:
    mode: str  # see RELABEL_MODES
    clause: str
    quote: str
    allowed: Tuple[str, ...] = ()  # extra ids accepted (later versions, compatible licences)


@record
class License:
    id: str
    name: str
    kind: str
    commercial: bool
    osi: bool
    spdx: str
    hub_ids: Tuple[str, ...]
    license_names: Tuple[str, ...]
    aliases: Tuple[str, ...]
    fingerprints: Tuple[str, ...]  # normalised
    relabel: Relabel
    duties: Tuple[Duty, ...]
    family: str = ""
    url: str = ""
    source: str = ""
    unofficial: bool = False
    supersedes: Tuple[str, ...] = ()
    policies: Tuple[str, ...] = ()  # use-policy ids incorporated by this licence
    parent: str = ""  # variants: the licence whose duties and relabel rules apply
    covers: Tuple[str, ...] = ()  # id globs of the licences a generic name stands for ("cc": "cc-by-*", …)

    def duty(self, kind: str) -> List[Duty]:
        return [d for d in self.duties if d.kind == kind]

    @property
    def label(self) -> str:
        return self.hub_ids[0] if self.hub_ids else self.id


@record
class Family:
    name: str
    license: str
    ids: Tuple[str, ...]  # globs on the lowercase Hub id
    names: Tuple[str, ...]  # globs on the lowercase repo name, for re-upload namespaces
    evidence: str
    hints: Tuple[str, ...] = ()  # globs on checkpoint hints (kohya ss_sd_model_name, modelspec.architecture)
    mentions: Tuple[str, ...] = ()  # how prose names the family without a size ("Llama 2", "Qwen3")
    bases: Tuple[str, ...] = ()  # a community model's own bases (Hub ids): lineage goes on through them


@record
class Dataset:
    ids: Tuple[str, ...]  # lowercase Hub dataset ids (globs allowed)
    names: Tuple[str, ...]  # normalised prose names
    license: str
    evidence: str
    reaches_models: str = ""  # the dataset's words extending its terms to models trained on it
    generated_by: Tuple[str, ...] = ()  # models that generated the data (see [[generator]])


@record
class Generator:
    """A model whose terms reach the data it generates (datasets.toml [[generator]])."""

    name: str
    match: str  # regular expression searched in a lowercase generator name
    kind: str  # "competing-models" | "naming" | "derivative"
    terms: str
    clause: str
    quote: str
    evidence: str
    license: str = ""  # licence id whose duties apply (naming, derivative)
    dpi_license: str = ""  # the Data Provenance Collection's licence name for these terms
    unless: str = ""  # regular expression that rules a matching name out ("OpenAI GPT-2" is an open model)

    def names(self, text: str):
        """The match of this generator in a lowercase name or sentence, or None."""
        import re

        m = re.search(self.match, text)
        return None if m is None or (self.unless and re.search(self.unless, text)) else m


class _Licenses(Mapping):
    """id → License, each built from its table on first use: a check touches a handful of the ~120 licences,
    and building them all would cost more than the rest of a small check."""

    def __init__(self, tables: Dict[str, Tuple[dict, str]]):
        self._tables = tables  # id (variants included) → (the licence's table, its source file)
        self._built: Dict[str, License] = {}

    def __getitem__(self, lid: str) -> License:
        lic = self._built.get(lid)
        if lic is None:
            raw, source_name = self._tables[lid]
            for parsed in _parse_license(raw, source_name):  # the licence and its variants
                self._built[parsed.id] = parsed
            lic = self._built[lid]
        return lic

    def __setitem__(self, lid: str, lic: License) -> None:
        self._built[lid] = lic
        self._tables.setdefault(lid, ({}, ""))

    def __iter__(self):
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __contains__(self, lid) -> bool:
        return lid in self._tables


class _LazyValues(dict):
    """A dict whose values knowledge.json may hold as places in its body (lists: see compiler.compile_raw), each
    decoded by `decode` when first read: parsing data a check never asks for is a measurable part of its
    start-up. `dict(x)` would copy the undecoded places: copy with `x.copy()`."""

    def __init__(self, items=(), decode=None):
        dict.__init__(self, items)
        self._decode = decode

    def __getitem__(self, key):
        value = dict.__getitem__(self, key)
        if type(value) is list:  # a place in the compiled body (decoded values are never lists)
            value = self._decode(value)
            self[key] = value
        return value

    def get(self, key, default=None):
        return self[key] if key in self else default

    def items(self):
        return [(k, self[k]) for k in self]

    def values(self):
        return [self[k] for k in self]

    def copy(self):
        return _LazyValues(dict.items(self), self._decode)


class _SearchedIndex:
    """A name → licence id index that knowledge.json keeps as one JSON object in its body, searched in place
    for each name asked (see _value_of): a check looks up one or two declared licences, and decoding
    ~600 entries costs more than those searches. Answers and additions (a user's licences, `extended`) are kept
    in `_known`, which wins over the compiled object; a dict's `get`, `setdefault`, `[]=` and `copy`."""

    def __init__(self, compiled, place: List[int]):
        self._compiled, self._place = compiled, place
        self._text: Optional[bytes] = None  # the object's bytes, read on the first look-up
        self._known: Dict[str, Optional[str]] = {}

    def get(self, key: str, default=None):
        if key not in self._known:
            if self._text is None:
                self._text = self._compiled.body(self._place)
            self._known[key] = _value_of(self._text, key)
        value = self._known[key]
        return default if value is None else value

    def __setitem__(self, key: str, value: str) -> None:
        self._known[key] = value

    def setdefault(self, key: str, value: str) -> str:
        if self.get(key) is None:
            self._known[key] = value
        return self._known[key]

    def copy(self) -> _SearchedIndex:
        new = _SearchedIndex(self._compiled, self._place)
        new._text, new._known = self._text, dict(self._known)
        return new


class Knowledge:
    """Everything the data files say, indexed for the questions the pipeline asks."""

    def __init__(self, licenses=None, hub_ids=(), families=None, reuploaders=None, reupload_suffixes=(),
                 reupload_patterns=(), generic_titles=(), datasets=None, _by_declared=None, _by_exact=None,
                 _fp_index=None, coverage=None):
        self.licenses = licenses if licenses is not None else _Licenses({})
        self.hub_ids: Tuple[str, ...] = hub_ids
        self._families: Optional[List[Family]] = families if families is not None else []
        self._family_tables = None  # () -> the family tables, built into Family records when first asked
        self._family_table_list: Optional[List[dict]] = None  # those tables, decoded once
        self.reuploaders: Dict[str, str] = reuploaders if reuploaders is not None else {}  # org → evidence
        self.reupload_suffixes: Tuple[str, ...] = reupload_suffixes
        self.reupload_patterns: Tuple[str, ...] = reupload_patterns
        self._name_hits: Dict[str, Optional[Tuple[Family, str]]] = {}
        self.generic_titles: Tuple[str, ...] = generic_titles
        self.datasets: List[Dataset] = datasets if datasets is not None else []
        self.generators: List[Generator] = []
        self._by_declared: Dict[str, str] = _by_declared if _by_declared is not None else {}
        # lowercase key → id; wins over the slug ("openrail++" is not "openrail")
        self._by_exact: Dict[str, str] = _by_exact if _by_exact is not None else {}
        self._fp_index: List[Tuple[str, str]] = _fp_index if _fp_index is not None else []
        self._groups: Dict[str, frozenset] = {}
        # id → section markers and length of the real text (data/coverage.toml): what a whole copy holds
        self.coverage_data: Dict[str, dict] = coverage if coverage is not None else {}
        self._lookup: Optional[_FamilyLookup] = None  # the families' look-up indexes, built or read when first asked
        self._lookup_data = None  # () -> those indexes precomputed by the compile (valid for the compiled families)
        self._family_records: Dict[int, Family] = {}  # records built one by one before `families` is asked for
        self._known_orgs: Optional[frozenset] = None

    @property
    def families(self) -> List[Family]:
        """The model families (data/families.toml), built when first asked: only a base reference needs them,
        and building 350 records is a measurable part of a check's start-up."""
        if self._families is None:
            built = self._family_records
            self._families = [built.get(i) or _family(x) for i, x in enumerate(self._decoded_family_tables())]
        return self._families

    @families.setter
    def families(self, value: List[Family]) -> None:
        self._families = value
        self._lookup = self._lookup_data = None  # indexes of other families
        self._name_hits = {}
        self._known_orgs = None

    def _family_at(self, pos: int) -> Family:
        """The family at a position of the list, without building the other ~350 records."""
        if self._families is not None:
            return self._families[pos]
        fam = self._family_records.get(pos)
        if fam is None:
            fam = self._family_records[pos] = _family(self._decoded_family_tables()[pos])
        return fam

    def _decoded_family_tables(self) -> List[dict]:
        if self._family_table_list is None:
            self._family_table_list = self._family_tables() if self._family_tables else []
        return self._family_table_list

    def _family_lookup(self) -> "_FamilyLookup":
        if self._lookup is None:
            data = self._lookup_data() if self._lookup_data is not None else _FamilyLookup.data_of(self.families)
            self._lookup = _FamilyLookup(data)
        return self._lookup

    def restriction_group(self, group: str) -> frozenset:
        """Ids of the licences whose use restrictions belong to `group` (variants included), read from the
        tables so that asking does not build every licence record."""
        members = self._groups.get(group)
        if members is None:
            # a compiled place lists its table's groups after (start, end, source): see compiler.compile_raw
            members = self._groups[group] = frozenset(
                lid for lid, entry in dict.items(self.licenses._tables)
                if group in (entry[3:] if type(entry) is list else _restriction_groups(entry[0])))
        return members

    # ---- licences -------------------------------------------------------------------------------------
    def get(self, lid: Optional[str]) -> Optional[License]:
        return self.licenses.get(lid) if lid else None

    def main(self, lid: str) -> str:
        """The licence whose duties apply: a variant's parent, else itself."""
        lic = self.licenses.get(lid)
        return lic.parent if lic is not None and lic.parent else lid

    def lookup(self, value: str) -> Optional[str]:
        """Map a declared string (Hub id, SPDX id, licence_name slug, alias or full name) to a licence id."""
        if not isinstance(value, str):
            return None
        exact = self._by_exact.get(value.strip().lower())
        if exact:
            return exact
        return self._by_declared.get(slug(value)) or self._by_declared.get(slug(_strip_version_noise(value)))

    def identify(self, normalised_text: str) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
        """Licence ids whose fingerprints occur in the text, and those of which it holds a full copy.

        A full copy holds every section of the licence and nearly all of its length (data/coverage.toml);
        for a licence without coverage data, two distinct fingerprints (or all of them when it has only one).
        A licence listed in another matched licence's `supersedes` is dropped (GPT-2's Modified MIT is not MIT).
        """
        hits: Dict[str, int] = {}
        for lid, fp in self._fp_index:
            if fp in normalised_text:
                hits[lid] = hits.get(lid, 0) + 1
        for lid in list(hits):
            for other in self.licenses[lid].supersedes:
                hits.pop(other, None)
        ids = tuple(sorted(hits))
        copies = tuple(sorted(l for l, n in hits.items()
                              if (self.coverage(l, normalised_text)[0] if l in self.coverage_data
                                  else n >= min(2, len(self.licenses[l].fingerprints)))))
        return ids, copies

    def coverage(self, lid: str, normalised_text: str) -> Tuple[bool, int, List[str]]:
        """(holds the whole licence, about what percent of it, labels of the missing sections)."""
        entry = self.coverage_data.get(lid)
        if not entry:
            return True, 100, []
        from .coverage import measure

        return measure(entry, normalised_text)

    def missing_sections(self, lid: str, labels: List[str]) -> str:
        """"§3–§7" for missing section labels, in the licence's own order."""
        from .coverage import ranges

        order = [s["label"] for s in self.coverage_data.get(lid, {}).get("sections", ())]
        return ranges(labels, order) if all(l in order for l in labels) else ", ".join(labels)

    def hub_id_valid(self, value: str) -> bool:
        return value in self.hub_ids

    def suggest_hub_id(self, value: str) -> Optional[str]:
        lid = self.lookup(value)
        if lid:
            lic = self.licenses[self.main(lid)]
            return lic.hub_ids[0] if lic.hub_ids else "other"
        s = slug(value)
        for h in self.hub_ids:
            if slug(h) == s:
                return h
        return None

    # ---- families --------------------------------------------------------------------------------------
    restricted_name_words: Tuple[str, ...] = ()

    def known_orgs(self) -> frozenset:
        """Organisations the registry names in its ids (`meta-llama`, `mistralai`) and re-upload namespaces,
        computed once per knowledge base."""
        if self._known_orgs is None:
            self._known_orgs = frozenset(self._family_lookup().orgs) | set(self.reuploaders)
        return self._known_orgs

    def restricted_word_in(self, hub_id: str) -> Optional[str]:
        """The word of a repo name that says it was built from a family with limiting terms ("L3", "Llama"),
        or None (`restricted_name_words` in families.toml)."""
        name = hub_id.rsplit("/", 1)[-1].lower()
        for word in re.split(r"[-_ ]+", name):
            if word and any(fnmatch.fnmatchcase(word, g) for g in self.restricted_name_words):
                return word
        return None

    def family_for(self, hub_id: str) -> Optional[Tuple[Family, str]]:
        """The registry family of a lowercase Hub id, and how it matched ("id" or "re-upload by <org>").

        First match in file order wins; the index only skips globs that cannot match (see _FamilyLookup)."""
        index = self._family_lookup()
        org, _, name = hub_id.partition("/")
        pos = index.first(index.ids, _org_key(hub_id), (hub_id,))
        if pos is not None:
            return self._family_at(pos), "id"
        if not name:  # a bare model name (a GGUF's `general.base_model.N.name` without its organisation)
            stripped = self.strip_reupload_suffixes(org)
            pos = index.first(index.names, org[:1], (org, stripped))
            return (self._family_at(pos), "name") if pos is not None else None
        if org in self.reuploaders and name:
            stripped = self.strip_reupload_suffixes(name)
            pos = index.first(index.names, name[:1], (name, stripped))
            if pos is None and "_" in stripped:
                # newer re-uploads prefix the original organisation: bartowski/Qwen_Qwen3-8B-GGUF
                original = stripped.replace("_", "/", 1)
                pos = index.first(index.ids, _org_key(original), (original,))
            if pos is None:
                # the repo name of an original listed by exact id (TheBloke/zephyr-7B-beta-GGUF)
                pos = self._by_repo_name(name)
                pos = self._by_repo_name(stripped) if pos is None else pos
            if pos is not None:
                return self._family_at(pos), f"re-upload by {org}"
        return None

    def _by_repo_name(self, name: str) -> Optional[int]:
        # only when every original of that name agrees on the licence: a shared name is no guess
        positions = self._family_lookup().repo_names.get(name, ())
        if positions and len({self._family_at(p).license for p in positions}) == 1:
            return positions[0]
        return None

    def family_for_name(self, name: str) -> Optional[Tuple[Family, str]]:
        """The family of a model named without its organisation ("CodeLlama-7B", "Llama3-8B-Instruct", a local
        folder's name), else of a family-only mention ("Llama 2", "Qwen3"), and how it matched. Names are compared
        without separators and re-upload suffixes, so "Llama3-8B" finds "llama-3-8b"."""
        low = " ".join(name.strip().lower().split())
        if low not in self._name_hits:  # card prose asks about the same words again and again
            hit = self._family_for_name(low) if low else None
            if hit is None and "_" in low and _DIGIT_UNDERSCORE.search(low):
                # a file-system-safe folder name writes "2.5" as "2_5" (models/Qwen2_5-1_5b-Instruct)
                hit = self._family_for_name(_DIGIT_UNDERSCORE.sub(r"\1.\2", low))
            self._name_hits[low] = hit
        return self._name_hits[low]

    def _family_for_name(self, low: str) -> Optional[Tuple[Family, str]]:
        index = self._family_lookup()
        stripped = self.strip_reupload_suffixes(low)
        pos = _first_glob(index.name_globs, (low, stripped))
        if pos is not None:
            return self._family_at(pos), "name"
        if squash(low) in index.mentions:
            return self._family_at(index.mentions[squash(low)]), "family name"
        pos = _first_glob(index.squashed, (squash(low), squash(stripped)))
        return (self._family_at(pos), "name") if pos is not None else None

    def family_for_hint(self, hint: str) -> Optional[Family]:
        """The family a checkpoint hint names (a base checkpoint file name or an architecture id)."""
        value = hint.strip().lower().replace("\\", "/").rsplit("/", 1)[-1]
        for fam in self.families:
            if any(_glob_match(value, g) for g in fam.hints):
                return fam
        return None

    def strip_reupload_suffixes(self, name: str) -> str:
        """The original's name inside a re-upload or quantization name ("llama-2-7b-chat-q4_k_m.gguf" style
        suffixes, `-GPTQ-Int4`, `-exl2-4.0bpw`, `-MLX-4bit`), applied repeatedly."""
        changed = True
        while changed:
            changed = False
            for suf in self.reupload_suffixes:
                if name.endswith(suf) and len(name) > len(suf):
                    name = name[: -len(suf)]
                    changed = True
            for pattern in () if changed else self.reupload_patterns:  # the listed suffixes first: "-bnb-4bit"
                cut = re.sub(pattern + "$", "", name)
                if cut != name and cut:
                    name, changed = cut, True
                    break
        return name

    def dataset_for(self, ref: str) -> Optional[Dataset]:
        low = ref.strip().lower()
        n = normalise(ref)
        for ds in self.datasets:
            if any(fnmatch.fnmatchcase(low, g) for g in ds.ids) or n in ds.names:
                return ds
        return None

    # ---- loading ---------------------------------------------------------------------------------------
    def add_license(self, raw: dict, source_name: str = "") -> None:
        """Add one licence table (built-in file or the `licenses` table of a user configuration)."""
        self._add_tables(raw, source_name)

    def _add_tables(self, raw: dict, source_name: str) -> None:
        for lic in _parse_license(raw, source_name):
            self.licenses._tables[lic.id] = (raw, source_name)
            self.licenses[lic.id] = lic
            for key in (lic.id, lic.spdx, lic.name, *lic.hub_ids, *lic.license_names, *lic.aliases):
                if key:
                    self._by_declared.setdefault(slug(key), lic.id)
                    self._by_exact.setdefault(key.strip().lower(), lic.id)
            self._fp_index.extend((lic.id, fp) for fp in lic.fingerprints)


def _literal_prefix(glob: str) -> str:
    cut = min((i for i in (glob.find("*"), glob.find("?"), glob.find("[")) if i >= 0), default=len(glob))
    return glob[:cut]


def _org_key(text: str) -> str:
    # the organisation of a Hub id, "" for an id without one ("gpt2")
    return text.partition("/")[0] if "/" in text else ""


class _FamilyLookup:
    """The registry's look-up indexes, by position in the family list (first match in data order wins):

    - `ids`, `names`: family globs bucketed by a key their literal prefix fixes (the org for ids, the first letter
      for names), so a look-up tests a few dozen globs instead of all of them; globs whose prefix does not fix the
      key sit in the "" bucket, which every look-up also scans, and order is kept by comparing positions;
    - `repo_names`: the repo name of every exact id (no glob) → the families listing it;
    - `name_globs`, `squashed`, `mentions`: names as written and without separators (each family's `names` and
      the name part of its `ids`) keyed by their first three characters, and family mentions without
      separators. A squashed glob whose fixed start is short and holds no version digit ("t5-*", "llama-*" of
      huggyllama/llama-*) would match other families' names and is left out;
    - `orgs`: organisations the ids name.

    Computing them takes several milliseconds, so the compile stores them in knowledge.json (`data_of`)."""

    FIELDS = ("ids", "names", "repo_names", "name_globs", "squashed", "mentions", "orgs")

    def __init__(self, data: dict):
        for field in self.FIELDS:
            setattr(self, field, data[field])

    @staticmethod
    def data_of(families: Sequence[Family]) -> dict:
        ids: Dict[str, list] = {}
        names: Dict[str, list] = {}
        repo_names: Dict[str, List[int]] = {}
        name_globs: Dict[str, list] = {}
        squashed: Dict[str, list] = {}
        mentions: Dict[str, int] = {}
        orgs = set()
        for pos, fam in enumerate(families):
            for g in fam.ids:
                prefix = _literal_prefix(g)
                ids.setdefault(prefix.partition("/")[0] if "/" in prefix else "", []).append([pos, prefix, g])
                if prefix == g and "/" in g:
                    repo_names.setdefault(g.partition("/")[2], []).append(pos)
                org = g.split("/", 1)[0]
                if "/" in g and not any(c in org for c in "*?["):
                    orgs.add(org)
            for g in fam.names:
                prefix = _literal_prefix(g)
                names.setdefault(prefix[:1], []).append([pos, prefix, g])
                name_globs.setdefault(_key(g), []).append([pos, g])
            for g in sorted({squash(g.rsplit("/", 1)[-1]) for g in fam.names + fam.ids}):
                if _specific(_literal_prefix(g)):
                    squashed.setdefault(_key(g), []).append([pos, g])
            for m in fam.mentions:
                mentions.setdefault(squash(m), pos)
        return {"ids": ids, "names": names, "repo_names": repo_names, "name_globs": name_globs,
                "squashed": squashed, "mentions": mentions, "orgs": sorted(orgs)}

    @staticmethod
    def first(buckets: Dict[str, list], key: str, candidates: Tuple[str, ...]) -> Optional[int]:
        """The position of the first family with a glob in `buckets[key]` or `buckets[""]` matching a candidate."""
        best = None
        for bucket_key in {key, ""}:
            for pos, prefix, g in buckets.get(bucket_key, ()):
                if best is not None and pos >= best:
                    break
                if any(_glob_match(c, g, prefix) for c in candidates):
                    best = pos
                    break
        return best


_DIGIT_UNDERSCORE = LazyPattern(r"(\d)_(\d)")


def _glob_match(text: str, glob: str, prefix: Optional[str] = None) -> bool:
    """fnmatch, skipping the regex compile when the glob's literal prefix (given, or found here) already rules
    the text out (the registry has hundreds of globs; compiling them all would cost more than a whole check)."""
    prefix = _literal_prefix(glob) if prefix is None else prefix
    if not text.startswith(prefix):
        return False
    return text == glob if prefix == glob else fnmatch.fnmatchcase(text, glob)


def _key(glob: str) -> str:
    """The index key of a glob: its first three characters, or "" when a wildcard comes sooner."""
    head = _literal_prefix(glob)
    return head[:3] if len(head) >= 3 else ""


def _first_glob(index, candidates) -> Optional[int]:
    """The position of the first family (in data order) with a glob in `index` matching one of the candidates."""
    best = None
    for c in candidates:
        for pos, glob in index.get(c[:3], []) + index.get("", []):
            if (best is None or pos < best) and _glob_match(c, glob):
                best = pos
    return best


def _specific(prefix: str) -> bool:
    return len(prefix) >= 6 or (len(prefix) >= 3 and any(c.isdigit() for c in prefix))


def squash(name: str) -> str:
    """A model name without separators, case and version "v", for comparing how people write it: "Llama3-8B" ~
    "llama-3-8b", "Animagine XL V3" ~ "animagine-xl-3"."""
    low = name.lower()
    if "v" in low:  # else there is no version "v" to drop (and the pattern need not be compiled)
        low = re.sub(r"(?:^|(?<=[\s._-]))v(?=\d)", "", low)
    return re.sub(r"[\s._-]+", "", low)


def _strip_version_noise(value: str) -> str:
    # "The MIT License (MIT)" → "MIT License"; "Apache License, Version 2.0" → "Apache License 2.0"
    v = re.sub(r"^\s*the\s+", "", value, flags=re.I)
    v = re.sub(r"\s*\([^)]*\)\s*$", "", v)
    v = re.sub(r",?\s*version\s+", " ", v, flags=re.I)
    return v


def _tuple(v) -> tuple:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    return tuple(v)


def _parse_license(raw: dict, source_name: str) -> Iterable[License]:
    def req(key, where=raw):
        if key not in where:
            raise ValueError(f"{source_name}: licence {where.get('id', '?')!r} lacks {key!r}")
        return where[key]

    rel = raw.get("relabel", {"mode": "any", "clause": "", "quote": ""})
    relabel = Relabel(mode=req("mode", rel), clause=rel.get("clause", ""), quote=rel.get("quote", ""),
                      allowed=_tuple(rel.get("allowed")))
    if relabel.mode not in RELABEL_MODES:
        raise ValueError(f"{source_name}: relabel.mode {relabel.mode!r} is not one of {RELABEL_MODES}")
    duties = []
    for d in raw.get("duties", []):
        if d.get("kind") not in DUTY_KINDS:
            raise ValueError(f"{source_name}: duty kind {d.get('kind')!r} is not one of {DUTY_KINDS}")
        duties.append(Duty(kind=d["kind"], clause=d.get("clause", ""), quote=d.get("quote", ""),
                           text=d.get("text", ""), phrases=_tuple(d.get("phrases")), prefix=d.get("prefix", ""),
                           group=d.get("group", ""), severity=d.get("severity", ""),
                           link_ok=bool(d.get("link_ok", False))))
    kind = req("kind")
    if kind not in KINDS:
        raise ValueError(f"{source_name}: kind {kind!r} is not one of {KINDS}")
    common = dict(
        kind=kind,
        commercial=bool(raw.get("commercial", kind not in ("non-commercial",))),
        osi=bool(raw.get("osi", False)),
        relabel=relabel,
        duties=tuple(duties),
        family=raw.get("family", ""),
        url=raw.get("url", ""),
        unofficial=bool(raw.get("unofficial", False)),
        policies=_tuple(raw.get("policies")),
        covers=_tuple(raw.get("covers")),
    )
    main = License(
        id=req("id"), name=req("name"), spdx=raw.get("spdx", ""), hub_ids=_tuple(raw.get("hub_ids")),
        license_names=_tuple(raw.get("license_names")), aliases=_tuple(raw.get("aliases")),
        fingerprints=tuple(normalise(f) for f in raw.get("fingerprints", [])),
        source=raw.get("source", source_name), supersedes=_tuple(raw.get("supersedes")), **common,
    )
    yield main
    for v in raw.get("variants", []):
        yield License(
            id=req("id", v), name=v.get("name", main.name), spdx=v.get("spdx", main.spdx), hub_ids=(),
            license_names=_tuple(v.get("license_names")), aliases=_tuple(v.get("aliases")),
            fingerprints=tuple(normalise(f) for f in v.get("fingerprints", [])),
            source=v.get("source", main.source), supersedes=_tuple(v.get("supersedes")) + main.supersedes,
            parent=main.id, **{**common, "unofficial": bool(v.get("unofficial", main.unofficial))},
        )


_CACHE: Optional[Knowledge] = None
COMPILED = "knowledge.json"
# Written beside knowledge.json by each compile and never shipped (.gitignore): the sizes and mtimes of the
# sources that compile read, so a check on the same checkout can trust the compiled file without reading them.
STAMP = "knowledge.stamp"
FORMAT = 3  # of knowledge.json; a file of another format is ignored (the TOML is parsed instead)


def _source_files(data_dir: str) -> List[str]:
    lic_dir = os.path.join(data_dir, "licenses")
    names = [os.path.join("licenses", fn) for fn in sorted(os.listdir(lic_dir)) if fn.endswith(".toml")]
    return names + ["hub_licenses.toml", "families.toml", "datasets.toml", "coverage.toml"]


def _read_sources(data_dir: str, names: List[str]) -> List[bytes]:
    out = []
    for name in names:
        # os-level reads: a Python file object costs more than the read of a small file
        fd = os.open(os.path.join(data_dir, name), os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            out.append(_read_fd(fd))
        finally:
            os.close(fd)
    return out


def _read_fd(fd: int) -> bytes:
    # one read of the size fstat gives (a fixed large buffer per call costs more than reading a small file);
    # the +1 shows a file grown since, and anything but exactly `size` bytes reads on to the end
    size = os.fstat(fd).st_size
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data
    chunks = [data]
    while chunks[-1]:
        chunks.append(os.read(fd, 1 << 16))
    return b"".join(chunks)


def _checksum(names: List[str], contents: List[bytes]) -> str:
    """A checksum of the TOML sources (CRC-32: it detects edits, and zlib costs nothing to import)."""
    import zlib

    crc = 0
    for name, content in zip(names, contents):
        crc = zlib.crc32(name.replace(os.sep, "/").encode() + b"\0", crc)
        crc = zlib.crc32(b"\0", zlib.crc32(content, crc))
    return f"crc32:{crc:08x}:{len(names)}"


def _digest(data_dir: str, names: List[str]) -> str:
    return _checksum(names, _read_sources(data_dir, names))


def load(data_dir: str = DATA_DIR) -> Knowledge:
    """The built-in knowledge (cached per process; callers that extend it take a copy with `extended`).

    Parsing ~60 TOML files costs more than a hook may spend, so the package ships `knowledge.json`, the same
    data compiled by `python -m weightgate.knowledge`; it is used only while it is the compile of the TOML
    sources as they are now (see _compiled_if_fresh), so an edited TOML file is never shadowed by a stale file."""
    global _CACHE
    if _CACHE is not None and data_dir == DATA_DIR:
        return _CACHE
    compiled = _compiled_if_fresh(data_dir)
    if compiled is None:  # no usable compiled file: compile the TOML in memory
        from .compiler import compile_sources

        compiled = _Compiled(compile_sources(data_dir))
    kb = _build(compiled)
    if data_dir == DATA_DIR:
        _CACHE = kb
    return kb


class _Compiled:
    """knowledge.json (see compiler.compile_raw): the header on its first line, decoded at once, and the body,
    each part of which is read and decoded only when asked for (a check needs a few of its ~100 parts, and
    reading the whole 400 KB would cost more than decoding the header). A part is read from the file by position after
    checking that the file is still the one the header came from; `blob` holds the whole file instead when it
    was compiled in memory, or when the file was replaced by a copy of the same compile."""

    __slots__ = ("path", "identity", "head", "header", "blob")

    def __init__(self, head: bytes, path: str = "", identity: tuple = ()):
        # head: the file's bytes from its start, at least its first line; all of them when there is no path
        import json

        end = head.find(b"\n")
        self.head = head[:end + 1]
        self.path, self.identity = path, identity
        self.blob = None if path else head
        self.header = None
        if head[:1] == b"[" and end > 0:
            try:
                header = json.loads(head[1:end].rstrip(b","))
            except ValueError:
                return
            # a truncated file (a copy cut short) is as good as none: its parts would fail to decode later
            size = identity[2] if path else len(head)
            if type(header) is dict and header.get("format") == FORMAT and header.get("body") == size - end - 1:
                self.header = header

    def body(self, place: List[int]) -> bytes:
        """The bytes of the part at `place` ([start, end] from the start of the body)."""
        base = len(self.head)
        if self.blob is None:
            blob = b""
            try:
                fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            except OSError:
                fd = -1
            if fd >= 0:
                try:
                    if _identity(os.fstat(fd)) == self.identity:
                        os.lseek(fd, base + place[0], os.SEEK_SET)
                        return os.read(fd, place[1] - place[0])
                    blob = _read_fd(fd)
                finally:
                    os.close(fd)
            # replaced or removed while in use: a file (or the TOML compiled again) with the same header has the
            # same sources and places; anything else would mix two versions of the knowledge
            if not blob.startswith(self.head):
                from .compiler import compile_sources

                blob = compile_sources(os.path.dirname(self.path))
                if not blob.startswith(self.head):
                    raise RuntimeError(f"{self.path} changed while weightgate used it: run again")
            self.blob = blob
        return self.blob[base + place[0]: base + place[1]]

    def part(self, place: List[int]):
        import json

        return json.loads(self.body(place))


def _identity(st) -> tuple:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _value_of(text: bytes, key: str) -> Optional[str]:
    """The value of `key` in a compact JSON object of str → str, found without decoding the object: `"<key>":`
    right after a `{` or `,` starts a key (inside a JSON string every quote is escaped, so `,"` and `{"` never
    occur there), and the value is a plain string (compiler._plain_values checks)."""
    import json

    needle = json.dumps(key, ensure_ascii=True).encode() + b":"
    at = text.find(needle)
    while at > 0 and text[at - 1] not in b"{,":
        at = text.find(needle, at + 1)
    if at <= 0:
        return None
    value_start = at + len(needle)
    return json.loads(text[value_start: text.index(b'"', value_start + 1) + 1])


def _compiled_if_fresh(data_dir: str) -> Optional[_Compiled]:
    """knowledge.json when it is the compile of the TOML sources as they are now, else None.

    The header records the checksum of the sources it was compiled from. Reading all ~55 sources to compare
    costs more than the rest of the load, so the stamp of the last compile in this folder (sizes and mtimes of
    the sources, see _stamp_vouches) answers first; without it, or when any stat differs (a fresh clone, an
    installed wheel: their mtimes are the checkout's or the installation's), the sources are read and checked.
    """
    path = os.path.join(data_dir, COMPILED)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        identity = _identity(os.fstat(fd))
        head = b""
        while b"\n" not in head:  # the header line (~35 KB)
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            head += chunk
    finally:
        os.close(fd)
    compiled = _Compiled(head, path, identity)
    checksum = compiled.header and compiled.header.get("sources_checksum")
    if checksum and (_stamp_vouches(data_dir, checksum) or checksum == _digest(data_dir, _source_files(data_dir))):
        return compiled
    return None


def _stamp_vouches(data_dir: str, checksum: str) -> bool:
    """Whether the stamp says the sources are unchanged since a compile that found them to have `checksum`.

    The stamp lists every source and the licences folder (a file added or removed changes its mtime) with
    size and mtime as compile saw them before reading, and `start`, the file system's clock before then.
    A source with an mtime at or after `start` may have been edited again within the same clock tick, keeping
    its mtime: it is not vouched for (git's "racily clean" entries), and neither is anything that cannot be read.
    """
    import json

    try:
        with open(os.path.join(data_dir, STAMP), "rb") as f:
            stamp = json.loads(f.read())
        if stamp["format"] != FORMAT or stamp["checksum"] != checksum:
            return False
        start = stamp["start"]
        for name, size, mtime in stamp["files"]:
            if mtime >= start:
                return False
            st = os.stat(os.path.join(data_dir, name))
            if st.st_size != size or st.st_mtime_ns != mtime:
                return False
        return bool(stamp["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _restriction_groups(table: dict) -> List[str]:
    return [d.get("group") for d in table.get("duties", []) if d.get("kind") == "use-restrictions"]


def _build(compiled: _Compiled) -> Knowledge:
    h, part = compiled.header, compiled.part
    kb = Knowledge()
    kb.licenses = _Licenses(_LazyValues(h["licenses"], lambda entry: (part(entry), entry[2])))
    index = h["index"]
    kb._by_exact = _SearchedIndex(compiled, index["exact"])
    kb._by_declared = _SearchedIndex(compiled, index["declared"])
    kb._fp_index = index["fingerprints"]
    kb.hub_ids = tuple(h["hub_ids"])
    fam = h["families"]
    kb._families, kb._family_tables = None, lambda: part(fam["family"])
    kb._lookup_data = lambda: part(fam["lookup"])
    kb.reuploaders = fam["reuploaders"]
    kb.reupload_suffixes = tuple(fam["reupload_suffixes"])
    kb.reupload_patterns = tuple(fam["reupload_patterns"])
    kb.restricted_name_words = tuple(fam["restricted_name_words"])
    kb.generic_titles = tuple(fam["generic_titles"])
    kb.datasets = [Dataset(**{k: tuple(v) if type(v) is list else v for k, v in x.items()}) for x in h["datasets"]]
    kb.generators = [Generator(**g) for g in h["generators"]]
    kb.coverage_data = _LazyValues(h["coverage"], part)
    return kb


def _family(x: dict) -> Family:
    return Family(name=x["name"], license=x["license"], ids=tuple(g.lower() for g in x.get("ids", [])),
                  names=tuple(g.lower() for g in x.get("names", [])), evidence=x.get("evidence", ""),
                  hints=tuple(g.lower() for g in x.get("hints", [])),
                  mentions=tuple(x.get("mentions", [])), bases=tuple(x.get("bases", [])))


def extended(kb: Knowledge, licenses: Sequence[dict], source_name: str) -> Knowledge:
    """A copy of `kb` with extra licence tables (from a user configuration)."""
    licenses_copy = _Licenses(kb.licenses._tables.copy())
    licenses_copy._built.update(kb.licenses._built)
    new = Knowledge(licenses=licenses_copy, hub_ids=kb.hub_ids, reuploaders=dict(kb.reuploaders),
                    reupload_suffixes=kb.reupload_suffixes, reupload_patterns=kb.reupload_patterns,
                    generic_titles=kb.generic_titles, datasets=list(kb.datasets),
                    _by_declared=kb._by_declared.copy(), _by_exact=kb._by_exact.copy(),
                    _fp_index=list(kb._fp_index), coverage=kb.coverage_data)
    new.generators = kb.generators
    new.restricted_name_words = kb.restricted_name_words
    # the same families: share their records and indexes, built or still to be read (the compiled ones)
    new._families, new._family_tables, new._family_records = kb._families, kb._family_tables, kb._family_records
    new._family_table_list = kb._family_table_list
    new._lookup, new._lookup_data = kb._lookup, kb._lookup_data
    for raw in licenses:
        new.add_license(raw, source_name)
        for key in (raw.get("id"), *(raw.get("hub_ids") or ()), *(raw.get("license_names") or ())):
            if key:
                new._by_declared[slug(key)] = raw["id"]  # a user's definition wins over the built-in alias
                new._by_exact[key.strip().lower()] = raw["id"]
    return new
