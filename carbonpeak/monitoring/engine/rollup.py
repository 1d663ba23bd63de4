"""Hourly, daily and monthly roll-ups of interval consumption.

An interval ending at ``ts`` belongs to the bucket containing ``ts - 1`` (a reading at
01:00 closes 00:45-01:00, which is hour 00). Buckets are in local time (UTC+8 fixed);
the bucket key is the epoch second of the local bucket start.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TZ_OFFSET_S = 8 * 3600
HOUR, DAY, MONTH = "hour", "day", "month"


def bucket_start(ts: np.ndarray, kind: str, tz_offset: int = TZ_OFFSET_S, *, closing: bool = True) -> np.ndarray:
    """Epoch second of the local bucket start containing each interval (or instant if closing=False)."""
    t = np.asarray(ts, dtype=np.int64) + tz_offset - (1 if closing else 0)
    if kind == HOUR:
        b = t - np.mod(t, 3600)
    elif kind == DAY:
        b = t - np.mod(t, 86400)
    elif kind == MONTH:
        b = t.astype("datetime64[s]").astype("datetime64[M]").astype("datetime64[s]").astype(np.int64)
    else:
        raise ValueError(f"unknown bucket kind {kind!r}")
    return b - tz_offset


def next_bucket(start: np.ndarray, kind: str, tz_offset: int = TZ_OFFSET_S) -> np.ndarray:
    start = np.asarray(start, dtype=np.int64)
    if kind == HOUR:
        return start + 3600
    if kind == DAY:
        return start + 86400
    local = (start + tz_offset).astype("datetime64[s]").astype("datetime64[M]") + 1
    return local.astype("datetime64[s]").astype(np.int64) - tz_offset


@dataclass
class Rollup:
    meter: np.ndarray  # int64
    bucket: np.ndarray  # int64 epoch of local bucket start
    qty: np.ndarray  # valid consumption
    flagged_qty: np.ndarray  # consumption held back (excluded intervals)
    n: np.ndarray  # number of intervals
    n_flagged: np.ndarray  # number of excluded intervals

    def __len__(self) -> int:
        return len(self.bucket)


def rollup(meter: np.ndarray, ts: np.ndarray, qty: np.ndarray, excluded: np.ndarray, kind: str,
           tz_offset: int = TZ_OFFSET_S) -> Rollup:
    meter = np.asarray(meter, dtype=np.int64)
    qty = np.asarray(qty, dtype=np.float64)
    excluded = np.asarray(excluded, dtype=bool)
    b = bucket_start(ts, kind, tz_offset)
    if len(b) == 0:
        return _empty()
    return _group(meter, b, np.where(excluded, 0.0, qty), np.where(excluded, qty, 0.0),
                  np.ones(len(b), dtype=np.int64), excluded.astype(np.int64))


def coarsen(r: Rollup, kind: str, tz_offset: int = TZ_OFFSET_S) -> Rollup:
    """Hourly -> daily -> monthly: a finer roll-up summed into ``kind`` buckets.

    Exact because local days and months are whole local hours (fixed UTC+8 offset).
    """
    if len(r) == 0:
        return _empty()
    b = bucket_start(r.bucket, kind, tz_offset, closing=False)
    return _group(r.meter, b, r.qty, r.flagged_qty, r.n, r.n_flagged)


def _empty() -> Rollup:
    z = np.zeros(0, dtype=np.int64)
    return Rollup(z, z, np.zeros(0), np.zeros(0), z, z)


def _group(meter: np.ndarray, b: np.ndarray, valid: np.ndarray, held: np.ndarray, n: np.ndarray,
           n_flagged: np.ndarray) -> Rollup:
    """Sum per (meter, bucket). Input sorted by (meter, time) — the ingest's case — is grouped by run
    boundaries without sorting; anything else goes through np.unique."""
    b0 = b.min()
    rel = b - b0
    span = int(rel.max()) + 1
    key = meter * span + rel
    if len(key) < 2 or bool((key[1:] >= key[:-1]).all()):
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        uk = key[starts]
        agg = lambda x: np.add.reduceat(x, starts)  # noqa: E731
    else:
        uk, inv = np.unique(key, return_inverse=True)
        k = len(uk)
        agg = lambda x: np.bincount(inv, weights=x, minlength=k)  # noqa: E731
    return Rollup(
        meter=uk // span,
        bucket=uk % span + b0,
        qty=agg(np.asarray(valid, dtype=np.float64)),
        flagged_qty=agg(np.asarray(held, dtype=np.float64)),
        n=np.rint(agg(np.asarray(n, dtype=np.float64))).astype(np.int64),
        n_flagged=np.rint(agg(np.asarray(n_flagged, dtype=np.float64))).astype(np.int64),
    )


# ---------------------------------------------------------------------------
# hourly roll-ups stored per meter and local day (24 hours in one row)
# ---------------------------------------------------------------------------
HOURS = 24
# one stored day: 24 valid consumptions and interval counts; with the held-back (flagged) consumptions and
# counts appended only when the day has any. Little-endian, so the bytes are the same on every machine.
DAY_SHORT = np.dtype([("qty", "<f8", HOURS), ("n", "<u2", HOURS)])
DAY_LONG = np.dtype([("qty", "<f8", HOURS), ("n", "<u2", HOURS), ("flagged_qty", "<f8", HOURS),
                     ("n_flagged", "<u2", HOURS)])


@dataclass
class DayHours:
    """Hourly roll-ups grouped by (meter, local day): row i holds hours 0..23 of ``day[i]``."""

    meter: np.ndarray  # int64 (k,)
    day: np.ndarray  # int64 (k,) epoch of the local day start
    qty: np.ndarray  # float64 (k, 24)
    flagged_qty: np.ndarray  # float64 (k, 24)
    n: np.ndarray  # int64 (k, 24)
    n_flagged: np.ndarray  # int64 (k, 24)

    def __len__(self) -> int:
        return len(self.day)

    @classmethod
    def empty(cls) -> "DayHours":
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, np.zeros((0, HOURS)), np.zeros((0, HOURS)), np.zeros((0, HOURS), dtype=np.int64),
                   np.zeros((0, HOURS), dtype=np.int64))

    def select(self, mask: np.ndarray) -> "DayHours":
        return DayHours(self.meter[mask], self.day[mask], self.qty[mask], self.flagged_qty[mask], self.n[mask],
                        self.n_flagged[mask])

    def to_rollup(self) -> Rollup:
        """The hourly roll-up rows (hours with at least one interval), sorted as the days are."""
        has = self.n > 0
        row, hour = np.nonzero(has)
        return Rollup(self.meter[row], self.day[row] + hour * 3600, self.qty[has], self.flagged_qty[has],
                      self.n[has].astype(np.int64), self.n_flagged[has].astype(np.int64))


def days_between(start: int, end: int, tz_offset: int = TZ_OFFSET_S) -> list[int]:
    """Starts of the local days overlapping [start, end)."""
    d0 = int(bucket_start(np.array([start]), DAY, tz_offset, closing=False)[0])
    return list(range(d0, int(end), 86400))


def _day_keys(meter: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(inverse index, first row of each group, number of groups) of (meter, day) pairs."""
    d0 = int(day.min())
    rel = (day - d0) // 86400
    key = meter * (int(rel.max()) + 1) + rel
    if len(key) < 2 or bool((key[1:] >= key[:-1]).all()):
        new = np.r_[True, key[1:] != key[:-1]]
        return np.cumsum(new) - 1, np.flatnonzero(new), int(new.sum())
    uk, first, inv = np.unique(key, return_index=True, return_inverse=True)
    return inv, first, len(uk)


