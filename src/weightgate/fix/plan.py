"""What `fix` changes for one model folder, decided with the rules' own predicates.

Each planner looks at a condition a rule reports (through the rule module's predicate, never a copy of its
judgement), checks that the finding is active (selected, not waived), and changes the planned file contents
in the overlay. Whatever it cannot change gets a note saying why and what the owner should do.
"""
from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from ..collect.card import meant_key
from ..facts import Finding
from ..lineage import normalise_ref
from ..rules.metadata_invalid import RELATIONS
from ..rules.missing_attribution_phrase import displayed
from ..rules.missing_license_copy import has_copy
from ..rules.missing_notice import notice_present
from ..rules.missing_use_restrictions import passed_on
from ..rules.relabel_forbidden import permits, same_family, suggested_label
from ..sources import TEXT_CAP
from ..text import normalise
from .edits import Overlay
from .textedit import Card, NotText, TextFile

LICENSE_NAMES = ("license", "licence", "license.md", "licence.md", "license.txt", "licence.txt")
_RELATION_WORDS = {"finetune": "finetune", "finetuned": "finetune", "finetuning": "finetune", "fine": "finetune",
                   "adapter": "adapter", "adapters": "adapter", "lora": "adapter", "peft": "adapter",
                   "merge": "merge", "merged": "merge", "quantized": "quantized", "quantised": "quantized",
                   "quantization": "quantized", "quantisation": "quantized", "quant": "quantized"}


@dataclass(frozen=True)
class Fixed:
    """One change `fix` made (or, with --dry-run, would make)."""

    rule: str
    path: str  # source-relative
    line: int
    description: str


@dataclass(frozen=True)
class Note:
    """Why a finding was left for the owner."""

    rule: str
    path: str
    line: int
    license: str  # licence id the note is about ("" when any)
    reason: str


class Context:
    """What every planner of one fix run shares."""

    def __init__(self, kb, enabled, license_from: Sequence[str], config_path: Optional[str]):
        self.kb = kb
        self.enabled = enabled  # rule id -> bool (--select / --ignore)
        self.license_from = list(license_from)
        self.config_dir = os.path.dirname(os.path.abspath(config_path)) if config_path else None
        self._lf_cache: Optional[List[Tuple[str, bytes, Tuple[str, ...], Tuple[str, ...]]]] = None

    def license_from_files(self) -> List[Tuple[str, bytes, Tuple[str, ...], Tuple[str, ...]]]:
        """(path, bytes, ids, copies) of every readable text file given with --license-from."""
        if self._lf_cache is None:
            out = []
            for p in self.license_from:
                if os.path.isdir(p):
                    for dirpath, dirnames, filenames in os.walk(p):
                        dirnames.sort()
                        for fn in sorted(filenames):
                            out.extend(self._identify_file(os.path.join(dirpath, fn)))
                else:
                    out.extend(self._identify_file(p))
            self._lf_cache = out
        return self._lf_cache

    def _identify_file(self, path: str):
        data = _read_text_file(path)
        if data is None:
            return []
        ids, copies = self.identify(data)
        return [(path, data, ids, copies)]

    def identify(self, data: bytes) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return (), ()
        return self.kb.identify(normalise(text))


def _read_text_file(path: str) -> Optional[bytes]:
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > TEXT_CAP:
            return None
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    return None if b"\x00" in data[:8192] else data


