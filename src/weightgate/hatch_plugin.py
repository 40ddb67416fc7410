"""hatchling build hook: refuse to build a package whose model folders break their bases' licences, and ship
the licence and NOTICE files those licences require.

Enable it in the project that ships models:

    [build-system]
    requires = ["hatchling", "weightgate"]
    build-backend = "hatchling.build"

    [tool.hatch.build.hooks.weightgate]
    paths = ["src/mypkg/models"]     # optional; default: every model folder under the project root
    config = "weightgate.toml"       # optional; default: .weightgate.toml / [tool.weightgate], found upwards
    bom = true                       # optional; also "cyclonedx" or "spdx": ship an AI-BOM of the model folders

Before every wheel and sdist build, the model folders are checked; error findings fail the build with the
report. Then, for every model folder that the build ships, the licence copies, NOTICE files and use policies
that its bases' licences require are added (`force_include`) when the build would leave them out: in the
sdist at their own path, in the wheel next to the model. A required file that does not exist at all is an
error finding (`missing-license-copy`, `missing-notice`), so the build has already failed.

With `bom`, the AI bill of materials of the checked folders (`weightgate bom`, from the same check) goes into
the wheel's `.dist-info/sboms/` (PEP 770; `.dist-info/extra_metadata/` with a hatchling that predates it) and
into the sdist's top folder, as `weightgate.cdx.json` or `weightgate.spdx.json`. It has no timestamp, so the
same sources build the same bytes.

hatchling is imported here only; weightgate itself does not depend on it.
"""
from __future__ import annotations

import os
import posixpath
import sys
from typing import Dict, List, Optional, Set

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.plugin import hookimpl


class WeightgateBuildError(Exception):
    """The build is refused: licence compliance errors in a model folder, or a bad hook configuration."""


