"""The shipped knowledge.json is the TOML data compiled; a stale one would be ignored (and slow)."""
from __future__ import annotations

import json
import os
import shutil

from weightgate import knowledge


def test_compiled_knowledge_is_fresh():
    names = knowledge._source_files(knowledge.DATA_DIR)
    with open(os.path.join(knowledge.DATA_DIR, knowledge.COMPILED), encoding="utf-8") as f:
        compiled = json.load(f)
    assert compiled["sources_checksum"] == knowledge._digest(knowledge.DATA_DIR, names), (
        "src/weightgate/data changed: run `python -m weightgate.knowledge` and commit knowledge.json")


def test_stale_compiled_file_is_ignored(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(knowledge.DATA_DIR, data)
    lic = data / "licenses" / "mit.toml"
    lic.write_text(lic.read_text(encoding="utf-8").replace('name = "MIT License"', 'name = "MIT Licence (edited)"'),
                   encoding="utf-8")
    kb = knowledge.load(str(data))
    assert kb.get("mit").name == "MIT Licence (edited)"


def test_compiled_and_toml_give_the_same_knowledge(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(knowledge.DATA_DIR, data)
    from_json = knowledge.load(str(data))
    os.remove(data / knowledge.COMPILED)
    from_toml = knowledge.load(str(data))
    assert from_json.licenses == from_toml.licenses and from_json.families == from_toml.families
