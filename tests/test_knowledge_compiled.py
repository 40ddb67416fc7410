"""The shipped knowledge.json is the TOML data compiled; a stale one is ignored (the TOML is parsed instead).

knowledge.json is decoded in parts (licence tables, families, coverage entries when first used; the name
indexes searched in place), and the stamp a compile leaves beside it vouches for the sources by their stats.
These tests hold both to the answers of a plain decode of the TOML.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from weightgate import knowledge
from weightgate.knowledge import compiler
from weightgate.knowledge.compiler import _toml_loads

DATA = knowledge.DATA_DIR


def _toml(data_dir, name: str) -> dict:
    with open(os.path.join(data_dir, name), encoding="utf-8") as f:
        return _toml_loads(f.read())


@pytest.fixture()
def data(tmp_path):
    """A copy of the data folder with a fresh compile and stamp of its own (mtimes as a checkout has them)."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy, ignore=shutil.ignore_patterns(knowledge.STAMP + "*"))
    compiler.compile_data(str(copy))
    return copy


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_compiled_knowledge_is_fresh():
    # byte for byte: a change to the data or to how it is compiled both need a new knowledge.json
    with open(os.path.join(DATA, knowledge.COMPILED), "rb") as f:
        shipped = f.read()
    assert shipped == compiler.compile_sources(DATA), (
        "src/weightgate/data or its compile changed: run `python -m weightgate.knowledge` and commit knowledge.json")


def test_compiled_file_is_one_json_document_with_its_header_first():
    with open(os.path.join(DATA, knowledge.COMPILED), encoding="ascii") as f:
        whole = json.load(f)
    header = whole[0]
    assert header["format"] == knowledge.FORMAT and header["sources_checksum"].startswith("crc32:")
    assert len(whole) == 1 + len({tuple(e[:2]) for e in header["licenses"].values()}) + 4 + len(header["coverage"])  # exact, declared, families, their look-up