def to_days(r: Rollup, tz_offset: int = TZ_OFFSET_S) -> DayHours:
    """An hourly roll-up regrouped into one row of 24 hours per (meter, local day); sums repeated hours."""
    if len(r) == 0:
        return DayHours.empty()
    day = bucket_start(r.bucket, DAY, tz_offset, closing=False)
    hour = (r.bucket - day) // 3600
    inv, first, k = _day_keys(r.meter, day)
    cell = inv * HOURS + hour
    mat = lambda x: np.bincount(cell, weights=x, minlength=k * HOURS).reshape(k, HOURS)  # noqa: E731
    cnt = lambda x: np.rint(mat(np.asarray(x, dtype=np.float64))).astype(np.int64)  # noqa: E731
    return DayHours(r.meter[first], day[first], mat(r.qty), mat(r.flagged_qty), cnt(r.n), cnt(r.n_flagged))


def add_days(*parts: DayHours) -> DayHours:
    """Sum of stored and new days, cell by cell (in the order given: stored first keeps the sums exact as
    ``stored + new``)."""
    parts = tuple(p for p in parts if len(p))
    if not parts:
        return DayHours.empty()
    cat = lambda f: np.concatenate([getattr(p, f) for p in parts])  # noqa: E731
    meter, day = cat("meter"), cat("day")
    inv, first, k = _day_keys(meter, day)
    if k == len(day):
        order = np.argsort(inv, kind="stable")
        return DayHours(meter[order], day[order], *(cat(f)[order] for f in ("qty", "flagged_qty", "n", "n_flagged")))

    def acc(x: np.ndarray) -> np.ndarray:
        out = np.zeros((k, HOURS), dtype=x.dtype)
        np.add.at(out, inv, x)
        return out

    return DayHours(meter[first], day[first], *(acc(cat(f)) for f in ("qty", "flagged_qty", "n", "n_flagged")))


