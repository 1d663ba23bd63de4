"""Memoisation for the span of one read-only page (the dashboard and its cockpit and PDF): figures several apps
read (the plan's inventory, its evaluation) are computed once per page. Outside a `scope()` nothing is cached, so
a write followed by a read always sees fresh data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar

T = TypeVar("T")
_cache: ContextVar[dict | None] = ContextVar("carbonpeak_memo", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Within this block, `memoised` functions return the result of their first call with the same arguments."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def memoised(fn: Callable[..., T]) -> Callable[..., T]:
    @wraps(fn)
    def wrapper(*args, **kwargs) -> T:
        cache = _cache.get()
        if cache is None:
            return fn(*args, **kwargs)
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = fn(*args, **kwargs)
        return cache[key]

    return wrapper
