"""Reading models from git (--ref, --staged, --changed-since), the hook entry points and the Python API, in
real temporary git repositories."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess

import pytest

from conftest import LLAMA2_NOTICE, card, licence_text, run_cli, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo, *args) -> str:
    env = dict(os.environ, **GIT_ENV)
    env["HOME"] = str(repo)  # no user configuration (hooksPath, signing, …)
    out = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=repo,
                         env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def llama_good() -> dict:
    return {"README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf", "# Llama 2 chat tune\n"),
            "LICENSE": licence_text("llama2"), "NOTICE": LLAMA2_NOTICE + "\n"}


def llama_relabelled() -> dict:
    return {"README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf", "# Chat tune\n")}


def pythia_good() -> dict:
    return {"README.md": card("license: apache-2.0\nbase_model: EleutherAI/pythia-2.8b", "# Pythia tune\n")}


def in_folder(folder: str, files: dict) -> dict:
    return {f"{folder}/{k}": v for k, v in files.items()}


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    return r


def commit(repo, files: dict, msg: str) -> str:
    write_tree(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", msg)
    return git(repo, "rev-parse", "HEAD")


def check(repo, *args):
    r = run_cli("check", *args, "--format", "json", cwd=repo)
    data = json.loads(r.stdout) if r.stdout.strip() else {}
    return r.returncode, data, r.stderr


def rules(data) -> set:
    return {f["rule"] for f in data.get("findings", []) if f["severity"] == "error"}


def roots(data) -> list:
    return [m["root"] for m in data["models"]]


def test_ref_reads_the_commit_not_the_working_tree(repo):
    good = commit(repo, in_folder("m/chat", llama_good()), "good")
    bad = commit(repo, in_folder("m/chat", llama_relabelled()), "relabel")
    write_tree(repo, in_folder("m/chat", llama_good()))  # the working tree is compliant again
    assert check(repo, ".")[0] == 0
    code, data, _ = check(repo, "--ref", bad, ".")
    assert code == 1 and "relabel-forbidden" in rules(data)
    assert check(repo, "--ref", good, ".")[0] == 0
    assert check(repo, "--ref", "HEAD~1", "m/chat")[0] == 0


def test_staged_reads_the_index(repo):
    commit(repo, in_folder("m", llama_good()), "good")
    write_tree(repo, in_folder("m", llama_relabelled()))
    assert check(repo, "--staged")[0] == 0  # the relabel is not staged
    git(repo, "add", "m/README.md")
    write_tree(repo, in_folder("m", llama_good()))  # …and the working tree is restored afterwards
    code, data, _ = check(repo, "--staged")
    assert code == 1 and "relabel-forbidden" in rules(data)


def test_changed_since_limits_to_touched_model_folders(repo):
    base = commit(repo, {**in_folder("a", llama_relabelled()), **in_folder("b", pythia_good()),
                         **in_folder("c", pythia_good())}, "three models, a is relabelled")
    commit(repo, {"b/config.json": '{"model_type": "gpt_neox"}\n'}, "touch b")
    code, data, _ = check(repo, "--ref", "HEAD", "--changed-since", base, ".")
    assert code == 0 and roots(data) == ["b"]
    # A licence file touched at the top re-checks every model below it.
    commit(repo, {"NOTICE": "Acme\n"}, "top NOTICE")
    code, data, _ = check(repo, "--ref", "HEAD", "--changed-since", "HEAD~1", ".")
    assert code == 1 and sorted(roots(data)) == ["a", "b", "c"]
    # Staged and working-tree variants.
    write_tree(repo, {"c/README.md": pythia_good()["README.md"] + "\nMore.\n"})
    code, data, _ = check(repo, "--changed-since", "HEAD", ".")
    assert code == 0 and roots(data) == ["c"]
    code, data, _ = check(repo, "--staged", "--changed-since", "HEAD", ".")
    assert roots(data) == []
    # A deleted file's folder is checked as it is now.
    git(repo, "rm", "-q", "b/config.json")
    git(repo, "commit", "-q", "-m", "rm")
    code, data, _ = check(repo, "--ref", "HEAD", "--changed-since", "HEAD~1", ".")
    assert roots(data) == ["b"]


def test_bad_revisions_are_usage_errors(repo, tmp_path):
    commit(repo, in_folder("m", pythia_good()), "one")
    for args in (["--ref", "nope"], ["--ref", "HEAD", "--changed-since", "nope"], ["--ref=-x"],
                 ["--ref", "HEAD", "missing-folder"], ["--ref", "HEAD", "--staged"]):
        r = run_cli("check", *args, cwd=repo)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("weightgate: "), r.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    r = run_cli("check", "--ref", "HEAD", outside, cwd=tmp_path)
    assert r.returncode == 2 and "not inside a git work tree" in r.stderr


def test_symlinks_submodules_and_lfs_in_a_commit(repo, tmp_path):
    header = json.dumps({"__metadata__": {"format": "pt", "license": "llama2"}}).encode()
    weights = struct.pack("<Q", len(header)) + header
    oid = hashlib.sha256(weights).hexdigest()
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(weights)}\n"
    files = {**in_folder("m", pythia_good()), "m/model.safetensors": pointer}
    write_tree(repo, files)
    os.symlink("/etc/passwd", repo / "m" / "LICENSE")  # a link leaving the repository is never followed
    os.symlink("../m/README.md", repo / "m" / "card-link.md")
    sub = tmp_path / "sub"
    sub.mkdir()
    git(sub, "init", "-q")
    commit(sub, {"README.md": card("license: mit")}, "sub")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendored")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "all")
    # The LFS object is absent: the checkpoint is unverifiable (a warning). The link to /etc/passwd is reported,
    # not read, as in the working tree; the submodule is skipped.
    code, data, err = check(repo, "--ref", "HEAD", ".")
    assert roots(data) == ["m"], err
    found = {(f["rule"], f["path"]) for f in data["findings"]}
    assert ("checkpoint-unverifiable", "m/model.safetensors") in found
    assert ("metadata-invalid", "m/LICENSE") in found
    assert "root:" not in json.dumps(data)
    # With the object in .git/lfs/objects the header is read.
    obj = repo / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
    obj.parent.mkdir(parents=True)
    obj.write_bytes(weights)
    code, data, _ = check(repo, "--ref", "HEAD", ".")
    found = {(f["rule"], f["path"]) for f in data["findings"]}
    assert ("checkpoint-unverifiable", "m/model.safetensors") not in found
    assert ("license-mismatch", "m/model.safetensors") in found  # the header says llama2, the card apache-2.0


def test_large_blobs_are_streamed(repo, monkeypatch):
    from weightgate import gitsource

    header = json.dumps({"__metadata__": {"format": "pt"}}).encode()
    data = struct.pack("<Q", len(header)) + header + b"\0" * 300_000
    write_tree(repo, {**in_folder("m", pythia_good()), "m/model.safetensors": data})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "w")
    src = gitsource.GitSource(str(repo), "HEAD")
    try:
        monkeypatch.setattr(gitsource, "SMALL_BLOB", 1000)
        assert src.size("m/model.safetensors") == len(data)
        with src.open("m/model.safetensors") as f:
            assert not isinstance(f, __import__("io").BytesIO)
            assert f.read(8 + len(header)) == data[: 8 + len(header)]
        assert src.kind("m") == "dir" and src.kind("nope") == "missing"
        assert [w[0] for w in src.walk("")] == ["", "m"]
    finally:
        src.close()


def test_hook_entry_points(repo, monkeypatch):
    from weightgate.hook import main

    a = commit(repo, {**in_folder("chat", llama_good()), **in_folder("other", llama_relabelled())}, "a")
    monkeypatch.chdir(repo)
    # pre-commit: only the folders of the passed files, as staged.
    assert main(["pre-commit", "chat/README.md"]) == 0
    assert main(["pre-commit", "other/README.md"]) == 1
    assert main(["pre-commit"]) == 0
    write_tree(repo, in_folder("chat", llama_relabelled()))
    assert main(["pre-commit", "chat/README.md"]) == 0  # not staged
    git(repo, "add", "chat/README.md")
    assert main(["pre-commit", "chat/README.md"]) == 1
    git(repo, "reset", "-q", "--hard")
    # pre-push: folders touched between FROM and TO, as in TO.
    b = commit(repo, {"chat/config.json": '{"model_type": "llama"}\n'}, "b")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", a)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", b)
    assert main(["pre-push"]) == 0
    monkeypatch.delenv("PRE_COMMIT_FROM_REF")
    assert main(["pre-push"]) == 1  # first push: everything, and `other` is relabelled
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "nope")
    assert main(["pre-push"]) == 2


def test_python_api(repo):
    import weightgate

    good = commit(repo, in_folder("m", llama_good()), "good")
    commit(repo, in_folder("m", llama_relabelled()), "bad")
    write_tree(repo, in_folder("m", llama_good()))
    assert weightgate.check(str(repo)).ok
    report = weightgate.check(str(repo), ref="HEAD")
    assert not report.ok and "relabel-forbidden" in {f.rule for f in report.findings}
    assert weightgate.gate(str(repo / "m"), ref=good).ok
    with pytest.raises(weightgate.ComplianceError) as e:
        weightgate.gate(str(repo), ref="HEAD")
    assert "relabel-forbidden" in str(e.value) and e.value.report is not None
    with pytest.raises(weightgate.ComplianceError):
        weightgate.gate(str(repo), changed_since=good, ref="HEAD")
