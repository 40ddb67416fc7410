"""Reading model folders from git objects: a commit (`--ref`), the index (`--staged`), and the folders touched
since a revision (`--changed-since`). Never the working tree, except when only `--changed-since` is given.

The tree comes from one `git ls-tree -r -l -z` (or `git ls-files -s -z` for the index); small blobs from one
long-lived `git cat-file --batch` process; a large blob (a checkpoint) from its own `git cat-file blob`, read
only as far as the header reader needs and then stopped. Symlinks are followed only while they stay inside
the tree; submodules are skipped. Every git call goes through `git()`, which turns failures into one-line
UsageErrors (exit 2).
"""
from __future__ import annotations

import io
import os
import posixpath
import stat
from _thread import allocate_lock  # threading.Lock without importing threading (~0.6 ms of a hook)
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import BinaryIO, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ._spawn import Process, run
from .errors import ReadError, UsageError
from .sources import FsSource, Source, find_repo_top, git_dir_of, lfs_dirs_for

# Blobs up to this size go through the shared `cat-file --batch` process and come back as BytesIO.
SMALL_BLOB = 16 * 1024 * 1024
_SYMLINK_DEPTH = 16
_ZERO = "0" * 40


def git(args: Sequence[str], cwd: str, what: str = "") -> bytes:
    """Run git; its stdout, or a UsageError naming what failed and git's first error line."""
    try:
        code, stdout, stderr = run(["git", *args], cwd, _git_env())
    except FileNotFoundError:
        raise UsageError("git is not installed (or not on PATH); it is needed for --ref, --staged and "
                         "--changed-since") from None
    except OSError as e:
        raise UsageError(f"cannot run git: {e.strerror or e}") from None
    if code != 0:
        lines = [l for l in stderr.decode("utf-8", "replace").splitlines() if l.strip()]
        what = what or "git " + " ".join(args[:2])
        if not lines:
            raise UsageError(what)
        detail = lines[0].strip()
        if detail.startswith(("fatal: ", "error: ")):
            detail = detail.split(": ", 1)[1]
        raise UsageError(f"{what}: {detail}")
    return stdout


def _git_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    env["GIT_OPTIONAL_LOCKS"] = "0"  # reading never takes the index lock (pre-commit may hold it)
    return env


def repo_top(path: str) -> str:
    """The work tree top of the repository containing `path` (which may no longer exist in the work tree).

    Found by looking for `.git` upwards, without running git; git is asked only when GIT_DIR or GIT_WORK_TREE
    say otherwise, or to explain why there is no work tree."""
    cur = os.path.abspath(path)
    while not os.path.isdir(cur):
        parent = os.path.dirname(cur)
        if parent == cur:
            break
        cur = parent
    if not (os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE")):
        top = find_repo_top(cur)
        if top is not None:
            return top
    out = git(["rev-parse", "--show-toplevel"], cur, f"{path}: not inside a git work tree")
    top = out.decode("utf-8", "surrogateescape").strip()
    if not top:
        raise UsageError(f"{path}: not inside a git work tree (a bare repository has no paths to check)")
    return os.path.normpath(top)


def resolve_rev(top: str, rev: str, batch: Optional["_Batch"] = None) -> str:
    """The commit sha of `rev`, or a UsageError ("bad revision"). With `batch`, asked through that session
    instead of a process of its own."""
    if not rev or rev.startswith("-") or "\n" in rev:
        raise UsageError(f"bad revision `{rev}`")
    if batch is not None:
        hit = batch.object(f"{rev}^{{commit}}")
        if hit is None or hit[1] != "commit":
            raise UsageError(f"bad revision `{rev}` (not a commit in {top})")
        return hit[0]
    sha = git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top,
              f"bad revision `{rev}` (not a commit in {top})").decode().strip()
    if not sha:
        raise UsageError(f"bad revision `{rev}` (not a commit in {top})")
    return sha


