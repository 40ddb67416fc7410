"""lineage: turn the base references a model folder makes into resolved bases with licences.

Resolution is offline and in this order: the user's `models` table, `weightgate.lock` (what `weightgate lock`
recorded from the Hub; the registry still wins over it), a local folder (a relative path, or a sibling folder
named like the base), the local Hugging Face cache, the built-in family registry. Anything
else is unknown — never a guess. A base that is itself a derivative is followed (depth-limited, cycle-safe),
so the obligations of every ancestor reach the model.
"""
from __future__ import annotations

import os
import posixpath
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List, Optional, Tuple

from ._record import record

from .facts import Base, Fact, ModelFacts

MAX_DEPTH = 8
STRONG = ("base",)  # card base_model, adapter_config, mergekit, checkpoint metadata
WEAK = ("base_weak", "base_prose")  # config _name_or_path, card prose: used when nothing strong
HINT = "base_hint"  # checkpoint hints (kohya file names, modelspec architecture): used only when they resolve
_HF_PREFIX = re.compile(r"^(?:hf://|https?://(?:www\.)?(?:huggingface\.co|hf\.co)/|(?:huggingface\.co|hf\.co)/)",
                        re.I)
_HF_SUFFIX = re.compile(r"/(?:tree|blob|resolve|commit)/.*$")
_CACHE_DIR = re.compile(r"models--([^/\\]+?)--([^/\\]+)")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?$")


@record
class Ref:
    kind: str  # "hub" | "local" | "hint" (a family named by checkpoint metadata)
    id: str  # lowercase Hub id, or a normalised path relative to the source root
    display: str


def normalise_ref(ref: str, folder: str) -> Optional[Ref]:
    """Normalise a base reference: Hub URLs and `hf://`, revision suffixes (`@rev`, `/tree/rev`), HF cache
    paths (`…/models--org--name/snapshots/…`), local paths. None when it is not a usable reference."""
    raw = ref.strip().strip('"\'')
    if not raw:
        return None
    m = _CACHE_DIR.search(raw)
    if m:
        return Ref("hub", f"{m.group(1)}/{m.group(2)}".lower(), f"{m.group(1)}/{m.group(2)}")
    s = _HF_PREFIX.sub("", raw)
    if s == raw and "://" in raw:
        return None  # a URL that is not the Hub names no model we can resolve
    if s != raw:
        s = _HF_SUFFIX.sub("", s).strip("/")
        if s.startswith("models/"):
            s = s[len("models/"):]
    s = s.split("@", 1)[0].split("#", 1)[0].rstrip("/")
    is_path = (raw.startswith(("/", "./", "../", "~", "\\")) or "\\" in raw or re.match(r"^[A-Za-z]:", raw)
               or s.count("/") > 1)
    if is_path:
        if raw.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:", raw):
            return Ref("local", raw, raw)  # absolute: only meaningful on the machine that trained it
        joined = posixpath.normpath(posixpath.join(folder if folder != "." else "", raw))
        return Ref("local", joined, raw)
    if not _HUB_ID.match(s):
        return None
    return Ref("hub", s.lower(), s)


