#!/usr/bin/env python3
"""weightgate benchmarks: is `weightgate check` independent of weight-file size and cheap per shard?

Builds model repos in a temporary directory and prints ratios measured in this one run:

  * check time, 20 GiB sparse safetensors / GGUF vs a 1 KiB one            goal <= 1.1x
  * bytes read per weight file vs header + 8 (safetensors) / KV section     goal <= 1.0x
  * check time, 1,000- and 10,000-shard repos vs a 1-shard repo             (reported)
  * check time, a typical repo vs `python -c "import yaml, json, argparse, pathlib"`   goal <= 1.3x
  * peak RSS of the check process                                           goal < 60 MB

The CLI is timed as a subprocess (`python -m weightgate check DIR --exit-zero`), median of --runs runs.
Bytes read are counted in-process through collect_checkpoints with a counting Source.

    PYTHONPATH=src python benchmarks/run.py [--runs 7] [--quick] [--keep]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import struct
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
sys.path.insert(0, SRC)

GIB = 1 << 30
APACHE_HEAD = ("                                 Apache License\n                           Version 2.0, January 2004\n"
               "                        http://www.apache.org/licenses/\n\n"
               "   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n")


# --- builders ---------------------------------------------------------------------------------------------

def _safetensors_bytes(data_size: int, metadata=None, n_tensors: int = 1) -> bytes:
    header = {}
    per = data_size // n_tensors
    for i in range(n_tensors):
        header[f"model.layers.{i}.weight"] = {"dtype": "U8", "shape": [per], "data_offsets": [i * per, (i + 1) * per]}
    if metadata:
        header["__metadata__"] = metadata
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw


def write_safetensors(path: str, data_size: int, metadata=None, n_tensors: int = 1) -> int:
    head = _safetensors_bytes(data_size, metadata, n_tensors)
    with open(path, "wb") as f:
        f.write(head)
    os.truncate(path, len(head) + data_size)  # sparse: holes cost no disk and no reads
    return len(head) - 8


def _gstr(s: str) -> bytes:
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def write_gguf(path: str, data_size: int, vocab: int = 32_000) -> int:
    kv = [_gstr("general.architecture") + struct.pack("<I", 8) + _gstr("llama"),
          _gstr("general.name") + struct.pack("<I", 8) + _gstr("Bench Llama"),
          _gstr("general.license") + struct.pack("<I", 8) + _gstr("apache-2.0"),
          _gstr("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, vocab)
          + b"".join(_gstr(f"tok{i}") for i in range(vocab)),
          _gstr("tokenizer.ggml.scores") + struct.pack("<IIQ", 9, 6, vocab) + b"\0" * (4 * vocab)]
    head = b"GGUF" + struct.pack("<IQQ", 3, 1, len(kv)) + b"".join(kv)
    kv_end = len(head)
    info = _gstr("weight") + struct.pack("<IQIQ", 1, max(data_size // 4, 1), 0, 0)
    body = head + info
    body += b"\0" * (-len(body) % 32)
    with open(path, "wb") as f:
        f.write(body)
    os.truncate(path, len(body) + data_size)
    return kv_end


def card(folder: str, license_id: str = "apache-2.0", extra: str = "") -> None:
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(f"---\nlicense: {license_id}\nlibrary_name: transformers\n{extra}---\n# Bench model\n\nA model.\n")
    with open(os.path.join(folder, "LICENSE"), "w") as f:
        f.write(APACHE_HEAD)


def sharded(folder: str, n: int, shard_bytes: int = 1024) -> None:
    os.makedirs(folder, exist_ok=True)
    card(folder)
    names = [f"model-{i + 1:05d}-of-{n:05d}.safetensors" for i in range(n)]
    wmap = {f"model.layers.{i}.weight": nm for i, nm in enumerate(names)}
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": shard_bytes * n}, "weight_map": wmap}, f)
    blob = _safetensors_bytes(shard_bytes, {"format": "pt"})
    blob += b"\0" * shard_bytes
    for nm in names:
        with open(os.path.join(folder, nm), "wb") as f:
            f.write(blob)


def build(root: str, quick: bool) -> dict:
    repos = {}

    def new(name):
        d = os.path.join(root, name)
        os.makedirs(d)
        repos[name] = d
        return d

    d = new("safetensors-1k")  # same header, 1 KiB of tensor data
    card(d)
    write_safetensors(os.path.join(d, "model.safetensors"), 1024 - 200, {"format": "pt"})
    d = new("safetensors-20g")
    card(d)
    write_safetensors(os.path.join(d, "model.safetensors"), 20 * GIB, {"format": "pt"})
    d = new("gguf-small")
    card(d)
    write_gguf(os.path.join(d, "model.gguf"), 1024, vocab=32_000)
    d = new("gguf-20g")
    card(d)
    write_gguf(os.path.join(d, "model.gguf"), 20 * GIB, vocab=32_000)
    for n in ((1, 1000) if quick else (1, 1000, 10_000)):
        d = os.path.join(root, f"shards-{n}")
        sharded(d, n)
        repos[f"shards-{n}"] = d
    d = os.path.join(root, "typical")  # card, LICENSE, NOTICE, config.json, index + 4 shards
    sharded(d, 4, shard_bytes=64 * 1024)
    repos["typical"] = d
    with open(os.path.join(d, "NOTICE"), "w") as f:
        f.write("Bench model\nCopyright 2025 The Bench Authors\n")
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096}, f)
    return repos


# --- measuring --------------------------------------------------------------------------------------------

def run_once(argv, env):
    """Wall time and peak RSS (bytes) of one child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return wall, rss, p.returncode, err


