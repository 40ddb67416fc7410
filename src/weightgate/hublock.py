"""`weightgate lock`: ask the Hugging Face Hub once about the bases nothing offline knows, write weightgate.lock.

The only code that uses the network, and the only importer of `huggingface_hub` (the `weightgate[hub]` extra),
imported when the command runs. A base is asked about when neither the configuration's `models` table nor the
built-in registry answers it (a local folder in the repository also does; the Hugging Face cache does not,
because CI has no cache). Each answer's own `base_model` is followed upwards, depth-limited and cycle-safe,
until the chain reaches a base the registry knows or a root.

`--check` runs offline (for CI): exit 1 when a base reference is missing from the lock.
"""
from __future__ import annotations

import os
import posixpath
import sys
if False:  # for annotations only: typing is not imported at run time (see _record.py)
    from typing import Dict, List, Optional, Tuple

from .errors import UsageError
from .lockfile import FILE_NAME, Entry, Finder
from .lockwriter import render

OFFLINE_VALUES = ("1", "ON", "YES", "TRUE")  # what huggingface_hub reads as true
LICENSE_KEYS = ("license", "license_name", "license_link", "base_model", "base_model_relation")


class Plan:
    """One lock file: what it holds now and which bases the checked folders need from it."""

    def __init__(self, path: str, existing):
        self.path = path  # relative to the source root
        self.existing = existing  # lockfile.Lock or None
        self.needed: Dict[str, Tuple[str, int]] = {}  # lowercase id -> (display, depth in the chain)


def main(args) -> int:
    from .api import resolve_config
    from .engine import targets_for_paths

    offline = next((v for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
                    if os.environ.get(v, "").strip().upper() in OFFLINE_VALUES), None)
    if offline and not args.check:
        raise UsageError(f"`weightgate lock` needs the network to ask the Hub, but {offline} is set; "
                         f"unset it, or run `weightgate lock --check` to verify the lock offline")
    paths = args.paths or ["."]
    config = resolve_config(args.config, paths[0])
    targets = targets_for_paths(paths)
    if args.check:
        return _check(targets, config)
    hub = Hub(args.timeout)
    try:
        for t in targets:
            for plan in _plans(t, config, update=args.update):
                entries = _resolve(plan, hub, config, update=args.update, prune=args.update and _covers(t, plan))
                _write(t, plan, entries)
    finally:
        hub.done()
    return 0


# ---- what the checked folders need ------------------------------------------------------------------------

def _plans(t, config, update: bool) -> List[Plan]:
    """The lock files of a target and the Hub bases their model folders reach that are not answered offline by
    curated knowledge (or by an entry already locked, unless `update`)."""
    from . import engine

    finder = Finder(t.source)
    plans: Dict[str, Plan] = {}
    for _t, model in engine.analyse([t], config, hf_cache=""):
        lock = finder.for_folder(model.root)
        path = lock.path if lock is not None else FILE_NAME
        plan = plans.setdefault(path, Plan(path, lock))
        for ref, b in _hub_only(model):
            if b.resolved_from == "lock" and not update and b.license:
                continue
            if ref.id not in plan.needed:
                plan.needed[ref.id] = (ref.display, len(b.via))
    return [plans[k] for k in sorted(plans)]


def _hub_only(model):
    """(Hub reference, base) for each base only the Hub can answer: unknown offline, or answered by the lock."""
    from .lineage import normalise_ref

    for b in model.bases:
        ref = normalise_ref(b.display, "")
        if ref is not None and ref.kind == "hub" and b.resolved_from in ("unknown", "lock"):
            yield ref, b


def _covers(t, plan: Plan) -> bool:
    """Whether the checked paths include the lock's whole folder (then `--update` drops unreached entries)."""
    folder = posixpath.dirname(plan.path)
    return any(p == "" or folder == p or folder.startswith(p + "/") for p in t.prefixes)


def _curated(kb, models, ref_id: str) -> bool:
    """Whether the configuration or the registry answers a base, as `check` asks them (lineage.hub_family)."""
    from .lineage import hub_family

    return ref_id in models or hub_family(kb, ref_id) is not None


# ---- asking the Hub ---------------------------------------------------------------------------------------

