"""A check imports and runs only the rules whose gate is open on a model (issue 16), and the gates drop nothing.

A gate is a necessary condition for any finding of its rules. These tests run the corpus (examples/, the fail-closed
rows, the compliant repos) with and without gates and compare every model's findings; for each gate, a model that
lacks the gate's facts but has their neighbours gets nothing from the gated rules even when they run. The rest of
the suite runs with WEIGHTGATE_RULE_GATES=verify (conftest.py), which fails any check where a gated-out rule would
have found something.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES, LLAMA2_NOTICE, card, check_json, licence_text, write_tree

L2 = "meta-llama/Llama-2-7b-hf"


def models_of(root):
    """Every model folder under `root`, as the rules see it (through the real engine)."""
    from weightgate import api, engine

    out = []
    engine.run(engine.targets_for_paths([str(root)]), api.resolve_config(None, str(root)),
               on_model=lambda _t, _summary, model, _own: out.append(model))
    return out


def gate_open(model, gate: str, rule_id: str) -> bool:
    from weightgate import rules

    return rules.GATES[gate][1](model, rules._kinds(model), rule_id)


# ---- the registry --------------------------------------------------------------------------------------------

def test_every_rule_module_is_registered_with_its_id_and_a_known_gate():
    from weightgate import rules

    on_disk = sorted(n[:-3] for n in os.listdir(os.path.dirname(rules.__file__))
                     if n.endswith(".py") and not n.startswith("_"))
    assert sorted(name for name, _id, _gate in rules.REGISTRY) == on_disk
    assert len(set(rules.IDS)) == len(rules.IDS)
    for name, rule_id, gate in rules.REGISTRY:
        assert rules._module(name).ID == rule_id, name
        assert gate in rules.GATES, (rule_id, gate)
    assert [m.ID for m in rules.all_rules()] == list(rules.IDS)
    assert rules.get("naming-rule").ID == "naming-rule" and rules.get("no-such-rule") is None


def _imported_rules(code: str, *args: str):
    """The rule modules a fresh process imported after running `code` (gates on: the suite's mode unset)."""
    env = {k: v for k, v in os.environ.items() if k != "WEIGHTGATE_RULE_GATES"}
    code += "\nimport sys; print(' '.join(sorted(m for m in sys.modules if m.startswith('weightgate.rules'))))"
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env)
    return set(r.stdout.split())


def test_rule_filter_imports_no_rule():
    code = ("from weightgate import cli\n"
            "for s, i in ((None, None), ('naming-rule,missing-notice', 'pickle-checkpoint')):\n"
            "    keep = cli._rule_filter(cli._parser('check').parse_args(['check'] + (['--select', s, '--ignore', i] if s"
            " else [])))\n")
    assert _imported_rules(code) <= {"weightgate.rules"}


def test_rule_filter_still_rejects_an_unknown_id():
    from weightgate.cli import main

    assert main(["check", "--select", "naming-rules", str(EXAMPLES / "sd15-lora-mit")]) == 2


def test_a_plain_apache_model_imports_only_the_rules_it_can_fire(tmp_path):
    write_tree(tmp_path, {"README.md": card("license: apache-2.0\nlibrary_name: transformers"),
                          "LICENSE": licence_text("apache-2.0"), "config.json": '{"model_type": "llama"}'})
    code = ("import sys, io, contextlib; from weightgate.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['check', sys.argv[1]])\n")
    imported = _imported_rules(code, str(tmp_path))
    assert imported <= {"weightgate.rules", "weightgate.rules._problems", "weightgate.rules.metadata_invalid"}
    # An Apache-2.0 fine-tune as TRL writes it: a copy is owed, but no notice, phrase, name or use restrictions.
    write_tree(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1\n"
                                            "datasets:\n- HuggingFaceH4/ultrafeedback_binarized",
                                            "# bench-7b-sft\n\nA fine-tuned version of Mistral-7B-v0.1.\n")})
    imported = _imported_rules(code, str(tmp_path))
    assert "weightgate.rules.missing_license_copy" in imported
    assert not imported & {f"weightgate.rules.{m}" for m in ("missing_notice", "missing_attribution_phrase",
                                                             "naming_rule", "missing_use_restrictions")}


