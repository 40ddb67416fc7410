"""`--statistics`: one line per rule, like ruff — the count, the rule id, its summary.

Counts are of every finding in the report (the JSON report's `findings`), waived ones included and noted."""
from __future__ import annotations

import json

from .terminal import PLAIN


def counts(report):
    """[(rule id, findings, waived)] most frequent first, then by id."""
    by_rule = {}
    for f in report.findings:
        n, w = by_rule.get(f.rule, (0, 0))
        by_rule[f.rule] = (n + 1, w + (f.waived is not None))
    return sorted(((r, n, w) for r, (n, w) in by_rule.items()), key=lambda x: (-x[1], x[0]))


def render(report, fmt: str = "full", style=PLAIN) -> str:
    from .. import rules

    summaries = {m.ID: m.SUMMARY for m in rules.all_rules()}
    rows = counts(report)
    if fmt == "json":
        return json.dumps([{"rule": r, "count": n, "waived": w, "summary": summaries.get(r, "")}
                           for r, n, w in rows], indent=2, ensure_ascii=False) + "\n"
    width = max((len(r) for r, _, _ in rows), default=0)
    out = []
    for r, n, w in rows:
        note = f" ({w} waived)" if w else ""
        out.append(f"{n:>5}  {style.rule(r)}{' ' * (width - len(r))}  {summaries.get(r, '')}{note}")
    return "".join(line + "\n" for line in out)
