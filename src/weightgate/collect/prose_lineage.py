"""Bases named in a model card's text: how people and card templates write lineage in prose.

"Finetuned from model [optional]: …" (the Hub card template), "Base model: …", "Original model: …" (quantizers),
"fine-tuned from / on X", "based on X", "built on / upon X", "derived from X", "a GGUF / AWQ / quantized version
of X", "GGUF format model files for X", "a merge of X and Y", "a Llama 3 fine-tune". What counts as X: a Hub
URL, an `org/name` id that looks like a model id (a stray `instruction/response` does not), an id whose slash
became an underscore when the registry knows it (`meta-llama_Llama-2-7b-hf`), or a name the registry knows
("CodeLlama-7B", "Llama 3"). Comparisons ("better than Llama 2"), citations, benchmark sections and tables are
not lineage. Every fact is `base_prose`: weak evidence, used only when no metadata names a base, and compared
with the metadata when it does.
"""
from __future__ import annotations

import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Iterator, List, Optional, Set

from ..facts import Fact
from ..text import FoldedPattern, LazyPattern

_QUANT = r"(?:quanti[sz]ed|quantized|gguf|ggml|gptq|awq|exl2|mlx|onnx|[248]-?bit|int[48]|fp8|bf16|fp16|imatrix)"
# Linear patterns only (a hostile 10 MB line must not hang the hook): alternations of fixed words.
_TRIGGER = FoldedPattern(
    r"\b(?:fine-?tuned\s+(?:version\s+of|from(?:\s+model)?(?:\s*\[optional\])?|on\s+top\s+of|on)"
    r"|(?:fine-?tune|finetune|fine-tuning)\s+of|base\s+models?|original\s+models?|parent\s+models?|based\s+(?:on|off)"
    r"|(?:foundation|pre-?trained|backbone|source)\s+model(?=\s*(?:\*\*|__)?\s*:)"
    r"|built\s+(?:on|upon)(?:\s+top\s+of)?|derived\s+from|trained\s+from|initiali[sz]ed\s+from"
    r"|continued\s+pre-?training\s+(?:of|from|on)|merge\s+of|merged\s+(?:with|from)"
    r"|(?:adapter|lora)\s+(?:for|of|on)|quantizations?\s+of|quants?\s+of|(?:quanti[sz]ed|converted)\s+from|" + _QUANT +
    r"\s+(?:format\s+)?(?:(?:versions?|quants?|quantizations?|conversions?)\s+(?:of|from)|"
    r"(?:model\s+files|weights|files)\s+(?:of|for|from))|" + _QUANT + r"\s+of\b"
    # "we fine-tuned Llama-2-7b", "this model was further fine-tuned meta-llama/…": the base as the object
    r"|\b(?:we|i|was|were|been|is|have|has|had)\s+(?:\w+\s+){0,2}?(?:fine-?tuned|finetuned|quanti[sz]ed|merged)"
    r"\s+(?!(?:versions?|quants?|quantizations?|conversions?|format|model|weights|files|from|on|with|using|by|"
    r"for|to|in|at|via|and|or)\b)(?:the\s+|meta's\s+|an?\s+)?(?=[\w\[`*]))"
    r"(?:\s*(?:\*\*|__))?\s*:?\s*(?:\*\*|__)?\s*:?\s*")
# Words one of which must be in a line before _TRIGGER is tried (cheap `in` tests on the lowercase line).
_TRIGGER_WORDS = ("tune", "base", "original", "parent", "foundation", "backbone", "source model", "trained model",
                  "built", "derived", "trained from", "initiali", "pre",
                  "merge", "adapter", "lora", "quant", "version", "files", "conversion", "weights", "gguf", "ggml",
                  "gptq", "awq", "exl2", "mlx", "onnx")
# "a Llama 3 fine-tune", "an OpenHermes merge": one to four words before a derivative noun.
_NOUN_FORM = LazyPattern(r"\b(?:an?|the|this|our)\s+((?:[\w.\[\]()-]+\s+){0,3}?[\w.\[\]()-]+)\s+"
                         r"(?:fine-?tune|finetune|merge|quanti[sz]ation|quant|lora|adapter|derivative)\b", re.I)
