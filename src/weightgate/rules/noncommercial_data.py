"""noncommercial-data — a model trained on non-commercial data is declared for commercial use.

Training sets carry licences too. The Stanford Alpaca data (and its cleaned and GPT-4 variants) is CC BY-NC
4.0: the Alpaca README says "models trained using the dataset should not be used outside of research
purposes", and CC BY-NC §3(a)(4) keeps the non-commercial condition binding on adapted material whatever
licence the adapter applies.

Error when the card's `datasets:` metadata lists a non-commercial dataset and the model is declared under a
licence that permits commercial use; a warning when the card text says the model was trained on it (a
sentence naming the dataset with "trained", "fine-tuned", "SFT" …). Benchmarks (AlpacaEval), prompt
formats ("Alpaca prompt template") and tables do not count.

Not fixable automatically: either retrain without the data or declare a non-commercial licence.
"""
from __future__ import annotations

import functools
import re

from . import clause_of, finding
from ..text import LazyPattern

ID = "noncommercial-data"
SEVERITY = "error"
SUMMARY = "A non-commercial dataset is used and the model is declared for commercial use."


_TRAINING = LazyPattern(r"\b(?:train(?:ed|ing)?|fine-?tun\w*|finetun\w*|sft|instruction-tun\w*|distill\w*|"
                       r"datasets?|data\s+from)\b", re.I)
_NOT_TRAINING = LazyPattern(r"(?:eval|bench|leaderboard|prompt|template|format|style|score)", re.I)


def _trained_on(line: str, m) -> bool:
    """The dataset is named in a sentence about training, not as a benchmark, prompt format or table cell."""
    if line.lstrip().startswith(("|", "#")):
        return False
    start = max(line.rfind(". ", 0, m.start()) + 1, 0)
    end = line.find(". ", m.end())
    sentence = line[start: end if end >= 0 else len(line)]
    around = line[max(m.start() - 1, 0): m.end() + 12]
    return bool(_TRAINING.search(sentence)) and not _NOT_TRAINING.search(around)


@functools.lru_cache(maxsize=None)
def _prose_pattern(words):
    """A dataset's names as whole words in prose (compiled once per process)."""
    alts = [re.escape(w) for w in words if w and "*" not in w]
    if not alts:
        return None
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(alts) + r")(?![A-Za-z0-9])", re.I)


def _nc(kb, ds):
    lic = kb.get(kb.main(ds.license))
    return lic if lic is not None and not lic.commercial else None


def _clause(lic):
    copy = lic.duty("license-copy")
    return clause_of(lic, lic.relabel.clause or (copy[0].clause if copy else ""), lic.relabel.quote)


def check(model):
    kb = model.kb
    commercial = model.declares_commercial()
    if commercial is None:
        return
    label = f"`{commercial.raw}`" if commercial.source == "card" else commercial.path
    listed = set()
    for f in model.facts.of("dataset"):
        ds = kb.dataset_for(f.value)
        lic = _nc(kb, ds) if ds else None
        if lic is None:
            continue
        listed.add(id(ds))
        yield finding(ID, SEVERITY, f.path, f.line,
                      f"dataset {f.value} is {lic.name} ({lic.id}), non-commercial, but the model is declared {label}, "
                      f"which permits commercial use",
                      _clause(lic) + (f" — {ds.evidence}" if ds.evidence else ""),
                      "declare a non-commercial licence (e.g. `license: cc-by-nc-4.0`) or retrain without this dataset")
    body = model.facts.card_body.lower()
    for ds in kb.datasets:
        lic = _nc(kb, ds)
        if lic is None or id(ds) in listed or not any(n.lower() in body for n in (*ds.names, *ds.ids) if n):
            continue  # (a substring test first: compiling the whole-word pattern costs more than the scan)
        pattern = _prose_pattern(ds.names + ds.ids)
        if pattern is None:
            continue
        for line_no, line in model.card_lines():
            m = pattern.search(line)
            if m and _trained_on(line, m):
                yield finding(ID, "warning", model.card, line_no,
                              f"the card names the {m.group(0)} dataset ({lic.name}, non-commercial) while the model is "
                              f"declared {label}, which permits commercial use",
                              _clause(lic), "list the training data in `datasets:` and declare a non-commercial licence, "
                              "or state that this dataset was not used for training")
                break
