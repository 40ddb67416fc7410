"""lineage: turn the base references a model folder makes into resolved bases with licences.

Resolution is offline. Curated knowledge first: the user's `models` table, then the built-in family registry.
Then the non-curated sources (`Resolver.sources`): `weightgate.lock` (what `weightgate lock` recorded from the
Hub), a local folder (a relative path, or a sibling folder named like the base), the local Hugging Face cache —
they answer what curated knowledge does not know, and where they contradict it the disagreement is kept on the
base. Anything else is unknown — never a guess. A base that is itself a derivative is followed (depth-limited,
cycle-safe), so the obligations of every ancestor reach the model. A reference as written is never dropped: what
cannot be read as a Hub id or a path is kept as a name (resolved through the registry's names) or a URL.
"""
from __future__ import annotations

import os
import posixpath
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List, Optional, Tuple

from ._record import record

from .facts import Base, Disagreement, Fact, ModelFacts
from .text import LazyPattern

MAX_DEPTH = 8
STRONG = ("base",)  # card base_model, adapter_config, mergekit, checkpoint metadata
WEAK = ("base_weak", "base_prose")  # config _name_or_path, card prose: used when nothing strong
HINT = "base_hint"  # checkpoint hints (kohya file names, modelspec architecture): used only when they resolve
_HF_PREFIX = LazyPattern(r"^(?:hf://|(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co|hf-mirror\.com)/)", re.I)
# Hosts that serve the Hub's own repositories under the same paths (hf-mirror.com is the widely used mirror).
_HF_SUFFIX = LazyPattern(r"/(?:tree|blob|resolve|commit|commits|raw)/.*$")
_CACHE_DIR = LazyPattern(r"models--([^/\\]+?)--([^/\\]+)")
_HUB_ID = LazyPattern(r"^[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?$")
_REVISION = LazyPattern(r":[\w.-]+$")  # org/name:rev (a tag written the Docker way)


@record
class Ref:
    kind: str  # "hub" | "local" | "name" (a model or family named without an organisation) | "url" | "hint"
    id: str  # lowercase Hub id or name, a normalised path relative to the source root, or the URL
    display: str
    problem: str = ""  # why the reference as written is not a clean Hub id (it is still resolved)


def normalise_ref(ref: str, folder: str) -> Optional[Ref]:
    """Normalise a base reference: Hub and mirror URLs and `hf://`, revision suffixes (`@rev`, `:rev`,
    `/tree/rev`), HF cache paths (`…/models--org--name/snapshots/…`), local paths, invisible and look-alike
    characters. Anything else that is written is kept as a name or URL: a reference is never dropped. None
    only for an empty value."""
    from .text import INVISIBLE, LOOKALIKE, nfkc

    written = ref.strip().strip('"\'')
    raw = nfkc(written).translate(INVISIBLE).strip()
    problem = ""
    if raw != nfkc(written).strip():
        problem = "holds invisible characters"
    if not raw.isascii():
        latin = raw.translate(LOOKALIKE)
        if latin != raw:
            problem = "holds look-alike non-Latin letters"
            raw = latin
    if not raw:
        return None
    ref_ = _normalise_clean(raw, folder)
    shown = ref_.display if not problem else f"{ref_.display} (written {written!r})"
    return Ref(ref_.kind, ref_.id, shown, problem)