class Resolver:
    """Resolves base references for the model folders of one check."""

    def __init__(self, kb, reader, stop_at: str, models: Optional[Dict[str, object]] = None,
                 hf_cache: Optional[str] = None, collect_folder=None, locks=None):
        self.kb = kb
        self.reader = reader
        self.source = reader.source
        self.stop_at = stop_at
        self.models = {k.lower(): v for k, v in (models or {}).items()}
        self.hf_cache = hf_cache if hf_cache is not None else default_hf_cache()
        self._cache_index: Optional[Dict[str, str]] = None
        self.collect_folder = collect_folder  # (source, folder) -> ModelFacts, for local and cached bases
        self.locks = locks  # lockfile.Finder: the weightgate.lock governing each model folder
        self._lock = None
        self._mf: Optional[ModelFacts] = None

    # ---- public ---------------------------------------------------------------------------------------
    def bases(self, mf: ModelFacts) -> List[Base]:
        refs = self._refs(mf)
        declared = [f for f in mf.of("base") if f.origin.startswith(("card:", "mergekit"))]
        relation = relation_of(mf, len({f.value for f in declared}) if declared else len(refs))
        self._use_lock(mf)
        out: List[Base] = []
        seen = set()
        for ref, evidence in refs:
            self._resolve_into(ref, evidence, relation, (), out, seen, 0)
        return out

    def local_folders(self, mf: ModelFacts) -> List[str]:
        """The folders of this source that the model's direct bases resolve to (for incremental checks)."""
        out = []
        for ref, _ev in self._refs(mf):
            folder = self._local_folder(ref) if ref.kind != "hint" else None
            if folder is not None:
                out.append(folder)
        return out

    # ---- references -----------------------------------------------------------------------------------
    def _refs(self, mf: ModelFacts) -> List[Tuple[Ref, Tuple[Fact, ...]]]:
        strong = self._group(mf, [f for f in mf.facts if f.kind in STRONG])
        if strong:
            return strong
        names = {mf.name_hint.lower()} | {f.value.lower().rsplit("/", 1)[-1] for f in mf.of("name")}
        weak = [r for r in self._group(mf, [f for f in mf.facts if f.kind in WEAK])
                if r[0].id.rsplit("/", 1)[-1] not in names]  # config `_name_or_path` naming the model itself
        return weak or self._hint_refs(mf)

    def _hint_refs(self, mf: ModelFacts) -> List[Tuple[Ref, Tuple[Fact, ...]]]:
        """A LoRA's checkpoint hints ("v1-5-pruned-emaonly.safetensors", "sd_v1") grouped by the family they
        name; a hint the registry does not know is dropped (it is a hint, not a reference)."""
        groups: Dict[str, Tuple[Ref, List[Fact]]] = {}
        for f in mf.of(HINT):
            fam = self.kb.family_for_hint(f.value) if isinstance(f.value, str) else None
            if fam is None:
                continue
            key = "family:" + fam.name
            groups.setdefault(key, (Ref("hint", key, f"{fam.name} (from {f.value})"), []))[1].append(f)
        return [(ref, tuple(ev)) for ref, ev in groups.values()]

    def _group(self, mf: ModelFacts, facts: List[Fact]) -> List[Tuple[Ref, Tuple[Fact, ...]]]:
        order: List[str] = []
        groups: Dict[str, Tuple[Ref, List[Fact]]] = {}
        folder = mf.root if mf.root != "." else ""
        for f in facts:
            ref = normalise_ref(f.value, folder) if isinstance(f.value, str) else None
            if ref is None:
                continue
            if ref.kind == "local" and f.kind in WEAK and self.source.kind(ref.id) != "dir":
                continue  # a training-time path in config.json says nothing about lineage
            if ref.id not in groups:
                groups[ref.id] = (ref, [])
                order.append(ref.id)
            groups[ref.id][1].append(f)
        refs = [(groups[k][0], tuple(groups[k][1])) for k in order]
        # A local path that does not exist here adds nothing when a Hub id names the same base.
        if any(r.kind == "hub" for r, _ in refs):
            refs = [(r, ev) for r, ev in refs if r.kind == "hub" or self.source.kind(r.id) == "dir"]
        return refs

    # ---- resolution -----------------------------------------------------------------------------------
    def _resolve_into(self, ref: Ref, evidence, relation, via, out, seen, depth) -> None:
        if ref.id in seen or depth > MAX_DEPTH:
            return
        seen.add(ref.id)
        lic, how, note, lic_path, notices, parent_mf = self._resolve_one(ref)
        out.append(Base(id=ref.id, display=ref.display, license=lic, resolved_from=how, relation=relation,
                        evidence=evidence, via=via, note=note, license_path=lic_path, notice_lines=notices,
                        revision=self._locked_revision(ref) if how == "lock" else ""))
        if parent_mf is not None:
            start = len(out)
            for pref, pev in self._refs(parent_mf):
                self._resolve_into(pref, pev, "ancestor", via + (ref.display,), out, seen, depth + 1)
            self._mark_relabels(out, start, ref.display, lic)
        elif how == "registry" and ref.kind == "hub":
            pass  # registry entries name the original's licence directly

    def _resolve_one(self, ref: Ref):
        """(licence id or None, resolved_from, note, licence file path, NOTICE lines, base ModelFacts)."""
        entry = self.models.get(ref.id) or self.models.get(ref.display)
        if entry is not None:
            lic, path = (entry, None) if isinstance(entry, str) else (entry.get("license"), entry.get("path"))
            lid = self.kb.lookup(lic) if lic else None
            return (self.kb.main(lid) if lid else lic), "config", "from the configuration's models table", path, (), None
        locked = self._locked(ref)
        if locked is not None:
            return locked
        folder = self._local_folder(ref) if ref.kind != "hint" else None
        if folder is not None:
            mf = self.collect_folder(self.source, folder)
            return self._from_folder(ref, mf, "local", f"local folder {folder or '.'}")
        cached = self._hf_cached(ref) if ref.kind == "hub" else None
        if cached is not None:
            from .sources import FsSource

            repo_dir, snap = cached
            mf = self.collect_folder(FsSource(repo_dir), snap)
            return self._from_folder(ref, mf, "hf-cache", f"Hugging Face cache {repo_dir}", repo_dir)
        reg = self._registry(ref)
        if reg:
            return reg[0], "registry", reg[1], None, (), None
        if ref.kind == "local":
            return None, "unknown", "local path not found in this repository", None, (), None
        return None, "unknown", "", None, (), None

    # ---- weightgate.lock ------------------------------------------------------------------------------------
    def _use_lock(self, mf: ModelFacts) -> None:
        """The lock governing this model folder; its unusable parts become findings of the folder."""
        self._mf = mf
        self._lock = self.locks.for_folder(mf.root) if self.locks is not None else None
        if self._lock is not None:
            mf.facts.extend(p for p in self._lock.problems if p not in mf.facts)

    def _locked(self, ref: Ref):
        """A base as the lock recorded it from the Hub, or None (not locked, or the registry knows it)."""
        from .lockfile import conflict, entry_facts, status_note

        entry = self._lock.get(ref.id) if self._lock is not None and ref.kind == "hub" else None
        if entry is None:
            return None
        if self.kb.family_for(ref.id):  # curated knowledge wins; a lock that disagrees is stale or wrong
            lic = own_license(self.kb, entry_facts(self._lock, entry))[0] if entry.status == "ok" else None
            reg_license, reg_note = self._registry(ref)
            problem = conflict(self._lock, entry, lic, self.kb.main(reg_license), reg_note) if (
                lic and self.kb.main(lic) != self.kb.main(reg_license)) else None
            if problem is not None and problem not in self._mf.facts:
                self._mf.facts.append(problem)
            return None
        if entry.status != "ok":
            return None, "lock", status_note(self._lock, entry), None, (), None
        mf = entry_facts(self._lock, entry)
        lic, _, _ = own_license(self.kb, mf)
        where = f"{self._lock.path}: Hub card of {entry.id} at {entry.revision[:12] or 'unknown revision'}"
        if lic:
            return lic, "lock", where, None, (), mf
        said = ", ".join(entry.license + ((entry.license_name,) if entry.license_name else ()))
        why = f"declares {said}, which weightgate does not know" if said else "declares no licence"
        return None, "lock", f"{where} {why}", None, (), mf

    def _locked_revision(self, ref: Ref) -> str:
        entry = self._lock.get(ref.id) if self._lock is not None else None
        return entry.revision if entry is not None else ""

    def _mark_relabels(self, out: List[Base], start: int, link: str, link_license: Optional[str]) -> None:
        """Ancestors under another licence than the link that reached them: name the link that relabelled them."""
        if not link_license:
            return
        mine = self.kb.main(link_license)
        for i in range(start, len(out)):
            b = out[i]
            if b.license and not b.relabelled_by and self.kb.main(b.license) != mine:
                out[i] = b._replace(relabelled_by=f"{link}, which declares {link_license}")

    def _from_folder(self, ref: Ref, mf: ModelFacts, how: str, where: str, root_dir: Optional[str] = None):
        """A base whose card (and licence files) we can read: its own declaration, else the registry."""
        lic, lic_path, notices = own_license(self.kb, mf)
        if lic_path and root_dir:
            lic_path = os.path.join(root_dir, *lic_path.split("/"))
        if lic:
            return lic, how, where, lic_path, notices, mf
        reg = self._registry(ref)
        if reg:
            return reg[0], "registry", reg[1], lic_path, notices, mf
        return None, "unknown", f"{where} declares no licence", None, (), mf

    def _registry(self, ref: Ref):
        if ref.kind == "hint":
            fam = next((f for f in self.kb.families if "family:" + f.name == ref.id), None)
            return (fam.license, f"registry: {fam.name} (named by checkpoint metadata); {fam.evidence}") if fam else None
        if ref.kind != "hub":
            return None
        hit = self.kb.family_for(ref.id)
        if not hit:
            return None
        fam, how = hit
        note = f"registry: {fam.name}" + (f" ({how})" if how != "id" else "") + (f"; {fam.evidence}" if fam.evidence else "")
        return fam.license, note

    def _local_folder(self, ref: Ref) -> Optional[str]:
        if ref.kind == "local":
            return ref.id if not ref.id.startswith("..") and self.source.kind(ref.id) == "dir" else None
        org, _, name = ref.display.partition("/")
        if not name:
            return None
        for cand in (name, ref.display, f"{org}--{name}"):
            for base_dir in {self.stop_at, ""}:
                path = posixpath.join(base_dir, cand) if base_dir else cand
                if self.source.kind(path) == "dir" and _has_card_or_license(self.source, path):
                    return path
        return None

    def _hf_cached(self, ref: Ref) -> Optional[Tuple[str, str]]:
        if not self.hf_cache or "/" not in ref.id:
            return None
        if self._cache_index is None:
            try:
                self._cache_index = {e.lower(): e for e in os.listdir(self.hf_cache) if e.startswith("models--")}
            except OSError:
                self._cache_index = {}
        entry = self._cache_index.get("models--" + ref.id.replace("/", "--"))
        if not entry:
            return None
        repo_dir = os.path.join(self.hf_cache, entry)
        snap = None
        try:
            with open(os.path.join(repo_dir, "refs", "main"), encoding="utf-8") as f:
                sha = f.read().strip()
            if re.fullmatch(r"[0-9a-f]{7,64}", sha) and os.path.isdir(os.path.join(repo_dir, "snapshots", sha)):
                snap = sha
        except OSError:
            pass
        if snap is None:
            try:
                snaps = sorted(os.listdir(os.path.join(repo_dir, "snapshots")))
            except OSError:
                return None
            if not snaps:
                return None
            snap = snaps[-1]
        return repo_dir, f"snapshots/{snap}"


