"""The view of one model folder that rules judge: its facts, its resolved bases, its declarations."""
from __future__ import annotations

import fnmatch
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Iterator, List, Optional, Tuple

from .declared import Declaration
from .facts import Base, ModelFacts
from .text import normalise


class Model:
    def __init__(self, facts: ModelFacts, bases: List[Base], declared: List[Declaration], kb, config=None):
        self.facts = facts
        self.bases = bases
        self.declared = declared
        self.kb = kb
        self.config = config  # weightgate.config.Config of this check
        self._paragraphs: Optional[List[Tuple[int, str]]] = None
        self._datasets = None
        self._inherited: Optional[Tuple[Tuple[object, Base], ...]] = None  # the bases and declarations never change
        self._obligations: Optional[Tuple[Tuple[object, Optional[Base]], ...]] = None

    def datasets(self):
        """(datasets the card names with what is known of them, generators of the training data); see
        collect/datasets.py. Computed once, on first use."""
        if self._datasets is None:
            from .collect.datasets import uses

            self._datasets = uses(self)
        return self._datasets

    @property
    def root(self) -> str:
        return self.facts.root

    @property
    def card(self) -> Optional[str]:
        return self.facts.card_path

    def anchor(self) -> Tuple[str, int]:
        """Where a finding about the model as a whole points: the card, else the first file."""
        if self.facts.card_path:
            return self.facts.card_path, 1
        if self.facts.files:
            return sorted(self.facts.files)[0], 1
        return self.facts.root, 1

    def inherited(self) -> Tuple[Tuple[object, Base], ...]:
        """(licence, the first base that brings it) for every distinct licence among the ancestors. Computed once.

        Use policies are not licences of their own here: they arrive through the licence that incorporates them.
        """
        if self._inherited is None:
            out, seen = [], set()
            for b in self.bases:
                if not b.license:
                    continue
                main = self.kb.main(b.license)
                lic = self.kb.get(main)
                if lic is None or lic.kind == "use-policy" or main in seen:
                    continue
                seen.add(main)
                out.append((lic, b))
            self._inherited = tuple(out)
        return self._inherited

    def obligations(self) -> Tuple[Tuple[object, Optional[Base]], ...]:
        """Licences whose redistribution duties bind this folder: every inherited licence, plus a model-specific
        licence the card declares (a `license: gemma` or `llama3.1` card owes that licence's duties even when
        its base is unknown or not named). Generic public licences (MIT, CC, GPL) impose no duties on the
        licensor who chooses them, and a declared licence that relabels a base is reported, not obeyed.
        Computed once."""
        if self._obligations is None:
            inherited = self.inherited()
            out = list(inherited)
            seen = {lic.id for lic, _ in inherited}
            for d in self.declared:
                if d.source != "card":
                    continue
                for lid in d.ids:
                    lic = self.kb.get(lid)
                    if (lic is None or lid in seen or lic.kind == "use-policy"
                            or not lic.spdx.startswith("LicenseRef-")):
                        continue
                    if inherited:  # only a base's licence can be relabelled
                        from .rules.relabel_forbidden import permits, same_family

                        if any(not permits(self.kb, il, lid) or same_family(self.kb, il.id, lid)
                               for il, _ in inherited):
                            continue
                    seen.add(lid)
                    out.append((lic, None))
            self._obligations = tuple(out)
        return self._obligations

    # ---- card text --------------------------------------------------------------------------------------
    def paragraphs(self) -> List[Tuple[int, str]]:
        """(first line, normalised text) of each blank-line separated paragraph of the card body."""
        if self._paragraphs is None:
            out: List[Tuple[int, str]] = []
            start, buf = None, []
            for i, line in enumerate(self.facts.card_body.splitlines() + [""]):
                if line.strip():
                    if start is None:
                        start = self.facts.card_body_start + i
                    buf.append(line)
                elif buf:
                    out.append((start, normalise(" ".join(buf))))
                    start, buf = None, []
            self._paragraphs = out
        return self._paragraphs

    def card_lines(self) -> Iterator[Tuple[int, str]]:
        for i, line in enumerate(self.facts.card_body.splitlines()):
            yield self.facts.card_body_start + i, line

    def model_name(self) -> Tuple[Optional[str], str, int]:
        """(name, path, line): the card's `model_name`, else its `model-index` name, else its H1 title (when it
        reads like a name, not a section heading, a link or a sentence), else the folder (repo) name.
        The name is None when only template text ("Uploaded model", "checkpoint-900") is left."""
        generic = getattr(self.kb, "generic_titles", ())

        def usable(name: str) -> bool:
            n = normalise(name)
            return bool(n) and n not in generic and not any(fnmatch.fnmatchcase(n, g) for g in generic if "*" in g)

        for kind, origin in (("name", "card:"), ("index_name", "card:")):
            for f in self.facts.of(kind):
                if f.origin.startswith(origin) and usable(f.value):
                    return f.value.rsplit("/", 1)[-1], f.path, f.line
        for f in self.facts.of("title"):
            title = f.value
            if "card" in title.lower() or not title.isascii():  # else the pattern cannot match: not compiled
                title = re.sub(r"^(?:model\s+card\s+for|model\s+card\s*:)\s*", "", title, flags=re.I)
            title = title.strip()
            if (title and usable(title) and usable(f.value) and len(title.split()) <= 8 and "](" not in f.value
                    and not re.search(r"[!?:]$", title)):
                return title.rsplit("/", 1)[-1], f.path, f.line
        path, line = self.anchor()
        return (self.facts.name_hint if usable(self.facts.name_hint) else None), path, line

    def declares_commercial(self) -> Optional[Declaration]:
        for d in self.declared:
            if d.source in ("card", "license-file") and d.ids:
                lic = self.kb.get(d.ids[0])
                if lic is not None and lic.commercial:
                    return d
        return None
