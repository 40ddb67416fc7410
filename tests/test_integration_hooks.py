"""The plain git hooks in hooks/ with real `git commit` and `git push` (core.hooksPath), and the hatchling build
hook with real wheel builds."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import write_tree
from test_integration_git import GIT_ENV, in_folder, llama_good, llama_relabelled, pythia_good

REPO = Path(__file__).resolve().parents[1]
WEIGHTGATE = shutil.which("weightgate")


def run_git(cwd, *args, check=True, env=None):
    full = dict(os.environ, **GIT_ENV, **(env or {}))
    p = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *map(str, args)],
                       cwd=cwd, env=full, capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"git {' '.join(map(str, args))} failed:\n{p.stdout}{p.stderr}")
    return p


@pytest.fixture
def clone(tmp_path):
    """A clone of an empty bare remote, with the repository's hooks/ copied in and core.hooksPath set."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if WEIGHTGATE is None:
        pytest.skip("weightgate is not on PATH")
    remote = tmp_path / "remote.git"
    run_git(tmp_path, "init", "-q", "--bare", remote)
    work = tmp_path / "work"
    run_git(tmp_path, "clone", "-q", remote, work)
    shutil.copytree(REPO / "hooks", work / "hooks")
    run_git(work, "config", "core.hooksPath", "hooks")
    return work


def commit_all(work, files, msg, *extra):
    write_tree(work, files)
    run_git(work, "add", "-A")
    return run_git(work, "commit", "-q", "-m", msg, *extra, check=False)


def test_hooks_are_executable_posix_sh():
    for name in ("pre-commit", "pre-push"):
        path = REPO / "hooks" / name
        assert os.access(path, os.X_OK), name
        assert path.read_text().startswith("#!/bin/sh\n")
        assert subprocess.run(["sh", "-n", str(path)]).returncode == 0


def test_pre_commit_hook_checks_the_index(clone):
    r = commit_all(clone, in_folder("chat", llama_relabelled()), "relabelled")
    assert r.returncode != 0 and "relabel-forbidden" in r.stdout + r.stderr
    # Staged compliant content passes even when the working tree is relabelled afterwards.
    write_tree(clone, in_folder("chat", llama_good()))
    run_git(clone, "add", "-A")
    write_tree(clone, in_folder("chat", llama_relabelled()))
    r = run_git(clone, "commit", "-q", "-m", "compliant", check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_push_is_refused_for_a_relabelled_commit_and_accepted_for_a_compliant_one(clone):
    assert commit_all(clone, {**in_folder("chat", llama_good()), **in_folder("pythia", pythia_good())},
                      "root").returncode == 0
    r = run_git(clone, "push", "-q", "origin", "main", check=False)  # a new branch, root commit: everything
    assert r.returncode == 0, r.stderr
    assert commit_all(clone, in_folder("chat", llama_relabelled()), "relabel", "--no-verify").returncode == 0
    write_tree(clone, in_folder("chat", llama_good()))  # the working tree is compliant again, the commit is not
    r = run_git(clone, "push", "origin", "main", check=False)
    assert r.returncode != 0 and "relabel-forbidden" in r.stderr + r.stdout, r.stderr
    # A new branch holding the bad commit is refused too (checked from where it leaves the remote).
    r = run_git(clone, "push", "origin", "main:feature", check=False)
    assert r.returncode != 0 and "relabel-forbidden" in r.stderr + r.stdout
    # The fix, committed: accepted, and the remote has it.
    assert commit_all(clone, in_folder("chat", llama_good()), "fix").returncode == 0
    r = run_git(clone, "push", "origin", "main", "main:feature", check=False)
    assert r.returncode == 0, r.stderr + r.stdout
    remote_head = run_git(clone, "ls-remote", "origin", "refs/heads/main").stdout.split()[0]
    assert remote_head == run_git(clone, "rev-parse", "HEAD").stdout.strip()
    # Deleting a branch is never checked.
    r = run_git(clone, "push", "origin", ":feature", check=False)
    assert r.returncode == 0, r.stderr


def test_hooks_say_how_to_install_weightgate_when_absent(clone):
    env = {"WEIGHTGATE": "weightgate-not-installed-here"}
    write_tree(clone, in_folder("pythia", pythia_good()))
    run_git(clone, "add", "-A")
    r = run_git(clone, "commit", "-q", "-m", "x", check=False, env=env)
    assert r.returncode != 0 and "pip install weightgate" in r.stderr, r.stderr
    assert run_git(clone, "commit", "-q", "-m", "x", "--no-verify", check=False).returncode == 0
    r = run_git(clone, "push", "origin", "main", check=False, env=env)
    assert r.returncode != 0 and "pip install weightgate" in r.stderr, r.stderr


# ---- hatchling ------------------------------------------------------------------------------------------

PYPROJECT = """\
[build-system]
requires = ["hatchling", "weightgate"]
build-backend = "hatchling.build"

[project]
name = "acme-models"
version = "0.1"

[tool.hatch.build.targets.wheel]
packages = ["src/acme"]
exclude = ["NOTICE"]  # left out by mistake: the hook puts it back

[tool.hatch.build.hooks.weightgate]
"""


def make_package(root: Path, model_files: dict) -> Path:
    write_tree(root, {"pyproject.toml": PYPROJECT, "src/acme/__init__.py": "",
                      **in_folder("src/acme/models/chat", model_files),
                      "src/acme/models/chat/config.json": '{"model_type": "llama"}\n'})
    return root


def build_wheel(project: Path, out: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("hatchling")
    env = dict(os.environ, PIP_NO_INDEX="1")  # everything it needs is installed: no network
    return subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q",
                           "-w", str(out), str(project)], env=env, capture_output=True, text=True, timeout=300)


