"""Lineage view: a tree per model folder — model → bases → their bases — from the same engine run as `check`.

Each node shows the licence it resolved to, where the model names it (file:line) and where the licence came
from (configuration, local folder, Hugging Face cache, registry with its evidence). The JSON form holds the
same data, nested. Nothing is resolved here: the nodes are the Report's model summaries.
"""
from __future__ import annotations

if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, Dict, List

SOURCES = {"config": "the configuration's models table", "registry": "the built-in registry",
           "local": "a local folder", "hf-cache": "the Hugging Face cache", "lock": "the lock file",
           "unknown": "nowhere (unknown)"}


def to_dict(report) -> Dict[str, Any]:
    return {"version": 1, "models": [{"root": m.root, "declared": m.declared, "bases": _tree(m.bases, ())}
                                     for m in report.models]}


def _tree(bases: List[Dict[str, Any]], via: tuple) -> List[Dict[str, Any]]:
    """The bases reached through `via`, each with its own bases nested (ancestors carry their chain in `via`)."""
    out = []
    for b in bases:
        if tuple(b["via"]) == via:
            node = {k: v for k, v in b.items() if k != "via"}
            node["bases"] = _tree(bases, via + (b["id"],))
            out.append(node)
    return out


def render_json(report) -> str:
    import json

    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


def render(report) -> str:
    out: List[str] = []
    for m in to_dict(report)["models"]:
        declared = ", ".join(f"{d['license']} ({d['path']}:{d['line']})" for d in m["declared"]) or "nothing"
        out.append(f"{m['root']}  declares {declared}")
        if not m["bases"]:
            out.append("    (no base named)")
        _nodes(m["bases"], "", out)
        out.append("")
    if not report.models:
        out.append("No model folders found.")
    return "\n".join(out).rstrip("\n") + "\n"


def _nodes(nodes: List[Dict[str, Any]], indent: str, out: List[str]) -> None:
    for i, n in enumerate(nodes):
        last = i == len(nodes) - 1
        out.append(f"{indent}{'└── ' if last else '├── '}{n['id']}  {n['license'] or 'UNKNOWN licence'}  "
                   f"({n['relation']})")
        more = indent + ("    " if last else "│   ")
        named = ", ".join(f"{e['path']}:{e['line']}" + (f" ({e['origin']})" if e.get("origin") else "")
                          for e in n["evidence"])
        if named:
            out.append(f"{more}  named at {named}")
        how = SOURCES.get(n["resolved_from"], n["resolved_from"])
        note = (n.get("note") or "").replace("registry: ", "", 1)
        out.append(f"{more}  licence from {how}" + (f": {note}" if note else ""))
        for d in n.get("disagreements", ()):
            where = f" ({d['path']}:{d['line']})" if d.get("path") else ""
            out.append(f"{more}  disagrees: {d['source']}{where} says {d['license']}")
        _nodes(n["bases"], more, out)


def lineage_command(args, emit) -> int:
    """`weightgate lineage [PATH]`: the tree, text or JSON; exit 0 (it reports, it does not judge)."""
    from ..api import check

    report = check(args.paths or ["."], ref=args.ref, config=args.config, hf_cache=args.hf_cache,
                   staged=args.staged)
    emit(render_json(report) if args.format == "json" else render(report), args.output)
    return 0