def test_stale_compiled_file_is_ignored(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    _edit(data / "licenses" / "mit.toml", 'name = "MIT License"', 'name = "MIT Licence (edited)"')
    kb = knowledge.load(str(data))
    assert kb.get("mit").name == "MIT Licence (edited)"


def test_a_same_size_edit_after_the_compile_is_seen(data):
    assert knowledge._stamp_vouches(str(data), knowledge._Compiled((data / knowledge.COMPILED).read_bytes())
                                    .header["sources_checksum"])
    _edit(data / "licenses" / "mit.toml", 'name = "MIT License"', 'name = "MIT Licensf"')
    assert knowledge.load(str(data)).get("mit").name == "MIT Licensf"


def test_a_licence_file_added_after_the_compile_is_seen(data):
    shutil.copy(data / "licenses" / "mit.toml", data / "licenses" / "zz-added.toml")
    _edit(data / "licenses" / "zz-added.toml", 'id = "mit"', 'id = "zz-added"')
    kb = knowledge.load(str(data))
    assert "zz-added" in kb.licenses and kb.get("zz-added").name == "MIT License"


def test_a_deleted_licence_file_is_seen(data):
    os.remove(data / "licenses" / "mit.toml")
    kb = knowledge.load(str(data))
    assert "mit" not in kb.licenses and kb.lookup("MIT") is None


def test_the_stamp_vouches_only_for_sources_older_than_the_compile(data):
    checksum = knowledge._Compiled((data / knowledge.COMPILED).read_bytes()).header["sources_checksum"]
    stamp_path = data / knowledge.STAMP
    stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    assert knowledge._stamp_vouches(str(data), checksum)
    assert not knowledge._stamp_vouches(str(data), "crc32:00000000:1")  # another compile's stamp
    # a source written in the compile's own clock tick may be edited again without its mtime moving
    racy = dict(stamp, start=min(mtime for _name, _size, mtime in stamp["files"]))
    stamp_path.write_text(json.dumps(racy), encoding="utf-8")
    assert not knowledge._stamp_vouches(str(data), checksum)
    stamp_path.write_text("{not json", encoding="utf-8")
    assert not knowledge._stamp_vouches(str(data), checksum)
    os.remove(stamp_path)
    assert not knowledge._stamp_vouches(str(data), checksum)


def test_without_a_stamp_the_sources_are_checked(data):
    # a fresh clone or an installed wheel: no stamp, every mtime new; the checksum decides
    os.remove(data / knowledge.STAMP)
    assert knowledge._compiled_if_fresh(str(data)) is not None
    _edit(data / "licenses" / "mit.toml", 'name = "MIT License"', 'name = "MIT Licensf"')
    assert knowledge._compiled_if_fresh(str(data)) is None
    assert knowledge.load(str(data)).get("mit").name == "MIT Licensf"


@pytest.mark.parametrize("damage", ["truncated", "not json", "old format", "empty"])
def test_a_damaged_compiled_file_falls_back_to_the_toml(data, damage):
    path = data / knowledge.COMPILED
    blob = path.read_bytes()
    path.write_bytes({"truncated": blob[: len(blob) // 2], "not json": b"[{oops\n]\n",
                      "old format": json.dumps({"sources_checksum": json.loads(blob[1:blob.index(b"\n")]
                                                                          .rstrip(b","))["sources_checksum"]}).encode(),
                      "empty": b""}[damage])
    assert knowledge._compiled_if_fresh(str(data)) is None
    kb = knowledge.load(str(data))
    assert kb.get("mit").name == "MIT License" and kb.lookup("Apache License, Version 2.0") == "apache-2.0"


def test_compiled_and_toml_give_the_same_knowledge(data):
    from_json = knowledge.load(str(data))
    os.remove(data / knowledge.COMPILED)
    from_toml = knowledge.load(str(data))
    assert from_json.licenses == from_toml.licenses and from_json.families == from_toml.families
    for attr in ("hub_ids", "reuploaders", "reupload_suffixes", "reupload_patterns", "restricted_name_words",
                 "generic_titles", "datasets", "generators"):
        assert getattr(from_json, attr) == getattr(from_toml, attr), attr
    assert dict(from_json.coverage_data.items()) == dict(from_toml.coverage_data.items())


def test_parts_first_used_after_load_equal_a_plain_decode_of_the_toml():
    kb = knowledge._build(knowledge._Compiled(compiler.compile_sources(DATA)))
    # nothing is decoded until asked
    assert not kb.licenses._built and kb._families is None
    assert all(type(v) is list for v in dict.values(kb.coverage_data))
    # a licence (and its variants) from its own table
    for name, lid in (("licenses/mit.toml", "mit"), ("licenses/llama2.toml", "llama2")):
        table = _toml(DATA, name)
        assert kb.licenses[lid] == next(iter(knowledge._parse_license(table, name)))
    variants = [(n, t) for n, t in compiler._tables({"licenses": [
        [f"licenses/{fn}", _toml(DATA, f"licenses/{fn}")] for fn in sorted(os.listdir(os.path.join(DATA, "licenses")))
        if fn.endswith(".toml")]}) if t.get("variants")]
    name, table = variants[0]
    for lic in knowledge._parse_license(table, name):
        assert kb.licenses[lic.id] == lic
    # the families, in file order
    assert kb.families == [knowledge._family(x) for x in _toml(DATA, "families.toml")["family"]]
    # a coverage entry
    coverage = _toml(DATA, "coverage.toml")
    lid = next(iter(coverage))
    assert kb.coverage_data[lid] == json.loads(json.dumps(coverage[lid], default=str))
    assert kb.coverage_data.get("no-such-licence") is None


def test_parts_read_from_the_file_by_position_equal_those_of_the_whole_file(data):
    compiled = knowledge._compiled_if_fresh(str(data))
    whole = knowledge._Compiled((data / knowledge.COMPILED).read_bytes())
    assert compiled.blob is None and compiled.header == whole.header
    h = compiled.header
    for place in [h["families"]["family"], *h["coverage"].values(), *h["index"].values()][:20]:
        if type(place[0]) is int:
            assert compiled.part(place) == whole.part(place)
    assert compiled.blob is None  # nothing read but the parts


def test_a_compiled_file_replaced_while_in_use(data):
    kb = knowledge.load(str(data))
    # by a copy of the same compile (a reinstall): the copy serves the parts
    blob = (data / knowledge.COMPILED).read_bytes()
    os.remove(data / knowledge.COMPILED)
    (data / knowledge.COMPILED).write_bytes(blob)
    assert kb.get("mit").name == "MIT License" and kb.lookup("Apache-2.0") == "apache-2.0"
    # removed, the TOML unchanged: the TOML compiled again is the same compile
    kb = knowledge.load(str(data))
    os.remove(data / knowledge.COMPILED)
    assert kb.get("gemma").name == knowledge.load().get("gemma").name and kb.get("gemma").name
    assert kb._by_exact._compiled.blob is not None
    # by another compile: no part of it is mixed with the header in use
    compiler.compile_data(str(data))
    _edit(data / "licenses" / "llama2.toml", 'id = "llama2"', 'id = "llama2"\n# edited')
    compiler.compile_data(str(data))
    kb = knowledge.load(str(data))
    _edit(data / "licenses" / "llama2.toml", '\n# edited', '\n# edited again')
    compiler.compile_data(str(data))
    with pytest.raises(RuntimeError, match="changed while weightgate used it"):
        kb.get("llama3")


def test_name_indexes_searched_in_place_answer_as_the_decoded_object():
    compiled = knowledge._Compiled(compiler.compile_sources(DATA))
    for which in ("exact", "declared"):
        text = compiled.body(compiled.header["index"][which])
        decoded = json.loads(text)
        assert decoded and all(knowledge._value_of(text, key) == value for key, value in decoded.items())
        for absent in ("", "mi", "it", "apache", 'x","mit', "{", ",", "\\", '"', "mit\n"):
            if absent not in decoded:
                assert knowledge._value_of(text, absent) is None, absent


def test_extended_knowledge_lets_a_users_names_win_without_changing_the_built_in():
    kb = knowledge.load()
    own = knowledge.extended(kb, [{"id": "acme-1.0", "name": "ACME Licence", "kind": "proprietary-custom",
                                   "license_names": ["mit"], "relabel": {"mode": "same"}}], "pyproject.toml")
    assert own.lookup("mit") == "acme-1.0" and own.lookup("ACME Licence") == "acme-1.0"
    assert kb.lookup("mit") == "mit" and kb.lookup("ACME Licence") is None
    assert own.lookup("Apache-2.0") == kb.lookup("Apache-2.0") == "apache-2.0"


def test_the_wheel_ships_the_compiled_file_and_no_stamp(tmp_path):
    pytest.importorskip("hatchling")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isfile(os.path.join(root, "pyproject.toml")) or not DATA.startswith(root):
        pytest.skip("not a source checkout")
    env = dict(os.environ, PIP_NO_INDEX="1")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q",
                        "-w", str(tmp_path / "dist"), root], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert "weightgate/data/knowledge.json" in names
        assert not any(knowledge.STAMP in n for n in names)
        z.extractall(tmp_path / "installed", [n for n in names if n.startswith("weightgate/data/")])
    # installed: every mtime is the installation's, no stamp; the sources' checksum vouches for the file
    installed = str(tmp_path / "installed" / "weightgate" / "data")
    assert knowledge._compiled_if_fresh(installed) is not None


def test_family_lookup_read_from_the_compile_is_the_one_computed_from_the_records():
    """The registry's look-up indexes ship precomputed; a look-up builds only the records it returns."""
    kb = knowledge._build(knowledge._Compiled(compiler.compile_sources(DATA)))
    assert kb.family_for("meta-llama/llama-2-7b-hf")[0].license == "llama2"
    assert kb.family_for_name("CodeLlama-7B") is not None and "meta-llama" in kb.known_orgs()
    assert kb._families is None and 0 < len(kb._family_records) < 10
    computed = json.loads(json.dumps(knowledge._FamilyLookup.data_of(kb.families)))
    assert kb._lookup_data() == computed
    fresh = knowledge._build(knowledge._Compiled(compiler.compile_sources(DATA)))
    fresh.families = list(kb.families)  # families set by hand: the indexes are computed from them
    for name in ("meta-llama/llama-2-7b-hf", "thebloke/llama-2-7b-chat-gguf", "qwen/qwen2.5-7b-instruct", "nobody/x"):
        assert fresh.family_for(name) == kb.family_for(name)
