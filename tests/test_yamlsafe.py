"""Front matter is read by libyaml (C) when the document cannot nest deeply, else by PyYAML's Python loader:
both paths give the same data, the same key lines and the same refusals."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from weightgate.collect import yamlsafe
from weightgate.collect.card import split_front_matter

needs_libyaml = pytest.mark.skipif(yamlsafe._CFast is None, reason="PyYAML without libyaml")
ROOT = Path(__file__).resolve().parent.parent


def both(text: str):
    """(C result, Python result): each a (data, key lines) pair or the refusal's class and problem."""
    out = []
    for loader in (yamlsafe._CFast, yamlsafe._BoundedLoader):
        saved = yamlsafe._CFast
        yamlsafe._CFast = loader if loader is yamlsafe._CFast else None
        try:
            node, data = yamlsafe.load(text)
            lines = [k.start_mark.line for k, _ in node.value] if isinstance(node, yaml.MappingNode) else []
            out.append((data, lines))
        except yaml.YAMLError as e:
            out.append((type(e).__mro__[1].__name__ if isinstance(e, yamlsafe.YamlLimitError) else "error",
                        getattr(e, "problem", None) or str(e)))
        finally:
            yamlsafe._CFast = saved
    return out


def cards():
    for p in sorted(ROOT.glob("examples/**/README.md")) + sorted(ROOT.glob("tests/data/**/*.md")):
        y = split_front_matter(p.read_text(encoding="utf-8", errors="replace"))[0]
        if y:
            yield pytest.param(y, id=str(p.relative_to(ROOT)))


@needs_libyaml
@pytest.mark.parametrize("text", list(cards()))
def test_real_cards_read_the_same_in_c_and_python(text):
    assert yamlsafe._for_libyaml(text)
    c, py = both(text)
    assert c == py


BOMB = "\n".join(['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'] +
                 [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)])
BLOCK_BOMB = "a0: &a0\n" + "".join(f"  - lol{i}\n" for i in range(10)) + "".join(
    f"a{i}: &a{i}\n  {{x0: *a{i - 1}, x1: *a{i - 1}, x2: *a{i - 1}, x3: *a{i - 1}, x4: *a{i - 1}, x5: *a{i - 1}, "
    f"x6: *a{i - 1}, x7: *a{i - 1}, x8: *a{i - 1}, x9: *a{i - 1}}}\n" for i in range(1, 7))


@needs_libyaml
@pytest.mark.parametrize("text, problem", [
    (BOMB, "once aliases are expanded"), (BLOCK_BOMB, "once aliases are expanded"),
    ("tags: &a [x, *a]", "recursive structure"), ("a: &a {b: *a}", "recursive structure"),
    ("a: &a\n  - x\n  - *a\n", "recursive structure"),
    ("license: " + "9" * 10_000, "cannot read the value"), ("date: 2024-13-45", "cannot read the value"),
])
def test_bounds_hold_on_the_c_path(text, problem):
    assert yamlsafe._for_libyaml(text)
    for result in both(text):
        assert problem in result[1], result


@needs_libyaml
def test_long_flat_documents_take_the_fast_path():
    """A model-index of hundreds of results (MTEB cards) is long, not deep."""
    results = "".join(f"  - task:\n      type: t{i}\n    metrics:\n    - type: acc\n      value: {i}\n" for i in range(800))
    text = "license: mit\nmodel-index:\n- name: m\n  results:\n" + results
    assert yamlsafe._for_libyaml(text)
    c, py = both(text)
    assert c == py and len(c[0]["model-index"][0]["results"]) == 800


NEAR_LIMITS = ["\n".join(["- " * 15, " " * 31 + "- " * 15 + "k:", " " * 62 + "- " * 15 + "[" * 127 + "]" * 127]),
               "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 63)) + " " * 63 + "v\n"]


@needs_libyaml
@pytest.mark.parametrize("text", NEAR_LIMITS)
def test_the_deepest_documents_libyaml_gets_fit_a_small_thread_stack(text):
    """Just inside every bound, libyaml's recursion fits a 256 KB thread stack (1,000 levels do not). Run in a
    child process: an overflow there is a crash, not an exception."""
    import subprocess
    import sys

    assert yamlsafe._for_libyaml(text)
    code = ("import sys, threading; from weightgate.collect import yamlsafe\n"
            "threading.stack_size(256 * 1024)\n"
            "t = threading.Thread(target=yamlsafe.load, args=(sys.stdin.read(),)); t.start(); t.join()\n")
    r = subprocess.run([sys.executable, "-c", code], input=text, text=True, capture_output=True, timeout=60)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr


@needs_libyaml
@pytest.mark.parametrize("text", [
    "license: " + "[" * 100_000, "a: " + "- " * 100_000 + "x", "a: " + "? " * 100_000 + "x",
    "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "v",
    "a: " + "{b: " * 5_000 + "c" + "}" * 5_000, "a: " + "- " * 16 + "x",
    "".join(" " * i + f"k{i}:\n" for i in range(70)) + " " * 70 + "v",
])
def test_documents_that_could_nest_deeply_never_reach_the_c_composer(text):
    """libyaml composes recursively on the C stack: 100,000 levels crash the process (not an exception)."""
    assert not yamlsafe._for_libyaml(text)
    try:
        yamlsafe.load(text)
    except (yaml.YAMLError, RecursionError):  # what the card reader turns into a finding
        pass


def test_text_libyaml_cannot_encode_goes_to_the_python_loader():
    with pytest.raises(yaml.YAMLError):
        yamlsafe.load("license: mit\nname: caf\udce9\n")


@needs_libyaml
def test_libyaml_reads_what_it_is_given_as_the_python_loader_does():
    """Random documents from pieces that make the two readers differ or fail (tabs, BOMs, Unicode line breaks,
    directives, tags, merge keys, unterminated quotes): wherever the C path is taken, data and refusals agree."""
    import random

    rnd = random.Random(7)
    pieces = ["license: mit\n", "base_model: a/b\n", "tags:\n- x\n- y\n", "a: [1, 2]\n", "b: {c: d}\n", "k: 'q'\n",
              'k2: "e\\x41"\n', "  ", " ", "\n", "- ", "? ", ": ", "#c\n", "&a ", "*a", "!!str ", "|\n  lit\n",
              ">\n  fold\n", "\x7f", "é", "\r\n", "\r", "\t", "\ufeff", "\x85", "\u2028", "---\n", "...\n",
              "%YAML 1.1\n", "k3: 0x1F\n", "k5: 2024-01-01\n", "k7: yes\n", "'open", "[", '"', "{", "}", "]", ",",
              "k9: !x y\n", "<<: *a\n", "- - x\n", "? complex\n: v\n"]
    taken = 0
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 12)))
        if not yamlsafe._for_libyaml(text):
            continue
        taken += 1
        c, py = both(text)
        assert (c[0] == "error") == (py[0] == "error") and (c == py or c[0] == "error"), (text, c, py)
    assert taken > 1000
