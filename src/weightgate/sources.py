"""Where bytes come from.

Every reader goes through a Source, so the same pipeline checks the working tree, the git index (pre-commit
hooks) or a pushed commit (pre-push). Paths handed to and returned by a Source are posix paths relative to
its root ("" is the root itself). A Source never writes. Also where a git repository keeps its work tree,
its git folder and its LFS objects, found without running git.
"""
from __future__ import annotations

import io
import os
import stat
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import BinaryIO, Iterator, List, Optional, Tuple

from .errors import ReadError

# Text inputs (cards, configs, licence files) are read up to this many bytes; the rest is ignored with a finding.
TEXT_CAP = 10 * 1024 * 1024

# Folders that only tools write and that never hold a model of the repository: skipped by name. Everything
# else is decided by git (`ignored`: untracked and ignored) or by shape (a virtualenv), never by a folder name
# like dist/ or build/ (a wheel's tracked model files are checked).
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
     ".ruff_cache", ".hypothesis", ".cache", ".eggs"}
)


def looks_like_venv(names) -> bool:
    """A virtualenv (pyvenv.cfg next to bin/ or Scripts/) or a conda environment (conda-meta/ next to lib/ or
    bin/). A stray pyvenv.cfg alone does not make a folder one."""
    names = set(names)
    if "pyvenv.cfg" in names and names & {"bin", "Scripts"}:
        return True
    return "conda-meta" in names and bool(names & {"lib", "Lib", "bin"})


# ---- where a repository is on disk (found without running git) ------------------------------------------------

def find_repo_top(path: str) -> Optional[str]:
    """The git work tree containing `path` (by looking for `.git`, without running git)."""
    cur = os.path.abspath(path)
    while True:
        if os.path.exists(os.path.join(cur, ".git")):
            return cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return None
        cur = parent


def git_dir_of(top: str) -> Optional[str]:
    dotgit = os.path.join(top, ".git")
    if os.path.isdir(dotgit):
        return dotgit
    try:  # a worktree or submodule: ".git" is a file "gitdir: …"
        with open(dotgit, encoding="utf-8") as f:
            line = f.read().strip()
        if line.startswith("gitdir:"):
            gd = line.split(":", 1)[1].strip()
            return gd if os.path.isabs(gd) else os.path.normpath(os.path.join(top, gd))
    except OSError:
        pass
    return None


def lfs_dirs_for(git_dir: Optional[str]) -> List[str]:
    if not git_dir:
        return []
    dirs = [os.path.join(git_dir, "lfs", "objects")]
    common = os.path.join(git_dir, "commondir")  # worktrees share the main repository's LFS store
    if os.path.isfile(common):
        try:
            with open(common, encoding="utf-8") as f:
                dirs.append(os.path.join(os.path.normpath(os.path.join(git_dir, f.read().strip())), "lfs", "objects"))
        except OSError:
            pass
    return dirs


class Source:
    """Read-only access to a tree of files.

    Each folder is listed at most once per Source, and its skip decisions are made once with that listing, so
    discovery, licence look-ups and lineage never re-read a folder (`caching = False` turns this memory off;
    tests compare the reports).
    """

    root: str  # a filesystem path or a label such as "git:HEAD"
    caching = True
    ignored = frozenset()  # source-relative paths git ignores (folders without a trailing slash)

    def _entries(self, folder: str) -> Tuple[List[str], List[str]]:
        """(sub-folders, files) directly in `folder`, unsorted and unfiltered; ([], []) when it is not a
        readable folder. Symlinks to folders are in neither list (never descended, like os.walk)."""
        raise NotImplementedError

    def _memo(self, name: str) -> dict:
        """A per-Source cache, or a throw-away dict when caching is off."""
        if not self.caching:
            return {}
        return self.__dict__.setdefault("_memo_" + name, {})

    def entries(self, folder: str) -> Tuple[List[str], List[str]]:
        memo = self._memo("entries")
        hit = memo.get(folder)
        if hit is None:
            hit = memo[folder] = self._entries(folder)
        return hit

    def listdir(self, folder: str) -> Tuple[List[str], List[str]]:
        """(sub-folders worth searching, files) of `folder`, sorted. VCS data, tool caches, virtualenvs and
        folders git ignores are left out; `folder` itself is never judged (a path the user names is checked)."""
        memo = self._memo("listdir")
        hit = memo.get(folder)
        if hit is None:
            dirs, files = self.entries(folder)
            join = (lambda n: f"{folder}/{n}") if folder else (lambda n: n)
            kept = [d for d in dirs if d not in SKIP_DIRS]
            if kept:  # git is asked only when there is a folder it could be ignoring (most model repos are flat)
                ignored = self.ignored
                kept = sorted(d for d in kept if join(d) not in ignored and not looks_like_venv(self._names(join(d))))
            # Files are never skipped: weights are often ignored by git (uploaded to the Hub instead), and an
            # ignored checkpoint beside a tracked card is still what ships with it.
            hit = memo[folder] = (kept, sorted(files))
        return hit

    def _names(self, folder: str) -> List[str]:
        dirs, files = self.entries(folder)
        return dirs + files

    def walk(self, top: str = "") -> Iterator[Tuple[str, List[str], List[str]]]:
        """(folder, sub-folders, files) for `top` and every folder below it, parents first, sorted."""
        stack = [top]
        while stack:
            folder = stack.pop()
            dirs, files = self.listdir(folder)
            yield folder, list(dirs), list(files)
            stack.extend(f"{folder}/{d}" if folder else d for d in reversed(dirs))

    def kind(self, path: str) -> str:
        """"file", "dir", "missing", "special" (FIFO, device, socket), "outside" (symlink leaving the
        root, or a loop)."""
        raise NotImplementedError

    def size(self, path: str) -> int:
        raise NotImplementedError

    def open(self, path: str) -> BinaryIO:
        """A binary stream positioned at 0. Seekable when the backing store allows it."""
        raise NotImplementedError

    def read_bytes(self, path: str, limit: int = TEXT_CAP) -> bytes:
        with self.open(path) as f:
            return f.read(limit)

    def local_path(self, path: str):
        """A real filesystem path for `path`, or None (git sources)."""
        return None


