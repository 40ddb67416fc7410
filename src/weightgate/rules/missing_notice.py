"""missing-notice — a NOTICE line the base's licence prescribes word for word is missing.

Several licences require an exact attribution notice in a "Notice" text file shipped with every copy:
Llama 2 ("Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All
Rights Reserved."), each Llama 3.x/4 version with its own string, Gemma ("Gemma is provided under and subject
to the Gemma Terms of Use found at ai.google.dev/gemma/terms"), OPT-175B, LLaMA-1, Qwen/Tongyi Qianwen,
Stability AI, FLUX.1 [dev], Mistral MNPL/MRL. Apache-2.0 §4(d) adds that the contents of a NOTICE file the
base ships must be kept (a warning).

The line is accepted in a NOTICE file, in a LICENSE file, or in the model card, as its own line or paragraph.
The same words quoted inside a copy of the licence (where the licence spells out the duty) do not count.
Matching ignores case, line wrapping, quote styles and © / (c).

Fix: add the exact line to a NOTICE file next to the model (`weightgate fix` creates or extends it).
"""
from __future__ import annotations

from . import base_phrase, clause_of, finding, under
from .missing_license_copy import location
from ..text import normalise

ID = "missing-notice"
SEVERITY = "error"
SUMMARY = "A NOTICE text the base's licence requires word for word is absent."

# A paragraph holding the notice may carry this much else ("Notice:", list marks, quotes) and still be the notice.
SLACK = 80


def _paragraphs(lines):
    buf = []
    for line in list(lines) + [""]:
        if line.strip():
            buf.append(line)
        elif buf:
            yield normalise(" ".join(buf))
            buf = []


def _in_paragraphs(paras, notice: str) -> bool:
    return any(notice in p and len(p) - len(notice) <= SLACK for p in paras)


def notice_present(model, text: str) -> bool:
    notice = normalise(text)
    for lf in model.facts.license_files:
        if lf.role == "notice" and notice in lf.text:
            return True
        if notice in lf.text and _in_paragraphs(_paragraphs(lf.raw_lines), notice):
            return True
    return _in_paragraphs((p for _, p in model.paragraphs()), notice)


def check(model):
    for lic, base in model.obligations():
        for duty in lic.duty("notice"):
            if not duty.text or notice_present(model, duty.text):
                continue
            path, line = location(model)
            yield finding(ID, duty.severity or SEVERITY, path, line,
                          f"{under(base, lic)}, which requires this exact notice "
                          f"with every copy: “{duty.text}”",
                          clause_of(lic, duty.clause, duty.quote),
                          f"add a NOTICE file to the model folder containing the line: {duty.text}")
    # Apache-2.0 §4(d) and licences like it: NOTICE contents a (local) base ships must be kept.
    for lic, base in model.inherited():
        if lic.duty("notice") or not base.notice_lines:
            continue
        missing = [l.strip() for l in base.notice_lines if not notice_present(model, l)]
        if missing:
            path, line = model.anchor()
            yield finding(ID, "warning", path, line,
                          f"{base_phrase(base)} ships a NOTICE file whose attribution notices must be kept "
                          f"(missing: “{missing[0][:80]}”)",
                          f"{lic.name} ({lic.id}): keep the attribution notices of the base's NOTICE file",
                          "copy the base's NOTICE lines into a NOTICE file in the model folder")
