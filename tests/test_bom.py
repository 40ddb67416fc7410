"""`weightgate bom`: CycloneDX 1.6 checked by cyclonedx-python-lib's strict validator, SPDX 3.0.1 read and
written back by the official bindings (spdx-python-model), on real folders: a relabelled Llama 2 derivative, an
adapter, a merge, a GGUF re-upload whose weights are LFS pointers, a model with datasets, a chain of local
bases, every shipped example, broken input, and a real wheel build with `bom = true`."""
from __future__ import annotations

import functools
import io
import json
import os
import subprocess
from contextlib import redirect_stdout

import pytest

from conftest import EXAMPLES, card, run_cli, write_tree
from conftest_checkpoints import T_STR, gguf_bytes, lfs_pointer, store_lfs_object

LLAMA2 = "meta-llama/Llama-2-7b-hf"


# ---- validators ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _cdx_validator():
    validation = pytest.importorskip("cyclonedx.validation.json")
    schema = pytest.importorskip("cyclonedx.schema")
    return validation.JsonStrictValidator(schema.SchemaVersion.V1_6)


def cdx_valid(text: str) -> dict:
    error = _cdx_validator().validate_str(text)
    assert error is None, f"{error}\n{text}"
    return json.loads(text)


def spdx_roundtrip(text: str) -> dict:
    """Load through the official bindings (type-checked on construction), write back (required properties are
    checked on writing) and compare: nothing we wrote was dropped or changed."""
    pytest.importorskip("spdx_python_model")
    from spdx_python_model import v3_0_1 as spdx

    objects = spdx.SHACLObjectSet()
    spdx.JSONLDDeserializer().read(io.BytesIO(text.encode("utf-8")), objects)
    out = io.BytesIO()
    spdx.JSONLDSerializer().write(objects, out)
    ours, theirs = json.loads(text), json.loads(out.getvalue())

    def elements(doc):
        blank = {e["@id"] for e in doc["@graph"] if "@id" in e}
        dumped = json.dumps(doc["@graph"])
        for b in blank:  # the writer renames blank nodes
            dumped = dumped.replace(json.dumps(b), '"_:blank"')
        return sorted(json.dumps(e, sort_keys=True) for e in json.loads(dumped))

    assert elements(ours) == elements(theirs)
    return ours


def bom(path, *args) -> tuple:
    """(exit code, output) of `weightgate bom` in-process."""
    from weightgate.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["bom", str(path), *args])
    return code, buf.getvalue()


