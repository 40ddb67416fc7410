"""What `weightgate check` promises whatever it is given: it writes nothing, never touches the network,
never unpickles, never runs anything, and reads only headers from weight files."""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import socket
import stat
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict

import pytest

from conftest import REPO, check_json, write_tree
from conftest_checkpoints import CountingStream, varint

CARD = "---\nlicense: mit\nbase_model: meta-llama/Llama-2-7b-hf\nlicense_link: https://example.com/LICENSE\n---\n# M\n"
MIT = "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n"
MB = 1 << 20


class Payload:
    """A pickle that, if it were ever loaded, would create `marker` (and run a shell command creating `marker2`)."""

    def __init__(self, marker: str, how: str):
        self.marker, self.how = marker, how

    def __reduce__(self):
        if self.how == "open":
            return (open, (self.marker, "w"))
        return (os.system, (f"touch '{self.marker}'",))


def write_pickles(folder: Path, marker_dir: Path) -> Dict[str, Path]:
    markers = {}
    for i, name in enumerate(["pytorch_model.bin", "model.pt", "model.ckpt", "weights.pth", "model.pkl"]):
        marker = marker_dir / f"unpickled-{i}"
        markers[name] = marker
        (folder / name).write_bytes(pickle.dumps(Payload(str(marker), "open" if i % 2 == 0 else "system")))
    return markers


def safetensors_bytes(meta: dict, data_size: int = 8) -> bytes:
    raw = json.dumps({"__metadata__": meta, "w": {"dtype": "F32", "shape": [2],
                                                     "data_offsets": [0, data_size]}}).encode()
    return struct.pack("<Q", len(raw)) + raw + b"\0" * data_size


def messy_repo(root: Path, marker_dir: Path) -> Dict[str, Path]:
    """A repository with a bit of everything that has gone wrong in real uploads."""
    write_tree(root, {
        "README.md": CARD,
        "LICENSE": MIT,
        "config.json": '{"_name_or_path": "meta-llama/Llama-2-7b-hf",,}',
        "model.safetensors": safetensors_bytes({"license": "llama2", "base_model": "meta-llama/Llama-2-7b-hf"}),
        "broken.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 2 ** 40),
        "lfs.safetensors": b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"cd" * 32 + b"\nsize 99\n",
        "sub/README.md": "---\n- a list\n---\n",
        "sub/adapter_config.json": '{"base_model_name_or_path": "mistralai/Mistral-7B-v0.1"}',
        "sub/mergekit_config.yml": "merge_method: slerp\nmodels: [{model: a/b}, {model: c/d}]\n",
        "junk/README.md": b"\x00\xff" * 500,
        "junk/config.json": "[" * 50_000,
    })
    os.mkfifo(root / "sub" / "model.safetensors")
    os.symlink("/etc/passwd", root / "junk" / "LICENSE")
    os.symlink("/dev/zero", root / "junk" / "model.gguf")
    os.symlink("loop-b.onnx", root / "loop-a.onnx")
    os.symlink("loop-a.onnx", root / "loop-b.onnx")
    return write_pickles(root, marker_dir)


def snapshot(root: Path) -> Dict[str, tuple]:
    """Every path under root: type, mode, size, mtime_ns, and a content hash for regular files."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            digest = ""
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                digest = os.readlink(p)
            out[os.path.relpath(p, root)] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_size,
                                             st.st_mtime_ns, digest)
    return out


@pytest.fixture
def messy(tmp_path):
    root = tmp_path / "repo"
    markers = tmp_path / "markers"
    root.mkdir()
    markers.mkdir()
    pickles = messy_repo(root, markers)
    return root, markers, pickles


def test_check_writes_nothing(messy):
    root, markers, _ = messy
    before = snapshot(root)
    report = check_json(root)
    assert report["exit_code"] == 1 and report["findings"]
    report = check_json(root / "sub")
    assert snapshot(root) == before
    assert list(markers.iterdir()) == []


def test_check_from_inside_the_repo_writes_nothing(messy):
    """Run as a hook would: the real entry point with the repository as working directory."""
    root, markers, _ = messy
    before = snapshot(root)
    r = subprocess.run([sys.executable, "-m", "weightgate", "check"], cwd=root, capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert r.returncode == 1, r.stderr
    assert snapshot(root) == before
    assert list(markers.iterdir()) == []


def test_pickles_are_never_unpickled(messy):
    root, markers, pickles = messy
    report = check_json(root)
    flagged = {f["path"] for f in report["findings"] if f["rule"] == "pickle-checkpoint"}
    assert flagged == set(pickles)
    for name, marker in pickles.items():
        assert not marker.exists(), f"{name} was unpickled"


# The audit hook cannot be removed once installed, so it runs in its own interpreter. It ends the process
# with a distinctive status on the first forbidden event: no try/except inside weightgate can swallow that.
AUDIT = textwrap.dedent(r"""
    import os, sys
    FORBIDDEN_PREFIXES = ("socket.", "urllib.", "http.", "ftplib.", "smtplib.", "subprocess.", "os.exec",
                          "os.posix_spawn", "os.spawn", "os.system", "os.fork", "pickle.find_class",
                          "ctypes.")  # not marshal.loads: lazy imports load .pyc files
    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    armed = [False]

    def hook(event, args):
        if not armed[0]:
            return
        # the one process a check may start: git, asked read-only which folders it ignores (stdin /dev/null)
        if event == "os.posix_spawn" and os.path.basename(os.fsdecode(args[0])) == "git":
            return
        if event == "open" and args[0] == os.devnull:
            return
        bad = event.startswith(FORBIDDEN_PREFIXES) or event in ("os.remove", "os.rename", "os.mkdir", "os.rmdir",
                                                                 "os.symlink", "os.link", "os.chmod", "os.truncate",
                                                                 "os.utime", "shutil.rmtree", "shutil.copyfile")
        if event == "open":
            path, mode, flags = args
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & WRITE_FLAGS):
                bad = True
        if bad:
            os.write(2, f"FORBIDDEN {event} {repr(args)[:300]}\n".encode())
            os._exit(97)

    sys.addaudithook(hook)
    sys.dont_write_bytecode = True
    import weightgate.cli, weightgate.collect.checkpoints, weightgate.collect.yamlsafe  # imports done first
    import weightgate.knowledge
    weightgate.knowledge.load()
    armed[0] = True
    code = weightgate.cli.main(sys.argv[1:])
    os.write(1, f"EXIT {code}\n".encode())
    sys.stdout.flush()
    os._exit(0)
