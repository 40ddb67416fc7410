"""Compiling the TOML knowledge data into knowledge.json (`python -m weightgate.knowledge`, or in memory when the
compiled file is missing or stale). Never imported by a check whose knowledge.json is fresh: the reading side is
in __init__.py (_Compiled, _build)."""
from __future__ import annotations

import os
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List

from ..text import normalise
from . import (COMPILED, DATA_DIR, FORMAT, STAMP, Knowledge, _checksum, _Compiled, _family, _FamilyLookup,
               _read_sources, _restriction_groups, _source_files)


def _toml_loads(text: str) -> dict:
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # pragma: no cover
        import tomli as tomllib
    return tomllib.loads(text)



def compile_data(data_dir: str = DATA_DIR) -> str:
    """Write knowledge.json from the TOML sources, and the stamp that vouches for it in this folder (a
    developer command; never run by a check). knowledge.json is rewritten only when its bytes change."""
    stamp_path = os.path.join(data_dir, STAMP)
    tmp = stamp_path + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        start = os.fstat(fd).st_mtime_ns  # a new file's mtime: the file system's clock before any source is read
        names = _source_files(data_dir)
        files = []
        for name in ["licenses"] + names:
            st = os.stat(os.path.join(data_dir, name))
            files.append([name.replace(os.sep, "/"), st.st_size, st.st_mtime_ns])
        blob = compile_sources(data_dir)
        checksum = _Compiled(blob).header["sources_checksum"]
        path = os.path.join(data_dir, COMPILED)
        try:
            with open(path, "rb") as f:
                unchanged = f.read() == blob
        except OSError:
            unchanged = False
        if not unchanged:
            with open(path + ".tmp", "wb") as f:
                f.write(blob)
            os.replace(path + ".tmp", path)
        import json

        os.write(fd, json.dumps({"format": FORMAT, "checksum": checksum, "start": start, "files": files},
                                separators=(",", ":")).encode() + b"\n")
    finally:
        os.close(fd)
    os.replace(tmp, stamp_path)
    return path


def compile_sources(data_dir: str) -> bytes:
    """What knowledge.json holds when it is fresh: the TOML sources as they are now, compiled."""
    names = _source_files(data_dir)
    contents = _read_sources(data_dir, names)
    return compile_raw(_parse_sources(names, contents, _checksum(names, contents)))


def _parse_sources(names: List[str], contents: List[bytes], checksum: str) -> dict:
    raw = {"sources_checksum": checksum, "licenses": []}
    for name, content in zip(names, contents):
        parsed = _toml_loads(content.decode("utf-8"))
        if name.startswith("licenses"):
            raw["licenses"].append([name.replace(os.sep, "/"), parsed])
        else:
            raw[name[: -len(".toml")]] = parsed
    return raw


def _tables(raw: dict):
    """(source file, licence table) for every licence table of the data, in order."""
    for name, table_file in raw["licenses"]:
        for table in table_file.get("license", [table_file]):  # one licence per file, or [[license]] tables
            yield name, table


def compile_raw(raw: dict) -> bytes:
    """knowledge.json: one JSON array, one element a line. The first is the header, everything a check needs
    at once: the look-up indexes, the small tables already in the form the records take, and for each lazy
    part its place [start, end] in bytes from the start of the second line. Every other line is one part,
    decoded when first used: a licence table (its place is followed by its source file and use-restriction
    groups), the family list, a licence's coverage entry. ASCII only: one non-ASCII character makes a whole
    text a wider string, and reading it twice as slow."""
    import json

    def dumps(value, sort_keys=True) -> str:
        return json.dumps(value, ensure_ascii=True, sort_keys=sort_keys, separators=(",", ":"), default=str)

    parts: List[str] = []
    size = 0

    def part(value) -> List[int]:
        nonlocal size
        text = dumps(value)
        parts.append(text)
        size += len(text) + 2  # the ",\n" that ends its line
        return [size - len(text) - 2, size - 2]

    kb = Knowledge()
    licenses = {}
    for name, table in _tables(raw):
        kb._add_tables(table, name)  # validates the table and indexes its names
        entry = part(table) + [name] + _restriction_groups(table)
        for lid in [table.get("id")] + [v.get("id") for v in table.get("variants", [])]:
            licenses[lid] = entry
    fam, ds = raw["families"], raw["datasets"]
    header = {
        "format": FORMAT,
        "sources_checksum": raw["sources_checksum"],
        "index": {"exact": part(_plain_values(kb._by_exact)), "declared": part(_plain_values(kb._by_declared)),
                  "fingerprints": kb._fp_index},
        "licenses": licenses,  # in file order (not sorted): iterating the licences follows the data files
        "hub_ids": raw["hub_licenses"]["ids"],
        "families": {
            "family": part(fam.get("family", [])),
            "lookup": part(_FamilyLookup.data_of([_family(x) for x in fam.get("family", [])])),
            "reuploaders": {r["org"].lower(): r.get("evidence", "") for r in fam.get("reuploader", [])},
            "reupload_suffixes": [s.lower() for s in fam.get("reupload_suffixes", [])],
            "reupload_patterns": fam.get("reupload_suffix_patterns", []),
            "restricted_name_words": [w.lower() for w in fam.get("restricted_name_words", [])],
            # globs keep their "*" (normalise would strip it as markdown emphasis)
            "generic_titles": [" ".join(t.lower().split()) if "*" in t else normalise(t)
                               for t in fam.get("generic_titles", [])],
        },
        "datasets": [dict(ids=[i.lower() for i in x.get("ids", [])], names=[normalise(n) for n in x.get("names", [])],
                          license=x["license"], evidence=x.get("evidence", ""),
                          reaches_models=x.get("reaches_models", ""), generated_by=list(x.get("generated_by", ())))
                     for x in ds.get("dataset", [])],
        "generators": ds.get("generator", []),
        "coverage": {lid: part(entry) for lid, entry in raw.get("coverage", {}).items()},
    }
    body = ",\n".join(parts) + "\n]\n"
    header["body"] = len(body)
    return ("[" + dumps(header, sort_keys=False) + ",\n" + body).encode("ascii")


def _plain_values(index: Dict[str, str]) -> Dict[str, str]:
    # _value_of reads a value up to its closing quote: no value may hold a quote or a backslash
    bad = [v for v in index.values() if '"' in v or "\\" in v]
    if bad:
        raise ValueError(f"licence ids must not hold quotes or backslashes: {bad}")
    return index