def cyclonedx(path, *args) -> dict:
    code, out = bom(path, *args)
    assert code == 0, out
    doc = cdx_valid(out)
    # What the schema cannot say: bom-refs are unique, and dependencies and dataset refs point at them.
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if "bom-ref" in node:
                refs.append(node["bom-ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    assert len(refs) == len(set(refs)), refs
    pointed = [d["ref"] for d in doc["dependencies"]] + [r for d in doc["dependencies"] for r in d.get("dependsOn", [])]
    pointed += [d["ref"] for m in doc["components"] for d in m.get("modelCard", {}).get("modelParameters", {})
                .get("datasets", [])]
    assert set(pointed) <= set(refs)
    return doc


def spdx_doc(path, *args) -> dict:
    code, out = bom(path, "--format", "spdx", *args)
    assert code == 0, out
    return spdx_roundtrip(out)


# ---- reading helpers ----------------------------------------------------------------------------------------

def models(doc: dict) -> list:
    return [c for c in doc["components"] if c["type"] == "machine-learning-model"]


def licences(component: dict, acknowledgement: str) -> list:
    return [lc["license"].get("id") or lc["license"]["name"] for lc in component.get("licenses", [])
            if lc["license"]["acknowledgement"] == acknowledgement]


def prop(component: dict, name: str):
    values = [p["value"] for p in component.get("properties", []) if p["name"] == f"weightgate:{name}"]
    return values[0] if len(values) == 1 else values


def ancestor_names(component: dict) -> list:
    out = []
    for a in component.get("pedigree", {}).get("ancestors", []):
        out.append(a["name"])
        out.extend(ancestor_names(a))
    return out


def graph(doc: dict, kind: str) -> list:
    return [e for e in doc["@graph"] if e["type"] == kind]


def related(doc: dict, frm: str, kind: str) -> list:
    return [t for e in graph(doc, "Relationship") if e["from"] == frm and e["relationshipType"] == kind
            for t in e["to"]]


def expression(doc: dict, sid: str) -> str:
    if sid == "expandedlicensing_NoAssertionLicense":
        return "NOASSERTION"
    return next(e["simplelicensing_licenseExpression"] for e in doc["@graph"] if e.get("spdxId") == sid)


def named(doc: dict, kind: str, name: str) -> dict:
    return next(e for e in graph(doc, kind) if e["name"] == name)


def assert_spdx_licensing(doc: dict) -> None:
    """Every AI and dataset package has exactly one declared and one concluded licence."""
    for kind in ("ai_AIPackage", "dataset_DatasetPackage"):
        for pkg in graph(doc, kind):
            for rel in ("hasDeclaredLicense", "hasConcludedLicense"):
                links = [e for e in graph(doc, "Relationship")
                         if e["from"] == pkg["spdxId"] and e["relationshipType"] == rel]
                assert len(links) == 1 and len(links[0]["to"]) == 1, (pkg["name"], rel)


# ---- the acceptance case: a relabelled Llama 2 derivative ---------------------------------------------------

def relabelled(tmp_path):
    return write_tree(tmp_path / "relabelled", {"README.md": card(
        f"license: apache-2.0\nbase_model: {LLAMA2}\npipeline_tag: text-generation\nversion: 1.0",
        "# Acme Chat 7B\n\nA chat tune.\n\n## Limitations\n\nIt hallucinates citations.\n\n"
        "## Intended uses & limitations\n\nMore information needed\n\n## Bias, Risks, and Limitations\n\n"
        "<!-- This section is meant to convey both technical and sociotechnical limitations. -->\n\n"
        "[More Information Needed]\n\n## Training\n\nNot a limitation.\n")})


def test_relabelled_llama2_declares_the_card_and_concludes_llama2(tmp_path):
    doc = cyclonedx(relabelled(tmp_path))
    (m,) = models(doc)
    assert m["name"] == "Acme Chat 7B" and m["version"] == "1.0"
    assert licences(m, "declared") == ["Apache-2.0"]
    assert prop(m["licenses"][0]["license"], "declared-in") == "README.md:2 (card)"
    assert licences(m, "concluded") == ["Llama 2 Community License Agreement"]
    concluded = next(lc["license"] for lc in m["licenses"] if lc["license"]["acknowledgement"] == "concluded")
    assert concluded["url"].startswith("https://") and prop(concluded, "license-ref") == "LicenseRef-llama2"
    (base,) = m["pedigree"]["ancestors"]
    assert base["name"] == LLAMA2 and base["purl"] == f"pkg:huggingface/{LLAMA2}"
    assert base["publisher"] == "meta-llama"
    assert prop(base, "resolved-from") == "registry" and prop(base, "family") == "Llama 2"
    assert base["externalReferences"] == [{"type": "distribution", "url": f"https://huggingface.co/{LLAMA2}"}]
    assert licences(base, "concluded") == ["Llama 2 Community License Agreement"]
    assert m["modelCard"] == {"modelParameters": {"task": "text-generation"},
                              "considerations": {"technicalLimitations": ["It hallucinates citations."]}}
    assert prop(m, "verdict") == "fail" and int(prop(m, "errors")) >= 1
    assert any(f.startswith("relabel-forbidden README.md:") for f in prop(m, "finding"))
    assert {p["name"]: p["value"] for p in doc["metadata"]["properties"]}["weightgate:verdict"] == "fail"


def test_relabelled_llama2_spdx(tmp_path):
    doc = spdx_doc(relabelled(tmp_path))
    assert_spdx_licensing(doc)
    model = named(doc, "ai_AIPackage", "Acme Chat 7B")
    assert model["software_packageVersion"] == "1.0" and model["ai_limitation"] == "It hallucinates citations."
    assert "declared: Apache-2.0 at README.md:2 (card)" in model["comment"]
    assert [expression(doc, t) for t in related(doc, model["spdxId"], "hasDeclaredLicense")] == ["Apache-2.0"]
    (concluded,) = related(doc, model["spdxId"], "hasConcludedLicense")
    assert expression(doc, concluded) == "LicenseRef-llama2"
    (base,) = related(doc, model["spdxId"], "descendantOf")
    llama = named(doc, "ai_AIPackage", LLAMA2)
    assert llama["spdxId"] == base and llama["software_downloadLocation"] == f"https://huggingface.co/{LLAMA2}"
    assert named(doc, "Agent", "meta-llama")["spdxId"] == llama["suppliedBy"]
    (document,) = graph(doc, "SpdxDocument")
    assert document["rootElement"] == [model["spdxId"]] and "verdict: fail" in document["comment"]
    assert doc["@graph"][0]["created"] == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx"])
def test_same_input_same_bytes(tmp_path, fmt):
    folder = relabelled(tmp_path)
    first, second = bom(folder, "--format", fmt), bom(folder, "--format", fmt)
    assert first == second
    # The real entry point, from another working directory, writing a file: still the same bytes.
    out = tmp_path / "bom.json"
    r = run_cli("bom", folder, "--format", fmt, "--output", out, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8") == first[1]
    # Different content, different serial number / namespace.
    (folder / "README.md").write_text((folder / "README.md").read_text().replace("Acme Chat 7B", "Acme Chat 8B"))
    assert bom(folder, "--format", fmt)[1] != first[1]


def test_timestamp_only_when_asked(tmp_path, monkeypatch):
    folder = relabelled(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    doc = cyclonedx(folder, "--timestamp")
    assert doc["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"
    assert doc["serialNumber"] == cyclonedx(folder)["serialNumber"]  # the serial number ignores the time
    assert "timestamp" not in cyclonedx(folder)["metadata"]
    stamped = spdx_doc(folder, "--timestamp")
    assert stamped["@graph"][0]["created"] == "2023-11-14T22:13:20Z"
    assert stamped["@graph"][1:] == spdx_doc(folder)["@graph"][1:]


# ---- shapes of real repositories ----------------------------------------------------------------------------

def test_adapter(tmp_path):
    folder = write_tree(tmp_path / "lora", {
        "README.md": card("license: apache-2.0\nlibrary_name: peft\nbase_model: mistralai/Mistral-7B-v0.1"),
        "adapter_config.json": json.dumps({"peft_type": "LORA",
                                           "base_model_name_or_path": "mistralai/Mistral-7B-v0.1"})})
    (m,) = models(cyclonedx(folder))
    assert prop(m, "relation") == "adapter" and prop(m, "verdict") == "pass"
    assert [a["purl"] for a in m["pedigree"]["ancestors"]] == ["pkg:huggingface/mistralai/Mistral-7B-v0.1"]
    assert licences(m, "declared") == ["Apache-2.0"] and licences(m, "concluded") == ["Apache-2.0"]
    doc = spdx_doc(folder)
    assert_spdx_licensing(doc)


def test_merge_with_an_unknown_input_concludes_noassertion(tmp_path):
    folder = write_tree(tmp_path / "merge", {
        "README.md": card("license: apache-2.0\ntags:\n- merge"),
        "mergekit_config.yml": "merge_method: slerp\nbase_model: mistralai/Mistral-7B-v0.1\nmodels:\n"
                               "  - model: mistralai/Mistral-7B-v0.1\n  - model: acme/secret-sauce-7b\n"})
    doc = cyclonedx(folder)
    (m,) = models(doc)
    assert prop(m, "relation") == "merge"
    assert sorted(ancestor_names(m)) == ["acme/secret-sauce-7b", "mistralai/Mistral-7B-v0.1"]
    # One input's licence is unknown: the lineage's licence is not concluded (no guess), and says so.
    assert licences(m, "concluded") == [] and prop(m, "concluded-license") == "NOASSERTION"
    assert licences(m, "declared") == ["Apache-2.0"]
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert sorted(deps[m["bom-ref"]]) == sorted(a["bom-ref"] for a in m["pedigree"]["ancestors"])
    sdoc = spdx_doc(folder)
    assert_spdx_licensing(sdoc)
    model = named(sdoc, "ai_AIPackage", m["name"])
    assert [expression(sdoc, t) for t in related(sdoc, model["spdxId"], "hasConcludedLicense")] == ["NOASSERTION"]
    assert len(related(sdoc, model["spdxId"], "descendantOf")) == 2


def git_init(path):
    subprocess.run(["git", "init", "-q", str(path)], check=True, capture_output=True)


def test_quantized_reupload_hashes_come_from_lfs_pointers(tmp_path):
    repo = tmp_path / "gguf"
    repo.mkdir()
    git_init(repo)
    q4 = gguf_bytes([("general.architecture", T_STR, "llama"), ("general.license", T_STR, "llama3.1"),
                     ("general.base_model.count", 4, 1),
                     ("general.base_model.0.repo_url", T_STR,
                      "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct")])
    q8 = q4 + b"\0" * 16  # another file whose object is not fetched
    pointer4, oid4 = lfs_pointer(q4)
    pointer8, oid8 = lfs_pointer(q8)
    store_lfs_object(repo / ".git", q4)
    write_tree(repo, {"README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B-Instruct\n"
                                        "base_model_relation: quantized\nquantized_by: acme",
                                        "# Llama-3.1-8B-Instruct-GGUF\n\nBuilt with Llama\n"),
                      "Llama-3.1-8B-Instruct-Q4_K_M.gguf": pointer4, "Llama-3.1-8B-Instruct-Q8_0.gguf": pointer8})
    doc = cyclonedx(repo)
    (m,) = models(doc)
    assert prop(m, "relation") == "quantized"
    files = {c["name"]: c["hashes"] for c in m["components"]}
    assert files == {"Llama-3.1-8B-Instruct-Q4_K_M.gguf": [{"alg": "SHA-256", "content": oid4}],
                     "Llama-3.1-8B-Instruct-Q8_0.gguf": [{"alg": "SHA-256", "content": oid8}]}
    assert "checkpoint-unverifiable Llama-3.1-8B-Instruct-Q8_0.gguf:1" in prop(m, "finding")
    assert "LicenseRef-llama3.1" in json.dumps(m["licenses"])
    sdoc = spdx_doc(repo)
    assert_spdx_licensing(sdoc)
    model = named(sdoc, "ai_AIPackage", m["name"])
    hashes = {e["name"]: e["verifiedUsing"][0]["hashValue"] for e in graph(sdoc, "software_File")}
    assert hashes == {"Llama-3.1-8B-Instruct-Q4_K_M.gguf": oid4, "Llama-3.1-8B-Instruct-Q8_0.gguf": oid8}
    assert len(related(sdoc, model["spdxId"], "hasDataFile")) == 2


def test_weights_without_pointers_get_no_hash(tmp_path):
    """A real weight file is never read for a hash: only LFS pointers state one."""
    folder = write_tree(tmp_path / "plain", {"README.md": card("license: mit"), "model.gguf": gguf_bytes([])})
    (m,) = models(cyclonedx(folder))
    assert "components" not in m


def test_model_with_datasets(tmp_path):
    folder = write_tree(tmp_path / "sft", {"README.md": card(
        "license: cc-by-nc-4.0\nbase_model: mistralai/Mistral-7B-v0.1\ndatasets:\n- tatsu-lab/alpaca\n"
        "- OpenAssistant/oasst2\n- tatsu-lab/alpaca")})
    doc = cyclonedx(folder)
    (m,) = models(doc)
    data = {c["name"]: c for c in doc["components"] if c["type"] == "data"}
    assert set(data) == {"tatsu-lab/alpaca", "OpenAssistant/oasst2"}
    assert licences(data["tatsu-lab/alpaca"], "concluded") == ["CC-BY-NC-4.0"]
    # Apache-2.0 lets the fine-tune be released under CC BY-NC: both govern it.
    assert licences(m, "concluded") == ["Apache-2.0", "CC-BY-NC-4.0"]
    # known from the Data Provenance Collection (data/datasets_dpi.jsonl)
    assert licences(data["OpenAssistant/oasst2"], "concluded") == ["Apache-2.0"]
    refs = [d["ref"] for d in m["modelCard"]["modelParameters"]["datasets"]]
    assert sorted(refs) == sorted(c["bom-ref"] for c in data.values())
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert set(refs) <= set(deps[m["bom-ref"]])
    sdoc = spdx_doc(folder)
    assert_spdx_licensing(sdoc)
    model = named(sdoc, "ai_AIPackage", m["name"])
    trained = related(sdoc, model["spdxId"], "trainedOn")
    assert sorted(trained) == sorted(d["spdxId"] for d in graph(sdoc, "dataset_DatasetPackage"))
    alpaca = named(sdoc, "dataset_DatasetPackage", "tatsu-lab/alpaca")
    assert [expression(sdoc, t) for t in related(sdoc, alpaca["spdxId"], "hasConcludedLicense")] == ["CC-BY-NC-4.0"]


def test_bases_of_bases_nest_in_the_pedigree(tmp_path):
    """A fine-tune of a local fine-tune of Llama 2: each base sits under the one that brought it."""
    repo = write_tree(tmp_path / "repo", {
        "base-ft/README.md": card(f"license: llama2\nbase_model: {LLAMA2}", "# Base FT\n"),
        "chat/README.md": card("license: llama2\nbase_model: acme/base-ft", "# Acme Chat\n")})
    doc = cyclonedx(repo)
    chat = next(m for m in models(doc) if m["name"] == "Acme Chat")
    (parent,) = chat["pedigree"]["ancestors"]
    assert parent["name"] == "acme/base-ft" and licences(parent, "declared") == ["Llama 2 Community License Agreement"]
    (grandparent,) = parent["pedigree"]["ancestors"]
    assert grandparent["name"] == LLAMA2
    assert licences(chat, "concluded") == ["Llama 2 Community License Agreement"]
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert deps[parent["bom-ref"]] == [grandparent["bom-ref"]]
    refs = [c["bom-ref"] for c in doc["components"]]
    assert len(refs) == len(set(refs)) == 2
    sdoc = spdx_doc(repo)
    assert_spdx_licensing(sdoc)
    base = named(sdoc, "ai_AIPackage", "acme/base-ft")
    assert related(sdoc, base["spdxId"], "descendantOf") == [named(sdoc, "ai_AIPackage", LLAMA2)["spdxId"]]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()) + ["."])
def test_every_shipped_example(example):
    doc = cyclonedx(EXAMPLES / example)
    assert models(doc)
    for m in models(doc):  # every example names its base, and each is judged
        assert m["pedigree"]["ancestors"] and prop(m, "verdict") in ("pass", "fail")
    assert_spdx_licensing(spdx_doc(EXAMPLES / example))


def test_every_known_licence_renders_valid(tmp_path):
    """Every licence in the knowledge base is a valid CycloneDX licence (an SPDX id the schema knows, or a named
    licence) and a valid SPDX expression."""
    from weightgate import knowledge
    from weightgate.aibom import Bom, ModelEntry, license_info, render

    kb = knowledge.load()
    infos = tuple(license_info(kb, lid) for lid in sorted(kb.licenses))
    spdx_ids = tuple(i for i in infos if not i.spdx.startswith("LicenseRef-"))
    refs = tuple(i for i in infos if i.spdx.startswith("LicenseRef-"))
    assert len(spdx_ids) > 40 and all(i.name for i in refs)

    def one_model(declared, concluded):
        entry = ModelEntry(ref="model:.", root=".", name="all", version="", purl="", task="", limitations=(),
                           relation="", declared=declared, concluded=concluded, ancestors=(), datasets=(),
                           files=(), errors=0, warnings=0, findings=())
        return Bom(models=(entry,), datasets=(), errors=0, warnings=0, findings=0, tool_version="0")

    # The schema's SPDX id enum is what can fail; a named licence is always valid (a few stand for all: the
    # strict validator takes ~30 ms per licence entry).
    cdx_valid(render(one_model(spdx_ids + refs[:3], ()), "cyclonedx"))
    spdx_roundtrip(render(one_model(infos, infos), "spdx"))


def test_datasets_are_read_from_the_engine_summary(tmp_path):
    """The engine's per-model `datasets` entries give the BOM's data components: the id as written, once."""
    from collections import namedtuple

    from weightgate import knowledge
    from weightgate.aibom import _dataset, datasets_of

    Summary = namedtuple("Summary", "root datasets")
    given = Summary(".", [{"id": "tatsu-lab/alpaca", "as_written": "Tatsu-Lab/alpaca", "license": None},
                          {"id": "acme/chats", "license": "cc-by-4.0"}, {"id": "acme/chats", "license": None}])
    assert datasets_of(given) == [("Tatsu-Lab/alpaca", None), ("acme/chats", "cc-by-4.0")]
    kb = knowledge.load()
    assert [i.spdx for i in _dataset(kb, "acme/chats", "cc-by-4.0").licenses] == ["CC-BY-4.0"]
    # The knowledge base's evidence wins over a label (alpaca-cleaned is labelled cc-by-4.0, its data is NC).
    assert [i.spdx for i in _dataset(kb, "yahma/alpaca-cleaned", "cc-by-4.0").licenses] == ["CC-BY-NC-4.0"]


def test_purl_takes_a_locked_revision():
    """A base record that carries a Hub revision (from weightgate.lock) pins its purl."""
    from weightgate.aibom import hub_purl
    from weightgate.facts import Base

    base = Base(id=LLAMA2.lower(), display=LLAMA2, license="llama2", resolved_from="registry",
                relation="finetune", evidence=())
    sha = "01c7f73d771dfac7d292323805ebc428287df4f9"
    assert hub_purl(base) == f"pkg:huggingface/{LLAMA2}"
    assert hub_purl(base._replace(revision=sha)) == f"pkg:huggingface/{LLAMA2}@{sha}"
    assert hub_purl(base._replace(display="./local/base")) == ""


# ---- bad input ----------------------------------------------------------------------------------------------

def test_usage_errors_match_check(tmp_path):
    missing = tmp_path / "nope"
    for command in (["check"], ["bom"]):
        r = run_cli(*command, missing)
        assert r.returncode == 2 and f"{missing}: no such file or directory" in r.stderr
    r = run_cli("bom", tmp_path, "--format", "sarif")
    assert r.returncode == 2 and "invalid choice" in r.stderr
    bad = write_tree(tmp_path / "cfg", {".weightgate.toml": "severity = 3\n", "README.md": card("license: mit")})
    check, bom_run = run_cli("check", bad), run_cli("bom", bad)
    assert check.returncode == bom_run.returncode == 2 and check.stderr == bom_run.stderr
    assert "weightgate: " in bom_run.stderr and bom_run.stdout == ""
    r = run_cli("bom", bad / "README.md", "--config", tmp_path / "none.toml")
    assert r.returncode == 2 and "no such configuration file" in r.stderr


def test_broken_files_still_give_a_bom_with_the_findings(tmp_path):
    folder = write_tree(tmp_path / "broken", {
        "README.md": "---\nlicense: [apache-2.0\nbase_model: x\n---\n# Broken\n",
        "model.safetensors": b"\xff" * 64})
    code, out = bom(folder)
    assert code == 0
    (m,) = models(cdx_valid(out))
    findings = prop(m, "finding")
    assert any(f.startswith("metadata-invalid README.md:") for f in findings)
    assert "metadata-invalid model.safetensors:1" in findings
    assert int(prop(m, "findings")) == len(findings)
    assert_spdx_licensing(spdx_doc(folder))


def test_empty_folder_gives_an_empty_but_valid_bom(tmp_path):
    (tmp_path / "empty").mkdir()
    doc = cyclonedx(tmp_path / "empty")
    assert doc["components"] == [] and doc["dependencies"] == []
    spdx_doc(tmp_path / "empty")


# ---- the build hook -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("setting, name", [("true", "weightgate.cdx.json"), ('"spdx"', "weightgate.spdx.json")])
def test_wheel_ships_the_bom(tmp_path, setting, name):
    import zipfile

    from test_integration_hooks import PYPROJECT, build_wheel, make_package
    from test_integration_git import pythia_good

    project = make_package(tmp_path / "pkg", pythia_good())
    (project / "pyproject.toml").write_text(PYPROJECT + f"bom = {setting}\n")
    r = build_wheel(project, tmp_path / "dist")
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        (member,) = [n for n in z.namelist() if n.endswith("/" + name)]
        assert member.split("/")[0].endswith(".dist-info")
        text = z.read(member).decode("utf-8")
    doc = cdx_valid(text) if name.endswith("cdx.json") else spdx_roundtrip(text)
    assert "EleutherAI/pythia-2.8b" in json.dumps(doc)


def test_sdist_ships_the_bom_at_its_top(tmp_path):
    import sys
    import tarfile

    pytest.importorskip("build")
    from test_integration_hooks import PYPROJECT, make_package
    from test_integration_git import pythia_good

    project = make_package(tmp_path / "pkg", pythia_good())
    (project / "pyproject.toml").write_text(PYPROJECT + "bom = true\n")
    r = subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "-o", str(tmp_path / "dist"),
                        str(project)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    (sdist,) = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as t:
        text = t.extractfile("acme_models-0.1/weightgate.cdx.json").read().decode("utf-8")
    (m,) = models(cdx_valid(text))
    assert prop(m, "verdict") == "pass"


def test_wheel_rejects_a_bad_bom_setting(tmp_path):
    from test_integration_hooks import PYPROJECT, build_wheel, make_package
    from test_integration_git import pythia_good

    project = make_package(tmp_path / "pkg", pythia_good())
    (project / "pyproject.toml").write_text(PYPROJECT + 'bom = "xml"\n')
    r = build_wheel(project, tmp_path / "dist")
    assert r.returncode != 0 and "bom: expected true, false" in r.stdout + r.stderr


# ---- the model's own purl -----------------------------------------------------------------------------------

def git(repo, *args) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(repo), "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=repo, env=dict(os.environ, **env), check=True,
                          capture_output=True, text=True).stdout.strip()


def hub_clone(tmp_path) -> tuple:
    """(repo, sha): a clone of a Hub repository whose one commit its origin has."""
    repo = write_tree(tmp_path / "chat-7b", {"README.md": card(f"license: llama2\nbase_model: {LLAMA2}")})
    git_init(repo)
    git(repo, "remote", "add", "origin", "https://huggingface.co/acme/chat-7b")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "upload")
    sha = git(repo, "rev-parse", "HEAD")
    git(repo, "update-ref", "refs/remotes/origin/main", sha)
    return repo, sha


