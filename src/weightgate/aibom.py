"""`weightgate bom` and `weightgate.bom()`: an AI bill of materials (CycloneDX 1.6 or SPDX 3.0.1) from the
same engine run as `check`.

This module turns each checked model folder (its facts, resolved bases, declarations and findings) into plain
records; `report/cyclonedx.py` and `report/spdx.py` only format them. Nothing is read twice and nothing is
fetched: a fact the check did not collect is not in the BOM.

Licences: *declared* is what the folder says (card, LICENSE files, checkpoint metadata); *concluded* is what
governs it given its lineage (its bases' licences, plus its own where they permit it; see concluded_licenses).
A base whose licence is unknown makes the concluded licence unknown (NOASSERTION) rather than a guess.
"""
from __future__ import annotations

import os
import posixpath
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List, Optional, Sequence, Tuple

from ._record import record

FORMATS = ("cyclonedx", "spdx")
DECLARED_ORDER = ("card", "license-file", "sidecar", "checkpoint", "card-body")
_OWN_SOURCES = ("local", "hf-cache", "lock", "declared-by-base")  # a base whose own files declared its licence
# Template text of the Hub and transformers Trainer cards: a section that says nothing yet.
_PLACEHOLDER = re.compile(r"^[\[*_\s]*(?:more\s+information\s+needed|n/?a|tbd|todo)[\].*_\s]*$", re.I)


@record
class LicenseInfo:
    spdx: str  # an SPDX id, a LicenseRef-… for licences outside SPDX, or "" when the value is not recognised
    name: str  # the licence's name (or the value as written when not recognised)
    url: str = ""
    where: Tuple[str, ...] = ()  # declared licences: "path:line (source)" of each declaration


@record
class Ancestor:
    ref: str  # unique within the BOM
    id: str  # normalised reference (lowercase Hub id, a local path, or "family:…")
    name: str  # as the model wrote it
    purl: str  # pkg:huggingface/org/name[@sha], or "" when the base is not a Hub model
    relation: str
    resolved_from: str
    licenses: Tuple[LicenseInfo, ...]
    acknowledgement: str  # "declared" (the base's own files say so) or "concluded" (weightgate's knowledge)
    parents: Tuple["Ancestor", ...] = ()
    family: str = ""  # the registry family that gave the licence ("Llama 2"), when the registry did


@record
class DatasetInfo:
    ref: str
    id: str
    licenses: Tuple[LicenseInfo, ...]
    url: str = ""


@record
class WeightFile:
    path: str
    sha256: str  # of the file, as its Git LFS pointer states it ("" when not known)
    tensor_sha256: str = ""  # of the tensor data only, as the file's ModelSpec metadata states it


@record
class ModelEntry:
    ref: str
    root: str  # shown path of the folder
    name: str
    version: str
    purl: str
    task: str
    limitations: Tuple[str, ...]
    relation: str
    declared: Tuple[LicenseInfo, ...]
    concluded: Optional[Tuple[LicenseInfo, ...]]  # None: not known (a base's licence is unknown)
    ancestors: Tuple[Ancestor, ...]
    datasets: Tuple[str, ...]  # refs of DatasetInfo
    files: Tuple[WeightFile, ...]
    errors: int
    warnings: int
    findings: Tuple[str, ...]  # "rule path:line" of each active finding

    @property
    def verdict(self) -> str:
        return "fail" if self.errors else "pass"


@record
class Bom:
    models: Tuple[ModelEntry, ...]
    datasets: Tuple[DatasetInfo, ...]
    errors: int
    warnings: int
    findings: int
    tool_version: str


# ---- the command ------------------------------------------------------------------------------------------

def main(args) -> int:
    """Exit 0 when the BOM is written (the verdict and findings count are in it), 2 on usage errors."""
    from .cli import emit

    bom = build(args.paths or ["."], config=args.config, hf_cache=args.hf_cache, ref=args.ref)
    emit(render(bom, args.format or "cyclonedx", timestamp=_now() if args.timestamp else None), args.output)
    return 0


def build(paths: Sequence[str], config=None, hf_cache: Optional[str] = None, ref: Optional[str] = None) -> Bom:
    from . import engine
    from .api import resolve_config

    cfg = resolve_config(config, paths[0])
    if ref is not None:
        from .gitsource import targets_for_git  # a release tag, say: read from git objects

        targets = targets_for_git(paths, ref=ref)
    else:
        targets = engine.targets_for_paths(paths)
    seen: List[tuple] = []
    report = engine.run(targets, cfg, hf_cache=hf_cache, on_model=lambda *row: seen.append(row))
    return from_models(seen, report)


