"""Configuration: `[tool.weightgate]` in pyproject.toml or `.weightgate.toml`, or a dict through the API.

The file is found by walking up from the checked path to the repository top (the folder holding `.git`) or
the filesystem root; in each folder `.weightgate.toml` wins over a pyproject.toml that has a `[tool.weightgate]`
table. `--config FILE` names the file instead. Every mistake is a ConfigError whose message reads
`<file>: <key>: <what is expected>`, which the CLI prints on one line before exiting 2.

Paths in `exclude` and in waivers are globs relative to the folder of the configuration file (`*` also
matches `/`; a glob naming a folder covers everything below it).
"""
from __future__ import annotations

import fnmatch
import os
import posixpath
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Any, Dict, Iterable, List, Optional, Sequence

from .errors import ConfigError
from .facts import replace

KEYS = ("models", "licenses", "policy", "severity", "exclude", "waivers")
LEVELS = ("error", "warning", "off")
FILE_NAME = ".weightgate.toml"
PYPROJECT = "pyproject.toml"


class Config:
    def __init__(self, models=None, licenses=None, policy=None, severity=None, exclude=None, waivers=None,
                 path: Optional[str] = None):
        self.models: Dict[str, Any] = models or {}  # base id → licence id, or {license, path}
        self.licenses: List[dict] = licenses or []  # custom licence tables (docs/data-format.md)
        self.policy: Dict[str, List[str]] = policy or {}  # {"allow": [...], "deny": [...]}
        self.severity: Dict[str, str] = severity or {}  # rule id → error | warning | off
        self.exclude: List[str] = exclude or []  # path globs
        self.waivers: List[dict] = waivers or []  # {rule, path, reason, expires?: datetime.date}
        self.path = path  # where it was read from
        self.warnings: List[str] = []  # usable but suspicious entries (a policy glob that matches nothing)
        self.folder_in_source = ""  # read from a commit or the index: its folder there (globs are relative to it)

    def __eq__(self, other) -> bool:
        return isinstance(other, Config) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return f"Config(path={self.path!r}, keys={[k for k, v in vars(self).items() if v and k != 'path']})"

    @property
    def base_dir(self) -> Optional[str]:
        """The folder that `exclude` and waiver paths are relative to (None for a configuration from the API)."""
        if self.path and os.path.isfile(self.path):
            return os.path.dirname(os.path.abspath(self.path))
        return None

    @classmethod
    def from_dict(cls, data: Optional[Dict[str, Any]], source: str = "<api>", prefix: str = "") -> "Config":
        """Validate a configuration table. `prefix` is how the table is spelled in its file
        ("tool.weightgate." for pyproject.toml), so error messages name keys as the user wrote them."""
        if data is None:
            return cls()
        if isinstance(data, Config):
            return data
        return _Validator(source, prefix).config(data)


# ---- finding and reading files ----------------------------------------------------------------------------

