"""`weightgate lineage` and `check --show-lineage`: the tree of bases from the same engine run as `check`."""
from __future__ import annotations

import json

from conftest import EXAMPLES, card, write_tree


def cli(*args):
    import io
    from contextlib import redirect_stdout

    from weightgate.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(list(args))
    return code, buf.getvalue()


def chain_repo(tmp_path):
    """A LoRA on a local fine-tune whose card names Llama 2: model → local base → registry base."""
    (tmp_path / ".git").mkdir()  # the repository's top: the local base is inside it
    return write_tree(tmp_path, {
        "lora/README.md": card("license: llama2\nbase_model: ../ft"),
        "ft/README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"),
    })


def test_lineage_tree_shows_licence_reference_and_source(tmp_path):
    code, out = cli("lineage", str(chain_repo(tmp_path) / "lora"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(".  declares llama2 (README.md:2)")
    assert lines[1].startswith("└── ../ft  llama2")
    assert "named at README.md:3 (card:base_model)" in lines[2] and "licence from a local folder" in lines[3]


def test_lineage_nests_ancestors(tmp_path):
    chain_repo(tmp_path)
    code, out = cli("lineage", str(tmp_path), "--format", "json")
    data = json.loads(out)
    lora = next(m for m in data["models"] if m["root"] == "lora")
    (ft,) = lora["bases"]
    assert (ft["id"], ft["resolved_from"]) == ("../ft", "local")
    (llama,) = ft["bases"]
    assert (llama["id"], llama["license"], llama["resolved_from"]) == ("meta-llama/Llama-2-7b-hf", "llama2", "registry")
    assert llama["evidence"] == [{"path": "ft/README.md", "line": 3, "origin": "card:base_model"}]
    assert "Llama 2" in llama["note"] and llama["bases"] == []


def test_lineage_works_on_the_shipped_examples():
    code, out = cli("lineage", str(EXAMPLES))
    assert code == 0
    for root in ("dolly-v2-pythia-mit", "llama2-relabelled-cc-by-sa", "peft-adapter-config-only", "sd15-lora-mit"):
        assert f"\n{root}  declares" in "\n" + out
    assert "meta-llama/Llama-2-7b-chat-hf  llama2  (adapter)" in out
    assert "named at peft-adapter-config-only/adapter_config.json:4" in out


def test_lineage_shows_disagreements(tmp_path):
    write_tree(tmp_path, {"m/README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"),
                          "Llama-2-7b-hf/README.md": card("license: apache-2.0")})
    code, out = cli("lineage", str(tmp_path))
    assert "disagrees: local folder Llama-2-7b-hf (Llama-2-7b-hf/README.md:2) says apache-2.0" in out


def test_check_show_lineage_prints_the_tree_above_the_findings(tmp_path):
    chain_repo(tmp_path)
    code, out = cli("check", str(tmp_path / "lora"), "--show-lineage")
    assert code == 1 and out.index("└── ../ft  llama2") < out.index("error [")
    code, plain = cli("check", str(tmp_path / "lora"))
    assert "└──" not in plain and plain in out
