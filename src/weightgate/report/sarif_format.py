"""SARIF 2.1.0 for GitHub code scanning (CONVENTIONS.md §4).

One run; `tool.driver.rules` lists every rule (docstring, the licence clauses it enforces, default level);
each result points at a repository-relative path with `uriBaseId` %SRCROOT% and a line (1 for binary files);
`originalUriBaseIds` says where %SRCROOT% is on this machine (GitHub code scanning resolves the relative uri
against the checkout, so the upload maps whatever the current directory was). Output is deterministic: no
timestamps, findings in the report's sorted order, so two runs are byte-identical and
`partialFingerprints` (a hash of rule, path and the message without line numbers or waiver notes) let code
scanning follow an alert across commits. Waived findings carry an external suppression with the reason.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
import posixpath
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List
from urllib.parse import quote

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/weightgate/weightgate"
FINGERPRINT_KEY = "weightgateFindingHash/v1"

_VOLATILE = (
    re.compile(r" \(the waiver for this finding expired on [^)]*\)$"),  # config.apply adds this
    re.compile(r"\b(?:line|lines)\s+\d+(?:\s*[-–]\s*\d+)?", re.I),
    re.compile(r":\d+\b"),
)


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning" if severity == "warning" else "note"


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


SRCROOT = "%SRCROOT%"


def uri_for(path: str) -> str:
    """Repository-relative posix URI, percent-encoded (spaces, `%`, `#`, `?`, non-ASCII)."""
    p = re.sub(r"\\(?!x[0-9a-f]{2})", "/", path)  # Windows separators; `\xNN` is an escaped non-UTF-8 byte
    p = posixpath.normpath(p) if p else "."
    if p.startswith("./"):
        p = p[2:]
    return quote(p.encode("utf-8", "surrogateescape"), safe="/-._~!$&'()*+,;=@")  # a non-UTF-8 name keeps its bytes


def root_uri(root: str) -> str:
    """`file:///abs/top/` for a source root (the trailing slash makes it a base for relative uris)."""
    from pathlib import Path

    return Path(os.path.abspath(root)).as_uri().rstrip("/") + "/"


def stable_message(message: str) -> str:
    for pattern in _VOLATILE:
        message = pattern.sub("", message)
    return " ".join(message.split())


def fingerprint(rule: str, path: str, message: str) -> str:
    h = hashlib.sha256("\0".join((rule, path, stable_message(message))).encode("utf-8"))
    return h.hexdigest()[:32]


def _rule_descriptor(mod) -> Dict:
    from ..docs import clause_lines, how_to

    doc = inspect.cleandoc(mod.__doc__ or "") or mod.SUMMARY
    clauses = clause_lines(mod.ID)
    text_parts = [doc]
    md_parts = [doc]
    if clauses:
        text_parts.append("Clauses enforced:\n" + "\n".join(clauses))
        md_parts.append("**Clauses enforced**\n\n" + "\n".join(clauses))
    howto = how_to(mod.ID)
    text_parts.append("\n".join(howto))
    md_parts.append(howto[0] + "\n\n```toml\n" + "\n".join(line[4:] for line in howto[1:6]) + "\n```\n\n"
                    + howto[-1])
    return {
        "id": mod.ID,
        "name": _pascal(mod.ID),
        "shortDescription": {"text": mod.SUMMARY},
        "fullDescription": {"text": doc},
        "help": {"text": "\n\n".join(text_parts), "markdown": "\n\n".join(md_parts)},
        "defaultConfiguration": {"level": _level(mod.SEVERITY)},
        "properties": {"tags": ["license", "compliance"]},
    }


def to_sarif(report) -> Dict:
    from .. import rules
    from ..__about__ import __version__

    mods = rules.all_rules()
    index = {m.ID: i for i, m in enumerate(mods)}
    descriptors: List[Dict] = [_rule_descriptor(m) for m in mods]
    results = []
    seen: Dict[str, int] = {}
    base_ids: Dict[str, str] = {}  # source root → its uriBaseId (%SRCROOT%, then %SRCROOT2%, … for more repos)
    for f in sorted(report.findings):
        root, rel = report.repo_path(f.path)
        if os.path.isabs(rel):  # outside every repository (a base in the Hugging Face cache): a file URI
            root, uri = "", root_uri(rel).rstrip("/")
        else:
            uri = uri_for(rel)
        location = {"uri": uri}
        if root:
            if root not in base_ids:
                base_ids[root] = SRCROOT if not base_ids else f"%SRCROOT{len(base_ids) + 1}%"
            location["uriBaseId"] = base_ids[root]
        text = f.message
        if f.clause:
            text += f"\nWhy: {f.clause}"
        if f.fix:
            text += f"\nFix: {f.fix}"
        fp = fingerprint(f.rule, uri, f.message)
        n = seen.get(fp, 0)
        seen[fp] = n + 1
        if n:  # the same message twice in a file: number the repeats, in report order
            fp = f"{fp}:{n + 1}"
        result = {"ruleId": f.rule}
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        result.update({
            "level": _level(f.severity),
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": location,
                                                "region": {"startLine": max(1, int(f.line or 1))}}}],
            "partialFingerprints": {FINGERPRINT_KEY: fp},
        })
        if f.waived is not None:
            result["suppressions"] = [{"kind": "external", "justification": f.waived}]
        results.append(result)
    run = {
        "tool": {"driver": {"name": "weightgate", "semanticVersion": __version__, "version": __version__,
                            "informationUri": INFORMATION_URI, "rules": descriptors}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if base_ids:
        run["originalUriBaseIds"] = {bid: {"uri": root_uri(root)} for root, bid in base_ids.items()}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
