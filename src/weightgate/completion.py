"""`weightgate completion bash|zsh|fish`: a completion script generated from the argument parser, so it names
exactly the subcommands, options and choices this version has (rule ids for `explain`, licence ids for
`licenses`). Nothing is imported at start-up for it: the shell calls this once, when the script is installed.

    eval "$(weightgate completion bash)"                     # ~/.bashrc
    eval "$(weightgate completion zsh)"                      # ~/.zshrc (after compinit)
    weightgate completion fish > ~/.config/fish/completions/weightgate.fish
"""
from __future__ import annotations

import argparse


def _spec():
    """{subcommand: (options, {option: choices}, positional words)} from the real parser."""
    from . import rules
    from .cli import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    spec = {}
    for name, sp in sub.choices.items():
        options, choices, words = [], {}, []
        for a in sp._actions:
            if a.option_strings:
                options.extend(a.option_strings)
                if a.choices:
                    for o in a.option_strings:
                        choices[o] = list(a.choices)
            elif a.choices:
                words.extend(a.choices)
        spec[name] = (options, choices, words)
    spec["explain"] = (spec["explain"][0], spec["explain"][1], list(rules.IDS))
    spec["hook"] = (["--help"], {}, ["pre-commit", "pre-push", "install"])
    return spec


def bash(spec) -> str:
    cases = []
    for name, (options, choices, words) in spec.items():
        opt_cases = "".join(f"            {o}) COMPREPLY=($(compgen -W \"{' '.join(c)}\" -- \"$cur\")); return;;\n"
                            for o, c in choices.items())
        cases.append(f"        {name})\n            case \"$prev\" in\n{opt_cases}            esac\n"
                     f"            if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W \"{' '.join(options)}\" -- \"$cur\"))\n"
                     f"            else COMPREPLY=($(compgen -W \"{' '.join(words)}\" -- \"$cur\") $(compgen -f -- \"$cur\")); fi;;\n")
    return ("# weightgate bash completion: eval \"$(weightgate completion bash)\"\n"
            "_weightgate() {\n"
            "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]}\n"
            "    if [[ $COMP_CWORD -eq 1 ]]; then\n"
            f"        COMPREPLY=($(compgen -W \"{' '.join(spec)} --version --help\" -- \"$cur\")); return\n"
            "    fi\n"
            "    case \"$cmd\" in\n" + "".join(cases) + "    esac\n}\n"
            "complete -o filenames -F _weightgate weightgate\n")


def zsh(spec) -> str:
    # zsh runs bash completion functions through bashcompinit: one script to keep right, not two.
    return ("# weightgate zsh completion: eval \"$(weightgate completion zsh)\" (after compinit)\n"
            "autoload -U +X bashcompinit && bashcompinit\n" + bash(spec).split("\n", 1)[1])


def fish(spec) -> str:
    names = " ".join(spec)
    out = ["# weightgate fish completion: weightgate completion fish > ~/.config/fish/completions/weightgate.fish",
           "complete -c weightgate -f",
           f"complete -c weightgate -n 'not __fish_seen_subcommand_from {names}' -a '{names}'"]
    for name, (options, choices, words) in spec.items():
        cond = f"-n '__fish_seen_subcommand_from {name}'"
        for o in options:
            if o.startswith("--"):
                extra = f" -xa '{' '.join(choices[o])}'" if o in choices else ""
                out.append(f"complete -c weightgate {cond} -l {o[2:]}{extra}")
        if words:
            out.append(f"complete -c weightgate {cond} -a '{' '.join(words)}'")
        if name in ("check", "fix", "lineage", "bom"):  # commands that take PATHs
            out.append(f"complete -c weightgate {cond} -F")
    return "\n".join(out) + "\n"


def completion_command(args) -> int:
    from .report.terminal import write

    write({"bash": bash, "zsh": zsh, "fish": fish}[args.shell](_spec()))
    return 0
