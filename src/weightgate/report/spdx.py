"""SPDX 3.0.1 JSON-LD (Core, Software, AI, Dataset and SimpleLicensing profiles) from weightgate.aibom records.

An `ai_AIPackage` per model folder and per base, a `dataset_DatasetPackage` per dataset; every package has
exactly one `hasDeclaredLicense` and one `hasConcludedLicense` relationship (NOASSERTION when unknown), bases
are linked with `descendantOf`, datasets with `trainedOn`, weight files (with the SHA-256 their LFS pointers
state) with `hasDataFile`. Licences outside SPDX are `LicenseRef-…` ids mapped to their URL (`customIdToUri`).

Deterministic: element ids live under a namespace derived from the content, and the creation time — SPDX
requires one — is the Unix epoch (1970-01-01T00:00:00Z) unless `--timestamp` asks for the real time.
"""
from __future__ import annotations

import hashlib
import json
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, Dict, List, Optional

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
EPOCH = "1970-01-01T00:00:00Z"
NOASSERTION = "expandedlicensing_NoAssertionLicense"  # the SPDX individual, as the context compacts it
_PENDING = "urn:weightgate:pending"  # replaced by the content-derived namespace once the graph is complete
_CI = "_:creationinfo"


class _Graph:
    def __init__(self):
        self.elements: List[Dict[str, Any]] = []
        self.ids: Dict[str, str] = {}  # element key → spdxId
        self.licenses: Dict[str, str] = {}  # expression → spdxId
        self.rel = 0

    def add(self, key: str, kind: str, **fields) -> str:
        """An element once per key (a base shared by two models is one package)."""
        if key in self.ids:
            return self.ids[key]
        sid = f"{_PENDING}#{_slug(key)}"
        while sid in self.ids.values():  # two keys that slug alike
            sid += "-"
        self.ids[key] = sid
        el = {"type": kind, "spdxId": sid, "creationInfo": _CI}
        el.update({k: v for k, v in fields.items() if v not in (None, "", [], ())})
        self.elements.append(el)
        return sid

    def relate(self, frm: str, kind: str, to: List[str]) -> None:
        if not to:
            return
        self.rel += 1
        self.elements.append({"type": "Relationship", "spdxId": f"{_PENDING}#relationship-{self.rel}",
                              "creationInfo": _CI, "from": frm, "relationshipType": kind, "to": to})

    def license(self, infos) -> str:
        """The element for the AND of the licences (NOASSERTION for none); one element per expression."""
        if not infos:
            return NOASSERTION
        ids = list(dict.fromkeys(_spdx_id(i) for i in infos))
        expr = " AND ".join(ids)
        if expr not in self.licenses:
            uris = [{"type": "DictionaryEntry", "key": _spdx_id(i), "value": i.url}
                    for i in infos if _spdx_id(i).startswith("LicenseRef-") and i.url]
            uris = list({u["key"]: u for u in uris}.values())
            self.licenses[expr] = self.add("license:" + expr, "simplelicensing_LicenseExpression",
                                           simplelicensing_licenseExpression=expr,
                                           simplelicensing_customIdToUri=uris)
        return self.licenses[expr]

    def licensed(self, sid: str, declared, concluded) -> None:
        self.relate(sid, "hasDeclaredLicense", [self.license(declared)])
        self.relate(sid, "hasConcludedLicense", [self.license(concluded)])


def _package(g: _Graph, key: str, name: str, purl: str, version: str, **fields) -> str:
    """An ai_AIPackage; a Hub model names its publisher (suppliedBy), page and revision."""
    from ..aibom import hub_url, publisher, revision

    org = publisher(purl)
    supplier = g.add("agent:" + org, "Agent", name=org) if org else None
    return g.add(key, "ai_AIPackage", name=name, software_packageVersion=version or revision(purl),
                 software_packageUrl=purl, software_downloadLocation=hub_url(purl), suppliedBy=supplier,
                 software_primaryPurpose="model", **fields)


