"""What a check looks at in a git repository (issue 11, classes 4, 10 and 11), in real temporary repositories:

- skipped by git, not by folder name: tracked files in dist/, build/, *.egg-info are checked; what .gitignore
  ignores is not, unless named on the command line; a virtualenv is skipped only when it looks like one;
- incremental checks (--changed-since, the hooks) re-check every model whose lineage passes through a touched
  folder, and everything when a configuration or lock file changes;
- --ref, --staged and the hooks judge a commit with the configuration it holds, never the working tree's.
"""
from __future__ import annotations

import json
import shutil
import struct

import pytest

from conftest import card, run_cli, write_tree
from test_integration_git import check, commit, git, in_folder, llama_relabelled, pythia_good, roots, rules
from test_integration_git import repo  # noqa: F401 - the fixture: a fresh git repository

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

RELABEL = llama_relabelled()["README.md"]


# ---- class 4: what is skipped --------------------------------------------------------------------------------

@pytest.mark.parametrize("folder", ["dist/model", "build/model", "pkg.egg-info/model", "dist", "venv/model",
                                    ".venv-looking/model"])
def test_tracked_files_in_build_folders_are_checked_in_every_mode(repo, folder):
    commit(repo, {f"{folder}/README.md": RELABEL, "README.md": "# project\n"}, "a model in a build folder")
    for args in ([], ["--staged"], ["--ref", "HEAD"]):
        code, data, err = check(repo, *args, ".")
        assert code == 1 and "relabel-forbidden" in rules(data), (args, err)
        assert roots(data) == [folder], args


def test_gitignored_folders_are_skipped_unless_named(repo):
    write_tree(repo, {".gitignore": "out/\n*.tmp.md\nscratch\n", "out/m/README.md": RELABEL,
                      "scratch/m/README.md": RELABEL, "m/README.md": pythia_good()["README.md"]})
    git(repo, "add", "-A")
    code, data, _ = check(repo, ".")
    assert code == 0 and roots(data) == ["m"]
    # Named on the command line (an upload folder kept out of git), it is checked.
    code, data, _ = check(repo, "out/m")
    assert code == 1 and "relabel-forbidden" in rules(data)
    code, data, _ = check(repo, "out")
    assert code == 1 and roots(data) == ["out/m"]  # shown relative to the current directory
    # A file force-added despite the ignore rule is tracked: checked.
    git(repo, "add", "-f", "scratch/m/README.md")
    code, data, _ = check(repo, ".")
    assert code == 1 and sorted(roots(data)) == ["m", "scratch/m"]


def test_ignored_weights_beside_a_tracked_card_are_still_read(repo):
    """`*.safetensors` in .gitignore (weights go to the Hub, not to git) must not hide a checkpoint's licence."""
    header = json.dumps({"__metadata__": {"format": "pt", "license": "llama2"}}).encode()
    write_tree(repo, {".gitignore": "*.safetensors\n", **in_folder("m", pythia_good()),
                      "m/model.safetensors": struct.pack("<Q", len(header)) + header})
    git(repo, "add", "-A")
    code, data, _ = check(repo, ".")
    assert ("license-mismatch", "m/model.safetensors") in {(f["rule"], f["path"]) for f in data["findings"]}


def test_a_stray_pyvenv_cfg_does_not_hide_a_model_but_a_virtualenv_is_skipped(repo):
    write_tree(repo, {"chat/pyvenv.cfg": "home = /usr\n", "chat/README.md": RELABEL,
                      "env/pyvenv.cfg": "home = /usr\n", "env/bin/python": "", "env/lib/m/README.md": RELABEL,
                      "conda/conda-meta/history": "", "conda/lib/m/README.md": RELABEL})
    code, data, _ = check(repo, ".")
    assert code == 1 and roots(data) == ["chat"]
    git(repo, "add", "-A")  # committed virtualenvs are as rare as they are skipped
    for args in (["--staged"], []):
        code, data, _ = check(repo, *args, ".")
        assert code == 1 and roots(data) == ["chat"], args


