"""A small stand-in for the Hugging Face Hub on 127.0.0.1, spoken to by the real huggingface_hub client.

It answers what huggingface_hub 2.4 calls (see /work/shared/CONVENTIONS.md §7):
  GET  /api/models/{id}                       model_info (also /revision/{rev}): sha, cardData, siblings, gated
  GET  /api/models/{id}/tree/{rev}            list_repo_files (?recursive=true)
  HEAD/GET /{id}/resolve/{rev}/{file}        hf_hub_download, with X-Repo-Commit, ETag, Content-Length
  GET  /api/agent-harnesses                   the registry the client fetches when it starts
Repositories can be missing (404 RepoNotFound), private (401 RepoNotFound) or gated (metadata public, files 401
GatedRepo without a token). Every request is recorded, so a test can show nothing else was asked.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional
from urllib.parse import unquote, urlsplit


class Repo:
    def __init__(self, repo_id: str, card: Optional[dict] = None, files: Optional[Dict[str, str]] = None,
                 gated=False, private=False, card_in_api: bool = True, raw_api: Optional[bytes] = None,
                 refuse: Optional[tuple] = None, refuse_files: Optional[tuple] = None):
        self.id = repo_id
        self.card = card or {}
        self.files = dict(files or {})
        if "README.md" not in self.files:
            self.files["README.md"] = _card_text(self.card)
        self.gated = gated
        self.private = private
        self.card_in_api = card_in_api  # False: the API gives no cardData (the client must read README.md)
        self.raw_api = raw_api  # bytes served as the model API's answer instead of JSON model info
        self.refuse = refuse  # (status, message): refuse every request without an error code, as mirrors may
        self.refuse_files = refuse_files  # (status, message): the same for file downloads only
        self.sha = hashlib.sha1(json.dumps([repo_id, self.card, self.files], sort_keys=True).encode()).hexdigest()


def _card_text(card: dict) -> str:
    import yaml

    return "---\n" + yaml.safe_dump(card, sort_keys=False) + "---\n# Model\n" if card else "# Model\n"


class StandInHub:
    def __init__(self, token: str = "hf_test_token"):
        self.repos: Dict[str, Repo] = {}
        self.requests: List[str] = []  # "METHOD path" of every request
        self.token = token
        self.delay = 0.0  # seconds before answering a model API request (to exercise client timeouts)
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):
                hub._serve(self, head=True)

            def do_GET(self):
                hub._serve(self, head=False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, repo_id: str, **kw) -> Repo:
        repo = Repo(repo_id, **kw)
        self.repos[repo_id.lower()] = repo
        return repo

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # ---- answering ------------------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        url = urlsplit(h.path)
        path = unquote(url.path)
        self.requests.append(f"{h.command} {h.path}")
        authorised = h.headers.get("Authorization") == f"Bearer {self.token}"
        if path == "/api/agent-harnesses":
            return self._send(h, 200, {"standardEnvVars": ["AI_AGENT"], "harnesses": {}}, head=head)
        m = re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/revision/([^/]+))?", path)
        if m:
            time.sleep(self.delay)
            repo = self._repo(h, m.group(1), authorised, api=True)
            if repo is not None and repo.raw_api is not None:
                self._send(h, 200, repo.raw_api, head=head)
            elif repo is not None:
                body = {"id": repo.id, "sha": repo.sha, "private": repo.private, "gated": repo.gated,
                        "siblings": [{"rfilename": f} for f in sorted(repo.files)], "tags": []}
                if repo.card_in_api:
                    body["cardData"] = repo.card
                self._send(h, 200, body, head=head)
            return None
        m = re.fullmatch(r"/api/models/([^/]+/[^/]+)/tree/([^/]+)(?:/.*)?", path)
        if m:
            repo = self._repo(h, m.group(1), authorised, api=True)
            if repo is not None:
                self._send(h, 200, [{"type": "file", "path": f, "oid": hashlib.sha1(c.encode()).hexdigest(),
                                     "size": len(c.encode())} for f, c in sorted(repo.files.items())], head=head)
            return None
        m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        if m:
            repo = self._repo(h, m.group(1), authorised, api=False)
            if repo is None:
                return None
            if repo.refuse_files and not authorised:
                return self._error(h, repo.refuse_files[0], None, repo.refuse_files[1], head)
            if repo.gated and not authorised:
                return self._error(h, 401, "GatedRepo", "Access to this repository is restricted.", head)
            if m.group(3) not in repo.files:
                return self._error(h, 404, "EntryNotFound", "Entry not found", head)
            data = repo.files[m.group(3)].encode()
            headers = {"X-Repo-Commit": repo.sha, "ETag": f'"{hashlib.sha1(data).hexdigest()}"'}
            return self._send(h, 200, data, headers, head=head)
        return self._error(h, 404, None, "Not found", head)

    def _repo(self, h, repo_id: str, authorised: bool, api: bool) -> Optional[Repo]:
        repo = self.repos.get(repo_id.lower())
        if repo is None:
            self._error(h, 404, "RepoNotFound", "Repository not found", h.command == "HEAD")
            return None
        if repo.refuse and not authorised:
            self._error(h, repo.refuse[0], None, repo.refuse[1], h.command == "HEAD")
            return None
        if repo.private and not authorised:
            self._error(h, 401, "RepoNotFound", "Repository not found", h.command == "HEAD")
            return None
        return repo

    def _error(self, h, status: int, code: Optional[str], message: str, head: bool) -> None:
        self._send(h, status, {"error": message}, {"X-Error-Code": code} if code else {}, head=head,
                   extra={"X-Error-Message": message})

    @staticmethod
    def _send(h, status: int, body, headers=None, head: bool = False, extra=None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/octet-stream" if isinstance(body, bytes) else "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in {**(headers or {}), **(extra or {})}.items():
            h.send_header(k, v)
        h.end_headers()
        if not head:
            h.wfile.write(data)
