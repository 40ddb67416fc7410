"""Where bytes come from.

Every reader goes through a Source, so the same pipeline checks the working tree, the git index (pre-commit
hooks) or a pushed commit (pre-push). Paths handed to and returned by a Source are posix paths relative to
its root ("" is the root itself). A Source never writes.
"""
from __future__ import annotations

import io
import os
import stat
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import BinaryIO, Iterator, List, Tuple

from .errors import ReadError

# Text inputs (cards, configs, licence files) are read up to this many bytes; the rest is ignored with a finding.
TEXT_CAP = 10 * 1024 * 1024

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache",
     ".pytest_cache", ".ruff_cache", ".hypothesis", "site-packages", ".cache", ".eggs", "build", "dist"}
)


def is_skipped_dir(name: str, full: str = "") -> bool:
    """Directories never searched for models: VCS data, virtualenvs, caches, build output."""
    if name in SKIP_DIRS or name.endswith(".egg-info"):
        return True
    # Any virtualenv, whatever its name, has a pyvenv.cfg.
    return bool(full) and os.path.isfile(os.path.join(full, "pyvenv.cfg"))


class Source:
    """Read-only access to a tree of files."""

    root: str  # a filesystem path or a label such as "git:HEAD"

    def walk(self, top: str = "") -> Iterator[Tuple[str, List[str], List[str]]]:
        raise NotImplementedError

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

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self._real_root = os.path.realpath(self.root)

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

    def walk(self, top: str = ""):
        start = self._full(top)
        seen = set()
        for dirpath, dirnames, filenames in os.walk(start, followlinks=False):
            try:
                key = os.stat(dirpath).st_ino, os.stat(dirpath).st_dev
            except OSError:
                continue
            if key in seen:
                dirnames[:] = []
                continue
            seen.add(key)
            dirnames[:] = sorted(d for d in dirnames if not is_skipped_dir(d, os.path.join(dirpath, d))
                                 and not os.path.islink(os.path.join(dirpath, d)))
            rel = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            yield ("" if rel == "." else rel), list(dirnames), sorted(filenames)

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