def pack_days(d: DayHours) -> list[bytes]:
    """One bytes value per day row (DAY_SHORT when the day has no flagged interval, else DAY_LONG)."""
    k = len(d)
    if k == 0:
        return []
    if int(d.n.max(initial=0)) > 0xFFFF or int(d.n.min(initial=0)) < 0:
        raise ValueError("more than 65535 intervals in one hour")
    long = (d.flagged_qty != 0).any(axis=1) | (d.n_flagged != 0).any(axis=1)
    out: list[bytes] = [b""] * k
    for dtype, sel in ((DAY_SHORT, ~long), (DAY_LONG, long)):
        idx = np.flatnonzero(sel)
        if len(idx) == 0:
            continue
        rec = np.zeros(len(idx), dtype=dtype)
        for f in dtype.names:
            rec[f] = getattr(d, f)[idx]
        buf, w = rec.tobytes(), dtype.itemsize
        for j, i in enumerate(idx.tolist()):
            out[i] = buf[j * w:(j + 1) * w]
    return out


def unpack_days(meter: np.ndarray, day: np.ndarray, blobs: list[bytes]) -> DayHours:
    """Inverse of ``pack_days``."""
    k = len(blobs)
    if k == 0:
        return DayHours.empty()
    d = DayHours(np.asarray(meter, dtype=np.int64), np.asarray(day, dtype=np.int64), np.zeros((k, HOURS)),
                 np.zeros((k, HOURS)), np.zeros((k, HOURS), dtype=np.int64), np.zeros((k, HOURS), dtype=np.int64))
    size = np.fromiter((len(b) for b in blobs), dtype=np.int64, count=k)
    for dtype in (DAY_SHORT, DAY_LONG):
        idx = np.flatnonzero(size == dtype.itemsize)
        if len(idx) == 0:
            continue
        rec = np.frombuffer(b"".join(bytes(blobs[i]) for i in idx.tolist()), dtype=dtype)
        for f in dtype.names:
            getattr(d, f)[idx] = rec[f]
    bad = ~np.isin(size, [DAY_SHORT.itemsize, DAY_LONG.itemsize])
    if bad.any():
        raise ValueError(f"hourly roll-up of {int(bad.sum())} day(s) has an unknown size")
    return d
