"""Import the Data Provenance Collection's dataset licences into weightgate's package data.

    python scripts/import_data_provenance.py PATH [--out src/weightgate/data/datasets_dpi.jsonl]

PATH is a checkout of https://github.com/Data-Provenance-Initiative/Data-Provenance-Collection or its bare git
directory (read at HEAD). For every record of `data_summaries/*.json` that names a Hugging Face dataset it
keeps the licences with the collection's use class (constants/license_classes.json; `Custom` licences by
their URL in constants/custom_license_classes.json), attribution and share-alike flags, the models that
generated the data, and the licence notes, keyed by the normalised Hub dataset id. The collection is
Apache-2.0: the output carries its attribution notice and the commit it was read from.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from weightgate.knowledge.datasets import DPI_FILE, hub_dataset_id

REPOSITORY = "https://github.com/Data-Provenance-Initiative/Data-Provenance-Collection"
NOTICE = ("Dataset licence facts from the Data Provenance Collection (Data Provenance Initiative, "
          f"{REPOSITORY}), licensed under the Apache License, Version 2.0; imported and reshaped (Hub ids "
          "normalised, records grouped by Hub id, notes shortened) by weightgate's scripts/import_data_provenance.py.")
NOTES_MAX = 300


class Tree:
    """Files of the collection from a checkout or from a bare git directory at HEAD."""

    def __init__(self, path: str):
        self.path = path
        self.bare = not os.path.isdir(os.path.join(path, "data_summaries"))

    def _git(self, *args: str) -> bytes:
        flag = f"--git-dir={self.path}" if self.bare else None
        cmd = ["git"] + ([flag] if flag else ["-C", self.path]) + list(args)
        return subprocess.run(cmd, check=True, capture_output=True).stdout

    def commit(self) -> str:
        return self._git("rev-parse", "HEAD").decode().strip()

    def names(self, folder: str):
        if not self.bare:
            return sorted(f"{folder}/{n}" for n in os.listdir(os.path.join(self.path, folder)))
        listing = self._git("ls-tree", "--name-only", "-z", f"HEAD:{folder}").decode()
        return sorted(f"{folder}/{n}" for n in listing.split("\0") if n)

    def read(self, name: str) -> bytes:
        if not self.bare:
            with open(os.path.join(self.path, name), "rb") as f:
                return f.read()
        return self._git("show", f"HEAD:{name}")


def _class(name: str, url: str, classes: dict, custom: dict):
    """[use, attribution, share_alike] the way the collection's filters.classify_license reads them."""
    use, attr, sa = (custom.get(url, ("?", "?", "?")) if name == "Custom" else classes.get(name, ("?", "?", "?")))
    flag = lambda v: int(v) if str(v).isnumeric() else 1  # noqa: E731  (unknown counts as required, as upstream)
    return use, flag(attr), flag(sa)


def import_collection(tree: Tree) -> dict:
    classes = json.loads(tree.read("constants/license_classes.json"))
    custom = json.loads(tree.read("constants/custom_license_classes.json"))
    datasets, missing, skipped = {}, [], 0
    for name in tree.names("data_summaries"):
        if not name.endswith(".json") or os.path.basename(name).startswith("_"):
            continue  # _template.json documents the schema
        try:
            records = json.loads(tree.read(name))
        except (OSError, subprocess.CalledProcessError, ValueError):
            missing.append(name)  # a snapshot may lack its largest files; say so in the output
            continue
        for key, rec in records.items():
            ids = [hub_dataset_id(u) for u in str(rec.get("Hugging Face URL") or "").split(";")
                   if "huggingface.co/datasets/" in u.lower() or "hf.co/datasets/" in u.lower()]
            ids = [i for i in ids if i]
            if not ids:
                skipped += 1
                continue
            lics = []
            for lic in rec.get("Licenses") or []:
                lname, url = str(lic.get("License", "")), str(lic.get("License URL", "") or "")
                lics.append([lname, url, *_class(lname, url, classes, custom)])
            notes = " ".join(str(rec.get("License Notes") or "").split())
            entry = {"record": key, "file": name, "licenses": lics,
                     "generated": [g for g in rec.get("Model Generated") or [] if isinstance(g, str)]}
            if notes:
                entry["notes"] = notes if len(notes) <= NOTES_MAX else notes[: NOTES_MAX - 1] + "…"
            for i in dict.fromkeys(ids):
                datasets.setdefault(i, []).append(entry)
    return {
        "source": {"repository": REPOSITORY, "commit": tree.commit(), "license": "Apache-2.0", "notice": NOTICE,
                   "generated_by": "scripts/import_data_provenance.py", "missing_files": missing,
                   "records_without_hub_id": skipped},
        "datasets": dict(sorted(datasets.items())),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("collection", help="checkout or bare git directory of Data-Provenance-Collection")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "src", "weightgate", "data",
                                                  DPI_FILE))
    args = ap.parse_args(argv)
    data = import_collection(Tree(args.collection))
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:  # a header line, then one line per id (see knowledge/datasets.py)
        header = {"source": data["source"], "ids": list(data["datasets"])}
        f.write(json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n")
        for did, recs in data["datasets"].items():
            f.write(json.dumps([did, recs], ensure_ascii=False, separators=(",", ":")) + "\n")
    os.replace(tmp, args.out)
    src = data["source"]
    print(f"{len(data['datasets'])} Hub dataset ids from {src['repository']} @ {src['commit'][:12]}"
          + (f"; missing: {', '.join(src['missing_files'])}" if src["missing_files"] else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
