"""Meter readings -> interval consumption.

Input arrays are (meter_idx, ts, value). A reading at ``ts`` closes the interval
(previous reading's ts, ts]. For cumulative registers the interval consumption is
the register difference, corrected for rollover (register wraps past its maximum)
and meter replacement (explicit swap events with the old meter's final reading and
the new meter's initial reading). For interval meters the value *is* the
consumption of the interval ending at ``ts``.

Suspicious intervals are flagged with a reason and excluded from the valid total,
never silently summed:

* NEGATIVE  a cumulative register went down and it is not a plausible rollover,
            or an interval meter reported a negative value;
* SPIKE     consumption per nominal interval above the meter's physical maximum,
            or above ``spike_k`` x the meter's median in the window;
* GAP       a cumulative delta spans missing readings (energy is real but cannot be
            placed in time, so it is held back for review). For interval meters a
            gap means readings are missing; the reading after it is flagged GAP but
            stays valid because it covers only its own interval.

ROLLOVER and SWAP are informational: the interval was corrected and stays valid.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLAG_NEGATIVE = 1
FLAG_SPIKE = 2
FLAG_GAP = 4
FLAG_ROLLOVER = 8
FLAG_SWAP = 16

FLAG_NAMES = {
    FLAG_NEGATIVE: "negative",
    FLAG_SPIKE: "spike",
    FLAG_GAP: "gap",
    FLAG_ROLLOVER: "rollover",
    FLAG_SWAP: "swap",
}


def flag_names(flags: int) -> list[str]:
    return [name for bit, name in FLAG_NAMES.items() if flags & bit]


@dataclass
class MeterParams:
    """Per-meter parameters, indexed by meter_idx (arrays of length n_meters)."""

    cumulative: np.ndarray  # bool
    interval_s: np.ndarray  # int64, expected reading interval
    register_max: np.ndarray  # float64, 0 = no rollover (e.g. 99999999)
    max_per_interval: np.ndarray  # float64, physical max consumption per interval, inf = unknown

    @classmethod
    def uniform(cls, n: int, *, cumulative: bool = True, interval_s: int = 900,
                register_max: float = 0.0, max_per_interval: float = np.inf) -> "MeterParams":
        return cls(
            cumulative=np.full(n, cumulative, dtype=bool),
            interval_s=np.full(n, interval_s, dtype=np.int64),
            register_max=np.full(n, register_max, dtype=np.float64),
            max_per_interval=np.full(n, max_per_interval, dtype=np.float64),
        )


@dataclass
class Swaps:
    """Meter replacement events: readings with ts >= ts_swap come from the new register."""

    meter: np.ndarray  # int64
    ts: np.ndarray  # int64
    old_final: np.ndarray  # float64, last reading of the old register
    new_initial: np.ndarray  # float64, first reading of the new register at installation

    @classmethod
    def empty(cls) -> "Swaps":
        z = np.zeros(0)
        return cls(z.astype(np.int64), z.astype(np.int64), z, z)


@dataclass
class Intervals:
    meter: np.ndarray  # int64
    ts: np.ndarray  # int64, end of interval (the reading's ts)
    dt: np.ndarray  # int64, seconds since the previous reading (nominal interval for the first)
    qty: np.ndarray  # float64, consumption attributed to the interval (may be flagged)
    flags: np.ndarray  # uint8 bitmask
    excluded: np.ndarray  # bool: held back from the valid total

    @property
    def valid_qty(self) -> np.ndarray:
        return np.where(self.excluded, 0.0, self.qty)

    def __len__(self) -> int:
        return len(self.ts)

    def select(self, mask: np.ndarray) -> "Intervals":
        return Intervals(self.meter[mask], self.ts[mask], self.dt[mask], self.qty[mask],
                         self.flags[mask], self.excluded[mask])


def sort_readings(meter: np.ndarray, ts: np.ndarray, *others: np.ndarray):
    """Sort by (meter, ts); return sorted arrays."""
    order = np.lexsort((ts, meter))
    return (meter[order], ts[order], *(o[order] for o in others))


def dedupe_sorted(meter: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Mask keeping the first of each (meter, ts) run in sorted arrays."""
    keep = np.ones(len(ts), dtype=bool)
    if len(ts) > 1:
        keep[1:] = (meter[1:] != meter[:-1]) | (ts[1:] != ts[:-1])
    return keep


