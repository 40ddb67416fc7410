"""Output formats: SARIF 2.1.0 (validated against the official schema), JSON (against report.schema.json),
GitHub annotations (escaping), automatic selection under GitHub Actions, and --output."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from conftest import card, run_cli, write_tree
from weightgate.facts import Finding
from weightgate.report import github_format, render, sarif_format
from weightgate.result import Report

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"
SARIF_SCHEMA = SCHEMAS / "sarif-schema-2.1.0.json"
REPORT_SCHEMA = Path(__file__).resolve().parents[1] / "src" / "weightgate" / "data" / "report.schema.json"

CLEAN = {".git/HEAD": "ref: refs/heads/main\n", "m/README.md": card("license: mit")}
FAILING = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "llama/README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf"),
    "private/README.md": card("license: apache-2.0\nbase_model: acme-internal/base-7b"),
    "odd dir/100% sure#1/README.md": card("license: Apache 2.0"),
}


def cli(*args):
    from weightgate.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main([str(a) for a in args])
    return code, buf.getvalue()


def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} not available")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


@pytest.mark.parametrize("files,code", [(CLEAN, 0), (FAILING, 1)], ids=["clean", "failing"])
def test_sarif_validates_and_is_byte_identical(tmp_path, monkeypatch, files, code):
    write_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    first = cli("check", ".", "--format", "sarif")
    second = cli("check", ".", "--format", "sarif")
    assert first[0] == code and second[0] == code
    assert first[1] == second[1]  # byte-identical: no timestamps, deterministic order
    doc = json.loads(first[1])
    errors = sorted(sarif_validator().iter_errors(doc), key=str)
    assert not errors, errors[0]
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-schema-2.1.0.json")
    assert driver["name"] == "weightgate" and driver["semanticVersion"] and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert "relabel-forbidden" in ids and "policy-denied" in ids
    for r in driver["rules"]:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning")
    relabel = driver["rules"][ids.index("relabel-forbidden")]
    assert "llama2" in relabel["help"]["text"] and "“" in relabel["help"]["text"]  # clauses with quoted words
    if code == 0:
        assert run["results"] == []
        return
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["region"]["startLine"] >= 1
        assert not loc["artifactLocation"]["uri"].startswith(("/", "./", "..")) and "\\" not in loc["artifactLocation"]["uri"]
        assert res["partialFingerprints"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "llama/README.md" in uris and "private/README.md" in uris
    assert "odd%20dir/100%25%20sure%231/README.md" in uris  # percent-encoded
    fps = [next(iter(r["partialFingerprints"].values())) for r in run["results"]]
    assert len(fps) == len(set(fps))


def test_sarif_fingerprints_stable_across_line_moves(tmp_path, monkeypatch):
    write_tree(tmp_path, FAILING)
    monkeypatch.chdir(tmp_path)
    before = json.loads(cli("check", ".", "--format", "sarif")[1])["runs"][0]["results"]
    # Move the front matter down by adding a leading comment line in the YAML: lines change, fingerprints not.
    write_tree(tmp_path, {"private/README.md": card("# a comment\nlicense: apache-2.0\nbase_model: acme-internal/base-7b")})
    after = json.loads(cli("check", ".", "--format", "sarif")[1])["runs"][0]["results"]

    def fp(results, uri):
        return {(r["ruleId"], next(iter(r["partialFingerprints"].values())), r["locations"][0]["physicalLocation"]["region"]["startLine"])
                for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri}

    b, a = fp(before, "private/README.md"), fp(after, "private/README.md")
    assert {x[:2] for x in b} == {x[:2] for x in a}
    assert {x[2] for x in b} != {x[2] for x in a}


def test_sarif_waived_finding_has_suppression(tmp_path, monkeypatch):
    write_tree(tmp_path, FAILING)
    write_tree(tmp_path, {".weightgate.toml": '[[waivers]]\nrule = "unknown-base-license"\npath = "private/*"\n'
                                              'reason = "internal base, reviewed by legal"\n'})
    monkeypatch.chdir(tmp_path)
    code, out = cli("check", ".", "--format", "sarif")
    doc = json.loads(out)
    assert not list(sarif_validator().iter_errors(doc))
    waived = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "unknown-base-license"]
    assert waived and waived[0]["suppressions"] == [{"kind": "external", "justification": "internal base, reviewed by legal"}]
    others = [r for r in doc["runs"][0]["results"] if r["ruleId"] != "unknown-base-license"]
    assert others and all("suppressions" not in r for r in others)


def test_sarif_uri_is_repo_relative_when_checking_a_subfolder(tmp_path, monkeypatch):
    write_tree(tmp_path, FAILING)
    monkeypatch.chdir(tmp_path)
    doc = json.loads(cli("check", "private", "--format", "sarif")[1])
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"private/README.md"}


def test_sarif_binary_file_line_one():
    report = Report(findings=[Finding(path="w/model.bin", line=0, rule="pickle-checkpoint", severity="warning",
                                      message="pickled weights")])
    doc = json.loads(sarif_format.render(report))
    res = doc["runs"][0]["results"][0]
    assert res["level"] == "warning" and res["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert not list(sarif_validator().iter_errors(doc))


# ---- JSON ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("files", [CLEAN, FAILING], ids=["clean", "failing"])
def test_json_validates_against_report_schema(tmp_path, monkeypatch, files):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    write_tree(tmp_path, files)
    write_tree(tmp_path, {".weightgate.toml": '[[waivers]]\nrule = "unknown-base-license"\npath = "private"\nreason = "ok"\n'})
    monkeypatch.chdir(tmp_path)
    _, out = cli("check", ".", "--format", "json")
    data = json.loads(out)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert not errors, errors[0]
    if files is FAILING:
        assert data["summary"]["waived"] == 1
        assert [f["waived"] for f in data["findings"] if "waived" in f] == ["ok"]


def test_schema_rejects_a_broken_report():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    bad = Report().to_dict()
    bad["findings"] = [{"rule": "x", "severity": "fatal", "path": "a", "line": 0, "message": "", "clause": "", "fix": ""}]
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


# ---- GitHub annotations ----------------------------------------------------------------------------------

def test_annotation_escaping():
    f = Finding(path="dir,with:odd/100%/README.md", line=3, rule="metadata-invalid", severity="error",
                message="50% done, a: b\nsecond line\r\nthird", clause="§1: “x, y”", fix="do: this, that")
    line = github_format.annotation(f)
    assert line.startswith("::error file=dir%2Cwith%3Aodd/100%25/README.md,line=3,title=weightgate metadata-invalid::")
    body = line.split("::", 2)[2]
    assert body == ("50%25 done, a: b%0Asecond line%0D%0Athird%0Awhy: §1: “x, y”%0Afix: do: this, that")
    assert "\n" not in line and "\r" not in line


def test_escape_functions():
    assert github_format.escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert github_format.escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"


def test_github_format_warnings_waived_and_text_report():
    findings = [
        Finding(path="a/README.md", line=1, rule="open-source-claim", severity="warning", message="w"),
        Finding(path="a/README.md", line=2, rule="relabel-forbidden", severity="error", message="e"),
        Finding(path="b/README.md", line=2, rule="relabel-forbidden", severity="error", message="waived one",
                waived="reviewed"),
    ]
    out = github_format.render(Report(findings=sorted(findings)))
    lines = out.splitlines()
    assert lines[0] == "::warning file=a/README.md,line=1,title=weightgate open-source-claim::w"
    assert lines[1] == "::error file=a/README.md,line=2,title=weightgate relabel-forbidden::e"
    assert not any(l.startswith("::") and "waived one" in l for l in lines)
    assert "a/README.md:2: error [relabel-forbidden] e" in lines  # the plain text report follows
    assert any("(waived)" in l and "waived one" in l for l in lines)


def test_github_notice_when_over_the_limit():
    findings = [Finding(path="m/README.md", line=i, rule="relabel-forbidden", severity="error", message=f"e{i}")
                for i in range(1, 13)]
    out = github_format.render(Report(findings=findings))
    assert sum(l.startswith("::error ") for l in out.splitlines()) == 12
    assert "::notice title=weightgate::12 error findings" in out


def test_github_end_to_end_with_odd_paths(tmp_path, monkeypatch):
    write_tree(tmp_path, {".git/HEAD": "x\n", "a,b:c/README.md": card("license: Apache 2.0")})
    monkeypatch.chdir(tmp_path)
    code, out = cli("check", ".", "--format", "github")
    assert code == 1
    ann = [l for l in out.splitlines() if l.startswith("::error ")]
    assert ann and all(l.startswith("::error file=a%2Cb%3Ac/README.md,line=") for l in ann)


def test_github_actions_env_selects_github(tmp_path):
    write_tree(tmp_path, FAILING)
    r = run_cli("check", ".", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert r.returncode == 1
    assert r.stdout.startswith("::error file=")
    r = run_cli("check", ".", "--format", "text", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert not r.stdout.startswith("::")  # an explicit --format wins
    r = run_cli("check", ".", cwd=tmp_path, env={"GITHUB_ACTIONS": "false"})
    assert not r.stdout.startswith("::")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_output_file_keeps_exit_code(tmp_path, fmt):
    write_tree(tmp_path, FAILING)
    out = tmp_path.parent / f"{tmp_path.name}-report.{fmt}"
    r = run_cli("check", ".", "--format", fmt, "--output", out, cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "relabel-forbidden" in text or "unknown-base-license" in text
    if fmt in ("json", "sarif"):
        json.loads(text)
    r = run_cli("check", ".", "--format", fmt, "--output", out, "--exit-zero", cwd=tmp_path)
    assert r.returncode == 0


def test_output_file_clean_repo_exit_zero(tmp_path):
    write_tree(tmp_path, CLEAN)
    out = tmp_path / "report.sarif"
    r = run_cli("check", "m", "--format", "sarif", "--output", out, cwd=tmp_path)
    assert r.returncode == 0 and json.loads(out.read_text())["runs"][0]["results"] == []


def test_render_knows_every_format():
    for fmt in ("text", "json", "sarif", "github"):
        assert render(Report(), fmt).endswith("\n")
