"""metadata-invalid — licence metadata the Hub and downstream tools cannot read, or a file that cannot be parsed.

Reported:
- `license:` that is not a Hub licence id (`license: Apache 2.0`, `license: llama-2`); the finding suggests
  the id the Hub uses;
- `license: other` without both `license_name` and `license_link` (a warning when every base permits any
  licence for a derivative: nothing the unnamed licence could break);
- misspelt keys the Hub ignores (`licence:`, `base-model:`, `license-name:`); a warning when weightgate
  still judges the value (a misspelt `license`, `base_model` or `datasets` key: TRL writes `licence: license`
  into every card), an error when the value is lost;
- values of the wrong type, such as YAML 1.1 turning an unquoted `no` into `false`;
- a base reference that is not a clean Hub id: a name (`base_model: Llama 2 7B`), invisible or look-alike
  characters (it is still resolved, and the base's obligations still apply);
- `base_model_relation` outside adapter / merge / quantized / finetune;
- front matter that is not valid YAML or not a mapping, JSON configs that do not parse, corrupt checkpoint
  headers, unreadable or non-UTF-8 text files, and files too large to be what they claim.

Each finding names the file and the line. Fix: follow the finding's suggestion (`weightgate fix` corrects
Hub ids and misspelt keys).
"""
from __future__ import annotations

from . import finding
from ._problems import from_problems

ID = "metadata-invalid"
SEVERITY = "error"
SUMMARY = "Invalid or unreadable licence metadata (unknown Hub id, `other` without name/link, typos, bad types, broken files)."

RELATIONS = ("adapter", "merge", "quantized", "finetune")


def check(model):
    kb = model.kb
    yield from from_problems(model, ID, SEVERITY)
    card_licenses = [f for f in model.facts.of("license") if f.origin == "card:license"]
    for f in card_licenses:
        if f.value == "other":
            names = model.facts.of("license_name")
            links = model.facts.of("license_link")
            missing = [k for k, v in (("license_name", names), ("license_link", links)) if not v]
            if missing:
                yield finding(ID, _other_severity(model), f.path, f.line,
                              f"`license: other` needs {' and '.join(f'`{m}`' for m in missing)} to say which licence",
                              "Hub model card metadata: `license: other` requires `license_name` and `license_link`",
                              "add `license_name: <slug>` and `license_link: LICENSE` (or a URL) to the front matter")
        elif not kb.hub_id_valid(f.value):
            suggestion = kb.suggest_hub_id(f.value)
            hint = f"; the Hub id is `{suggestion}`" if suggestion else ""
            fix = (f"write `license: {suggestion}`" if suggestion and suggestion != "other" else
                   "use a Hub licence id, or `license: other` with `license_name` and `license_link`")
            if suggestion == "other":
                lid = kb.main(kb.lookup(f.value))
                lic = kb.get(lid)
                slug = lic.license_names[0] if lic and lic.license_names else lid
                fix = f"write `license: other`, `license_name: {slug}`, `license_link: LICENSE`"
                hint = f"; {lic.name if lic else f.value} has no Hub id, so use `license: other`"
            if suggestion and suggestion != "other":
                fix = _unless_forbidden(model, suggestion, fix)
            yield finding(ID, SEVERITY, f.path, f.line, f"`license: {f.value}` is not a Hub licence id{hint}",
                          "Hub licence ids: huggingface/hub-docs repositories-licenses.md", fix)
    for f in model.facts.of("relation"):
        if f.origin.startswith("card:") and f.value not in RELATIONS:
            yield finding(ID, SEVERITY, f.path, f.line,
                          f"`base_model_relation: {f.value}` is not one of {', '.join(RELATIONS)}",
                          "Hub model card metadata: base_model_relation", f"use one of {', '.join(RELATIONS)}")
    for b in model.bases:
        for message, path, line in b.problems:
            yield finding(ID, SEVERITY, path, line, f"base reference {message}",
                          "Hub model card metadata: base_model is a Hub model id", "write the base's Hub id, `org/name`")


def _other_severity(model) -> str:
    """`license: other` without a name hides which terms apply. That is an error when a base's licence limits
    how a derivative may be licensed (the unnamed licence may break it) or a base is unknown; a warning when
    every base permits any licence (LLaMA-Factory writes `license: other` into every card it makes)."""
    if any(not b.license for b in model.bases):
        return SEVERITY
    if all(lic.relabel is None or lic.relabel.mode == "any" for lic, _base in model.inherited()):
        return "warning"
    return SEVERITY


def _unless_forbidden(model, suggestion: str, fix: str) -> str:
    """Respelling a licence the base forbids only hides the relabel: say what to declare instead."""
    from .relabel_forbidden import permits, same_family, suggested_label

    kb = model.kb
    lid = kb.main(kb.lookup(suggestion) or suggestion)
    for lic, _base in model.inherited():
        if not permits(kb, lic, lid) or same_family(kb, lid, lic.id):
            return (f"declare {suggested_label(lic)}: `{suggestion}` is the Hub spelling, but the {lic.name} of a "
                    "base does not allow it")
    return fix
