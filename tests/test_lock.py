"""`weightgate lock`: the real huggingface_hub client against a stand-in Hub on 127.0.0.1, then `check` offline."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import card, check_json, licence_text, rules_of, where, write_tree
from hubstandin import StandInHub
from test_guarantees import run_audited

pytest.importorskip("huggingface_hub")

LLAMA2 = "meta-llama/Llama-2-7b-hf"
MISTRAL = "mistralai/Mistral-7B-v0.1"

# Runs the CLI with an audit hook that ends the process on any connection that is not to 127.0.0.1, so a test
# fails loudly if the client (or weightgate) tried to reach the internet.
LOCAL_ONLY = textwrap.dedent(r"""
    import os, sys

    def hook(event, args):
        if event == "socket.connect":
            addr = args[1]
            host = addr[0] if isinstance(addr, tuple) else str(addr)
            if host not in ("127.0.0.1", "::1") and not str(host).startswith("/"):
                os.write(2, f"FORBIDDEN connect {addr!r}\n".encode())
                os._exit(97)
        if event == "socket.getaddrinfo" and args[0] not in ("127.0.0.1", "localhost", "::1", None):
            os.write(2, f"FORBIDDEN getaddrinfo {args[0]!r}\n".encode())
            os._exit(97)

    sys.addaudithook(hook)
    from weightgate.cli import main
    sys.exit(main(sys.argv[1:]))
