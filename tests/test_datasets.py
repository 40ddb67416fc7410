"""Training-data provenance: the Data Provenance Collection import, where cards name data, and the two data rules.

Real dataset ids from the shipped import; real checks through `weightgate.check`; the import script run on real
git repositories built in tmp dirs.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

import weightgate
from conftest import card, run_cli, write_tree
from weightgate.knowledge.datasets import DATA_DIR, DPI_FILE, hub_dataset_id, resolve_use

ROOT = Path(__file__).resolve().parents[1]
DATA_RULES = {"noncommercial-data", "generated-data-terms"}


def read_jsonl(path) -> dict:
    """{"source": header, "datasets": {id: records}} from an import file."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return {"source": json.loads(lines[0])["source"], "datasets": dict(json.loads(l) for l in lines[1:] if l)}


def dpi() -> dict:
    return read_jsonl(Path(DATA_DIR) / DPI_FILE)


def check(tmp_path, front, body="# Model\n\nA model.\n", config=None, files=None):
    write_tree(tmp_path, {"README.md": card(front, body), **(files or {})})
    return weightgate.check(str(tmp_path), config=config or {})


def data_findings(report):
    return [f for f in report.findings if f.rule in DATA_RULES]


def collection_class(records) -> str:
    return resolve_use(resolve_use([l[2] for l in r["licenses"]]) for r in records)


# ---- the shipped import ------------------------------------------------------------------------------------

def test_shipped_import_records_its_source_and_attribution():
    src = dpi()["source"]
    assert len(src["commit"]) == 40 and src["license"] == "Apache-2.0"
    assert "Data Provenance Collection" in src["notice"] and "Apache License, Version 2.0" in src["notice"]
    notices = (ROOT / "THIRD_PARTY_NOTICES").read_text(encoding="utf-8")
    assert src["commit"] in notices and "Data-Provenance-Collection" in notices


def test_shipped_ids_are_normalised_hub_ids_with_sourced_facts():
    from weightgate.knowledge.datasets import all_records, records

    data = dpi()["datasets"]
    assert dict(all_records()) == data and records("tatsu-lab/alpaca") == data["tatsu-lab/alpaca"]
    assert records("tatsu-lab") == [] and records("no/such-dataset") == []
    header = json.loads((Path(DATA_DIR) / DPI_FILE).read_text(encoding="utf-8").split("\n", 1)[0])
    assert header["ids"] == sorted(data)  # the header's id list answers "unknown" without reading the records
    assert len(data) > 400
    for did, records in data.items():
        assert hub_dataset_id(did) == did, did
        for r in records:
            assert r["file"].startswith("data_summaries/") and r["record"]
            for name, _url, use, _attr, _sa in r["licenses"]:
                assert use in ("All", "NC", "Acad", "Unspecified", "?"), (did, name, use)
    alpaca = data["tatsu-lab/alpaca"][0]
    assert {l[0] for l in alpaca["licenses"]} == {"OpenAI", "CC BY-NC 4.0"} and alpaca["generated"] == ["OpenAI GPT-3"]


@pytest.mark.parametrize("ref,want", [
    ("tatsu-lab/alpaca", "tatsu-lab/alpaca"),
    ("Tatsu-Lab/Alpaca", "tatsu-lab/alpaca"),
    ("datasets/tatsu-lab/alpaca", "tatsu-lab/alpaca"),
    ("https://huggingface.co/datasets/tatsu-lab/alpaca", "tatsu-lab/alpaca"),
    ("https://hf.co/datasets/arbml/CIDAR", "arbml/cidar"),
    ("huggingface.co/datasets/THUDM/AgentInstruct/viewer/default/os", "thudm/agentinstruct"),
    ("https://huggingface.co/datasets/laion/OIG/blob/main/unified_chip2.jsonl", "laion/oig"),
    ("https://huggingface.co/datasets/winogrande/", "winogrande"),
    ("imdb", "imdb"),
    ("`HuggingFaceH4/ultrachat_200k`", "huggingfaceh4/ultrachat_200k"),
    ("my private data", None),
    ("", None),
])
def test_hub_dataset_id(ref, want):
    assert hub_dataset_id(ref) == want


