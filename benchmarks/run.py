#!/usr/bin/env python3
"""weightgate benchmarks: every figure a ratio measured in one run on one machine.

Builds model repositories in a temporary directory and times the real CLI on each, every time as a ratio to
F = `python -c "import yaml, json, argparse, pathlib"` measured in the same run, with the same launcher:

  * `check` on a typical model repo / F                                         goal <= 1.3x
  * `hook pre-commit` (a staged card in a git repo) / F                         goal <= 1.5x
  * 1,000 model folders / 200 model folders (a monorepo)                        goal <= 5.5x
  * 10,000 shards / 1 shard                                                     goal <= 10x
  * 20 GiB / 1 KiB weight file (safetensors and GGUF, sparse)                   goal <= 1.1x
  * peak RSS of `check` on the typical repo / F's peak RSS                      goal <= 1.3x
  * bytes read per weight file / its header (in-process, counting Source)       goal <= 1.0x

Each child is started by a small launcher process (python -I -S, only `os` imported) that forks it with
posix_spawn and reads its own rusage with os.wait4, so a child's peak RSS is its own, not this script's
(a child inherits the peak RSS of the process it was forked from). Cases are run round-robin, --runs times
each (median; default 11), after one warm-up run each, so drift on a shared machine hits all cases alike.

    python benchmarks/run.py [--runs 11] [--quick] [--json] [--keep] [--instructions]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile

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



def monorepo(folder: str, n: int) -> None:
    """`n` model folders (card + config.json) under models/, one LICENSE at the top."""
    os.makedirs(folder)
    with open(os.path.join(folder, "LICENSE"), "w") as f:
        f.write(APACHE_HEAD)
    for i in range(n):
        d = os.path.join(folder, "models", f"team{i % 10}", f"model-{i:05d}")
        os.makedirs(d)
        with open(os.path.join(d, "README.md"), "w") as f:
            f.write(f"---\nlicense: apache-2.0\nbase_model: EleutherAI/pythia-2.8b\n---\n# Model {i}\n")
        with open(os.path.join(d, "config.json"), "w") as f:
            f.write('{"model_type": "gpt_neox", "_name_or_path": "EleutherAI/pythia-2.8b"}')


def git_copy(src: str, dst: str) -> bool:
    """`dst`: a git repository holding `src` committed, with a change to its card staged (what a pre-commit hook
    sees). False when git is not available."""
    if shutil.which("git") is None:
        return False
    shutil.copytree(src, dst)
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.com", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@example.com", GIT_CONFIG_NOSYSTEM="1", HOME=dst)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "model"]):
        subprocess.run(["git", *args], cwd=dst, env=env, check=True, capture_output=True)
    with open(os.path.join(dst, "README.md"), "a") as f:
        f.write("\nEvaluation results to follow.\n")
    subprocess.run(["git", "add", "README.md"], cwd=dst, env=env, check=True, capture_output=True)
    return True


# --- measuring --------------------------------------------------------------------------------------------

# The launcher: reads "cwd NUL argv…" lines, runs each command with posix_spawn (stdout and stderr to /dev/null)
# and answers "<wall ns> <cpu s> <peak RSS> <exit code>" from os.wait4. It imports nothing but os, sys and time.
LAUNCHER = r"""
import os, sys, time
null = os.open(os.devnull, os.O_RDWR)
acts = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
for line in sys.stdin.buffer:
    cwd, *argv = line.rstrip(b"\n").split(b"\0")
    os.chdir(cwd)
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=acts)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter_ns() - t0
    cpu = ru.ru_utime + ru.ru_stime
    sys.stdout.write(f"{wall} {cpu!r} {ru.ru_maxrss} {os.waitstatus_to_exitcode(status)}\n")
    sys.stdout.flush()