# After one of these words a sentence is about other models, not this one's lineage.
_COMPARISON = FoldedPattern(r"\b(?:than|compared|comparison|comparable|versus|vs\.?|outperform\w*|beats?|surpass\w*|"
                            r"unlike|instead\s+of|not\s+based|not\s+built|not\s+derived|rather|similar\s+to|"
                            r"competitive\s+with|on\s+par\s+with|like)\b")
# A sentence about something other than the weights: "the architecture is based on Llama 2", "the prompt
# format follows …", "the code is built on …". Read in the words before the lineage phrase and right after the name.
_NOT_WEIGHTS = FoldedPattern(r"\b(?:architecture|arch|transformer\+*|encoder|decoder|tokeni[sz]ers?|prompts?|templates?|"
                             r"format|style|recipe|code|"
                             r"codebase|scripts?|implementation|licen[cs]es?|paper|method|approach|design|vocab\w*|"
                             r"datasets?|data|evaluation|benchmarks?)\b")
_SENTENCE_END = LazyPattern(r"(?<=[.!?;])\s+(?=\S)|\s+(?:-{2,}|—)\s+")
_HF_URL = LazyPattern(r"https?://(?:www\.)?(?:huggingface\.co|hf\.co|hf-mirror\.com)/(?!datasets/|spaces/|docs/|"
                      r"blog/|papers/|collections/)([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)")
_ID = LazyPattern(r"(?<![\w./@:-])([A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95})(?![\w/-])")
_ESCAPE = LazyPattern(r"\\([_*\[\]()`#.!-])")
_WORD = LazyPattern(r"[A-Za-z0-9][\w.-]*")
_GENERATED = LazyPattern(r"generated|outputs?|answers|responses|completions|synthetic|distill\w*|teachers?|"
                         r"labell?ed|annotated|judged|by|from|with|using", re.I)
_VERSION = LazyPattern(r"v?\d+(?:\.\d+)*", re.I)  # "2", "3.1", "V3" (a size is "7B")
_ANY_URL = LazyPattern(r"\b[a-z][a-z0-9+.-]*://\S+", re.I)
_PATH = LazyPattern(r"(?<![\w/])(?:~|\.{1,2})?/[\w.-]+(?:/[\w.-]+)+")
# Words that continue a model's name after its first word ("Llama 2 7B Chat"); any word with a digit does too.
_NAME_WORDS = frozenset("chat instruct base hf it code python vision mini small medium large xl coder math "
                        "distill preview turbo".split())
_MD_LINK = LazyPattern(r"\[([^\[\]]*)\]\(([^)\s\[]*)(?:\s[^)\[]*)?\)")
_HEADING = LazyPattern(r"^\s*#{1,6}\s+(.*)$")
# Sections whose text names other models for other reasons (their subsections too).
_OTHER_SECTION = LazyPattern(r"citation|bibtex|reference|acknowledg|thank|related|comparison|benchmark|evaluation|"
                             r"leaderboard|results|performance|limitations|bias", re.I)
# A quantizer's copy of the "Original model card" (to the end, or to TheBloke's end marker) tells the
# original's own lineage, its ancestors, not this repository's.
_ORIGINAL_CARD = LazyPattern(r"original\s+model\s+card", re.I)
_TO_THE_END = 99
_DATASET_WORDS = LazyPattern(r"\b(?:datasets?|data|corpus|corpora|instructions?|conversations?|samples|examples)\b",
                             re.I)