def from_models(seen, report) -> Bom:
    """Records from engine.run's (Target, ModelSummary, Model, its findings) rows and the whole Report."""
    from .__about__ import __version__

    datasets: Dict[str, DatasetInfo] = {}
    models = []
    for target, summary, model, findings in sorted(seen, key=lambda x: x[1].root):
        models.append(_entry(summary, model, findings, datasets, own_purl(target, model)))
    return Bom(models=tuple(models), datasets=tuple(sorted(datasets.values(), key=lambda d: d.ref)),
               errors=report.errors, warnings=report.warnings, findings=len(report.active),
               tool_version=__version__)


def render(bom: Bom, fmt: str, timestamp: Optional[str] = None) -> str:
    if fmt == "spdx":
        from .report.spdx import render as spdx

        return spdx(bom, timestamp)
    from .report.cyclonedx import render as cyclonedx

    return cyclonedx(bom, timestamp)


def _now() -> str:
    """UTC now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    import datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch.isdigit()
            else datetime.datetime.now(datetime.timezone.utc))
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- one model folder -------------------------------------------------------------------------------------

def _entry(summary, model, findings, datasets: Dict[str, DatasetInfo], purl: str) -> ModelEntry:
    kb = model.kb
    facts = model.facts
    ref = "model:" + summary.root
    name, _, _ = model.model_name()
    version = next((f.value for f in facts.of("version")), "")
    task = next((f.value for f in facts.of("task")), "")
    ds_refs = []
    for ds_id, ds_license in datasets_of(summary):
        info = datasets.get("dataset:" + ds_id.lower()) or _dataset(kb, ds_id, ds_license)
        datasets[info.ref] = info
        if info.ref not in ds_refs:
            ds_refs.append(info.ref)
    active = [f for f in findings if f.waived is None]
    relation = model.bases[0].relation if model.bases else ""
    return ModelEntry(
        ref=ref, root=summary.root, name=name or facts.name_hint, version=version, purl=purl, task=task,
        limitations=tuple(limitations(model)), relation=relation, declared=tuple(declared_licenses(model, summary)),
        concluded=concluded_licenses(model), ancestors=tuple(ancestors(model, ref)), datasets=tuple(ds_refs),
        files=weight_files(summary, facts),
        errors=sum(1 for f in active if f.severity == "error"),
        warnings=sum(1 for f in active if f.severity == "warning"),
        findings=tuple(f"{f.rule} {f.path}:{f.line}" for f in sorted(active, key=lambda f: (f.rule, f.path, f.line))))


def weight_files(summary, facts) -> Tuple[WeightFile, ...]:
    """Weight files with the hashes their pointers or metadata state (never computed: weights are not read)."""
    files: Dict[str, Dict[str, str]] = {}
    for kind in ("sha256", "tensor_sha256"):
        for f in facts.of(kind):
            files.setdefault(f.path, {})[kind] = f.value
    return tuple(WeightFile(_show(summary.root, facts.root, path), h.get("sha256", ""), h.get("tensor_sha256", ""))
                 for path, h in sorted(files.items()))


def _show(shown_root: str, root: str, path: str) -> str:
    """A folder-relative file path shown under the folder's shown path."""
    rel = path[len(root) + 1:] if root not in (".", "") and path.startswith(root + "/") else path
    return rel if shown_root in (".", "") else posixpath.join(shown_root, rel)


def license_info(kb, value: str) -> LicenseInfo:
    """A licence id (or a value as written) as an SPDX id, a LicenseRef-… with name and URL, or the raw name."""
    lid = kb.lookup(value) if value else None
    lic = kb.get(kb.main(lid)) if lid else kb.get(value)
    if lic is None:
        return LicenseInfo("", value)
    return LicenseInfo(lic.spdx or "LicenseRef-" + _ref_safe(lic.id), lic.name, lic.url)


def declared_licenses(model, summary=None) -> List[LicenseInfo]:
    """Every licence the folder declares, strongest source first, each once with every place that declares it
    (shown paths from the summary); an unrecognised value stays, as written: present but unusable is still a
    declaration."""
    names = [f.value for f in model.facts.of("license_name")]
    shown = summary.declared if summary is not None and len(summary.declared) == len(model.declared) else None
    rank = {s: i for i, s in enumerate(DECLARED_ORDER)}
    found: Dict[Tuple[str, str, str], List[str]] = {}
    order = sorted(range(len(model.declared)), key=lambda i: rank.get(model.declared[i].source, len(rank)))
    for i in order:
        d = model.declared[i]
        if d.ids:
            infos = [license_info(model.kb, lid) for lid in d.ids]
        elif d.source == "license-file":
            continue
        else:
            infos = [LicenseInfo("", names[0] if d.raw.lower() == "other" and names else d.raw)]
        path, line = (shown[i]["path"], shown[i]["line"]) if shown else (d.path, d.line)
        for info in infos:
            places = found.setdefault(info[:3], [])
            if f"{path}:{line} ({d.source})" not in places:
                places.append(f"{path}:{line} ({d.source})")
    return [LicenseInfo(*key, where=tuple(places)) for key, places in found.items()]


