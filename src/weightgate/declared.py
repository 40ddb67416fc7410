"""What a model folder says its own licence is, source by source (card metadata, card text, licence files,
checkpoint metadata), each mapped to licence ids through the knowledge base."""
from __future__ import annotations

import posixpath
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import List, Optional, Tuple

from ._record import record

from .facts import Fact, ModelFacts
from .text import LazyPattern

NOT_A_LICENSE = ("other", "unknown", "none", "n/a", "na", "tbd", "see license", "see license file", "custom")


@record
class Declaration:
    source: str  # "card" | "card-body" | "license-file" | "checkpoint" | "sidecar"
    raw: str  # as written (a file's path for licence files)
    ids: Tuple[str, ...]  # main licence ids (variants mapped to their parent); () when not recognised
    path: str
    line: int
    distance: int = 0  # licence files: 0 = in the model folder

    @property
    def known(self) -> bool:
        return bool(self.ids)


def resolve_claim(kb, value: str) -> Optional[str]:
    """A licence id for a free-text claim ("Apache 2.0", "the CreativeML OpenRAIL-M license", "mit").

    Tries the whole value, then shorter leading word runs, so "Apache 2.0, see LICENSE" still resolves. A generic
    name followed by a specific licence in brackets ("the Creative Commons license (CC BY-NC-4.0)") is that
    licence: the generic one (data: `covers`) only says which family it belongs to.
    """
    lid = _resolve_words(kb, value)
    lic = kb.get(lid)
    if lic is not None and lic.covers:
        for inner in re.findall(r"\(([^()]{1,80})(?:\)|$)", value):
            specific = _resolve_words(kb, inner)
            if specific and specific != lid:
                return specific
    return lid


def _resolve_words(kb, value: str) -> Optional[str]:
    value = re.sub(r"\s+", " ", value.strip().strip(".;:,()[]|"))
    if not value or len(value) > 200:
        return None
    lid = kb.lookup(value)
    if lid:
        return kb.main(lid)
    words = re.split(r"[\s,;()|]+", value)
    for n in range(min(len(words), 9), 0, -1):
        if n < len(words) and _QUALIFIER.match(words[n]):
            continue  # "Creative Commons BY-NC": the words after "Creative Commons" change the licence
        cand = " ".join(words[:n]).strip(".;:")
        for c in (cand, re.sub(r"\s+licen[cs]e(\s+agreement)?$", "", cand, flags=re.I)):
            lid = kb.lookup(c) if c else None
            if lid:
                return kb.main(lid)
    return None


_QUALIFIER = LazyPattern(r"(?i)^(?:by|nc|sa|nd|by-\w+|-?\d[\d.]*|v\d[\w.]*|version|\+|non-?commercial|"
                         r"attribution|sharealike|share-alike|noderivatives|research|community|\[?\w+\]?-?m)$")


def _file_ids(kb, lf) -> Tuple[str, ...]:
    ids = []
    for i in lf.ids:
        main = kb.main(i)
        lic = kb.get(main)
        if lic is not None and lic.kind != "use-policy" and main not in ids:
            ids.append(main)
    return tuple(ids)


def declarations(mf: ModelFacts, kb) -> List[Declaration]:
    out: List[Declaration] = []
    facts_by_origin = [f for f in mf.facts if f.kind == "license"]
    names = mf.of("license_name")
    links = mf.of("license_link")
    card_declares = False
    for f in facts_by_origin:
        if f.origin.startswith("card:"):
            card_declares = True
            v = f.value.strip()
            if v.lower() == "other":
                ids = _other_ids(kb, mf, names, links)
                out.append(Declaration("card", v, ids, f.path, f.line))
                continue
            if v.lower() in NOT_A_LICENSE:
                continue
            lid = kb.lookup(v)
            out.append(Declaration("card", v, (kb.main(lid),) if lid else (), f.path, f.line))
        else:  # checkpoint metadata
            v = f.value.strip()
            if v.lower() in NOT_A_LICENSE:
                continue
            lid = resolve_claim(kb, v)
            out.append(Declaration("checkpoint", v, (lid,) if lid else (), f.path, f.line))
    for f in mf.of("license_claim"):
        lid = resolve_claim(kb, f.value)
        if lid:
            out.append(Declaration("card-body", f.value, (lid,), f.path, f.line))
    for f in mf.of("license_spdx"):
        ids = tuple(dict.fromkeys(kb.main(l) for l in (kb.lookup(p) for p in _spdx_parts(f.value)) if l))
        out.append(Declaration("sidecar", f.value, ids, f.path, f.line))
    files = [lf for lf in mf.license_files if lf.role == "license"]
    own = [lf for lf in files if lf.distance == 0]
    if own:
        chosen = own
    elif card_declares:
        chosen = []  # the card speaks for the model; a LICENSE further up covers the rest of the repository
    else:
        nearest = min((lf.distance for lf in files), default=None)
        chosen = [lf for lf in files if lf.distance == nearest]
    for lf in chosen:
        ids = _file_ids(kb, lf)
        if ids:
            out.append(Declaration("license-file", lf.path, ids, lf.path, 1, lf.distance))
    return out


def _other_ids(kb, mf: ModelFacts, names: List[Fact], links: List[Fact]) -> Tuple[str, ...]:
    for n in names:
        lid = kb.lookup(n.value)
        if lid:
            return (kb.main(lid),)
    for link in links:
        target = link.value.strip()
        if "://" in target:
            continue
        folder = posixpath.dirname(link.path)
        path = posixpath.normpath(posixpath.join(folder, target.lstrip("./") if target.startswith("./") else target))
        for lf in mf.license_files:
            if lf.path == path:
                return _file_ids(kb, lf)
    return ()


def _spdx_parts(expr: str) -> List[str]:
    return [p for p in re.split(r"\s+(?:AND|OR|WITH)\s+|[()]", expr) if p.strip()]
