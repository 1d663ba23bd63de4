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