def concluded_licenses(model) -> Optional[Tuple[LicenseInfo, ...]]:
    """What governs the folder given its lineage: the licences of all its ancestors, plus its own declared
    licence where every ancestor's licence permits declaring it (a Mistral fine-tune under CC BY-NC is
    `Apache-2.0 AND CC-BY-NC-4.0`; a relabelled Llama 2 derivative is Llama 2 alone). With no base, its own
    declaration. None when that cannot be known: a base's licence is unknown, or nothing is declared."""
    from .rules.relabel_forbidden import permits, same_family

    kb = model.kb
    rank = {s: i for i, s in enumerate(DECLARED_ORDER)}
    own = next((d.ids for d in sorted(model.declared, key=lambda d: rank.get(d.source, len(rank))) if d.ids), ())
    if not model.bases:
        return tuple(license_info(kb, i) for i in own) or None
    if any(not b.license for b in model.bases):
        return None
    inherited = [lic for lic, _ in model.inherited()]
    infos = [license_info(kb, lic.id) for lic in inherited]
    infos += [license_info(kb, b.license) for b in model.bases if kb.get(kb.main(b.license)) is None]
    for lid in own:
        lic = kb.get(lid)
        if (lic is not None and lic.kind != "use-policy" and len(infos) == len(inherited)
                and all(permits(kb, il, lid) and not same_family(kb, il.id, lid) for il in inherited)):
            infos.append(license_info(kb, lid))
    return tuple(dict.fromkeys(infos)) or None


def ancestors(model, model_ref: str) -> List[Ancestor]:
    """The bases as a tree: each base under the one that brought it (Base.via), direct bases at the top."""
    kb = model.kb
    children: Dict[str, list] = {}
    for b in model.bases:
        children.setdefault(b.via[-1] if b.via else "", []).append(b)

    def node(b, parent_ref: str, depth: int) -> Ancestor:
        ref = f"{parent_ref}/base:{b.id}"
        parents = tuple(node(p, ref, depth + 1) for p in children.get(b.display, ()) if depth < 16)
        lic = (license_info(kb, b.license),) if b.license else ()
        return Ancestor(ref=ref, id=b.id, name=b.display, purl=hub_purl(b), relation=b.relation,
                        resolved_from=b.resolved_from, licenses=lic,
                        acknowledgement="declared" if b.resolved_from in _OWN_SOURCES else "concluded",
                        parents=parents, family=_family(kb, b))

    return [node(b, model_ref, 0) for b in children.get("", ())]


def _family(kb, base) -> str:
    """The registry family a registry-resolved base belongs to (a lookup in the data, not a second resolution)."""
    if base.resolved_from != "registry":
        return ""
    if base.id.startswith("family:"):
        return base.id[len("family:"):]
    hit = kb.family_for(base.id)
    return hit[0].name if hit else ""


_HUB = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


def hub_purl(base) -> str:
    """`pkg:huggingface/org/name[@sha]` for a Hub base; the revision when the base record has one (a lock)."""
    if not _HUB.match(base.display):
        return ""  # a local path or a family named by checkpoint metadata
    rev = getattr(base, "revision", "") or getattr(base, "sha", "") or ""
    return f"pkg:huggingface/{base.display}" + (f"@{rev.lower()}" if re.fullmatch(r"[0-9a-fA-F]{7,64}", rev) else "")


_SNAPSHOT = re.compile(r"models--([^/]+?)--([^/]+)/snapshots/([0-9a-f]{40})(?:/|$)")
_REMOTE_URL = re.compile(r"^\s*url\s*=\s*(\S+)\s*$", re.M)


def own_purl(target, model) -> str:
    """The folder's own Hub purl, when the folder says which Hub revision it is: a Hugging Face cache snapshot
    (`models--org--name/snapshots/<sha>`), or a git clone of a Hub repository whose HEAD (or the `--ref`
    described) is the commit its origin has (a local commit is not a Hub revision: then no version)."""
    source = target.source
    root = getattr(source, "top", None) or getattr(source, "root", "")  # a GitSource reads the repository at top
    if not isinstance(root, str) or not os.path.isabs(root):
        return ""
    full = posixpath.join(root.replace(os.sep, "/"), "" if model.root == "." else model.root)
    snap = _SNAPSHOT.search(full)
    if snap:
        return f"pkg:huggingface/{snap.group(1)}/{snap.group(2)}@{snap.group(3)}"
    if model.root != ".":
        return ""  # a folder inside a repository is not a Hub repository of its own
    from .sources import git_dir_of

    git_dir = git_dir_of(root)
    hub_id = _origin_hub_id(git_dir) if git_dir else None
    if not hub_id:
        return ""
    head = getattr(source, "rev", None) or ("" if hasattr(source, "rev") else _ref_sha(git_dir, "HEAD"))
    pushed = head and head in (_ref_sha(git_dir, "refs/remotes/origin/HEAD"),
                               _ref_sha(git_dir, "refs/remotes/origin/main"))
    return f"pkg:huggingface/{hub_id}" + (f"@{head}" if pushed else "")


