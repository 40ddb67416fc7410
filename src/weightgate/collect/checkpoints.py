"""Facts from model weight files: licence, base model, name and relation stamped in checkpoint metadata.

Only headers are read (readers/), each file at most once; pickles are never opened. Broken inputs become
`problem` facts: metadata-invalid (corrupt header, missing shard), checkpoint-unverifiable (LFS pointer
without its object, unreadable file), pickle-checkpoint (a pickle, judged by its name alone).

Fact kinds beyond facts.Fact's list: "base_hint" (something that may name a base but is not a Hub id,
e.g. kohya's ss_sd_model_name "v1-5-pruned.safetensors"; the lineage stage decides what it means), "sha256"
(the file's hash as its Git LFS pointer states it; the BOM lists it, nothing reads the weights for it),
"tensor_sha256" (ModelSpec's `modelspec.hash_sha256`: a hash of the tensor data only, not of the file).
"""
from __future__ import annotations

import importlib
import io
import posixpath
import re
import struct
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Callable, Dict, Iterable, List, Optional, Set, Tuple

from ..errors import ReadError
from ..facts import WARNING, Fact, Problem
from ..readers import lfs
from ..readers import safetensors as st_reader
from ..readers._io import PrefixedStream, load_json, read_exact
from ..sources import Source
from ..text import LazyPattern

CHECKPOINT_SUFFIXES = (".safetensors", ".gguf", ".onnx")
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
INDEX_SUFFIXES = (".safetensors.index.json", ".bin.index.json")