"""


class Launcher:
    def __init__(self, env):
        self.proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.env = env

    def run(self, argv, cwd):
        """(wall seconds, CPU seconds (user + system, with the git processes it waited for), peak RSS in bytes,
        exit code) of one run of `argv` in `cwd`."""
        line = b"\0".join(os.fsencode(a) for a in [cwd, *argv]) + b"\n"
        self.proc.stdin.write(line)
        self.proc.stdin.flush()
        wall, cpu, rss, code = self.proc.stdout.readline().split()
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
        return int(wall) / 1e9, float(cpu), int(rss) * scale, int(code)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


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



def cases(repos):
    """(name, argv, cwd): F first, then every case a ratio needs."""
    py = sys.executable
    check = lambda repo: ([py, "-m", "weightgate", "check", repo, "--exit-zero"], repo)  # noqa: E731
    out = [("F", [py, "-c", "import yaml, json, argparse, pathlib"], HERE)]
    for name in ("typical", "safetensors-1k", "safetensors-20g", "gguf-small", "gguf-20g", "shards-1",
                 "shards-1000", "shards-10000", "folders-1", "folders-200", "folders-1000"):
        if name in repos:
            out.append((name, *check(repos[name])))
    if "typical-card" in repos:
        out.append(("typical, TRL card", *check(repos["typical-card"])))
    if "hook" in repos:
        out.append(("typical, git clone", [py, "-m", "weightgate", "check", ".", "--exit-zero"], repos["hook"]))
        out.append(("hook pre-commit", [py, "-m", "weightgate", "hook", "pre-commit", "README.md", "--exit-zero"],
                    repos["hook"]))
    return out


GOALS = [  # (label, numerator, denominator, goal) — times unless the label says RSS
    ("check typical / F", "typical", "F", 1.3),
    ("check typical, git clone / F", "typical, git clone", "F", 1.3),
    ("check typical, TRL card / F", "typical, TRL card", "F", None),
    ("hook pre-commit / F", "hook pre-commit", "F", 1.5),
    ("1,000 folders / 200 folders", "folders-1000", "folders-200", 5.5),
    ("200 folders / 1 folder", "folders-200", "folders-1", None),
    ("10,000 shards / 1 shard", "shards-10000", "shards-1", 10.0),
    ("1,000 shards / 1 shard", "shards-1000", "shards-1", None),
    ("20 GiB / 1 KiB safetensors", "safetensors-20g", "safetensors-1k", 1.1),
    ("20 GiB / small GGUF", "gguf-20g", "gguf-small", 1.1),
    ("peak RSS check typical / F", "typical", "F", 1.3),
]


def realistic_card(folder: str) -> None:
    """The typical repo with a card as a TRL fine-tune writes it (base_model, datasets, a model-index with
    results, the template's prose): the cost of a real card's text, beside the minimal one."""
    shutil.copytree(os.path.join(os.path.dirname(folder), "typical"), folder)
    results = "".join(
        f"  - task:\n      type: text-generation\n    dataset:\n      name: {name}\n      type: {kind}\n"
        f"    metrics:\n    - type: acc\n      value: {score}\n" for name, kind, score in
        (("AI2 Reasoning Challenge", "ai2_arc", 61.2), ("HellaSwag", "hellaswag", 83.9),
         ("MMLU", "cais/mmlu", 60.1), ("GSM8k", "gsm8k", 38.4)))
    front = ("---\nlicense: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1\ntags:\n- trl\n- sft\n"
             "- generated_from_trainer\ndatasets:\n- HuggingFaceH4/ultrafeedback_binarized\nlanguage:\n- en\n"
             "library_name: transformers\npipeline_tag: text-generation\nmodel-index:\n- name: bench-7b-sft\n"
             "  results:\n" + results + "---\n")
    body = ("# bench-7b-sft\n\nThis model is a fine-tuned version of "
            "[mistralai/Mistral-7B-v0.1](https://huggingface.co/mistralai/Mistral-7B-v0.1) on the "
            "HuggingFaceH4/ultrafeedback_binarized dataset.\nIt achieves the following results on the evaluation "
            "set:\n- Loss: 0.9123\n\n## Model description\n\nMore information needed\n\n"
            "## Intended uses & limitations\n\nMore information needed\n\n## Training procedure\n\n"
            "### Training hyperparameters\n\nThe following hyperparameters were used during training:\n"
            "- learning_rate: 2e-05\n- train_batch_size: 8\n- seed: 42\n- optimizer: Adam with betas=(0.9,0.999)\n"
            "- lr_scheduler_type: cosine\n- num_epochs: 1\n\n### Training results\n\n"
            "| Training Loss | Epoch | Step | Validation Loss |\n|:---:|:---:|:---:|:---:|\n"
            "| 0.9541 | 1.0 | 500 | 0.9123 |\n\n### Framework versions\n\n- Transformers 4.44.2\n"
            "- Pytorch 2.4.0\n- Datasets 2.21.0\n- Tokenizers 0.19.1\n")
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(front + body)


def build_all(root: str, quick: bool) -> dict:
    repos = build(root, quick)
    repos["typical-card"] = os.path.join(root, "typical-card")
    realistic_card(repos["typical-card"])
    for n in (1, 200, 1000):
        repos[f"folders-{n}"] = os.path.join(root, f"folders-{n}")
        monorepo(repos[f"folders-{n}"], n)
    if git_copy(repos["typical"], os.path.join(root, "hook")):
        repos["hook"] = os.path.join(root, "hook")
    return repos


def measure(launcher, todo, runs):
    """Round-robin: every case once per round, after one warm-up round. Medians of wall time, CPU time and
    peak RSS per case."""
    samples = {name: ([], [], []) for name, _a, _c in todo}
    for rnd in range(runs + 1):
        for name, argv, cwd in todo:
            wall, cpu, peak, code = launcher.run(argv, cwd)
            if code not in (0, 1):
                err = subprocess.run(argv, cwd=cwd, env=launcher.env, capture_output=True, text=True).stderr
                raise RuntimeError(f"{name}: {' '.join(argv)} exited {code}:\n{err.strip()[-2000:]}")
            if rnd:  # round 0 warms the page cache and writes .pyc files
                for series, value in zip(samples[name], (wall, cpu, peak)):
                    series.append(value)
    return [{k: statistics.median(v[i]) for k, v in samples.items()} for i in range(3)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=11, help="measured runs per case (median; default 11)")
    ap.add_argument("--quick", action="store_true", help="skip the 10,000-shard repo")
    ap.add_argument("--keep", action="store_true", help="keep the generated repos")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    ap.add_argument("--instructions", action="store_true",
                    help="also count instructions of F and check typical with valgrind's callgrind (deterministic)")
    args = ap.parse_args(argv)

    root = tempfile.mkdtemp(prefix="weightgate-bench-")
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # PYTHONDONTWRITEBYTECODE would make every run compile weightgate from source (2x the start-up): the
    # warm-up round writes the .pyc files a real installation has.
    for var in ("GITHUB_ACTIONS", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "GIT_DIR", "GIT_INDEX_FILE",
                "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    results = {"machine": machine(), "runs": args.runs}
    launcher = None
    try:
        repos = build_all(root, args.quick)
        print(f"machine: {results['machine']}")
        print(f"repos in {root}; {args.runs} runs per case, round-robin, after a warm-up round\n")

        print("bytes read per weight file (in-process, counting Source)")
        ok = True
        results["bytes_read"] = []
        for fname, size, got, bound in bytes_read_figures(repos):
            fine = got <= bound
            ok &= fine
            print(f"  {fname:32s} size {size:>14,d}  read {got:>9,d}  bound {bound:>9,d}  "
                  f"{got / bound:.3f}x {'ok' if fine else 'OVER'}")
            results["bytes_read"].append({"file": fname, "size": size, "read": got, "bound": bound})

        launcher = Launcher(env)
        floor = launcher.run(["/bin/sh", "-c", ":"], HERE)[2] if os.path.exists("/bin/sh") else 0
        todo = cases(repos)
        wall, cpu, rss = measure(launcher, todo, args.runs)
        print(f"\nmedians (peak RSS is each child's own; the launcher's floor is {floor / 2**20:.1f} MiB)")
        print(f"  {'case':20s} {'wall':>9s} {'':>8s} {'CPU':>9s} {'':>8s} {'peak RSS':>10s}")
        for name, _a, _c in todo:
            print(f"  {name:20s} {wall[name] * 1000:6.1f} ms {wall[name] / wall['F']:6.2f}xF "
                  f"{cpu[name] * 1000:6.1f} ms {cpu[name] / cpu['F']:6.2f}xF "
                  f"{rss[name] / 2**20:6.1f} MiB {rss[name] / rss['F']:5.2f}xF")

        print("\nratios (goals are judged on CPU time, user + system: on a shared machine wall time swings with "
              "the neighbours' load; wall shown beside it)")
        results["ratios"] = {}
        for label, num, den, goal in GOALS:
            if num not in wall or den not in wall:
                print(f"  {label:30s}      —   (not measured{': git missing' if 'hook' in num else ''})")
                continue
            if label.startswith("peak RSS"):
                r, r_wall = rss[num] / rss[den], None
            else:
                r, r_wall = cpu[num] / cpu[den], wall[num] / wall[den]
            mark = "" if goal is None else ("  ok" if r <= goal else "  OVER")
            shown_wall = f"   wall {r_wall:5.2f}x" if r_wall is not None else ""
            print(f"  {label:30s} {r:6.2f}x" + (f"  (goal <= {goal}x){mark}" if goal else "") + shown_wall)
            results["ratios"][label] = {"ratio": round(r, 3), "goal": goal,
                                        "wall_ratio": None if r_wall is None else round(r_wall, 3)}
            ok &= goal is None or r <= goal
        if args.instructions and shutil.which("valgrind"):
            typical = next(c for c in todo if c[0] == "typical")
            counts = {"F": instructions(todo[0][1], env), "typical": instructions(typical[1], env)}
            r = counts["typical"] / counts["F"]
            print(f"\ninstructions (callgrind): F {counts['F']:,}  check typical {counts['typical']:,}  {r:.2f}x")
            results["instructions"] = dict(counts, ratio=round(r, 3))
        results["wall_ms"] = {k: round(v * 1000, 1) for k, v in wall.items()}
        results["cpu_ms"] = {k: round(v * 1000, 1) for k, v in cpu.items()}
        results["peak_rss_mib"] = {k: round(v / 2**20, 1) for k, v in rss.items()}
        if args.json:
            print(json.dumps(results, indent=2))
        print("\nall goals met" if ok else "\nsome goals missed")
        return 0 if ok else 1
    finally:
        if launcher is not None:
            launcher.close()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
