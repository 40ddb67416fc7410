"""The pre-commit hooks with the real pre-commit: `try-repo` of this repository in temporary git repos.

`pre-commit try-repo` includes uncommitted tracked changes (it commits them into a shadow clone); the
repository under test is snapshotted that way once per session (plus new, not yet added files under src/, so
the hook runs the same code as the rest of the suite), and every call installs that one revision.
try-repo always installs the hook into a fresh store of its own (PRE_COMMIT_HOME is not consulted; it is set
to a session directory only to keep pre-commit away from the user's cache), so each call costs a virtualenv
and a `pip install`: the calls of a test run concurrently.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tree
from test_integration_git import GIT_ENV, commit, git, in_folder, llama_good, llama_relabelled, pythia_good

REPO = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(subprocess.run([sys.executable, "-m", "pre_commit", "--version"],
                                      capture_output=True).returncode != 0, reason="pre-commit is not installed"),
]


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> Path:
    """This repository at HEAD plus its uncommitted tracked changes, as one commit (what try-repo installs)."""
    snap = tmp_path_factory.mktemp("hook-repo") / "weightgate"
    env = dict(os.environ, **GIT_ENV)
    subprocess.run(["git", "clone", "-q", "--shared", str(REPO), str(snap)], check=True, env=env)
    diff = subprocess.run(["git", "diff", "HEAD", "--binary"], cwd=REPO, check=True, capture_output=True).stdout
    if diff.strip():
        subprocess.run(["git", "apply", "--whitespace=nowarn"], cwd=snap, input=diff, check=True, env=env)
    # New files not yet added (a module another change imports) are part of the tree under test too.
    new = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "-z", "--", "src"], cwd=REPO,
                         check=True, capture_output=True).stdout.split(b"\0")
    for rel in filter(None, (n.decode() for n in new)):
        (snap / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, snap / rel)
    subprocess.run(["git", "add", "-A"], cwd=snap, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "uncommitted changes", "--allow-empty"], cwd=snap, check=True,
                   env=env, capture_output=True)
    return snap


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(repo: Path, home: Path, *args) -> subprocess.CompletedProcess:
    return pre_commit_many(home, (repo, *args))[0]


def pre_commit_many(home: Path, *calls) -> list:
    """Run `pre-commit ARGS` in each (repo, *args), concurrently across repositories and one after another in
    the same one (pre-commit writes the repository's index: two runs there would race for its lock); the
    CompletedProcess of each, in the order given."""
    env = dict(os.environ, **GIT_ENV, PRE_COMMIT_HOME=str(home))
    env.pop("PRE_COMMIT_FROM_REF", None)
    env.pop("PRE_COMMIT_TO_REF", None)
    by_repo: dict = {}
    for i, (repo, *args) in enumerate(calls):
        by_repo.setdefault(str(repo), []).append((i, [sys.executable, "-m", "pre_commit", *map(str, args)]))
    out: list = [None] * len(calls)
    while by_repo:
        running = [(repo, *queue.pop(0)) for repo, queue in by_repo.items()]
        procs = [(i, cmd, subprocess.Popen(cmd, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            text=True)) for repo, i, cmd in running]
        for i, cmd, p in procs:
            stdout, stderr = p.communicate(timeout=600)
            out[i] = subprocess.CompletedProcess(cmd, p.returncode, stdout, stderr)
        by_repo = {repo: queue for repo, queue in by_repo.items() if queue}
    return out


def make_repo(path: Path) -> Path:
    path.mkdir()
    git(path, "init", "-q")
    return path


@pytest.fixture
def repo(tmp_path) -> Path:
    r = tmp_path / "models"
    r.mkdir()
    git(r, "init", "-q")
    return r


def test_manifest_is_valid():
    r = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_files_pattern_selects_what_matters():
    import re

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    pattern = re.compile(hooks["weightgate"]["files"])
    for path in ("README.md", "models/chat/README.md", "m/LICENSE", "m/LICENSE.txt", "LICENCE", "COPYING",
                 "m/NOTICE", "m/NOTICE.md", "m/USE_POLICY.md", "m/LICENSE_GEMMA.md", "m/Llama2-License.txt",
                 "LICENSES/Apache-2.0.txt", "m/config.json", "m/adapter_config.json",
                 "m/model.safetensors.index.json", "m/model-00001-of-00002.safetensors", "m/q4.gguf",
                 "m/model.onnx", "m/mergekit_config.yml", "m/model.safetensors.license",
                 # every input the engine reads (issue 11 class 12): any YAML in a model folder, pickles,
                 # OpenVINO's .xml beside a .bin, the configuration and lock files at any level
                 "m/merge.yaml", "m/recipe.YML", "m/training_args.pkl", "m/model.pickle", "m/openvino_model.xml",
                 ".weightgate.toml", "models/.weightgate.toml", "pyproject.toml", "sub/pyproject.toml",
                 "weightgate.lock", "m/PROHIBITED_USE.md", "m/Acceptable-Use-Policy.txt"):
        assert pattern.search(path), path
    for path in ("src/app.py", "m/tokenizer.model", "docs/guide.md", "m/vocab.txt", "setup.cfg",
                 "weightgate.toml.bak", "m/merge.yaml.orig"):
        assert not pattern.search(path), path
    assert hooks["weightgate"]["require_serial"] is True
    assert hooks["weightgate-push"]["pass_filenames"] is False and hooks["weightgate-push"]["always_run"] is True
    assert hooks["weightgate-push"]["stages"] == ["pre-push"]


WAIVE = '[severity]\n"relabel-forbidden" = "off"\n"missing-license-copy" = "off"\n"missing-notice" = "off"\n'


def test_try_repo_fails_on_a_relabel_passes_when_compliant_and_fires_on_every_input(tmp_path, hook_repo,
                                                                                     pre_commit_home):
    """--all-files on a relabelled and a compliant repo; and staged commits that change only the configuration
    (dropping a waiver: every model is re-checked) or a mergekit YAML named neither way the old pattern knew.
    One concurrent batch: each try-repo call pays for a virtualenv."""
    bad, good = make_repo(tmp_path / "bad"), make_repo(tmp_path / "good")
    others = {**in_folder("models/pythia", pythia_good()), "src/app.py": "print('hi')\n"}
    commit(bad, {**in_folder("models/chat", llama_relabelled()), **others}, "relabelled")
    commit(good, {**in_folder("models/chat", llama_good()), **others}, "compliant")
    conf, merge = make_repo(tmp_path / "conf"), make_repo(tmp_path / "merge")
    commit(conf, {**in_folder("models/chat", llama_relabelled()), ".weightgate.toml": WAIVE}, "waived")
    write_tree(conf, {".weightgate.toml": "exclude = []\n"})
    git(conf, "add", ".weightgate.toml")
    commit(merge, {"m/README.md": "---\nlicense: apache-2.0\n---\n# A merge\n", "m/config.json": "{}\n"}, "merge")
    write_tree(merge, {"m/merge.yaml": "merge_method: slerp\nbase_model: meta-llama/Llama-2-7b-hf\n"
                                       "models:\n  - model: meta-llama/Llama-2-7b-hf\n"})
    git(merge, "add", "m/merge.yaml")
    r_bad, r_good, r_conf, r_merge = pre_commit_many(
        pre_commit_home, (bad, "try-repo", hook_repo, "weightgate", "--all-files"),
        (good, "try-repo", hook_repo, "weightgate", "--all-files", "--verbose"),
        (conf, "try-repo", hook_repo, "weightgate"), (merge, "try-repo", hook_repo, "weightgate"))
    assert r_conf.returncode == 1 and "relabel-forbidden" in r_conf.stdout, r_conf.stdout + r_conf.stderr
    assert r_merge.returncode == 1 and "relabel-forbidden" in r_merge.stdout, r_merge.stdout + r_merge.stderr
    assert r_bad.returncode == 1, r_bad.stdout + r_bad.stderr
    assert "relabel-forbidden" in r_bad.stdout and "models/chat/README.md" in r_bad.stdout
    assert r_bad.stdout.count("[relabel-forbidden]") == 1  # each folder once, however the files are batched
    assert r_good.returncode == 0, r_good.stdout + r_good.stderr
    assert "Passed" in r_good.stdout


def test_try_repo_pre_push_checks_the_pushed_commit_not_the_working_tree(repo, hook_repo, pre_commit_home):
    a = commit(repo, in_folder("chat", llama_good()), "good")
    b = commit(repo, in_folder("chat", llama_relabelled()), "relabel")
    write_tree(repo, in_folder("chat", llama_good()))  # restored in the working tree, not in B
    git(repo, "add", "-A")
    c = commit(repo, {}, "restore")  # the fix, committed: pushing B..C passes
    write_tree(repo, in_folder("chat", llama_good()))
    push = ("try-repo", hook_repo, "weightgate-push", "--hook-stage", "pre-push")
    r_ab, r_bc = pre_commit_many(pre_commit_home, (repo, *push, "--from-ref", a, "--to-ref", b),
                                 (repo, *push, "--from-ref", b, "--to-ref", c))
    assert r_ab.returncode == 1, r_ab.stdout + r_ab.stderr
    assert "relabel-forbidden" in r_ab.stdout
    assert r_bc.returncode == 0, r_bc.stdout + r_bc.stderr


def test_try_repo_pre_push_first_push_checks_everything_at_head(tmp_path, hook_repo, pre_commit_home):
    good, bad = make_repo(tmp_path / "good"), make_repo(tmp_path / "bad")
    commit(good, {**in_folder("chat", llama_good()), **in_folder("pythia", pythia_good())}, "root commit")
    commit(bad, {**in_folder("chat", llama_good()), **in_folder("other", llama_relabelled())}, "root commit")
    push = ("try-repo", hook_repo, "weightgate-push", "--hook-stage", "pre-push")
    r_good, r_bad = pre_commit_many(pre_commit_home, (good, *push), (bad, *push))
    assert r_good.returncode == 0, r_good.stdout + r_good.stderr
    assert r_bad.returncode == 1 and "relabel-forbidden" in r_bad.stdout, r_bad.stdout + r_bad.stderr