class _Entry:
    __slots__ = ("mode", "sha", "size", "on_disk")

    def __init__(self, mode: str, sha: str, size: Optional[int]):
        self.mode = mode
        self.sha = sha
        self.size = size
        self.on_disk = True  # False once the work tree's file proved to differ from this blob: ask git


WORK_TREE_COPY_CAP = 1 << 20  # larger files are read from git: hashing them would cost more than it saves


def work_tree_copy(top: str, path: str, sha: str) -> Optional[bytes]:
    """The bytes of blob `sha` read from the work tree file `path`, when they provably are that blob: a git
    blob's id is the SHA-1 of its size and bytes, so bytes that hash to it are the bytes `git cat-file` would
    give. The pre-commit hook's files are usually staged as they are on disk, and reading them here spares a
    git process. None when the file differs (edited since staging, an LFS or line-ending filter), is not a
    regular file, is larger than WORK_TREE_COPY_CAP, or the repository hashes with SHA-256."""
    if len(sha) != 40:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(os.path.join(top, path), flags)  # non-blocking: a FIFO must not hang the hook
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > WORK_TREE_COPY_CAP:
            return None
        chunks, left = [], st.st_size + 1  # one byte more: a file that grew is seen (and then hashes wrong)
        while left > 0:
            b = os.read(fd, left)
            if not b:
                break
            chunks.append(b)
            left -= len(b)
    except OSError:
        return None
    finally:
        os.close(fd)
    data = b"".join(chunks) if len(chunks) != 1 else chunks[0]
    if len(data) > WORK_TREE_COPY_CAP:
        return None
    try:
        from _sha1 import sha1  # CPython's own; hashlib would load OpenSSL, several times the cost
    except ImportError:  # pragma: no cover - other interpreters
        from hashlib import sha1
    digest = sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return data if digest.hexdigest() == sha else None


class _Batch:
    """One long-lived `git cat-file --batch-command` process (git >= 2.36) for every object question of a check:
    revisions, sizes and contents. Older git gets `--batch` and `--batch-check` processes instead."""

    def __init__(self, top: str):
        self.top = top
        self.procs: Dict[str, Process] = {}
        self.legacy = False
        self.lock = allocate_lock()

    def _start(self, mode: str) -> Process:
        p = self.procs.get(mode)
        if p is None or p.poll() is not None:
            try:
                p = self.procs[mode] = Process(["git", "cat-file", mode], self.top, _git_env(), stdin=True)
            except OSError as e:
                raise UsageError(f"cannot run git cat-file: {e.strerror or e}") from None
        return p

    def _header(self, command: str, name: str) -> Tuple[Process, List[str]]:
        if not self.legacy:
            p = self._start("--batch-command")
            try:
                p.stdin.write(f"{command} {name}\n".encode("utf-8", "surrogateescape"))
                p.stdin.flush()
                line = p.stdout.readline()
            except OSError:
                line = b""
            if line:
                return p, line.decode("utf-8", "replace").split()
            p.close()
            self.legacy = True  # the session ended at once: git < 2.36 rejects --batch-command
        p = self._start("--batch" if command == "contents" else "--batch-check")
        p.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        p.stdin.flush()
        return p, p.stdout.readline().decode("utf-8", "replace").split()

    def object(self, name: str) -> Optional[Tuple[str, str, int]]:
        """(sha, type, size) of an object name such as `HEAD^{commit}`; None when git does not know it."""
        if "\n" in name:
            return None
        with self.lock:
            try:
                _p, header = self._header("info", name)
            except (OSError, ValueError):
                self.close()
                return None
        if len(header) != 3 or not header[2].isdigit():
            return None
        return header[0], header[1], int(header[2])

    def ask(self, sha: str, path: str, contents: bool = True) -> Tuple[int, bytes]:
        """(size, contents) of a blob; contents empty when not asked for."""
        with self.lock:
            try:
                p, header = self._header("contents" if contents else "info", sha)
                if len(header) != 3:
                    raise ReadError(path, f"git object {sha[:12]} is missing ({' '.join(header)})")
                size = int(header[2])
                if not contents:
                    return size, b""
                data = _read_exact(p.stdout, size)
                p.stdout.read(1)  # the LF after the contents
            except (OSError, ValueError) as e:
                self.close()
                raise ReadError(path, f"cannot read git object {sha[:12]}: {e}") from None
            if len(data) != size:
                self.close()
                raise ReadError(path, f"git object {sha[:12]} was cut short")
            return size, data

    def close(self) -> None:
        procs, self.procs = list(self.procs.values()), {}
        for p in procs:
            p.close()  # git cat-file ends at the end of its input