def prose_bases(path: str, body: str, first_line: int, kb) -> List[Fact]:
    """`base_prose` facts for the bases the card's text names, each at its line."""
    out: List[Fact] = []
    skip_level = 0  # inside a section that is not about lineage, opened by a heading of this level
    in_code = False
    for i, raw in enumerate(body.splitlines()):
        stripped = raw.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code or not stripped:
            continue
        if stripped.startswith("<!--") and "original-model-card end" in stripped:
            skip_level = 0
        heading = _HEADING.match(raw) if stripped.startswith("#") else None
        if heading:  # a heading starts a section, and may itself say it ("## GGUF quants of X")
            level = len(stripped) - len(stripped.lstrip("#"))
            if _ORIGINAL_CARD.search(heading.group(1)):
                skip_level = _TO_THE_END  # the copied card brings its own headings, H1 included
            elif skip_level != _TO_THE_END and (not skip_level or level <= skip_level):
                skip_level = level if _OTHER_SECTION.search(heading.group(1)) else 0
        if skip_level or stripped.startswith(("|", "@")):  # tables (benchmarks) and bibtex lines
            continue
        low = stripped.lower()
        if not any(w in low for w in _TRIGGER_WORDS):
            continue
        if "\\" in stripped:  # Markdown escapes: "Llama-3\_3-Nemotron" is Llama-3_3-Nemotron
            stripped = _ESCAPE.sub(r"\1", stripped)
        seen: Set[str] = set()
        for value in _line_bases(stripped, kb):
            if value.lower() not in seen:
                seen.add(value.lower())
                out.append(Fact("base_prose", value, path, first_line + i, "card-body:base"))
    return out


def _line_bases(line: str, kb) -> Iterator[str]:
    for m in _first(_TRIGGER.finditer(line)):
        if _compared(line, m.start()):
            continue
        span = _until_sentence_end(line[m.end(): m.end() + 400])
        phrase = m.group(0).lower()
        several = "merge" in phrase or "models" in phrase  # "a merge of X and Y", "Parent models: X and Y"
        # "fine-tuned on X" names data as often as a model: there only what the registry knows counts
        known_only = bool(re.search(r"(?:tuned|adapter|lora|training)\s+on\s*$|(?:tuned|quanti[sz]ed|merged)"
                                    r"(?:\s+(?:the|meta's|an?))?$", phrase.strip(" *_:")))
        found = list(_targets(span, kb, several, known_only))
        yield from found
        if found and not several:
            return
    for m in _first(_NOUN_FORM.finditer(line)):
        if _compared(line, m.start()):
            continue
        words = _plain(m.group(1)).split()
        for start in range(len(words)):  # "a popular Llama 3 fine-tune": drop leading adjectives
            candidate = " ".join(words[start:])
            if kb.family_for_name(candidate):
                yield candidate
                return


def _first(matches, n: int = 16):
    """The first n matches: a line repeating a phrase thousands of times is not read thousands of times."""
    for i, m in enumerate(matches):
        if i >= n:
            return
        yield m


def _compared(line: str, at: int) -> bool:
    """Whether the sentence before `at` (at most 200 characters back) compares with other models or is about
    something other than the weights (architecture, prompt format, code)."""
    before = line[max(0, at - 200): at]
    start = max((e.end() for e in _SENTENCE_END.finditer(before)), default=0)
    sentence = before[start:]
    return bool(_COMPARISON.search(sentence) or _NOT_WEIGHTS.search(sentence[-80:]))


def _until_sentence_end(text: str) -> str:
    cut = _COMPARISON.search(text)
    if cut:
        text = text[: cut.start()]
    end = _SENTENCE_END.search(text)
    return text[: end.start()] if end else text


