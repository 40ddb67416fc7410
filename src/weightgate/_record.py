"""`@record`: an immutable record (a namedtuple subclass) declared like a NamedTuple class, without importing
`typing` at run time — every hook run pays for its imports, and `typing` alone costs a few milliseconds."""
from __future__ import annotations

from collections import namedtuple

_SKIP = ("__dict__", "__weakref__", "__annotations__", "__module__", "__qualname__")


def record(cls):
    fields = list(cls.__dict__.get("__annotations__", {}))
    defaults = [cls.__dict__[f] for f in fields if f in cls.__dict__]
    base = namedtuple(cls.__name__, fields, defaults=defaults)
    body = {k: v for k, v in cls.__dict__.items() if k not in fields and k not in _SKIP}
    body["__slots__"] = ()
    body["__module__"] = cls.__module__
    body["__qualname__"] = cls.__qualname__
    return type(cls.__name__, (base,), body)
