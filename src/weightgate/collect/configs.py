"""JSON and YAML configs that name a base model: adapter_config.json (PEFT), config.json / model_index.json
(transformers, diffusers) and mergekit configs."""
from __future__ import annotations

import json
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, List, Optional

from ..facts import Fact, Problem
from ..text import LazyPattern

MAX_JSON_DEPTH = 200
MAX_MERGE_INPUTS = 256  # a merge of more models than this is not a real config; keeps the work bounded
_JSON_ERR_LINE = LazyPattern(r"line (\d+)")


def json_depth_ok(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when brackets nest at most `limit` deep (the stdlib parser recurses once per level)."""
    depth = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def load_json(path: str, text: str):
    """(data, problem fact or None)."""
    if not json_depth_ok(text):
        return None, Fact("problem", Problem("metadata-invalid", f"JSON nests more than {MAX_JSON_DEPTH} levels deep",
                                             "this is not a real config; regenerate the file"), path, 1, "json")
    try:
        return json.loads(text), None
    except ValueError as e:
        m = _JSON_ERR_LINE.search(str(e))
        return None, Fact("problem", Problem("metadata-invalid", f"not valid JSON: {str(e).split(':')[0]}",
                                             "fix the JSON syntax"), path, int(m.group(1)) if m else 1, "json")


def key_line(text: str, key: str) -> int:
    """Line of the first `"key":` in a JSON text (1 when absent)."""
    i = text.find(f'"{key}"')
    return text.count("\n", 0, i) + 1 if i >= 0 else 1


def read_adapter_config(path: str, text: str) -> List[Fact]:
    data, problem = load_json(path, text)
    if problem:
        return [problem]
    if not isinstance(data, dict):
        return [Fact("problem", Problem("metadata-invalid", "adapter_config.json is not a JSON object",
                                        "regenerate it with PEFT's save_pretrained"), path, 1, "adapter_config")]
    out = [Fact("relation", "adapter", path, key_line(text, "peft_type"), "adapter_config")]
    base = data.get("base_model_name_or_path")
    if isinstance(base, str) and base.strip():
        out.append(Fact("base", base.strip(), path, key_line(text, "base_model_name_or_path"),
                        "adapter_config:base_model_name_or_path"))
    elif base is not None:
        out.append(Fact("problem", Problem("metadata-invalid", "`base_model_name_or_path` must be a string",
                                           "set it to the base model's Hub id"), path,
                        key_line(text, "base_model_name_or_path"), "adapter_config"))
    rev = data.get("revision")
    if isinstance(rev, str) and rev:
        out.append(Fact("revision", rev, path, key_line(text, "revision"), "adapter_config:revision"))
    return out


def read_model_config(path: str, text: str) -> List[Fact]:
    """config.json (transformers) or model_index.json (diffusers)."""
    data, problem = load_json(path, text)
    if problem:
        return [problem]
    if not isinstance(data, dict):
        return [Fact("problem", Problem("metadata-invalid", f"{path.rsplit('/', 1)[-1]} is not a JSON object",
                                        "regenerate it with save_pretrained"), path, 1, "config")]
    out = []
    name = data.get("_name_or_path")
    if isinstance(name, str) and name.strip():
        out.append(Fact("base_weak", name.strip(), path, key_line(text, "_name_or_path"), "config:_name_or_path"))
    if isinstance(data.get("quantization_config"), dict):
        out.append(Fact("relation", "quantized", path, key_line(text, "quantization_config"),
                        "config:quantization_config"))
    return out


def looks_like_mergekit(text: str) -> bool:
    return "merge_method" in text


def read_mergekit(path: str, text: str) -> List[Fact]:
    import yaml

    from .yamlsafe import load  # SafeLoader with bounds on size, alias expansion and recursion

    try:
        _node, data = load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        return [Fact("problem", Problem("metadata-invalid", f"mergekit config is not valid YAML: {getattr(e, 'problem', e)}",
                                        "fix the YAML syntax"), path, (mark.line + 1) if mark else 1, "mergekit")]
    except RecursionError:
        return [Fact("problem", Problem("metadata-invalid", "mergekit config nests too deeply",
                                        "simplify the YAML"), path, 1, "mergekit")]
    if not isinstance(data, dict):
        return []
    refs: List[str] = []

    def items(v: Any) -> list:  # a list in the right place, or nothing (mergekit would reject the file)
        return v if isinstance(v, list) else []

    def add(v: Any) -> None:
        if len(refs) >= MAX_MERGE_INPUTS:
            return
        if isinstance(v, dict):
            v = v.get("model")
        if isinstance(v, dict):  # mergekit's {model: {model: {path: …}}} long form
            v = (v.get("model") or {}).get("path") if isinstance(v.get("model"), dict) else v.get("path")
        if isinstance(v, str) and v.strip():
            # "org/model+org/lora" applies a LoRA before merging: both are bases
            for part in v.split("+"):
                if part.strip() and part.strip() not in refs:
                    refs.append(part.strip())

    add(data.get("base_model"))
    for m in items(data.get("models")):
        add(m)
    for s in items(data.get("slices")):
        if isinstance(s, dict):
            for src in items(s.get("sources")):
                add(src)
    out = [Fact("relation", "merge", path, 1, "mergekit")]
    for r in refs:
        out.append(Fact("base", r, path, _text_line(text, r), "mergekit"))
    return out


def _text_line(text: str, needle: str) -> int:
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else 1


def name_from_path(path: str) -> Optional[str]:
    return path.rsplit("/", 1)[-1] if path else None