def test_a_hub_clone_names_its_revision(tmp_path):
    repo, sha = hub_clone(tmp_path)
    git(repo, "pack-refs", "--all")  # packed refs are read too
    (m,) = models(cyclonedx(repo))
    assert m["purl"] == f"pkg:huggingface/acme/chat-7b@{sha}"
    model = named(spdx_doc(repo), "ai_AIPackage", m["name"])
    assert model["software_packageUrl"] == m["purl"]
    # A local commit the Hub does not have: the repository is known, the revision is not.
    (repo / "NOTICE").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "local")
    (m,) = models(cyclonedx(repo))
    assert m["purl"] == "pkg:huggingface/acme/chat-7b"


def test_ref_describes_a_commit(tmp_path):
    """`--ref` describes the models as committed (a release tag), and a pushed commit is the purl's revision."""
    repo, sha = hub_clone(tmp_path)
    git(repo, "tag", "v1")
    (repo / "README.md").write_text(card("license: apache-2.0\nbase_model: meta-llama/Llama-2-13b-hf"))
    git(repo, "commit", "-qam", "relabel")  # not pushed
    (m,) = models(cyclonedx(repo, "--ref", "v1"))
    assert m["purl"] == f"pkg:huggingface/acme/chat-7b@{sha}"
    assert licences(m, "declared") == ["Llama 2 Community License Agreement"]
    assert [a["name"] for a in m["pedigree"]["ancestors"]] == [LLAMA2]
    (m,) = models(cyclonedx(repo))  # the working tree: the relabelled, unpushed state
    assert m["purl"] == "pkg:huggingface/acme/chat-7b" and licences(m, "declared") == ["Apache-2.0"]
    spdx_doc(repo, "--ref", "v1")
    r = run_cli("bom", repo, "--ref", "no-such-rev")
    assert r.returncode == 2 and r.stderr.startswith("weightgate: ")