# ---- the generator script -----------------------------------------------------------------------------------

def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


def _collection(tmp_path) -> Path:
    repo = tmp_path / "collection"
    classes = {"CC BY-NC 4.0": ["NC", "1", "0"], "MIT License": ["All", "1", "0"], "OpenAI": ["NC", "?", "?"],
               "Unspecified": ["Unspecified", "0", "0"]}
    summaries = {
        "Mixed.json": {
            "mixed-a": {"Hugging Face URL": "https://huggingface.co/datasets/Org/Mixed/viewer/a",
                        "Licenses": [{"License": "MIT License", "License URL": "u1"}], "Model Generated": []},
            "mixed-b": {"Hugging Face URL": "https://huggingface.co/datasets/Org/Mixed/viewer/b",
                        "Licenses": [{"License": "Custom", "License URL": "https://example.org/research-only"}],
                        "Model Generated": ["OpenAI GPT-4"], "License Notes": "  research   only  "}},
        "NoHub.json": {"nohub": {"Hugging Face URL": "https://github.com/x/y", "Licenses": []}},
        "_template.json": {"dataset-name": {"Hugging Face URL": "string", "Licenses": []}},
    }
    write_tree(repo, {"constants/license_classes.json": json.dumps(classes),
                      "constants/custom_license_classes.json": json.dumps({"https://example.org/research-only":
                                                                           ["Acad", "1", "0"]}),
                      **{f"data_summaries/{k}": json.dumps(v) for k, v in summaries.items()}})
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "collection")
    return repo


@pytest.mark.parametrize("bare", [False, True])
def test_import_script_reads_a_checkout_or_a_bare_git_dir(tmp_path, bare):
    repo = _collection(tmp_path)
    src = repo
    if bare:
        src = tmp_path / "bare.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(src)], check=True, capture_output=True)
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "import_data_provenance.py"), str(src),
                           "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = read_jsonl(out)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    assert data["source"]["commit"] == head and data["source"]["records_without_hub_id"] == 1
    assert list(data["datasets"]) == ["org/mixed"]  # subsets grouped under one id; the template is skipped
    a, b = data["datasets"]["org/mixed"]
    assert a["licenses"] == [["MIT License", "u1", "All", 1, 0]]
    assert b["licenses"] == [["Custom", "https://example.org/research-only", "Acad", 1, 0]]  # by URL
    assert b["generated"] == ["OpenAI GPT-4"] and b["notes"] == "research only"


# ---- the hidden acceptance, sampled: compliant Apache-2.0 cards naming collection datasets ------------------

def _sample(n=60, seed=15):
    data = dpi()["datasets"]
    ids = sorted(data)
    return [(i, collection_class(data[i])) for i in random.Random(seed).sample(ids, n)]


def test_sampled_collection_datasets_in_compliant_apache_cards(tmp_path):
    sample = _sample()
    assert {c for _, c in sample} >= {"All", "NC", "Unspecified"}  # the sample exercises both verdicts
    for n, (did, cls) in enumerate(sample):
        r = check(tmp_path / str(n), f"license: apache-2.0\ndatasets:\n- {did}")
        if cls in ("NC", "Acad"):
            found = data_findings(r)
            assert found, (did, cls)
            assert all(f.line == 4 and did in f.message.lower() for f in found), found
        else:
            assert r.findings == [], (did, cls, r.findings)


# ---- where datasets are named -------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["camel-ai/physics", "Camel-AI/Physics", "datasets/camel-ai/physics",
                                     "https://huggingface.co/datasets/camel-ai/physics",
                                     "https://huggingface.co/datasets/camel-ai/physics/viewer/default/train"])