# ---- the corpus, both ways -----------------------------------------------------------------------------------

def _corpus():
    from test_compliant_repos import REPOS
    from test_fail_closed import CASES

    rows = [(f"examples/{p.name}", None) for p in sorted(EXAMPLES.iterdir()) if p.is_dir()]
    rows += [(f"fail-closed/{c.name}", c.build) for c in CASES]
    rows += [(f"compliant/{name}", build) for name, build in sorted(REPOS.items())]
    return rows + [(f"shut/{gates}", build) for gates, build in SHUT] + [(f"open/{name}", b) for name, b in OPEN]


def test_the_corpus_finds_the_same_with_and_without_gates_and_shuts_every_gate(tmp_path):
    """Every model's findings, in order, are the same gated and ungated; and each gate was shut on some model of
    the corpus and open on another, so the comparison tested it both ways."""
    from weightgate import rules

    seen = {gate: [0, 0] for _name, _id, gate in rules.REGISTRY}  # gate → [models shut, models open]
    for i, (name, build) in enumerate(_corpus()):
        root = EXAMPLES / name.split("/", 1)[1] if build is None else write_tree(tmp_path / str(i), build())
        for model in models_of(root):  # none for the rows that hold no model (a docs page with front matter)
            assert rules.run(model, "on") == rules.run(model, "off"), (name, model.root)
            for _name, rule_id, gate in rules.REGISTRY:
                seen[gate][gate_open(model, gate, rule_id)] += 1
    assert [(gate, shut, opened) for gate, (shut, opened) in seen.items()
            if not opened or not (shut or gate == "always")] == []


def test_the_environment_switch_runs_every_rule_with_the_same_report(monkeypatch):
    reports = {}
    for mode in ("on", "off", "verify", "typo"):
        monkeypatch.setenv("WEIGHTGATE_RULE_GATES", mode)
        reports[mode] = json.dumps(check_json(EXAMPLES), sort_keys=True)
    assert reports["on"] == reports["off"] == reports["verify"] == reports["typo"]


def test_verify_mode_reports_a_gate_that_drops_a_finding(monkeypatch):
    from weightgate import rules

    (model,) = models_of(EXAMPLES / "llama3-naming-attribution")
    monkeypatch.setitem(rules.GATES, "duty:license-copy", ("never", lambda model, kinds, rule_id: False))
    assert "missing-license-copy" not in {f.rule for f in rules.run(model, "on")}
    with pytest.raises(RuntimeError, match="gate .duty:license-copy. of missing-license-copy is false"):
        rules.run(model, "verify")


# ---- each gate shut, with the neighbouring facts present -------------------------------------------------------

def _llama2_files():
    return {"LICENSE": licence_text("llama2"), "NOTICE": LLAMA2_NOTICE + "\n"}