def _toml_load(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    return _toml_loads(data, path)


def _toml_loads(data: bytes, label: str) -> dict:
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # pragma: no cover
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{label}: invalid TOML: {e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: invalid TOML: not UTF-8") from None


def _pyproject_table(path: str, data: dict) -> Optional[Any]:
    tool = data.get("tool")
    if not isinstance(tool, dict) or "weightgate" not in tool:
        return None
    return tool["weightgate"]


def read_file(path: str) -> Config:
    """Read one configuration file: a pyproject.toml ([tool.weightgate]) or a TOML file with top-level keys."""
    cfg = _from_parsed(_toml_load(path), path, os.path.basename(path) == PYPROJECT)
    if cfg is None:
        raise ConfigError(f"{path}: tool.weightgate: expected a [tool.weightgate] table")
    return cfg


def _from_parsed(parsed: dict, label: str, pyproject: bool) -> Optional[Config]:
    """The configuration a parsed file holds; None for a pyproject.toml without a [tool.weightgate] table."""
    if not pyproject:
        return Config.from_dict(parsed, label)
    table = _pyproject_table(label, parsed)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{label}: tool.weightgate: expected a table")
    return Config.from_dict(table, label, "tool.weightgate.")


def _mentions_weightgate(path: str) -> bool:
    """Most pyproject.toml files have no weightgate table: do not pay for a TOML parse to learn that."""
    try:
        with open(path, "rb") as f:
            return b"weightgate" in f.read()
    except OSError:
        return True  # let the parse report the problem


def find_config(start: str) -> Optional[str]:
    """The configuration file governing `start`, searching upwards to the git top level or the filesystem root."""
    cur = os.path.abspath(start)
    if not os.path.isdir(cur):
        cur = os.path.dirname(cur)
    while True:
        candidate = os.path.join(cur, FILE_NAME)
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(cur, PYPROJECT)
        if (os.path.isfile(candidate) and _mentions_weightgate(candidate)
                and _pyproject_table(candidate, _toml_load(candidate)) is not None):
            return candidate
        if os.path.exists(os.path.join(cur, ".git")):
            return None
        parent = os.path.dirname(cur)
        if parent == cur:
            return None
        cur = parent


def config_in_source(source, start: str = "") -> Config:
    """The configuration a commit or the index holds for a check of folder `start` of that Source: found
    upwards from `start` to the top as `find_config` does, read from the Source (never the working tree, where an
    untracked or unstaged file says nothing about what is committed)."""
    cur = start.strip("/")
    while True:
        for name in (FILE_NAME, PYPROJECT):
            path = posixpath.join(cur, name) if cur else name
            if source.kind(path) != "file":
                continue
            try:
                data = source.read_bytes(path)
            except Exception as e:  # noqa: BLE001 - a ReadError: the committed file cannot be read
                raise ConfigError(f"{path} ({source.root}): cannot read: {e}") from None
            if name == PYPROJECT and b"weightgate" not in data:
                continue
            label = f"{path} ({source.root})"
            cfg = _from_parsed(_toml_loads(data, label), label, name == PYPROJECT)
            if cfg is None:
                continue
            cfg.path, cfg.folder_in_source = label, cur
            return cfg
        if not cur:
            return Config()
        cur = posixpath.dirname(cur)


def load_config(start: str, explicit: Optional[str] = None) -> Config:
    """Find and read the configuration for a check rooted at `start` (or read `explicit`, from --config)."""
    if explicit is not None:
        if not os.path.isfile(explicit):
            raise ConfigError(f"{explicit}: no such configuration file")
        return read_file(explicit)
    path = find_config(start) if os.path.exists(start) else None
    return read_file(path) if path else Config()


# ---- validation -------------------------------------------------------------------------------------------

def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, str):
        return f"the string {v!r}" if len(v) < 40 else "a string"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    if isinstance(v, dict):
        return "a table"
    if isinstance(v, list):
        return "an array"
    import datetime as _dt  # only configurations with waiver dates need it

    if isinstance(v, _dt.date):
        return "a date"
    return type(v).__name__


def _is_glob(s: str) -> bool:
    return any(c in s for c in "*?[")


class _Validator:
    def __init__(self, source: str, prefix: str):
        self.source = source
        self.prefix = prefix
        self._kb = None
        self.warnings: List[str] = []

    def fail(self, key: str, expected: str, got: Any = None, show_got: bool = True) -> ConfigError:
        tail = f", got {_type_name(got)}" if show_got else ""
        return ConfigError(f"{self.source}: {self.prefix}{key}: {expected}{tail}")

    @property
    def kb(self):
        if self._kb is None:
            from . import knowledge

            self._kb = knowledge.load()
        return self._kb

    def rule_ids(self) -> List[str]:
        from .rules import IDS

        return list(IDS)

    def table(self, key: str, v: Any) -> dict:
        if not isinstance(v, dict):
            raise self.fail(key, "expected a table", v)
        return v

    def array(self, key: str, v: Any) -> list:
        if not isinstance(v, list):
            raise self.fail(key, "expected an array", v)
        return v

    def string(self, key: str, v: Any, what: str = "a string") -> str:
        if not isinstance(v, str) or not v.strip():
            raise self.fail(key, f"expected {what}", v)
        return v

    def strings(self, key: str, v: Any, what: str = "an array of strings") -> List[str]:
        if not isinstance(v, list):
            raise self.fail(key, f"expected {what}", v)
        for i, x in enumerate(v):
            self.string(f"{key}[{i}]", x)
        return list(v)

    def unknown_keys(self, key: str, table: dict, known: Sequence[str]) -> None:
        for k in table:
            if k not in known:
                where = f"{key}.{k}" if key else k
                raise self.fail(where, f"unknown key (expected one of: {', '.join(known)})", show_got=False)

    def config(self, data: Any) -> Config:
        if not isinstance(data, dict):
            raise ConfigError(f"{self.source}: {self.prefix.rstrip('.') or 'configuration'}: expected a table, "
                              f"got {_type_name(data)}")
        self.unknown_keys("", data, KEYS)
        licenses = self.licenses(data.get("licenses", []))
        cfg = Config(licenses=licenses, path=None if self.source == "<api>" else self.source)
        if licenses:
            from . import knowledge

            try:
                self._kb = knowledge.extended(self.kb, licenses, self.source)
            except (ValueError, KeyError, TypeError) as e:
                raise self.fail("licenses", f"invalid licence table: {e}", show_got=False) from None
        cfg.models = self.models(data.get("models", {}))
        cfg.policy = self.policy(data.get("policy", {}))
        cfg.severity = self.severity(data.get("severity", {}))
        cfg.exclude = self.strings("exclude", data.get("exclude", []), "an array of path globs")
        cfg.waivers = self.waivers(data.get("waivers", []))
        cfg.warnings = self.warnings
        return cfg

    def licence_id(self, key: str, v: Any) -> str:
        self.string(key, v, "a licence id")
        if self.kb.lookup(v) is None:
            raise self.fail(key, f"unknown licence id {v!r}{self.did_you_mean(v)} (expected a licence id weightgate "
                                 f"knows, such as \"llama2\" or \"apache-2.0\", or one defined under `licenses`; "
                                 f"see `weightgate licenses`)", show_got=False)
        return v

    def licence_names(self) -> List[str]:
        """Every lowercase licence id and Hub id known to weightgate and this configuration."""
        names = set()
        for lic in self.kb.licenses.values():
            names.update(x.lower() for x in (lic.id, *lic.hub_ids) if x)
        return sorted(names)

    def did_you_mean(self, v: str) -> str:
        import difflib
        import re

        literal = re.sub(r"[*?]|\[[^\]]*\]", "", v.lower())
        names = self.licence_names()
        stems = sorted({re.split(r"[-.\d]", n)[0] for n in names} - {""})
        close = difflib.get_close_matches(literal, names, n=3, cutoff=0.6)
        if _is_glob(v):  # suggest the same pattern around a stem that exists ("lama*" → "llama*")
            runs = [r for r in re.split(r"[*?]|\[[^\]]*\]", v.lower()) if r]
            if len(runs) == 1:
                close = [v.lower().replace(runs[0], c) for c in difflib.get_close_matches(runs[0], stems + names,
                                                                                          n=3, cutoff=0.6)]
        return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""

    def models(self, v: Any) -> Dict[str, Any]:
        table = self.table("models", v)
        out: Dict[str, Any] = {}
        for base, entry in table.items():
            key = f"models.{_quote_key(base)}"
            if isinstance(entry, str):
                out[base] = self.licence_id(key, entry)
            elif isinstance(entry, dict):
                self.unknown_keys(key, entry, ("license", "path"))
                if "license" not in entry:
                    raise self.fail(f"{key}.license", "required: the base's licence id", show_got=False)
                e = {"license": self.licence_id(f"{key}.license", entry["license"])}
                if "path" in entry:
                    e["path"] = self.string(f"{key}.path", entry["path"], "a path to the base's LICENSE file")
                out[base] = e
            else:
                raise self.fail(key, "expected a licence id string or a table {license, path}", entry)
        return out

    def licenses(self, v: Any) -> List[dict]:
        arr = self.array("licenses", v)
        from .knowledge import KINDS, RELABEL_MODES, _parse_license

        out = []
        for i, t in enumerate(arr):
            key = f"licenses[{i}]"
            self.table(key, t)
            for req in ("id", "name", "kind"):
                if req not in t:
                    raise self.fail(f"{key}.{req}", "required (see docs/data-format.md)", show_got=False)
                self.string(f"{key}.{req}", t[req])
            if t["kind"] not in KINDS:
                raise self.fail(f"{key}.kind", f"expected one of {', '.join(KINDS)}", t["kind"])
            for k in ("hub_ids", "license_names", "aliases", "fingerprints", "supersedes", "policies"):
                if k in t:
                    self.strings(f"{key}.{k}", t[k])
            for k in ("commercial", "osi", "unofficial"):
                if k in t and not isinstance(t[k], bool):
                    raise self.fail(f"{key}.{k}", "expected true or false", t[k])
            if "relabel" in t:
                rel = self.table(f"{key}.relabel", t["relabel"])
                if rel.get("mode") not in RELABEL_MODES:
                    raise self.fail(f"{key}.relabel.mode", f"expected one of {', '.join(RELABEL_MODES)}",
                                    rel.get("mode"))
            for j, d in enumerate(self.array(f"{key}.duties", t.get("duties", []))):
                self.table(f"{key}.duties[{j}]", d)
            try:
                list(_parse_license(t, self.source))
            except (ValueError, KeyError, TypeError) as e:
                raise self.fail(key, f"invalid licence table: {e}", show_got=False) from None
            out.append(dict(t))
        return out

    def policy_entry(self, key: str, v: Any) -> str:
        from .knowledge import KINDS

        self.string(key, v, 'a licence id, a licence kind or a glob such as "llama*"')
        if _is_glob(v):
            import fnmatch

            if not any(fnmatch.fnmatchcase(n, v.strip().lower()) for n in self.licence_names()):
                self.warnings.append(f"{self.source}: {self.prefix}{key}: the pattern {v!r} matches no licence id "
                                     f"known to weightgate or this configuration{self.did_you_mean(v)} "
                                     f"(see `weightgate licenses`)")
            return v
        if v in KINDS or self.kb.lookup(v) is not None:
            return v
        raise self.fail(key, f"unknown licence id or kind {v!r}{self.did_you_mean(v)} (expected a licence id, a kind such as "
                             f"\"non-commercial\" ({', '.join(KINDS)}), or a glob such as \"llama*\")",
                        show_got=False)

    def policy(self, v: Any) -> Dict[str, List[str]]:
        table = self.table("policy", v)
        self.unknown_keys("policy", table, ("allow", "deny"))
        out = {}
        for k in ("allow", "deny"):
            if k in table:
                arr = self.array(f"policy.{k}", table[k])
                out[k] = [self.policy_entry(f"policy.{k}[{i}]", x) for i, x in enumerate(arr)]
        return out

    def rule_id(self, key: str, v: Any) -> str:
        self.string(key, v, "a rule id")
        ids = self.rule_ids()
        if v not in ids:
            raise self.fail(key, f"unknown rule {v!r} (expected one of: {', '.join(ids)})", show_got=False)
        return v

    def severity(self, v: Any) -> Dict[str, str]:
        table = self.table("severity", v)
        ids = self.rule_ids()
        out = {}
        for rule, level in table.items():
            key = f"severity.{_quote_key(rule)}"
            if rule not in ids:
                raise self.fail(key, f"unknown rule (expected one of: {', '.join(ids)})", show_got=False)
            if level not in LEVELS:
                raise self.fail(key, 'expected "error", "warning" or "off"', level)
            out[rule] = level
        return out

    def waivers(self, v: Any) -> List[dict]:
        arr = self.array("waivers", v)
        out = []
        for i, w in enumerate(arr):
            key = f"waivers[{i}]"
            self.table(key, w)
            self.unknown_keys(key, w, ("rule", "path", "reason", "expires"))
            for req, what in (("rule", "the rule id to waive"), ("path", "a path glob"),
                              ("reason", "why the exception is acceptable (who reviewed it)")):
                if req not in w:
                    raise self.fail(f"{key}.{req}", f"required: {what}", show_got=False)
            entry = {"rule": self.rule_id(f"{key}.rule", w["rule"]),
                     "path": self.string(f"{key}.path", w["path"], "a path glob"),
                     "reason": self.string(f"{key}.reason", w["reason"], "a non-empty reason")}
            if "expires" in w:
                entry["expires"] = self.date(f"{key}.expires", w["expires"])
            out.append(entry)
        return out

    def date(self, key: str, v: Any):
        import datetime as _dt

        if isinstance(v, _dt.datetime):
            return v.date()
        if isinstance(v, _dt.date):
            return v
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
            try:
                return _dt.date.fromisoformat(v.strip())
            except ValueError:
                pass
        raise self.fail(key, "expected a date (2025-12-31 or \"2025-12-31\")", v)


def _quote_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else '"' + k.replace('"', '\\"') + '"'


# ---- applying ---------------------------------------------------------------------------------------------

def path_matches(glob: str, path: str) -> bool:
    """A path glob matches the path itself or one of its parent folders (`models/legacy` covers its files)."""
    glob = glob.strip()
    while glob.startswith("./"):
        glob = glob[2:]
    glob = glob.rstrip("/") or glob
    path = posixpath.normpath(path) if path else "."
    cur = path
    while True:
        if fnmatch.fnmatchcase(cur, glob) or fnmatch.fnmatchcase(cur + "/", glob):  # "m/*" covers the folder m
            return True
        parent = posixpath.dirname(cur)
        if not parent or parent == cur:
            return False
        cur = parent


def candidate_paths(config: Config, path: str, source_root: Optional[str] = None,
                    source_path: Optional[str] = None) -> List[str]:
    """The spellings of a finding's path that globs are matched against: relative to the configuration file's
    folder when the check reads a filesystem tree below it, and as shown in the report."""
    out = [path]
    base = config.base_dir
    if source_path is not None and source_root:
        if base and os.path.isabs(source_root):
            full = os.path.normpath(os.path.join(source_root, *source_path.split("/")))
            rel = os.path.relpath(full, base).replace(os.sep, "/")
            if not rel.startswith("../") and rel != "..":
                out.insert(0, rel)
        elif not os.path.isabs(source_root):  # a git revision: paths are relative to the configuration's folder
            folder = config.folder_in_source
            if not folder:
                out.append(source_path)
            elif source_path.startswith(folder + "/"):
                out.append(source_path[len(folder) + 1:])
    return out


def excluded(config: Config, path: str, source_root: Optional[str] = None, source_path: Optional[str] = None) -> bool:
    if not config.exclude:
        return False
    cands = candidate_paths(config, path, source_root, source_path)
    return any(path_matches(g, c) for g in config.exclude for c in cands)


def apply(config: Config, findings: Iterable, source_root: Optional[str] = None, locate=None):
    """Severity overrides (`off` drops the finding), `exclude`, then waivers.

    A waived finding stays in the list with `waived` set to the waiver's reason. An expired waiver no longer
    applies and the finding's message says when it expired. `locate(path)` may give the source-relative path
    of a shown path, so globs are matched relative to the configuration file.
    """
    today = None
    if config.waivers:  # datetime is imported only when there are waivers to date
        import datetime as _dt

        today = _dt.date.today()
    out = []
    for f in findings:
        level = config.severity.get(f.rule)
        if level == "off":
            continue
        if level and level != f.severity:
            f = replace(f, severity=level)
        cands = candidate_paths(config, f.path, source_root, locate(f.path) if locate else None)
        if config.exclude and any(path_matches(g, c) for g in config.exclude for c in cands):
            continue
        matching = [w for w in config.waivers
                    if w["rule"] == f.rule and any(path_matches(w["path"], c) for c in cands)]
        live = [w for w in matching if w.get("expires") is None or w["expires"] >= today]
        if live:
            f = replace(f, waived=live[0]["reason"])
        elif matching:
            w = max(matching, key=lambda w: w["expires"])
            f = replace(f, message=f"{f.message} (the waiver for this finding expired on "
                                   f"{w['expires'].isoformat()}: {w['reason']})")
        out.append(f)
    return out