def _origin_hub_id(git_dir: str) -> Optional[str]:
    from .collect.checkpoints import hub_ref

    text = _read_small(git_dir, "config")
    section = re.search(r'^\[remote "origin"\]\s*$(.*?)(?=^\[|\Z)', text, re.M | re.S)
    url = _REMOTE_URL.search(section.group(1)) if section else None
    ref = hub_ref(url.group(1)) if url else None
    return ref if ref and _HUB.match(ref) else None


def _ref_sha(git_dir: str, name: str, depth: int = 0) -> str:
    """A ref's commit read from the git directory (loose or packed, symbolic refs followed), without git."""
    dirs = [git_dir]
    common = _read_small(git_dir, "commondir").strip()
    if common:
        dirs.append(os.path.normpath(os.path.join(git_dir, common)))
    for d in dirs:
        value = _read_small(d, name).strip()
        if value.startswith("ref:") and depth < 5:
            return _ref_sha(git_dir, value[4:].strip(), depth + 1)
        if re.fullmatch(r"[0-9a-f]{40}", value):
            return value
        for line in _read_small(d, "packed-refs").splitlines():
            sha, _, ref = line.partition(" ")
            if ref.strip() == name and re.fullmatch(r"[0-9a-f]{40}", sha):
                return sha
    return ""


def _read_small(folder: str, name: str) -> str:
    try:
        with open(os.path.join(folder, *name.split("/")), encoding="utf-8", errors="replace") as f:
            return f.read(1 << 20)
    except OSError:
        return ""


def datasets_of(summary) -> List[Tuple[str, Optional[str]]]:
    """(dataset id as the card wrote it, licence id or None) for each dataset of a model's summary (the engine's
    `datasets` entries, see collect.datasets.describe), once each."""
    out: Dict[str, Optional[str]] = {}
    for d in summary.datasets:
        ds_id = d.get("as_written") or d.get("id")  # the summary's `id` is lowercased for look-ups
        lic = d.get("license")
        if isinstance(ds_id, str) and ds_id.strip():
            out.setdefault(ds_id.strip(), lic if isinstance(lic, str) and lic else None)
    return list(out.items())


def _dataset(kb, ds_id: str, given_license: Optional[str]) -> DatasetInfo:
    known = kb.dataset_for(ds_id)
    lic_id = known.license if known else given_license
    lic = (license_info(kb, lic_id),) if lic_id else ()
    url = f"https://huggingface.co/datasets/{ds_id}" if _HUB.match(ds_id) else ""
    return DatasetInfo(ref="dataset:" + ds_id.lower(), id=ds_id, licenses=lic, url=url)


def hub_url(purl: str) -> str:
    """The Hub page of a `pkg:huggingface/…` purl (at its revision when pinned)."""
    if not purl.startswith("pkg:huggingface/"):
        return ""
    name, _, rev = purl[len("pkg:huggingface/"):].partition("@")
    return f"https://huggingface.co/{name}" + (f"/tree/{rev}" if rev else "")


def publisher(purl: str) -> str:
    """The Hub namespace (user or organisation) that publishes a `pkg:huggingface/org/name` model."""
    return purl[len("pkg:huggingface/"):].split("/", 1)[0] if purl.startswith("pkg:huggingface/") else ""


def revision(purl: str) -> str:
    return purl.partition("@")[2]


_LIMITS = re.compile(r"^\s*#{1,6}\s.*\blimitation", re.I)
_HEADING = re.compile(r"^\s*#{1,6}\s")


def limitations(model) -> List[str]:
    """Paragraphs of the card's "Limitations" sections (template placeholders left out), capped."""
    out: List[str] = []
    inside = False
    buf: List[str] = []
    for _, line in model.card_lines():
        if _HEADING.match(line):
            if buf:
                out.append(" ".join(buf))
                buf = []
            inside = bool(_LIMITS.match(line))
            continue
        if not inside:
            continue
        if line.strip():
            buf.append(line.strip())
        elif buf:
            out.append(" ".join(buf))
            buf = []
    if inside and buf:
        out.append(" ".join(buf))
    kept = [p[:2000] for p in out if not _PLACEHOLDER.match(p) and not p.startswith(("<!--", "```"))]
    return kept[:10]


def _ref_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-") or "unknown"