def _normalise_clean(raw: str, folder: str) -> Ref:
    m = _CACHE_DIR.search(raw)
    if m:
        return Ref("hub", f"{m.group(1)}/{m.group(2)}".lower(), f"{m.group(1)}/{m.group(2)}")
    s = _HF_PREFIX.sub("", raw)
    if s == raw and "://" in raw:
        return Ref("url", raw, raw)  # a URL that is not the Hub names no model we can resolve
    if s != raw:
        s = s.strip("/")
        if s.startswith("models/"):
            s = s[len("models/"):]
    s = _HF_SUFFIX.sub("", s.split("#", 1)[0].split("?", 1)[0]).rstrip("/")
    if "@" in s and not raw.startswith(("/", ".", "~")):
        s = s.split("@", 1)[0]  # org/name@revision (a revision may hold slashes: refs/pr/1)
    is_path = (raw.startswith(("/", "./", "../", "~", "\\")) or "\\" in raw or re.match(r"^[A-Za-z]:[\\/]", raw)
               or s.count("/") > 1)
    if is_path:
        if raw.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", raw):
            return Ref("local", raw, raw)  # absolute: only meaningful on the machine that trained it
        joined = posixpath.normpath(posixpath.join(folder if folder != "." else "", raw))
        return Ref("local", joined, raw)
    s = _REVISION.sub("", s) if ":" in s else s
    s = re.sub(r"\s*/\s*", "/", s).rstrip(".,;")  # "meta-llama / Llama-2-7b-hf."
    if _HUB_ID.match(s):
        return Ref("hub", s.lower(), s)
    return Ref("name", " ".join(s.lower().split()), s)


@record
class Answer:
    """What one source says about a base."""

    license: Optional[str]
    how: str  # "config" | "registry" | "local" | "hf-cache" | "unknown" (and any source added later)
    note: str
    license_path: Optional[str] = None
    notices: Tuple[str, ...] = ()
    mf: Optional[ModelFacts] = None  # the base's own facts, when a copy of it can be read (its bases follow)
    said_at: Tuple[str, int] = ("", 0)  # where that copy declares its licence
    disagreements: Tuple[Disagreement, ...] = ()
    parents: Tuple[str, ...] = ()  # the bases a registry entry records for a community model


