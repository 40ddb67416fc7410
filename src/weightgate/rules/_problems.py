"""Findings for problems the readers recorded while collecting (broken files, LFS pointers, pickles)."""
from __future__ import annotations

from . import finding


def from_problems(model, rule_id: str, default_severity: str):
    for f in model.facts.facts:
        if f.kind == "problem" and f.value.rule == rule_id:
            yield finding(rule_id, f.value.severity or default_severity, f.path, f.line, f.value.message, "",
                          f.value.fix)
