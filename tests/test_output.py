"""What the user sees: one path convention in every format (checked from a parent folder, a subfolder and
outside the repository), the concise/grouped views, --statistics, --quiet, colour on a real pseudo-terminal,
ASCII-only output streams, and the discoverability commands (licenses, explain, completion)."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import card, run_cli, run_main, write_tree

REPO_FILES = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "models/chat/README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf"),
    "models/odd dir/README.md": card("license: mit\nbase_model: runwayml/stable-diffusion-v1-5\ntags:\n- lora"),
    "models/ok/README.md": card("license: mit\nbase_model: openai-community/gpt2"),
}
FORMATS = ("full", "concise", "grouped", "json", "sarif", "github")
FINDING_LINE = re.compile(r"^\s*(.+?):(\d+): (?:\x1b\[[\d;]*m)?(error|warning)")


cli = run_main


@pytest.fixture
def repo(tmp_path):
    return write_tree(tmp_path / "repo", REPO_FILES)


def printed_paths(fmt: str, out: str, top: Path):
    """Every path the output names, made absolute the way its reader resolves it."""
    if fmt == "json":
        data = json.loads(out)
        paths = [f["path"] for f in data["findings"]] + [m["root"] for m in data["models"]]
        paths += [d["path"] for m in data["models"] for d in m["declared"]]
        paths += [e["path"] for m in data["models"] for b in m["bases"] for e in b["evidence"]]
        return [(p, None) for p in paths]
    if fmt == "sarif":
        run = json.loads(out)["runs"][0]
        bases = {k: v["uri"] for k, v in run.get("originalUriBaseIds", {}).items()}
        out_paths = []
        for r in run["results"]:
            loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
            base = urlparse(bases[loc["uriBaseId"]]).path
            out_paths.append((unquote(base + loc["uri"]), None))
        return out_paths
    paths = []
    for line in out.splitlines():
        if line.startswith("::"):
            props = dict(kv.split("=", 1) for kv in line.split(" ", 1)[1].split("::", 1)[0].split(","))
            name = props["file"].replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
            paths.append((name, top))  # GitHub resolves annotations from the repository top
            continue
        m = FINDING_LINE.match(line)
        if m:
            paths.append((m.group(1), top if fmt == "github" else None))  # github: all from the top
    return paths


@pytest.mark.parametrize("where", ["parent", "top", "subfolder", "outside"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_printed_path_exists_from_where_the_command_ran(repo, tmp_path, where, fmt):
    cwd, arg = {"parent": (tmp_path, "repo"), "top": (repo, "."), "subfolder": (repo / "models" / "chat", ".."),
                "outside": (tmp_path / "elsewhere", str(repo / "models"))}[where]
    cwd.mkdir(exist_ok=True)
    code, out, _ = cli("check", arg, "--output-format", fmt, cwd=cwd)
    assert code == 1
    paths = printed_paths(fmt, out, repo)
    assert len(paths) >= 3
    for p, base in paths:
        assert os.path.exists(os.path.join(base or cwd, p)), (fmt, where, p)
    if where == "outside" and fmt in ("full", "concise", "json"):
        assert all(os.path.isabs(p) for p, _ in paths)
    if where == "subfolder" and fmt == "concise":  # below the cwd: relative; beside it: absolute
        shown = [p for p, _ in paths]
        assert "README.md" in shown and any(p.startswith(str(repo)) for p in shown)


def test_sarif_locations_are_repository_relative_with_a_base_id(repo):
    _, out, _ = cli("check", ".", "--output-format", "sarif", cwd=repo / "models")
    run = json.loads(out)["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "models/chat/README.md" in uris and "models/odd%20dir/README.md" in uris
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_concise_is_one_line_per_finding_and_statistics_match_the_json(repo):
    _, js, _ = cli("check", ".", "--output-format", "json", cwd=repo)
    findings = json.loads(js)["findings"]
    code, out, err = cli("check", ".", "--output-format", "concise", cwd=repo)
    assert code == 1 and len(out.splitlines()) == len(findings) and err.startswith("Found ")
    assert all(FINDING_LINE.match(line) for line in out.splitlines())
    _, stats, _ = cli("check", ".", "--statistics", cwd=repo)
    counted = {line.split()[1]: int(line.split()[0]) for line in stats.splitlines()}
    expected = {}
    for f in findings:
        expected[f["rule"]] = expected.get(f["rule"], 0) + 1
    assert counted == expected
    _, stats_json, _ = cli("check", ".", "--statistics", "--output-format", "json", cwd=repo)
    assert {r["rule"]: r["count"] for r in json.loads(stats_json)} == expected


def test_grouped_view_shows_each_model_with_its_lineage(repo):
    code, out, _ = cli("check", ".", "--output-format", "grouped", cwd=repo)
    assert code == 1
    assert "models/chat: chat (apache-2.0) ← meta-llama/Llama-2-7b-hf (llama2, registry)" in out
    assert "models/ok: ok (mit) ← openai-community/gpt2" in out
    chat = out.split("models/chat: ", 1)[1].split("\n\n", 1)[0]
    assert "  models/chat/README.md:2: error [relabel-forbidden]" in chat


def test_quiet_prints_nothing_on_success_and_the_summary_counts_waivers(tmp_path):
    write_tree(tmp_path, {".git/HEAD": "x\n", "m/README.md": card("license: mit")})
    code, out, err = cli("check", ".", "--quiet", cwd=tmp_path)
    assert (code, out, err) == (0, "", "")
    waive = ("relabel-forbidden", "missing-license-copy", "missing-notice")
    write_tree(tmp_path, {"m/README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf"),
                          ".weightgate.toml": "".join(f'[[waivers]]\nrule = "{r}"\npath = "m"\nreason = "reviewed"\n'
                                                      for r in waive)})
    code, out, _ = cli("check", ".", cwd=tmp_path)
    assert code == 0 and out.splitlines()[-1] == "All checks passed (1 model folder; 3 findings waived)."
    assert cli("check", ".", "--quiet", cwd=tmp_path)[1:] == ("", "")


def test_why_quotes_are_cut_at_a_word_boundary():
    from weightgate import knowledge
    from weightgate.rules import clause_of

    lic = knowledge.load().licenses["apache-2.0"]
    line = clause_of(lic, "§9", "word " * 80)
    quoted = line.split("“", 1)[1]
    assert quoted.endswith("word…”") and len(quoted) < 260


def test_llama2_relabel_quotes_the_clause_that_binds_derivatives(repo):
    _, out, _ = cli("check", ".", "--output-format", "json", cwd=repo)
    (relabel,) = [f for f in json.loads(out)["findings"] if f["rule"] == "relabel-forbidden"
                  and f["path"] == "models/chat/README.md"]
    assert "derivative works thereof" in relabel["clause"]


# ---- terminal -------------------------------------------------------------------------------------------------

def _pty_run(args, cwd, env):
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "weightgate", *args], cwd=cwd, env=env, stdout=slave,
                         stderr=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return p.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_none_when_piped_and_the_environment_decides(repo):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env["TERM"] = "xterm"
    code, out = _pty_run(["check", "."], repo, env)
    assert code == 1 and "\x1b[1;31merror\x1b[0m" in out and "\x1b[36mrelabel-forbidden\x1b[0m" in out
    code, out = _pty_run(["check", "."], repo, dict(env, NO_COLOR="1"))
    assert code == 1 and "\x1b[" not in out and "error [relabel-forbidden]" in out
    piped = run_cli("check", ".", cwd=repo, env={"NO_COLOR": "", "FORCE_COLOR": ""})
    assert "\x1b[" not in piped.stdout
    forced = run_cli("check", ".", cwd=repo, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[1;31merror" in forced.stdout
    as_json = run_cli("check", ".", "--format", "json", cwd=repo, env={"FORCE_COLOR": "1"})
    json.loads(as_json.stdout)  # machine formats are never coloured


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_stream_that_cannot_show_curly_quotes_gets_ascii_and_the_exit_code_stays_1(repo, encoding):
    r = run_cli("check", ".", cwd=repo, env={"PYTHONIOENCODING": encoding})
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and "relabel-forbidden" in r.stdout
    assert '"' in r.stdout and "“" not in r.stdout
    r = run_cli("explain", "missing-notice", env={"PYTHONIOENCODING": "ascii"})
    assert r.returncode == 0 and r.stdout.isascii()


# ---- discoverability -----------------------------------------------------------------------------------------

def test_licenses_lists_every_id_explain_cites():
    from weightgate import rules
    from weightgate.docs import clauses

    code, out, _ = cli("licenses", "--format", "json")
    listed = {x["id"] for x in json.loads(out)}
    assert code == 0 and {"llama2", "apache-2.0", "creativeml-openrail-m"} <= listed
    cited = {lid for m in rules.all_rules() for lid, *_ in clauses(m.ID)}
    assert cited and cited <= listed
    code, out, _ = cli("licenses", "gemma")
    assert code == 0 and {line.split()[0] for line in out.splitlines()} >= {"gemma", "gemma-aup"}
    assert all("gemma" in line.lower() for line in out.splitlines())
    assert cli("licenses", "no-such-licence-anywhere")[0] == 2


def test_explain_without_a_rule_lists_the_rule_ids():
    from weightgate import rules

    code, out, _ = cli("explain")
    assert code == 0 and all(m.ID in out for m in rules.all_rules())


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell, tmp_path):
    code, out, _ = cli("completion", shell)
    assert code == 0 and "relabel-forbidden" in out and "output-format" in out
    if shell == "bash":
        script = tmp_path / "c.bash"
        script.write_text(out)
        probe = (f"source {script}; COMP_WORDS=(weightgate check --output-format con); COMP_CWORD=3; "
                 "_weightgate; echo ${COMPREPLY[@]}")
        r = subprocess.run(["bash", "-c", probe], capture_output=True, text=True)
        if r.returncode == 127:
            pytest.skip("bash is not installed")
        assert r.stdout.split() == ["concise"]


def test_the_check_path_imports_no_output_extras():
    code = ("import sys, io, contextlib; from weightgate.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['check', '.'])\n"
            "print(sorted(m for m in sys.modules if m.startswith('weightgate.') and m.split('.')[1] in "
            "('completion', 'hook_install', 'docs') or m in ('difflib', 'shlex')))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=os.path.dirname(__file__))
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr


def test_relabel_quotes_are_not_just_the_copy_clause():
    """A relabel finding claims the licence keeps binding derivatives: its quote must say so (derivative works,
    other terms, sublicensing), not merely repeat the words that ask for a copy of the licence."""
    from weightgate import knowledge

    kb = knowledge.load()
    for lic in kb.licenses.values():
        if lic.parent or lic.relabel.mode != "same" or not lic.relabel.quote:
            continue
        copies = {d.quote for d in lic.duty("license-copy")}
        assert lic.relabel.quote not in copies, lic.id


@pytest.mark.parametrize("fmt", ["concise", "json", "github", "sarif"])
def test_paths_from_a_subfolder_with_ref_name_existing_files(tmp_path, fmt):
    import shutil

    from test_integration_git import git

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = write_tree(tmp_path / "repo", {k: v for k, v in REPO_FILES.items() if not k.startswith(".git/")})
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "x")
    cwd = repo / "models" / "chat"
    code, out, _ = cli("check", "--ref", "HEAD", "..", "--output-format", fmt, cwd=cwd)
    assert code == 1
    paths = printed_paths(fmt, out, repo)
    assert paths and all(os.path.exists(os.path.join(base or cwd, p)) for p, base in paths), paths


def test_fix_output_paths_exist_from_the_current_directory(repo):
    cwd = repo / "models" / "chat"
    code, out, _ = cli("fix", "--dry-run", "..", cwd=cwd)
    shown = [m.group(1) for line in out.splitlines() for m in [re.match(r"^Would fix (.+?)(?::\d+)? \[", line)] if m]
    assert shown and all(os.path.exists(os.path.join(cwd, p)) or not os.path.isabs(p) and
                         os.path.exists(os.path.join(cwd, os.path.dirname(p))) for p in shown), shown


def test_an_ascii_text_stream_in_process_gets_ascii(repo, monkeypatch):
    from weightgate.cli import main

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    monkeypatch.chdir(repo)
    assert main(["check", "."]) == 1
    stream.flush()
    assert b"relabel-forbidden" in raw.getvalue() and raw.getvalue().isascii()


def test_unknown_rule_ids_suggest_the_close_one():
    code, _, err = cli("explain", "relabel-forbiden")
    assert code == 2 and "did you mean `relabel-forbidden`" in err
    code, _, err = cli("check", "--select", "naming-rules", ".")
    assert code == 2 and "did you mean `naming-rule`" in err


@pytest.mark.parametrize("fmt", ["full", "concise", "grouped", "github"])
def test_control_characters_from_a_card_never_reach_the_terminal(tmp_path, fmt):
    write_tree(tmp_path, {".git/HEAD": "x\n", "m/README.md": card('license: "mit\\u001b[2J\\u001b]0;owned\\u0007"\n'
                                                                    "base_model: meta-llama/Llama-2-7b-hf")})
    code, out, _ = cli("check", ".", "--output-format", fmt, cwd=tmp_path)
    assert code == 1 and "\x1b" not in out and "\x07" not in out and "\\x1b[2J" in out


def test_two_repositories_get_two_sarif_base_ids_and_forced_colour_never_reaches_a_file(tmp_path, monkeypatch):
    a = write_tree(tmp_path / "a", REPO_FILES)
    b = write_tree(tmp_path / "b", REPO_FILES)
    code, out, _ = cli("check", a / "models" / "chat", b / "models" / "chat", "--output-format", "sarif", cwd=tmp_path)
    run = json.loads(out)["runs"][0]
    assert code == 1 and set(run["originalUriBaseIds"]) == {"%SRCROOT%", "%SRCROOT2%"}
    for p, _ in printed_paths("sarif", out, tmp_path):
        assert os.path.exists(p)
    monkeypatch.setenv("FORCE_COLOR", "1")
    report = tmp_path / "report.txt"
    assert cli("check", ".", "--output", report, cwd=a)[0] == 1
    assert "\x1b" not in report.read_text(encoding="utf-8")