class Resolver:
    """Resolves base references for the model folders of one check.

    Curated knowledge is asked first: the configuration's `models` table, then the built-in registry. Other
    sources — a local folder, the Hugging Face cache, and whatever is appended to `sources` later (each a
    callable `ref -> Answer | None`) — answer only what curated knowledge does not know; where they disagree
    with it, curated knowledge wins and the disagreement is kept on the base (rule `lineage-conflict`).
    """

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
        self.sources = [self._lock_answer, self._local_answer, self._cache_answer]  # non-curated, in order
        self._folders: Dict[str, ModelFacts] = {}

    # ---- public ---------------------------------------------------------------------------------------
    def bases(self, mf: ModelFacts) -> List[Base]:
        refs, strong = self._refs(mf)
        declared = [f for f in mf.of("base") if f.origin.startswith(("card:", "mergekit"))]
        relation = relation_of(mf, len({f.value for f in declared}) if declared else len(refs))
        self._use_lock(mf)
        out: List[Base] = []
        seen = set()
        for ref, evidence in refs:
            self._resolve_into(ref, evidence, relation, (), out, seen, 0)
        if strong and out:
            out += self._ancestors_from_prose(mf, out)
            out[0] = out[0]._replace(disagreements=out[0].disagreements + self._prose_disagreements(mf, out))
        return out

    def _ancestors_from_prose(self, mf: ModelFacts, bases: List[Base]) -> List[Base]:
        """A base nothing offline knows, under a card whose text names a known base with obligations ("a
        Llama 3 fine-tune"): that base is taken as its ancestor, so its terms apply (never looser than
        nothing: permissive bases are not taken). The unknown base stays unknown (`unknown-base-license`
        says the ancestor came from the card's text)."""
        unknown = [b for b in bases if not b.via and not b.license and b.id[:1] not in "/~."]
        if len(unknown) != 1:
            return []  # with several unknown bases the text cannot say which one it describes
        out = []
        for ref, evidence, found, _lic in self._restricting_prose_bases(mf, bases):
            out.append(Base(id=ref.id, display=ref.display, license=found.license, resolved_from=found.how,
                            relation="ancestor", evidence=evidence, via=(unknown[0].display,),
                            note=f"named in the card's text; {found.note}"))
        return out

    def local_folders(self, mf: ModelFacts) -> List[str]:
        """The folders of this source that the model's direct bases resolve to (for incremental checks)."""
        out = []
        for ref, _ev in self._refs(mf)[0]:
            folder = self._local_folder(ref) if ref.kind in ("hub", "local") else None
            if folder is not None:
                out.append(folder)
        return out

    # ---- references -----------------------------------------------------------------------------------
    def _refs(self, mf: ModelFacts) -> Tuple[List[Tuple[Ref, Tuple[Fact, ...]]], bool]:
        """The references to resolve, and whether they are strong (metadata) ones."""
        strong = self._group(mf, [f for f in mf.facts if f.kind in STRONG], True)
        if strong:
            return strong, True
        from .knowledge import squash

        # The model's own names (folder, `model_name`, card title): config `_name_or_path` and card prose
        # ("based on the pretrained Qwen-14B, we release Qwen-14B-Chat" in Qwen-14B's card) name it too.
        names = {squash(v.rsplit("/", 1)[-1]) for v in [mf.name_hint] + [f.value for f in mf.of("name") + mf.of("title")
                                                                          if isinstance(f.value, str)]}
        weak = [r for r in self._group(mf, [f for f in mf.facts if f.kind in WEAK], False)
                if squash(r[0].id.rsplit("/", 1)[-1]) not in names]
        # A name without its organisation ("Llama-2-7b-hf" in prose) counts only when no `org/name` id does.
        if any(r.kind == "hub" and "/" in r.id for r, _ in weak):
            weak = [(r, ev) for r, ev in weak if r.kind == "local" or (r.kind == "hub" and "/" in r.id)]
        return (weak or self._hint_refs(mf)), False

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

    def _group(self, mf: ModelFacts, facts: List[Fact], strong: bool) -> List[Tuple[Ref, Tuple[Fact, ...]]]:
        order: List[str] = []
        groups: Dict[str, Tuple[Ref, List[Fact]]] = {}
        folder = mf.root if mf.root != "." else ""
        from_paths = set()  # names read from the last part of a path that does not exist here
        for f in facts:
            for value in _split_list(f.value) if isinstance(f.value, str) else ():
                ref = normalise_ref(value, folder)
                usable = self._usable(ref, f, strong) if ref is not None else None
                if usable is None:
                    continue
                if ref.kind == "local" and usable.kind == "name":
                    from_paths.add(usable.id)
                if usable.id not in groups:
                    groups[usable.id] = (usable, [])
                    order.append(usable.id)
                groups[usable.id][1].append(f)
        refs = [(groups[k][0], tuple(groups[k][1])) for k in order]
        # A local path that does not exist here adds nothing when a Hub id names the same base.
        if any(r.kind == "hub" for r, _ in refs):
            refs = [(r, ev) for r, ev in refs if not (r.kind == "local" and self.source.kind(r.id) != "dir")
                    and r.id not in from_paths]
        return refs

    def _usable(self, ref: Ref, fact: Fact, strong: bool) -> Optional[Ref]:
        """The reference to resolve for one fact. A path that does not exist here is a training machine's path:
        its last part counts only as a name the registry knows. Weak evidence (config `_name_or_path`, card
        prose) that names nothing known is dropped; a strong reference never is."""
        if ref.kind == "local" and self.source.kind(ref.id) != "dir":
            last = ref.display.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
            if last and self.kb.family_for_name(last):
                return Ref("name", " ".join(last.lower().split()), f"{last} (last part of the path {ref.display})",
                           ref.problem)
            return ref if strong else None
        if not strong:
            return ref if ref.kind in ("hub", "local") or self._registry(ref) else None
        if ref.kind in ("name", "url") and fact.origin.startswith("card:") and not ref.problem:
            return ref._replace(problem="is not a Hub model id (`org/name`)")
        return ref

    # ---- resolution -----------------------------------------------------------------------------------
    def _resolve_into(self, ref: Ref, evidence, relation, via, out, seen, depth) -> None:
        if ref.id in seen or depth > MAX_DEPTH:
            return
        seen.add(ref.id)
        a = self._resolve_one(ref)
        problems = tuple((f"`{e.value}` {ref.problem}", e.path, e.line) for e in evidence) if ref.problem else ()
        out.append(Base(id=ref.id, display=ref.display, license=a.license, resolved_from=a.how, relation=relation,
                        evidence=evidence, via=via, note=a.note, license_path=a.license_path, notice_lines=a.notices,
                        revision=self._locked_revision(ref) if a.how == "lock" else "",
                        disagreements=a.disagreements, problems=problems if not via else ()))
        if a.mf is not None:
            start = len(out)
            for pref, pev in self._refs(a.mf)[0]:
                self._resolve_into(pref, pev, "ancestor", via + (ref.display,), out, seen, depth + 1)
            self._mark_relabels(out, start, ref.display, a.license)
        elif a.parents:  # a community model the registry knows, with its own bases: their terms reach it too
            start = len(out)
            for parent in a.parents:
                pref = normalise_ref(parent, "")
                if pref is not None:
                    self._resolve_into(pref, evidence, "ancestor", via + (ref.display,), out, seen, depth + 1)
            self._mark_relabels(out, start, ref.display, a.license)

    def _resolve_one(self, ref: Ref) -> Answer:
        curated = self._curated(ref)
        unlicensed = None  # a copy that declares no licence: the answer only when no other source has one
        for source in self.sources:
            found = source(ref)
            if found is None:
                continue
            if curated is None:
                if found.license:
                    return found
                unlicensed = unlicensed or found
                continue
            if curated.license and found.license and not self._agree(curated.license, found.license):
                path, line = found.said_at
                return curated._replace(disagreements=(Disagreement(found.note, found.license, path, line, found.how),))
            return curated._replace(license_path=curated.license_path or found.license_path, notices=found.notices,
                                    mf=found.mf)
        if curated is not None or unlicensed is not None:
            return curated or unlicensed
        if ref.kind == "local":
            return Answer(None, "unknown", "local path not found in this repository")
        if ref.kind == "url":
            return Answer(None, "unknown", "a URL that is not a Hugging Face model")
        return Answer(None, "unknown", "")

    def _agree(self, a: Optional[str], b: Optional[str]) -> bool:
        return bool(a) and bool(b) and self.kb.main(self.kb.lookup(a) or a) == self.kb.main(self.kb.lookup(b) or b)

    def _curated(self, ref: Ref) -> Optional[Answer]:
        """The configuration's `models` table, then the built-in registry."""
        entry = self.models.get(ref.id) or self.models.get(ref.display.lower())
        if entry is not None:
            lic, path = (entry, None) if isinstance(entry, str) else (entry.get("license"), entry.get("path"))
            lid = self.kb.lookup(lic) if lic else None
            return Answer((self.kb.main(lid) if lid else lic), "config", "from the configuration's models table", path)
        reg = self._registry(ref)
        return Answer(reg[0], "registry", reg[1], parents=reg[2]) if reg else None

    def _local_answer(self, ref: Ref) -> Optional[Answer]:
        folder = self._local_folder(ref) if ref.kind in ("hub", "local") else None
        if folder is None:
            return None
        return self._from_folder(self._collected(folder), "local", f"local folder {folder or '.'}")

    def _collected(self, folder: str) -> ModelFacts:
        """A local folder's facts, read once per check (a base is asked about by every model built on it)."""
        if folder not in self._folders:
            self._folders[folder] = self.collect_folder(self.source, folder)
        return self._folders[folder]

    def _cache_answer(self, ref: Ref) -> Optional[Answer]:
        cached = self._hf_cached(ref) if ref.kind == "hub" else None
        if cached is None:
            return None
        from .sources import FsSource

        repo_dir, snap = cached
        mf = self.collect_folder(FsSource(repo_dir), snap)
        return self._from_folder(mf, "hf-cache", f"Hugging Face cache {repo_dir}", repo_dir)

    # ---- weightgate.lock ------------------------------------------------------------------------------------
    def _use_lock(self, mf: ModelFacts) -> None:
        """The lock governing this model folder; its unusable parts become findings of the folder."""
        self._mf = mf
        self._lock = self.locks.for_folder(mf.root) if self.locks is not None else None
        if self._lock is not None:
            mf.facts.extend(p for p in self._lock.problems if p not in mf.facts)

    def _locked(self, ref: Ref):
        """A base as the lock recorded it from the Hub, or None (not locked, or the registry knows it)."""
        entry = self._lock.get(ref.id) if self._lock is not None and ref.kind == "hub" else None
        if entry is None:
            return None
        from .lockfile import conflict, entry_facts, status_note  # a lock governs this folder: its reader is loaded
        if self.kb.family_for(ref.id):  # curated knowledge wins; a lock that disagrees is stale or wrong
            lic = own_license(self.kb, entry_facts(self._lock, entry))[0] if entry.status == "ok" else None
            reg_license, reg_note, _parents = self._registry(ref)
            problem = conflict(self._lock, entry, lic, self.kb.main(reg_license), reg_note) if (
                lic and self.kb.main(lic) != self.kb.main(reg_license)) else None
            if problem is not None and problem not in self._mf.facts:
                self._mf.facts.append(problem)
            return None
        if entry.status != "ok":
            return None, "lock", status_note(self._lock, entry), None, (), None
        mf = entry_facts(self._lock, entry)
        lic = own_license(self.kb, mf)[0]
        where = f"{self._lock.path}: Hub card of {entry.id} at {entry.revision[:12] or 'unknown revision'}"
        if lic:
            return lic, "lock", where, None, (), mf
        said = ", ".join(entry.license + ((entry.license_name,) if entry.license_name else ()))
        why = f"declares {said}, which weightgate does not know" if said else "declares no licence"
        return None, "lock", f"{where} {why}", None, (), mf

    def _lock_answer(self, ref: Ref) -> Optional[Answer]:
        locked = self._locked(ref)
        return Answer(*locked) if locked is not None else None

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

    def _from_folder(self, mf: ModelFacts, how: str, where: str, root_dir: Optional[str] = None) -> Answer:
        """A base whose card (and licence files) we can read: what it declares."""
        lic, lic_path, notices, said_at = own_license(self.kb, mf)
        if root_dir:
            said_at = (os.path.join(root_dir, *said_at[0].split("/")) if said_at[0] else "", said_at[1])
            if lic_path:
                lic_path = os.path.join(root_dir, *lic_path.split("/"))
        if lic:
            return Answer(lic, how, where, lic_path, notices, mf, said_at)
        return Answer(None, "unknown", f"{where} declares no licence", None, (), mf)

    def _registry(self, ref: Ref):
        if ref.kind == "hint":
            fam = next((f for f in self.kb.families if "family:" + f.name == ref.id), None)
            return (fam.license, f"registry: {fam.name} (named by checkpoint metadata); {fam.evidence}", fam.bases) if fam else None
        if ref.kind == "hub":
            hit = hub_family(self.kb, ref.id)
        elif ref.kind == "name":
            hit = self.kb.family_for_name(ref.id)
        elif ref.kind == "local":
            hit = self._named_like(ref)
        else:
            return None
        if not hit:
            return None
        fam, how = hit
        note = f"registry: {fam.name}" + (f" ({how})" if how != "id" else "") + (f"; {fam.evidence}" if fam.evidence else "")
        return fam.license, note, fam.bases

    def _named_like(self, ref: Ref):
        """A local folder named like a base the registry knows, that names no base of its own, is that base
        whatever its card says (a folder that names its bases is a derivative: its lineage decides)."""
        fam = self.kb.family_for_name(posixpath.basename(ref.id.rstrip("/")))
        if fam is None or self.source.kind(ref.id) != "dir":
            return None
        mf = self._collected(ref.id)
        if any(f.kind in STRONG or f.kind in WEAK for f in mf.facts):
            return None
        return fam[0], "folder named like it"

    def _restricting_prose_bases(self, mf: ModelFacts, bases: List[Base]):
        """(reference, evidence, answer, licence) for each base the card's text names, not among `bases`, that
        curated knowledge knows under a licence with obligations (permissive ones never tighten anything)."""
        ids = {b.id for b in bases}
        for ref, evidence in self._group(mf, mf.of("base_prose"), False):
            found = self._curated(ref) if ref.id not in ids else None
            lic = self.kb.get(self.kb.main(found.license)) if found and found.license else None
            if lic is None or lic.kind == "permissive":
                continue
            ids.add(ref.id)
            yield ref, evidence, found, lic

    def _prose_disagreements(self, mf: ModelFacts, bases: List[Base]) -> Tuple[Disagreement, ...]:
        """Bases the card's text names that the metadata's lineage does not explain: known to curated knowledge,
        under a licence that carries obligations, and in no licence family of the resolved bases."""
        direct = [b for b in bases if not b.via]
        if not all(b.license for b in direct):
            return ()  # an unknown base is reported as such; its ancestors might explain the prose
        families = {self._licence_family(b.license) for b in bases if b.license}
        out = []
        for ref, evidence, found, lic in self._restricting_prose_bases(mf, bases):
            if self._licence_family(lic.id) in families:
                continue
            out.append(Disagreement(f"the card's text names {ref.display} ({found.note})", lic.id,
                                    evidence[0].path, evidence[0].line, "prose"))
        return tuple(out)

    def _licence_family(self, lid: str) -> str:
        lic = self.kb.get(self.kb.main(lid))
        return (lic.family or lic.id) if lic else lid

    def _local_folder(self, ref: Ref) -> Optional[str]:
        if ref.kind == "local":
            return ref.id if not ref.id.startswith("..") and self.source.kind(ref.id) == "dir" else None
        org, _, name = ref.display.partition("/")
        for cand in (name, ref.display, f"{org}--{name}") if name else (org,):
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


