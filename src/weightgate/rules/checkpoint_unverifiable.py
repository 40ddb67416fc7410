"""checkpoint-unverifiable — a weight file is a Git LFS pointer whose object is not present locally.

weightgate reads licence metadata from checkpoint headers (GGUF `general.license`, safetensors
`__metadata__`, ONNX `metadata_props`). When a weight file is only an LFS pointer and the object is not in
`.git/lfs/objects`, its metadata cannot be checked, so a relabelled checkpoint could slip through.

Fix: `git lfs fetch` (or `git lfs pull`) so the objects are present, then check again.
"""
from __future__ import annotations

from ._problems import from_problems

ID = "checkpoint-unverifiable"
SEVERITY = "warning"
SUMMARY = "A weight file is a Git LFS pointer whose object is not present, so its metadata cannot be checked."


def check(model):
    yield from from_problems(model, ID, SEVERITY)
