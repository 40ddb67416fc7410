"""Entry points for git hooks: `weightgate hook pre-commit [FILE ...]` and `weightgate hook pre-push`.

pre-commit  The files pre-commit passes (staged files) only say which model folders to check; each touched
            folder is checked whole, as staged in the index (the rules are cross-file), plus every model
            folder below a touched LICENSE/NOTICE/USE_POLICY. Without files there is nothing to check.
pre-push    Checks the model folders touched between PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF as they are in
            the pushed commit (TO), read from git objects, never the working tree. When the refs are unset
            (pre-commit's first push of a root commit) every model at HEAD is checked.

install     Writes `pre-commit` and `pre-push` scripts into the repository's hooks folder (core.hooksPath
            respected) that run this installation's weightgate; a hook weightgate did not write is never
            overwritten (see weightgate.hook_install).

Exit codes are `weightgate check`'s: 0 clean, 1 error findings, 2 usage or internal error. On success the
hooks print nothing (waived findings included); on findings they print the report.
"""
from __future__ import annotations

import os
import sys
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import List, Optional

ZERO = "0" * 40


def _parser():
    import argparse

    p = argparse.ArgumentParser(prog="weightgate hook", description="Entry points for git hooks.")
    sub = p.add_subparsers(dest="stage", metavar="STAGE")
    pc = sub.add_parser("pre-commit", help="check the model folders of the given (staged) files, from the index")
    pc.add_argument("files", nargs="*", metavar="FILE")
    pp = sub.add_parser("pre-push", help="check the model folders touched between PRE_COMMIT_FROM_REF and "
                                         "PRE_COMMIT_TO_REF, as they are in TO (default: everything at HEAD)")
    pp.add_argument("--from-ref", default=None, help="default: $PRE_COMMIT_FROM_REF")
    pp.add_argument("--to-ref", default=None, help="default: $PRE_COMMIT_TO_REF, else HEAD")
    ins = sub.add_parser("install", help="write .git/hooks/pre-commit and pre-push that run this weightgate")
    ins.add_argument("hooks", nargs="*", metavar="HOOK", help="pre-commit and/or pre-push (default: both)")
    ins.add_argument("--force", action="store_true", help="overwrite a hook weightgate did not write")
    for sp in (pc, pp):
        sp.add_argument("--output-format", "--format", dest="format", default="full", metavar="FORMAT",
                        choices=_FORMATS)
        sp.add_argument("--config", metavar="FILE", help="configuration file (default: found upwards)")
        sp.add_argument("--exit-zero", action="store_true", help="report, but never fail")
    return p


class _Args:
    def __init__(self, stage: str):
        self.stage = stage
        self.files: List[str] = []
        self.format = "full"
        self.config = None
        self.exit_zero = False
        self.from_ref = self.to_ref = None


from .report import OUTPUT_FORMATS as _FORMATS  # noqa: E402
_VALUED = {"--format": "format", "--output-format": "format", "--config": "config"}
_PUSH_VALUED = {**_VALUED, "--from-ref": "from_ref", "--to-ref": "to_ref"}


def _quick_args(argv: List[str]) -> Optional[_Args]:
    """The arguments git and pre-commit pass, read without argparse (building a parser imports gettext and
    locale, a hook runs at every commit; see cli.read_common_options). Anything else — help, abbreviations,
    mistakes — goes to argparse."""
    from .cli import read_common_options

    if not argv or argv[0] not in ("pre-commit", "pre-push"):
        return None
    read = read_common_options(argv[1:], {"--exit-zero": "exit_zero"},
                               _VALUED if argv[0] == "pre-commit" else _PUSH_VALUED, after_dashdash=True)
    if read is None or (read[0] and argv[0] != "pre-commit"):
        return None
    args = _Args(argv[0])
    args.files, options = read
    for dest, value in options.items():
        setattr(args, dest, value)
    return args if args.format in _FORMATS else None


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _quick_args(argv)
    if args is None:
        parser = _parser()
        args = parser.parse_args(argv)
        if args.stage is None:
            parser.print_help(sys.stderr)
            return 2
    try:
        if args.stage == "install":
            from .hook_install import install

            return install(args.hooks or ["pre-commit", "pre-push"], force=args.force)
        report = pre_commit(args) if args.stage == "pre-commit" else pre_push(args)
        if report is None:
            return 0
        from .cli import show_report

        show_report(report, args.format, quiet=True)  # silent on success, as git hooks should be
        if not report.ok and args.stage == "pre-push":
            print(f"weightgate: refused the push of {_pushed(args)}: {report.errors} licence compliance "
                  f"error(s) in that commit", file=sys.stderr)
        return 0 if (report.ok or args.exit_zero) else 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - one line, exit 2 (as the CLI)
        from .cli import _fail

        return _fail(e, False)


def pre_commit(args):
    if not args.files:
        return None
    top = _top()
    real_top = os.path.realpath(top)
    touched = []
    for f in args.files:
        rel = os.path.relpath(os.path.realpath(os.path.abspath(f)), real_top).replace(os.sep, "/")
        if not rel.startswith("../"):
            touched.append(rel)
    return _run(top, args, staged=True, touched=touched)


def pre_push(args):
    top = _top()
    to_ref = args.to_ref or os.environ.get("PRE_COMMIT_TO_REF") or "HEAD"
    from_ref = args.from_ref or os.environ.get("PRE_COMMIT_FROM_REF") or None
    if from_ref and from_ref.strip("0") == "":
        from_ref = None  # a new branch on the remote: everything in TO

    def unknown(rev):  # e.g. a remote commit this clone has never fetched: check everything
        print(f"weightgate: {rev} is not in this repository; checking every model in {to_ref}", file=sys.stderr)

    return _run(top, args, ref=to_ref, changed_since=from_ref, unknown_since=unknown, compare_trees=True)


def _top() -> str:
    from .gitsource import repo_top

    return repo_top(".")


def _run(top: str, args, ref=None, staged=False, changed_since=None, touched=None, unknown_since=None,
         compare_trees=False):
    """The configuration comes from the commit or index being checked (or --config)."""
    from . import engine
    from .api import git_config
    from .gitsource import targets_for_git

    targets = targets_for_git([top], ref=ref, staged=staged, changed_since=changed_since, touched=touched,
                              unknown_since=unknown_since, compare_trees=compare_trees)
    args.checked_sha = getattr(targets[0].source, "rev", None) if targets else None  # for _pushed, without git
    return engine.run(targets, git_config(args.config, targets, top), cwd=os.getcwd())


def _pushed(args) -> str:
    """What a refused push was: `refs/heads/main at commit 1a2b3c4d5e6f` (the branch when pre-commit says)."""
    from .errors import UsageError
    from .gitsource import repo_top, resolve_rev

    to_ref = args.to_ref or os.environ.get("PRE_COMMIT_TO_REF") or "HEAD"
    sha = getattr(args, "checked_sha", None)
    try:
        sha = sha or resolve_rev(repo_top("."), to_ref)
    except UsageError:
        sha = to_ref
    branch = os.environ.get("PRE_COMMIT_LOCAL_BRANCH") or ("" if sha.startswith(to_ref) else to_ref)
    return f"{branch} at commit {sha[:12]}" if branch else f"commit {sha[:12]}"