def _split_list(value: str) -> List[str]:
    """A list written into one string ("org/a, org/b"); a value without commas is itself."""
    if "," not in value and ";" not in value:
        return [value]
    return [v for v in re.split(r"\s*[,;]\s*", value) if v.strip()]


def _has_card_or_license(source, folder: str) -> bool:
    from .discover import find_card, is_license_file, list_files

    files = list_files(source, folder)
    return bool(find_card(files)) or any(is_license_file(n) for n in files) or "config.json" in files


def hub_family(kb, hub_id: str):
    """(registry family, how it matched) of a lowercase Hub-shaped id, or None: the id itself; a name without an
    organisation ("CodeLlama-7B") or whose slash became an underscore in a file-system-safe spelling
    (`meta-llama_Llama-2-7b-hf`); an original's exact name under another organisation (a re-upload, or a training
    folder `models/Qwen2_5-1_5b-Instruct` written like a Hub id). `weightgate lock` asks the same question."""
    hit = kb.family_for(hub_id)
    if hit is not None:
        return hit
    if "/" not in hub_id:
        hit = kb.family_for_name(hub_id)
        for i in (i for i, ch in enumerate(hub_id) if ch == "_" and not hit):
            hit = kb.family_for(f"{hub_id[:i]}/{hub_id[i + 1:]}")
        return hit
    named = kb.family_for_name(hub_id.rsplit("/", 1)[-1])
    return (named[0], "its name, under another organisation") if named and named[1] == "name" else None


def own_license(kb, mf: ModelFacts):
    """The licence a (base) folder declares: card metadata first, then a licence file it ships; with the licence
    file to copy, the NOTICE lines, and (path, line) of the declaration."""
    from .declared import declarations

    decls = declarations(mf, kb)
    lic_file = next((lf for lf in mf.license_files if lf.distance == 0 and lf.copies and lf.role == "license"), None)
    lic_path = lic_file.path if lic_file else None
    notices = tuple(line for lf in mf.license_files if lf.role == "notice" and lf.distance == 0
                    for line in lf.raw_lines if line.strip())
    for source in ("card", "license-file", "card-body", "checkpoint"):
        for d in decls:
            if d.source == source and d.ids:
                return d.ids[0], lic_path, notices, (d.path, d.line)
    return None, lic_path, notices, ("", 0)


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
