"""Plain data that flows through the pipeline: facts (with locations), model folders, findings.

collect → Fact lists per ModelFacts; lineage → Base list; rules → Finding list. Nothing here knows how it
was read or how it will be printed. Records are NamedTuples: immutable, hashable, sortable and cheap to
define (a hook pays for every import, and `dataclasses` alone costs more than checking a small repo).
"""
from __future__ import annotations

if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, Dict, List, Optional, Tuple

from ._record import record

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


@record
class Fact:
    """One thing a file says, and where it says it.

    kind    what it is: "license" (a declared licence id or Hub id, as written), "license_name",
            "license_link", "base" (a base model reference, as written), "relation", "dataset",
            "name" (a model name), "datasets_prose", "problem" (the file itself is broken; value is a
            Problem), and a few reader-specific kinds documented where they are produced.
    value   the value as found (str unless the kind says otherwise).
    path    posix path relative to the check root.
    line    1-based line; 1 for binary files and whole files.
    origin  which reader and field produced it, e.g. "card:license", "card-body:license-line",
            "license-file", "adapter_config:base_model_name_or_path", "gguf:general.license".
    """

    kind: str
    value: Any
    path: str
    line: int = 1
    origin: str = ""


@record
class Problem:
    """A broken or suspicious input found while collecting; becomes a finding of `rule`."""

    rule: str
    message: str
    fix: str = ""
    severity: Optional[str] = None  # None: the rule's default


@record
class LicenseFile:
    """A licence-ish file (LICENSE*, NOTICE*, USE_POLICY*, …) that governs a model folder."""

    path: str  # relative to the check root
    role: str  # "license" | "notice" | "use-policy" | "sidecar"
    ids: Tuple[str, ...]  # licence ids whose fingerprints it matches (variants resolved to their own id)
    copies: Tuple[str, ...]  # ids of which it holds a full copy (enough fingerprints to count as the text)
    text: str  # normalised text (see text.normalise), capped
    raw_lines: Tuple[str, ...] = ()  # original lines, for line numbers
    distance: int = 0  # 0 = in the model folder, 1 = parent, …


class ModelFacts:
    """Everything collected about one model folder."""

    def __init__(self, root: str, name_hint: str):
        self.root = root  # folder path relative to the check root ("." for the root itself)
        self.name_hint = name_hint  # folder name (repo name when the folder is the repo root)
        self.facts: List[Fact] = []
        self.license_files: List[LicenseFile] = []
        self.card_path: Optional[str] = None
        self.card_body = ""  # card text after the front matter, original case
        self.card_body_start = 1  # line number of the first body line
        self.files: List[str] = []  # files in the folder (relative to the check root)

    def of(self, kind: str) -> List[Fact]:
        return [f for f in self.facts if f.kind == kind]


@record
class Disagreement:
    """A source that says something else about a base than the answer used (curated knowledge wins)."""

    source: str  # "local folder Llama-2-7b-hf", "the card's text names X (registry: …)"
    license: str  # what that source says
    path: str = ""  # where it says it ("" when not a file of this check)
    line: int = 0
    how: str = ""  # the source kind: "local", "hf-cache" (or any source added later), "prose"


@record
class Base:
    """A resolved base model of a model folder."""

    id: str  # normalised reference (lowercase Hub id "org/name", or a local path)
    display: str  # as first written
    license: Optional[str]  # licence id, or None when unknown
    resolved_from: str  # "config" | "lock" | "local" | "hf-cache" | "registry" | "unknown" | "declared-by-base"
    relation: str  # "finetune" | "adapter" | "merge" | "quantized"
    evidence: Tuple[Fact, ...]  # where the model names this base
    via: Tuple[str, ...] = ()  # chain of ids when reached through another base ("a -> b")
    note: str = ""  # registry evidence or resolution detail
    license_path: Optional[str] = None  # a local licence file of the base, if known (fix copies it)
    notice_lines: Tuple[str, ...] = ()  # NOTICE contents the base ships (Apache §4(d))
    relabelled_by: str = ""  # the link of `via` that declared another licence than this ancestor's
    revision: str = ""  # the Hub commit the base was read at, when known (weightgate.lock)
    disagreements: Tuple[Disagreement, ...] = ()  # other sources that say another licence (lineage-conflict)
    problems: Tuple[Tuple[str, str, int], ...] = ()  # (message, path, line): a reference that is not a clean id


@record
class Finding:
    """One violation. Immutable and sortable; formatting lives in weightgate.report."""

    path: str
    line: int
    rule: str
    severity: str
    message: str
    clause: str = ""
    fix: str = ""
    waived: Optional[str] = None  # waiver reason when a waiver applies

    def to_dict(self) -> Dict[str, Any]:
        d = {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "clause": self.clause,
            "fix": self.fix,
        }
        if self.waived is not None:
            d["waived"] = self.waived
        return d


def replace(record, **changes):
    """A copy of a record with some fields changed (the NamedTuple spelling of dataclasses.replace)."""
    return record._replace(**changes)