def test_outside_git_dist_and_build_are_checked(tmp_path):
    write_tree(tmp_path, {"dist/m/README.md": RELABEL, "build/m/README.md": RELABEL,
                          "node_modules/x/README.md": RELABEL})
    r = run_cli("check", tmp_path, "--format", "json")
    assert r.returncode == 1 and sorted(m["root"] for m in json.loads(r.stdout)["models"]) == ["build/m", "dist/m"]


# ---- class 10: incremental checks see dependents ---------------------------------------------------------------

def _lineage_chain() -> dict:
    """base ← chat ← grand (local folders), plus an unrelated model."""
    return {"base/README.md": card("license: apache-2.0", "# In-house base\n"),
            "chat/README.md": card("license: apache-2.0\nbase_model: ../base", "# Chat\n"),
            "grand/README.md": card("license: apache-2.0\nbase_model: ../chat", "# Grand\n"),
            **in_folder("other", pythia_good())}


def test_changed_since_rechecks_models_whose_lineage_passes_through_a_touched_folder(repo):
    first = commit(repo, _lineage_chain(), "chain")
    # The base turns out to be a Llama 2 fine-tune: chat and grand are relabels now.
    commit(repo, {"base/README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf")}, "base")
    code, data, _ = check(repo, "--ref", "HEAD", "--changed-since", first, ".")
    assert sorted(roots(data)) == ["base", "chat", "grand"]
    assert code == 1 and "relabel-forbidden" in rules(data)
    # A file below the base folder that is not its card (its licence text) counts too.
    second = git(repo, "rev-parse", "HEAD")
    commit(repo, {"base/LICENSE": "Llama 2 terms (abridged)\n"}, "licence")
    code, data, _ = check(repo, "--ref", "HEAD", "--changed-since", second, ".")
    assert sorted(roots(data)) == ["base", "chat", "grand"]
    # Touching the last of the chain checks only it.
    third = git(repo, "rev-parse", "HEAD")
    commit(repo, {"grand/config.json": "{}\n"}, "grand only")
    code, data, _ = check(repo, "--ref", "HEAD", "--changed-since", third, ".")
    assert roots(data) == ["grand"]


def test_hooks_recheck_dependents(repo, monkeypatch):
    from weightgate.hook import main

    first = commit(repo, _lineage_chain(), "chain")
    monkeypatch.chdir(repo)
    write_tree(repo, {"base/README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf")})
    git(repo, "add", "base/README.md")
    assert main(["pre-commit", "base/README.md", "--format", "json"]) == 1
    git(repo, "commit", "-q", "-m", "base is a Llama 2 tune")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", first)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")
    assert main(["pre-push"]) == 1