""")


def run_audited(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", AUDIT, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))


def test_no_network_no_exec_no_unpickle_no_write_under_audit(messy):
    root, markers, _ = messy
    r = run_audited("check", root, "--format", "json", cwd=root)
    assert "FORBIDDEN" not in r.stderr, r.stderr
    assert r.returncode == 0 and r.stdout.rstrip().endswith("EXIT 1"), r.stdout[-500:] + r.stderr
    assert list(markers.iterdir()) == []


def test_in_a_git_work_tree_the_only_process_is_git(messy):
    """In a git work tree a check asks git which folders it ignores; that is the one process it starts, and
    it still writes nothing (the git index and the tree are untouched)."""
    root, markers, _ = messy
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    def state():
        return sorted((str(p.relative_to(root)), p.lstat().st_mtime_ns) for p in root.rglob("*") if ".git" not in p.parts)

    before = state()
    r = run_audited("check", root, "--format", "json", cwd=root)
    assert "FORBIDDEN" not in r.stderr, r.stderr
    assert r.stdout.rstrip().endswith("EXIT 1"), r.stdout[-500:] + r.stderr
    assert before == state() and not (root / ".git" / "index").exists()
    assert list(markers.iterdir()) == []


def test_audit_hook_does_catch_a_connect(tmp_path):
    """The harness itself works: a connect attempt under the hook ends the process with status 97."""
    script = AUDIT.replace("code = weightgate.cli.main(sys.argv[1:])",
                           "import socket; socket.getaddrinfo('localhost', 80); code = 0")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert r.returncode == 97 and "FORBIDDEN socket.getaddrinfo" in r.stderr


# --- bytes read per weight file ---------------------------------------------------------------------------

def counting_source(root):
    """An FsSource counting the bytes each weight file gives up, through an 8-byte buffer so that read-ahead
    past what a reader asks for is counted too."""
    from weightgate.sources import FsSource

    class BufferedCountingSource(FsSource):
        def __init__(self, root):
            super().__init__(root)
            self.counts: Dict[str, int] = {}

        def open(self, path):
            return io.BufferedReader(CountingStream(super().open(path), self.counts, path), buffer_size=8)

    return BufferedCountingSource(str(root))


def test_bytes_read_per_weight_file_are_bounded(tmp_path):
    from weightgate import engine

    data = 64 * MB  # sparse: costs no disk
    write_tree(tmp_path, {"README.md": "---\nlicense: mit\n---\n# M\n", "LICENSE": MIT})
    header = safetensors_bytes({"license": "mit"}, data_size=0)
    st_header = json.dumps({"__metadata__": {"license": "mit"},
                            "w": {"dtype": "F32", "shape": [data // 4], "data_offsets": [0, data]}}).encode()
    with open(tmp_path / "model.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(st_header)) + st_header)
        f.truncate(8 + len(st_header) + data)
    key = b"general.license"
    kv = struct.pack("<Q", len(key)) + key + struct.pack("<IQ", 8, 3) + b"mit"
    gguf_head = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + kv
    with open(tmp_path / "model.gguf", "wb") as f:
        f.write(gguf_head)
        f.truncate(len(gguf_head) + data)
    entry = b"\x0a\x07license\x12\x03mit"
    onnx_head = b"\x08\x07" + b"\x72" + varint(len(entry)) + entry + b"\x3a" + varint(data)
    with open(tmp_path / "model.onnx", "wb") as f:
        f.write(onnx_head)
        f.truncate(len(onnx_head) + data)
    with open(tmp_path / "pytorch_model.bin", "wb") as f:
        f.truncate(data)
    source = counting_source(tmp_path)
    engine.run([engine.Target(source, [""], "", [], "repo")])
    counts = source.counts
    assert counts.get("pytorch_model.bin", 0) == 0  # pickles are judged by name only
    assert 0 < counts["model.safetensors"] <= 8 + len(st_header) + 8
    assert 0 < counts["model.gguf"] <= len(gguf_head) + 64 * 1024
    assert 0 < counts["model.onnx"] <= len(onnx_head) + 64
    assert len(header) > 0


def test_text_files_are_read_only_up_to_the_cap(tmp_path):
    from weightgate import engine
    from weightgate.sources import TEXT_CAP

    write_tree(tmp_path, {"README.md": "---\nlicense: mit\n---\n" + "x" * 100 + "\n", "LICENSE": MIT,
                          "config.json": "{}"})
    with open(tmp_path / "README.md", "ab") as f:
        f.truncate(3 * TEXT_CAP)
    source = counting_source(tmp_path)
    engine.run([engine.Target(source, [""], "", [], "repo")])
    assert source.counts["README.md"] <= TEXT_CAP + 1 + 8