class ModelFixer:
    """Plans the fixes of one model folder into the overlay."""

    def __init__(self, ctx: Context, overlay: Overlay, model, active: List[Finding]):
        self.ctx = ctx
        self.kb = ctx.kb
        self.overlay = overlay
        self.model = model
        self.active = active
        self.root = "" if model.root in (".", "") else model.root
        self.fixed: List[Fixed] = []
        self.notes: List[Note] = []
        self.copies: Dict[str, str] = {}  # licence id -> folder-relative name of the file holding its text

    # ---- helpers ----------------------------------------------------------------------------------------
    def join(self, name: str) -> str:
        return f"{self.root}/{name}" if self.root else name

    def is_active(self, rule: str, path: Optional[str] = None, line: Optional[int] = None) -> bool:
        return any(f.rule == rule and (path is None or f.path == path) and (line is None or f.line == line)
                   for f in self.active)

    def note(self, rule: str, path: str, line: int, reason: str, lic: str = "") -> None:
        self.notes.append(Note(rule, path, line, lic, reason))

    def anchor_notes(self, rule: str, reason: str, lic: str = "") -> None:
        """A note for every active finding of `rule` (model-wide findings sit on the card's first lines)."""
        for f in self.active:
            if f.rule == rule:
                self.note(rule, f.path, f.line, reason, lic)

    def folder_files(self) -> List[str]:
        """Names in the model folder, including files planned in this run."""
        names = {posixpath.basename(p) for p in self.model.facts.files}
        names |= {posixpath.basename(p) for p in self.overlay.files if posixpath.dirname(p) == self.root}
        return sorted(names)

    def link_to(self, lic) -> Optional[str]:
        """Where the card can point for a licence's text: a copy next to the model, else the official URL."""
        if lic.id in self.copies:
            return self.copies[lic.id]
        for lf in sorted(self.model.facts.license_files, key=lambda x: (x.distance, x.path)):
            if lf.role == "license" and any(self.kb.main(c) == lic.id for c in lf.copies):
                return posixpath.relpath(lf.path, self.root or ".")
        return lic.url or None

    # ---- the run ----------------------------------------------------------------------------------------
    def run(self) -> None:
        if self.ctx.enabled("missing-license-copy"):
            self.plan_license_copies()
        if self.ctx.enabled("missing-notice"):
            self.plan_notices()
        self.plan_card()

    # ---- licence copies ---------------------------------------------------------------------------------
    def _local_texts(self, lic) -> Tuple[List[Tuple[str, bytes, str]], List[str]]:
        """([(shown origin, bytes, folder of the origin or "")], places looked) for `lic`'s text, local only."""
        found, looked = [], []
        for b in self.model.bases:
            if not b.license or self.kb.main(b.license) != lic.id or not b.license_path:
                continue
            for full, shown in self._base_file_paths(b.license_path):
                data = _read_text_file(full) if full else self.overlay.read(shown)
                if data is None:
                    continue
                looked.append(shown)
                if any(self.kb.main(c) == lic.id for c in self.ctx.identify(data)[1]):
                    found.append((shown, data, os.path.dirname(full) if full else ""))
                break
        given = {os.path.abspath(p) for p in self.ctx.license_from}
        for path, data, ids, copies in self.ctx.license_from_files():
            if any(self.kb.main(c) == lic.id for c in copies):
                # a FILE given by name is copied alone; only a folder given by name lends its neighbours
                found.append((path, data, "" if os.path.abspath(path) in given else os.path.dirname(path)))
            elif any(self.kb.main(i) == lic.id for i in ids):
                percent = self.kb.coverage(next(i for i in ids if self.kb.main(i) == lic.id),
                                           normalise(data.decode("utf-8", "replace")))[1]
                looked.append(f"{path} holds only about {percent} % of the {lic.name}, not copied")
        if self.ctx.license_from:
            looked.append("--license-from " + ", ".join(self.ctx.license_from))
        return found, looked

    def _base_file_paths(self, path: str):
        """(filesystem path or None, shown path) candidates for a base's licence path."""
        if os.path.isabs(path):
            yield path, path
            return
        yield None, posixpath.normpath(path)  # source-relative (a local base folder)
        if self.ctx.config_dir:  # a `models` table entry's path, relative to the configuration file
            full = os.path.join(self.ctx.config_dir, path)
            yield full, full

    def plan_license_copies(self) -> None:
        for lic, base in self.model.obligations():
            if not lic.duty("license-copy") or has_copy(self.model, lic) or not self.is_active("missing-license-copy"):
                continue
            dest = self._copy_destination(lic)
            found, looked = self._local_texts(lic)
            clash = next((d for d in self.model.declared if d.source == "card" and d.ids and lic.id not in d.ids), None)
            if clash is not None and (self.ctx.enabled("relabel-forbidden") or self.ctx.enabled("license-mismatch")):
                if self.required_license()[0] is lic:
                    clash = None  # the card is about to declare this licence (planned below, in this round)
            if clash is not None:
                # A licence file in the model folder is itself a declaration: next to a card that declares other
                # terms it is reported as license-mismatch, so the copy would trade one finding for another.
                have = f" (a local copy is at {found[0][0]})" if found else \
                    (f" (official text: {lic.url})" if lic.url else "")
                self.anchor_notes("missing-license-copy",
                                  f"the card declares `{clash.raw}`, and a copy of the {lic.name} in the model folder "
                                  f"would be read as contradicting it (license-mismatch); fix does not add one — declare "
                                  f"`{lic.label}`, or ship the text yourself in a way that says which parts it "
                                  f"covers{have}", lic.id)
                continue
            if not found:
                where = f" (looked in {'; '.join(looked)})" if looked else ""
                get = f"get it from {lic.url}" if lic.url else "get the official text from the licensor"
                self.anchor_notes("missing-license-copy",
                                  f"no local copy of the {lic.name} text was found{where}, and weightgate never "
                                  f"downloads or writes licence texts itself: {get} and save it in the model folder as "
                                  f"{dest or 'LICENSE'}, or pass --license-from FILE", lic.id)
                continue
            if dest is None:
                self.anchor_notes("missing-license-copy",
                                  f"{self.join('LICENSE.' + lic.id + '.txt')} already exists and does not hold the "
                                  f"{lic.name}; weightgate does not overwrite it", lic.id)
                continue
            origin, data, origin_dir = found[0]
            path = self.join(dest)
            if self.overlay.write(path, data):
                self.copies[lic.id] = dest
                self.fixed.append(Fixed("missing-license-copy", path, 1,
                                        f"copied the {lic.name} from {origin}"))
                self._copy_policies(lic, origin_dir)

    def _copy_destination(self, lic) -> Optional[str]:
        names = self.folder_files()
        if not any(n.lower() in LICENSE_NAMES for n in names):
            return "LICENSE"
        alt = f"LICENSE.{lic.id}.txt"
        return None if alt in names else alt

    def _copy_policies(self, lic, origin_dir: str) -> None:
        """Use policies the licence incorporates (Llama AUP, Gemma prohibited use policy), from the same folder
        as the licence (a base folder, or a folder given with --license-from) or given by name with --license-from."""
        have = {i for lf in self.model.facts.license_files for i in lf.ids}
        try:
            candidates = [os.path.join(origin_dir, n) for n in sorted(os.listdir(origin_dir))] if origin_dir else []
        except OSError:
            candidates = []
        candidates += [p for p in self.ctx.license_from if os.path.isfile(p)]
        for pid in lic.policies:
            if pid in have:
                continue
            for full in candidates:
                data = _read_text_file(full)
                if data is None or pid not in self.ctx.identify(data)[1]:
                    continue
                name = os.path.basename(full)
                if name in self.folder_files():
                    break
                path = self.join(name)
                if self.overlay.write(path, data):
                    pol = self.kb.get(pid)
                    self.fixed.append(Fixed("missing-license-copy", path, 1,
                                            f"copied the {pol.name if pol else pid} from {full}"))
                break

    # ---- NOTICE -------------------------------------------------------------------------------------------
    def plan_notices(self) -> None:
        wanted: List[Tuple[str, List[str]]] = []  # (licence id, lines)
        for lic, _base in self.model.obligations():
            for duty in lic.duty("notice"):
                if duty.text and not notice_present(self.model, duty.text):
                    wanted.append((lic.id, [duty.text]))
        for lic, base in self.model.inherited():
            if lic.duty("notice") or not base.notice_lines:
                continue
            missing = [l.strip() for l in base.notice_lines if not notice_present(self.model, l)]
            if missing:
                wanted.append((lic.id, missing))
        if not wanted or not self.is_active("missing-notice"):
            return
        existing = sorted(lf.path for lf in self.model.facts.license_files
                          if lf.role == "notice" and lf.distance == 0 and posixpath.dirname(lf.path) == self.root)
        path = existing[0] if existing else self.join("NOTICE")
        if self.overlay.exists(path) and not self.overlay.is_regular(path):
            self.anchor_notes("missing-notice", f"{path} is not a regular file; add the notice lines yourself")
            return
        try:
            f = TextFile(self.overlay.read(path))
        except NotText:
            self.anchor_notes("missing-notice", f"{path} is not UTF-8 text; add the notice lines yourself")
            return
        present = normalise("".join(f.lines))
        added = []
        for lid, lines in wanted:
            lines = [l for l in lines if normalise(l) not in present]
            if lines:
                f.append_paragraph(lines)
                present = normalise("".join(f.lines))
                added.append((lid, lines))
        created = not self.overlay.exists(path)
        if added and self.overlay.write(path, f.data()):
            for lid, lines in added:
                lic = self.kb.get(lid)
                what = f"the notice the {lic.name if lic else lid} requires" if len(lines) == 1 else \
                    f"{len(lines)} NOTICE lines of the base ({lic.name if lic else lid} §4(d)-style notices)"
                self.fixed.append(Fixed("missing-notice", path, 1,
                                        f"{'created' if created else 'extended'} {posixpath.basename(path)} with {what}"))
                created = False

    # ---- the card -----------------------------------------------------------------------------------------
    def plan_card(self) -> None:
        mf = self.model.facts
        card_path = mf.card_path or self.join("README.md")
        if self.overlay.exists(card_path) and not self.overlay.is_regular(card_path):
            self._card_unavailable(card_path, "the model card is not a regular file (a symlink?)")
            return
        try:
            card = Card(self.overlay.read(card_path))
        except NotText:
            self._card_unavailable(card_path, "the model card is not UTF-8 text")
            return
        if card.lines and card.lines[0].strip() == "---" and not card.has_front_matter:
            self._card_unavailable(card_path, "the card's front matter is never closed")
            return
        data = card.data_keys()
        if data is None:
            self._card_unavailable(card_path, "the card's front matter is not a valid YAML mapping")
            return
        fixes: List[Fixed] = []
        done_lines = set()
        if mf.card_path:
            if self.ctx.enabled("relabel-forbidden") or self.ctx.enabled("license-mismatch"):
                self._relabel(card, data, fixes, done_lines)
            if self.ctx.enabled("metadata-invalid"):
                self._metadata(card, data, fixes, done_lines)
        paragraphs: List[Tuple[str, str]] = []  # (rule, text)
        if self.ctx.enabled("missing-attribution-phrase"):
            paragraphs += self._attribution(card)
        if self.ctx.enabled("missing-use-restrictions"):
            paragraphs += self._use_restrictions(card)
        if mf.card_path or paragraphs:
            if self.ctx.enabled("relabel-forbidden"):
                self._license_missing(card, data, fixes)
            if self.ctx.enabled("metadata-invalid"):
                self._base_model(card, data, fixes)
        for rule, text in paragraphs:
            card.add_to_license_section(text)
            fixes.append(Fixed(rule, card_path, 0, f"added “{text}” to the License section of the card"))
        if (fixes or paragraphs) and self.overlay.write(card_path, card.data()):
            if not mf.card_path:
                self.fixed.append(Fixed("", card_path, 1, "created the model card"))
            self.fixed.extend(fixes)

    def _card_unavailable(self, card_path: str, why: str) -> None:
        for rule in ("relabel-forbidden", "license-mismatch", "metadata-invalid", "missing-attribution-phrase",
                     "missing-use-restrictions"):
            for f in self.active:
                if f.rule == rule and f.path == card_path:
                    self.note(rule, f.path, f.line, f"{why}, so fix does not edit it")

    # ---- card: licence value --------------------------------------------------------------------------------
    def required_license(self):
        """(licence, "") when the bases allow exactly one licence for this model; (None, why) otherwise."""
        inherited = list(self.model.inherited())
        strict = {lic.id: lic for lic, _b in inherited if lic.relabel.mode in ("same", "share-alike")}
        if len(strict) > 1:
            names = " and ".join(f"the {l.name} ({l.id})" for l in strict.values())
            return None, (f"the bases are under {names}, and each allows no other licence for derivatives: the "
                          f"combination cannot be relabelled consistently, so this is the owner's (and their "
                          f"lawyer's) call")
        if len(strict) == 1:
            lic = next(iter(strict.values()))
            if lic.relabel.mode == "no-derivatives":
                return None, f"the {lic.name} allows no adapted material to be shared at all"
            blockers = [o for o, _b in inherited if o.id != lic.id and not permits(self.kb, o, lic.id)]
            if blockers:
                return None, (f"the {lic.name} ({lic.id}) and the {blockers[0].name} ({blockers[0].id}) of another "
                              f"base cannot both be satisfied by one licence")
            return lic, ""
        return None, ""

    def _forbidding(self, lid: str):
        """The first inherited licence that does not allow a derivative to be declared `lid` (None: allowed)."""
        return next((lic for lic, _b in self.model.inherited()
                     if not permits(self.kb, lic, lid) or same_family(self.kb, lid, lic.id)), None)

    def _options(self, lic) -> str:
        """The licences a non-commercial / multi-option base allows, the base's own first."""
        own = suggested_label(lic)
        if lic.relabel.mode == "non-commercial":
            others = sorted(l.label for l in self.kb.licenses.values()
                            if l.hub_ids and l.url and l.id != lic.id and not l.commercial
                            and l.kind == "non-commercial" and permits(self.kb, lic, l.id))
            shown = ", ".join(f"`{o}`" for o in others[:4]) + (", …" if len(others) > 4 else "")
            return (f"the {lic.name} is non-commercial and keeps binding derivatives whatever their label; declare "
                    f"a non-commercial licence — {own} (the base's own)"
                    + (f" or another non-commercial one ({shown})" if others else "")
                    + " — and remove commercial claims; the choice is yours, so fix leaves it")
        return (f"the {lic.name} allows several licences for a derivative; keep yours with the base's terms passed on, "
                f"or declare {own}; the choice is yours, so fix leaves it")

    def _name_and_link(self, card: Card, data: dict, lic) -> str:
        """Set the `license_name` and `license_link` that `license: other` needs; describe what was set."""
        slug = lic.license_names[0] if lic.license_names else lic.id
        link = self.link_to(lic)
        self._set_key(card, data, "license_name", slug)
        if link:
            self._set_key(card, data, "license_link", link)
        return f"`license_name: {slug}`" + (f" and `license_link: {link}`" if link else "")

    def _set_license(self, card: Card, data: dict, line: int, lic, fixes: List[Fixed], rule: str,
                     was: str, why: str) -> bool:
        label = lic.hub_ids[0] if lic.hub_ids else "other"
        if not card.set_value(line, label):
            return False
        desc = f"set `license: {label}` (was `{was}`){why}"
        if label == "other":
            desc += ", with " + self._name_and_link(card, data, lic)
        fixes.append(Fixed(rule, self.model.facts.card_path, line, desc))
        return True

    def _set_key(self, card: Card, data: dict, key: str, value: str) -> None:
        facts = [f for f in self.model.facts.of(key) if f.origin == f"card:{key}"]
        if key in data and facts:
            if data.get(key) != value:
                card.set_value(facts[0].line, value)
        elif key not in data:
            card.add_key(key, value)
            data[key] = value

    def _relabel(self, card: Card, data: dict, fixes: List[Fixed], done: set) -> None:
        kb = self.kb
        inherited = list(self.model.inherited())
        for d in self.model.declared:
            if d.source != "card" or not d.ids or d.line in done:
                continue
            bad = [lic for lic, _b in inherited
                   if not any(permits(kb, lic, i) for i in d.ids) or any(same_family(kb, i, lic.id) for i in d.ids)]
            if not bad:
                continue
            rules = [r for r in ("relabel-forbidden", "license-mismatch") if self.is_active(r, d.path, d.line)]
            if not rules:
                continue
            target, why = self.required_license()
            if target is None:
                reason = why or self._options(bad[0])
                for r in rules:
                    self.note(r, d.path, d.line, reason, bad[0].id)
                continue
            if d.raw.lower() == "other" and target.id in d.ids:
                continue
            if self._set_license(card, data, d.line, target, fixes, rules[0], d.raw,
                                 f": the {target.name} allows no other licence for this derivative"):
                done.add(d.line)
            else:
                for r in rules:
                    self.note(r, d.path, d.line, "the `license:` value is not a one-line scalar; set it to "
                              f"`{target.label}` by hand", target.id)

    # ---- card: other metadata -------------------------------------------------------------------------------
    def _metadata(self, card: Card, data: dict, fixes: List[Fixed], done: set) -> None:
        kb = self.kb
        mf = self.model.facts
        rule = "metadata-invalid"
        for f in mf.of("license"):
            if f.origin != "card:license" or f.line in done or not self.is_active(rule, f.path, f.line):
                continue
            if f.value == "other":
                self._other_keys(card, data, f, fixes)
                continue
            if kb.hub_id_valid(f.value):
                continue
            suggestion = kb.suggest_hub_id(f.value)
            if suggestion and suggestion != "other":
                forbidding = self._forbidding(kb.main(kb.lookup(suggestion) or suggestion))
                if forbidding is not None:  # a respelt relabel is still a relabel: never write it
                    self.note(rule, f.path, f.line, f"`{f.value}` would be spelt `{suggestion}`, but the "
                              f"{forbidding.name} ({forbidding.id}) of a base does not allow it; declare "
                              f"{suggested_label(forbidding)} instead", forbidding.id)
                    continue
                if card.set_value(f.line, suggestion):
                    done.add(f.line)
                    fixes.append(Fixed(rule, f.path, f.line, f"set `license: {suggestion}` (was `{f.value}`, "
                                                              "which is not a Hub licence id)"))
                continue
            lic = kb.get(kb.main(kb.lookup(f.value))) if suggestion == "other" else None
            why = ", which has no Hub id" if lic else ""
            if lic is None:
                lic, _ = self.required_license()
                why = ": not a licence weightgate knows, and the base allows only this one"
            if lic is None:
                self.note(rule, f.path, f.line, f"`{f.value}` is not a licence weightgate knows; write a Hub licence "
                                                "id, or `license: other` with `license_name` and `license_link`")
                continue
            if self._set_license(card, data, f.line, lic, fixes, rule, f.value, why):
                done.add(f.line)
        for f in mf.of("problem"):
            key = f.origin[len("card:"):] if f.origin.startswith("card:") else ""
            want = meant_key(key) if key else None
            if want is None:
                continue
            if f.value.rule != rule or not self.is_active(rule, f.path, f.line) or card.key_at(f.line) != key:
                continue
            if want in data:
                continue
            if card.rename_key(f.line, want):
                fixes.append(Fixed(rule, f.path, f.line, f"renamed `{key}:` to `{want}:` (the Hub ignores `{key}`)"))
        for f in mf.of("relation"):
            if f.origin != "card:base_model_relation" or f.value in RELATIONS or not self.is_active(rule, f.path, f.line):
                continue
            words = re.findall(r"[a-z]+", f.value.lower())
            want = _RELATION_WORDS.get("".join(words)) or (_RELATION_WORDS.get(words[0]) if words else None)
            if want and card.set_value(f.line, want):
                fixes.append(Fixed(rule, f.path, f.line, f"set `base_model_relation: {want}` (was `{f.value}`)"))
            else:
                self.note(rule, f.path, f.line, f"`{f.value}` does not say which relation is meant; use one of "
                                                f"{', '.join(RELATIONS)}")

    def _other_keys(self, card: Card, data: dict, f, fixes: List[Fixed]) -> None:
        """`license: other` without `license_name` / `license_link`: add what is missing when the licence is known."""
        kb = self.kb
        lic = None
        for n in self.model.facts.of("license_name"):
            lid = kb.lookup(n.value)
            lic = lic or (kb.get(kb.main(lid)) if lid else None)
        for d in self.model.declared:
            if lic is None and d.source == "card" and d.line == f.line and d.ids:
                lic = kb.get(d.ids[0])
        if lic is None:
            lic, _ = self.required_license()
        if lic is None:
            self.note("metadata-invalid", f.path, f.line, "which licence `other` means is not known; add "
                      "`license_name` and `license_link` yourself")
            return
        added = []
        if "license_name" not in data:
            slug = lic.license_names[0] if lic.license_names else lic.id
            card.add_key("license_name", slug)
            data["license_name"] = slug
            added.append(f"`license_name: {slug}`")
        if "license_link" not in data:
            link = self.link_to(lic)
            if link:
                card.add_key("license_link", link)
                data["license_link"] = link
                added.append(f"`license_link: {link}`")
        if added:
            fixes.append(Fixed("metadata-invalid", f.path, f.line, f"added {' and '.join(added)} for the {lic.name}"))

    def _license_missing(self, card: Card, data: dict, fixes: List[Fixed]) -> None:
        """A card without any `license:` gets the one licence its bases allow (nothing when there is a choice)."""
        if "license" in data or any(isinstance(k, str) and meant_key(k) == "license" for k in data):
            return
        lic, _why = self.required_license()
        if lic is None:
            return
        label = lic.hub_ids[0] if lic.hub_ids else "other"
        card.add_key("license", label)
        data["license"] = label
        desc = f"added `license: {label}`"
        if label == "other":
            desc += ", " + self._name_and_link(card, data, lic)
        fixes.append(Fixed("relabel-forbidden", self.model.facts.card_path or self.join("README.md"), 0,
                           desc + f": the card declared no licence, and the {lic.name} allows no other"))

    def _base_model(self, card: Card, data: dict, fixes: List[Fixed]) -> None:
        """`base_model` (and `base_model_relation`) when only configs or checkpoints name the base."""
        mf = self.model.facts
        if "base_model" in data or any(meant_key(k) == "base_model"
                                       for k in data if isinstance(k, str)):
            return
        if any(f.origin.startswith("card:") for f in mf.of("base")):
            return
        direct = [b for b in self.model.bases if not b.via]
        if not direct:
            return
        origins = [e.origin for b in direct for e in b.evidence]
        if not origins or any(o.startswith(("card", "card-body")) for o in origins):
            return
        folder = self.root
        refs = [normalise_ref(b.display, folder) for b in direct]
        if any(r is None or r.kind != "hub" for r in refs):
            return  # a local path means nothing on the Hub
        ids = [b.display for b in direct]
        card.add_key("base_model", ids[0] if len(ids) == 1 else ids)
        data["base_model"] = ids
        sources = sorted({posixpath.basename(e.path) for b in direct for e in b.evidence})
        desc = f"added `base_model: {', '.join(ids)}`"
        relation = direct[0].relation
        if "base_model_relation" not in data and relation in RELATIONS:
            card.add_key("base_model_relation", relation)
            data["base_model_relation"] = relation
            desc += f" and `base_model_relation: {relation}`"
        fixes.append(Fixed("metadata-invalid", mf.card_path or self.join("README.md"), 0,
                           desc + f" (the base was named only in {', '.join(sources)})"))

    # ---- card: body -----------------------------------------------------------------------------------------
    def _card_has(self, card: Card, text: str) -> bool:
        want = normalise(text)
        return any(normalise(card.content(l)) == want for l in card.lines)

    def _attribution(self, card: Card) -> List[Tuple[str, str]]:
        out = []
        rule = "missing-attribution-phrase"
        if not self.is_active(rule):
            return out
        for lic, _base in self.model.inherited():
            for duty in lic.duty("attribution"):
                if not duty.phrases or displayed(self.model, duty):
                    continue
                phrase = duty.phrases[0]
                if phrase[:1].islower():  # "… is built using Falcon LLM technology …": the model is the subject
                    phrase = f"{self.model.model_name()[0]} {phrase}."
                if self._card_has(card, phrase) or any(t == phrase for _r, t in out):
                    self.anchor_notes(rule, f"the card already has “{phrase}” but the check does not see it; "
                                            "please report this", lic.id)
                    continue
                out.append((rule, phrase))
        return out

    def _use_restrictions(self, card: Card) -> List[Tuple[str, str]]:
        out = []
        rule = "missing-use-restrictions"
        if not self.is_active(rule):
            return out
        for lic, _base in self.model.inherited():
            for duty in lic.duty("use-restrictions"):
                if passed_on(self.model, lic, duty):
                    continue
                link = self.link_to(lic)
                name = f"[{lic.name}]({link})" if link else lic.name
                policies = []
                for pid in lic.policies:
                    pol = self.kb.get(pid)
                    if pol is not None:
                        policies.append(f"[{pol.name}]({pol.url})" if pol.url else pol.name)
                extra = f" and its {' and '.join(policies)}" if policies else ""
                text = (f"Use of this model is subject to the use restrictions of the {name} ({lic.label}){extra}, "
                        f"which apply to every user of this model and of its derivatives.")
                if self._card_has(card, text):
                    self.anchor_notes(rule, "the card already has the statement but the check does not see it; "
                                            "please report this", lic.id)
                    continue
                out.append((rule, text))
        return out
