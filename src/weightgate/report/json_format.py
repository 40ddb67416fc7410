"""JSON report (schema: weightgate/data/report.schema.json). Stable: keys and order only grow."""
from __future__ import annotations


def render(report) -> str:
    return report.to_json()
