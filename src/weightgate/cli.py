"""Command line: `weightgate check|fix|lineage|rules|explain|licenses|completion|lock|hook|bom`.

Exit codes: 0 clean, 1 error findings, 2 usage/config/internal."""
from __future__ import annotations

import os
import sys
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    import argparse
    from typing import List, Optional

from .__about__ import __version__

ISSUES_URL = "https://github.com/weightgate/weightgate/issues"


def _parser(only: Optional[str] = None) -> argparse.ArgumentParser:
    """The argument parser; with `only`, just that subcommand's (a hook pays for every parser built)."""
    import argparse  # not on the common path: `check`'s usual arguments are read by _quick_check_args

    p = argparse.ArgumentParser(prog="weightgate",
                                description="Licence compliance for model repositories: follows base_model lineage "
                                            "offline and fails on relabelled derivatives.")
    p.add_argument("--version", action="version", version=f"weightgate {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp, fmt_choices=OUTPUT_FORMATS):
        sp.add_argument("paths", nargs="*", metavar="PATH", help="repository, model folder or file (default: .)")
        sp.add_argument("--output-format", "--format", dest="format", choices=fmt_choices, default=None,
                        metavar="FORMAT", help=f"{'|'.join(fmt_choices)} (default: full; github when "
                                               "GITHUB_ACTIONS=true; text = full)")
        sp.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
        sp.add_argument("--config", metavar="FILE", help="configuration file (default: .weightgate.toml or "
                                                         "[tool.weightgate] in pyproject.toml, found upwards)")
        sp.add_argument("--select", metavar="RULES", help="only these rule ids (comma-separated)")
        sp.add_argument("--ignore", metavar="RULES", help="skip these rule ids (comma-separated)")
        sp.add_argument("--hf-cache", metavar="DIR", help="Hugging Face hub cache to resolve bases from "
                                                          "(default: HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub)")
        sp.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")

    def wanted(name: str) -> bool:
        return only is None or only == name

    if wanted("check"):
        c = sub.add_parser("check", help="check model folders (never writes)")
        common(c)
        c.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are error findings")
        c.add_argument("--statistics", action="store_true", help="one line per rule: the count, the id, the summary")
        c.add_argument("--quiet", "-q", action="store_true", help="print nothing when there are no findings")
        c.add_argument("--ref", metavar="REV", help="check the models as they are in git revision REV")
        c.add_argument("--staged", action="store_true", help="check the models as staged in the git index")
        c.add_argument("--changed-since", metavar="REV", help="only model folders touched since REV")
        c.add_argument("--show-lineage", action="store_true",
                       help="print each model's lineage tree above the findings (human and github formats, to stdout)")
    if wanted("fix"):
        f = sub.add_parser("fix", help="apply the fixes weightgate can make offline")
        common(f, fmt_choices=("full", "text", "json"))
        f.add_argument("--dry-run", action="store_true", help="print a unified diff; write nothing")
        f.add_argument("--license-from", metavar="PATH", action="append", default=[],
                       help="a local licence file or folder to copy licence texts from (repeatable)")
    if wanted("lineage"):
        lg = sub.add_parser("lineage", help="show each model's bases, their bases and where each licence came from")
        common(lg, fmt_choices=("text", "json"))
        lg.add_argument("--ref", metavar="REV", help="the models as they are in git revision REV")
        lg.add_argument("--staged", action="store_true", help="the models as staged in the git index")
    if wanted("rules"):
        r = sub.add_parser("rules", help="list the rules")
        r.add_argument("--format", choices=("text", "json"), default="text")
    if wanted("explain"):
        e = sub.add_parser("explain", help="show a rule's documentation and the clauses it enforces "
                                           "(without RULE: list the rules)")
        e.add_argument("rule", metavar="RULE", nargs="?")
    if wanted("licenses"):
        li = sub.add_parser("licenses", help="list the licence ids weightgate knows (id, name, kind, source)")
        li.add_argument("filter", metavar="FILTER", nargs="?", help="only ids, names or kinds containing FILTER")
        li.add_argument("--format", choices=("text", "json"), default="text")
        li.add_argument("--config", metavar="FILE", help="also list the licences this configuration defines")
    if wanted("completion"):
        co = sub.add_parser("completion", help="print a shell completion script: "
                                               "`eval \"$(weightgate completion bash)\"`")
        co.add_argument("shell", choices=("bash", "zsh", "fish"))
    if wanted("bom"):
        b = sub.add_parser("bom", help="write an AI bill of materials (CycloneDX 1.6 or SPDX 3.0.1 JSON), offline")
        b.add_argument("paths", nargs="*", metavar="PATH", help="repository, model folder or file (default: .)")
        b.add_argument("--format", choices=("cyclonedx", "spdx"), default="cyclonedx",
                       help="cyclonedx (1.6 JSON, default) or spdx (3.0.1 JSON-LD, AI and Dataset profiles)")
        b.add_argument("--output", "-o", metavar="FILE", help="write the BOM to FILE instead of stdout")
        b.add_argument("--timestamp", action="store_true",
                       help="record the creation time (SOURCE_DATE_EPOCH when set); without it the output "
                            "is the same bytes for the same input")
        b.add_argument("--ref", metavar="REV", help="describe the models as they are in git revision REV")
        b.add_argument("--config", metavar="FILE", help="configuration file (as for `check`)")
        b.add_argument("--hf-cache", metavar="DIR", help="Hugging Face hub cache to resolve bases from")
        b.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    if wanted("lock"):
        lk = sub.add_parser("lock", help="record the bases nothing offline knows from the Hugging Face Hub in "
                                         "weightgate.lock (the only command that uses the network)")
        lk.add_argument("paths", nargs="*", metavar="PATH", help="repository or model folder (default: .)")
        lk.add_argument("--update", action="store_true", help="ask the Hub again about every locked base")
        lk.add_argument("--check", action="store_true",
                        help="offline: exit 1 when a base reference is missing from the lock (for CI)")
        lk.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="per-request timeout (default: 10)")
        lk.add_argument("--config", metavar="FILE", help="configuration file (default: found upwards)")
        lk.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    if wanted("hook"):
        h = sub.add_parser("hook", help="git hooks: `hook install` writes them; `hook pre-commit [FILE ...]`, "
                                        "`hook pre-push` are their entry points",
                           add_help=False)
        h.add_argument("hook_args", nargs="*")
    return p


