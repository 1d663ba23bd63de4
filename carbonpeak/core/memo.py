"""Values reused across requests while the data version (carbonpeak.core.dataversion) and the day are unchanged.

Two levels:
- `versioned()` (every GET/HEAD request, `MemoMiddleware`): `shared(key, compute)` values, e.g. who a user is in a
  plan and the dashboard's rendered content, are computed once per data version and day in this process. The
  version is read once per block, on first use.
- `scope()` (the dashboard, its cockpit and PDF): in addition, `@memoised` figure functions (the plan's inventory,
  its evaluation) return the result of their first call with the same arguments. Other pages compute them afresh.

Outside these blocks nothing is cached, so a write followed by a read in the same code (a POST) always sees fresh
data. Cached values are shared by the process' threads: callers must not change them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar

from carbonpeak.core import clock, dataversion

T = TypeVar("T")
_PENDING = object()
_values: ContextVar[dict | object | None] = ContextVar("carbonpeak_memo_values", default=None)
"""None: no caching here; _PENDING: caching, the version not read yet; a dict: the values of this version."""
_figures: ContextVar[bool] = ContextVar("carbonpeak_memo_figures", default=False)
_lock = threading.Lock()
_shared: dict = {"key": None, "values": {}}  # the values of one (data version, day), shared by this process' threads
computed = {"count": 0}
"""How many cached computations actually ran in this process (the cache's tests read it)."""


def _values_for(version: str | None) -> dict:
    if version is None:  # no version row (e.g. after a test flush): cache within this block only
        return {}
    key = (version, clock.today())
    with _lock:
        if _shared["key"] != key:
            _shared.update(key=key, values={})
        return _shared["values"]


def _current_values() -> dict | None:
    values = _values.get()
    if values is _PENDING:
        values = _values_for(dataversion.current())
        _values.set(values)  # undone with the block's own reset
    return values


@contextmanager
def versioned() -> Iterator[None]:
    """Within this block, `shared` values are reused across blocks of the same data version and day."""
    if _values.get() is not None:  # nested: the outer block's version holds
        yield
        return
    token = _values.set(_PENDING)
    try:
        yield
    finally:
        _values.reset(token)


@contextmanager
def scope() -> Iterator[None]:
    """Within this block, `memoised` functions return the result of their first call with the same arguments,
    computed in this block or an earlier one of the same data version and day."""
    with versioned():
        token = _figures.set(True)
        try:
            yield
        finally:
            _figures.reset(token)


def shared(key: tuple, compute: Callable[[], T], keep: Callable[[T], bool] | None = None) -> T:
    """Within `versioned()`, the value of `key` computed by `compute()` once per data version and day (outside,
    computed every time). `key` must name everything the value depends on besides the domain data. `keep(value)`
    false: this value is not reused (e.g. it shows a failure that may pass)."""
    cache = _current_values()
    if cache is None:
        return compute()
    if key not in cache:
        computed["count"] += 1
        value = compute()
        if keep is not None and not keep(value):
            return value
        cache[key] = value
    return cache[key]


def memoised(fn: Callable[..., T]) -> Callable[..., T]:
    """Within `scope()`, results are shared by pages and threads: callers must not change them."""
    @wraps(fn)
    def wrapper(*args, **kwargs) -> T:
        if not _figures.get():
            return fn(*args, **kwargs)
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        return shared(key, lambda: fn(*args, **kwargs))

    return wrapper
