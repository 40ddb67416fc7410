"""weightgate.lock: what the Hugging Face Hub said about base models, recorded once by `weightgate lock`.

This module only reads the file (offline, stdlib only; `check`, the hooks and the build plugin use it);
`weightgate.hublock` is the command that asks the Hub, and `weightgate.lockwriter` renders the file. The file is
TOML with a fixed schema, so that the same entries always give the same bytes (sorted ids, fixed key order, one
value type per key):

    version = 1

    [models."org/name"]
    status = "ok"                 # ok | missing | private | gated
    revision = "<commit sha>"
    license = "apache-2.0"        # the card's `license` (a string, or an array when the card lists several)
    license_name = "…"            # `license_name`, `license_link`, `base_model_relation` when the card has them
    license_link = "…"
    base_model = ["org/parent"]
    base_model_relation = "finetune"
    gated = false                 # or "auto" / "manual"
    license_files = ["LICENSE"]   # LICENSE / NOTICE / USE_POLICY files at the top of the Hub repository
    license_texts = ["llama2"]    # when the card names no licence weightgate knows: the licences whose full text
                                  # its LICENSE file holds (weightgate's fingerprints, read at lock time)
    read = 2026-11-30             # when the Hub was asked

A model folder uses the nearest `weightgate.lock` in it or above it, up to the top of the checked tree (the
repository top), so one lock at the top serves a whole repository and a folder may carry its own.
"""
from __future__ import annotations

import posixpath
import re
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List, Optional, Tuple
    import datetime

from ._record import record
from .facts import Fact, LicenseFile, ModelFacts, Problem

FILE_NAME = "weightgate.lock"
VERSION = 1
STATUSES = ("ok", "missing", "private", "gated")
STRING_KEYS = ("revision", "license_name", "license_link", "base_model_relation")
LIST_KEYS = ("base_model", "license_files", "license_texts")
KEY_ORDER = ("status", "revision", "license", "license_name", "license_link", "base_model", "base_model_relation",
             "gated", "license_files", "license_texts", "read")
RULE = "lock-invalid"
FIX = "run `weightgate lock --update` (it rewrites the lock from the Hub)"


@record
class Entry:
    """One base model as the Hub described it."""

    id: str  # as the Hub spells it ("Org/Name"); looked up case-insensitively
    status: str  # one of STATUSES
    revision: str = ""
    license: Tuple[str, ...] = ()
    license_name: str = ""
    license_link: str = ""
    base_model: Tuple[str, ...] = ()
    base_model_relation: str = ""
    gated: object = False  # False, or the Hub's gating mode ("auto", "manual")
    license_files: Tuple[str, ...] = ()
    license_texts: Tuple[str, ...] = ()  # licences whose full text the repository's LICENSE holds
    read: Optional[datetime.date] = None
    line: int = 1  # line of the entry's table header in the lock file
    lines: Tuple[Tuple[str, int], ...] = ()  # (key, line) of each value, for findings

    def line_of(self, key: str) -> int:
        return dict(self.lines).get(key, self.line)

    def same_facts(self, other: "Entry") -> bool:
        """Equal apart from when it was read and where it sits in the file."""
        return self._replace(read=None, line=1, lines=()) == other._replace(read=None, line=1, lines=())


class Lock:
    """A parsed lock file: its entries by lowercase id, and the problems that make parts of it unusable."""

    def __init__(self, path: str, entries: Dict[str, Entry], problems: List[Fact]):
        self.path = path  # relative to the source root it was read from
        self.entries = entries
        self.problems = problems

    def get(self, ref_id: str) -> Optional[Entry]:
        return self.entries.get(ref_id.lower())


# ---- reading ----------------------------------------------------------------------------------------------