COMMANDS = ("check", "fix", "lineage", "rules", "explain", "licenses", "completion", "lock", "hook", "bom")
# command → (module, function), imported only when that command runs: a hook pays for every import
HANDLERS = {"fix": (".fix", "main"), "lineage": (".report.lineage", "lineage_command"), "bom": (".aibom", "main"),
            "rules": (".docs", "rules_command"), "explain": (".docs", "explain_command"),
            "licenses": (".docs", "licenses_command"), "completion": (".completion", "completion_command"),
            "lock": (".hublock", "main")}
from .report import OUTPUT_FORMATS  # noqa: E402 - beside the other command tables; the check renders with it


def main(argv: Optional[List[str]] = None) -> int:
    if argv is None:  # a process of its own (not a caller's main(argv))
        _short_lived_process()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["hook"]:  # its own parser (weightgate.hook), so `hook pre-commit --help` works
        from .hook import main as hook_main

        return hook_main(argv[1:])
    args = _quick_check_args(argv)
    if args is None:
        first = next((a for a in argv if not a.startswith("-")), None)
        parser = _parser(first if first in COMMANDS and "-h" not in argv and "--help" not in argv else None)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
    try:
        if args.command == "check":
            return _check(args)
        handler = HANDLERS.get(args.command)
        if handler is not None:
            module, function = handler
            from importlib import import_module

            run = getattr(import_module(module, __package__), function)
            return run(args, emit) if args.command == "lineage" else run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - the CLI's last line of defence: one line, exit 2
        return _fail(e, getattr(args, "debug", False))
    return 2


def _short_lived_process() -> None:
    """The cyclic garbage collector runs every 700 new objects, dozens of times while the modules load, and a
    check leaves little cyclic garbage: in a process that ends with the command, collect less often."""
    import gc

    gc.set_threshold(max(gc.get_threshold()[0], 20_000))


class _CheckArgs:
    """What `check`'s argparse parser would return, for the arguments _quick_check_args reads."""

    def __init__(self):
        self.command = "check"
        self.paths: List[str] = []
        self.format = self.output = self.config = self.select = self.ignore = self.hf_cache = None
        self.ref = self.changed_since = None
        self.debug = self.exit_zero = self.statistics = self.quiet = self.staged = self.show_lineage = False


_CHECK_FLAGS = {"--exit-zero": "exit_zero", "--statistics": "statistics", "--quiet": "quiet", "-q": "quiet",
                "--staged": "staged", "--debug": "debug", "--show-lineage": "show_lineage"}
_CHECK_VALUED = {"--output-format": "format", "--format": "format", "--output": "output", "-o": "output",
                 "--config": "config", "--select": "select", "--ignore": "ignore", "--hf-cache": "hf_cache",
                 "--ref": "ref", "--changed-since": "changed_since"}