def test_wheel_build_fails_for_a_relabelled_model(tmp_path):
    project = make_package(tmp_path / "bad", llama_relabelled())
    r = build_wheel(project, tmp_path / "dist")
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "weightgate refused the wheel build" in out and "relabel-forbidden" in out
    # The findings come first and no Python traceback buries them.
    assert out.index("relabel-forbidden") < out.index("weightgate refused") and "Traceback" not in out
    assert not list((tmp_path / "dist").glob("*.whl")) if (tmp_path / "dist").exists() else True


def test_wheel_build_ships_the_required_licence_and_notice(tmp_path):
    project = make_package(tmp_path / "good", llama_good())
    r = build_wheel(project, tmp_path / "dist")
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"acme/models/chat/README.md", "acme/models/chat/LICENSE", "acme/models/chat/NOTICE"} <= names
    notice = zipfile.ZipFile(wheel).read("acme/models/chat/NOTICE").decode()
    assert "Llama 2 is licensed under the LLAMA 2 Community License" in notice


def test_sdist_and_wheel_carry_licence_files_kept_at_the_project_root(tmp_path):
    pytest.importorskip("build")
    project = make_package(tmp_path / "rootlic", llama_good())
    for name in ("LICENSE", "NOTICE"):  # the licence files live at the top of the project, not in the model folder
        (project / "src/acme/models/chat" / name).rename(project / name)
    r = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "-o", str(tmp_path / "dist"), str(project)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    (sdist,) = (tmp_path / "dist").glob("*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"acme/models/chat/LICENSE", "acme/models/chat/NOTICE"} <= names
    members = set(tarfile.open(sdist).getnames())
    assert {"acme_models-0.1/LICENSE", "acme_models-0.1/NOTICE"} <= members


def test_hatch_hook_paths_option(tmp_path):
    project = make_package(tmp_path / "opt", llama_relabelled())
    write_tree(project, {"other/README.md": pythia_good()["README.md"]})
    pyproject = project / "pyproject.toml"
    # Only `other/` is checked: the relabelled model under src/ is outside `paths`.
    pyproject.write_text(PYPROJECT + 'paths = ["other"]\n')
    r = build_wheel(project, tmp_path / "dist")
    assert r.returncode == 0, r.stdout + r.stderr
    pyproject.write_text(PYPROJECT + 'paths = ["missing"]\n')
    r = build_wheel(project, tmp_path / "dist2")
    assert r.returncode != 0 and "paths: missing: no such folder" in r.stdout + r.stderr