def test_dataset_ids_match_in_every_spelling(tmp_path, written):
    r = check(tmp_path, f"license: mit\ndatasets:\n- {written}")
    assert ("noncommercial-data", 4) in {(f.rule, f.line) for f in r.findings}


def test_model_index_dataset_entries_with_their_lines(tmp_path):
    front = ("license: apache-2.0\nmodel-index:\n- name: m\n  results:\n  - task:\n      type: text-generation\n"
             "    dataset:\n      name: CoT Collection\n      type: kaist-ai/CoT-Collection\n    metrics: []")
    r = check(tmp_path, front)
    assert [(f.rule, f.line) for f in r.findings if f.rule == "noncommercial-data"] == [("noncommercial-data", 10)]
    (ds,) = weightgate.check(str(tmp_path), config={}).models[0].datasets
    assert ds["evidence"] == [{"path": "README.md", "line": 10, "origin": "card:model-index"}]


def test_comma_separated_ids_in_one_string_are_each_judged(tmp_path):
    r = check(tmp_path, "license: apache-2.0\ndatasets: camel-ai/physics, HuggingFaceH4/no_robots")
    assert sorted(f.message.split()[1] for f in r.findings if f.rule == "noncommercial-data") == [
        "camel-ai/physics", "huggingfaceh4/no_robots"]


def test_misspelt_dataset_key_still_names_the_data(tmp_path):
    r = check(tmp_path, "license: apache-2.0\ndataset: camel-ai/physics")
    assert {"metadata-invalid", "noncommercial-data"} <= {f.rule for f in r.findings}


# Card lines: 1-3 front matter, 4 "# M", 5 blank, 6 the first paragraph.
@pytest.mark.parametrize("body,line", [
    ("# M\n\nThis model is a fine-tuned version of [x](https://huggingface.co/x) on the HuggingFaceH4/no_robots dataset.\n", 6),
    ("# M\n\nWe fine-tuned it on https://huggingface.co/datasets/HuggingFaceH4/no_robots for two epochs.\n", 6),
    ("# M\n\n## Training data\n\n- [No Robots](https://huggingface.co/datasets/HuggingFaceH4/no_robots)\n", 8),
    ("# M\n\n## Datasets used\n\n* `HuggingFaceH4/no_robots`\n", 8),
    ("# M\n\n### 2.1 Fine-tuning data\n\nHuggingFaceH4/no_robots\n", 8),
    ("# M\n\nWe fine-tuned it on anli.\n", 6),  # legacy ids have no organisation
    ("# M\n\nTrained with `anli`, sst2 and imdb for 3 epochs.\n", 6),
    ("# M\n\n## Training data\n\n- ANLI: adversarial NLI rounds 1-3\n", 8),
    ("# M\n\nSFT on HuggingFaceH4/no_robots, then DPO.\n", 6),
])
def test_prose_names_training_data_with_lines(tmp_path, body, line):
    r = check(tmp_path, "license: apache-2.0", body)
    assert [(f.rule, f.severity, f.line) for f in data_findings(r)] == [("noncommercial-data", "warning", line)]


@pytest.mark.parametrize("body", [
    "# M\n\nThis model is a fine-tuned version of kaist-ai/CoT-Collection-model on the imdb dataset.\n",
    "# M\n\n| kaist-ai/CoT-Collection | 52k | chain of thought |\n",
    "# M\n\nWe evaluate on kaist-ai/CoT-Collection benchmark prompts.\n",
    "# M\n\n```\nload_dataset('kaist-ai/CoT-Collection')\n```\n",
    "# M\n\nFine-tuned from meta-llama/Llama-2-7b-hf by our team.\n",
    "# M\n\nFine-tuned with LoRA on a single GPU, trained on the gap between releases.\n",
    "# M\n\nWe evaluate on anli, see the leaderboard.\n",
])
def test_prose_that_does_not_name_training_data(tmp_path, body):
    assert data_findings(check(tmp_path, "license: apache-2.0", body)) == []