def parse(path: str, data: bytes) -> Lock:
    """A Lock from the bytes of a lock file; anything present but unusable becomes a `lock-invalid` problem."""
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # pragma: no cover
        import tomli as tomllib

    def problem(message: str, line: int = 1) -> Fact:
        return Fact("problem", Problem(RULE, message, FIX), path, line, "lock")

    try:
        text = data.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        return Lock(path, {}, [problem("the lock file is not UTF-8 text")])
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        return Lock(path, {}, [problem(f"the lock file is not valid TOML: {e}", int(m.group(1)) if m else 1)])
    at = _Lines(text)
    problems: List[Fact] = []
    if type(doc.get("version")) is not int or doc["version"] != VERSION:
        problems.append(problem(f"unsupported lock file version {doc.get('version')!r} (this weightgate writes "
                                f"version {VERSION})", at.key("version")))
        return Lock(path, {}, problems)
    models = doc.get("models", {})
    if not isinstance(models, dict):
        problems.append(problem("`models` must be a table of base ids", at.key("models")))
        return Lock(path, {}, problems)
    for key in sorted(set(doc) - {"version", "models"}):
        problems.append(problem(f"unknown key `{key}` (a lock has `version` and `models`)", at.key(key)))
    entries: Dict[str, Entry] = {}
    for key, table in models.items():
        entry, bad = _entry(at, key, table)
        if entry is not None and key.lower() in entries:
            bad.append((f"entry {key!r} repeats {entries[key.lower()].id!r} (ids are not case-sensitive)", entry.line))
            entry = None  # two answers for one base: use neither
            del entries[key.lower()]
        problems.extend(problem(msg, line) for msg, line in bad)
        if entry is not None:
            entries[key.lower()] = entry
    return Lock(path, entries, problems)


def _entry(where: _Lines, key: str, table) -> Tuple[Optional[Entry], List[Tuple[str, int]]]:
    import datetime

    header = where.header(key)
    if not isinstance(table, dict):
        return None, [(f"entry {key!r} must be a table", header)]
    lines = tuple((k, where.key(k, header)) for k in table)
    at = dict(lines)
    bad: List[Tuple[str, int]] = []
    unknown = sorted(set(table) - set(KEY_ORDER))
    for k in unknown:
        bad.append((f"entry {key!r}: unknown key `{k}`", at[k]))
    status = table.get("status")
    if status not in STATUSES:
        bad.append((f"entry {key!r}: `status` must be one of {', '.join(STATUSES)}, found {status!r}",
                    at.get("status", header)))
    for k in STRING_KEYS:
        if k in table and not isinstance(table[k], str):
            bad.append((f"entry {key!r}: `{k}` must be a string", at[k]))
    for k in LIST_KEYS + ("license",):
        v = table.get(k)
        if v is not None and not (isinstance(v, str) and k == "license") and not (
                isinstance(v, list) and all(isinstance(x, str) for x in v)):
            bad.append((f"entry {key!r}: `{k}` must be {'a string or ' if k == 'license' else ''}an array of strings",
                        at[k]))
    gated = table.get("gated", False)
    if not isinstance(gated, (bool, str)):
        bad.append((f"entry {key!r}: `gated` must be false or the gating mode", at["gated"]))
    read = table.get("read")
    if read is not None and not (isinstance(read, datetime.date) and not isinstance(read, datetime.datetime)):
        bad.append((f"entry {key!r}: `read` must be a date (YYYY-MM-DD)", at["read"]))
    if bad:
        return None, bad
    lic = table.get("license", ())
    entry = Entry(id=key, status=status, revision=table.get("revision", ""),
                  license=(lic,) if isinstance(lic, str) else tuple(lic),
                  license_name=table.get("license_name", ""), license_link=table.get("license_link", ""),
                  base_model=tuple(table.get("base_model", ())), base_model_relation=table.get("base_model_relation", ""),
                  gated=gated, license_files=tuple(table.get("license_files", ())),
                  license_texts=tuple(table.get("license_texts", ())), read=read, line=header, lines=lines)
    return entry, []


_HEADER = re.compile(r"""^\[[ \t]*models[ \t]*\.[ \t]*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*\]""")
_KEY = re.compile(r'^(?:"([^"]*)"|([A-Za-z0-9_-]+))\s*=')


class _Lines:
    """Where tables and keys stand in a lock's text, found in one pass (a lock may list thousands of bases, and
    searching the text again for every key would cost the square of its size)."""

    def __init__(self, text: str):
        self.headers: Dict[str, int] = {}  # `[models."id"]` as written → its line
        self.tables: Dict[int, Dict[str, int]] = {0: {}}  # a table's header line (0: the top) → key → line
        self.anywhere: Dict[str, int] = {}  # key → its first line in the file
        current = 0
        for n, raw in enumerate(text.splitlines(), 1):
            s = raw.strip()
            if s.startswith("["):
                current = n
                self.tables[n] = {}
                m = _HEADER.match(s)
                if m:
                    self.headers.setdefault(m.group(1) or m.group(2) or m.group(3), n)
                continue
            m = _KEY.match(s)
            if m:
                k = m.group(1) if m.group(1) is not None else m.group(2)
                self.tables[current].setdefault(k, n)
                self.anywhere.setdefault(k, n)

    def header(self, key: str) -> int:
        return self.headers.get(key, 1)

    def key(self, key: str, table_line: Optional[int] = None) -> int:
        """The line of `key = …`: in the table whose header is at `table_line` (the top-level keys when that
        table was not found), or anywhere in the file; else the table's line (best effort for hand edits)."""
        if table_line is None:
            return self.anywhere.get(key, 1)
        return self.tables.get(table_line if table_line in self.tables else 0, {}).get(key, table_line)


