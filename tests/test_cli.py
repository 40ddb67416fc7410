"""The command line as users run it: exit codes, formats, paths."""
from __future__ import annotations

import json

from conftest import EXAMPLES, card, run_cli, write_tree


def test_version():
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("weightgate ")


def test_missing_path_is_usage_error():
    r = run_cli("check", "/nonexistent/model")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such file" in r.stderr


def test_no_command_is_usage_error():
    assert run_cli().returncode == 2


def test_exit_codes_and_exit_zero():
    bad = EXAMPLES / "opt-finetune-apache"
    assert run_cli("check", bad).returncode == 1
    assert run_cli("check", bad, "--exit-zero").returncode == 0
    assert run_cli("check", EXAMPLES / "dolly-v2-pythia-mit").returncode == 0


def test_text_output_shape():
    r = run_cli("check", EXAMPLES / "opt-finetune-apache")
    lines = r.stdout.splitlines()
    assert lines[0].startswith("README.md:") and " error [" in lines[0]  # run from the folder (run_cli)
    assert any(l.startswith("    why: ") for l in lines) and any(l.startswith("    fix: ") for l in lines)
    assert lines[-1].startswith("Found 3 errors")


def test_single_file_path_checks_its_folder(tmp_path):
    write_tree(tmp_path, {"m/README.md": card("license: mit\nbase_model: meta-llama/Llama-2-7b-hf")})
    r = run_cli("check", tmp_path / "m" / "README.md", "--format", "json", cwd=tmp_path)
    data = json.loads(r.stdout)
    assert r.returncode == 1 and data["models"][0]["root"] == "m"
    assert {f["path"] for f in data["findings"]} == {"m/README.md"}


def test_json_is_sorted_and_deterministic():
    a = run_cli("check", EXAMPLES, "--format", "json").stdout
    b = run_cli("check", EXAMPLES, "--format", "json").stdout
    assert a == b
    findings = json.loads(a)["findings"]
    keys = [(f["path"], f["line"], f["rule"]) for f in findings]
    assert keys == sorted(keys)


def test_skips_git_venv_and_node_modules(tmp_path):
    write_tree(tmp_path, {
        ".venv/pyvenv.cfg": "home = /usr\n",
        ".venv/bin/python": "",
        ".venv/lib/m/config.json": "{}",
        "node_modules/x/config.json": "{}",
        "env2/pyvenv.cfg": "home = /usr\n",
        "env2/Scripts/python.exe": "",
        "env2/m/config.json": "{}",
        "real/config.json": "{}",
    })
    data = json.loads(run_cli("check", tmp_path, "--format", "json").stdout)
    assert [m["root"] for m in data["models"]] == ["real"]