def test_a_hf_cache_snapshot_names_its_revision(tmp_path):
    sha = "0123456789abcdef0123456789abcdef01234567"
    snap = write_tree(tmp_path / "hub" / "models--acme--chat-7b" / "snapshots" / sha,
                      {"README.md": card(f"license: llama2\nbase_model: {LLAMA2}")})
    (m,) = models(cyclonedx(snap))
    assert m["purl"] == f"pkg:huggingface/acme/chat-7b@{sha}"


def test_a_github_clone_has_no_hub_purl(tmp_path):
    repo = write_tree(tmp_path / "gh", {"README.md": card("license: mit")})
    git_init(repo)
    git(repo, "remote", "add", "origin", "https://github.com/acme/chat-7b.git")
    (m,) = models(cyclonedx(repo))
    assert "purl" not in m


def test_python_api(tmp_path):
    import weightgate

    folder = relabelled(tmp_path)
    text = weightgate.bom(folder)
    assert text == bom(folder)[1] and weightgate.bom(str(folder)) == text  # still the function after a call
    spdx_roundtrip(weightgate.bom([folder], format="spdx", timestamp="2026-01-02T03:04:05Z"))
    with pytest.raises(ValueError):
        weightgate.bom(folder, format="xml")


def test_modelspec_tensor_hash_is_not_taken_for_the_file_hash(tmp_path):
    """ModelSpec's hash_sha256 covers the tensor data only: it is reported as such, never as the file's hash."""
    from conftest_checkpoints import save_safetensors

    folder = write_tree(tmp_path / "lora", {"README.md": card("license: mit")})
    digest = "ab" * 32
    save_safetensors(folder / "lora.safetensors", {"modelspec.hash_sha256": "0x" + digest, "modelspec.title": "x"})
    (m,) = models(cyclonedx(folder))
    (f,) = m["components"]
    assert f["name"] == "lora.safetensors" and "hashes" not in f and prop(f, "tensor-data-sha256") == digest
    sdoc = spdx_doc(folder)
    (sf,) = graph(sdoc, "software_File")
    assert "verifiedUsing" not in sf and digest in sf["comment"]