def test_a_card_that_names_no_dataset_never_loads_the_collection(tmp_path):
    write_tree(tmp_path, {"README.md": card("license: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1",
                                            "# M\n\nFine-tuned from mistralai/Mistral-7B-v0.1 with LoRA.\n")})
    code = ("import sys, weightgate; from weightgate.knowledge import datasets as d; "
            f"weightgate.check({str(tmp_path)!r}, config={{}}); print(d.is_loaded())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# ---- noncommercial-data ----------------------------------------------------------------------------------------

def test_collection_nc_dataset_names_dataset_class_licence_and_source(tmp_path):
    r = check(tmp_path, "license: apache-2.0\ndatasets:\n- WizardLM/WizardLM_evol_instruct_V2_196k")
    (f,) = [f for f in r.findings if f.rule == "noncommercial-data"]
    assert f.severity == "warning"
    assert "wizardlm/wizardlm_evol_instruct_v2_196k" in f.message and "Acad" in f.message
    assert "Academic Research Purposes Only" in f.message
    assert "data_summaries/WizardLM Evol-Instruct V2.json" in f.clause and dpi()["source"]["commit"][:12] in f.clause


def test_mixed_subsets_are_not_flattened_silently(tmp_path):
    r = check(tmp_path, "license: apache-2.0\ndatasets:\n- LDJnr/Capybara")
    (f,) = [f for f in r.findings if f.rule == "noncommercial-data"]
    assert "some subsets are NC" in f.message and "capybara-Airoboros" in f.message


@pytest.mark.parametrize("did", ["databricks/databricks-dolly-15k", "roneneldan/TinyStories", "hltcoe/megawika",
                                 "allenai/soda", "openbookqa"])
def test_attribution_share_alike_and_unspecified_data_is_commercially_usable(tmp_path, did):
    r = check(tmp_path, f"license: apache-2.0\ndatasets:\n- {did}")
    assert "noncommercial-data" not in {f.rule for f in r.findings}


def test_curated_generators_bring_their_terms(tmp_path):
    r = check(tmp_path, "license: apache-2.0\ndatasets:\n- vicgalle/alpaca-gpt4")
    assert {(f.rule, f.severity) for f in r.findings} == {("noncommercial-data", "error"),
                                                          ("generated-data-terms", "warning")}
    (ds,) = weightgate.check(str(tmp_path), config={}).models[0].datasets
    assert ds["generated_by"] == ["OpenAI GPT-4"] and ds["licenses"][0]["name"] == "cc-by-nc-4.0"


def test_generator_names_of_the_collection_pass_the_literal_gate():
    """Prose is only searched for generators on lines holding one of `_GENERATOR_WORDS`: every generator name
    the collection lists and a [[generator]] matches must hold one."""
    from weightgate import knowledge
    from weightgate.collect.datasets import _GENERATOR_WORDS

    kb = knowledge.load()
    names = {g for recs in dpi()["datasets"].values() for r in recs for g in r["generated"]}
    matched = {n for n in names if any(g.names(n.lower()) for g in kb.generators)}
    assert {"OpenAI GPT-4", "Claude 2.1", "Llama-3.1-405B-Instruct"} <= matched
    assert "OpenAI GPT-2" not in matched  # an open model, not the API
    for n in matched:
        assert any(w in n.lower() for w in _GENERATOR_WORDS), n


def test_curated_alpaca_keeps_precedence_and_its_error(tmp_path):
    r = check(tmp_path, "license: apache-2.0\ndatasets:\n- tatsu-lab/alpaca")
    (f,) = [f for f in r.findings if f.rule == "noncommercial-data"]
    assert f.severity == "error" and "models trained using the dataset" in f.message and "LICENSE-FACTS" in f.clause


def test_non_commercial_declaration_takes_the_data_on(tmp_path):
    r = check(tmp_path, "license: cc-by-nc-4.0\ndatasets:\n- tatsu-lab/alpaca\n- WizardLM/evol_instruct_70k")
    assert data_findings(r) == []


# ---- generated-data-terms ------------------------------------------------------------------------------------

@pytest.mark.parametrize("front,body,generators,line", [
    ("datasets:\n- LDJnr/Pure-Dove", "# M\n\nA model.\n", {"OpenAI"}, 4),
    ("datasets:\n- THUDM/LongAlign-10k", "# M\n\nA model.\n", {"OpenAI", "Anthropic"}, 4),
    ("", "# M\n\nWe fine-tuned on 70k ShareGPT conversations.\n", {"OpenAI"}, 6),
    ("", "# M\n\nTrained on GPT-4 generated instructions.\n", {"OpenAI"}, 6),
    ("", "# M\n\n## Training data\n\nSynthetic answers generated with Gemini 1.5 Pro.\n", {"Gemini"}, 8),
    ("", "# M\n\nSFT on responses from Claude 3 Opus.\n", {"Anthropic"}, 6),
    ("", "# M\n\nFine-tuned on answers generated by Qwen-72B-Chat.\n", {"Tongyi Qianwen"}, 6),
    ("", "# M\n\nLlama-3.1-8B fine-tuned on data generated by GPT-4o.\n", {"OpenAI"}, 6),  # the base is no generator
    ("", "# M\n\nQwen-7B fine-tuned on data generated by GPT-4 Turbo.\n", {"OpenAI"}, 6),
])
def test_competing_model_terms_of_the_generator(tmp_path, front, body, generators, line):
    r = check(tmp_path, f"license: apache-2.0\n{front}", body)
    found = [f for f in r.findings if f.rule == "generated-data-terms"]
    assert {(f.severity, f.line) for f in found} == {("warning", line)}, r.findings
    assert len(found) == len(generators)
    for g in generators:
        assert any(g in f.message + f.clause and ("compet" in f.clause or "any other large language model" in f.clause)
                   for f in found), (g, found)


@pytest.mark.parametrize("body", [
    "# M\n\nFine-tuned from Llama-3.1-8B on our own support tickets.\n",  # a base, not a generator
    "# M\n\nMistral-7B fine-tuned on synthetic data generated by our own team; it beats Llama 3.1 and GPT-4.\n",
    "# M\n\nWe compare with GPT-4 on MT-Bench.\n",
    "# M\n\nThis model card was generated automatically.\n",
    "# M\n\nAnswers scored by GPT-4 in the evaluation below were generated by the model.\n",
    "# M\n\nTrained on synthetic data generated by Qwen2.5-72B-Instruct.\n",  # licence not read for outputs
])
def test_mentions_that_are_not_generated_training_data(tmp_path, body):
    r = check(tmp_path, "license: apache-2.0", body)
    assert "generated-data-terms" not in {f.rule for f in r.findings}, r.findings


def test_non_commercial_model_may_train_on_openai_outputs(tmp_path):
    r = check(tmp_path, "license: cc-by-nc-4.0\ndatasets:\n- LDJnr/Pure-Dove")
    assert data_findings(r) == []


def test_llama31_outputs_bring_the_naming_duty(tmp_path):
    bad = check(tmp_path / "bad", "license: apache-2.0\nmodel_name: GSM-Reflect-7B\n"
                "datasets:\n- gretelai/synthetic-gsm8k-reflection-405b")
    (f,) = [f for f in bad.findings if f.rule == "generated-data-terms"]
    assert "“Llama”" in f.message and "GSM-Reflect-7B" in f.message and "§1.b.i" in f.clause
    assert "any outputs or results of the Llama Materials" in f.clause
    good = check(tmp_path / "good", "license: apache-2.0\nmodel_name: Llama-GSM-Reflect-7B\n"
                 "datasets:\n- gretelai/synthetic-gsm8k-reflection-405b")
    assert data_findings(good) == []
    prose = check(tmp_path / "prose", "license: apache-2.0\nmodel_name: MathTutor",
                  "# MathTutor\n\nTrained on synthetic data generated by Llama 3.3 70B Instruct.\n")
    assert "generated-data-terms" in {f.rule for f in prose.findings}


def test_a_quantization_keeps_its_authors_name(tmp_path):
    r = check(tmp_path, "license: apache-2.0\nmodel_name: GSM-Reflect-7B-GGUF\nquantized_by: someone\n"
              "datasets:\n- gretelai/synthetic-gsm8k-reflection-405b")
    assert "generated-data-terms" not in {f.rule for f in r.findings}


def test_gemma_distillation_makes_a_model_derivative(tmp_path):
    body = "# M\n\nDistilled from Gemma 2 27B: we trained on 1M synthetic answers it generated.\n"
    r = check(tmp_path / "a", "license: apache-2.0", body)
    (f,) = [f for f in r.findings if f.rule == "generated-data-terms"]
    assert "Model Derivative" in f.message and "§1.1(e)" in f.clause and "distillation" in f.clause
    declared = check(tmp_path / "b", "license: gemma", body)
    assert "generated-data-terms" not in {f.rule for f in declared.findings}


def test_data_rule_severities_are_configurable(tmp_path):
    cfg = {"severity": {"generated-data-terms": "error", "noncommercial-data": "off"}}
    r = check(tmp_path, "license: apache-2.0\ndatasets:\n- tatsu-lab/alpaca", config=cfg)
    assert {(f.rule, f.severity) for f in r.findings} == {("generated-data-terms", "error")}


# ---- report and docs ------------------------------------------------------------------------------------------

def test_json_report_lists_datasets_with_licences_classes_generators_and_evidence(tmp_path):
    check(tmp_path, "license: apache-2.0\ndatasets:\n- LDJnr/Capybara\n- acme/private-data")
    d = weightgate.check(str(tmp_path), config={}).to_dict()["models"][0]["datasets"]
    cap, private = d
    assert cap["id"] == "ldjnr/capybara" and cap["use"] == "NC" and cap["mixed"] is True
    assert "OpenAI GPT-4" in cap["generated_by"] and len(cap["sources"]) == 11
    assert {"name": "CC BY-NC 4.0", "use": "NC"}.items() <= next(
        l for l in cap["licenses"] if l["name"] == "CC BY-NC 4.0").items()
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(DATA_DIR) / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(weightgate.check(str(tmp_path), config={}).to_dict(), schema)
    assert cap["license"] is None  # Apache, MIT, CC BY-NC … over its subsets
    assert private == {"id": "acme/private-data", "as_written": "acme/private-data", "license": None, "use": None, "mixed": False,
                       "licenses": [], "generated_by": [], "evidence": [{"path": "README.md", "line": 5,
                                                                         "origin": "card:datasets"}], "sources": []}


def test_bom_data_components_carry_the_concluded_dataset_licence(tmp_path):
    write_tree(tmp_path, {"README.md": card("license: apache-2.0\ndatasets:\n- HuggingFaceH4/no_robots\n"
                                            "- openassistant/oasst2")})
    proc = run_cli("bom", tmp_path)
    data = {c["name"]: c.get("licenses") for c in json.loads(proc.stdout)["components"] if c["type"] == "data"}
    assert data["HuggingFaceH4/no_robots"][0]["license"]["id"] == "CC-BY-NC-4.0"  # named as the card writes it
    assert data["openassistant/oasst2"][0]["license"]["id"] == "Apache-2.0"


def test_text_output_names_the_dataset_and_explain_documents_the_clauses(tmp_path):
    write_tree(tmp_path, {"README.md": card("license: apache-2.0\ndatasets:\n- LDJnr/Pure-Dove")})
    out = run_cli("check", tmp_path).stdout
    assert "[generated-data-terms] dataset ldjnr/pure-dove" in out
    doc = run_cli("explain", "generated-data-terms").stdout
    for words in ("Use Output to develop models that compete with OpenAI", "§1.b.i", "§1.1(e)", "Gemini API"):
        assert words in doc
