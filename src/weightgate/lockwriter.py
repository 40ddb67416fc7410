"""Render weightgate.lock: a tiny TOML writer for the lock's fixed schema (see weightgate.lockfile).

Sorted ids, keys in a fixed order, one value type per key, no timestamps beyond the date each entry was read:
the same entries always give the same bytes, so a second `weightgate lock` with nothing changed rewrites nothing.
"""
from __future__ import annotations

import datetime
import json
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import List

from .lockfile import KEY_ORDER, VERSION, Entry

HEADER = (
    "# weightgate.lock: written by `weightgate lock` from the Hugging Face Hub. Do not edit by hand.\n"
    "# Commit it: `weightgate check`, the git hooks and the build plugin read it offline to resolve base models\n"
    "# that neither the configuration nor the built-in registry knows. Refresh: `weightgate lock --update`.\n"
)


def render(entries: List[Entry]) -> str:
    """The lock file text: header, version, one table per entry sorted by lowercase id, keys in a fixed order."""
    out = [HEADER, f"version = {VERSION}\n"]
    for e in sorted(entries, key=lambda e: (e.id.lower(), e.id)):
        out.append(f"\n[models.{_string(e.id)}]\n")
        values = {"status": e.status, "revision": e.revision,
                  "license": (e.license[0] if len(e.license) == 1 else list(e.license)) if e.license else None,
                  "license_name": e.license_name, "license_link": e.license_link, "base_model": list(e.base_model),
                  "base_model_relation": e.base_model_relation, "gated": e.gated,
                  "license_files": list(e.license_files), "license_texts": list(e.license_texts), "read": e.read}
        for k in KEY_ORDER:
            v = values[k]
            if v is None or v == "" or (v == [] and k != "base_model"):
                continue
            if k == "base_model" and not v and e.status != "ok":
                continue
            out.append(f"{k} = {_value(v)}\n")
    return "".join(out)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_string(x) for x in v) + "]"
    return _string(v)


def _string(s: str) -> str:
    """A TOML basic string. JSON's escapes are TOML's; DEL and lone surrogates are not allowed raw."""
    s = s.encode("utf-8", "replace").decode("utf-8")
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007F")
