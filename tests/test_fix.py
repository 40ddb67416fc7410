"""`weightgate fix`: each fix on realistic repositories, idempotence, --dry-run, preservation of the card's
formatting, line endings and encoding, and atomic writes."""
from __future__ import annotations

import hashlib
import io
import json
import os
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from conftest import card, check_json as _check_json, inside, rules_of, write_tree

SHARED_LICENSES = Path(__file__).resolve().parents[2] / "shared" / "licenses"
LLAMA2_NOTICE = ("Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. "
                 "All Rights Reserved.")
SHA = "0123456789abcdef0123456789abcdef01234567"


def shared_text(name: str) -> bytes:
    path = SHARED_LICENSES / f"{name}.txt"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    return path.read_bytes()


def run_fix(*args) -> tuple:
    """(exit code, stdout) of `weightgate fix ARGS`, in-process, from inside the folder it fixes (printed paths
    are relative to the current directory)."""
    from weightgate.cli import main

    buf = io.StringIO()
    folder = str(args[0]) if args and os.path.isdir(str(args[0])) else None
    with inside(folder), redirect_stdout(buf):
        code = main(["fix", *map(str, args)])
    return code, buf.getvalue()


def check_json(path, *args) -> dict:
    return _check_json(path, *map(str, args))


def snapshot(root: Path) -> dict:
    """Every file under root → (sha256, mtime_ns, mode)."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            st = p.stat()
            out[str(p.relative_to(root))] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_mode)
    return out


def hf_cache(root: Path, repo_id: str, files: dict) -> Path:
    """A Hugging Face hub cache holding one snapshot of `repo_id`."""
    entry = root / ("models--" + repo_id.replace("/", "--"))
    (entry / "refs").mkdir(parents=True)
    (entry / "refs" / "main").write_text(SHA)
    write_tree(entry / "snapshots" / SHA, files)
    return root


def llama2_cache(tmp_path: Path, repo_id: str = "meta-llama/Llama-2-7b-hf") -> Path:
    return hf_cache(tmp_path / "hf-cache", repo_id, {
        "README.md": card("license: llama2", "# Llama 2\n"),
        "LICENSE": shared_text("llama2"),
    })


# ---- the story of the issue: a Llama 2 derivative relabelled CC-BY-SA -----------------------------------------

RELABELLED = card(
    "language:\n- en\nlicense: cc-by-sa-4.0\nbase_model: meta-llama/Llama-2-7b-hf\npipeline_tag: text-generation",
    "# acme-chat-7b\n\nA chat model fine-tuned on our support conversations.\n")


def test_llama2_relabelled_cc_by_sa_ends_with_check_passing(tmp_path):
    cache = llama2_cache(tmp_path)
    repo = write_tree(tmp_path / "repo", {"README.md": RELABELLED})
    before = check_json(repo, "--hf-cache", cache)
    assert {"relabel-forbidden", "missing-license-copy", "missing-notice"} <= rules_of(before, "error")

    code, out = run_fix(repo, "--hf-cache", cache)
    assert code == 0, out
    assert "All checks pass" in out
    assert (repo / "LICENSE").read_bytes() == shared_text("llama2")
    assert (repo / "NOTICE").read_text() == LLAMA2_NOTICE + "\n"
    text = (repo / "README.md").read_text()
    assert "license: llama2\n" in text and "cc-by-sa" not in text
    assert text.index("language:") < text.index("license:") < text.index("base_model:") < text.index("pipeline_tag")

    after = check_json(repo, "--hf-cache", cache)
    assert after["exit_code"] == 0 and after["findings"] == []

    # A second run changes nothing.
    snap = snapshot(repo)
    code, out = run_fix(repo, "--hf-cache", cache)
    assert code == 0 and "Nothing to fix automatically." in out
    assert snapshot(repo) == snap


def test_dry_run_leaves_the_tree_byte_identical(tmp_path):
    cache = llama2_cache(tmp_path)
    repo = write_tree(tmp_path / "repo", {"README.md": RELABELLED, "config.json": '{"model_type": "llama"}'})
    snap = snapshot(repo)
    code, out = run_fix(repo, "--hf-cache", cache, "--dry-run")
    assert snapshot(repo) == snap
    assert sorted(os.listdir(repo)) == ["README.md", "config.json"]
    assert code == 0  # the exit code of `check` on the state the fix would reach
    assert "-license: cc-by-sa-4.0\n+license: llama2\n" in out
    assert "--- /dev/null\n+++ b/NOTICE\n" in out and "+++ b/LICENSE\n" in out
    assert "dry run: nothing written" in out


def test_dry_run_json(tmp_path):
    cache = llama2_cache(tmp_path)
    repo = write_tree(tmp_path / "repo", {"README.md": RELABELLED})
    code, out = run_fix(repo, "--hf-cache", cache, "--dry-run", "--format", "json")
    data = json.loads(out)
    assert data["dry_run"] is True and code == 0
    assert {f["path"]: f["action"] for f in data["files"]} == {"LICENSE": "create", "NOTICE": "create",
                                                               "README.md": "modify"}
    assert {f["rule"] for f in data["fixes"]} == {"relabel-forbidden", "missing-license-copy", "missing-notice"}
    assert "+license: llama2" in data["diff"] and data["remaining"] == []
    assert not (repo / "NOTICE").exists()


# ---- front matter is edited as text -----------------------------------------------------------------------------

def test_comments_quoting_and_key_order_survive(tmp_path):
    cache = llama2_cache(tmp_path)
    front = (
        "# Metadata for the Hub\n"
        "language:\n"
        "  - en    # primary\n"
        "  - ja\n"
        "licence: \"cc-by-sa-4.0\"   # TODO: ask legal\n"
        "tags: [chat, 'llama']\n"
        "base_model: 'meta-llama/Llama-2-7b-hf'\n"
        "widget:\n"
        "  - text: |\n"
        "      Hello: world # not a comment\n"
        "extra_gated_prompt: >-\n"
        "  license: mit\n"
    )
    repo = write_tree(tmp_path / "repo", {"README.md": f"---\n{front}---\n\n# Chat\n\nBody text.\n"})
    code, out = run_fix(repo, "--hf-cache", cache)
    assert code == 0, out
    expected = front.replace('licence: "cc-by-sa-4.0"   # TODO: ask legal', 'license: "llama2"   # TODO: ask legal')
    assert (repo / "README.md").read_text() == f"---\n{expected}---\n\n# Chat\n\nBody text.\n"
    assert "renamed `licence:` to `license:`" in out


def test_non_hub_license_value_is_corrected(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card("license: Apache 2.0 # as in the code\nlibrary_name: x"),
                                       "LICENSE": shared_text("apache-2.0")})
    assert "metadata-invalid" in rules_of(check_json(repo))
    code, out = run_fix(repo)
    assert code == 0, out
    assert (repo / "README.md").read_text().startswith("---\nlicense: apache-2.0 # as in the code\nlibrary_name: x\n")


def test_license_without_hub_id_becomes_other_with_name_and_link(tmp_path):
    opt = SHARED_LICENSES / "opt-175b.txt"
    if not opt.is_file():
        pytest.skip("opt-175b.txt not available")
    repo = write_tree(tmp_path / "m", {
        "README.md": card("license: apache-2.0\nbase_model: facebook/opt-2.7b\ntags:\n- generated_from_trainer"),
        "config.json": '{"_name_or_path": "facebook/opt-2.7b"}'})
    code, out = run_fix(repo, "--license-from", opt)
    assert code == 0, out
    text = (repo / "README.md").read_text()
    assert text.startswith("---\nlicense: other\nbase_model: facebook/opt-2.7b\ntags:\n- generated_from_trainer\n"
                           "license_name: opt-175b\nlicense_link: LICENSE\n---\n")
    assert (repo / "LICENSE").read_bytes() == opt.read_bytes()
    assert "OPT-175B is licensed under the OPT-175B license" in (repo / "NOTICE").read_text()


def test_several_allowed_licences_are_listed_not_chosen(tmp_path):
    cache = hf_cache(tmp_path / "hf", "acme/nc-base", {"README.md": card("license: cc-by-nc-4.0")})
    original = card("license: mit\nbase_model: acme/nc-base")
    repo = write_tree(tmp_path / "m", {"README.md": original})
    code, out = run_fix(repo, "--hf-cache", cache, "--select", "relabel-forbidden")
    assert code == 1
    assert (repo / "README.md").read_text() == original
    assert "non-commercial" in out and "`license: cc-by-nc-4.0`" in out and "the choice is yours" in out


# ---- base_model from configs ----------------------------------------------------------------------------------

def test_base_model_added_from_adapter_config(tmp_path):
    adapter = json.dumps({"base_model_name_or_path": "meta-llama/Llama-2-7b-chat-hf", "peft_type": "LORA"})
    repo = write_tree(tmp_path / "m", {"README.md": card("library_name: peft\nlicense: llama2"),
                                       "adapter_config.json": adapter})
    run_fix(repo)
    text = (repo / "README.md").read_text()
    assert text.startswith("---\nlibrary_name: peft\nlicense: llama2\nbase_model: meta-llama/Llama-2-7b-chat-hf\n"
                           "base_model_relation: adapter\n---\n")
    assert LLAMA2_NOTICE in (repo / "NOTICE").read_text()


def test_base_model_added_to_a_card_without_front_matter(tmp_path):
    adapter = json.dumps({"base_model_name_or_path": "mistralai/Mistral-7B-v0.1", "peft_type": "LORA"})
    repo = write_tree(tmp_path / "m", {"README.md": "# My adapter\n\nA LoRA.\n", "adapter_config.json": adapter})
    run_fix(repo)
    assert (repo / "README.md").read_text() == ("---\nbase_model: mistralai/Mistral-7B-v0.1\nbase_model_relation: "
                                                "adapter\n---\n# My adapter\n\nA LoRA.\n")


def test_base_model_from_config_json(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card("license: mit"),
                                       "config.json": '{"_name_or_path": "EleutherAI/pythia-2.8b"}'})
    code, out = run_fix(repo)
    assert code == 0
    assert "base_model: EleutherAI/pythia-2.8b\nbase_model_relation: finetune\n---" in (repo / "README.md").read_text()


# ---- NOTICE ---------------------------------------------------------------------------------------------------

def test_notice_is_extended_keeping_what_is_there(tmp_path):
    existing = "Copyright 2024 ACME Corp.\nThis product includes software developed at ACME."
    repo = write_tree(tmp_path / "m", {"README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"),
                                       "NOTICE": existing})
    run_fix(repo, "--select", "missing-notice")
    assert (repo / "NOTICE").read_text() == existing + "\n\n" + LLAMA2_NOTICE + "\n"
    assert "missing-notice" not in rules_of(check_json(repo))


# ---- licence copies ----------------------------------------------------------------------------------------------

def test_license_copy_beside_a_different_license(tmp_path):
    cache = llama2_cache(tmp_path)
    mit = shared_text("mit")
    repo = write_tree(tmp_path / "m", {"README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf"),
                                       "LICENSE": mit})
    run_fix(repo, "--hf-cache", cache)
    assert (repo / "LICENSE").read_bytes() == mit
    assert (repo / "LICENSE.llama2.txt").read_bytes() == shared_text("llama2")
    assert "missing-license-copy" not in rules_of(check_json(repo, "--hf-cache", cache))


def test_license_from_only_uses_a_text_the_knowledge_base_identifies(tmp_path):
    texts = write_tree(tmp_path / "texts", {"apache.txt": shared_text("apache-2.0"),
                                            "notes.txt": "Llama 2 is great. LLAMA 2 COMMUNITY LICENSE AGREEMENT",
                                            "llama/Llama2-LICENSE.txt": shared_text("llama2")})
    repo = write_tree(tmp_path / "m", {"README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf")})
    code, out = run_fix(repo, "--license-from", texts)
    assert code == 0, out
    assert (repo / "LICENSE").read_bytes() == shared_text("llama2")


def test_no_local_licence_text_says_where_to_get_it(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf")})
    code, out = run_fix(repo, "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert not (repo / "LICENSE").exists()
    [left] = [f for f in data["remaining"] if f["rule"] == "missing-license-copy"]
    assert "https://ai.meta.com/llama/license/" in left["not_fixed"] and "never downloads" in left["not_fixed"]


# ---- the card body -------------------------------------------------------------------------------------------

def test_attribution_phrase_goes_into_the_license_section(tmp_path):
    body = ("# Llama-3.1-acme\n\nIntro.\n\n## License\n\nSee the LICENSE file.\n\n## Training\n\nDetails.\n")
    repo = write_tree(tmp_path / "m", {"README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B",
                                                         body)})
    run_fix(repo, "--select", "missing-attribution-phrase")
    text = (repo / "README.md").read_text()
    assert "## License\n\nSee the LICENSE file.\n\nBuilt with Llama\n\n## Training\n\nDetails.\n" in text
    assert "missing-attribution-phrase" not in rules_of(check_json(repo))


def test_license_section_is_created_at_the_end(tmp_path):
    body = "# Llama-3.1-acme\n\nIntro without a trailing newline."
    repo = write_tree(tmp_path / "m", {"README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B",
                                                         body)})
    run_fix(repo, "--select", "missing-attribution-phrase")
    assert (repo / "README.md").read_text().endswith(
        "Intro without a trailing newline.\n\n## License\n\nBuilt with Llama\n")


def test_use_restrictions_statement_for_openrail_base(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card(
        "license: mit\nbase_model: runwayml/stable-diffusion-v1-5\ntags:\n- lora",
        "# sks dog LoRA\n\nLoRA weights.\n")})
    assert "missing-use-restrictions" in rules_of(check_json(repo))
    run_fix(repo, "--select", "missing-use-restrictions")
    text = (repo / "README.md").read_text()
    assert "## License\n\nUse of this model is subject to the use restrictions of the [CreativeML Open RAIL-M](" in text
    assert "license: mit\n" in text  # the label is the owner's choice: several are allowed
    assert "missing-use-restrictions" not in rules_of(check_json(repo))


# ---- not fixable automatically ------------------------------------------------------------------------------

def test_naming_rule_and_prose_are_left_with_reasons(tmp_path):
    body = ("# SuperChat-8B\n\nSuperChat-8B is an open source model.\n\n## License\n\n"
            "This model is released under the MIT license.\n")
    repo = write_tree(tmp_path / "m", {"README.md": card("license: mit\nbase_model: meta-llama/Meta-Llama-3-8B", body)})
    code, out = run_fix(repo, "--format", "json")
    data = json.loads(out)
    reasons = {(f["rule"], f["line"]): f["not_fixed"] for f in data["remaining"]}
    assert code == 1
    naming = [r for (rule, _l), r in reasons.items() if rule == "naming-rule"]
    assert naming and "owner's decision" in naming[0]
    prose_line = 1 + card("license: mit\nbase_model: meta-llama/Meta-Llama-3-8B", body).splitlines().index(
        "This model is released under the MIT license.")
    assert "does not rewrite sentences" in reasons[("relabel-forbidden", prose_line)]
    assert "This model is released under the MIT license." in (repo / "README.md").read_text()
    assert "license: llama3\n" in (repo / "README.md").read_text()


def test_unknown_base_license_is_explained(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card("license: mit\nbase_model: someone/private-llama-model")})
    code, out = run_fix(repo)
    assert code == 1 and "unknown-base-license" in out and "does not guess" in out
    assert (repo / "README.md").read_text() == card("license: mit\nbase_model: someone/private-llama-model")


def test_select_limits_the_fixes(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card("license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf")})
    run_fix(repo, "--select", "missing-notice")
    assert (repo / "NOTICE").is_file()
    assert "license: apache-2.0" in (repo / "README.md").read_text()


# ---- line endings, encoding, modes, atomic writes ------------------------------------------------------------

def test_crlf_card_stays_crlf_and_keeps_its_bom(tmp_path):
    text = ("---\r\nlicense: Apache 2.0\r\nbase_model: meta-llama/Llama-3.1-8B\r\n---\r\n"
            "# Llama-3.1-acme\r\n\r\n## License\r\n\r\nSee below.\r\n")
    repo = write_tree(tmp_path / "m", {"README.md": b"\xef\xbb\xbf" + text.encode()})
    run_fix(repo)
    data = (repo / "README.md").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\nlicense: llama3.1\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.endswith(b"## License\r\n\r\nSee below.\r\n\r\nBuilt with Llama\r\n")


def test_file_mode_is_preserved(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card("licence: mit")})
    os.chmod(repo / "README.md", 0o640)
    run_fix(repo)
    assert (repo / "README.md").read_text().startswith("---\nlicense: mit\n")
    assert (repo / "README.md").stat().st_mode & 0o777 == 0o640


def test_an_interrupted_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    from weightgate.fix import edits

    original = card("licence: mit")
    repo = write_tree(tmp_path / "m", {"README.md": original})

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(edits.os, "replace", fail)
    code, _out = run_fix(repo)
    monkeypatch.undo()
    assert code == 2
    assert (repo / "README.md").read_text() == original
    assert sorted(os.listdir(repo)) == ["README.md"]  # no temporary file left behind


def test_a_file_changed_after_planning_is_not_overwritten(tmp_path):
    from weightgate.fix.edits import Edit, WriteError, write_atomic

    p = tmp_path / "README.md"
    p.write_text("new content")
    with pytest.raises(WriteError):
        write_atomic(Edit(str(p), b"old content", b"fixed content"))
    assert p.read_text() == "new content"


def test_local_base_notice_lines_are_kept_and_a_clashing_copy_is_not_added(tmp_path):
    """Apache §4(d): the base's NOTICE lines travel. The Apache text is not dropped next to an MIT card, where
    it would be read as a contradicting licence file; the reason says so."""
    repo = write_tree(tmp_path / "repo", {
        ".git/HEAD": "ref: refs/heads/main\n",
        "base/README.md": card("license: apache-2.0"), "base/LICENSE": shared_text("apache-2.0"),
        "base/NOTICE": "Acme Base\nCopyright 2023 Acme Inc.\n",
        "ft/README.md": card("license: mit\nbase_model: acme/base")})
    code, out = run_fix(repo, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (repo / "ft" / "NOTICE").read_text() == "Acme Base\nCopyright 2023 Acme Inc.\n"
    assert not (repo / "ft" / "LICENSE").exists()
    [left] = data["remaining"]
    assert left["rule"] == "missing-license-copy" and "license-mismatch" in left["not_fixed"]
    assert "base/LICENSE" in left["not_fixed"]


@pytest.mark.parametrize("example", ["dolly-v2-pythia-mit", "llama2-relabelled-cc-by-sa", "llama3-naming-attribution",
                                     "opt-finetune-apache", "peft-adapter-config-only", "sd15-lora-mit"])
def test_examples_second_run_changes_nothing(tmp_path, example):
    import shutil

    from conftest import EXAMPLES

    repo = tmp_path / example
    shutil.copytree(EXAMPLES / example, repo)
    snap = snapshot(repo)
    run_fix(repo, "--dry-run")
    assert snapshot(repo) == snap
    code, _ = run_fix(repo)
    assert code == check_json(repo)["exit_code"]
    snap = snapshot(repo)
    code, out = run_fix(repo)
    assert "Nothing to fix automatically." in out
    assert snapshot(repo) == snap


def test_other_without_name_and_link_is_completed(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card("license: other\nbase_model: facebook/opt-2.7b")})
    run_fix(repo, "--select", "metadata-invalid")
    text = (repo / "README.md").read_text()
    assert text.startswith("---\nlicense: other\nbase_model: facebook/opt-2.7b\nlicense_name: opt-175b\n"
                           "license_link: https://github.com/facebookresearch/metaseq/blob/main/projects/OPT/"
                           "MODEL_LICENSE.md\n---\n")
    assert "metadata-invalid" not in rules_of(check_json(repo))


def test_misspelt_base_model_key_and_relation_value(tmp_path):
    repo = write_tree(tmp_path / "m", {"README.md": card(
        "license: apache-2.0\nbase-model: mistralai/Mistral-7B-v0.1  # the base\nbase_model_relation: fine-tune")})
    code, out = run_fix(repo)
    assert code == 0, out
    assert (repo / "README.md").read_text().startswith(
        "---\nlicense: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1  # the base\nbase_model_relation: finetune\n")