def _read_exact(f, n: int) -> bytes:
    chunks = []
    while n > 0:
        b = f.read(min(n, 1 << 20))
        if not b:
            break
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


class _BlobStream(io.RawIOBase):
    """A large blob read through its own `git cat-file blob` process; closing stops the process, so only the
    bytes read are ever produced."""

    def __init__(self, top: str, sha: str, path: str):
        super().__init__()
        self.path = path
        try:
            self.proc = Process(["git", "cat-file", "blob", sha], top, _git_env())
        except OSError as e:
            raise ReadError(path, f"cannot run git cat-file: {e.strerror or e}") from None

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            return self.proc.stdout.readinto(b)
        except OSError as e:
            raise ReadError(self.path, f"cannot read git blob: {e}") from None

    def close(self) -> None:
        if not self.closed:
            self.proc.close(kill=True)  # only the bytes read are ever produced
        super().close()


class GitSource(Source):
    """The tree of a commit (`rev`) or of the index (`rev=None`), read from git objects."""

    def __init__(self, top: str, rev: Optional[str] = None, label: Optional[str] = None,
                 batch: Optional[_Batch] = None):
        self.top = os.path.abspath(top)
        self.rev = rev
        # A label, not a filesystem path: configuration globs then match repository-relative paths.
        self.root = f"git:{label or rev or 'index'}"
        self._blobs: Dict[str, _Entry] = {}
        self._dirs: Dict[str, Tuple[Set[str], Set[str]]] = {"": (set(), set())}
        self._batch = batch or _Batch(self.top)
        self._last_copy: Optional[Tuple[str, bytes]] = None
        self._load()

    # ---- the tree ----------------------------------------------------------------------------------------
    def _load(self) -> None:
        if self.rev is not None:
            out = git(["ls-tree", "-r", "-l", "-z", "--full-tree", self.rev], self.top, f"git ls-tree {self.rev}")
            for rec in out.split(b"\0"):
                if not rec:
                    continue
                meta, _, raw = rec.partition(b"\t")
                parts = meta.split()
                if len(parts) < 4:
                    continue
                mode, typ, sha, size = (p.decode() for p in parts[:4])
                if typ != "blob":  # "commit": a submodule, skipped
                    continue
                self._add(raw, _Entry(mode, sha, int(size) if size.isdigit() else None))
        else:
            out = git(["ls-files", "-s", "-z"], self.top, "git ls-files")
            conflicted: Dict[bytes, _Entry] = {}
            for rec in out.split(b"\0"):
                if not rec:
                    continue
                meta, _, raw = rec.partition(b"\t")
                parts = meta.split()
                if len(parts) < 3:
                    continue
                mode, sha, stage = (p.decode() for p in parts[:3])
                if mode == "160000":
                    continue
                if stage == "0":
                    self._add(raw, _Entry(mode, sha, None))
                elif stage == "2":  # an unresolved merge: "ours"
                    conflicted[raw] = _Entry(mode, sha, None)
            for raw, e in conflicted.items():
                if raw.decode("utf-8", "surrogateescape") not in self._blobs:
                    self._add(raw, e)

    def _add(self, raw: bytes, entry: _Entry) -> None:
        path = raw.decode("utf-8", "surrogateescape")
        self._blobs[path] = entry
        parent, _, name = path.rpartition("/")
        self._ensure_dir(parent)[1].add(name)

    def _ensure_dir(self, d: str) -> Tuple[Set[str], Set[str]]:
        entry = self._dirs.get(d)
        if entry is None:
            entry = self._dirs[d] = (set(), set())
            parent, _, name = d.rpartition("/")
            self._ensure_dir(parent)[0].add(name)
        return entry

    def paths(self) -> Iterable[str]:
        return self._blobs.keys()

    def _resolve(self, path: str) -> Tuple[str, Optional[str]]:
        """(kind, real path) following in-tree symlinks."""
        path = path.strip("/")
        for _ in range(_SYMLINK_DEPTH):
            if path in self._dirs:
                return "dir", path
            e = self._blobs.get(path)
            if e is None:
                return "missing", None
            if e.mode != "120000":
                return ("file", path) if e.mode.startswith("100") else ("special", None)
            try:
                _size, target = self._batch.ask(e.sha, path)
            except ReadError:
                return "outside", None
            t = target.decode("utf-8", "surrogateescape")
            if t.startswith("/") or "\0" in t:
                return "outside", None
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), t))
            if joined == "." or joined == "":
                return "dir", ""
            if joined == ".." or joined.startswith("../"):
                return "outside", None
            path = joined
        return "outside", None  # a loop

    def kind(self, path: str) -> str:
        return self._resolve(path)[0]

    def _entries(self, folder: str) -> Tuple[List[str], List[str]]:
        entry = self._dirs.get(folder.strip("/"))
        if entry is None:
            return [], []
        subdirs, files = entry
        shown = []
        for name in files:
            full = f"{folder}/{name}" if folder else name
            if self._blobs[full].mode == "120000" and self.kind(full) == "dir":
                continue  # like os.walk without followlinks: a link to a folder is not descended
            shown.append(name)
        return list(subdirs), shown

    def size(self, path: str) -> int:
        kind, real = self._resolve(path)
        if kind != "file":
            raise ReadError(path, _KIND_MESSAGES.get(kind, "not a regular file"))
        e = self._blobs[real]
        if e.size is None and self._staged_copy(e, real) is None:
            e.size = self._batch.ask(e.sha, path, contents=False)[0]
        return e.size

    def _staged_copy(self, e: _Entry, real: str) -> Optional[bytes]:
        """The index's blob as read from the work tree (see work_tree_copy). Only the last one read is kept
        (`size` then `open` of one file read it once; memory stays bounded however many files are read)."""
        if self._last_copy is not None and self._last_copy[0] == real:
            return self._last_copy[1]
        if not e.on_disk or self.rev is not None or e.mode not in ("100644", "100755"):
            return None
        data = work_tree_copy(self.top, real, e.sha)
        if data is None:
            e.on_disk = False
            return None
        e.size = len(data)
        self._last_copy = (real, data)
        return data

    def open(self, path: str) -> BinaryIO:
        kind, real = self._resolve(path)
        if kind != "file":
            raise ReadError(path, _KIND_MESSAGES.get(kind, "not a regular file"))
        e = self._blobs[real]
        copy = self._staged_copy(e, real)
        if copy is not None:
            self._last_copy = None  # the stream holds it now
            return io.BytesIO(copy)
        if self.size(real) <= SMALL_BLOB:
            size, data = self._batch.ask(e.sha, path)
            e.size = size
            return io.BytesIO(data)
        return io.BufferedReader(_BlobStream(self.top, e.sha, path), buffer_size=64 * 1024)

    def close(self) -> None:
        self._batch.close()

    def __del__(self):  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass


_KIND_MESSAGES = {
    "missing": "file does not exist in the checked git tree",
    "dir": "is a directory",
    "special": "not a regular file; not read",
    "outside": "symlink that leaves the repository (or loops); not followed",
}


# ---- targets ---------------------------------------------------------------------------------------------

# Files whose change can change the verdict on every model: the configuration and the lock of Hub facts.
CONFIG_NAMES = (".weightgate.toml", "pyproject.toml", "weightgate.lock")


def targets_for_git(paths: Sequence[str], ref: Optional[str] = None, staged: bool = False,
                    changed_since: Optional[str] = None, touched: Optional[Iterable[str]] = None,
                    unknown_since=None, compare_trees: bool = False):
    """Targets reading `paths` from commit `ref`, from the index (`staged`), or from the working tree when
    neither is given; `changed_since` (a revision) and/or `touched` (repository-relative file paths) limit the
    check to the model folders those files belong to, every model below a touched licence file, and (in the
    engine) every model whose lineage passes through a touched folder. A touched configuration or lock file
    means everything. `unknown_since(rev)`, when given, is called instead of failing when `changed_since` is
    not in this repository (a remote commit never fetched), and everything is checked.

    git runs at most three times per repository: `ls-tree`/`ls-files` for the tree, `diff` for the changed
    paths, and one `cat-file --batch-command` session for revisions, sizes and blobs. With `compare_trees`
    (the pre-push hook) the changed paths come from comparing the trees of `changed_since` and `ref` in that
    session instead of `git diff REV...REF`: twice, and when the histories diverged (a forced push) every
    difference between the two commits counts, a superset of what the pushed commits changed."""
    from .engine import Target, _display_base_for

    if ref is not None and staged:
        raise UsageError("--ref and --staged cannot be combined")
    paths = list(paths) or ["."]
    by_top: Dict[str, List[Tuple[str, str]]] = {}
    for p in paths:
        top = repo_top(p)
        # the top as git spells it may differ from the given path by symlinks (/tmp → /private/tmp)
        rel = os.path.relpath(os.path.realpath(os.path.abspath(p)), os.path.realpath(top)).replace(os.sep, "/")
        if rel == ".." or rel.startswith("../"):
            raise UsageError(f"{p}: outside the git work tree {top}")
        by_top.setdefault(top, []).append(("" if rel == "." else rel, p))

    targets = []
    for top, rels in by_top.items():
        git_dir = git_dir_of(top) or os.path.join(top, ".git")
        batch = _Batch(top)
        if ref is not None:
            source: Source = GitSource(top, resolve_rev(top, ref, batch), label=ref, batch=batch)
        elif staged:
            source = GitSource(top, None, batch=batch)
        else:
            source = FsSource(top, git_top=True)
        prefixes = []
        for rel, given in rels:
            kind = source.kind(rel)
            if kind == "dir":
                prefixes.append(rel)
            elif kind == "file":
                prefixes.append(posixpath.dirname(rel))
            elif ref is not None or staged:
                where = f"revision `{ref}`" if ref is not None else "the index"
                raise UsageError(f"{given}: not in {where}")
            else:
                raise UsageError(f"{given}: no such file or directory")
        only = changed = None
        if changed_since is not None or touched is not None:
            changed = set(touched or ())
            since = None
            if changed_since is not None:
                try:
                    since = resolve_rev(top, changed_since, batch)
                except UsageError:
                    if unknown_since is None:
                        raise
                    unknown_since(changed_since)
                    changed = None
            if since is not None:
                head = source.rev if isinstance(source, GitSource) else None
                if compare_trees and head is not None:
                    changed |= tree_changes(batch, since, head)
                else:
                    changed |= changed_paths(top, since, head=head, staged=staged)
            if changed is not None and not any(c.rpartition("/")[2] in CONFIG_NAMES for c in changed):
                only = touched_model_folders(source, prefixes, changed)
            else:
                changed = None
        if not isinstance(source, GitSource):
            batch.close()  # it only resolved `changed_since`
        single_dir = len(paths) == 1 and rels[0][0] == prefixes[0]
        display = prefixes[0] if single_dir else _display_base_for(top)
        targets.append(Target(source, sorted(set(prefixes)), display, lfs_dirs_for(git_dir),
                              os.path.basename(top), only_folders=only, changed=changed))
    return targets