def _has_card_or_license(source, folder: str) -> bool:
    from .discover import find_card, is_license_file, list_files

    files = list_files(source, folder)
    return bool(find_card(files)) or any(is_license_file(n) for n in files) or "config.json" in files


def own_license(kb, mf: ModelFacts):
    """The licence a (base) folder declares: card metadata first, then a licence file it ships."""
    from .declared import declarations

    decls = declarations(mf, kb)
    lic_file = next((lf for lf in mf.license_files if lf.distance == 0 and lf.copies and lf.role == "license"), None)
    lic_path = lic_file.path if lic_file else None
    notices = tuple(line for lf in mf.license_files if lf.role == "notice" and lf.distance == 0
                    for line in lf.raw_lines if line.strip())
    for source in ("card", "license-file", "card-body", "checkpoint"):
        for d in decls:
            if d.source == source and d.ids:
                return d.ids[0], lic_path, notices
    return None, lic_path, notices


def relation_of(mf: ModelFacts, n_refs: int) -> str:
    explicit = [f.value for f in mf.of("relation") if f.origin.startswith("card:")]
    if explicit and explicit[0] in ("adapter", "merge", "quantized", "finetune"):
        return explicit[0]
    kinds = {f.value for f in mf.of("relation")}
    if "adapter" in kinds:
        return "adapter"
    if "merge" in kinds or n_refs > 1:
        return "merge"
    if "quantized" in kinds or any(p.lower().endswith(".gguf") for p in mf.files):
        return "quantized"
    return "finetune"


def default_hf_cache() -> Optional[str]:
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return os.environ["HUGGINGFACE_HUB_CACHE"]
    if os.environ.get("HF_HOME"):
        return os.path.join(os.environ["HF_HOME"], "hub")
    xdg = os.environ.get("XDG_CACHE_HOME")
    return os.path.join(xdg or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface", "hub")
