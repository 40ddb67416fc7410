"""Discovery lists each folder once per check (issue 16): the same report with and without the caches, and the
hooks ask git once or twice per run."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, card, write_tree
from test_integration_git import GIT_ENV, commit, git, in_folder, llama_relabelled, pythia_good

LLAMA = "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"


def monorepo(root):
    """Nested and sibling models, licence files at several levels, REUSE folders, local bases, card-less
    subfolders, a virtualenv and a stray pyvenv.cfg."""
    files = {"LICENSE": "Apache License\nVersion 2.0, January 2004\n", "LICENSES/MIT.txt": "MIT License\n",
             "NOTICE": "Acme\n"}
    for i in range(12):
        d = f"models/team{i % 3}/m{i}"
        files[f"{d}/README.md"] = card(LLAMA if i % 4 == 0 else f"license: apache-2.0\nbase_model: ../m{i - 1}"
                                       if i % 4 == 1 else "license: apache-2.0\nbase_model: EleutherAI/pythia-2.8b")
        files[f"{d}/config.json"] = '{"model_type": "llama"}'
        files[f"{d}/onnx/model.onnx"] = b"\x08\x07"
        files[f"{d}/checkpoint-10/config.json"] = '{"_name_or_path": "meta-llama/Llama-2-7b-hf"}'
    files["models/team1/LICENSE"] = "MIT License\n"
    files["models/team2/LICENSES/Apache-2.0.txt"] = "Apache License\n"
    files["models/team0/m0/NOTICE"] = "Llama 2 is licensed under the LLAMA 2 Community License\n"
    files["models/stray/pyvenv.cfg"] = "home = /usr\n"
    files["models/stray/README.md"] = card("license: mit\nbase_model: ../team0/m0")
    files["venv/pyvenv.cfg"] = "home = /usr\n"
    files["venv/bin/python"] = ""
    files["venv/lib/m/README.md"] = card(LLAMA)
    files["dist/m/config.json"] = "{}"
    write_tree(root, files)
    return root


def _reports(paths, **kw):
    from weightgate import engine
    from weightgate.report import render

    out = []
    for caching in (True, False):
        targets = engine.targets_for_paths([str(p) for p in paths])
        for t in targets:
            t.source.caching = caching
        out.append(render(engine.run(targets, **kw), "json"))
    return out


@pytest.mark.parametrize("which", ["monorepo", "examples", "subfolder"])
def test_same_report_with_and_without_caches(tmp_path, which):
    if which == "examples":
        paths = [EXAMPLES]
    else:
        root = monorepo(tmp_path / "repo")
        paths = [root] if which == "monorepo" else [root / "models" / "team1", root / "models" / "team2" / "m2"]
    cached, uncached = _reports(paths)
    assert cached == uncached
    assert '"models"' in cached and cached.count('"root"') >= 3


def test_same_report_with_and_without_caches_from_git(tmp_path):
    from weightgate import engine
    from weightgate.gitsource import targets_for_git
    from weightgate.report import render

    root = monorepo(tmp_path / "repo")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "all")
    out = []
    for caching in (True, False):
        targets = targets_for_git([str(root)], ref="HEAD")
        for t in targets:
            t.source.caching = caching
        out.append(render(engine.run(targets), "json"))
        for t in targets:
            t.source.close()
    assert out[0] == out[1]


# ---- git processes per hook run -----------------------------------------------------------------------------

@pytest.fixture
def counted_git(tmp_path):
    """A `git` first on PATH that logs its subcommand and runs the real git."""
    real = shutil.which("git")
    if real is None or os.name != "posix":
        pytest.skip("needs git and a POSIX shell")
    shim = tmp_path / "shim"
    shim.mkdir()
    log = tmp_path / "git.log"
    (shim / "git").write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    (shim / "git").chmod(0o755)
    return shim, log


def _hook(repo, shim, *args, env=None):
    e = dict(os.environ, **GIT_ENV, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}", **(env or {}))
    e.pop("PRE_COMMIT_FROM_REF", None)
    e.pop("PRE_COMMIT_TO_REF", None)
    return subprocess.run([sys.executable, "-m", "weightgate", "hook", *args], cwd=repo, env=e,
                          capture_output=True, text=True, timeout=120)


def test_hooks_start_few_git_processes(tmp_path, counted_git):
    shim, log = counted_git
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    first = commit(repo, {**in_folder("a", pythia_good()), **in_folder("b", pythia_good())}, "one")
    write_tree(repo, in_folder("a", llama_relabelled()))
    git(repo, "add", "-A")
    r = _hook(repo, shim, "pre-commit", "a/README.md")
    assert r.returncode == 1 and "relabel-forbidden" in r.stdout
    calls = log.read_text().splitlines()
    assert len(calls) <= 2, calls  # the index listing and one cat-file session
    git(repo, "commit", "-q", "-m", "two")
    log.unlink()
    r = _hook(repo, shim, "pre-push", env={"PRE_COMMIT_FROM_REF": first, "PRE_COMMIT_TO_REF": "HEAD"})
    assert r.returncode == 1 and "relabel-forbidden" in r.stdout
    calls = log.read_text().splitlines()
    assert len(calls) <= 2, calls  # the tree and one cat-file session (revisions, changed trees, blobs)


def test_a_check_asks_git_only_when_a_folder_could_be_ignored(tmp_path, counted_git):
    """A flat model repository (most Hub repos) has no folder git could be ignoring: no git process. With
    sub-folders git is asked once, and what it ignores is skipped."""
    shim, log = counted_git
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write_tree(repo, pythia_good())
    env = dict(os.environ, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}")

    def check_here():
        return subprocess.run([sys.executable, "-m", "weightgate", "check", ".", "--format", "json"], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=120)

    r = check_here()
    assert r.returncode == 0, r.stdout + r.stderr
    assert not log.exists()
    write_tree(repo, {**in_folder("outputs", llama_relabelled()), ".gitignore": "outputs/\n"})
    r = check_here()
    assert r.returncode == 0 and "relabel-forbidden" not in r.stdout, r.stdout
    assert log.read_text().splitlines() == ["-C " + str(repo) + " ls-files -z --others --ignored --exclude-standard "
                                            "--directory"]
    log.unlink()
    (repo / ".gitignore").unlink()
    r = check_here()
    assert r.returncode == 1 and "relabel-forbidden" in r.stdout
    assert len(log.read_text().splitlines()) == 1


@pytest.mark.parametrize("argv", [
    ["pre-commit", "a/README.md", "b c/config.json"], ["pre-commit", "--format", "json", "x.md", "--exit-zero"],
    ["pre-commit", "--config=conf.toml", "--", "--odd-name.md"], ["pre-push"], ["pre-push", "--from-ref", "A",
                                                                              "--to-ref=B", "--format=sarif"],
    ["pre-commit", "--output-format", "concise", "m/README.md"], ["pre-push", "--output-format=grouped"],
])
def test_hook_arguments_read_without_argparse_mean_what_argparse_reads(argv):
    from weightgate import hook

    quick = hook._quick_args(argv)
    assert quick is not None
    full = hook._parser().parse_args(argv)
    for key in ("stage", "format", "config", "exit_zero"):
        assert getattr(quick, key) == getattr(full, key), key
    assert quick.files == getattr(full, "files", [])
    assert (quick.from_ref, quick.to_ref) == (getattr(full, "from_ref", None), getattr(full, "to_ref", None))


@pytest.mark.parametrize("argv", [["pre-commit", "--help"], ["pre-commit", "--form", "json"], ["pre-push", "x"],
                                  ["pre-commit", "--format", "xml"], ["pre-commit", "--config"], ["other"], [],
                                  ["pre-commit", "a", "--exit-zero", "b"], ["pre-commit", "--config", "-q"],
                                  ["pre-push", "--", "x"], ["pre-commit", "--exit-zero=1"]])
def test_unusual_hook_arguments_go_to_argparse(argv):
    from weightgate import hook

    assert hook._quick_args(argv) is None


def test_tree_comparison_finds_what_git_diff_finds(tmp_path):
    from weightgate.gitsource import _Batch, changed_paths, tree_changes

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    a = commit(repo, {"m/README.md": "a\n", "m/sub/deep/config.json": "{}", "keep/x": "1", "gone/y": "2",
                      "mode.sh": "echo\n"}, "a")
    git(repo, "rm", "-q", "-r", "gone")
    (repo / "mode.sh").chmod(0o755)
    b = commit(repo, {"m/sub/deep/config.json": "{\"a\": 1}", "new/z/w": "3", "m/README.md": "a\n"}, "b")
    batch = _Batch(str(repo))
    try:
        assert tree_changes(batch, a, b) == changed_paths(str(repo), a, head=b)  # b descends from a
        two_dot = set(git(repo, "diff", "--name-only", "--no-renames", b, a).splitlines())
        assert tree_changes(batch, b, a) == two_dot and "gone/y" in two_dot
        assert tree_changes(batch, a, a) == set()
    finally:
        batch.close()