def test_hook_report_names_the_dependents(repo, monkeypatch, capsys):
    from weightgate.hook import main

    commit(repo, _lineage_chain(), "chain")
    monkeypatch.chdir(repo)
    write_tree(repo, {"base/README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf")})
    git(repo, "add", "base/README.md")
    capsys.readouterr()
    main(["pre-commit", "base/README.md", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert sorted(m["root"] for m in data["models"]) == ["base", "chat", "grand"]


@pytest.mark.parametrize("changed", [".weightgate.toml", "pyproject.toml", "weightgate.lock",
                                     "models/.weightgate.toml"])
def test_a_changed_configuration_or_lock_file_rechecks_everything(repo, changed):
    first = commit(repo, {**in_folder("a", llama_relabelled()), **in_folder("b", pythia_good())}, "two models")
    content = "[tool.black]\nline-length = 100\n" if changed.endswith("pyproject.toml") else (
        "# lock\n" if changed.endswith(".lock") else "exclude = []\n")
    commit(repo, {changed: content}, "configuration")
    code, data, _ = check(repo, "--ref", "HEAD", "--changed-since", first, ".")
    assert sorted(roots(data)) == ["a", "b"] and code == 1


# ---- class 11: a commit is judged with its own configuration ---------------------------------------------------

WAIVE_ALL = '[severity]\n"relabel-forbidden" = "off"\n"missing-license-copy" = "off"\n"missing-notice" = "off"\n'


def test_untracked_working_tree_configuration_does_not_judge_a_commit(repo, monkeypatch):
    from weightgate.hook import main

    commit(repo, in_folder("m", llama_relabelled()), "relabel")
    write_tree(repo, {".weightgate.toml": WAIVE_ALL})  # untracked: says nothing about what is committed
    assert check(repo, ".")[0] == 0  # the working tree is judged with it
    for args in (["--ref", "HEAD"], ["--staged"]):
        code, data, _ = check(repo, *args, ".")
        assert code == 1 and "relabel-forbidden" in rules(data), args
    monkeypatch.chdir(repo)
    assert main(["pre-commit", "m/README.md"]) == 1
    assert main(["pre-push", "--to-ref", "HEAD"]) == 1
    # An untracked pyproject.toml table is ignored the same way.
    (repo / ".weightgate.toml").unlink()
    write_tree(repo, {"pyproject.toml": "[tool.weightgate.severity]\n\"relabel-forbidden\" = \"off\"\n"})
    assert check(repo, "--staged", ".")[0] == 1


def test_committed_and_staged_configuration_apply(repo, monkeypatch):
    from weightgate.hook import main

    commit(repo, {**in_folder("m", llama_relabelled()), ".weightgate.toml": WAIVE_ALL}, "relabel, waived")
    write_tree(repo, {".weightgate.toml": "exclude = []\n"})  # unstaged edit: the commit keeps its own
    assert check(repo, "--ref", "HEAD", ".")[0] == 0
    assert check(repo, "--staged", ".")[0] == 0
    assert check(repo, ".")[0] == 1
    git(repo, "add", ".weightgate.toml")  # staged: the index is judged with it, the commit still is not
    assert check(repo, "--staged", ".")[0] == 1
    assert check(repo, "--ref", "HEAD", ".")[0] == 0
    monkeypatch.chdir(repo)
    assert main(["pre-commit", ".weightgate.toml"]) == 1  # a configuration change re-checks everything


def test_a_broken_committed_configuration_is_a_usage_error(repo):
    commit(repo, {**in_folder("m", pythia_good()), ".weightgate.toml": "severity = [\n"}, "broken")
    r = run_cli("check", "--ref", "HEAD", ".", cwd=repo)
    assert r.returncode == 2 and ".weightgate.toml (git:HEAD)" in r.stderr and "invalid TOML" in r.stderr


def test_the_build_hook_checks_what_git_ignores(repo):
    """A hatch build may ship ignored files (`artifacts`), so its check does not follow .gitignore."""
    from weightgate import engine

    write_tree(repo, {".gitignore": "weights/\n", "weights/m/README.md": RELABEL})
    git(repo, "add", "-A")
    assert engine.run(engine.targets_for_paths([str(repo)])).ok
    report = engine.run(engine.targets_for_paths([str(repo)], follow_gitignore=False))
    assert "relabel-forbidden" in {f.rule for f in report.findings}


@pytest.mark.parametrize("reference", ["acme/Base-7B", "./../Base-7B", "https://huggingface.co/acme/Base-7B"])
def test_dependents_found_however_the_local_base_is_named(repo, reference):
    first = commit(repo, {"Base-7B/README.md": card("license: apache-2.0", "# In-house base\n"),
                          "tune/adapter_config.json": '{"base_model_name_or_path": "%s"}' % reference,
                          "tune/README.md": card("license: apache-2.0", "# Tune\n"),
                          **in_folder("other", pythia_good())}, "base and tune")
    commit(repo, {"Base-7B/README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf")}, "base")
    full = sorted(roots(check(repo, "--ref", "HEAD", ".")[1]))
    code, data, _ = check(repo, "--ref", "HEAD", "--changed-since", first, ".")
    expected = [r for r in full if r != "other"]
    assert sorted(roots(data)) == expected and "tune" in expected, (reference, full)
