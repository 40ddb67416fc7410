"""Starting git without the subprocess module.

Importing subprocess (with selectors, signal, threading) costs a hook run more than git takes to answer, so
git is started with os.posix_spawnp and talked to through plain pipes. Where posix_spawnp does not exist
(Windows) this falls back to subprocess, imported there and then.
"""
from __future__ import annotations

import os
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List, Optional, Sequence, Tuple

_SIGKILL = 9  # signal.SIGKILL on every POSIX system, without importing signal


class Process:
    """A child process: `stdin` (when asked for) and `stdout` are binary file objects; stderr goes to
    /dev/null, or to a pipe read by `communicate` when `stderr` is true."""

    def __init__(self, argv: Sequence[str], cwd: str, env: Dict[str, str], stdin: bool = False,
                 stderr: bool = False):
        self.returncode: Optional[int] = None
        self.stdin = self.stderr = None
        self._popen = None
        if not hasattr(os, "posix_spawnp"):  # pragma: no cover - Windows
            import subprocess

            pipe, null = subprocess.PIPE, subprocess.DEVNULL
            self._popen = subprocess.Popen(list(argv), cwd=cwd, env=env, stdin=pipe if stdin else null,
                                           stdout=pipe, stderr=pipe if stderr else null)
            self.stdin, self.stdout, self.stderr = self._popen.stdin, self._popen.stdout, self._popen.stderr
            return
        # posix_spawn has no cwd: git's own -C does it.
        argv = [argv[0], "-C", cwd, *argv[1:]] if argv[0] == "git" else list(argv)
        null = os.open(os.devnull, os.O_RDWR)
        mine: List[int] = []  # our ends of the pipes
        theirs: List[int] = [null]
        actions = []

        def connect(child_fd: int, piped: bool, child_reads: bool) -> None:
            if not piped:
                actions.append((os.POSIX_SPAWN_DUP2, null, child_fd))
                return
            r, w = os.pipe()
            ours, its = (w, r) if child_reads else (r, w)
            mine.append(ours)
            theirs.append(its)
            actions.append((os.POSIX_SPAWN_DUP2, its, child_fd))

        try:
            connect(0, stdin, True)
            connect(1, True, False)
            connect(2, stderr, False)
            # (pipes from os.pipe are close-on-exec: the child keeps only what dup2 gave it)
            self.pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
        except BaseException:
            for fd in mine:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        ends = iter(mine)
        if stdin:
            self.stdin = open(next(ends), "wb")
        self.stdout = open(next(ends), "rb")
        if stderr:
            self.stderr = open(next(ends), "rb")

    def poll(self) -> Optional[int]:
        if self._popen is not None:  # pragma: no cover - Windows
            return self._popen.poll()
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self._popen is not None:  # pragma: no cover - Windows
            return self._popen.wait()
        if self.returncode is None:
            _pid, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self._popen is not None:  # pragma: no cover - Windows
            self._popen.kill()
        elif self.poll() is None:
            try:
                os.kill(self.pid, _SIGKILL)
            except OSError:
                pass

    def close(self, kill: bool = False) -> int:
        """Close our pipe ends (a batch process then ends on EOF), stop it if asked, and reap it."""
        for f in (self.stdin, self.stdout, self.stderr):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass
        if kill:
            self.kill()
        return self.wait()


def run(argv: Sequence[str], cwd: str, env: Dict[str, str]) -> Tuple[int, bytes, bytes]:
    """(exit code, stdout, stderr) of a command that reads no input. stderr is read after stdout: git writes
    its few error lines and exits, so the pipe never fills while stdout is being read."""
    p = Process(argv, cwd, env, stderr=True)
    out = p.stdout.read()
    err = p.stderr.read()
    return p.close(), out, err
