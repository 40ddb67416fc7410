"""Workflow around the checker: `weightgate hook install` in real git repositories, the pre-push refusal
message, `fix --dry-run` diffs that `git apply` takes from the repository top, the configuration JSON Schema
and the policy-glob warning, and the public exceptions."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import card, run_main, write_tree
from test_integration_git import GIT_ENV, commit, git, in_folder, llama_relabelled, pythia_good

DATA = Path(__file__).resolve().parents[1] / "src" / "weightgate" / "data"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


cli = run_main


@pytest.fixture
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    return r


def git_commit(repo, *args):
    env = dict(os.environ, **GIT_ENV, HOME=str(repo))
    env.pop("GIT_DIR", None)
    return subprocess.run(["git", "-c", "commit.gpgsign=false", "commit", "-q", *args], cwd=repo, env=env,
                          capture_output=True, text=True)


# ---- hook install ---------------------------------------------------------------------------------------------

@needs_git
def test_hook_install_writes_working_hooks_and_never_overwrites_a_foreign_one(repo):
    code, _, err = cli("hook", "install", cwd=repo)
    assert code == 0, err
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK) and os.access(repo / ".git" / "hooks" / "pre-push", os.X_OK)
    assert sys.executable in hook.read_text() or "weightgate" in hook.read_text()
    # The installed hook runs this installation and refuses a relabelled commit.
    write_tree(repo, in_folder("chat", llama_relabelled()))
    git(repo, "add", "-A")
    r = git_commit(repo, "-m", "relabelled")
    assert r.returncode == 1 and "relabel-forbidden" in r.stdout + r.stderr, r.stdout + r.stderr
    write_tree(repo, in_folder("chat", pythia_good()))
    git(repo, "add", "-A")
    assert git_commit(repo, "-m", "fine").returncode == 0
    # Installing again updates weightgate's own hooks; a foreign hook is refused (exit 2), --force replaces it.
    assert cli("hook", "install", cwd=repo)[0] == 0
    (repo / ".git" / "hooks" / "pre-push").write_text("#!/bin/sh\necho mine\n")
    code, _, err = cli("hook", "install", "pre-push", cwd=repo)
    assert code == 2 and "not written by weightgate" in err
    assert (repo / ".git" / "hooks" / "pre-push").read_text() == "#!/bin/sh\necho mine\n"
    assert cli("hook", "install", "pre-push", "--force", cwd=repo)[0] == 0
    assert "weightgate hook install" in (repo / ".git" / "hooks" / "pre-push").read_text()


@needs_git
def test_hook_install_respects_core_hooks_path(repo):
    git(repo, "config", "core.hooksPath", "githooks")
    (repo / "sub").mkdir()
    assert cli("hook", "install", "pre-commit", cwd=repo / "sub")[0] == 0
    assert (repo / "githooks" / "pre-commit").is_file()
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()


@needs_git
def test_pre_push_refusal_names_the_ref_and_the_commit(repo):
    sha = commit(repo, in_folder("chat", llama_relabelled()), "relabelled")
    env = {"PRE_COMMIT_TO_REF": sha, "PRE_COMMIT_FROM_REF": "0" * 40, "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        code, out, err = cli("hook", "pre-push", cwd=repo)
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    assert code == 1 and "relabel-forbidden" in out
    assert f"refs/heads/main at commit {sha[:12]}" in err


@needs_git
def test_hooks_are_silent_on_success(repo):
    commit(repo, in_folder("m", {"README.md": card("license: mit")}), "clean")
    git(repo, "add", "-A")
    assert cli("hook", "pre-commit", "m/README.md", cwd=repo) == (0, "", "")


# ---- fix --dry-run ----------------------------------------------------------------------------------------------

@needs_git
def test_dry_run_diff_applies_with_git_apply_from_the_repository_top(repo):
    commit(repo, in_folder("models/chat", {"README.md": card("license: apache-2.0\nbase_model: "
                                                             "meta-llama/Llama-2-7b-hf")}), "x")
    (repo / "models" / "chat").mkdir(exist_ok=True)
    code, out, _ = cli("fix", "--dry-run", "--format", "json", ".", cwd=repo / "models" / "chat")
    data = json.loads(out)
    assert "+++ b/models/chat/README.md" in data["diff"]
    assert {f["path"] for f in data["files"]} >= {"README.md"}  # shown from the current directory
    patch = repo / "fix.patch"
    patch.write_text(data["diff"])
    env = dict(os.environ, **GIT_ENV)
    r = subprocess.run(["git", "apply", "--check", str(patch)], cwd=repo, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    subprocess.run(["git", "apply", str(patch)], cwd=repo, env=env, check=True)
    assert "license: llama2" in (repo / "models" / "chat" / "README.md").read_text()


# ---- configuration ------------------------------------------------------------------------------------------------

def config_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "config.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


VALID = [
    {},
    {"models": {"acme/base-7b": "apache-2.0", "acme/other": {"license": "llama2", "path": "licenses/LLAMA"}}},
    {"policy": {"allow": ["permissive", "llama*"], "deny": ["non-commercial", "cc-by-nc-4.0"]}},
    {"severity": {"naming-rule": "warning", "pickle-checkpoint": "off"}, "exclude": ["legacy/*"]},
    {"waivers": [{"rule": "missing-notice", "path": "models/x/*", "reason": "reviewed", "expires": "2026-12-31"}]},
    {"licenses": [{"id": "acme-model-1.0", "name": "ACME Model License", "kind": "proprietary-custom"}]},
]
INVALID = [
    {"modles": {}},
    {"severity": {"naming-rule": "loud"}},
    {"severity": {"no-such-rule": "off"}},
    {"waivers": [{"rule": "missing-notice", "path": "x"}]},
    {"waivers": [{"rule": "missing-notice", "path": "x", "reason": "r", "when": "now"}]},
    {"policy": {"allow": "mit"}},
    {"models": {"a/b": {"path": "LICENSE"}}},
    {"licenses": [{"id": "x", "name": "X", "kind": "weird"}]},
]


@pytest.mark.parametrize("cfg", VALID)
def test_config_schema_accepts_what_weightgate_accepts(cfg):
    from weightgate.config import Config

    assert not list(config_validator().iter_errors(cfg))
    Config.from_dict(cfg)


@pytest.mark.parametrize("cfg", INVALID)
def test_config_schema_rejects_what_weightgate_rejects(cfg):
    from weightgate.errors import ConfigError
    from weightgate.config import Config

    assert list(config_validator().iter_errors(cfg))
    with pytest.raises(ConfigError):
        Config.from_dict(cfg)


def test_config_schema_names_every_rule():
    from weightgate import rules

    schema = json.loads((DATA / "config.schema.json").read_text())
    assert set(schema["properties"]["severity"]["propertyNames"]["enum"]) == {m.ID for m in rules.all_rules()}


def test_a_policy_glob_that_matches_nothing_warns_with_a_suggestion(tmp_path):
    write_tree(tmp_path, {".git/HEAD": "x\n", "m/README.md": card("license: mit"),
                          ".weightgate.toml": '[policy]\ndeny = ["lama*", "llama*"]\n'})
    code, out, err = cli("check", ".", cwd=tmp_path)
    assert code == 0 and "policy.deny[0]" in err and "'lama*'" in err and "did you mean 'llama*'" in err
    assert "policy.deny[1]" not in err
    write_tree(tmp_path, {".weightgate.toml": '[policy]\ndeny = ["lama2"]\n'})
    code, _, err = cli("check", ".", cwd=tmp_path)
    assert code == 2 and "did you mean 'llama2'" in err


def test_errors_are_exported():
    import weightgate
    from weightgate.errors import ConfigError, UsageError

    assert weightgate.ConfigError is ConfigError and weightgate.UsageError is UsageError
    with pytest.raises(weightgate.ConfigError):
        weightgate.check(".", config={"policy": {"deny": ["lama2"]}})
    with pytest.raises(weightgate.UsageError):
        weightgate.check("/no/such/folder/anywhere")


# ---- README snippets --------------------------------------------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_pre_commit_snippet_pins_an_existing_revision_and_lists_every_hook():
    import re

    import yaml

    text = README.read_text(encoding="utf-8")
    snippet = text.split("# .pre-commit-config.yaml\n", 1)[1].split("```", 1)[0]
    repo_entry = yaml.safe_load(snippet)["repos"][0]
    manifest = yaml.safe_load((README.parent / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in repo_entry["hooks"]] == [h["id"] for h in manifest]
    rev = repo_entry["rev"]
    assert re.fullmatch(r"[0-9a-f]{40}", rev), "pin a commit sha (there is no release tag)"
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = README.parent
    r = subprocess.run(["git", "cat-file", "-e", f"{rev}^{{commit}}"], cwd=top, capture_output=True)
    if r.returncode != 0 and subprocess.run(["git", "rev-parse", "--git-dir"], cwd=top,
                                            capture_output=True).returncode != 0:
        pytest.skip("not a git checkout")
    assert r.returncode == 0, f"{rev} is not a commit of this repository"
    shown = subprocess.run(["git", "show", f"{rev}:.pre-commit-hooks.yaml"], cwd=top, capture_output=True,
                           text=True).stdout
    assert all(f"id: {h['id']}" in shown for h in manifest)
    # The same pinned commit is what the Actions and hatchling snippets install from git.
    assert text.count(f"git+https://github.com/weightgate/weightgate@{rev}") >= 2


@needs_git
def test_installed_pre_push_hook_names_the_ref_and_commit_and_is_silent_on_success(tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q")
    git(work, "remote", "add", "origin", str(remote))
    assert run_main("hook", "install", cwd=work)[0] == 0
    env = dict(os.environ, **GIT_ENV, HOME=str(work))

    def push():
        return subprocess.run(["git", "push", "-q", "origin", "main"], cwd=work, env=env, capture_output=True,
                              text=True, timeout=120)

    commit_files = in_folder("m", {"README.md": card("license: mit")})
    write_tree(work, commit_files)
    git(work, "add", "-A")
    assert git_commit(work, "-m", "clean").returncode == 0
    r = push()
    assert r.returncode == 0 and "weightgate" not in r.stdout + r.stderr, r.stderr
    write_tree(work, in_folder("chat", llama_relabelled()))
    git(work, "add", "-A")
    assert git_commit(work, "--no-verify", "-m", "relabelled").returncode == 0
    short = git(work, "rev-parse", "--short", "HEAD")
    r = push()
    assert r.returncode != 0 and "relabel-forbidden" in r.stdout + r.stderr
    assert f"push of refs/heads/main refused at commit {short}" in r.stderr
