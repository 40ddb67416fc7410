"""The pipeline: paths → model folders → facts → lineage → rules → Report.

The CLI, the hooks, the build plugin and the Python API all call `run`. Only the Source differs between the
working tree, the git index and a pushed commit.
"""
from __future__ import annotations

import os
import posixpath
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from . import config as config_mod
from . import discover, knowledge, rules
from .collect import Reader, card_says_model, collect_model
from .declared import declarations
from .errors import UsageError
from .facts import Finding, replace
from .lineage import Resolver
from .model import Model
from .result import ModelSummary, Report
from .sources import FsSource, Source, find_repo_top, git_dir_of, lfs_dirs_for


class Target:
    """One source and the folders to check in it."""

    def __init__(self, source: Source, prefixes: Sequence[str], display_base: str, lfs_dirs: List[str],
                 repo_name: str, only_folders: Optional[Iterable[str]] = None,
                 changed: Optional[Iterable[str]] = None):
        self.source = source
        self.prefixes = list(prefixes)  # folders (relative to the source root) to search for models
        self.display_base = display_base  # findings are shown relative to this folder of the source
        self.lfs_dirs = lfs_dirs
        self.repo_name = repo_name
        self.only_folders = set(only_folders) if only_folders is not None else None
        # the touched paths behind `only_folders`: a model whose lineage passes through one is checked too
        self.changed = set(changed) if changed is not None else None


def targets_for_paths(paths: Sequence[str], follow_gitignore: bool = True) -> List[Target]:
    """Working-tree targets for CLI/API paths (a repo, a folder inside one, or files → their folders).

    In a git work tree what git ignores is skipped, as ruff does; `follow_gitignore=False` checks it too (a
    build ships what its own configuration includes, ignored or not)."""
    by_top: Dict[str, List[str]] = {}
    in_git: Dict[str, bool] = {}
    for p in paths:
        if not os.path.exists(p):
            raise UsageError(f"{p}: no such file or directory")
        folder = p if os.path.isdir(p) else (os.path.dirname(p) or ".")
        git_top = find_repo_top(folder)
        top = git_top or os.path.abspath(folder)
        in_git[top] = git_top is not None and follow_gitignore
        rel = os.path.relpath(os.path.abspath(folder), top).replace(os.sep, "/")
        by_top.setdefault(top, []).append("" if rel == "." else rel)
    targets = []
    single_dir = len(paths) == 1 and os.path.isdir(paths[0])
    for top, prefixes in by_top.items():
        display = prefixes[0] if single_dir else _display_base_for(top)
        targets.append(Target(FsSource(top, git_top=in_git[top]), sorted(set(prefixes)), display,
                              lfs_dirs_for(git_dir_of(top)), os.path.basename(top)))
    return targets


def _display_base_for(top: str) -> str:
    """Show paths relative to the current directory (like ruff), as a folder relative to the source root."""
    rel = os.path.relpath(os.getcwd(), top).replace(os.sep, "/")
    return "" if rel == "." else rel


def analyse(targets: Sequence[Target], config: Optional[config_mod.Config] = None, kb=None,
            hf_cache: Optional[str] = None, cwd: Optional[str] = None) -> Iterator[Tuple[Target, Model]]:
    """Every model folder of the targets, collected and resolved, ready for the rules (and for `fix`)."""
    config = config or config_mod.Config()
    kb = kb or knowledge.load()
    if config.licenses:
        kb = knowledge.extended(kb, config.licenses, config.path or "configuration")
    for t in targets:
        reader = Reader(t.source)
        show = _shower(t, cwd)
        folders = [(f, fs) for f, fs in _model_folders(t, reader)
                   if not config_mod.excluded(config, show(f or "."), t.source.root, f or ".")]

        seen_bases: Dict[Tuple[str, str], object] = {}

        def collect_folder(source, folder, _reader=reader, _t=t, _seen=seen_bases):
            # Bases in a local folder or the HF cache are read with the same collectors, stopping at their folder;
            # once per check, however many models name the same base.
            key = (source.root, folder)
            if key in _seen:
                return _seen[key]
            r = _reader if source is _reader.source else Reader(source)
            files = discover.list_files(source, folder)
            name = posixpath.basename(folder) or _t.repo_name
            mf = collect_model(r, kb, folder, files, "" if r is _reader else folder, [], name)
            if source.caching:
                _seen[key] = mf
            return mf

        resolver = Resolver(kb, reader, "", models=config.models, hf_cache=hf_cache, collect_folder=collect_folder,
                            locks=_Locks(t.source))

        def collect(folder, files, _reader=reader, _t=t):
            name_hint = posixpath.basename(folder) or _t.repo_name
            return collect_model(_reader, kb, folder, files, "", _t.lfs_dirs, name_hint)

        collected = {}
        if t.only_folders is not None:
            folders = _with_dependents(t, folders, collect, resolver, collected, reader)
        for folder, files in folders:
            mf = collected.get(folder) or collect(folder, files)
            yield t, Model(facts=mf, bases=resolver.bases(mf), declared=declarations(mf, kb), kb=kb, config=config)


