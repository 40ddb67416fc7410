"""naming-rule — a Llama 3.x/4 derivative whose name does not begin with "Llama".

Llama 3 §1.b.i: "If you use the Llama Materials to create, train, fine tune, or otherwise improve an AI model,
which is distributed or made available, you shall also include 'Llama 3' at the beginning of any such AI
model name." From Llama 3.1 on the required prefix is "Llama" (and it also covers models trained on Llama
outputs).

The name checked is the card's `model_name`, else its `model-index` name, else its H1 title (the first
heading, when it reads like a name: template titles such as "Uploaded model" or "Model Card for …" are
looked through, links and sentences are not names), else the folder (repository) name. Case and separators
are ignored: "llama-3-8b-sft", "Llama3_8B" and "LLAMA 3 Instruct" all begin with "Llama 3". When only
template names are left ("checkpoint-900", "output") the rule cannot judge and stays silent.

Quantizations (`base_model_relation: quantized`, `quantized_by:`, GGUF files) re-distribute a model under the
name its author chose; the naming duty is that author's, so the rule does not apply to them.

Not fixable automatically: renaming is the owner's decision. The finding shows a compliant name.
"""
from __future__ import annotations

import re

from . import base_phrase, clause_of, finding

ID = "naming-rule"
SEVERITY = "error"
SUMMARY = "A Llama 3 / 3.1+ derivative whose model name does not begin with \"Llama 3\" / \"Llama\"."


def prefix_pattern(prefix: str):
    """"Llama 3" → matches "llama3…", "Llama-3…", "llama_3…" but not "llama30b"."""
    parts = [re.escape(p) for p in re.findall(r"[A-Za-z]+|\d+", prefix)]
    tail = r"(?!\d)" if prefix and prefix[-1].isdigit() else ""
    return re.compile(r"^[\W_]*" + r"[\W_]*".join(parts) + tail, re.I)


def compliant_name(prefix: str, name: str) -> str:
    return f"{prefix.replace(' ', '-')}-{name}" if name else prefix


def check(model):
    from ..lineage import relation_of

    name, path, line = model.model_name()
    if name is None or relation_of(model.facts, 1) == "quantized":
        return
    for lic, base in model.obligations():
        for duty in lic.duty("naming"):
            if prefix_pattern(duty.prefix).match(name or ""):
                continue
            yield finding(ID, duty.severity or SEVERITY, path, line,
                          f"the model name “{name}” does not begin with “{duty.prefix}”, which the {lic.name} "
                          f"({lic.id}) requires of models built from "
                          f"{base_phrase(base).replace('its ', '', 1) if base else 'Llama materials'}",
                          clause_of(lic, duty.clause, duty.quote),
                          f"rename the model to begin with “{duty.prefix}”, e.g. “{compliant_name(duty.prefix, name)}” "
                          f"(set `model_name:` and the card title); renaming is your decision, so fix leaves it")
