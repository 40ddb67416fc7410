"""The gate fails closed (issue 11): a fact that is present but unusable is a finding, never silence.

Each row relabels a Llama 2 (or other restricted) derivative the way a hurried user might, or hides the
licence where a careless reader would not look; every one must exit 1 with the finding named in the row.
The `ok-*` rows are the compliant neighbours of those variants and must exit 0. docs/bad-inputs.md lists the
same rows in the same order (`test_doc_table_matches`).
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, NamedTuple, Optional, Tuple

import pytest

from conftest import LLAMA2_NOTICE, REPO, card, check_json, licence_text, write_tree
from conftest_checkpoints import T_STR, T_U32, gguf_bytes

L2 = "meta-llama/Llama-2-7b-hf"
MISTRAL = "mistralai/Mistral-7B-v0.1"
DOC = REPO / "docs" / "bad-inputs.md"


def gguf(**kv) -> bytes:
    return gguf_bytes([(k.replace("__", "."), T_STR if isinstance(v, str) else T_U32, v) for k, v in kv.items()])


def llama2_ok(front: str = f"license: llama2\nbase_model: {L2}", body: str = "# Chat\n\nA fine-tune.\n") -> dict:
    """A compliant Llama 2 fine-tune; rows change one file."""
    return {"README.md": card(front, body), "LICENSE": licence_text("llama2"), "NOTICE": LLAMA2_NOTICE}


def with_(base: Callable[[], dict], **changes) -> Callable[[], dict]:
    def build() -> dict:
        files = base()
        for k, v in changes.items():
            key = k.replace("__", "/").replace("_DOT_", ".")
            if v is None:
                files.pop(key, None)
            else:
                files[key] = v() if callable(v) else v
        return files
    return build


def partial_llama2(keep: float) -> Callable[[], str]:
    def text() -> str:
        lines = licence_text("llama2").splitlines()
        return "\n".join(lines[: int(len(lines) * keep)])
    return text


def no_middle_llama2() -> str:
    lines = licence_text("llama2").splitlines()
    return "\n".join(lines[:70] + lines[90:])


def apache() -> str:
    return licence_text("apache-2.0")


class Case(NamedTuple):
    name: str
    build: Callable[[], Dict[str, object]]
    exit: int
    finding: Optional[Tuple[str, str]] = None  # (rule, path) that must be among the findings


B = f"base_model: {L2}"


def prose_relabel(name: str, body: str) -> Case:
    """A Llama 2 fine-tune whose card body states another licence: read as a claim, so relabel-forbidden."""
    return Case(name, lambda: llama2_ok(B, body), 1, ("relabel-forbidden", "README.md"))


CASES = [
    # --- class 2: cards that do not decode ---
    Case("cp1252-apostrophe", lambda: {"README.md": f"---\nlicense: mit\n{B}\n---\n# It\x92s ours\n".encode("latin-1"),
                                      "config.json": "{}"}, 1, ("relabel-forbidden", "README.md")),
    Case("latin1-card-only", lambda: {"README.md": f"---\nlicense: mit\n{B}\n---\n# Mod\xe8le\n".encode("latin-1")},
         1, ("metadata-invalid", "README.md")),
    Case("nul-in-card", lambda: {"README.md": f"---\nlicense: apache-2.0\n{B}\n---\n# x\x00y\n".encode()}, 1,
         ("relabel-forbidden", "README.md")),
    Case("latin1-in-front-matter", lambda: {"README.md": f"---\nlicense: mit\n{B}\nauthor: Jos\xe9\n---\n# x\n"
                                            .encode("latin-1"), "config.json": "{}"}, 1,
         ("relabel-forbidden", "README.md")),
    Case("utf16-without-bom", lambda: {"README.md": f"---\nlicense: mit\n{B}\n---\n# x\n".encode("utf-16-le")}, 1,
         ("metadata-invalid", "README.md")),
    # --- class 5: a licence copy is the whole licence ---
    Case("llama2-license-first-40-percent", with_(llama2_ok, LICENSE=partial_llama2(0.4)), 1,
         ("missing-license-copy", "LICENSE")),
    Case("llama2-license-two-lines", with_(llama2_ok, LICENSE="LLAMA 2 COMMUNITY LICENSE AGREEMENT\n"
                                           "Llama 2 Version Release Date: July 18, 2023\n"), 1,
         ("missing-license-copy", "LICENSE")),
    Case("llama2-license-middle-cut", with_(llama2_ok, LICENSE=no_middle_llama2), 1,
         ("missing-license-copy", "LICENSE")),
    Case("llama2-license-in-linked-stub", with_(llama2_ok, LICENSE=None,
                                                **{"Llama2-License_DOT_txt": partial_llama2(0.5)}), 1,
         ("missing-license-copy", "Llama2-License.txt")),
    Case("ok-llama2-license-whole", llama2_ok, 0),
    Case("ok-apache-without-appendix", lambda: {"README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL}"),
                                                "config.json": "{}", "LICENSE": apache().split("APPENDIX:")[0]}, 0),
    # --- class 6: licence statements in card prose ---
    prose_relabel("license-heading-bare-name", "# Chat\n\n## License\n\nMIT\n"),
    prose_relabel("licence-heading-bold-name", "# Chat\n\n## Licence\n\n**Apache-2.0**\n"),
    prose_relabel("bold-license-line-then-name", "# Chat\n\n**License**\n\nApache 2.0\n"),
    prose_relabel("license-heading-with-value", "# Chat\n\n## License: MIT\n"),
    prose_relabel("table-license-column", "# Chat\n\n| Model | Size | License |\n|---|---|---|\n"
                                          "| Chat | 7B | Apache 2.0 |\n"),
    prose_relabel("table-license-row", "# Chat\n\n| | |\n|---|---|\n| License | MIT |\n"),
    prose_relabel("licence-link-by-title", "# Chat [MIT](https://opensource.org/licenses/MIT)\n"),
    prose_relabel("cc-link-under-title", "# Chat\n[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)\n"),
    prose_relabel("title-is-the-subject", "# Chat-7B\n\nChat-7B is released under the MIT license.\n"),
    prose_relabel("quant-files-table", "# Chat\n\n| File | Bits | License |\n|---|---|---|\n"
                                       "| chat.Q4_K_M.gguf | 4 | Apache 2.0 |\n| chat.Q8_0.gguf | 8 | Apache 2.0 |\n"),
    prose_relabel("licence-link-by-name-in-body", "# Chat-7B\n\nIntro.\n\nMore.\n\nMore.\n\n"
                                                  "**Chat-7B** · [MIT](https://opensource.org/licenses/MIT)\n"),
    prose_relabel("shields-query-badge", "# Chat\n\n![l](https://img.shields.io/static/v1?label=license&"
                                         "message=Apache%202.0&color=blue)\n"),
    prose_relabel("html-license-line", "# Chat\n\n<b>License:</b> Apache 2.0\n"),
    prose_relabel("html-license-heading", "# Chat\n\n<h2>License</h2>\n\n<p>MIT</p>\n"),
    prose_relabel("emoji-licence-heading", "# Chat\n\n### ⚖️ License\n\nMIT\n"),
    prose_relabel("chinese-licence-heading", "# Chat\n\n## 许可证\n\nApache 2.0\n"),
    prose_relabel("german-licence-heading", "# Chat\n\n## Lizenz\n\nMIT\n"),
    prose_relabel("license-dash-value", "# Chat\n\n**License** — MIT\n"),
    prose_relabel("unlike-other-models-this-one", "# Chat\n\nUnlike other Llama fine-tunes, this model is "
                                                  "released under the MIT license.\n"),
    Case("ok-license-heading-llama2", lambda: llama2_ok(body="# Chat\n\n## License\n\nLlama 2 Community License\n"), 0),
    Case("ok-code-and-data-licences", lambda: llama2_ok(body="# Chat\n\n## License\n\nThe training code is MIT.\n\n"
                                                             "| Dataset | License |\n|---|---|\n| alpaca | CC BY-NC 4.0 |\n\n"
                                                             "Trained on data under [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/).\n"), 0),
    Case("ok-comparison-table", lambda: llama2_ok(body="# Chat\n\n| Model | License |\n|---|---|\n"
                                                      "| Mistral-7B | Apache 2.0 |\n| Falcon-7B | Apache 2.0 |\n"), 0),
    # --- class 7: ambiguous metadata ---
    Case("ok-thanks-and-others", lambda: llama2_ok(body="# Chat\n\nWe thank the authors of Mistral, which is released "
                                                       "under Apache 2.0.\n\n## License\n\nOther models we compared against "
                                                       "are released under the Apache 2.0 license. The training code, "
                                                       "written in PyTorch, is released under MIT.\n"), 0),
    Case("ok-chinese-code-licence", lambda: llama2_ok(body="# Chat\n\n## 协议\n\n本仓库的代码依照 Apache-2.0 协议开源，"
                                                          "模型的权重的使用则需要遵循 Model License。\n"), 0),
    Case("duplicate-license-key", lambda: llama2_ok(f"license: llama2\n{B}\nlicense: mit"), 1,
         ("metadata-invalid", "README.md")),
    Case("duplicate-base-key-hides-llama", lambda: {"README.md": card(f"license: apache-2.0\n{B}\nbase_model: {MISTRAL}"),
                                                    "LICENSE": apache(), "config.json": "{}"}, 1,
         ("relabel-forbidden", "README.md")),
    Case("capitalised-keys-card-only", lambda: {"README.md": card(f"License: mit\nBase_model: {L2}")}, 1,
         ("relabel-forbidden", "README.md")),
    Case("upper-case-license-key", lambda: llama2_ok(f"LICENSE: apache-2.0\n{B}"), 1, ("relabel-forbidden", "README.md")),
    Case("base-model-with-space", lambda: {"README.md": card(f"license: mit\nbase model: {L2}"), "config.json": "{}"}, 1,
         ("relabel-forbidden", "README.md")),
    Case("cyrillic-letter-in-key", lambda: {"README.md": card(f"l\u0456cense: mit\n{B}")}, 1,
         ("relabel-forbidden", "README.md")),
    Case("zero-width-space-in-key", lambda: llama2_ok(f"license: llama2\n{B}\nlicen\u200bse: mit"), 1,
         ("relabel-forbidden", "README.md")),
    Case("undecodable-byte-in-key", lambda: {"README.md": f"---\nlicen\x92se: mit\n{B}\n---\n# x\n".encode("latin-1"),
                                             "config.json": "{}"}, 1, ("relabel-forbidden", "README.md")),
    Case("misspelt-lisence", lambda: {"README.md": card(f"lisence: apache-2.0\n{B}"), "config.json": "{}"}, 1,
         ("relabel-forbidden", "README.md")),
    # --- class 8: GGUF lineage without a repo URL ---
    Case("gguf-base-name-and-org", lambda: {"m.Q4_K_M.gguf": gguf(general__license="apache-2.0", general__base_model__count=1,
                                                               general__base_model__0__name="Llama 2 7b Hf",
                                                               general__base_model__0__organization="Meta Llama"),
                                          "LICENSE": apache()}, 1, ("relabel-forbidden", "m.Q4_K_M.gguf")),
    Case("gguf-base-name-only", lambda: {"m.gguf": gguf(general__license="mit", general__base_model__count=1,
                                                        general__base_model__0__name="Llama 3.2 1B Instruct"),
                                         "LICENSE": licence_text("mit")}, 1, ("relabel-forbidden", "m.gguf")),
    Case("gguf-base-name-unknown", lambda: {"m.gguf": gguf(general__license="mit", general__base_model__count=1,
                                                           general__base_model__0__name="Secret Base 7B"),
                                            "LICENSE": licence_text("mit")}, 1, ("unknown-base-license", "m.gguf")),
    Case("gguf-base-count-zero", lambda: {"m.gguf": gguf(general__license="apache-2.0", general__base_model__count=0,
                                                         general__base_model__0__repo_url=f"https://huggingface.co/{L2}"),
                                          "LICENSE": apache()}, 1, ("relabel-forbidden", "m.gguf")),
    Case("gguf-named-like-llama", lambda: {"m.gguf": gguf(general__license="mit", general__name="Llama 3.2 1B Instruct"),
                                           "LICENSE": licence_text("mit")}, 1, ("base-conflict", "m.gguf")),
    Case("gguf-named-like-llama-nothing-declared", lambda: {"m.gguf": gguf(general__name="Llama 3.2 1B Instruct")}, 1,
         ("base-conflict", "m.gguf")),
    Case("gguf-basename-size-finetune", lambda: {"m.gguf": gguf(general__license="apache-2.0",
                                                                general__basename="Llama-3.2", general__size_label="1B",
                                                                general__finetune="Instruct"),
                                                 "LICENSE": apache()}, 1, ("base-conflict", "m.gguf")),
    Case("ok-gguf-own-name", lambda: {"m.gguf": gguf(general__license="apache-2.0", general__name="Tiny Story Model"),
                                      "LICENSE": apache()}, 0),
    # --- class 9: contradictions inside one model folder ---
    Case("config-names-other-base", lambda: {"README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL}"),
                                             "LICENSE": apache(), "config.json": json.dumps({"_name_or_path": L2})}, 1,
         ("base-conflict", "config.json")),
    Case("checkpoint-config-names-other-base", lambda: {
        "README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL}"), "LICENSE": apache(), "config.json": "{}",
        "checkpoint-500/config.json": json.dumps({"_name_or_path": L2})}, 1,
         ("base-conflict", "checkpoint-500/config.json")),
    Case("checkpoint-adapter-names-other-base", lambda: {
        "README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL}"), "LICENSE": apache(),
        "checkpoint-1000/adapter_config.json": json.dumps({"base_model_name_or_path": L2, "peft_type": "LORA"})}, 1,
         ("base-conflict", "checkpoint-1000/adapter_config.json")),
    Case("checkpoint-with-peft-card-names-other-base", lambda: {
        "README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL}"), "LICENSE": apache(),
        "adapter_config.json": json.dumps({"base_model_name_or_path": MISTRAL, "peft_type": "LORA"}),
        "checkpoint-500/README.md": card(f"{B}\nlibrary_name: peft", "# Model Card for Model ID\n"),
        "checkpoint-500/adapter_config.json": json.dumps({"base_model_name_or_path": L2, "peft_type": "LORA"})}, 1,
         ("base-conflict", "checkpoint-500/adapter_config.json")),
    Case("mergekit-config-names-other-base", lambda: {
        "README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL}"), "LICENSE": apache(),
        "mergekit_config.yml": f"merge_method: slerp\nbase_model: {MISTRAL}\nmodels:\n  - model: {MISTRAL}\n  - model: {L2}\n"}, 1,
         ("base-conflict", "mergekit_config.yml")),
    Case("ok-config-same-family", lambda: {"README.md": card(f"license: apache-2.0\nbase_model: {MISTRAL}"),
                                           "LICENSE": apache(),
                                           "config.json": json.dumps({"_name_or_path": "mistralai/Mistral-7B-Instruct-v0.2"}),
                                           "checkpoint-9/config.json": json.dumps({"_name_or_path": "/content/outputs"})}, 0),
    # --- class 15: false alarms ---
    Case("ok-jekyll-docs-page", lambda: {"README.md": "# project\n", "docs/README.md":
                                         "---\nlayout: default\ntitle: Docs\nlicense: MIT\n---\n# Docs\n"}, 0),
    Case("ok-tiny-test-fixture", lambda: {"README.md": "# project\n", "tests/fixtures/config.json": json.dumps(
        {"_name_or_path": L2}), "tests/fixtures/model.safetensors": b"\x00\x00"}, 0),
    Case("fixture-folder-with-real-weights", lambda: {"tests/fixtures/config.json": json.dumps({"_name_or_path": L2}),
                                                      "tests/fixtures/model.safetensors": b"\x00" * 4096}, 1,
         ("missing-license-copy", "tests/fixtures/config.json")),
    Case("docs-page-that-is-a-model-card", lambda: {"docs/README.md": f"---\ntitle: Chat\nlicense: mit\n{B}\n---\n# Chat\n"},
         1, ("relabel-forbidden", "docs/README.md")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fails_closed(case, tmp_path):
    write_tree(tmp_path, case.build())
    report = check_json(tmp_path)
    found = {(f["rule"], f["path"]) for f in report["findings"] if f["severity"] == "error"}
    assert report["exit_code"] == case.exit, sorted(found)
    if case.finding:
        assert case.finding in found, sorted(found)


def doc_names():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Fail closed", 1)[1].split("\n## ", 1)[0]
    return [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]


def test_doc_table_matches():
    assert doc_names()[: len(CASES)] == [c.name for c in CASES]


# --- class 5: the licence data itself ------------------------------------------------------------------------

def test_coverage_data_is_derived_from_the_saved_texts(tmp_path):
    """data/coverage.toml is what `python -m weightgate.knowledge.coverage` derives from ../shared/licenses."""
    from weightgate.knowledge import DATA_DIR
    from weightgate.knowledge.coverage import _toml, derive

    shared = REPO.parent / "shared" / "licenses"
    if not shared.is_dir():
        pytest.skip("shared licence texts not available")
    import hashlib
    entries = {}
    for p in sorted(shared.glob("*.txt")):
        data = p.read_bytes()
        entry = derive(data.decode("utf-8-sig"))
        entry["source"] = f"shared/licenses/{p.name} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
        entries[p.stem] = entry
    assert (Path(DATA_DIR) / "coverage.toml").read_text(encoding="utf-8") == _toml(entries), \
        "regenerate: python -m weightgate.knowledge.coverage ../shared/licenses"


def test_partial_copy_message_says_what_is_missing(tmp_path):
    write_tree(tmp_path, with_(llama2_ok, LICENSE=partial_llama2(0.4))())
    msg = next(f["message"] for f in check_json(tmp_path)["findings"] if f["rule"] == "missing-license-copy")
    assert "LICENSE holds only about" in msg and "% of the Llama 2 Community License Agreement" in msg
    assert "§" in msg and "missing" in msg


# --- class 13: output survives any file name -----------------------------------------------------------------

@pytest.mark.skipif(sys.platform != "linux", reason="needs a filesystem that stores arbitrary bytes")
@pytest.mark.parametrize("fmt", ["json", "sarif", "full", "concise", "grouped", "github"])
def test_non_utf8_file_names(fmt, tmp_path):
    folder = os.path.join(os.fsencode(tmp_path), b"mod\xe9l")
    os.makedirs(folder)
    with open(os.path.join(folder, b"README.md"), "w") as f:
        f.write(f"---\nlicense: mit\n{B}\n---\n# x\n")
    with open(os.path.join(folder, b"w\xff.safetensors"), "wb") as f:
        f.write(b"\x00\x00")
    p = subprocess.run([sys.executable, "-m", "weightgate", "check", str(tmp_path), "--format", fmt],
                       capture_output=True, timeout=120)
    assert p.returncode == 1, p.stderr
    out = p.stdout.decode("utf-8")  # valid UTF-8
    if fmt == "sarif":
        assert "mod%E9l" in out  # the URI keeps the real byte
    elif fmt != "github":  # annotations name the file from the repository top, by their own rules
        assert "mod\\xe9l" in out.replace("\\\\", "\\")  # the byte shown escaped
    if fmt in ("json", "sarif"):
        json.loads(out)


@pytest.mark.skipif(sys.platform != "linux", reason="needs a filesystem that stores arbitrary bytes")
def test_non_utf8_file_names_keep_every_model_field(tmp_path):
    folder = os.path.join(os.fsencode(tmp_path), b"mod\xe9l")
    os.makedirs(folder)
    with open(os.path.join(folder, b"README.md"), "w") as f:
        f.write(f"---\nlicense: mit\n{B}\ndatasets:\n- tatsu-lab/alpaca\n---\n# x\n")
    p = subprocess.run([sys.executable, "-m", "weightgate", "check", str(tmp_path), "--format", "json"],
                       capture_output=True, timeout=120)
    (model,) = json.loads(p.stdout.decode("utf-8"))["models"]
    assert "mod\\xe9l" in model["root"] and [d["id"] for d in model["datasets"]] == ["tatsu-lab/alpaca"]


# --- class 14: fix and check agree ----------------------------------------------------------------------------

def fix_then_check(root: Path, *fix_args: str) -> Tuple[int, int, str]:
    from contextlib import redirect_stdout

    from weightgate.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        fixed = main(["fix", str(root), *fix_args])
    with redirect_stdout(io.StringIO()):
        checked = main(["check", str(root)])
    return fixed, checked, buf.getvalue()


def test_fix_model_under_repo_wide_apache_license(tmp_path):
    llama = tmp_path / "llama2.txt"
    llama.write_text(licence_text("llama2"), encoding="utf-8")
    (tmp_path / "neighbour.txt").write_text(licence_text("llama2-aup"), encoding="utf-8")
    repo = write_tree(tmp_path / "repo", {"LICENSE": apache(), "pyproject.toml": "[project]\nname='x'\n",
                                          "models/chat/README.md": card(f"license: apache-2.0\n{B}"),
                                          "models/chat/config.json": "{}"})
    fixed, checked, out = fix_then_check(repo, "--license-from", str(llama))
    assert (fixed, checked) == (0, 0), out
    assert (repo / "models/chat/LICENSE").read_text(encoding="utf-8") == licence_text("llama2")
    assert not (repo / "models/chat/neighbour.txt").exists()  # a FILE is copied alone
    assert "license: llama2" in (repo / "models/chat/README.md").read_text(encoding="utf-8")


def test_fix_never_respells_a_forbidden_licence(tmp_path):
    repo = write_tree(tmp_path, {"README.md": card(f"license: Apache 2.0\n{B}"), "config.json": "{}",
                                 "LICENSE": licence_text("llama2"), "NOTICE": LLAMA2_NOTICE})
    fixed, checked, out = fix_then_check(repo, "--select", "metadata-invalid")
    assert "license: apache-2.0" not in (repo / "README.md").read_text(encoding="utf-8")
    assert fixed == 1 and checked == 1 and "declare `license: llama2`" in out


def test_fix_refuses_a_partial_licence_file(tmp_path):
    stub = tmp_path / "stub.txt"
    stub.write_text(partial_llama2(0.3)(), encoding="utf-8")
    repo = write_tree(tmp_path / "repo", {"README.md": card(f"license: llama2\n{B}"), "config.json": "{}",
                                          "NOTICE": LLAMA2_NOTICE})
    fixed, checked, out = fix_then_check(repo, "--license-from", str(stub))
    assert not (repo / "LICENSE").exists()
    assert fixed == 1 and checked == 1 and "holds only about" in out


def test_fix_keeps_crlf_in_notice(tmp_path):
    repo = write_tree(tmp_path, {"README.md": card(f"license: llama2\n{B}"), "config.json": "{}",
                                 "LICENSE": licence_text("llama2")})
    (tmp_path / "NOTICE").write_bytes(b"Our notice\r\nsecond line\r\n")
    fixed, checked, out = fix_then_check(repo)
    assert (fixed, checked) == (0, 0), out
    data = (tmp_path / "NOTICE").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") and LLAMA2_NOTICE.encode() in data


def test_fix_and_check_name_the_same_conflicting_licence_file(tmp_path):
    """A model folder's own Apache LICENSE beside a Llama 2 card: fix leaves it to the user and says so; check
    reports the same file with the same rule."""
    llama = tmp_path / "llama2.txt"
    llama.write_text(licence_text("llama2"), encoding="utf-8")
    repo = write_tree(tmp_path / "repo", {"models/chat/LICENSE": apache(), "models/chat/config.json": "{}",
                                          "models/chat/README.md": card(f"license: llama2\n{B}")})
    fixed, checked, out = fix_then_check(repo, "--license-from", str(llama))
    assert (fixed, checked) == (1, 1)
    assert "models/chat/LICENSE:1: error [relabel-forbidden]" in out and "not fixed:" in out
    report = check_json(repo)
    assert ("relabel-forbidden", "models/chat/LICENSE") in {(f["rule"], f["path"]) for f in report["findings"]}


@pytest.mark.parametrize("front", ["model-index:\n- name: x\n  results: []",
                                   "title: Chat model\nlicense: mit\nmodel-index:\n- name: x\n  results: []"])
def test_a_card_whose_model_key_is_model_index_is_a_model_card(tmp_path, front):
    from weightgate.collect import Reader, card_says_model
    from weightgate.sources import FsSource

    write_tree(tmp_path, {"README.md": card(front)})
    assert card_says_model(Reader(FsSource(str(tmp_path))), "README.md")