def median_run(argv, env, runs):
    walls, rsss = [], []
    for _ in range(runs):
        wall, rss, rc, err = run_once(argv, env)
        if rc not in (0, 1):
            raise RuntimeError(f"{' '.join(argv)} exited {rc}:\n{err.strip()[-2000:]}")
        walls.append(wall)
        rsss.append(rss)
    return statistics.median(walls), max(rsss)


def cli_available() -> bool:
    try:
        from weightgate import cli  # noqa: F401
    except Exception:
        return False
    return callable(getattr(cli, "main", None))


def bytes_read_figures(repos) -> list:
    """(file, bytes read, bound) for each weight file, through a counting Source."""
    from weightgate.collect.checkpoints import collect_checkpoints
    from weightgate.readers import gguf as gguf_reader
    from weightgate.readers import safetensors as st_reader
    from weightgate.sources import FsSource

    class Counting(FsSource):
        def __init__(self, root):
            super().__init__(root)
            self.read = {}

        def open(self, path):
            inner = super().open(path)
            counts = self.read
            counts.setdefault(path, 0)

            class Stream:
                def read(self, n=-1):
                    data = inner.read(n)
                    counts[path] += len(data)
                    return data

                def seek(self, *a):
                    return inner.seek(*a)

                def seekable(self):
                    return inner.seekable()

                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    inner.close()

            return Stream()

    rows = []
    for name, fname in (("safetensors-20g", "model.safetensors"), ("safetensors-1k", "model.safetensors"),
                        ("gguf-20g", "model.gguf"), ("gguf-small", "model.gguf")):
        src = Counting(repos[name])
        collect_checkpoints([fname], src, [])
        full = os.path.join(repos[name], fname)
        with open(full, "rb") as f:
            if fname.endswith(".gguf"):
                bound = gguf_reader.read_header(f, os.path.getsize(full), fname).kv_end
            else:
                bound = st_reader.read_header(f, os.path.getsize(full), fname).header_size + 8
        rows.append((f"{name}/{fname}", os.path.getsize(full), src.read[fname], bound))
    return rows


def in_process_time(repo, runs):
    """Fallback when the CLI is not there yet: time collect_checkpoints alone."""
    from weightgate.collect.checkpoints import collect_checkpoints, is_checkpoint
    from weightgate.sources import FsSource

    files = sorted(f for f in os.listdir(repo) if is_checkpoint(f))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        collect_checkpoints(files, FsSource(repo), [])
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"nproc {os.cpu_count()}, CPU {cpu or 'unknown'}, Python {platform.python_version()} "
            f"({platform.python_implementation()}), {platform.system()} {platform.release()}")


