"""Which folders are models, and which licence files govern them."""
from __future__ import annotations

import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Iterable, List, Tuple

from .sources import Source
from .text import LazyPattern

CARD_NAMES = ("readme.md",)
CONFIG_NAMES = ("config.json", "adapter_config.json", "model_index.json")
WEIGHT_SUFFIXES = (".safetensors", ".gguf", ".onnx", ".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle",
                   ".safetensors.index.json", ".bin.index.json")
MERGEKIT_NAMES = ("mergekit_config.yml", "mergekit_config.yaml")

# LICENSE*, LICENCE*, COPYING*, NOTICE*, USE_POLICY*, LICENSE-*.md, *.license sidecars, and files whose
# names say they hold licence or policy terms (LICENSE_GEMMA.md, GEMMA_TERMS_OF_USE.md, Llama2-License.txt).
_LICENSE_NAME_SOURCE = (r"^(?:licen[cs]e|copying|notice|use[_-]?policy|acceptable[_-]?use[_-]?policy)(?:[._-].*)?$"
                        r"|licen[cs]e|terms[_-]of[_-]use|use[_-]policy|prohibited[_-]use")
# Names are lower-cased before matching, so an ASCII name needs no IGNORECASE, which triples the pattern's
# compile time (a part of every check's start-up); other names keep it (it also matches "ſ" to "s").
_LICENSE_NAME_ASCII = re.compile(_LICENSE_NAME_SOURCE)
_LICENSE_NAME = LazyPattern(_LICENSE_NAME_SOURCE, re.I)
_TEXT_SUFFIXES = ("", ".txt", ".md", ".rst", ".markdown", ".license")


def license_role(name: str) -> str:
    low = name.lower()
    if low.endswith(".license") and low not in ("license", ".license"):
        return "sidecar"
    if low.startswith("notice"):
        return "notice"
    if "use_policy" in low or "use-policy" in low or "acceptable" in low or "prohibited" in low:
        return "use-policy"
    return "license"


def is_license_file(name: str) -> bool:
    low = name.lower()
    if low.endswith((".py", ".json", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".html", ".js", ".css")):
        return False
    if not (_LICENSE_NAME_ASCII if low.isascii() else _LICENSE_NAME).search(low):
        return False
    base, dot, ext = low.rpartition(".")
    suffix = "." + ext if dot and not base.startswith(("licen", "copying", "notice")) else ""
    if low.endswith(".license"):
        return True
    return suffix in _TEXT_SUFFIXES or low.startswith(("licen", "copying", "notice", "use_policy", "use-policy"))


def _has_weight(files: Iterable[str]) -> bool:
    return any(f.lower().endswith(WEIGHT_SUFFIXES) for f in files)


def is_model_folder(files: List[str], card_is_model: bool) -> bool:
    low = [f.lower() for f in files]
    return (any(n in low for n in CONFIG_NAMES) or any(n in low for n in MERGEKIT_NAMES) or _has_weight(files)
            or card_is_model)


def find_card(files: List[str]):
    for f in files:
        if f.lower() in CARD_NAMES:
            return f
    return None


def walk_model_folders(source: Source, top: str, card_says_model) -> List[Tuple[str, List[str]]]:
    """(folder, files) for every model folder under `top`. `card_says_model(path)` decides whether a folder
    holding only a README.md is a model (its front matter has model-card keys).

    A folder without a model card inside a model folder that has one (`onnx/`, diffusers' `unet/`, a
    `checkpoint-500/`) is part of that model: its files join the parent's, as paths relative to it. So is a
    trainer's `checkpoint-N/` with a card of its own (PEFT writes a template card into each): its configs are
    judged against the model's card (base-conflict), not on their own.
    """
    found: List[Tuple[str, List[str]]] = []
    carded = {}
    owner_below = {}  # folder -> the carded model folder that owns what is below it (walk order: parents first)
    for folder, _dirs, files in source.walk(top):
        parent = folder.rpartition("/")[0] if folder != top else None
        owner = owner_below.get(parent)
        card = find_card(files)
        card_path = f"{folder}/{card}" if folder and card else card
        has_card = bool(card_path and card_says_model(card_path))
        # a trainer's checkpoint-N/ is part of the run, even with PEFT's template card
        trainer_step = bool(has_card and owner is not None and _CHECKPOINT_DIR.match(folder.rsplit("/", 1)[-1]))
        owner_below[folder] = folder if has_card and not trainer_step else owner
        if not (has_card or is_model_folder(files, False)):
            continue
        if not has_card and folder != top and is_test_fixture(source, folder, files):
            continue
        if owner is not None and (not has_card or trainer_step):
            prefix = folder[len(owner) + 1:] if owner else folder
            carded[owner].extend(f"{prefix}/{n}" for n in files)
            continue
        entry = (folder, list(files))
        found.append(entry)
        if has_card:
            carded[folder] = entry[1]
    return found


# A test fixture is not a model: a folder under tests/ (test/, testdata/, fixtures/) without a model card whose
# weight files are all too small to hold any model's tensors (a 2-byte `model.safetensors` next to a
# `config.json` naming a Llama id). Named on the command line it is checked like any folder.
TEST_DIRS = ("tests", "test", "testdata", "test_data", "fixtures", "__fixtures__")
FIXTURE_WEIGHT_BYTES = 1024


def is_test_fixture(source: Source, folder: str, files: List[str]) -> bool:
    if not any(part.lower() in TEST_DIRS for part in folder.split("/")):
        return False
    for name in files:
        path = _join(folder, name)
        if not name.lower().endswith(WEIGHT_SUFFIXES):
            continue
        if source.kind(path) != "file" or source.size(path) >= FIXTURE_WEIGHT_BYTES:
            return False
        if source.read_bytes(path, 64).startswith(b"version https://git-lfs"):
            return False  # a Git LFS pointer stands for real weights
    return True


_CHECKPOINT_DIR = re.compile(r"checkpoint-\d+$")


def governing_files(source: Source, folder: str, stop_at: str) -> List[Tuple[str, int]]:
    """Licence files in `folder` and every folder above it up to `stop_at` (inclusive), with their distance.

    Also the files of a `LICENSES/` folder (REUSE) at each level. Each level is looked at once per Source: the
    answer for a folder is its own files plus its parent's answer one step further away.
    """
    memo = source._memo("governing")
    key = (folder, stop_at)
    hit = memo.get(key)
    if hit is not None:
        return list(hit)
    out = _licence_files_in(source, folder)
    inside = not stop_at or folder == stop_at or folder.startswith(stop_at + "/")
    if folder and folder != stop_at and inside:
        parent = folder.rsplit("/", 1)[0] if "/" in folder else ""
        out += [(p, d + 1) for p, d in governing_files(source, parent, stop_at)]
    memo[key] = tuple(out)
    return out


def _licence_files_in(source: Source, folder: str) -> List[Tuple[str, int]]:
    dirs, files = source.listdir(folder)
    out = [(_join(folder, name), 0) for name in files if is_license_file(name)]
    if "LICENSES" in dirs or "LICENSES" in source.entries(folder)[0]:
        lic_dir = _join(folder, "LICENSES")
        out += [(_join(lic_dir, name), 0) for name in source.listdir(lic_dir)[1]]
    return out


def list_files(source: Source, folder: str) -> List[str]:
    """The files directly in `folder` (none when it is not a readable directory)."""
    return list(source.listdir(folder)[1])


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name