_SHARD = LazyPattern(r"^(?P<stem>.+)-\d{5}-of-(?P<total>\d{5})(?P<ext>\.[a-z]+)$")
_HF_URL = LazyPattern(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<rest>[^?#]*)", re.I)
_NOT_MODELS = ("datasets", "spaces", "docs", "blog", "papers", "collections", "organizations")
MAX_GGUF_BASES = 64

_FIX_CORRUPT = ("re-export the file with a current library, or re-download it; if it should be a Git LFS "
                "object, run `git lfs pull`")
_FIX_LFS = ("run `git lfs pull` (or `git lfs fetch` then `git lfs checkout`) so the object is present, "
            "then check again")
_FIX_PICKLE = ("convert it to safetensors in a sandbox (load it with PyTorch's `weights_only=True`, save it with "
               "`safetensors.torch.save_file`) and delete the pickle")


def is_index(name: str) -> bool:
    return name.lower().endswith(INDEX_SUFFIXES)


def is_checkpoint(name: str) -> bool:
    """A weight file, a shard index, or a pickle (by name; nothing is opened)."""
    low = name.lower()
    return low.endswith(CHECKPOINT_SUFFIXES) or low.endswith(PICKLE_SUFFIXES) or is_index(low)


def collect_checkpoints(files: List[str], source: Source, lfs_dirs: List[str]) -> List[Fact]:
    files = sorted(set(files))
    present = set(files)
    out: List[Fact] = []
    groups: Dict[str, str] = {}  # shard path -> group key, so shards stamped alike yield one set of facts
    for path in files:
        if is_index(posixpath.basename(path)):
            out.extend(_index(path, source, groups, present))
    seen: Set[Tuple[str, str, str, str]] = set()
    for path in files:
        name = posixpath.basename(path)
        low = name.lower()
        if is_index(low):
            continue
        if low.endswith(PICKLE_SUFFIXES):
            out.extend(_pickle(path, source))
            continue
        if not low.endswith(CHECKPOINT_SUFFIXES):
            continue
        group = groups.get(path) or _shard_group(path)
        for fact in _weight(path, source, lfs_dirs):
            if group and fact.kind != "problem":
                key = (group, fact.kind, str(fact.value), fact.origin)
                if key in seen:
                    continue
                seen.add(key)
            out.append(fact)
    return out


# --- problems -------------------------------------------------------------------------------------------

def _problem(path: str, rule: str, message: str, fix: str, origin: str, severity: Optional[str] = None) -> Fact:
    return Fact("problem", Problem(rule=rule, message=message, fix=fix, severity=severity), path, 1, origin)


def _pickle(path: str, source: Source) -> List[Fact]:
    name = posixpath.basename(path)
    stem = name.rsplit(".", 1)[0]
    parent = posixpath.dirname(path)
    if name.lower().endswith(".bin") and source.kind(posixpath.join(parent, stem + ".xml")) == "file":
        return []  # OpenVINO IR: raw weights next to their .xml graph, not a pickle
    return [_problem(path, "pickle-checkpoint",
                     f"{name} is a pickle checkpoint: loading it can run arbitrary code, and its metadata "
                     "(licence, base model) cannot be checked without loading it",
                     _FIX_PICKLE, "pickle", WARNING)]


# --- shard indexes --------------------------------------------------------------------------------------

def _index(path: str, source: Source, groups: Dict[str, str], present: Set[str]) -> List[Fact]:
    name = posixpath.basename(path)
    try:
        size = source.size(path)
        with source.open(path) as f:
            idx = st_reader.read_index(f, size, path)
    except ReadError as e:
        return [_problem(path, "metadata-invalid", f"{name}: invalid shard index: {e.message}",
                         "regenerate the index with the library that wrote the shards", "shard-index")]
    out: List[Fact] = []
    missing = []
    for shard in idx.shards:
        sp = st_reader.shard_path(path, shard)
        groups.setdefault(sp, path)
        # Shards listed with the folder's files need no stat; an LFS pointer counts as present (its object
        # is checked when the shard itself is read).
        if sp not in present and source.kind(sp) != "file":
            missing.append(shard)
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        out.append(_problem(path, "metadata-invalid",
                            f"{name} references {len(missing)} shard(s) that are not in the folder: {shown}",
                            "add the missing shards, or regenerate the index for the shards present",
                            "shard-index:weight_map"))
    return out


def _shard_group(path: str) -> Optional[str]:
    m = _SHARD.match(posixpath.basename(path))
    if not m:
        return None
    return posixpath.join(posixpath.dirname(path), f"{m['stem']}-*-of-{m['total']}{m['ext']}")


# --- weight files ---------------------------------------------------------------------------------------

# suffix → (format name, reader module): a reader is imported only when a folder has such a file.
_READERS: Dict[str, Tuple[str, str]] = {
    ".safetensors": ("safetensors", "safetensors"),
    ".gguf": ("GGUF", "gguf"),
    ".onnx": ("ONNX", "onnx"),
}

# Anything a reader lets slip would be a bug; still, a user's file must never crash the run.
_UNEXPECTED = (ValueError, struct.error, OverflowError, IndexError, KeyError, TypeError, UnicodeError,
               MemoryError, RecursionError, OSError)


def _weight(path: str, source: Source, lfs_dirs: List[str]) -> List[Fact]:
    name = posixpath.basename(path)
    suffix = "." + name.rsplit(".", 1)[-1].lower()
    fmt, module = _READERS[suffix]
    read = importlib.import_module(f"..readers.{module}", __package__).read_header
    try:
        stream = source.open(path)  # refuses symlinks leaving the root, FIFOs, directories
    except ReadError as e:
        return [_problem(path, "checkpoint-unverifiable", f"{name}: {e.message}; its metadata was not checked",
                         "make it a regular file inside the repository", "read", WARNING)]
    try:
        with stream as f:
            size = source.size(path)
            # Sniff for a Git LFS pointer with the first 8 bytes (every reader needs them anyway), then
            # hand the reader a stream that replays them: each byte is read once, and only header bytes.
            head = f.read(min(size, 8)) or b""
            if head == lfs.VERSION_LINE[:8] and size < lfs.MAX_POINTER:
                data = head + read_exact(f, size - len(head), path, "LFS pointer")
                if lfs.looks_like_pointer(data, size):
                    return _pointer(path, data, fmt, read, lfs_dirs)
                header = read(io.BytesIO(data), size, path)
            else:
                header = read(PrefixedStream(head, f), size, path)
    except ReadError as e:
        return [_problem(path, "metadata-invalid", f"{name}: corrupt {fmt} header: {e.message}",
                         _FIX_CORRUPT, suffix[1:])]
    except _UNEXPECTED as e:  # pragma: no cover - reader bug guard
        return [_problem(path, "metadata-invalid", f"{name}: unreadable {fmt} header ({type(e).__name__})",
                         _FIX_CORRUPT, suffix[1:])]
    return _facts(suffix, header, path)


def _pointer(path: str, data: bytes, fmt: str, read: Callable, lfs_dirs: List[str]) -> List[Fact]:
    name = posixpath.basename(path)
    try:
        ptr = lfs.parse_pointer(data, path)
    except ReadError as e:
        return [_problem(path, "metadata-invalid", f"{name}: malformed Git LFS pointer: {e.message}",
                         "restore the pointer with `git checkout -- <file>` or `git lfs pull`", "lfs")]
    digest = Fact("sha256", ptr.oid, path, 1, "lfs:oid")  # the pointer names the file's hash: a BOM lists it
    obj, why = lfs.resolve(ptr, lfs_dirs)
    if obj is None:
        return [_problem(path, "checkpoint-unverifiable",
                         f"{name} is a Git LFS pointer (oid {ptr.oid[:12]}…, {ptr.size} bytes) and the object "
                         f"is {why}; its licence and base-model metadata were not checked",
                         _FIX_LFS, "lfs", WARNING), digest]
    try:
        f, size = lfs.open_object(obj, path)
        with f:
            header = read(f, size, path)
    except ReadError as e:
        return [_problem(path, "metadata-invalid", f"{name} (Git LFS object {ptr.oid[:12]}…): corrupt {fmt} "
                                                   f"header: {e.message}", _FIX_CORRUPT, "lfs"), digest]
    except _UNEXPECTED as e:  # pragma: no cover - reader bug guard
        return [_problem(path, "metadata-invalid", f"{name}: unreadable {fmt} header ({type(e).__name__})",
                         _FIX_CORRUPT, "lfs"), digest]
    return _facts("." + name.rsplit(".", 1)[-1].lower(), header, path) + [digest]


def _facts(suffix: str, header, path: str) -> List[Fact]:
    if suffix == ".safetensors":
        return safetensors_facts(header.metadata, path)
    if suffix == ".gguf":
        return gguf_facts(header.metadata, path)
    return onnx_facts(header.metadata_props, path)


# --- metadata → facts -----------------------------------------------------------------------------------

def hub_ref(url: str) -> Optional[str]:
    """`https://huggingface.co/org/name[/tree/…]` → `org/name`; None for anything else."""
    m = _HF_URL.match(url.strip())
    if not m:
        return None
    parts = [p for p in m["rest"].split("/") if p]
    if not parts or parts[0].lower() in _NOT_MODELS:
        return None
    if parts[0] == "models":
        parts = parts[1:]
    ref = "/".join(parts[:2]) if len(parts) >= 2 and parts[1] not in ("tree", "blob", "resolve") else parts[0]
    return ref[:-4] if ref.endswith(".git") else ref


def _str(meta: dict, key: str) -> Optional[str]:
    v = meta.get(key)
    if isinstance(v, str) and v.strip():
        return v.strip()
    return None


def _collector(meta: dict, path: str, fmt: str):
    """(facts list, add(kind, key, value=None)): one fact per present metadata key, origin "<fmt>:<key>"."""
    out: List[Fact] = []

    def add(kind: str, key: str, value=None):
        v = value if value is not None else _str(meta, key)
        if v:
            out.append(Fact(kind, v, path, 1, f"{fmt}:{key}"))

    return out, add


def _hub_words(words: Optional[str]) -> str:
    """"Llama 3.1 8B Instruct" → "Llama-3.1-8B-Instruct": llama.cpp's metadata names in Hub spelling."""
    return re.sub(r"[^\w.-]+", "-", (words or "").strip()).strip("-")


def gguf_facts(meta: dict, path: str) -> List[Fact]:
    out, add = _collector(meta, path, "gguf")

    add("license", "general.license")
    add("license_name", "general.license.name")
    add("license_link", "general.license.link")
    add("name", "general.name")
    for key in ("general.name", "general.basename"):  # what the file calls itself (judged by base-conflict)
        add("self_name", key, _hub_words(_str(meta, key) or "") or None)
    parts = [_str(meta, k) for k in ("general.basename", "general.size_label", "general.finetune")]
    if parts[0] and (parts[1] or parts[2]):  # llama.cpp splits "Meta-Llama-3.1-8B-Instruct" into these
        add("self_name", "general.basename", "-".join(_hub_words(p) for p in parts if p))
    bases: List[str] = []
    count = meta.get("general.base_model.count")
    found = set(range(min(max(count, 0), MAX_GGUF_BASES))) if isinstance(count, int) and not isinstance(count, bool) \
        else set()
    for k in meta:  # entries past a wrong (or missing) count are still references
        m = re.match(r"general\.base_model\.(\d+)\.", k) if k.startswith("general.base_model.") else None
        if m and len(m.group(1)) < 4:
            found.add(int(m.group(1)))
    ids: Iterable[int] = sorted(found)[:MAX_GGUF_BASES]
    for i in ids:
        pre = f"general.base_model.{i}."
        url, org, nm = _str(meta, pre + "repo_url"), _str(meta, pre + "organization"), _str(meta, pre + "name")
        if url:
            ref = hub_ref(url) or url
            add("base", pre + "repo_url", ref)
            bases.append(ref.lower())
        elif nm:
            # llama.cpp writes the Hub owner and name in words ("Meta Llama", "Llama 3.1 8B Instruct"); back in
            # Hub spelling they are a reference like any other, resolved through the registry or reported unknown
            ref = f"{_hub_words(org)}/{_hub_words(nm)}" if org else _hub_words(nm)
            add("base", pre + "name", ref)
            bases.append(ref.lower())
    # general.source.* is the model this file was converted from. With base_model entries present it is
    # usually that same model or a finetune between them, so it is only a hint then (two "base" facts
    # would read as a merge).
    for key in ("general.source.repo_url", "general.source.url"):
        url = _str(meta, key)
        if not url:
            continue
        ref = hub_ref(url) or url
        if ref.lower() in bases:
            continue
        has_base_model = any(f.kind == "base" and f.origin.startswith("gguf:general.base_model.") for f in out)
        add("base_hint" if has_base_model else "base", key, ref)
        bases.append(ref.lower())
    gtype = _str(meta, "general.type")
    out.append(Fact("relation", "adapter" if gtype and gtype.lower() == "adapter" else "quantized", path, 1,
                    "gguf:general.type"))
    return out


def safetensors_facts(meta: Dict[str, str], path: str) -> List[Fact]:
    out, add = _collector(meta, path, "safetensors")

    add("license", "license")
    add("license", "modelspec.license")
    add("license_name", "license_name")
    add("license_link", "license_link")
    add("name", "modelspec.title")
    tensor_hash = (_str(meta, "modelspec.hash_sha256") or "").lower()
    tensor_hash = tensor_hash[2:] if tensor_hash.startswith("0x") else tensor_hash
    if re.fullmatch(r"[0-9a-f]{64}", tensor_hash):  # of the tensor data, not the file (ModelSpec README)
        add("tensor_sha256", "modelspec.hash_sha256", tensor_hash)
    base = _str(meta, "base_model")
    if base:
        for ref in _split_list(base):
            add("base", "base_model", hub_ref(ref) or ref)
    # kohya-ss names the checkpoint it trained on, usually a local file name: only a hint.
    add("base_hint", "ss_sd_model_name")
    add("base_hint", "ss_base_model_version")
    arch = _str(meta, "modelspec.architecture")
    if arch:
        # "stable-diffusion-v1/lora": the part before "/" is the base architecture, the rest the kind of
        # network (kept as the relation below).
        add("base_hint", "modelspec.architecture", arch.split("/", 1)[0].strip() or arch)
    network = _str(meta, "ss_network_module")
    if network or (arch and ("lora" in arch.lower() or "lycoris" in arch.lower())):
        # Any kohya network module (LoRA, LyCORIS, OFT, DyLoRA) is trained against a frozen base.
        key = "ss_network_module" if network else "modelspec.architecture"
        out.append(Fact("relation", "adapter", path, 1, "safetensors:" + key))
    return out


def _split_list(value: str) -> List[str]:
    """`base_model` is a single id, or (rarely) a JSON list written as a string."""
    if value.startswith("["):
        try:
            items = load_json(value.encode("utf-8", "replace"), "", "base_model")
        except ReadError:
            return [value]
        if isinstance(items, list) and all(isinstance(x, str) for x in items):
            return [x.strip() for x in items if x.strip()][:MAX_GGUF_BASES]
    return [value]


def onnx_facts(props: Dict[str, str], path: str) -> List[Fact]:
    out: List[Fact] = []
    for key in ("model_license", "license"):
        v = _str(props, key)
        if v:
            out.append(Fact("license", v, path, 1, "onnx:" + key))
    return out
