"""The result of a check: plain data that every output format and the Python API are built from."""
from __future__ import annotations

if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, Dict, List, Optional, Tuple

from ._record import record

from .facts import ERROR, WARNING, Finding


@record
class ModelSummary:
    root: str
    declared: List[Dict[str, Any]]  # {"license", "path", "line"}
    bases: List[Dict[str, Any]]  # {"id", "license", "resolved_from", "relation", "evidence": [{"path", "line"}]}
    # {"id", "licenses": [{"name", "use", …}], "use", "mixed", "generated_by", "evidence", "sources"}
    datasets: List[Dict[str, Any]] = ()


class Report:
    """Findings and model summaries of one check (`.ok`, `.findings`, `.models`, `.to_json()`)."""

    def __init__(self, findings: Optional[List[Finding]] = None, models: Optional[List[ModelSummary]] = None,
                 repo_paths: Optional[Dict[str, Tuple[str, str]]] = None):
        self.findings: List[Finding] = findings if findings is not None else []
        self.models: List[ModelSummary] = models if models is not None else []
        # shown path → (source root, path from that root): SARIF and GitHub name files from the repository top
        self.repo_paths: Dict[str, Tuple[str, str]] = repo_paths if repo_paths is not None else {}
        self.config_warnings: List[str] = []  # printed to stderr by the doors, never part of a format

    def repo_path(self, shown: str) -> Tuple[str, str]:
        """(source root or "", repository-relative path) of a shown path."""
        return self.repo_paths.get(shown, ("", shown))

    def __repr__(self) -> str:
        return f"Report(errors={self.errors}, warnings={self.warnings}, models={len(self.models)})"

    @property
    def active(self) -> List[Finding]:
        return [f for f in self.findings if f.waived is None]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.active if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.active if f.severity == WARNING)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def to_dict(self) -> Dict[str, Any]:
        from .__about__ import __version__

        return {
            "version": 1,
            "tool": {"name": "weightgate", "version": __version__},
            "models": [{"root": m.root, "declared": m.declared, "bases": m.bases, "datasets": list(m.datasets)}
                       for m in self.models],
            "findings": [f.to_dict() for f in self.findings],
            "summary": {"errors": self.errors, "warnings": self.warnings, "models": len(self.models),
                        "waived": sum(1 for f in self.findings if f.waived is not None)},
        }

    def to_json(self, indent: int = 2) -> str:
        import json

        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=False) + "\n"
