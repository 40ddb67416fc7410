"""Planned edits and how they reach the disk: an in-memory overlay, unified diffs, atomic writes.

`fix` never edits a file while it plans. Every change is made to an overlay (source-relative path → new
bytes) that the engine reads through `OverlaySource`, so a planned state can be re-checked exactly like the
working tree. Only at the end are the differences between the overlay and the disk turned into `Edit`s and
written: one temporary file in the same directory per edited file, then `os.replace`.
"""
from __future__ import annotations

import difflib
import io
import os
import posixpath
import stat
import tempfile
from dataclasses import dataclass
from typing import BinaryIO, Dict, List, Optional

from ..errors import WeightgateError
from ..sources import FsSource


@dataclass(frozen=True)
class Edit:
    """Replace `old` (None: the file does not exist yet) with `new` at `path` (a filesystem path)."""

    path: str
    old: Optional[bytes]
    new: bytes
    display: str = ""  # the path as shown to the user
    repo_path: str = ""  # the path from the repository top (diff headers, so `git apply` works there)

    @property
    def action(self) -> str:
        return "create" if self.old is None else "modify"


class WriteError(WeightgateError):
    """A planned edit could not be written; the file keeps its previous content."""


class OverlaySource(FsSource):
    """The working tree with some files replaced or added in memory (never written)."""

    def __init__(self, root: str, overlay: Dict[str, bytes]):
        super().__init__(root)
        self.overlay = overlay

    def kind(self, path: str) -> str:
        if path in self.overlay:
            return "file"
        return super().kind(path)

    def size(self, path: str) -> int:
        if path in self.overlay:
            return len(self.overlay[path])
        return super().size(path)

    def open(self, path: str) -> BinaryIO:
        if path in self.overlay:
            return io.BytesIO(self.overlay[path])
        return super().open(path)

    def _memo(self, name: str) -> dict:
        # Planning changes the overlay while models are analysed: only the disk's listings may be remembered.
        return super()._memo(name) if name == "entries" else {}

    def listdir(self, folder: str):
        dirs, files = super().listdir(folder)  # the disk's listing (cached); planned files join it each time
        added = [posixpath.basename(p) for p in self.overlay if posixpath.dirname(p) == folder]
        return (dirs, sorted(set(files) | set(added))) if added else (dirs, files)


class Overlay:
    """Planned file contents for one source root, on top of what is on disk."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self.files: Dict[str, bytes] = {}
        self._disk: Dict[str, Optional[bytes]] = {}

    def full(self, path: str) -> str:
        return os.path.join(self.root, *path.split("/")) if path else self.root

    def disk(self, path: str) -> Optional[bytes]:
        """The file's bytes on disk (None when it does not exist), read once."""
        if path not in self._disk:
            full = self.full(path)
            try:
                with open(full, "rb") as f:
                    self._disk[path] = f.read()
            except OSError:
                self._disk[path] = None
        return self._disk[path]

    def exists(self, path: str) -> bool:
        return path in self.files or os.path.lexists(self.full(path))

    def is_regular(self, path: str) -> bool:
        full = self.full(path)
        return path in self.files or (os.path.isfile(full) and not os.path.islink(full))

    def read(self, path: str) -> Optional[bytes]:
        if path in self.files:
            return self.files[path]
        return self.disk(path)

    def write(self, path: str, data: bytes) -> bool:
        """Plan new content; False when it is what the file already holds."""
        if self.read(path) == data:
            return False
        self.files[path] = data
        return True

    def edits(self, show=lambda p: p) -> List[Edit]:
        out = []
        for path in sorted(self.files):
            old = self.disk(path)
            new = self.files[path]
            if old != new:
                out.append(Edit(self.full(path), old, new, show(path), path))
        return out

    def source(self) -> OverlaySource:
        return OverlaySource(self.root, self.files)


# ---- diffs --------------------------------------------------------------------------------------------------

def _diff_lines(data: Optional[bytes]) -> List[str]:
    if not data:
        return []
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.splitlines(keepends=True)


def unified_diff(edit: Edit) -> str:
    """A git-style unified diff of one edit (line endings shown as they are; `\\ No newline` marked), naming
    the file from the repository top as git does."""
    name = edit.repo_path or edit.display or edit.path
    old_name = "/dev/null" if edit.old is None else f"a/{name}"
    out = []
    for line in difflib.unified_diff(_diff_lines(edit.old), _diff_lines(edit.new), old_name, f"b/{name}", n=3):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    if edit.old is not None and edit.old.startswith(b"\xef\xbb\xbf") != edit.new.startswith(b"\xef\xbb\xbf"):
        out.append("# byte order mark changed\n")
    return "".join(out)


# ---- writing ------------------------------------------------------------------------------------------------

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(edit: Edit) -> None:
    """Write one edit: a temporary file in the same directory, then `os.replace` over the target.

    The file must still hold `edit.old` (someone may have changed it since planning). The mode of an existing
    file is kept; a new file gets the usual 0o666 minus the umask. On any failure the temporary file is
    removed and the target is left as it was.
    """
    folder = os.path.dirname(edit.path) or "."
    current: Optional[bytes]
    try:
        with open(edit.path, "rb") as f:
            current = f.read()
        mode = stat.S_IMODE(os.stat(edit.path).st_mode)
    except FileNotFoundError:
        current, mode = None, 0o666 & ~_umask()
    except OSError as e:
        raise WriteError(f"{edit.display or edit.path}: cannot read: {e.strerror or e}") from None
    if current != edit.old:
        raise WriteError(f"{edit.display or edit.path}: changed on disk while fix was planning; not written")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(edit.path) + ".",
                                   suffix=".weightgate-tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(edit.new)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, edit.path)
        tmp = None
    except OSError as e:
        raise WriteError(f"{edit.display or edit.path}: not written ({e.strerror or e}); the file is unchanged") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