class FsSource(Source):
    """The working tree."""

    def __init__(self, root: str, git_top: bool = False):
        """`git_top`: `root` is the top of a git work tree, so what git ignores there is skipped (git is asked
        once, when the first listing has a sub-folder to decide about)."""
        self.root = os.path.abspath(root)
        self._real_root = os.path.realpath(self.root)
        self._ask_git = git_top
        self._ignored = frozenset()

    @property
    def ignored(self):
        if self._ask_git:
            self._ignored, self._ask_git = _git_ignored(self.root), False
        return self._ignored

    def _full(self, path: str) -> str:
        return os.path.join(self.root, *path.split("/")) if path else self.root

    def local_path(self, path: str):
        return self._full(path)

    def kind(self, path: str) -> str:
        full = self._full(path)
        try:
            st = os.lstat(full)
        except OSError:
            return "missing"
        if stat.S_ISLNK(st.st_mode):
            try:
                real = os.path.realpath(full, strict=True) if _HAS_STRICT else os.path.realpath(full)
            except (OSError, RuntimeError):
                return "outside"  # dangling link or a loop
            if real != self._real_root and not real.startswith(self._real_root + os.sep):
                return "outside"
            try:
                st = os.stat(real)
            except OSError:
                return "missing"
        if stat.S_ISDIR(st.st_mode):
            return "dir"
        if stat.S_ISREG(st.st_mode):
            return "file"
        return "special"

    def _entries(self, folder: str) -> Tuple[List[str], List[str]]:
        dirs, files = [], []
        try:
            with os.scandir(self._full(folder)) as it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            dirs.append(e.name)
                        elif not (e.is_symlink() and e.is_dir()):  # a link to a folder is not descended
                            files.append(e.name)
                    except OSError:
                        files.append(e.name)  # reading it will say what is wrong
        except OSError:
            pass
        return dirs, files

    def size(self, path: str) -> int:
        try:
            return os.stat(self._full(path)).st_size
        except OSError as e:
            raise ReadError(path, f"cannot stat: {e.strerror or e}") from None

    def open(self, path: str) -> BinaryIO:
        k = self.kind(path)
        if k != "file":
            raise ReadError(path, _KIND_MESSAGES.get(k, "not a regular file"))
        try:
            # O_NONBLOCK guards against a FIFO swapped in after kind() looked.
            fd = os.open(self._full(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise ReadError(path, "not a regular file")
            return io.open(fd, "rb", closefd=True)
        except OSError as e:
            raise ReadError(path, f"cannot read: {e.strerror or e}") from None


def _git_ignored(top: str):
    """`git ls-files --others --ignored --exclude-standard --directory`: what git ignores, the way `git status`
    sees it (.gitignore files, .git/info/exclude, core.excludesFile). When git is missing or fails, nothing is
    ignored: checking too much is safe, skipping too much is not."""
    from ._spawn import Process

    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    env.pop("GIT_DIR", None)  # set inside git hooks; the work tree decides which repository this is
    env.pop("GIT_WORK_TREE", None)
    try:
        proc = Process(["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
                       top, env)
    except OSError:  # no git on PATH
        return frozenset()
    try:
        out = proc.stdout.read()
    except OSError:
        out = b""
    return _parse_ignored(out) if proc.close() == 0 else frozenset()


def _parse_ignored(out: bytes):
    return frozenset(p.decode("utf-8", "surrogateescape").rstrip("/") for p in out.split(b"\0") if p)


_HAS_STRICT = True
try:  # realpath(strict=) exists on 3.10+
    os.path.realpath(".", strict=True)
except TypeError:  # pragma: no cover - Python 3.9
    _HAS_STRICT = False

_KIND_MESSAGES = {
    "missing": "file does not exist",
    "dir": "is a directory",
    "special": "not a regular file (FIFO, device or socket); not read",
    "outside": "symlink that leaves the repository (or loops); not followed",
}