""")


@pytest.fixture
def hub():
    with StandInHub() as h:
        yield h


def lock(repo: Path, hub: StandInHub, *args, tmp: Path, **env) -> subprocess.CompletedProcess:
    """`weightgate lock` in a subprocess (huggingface_hub reads HF_ENDPOINT when it is imported)."""
    full = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY") and k != "HF_TOKEN"}
    full.update(HF_ENDPOINT=hub.url, HF_HOME=str(tmp / "hf-home"), HF_HUB_CACHE=str(tmp / "hf-cache"),
                HF_HUB_DISABLE_TELEMETRY="1", NO_PROXY="127.0.0.1,localhost")
    full.update(env)
    return subprocess.run([sys.executable, "-c", LOCAL_ONLY, "lock", *map(str, args)], cwd=repo, env=full,
                          capture_output=True, text=True, timeout=120)


def git_repo(root: Path, files: dict) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return write_tree(root, files)


def llama2_chain(hub: StandInHub) -> None:
    """A community fine-tune (MIT) of another (Apache-2.0) whose own base is Llama 2: both relabel it."""
    hub.add("someone/chat-ft-7b", card={"license": "mit", "base_model": "otherorg/mid-ft"})
    hub.add("otherorg/mid-ft", card={"license": "apache-2.0", "base_model": [LLAMA2]}, files={"LICENSE": "Apache"})


def test_unknown_base_descending_from_llama2_fails_after_lock(tmp_path, hub):
    llama2_chain(hub)
    repo = git_repo(tmp_path / "repo", {"model/README.md": card("license: apache-2.0\nbase_model: someone/chat-ft-7b")})
    before = check_json(repo)  # a community base whose name shows no family: a warning until it is locked
    assert rules_of(before, "error") == set() and rules_of(before, "warning") == {"unknown-base-license"}

    r = lock(repo, hub, tmp=tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr  # no progress on a pipe, no connection elsewhere
    assert r.stdout == ("weightgate.lock: written (2 bases)\n"
                        "  otherorg/mid-ft: apache-2.0 <- meta-llama/Llama-2-7b-hf\n"
                        "  someone/chat-ft-7b: mit <- otherorg/mid-ft\n")
    after = check_json(repo)
    assert after["exit_code"] == 1
    assert rules_of(after, "error") == {"relabel-forbidden", "missing-license-copy", "missing-notice"}
    (relabel,) = [f for f in after["findings"] if f["rule"] == "relabel-forbidden"]
    assert (relabel["path"], relabel["line"]) == ("model/README.md", 2)
    assert "Llama 2" in relabel["message"] and "relabelled by otherorg/mid-ft, which declares apache-2.0" in relabel["message"]
    bases = {b["id"]: b for b in after["models"][0]["bases"]}
    assert bases["someone/chat-ft-7b"]["resolved_from"] == "lock"
    assert bases[LLAMA2]["license"] == "llama2" and bases[LLAMA2]["via"] == ["someone/chat-ft-7b", "otherorg/mid-ft"]
    # the ancestors are evidenced in the lock file, at their entry's base_model line
    assert bases["otherorg/mid-ft"]["evidence"][0]["path"] == "weightgate.lock"
    # the stand-in was asked only what the client needs: the two unknown bases (never the registry's Llama 2)
    asked = {q.split("?")[0] for q in hub.requests}
    assert asked <= {"GET /api/agent-harnesses", "GET /api/models/someone/chat-ft-7b", "GET /api/models/otherorg/mid-ft"}
    assert {"GET /api/models/someone/chat-ft-7b", "GET /api/models/otherorg/mid-ft"} <= asked


def test_compliant_derivative_of_unknown_mistral_finetune_passes_after_lock(tmp_path, hub):
    apache = licence_text("apache-2.0")
    hub.add("community/mistral-instruct-ft", card={"license": "apache-2.0", "base_model": MISTRAL,
                                                   "base_model_relation": "finetune"}, files={"LICENSE": apache})
    repo = git_repo(tmp_path / "repo", {
        "README.md": card("license: apache-2.0\nbase_model: community/mistral-instruct-ft"),
        "LICENSE": apache,
    })
    assert "unknown-base-license" in rules_of(check_json(repo), "warning")  # unverified until locked
    r = lock(repo, hub, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    report = check_json(repo)
    assert report["exit_code"] == 0, report["findings"]
    assert not rules_of(report, "error") and "unknown-base-license" not in rules_of(report)
    bases = {b["id"]: b for b in report["models"][0]["bases"]}
    assert bases["community/mistral-instruct-ft"]["license"] == "apache-2.0"
    assert bases[MISTRAL]["resolved_from"] == "registry"


def test_a_card_without_a_licence_is_judged_by_its_license_file(tmp_path, hub):
    """An older community fine-tune whose card declares nothing, shipping the Llama 2 agreement as LICENSE."""
    hub.add("oldorg/chat-13b", card={"tags": ["llama"]}, files={"LICENSE.txt": licence_text("llama2"), "NOTICE": "x"})
    repo = git_repo(tmp_path / "repo", {"README.md": card("license: apache-2.0\nbase_model: oldorg/chat-13b")})
    r = lock(repo, hub, tmp=tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    text = (repo / "weightgate.lock").read_text()
    assert 'license_files = ["LICENSE.txt", "NOTICE"]' in text and 'license_texts = ["llama2"]' in text
    report = check_json(repo)
    assert "relabel-forbidden" in rules_of(report, "error") and "unknown-base-license" not in rules_of(report)
    assert report["models"][0]["bases"][0]["license"] == "llama2"
    assert [q for q in hub.requests if "/resolve/" in q and "NOTICE" in q] == []  # only what can name a licence


def test_check_with_the_lock_makes_no_network_call(tmp_path, hub):
    llama2_chain(hub)
    repo = git_repo(tmp_path / "repo", {"model/README.md": card("license: apache-2.0\nbase_model: someone/chat-ft-7b")})
    assert lock(repo, hub, tmp=tmp_path).returncode == 0
    asked = len(hub.requests)
    r = run_audited("check", repo, "--format", "json", cwd=repo)
    assert "FORBIDDEN" not in r.stderr, r.stderr
    assert r.stdout.rstrip().endswith("EXIT 1") and '"relabel-forbidden"' in r.stdout
    assert len(hub.requests) == asked


def test_second_run_and_update_rewrite_identical_bytes(tmp_path, hub):
    llama2_chain(hub)
    repo = git_repo(tmp_path / "repo", {"model/README.md": card("license: apache-2.0\nbase_model: someone/chat-ft-7b")})
    assert lock(repo, hub, tmp=tmp_path).returncode == 0
    first = (repo / "weightgate.lock").read_bytes()
    assert first.startswith(b"# weightgate.lock: written by `weightgate lock`")
    for args in ((), ("--update",)):
        r = lock(repo, hub, *args, tmp=tmp_path)
        assert r.returncode == 0 and "up to date" in r.stdout, r.stdout + r.stderr
        assert (repo / "weightgate.lock").read_bytes() == first
    # --update sees a change on the Hub; a plain run does not ask again about locked bases
    hub.add("otherorg/mid-ft", card={"license": "llama2", "base_model": [LLAMA2]})
    asked = len(hub.requests)
    assert lock(repo, hub, tmp=tmp_path).returncode == 0
    assert (repo / "weightgate.lock").read_bytes() == first and len(hub.requests) == asked
    assert lock(repo, hub, "--update", tmp=tmp_path).returncode == 0
    assert b'license = "llama2"' in (repo / "weightgate.lock").read_bytes()


def test_lock_is_sorted_keyed_as_referenced_and_written_atomically(tmp_path, hub):
    for name in ("zeta/b", "Alpha/A", "mid/c", "new-org/model-7b"):
        hub.add(name, card={"license": "apache-2.0", "base_model": MISTRAL})
    hub.repos["old-org/model-7b"] = hub.repos["new-org/model-7b"]  # a renamed repository answers for its old name
    repo = git_repo(tmp_path / "repo", {
        "m/README.md": card("license: apache-2.0\nbase_model:\n- zeta/b\n- alpha/a\n- mid/c\n- old-org/model-7b"),
    })
    assert lock(repo, hub, tmp=tmp_path).returncode == 0
    text = (repo / "weightgate.lock").read_text()
    ids = [line for line in text.splitlines() if line.startswith("[models.")]
    # the Hub's spelling when only the case differs, the card's id when the repository was renamed; sorted
    assert ids == ['[models."Alpha/A"]', '[models."mid/c"]', '[models."old-org/model-7b"]', '[models."zeta/b"]']
    assert [p.name for p in repo.iterdir() if p.name.startswith(".weightgate")] == []  # no temporary file left
    assert lock(repo, hub, "--check", tmp=tmp_path).returncode == 0


def test_offline_exits_2_with_one_line(tmp_path, hub):
    repo = git_repo(tmp_path / "repo", {"README.md": card("license: mit\nbase_model: a/b")})
    r = lock(repo, hub, tmp=tmp_path, HF_HUB_OFFLINE="1")
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "network" in r.stderr and "HF_HUB_OFFLINE" in r.stderr
    assert hub.requests == [] and not (repo / "weightgate.lock").exists()


def test_unreachable_hub_exits_2_and_writes_nothing(tmp_path, hub):
    repo = git_repo(tmp_path / "repo", {"README.md": card("license: mit\nbase_model: a/b")})
    hub.server.server_close()  # nothing listens on the port any more
    r = lock(repo, hub, "--timeout", "2", tmp=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "cannot reach" in r.stderr, r.stderr
    assert not (repo / "weightgate.lock").exists()


def test_timeout_exits_2_and_writes_nothing(tmp_path, hub):
    repo = git_repo(tmp_path / "repo", {"README.md": card("license: mit\nbase_model: slow/base")})
    hub.add("slow/base", card={"license": "mit"})
    hub.delay = 3
    r = lock(repo, hub, "--timeout", "0.5", tmp=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "cannot reach" in r.stderr, r.stderr
    assert not (repo / "weightgate.lock").exists()


@pytest.mark.parametrize("raw", [b"<html>Bad gateway</html>", b'{"sha": "abc"}'])
def test_an_unreadable_answer_exits_2_and_writes_nothing(tmp_path, hub, raw):
    hub.add("odd/base", raw_api=raw)
    repo = git_repo(tmp_path / "repo", {"README.md": card("license: mit\nbase_model: odd/base")})
    r = lock(repo, hub, tmp=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "unreadable answer" in r.stderr, r.stderr
    assert not (repo / "weightgate.lock").exists()


def test_progress_is_shown_on_a_terminal_only(tmp_path, hub):
    import pty

    llama2_chain(hub)
    repo = git_repo(tmp_path / "repo", {"model/README.md": card("license: llama2\nbase_model: someone/chat-ft-7b")})
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.update(HF_ENDPOINT=hub.url, HF_HOME=str(tmp_path / "h"), HF_HUB_CACHE=str(tmp_path / "c"))
    r = subprocess.run([sys.executable, "-c", LOCAL_ONLY, "lock"], cwd=repo, env=env, stderr=slave,
                       stdout=subprocess.PIPE, text=True, timeout=120)
    os.close(slave)
    shown = os.read(master, 65536).decode()
    os.close(master)
    assert r.returncode == 0 and "[1/1] someone/chat-ft-7b" in shown and "otherorg/mid-ft" in shown


def test_plain_lock_keeps_unreferenced_entries_update_drops_them(tmp_path, hub):
    llama2_chain(hub)
    hub.add("community/mistral-ft", card={"license": "apache-2.0", "base_model": MISTRAL})
    repo = git_repo(tmp_path / "repo", {"a/README.md": card("license: llama2\nbase_model: someone/chat-ft-7b"),
                                        "b/README.md": card("license: apache-2.0\nbase_model: community/mistral-ft")})
    assert lock(repo, hub, tmp=tmp_path).returncode == 0
    (repo / "b/README.md").write_text(card("license: apache-2.0\nbase_model: " + MISTRAL))
    assert lock(repo, hub, tmp=tmp_path).returncode == 0
    assert "community/mistral-ft" in (repo / "weightgate.lock").read_text()
    assert lock(repo, hub, "a", "--update", tmp=tmp_path).returncode == 0  # a sub-folder: the rest stays
    assert "community/mistral-ft" in (repo / "weightgate.lock").read_text()
    assert lock(repo, hub, "--update", tmp=tmp_path).returncode == 0
    text = (repo / "weightgate.lock").read_text()
    assert "community/mistral-ft" not in text and "otherorg/mid-ft" in text


def test_nothing_to_lock_writes_no_file(tmp_path, hub):
    repo = git_repo(tmp_path / "repo", {"README.md": card(f"license: llama2\nbase_model: {LLAMA2}")})
    r = lock(repo, hub, tmp=tmp_path)
    assert r.returncode == 0 and "not written" in r.stdout and not (repo / "weightgate.lock").exists()
    assert [q for q in hub.requests if "/api/models/" in q] == []


def test_without_huggingface_hub_lock_says_which_extra_to_install(tmp_path, hub):
    script = LOCAL_ONLY.replace("from weightgate.cli import main", "sys.modules['huggingface_hub'] = None  # not installed\n"
                                "from weightgate.cli import main")
    repo = git_repo(tmp_path / "repo", {"a/README.md": card("license: mit\nbase_model: a/b")})
    r = subprocess.run([sys.executable, "-c", script, "lock"], cwd=repo, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        "weightgate: `weightgate lock` needs huggingface_hub: pip install 'weightgate[hub]'"]
    (repo / "a/README.md").write_text(card(f"license: llama2\nbase_model: {LLAMA2}"))  # nothing to ask the Hub
    r = subprocess.run([sys.executable, "-c", script, "lock"], cwd=repo, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "not written" in r.stdout, r.stderr


def test_in_process_lock_follows_hf_endpoint_set_after_the_client_was_imported(tmp_path, hub):
    """An API user may import huggingface_hub before setting HF_ENDPOINT: every call must still go there."""
    hub.add("community/no-card", card={}, files={"config.json": "{}"}, card_in_api=False)
    del hub.repos["community/no-card"].files["README.md"]
    repo = git_repo(tmp_path / "repo", {"README.md": card("license: mit\nbase_model: community/no-card")})
    script = LOCAL_ONLY.replace("from weightgate.cli import main",
                                "os.environ['HF_HUB_OFFLINE'] = '1'\n"
                                "import huggingface_hub.constants  # reads the environment now, before it changes\n"
                                f"os.environ['HF_ENDPOINT'] = {hub.url!r}\ndel os.environ['HF_HUB_OFFLINE']\n"
                                "from weightgate.cli import main")
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY") and k != "HF_ENDPOINT"}
    env.update(HF_HOME=str(tmp_path / "h"), HF_HUB_CACHE=str(tmp_path / "c"))
    r = subprocess.run([sys.executable, "-c", script, "lock"], cwd=repo, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "FORBIDDEN" not in r.stderr, r.stderr
    assert "GET /api/models/community/no-card" in hub.requests
    report = check_json(repo)
    (unknown,) = [f for f in report["findings"] if f["rule"] == "unknown-base-license"]
    assert "Hub card of community/no-card" in unknown["message"] and "declares no licence" in unknown["message"]


def test_missing_private_and_gated_bases_are_recorded_with_the_fix(tmp_path, hub):
    hub.add("corp/private-7b", card={"license": "apache-2.0"}, private=True)
    hub.add("corp/gated-7b", card={"license": "llama2", "base_model": LLAMA2}, gated="manual", card_in_api=False)
    repo = git_repo(tmp_path / "repo", {
        "a/README.md": card("license: apache-2.0\nbase_model:\n- nobody/missing-7b\n- nobody/not--a--hub--id"),
        "b/README.md": card("license: apache-2.0\nbase_model: corp/private-7b"),
        "c/README.md": card("license: llama2\nbase_model: corp/gated-7b"),
    })
    r = lock(repo, hub, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    text = (repo / "weightgate.lock").read_text()
    assert 'status = "missing"' in text and 'status = "private"' in text and 'status = "gated"' in text
    assert '[models."nobody/not--a--hub--id"]\nstatus = "missing"' in text  # the client refuses the id itself
    report = check_json(repo)
    unknown = {(f["path"], f["line"]): f for f in report["findings"] if f["rule"] == "unknown-base-license"}
    assert {p for p, _ in unknown} == {"a/README.md", "b/README.md", "c/README.md"}
    assert "has no repository nobody/missing-7b" in unknown["a/README.md", 4]["message"]
    assert "has no repository nobody/not--a--hub--id" in unknown["a/README.md", 5]["message"]
    unknown = {p: f for (p, _), f in unknown.items()}
    assert "private" in unknown["b/README.md"]["message"]
    assert "gated" in unknown["c/README.md"]["message"] and "HF_TOKEN=<token> weightgate lock --update" in \
        unknown["c/README.md"]["message"]
    assert (repo / "weightgate.lock").read_text() == text  # check never writes

    # with a token that has access, the same command records them
    r = lock(repo, hub, tmp=tmp_path, HF_TOKEN=hub.token)
    assert r.returncode == 0 and r.stderr == "", r.stderr  # no download progress bars either
    report = check_json(repo)
    assert {f["path"] for f in report["findings"] if f["rule"] == "unknown-base-license"} == {"a/README.md"}
    bases = {b["id"]: b for m in report["models"] for b in m["bases"]}
    assert bases["corp/gated-7b"]["license"] == "llama2"  # read from its README.md through resolve/
    assert any(q.startswith("HEAD /corp/gated-7b/resolve/") for q in hub.requests)


@pytest.mark.parametrize("status, message, recorded", [
    (401, "Access to model corp/x is restricted. You must have access to it and be authenticated.", "gated"),
    (403, "Forbidden", "private"),
    (401, "Invalid username or password.", "private"),
    (404, "Not found", "missing"),
])
def test_refusals_without_error_codes_are_recorded(tmp_path, hub, status, message, recorded):
    hub.add("corp/x", card={"license": "mit"}, refuse=(status, message))
    repo = git_repo(tmp_path / "repo", {"README.md": card("license: mit\nbase_model: corp/x")})
    assert lock(repo, hub, tmp=tmp_path).returncode == 0
    assert f'status = "{recorded}"' in (repo / "weightgate.lock").read_text()
    (finding,) = [f for f in check_json(repo)["findings"] if f["rule"] == "unknown-base-license"]
    assert recorded in finding["message"] or recorded == "missing" and "has no repository" in finding["message"]


def test_a_refused_card_download_is_a_refusal_not_a_card_without_licence(tmp_path, hub):
    hub.add("corp/files-locked", card={"license": "mit"}, card_in_api=False, refuse_files=(403, "Forbidden"))
    repo = git_repo(tmp_path / "repo", {"README.md": card("license: mit\nbase_model: corp/files-locked")})
    assert lock(repo, hub, tmp=tmp_path).returncode == 0
    assert 'status = "private"' in (repo / "weightgate.lock").read_text()


def test_lock_check_is_offline_and_fails_on_a_missing_base(tmp_path, hub):
    llama2_chain(hub)
    repo = git_repo(tmp_path / "repo", {"model/README.md": card("license: llama2\nbase_model: someone/chat-ft-7b")})
    r = lock(repo, hub, "--check", tmp=tmp_path, HF_HUB_OFFLINE="1")
    assert r.returncode == 1 and "model/README.md:3: base someone/chat-ft-7b is not in weightgate.lock" in r.stdout
    assert lock(repo, hub, tmp=tmp_path).returncode == 0
    asked = len(hub.requests)
    r = lock(repo, hub, "--check", tmp=tmp_path, HF_HUB_OFFLINE="1")
    assert r.returncode == 0, r.stdout
    (repo / "model/README.md").write_text(card("license: llama2\nbase_model:\n- someone/chat-ft-7b\n- new/one"))
    r = lock(repo, hub, "--check", tmp=tmp_path)
    assert r.returncode == 1 and "model/README.md:5: base new/one is not in weightgate.lock" in r.stdout
    assert len(hub.requests) == asked


def test_lock_entry_contradicting_the_registry_is_a_finding_and_the_registry_wins(tmp_path, hub):
    repo = git_repo(tmp_path / "repo", {
        "README.md": card(f"license: apache-2.0\nbase_model: {LLAMA2}"),
        "weightgate.lock": f'version = 1\n\n[models."{LLAMA2}"]\nstatus = "ok"\nrevision = "abc"\n'
                           f'license = "apache-2.0"\nread = 2026-01-01\n',
    })
    report = check_json(repo)
    assert ("weightgate.lock", 6) in where(report, "lock-invalid")
    assert "relabel-forbidden" in rules_of(report)  # judged as Llama 2 all the same
    assert report["models"][0]["bases"][0]["resolved_from"] == "registry"
    r = lock(repo, hub, "--update", tmp=tmp_path)  # the finding's fix: the registry's bases leave the lock
    assert r.returncode == 0 and "weightgate.lock: updated (0 bases)" in r.stdout, r.stdout + r.stderr
    assert "lock-invalid" not in rules_of(check_json(repo))
    assert hub.requests == []  # nothing needed asking


@pytest.mark.parametrize("lock_text, line", [
    ("version = 1\n[models.\"a/b\"\nstatus = 'ok'\n", 2),  # not TOML
    ("version = 1\n\n[models.\"a/b\"]\nstatus = \"fine\"\n", 4),  # unknown status
    ("version = 1\n\n[models.\"a/b\"]\nstatus = \"ok\"\nbase_model = \"c/d\"\n", 5),  # wrong type
    ("version = 7\n", 1),  # another schema
    ("version = true\n", 1),  # not a version number
    ("version = 1\nmodel = {}\n", 2),  # a misspelt table
    ("version = 1\n[models.\"a/b\"]\nstatus = \"ok\"\nlicense = \"mit\"\n[models.\"A/B\"]\nstatus = \"ok\"\n", 5),
])
def test_unusable_lock_is_a_finding_at_its_line(tmp_path, lock_text, line):
    repo = git_repo(tmp_path / "repo", {"README.md": card("license: mit\nbase_model: a/b"), "weightgate.lock": lock_text})
    report = check_json(repo)
    assert ("weightgate.lock", line) in where(report, "lock-invalid"), report["findings"]
    assert "unknown-base-license" in rules_of(report)


def test_nearest_lock_governs_a_folder_and_staged_lock_is_read_by_the_hook(tmp_path, hub, monkeypatch, capsys):
    hub.add("community/mistral-ft", card={"license": "apache-2.0", "base_model": MISTRAL})
    repo = git_repo(tmp_path / "repo", {"models/x/README.md": card("license: apache-2.0\nbase_model: community/mistral-ft"),
                                        "models/x/weightgate.lock": "version = 1\n"})
    assert lock(repo, hub, "models/x", tmp=tmp_path).returncode == 0
    assert not (repo / "weightgate.lock").exists() and "community/mistral-ft" in (repo / "models/x/weightgate.lock").read_text()
    from weightgate.hook import main as hook_main

    monkeypatch.chdir(repo)
    subprocess.run(["git", "add", "models/x/README.md"], check=True)
    capsys.readouterr()
    hook_main(["pre-commit", "models/x/README.md"])
    assert "unknown-base-license" in capsys.readouterr().out  # the lock is not staged yet: unknown base
    subprocess.run(["git", "add", "-A"], check=True)
    assert hook_main(["pre-commit", "models/x/README.md"]) == 0
    assert "unknown-base-license" not in capsys.readouterr().out
    (repo / "models/x/weightgate.lock").write_text("version = 1\n")  # the working tree no longer has the entry
    assert hook_main(["pre-commit", "models/x/README.md"]) == 0  # the hook reads the index, not the tree


def test_render_escapes_and_parses_back():
    import datetime

    from weightgate.lockfile import Entry, parse
    from weightgate.lockwriter import render

    odd = Entry(id='we"ird/na\\me', status="ok", revision="0" * 40, license=("other",), license_name="x\ty\x7f",
                license_link="https://example.com/ü", base_model=("a/b", "c/d"), gated="manual",
                license_files=("LICENSE", "NOTICE"), read=datetime.date(2026, 1, 2))
    text = render([odd, Entry(id="A/z", status="missing", read=datetime.date(2026, 1, 2))])
    lock = parse("weightgate.lock", text.encode())
    assert lock.problems == []
    back = lock.get('WE"IRD/NA\\ME')
    assert back.same_facts(odd) and back.read == odd.read
    assert render(list(lock.entries.values())) == text


def test_the_bom_pins_a_locked_base_at_its_revision():
    from test_bom import cyclonedx, licences, models, prop

    from conftest import EXAMPLES

    (m,) = models(cyclonedx(EXAMPLES / "community-finetune-locked"))
    base = m["pedigree"]["ancestors"][0]
    sha = next(line.split('"')[1] for line in (EXAMPLES / "community-finetune-locked/weightgate.lock").read_text()
               .splitlines() if line.startswith("revision"))
    assert base["purl"] == f"pkg:huggingface/example-community/mistral-7b-support-chat@{sha}"
    assert prop(base, "resolved-from") == "lock" and licences(base, "declared") == ["Apache-2.0"]


def test_every_entry_knows_the_lines_of_its_header_and_keys():
    text = ('version = 1\n\n[models."a/one"]\nstatus = "ok"\nlicense = "mit"\n\n'
            '[models."b/two"]\nlicense = "apache-2.0"\nstatus = "ok"\n')
    from weightgate.lockfile import parse

    lock = parse("weightgate.lock", text.encode())
    one, two = lock.entries["a/one"], lock.entries["b/two"]
    assert (one.line, dict(one.lines)) == (3, {"status": 4, "license": 5})
    assert (two.line, dict(two.lines)) == (7, {"license": 8, "status": 9})
