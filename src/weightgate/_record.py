"""`@record`: an immutable record (a tuple subclass) declared like a NamedTuple class, without importing `typing`
at run time and without `collections.namedtuple`, which compiles source text for every class: about 70 µs each,
and a check defines some twenty records before it reads a file. Here the shared methods live on one base class
and each record only adds its field getters.

A record behaves as a namedtuple does where this code relies on it: positional or keyword construction with
defaults, attribute and index access, tuple equality and hashing, `_replace`, `_asdict`, `_fields`, `_make`,
a readable repr, pickling and copying.
"""
from __future__ import annotations

from operator import itemgetter

try:  # the C descriptor namedtuple itself uses for its fields (CPython); a property elsewhere
    from _collections import _tuplegetter
except ImportError:  # pragma: no cover - other interpreters
    def _tuplegetter(index, doc):
        return property(itemgetter(index), doc=doc)

_SKIP = ("__dict__", "__weakref__", "__annotations__", "__module__", "__qualname__")
_MISSING = object()


class Record(tuple):
    __slots__ = ()
    _fields: tuple = ()
    _field_defaults: dict = {}

    def __new__(cls, *args, **kwargs):
        fields = cls._fields
        if len(args) == len(fields) and not kwargs:
            return tuple.__new__(cls, args)
        if len(args) > len(fields):
            raise TypeError(f"{cls.__name__}() takes {len(fields)} arguments but {len(args)} were given")
        values = list(args)
        defaults = cls._field_defaults
        for name in fields[len(args):]:
            value = kwargs.pop(name, _MISSING)
            if value is _MISSING:
                value = defaults.get(name, _MISSING)
                if value is _MISSING:
                    raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")
            values.append(value)
        if kwargs:
            name = next(iter(kwargs))
            why = "multiple values for" if name in fields else "an unexpected keyword"
            raise TypeError(f"{cls.__name__}() got {why} argument {name!r}")
        return tuple.__new__(cls, values)

    @classmethod
    def _make(cls, iterable):
        values = tuple(iterable)
        if len(values) != len(cls._fields):
            raise TypeError(f"expected {len(cls._fields)} values, got {len(values)}")
        return tuple.__new__(cls, values)

    def _replace(self, **changes):
        values = [changes.pop(name, value) for name, value in zip(self._fields, self)]
        if changes:
            raise ValueError(f"got unexpected field names: {sorted(changes)!r}")
        return tuple.__new__(type(self), values)

    def _asdict(self) -> dict:
        return dict(zip(self._fields, self))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"{type(self).__name__}({inner})"

    def __getnewargs__(self):
        return tuple(self)


def record(cls):
    fields = tuple(cls.__dict__.get("__annotations__", {}))
    body = {k: v for k, v in cls.__dict__.items() if k not in fields and k not in _SKIP}
    defaults = {f: cls.__dict__[f] for f in fields if f in cls.__dict__}
    for i, name in enumerate(fields):
        body[name] = _tuplegetter(i, f"field {i}: {name}")
    body.update(__slots__=(), _fields=fields, _field_defaults=defaults, __match_args__=fields,
                __module__=cls.__module__, __qualname__=cls.__qualname__)
    return type(cls.__name__, (Record,), body)
