"""Bad inputs: every row of docs/bad-inputs.md, built for real and checked in-process.

Each case writes a small repository, runs `weightgate check --format json` on it and compares the answer
with the row: exit code, and the finding (rule, file, a piece of the message) or the absence of one. A
SIGALRM guard turns a hang (a FIFO opened for reading, a regex gone quadratic) into a failure.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Tuple

import pytest

from conftest import REPO, check_json, write_tree

CARD = "---\nlicense: mit\n---\n# Model\n\nA model.\n"
MIT = "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n"
DOC = REPO / "docs" / "bad-inputs.md"
HANG_LIMIT = 120  # seconds: a liveness guard against hangs (FIFOs, alias bombs), not a speed test


def safetensors(meta=None, data_size=4, offsets=(0, 4)) -> bytes:
    header = {"w": {"dtype": "F32", "shape": [1], "data_offsets": list(offsets)}}
    if meta is not None:
        header["__metadata__"] = meta
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + b"\0" * data_size


def gguf(kv_count=0, body=b"", magic=b"GGUF", version=3) -> bytes:
    return magic + struct.pack("<IQQ", version, 0, kv_count) + body


@dataclass
class Case:
    name: str
    build: Callable[[Path], None]
    exit: int  # expected exit code of `weightgate check`
    finding: Optional[Tuple[str, str, str]] = None  # (rule, path, piece of the message)
    absent: Tuple[str, ...] = ()  # paths no finding may name (not read, not followed)
    skip: Callable[[], Optional[str]] = field(default=lambda: None)


def files(tree: dict) -> Callable[[Path], None]:
    return lambda root: write_tree(root, tree)


def with_card(extra: Callable[[Path], None], card_text: str = CARD) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        write_tree(root, {"README.md": card_text, "LICENSE": MIT})
        extra(root)
    return build


def mkfifo(name: str) -> Callable[[Path], None]:
    return lambda root: os.mkfifo(root / name)


def symlink(name: str, target: str) -> Callable[[Path], None]:
    return lambda root: os.symlink(target, root / name)


def unix_socket(name: str) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.bind(str(root / name))
        finally:
            s.close()
    return build


def char_device(name: str) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        try:
            os.mknod(root / name, 0o600 | __import__("stat").S_IFCHR, os.makedev(1, 5))  # like /dev/zero
        except (PermissionError, OSError) as e:
            pytest.skip(f"cannot create a device node here: {e}")
    return build


def alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "---\nlicense: mit\n" + "\n".join(lines) + "\ntags: *a9\n---\n# Model\n"


def escaping_dir(root: Path) -> None:
    outside = root.parent / "outside-model"
    write_tree(outside, {"config.json": '{"_name_or_path": "meta-llama/Llama-2-7b-hf"}',
                         "README.md": "---\nlicense: mit\nbase_model: meta-llama/Llama-2-7b-hf\n---\n"})
    os.symlink(outside, root / "linked")


def ten_thousand_files(root: Path) -> None:
    write_tree(root, {"README.md": CARD, "LICENSE": MIT, "config.json": "{}"})
    for i in range(10_000):
        (root / f"shard-{i:05d}.txt").write_bytes(b"")


def unreadable(root: Path) -> None:
    write_tree(root, {"README.md": CARD, "LICENSE": MIT, "config.json": "{}"})
    os.chmod(root / "config.json", 0)


def root_can_read() -> Optional[str]:
    return "running as root: chmod 000 does not stop reads" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


LFS_BAD = b"version https://git-lfs.github.com/spec/v1\noid sha256:not-hex\nsize 12\n"
LFS_OK = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"ab" * 32 + b"\nsize 123456\n"

CASES: List[Case] = [
    # --- model card front matter ---
    Case("front-matter-unparsable", files({"README.md": "---\nlicense: [mit\nbase_model: x\n---\n# M\n"}), 1,
         ("metadata-invalid", "README.md", "not valid YAML")),
    Case("front-matter-is-a-list", files({"README.md": "---\n- license\n- mit\n---\n# M\n", "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "front matter is a YAML list")),
    Case("yaml-1.1-boolean", files({"README.md": "---\nlicense: no\n---\n# M\n", "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "YAML 1.1 reads unquoted yes/no")),
    Case("yaml-wrong-types", files({"README.md": "---\nlicense: 42\nbase_model: {a: 1}\n---\n# M\n",
                                    "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "`license` must be a string or a list of strings, found int 42")),
    Case("billion-laughs", files({"README.md": alias_bomb(), "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "once aliases are expanded")),
    Case("recursive-alias", files({"README.md": "---\nlicense: mit\ntags: &a [x, *a]\n---\n", "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "recursive structure")),
    Case("yaml-deep-nesting", files({"README.md": "---\nlicense: " + "[" * 100_000 + "\n---\n", "config.json": "{}"}),
         1, ("metadata-invalid", "README.md", "nests too deeply")),
    Case("yaml-huge-integer", files({"README.md": "---\nlicense: " + "9" * 10_000 + "\n---\n", "config.json": "{}"}),
         1, ("metadata-invalid", "README.md", "cannot read the value")),
    Case("yaml-python-tag", files({"README.md": "---\nlicense: !!python/object/apply:os.system ['touch pwned']\n---\n",
                                   "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "could not determine a constructor")),
    Case("front-matter-over-1mb", files({"README.md": "---\nlicense: mit\ntags:\n" + "- t\n" * 300_000 + "---\n",
                                         "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "character limit")),
    Case("readme-only-dashes", files({"README.md": "---", "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "never closed")),
    Case("hostile-long-line", files({"README.md": CARD + "license: a" + " " * 200_000 + "x\n" + "[a](" * 100_000 + "\n"
                                     + "# " + " " * 200_000 + "x\n" + "*a " * 100_000 + "\n",
                                     "LICENSE": MIT, "config.json": "{}"}), 0),
    # --- text encodings and sizes ---
    Case("binary-junk-readme", files({"README.md": bytes(range(256)) * 16, "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "not UTF-8 text")),
    Case("utf16-card", files({"README.md": CARD.encode("utf-16"), "LICENSE": MIT, "config.json": "{}"}), 0),
    Case("utf8-bom-card", files({"README.md": b"\xef\xbb\xbf" + CARD.encode(), "LICENSE": MIT, "config.json": "{}"}), 0),
    Case("latin1-card", files({"README.md": "---\nlicense: mit\n---\n# Modèle café\n".encode("latin-1")}), 1,
         ("metadata-invalid", "README.md", "read with the byte replaced")),
    Case("card-over-10mb", files({"README.md": CARD + ("x" * 1023 + "\n") * (11 * 1024), "LICENSE": MIT,
                                  "config.json": "{}"}), 1,
         ("metadata-invalid", "README.md", "larger than 10 MB")),
    Case("empty-files", files({"README.md": "", "config.json": "", "model.safetensors": b"", "LICENSE": ""}), 1,
         ("metadata-invalid", "config.json", "not valid JSON")),
    # --- JSON configs ---
    Case("bad-json-config", with_card(files({"config.json": '{"_name_or_path": "x",,}'})), 1,
         ("metadata-invalid", "config.json", "not valid JSON")),
    Case("json-200000-deep", with_card(files({"config.json": "[" * 200_000})), 1,
         ("metadata-invalid", "config.json", "nests more than")),
    Case("adapter-config-not-object", with_card(files({"adapter_config.json": "[1, 2]"})), 1,
         ("metadata-invalid", "adapter_config.json", "not a JSON object")),
    Case("adapter-config-wrong-type", with_card(files({"adapter_config.json": '{"base_model_name_or_path": ["x"]}'})),
         1, ("metadata-invalid", "adapter_config.json", "must be a string")),
    # --- base references that are not clean Hub ids (issue 11 class 1) and local look-alikes (class 3) ---
    Case("base-model-plain-name", files({"README.md": "---\nlicense: mit\nbase_model: Llama 2 7B\n---\n"}), 1,
         ("metadata-invalid", "README.md", "is not a Hub model id")),
    Case("base-model-invisible-characters",
         files({"README.md": "---\nlicense: mit\nbase_model: \"meta-llama/Llama\u200b-2-7b-hf\"\n---\n"}), 1,
         ("metadata-invalid", "README.md", "holds invisible characters")),
    Case("base-model-look-alike-letters",
         files({"README.md": "---\nlicense: mit\nbase_model: meta-ll\u0430ma/Llama-2-7b-hf\n---\n"}), 1,
         ("metadata-invalid", "README.md", "holds look-alike non-Latin letters")),
    Case("base-model-mirror-url",
         files({"README.md": "---\nlicense: mit\nbase_model: https://hf-mirror.com/meta-llama/Llama-2-7b-hf\n---\n"}),
         1, ("relabel-forbidden", "README.md", "meta-llama/Llama-2-7b-hf")),
    Case("base-model-revision-suffix",
         files({"README.md": "---\nlicense: mit\nbase_model: \"meta-llama/Llama-2-7b-hf:main\"\n---\n"}), 1,
         ("relabel-forbidden", "README.md", "meta-llama/Llama-2-7b-hf")),
    Case("base-model-other-url",
         files({"README.md": "---\nlicense: mit\nbase_model: https://github.com/acme/model\n---\n"}), 1,
         ("unknown-base-license", "README.md", "not a Hugging Face model")),
    Case("look-alike-sibling-folder",
         files({"m/README.md": "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n---\n",
                "Llama-2-7b-hf/README.md": "---\nlicense: apache-2.0\n---\n", "Llama-2-7b-hf/config.json": "{}"}), 1,
         ("lineage-conflict", "m/README.md", "local folder Llama-2-7b-hf")),
    Case("mergekit-bad-yaml", with_card(files({"mergekit_config.yml": "merge_method: slerp\nmodels: [a\n"})), 1,
         ("metadata-invalid", "mergekit_config.yml", "not valid YAML")),
    Case("mergekit-wrong-types", with_card(files({"mergekit_config.yml": "merge_method: slerp\nmodels: 5\n"
                                                                         "slices: [{sources: 3}]\n"})), 0),
    # --- checkpoints ---
    Case("safetensors-header-length-huge", with_card(files({"model.safetensors": b"\xff" * 64})), 1,
         ("metadata-invalid", "model.safetensors", "exceeds the 100000000-byte limit")),
    Case("safetensors-truncated", with_card(files({"model.safetensors": safetensors(data_size=2)})), 1,
         ("metadata-invalid", "model.safetensors", "truncated")),
    Case("safetensors-deep-json", with_card(files({"model.safetensors": struct.pack("<Q", 200_001) + b"{" + b"[" * 200_000})),
         1, ("metadata-invalid", "model.safetensors", "nested too deeply")),
    Case("safetensors-metadata-not-strings", with_card(files({"model.safetensors": safetensors(meta={"license": 5})})),
         1, ("metadata-invalid", "model.safetensors", "not a string")),
    Case("gguf-bad-magic", with_card(files({"model.gguf": gguf(magic=b"GGUX")})), 1,
         ("metadata-invalid", "model.gguf", "bad magic")),
    Case("gguf-huge-counts", with_card(files({"model.gguf": gguf(kv_count=2 ** 63)})), 1,
         ("metadata-invalid", "model.gguf", "cannot fit")),
    Case("gguf-huge-array", with_card(files({"model.gguf": gguf(1, struct.pack("<Q", 7) + b"general" + struct.pack(
        "<IIQ", 9, 8, 2 ** 62))})), 1, ("metadata-invalid", "model.gguf", "runs past the end")),
    Case("onnx-junk", with_card(files({"model.onnx": b"\x00\x07junk" * 100})), 1,
         ("metadata-invalid", "model.onnx", "ONNX")),
    Case("lfs-pointer-malformed", with_card(files({"model.safetensors": LFS_BAD})), 1,
         ("metadata-invalid", "model.safetensors", "malformed Git LFS pointer")),
    Case("lfs-pointer-without-object", with_card(files({"model.safetensors": LFS_OK})), 0,
         ("checkpoint-unverifiable", "model.safetensors", "Git LFS pointer")),
    Case("shard-index-escaping", with_card(files({"model.safetensors.index.json":
                                                  '{"weight_map": {"w": "../../etc/passwd"}}'})), 1,
         ("metadata-invalid", "model.safetensors.index.json", "leaves the model folder")),
    Case("pickle-checkpoint", with_card(files({"pytorch_model.bin": b"\x80\x04junk", "model.ckpt": b"\x80\x02"})), 0,
         ("pickle-checkpoint", "pytorch_model.bin", "pickle checkpoint")),
    # --- files that are not regular files ---
    Case("fifo-model-safetensors", with_card(mkfifo("model.safetensors")), 0,
         ("checkpoint-unverifiable", "model.safetensors", "not a regular file")),
    Case("fifo-readme", lambda r: (write_tree(r, {"config.json": "{}", "LICENSE": MIT}), mkfifo("README.md")(r)), 1,
         ("metadata-invalid", "README.md", "not a regular file")),
    Case("fifo-license", lambda r: (write_tree(r, {"README.md": CARD, "config.json": "{}"}), mkfifo("LICENSE")(r)), 1,
         ("metadata-invalid", "LICENSE", "not a regular file")),
    Case("fifo-config-json", with_card(mkfifo("config.json")), 1,
         ("metadata-invalid", "config.json", "not a regular file")),
    Case("device-file", with_card(char_device("model.gguf")), 0,
         ("checkpoint-unverifiable", "model.gguf", "not a regular file")),
    Case("socket-license", lambda r: (write_tree(r, {"README.md": CARD, "config.json": "{}"}),
                                      unix_socket("LICENSE")(r)), 1,
         ("metadata-invalid", "LICENSE", "not a regular file")),
    Case("symlink-to-etc-passwd", lambda r: (write_tree(r, {"README.md": CARD, "config.json": "{}"}),
                                             symlink("LICENSE", "/etc/passwd")(r)), 1,
         ("metadata-invalid", "LICENSE", "symlink that leaves the repository")),
    Case("symlink-to-dev-zero", with_card(symlink("model.safetensors", "/dev/zero")), 0,
         ("checkpoint-unverifiable", "model.safetensors", "symlink that leaves the repository")),
    Case("symlink-readme-to-dev-zero", lambda r: (write_tree(r, {"config.json": "{}", "LICENSE": MIT}),
                                                  symlink("README.md", "/dev/zero")(r)), 1,
         ("metadata-invalid", "README.md", "symlink that leaves the repository")),
    Case("symlink-loop", with_card(lambda r: (symlink("a.safetensors", "b.safetensors")(r),
                                              symlink("b.safetensors", "a.safetensors")(r))), 0,
         ("checkpoint-unverifiable", "a.safetensors", "loops")),
    Case("directory-symlink-loop", with_card(lambda r: (write_tree(r, {"sub/config.json": "{}"}),
                                                        symlink("sub/up", "..")(r))), 0, None, ("sub/up",)),
    Case("symlinked-dir-escaping", with_card(escaping_dir), 0, None, ("linked", "linked/README.md")),
    Case("directory-named-like-files", with_card(files({"config.json/x": "{}", "model.safetensors/y": "",
                                                        "LICENSE.md/z": ""})), 0,
         None, ("config.json", "model.safetensors", "LICENSE.md")),
    Case("unreadable-file", unreadable, 1, ("metadata-invalid", "config.json", "cannot read"), skip=root_can_read),
    Case("path-with-newline-and-unicode", files({"we\nird ünï/README.md": CARD, "we\nird ünï/config.json": "{not json",
                                                 "we\nird ünï/LICENSE": MIT}), 1,
         ("metadata-invalid", "we\nird ünï/config.json", "not valid JSON")),
    Case("ten-thousand-files", ten_thousand_files, 0),
]


@pytest.fixture
def no_hang():
    """Fail (instead of hanging the test run) when a check blocks, e.g. on opening a FIFO."""
    def alarm(signum, frame):
        raise TimeoutError(f"check did not finish within {HANG_LIMIT} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path, no_hang):
    why = case.skip()
    if why:
        pytest.skip(why)
    root = tmp_path / "repo"
    root.mkdir()
    case.build(root)
    report = check_json(root)
    got = [(f["rule"], f["path"], f["message"]) for f in report["findings"]]
    assert report["exit_code"] == case.exit, got
    if case.finding:
        rule, path, piece = case.finding
        assert any(r == rule and p == path and piece in m for r, p, m in got), got
        for f in report["findings"]:  # every finding names a file and a line
            assert f["path"] and f["line"] >= 1
    for path in case.absent:
        assert not [g for g in got if g[1] == path or g[1].startswith(path + "/")], got


def test_symlinked_dir_outside_is_not_checked(tmp_path, no_hang):
    """The outside model behind the symlink would be a relabel; it must not even be looked at."""
    root = tmp_path / "repo"
    root.mkdir()
    with_card(escaping_dir)(root)
    report = check_json(root)
    assert [m["root"] for m in report["models"]] == ["."]


def test_yaml_bound_names_the_alias_line(tmp_path):
    from weightgate.collect.card import read_card

    facts, _, _ = read_card("README.md", alias_bomb())
    problems = [f for f in facts if f.kind == "problem"]
    assert len(problems) == 1 and problems[0].line > 2


def test_mergekit_in_card_code_block_is_bounded(no_hang):
    from weightgate.collect.card import read_card

    bomb = alias_bomb().split("---\n")[1].replace("license: mit\n", "merge_method: slerp\n")
    text = CARD + "```yaml\n" + bomb + "models: *a9\n```\n"
    facts, _, _ = read_card("README.md", text)  # the alias bound stops it; no_hang turns a regression into a failure
    assert not [f for f in facts if f.kind == "base" and f.value.count("*") > 0]


# --- the documentation and this table list the same inputs ----------------------------------------------

def doc_names() -> List[str]:
    names = []
    table = DOC.read_text(encoding="utf-8").split("## The table", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():  # other sections (Fail closed, …) have tests of their own
        m = re.match(r"^\|\s*`([a-z0-9.-]+)`\s*\|", line)
        if m:
            names.append(m.group(1))
    return names


def test_doc_table_matches_the_test_table():
    names = doc_names()
    assert len(names) >= 25
    assert len(names) == len(set(names)), "duplicate rows in docs/bad-inputs.md"
    assert names == [c.name for c in CASES]


# --- unexpected failures inside weightgate: one line, exit 2; --debug shows the traceback --------------

def _boom_on(monkeypatch, suffix: str) -> None:
    from weightgate.sources import FsSource

    real_open = FsSource.open

    def open_or_fail(self, path):
        if path.endswith(suffix):
            raise RuntimeError("injected fault")
        return real_open(self, path)

    monkeypatch.setattr(FsSource, "open", open_or_fail)


@pytest.mark.parametrize("victim", ["model.safetensors", "README.md", "config.json"])
def test_internal_error_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys, victim):
    from weightgate.cli import main

    write_tree(tmp_path, {"README.md": CARD, "config.json": "{}", "model.safetensors": safetensors()})
    _boom_on(monkeypatch, victim)
    assert main(["check", str(tmp_path)]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith(f"weightgate: internal error while reading {victim}: RuntimeError: injected fault")
    assert "--debug" in lines[0] and "Traceback" not in out.err


def test_internal_error_with_debug_shows_the_traceback(tmp_path, monkeypatch, capsys):
    from weightgate.cli import main

    write_tree(tmp_path, {"README.md": CARD, "model.safetensors": safetensors()})
    _boom_on(monkeypatch, "model.safetensors")
    assert main(["check", str(tmp_path), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError: injected fault" in err
    assert err.rstrip().splitlines()[-1].startswith("weightgate: internal error while reading model.safetensors")


def test_engine_run_with_a_failing_source_raises_only_that_error(tmp_path):
    """Through the Python API the fault is not swallowed: the caller gets the exception itself."""
    from weightgate import engine
    from weightgate.sources import FsSource

    class Failing(FsSource):
        def open(self, path):
            raise RuntimeError(f"cannot open {path}")

    write_tree(tmp_path, {"README.md": CARD, "config.json": "{}"})
    target = engine.Target(Failing(str(tmp_path)), [""], "", [], "repo")
    with pytest.raises(RuntimeError, match="cannot open"):
        engine.run([target])


def test_bad_invocation_is_one_line_exit_2(tmp_path, capsys):
    from weightgate.cli import main

    assert main(["check", str(tmp_path / "missing")]) == 2
    assert main(["check", str(tmp_path), "--config", str(tmp_path / "nope.toml")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(l.startswith("weightgate: ") for l in err) and "Traceback" not in "".join(err)
