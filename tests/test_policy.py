"""policy-denied: organisation policy (`policy.allow` / `policy.deny`) over lineage and declarations; a private
base made resolvable through `models`; `rules` and `explain` document the rule."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest

import weightgate
from conftest import card, write_tree
from weightgate import knowledge
from weightgate.rules import policy_denied

OPT = {".git/HEAD": "x\n", "opt-ft/README.md": card("license: other\nlicense_name: opt-175b\nlicense_link: LICENSE\n"
                                                    "base_model: facebook/opt-2.7b")}
LLAMA = {".git/HEAD": "x\n", "chat/README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf")}
MIT = {".git/HEAD": "x\n", "plain/README.md": card("license: mit")}


def run(tmp_path, files, config):
    write_tree(tmp_path, files)
    return weightgate.check(str(tmp_path), config=config)


def denied(report):
    return [f for f in report.findings if f.rule == "policy-denied"]


def test_deny_non_commercial_on_opt_finetune(tmp_path):
    r = run(tmp_path, OPT, {"policy": {"deny": ["non-commercial"]}})
    d = denied(r)
    assert len(d) == 1 and not r.ok
    f = d[0]
    assert (f.path, f.line, f.severity) == ("opt-ft/README.md", 5, "error")  # the base_model line
    assert 'deny entry "non-commercial"' in f.message and "facebook/opt-2.7b" in f.message and "opt-175b" in f.message
    assert not denied(run(tmp_path, OPT, {}))


def test_deny_llama_glob(tmp_path):
    r = run(tmp_path, LLAMA, {"policy": {"deny": ["llama*"]}})
    d = denied(r)
    assert len(d) == 1  # the base and the declaration share one licence: reported once, at the base
    assert 'deny entry "llama*"' in d[0].message and "meta-llama/Llama-2-7b-hf" in d[0].message
    assert not denied(run(tmp_path, LLAMA, {"policy": {"deny": ["gemma*", "non-commercial"]}}))


def test_deny_declared_licence_without_base(tmp_path):
    r = run(tmp_path, MIT, {"policy": {"deny": ["mit"]}})
    d = denied(r)
    assert len(d) == 1 and d[0].path == "plain/README.md" and "declares" in d[0].message


def test_allow_list(tmp_path):
    llama, mit = tmp_path / "llama", tmp_path / "mit"
    r = run(llama, LLAMA, {"policy": {"allow": ["apache-2.0", "mit", "permissive"]}})
    d = denied(r)
    assert len(d) == 1 and "allow list" in d[0].message
    assert not denied(run(mit, MIT, {"policy": {"allow": ["permissive"]}}))
    assert not denied(run(llama, LLAMA, {"policy": {"allow": ["llama2"]}}))
    # deny wins over allow
    assert denied(run(mit, MIT, {"policy": {"allow": ["mit"], "deny": ["permissive"]}}))


def test_policy_reaches_ancestors(tmp_path):
    files = dict(OPT)
    files["child/README.md"] = card("license: other\nlicense_name: opt-175b\nlicense_link: LICENSE\nbase_model: ../opt-ft")
    r = run(tmp_path, files, {"policy": {"deny": ["opt-175b"]}})
    paths = {f.path for f in denied(r)}
    assert "opt-ft/README.md" in paths and "child/README.md" in paths


def test_policy_waiver(tmp_path):
    cfg = {"policy": {"deny": ["non-commercial"]},
           "waivers": [{"rule": "policy-denied", "path": "opt-ft", "reason": "research only, approved"}]}
    r = run(tmp_path, OPT, cfg)
    d = denied(r)
    assert len(d) == 1 and d[0].waived == "research only, approved"


def test_policy_in_config_file_cli(tmp_path):
    from weightgate.cli import main

    write_tree(tmp_path, LLAMA)
    write_tree(tmp_path, {"pyproject.toml": '[tool.weightgate.policy]\ndeny = ["llama*"]\n'})
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["check", str(tmp_path), "--format", "json"])
    data = json.loads(buf.getvalue())
    assert code == 1
    f = [f for f in data["findings"] if f["rule"] == "policy-denied"]
    assert f and "pyproject.toml" in f[0]["clause"]


@pytest.mark.parametrize("entry,lid,ok", [
    ("non-commercial", "opt-175b", True),
    ("non-commercial", "cc-by-nc-4.0", True),
    ("non-commercial", "apache-2.0", False),
    ("llama*", "llama2", True),
    ("llama*", "llama3.1", True),
    ("llama*", "gemma", False),
    ("Apache 2.0", "apache-2.0", True),
    ("permissive", "mit", True),
    ("proprietary-custom", "llama2", True),
])
def test_matches(entry, lid, ok):
    kb = knowledge.load()
    assert policy_denied.matches(entry, kb.get(lid), kb) is ok


# ---- private base via `models` ---------------------------------------------------------------------------

PRIVATE = {".git/HEAD": "x\n", "m/README.md": card("license: llama2\nbase_model: acme-internal/base-7b")}


def test_private_base_unknown_without_models(tmp_path):
    r = run(tmp_path, PRIVATE, {})
    assert [f.rule for f in r.findings if f.rule == "unknown-base-license"] == ["unknown-base-license"]


def test_private_base_resolved_through_models(tmp_path):
    r = run(tmp_path, PRIVATE, {"models": {"acme-internal/base-7b": "llama2"}})
    rules = {f.rule for f in r.findings}
    assert "unknown-base-license" not in rules
    assert {"missing-license-copy", "missing-notice"} <= rules  # now the Llama 2 duties apply
    assert r.models[0].bases[0]["license"] == "llama2" and r.models[0].bases[0]["resolved_from"] == "config"
    r = run(tmp_path, PRIVATE, {"models": {"acme-internal/base-7b": "llama2"}, "policy": {"deny": ["llama*"]}})
    assert denied(r) and "acme-internal/base-7b" in denied(r)[0].message


# ---- rules / explain ---------------------------------------------------------------------------------------

def _cli(*args):
    from weightgate.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(list(args))
    return code, buf.getvalue()


def test_rules_lists_policy_denied_text_and_json():
    code, out = _cli("rules")
    assert code == 0 and any(l.startswith("policy-denied") and "error" in l for l in out.splitlines())
    code, out = _cli("rules", "--format", "json")
    data = json.loads(out)
    from weightgate import rules

    assert [r["id"] for r in data] == [m.ID for m in rules.all_rules()]
    assert all(r["severity"] in ("error", "warning") and r["summary"] for r in data)


def test_explain_shows_doc_clauses_and_waiver():
    code, out = _cli("explain", "missing-notice")
    assert code == 0
    assert "Clauses enforced:" in out and "llama2 §1.b.iii" in out and "“" in out
    assert "[[tool.weightgate.waivers]]" in out and 'rule = "missing-notice"' in out
    code, out = _cli("explain", "policy-denied")
    assert code == 0 and "deny" in out and "reason" in out


def test_explain_unknown_rule_exit_2(capsys):
    from weightgate.cli import main

    assert main(["explain", "no-such-rule"]) == 2
    err = capsys.readouterr().err
    assert "unknown rule `no-such-rule`" in err and "policy-denied" in err and "relabel-forbidden" in err


def test_every_rule_documented():
    from weightgate import rules

    for m in rules.all_rules():
        assert m.__doc__ and m.__doc__.strip().startswith(m.ID), m.ID
        assert m.SEVERITY in ("error", "warning") and m.SUMMARY
