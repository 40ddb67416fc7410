"""Configuration: discovery, every key, bad configurations (exit 2 with one line naming file and key), waivers."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
from contextlib import redirect_stderr, redirect_stdout

import pytest

import weightgate
from conftest import card, inside, run_cli, write_tree
from weightgate.config import Config, apply, find_config, load_config, path_matches
from weightgate.errors import ConfigError
from weightgate.facts import Finding

PRIVATE = {".git/HEAD": "x\n", "m/README.md": card("license: apache-2.0\nbase_model: acme-internal/base-7b")}
LLAMA = {".git/HEAD": "x\n", "m/README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf")}


def cli(*args):
    from weightgate.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def check(tmp_path, *args):
    with inside(tmp_path if os.path.isdir(tmp_path) else None):  # paths print relative to the checked folder
        code, out, err = cli("check", tmp_path, "--format", "json", *args)
    assert code in (0, 1), err
    data = json.loads(out)
    data["exit_code"] = code
    return data


def rules(data, active_only=True):
    return {f["rule"] for f in data["findings"] if not (active_only and "waived" in f)}


# ---- discovery ------------------------------------------------------------------------------------------

def test_weightgate_toml_found_upwards(tmp_path):
    write_tree(tmp_path, PRIVATE)
    assert "unknown-base-license" in rules(check(tmp_path / "m"))
    write_tree(tmp_path, {".weightgate.toml": '[models]\n"acme-internal/base-7b" = "apache-2.0"\n'})
    assert find_config(str(tmp_path / "m")) == str(tmp_path / ".weightgate.toml")
    data = check(tmp_path / "m")
    assert "unknown-base-license" not in rules(data) and data["exit_code"] == 0
    assert data["models"][0]["bases"][0]["license"] == "apache-2.0"
    assert data["models"][0]["bases"][0]["resolved_from"] == "config"


def test_pyproject_tool_table(tmp_path):
    write_tree(tmp_path, PRIVATE)
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n\n[tool.weightgate.models]\n'
                                            '"acme-internal/base-7b" = "apache-2.0"\n'})
    assert check(tmp_path)["exit_code"] == 0


def test_pyproject_without_table_is_skipped_and_weightgate_toml_wins(tmp_path):
    write_tree(tmp_path, PRIVATE)
    write_tree(tmp_path, {"m/pyproject.toml": '[project]\nname = "x"\n',
                          ".weightgate.toml": '[severity]\nunknown-base-license = "warning"\n',
                          "pyproject.toml": '[tool.weightgate.severity]\nunknown-base-license = "off"\n'})
    assert find_config(str(tmp_path / "m")) == str(tmp_path / ".weightgate.toml")
    data = check(tmp_path / "m")
    assert [f["severity"] for f in data["findings"]] == ["warning"] and data["exit_code"] == 0


def test_search_stops_at_git_top(tmp_path):
    write_tree(tmp_path, {".weightgate.toml": '[severity]\nunknown-base-license = "off"\n'})
    repo = tmp_path / "repo"
    write_tree(repo, PRIVATE)
    assert find_config(str(repo / "m")) is None
    assert "unknown-base-license" in rules(check(repo))


def test_explicit_config_overrides(tmp_path):
    write_tree(tmp_path, PRIVATE)
    write_tree(tmp_path, {".weightgate.toml": '[severity]\nunknown-base-license = "warning"\n',
                          "ci/strict.toml": '[models]\n"acme-internal/base-7b" = "apache-2.0"\n',
                          "ci/pyproject.toml": '[tool.weightgate.severity]\nunknown-base-license = "off"\n'})
    data = check(tmp_path, "--config", tmp_path / "ci" / "strict.toml")
    assert data["exit_code"] == 0 and data["models"][0]["bases"][0]["license"] == "apache-2.0"
    assert "unknown-base-license" not in rules(data)  # the found .weightgate.toml is not read
    assert check(tmp_path, "--config", tmp_path / "ci" / "pyproject.toml")["findings"] == []


def test_api_accepts_dict_and_path(tmp_path):
    write_tree(tmp_path, PRIVATE)
    assert weightgate.check(str(tmp_path), config={"models": {"acme-internal/base-7b": "apache-2.0"}}).ok
    write_tree(tmp_path, {"c.toml": '[models]\n"acme-internal/base-7b" = "apache-2.0"\n'})
    assert weightgate.check(str(tmp_path), config=str(tmp_path / "c.toml")).ok
    with pytest.raises(ConfigError):
        weightgate.check(str(tmp_path), config={"model": {}})


# ---- each key -------------------------------------------------------------------------------------------

def test_models_table_form_with_path(tmp_path):
    write_tree(tmp_path, PRIVATE)
    write_tree(tmp_path, {".weightgate.toml": '[models."acme-internal/base-7b"]\nlicense = "llama2"\n'
                                              'path = "vendor/base-7b/LICENSE"\n'})
    data = check(tmp_path)
    assert data["models"][0]["bases"][0]["license"] == "llama2"
    assert "relabel-forbidden" in rules(data)  # a Llama 2 base relabelled apache-2.0
    assert "unknown-base-license" not in rules(data)


def test_licenses_custom_definition(tmp_path):
    write_tree(tmp_path, PRIVATE)
    write_tree(tmp_path, {".weightgate.toml": '''
[models]
"acme-internal/base-7b" = "acme-internal-1.0"

[[licenses]]
id = "acme-internal-1.0"
name = "ACME Internal Model License 1.0"
kind = "proprietary-custom"
hub_ids = []
fingerprints = ["acme internal model license version 1.0", "for use inside acme corporation only"]

[licenses.relabel]
mode = "same"
clause = "§2"
quote = "derivatives remain under this license"

[[licenses.duties]]
kind = "license-copy"
clause = "§3"
quote = "include a copy of this license"
'''})
    data = check(tmp_path)
    assert data["models"][0]["bases"][0]["license"] == "acme-internal-1.0"
    assert {"relabel-forbidden", "missing-license-copy"} <= rules(data)
    write_tree(tmp_path, {"m/README.md": card("license: other\nlicense_name: acme-internal-1.0\nlicense_link: LICENSE\n"
                                              "base_model: acme-internal/base-7b"),
                          "m/LICENSE": "ACME Internal Model License version 1.0\n\nFor use inside ACME Corporation only.\n"})
    data = check(tmp_path)
    assert data["exit_code"] == 0, data["findings"]


def test_severity_override_and_off(tmp_path):
    write_tree(tmp_path, PRIVATE)
    write_tree(tmp_path, {".weightgate.toml": '[severity]\nunknown-base-license = "warning"\n'})
    data = check(tmp_path)
    assert data["exit_code"] == 0 and data["summary"]["warnings"] == 1
    write_tree(tmp_path, {".weightgate.toml": '[severity]\nunknown-base-license = "off"\n'})
    assert check(tmp_path)["findings"] == []
    write_tree(tmp_path, {".weightgate.toml": '[severity]\nopen-source-claim = "error"\n',
                          "m/README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf",
                                              "# M\n\nThe best open-source Llama 2 model.\n")})
    data = check(tmp_path)
    assert any(f["rule"] == "open-source-claim" and f["severity"] == "error" for f in data["findings"])


def test_exclude(tmp_path):
    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {"legacy/old/README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf"),
                          ".weightgate.toml": 'exclude = ["legacy", "m/*"]\n'})
    data = check(tmp_path)
    assert data["findings"] == [] and [m["root"] for m in data["models"]] == []
    write_tree(tmp_path, {".weightgate.toml": 'exclude = ["legacy/*"]\n'})
    data = check(tmp_path)
    assert {f["path"].split("/")[0] for f in data["findings"]} == {"m"}


def test_exclude_relative_to_config_when_checking_a_subfolder(tmp_path):
    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {"m/sub/README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf"),
                          ".weightgate.toml": 'exclude = ["m/sub"]\n'})
    data = check(tmp_path / "m")  # paths are shown relative to m/, globs stay relative to the config file
    assert {m["root"] for m in data["models"]} == {"."}


# ---- waivers ------------------------------------------------------------------------------------------

WAIVER = '[[waivers]]\nrule = "relabel-forbidden"\npath = "m/*"\nreason = "approved by legal, ticket LEG-12"\n'


def test_waiver_with_reason(tmp_path):
    write_tree(tmp_path, LLAMA)
    before = check(tmp_path)
    assert "relabel-forbidden" in rules(before)
    write_tree(tmp_path, {".weightgate.toml": WAIVER})
    data = check(tmp_path)
    waived = [f for f in data["findings"] if "waived" in f]
    assert [(f["rule"], f["waived"]) for f in waived] == [("relabel-forbidden", "approved by legal, ticket LEG-12")]
    assert "relabel-forbidden" not in rules(data)  # not counted
    assert data["summary"]["waived"] == 1 and data["summary"]["errors"] == before["summary"]["errors"] - 1
    code, out, _ = cli("check", tmp_path)
    assert "(waived)" in out and "approved by legal" in out


def test_waiver_not_matching_path_does_not_apply(tmp_path):
    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {".weightgate.toml": WAIVER.replace('"m/*"', '"other/*"')})
    assert "relabel-forbidden" in rules(check(tmp_path))


@pytest.mark.parametrize("expires", ['2999-12-31', '"2999-12-31"', '2999-12-31T00:00:00'])
def test_waiver_not_yet_expired(tmp_path, expires):
    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {".weightgate.toml": WAIVER + f"expires = {expires}\n"})
    assert "relabel-forbidden" not in rules(check(tmp_path))


def test_expired_waiver_stops_applying(tmp_path):
    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {".weightgate.toml": WAIVER + "expires = 2020-01-31\n"})
    data = check(tmp_path)
    f = [f for f in data["findings"] if f["rule"] == "relabel-forbidden"]
    assert f and "waived" not in f[0] and data["exit_code"] == 1
    assert "waiver for this finding expired on 2020-01-31" in f[0]["message"]


def test_apply_unit():
    f = Finding(path="a/README.md", line=1, rule="relabel-forbidden", severity="error", message="m")
    today = dt.date.today()
    cfg = Config(waivers=[{"rule": "relabel-forbidden", "path": "a", "reason": "r", "expires": today}])
    assert apply(cfg, [f])[0].waived == "r"  # valid through its expiry date
    cfg.waivers[0]["expires"] = today - dt.timedelta(days=1)
    assert apply(cfg, [f])[0].waived is None
    assert apply(Config(severity={"relabel-forbidden": "off"}), [f]) == []
    assert apply(Config(severity={"relabel-forbidden": "warning"}), [f])[0].severity == "warning"


@pytest.mark.parametrize("glob,path,ok", [
    ("models/*", "models/a/README.md", True),
    ("models/a", "models/a/README.md", True),
    ("./models/a/", "models/a/README.md", True),
    ("models/a", "models/ab/README.md", False),
    ("*.bin", "m/pytorch_model.bin", True),
    ("README.md", "m/README.md", False),
    ("m/*", "m", True),
])
def test_path_matches(glob, path, ok):
    assert path_matches(glob, path) is ok


# ---- bad configurations: exit 2, one line naming the file and the key ----------------------------------

BAD = [
    ('modelz = {}\n', "modelz", "unknown key"),
    ('[models]\n"acme/x" = 3\n', 'models."acme/x"', "licence id"),
    ('[models]\n"acme/x" = "not-a-licence"\n', 'models."acme/x"', "unknown licence id"),
    ('[models."acme/x"]\npath = "LICENSE"\n', 'models."acme/x".license', "required"),
    ('[models."acme/x"]\nlicense = "mit"\nurl = "x"\n', 'models."acme/x".url', "unknown key"),
    ('models = ["a"]\n', "models", "expected a table"),
    ('[[licenses]]\nid = "x"\nname = "X"\n', "licenses[0].kind", "required"),
    ('[[licenses]]\nid = "x"\nname = "X"\nkind = "weird"\n', "licenses[0].kind", "expected one of"),
    ('[[licenses]]\nid = "x"\nname = "X"\nkind = "permissive"\nfingerprints = "abc"\n', "licenses[0].fingerprints", "array"),
    ('[[licenses]]\nid = "x"\nname = "X"\nkind = "permissive"\n[licenses.relabel]\nmode = "nope"\n', "licenses[0].relabel.mode", "expected one of"),
    ('licenses = {}\n', "licenses", "expected an array"),
    ('[policy]\ndeny = "llama*"\n', "policy.deny", "expected an array"),
    ('[policy]\ndeny = ["non-comercial"]\n', "policy.deny[0]", "unknown licence id or kind"),
    ('[policy]\nblock = ["mit"]\n', "policy.block", "unknown key"),
    ('[severity]\nrelabel-forbidden = "fatal"\n', "severity.relabel-forbidden", '"error", "warning" or "off"'),
    ('[severity]\nno-such-rule = "off"\n', "severity.no-such-rule", "unknown rule"),
    ('exclude = "legacy"\n', "exclude", "array of path globs"),
    ('exclude = [1]\n', "exclude[0]", "string"),
    ('[[waivers]]\nrule = "relabel-forbidden"\npath = "m/*"\n', "waivers[0].reason", "required"),
    ('[[waivers]]\nrule = "relabel-forbidden"\npath = "m/*"\nreason = ""\n', "waivers[0].reason", "non-empty reason"),
    ('[[waivers]]\nrule = "nope"\npath = "m/*"\nreason = "r"\n', "waivers[0].rule", "unknown rule"),
    ('[[waivers]]\nrule = "relabel-forbidden"\nreason = "r"\n', "waivers[0].path", "required"),
    ('[[waivers]]\nrule = "relabel-forbidden"\npath = "m"\nreason = "r"\nexpires = "next year"\n', "waivers[0].expires", "date"),
    ('[[waivers]]\nrule = "relabel-forbidden"\npath = "m"\nreason = "r"\nowner = "me"\n', "waivers[0].owner", "unknown key"),
    ('waivers = {rule = "x"}\n', "waivers", "expected an array"),
]


@pytest.mark.parametrize("toml,key,expected", BAD, ids=[b[1] for b in BAD])
def test_bad_config_exit_2(tmp_path, toml, key, expected):
    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {".weightgate.toml": toml})
    code, out, err = cli("check", tmp_path)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"weightgate: {tmp_path / '.weightgate.toml'}: {key}: "), lines[0]
    assert expected in lines[0]


def test_bad_pyproject_names_the_tool_key(tmp_path):
    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {"pyproject.toml": '[tool.weightgate]\nseverity = ["x"]\n'})
    code, _, err = cli("check", tmp_path)
    assert code == 2
    assert err.strip() == f"weightgate: {tmp_path / 'pyproject.toml'}: tool.weightgate.severity: expected a table, got an array"


def test_invalid_toml_and_missing_explicit_file(tmp_path):
    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {".weightgate.toml": "[models\n"})
    code, _, err = cli("check", tmp_path)
    assert code == 2 and "invalid TOML" in err and str(tmp_path / ".weightgate.toml") in err
    code, _, err = cli("check", tmp_path, "--config", tmp_path / "nope.toml")
    assert code == 2 and "nope.toml: no such configuration file" in err
    write_tree(tmp_path, {"other/pyproject.toml": '[project]\nname = "x"\n'})
    code, _, err = cli("check", tmp_path, "--config", tmp_path / "other" / "pyproject.toml")
    assert code == 2 and "tool.weightgate" in err


def test_bad_config_via_subprocess(tmp_path):
    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {".weightgate.toml": '[[waivers]]\nrule = "relabel-forbidden"\npath = "m/*"\n'})
    r = run_cli("check", ".", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().endswith(".weightgate.toml: waivers[0].reason: required: why the exception is acceptable "
                                     "(who reviewed it)")


def test_load_config_nothing_found(tmp_path):
    write_tree(tmp_path, {".git/HEAD": "x\n"})
    assert load_config(str(tmp_path)) == Config()