def instructions(argv, env) -> int:
    """Instructions executed by a command, counted by callgrind (the same count every run)."""
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"Collected : (\d+)", p.stderr)
    if not m:
        raise RuntimeError(p.stderr[-500:])
    return int(m.group(1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="runs per measurement; the median is reported")
    ap.add_argument("--quick", action="store_true", help="skip the 10,000-shard repo")
    ap.add_argument("--keep", action="store_true", help="keep the generated repos")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    ap.add_argument("--instructions", action="store_true",
                    help="also count instructions of typical vs baseline with valgrind's callgrind (deterministic; "
                         "wall time on shared machines swings by tens of percent)")
    args = ap.parse_args(argv)

    root = tempfile.mkdtemp(prefix="weightgate-bench-")
    results = {"machine": machine()}
    try:
        repos = build(root, args.quick)
        print(f"machine: {results['machine']}")
        print(f"repos in {root}\n")

        print("bytes read per weight file (in-process, counting Source)")
        ok_bytes = True
        results["bytes_read"] = []
        for fname, size, got, bound in bytes_read_figures(repos):
            ok = got <= bound
            ok_bytes &= ok
            print(f"  {fname:32s} size {size:>13,d}  read {got:>9,d}  bound {bound:>9,d}  "
                  f"{got / bound:.3f}x {'ok' if ok else 'OVER'}")
            results["bytes_read"].append({"file": fname, "size": size, "read": got, "bound": bound})

        env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
                   PYTHONDONTWRITEBYTECODE="1")
        env.pop("GITHUB_ACTIONS", None)
        have_cli = cli_available()
        times = {}
        rss = {}
        if have_cli:
            try:
                base_argv = [sys.executable, "-c", "import yaml, json, argparse, pathlib"]
                # warm the page cache and .pyc files once
                subprocess.run([sys.executable, "-m", "weightgate", "check", repos["typical"], "--exit-zero"],
                               env=dict(env, PYTHONDONTWRITEBYTECODE=""), capture_output=True)
                times["baseline"], rss["baseline"] = median_run(base_argv, env, args.runs)
                for name, repo in repos.items():
                    runs = max(3, args.runs // 2) if name == "shards-10000" else args.runs
                    argv_ = [sys.executable, "-m", "weightgate", "check", repo, "--exit-zero"]
                    times[name], rss[name] = median_run(argv_, env, runs)
                how = f"`python -m weightgate check DIR --exit-zero`, median of {args.runs} runs"
            except RuntimeError as e:
                print(f"\nthe CLI failed, so it cannot be timed yet:\n{e}")
                have_cli = False
                times, rss = {}, {}
        if not have_cli:
            print("\ntiming collect_checkpoints in-process instead of the CLI")
            for name, repo in repos.items():
                times[name] = in_process_time(repo, args.runs)
            how = f"collect_checkpoints in-process, median of {args.runs} runs"

        print(f"\ntimes ({how})")
        for name, t in times.items():
            extra = f"  peak RSS {rss[name] / 1e6:6.1f} MB" if name in rss else ""
            print(f"  {name:18s} {t * 1000:9.1f} ms{extra}")

        def ratio(a, b, goal=None):
            r = times[a] / times[b]
            mark = "" if goal is None else ("  ok" if r <= goal else f"  OVER (goal <= {goal}x)")
            print(f"  {a:18s} / {b:18s} {r:6.2f}x{mark}")
            results.setdefault("ratios", {})[f"{a}/{b}"] = round(r, 3)
            return goal is None or r <= goal

        print("\nratios")
        ok = ok_bytes
        ok &= ratio("safetensors-20g", "safetensors-1k", 1.1)
        ok &= ratio("gguf-20g", "gguf-small", 1.1)
        ratio("shards-1000", "shards-1")
        if "shards-10000" in times:
            ratio("shards-10000", "shards-1")
        if "baseline" in times:
            ok &= ratio("typical", "baseline", 1.3)
        if rss:
            peak = max(v for k, v in rss.items() if k != "baseline")
            print(f"\npeak RSS of check: {peak / 1e6:.1f} MB (goal < 60 MB) {'ok' if peak < 60e6 else 'OVER'}"
                  f"; baseline {rss['baseline'] / 1e6:.1f} MB")
            ok &= peak < 60e6
            results["peak_rss_mb"] = round(peak / 1e6, 1)
        if args.instructions and shutil.which("valgrind") and have_cli:
            counts = {name: instructions(argv_, env) for name, argv_ in (
                ("baseline", [sys.executable, "-c", "import yaml, json, argparse, pathlib"]),
                ("typical", [sys.executable, "-m", "weightgate", "check", repos["typical"], "--exit-zero"]))}
            r = counts["typical"] / counts["baseline"]
            print(f"\ninstructions (callgrind): baseline {counts['baseline']:,}  typical {counts['typical']:,}  "
                  f"ratio {r:.2f}x (goal <= 1.3x)")
            results["instructions"] = dict(counts, ratio=round(r, 3))
        results["times_ms"] = {k: round(v * 1000, 1) for k, v in times.items()}
        results["measured_with"] = how
        if args.json:
            print(json.dumps(results, indent=2))
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