def changed_paths(top: str, since: str, head: Optional[str] = None, staged: bool = False) -> Set[str]:
    """Repository-relative paths touched between commit `since` and the checked state (both sides of a rename):
    commit `head` (what it changed since it forked from `since`, as `git diff A...B`), the index, or else the
    working tree with its new files."""
    if head is not None:
        args = ["diff", "--name-only", "-z", "--no-renames", f"{since}...{head}"]
    elif staged:
        args = ["diff", "--name-only", "-z", "--no-renames", "--cached", since]
    else:
        args = ["diff", "--name-only", "-z", "--no-renames", since]
    out = git(args, top, f"git diff {since}")
    found = {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}
    if head is None and not staged:  # the working tree: new files too
        out = git(["ls-files", "--others", "--exclude-standard", "-z"], top, "git ls-files")
        found |= {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}
    return found


def tree_changes(batch: _Batch, old: str, new: str) -> Set[str]:
    """Paths whose blob (or mode) differs between commits `old` and `new`, added and removed ones included,
    read tree by tree through the batch session; identical subtrees are skipped by their ids."""
    out: Set[str] = set()
    roots = [batch.object(f"{rev}^{{tree}}") for rev in (old, new)]
    stack = [("", roots[0][0] if roots[0] else None, roots[1][0] if roots[1] else None)]
    while stack:
        prefix, a, b = stack.pop()
        if a == b:
            continue
        ea, eb = _tree_entries(batch, a), _tree_entries(batch, b)
        for name in ea.keys() | eb.keys():
            x, y = ea.get(name), eb.get(name)
            if x == y:
                continue
            path = prefix + name
            x_tree = x is not None and x[0] == "40000"
            y_tree = y is not None and y[0] == "40000"
            if x_tree or y_tree:
                stack.append((path + "/", x[1] if x_tree else None, y[1] if y_tree else None))
            if (x is not None and not x_tree) or (y is not None and not y_tree):
                out.add(path)
    return out


