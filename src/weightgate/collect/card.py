"""Model card (README.md): YAML front matter with the line of every key, and facts from the body text.

Front matter is found the way huggingface_hub finds it (a leading `---` block) and parsed with PyYAML's
SafeLoader; we keep the composed node tree so every key keeps its line.
"""
from __future__ import annotations

import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, Iterator, List, Optional, Tuple

from ..text import LazyPattern, normalise, slug
from ..facts import WARNING, Fact, Problem

# Keys people misspell, and what the Hub reads instead. A misspelt key is silently ignored by the Hub,
# so a licence written under it is no licence at all.
KEY_TYPOS = {
    "licence": "license", "licenses": "license", "licences": "license", "licensce": "license",
    "lisence": "license", "lisense": "license",
    "license_id": "license", "licence_name": "license_name", "license-name": "license_name",
    "licence_link": "license_link", "license-link": "license_link", "license_url": "license_link",
    "base-model": "base_model", "basemodel": "base_model", "base_models": "base_model",
    "base_model_name": "base_model", "base-model-relation": "base_model_relation",
    "dataset": "datasets", "model-name": "model_name",
}
RELATIONS = ("adapter", "merge", "quantized", "finetune")

_FRONT_OPEN = re.compile(r"\A\ufeff?(?:[ \t\r]*\n)*[ \t]*---[ \t]*\r?\n")
_FRONT_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)


def split_front_matter(text: str) -> Tuple[Optional[str], int, str, int]:
    """(yaml text or None, its first line, body, the body's first line)."""
    m = _FRONT_OPEN.match(text)
    if not m:
        return None, 0, text, 1
    close = _FRONT_CLOSE.search(text, m.end())
    if not close:
        return None, 0, text, 1
    yaml_text = text[m.end():close.start()]
    yaml_first = text.count("\n", 0, m.end()) + 1
    body_start = text.count("\n", 0, close.end()) + 2
    body = text[close.end():]
    if body.startswith("\n"):
        body = body[1:]
    elif body.startswith("\r\n"):
        body = body[2:]
    else:
        body_start -= 1
    return yaml_text, yaml_first, body, body_start


def _load_yaml_with_lines(yaml_text: str):
    """(data, {key: line offset (0-based)}) for the top-level mapping; raises yaml.YAMLError."""
    import yaml

    from .yamlsafe import load  # SafeLoader with bounds on size, alias expansion and recursion

    node, data = load(yaml_text)
    if node is None:
        return None, {}, {}, {}
    lines, item_lines, repeats, earlier = {}, {}, {}, {}
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            if isinstance(knode, yaml.ScalarNode):
                if knode.value in lines:
                    repeats.setdefault(knode.value, [(lines[knode.value], earlier[knode.value])]).append(
                        (knode.start_mark.line, _scalars(vnode)))
                lines[knode.value] = knode.start_mark.line
                earlier[knode.value] = _scalars(vnode)
                if isinstance(vnode, yaml.SequenceNode):
                    item_lines[knode.value] = [v.start_mark.line for v in vnode.value]
    return data, lines, item_lines, repeats


def _scalars(node) -> List[str]:
    """The string values of a scalar or a list of scalars (what a repeated key held before the last one won)."""
    import yaml

    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    return [n.value for n in items if isinstance(n, yaml.ScalarNode) and isinstance(n.value, str)]


def read_card(path: str, text: str) -> Tuple[List[Fact], str, int]:
    """Facts from a model card, plus (body, body's first line) for the rules that read prose."""
    facts: List[Fact] = []
    yaml_text, yaml_line, body, body_start = split_front_matter(text)
    if yaml_text is not None:
        facts.extend(_front_matter_facts(path, yaml_text, yaml_line))
    elif text.lstrip("\ufeff \t").startswith("---"):
        facts.append(Fact("problem", Problem("metadata-invalid", "front matter opens with `---` but is never closed",
                                             "close the YAML block with a line holding only `---`"), path, 1, "card"))
    facts.extend(body_facts(path, body, body_start))
    return facts, body, body_start


