"""Room in the `typing` caches for cdk8s's generated bindings, which read type hints at run time.

Every property getter of a jsii struct (cdk8s-plus `k8s.EnvVar`, `k8s.Container`, ...) returns
`typing.cast(typing.Optional["X"], value)`, and jsii reads every property of every struct it sends
to the kernel. `typing.Optional[...]`/`typing.List[...]` are memoised in `functools.lru_cache`s of
128 entries (CPython's `typing._tp_cache`); the bindings use thousands of distinct forms, so the
cache thrashes and each read rebuilds a Union (~30-100 us). Measured on a 1,000-tenant repository:
half of those lookups missed, a third of a render worker's Python time. A larger cache gives the
same objects (the cache only memoises), so the output cannot change.
"""

from __future__ import annotations

import functools
import typing
from typing import Any

#: entries per widened cache: the bindings' distinct forms fit with room to spare
SIZE = 16384
#: the `typing` subscriptions the bindings use (Optional/Union, and List/Dict/Mapping)
_OWNERS = ("_SpecialForm", "_SpecialGenericAlias")


def widen_typing_caches() -> int:
    """Replace the 128-entry caches behind `typing.Optional[...]`, `typing.List[...]`, ... by larger
    ones; returns how many were widened (0 when this Python's `typing` is laid out differently, in
    which case nothing changes)."""
    widened = 0
    for owner in _OWNERS:
        cls = getattr(typing, owner, None)
        method: Any = getattr(cls, "__getitem__", None)
        code = getattr(method, "__code__", None)
        if code is None or method.__closure__ is None or "cached" not in code.co_freevars:
            continue
        cell = method.__closure__[code.co_freevars.index("cached")]
        cached = cell.cell_contents
        info = getattr(cached, "cache_parameters", None)
        if info is None or not hasattr(cached, "__wrapped__") or info()["maxsize"] is None:
            continue
        if info()["maxsize"] >= SIZE:
            continue  # already widened in this process
        cell.cell_contents = functools.lru_cache(maxsize=SIZE, typed=info()["typed"])(cached.__wrapped__)
        widened += 1
    return widened
