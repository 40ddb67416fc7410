"""lock-invalid — a `weightgate.lock` that cannot be used as it is.

`weightgate lock` records what the Hugging Face Hub says about base models that neither the configuration nor
the built-in registry knows; `check`, the hooks and the build plugin read that file offline. Reported, at the
line of the lock file:

- a lock that is not valid TOML, not UTF-8, of another schema version, or not a regular file;
- an entry with an unknown status, a value of the wrong type or an unknown key (an entry that cannot be read
  resolves nothing, so its base is then also reported as `unknown-base-license`);
- an entry whose licence contradicts the built-in registry. Curated knowledge wins (a Hub card that calls a
  Llama 2 re-upload `apache-2.0` does not make it Apache), so the entry is stale or records a relabelled card.

Fix: `weightgate lock --update` rewrites the lock from the Hub (and drops entries the registry knows). When the
registry is wrong about a base, set its licence in the configuration's `models` table, which wins over both.
"""
from __future__ import annotations

from ._problems import from_problems

ID = "lock-invalid"
SEVERITY = "error"
SUMMARY = "A weightgate.lock that is unreadable, malformed or contradicts the built-in registry."


def check(model):
    yield from from_problems(model, ID, SEVERITY)