def _front_matter_facts(path: str, yaml_text: str, first: int) -> List[Fact]:
    import yaml

    try:
        data, key_lines, item_lines, repeats = _load_yaml_with_lines(yaml_text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = first + (mark.line if mark else 0)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        return [Fact("problem", Problem("metadata-invalid", f"front matter is not valid YAML: {problem}",
                                        "fix the YAML syntax (yamllint shows the exact spot)"), path, line, "card")]
    except RecursionError:
        return [Fact("problem", Problem("metadata-invalid", "front matter nests too deeply to read",
                                        "simplify the YAML"), path, first, "card")]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [Fact("problem", Problem("metadata-invalid",
                                        f"front matter is a YAML {type(data).__name__}, not a mapping of keys",
                                        "write the metadata as `key: value` lines"), path, first, "card")]

    out: List[Fact] = []

    def line_of(key: str) -> int:
        return first + key_lines.get(key, 0)

    def item_line(key: str, i: int) -> int:
        items = item_lines.get(key)
        return first + items[i] if items and i < len(items) else line_of(key)

    def bad_type(key: str, value: Any, expected: str) -> None:
        hint = ""
        if isinstance(value, bool):
            hint = " (YAML 1.1 reads unquoted yes/no/on/off as booleans)"
        out.append(Fact("problem", Problem(
            "metadata-invalid", f"`{key}` must be {expected}, found {type(value).__name__} {_short(value)}{hint}",
            f"quote the value: {key}: \"{_short(_yaml_scalar_text(value))}\"",
            # an unusable licence, base, dataset or name is a gap in the judgement; a language code read as a
            # boolean (`- no`, Norwegian) is only untidy metadata
            WARNING if key in _DESCRIPTIVE_KEYS else None), path, line_of(key), f"card:{key}"))

    def strings(key: str, kinds: str, allow_list: bool = True) -> None:
        if key not in data or data[key] is None:
            return
        value = data[key]
        items = value if (allow_list and isinstance(value, list)) else [value]
        for i, item in enumerate(items):
            if isinstance(item, str):
                out.append(Fact(kinds, item.strip(), path, item_line(key, i) if isinstance(value, list) else line_of(key),
                                f"card:{key}"))
            else:
                bad_type(key, item, "a string" + (" or a list of strings" if allow_list else ""))

    strings("license", "license")
    strings("license_name", "license_name", allow_list=False)
    strings("license_link", "license_link", allow_list=False)
    strings("base_model", "base")
    strings("base_model_relation", "relation", allow_list=False)
    strings("datasets", "dataset")
    strings("tags", "tag")
    strings("model_name", "name", allow_list=False)
    strings("language", "language")
    if isinstance(data.get("pipeline_tag"), str) and data["pipeline_tag"].strip():
        out.append(Fact("task", data["pipeline_tag"].strip(), path, line_of("pipeline_tag"), "card:pipeline_tag"))
    version = data.get("version")  # not a Hub key; some cards state one (a number is fine, YAML reads 1.0 so)
    if isinstance(version, (str, int, float)) and not isinstance(version, bool) and str(version).strip():
        out.append(Fact("version", str(version).strip(), path, line_of("version"), "card:version"))
    if isinstance(data.get("quantized_by"), str):
        out.append(Fact("relation", "quantized", path, line_of("quantized_by"), "card-meta:quantized_by"))
    if isinstance(data.get("extra_gated_prompt"), str) and len(data["extra_gated_prompt"]) > 500:
        out.append(Fact("embedded_license_text", data["extra_gated_prompt"], path, line_of("extra_gated_prompt"),
                        "card:extra_gated_prompt"))
    for key in ("model-index",):
        if isinstance(data.get(key), list):
            for entry in data[key]:
                if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    out.append(Fact("index_name", entry["name"], path, line_of(key), "card:model-index"))
            from .datasets import model_index_datasets  # training data the Trainer records there

            out.extend(model_index_datasets(path, data[key], yaml_text, first))
    out.extend(_ambiguous_key_facts(path, data, repeats, line_of, first))
    return out


# Card keys weightgate reads but judges nothing by.
_DESCRIPTIVE_KEYS = ("tags", "language")

# Keys the Hub reads from a model card. A key that differs only in case or punctuation (`License:`,
# `Base_model:`, `base-model:`) is a different key to the Hub's YAML, so its value is silently ignored.
HUB_KEYS = ("license", "license_name", "license_link", "base_model", "base_model_relation", "datasets", "tags",
            "model_name", "language", "library_name", "pipeline_tag", "model-index", "quantized_by", "inference")


def _skeleton(key: str) -> str:
    # `lіcense` with a Cyrillic і is another key to every parser, and nobody reviewing the card sees why the
    # licence is ignored
    from ..text import skeleton

    return skeleton(key)


def meant_key(key: str) -> Optional[str]:
    """The Hub key a misspelt or mis-cased key stands for, or None when it is fine (or unrelated)."""
    if key in HUB_KEYS:
        return None
    low = _skeleton(key).strip().lower()
    if low in HUB_KEYS:
        return low
    canon = low.replace(" ", "_").replace("-", "_")
    for want in HUB_KEYS:
        if canon == want.replace("-", "_"):
            return want
    known = KEY_TYPOS.get(low) or KEY_TYPOS.get(canon) or KEY_TYPOS.get(canon.replace("_", "-"))
    # one slip of the keyboard (or one undecodable byte) away from a licence or base key is that key
    return known or next((k for k in _LICENCE_KEYS if _one_edit(canon, k)), None)


_LICENCE_KEYS = ("license", "license_name", "license_link", "base_model", "base_model_relation")


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` differs from `b` by one inserted, deleted or replaced character or two swapped neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i + 1:] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1:]


def _ambiguous_key_facts(path: str, data: dict, repeats: dict, line_of, first: int) -> List[Fact]:
    """Keys read two ways: a key written twice (the Hub's YAML parser rejects the card; PyYAML keeps the last
    value), and misspelt or mis-cased keys (ignored by the Hub). Each is a finding; the value of a misspelt
    licence or base key is still taken, so a licence hidden under `License:` is judged like any other."""
    out: List[Fact] = []
    for key, seen in repeats.items():
        where = ", ".join(str(first + n) for n, _values in seen)
        out.append(Fact("problem", Problem(
            "metadata-invalid", f"`{key}` is written {len(seen)} times (lines {where}); the Hub rejects duplicate "
            "keys and other readers keep only the last value", f"keep one `{key}:` (a list holds several values)"),
            path, first + seen[-1][0], f"card:{key}"))
        kind = {"license": "license", "base_model": "base"}.get(meant_key(key) or key)
        for n, values in seen[:-1] if kind else ():  # the values the last one hides are still claims
            out.extend(Fact(kind, v.strip(), path, first + n, f"card:{key}") for v in values if v.strip())
    for key in data:
        if not isinstance(key, str):
            out.append(Fact("problem", Problem("metadata-invalid", f"front matter key {key!r} is not a string",
                                               "quote the key"), path, first, "card"))
            continue
        want = meant_key(key)
        if want is None:
            continue
        also = f" (the card also has `{want}`, so the two disagree or repeat)" if want in data else ""
        judged = want in ("license", "base_model", "datasets")  # weightgate still judges the value: no gap
        out.append(Fact("problem", Problem(
            "metadata-invalid", f"`{key}` is not a model card key; did you mean `{want}`? The Hub reads only "
            f"`{want}`, so this value is ignored{also}" + ("; weightgate judges it as written" if judged else ""),
            f"rename `{key}:` to `{want}:`", "warning" if judged else None),
            path, line_of(key), f"card:{key}"))
        value = data[key]
        if want in ("license", "base_model", "datasets"):  # the value is still a claim, whatever the key
            kind = {"license": "license", "base_model": "base", "datasets": "dataset"}[want]
            for item in (value if isinstance(value, list) else [value]):
                if isinstance(item, str) and item.strip():
                    out.append(Fact(kind, item.strip(), path, line_of(key), f"card:{key}"))
    return out


def _short(value: Any) -> str:
    """A repr that stays short whatever the value (a wrong-typed value may be a huge nested list)."""
    import reprlib

    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxdict, r.maxstring, r.maxother = 2, 4, 4, 60, 60
    return r.repr(value) if not isinstance(value, str) else (value if len(value) <= 60 else value[:57] + "...")


def _yaml_scalar_text(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


# ---- body --------------------------------------------------------------------------------------------------

# Link text and target stop at the next bracket, so a failed match never rescans the rest of the line: every
# body regex here must stay linear in the line length (a hostile 10 MB line must not hang the hook).
_MD_LINK = LazyPattern(r"!?\[([^\[\]]*)\]\(([^)\s\[]*)(?:\s[^)\[]*)?\)")
# No two whitespace runs are adjacent (each `\s*` follows a required token), and the value is taken greedily and
# trimmed by _license_value: the former `(.+?)\s*\|?\s*$` was cubic on a line of spaces.
_LICENSE_LINE = LazyPattern(
    r"^\s*(?:[-*+|]\s*)?(?:(?:\*\*|__)\s*)?licen[cs]e(?:\s+type)?\s*(?:(?:\*\*|__)\s*)?:\s*(?:(?:\*\*|__)\s*)?(?::\s*)?(.+)$",
    re.I)
# an emoji before the word may be several code points (⚖️ is U+2696 U+FE0F)
_LICENSE_HEADING = LazyPattern(r"^\s*#{1,6}\s*[^\w\n]{0,8}licen[cs]e\b", re.I)
_HEADING = re.compile(r"^\s*#{1,6}\s")
_RELEASED_UNDER = LazyPattern(
    r"\b(?:licensed|released?|distributed?|made available|available|published|provided|shared|licenced)"
    r"(?:\s+(?!under\b)[\w-]+){0,4}?\s+under\s+"
    r"(?:the\s+terms\s+of\s+)?(?:the\s+|an?\s+)?(.{2,120})", re.I)
_SELF_SUBJECT = LazyPattern(
    r"\b(?:this|these|our|we)\b(?:\s+\w+){0,4}?\s*(?:model|weights?|adapters?|lora|checkpoints?|repo(?:sitory)?|"
    r"fine-?tune|merge|quant\w*|gguf|release|work|files?|version)?", re.I)
_THANKS = LazyPattern(r"\b(?:thank|thanks|grateful|acknowledg\w*|credits?)\b", re.I)
_OTHER_SUBJECT = LazyPattern(r"\b(?:base|original|upstream|parent|underlying|foundation|other|compared|their)\b", re.I)
_BADGE = LazyPattern(r"badge/licen[cs]e-([^-/)\s]+(?:--[^-/)\s]+)*)-", re.I)
_CODE_SUBJECT = LazyPattern(r"\b(?:code|codebase|repository|repo|scripts?|software|library|training code|"
                           r"source|implementation|website|dataset|data|paper)\b", re.I)
_OPEN_SOURCE = LazyPattern(r"\bopen[- ]?sourced?\b", re.I)
_OSS_TARGET = LazyPattern(r"\b(?:model|llm|weights?|checkpoints?|adapters?|lora|release|language model|"
                         r"alternative|version)\b", re.I)
# Sentences about other projects: thanks, comparisons, examples ("open-source models like Mistral").
_OSS_OTHERS = LazyPattern(r"\b(?:thank|thanks|grateful|acknowledg\w*|credits?|inspired|built\s+upon|such\s+as|like|"
                         r"other|others|compared|comparison|outperform\w*|than|among|community)\b", re.I)
_OSS_NOT_MODEL = LazyPattern(r"\b(?:code|library|libraries|framework|tool(?:kit|s)?|software|community|project|"
                            r"datasets?|data)\b", re.I)


# The emphasised text holds no `*` and no `_` except inside a word, so a marker that is never closed costs
# only the stretch up to the next marker (`(.+?)` rescanned the rest of the line for each one).
_EMPHASIS = LazyPattern(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)((?:[^*_]|(?<=\w)_(?=\w))+?)(?<=\S)\1(?![\w*])")


def _license_value(value: str) -> str:
    """The value of a `License: …` line without trailing blanks and one closing table pipe."""
    v = value.rstrip()
    if v.endswith("|") and len(v) > 1:
        v = v[:-1].rstrip()
    return v or value


def _plain(s: str) -> str:
    """Markdown link text kept, emphasis and code marks dropped (underscores inside words are kept:
    `llama_3_8b` is a name, not emphasis)."""
    if "](" in s:
        s = _MD_LINK.sub(lambda m: m.group(1) or m.group(2), s)
    if "*" in s or "_" in s:
        s = _EMPHASIS.sub(r"\2", s)
    return s.replace("`", "").replace("**", "").strip()


def body_facts(path: str, body: str, first_line: int) -> List[Fact]:
    out: List[Fact] = []
    in_license_section = False
    in_code = False
    title_seen = False
    title = ""
    block: List[str] = []
    block_start = 0
    prose = _LicenceStatements(path)
    for i, raw in enumerate(body.splitlines()):
        line_no = first_line + i
        stripped = raw.strip()
        if stripped.startswith(("```", "~~~")):
            if in_code:
                out.extend(_code_block_facts(path, block, block_start))
            in_code, block, block_start = not in_code, [], line_no + 1
            continue
        if in_code:
            block.append(raw)
            continue
        if not stripped:
            continue
        if not title_seen and _HEADING.match(raw):
            title_seen = True  # only a first heading that is an H1 is the card's title
            if re.match(r"^#\s+\S", stripped):
                title = _plain(stripped[1:])
                out.append(Fact("title", title, path, line_no, "card-body:h1"))
        low = raw.lower()
        out.extend(prose.read(raw, low, line_no))
        if _HEADING.match(raw):
            in_license_section = "licen" in low and bool(_LICENSE_HEADING.match(raw))
            continue
        m = _LICENSE_LINE.match(raw) if "licen" in low else None
        if m:
            value = _license_value(m.group(1))
            for link in _MD_LINK.finditer(value):
                if link.group(2):
                    out.append(Fact("license_link_body", link.group(2), path, line_no, "card-body:license-line"))
            out.append(Fact("license_claim", _plain(value), path, line_no, "card-body:license-line"))
        for b in (_BADGE.finditer(raw) if "badge/licen" in low else ()):
            value = b.group(1).replace("--", "-").replace("_", " ").replace("%20", " ").replace("%2B", "+")
            out.append(Fact("license_claim", value, path, line_no, "card-body:badge"))
        plain = _plain(raw)
        for sentence, value in (_released_under(plain) if " under " in low else ()):
            # "Unlike other fine-tunes, this model is released under …": the clause next to the verb decides
            clause = re.split(r"[,;:]\s", sentence)[-1]
            if re.match(r"\s*(?:which|who|whose|that)\b", clause, re.I) or _THANKS.search(sentence):
                continue  # "…the authors of Mistral, which is released under …": about the thing just named
            mine = bool(_SELF_SUBJECT.search(clause)) and not (_OTHER_SUBJECT.search(clause) or
                                                              _CODE_SUBJECT.search(clause))
            if not mine and (_OTHER_SUBJECT.search(sentence) or _CODE_SUBJECT.search(sentence)
                             or _names_another_model(clause, title)):
                continue
            if mine or in_license_section or not sentence.strip(" -*>:") or _SELF_SUBJECT.search(sentence):
                out.append(Fact("license_claim", value, path, line_no, "card-body:license-prose"))
        for sentence in (re.split(r"(?<=[.!?])\s+", plain) if "source" in low and "open" in low else ()):
            om = _OPEN_SOURCE.search(sentence)
            if (om and _OSS_TARGET.search(sentence) and not _OSS_NOT_MODEL.search(sentence[om.end(): om.end() + 40])
                    and not _OSS_OTHERS.search(sentence)):
                out.append(Fact("open_source_claim", sentence.strip(), path, line_no, "card-body"))
                break
    out.extend(prose.finish())
    return _without_repeats(out)


_AUXILIARY = LazyPattern(r"\s+(?:is|are|was|were|be|been|has|have|will|shall|also|hereby|now)\b.*$", re.I)
# Words that make a subject a description ("my diffs", "fine-tuned checkpoints", "Guanaco adapter weights"), not
# another model's name.
_NOT_A_NAME = frozenset("the this these that it its our their my all each any a an both model models weights "
                        "checkpoint checkpoints adapter adapters diffs files version release code".split())


def _names_another_model(clause: str, title: str) -> bool:
    """"Llama 2 is licensed under …" in the License section of the Orca 2 card: the subject is a model's name
    (a few capitalised words, one of them a version or size: "Llama 2", "Mistral 7B") and not the card's title
    (compared without separators, neither inside the other), so the licence is that model's."""
    subject = _AUXILIARY.sub("", clause).strip(" -*>:")
    words = subject.split()
    if (not title or not 0 < len(words) <= 4 or not words[0][:1].isupper()
            or any(w.lower().strip("(),") in _NOT_A_NAME for w in words)
            or not any(c.isdigit() for c in subject)):
        return False
    name, own = slug(subject), slug(title)
    return bool(name) and name not in own and own not in name


def _released_under(plain: str) -> Iterator[Tuple[str, str]]:
    """(the sentence up to "released under", the licence words after it) for each such phrase of a line."""
    for r in _RELEASED_UNDER.finditer(plain):
        yield re.split(r"[.!?]\s", plain[: r.start()])[-1], re.split(r"[.;!?]\s", r.group(1), 1)[0]


def _without_repeats(facts: List[Fact]) -> List[Fact]:
    """One licence claim per line from the readers added for prose statements (headings, tables, links, the
    title as subject): they may see the same words as each other or as the `License:`-line, badge and prose
    readers, and one statement is one finding."""
    claimed = {f.line for f in facts if f.kind == "license_claim" and f.origin in _FIRST_READERS}
    out = []
    for f in facts:
        if f.kind == "license_claim" and f.origin not in _FIRST_READERS:
            if f.line in claimed:
                continue
            claimed.add(f.line)
        out.append(f)
    return out


_FIRST_READERS = ("card-body:license-line", "card-body:badge", "card-body:license-prose")


# Links to a licence's canonical page say which licence is meant whatever their text ("[![License](badge.svg)](…)").
_LICENCE_URL = LazyPattern(
    r"https?://(?:www\.)?(?:opensource\.org/licen[cs]es?/([\w.+-]+)|choosealicense\.com/licenses/([\w.+-]+)|"
    r"spdx\.org/licenses/([\w.+-]+?)(?:\.html)?(?=[/)\s#]|$)|apache\.org/licenses/(LICENSE-2\.0)|"
    r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d))", re.I)