def _resolve(plan: Plan, hub: "Hub", config, update: bool, prune: bool) -> List[Entry]:
    """The entries the lock will hold: kept, refreshed and new ones, following each new entry's bases."""
    from . import knowledge
    from .lineage import MAX_DEPTH, normalise_ref

    kb = knowledge.load()
    if config.licenses:
        kb = knowledge.extended(kb, config.licenses, config.path or "configuration")
    models = {k.lower() for k in config.models}
    old = dict(plan.existing.entries) if plan.existing is not None else {}
    new: Dict[str, Entry] = {}
    queue = [(ref_id, display, depth) for ref_id, (display, depth) in plan.needed.items()]
    seen = {q[0] for q in queue}
    while queue:
        ref_id, display, depth = queue.pop(0)
        prior = old.get(ref_id)
        if prior is not None and prior.status == "ok" and not update:
            entry = prior
        else:
            hub.progress(display, len(new) + 1, len(new) + len(queue) + 1)
            entry = hub.ask(display, kb)
            if prior is not None and entry.same_facts(prior):
                entry = prior  # nothing changed on the Hub: keep the date it was first read (same bytes)
        new[ref_id] = entry
        for parent in entry.base_model:
            ref = normalise_ref(parent, "")
            if ref is None or ref.kind != "hub" or ref.id in seen or depth + 1 > MAX_DEPTH:
                continue
            seen.add(ref.id)
            if not _curated(kb, models, ref.id):
                queue.append((ref.id, ref.display, depth + 1))
    if not prune:
        for k, e in old.items():
            new.setdefault(k, e)
    return [e._replace(line=1, lines=()) for e in new.values()]


def _write(t, plan: Plan, entries: List[Entry]) -> None:
    from .fix.edits import Edit, WriteError, write_atomic

    full = os.path.join(t.source.root, *plan.path.split("/"))
    shown = _shown(t, plan.path)
    text = render(entries).encode("utf-8")
    try:
        with open(full, "rb") as f:
            current: Optional[bytes] = f.read()
    except FileNotFoundError:
        current = None
    except OSError as e:
        raise UsageError(f"cannot read {shown}: {e.strerror or e}") from None
    if current is None and not entries:
        print(f"{shown}: not written (every base is answered offline by the configuration or the registry)")
        return
    bad = sorted(e.id for e in entries if e.status != "ok")
    note = f"; not usable: {', '.join(bad)} (see `weightgate check`)" if bad else ""
    if current == text:
        print(f"{shown}: up to date ({_bases(len(entries))}){note}")
        return
    try:
        write_atomic(Edit(full, current, text, shown))
    except WriteError as e:
        raise UsageError(str(e)) from None
    print(f"{shown}: {'written' if current is None else 'updated'} ({_bases(len(entries))}){note}")
    before = plan.existing.entries if plan.existing is not None else {}
    for e in sorted(entries, key=lambda e: e.id.lower()):
        if not (before.get(e.id.lower()) and before[e.id.lower()].same_facts(e)):  # what to review before committing
            says = (", ".join(e.license) or "no licence") if e.status == "ok" else e.status
            parents = f" <- {', '.join(e.base_model)}" if e.base_model else ""
            print(f"  {e.id}: {says}{parents}")


def _bases(n: int) -> str:
    return f"{n} base" + ("" if n == 1 else "s")