def _group_median(group: np.ndarray, x: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Median of x per group. Returns (median, count).

    Groups sorted ascending (the ingest's case: readings sorted by meter) take one O(n) selection per
    group instead of a two-key sort of everything."""
    med = np.zeros(n_groups)
    cnt = np.bincount(group, minlength=n_groups)
    if len(x) == 0:
        return med, cnt
    starts = np.concatenate(([0], np.cumsum(cnt)[:-1]))
    has = cnt > 0
    if len(group) < 2 or bool((group[1:] >= group[:-1]).all()):
        for g, s0, c in zip(np.flatnonzero(has).tolist(), starts[has].tolist(), cnt[has].tolist()):
            lo, hi = (c - 1) // 2, c // 2
            part = np.partition(x[s0: s0 + c], (lo, hi))
            med[g] = (part[lo] + part[hi]) / 2.0
        return med, cnt
    order = np.lexsort((x, group))
    xs = x[order]
    lo = starts[has] + (cnt[has] - 1) // 2
    hi = starts[has] + cnt[has] // 2
    med[has] = (xs[lo] + xs[hi]) / 2.0
    return med, cnt


def intervals(meter: np.ndarray, ts: np.ndarray, value: np.ndarray, params: MeterParams,
              swaps: Swaps | None = None, baseline: np.ndarray | None = None,
              spike_k: float = 10.0, spike_min_samples: int = 16,
              presorted: bool = False) -> Intervals:
    """Turn readings into intervals.

    ``baseline`` marks readings already accounted for (e.g. the last stored reading
    prepended by the caller): they anchor the next delta but produce no interval.
    The first reading of a cumulative meter in the window is always a baseline only.
    Duplicated (meter, ts) pairs are dropped (first kept).
    """
    meter = np.asarray(meter, dtype=np.int64)
    ts = np.asarray(ts, dtype=np.int64)
    value = np.asarray(value, dtype=np.float64)
    base = np.zeros(len(ts), dtype=bool) if baseline is None else np.asarray(baseline, dtype=bool)
    if not presorted:
        meter, ts, value, base = sort_readings(meter, ts, value, base)
    keep = dedupe_sorted(meter, ts)
    if not keep.all():
        meter, ts, value, base = meter[keep], ts[keep], value[keep], base[keep]
    n = len(ts)
    if n == 0:
        z = np.zeros(0, dtype=np.int64)
        return Intervals(z, z, z, np.zeros(0), np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=bool))

    first = np.ones(n, dtype=bool)
    first[1:] = meter[1:] != meter[:-1]
    cum = params.cumulative[meter]
    nominal = params.interval_s[meter]
    flags = np.zeros(n, dtype=np.uint8)

    # meter replacement: shift later readings so the series is continuous
    eff = value.copy()
    if swaps is not None and len(swaps.ts):
        offset = np.zeros(n)
        for m, t, old_final, new_initial in zip(swaps.meter.tolist(), swaps.ts.tolist(),
                                                swaps.old_final.tolist(), swaps.new_initial.tolist()):
            lo = int(np.searchsorted(meter, m, "left"))
            hi = int(np.searchsorted(meter, m, "right"))
            j = lo + int(np.searchsorted(ts[lo:hi], t, "left"))
            offset[j:hi] += old_final - new_initial
            if lo < j < hi:
                flags[j] |= FLAG_SWAP
        eff = eff + offset

    dt = np.empty(n, dtype=np.int64)
    dt[1:] = ts[1:] - ts[:-1]
    dt[first] = nominal[first]
    nint = dt / nominal

    delta = np.empty(n)
    delta[1:] = eff[1:] - eff[:-1]
    delta[first] = 0.0
    qty = np.where(cum, delta, value)

    # rollover on cumulative registers
    rmax = params.register_max[meter]
    mpi = params.max_per_interval[meter]
    neg = cum & (qty < 0) & ~first
    if neg.any():
        modulus = rmax + 1.0
        rolled = qty + modulus
        limit = np.where(np.isfinite(mpi), mpi * np.maximum(nint, 1.0), 0.1 * modulus)
        is_roll = neg & (rmax > 0) & (rolled >= 0) & (rolled <= limit)
        qty = np.where(is_roll, rolled, qty)
        flags[is_roll] |= FLAG_ROLLOVER
    flags[(qty < 0) & ~first] |= FLAG_NEGATIVE
    flags[first & ~cum & (qty < 0)] |= FLAG_NEGATIVE

    gap = ~first & (nint > 1.5)
    flags[gap] |= FLAG_GAP

    # spikes: physical maximum, then k x median of ordinary intervals in the window
    rate = qty / np.maximum(nint, 1.0)
    produces = ~(first & cum) & ~base
    flags[produces & (rate > mpi)] |= FLAG_SPIKE
    # baseline (context) readings count towards the median but produce no interval
    ordinary = ~(first & cum) & (flags & (FLAG_NEGATIVE | FLAG_GAP | FLAG_SPIKE) == 0) & (qty >= 0)
    n_meters = len(params.interval_s)
    med, cnt = _group_median(meter[ordinary], rate[ordinary], n_meters)
    m_med = med[meter]
    spike_rel = produces & (cnt[meter] >= spike_min_samples) & (m_med > 0) & (rate > spike_k * m_med)
    flags[spike_rel] |= FLAG_SPIKE

    excluded = (flags & (FLAG_NEGATIVE | FLAG_SPIKE)) > 0
    excluded |= cum & ((flags & FLAG_GAP) > 0)
    out = Intervals(meter, ts, dt, qty, flags, excluded)
    return out.select(produces)
