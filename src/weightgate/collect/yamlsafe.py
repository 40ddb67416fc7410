"""YAML from checked files (card front matter, mergekit configs), loaded with bounds.

PyYAML's SafeLoader never runs code, but on its own it will happily
- expand aliases into a "billion laughs" document: the objects are shared, yet any code that walks or prints
  the values (a `tags:` alias to a list of lists of lists …) does 10^9 steps;
- build a structure that contains itself (`tags: &a [*a]`);
- raise ValueError from a constructor (`license: 9999…` past Python's int-digit limit, `date: 2024-13-45`);
- spend minutes on a multi-megabyte document (it is pure Python: about 60 KB/s).

`load` refuses all of that with a `yaml.MarkedYAMLError` (so callers' existing `except yaml.YAMLError` turns
it into a metadata-invalid finding with a line), and returns the composed node too, for key lines.
"""
from __future__ import annotations

if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, Dict, Tuple

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

MAX_YAML_CHARS = 1024 * 1024  # about 15 s of PyYAML on a slow machine; real front matter is a few KB
MAX_YAML_NODES = 100_000  # values after alias expansion; a large model-index has a few thousand


class YamlLimitError(ComposerError):
    """The document is over a size bound (its `problem` says which)."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts every node it composes, an alias counting as the whole node it repeats."""

    def __init__(self, stream):
        super().__init__(stream)
        self._count = 0
        self._weights: Dict[int, Tuple[Any, int]] = {}  # id(node) -> (node, expanded size), finished nodes

    def _add(self, n: int, mark) -> None:
        self._count += n
        if self._count > MAX_YAML_NODES:
            raise YamlLimitError(None, None, f"more than {MAX_YAML_NODES:,} values once aliases are expanded "
                                             "(an alias bomb?)", mark)

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None:
                done = self._weights.get(id(target))
                if done is None or done[0] is not target:
                    raise ComposerError(None, None, f"alias *{event.anchor} refers to a node that contains it "
                                                    "(a recursive structure)", event.start_mark)
                self._add(done[1], event.start_mark)
            return super().compose_node(parent, index)  # undefined aliases: PyYAML's own error
        before = self._count
        node = super().compose_node(parent, index)
        self._add(1, node.start_mark)
        self._weights[id(node)] = (node, self._count - before)
        return node

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as e:  # int digit limit, impossible dates, …
            text = str(e).split(";")[0][:120]
            raise ConstructorError(None, None, f"cannot read the value {_excerpt(node)}: {text}",
                                   node.start_mark) from None


def _excerpt(node) -> str:
    value = node.value if isinstance(node.value, str) else ""
    return repr(value[:40] + "…" if len(value) > 40 else value)


def load(text: str):
    """(root node or None, data). Raises yaml.YAMLError (MarkedYAMLError for the bounds) or RecursionError
    (nesting deeper than the interpreter's stack: callers report it)."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlLimitError(None, None, f"the YAML is {len(text):,} characters, over the "
                                         f"{MAX_YAML_CHARS:,}-character limit; not read", None)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        return node, loader.construct_document(node)
    finally:
        loader.dispose()
        loader._weights.clear()