_SHIELD = LazyPattern(r"shields\.io/static/v1\?(?:[^)\s\]]{0,200}&)?label=licen[cs]e&(?:amp;)?message=([^&)\s\]]+)", re.I)
# "License" in the other languages model cards are written in (a Chinese card's `## 许可证` section is as much
# a licence statement as `## License`).
_FOREIGN_HEADING = LazyPattern(r"^\s*#{1,6}\s*[^\w\n]{0,8}(?:lizenz|licencia|licen[çc]a|licenza|licentie|"
                               r"лицензия|许可证|许可协议|开源协议|协议|授權|授权|ライセンス|라이선스)", re.I)
# A CJK sentence (its punctuation, or words for code and data) is prose, not a bare licence name.
_CJK_SENTENCE = LazyPattern(r"[，。；：、]|代码|代碼|程序|数据|數據|コード|データ")
_HTML_TAG = LazyPattern(r"<[^<>]{0,200}>")
_TABLE_ROW = LazyPattern(r"^\s*\|(.*)\|\s*$")
_TABLE_RULE = LazyPattern(r"^[\s|:-]+$")
# A table whose first column names datasets, code or upstream models lists their licences, not this model's.
_NOT_THIS_MODEL = LazyPattern(r"\b(?:data(?:set)?s?|corpus|code|library|software|component|tool|base|upstream|"
                              r"original|parent|source|dependenc(?:y|ies)|package)\b", re.I)