class _Locks:
    """lockfile.Finder (weightgate.lock, read offline), imported only once a lock file may govern a model folder:
    most repositories have none, and a check's start-up need not load the reader."""

    LOCK = "weightgate.lock"  # lockfile.FILE_NAME

    def __init__(self, source: Source):
        self.source = source
        self._finder = None
        self._absent: set = set()  # folders known to hold no lock, so a monorepo's walks stay linear

    def for_folder(self, folder: str):
        if self._finder is None:
            cur = folder if folder not in (".", "") else ""
            while cur not in self._absent:
                if self.source.kind(posixpath.join(cur, self.LOCK) if cur else self.LOCK) != "missing":
                    from .lockfile import Finder

                    self._finder = Finder(self.source)
                    break
                self._absent.add(cur)
                if not cur:
                    return None
                cur = posixpath.dirname(cur)
            else:
                return None
        return self._finder.for_folder(folder)


def _with_dependents(t: Target, folders, collect, resolver, collected: dict, reader: Reader):
    """The touched model folders plus every model whose lineage passes through a touched folder (a local base,
    however many steps away). A model is collected to learn its local bases only when it could name one: its
    card or configs mention a touched folder's name, or it has weights (whose metadata may name a base). What
    was collected is left in `collected` for the check itself."""
    selected = set(t.only_folders or ())
    changed = {c.strip("/") for c in t.changed or ()}
    bases_of = {}
    names = set()  # lower-case names a reference to a touched folder would contain

    def learn(path: str) -> None:
        while path:
            name = posixpath.basename(path).lower()
            names.update((name, name.rpartition("--")[2]))  # a Hub-style org--name folder is named as org/name
            path = posixpath.dirname(path)

    for path in selected | {posixpath.dirname(c) for c in changed}:  # folders: a base is a folder
        learn(path)

    def could_name_a_touched_folder(folder, files) -> bool:
        for name in files:
            low = name.lower()
            if low.endswith(discover.WEIGHT_SUFFIXES) and not low.endswith(".json"):
                return True
            if low.endswith(("readme.md", ".json", ".yml", ".yaml")):
                text, _ = reader.text(f"{folder}/{name}" if folder else name)
                if text and any(n in text.lower() for n in names if n):
                    return True
        return False

    def touched(base: str) -> bool:
        if not base:  # the repository top is the base: any change is inside it
            return bool(changed) or bool(selected)
        return base in selected or any(c == base or c.startswith(base + "/") for c in changed)

    grew = True
    while grew:  # until no model joins: a join adds its name, which may make another model a dependent
        grew = False
        for folder, files in folders:
            if folder in selected:
                continue
            if folder not in bases_of:
                if not could_name_a_touched_folder(folder, files):
                    continue
                collected[folder] = mf = collect(folder, files)
                bases_of[folder] = resolver.local_folders(mf)
            if any(touched(b) for b in bases_of[folder]):
                selected.add(folder)
                learn(folder)
                grew = True
    return [(f, fs) for f, fs in folders if f in selected]


def run(targets: Sequence[Target], config: Optional[config_mod.Config] = None,
        kb=None, hf_cache: Optional[str] = None, cwd: Optional[str] = None, on_model=None) -> Report:
    """Check the targets. With `cwd`, paths are shown as the CLI prints them (relative to `cwd` when below it,
    else absolute); without, relative to each target's display base (the Python API's convention).
    `on_model(target, summary, model, findings)` sees each model folder with its own findings (shown paths,
    waivers applied): views such as `bom` are built from the same run instead of a second one."""
    config = config or config_mod.Config()
    report = Report()
    report.config_warnings = list(getattr(config, "warnings", ()))
    findings: List[Finding] = []
    for t, model in analyse(targets, config, kb, hf_cache, cwd):
        show = _shower(t, cwd)
        summary = _summary(model, show)
        report.models.append(summary)
        raw = rules.run(model)
        back = {show(f.path): f.path for f in raw}  # waiver and exclude globs are relative to the config file
        top = work_tree(t.source) or ""
        for shown, path in back.items():  # SARIF and GitHub annotations name files from the repository top
            report.repo_paths[shown] = (top, path)
        own = config_mod.apply(config, [replace(f, path=show(f.path)) for f in raw], t.source.root, back.get)
        findings.extend(own)
        if on_model is not None:
            on_model(t, summary, model, own)
    report.findings = sorted(set(findings))
    report.models.sort(key=lambda m: m.root)
    return report