def read_common_options(argv: List[str], flags: dict, valued: dict, after_dashdash: bool = False):
    """(positional arguments, {dest: value}) for argument lists in the forms people, CI and git hooks write,
    read without argparse: importing it and building a parser is a measurable part of a check's start-up.
    `flags` and `valued` map option strings to destinations. Anything else — help, abbreviations, bundled short
    options, `-o=x`, a value that looks like an option, positional arguments on both sides of an option, `--`
    (unless `after_dashdash`: then the rest are positional) — returns None: argparse parses it, or reports the
    mistake, as it always has."""
    positional: List[str] = []
    options = {}
    runs = 0  # argparse takes positional arguments as one run: `check a --exit-zero b` is its error to report
    after_option = True
    i = 0
    while i < len(argv):
        a = argv[i]
        name, eq, value = a.partition("=")
        if a == "--" and after_dashdash:
            positional.extend(argv[i + 1:])
            runs += bool(argv[i + 1:]) and after_option
            break
        if not a.startswith("-"):
            runs += after_option
            after_option = False
            positional.append(a)
        elif a in flags:
            options[flags[a]] = True
            after_option = True
        elif (name in valued and not (eq and not name.startswith("--"))) or a in valued:
            if not eq:
                if i + 1 >= len(argv):
                    return None
                i += 1
                value = argv[i]
            if not value or value.startswith("-"):
                return None
            options[valued[name]] = value
            after_option = True
        else:
            return None
        i += 1
    return None if runs > 1 else (positional, options)


def _quick_check_args(argv: List[str]) -> Optional[_CheckArgs]:
    """`check`'s arguments in the usual forms (`check [PATH ...] [--format X] [--exit-zero] ...`), read without
    argparse (see read_common_options); None sends them to argparse."""
    read = read_common_options(argv[1:], _CHECK_FLAGS, _CHECK_VALUED) if argv[:1] == ["check"] else None
    if read is None:
        return None
    args = _CheckArgs()
    args.paths, options = read
    for dest, value in options.items():
        setattr(args, dest, value)
    return None if args.format is not None and args.format not in OUTPUT_FORMATS else args


def _fail(e: BaseException, debug: bool) -> int:
    from .errors import UsageError, WeightgateError

    if isinstance(e, UsageError):
        print(f"weightgate: {e}", file=sys.stderr)
        return 2
    if debug:
        import traceback

        traceback.print_exc()
    from .collect import current_file

    where = f" while reading {current_file()}" if current_file() else ""
    kind = "error" if isinstance(e, WeightgateError) else "internal error"
    print(f"weightgate: {kind}{where}: {type(e).__name__}: {e} (rerun with --debug and report it at {ISSUES_URL})",
          file=sys.stderr)
    return 2


def _split(s: Optional[str]):
    return {x.strip() for x in s.split(",") if x.strip()} if s else None


def _rule_filter(args):
    select, ignore = _split(args.select), _split(args.ignore)
    named = (select or set()) | (ignore or set())
    if named:  # the ids are known without importing a rule
        from .rules import IDS

        unknown = sorted(named - set(IDS))
        if unknown:
            import difflib

            from .errors import UsageError

            close = difflib.get_close_matches(unknown[0], sorted(IDS), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise UsageError(f"unknown rule `{unknown[0]}`{hint} (see `weightgate rules`)")
    return lambda f: (select is None or f.rule in select) and (ignore is None or f.rule not in ignore)


def output_format(args) -> str:
    if args.format:
        return args.format
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def emit(text: str, output: Optional[str], stream=None) -> None:
    """Write the report to `output` (UTF-8) or to stdout (ASCII spellings when its encoding needs them)."""
    if output:
        from .errors import UsageError

        try:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
    else:
        from .report.terminal import write

        write(text, stream)


def show_report(report, fmt: str, output: Optional[str] = None, quiet: bool = False,
                statistics: bool = False) -> None:
    """Render and write a check report the way every door prints one (CLI, hooks)."""
    from .report import HUMAN, canonical, render
    from .report.terminal import PLAIN, Style, colour_wanted

    fmt = canonical(fmt)
    warn_config(report.config_warnings)
    human = fmt in HUMAN or statistics
    if quiet and human and not report.active:
        return
    style = Style(True) if human and not output and colour_wanted(sys.stdout) else PLAIN
    if statistics:
        from .report.statistics import render as stats

        emit(stats(report, fmt, style), output)
        return
    emit(render(report, fmt, style), output)
    if fmt == "concise" and not (quiet and report.ok):  # stdout keeps one line per finding
        from .report.text_format import summary

        emit(summary(report) + "\n", None, sys.stderr)


def warn_config(warnings) -> None:
    from .report.terminal import write

    for w in warnings:
        write(f"weightgate: warning: {w}\n", sys.stderr)


def _check(args) -> int:
    from .api import check

    keep = _rule_filter(args)
    report = check(args.paths or ["."], ref=args.ref, config=args.config, hf_cache=args.hf_cache,
                   staged=args.staged, changed_since=args.changed_since, cwd=os.getcwd())
    report.findings = [f for f in report.findings if keep(f)]
    if getattr(args, "show_lineage", False) and not args.output:
        from .report import HUMAN, canonical
        from .report.lineage import render as lineage_tree

        if canonical(output_format(args)) in HUMAN + ("github",):
            emit(lineage_tree(report) + "\n", None)
    show_report(report, output_format(args), args.output, args.quiet, args.statistics)
    return 0 if (report.ok or args.exit_zero) else 1
