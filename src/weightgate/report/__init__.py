"""report: formatters only; no judgement happens here.

Formats: full (the default text), concise, grouped, json, sarif, github; `text` is an alias of `full`.
"""
from __future__ import annotations

import importlib

from .terminal import PLAIN

FORMATS = ("full", "concise", "grouped", "json", "sarif", "github")
ALIASES = {"text": "full"}
HUMAN = ("full", "concise", "grouped")  # formats that may be coloured and honour --quiet


def canonical(fmt: str) -> str:
    fmt = ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return fmt


def render(report, fmt: str, style=PLAIN) -> str:
    fmt = canonical(fmt)
    if fmt == "full":
        from .text_format import render as full

        return full(report, style)
    if fmt == "concise":
        from .text_format import render_concise

        return render_concise(report, style)
    if fmt == "grouped":
        from .grouped_format import render as grouped

        return grouped(report, style)
    return importlib.import_module(f"{__name__}.{fmt}_format").render(report)
