"""CycloneDX 1.6 JSON from weightgate.aibom records (written by hand: no runtime dependency).

One `machine-learning-model` component per model folder, with its declared and concluded licences told apart
by `acknowledgement`, its bases in `pedigree.ancestors` (each base's own bases nested below it), weight files
with the SHA-256 their LFS pointers state, `data` components for datasets, and the check's verdict as
`weightgate:` properties. Same input, same bytes: the serial number is derived from the content, and a
timestamp is written only when asked for.
"""
from __future__ import annotations

import hashlib
import json
import uuid
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, Dict, List, Optional

SPEC_VERSION = "1.6"


def render(bom, timestamp: Optional[str] = None) -> str:
    doc: Dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": SPEC_VERSION, "serialNumber": "", "version": 1}
    meta: Dict[str, Any] = {}
    if timestamp:
        meta["timestamp"] = timestamp
    meta["tools"] = {"components": [{"type": "application", "name": "weightgate", "version": bom.tool_version}]}
    meta["properties"] = _props(verdict="fail" if bom.errors else "pass", errors=bom.errors,
                                warnings=bom.warnings, findings=bom.findings, models=len(bom.models))
    doc["metadata"] = meta
    doc["components"] = [_model(m) for m in bom.models] + [_dataset(d) for d in bom.datasets]
    doc["dependencies"] = _dependencies(bom)
    # The serial number is a UUID made from the rest of the document (without the timestamp).
    stable = dict(doc, metadata={k: v for k, v in meta.items() if k != "timestamp"})
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True).encode("utf-8")).hexdigest()
    doc["serialNumber"] = uuid.uuid5(uuid.NAMESPACE_URL, "urn:weightgate:bom:" + digest).urn
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _props(**values) -> List[Dict[str, str]]:
    return [{"name": f"weightgate:{k}", "value": str(v)} for k, v in values.items()]


def _license(info, acknowledgement: str) -> Dict[str, Any]:
    if info.spdx and not info.spdx.startswith("LicenseRef-"):
        lic: Dict[str, Any] = {"id": info.spdx}
    else:
        lic = {"name": info.name or info.spdx}
        if info.url:
            lic["url"] = info.url
        if info.spdx:  # the LicenseRef-… the SPDX output uses for the same licence
            lic["properties"] = [{"name": "weightgate:license-ref", "value": info.spdx}]
    if info.where:
        lic.setdefault("properties", []).extend({"name": "weightgate:declared-in", "value": w} for w in info.where)
    lic["acknowledgement"] = acknowledgement
    return {"license": lic}


def _licenses(declared, concluded) -> List[Dict[str, Any]]:
    return [_license(i, "declared") for i in declared] + [_license(i, "concluded") for i in concluded or ()]


def _model(m) -> Dict[str, Any]:
    c: Dict[str, Any] = {"type": "machine-learning-model", "bom-ref": m.ref, "name": m.name}
    if m.version:
        c["version"] = m.version
    licenses = _licenses(m.declared, m.concluded)
    if licenses:
        c["licenses"] = licenses
    _hub(c, m.purl)
    if m.ancestors:
        c["pedigree"] = {"ancestors": [_ancestor(a) for a in m.ancestors]}
    if m.files:
        c["components"] = [_file(m.ref, f) for f in m.files]
    card: Dict[str, Any] = {}
    params: Dict[str, Any] = {}
    if m.task:
        params["task"] = m.task
    if m.datasets:
        params["datasets"] = [{"ref": r} for r in m.datasets]
    if params:
        card["modelParameters"] = params
    if m.limitations:
        card["considerations"] = {"technicalLimitations": list(m.limitations)}
    if card:
        c["modelCard"] = card
    props = _props(path=m.root, verdict=m.verdict, errors=m.errors, warnings=m.warnings, findings=len(m.findings))
    if m.relation:
        props += _props(relation=m.relation)
    if m.concluded is None:
        props += _props(**{"concluded-license": "NOASSERTION"})
    props += [{"name": "weightgate:finding", "value": f} for f in m.findings]
    c["properties"] = props
    return c


def _file(model_ref: str, f) -> Dict[str, Any]:
    c: Dict[str, Any] = {"type": "file", "bom-ref": f"{model_ref}/file:{f.path}", "name": f.path}
    if f.sha256:
        c["hashes"] = [{"alg": "SHA-256", "content": f.sha256}]
    if f.tensor_sha256:  # not the file's hash: ModelSpec hashes the tensor data without the header
        c["properties"] = _props(**{"tensor-data-sha256": f.tensor_sha256})
    return c


def _ancestor(a) -> Dict[str, Any]:
    c: Dict[str, Any] = {"type": "machine-learning-model", "bom-ref": a.ref, "name": a.name}
    if a.licenses:
        c["licenses"] = [_license(i, a.acknowledgement) for i in a.licenses]
    _hub(c, a.purl)
    if a.parents:
        c["pedigree"] = {"ancestors": [_ancestor(p) for p in a.parents]}
    c["properties"] = _props(relation=a.relation, **{"resolved-from": a.resolved_from})
    if a.family:
        c["properties"] += _props(family=a.family)
    return c


def _hub(c: Dict[str, Any], purl: str) -> None:
    """A Hub model's purl, its publisher (the Hub namespace) and its page."""
    from ..aibom import hub_url, publisher

    if purl:
        c["publisher"] = publisher(purl)
        c["purl"] = purl
        c["externalReferences"] = [{"type": "distribution", "url": hub_url(purl)}]


def _dataset(d) -> Dict[str, Any]:
    c: Dict[str, Any] = {"type": "data", "bom-ref": d.ref, "name": d.id}
    if d.licenses:
        c["licenses"] = [_license(i, "concluded") for i in d.licenses]
    if d.url:
        c["externalReferences"] = [{"type": "distribution", "url": d.url}]
    c["data"] = [{"type": "dataset", "name": d.id}]
    return c


def _dependencies(bom) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []

    def add(ref: str, on) -> None:
        entry: Dict[str, Any] = {"ref": ref}
        if on:
            entry["dependsOn"] = sorted(set(on))
        out.append(entry)

    def walk(a) -> None:
        add(a.ref, [p.ref for p in a.parents])
        for p in a.parents:
            walk(p)

    for m in bom.models:
        add(m.ref, [a.ref for a in m.ancestors] + list(m.datasets))
        for a in m.ancestors:
            walk(a)
    for d in bom.datasets:
        add(d.ref, ())
    return out
