"""report: formatters only. Each module has `render(report) -> str`; no judgement happens here."""
from __future__ import annotations

import importlib

FORMATS = ("text", "json", "sarif", "github")


def render(report, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return importlib.import_module(f"{__name__}.{fmt}_format").render(report)
