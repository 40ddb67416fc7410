"""pickle-checkpoint — a weight file in a pickle format (.bin, .pt, .pth, .ckpt, .pkl).

Loading a pickle runs code, so weightgate never opens these files, and they carry no readable licence
metadata: their licence comes only from the card and configs. Pickled weights are also a security risk for
everyone who downloads them.

Fix: convert the weights to safetensors (`safetensors.torch.save_file`) and remove the pickle.
"""
from __future__ import annotations

from ._problems import from_problems

ID = "pickle-checkpoint"
SEVERITY = "warning"
SUMMARY = "Weights in a pickle format (.bin/.pt/.ckpt): never opened; convert to safetensors."


def check(model):
    yield from from_problems(model, ID, SEVERITY)