def _model_folders(t: Target, reader: Reader) -> List[Tuple[str, List[str]]]:
    seen = set()
    out = []
    for prefix in t.prefixes:
        kind = t.source.kind(prefix)
        if kind != "dir":
            continue
        for folder, files in discover.walk_model_folders(t.source, prefix, lambda p: card_says_model(reader, p)):
            if folder in seen:
                continue
            seen.add(folder)
            out.append((folder, files))
    return out


def _shower(t: Target, cwd: Optional[str] = None):
    """Source-relative path → the path shown to the user.

    With `cwd` (the CLI, hooks, fix, build): relative to `cwd` when the file is below it, else absolute, as
    ruff does, so every printed path names a file that exists from where the command ran. Without: relative
    to the target's display base (the checked folder)."""
    top = work_tree(t.source)
    if cwd is not None and top:
        return _cwd_shower(top, cwd)
    base = t.display_base
    if not base:
        return lambda path: path or "."
    root = t.source.root.replace(os.sep, "/") if os.path.isabs(t.source.root) else "/__source__"

    def show(path: str) -> str:
        return posixpath.relpath(posixpath.join(root, path), posixpath.normpath(posixpath.join(root, base)))

    return show


def work_tree(source) -> Optional[str]:
    """The folder a source's paths are relative to on disk: a git source's work tree (its files are named as
    if checked out there), a folder's own path; None for sources that are not on disk."""
    top = getattr(source, "top", None)
    if top:
        return top
    return source.root if os.path.isabs(source.root) else None


def _cwd_shower(root: str, cwd: str):
    real_root, real_cwd = os.path.realpath(root), os.path.realpath(cwd)
    inside = os.path.relpath(real_root, real_cwd)  # the source root seen from the cwd
    if inside == os.pardir or inside.startswith(os.pardir + os.sep):
        inside = None  # the root is above or beside the cwd: only some files may be below it

    def show(path: str) -> str:
        if os.path.isabs(path):  # e.g. a base's licence in the Hugging Face cache
            rel = os.path.relpath(os.path.realpath(path), real_cwd)
            return path if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel.replace(os.sep, "/")
        parts = path.split("/") if path and path != "." else []
        if inside is not None:
            rel = os.path.normpath(os.path.join(inside, *parts))
            return rel.replace(os.sep, "/")
        rel = os.path.relpath(os.path.join(real_root, *parts), real_cwd)
        if rel == os.pardir or rel.startswith(os.pardir + os.sep):
            return os.path.join(root, *parts)
        return rel.replace(os.sep, "/")

    return show


def _summary(model: Model, show) -> ModelSummary:
    declared = []
    for d in model.declared:
        declared.append({"license": ",".join(d.ids) if d.ids else d.raw, "source": d.source,
                         "path": show(d.path), "line": d.line})
    bases = [{"id": b.display, "license": b.license, "resolved_from": b.resolved_from, "relation": b.relation,
              "via": list(b.via), "note": b.note,
              "evidence": [{"path": show(e.path), "line": e.line, "origin": e.origin} for e in b.evidence],
              "disagreements": [{"source": d.source, "license": d.license,
                                 "path": show(d.path) if d.path and not d.path.startswith("/") else d.path,
                                 "line": d.line, "how": d.how} for d in b.disagreements]}
             for b in model.bases]
    return ModelSummary(root=show(model.root if model.root != "." else ""), declared=declared, bases=bases,
                        datasets=_dataset_summary(model, show))


def _dataset_summary(model: Model, show) -> List[dict]:
    """The training data the card names, with the licences and generators the knowledge records for it."""
    from .collect.datasets import describe

    datasets, _generators = model.datasets()
    return [describe(u, show, model.kb) for u in datasets]


def excluded(config: config_mod.Config, path: str) -> bool:
    return config_mod.excluded(config, path)
