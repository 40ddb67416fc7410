"""noncommercial-data — a model trained on non-commercial data is declared for commercial use.

Training sets carry licences too. Two sources say which ones forbid commercial use:

- the curated entries of `datasets.toml` (they take precedence): the Stanford Alpaca data (and its cleaned
  and GPT-4 copies) is CC BY-NC 4.0, and the Alpaca README says "models trained using the dataset should not
  be used outside of research purposes"; CC BY-NC §3(a)(4) keeps the non-commercial condition binding on
  adapted material whatever licence the adapter applies;
- the Data Provenance Collection (about 2,300 hand-audited fine-tuning datasets, imported by
  `scripts/import_data_provenance.py`): every Hub dataset id it classes `NC` or `Acad` (its `Various` and
  unclassified licences included). Attribution (CC BY) and share-alike (CC BY-SA, CDLA-Sharing) data is
  commercially usable, and `Unspecified` says nothing: neither gets a finding. When the collection lists
  subsets of one Hub id with different classes, the finding says "some subsets are …" and names them. Terms
  of the model that generated the data (the collection's `OpenAI`, `Anthropic` licences) are judged by
  `generated-data-terms` instead.

Error when the card's `datasets:` metadata lists a dataset whose own terms reach models trained on it (Alpaca's
words); a warning for any other non-commercial dataset, and for one named only in the card text (a sentence
naming it with "trained", "fine-tuned", "SFT" …, a Training Data section, or a `model-index` entry).
Benchmarks (AlpacaEval), prompt formats ("Alpaca prompt template") and tables do not count.

Not fixable automatically: either retrain without the data or declare a non-commercial licence.
"""
from __future__ import annotations

from . import clause_of, finding

ID = "noncommercial-data"
SEVERITY = "error"
SUMMARY = "A non-commercial dataset is used and the model is declared for commercial use."

_FIX = "declare a non-commercial licence (e.g. `license: cc-by-nc-4.0`) or retrain without this dataset"


def _curated_verdict(kb, ds):
    """(licence record) when the curated entry is non-commercial, else None."""
    lic = kb.get(kb.main(ds.license))
    return lic if lic is not None and not lic.commercial else None


def _clause(lic):
    copy = lic.duty("license-copy")
    return clause_of(lic, lic.relabel.clause or (copy[0].clause if copy else ""), lic.relabel.quote)


def _own(kb, subset):
    """A subset's own licences, leaving out generator terms (judged by generated-data-terms)."""
    terms = {g.dpi_license for g in kb.generators if g.dpi_license}
    return [l for l in subset.licences if l.name not in terms]


def own_use(kb, subset) -> str:
    """A subset's use class from its own licences (the collection's "IgnoreOpenAI" view, for every generator)."""
    from ..knowledge.datasets import resolve_use

    return resolve_use([l.use for l in _own(kb, subset)] or ["Unspecified"])


def restricted(kb, info):
    """[(subset, use class)] of the collection's records for this id that forbid commercial use."""
    return [(s, u) for s in info.subsets for u in [own_use(kb, s)] if u in ("NC", "Acad")]


def _dpi_message(kb, info, bad, label):
    names = sorted({l.name for s, _ in bad for l in _own(kb, s) if l.use in ("NC", "Acad", "?")})
    classes = "/".join(sorted({u for _, u in bad}))
    what = "non-commercial" if classes == "NC" else "academic/non-commercial only"
    if len(bad) < len(info.subsets):
        shown = ", ".join(s.record for s, _ in bad[:4]) + (", …" if len(bad) > 4 else "")
        head = (f"dataset {info.id}: some subsets are {classes} ({len(bad)} of {len(info.subsets)} records of the Data "
                f"Provenance Collection: {shown}; licences {', '.join(names) or classes})")
    else:
        head = (f"dataset {info.id} is classed {classes} ({what}) by the Data Provenance Collection "
                f"(licences: {', '.join(names) or classes})")
    return f"{head}, but the model is declared {label}, which permits commercial use"


def _dpi_clause(kb, info, bad):
    subset, use = bad[0]
    lic = next((l for l in _own(kb, subset) if l.use in ("NC", "Acad", "?")), None)
    source = subset.source(info.commit)
    if lic is None:
        return f"{source}: use class {use}"
    lid = kb.lookup(lic.name)
    known = kb.get(kb.main(lid)) if lid else None
    where = f" ({lic.url})" if lic.url and lic.url.startswith("http") else ""
    text = _clause(known) + " — " if known is not None and not known.commercial else ""
    return f"{text}{source}: licence `{lic.name}`{where} is classed {lic.use} in constants/license_classes.json"


def check(model):
    kb = model.kb
    commercial = model.declares_commercial()
    if commercial is None:
        return
    label = f"`{commercial.raw}`" if commercial.source == "card" else commercial.path
    datasets, _generators = model.datasets()
    for use in datasets:
        info = use.info
        if info is None:
            continue
        in_metadata = use.origin in ("card:datasets", "card:dataset")
        if info.curated is not None:  # curated knowledge wins, with its own wording
            lic = _curated_verdict(kb, info.curated)
            if lic is None:
                continue
            binding = info.curated.reaches_models
            severity = SEVERITY if binding and in_metadata else "warning"
            where = "is" if in_metadata else "is named in the card text as training data; it is"
            yield finding(ID, severity, use.path, use.line,
                          f"dataset {use.ref} {where} {lic.name} ({lic.id}), non-commercial"
                          + (f" (its terms reach trained models: “{binding}”)" if binding else "")
                          + f", but the model is declared {label}, which permits commercial use",
                          _clause(lic) + (f" — {info.curated.evidence}" if info.curated.evidence else ""), _FIX)
            continue
        bad = restricted(kb, info)
        if bad:
            yield finding(ID, "warning", use.path, use.line, _dpi_message(kb, info, bad, label),
                          _dpi_clause(kb, info, bad), _FIX)