def _targets(span: str, kb, several: bool, known_only: bool = False) -> Iterator[str]:
    """The bases one lineage phrase names: Hub URLs and plausible ids (in the order written), then mangled ids,
    then registry names."""
    plain = _plain(span)
    found = [(u.start(), u.group(1).rstrip("."), True) for u in _HF_URL.finditer(plain)]
    bare = _ANY_URL.sub(lambda u: " " * len(u.group(0)), plain)  # ids inside other URLs are not ids
    found += [(m.start(), m.group(1).rstrip("."), False) for m in _ID.finditer(bare)]
    ids: List[str] = []
    for at, tok, linked in sorted(found):
        if any(tok.lower() == i.lower() for i in ids):
            continue
        # "on the org/x dataset", "data from org/x": the words right next to the id say it is data; "the
        # transformer++ encoder backbone (org/x)": the words before it say it is an architecture
        before = plain[:at]
        near = " ".join(before.split()[-2:] + plain[at:].split()[1:2])
        if _DATASET_WORDS.search(near) or kb.dataset_for(tok) or _NOT_WEIGHTS.search(before):
            continue
        if (kb.family_for(tok.lower()) if known_only else (linked or _plausible_id(tok, kb))):
            ids.append(tok)
    if ids:
        yield from (ids if several else ids[:1])
        return
    names = []
    for word in _WORD.findall(plain):
        unmangled = _unmangled(word.rstrip("."), kb) if "_" in word else None
        if unmangled:
            names.append(unmangled)
    for path in _PATH.findall(plain):  # a training machine's path: its last part, when the registry knows it
        last = path.rstrip("/.").rsplit("/", 1)[-1]
        if not names and kb.family_for_name(last):
            names.append(last)
    if not names:
        names = list(_registry_names(plain, kb))
    yield from (names if several else names[:1])


def _plausible_id(tok: str, kb) -> bool:
    """An `org/name` token that reads as a model id, not as "instruction/response" or "and/or": the registry
    knows it, or its organisation, or its name carries a version, a size or a separator."""
    org, _, name = tok.lower().partition("/")
    if kb.family_for(tok.lower()) or org in kb.known_orgs():
        return True
    if kb.family_for_name(org) and kb.family_for_name(name):
        return False  # "Llama-2/Llama-3": two names, not an organisation and a model
    return bool(re.search(r"[\d.-]", name)) and not org.isdigit()


def _unmangled(word: str, kb) -> Optional[str]:
    """`meta-llama_Llama-2-7b-hf` → `meta-llama/Llama-2-7b-hf` when the registry knows the organisation or id
    (a file-system-safe spelling of an id, written by download scripts)."""
    for i, ch in enumerate(word):
        if ch != "_" or i == 0 or i == len(word) - 1:
            continue
        cand = f"{word[:i]}/{word[i + 1:]}"
        if kb.family_for(cand.lower()) or (word[:i].lower() in kb.known_orgs() and "-" in word[i + 1:]):
            return cand
    return None


def _registry_names(text: str, kb) -> Iterator[str]:
    """The first registry-known name in the text: the longest phrase of up to four words starting at one of
    its first four words ("Llama 2 7B", "CodeLlama-7B", "Llama 3")."""
    raw = text.split()[:8]
    words = [w.rstrip(".,:;'\")") for w in raw]
    for start in range(min(4, len(words))):
        end = start + 1
        while end < len(words) and end - start < 4 and raw[end - 1] == words[end - 1] and (
                words[end].lower() in _NAME_WORDS or any(c.isdigit() for c in words[end])):
            end += 1  # a name goes on until punctuation: "Llama 2, it" is "Llama 2"
        for length in range(end - start, 0, -1):
            if length < end - start and _VERSION.fullmatch(words[start + length]):
                break  # "Animagine XL V3" is not "Animagine XL": a version is never dropped (a size or "Chat" may be)
            phrase = " ".join(words[start: start + length])
            if phrase and kb.family_for_name(phrase):
                after = words[start + length: start + length + 2]
                if not any(_NOT_WEIGHTS.fullmatch(w) for w in after):  # "the Llama 2 (model) architecture"
                    yield phrase
                return
        if not (words[start].isalpha() and words[start].islower()) and not words[start].endswith("'s"):
            return  # only articles, adjectives and an owner ("the", "pretrained", "Meta's") come before a name
        if _GENERATED.fullmatch(words[start]) or _DATASET_WORDS.fullmatch(words[start]):
            return  # "fine-tuned on answers generated by Qwen-72B-Chat": data made by a model, not a base


def _plain(s: str) -> str:
    """Link text kept (its target is read separately), emphasis and code marks dropped."""
    if "](" in s:
        s = _MD_LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}", s)
    return re.sub(r"[*`]+|(?<!\w)_+|_+(?!\w)", " ", s).strip()


