"""`weightgate hook install`: plain git hooks after a `pip install`, without the pre-commit framework.

Each installed hook is the shipped script (weightgate/data/hooks/) with WEIGHTGATE preset to the command of
this installation, so the hook keeps working when the virtual environment is not activated. The hooks folder
is git's (`git rev-parse --git-path hooks`: core.hooksPath when set). A hook that weightgate did not write
is left alone unless --force: overwriting someone's hook would silently switch off their checks.
"""
from __future__ import annotations

import os
import shlex
import shutil
import sys

MARKER = "# installed by `weightgate hook install`"
HOOKS = ("pre-commit", "pre-push")


def _command() -> str:
    """The command the hook runs: this installation's console script, else its Python with -m weightgate."""
    script = shutil.which("weightgate", path=os.path.dirname(sys.executable))
    cmd = script if script else f"{sys.executable} -m weightgate"
    if any(c.isspace() for c in (script or sys.executable)):
        cmd = "weightgate"  # the hook splits WEIGHTGATE on spaces; fall back to the one on PATH
    return cmd


def _hooks_dir(top: str) -> str:
    from .gitsource import git

    out = git(["rev-parse", "--git-path", "hooks"], top, "cannot find the git hooks folder")
    path = out.decode("utf-8", "surrogateescape").strip()
    return os.path.normpath(os.path.join(top, path))


def script(name: str) -> str:
    here = os.path.join(os.path.dirname(__file__), "data", "hooks", name)
    with open(here, encoding="utf-8") as f:
        body = f.read()
    shebang, rest = body.split("\n", 1)
    from .__about__ import __version__

    return (f"{shebang}\n{MARKER} (weightgate {__version__}); delete this file to uninstall.\n"
            f"WEIGHTGATE=${{WEIGHTGATE:-{shlex.quote(_command())}}}\n{rest}")


def install(names, force: bool = False) -> int:
    from .errors import UsageError
    from .gitsource import repo_top

    unknown = [n for n in names if n not in HOOKS]
    if unknown:
        raise UsageError(f"unknown hook `{unknown[0]}` (expected: {', '.join(HOOKS)})")
    top = repo_top(".")
    folder = _hooks_dir(top)
    os.makedirs(folder, exist_ok=True)
    for name in names:
        target = os.path.join(folder, name)
        if os.path.lexists(target) and not force:
            try:
                with open(target, encoding="utf-8", errors="replace") as f:
                    ours = MARKER in f.read()
            except OSError:
                ours = False
            if not ours:
                raise UsageError(f"{target} exists and was not written by weightgate; not overwriting it "
                                 "(merge it by hand, or rerun with --force to replace it)")
        tmp = target + ".weightgate-tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(script(name))
        os.chmod(tmp, 0o755)
        os.replace(tmp, target)
        print(f"weightgate: installed {target}", file=sys.stderr)
    return 0