class Finder:
    """The nearest lock at or above a folder of one source, each lock file parsed once."""

    def __init__(self, source):
        self.source = source
        self._parsed: Dict[str, Optional[Lock]] = {}

    def for_folder(self, folder: str) -> Optional[Lock]:
        cur = folder if folder not in (".", "") else ""
        while True:
            path = posixpath.join(cur, FILE_NAME) if cur else FILE_NAME
            if path not in self._parsed:
                self._parsed[path] = _read(self.source, path)
            if self._parsed[path] is not None:
                return self._parsed[path]
            if not cur:
                return None
            cur = posixpath.dirname(cur)


def _read(source, path: str) -> Optional[Lock]:
    kind = source.kind(path)
    if kind == "missing" or kind == "dir":
        return None
    if kind != "file":
        return Lock(path, {}, [Fact("problem", Problem(RULE, f"the lock file is not a regular file ({kind})", FIX),
                                    path, 1, "lock")])
    return parse(path, source.read_bytes(path, 16 << 20))


def entry_facts(lock: Lock, entry: Entry) -> ModelFacts:
    """The entry as the facts a model card would give, located in the lock file (for lineage and declared)."""
    mf = ModelFacts(root=posixpath.dirname(lock.path) or ".", name_hint=entry.id.rsplit("/", 1)[-1])
    facts = mf.facts
    for v in entry.license:
        facts.append(Fact("license", v, lock.path, entry.line_of("license"), "card:license"))
    for kind in ("license_name", "license_link"):
        if getattr(entry, kind):
            facts.append(Fact(kind, getattr(entry, kind), lock.path, entry.line_of(kind), f"card:{kind}"))
    for v in entry.base_model:
        facts.append(Fact("base", v, lock.path, entry.line_of("base_model"), "card:base_model"))
    if entry.base_model_relation:
        facts.append(Fact("relation", entry.base_model_relation, lock.path, entry.line_of("base_model_relation"),
                          "card:base_model_relation"))
    if entry.license_texts:  # what its LICENSE file was identified as, standing in for the file itself
        mf.license_files.append(LicenseFile(path=lock.path, role="license", ids=entry.license_texts,
                                            copies=entry.license_texts, text="", distance=0))
    return mf


def conflict(lock: Lock, entry: Entry, locked: str, registry: str, registry_note: str) -> Fact:
    """The lock says one licence, the built-in registry another: the registry wins, the lock is reported."""
    return Fact("problem", Problem(
        RULE, f"{lock.path} records {entry.id} as {locked} (its Hub card), but the built-in registry knows it as "
              f"{registry} ({registry_note}); the registry wins, so this entry is stale or the card relabels its base",
        "run `weightgate lock --update` (entries the registry knows are dropped); if the registry is wrong, set the "
        "licence in the configuration's models table"), lock.path, entry.line_of("license"), "lock")


STATUS_REASONS = {
    "missing": "the Hub has no repository {id}",
    "private": "the Hub refused access to {id} (it is private or gated, or does not exist, and no token with access "
               "was given)",
    "gated": "the Hub repository {id} is gated and no token with access was given",
}


def status_note(lock: Lock, entry: Entry) -> str:
    """Why a locked base has no licence, and the command that fixes it (for unknown-base-license)."""
    reason = STATUS_REASONS.get(entry.status, "the Hub did not describe {id}").format(id=entry.id)
    when = f" on {entry.read.isoformat()}" if entry.read else ""
    fix = ("accept its terms on the Hub, then run `HF_TOKEN=<token> weightgate lock --update`" if entry.status in
           ("gated", "private") else "correct the base_model id, then run `weightgate lock`")
    return f"{lock.path} records that {reason}{when}; {fix}"
