"""Shared test helpers: build model repositories in tmp dirs and run the real checker on them."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LICENSES = SHARED / "licenses"
EXAMPLES = REPO / "examples"

LLAMA2_NOTICE = "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved."


@pytest.fixture(autouse=True)
def _isolated_hf_cache(tmp_path_factory, monkeypatch):
    """Never let a developer's real Hugging Face cache change a verdict."""
    empty = tmp_path_factory.mktemp("empty-hf-cache")
    monkeypatch.setenv("HF_HUB_CACHE", str(empty))


@pytest.fixture(autouse=True)
def _rule_gates_verified(monkeypatch):
    """Every check in the suite runs every rule, and fails when a rule its gate skips would have found something
    (weightgate.rules.run): the whole suite is the corpus the gates are held to."""
    monkeypatch.setenv("WEIGHTGATE_RULE_GATES", "verify")


def licence_text(name: str) -> str:
    """A real licence text from ../shared/licenses (the test is skipped when it is absent)."""
    path = LICENSES / f"{name}.txt"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    return path.read_text(encoding="utf-8")


def write_tree(root: Path, files: dict) -> Path:
    """Create files from {relative path: str | bytes}."""
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def card(front: str, body: str = "# Model\n\nA model.\n") -> str:
    return f"---\n{front.strip()}\n---\n{body}"


@contextmanager
def inside(folder):
    """Run the block with `folder` as the current directory (None: where we are), then come back."""
    here = os.getcwd()
    try:
        if folder:
            os.chdir(folder)
        yield folder
    finally:
        os.chdir(here)


def check_json(path, *args) -> dict:
    """Run `weightgate check --format json` in-process and return the parsed report.

    Paths print relative to the current directory, so a folder is checked from inside it (the cwd is restored):
    then the report's paths are relative to the checked folder."""
    from weightgate.cli import main
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    folder = os.path.abspath(path) if os.path.isdir(path) else None
    with inside(folder), redirect_stdout(buf):
        code = main(["check", folder or str(path), "--format", "json", *args])
    data = json.loads(buf.getvalue())
    data["exit_code"] = code
    return data


def run_main(*args, cwd=None):
    """(exit code, stdout, stderr) of `weightgate ARGS` in-process, run from `cwd` (restored afterwards)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from weightgate.cli import main

    out, err = io.StringIO(), io.StringIO()
    with inside(cwd), redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def rules_of(report: dict, severity=None) -> set:
    return {f["rule"] for f in report["findings"] if severity is None or f["severity"] == severity}


def where(report: dict, rule: str) -> set:
    return {(f["path"], f["line"]) for f in report["findings"] if f["rule"] == rule}


def run_cli(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    """The real console entry point in a subprocess.

    Without `cwd`, `check`/`fix` of one absolute folder run from inside it (as check_json does), so printed
    paths are relative to that folder."""
    full_env = dict(os.environ, **(env or {}))
    if cwd is None and args and str(args[0]) in ("check", "fix"):
        words = [str(a) for a in args[1:]]
        folders = [a for a in words if os.path.isabs(a) and os.path.isdir(a)]
        if len(folders) == 1 and words[0] == folders[0]:
            cwd = folders[0]
    return subprocess.run([sys.executable, "-m", "weightgate", *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)