def render(bom, timestamp: Optional[str] = None) -> str:
    g = _Graph()
    tool = g.add("tool:weightgate", "Tool", name=f"weightgate {bom.tool_version}")
    agent = g.add("creator:weightgate", "SoftwareAgent", name="weightgate")  # "agent:…" keys are Hub namespaces
    datasets = {d.ref: _dataset(g, d) for d in bom.datasets}
    roots = [_model(g, m, datasets) for m in bom.models]
    g.add("document", "SpdxDocument", name="weightgate AI-BOM",
          profileConformance=["core", "software", "simpleLicensing", "ai", "dataset"], rootElement=roots,
          comment=f"weightgate verdict: {'fail' if bom.errors else 'pass'}; {bom.errors} error(s), "
                  f"{bom.warnings} warning(s), {bom.findings} finding(s), {len(bom.models)} model folder(s)")
    info = {"type": "CreationInfo", "@id": _CI, "created": EPOCH, "createdBy": [agent], "createdUsing": [tool],
            "specVersion": "3.0.1"}
    text = json.dumps({"@context": CONTEXT, "@graph": [info] + g.elements}, indent=2, ensure_ascii=False) + "\n"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]  # before the time: ids stay put across runs
    text = text.replace(_PENDING, f"https://spdx.org/spdxdocs/weightgate-{digest}")
    return text.replace(f'"created": "{EPOCH}"', f'"created": "{timestamp}"', 1) if timestamp else text


def _model(g: _Graph, m, datasets: Dict[str, str]) -> str:
    limits = "\n\n".join(m.limitations)
    sid = _package(g, m.ref, m.name, m.purl, m.version,
                   ai_informationAboutApplication=f"task: {m.task}" if m.task else "", ai_limitation=limits,
                   comment=f"weightgate: folder {m.root}; verdict {m.verdict}; {m.errors} error(s), {m.warnings} "
                           f"warning(s)" + (f"; relation to its bases: {m.relation}" if m.relation else "")
                           + "".join(f"\ndeclared: {_spdx_id(i)} at {', '.join(i.where)}" for i in m.declared)
                           + "".join(f"\nfinding: {f}" for f in m.findings))
    g.licensed(sid, m.declared, m.concluded)
    g.relate(sid, "descendantOf", [_ancestor(g, a) for a in m.ancestors])
    g.relate(sid, "trainedOn", [datasets[r] for r in m.datasets if r in datasets])
    files = [g.add(f"{m.ref}/file:{f.path}", "software_File", name=f.path,
                   verifiedUsing=[{"type": "Hash", "algorithm": "sha256", "hashValue": f.sha256}] if f.sha256 else [],
                   comment=f"tensor data SHA-256 (ModelSpec, header excluded): {f.tensor_sha256}"
                   if f.tensor_sha256 else "")
             for f in m.files]
    g.relate(sid, "hasDataFile", files)
    return sid


def _ancestor(g: _Graph, a) -> str:
    key = "base:" + a.id
    if key in g.ids:
        return g.ids[key]
    sid = _package(g, key, a.name, a.purl, "",
                   comment=f"weightgate: {a.relation} base, licence resolved from {a.resolved_from}"
                           + (f" (family {a.family})" if a.family else ""))
    g.licensed(sid, a.licenses if a.acknowledgement == "declared" else (), a.licenses)
    g.relate(sid, "descendantOf", [_ancestor(g, p) for p in a.parents])
    return sid


def _dataset(g: _Graph, d) -> str:
    sid = g.add(d.ref, "dataset_DatasetPackage", name=d.id, software_primaryPurpose="data",
                software_downloadLocation=d.url, dataset_datasetType=["noAssertion"])
    g.licensed(sid, (), d.licenses)
    return sid


def _spdx_id(info) -> str:
    return info.spdx or "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.-]+", "-", info.name).strip("-") or "unknown")


def _slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-") or "element"