class Hub:
    """The huggingface_hub client, configured from the environment (HF_ENDPOINT, HF_TOKEN) and a timeout."""

    def __init__(self, timeout: float):
        self.endpoint = (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
        self.token = os.environ.get("HF_TOKEN") or None  # else the client's saved login, if any
        self.timeout = timeout
        self.tty = sys.stderr.isatty()
        self._shown = False
        self._api = None

    @property
    def api(self):
        """The client, imported on first use (a repository with nothing to ask about needs no extra)."""
        if self._api is None:
            self._api = self._connect()
        return self._api

    def _connect(self):
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        try:
            import huggingface_hub
            from huggingface_hub import constants
        except ImportError:
            raise UsageError("`weightgate lock` needs huggingface_hub: pip install 'weightgate[hub]'") from None
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()  # our own progress line is the only one

        if constants.ENDPOINT != self.endpoint:
            # The client reads HF_ENDPOINT once, when first imported, for the calls that take no endpoint (its
            # start-up registry fetch) and for its download URL template; an API user may have imported it before
            # setting HF_ENDPOINT. Point both at this run's endpoint, or they would reach another host.
            template = constants.HUGGINGFACE_CO_URL_TEMPLATE
            if template.startswith(constants.ENDPOINT):
                constants.HUGGINGFACE_CO_URL_TEMPLATE = self.endpoint + template[len(constants.ENDPOINT):]
            constants.ENDPOINT = self.endpoint
        constants.HF_HUB_OFFLINE = False  # likewise read at import; this run's environment was checked in main
        return huggingface_hub.HfApi(endpoint=self.endpoint, token=self.token)

    def progress(self, display: str, i: int, n: int) -> None:
        if self.tty:
            sys.stderr.write(f"\r\x1b[Kweightgate lock: [{i}/{n}] {display}")
            sys.stderr.flush()
            self._shown = True

    def done(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    def ask(self, display: str, kb) -> Entry:
        """One base as the Hub describes it; missing / private / gated repositories become such entries."""
        import datetime

        api = self.api
        from huggingface_hub.errors import GatedRepoError, HFValidationError, HfHubHTTPError

        today = datetime.datetime.now(datetime.timezone.utc).date()
        try:
            info = api.model_info(display, timeout=self.timeout)
            card = _card_dict(info)
            if not card.get("license"):  # no cardData (or none with a licence): read the card itself
                card = self._read_card(info.id, info.sha) or card
            # Key the entry by the id the repository refers to; keep the Hub's spelling when only the case
            # differs (a renamed repository answers with its new id, which the references do not use).
            key = info.id if info.id.lower() == display.lower() else display
            entry = _entry(info, card, today)._replace(id=key)
            if not _resolves(kb, entry):  # the card names no licence weightgate knows: identify its LICENSE
                entry = entry._replace(license_texts=self._license_texts(info, kb))
        except HFValidationError:  # not a valid repository id ("a--b", too long): no such repository can exist
            return Entry(id=display, status="missing", read=today)
        except GatedRepoError:
            return Entry(id=display, status="gated", read=today)
        except HfHubHTTPError as e:  # RepositoryNotFoundError included
            code = e.response.status_code if e.response is not None else 0
            if code == 404:
                return Entry(id=display, status="missing", read=today)
            if code in (401, 403):  # refused: the Hub answers alike for private, gated and missing repositories
                return Entry(id=display, status="gated" if _says_gated(e) else "private", read=today)
            raise UsageError(f"the Hub at {self.endpoint} answered {code} for {display}; nothing written") from None
        except (ValueError, KeyError, TypeError) as e:  # a 200 whose body is not model info
            raise UsageError(f"the Hub at {self.endpoint} sent an unreadable answer for {display} "
                             f"({type(e).__name__}: {e}); nothing written") from None
        except Exception as e:  # noqa: BLE001 - network trouble of any kind: one line, exit 2, nothing written
            if type(e).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore", "httpcore2", "requests", "urllib3",
                                                    "socket", "ssl") \
                    or isinstance(e, (OSError, TimeoutError)):
                raise UsageError(f"cannot reach the Hub at {self.endpoint} ({type(e).__name__}: {e}); "
                                 f"nothing written") from None
            raise
        return entry

    def _download(self, repo_id: str, sha: Optional[str], filename: str) -> Optional[str]:
        """The start of one file of the repository at `sha` as text (None when it is not there)."""
        import tempfile

        from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, RevisionNotFoundError

        with tempfile.TemporaryDirectory(prefix="weightgate-lock-") as tmp:
            try:
                try:
                    path = self.api.hf_hub_download(repo_id, filename, revision=sha, cache_dir=tmp,
                                                    etag_timeout=self.timeout)
                except RevisionNotFoundError:  # a mirror that serves only branch names: the default branch
                    path = self.api.hf_hub_download(repo_id, filename, cache_dir=tmp, etag_timeout=self.timeout)
            except EntryNotFoundError as e:
                if not isinstance(e, FileNotFoundError):  # the Hub says the file is not there
                    return None
                if isinstance(e.__cause__, HfHubHTTPError):  # "not in the cache" hiding a refusal: judge that
                    raise e.__cause__ from None
                raise  # the download failed: a connection problem, reported as such
            with open(path, "rb") as f:
                return f.read(1 << 20).decode("utf-8", "replace")

    def _license_texts(self, info, kb) -> Tuple[str, ...]:
        """Licences of which a top-level LICENSE file holds the full text (the shortest names first)."""
        from .discover import is_license_file, license_role
        from .text import normalise

        names = sorted((s.rfilename for s in info.siblings or () if "/" not in s.rfilename
                        and is_license_file(s.rfilename) and license_role(s.rfilename) == "license"),
                       key=lambda n: (len(n), n))
        for name in names[:2]:
            text = self._download(info.id, info.sha, name)
            copies = kb.identify(normalise(text))[1] if text else ()
            if copies:
                return tuple(sorted(copies))
        return ()

    def _read_card(self, repo_id: str, sha: Optional[str]) -> Optional[dict]:
        """The card's front matter read with weightgate's own card reader (when the Hub gave no cardData)."""
        from .collect.card import read_card

        text = self._download(repo_id, sha, "README.md")
        if text is None:  # a repository without a card
            return None
        facts, _body, _start = read_card("README.md", text)
        card: dict = {}
        for f in facts:
            key = f.origin.split(":", 1)[1] if f.origin.startswith("card:") else ""
            if key in LICENSE_KEYS and isinstance(f.value, str):
                if key in ("license", "base_model"):
                    card.setdefault(key, []).append(f.value)
                else:
                    card.setdefault(key, f.value)
        return card


def _says_gated(e) -> bool:
    """Whether a refusal says the repository is gated (its error code, or the words of its message)."""
    r = e.response
    words = " ".join(str(x) for x in (getattr(e, "server_message", "") or "",
                                      r.headers.get("X-Error-Code", "") if r is not None else "",
                                      r.headers.get("X-Error-Message", "") if r is not None else "")).lower()
    return "gated" in words or "restricted" in words


def _resolves(kb, entry: Entry) -> bool:
    """Whether check will know the entry's licence from what the card declares."""
    from .lineage import own_license
    from .lockfile import Lock, entry_facts

    return own_license(kb, entry_facts(Lock(FILE_NAME, {}, []), entry))[0] is not None


def _card_dict(info) -> dict:
    data = info.card_data
    if data is None:
        return {}
    return data.to_dict() if hasattr(data, "to_dict") else dict(data)


def _strings(v) -> Tuple[str, ...]:
    items = v if isinstance(v, (list, tuple)) else [v] if v is not None else []
    return tuple(str(x).strip() for x in items if x is not None and str(x).strip())


def _entry(info, card: dict, today) -> Entry:
    from .discover import is_license_file

    files = sorted(s.rfilename for s in info.siblings or () if "/" not in s.rfilename and is_license_file(s.rfilename))
    gated = info.gated if isinstance(info.gated, str) and info.gated else False

    def one(key: str) -> str:
        v = _strings(card.get(key))
        return v[0] if v else ""

    return Entry(id=info.id, status="ok", revision=info.sha or "", license=_strings(card.get("license")),
                 license_name=one("license_name"), license_link=one("license_link"),
                 base_model=_strings(card.get("base_model")), base_model_relation=one("base_model_relation"),
                 gated=gated, license_files=tuple(files), read=today)


# ---- --check (offline) ------------------------------------------------------------------------------------

def _check(targets, config) -> int:
    """Exit 1 when a base reference that only the lock could answer is not in it (or the lock is unusable)."""
    from . import engine

    missing = set()
    problems = set()
    for t in targets:
        for _t, model in engine.analyse([t], config, hf_cache=""):
            for f in model.facts.of("problem"):
                if f.value.rule == "lock-invalid":
                    problems.add((_shown(t, f.path), f.line, f.value.message))
            for _ref, b in _hub_only(model):
                if b.resolved_from != "unknown":
                    continue
                ev = b.evidence[0] if b.evidence else None
                where = (_shown(t, ev.path), ev.line) if ev else (_shown(t, model.root), 1)
                missing.add((*where, f"base {b.display} is not in {FILE_NAME}; run `weightgate lock` and commit it"))
    for path, line, message in sorted(problems | missing):
        print(f"{path}:{line}: {message}")
    if problems or missing:
        return 1
    print(f"{FILE_NAME}: every base is locked")
    return 0


def _shown(t, path: str) -> str:
    """As every command shows paths: relative to the cwd when below it, else absolute."""
    from .engine import _shower

    return _shower(t, os.getcwd())(path)
