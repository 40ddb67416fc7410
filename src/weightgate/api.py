"""The Python API behind weightgate.check(): resolves configuration and file sources, then runs the engine."""
from __future__ import annotations

import os
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Optional, Sequence, Union

from . import engine
from .config import Config, load_config


def resolve_config(config, start: str) -> Config:
    if config is None:
        return load_config(start)
    if isinstance(config, Config):
        return config
    if isinstance(config, (str, os.PathLike)):
        return load_config(start, explicit=os.fspath(config))
    return Config.from_dict(config)


def git_config(config, targets, start: str) -> Config:
    """A commit or the index is judged with its own configuration: the one it holds, unless one is given."""
    if config is not None or not targets:
        return resolve_config(config, start)
    from .config import config_in_source

    return config_in_source(targets[0].source, targets[0].prefixes[0] if targets[0].prefixes else "")


def check(path: Union[str, Sequence[str]] = ".", ref: Optional[str] = None, config=None, *,
          hf_cache: Optional[str] = None, staged: bool = False, changed_since: Optional[str] = None, kb=None,
          cwd: Optional[str] = None):
    """See weightgate.check. `cwd`: show paths as the CLI prints them (relative to `cwd` when below it, else
    absolute); by default they are relative to the checked folder."""
    paths = [os.fspath(path)] if isinstance(path, (str, os.PathLike)) else [os.fspath(p) for p in path]
    if not paths:
        paths = ["."]
    if ref is not None or staged or changed_since is not None:
        from .gitsource import targets_for_git  # reading from git objects instead of the working tree

        targets = targets_for_git(paths, ref=ref, staged=staged, changed_since=changed_since)
        cfg = git_config(config, targets, paths[0]) if (ref is not None or staged) else resolve_config(config,
                                                                                                    paths[0])
    else:
        cfg = resolve_config(config, paths[0])
        targets = engine.targets_for_paths(paths)
    return engine.run(targets, cfg, kb=kb, hf_cache=hf_cache, cwd=cwd)