class WeightgateBuildHook(BuildHookInterface):
    PLUGIN_NAME = "weightgate"

    # ---- configuration ------------------------------------------------------------------------------------
    def _paths(self) -> List[str]:
        paths = self.config.get("paths", ["."])
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
            raise WeightgateBuildError("[tool.hatch.build.hooks.weightgate] paths: expected an array of "
                                       f"non-empty strings (folders relative to the project root), got {paths!r}")
        out = []
        for p in paths:
            full = os.path.normpath(os.path.join(self.root, p))
            if not os.path.isdir(full):
                raise WeightgateBuildError(f"[tool.hatch.build.hooks.weightgate] paths: {p}: no such folder "
                                           f"in {self.root}")
            out.append(full)
        return out

    def _config(self):
        from .api import resolve_config

        cfg = self.config.get("config")
        if cfg is not None and not isinstance(cfg, str):
            raise WeightgateBuildError("[tool.hatch.build.hooks.weightgate] config: expected a path to a "
                                       f"TOML file, got {cfg!r}")
        return resolve_config(os.path.join(self.root, cfg) if cfg else None, self.root)

    def _bom_format(self) -> Optional[str]:
        value = self.config.get("bom", False)
        if value is False:
            return None
        if value is True:
            return "cyclonedx"
        if value in ("cyclonedx", "spdx"):
            return value
        raise WeightgateBuildError("[tool.hatch.build.hooks.weightgate] bom: expected true, false, \"cyclonedx\" "
                                   f"or \"spdx\", got {value!r}")

    # ---- the hook -----------------------------------------------------------------------------------------
    def initialize(self, version: str, build_data: dict) -> None:
        from . import engine
        from .errors import UsageError
        from .report import render

        seen: list = []
        try:
            paths = self._paths()
            config = self._config()
            bom_format = self._bom_format()
            targets = engine.targets_for_paths(paths, follow_gitignore=False)  # hatch may ship ignored files
            # PEP 517 runs the backend in the project's root: shown paths (and the BOM's) are relative to it.
            report = engine.run(targets, config, cwd=os.getcwd(), on_model=lambda *row: seen.append(row))
        except (UsageError, WeightgateBuildError) as e:
            self._refuse(f"weightgate: {e}".replace("weightgate: weightgate: ", "weightgate: "))
            return
        shown = ", ".join(os.path.relpath(p, self.root).replace(os.sep, "/") for p in paths)
        shown = "the project" if shown == "." else shown
        if not report.ok:
            self._refuse(
                f"{render(report, 'full').rstrip()}\n\n"
                f"weightgate refused the {self.target_name} build: {report.errors} licence compliance error(s) "
                f"in the model folders of {shown}.\n"
                "Fix them (see `weightgate fix --dry-run`) or configure waivers in [tool.weightgate].")
            return
        if report.warnings:
            self.app.display_warning(render(report, "text").rstrip())
        if self.target_name == "wheel" and version == "editable":
            return  # an editable install ships no model files
        added = self._include_required(engine, targets, config, build_data)
        if bom_format:
            added.append(self._ship_bom(seen, report, bom_format, build_data))
        models = len(report.models)
        self.app.display_info(f"weightgate: {models} model folder(s) checked"
                              + (f"; added {', '.join(added)}" if added else ""))

    def _refuse(self, message: str) -> None:
        """Fail the build with weightgate's findings as the last thing printed, not a Python traceback: hatchling's
        `abort` prints the message and exits, and the frontend (pip, build, hatch) reports the failed backend."""
        from .report.terminal import to_ascii

        encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
        try:
            message.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            message = to_ascii(message)
        self.app.abort(message, code=1)
        raise WeightgateBuildError(message)  # only if abort returned (an app that does not exit)

    def _include_required(self, engine, targets, config, build_data: dict) -> List[str]:
        included = self._included()  # project-relative path → distribution path
        taken = set(included.values())
        force = build_data.setdefault("force_include", {})
        taken.update(force.values())
        added: List[str] = []
        for t, model in engine.analyse(targets, config):
            src_root = t.source.root

            def rel(p: str) -> str:
                full = os.path.join(src_root, *p.split("/")) if p else src_root
                return os.path.relpath(full, self.root).replace(os.sep, "/")

            folder = "" if model.root in (".", "") else model.root
            shipped = [(f, included[rel(f)]) for f in model.facts.files if rel(f) in included]
            if not shipped:
                continue  # this build does not ship the model
            f, dist = shipped[0]
            sub = f[len(folder) + 1:] if folder else f
            dist_folder = dist[: len(dist) - len(sub)].rstrip("/")
            for lf_path in sorted(required_files(model)):
                r = rel(lf_path)
                if r in included:
                    continue
                source = os.path.normpath(os.path.join(self.root, r))
                if self.target_name == "sdist" and not r.startswith("../"):
                    target = r
                else:
                    target = _free(posixpath.join(dist_folder, posixpath.basename(lf_path)) if dist_folder
                                   else posixpath.basename(lf_path), taken)
                if source in force:
                    continue
                force[source] = target
                taken.add(target)
                included[r] = target
                added.append(target)
        return added

    def _ship_bom(self, seen: list, report, fmt: str, build_data: dict) -> str:
        import tempfile

        from .aibom import from_models, render

        name = "weightgate.cdx.json" if fmt == "cyclonedx" else "weightgate.spdx.json"
        self._bom_dir = tempfile.mkdtemp(prefix="weightgate-bom-")
        path = os.path.join(self._bom_dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(render(from_models(seen, report), fmt))
        if self.target_name != "wheel":
            build_data.setdefault("force_include", {})[path] = name
            return name
        if "sbom_files" in build_data:  # hatchling 1.28+: PEP 770's .dist-info/sboms/
            build_data["sbom_files"].append(path)
            return f".dist-info/sboms/{name}"
        build_data.setdefault("extra_metadata", {})[path] = name
        return f".dist-info/extra_metadata/{name}"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        import shutil

        if getattr(self, "_bom_dir", None):
            shutil.rmtree(self._bom_dir, ignore_errors=True)
            self._bom_dir = None

    def _included(self) -> Dict[str, str]:
        builder = getattr(self.build_config, "builder", None)
        out: Dict[str, str] = {}
        if builder is None:  # pragma: no cover - every hatchling since 1.0 has it
            return out
        for f in builder.recurse_included_files():
            if f.relative_path:
                out[f.relative_path.replace(os.sep, "/")] = f.distribution_path.replace(os.sep, "/")
        return out


def required_files(model) -> Set[str]:
    """The licence-ish files (paths relative to the check root) a model's bases require to travel with it:
    copies of the licences that bind it, NOTICE files, and use policies."""
    kb = model.kb
    obligations = {lic.id: lic for lic, _base in model.obligations()}
    if not obligations:
        return set()
    out: Set[str] = set()
    for lf in model.facts.license_files:
        if lf.role == "notice" or lf.role == "use-policy":
            out.add(lf.path)
        elif lf.role == "license":
            ids = {kb.main(c) for c in lf.copies} | {kb.main(i) for i in lf.ids}
            if ids & set(obligations):
                out.add(lf.path)
            else:
                notices = [normalised(d.text) for lic in obligations.values() for d in lic.duty("notice") if d.text]
                if any(n and n in lf.text for n in notices):
                    out.add(lf.path)
    return out


def normalised(text: str) -> str:
    from .text import normalise

    return normalise(text)


def _free(target: str, taken: Set[str]) -> str:
    if target not in taken:
        return target
    i = 1
    while f"{target}.{i}" in taken:
        i += 1
    return f"{target}.{i}"


@hookimpl
def hatch_register_build_hook():
    return WeightgateBuildHook
