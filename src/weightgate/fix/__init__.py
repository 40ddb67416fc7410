"""`weightgate fix`: bring model folders to the compliant state that can be reached offline.

Flow: analyse the folders exactly as `check` does, let the planners (weightgate.fix.plan) change an in-memory
overlay, analyse the overlay again and repeat until nothing changes (a fix can reveal another: once the card
declares `llama2`, the Notice is owed). The difference between the overlay and the disk is a list of `Edit`s:
printed as a unified diff with --dry-run, otherwise written atomically, file by file. Then the folders are
checked again and whatever remains is listed with the reason it was left to the owner. The exit code is
`check`'s on the result (2 when a file could not be written).

Nothing is downloaded and no licence text is ever written from memory: licence copies come only from the
base's local folder, the local Hugging Face cache, or files given with --license-from.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple

from .. import config as config_mod
from .. import engine, knowledge, rules
from ..facts import ERROR, WARNING, Finding, replace
from .edits import Edit, Overlay, WriteError, unified_diff, write_atomic
from .plan import Context, Fixed, ModelFixer, Note

__all__ = ["Edit", "FixResult", "fix", "main"]

MAX_ROUNDS = 6

_DEFAULT_REASONS = {
    "naming-rule": "renaming the model is the owner's decision; the finding shows a compliant name",
    "noncommercial-data": "retraining without the dataset or declaring a non-commercial licence is the owner's "
                          "decision",
    "unknown-base-license": "the base's licence cannot be known offline and weightgate does not guess it: name it in "
                            "the configuration's [tool.weightgate.models] table, or put the base's card in the "
                            "Hugging Face cache",
    "base-conflict": "which base the weights come from is the owner's knowledge: name it in the card, or remove the "
                     "file left from another run",
    "lineage-conflict": "which base the weights come from, or which copy is mislabelled, is the owner's call; the "
                        "finding names both sources",
    "checkpoint-unverifiable": "the weights are LFS pointers; fetch the objects (git lfs pull) and check again",
    "pickle-checkpoint": "converting weights to safetensors is not a metadata edit",
    "metadata-invalid": "not a mechanical change; follow the suggestion above",
    "policy-denied": "your configuration's licence policy rejects this licence; fix does not change policy decisions",
}


@dataclass
class FixResult:
    """What a fix run did (or would do) and what remains."""

    fixed: List[Tuple[Fixed, str]] = field(default_factory=list)  # (fix, shown path)
    edits: List[Edit] = field(default_factory=list)
    remaining: List[Tuple[Finding, str]] = field(default_factory=list)  # (finding with shown path, why not fixed)
    models: int = 0
    write_errors: List[str] = field(default_factory=list)
    converged: bool = True
    dry_run: bool = False
    config_warnings: List[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f, _ in self.remaining if f.severity == ERROR and f.waived is None)

    @property
    def warnings(self) -> int:
        return sum(1 for f, _ in self.remaining if f.severity == WARNING and f.waived is None)

    @property
    def exit_code(self) -> int:
        if self.write_errors:
            return 2
        return 1 if self.errors else 0


# ---- one planning round -------------------------------------------------------------------------------------

def _round(targets, overlays: List[Overlay], config, ctx: Context, keep, hf_cache, cwd=None):
    """Analyse every target through its overlay and plan fixes into it.

    Returns (changed, [(Fixed, shown path)], [(Finding shown, reason)], number of models)."""
    changed = False
    fixed: List[Tuple[Fixed, str]] = []
    remaining: List[Tuple[Finding, str]] = []
    models = 0
    for t, ov in zip(targets, overlays):
        before = dict(ov.files)
        view = engine.Target(ov.source(), t.prefixes, t.display_base, t.lfs_dirs, t.repo_name, t.only_folders,
                             t.changed)
        show = engine._shower(t, cwd)
        for _t, model in engine.analyse([view], config, None, hf_cache, cwd):
            models += 1
            raw = rules.run(model)
            back = {show(f.path): f.path for f in raw}
            shown = sorted(set(f for f in _apply(config, [replace(f, path=show(f.path)) for f in raw],
                                                 t.source.root, back.get) if keep(f)))
            active = [replace(f, path=back.get(f.path, f.path)) for f in shown if f.waived is None]
            fixer = ModelFixer(ctx, ov, model, active)
            fixer.run()
            fixed.extend((x, show(x.path)) for x in fixer.fixed)
            for f_shown, f in zip([s for s in shown if s.waived is None], active):
                remaining.append((f_shown, _reason(model, f, fixer.notes)))
            remaining.extend((s, "waived") for s in shown if s.waived is not None)
        changed = changed or ov.files != before
    remaining.sort(key=lambda x: x[0])
    return changed, fixed, remaining, models


def _apply(config, findings, source_root, locate):
    """Severity overrides and waivers, with globs relative to the configuration file (as `check` applies them)."""
    return config_mod.apply(config, findings, source_root, locate)


def _reason(model, f: Finding, notes: Sequence[Note]) -> str:
    mine = [n for n in notes if n.rule == f.rule and n.path == f.path and n.line == f.line]
    for n in mine:
        if n.license and f"({n.license})" in f.message:
            return n.reason
    if mine:
        return mine[0].reason
    if f.rule in ("relabel-forbidden", "license-mismatch", "open-source-claim"):
        d = next((d for d in model.declared if d.path == f.path and d.line == f.line), None)
        source = d.source if d is not None else ("card-body" if f.rule == "open-source-claim" else "")
        if source == "card-body":
            return (f"prose in the card contradicts the licence: edit line {f.line} of {f.path} yourself "
                    "(weightgate does not rewrite sentences)")
        if source == "license-file":
            return ("this licence file holds other terms; weightgate does not replace or delete licence files "
                    "(keep a code licence outside the model folder, or replace the file)")
        if source == "checkpoint":
            return "the claim is in a weight file's metadata; weightgate does not rewrite checkpoints"
        if source == "sidecar":
            return "edit the SPDX expression in this file"
        if f.rule == "license-mismatch":
            return "the sources disagree and weightgate cannot tell which one is right"
    return _DEFAULT_REASONS.get(f.rule, "not fixable automatically")


# ---- the run ------------------------------------------------------------------------------------------------

def fix(paths: Sequence[str] = (".",), *, dry_run: bool = False, config=None, hf_cache: Optional[str] = None,
        license_from: Sequence[str] = (), keep: Optional[Callable[[Finding], bool]] = None,
        cwd: Optional[str] = None) -> FixResult:
    """Plan and (unless dry_run) apply the fixes for the model folders under `paths`.

    With `cwd`, paths are shown as the CLI prints them (relative to `cwd` when below it, else absolute); diffs
    always name files from the repository top, so `git apply` takes them there."""
    from ..api import resolve_config

    paths = list(paths) or ["."]
    if hf_cache:
        hf_cache = os.path.abspath(hf_cache)  # base licence paths are then absolute, whatever the cwd
    cfg = resolve_config(config, paths[0])
    keep = keep or (lambda f: True)

    def enabled(rule_id: str) -> bool:
        return keep(Finding(path="", line=0, rule=rule_id, severity=ERROR, message=""))

    kb = knowledge.load()
    if cfg.licenses:
        kb = knowledge.extended(kb, cfg.licenses, cfg.path or "configuration")
    ctx = Context(kb, enabled, license_from, cfg.path)
    targets = engine.targets_for_paths(paths)
    overlays = [Overlay(t.source.root) for t in targets]
    result = FixResult(dry_run=dry_run, config_warnings=list(cfg.warnings))
    seen = set()
    for _ in range(MAX_ROUNDS):
        changed, fixed, remaining, models = _round(targets, overlays, cfg, ctx, keep, hf_cache, cwd)
        for item in fixed:
            if item not in seen:
                seen.add(item)
                result.fixed.append(item)
        result.remaining, result.models = remaining, models
        if not changed:
            break
    else:
        result.converged = False
    for t, ov in zip(targets, overlays):
        result.edits.extend(ov.edits(engine._shower(t, cwd)))
    if dry_run or not result.edits:
        return result
    for edit in result.edits:
        try:
            write_atomic(edit)
        except WriteError as e:
            result.write_errors.append(str(e))
    # Check again, from the disk: what remains is what the owner has to do.
    fresh = [Overlay(t.source.root) for t in targets]
    _changed, _fixed, result.remaining, result.models = _round(targets, fresh, cfg, ctx, keep, hf_cache, cwd)
    return result


def main(args) -> int:
    """`weightgate fix` (argparse namespace from weightgate.cli)."""
    from ..cli import _rule_filter, emit, warn_config

    keep = _rule_filter(args)
    result = fix(args.paths or ["."], dry_run=args.dry_run, config=args.config, hf_cache=args.hf_cache,
                 license_from=args.license_from, keep=keep, cwd=os.getcwd())
    warn_config(result.config_warnings)
    fmt = args.format or "text"
    emit(render_json(result) if fmt == "json" else render_text(result), args.output)
    for e in result.write_errors:
        print(f"weightgate: {e}", file=sys.stderr)
    if not result.converged:
        print("weightgate: fix did not settle after several rounds; the result may be incomplete "
              "(rerun it, and report this)", file=sys.stderr)
    return result.exit_code


# ---- output -------------------------------------------------------------------------------------------------

def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else ('es' if word.endswith(('x', 's')) else 's')}"


def _where(fx: Fixed, shown: str) -> str:
    return f"{shown}:{fx.line}" if fx.line else shown


def render_text(result: FixResult) -> str:
    from ..report.text_format import safe

    out: List[str] = []
    verb = "would " if result.dry_run else ""
    if result.dry_run:
        for e in result.edits:
            out.append(unified_diff(e).rstrip("\n"))
    for fx, shown in result.fixed:
        tag = f" [{fx.rule}]" if fx.rule else ""
        out.append(f"{'Would fix' if result.dry_run else 'Fixed'} {_where(fx, shown)}{tag}: {fx.description}")
    files = len(result.edits)
    if result.fixed:
        out.append(f"{'Would apply' if result.dry_run else 'Applied'} {_plural(len(result.fixed), 'fix')} to "
                   f"{_plural(files, 'file')}" + (" (dry run: nothing written)." if result.dry_run else "."))
    else:
        out.append("Nothing to fix automatically.")
    active = [(f, why) for f, why in result.remaining if f.waived is None]
    if active:
        out.append("")
        out.append(f"Not fixed automatically ({len(active)}):" if not result.dry_run else
                   f"Would remain ({len(active)}):")
    for f, why in result.remaining:
        tag = f"{f.severity} [{f.rule}]" + (" (waived)" if f.waived is not None else "")
        out.append(f"{safe(f.path)}:{f.line}: {tag} {safe(f.message)}")
        if f.waived is not None:
            out.append(f"    waived: {safe(f.waived)}")
            continue
        if f.fix:
            out.append(f"    fix: {safe(f.fix)}")
        out.append(f"    not fixed: {why}")
    models = _plural(result.models, "model folder")
    if result.errors or result.warnings:
        out.append(f"{'Would leave' if result.dry_run else 'Left'} {_plural(result.errors, 'error')} and "
                   f"{_plural(result.warnings, 'warning')} in {models}.")
    elif result.models == 0:
        out.append("No model folders found (looked for model cards, config.json, adapter_config.json, weights).")
    else:
        out.append(f"All checks {verb}pass ({models}).")
    return "\n".join(out) + "\n"


def render_json(result: FixResult) -> str:
    import json

    data = {
        "version": 1,
        "dry_run": result.dry_run,
        "fixes": [{"rule": fx.rule, "path": shown, "line": fx.line, "description": fx.description}
                  for fx, shown in result.fixed],
        "files": [{"path": e.display, "action": e.action} for e in result.edits],
        "remaining": [dict(f.to_dict(), not_fixed=why) for f, why in result.remaining],
        "summary": {"fixes": len(result.fixed), "files": len(result.edits), "errors": result.errors,
                    "warnings": result.warnings, "models": result.models},
    }
    if result.dry_run:
        data["diff"] = "".join(unified_diff(e) for e in result.edits)
    if result.write_errors:
        data["write_errors"] = list(result.write_errors)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