SHUT = [  # (the gates the row shuts, the repository)
    # An unknown base: nothing is inherited, whatever the Llama 2 text beside it and the "open source" claim say.
    ("inherited", lambda: {"README.md": card("license: mit\nbase_model: acme/chat-7b", "# Chat\n\nAn open source model.\n"),
                           **_llama2_files()}),
    # A Llama 2 agreement only in the LICENSE file, and Llama words in the card: the card declares Apache-2.0, so
    # nothing is owed.
    ("duty:license-copy notice duty:attribution duty:naming duty:use-restrictions", lambda: {
        "README.md": card("license: apache-2.0", "# Chat\n\nBuilt with Llama. Llama 2 7B chat.\n"), **_llama2_files()}),
    # An Apache-2.0 base (a copy owed, no notice text) with its licence, the Llama 2 notice words in the card.
    ("notice duty:attribution duty:naming unresolved-base", lambda: {
        "README.md": card("license: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1", f"# M\n\n{LLAMA2_NOTICE}\n"),
        "LICENSE": licence_text("apache-2.0")}),
    # Llama 2 owes a copy and a notice, but no "Built with" phrase, no name and no use restrictions of its own (its
    # use policy arrives through the agreement); the registry and the card agree on the base.
    ("duty:attribution duty:naming duty:use-restrictions disagreements", lambda: {
        "README.md": card(f"license: llama2\nbase_model: {L2}", "# Chat\n\nA chat model.\n"), **_llama2_files()}),
    # One licence said three ways, no base.
    ("two-licences-or-inherited", lambda: {
        "README.md": card("license: apache-2.0", "# M\n\nLicensed under the Apache License 2.0.\n"),
        "LICENSE": licence_text("apache-2.0"), "config.json": '{"model_type": "llama"}'}),
    # No base named anywhere, and a config without `_name_or_path`.
    ("base-names", lambda: {"README.md": card("license: mit", "# Chat\n\nA small chat model.\n"),
                            "config.json": '{"architectures": ["LlamaForCausalLM"]}'}),
    # A Llama 2 derivative that says "open weights", never "open source".
    ("open-source-claim", lambda: {"README.md": card(f"license: llama2\nbase_model: {L2}",
                                                     "# Chat\n\nOpen weights, free to download.\n"),
                                   **_llama2_files()}),
    # Benchmarks named in the card are not training data.
    ("datasets", lambda: {"README.md": card("license: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1",
                                            "# M\n\nEvaluated on MMLU and GSM8K.\n")}),
    ("generators", lambda: {"README.md": card("license: apache-2.0\ndatasets:\n- tatsu-lab/alpaca_farm",
                                              "# M\n\nA fine-tune.\n")}),
    # A pickle is a problem for pickle-checkpoint only.
    ("problems", lambda: {"README.md": card("license: apache-2.0"), "pytorch_model.bin": b"\x80\x02}q\x00."}),
    # A policy table with nothing in it is no policy.
    ("policy", lambda: {"README.md": card(f"license: llama2\nbase_model: {L2}"), **_llama2_files(),
                        ".weightgate.toml": "[policy]\ndeny = []\nallow = []\n"}),
]


# Rows that open the gates the borrowed corpus leaves shut.
OPEN = [
    ("prose-disagreement", lambda: {"README.md": card("license: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1",
                                                      "# x\n\nThis model is fine-tuned from meta-llama/Llama-2-7b-hf.\n")}),
    ("local-copy-disagreement", lambda: {"m/README.md": card("license: apache-2.0\nbase_model: acme/base-7b"),
                                         "base-7b/README.md": card("license: llama2", "# base\n"),
                                         ".weightgate.toml": '[models]\n"acme/base-7b" = "apache-2.0"\n'}),
    ("policy-deny", lambda: {"README.md": card(f"license: llama2\nbase_model: {L2}"), **_llama2_files(),
                             ".weightgate.toml": '[policy]\ndeny = ["llama*"]\n'}),
    # No base, but the card declares a licence that owes duties by itself.
    ("declared-llama3.1-no-base", lambda: {"README.md": card("license: llama3.1", "# SuperChat\n\nA chat model.\n")}),
    ("policy-allow", lambda: {"README.md": card("license: mit"), ".weightgate.toml": '[policy]\nallow = ["mit"]\n'}),
]


@pytest.mark.parametrize("gates,build", SHUT, ids=[g for g, _ in SHUT])
def test_a_shut_gate_hides_nothing_its_rules_would_find(gates, build, tmp_path):
    from weightgate import rules

    write_tree(tmp_path, build())
    (model,) = models_of(tmp_path)
    for gate in gates.split():
        guarded = [rule_id for _name, rule_id, g in rules.REGISTRY if g == gate and rule_id != "pickle-checkpoint"]
        assert guarded and not any(gate_open(model, gate, rule_id) for rule_id in guarded), gate
    for name, rule_id, g in rules.REGISTRY:  # every shut gate on this model, not only the row's
        if not gate_open(model, g, rule_id):
            assert list(rules._module(name).check(model)) == [], rule_id