_BARE_WORDS = 8  # a licence name alone on a line is short; a longer line is a sentence, read by the prose rules


class _LicenceStatements:
    """Licence statements that are not `License: X` lines, read the same way: a licence heading followed by a
    bare licence name (or `## License: X`), a table with a License column or a `| License | X |` row, a link
    to a licence's canonical page in or just below the title or on a line naming the model, a shields.io
    `label=license&message=X` badge, and "<title> is released under X". Lines about the training code,
    datasets or other models are not claims about this model, and neither are comparison tables of several
    models (only a table with one row, or the row naming this card's title, speaks for the model)."""

    def __init__(self, path: str):
        self.path = path
        self.after_heading = False  # the previous line was a licence heading
        self.columns: Optional[List[str]] = None  # header cells of the current table
        self.rows: List[Tuple[int, List[str]]] = []
        self.title = ""
        self.since_title = -1  # lines since the H1 title (-1: no title yet)

    def read(self, raw: str, low: str, line_no: int) -> List[Fact]:
        out: List[Fact] = []
        row = _TABLE_ROW.match(raw)
        if row is None and self.columns is not None:
            out.extend(self._table_claims())
        if row is not None:
            self.after_heading = False  # a table under the heading is read as a table
            self._table_line([_plain(c) for c in row.group(1).split("|")], line_no, out)
            return out
        if "<" in raw and "licen" in low:  # `<b>License:</b> MIT`, `<h2>License</h2>`: HTML says the same
            text = _HTML_TAG.sub(" ", raw).strip()
            if text != raw.strip():
                m = _LICENSE_LINE.match(text)
                if m and _license_value(m.group(1)).strip():
                    out.append(Fact("license_claim", _plain(_license_value(m.group(1))), self.path, line_no,
                                    "card-body:license-html"))
                    return out
                if re.fullmatch(r"licen[cs]e\s*:?", _plain(text), re.I):
                    self.after_heading = True
                    return out
        heading = _HEADING.match(raw) is not None
        if self.since_title >= 0:
            self.since_title += 1
        if heading and not self.title and re.match(r"^\s*#\s+\S", raw):
            self.title, self.since_title = _plain(raw.strip()[1:].strip()), 0
        if "licen" in low or "creativecommons" in low or "opensource.org" in low or "apache.org" in low:
            if heading or 0 <= self.since_title <= 3 or self._names_title(raw):
                out.extend(self._url_claims(raw, line_no, "card-body:license-link"))
            for m in (_SHIELD.finditer(raw) if "shields.io" in low else ()):  # ?label=license&message=MIT
                out.append(Fact("license_claim", m.group(1).replace("%20", " ").replace("+", " ").replace("_", " "),
                                self.path, line_no, "card-body:badge-query"))
        if not heading and "licen" in low:
            plain = _plain(raw).strip()
            if re.fullmatch(r"(?:\W\s*)?licen[cs]e\s*:?", plain, re.I):
                self.after_heading = True  # `**License**` alone on a line: a heading in all but syntax
                return out
            dash = re.match(r"^\W{0,3}licen[cs]e\s*[\u2013\u2014-]\s*(\w.*)$", plain, re.I)
            if dash and not _LICENSE_LINE.match(raw):  # `License — MIT`: a colon in all but spelling
                out.append(Fact("license_claim", dash.group(1), self.path, line_no, "card-body:license-dash"))
                return out
        if heading:
            self.after_heading = ("licen" in low and bool(_LICENSE_HEADING.match(raw))) or \
                bool(_FOREIGN_HEADING.search(raw))
            # an ASCII heading without "licen" cannot match: most cards never compile the pattern
            value = re.match(r"^\s*#{1,6}\s*[^\w\n]{0,8}licen[cs]e\s*[:\-\u2013\u2014]\s*(\S.*)$", raw,
                             re.I) if "licen" in low or not raw.isascii() else None
            if value:
                out.append(Fact("license_claim", _plain(value.group(1)).strip(" #"), self.path, line_no,
                                "card-body:license-heading"))
            return out
        if self.title and len(self.title) >= 3 and " under " in low:
            out.extend(self._title_prose(raw, line_no))
        if self.after_heading:
            self.after_heading = False
            text = _plain(_HTML_TAG.sub(" ", raw) if "<" in raw else raw).strip(" -*+>.")
            if _LICENSE_LINE.match(raw):
                return out  # `License: X` under the heading: read by body_facts
            if text and len(text.split()) <= _BARE_WORDS and len(text) <= 80 and not _CJK_SENTENCE.search(text) \
                    and not _OTHER_SUBJECT.search(text) and not _CODE_SUBJECT.search(text):
                out.append(Fact("license_claim", text, self.path, line_no, "card-body:license-heading"))
                out.extend(self._url_claims(raw, line_no, "card-body:license-heading"))
        return out

    def _url_claims(self, raw: str, line_no: int, origin: str) -> List[Fact]:
        out: List[Fact] = []
        if "badge/licen" in raw.lower():
            return out  # a licence badge is read by body_facts already
        for m in _LICENCE_URL.finditer(raw):
            if m.group(5):
                value = f"CC-{m.group(5).upper()}-{m.group(6)}"
            else:
                value = next(g for g in m.groups()[:4] if g)
                value = "Apache-2.0" if value.upper() == "LICENSE-2.0" else value
            before = raw[: m.start()]
            if _OTHER_SUBJECT.search(before) or _CODE_SUBJECT.search(_plain(before)):
                continue
            out.append(Fact("license_claim", value, self.path, line_no, origin))
        return out

    def _table_line(self, cells: List[str], line_no: int, out: List[Fact]) -> None:
        if len(cells) >= 2 and re.fullmatch(r"licen[cs]e(?:\s+type)?", cells[0].strip(), re.I) \
                and cells[1].strip() and not _TABLE_RULE.match(cells[1]):
            out.append(Fact("license_claim", cells[1].strip(), self.path, line_no, "card-body:license-table"))
            return
        if self.columns is None:
            self.columns, self.rows = [c.strip().lower() for c in cells], []
        elif not _TABLE_RULE.match("|".join(cells)):
            self.rows.append((line_no, cells))

    def _table_claims(self) -> List[Fact]:
        columns, rows = self.columns or [], self.rows
        self.columns, self.rows = None, []
        at = next((i for i, c in enumerate(columns) if re.fullmatch(r"(?:model\s+)?licen[cs]e(?:\s+type)?", c)), None)
        if at is None or not rows or at == 0 or _NOT_THIS_MODEL.search(columns[0]):
            return []
        mine = rows if len(rows) == 1 else [r for r in rows if r[1] and self._names_this_model(r[1][0])]
        return [Fact("license_claim", cells[at].strip(), self.path, line_no, "card-body:license-table")
                for line_no, cells in mine if at < len(cells) and cells[at].strip()]

    def _names_title(self, raw: str) -> bool:
        """The line names the model by its title ("**Chat-7B** · [MIT](…)"): a licence link there is about it."""
        title = normalise(self.title)
        return len(title) >= 3 and title in normalise(_plain(raw))

    def _names_this_model(self, cell: str) -> bool:
        """A table row about this model: its name is the card's title (or part of it), or one of its files."""
        name, title = normalise(cell), normalise(self.title)
        if name.endswith((".gguf", ".safetensors", ".bin", ".onnx")):
            return True
        return min(len(name), len(title)) >= 3 and (name.startswith(title) or title.startswith(name))

    def _title_prose(self, raw: str, line_no: int) -> List[Fact]:
        """"Chat-7B is released under the MIT license": the card's own title as the subject is a claim."""
        plain = _plain(raw)
        out = []
        for sentence, value in _released_under(plain):
            if normalise(self.title) not in normalise(sentence) or _OTHER_SUBJECT.search(sentence) \
                    or _CODE_SUBJECT.search(sentence):
                continue
            out.append(Fact("license_claim", value, self.path, line_no, "card-body:title-prose"))
        return out

    def finish(self) -> List[Fact]:
        return self._table_claims() if self.columns is not None else []


def _code_block_facts(path: str, lines: List[str], first_line: int) -> List[Fact]:
    """A mergekit configuration pasted into the card ("### Configuration" of mergekit's card template) names
    the merge's inputs."""
    text = "\n".join(lines)
    if "merge_method" not in text:
        return []
    from .configs import read_mergekit

    return [Fact(f.kind, f.value, f.path, f.line + first_line - 1, "card-body:mergekit") for f in read_mergekit(path, text)
            if f.kind != "problem"]
