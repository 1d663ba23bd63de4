"""Memoisation for read-only pages (the dashboard and its cockpit and PDF): figures several apps read (the plan's
inventory, its evaluation) are computed once per page, and reused by later pages of this process while the data
version (carbonpeak.core.dataversion) and the day are unchanged. Outside a `scope()` nothing is cached, so a
write followed by a read in the same code always sees fresh data."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar

from carbonpeak.core import clock, dataversion

T = TypeVar("T")
_cache: ContextVar[dict | None] = ContextVar("carbonpeak_memo", default=None)
_lock = threading.Lock()
_shared: dict = {"key": None, "values": {}}  # the figures of one (data version, day), shared by this process' threads
computed = {"count": 0}
"""How many memoised computations actually ran in this process (the cache's tests read it)."""


def _values_for(version: str | None) -> dict:
    if version is None:
        return {}
    key = (version, clock.today())
    with _lock:
        if _shared["key"] != key:
            _shared.update(key=key, values={})
        return _shared["values"]


@contextmanager
def scope() -> Iterator[None]:
    """Within this block, `memoised` functions return the result of their first call with the same arguments,
    computed in this block or an earlier one of the same data version and day."""
    token = _cache.set(_values_for(dataversion.current()))
    try:
        yield
    finally:
        _cache.reset(token)


def memoised(fn: Callable[..., T]) -> Callable[..., T]:
    """Results are shared by pages and threads: callers must not change them."""
    @wraps(fn)
    def wrapper(*args, **kwargs) -> T:
        cache = _cache.get()
        if cache is None:
            return fn(*args, **kwargs)
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in cache:
            computed["count"] += 1
            cache[key] = fn(*args, **kwargs)
        return cache[key]

    return wrapper
