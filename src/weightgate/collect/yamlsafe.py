"""YAML from checked files (card front matter, mergekit configs), loaded with bounds.

PyYAML's SafeLoader never runs code, but on its own it will happily
- expand aliases into a "billion laughs" document: the objects are shared, yet any code that walks or prints
  the values (a `tags:` alias to a list of lists of lists …) does 10^9 steps;
- build a structure that contains itself (`tags: &a [*a]`);
- raise ValueError from a constructor (`license: 9999…` past Python's int-digit limit, `date: 2024-13-45`);
- spend minutes on a multi-megabyte document (it is pure Python: about 60 KB/s).

`load` refuses all of that with a `yaml.MarkedYAMLError` (so callers' existing `except yaml.YAMLError` turns
it into a metadata-invalid finding with a line), and returns the composed node too, for key lines.

Where PyYAML has libyaml, the document is scanned, parsed and composed in C (a 25 KB card with a model-index:
7.5 ms in Python, under 1 ms in C) and the bounds are then checked on the composed nodes. libyaml composes
recursively on the C stack, so a document that could nest deeply (many brackets, deep indentation, long runs of
compact indicators) goes to
the Python loader, which stops at the interpreter's recursion limit instead of crashing; so does a document
with a character the two readers treat differently (tests/test_yamlsafe.py compares them).
"""
from __future__ import annotations

if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, Dict, Tuple

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from ..text import LazyPattern

MAX_YAML_CHARS = 1024 * 1024  # about 15 s of PyYAML on a slow machine; real front matter is a few KB
MAX_YAML_NODES = 100_000  # values after alias expansion; a large model-index has a few thousand


class YamlLimitError(ComposerError):
    """The document is over a size bound (its `problem` says which)."""


def _too_many(mark) -> YamlLimitError:
    return YamlLimitError(None, None, f"more than {MAX_YAML_NODES:,} values once aliases are expanded "
                                      "(an alias bomb?)", mark)


def _recursive(mark, alias: str = "an alias") -> ComposerError:
    return ComposerError(None, None, f"{alias} refers to a node that contains it (a recursive structure)", mark)


class _Constructing:
    """Constructor errors (`license: 9999…` past the int-digit limit, impossible dates) as a marked YAMLError."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as e:  # int digit limit, impossible dates, …
            text = str(e).split(";")[0][:120]
            raise ConstructorError(None, None, f"cannot read the value {_excerpt(node)}: {text}",
                                   node.start_mark) from None


_CLoader = getattr(yaml, "CSafeLoader", None)
_CFast = type("_CFast", (_Constructing, _CLoader), {}) if _CLoader is not None else None
# libyaml composes on the C stack, one call per level of nesting. Flow nesting needs a "[" or "{" per level;
# block nesting needs more indentation per level, or a compact indicator ("- - x", "? - x") on the same line.
# Below these bounds a document nests at most ~200 levels, far inside even a 256 KB thread stack (1,000 levels
# overflow it); a long flat list (a model-index of hundreds of results) stays on the fast path.
_C_MAX_FLOW = 128  # "[" and "{" in the whole document
_C_MAX_INDENT = 64  # a run of this many spaces anywhere (indentation among them)
_COMPACT_RUN = LazyPattern(r"(?:[-?] +){16}")  # 16 compact indicators in a row
# Where libyaml and PyYAML's Python reader (what huggingface_hub reads cards with) disagree: tabs, a BOM inside
# the document, Unicode line breaks. A document holding one is read by the Python loader.
_C_DISAGREES = ("\t", "\ufeff", "\x85", "\u2028", "\u2029")


def _for_libyaml(text: str) -> bool:
    """Whether libyaml reads this document as the Python loader would, and cannot nest deeply."""
    return not (any(c in text for c in _C_DISAGREES) or " " * _C_MAX_INDENT in text
                or text.count("[") + text.count("{") > _C_MAX_FLOW or _COMPACT_RUN.search(text))


def _check_bounds(root) -> None:
    """Count the values of the composed document with aliases expanded (a shared node counts once per use)
    and refuse a node that contains itself; iterative, so a deep document cannot exhaust the stack here."""
    weight: Dict[int, int] = {}
    open_: set = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            children = _children(node)
            total = 1 + sum(weight[id(c)] for c in children)
            if total > MAX_YAML_NODES:
                raise _too_many(node.start_mark)
            weight[key] = total
            continue
        if key in weight:  # a shared node, already counted
            continue
        open_.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_:  # an ancestor: the only way a node can be reached again while open
                raise _recursive(child.start_mark)
            if id(child) not in weight:
                stack.append((child, False))


def _children(node):
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return ()


class _BoundedLoader(_Constructing, yaml.SafeLoader):
    """SafeLoader that counts every node it composes, an alias counting as the whole node it repeats."""

    def __init__(self, stream):
        super().__init__(stream)
        self._count = 0
        self._weights: Dict[int, Tuple[Any, int]] = {}  # id(node) -> (node, expanded size), finished nodes

    def _add(self, n: int, mark) -> None:
        self._count += n
        if self._count > MAX_YAML_NODES:
            raise _too_many(mark)

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None:
                done = self._weights.get(id(target))
                if done is None or done[0] is not target:
                    raise _recursive(event.start_mark, f"alias *{event.anchor}")
                self._add(done[1], event.start_mark)
            return super().compose_node(parent, index)  # undefined aliases: PyYAML's own error
        before = self._count
        node = super().compose_node(parent, index)
        self._add(1, node.start_mark)
        self._weights[id(node)] = (node, self._count - before)
        return node


def _excerpt(node) -> str:
    value = node.value if isinstance(node.value, str) else ""
    return repr(value[:40] + "…" if len(value) > 40 else value)


def load(text: str):
    """(root node or None, data). Raises yaml.YAMLError (MarkedYAMLError for the bounds) or RecursionError
    (nesting deeper than the interpreter's stack: callers report it)."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlLimitError(None, None, f"the YAML is {len(text):,} characters, over the "
                                         f"{MAX_YAML_CHARS:,}-character limit; not read", None)
    loader = None
    if _CFast is not None and _for_libyaml(text):
        try:
            loader = _CFast(text)
        except UnicodeEncodeError:  # lone surrogates (bytes that were not UTF-8): libyaml reads UTF-8 only
            loader = None
    fast = loader is not None
    loader = loader or _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if fast and ("*" in text or 2 * len(text) >= MAX_YAML_NODES):
            # (without an alias nothing repeats or contains itself, and a character of the text makes at most two
            # values, `{a,b}` five characters four: only a document with an alias, or this long, can be too big)
            _check_bounds(node)
        return node, loader.construct_document(node)
    finally:
        loader.dispose()
        if not fast:
            loader._weights.clear()