def _tree_entries(batch: _Batch, sha: Optional[str]) -> Dict[str, Tuple[str, str]]:
    """name -> (mode, object id) of a tree object (`<mode> <name>\\0<binary id>` records)."""
    if sha is None:
        return {}
    _size, data = batch.ask(sha, sha)
    width = len(sha) // 2  # 20 bytes for SHA-1, 32 for SHA-256 repositories
    out = {}
    i = 0
    while i < len(data):
        nul = data.index(b"\0", i)
        mode, _, name = data[i:nul].partition(b" ")
        out[name.decode("utf-8", "surrogateescape")] = (mode.decode(), data[nul + 1:nul + 1 + width].hex())
        i = nul + 1 + width
    return out


def touched_model_folders(source: Source, prefixes: Sequence[str], touched: Iterable[str]) -> Set[str]:
    """The model folders (as discovery names them) that own a touched file, plus every model folder at or
    below the folder of a touched licence, NOTICE or use-policy file."""
    from . import discover
    from .collect import Reader, card_says_model

    reader = Reader(source)
    folders: Set[str] = set()
    for prefix in prefixes:
        if source.kind(prefix) == "dir":
            folders.update(f for f, _files in
                           discover.walk_model_folders(source, prefix, lambda p: card_says_model(reader, p)))
    only: Set[str] = set()
    for path in touched:
        path = path.strip("/")
        parent, _, name = path.rpartition("/")
        if discover.is_license_file(name) or parent.rsplit("/", 1)[-1] == "LICENSES":
            d = parent if name and parent.rsplit("/", 1)[-1] != "LICENSES" else parent.rpartition("/")[0]
            only.update(f for f in folders if not d or f == d or f.startswith(d + "/"))
        cur = parent
        while True:
            if cur in folders:
                only.add(cur)
                break
            if not cur:
                break
            cur = cur.rpartition("/")[0]
    return only
