"""The view of one model folder that rules judge: its facts, its resolved bases, its declarations."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Tuple

from .declared import Declaration
from .facts import Base, ModelFacts
from .text import normalise


@dataclass
class Model:
    facts: ModelFacts
    bases: List[Base]
    declared: List[Declaration]
    kb: object
    config: object = None  # weightgate.config.Config of this check
    _paragraphs: Optional[List[Tuple[int, str]]] = field(default=None, repr=False)

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

    def inherited(self) -> Iterator[Tuple[object, Base]]:
        """(licence, the first base that brings it) for every distinct licence among the ancestors.

        Use policies are not licences of their own here: they arrive through the licence that incorporates them.
        """
        seen = set()
        for b in self.bases:
            if not b.license:
                continue
            main = self.kb.main(b.license)
            lic = self.kb.get(main)
            if lic is None or lic.kind == "use-policy" or main in seen:
                continue
            seen.add(main)
            yield lic, b

    def obligations(self) -> Iterator[Tuple[object, Optional[Base]]]:
        """Licences whose redistribution duties bind this folder: every inherited licence or, when no base is
        known, a restrictive licence the model declares for itself (a `license: llama2` card with no
        `base_model` still owes the agreement and the Notice)."""
        seen = set()
        for lic, b in self.inherited():
            seen.add(lic.id)
            yield lic, b
        if seen or self.bases:
            return
        for d in self.declared:
            if d.source != "card":
                continue
            for lid in d.ids:
                lic = self.kb.get(lid)
                if lic is not None and lid not in seen and lic.relabel.mode != "any" and lic.kind != "use-policy":
                    seen.add(lid)
                    yield lic, None

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

    def model_name(self) -> Tuple[str, str, int]:
        """(name, path, line): the card's `model_name`, else its H1 title, else the folder (repo) name."""
        for f in self.facts.of("name"):
            if f.origin.startswith("card:"):
                return f.value, f.path, f.line
        generic = getattr(self.kb, "generic_titles", ())
        for f in self.facts.of("title"):
            title = re.sub(r"^(?:model\s+card\s+for|model\s+card\s*:)\s*", "", f.value, flags=re.I).strip()
            if title and normalise(title) not in generic and normalise(f.value) not in generic:
                return title.rsplit("/", 1)[-1], f.path, f.line
        path, line = self.anchor()
        return self.facts.name_hint, path, line

    def declares_commercial(self) -> Optional[Declaration]:
        for d in self.declared:
            if d.source in ("card", "license-file") and d.ids:
                lic = self.kb.get(d.ids[0])
                if lic is not None and lic.commercial:
                    return d
        return None
