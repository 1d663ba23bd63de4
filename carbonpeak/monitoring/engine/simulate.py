"""Seeded synthetic 15-minute meter data for demos, tests and benchmarks.

Load = base + (peak - base) x occupancy(hour, weekday) x season(day of year) + noise.
Public buildings have a cumulative main meter and cumulative sub-item meters
(lighting/socket, HVAC, power, special); key energy-consuming units have a main
electricity register and an interval gas meter; data centres have IT-load and
facility-total registers with a seasonal PUE. A few faults can be injected: spikes
(one glitched register reading), gaps (missing readings), a register rollover and a
meter replacement.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from carbonpeak.accounting.engine.carriers import CARRIERS
from carbonpeak.accounting.engine.factors import get_factor_set
from carbonpeak.accounting.engine.units import factor as unit_factor

from .registers import Swaps
from .rollup import TZ_OFFSET_S

BUILDING_TYPES = ["office", "government_office", "hotel", "mall", "hospital", "school"]
_TYPE_NAMES_ZH = {"office": "办公楼", "government_office": "机关办公楼", "hotel": "酒店", "mall": "商场",
                  "hospital": "医院", "school": "学校"}
# kW per m2 at peak, base fraction, occupied hours (local), weekend factor
_PROFILES = {
    "office": (0.045, 0.25, (8, 19), 0.3),
    "government_office": (0.040, 0.20, (8, 18), 0.15),
    "hotel": (0.050, 0.55, (6, 24), 1.0),
    "mall": (0.080, 0.20, (10, 22), 1.2),
    "hospital": (0.060, 0.60, (7, 20), 0.8),
    "school": (0.025, 0.15, (7, 17), 0.1),
    "factory": (None, 0.45, (8, 24), 0.7),
}
SUBITEMS = [("lighting_socket", 0.30), ("hvac", 0.40), ("power", 0.20), ("special", 0.10)]


@dataclass
class SimSite:
    code: str
    name: str
    kind: str  # key_unit / public_building / data_centre
    building_type: str = ""
    floor_area_m2: float = 0.0
    dc_generation: str = ""
    it_capacity_kw: float = 0.0
    annual_quota_tce: float = 0.0
    town: int = 0


@dataclass
class SimMeter:
    code: str
    site: int
    carrier: str
    unit: str
    category: str
    cumulative: bool
    parent: int | None
    peak: float  # peak demand per hour in unit/h
    base_frac: float
    hours: tuple[int, int]
    weekend: float
    seasonal: float  # amplitude of cooling/heating season effect
    register_max: float = 99999999.0
    start_value: float = 0.0
    share: float = 1.0  # for sub-meters: share of the parent
    pue: tuple[float, float] = (0.0, 0.0)  # facility meters: (mean PUE, seasonal amplitude)


@dataclass
class Fleet:
    sites: list[SimSite]
    meters: list[SimMeter]
    seed: int
    interval_s: int = 900
    faults: list[dict] = field(default_factory=list)
    swaps: Swaps = field(default_factory=Swaps.empty)


def make_fleet(n_sites: int, seed: int = 0, n_towns: int = 11) -> Fleet:
    rng = np.random.default_rng(seed)
    sites: list[SimSite] = []
    meters: list[SimMeter] = []
    for i in range(n_sites):
        r = i % 8
        town = int(rng.integers(0, n_towns))
        if r == 7:
            gen = "new" if (i // 8) % 2 == 0 else "existing"
            it_kw = float(rng.choice([500.0, 1000.0, 2000.0]))
            s = SimSite(f"DC{i:04d}", f"模拟数据中心{i}号", "data_centre", dc_generation=gen,
                        it_capacity_kw=it_kw, town=town)
            sites.append(s)
            si = len(sites) - 1
            it_idx = len(meters)
            meters.append(SimMeter(f"{s.code}-IT", si, "electricity", "kWh", "it_load", True, None,
                                   it_kw * 0.7, 0.85, (0, 24), 1.0, 0.0,
                                   start_value=float(rng.uniform(1e5, 1e6))))
            mean_pue = 1.25 if gen == "new" else 1.42
            meters.append(SimMeter(f"{s.code}-FAC", si, "electricity", "kWh", "facility_total", True, None,
                                   it_kw * 0.7, 0.85, (0, 24), 1.0, 0.0, share=float(it_idx),
                                   start_value=float(rng.uniform(1e5, 1e6)), pue=(mean_pue, 0.08)))
        elif r in (0, 3, 5):
            kind_kw = float(rng.uniform(300, 3000))
            s = SimSite(f"KU{i:04d}", f"模拟重点用能单位{i}号", "key_unit", town=town)
            sites.append(s)
            si = len(sites) - 1
            base, hrs, wk = _PROFILES["factory"][1:]
            meters.append(SimMeter(f"{s.code}-E", si, "electricity", "kWh", "total", True, None,
                                   kind_kw, base, hrs, wk, 0.1,
                                   start_value=float(rng.uniform(1e4, 1e7))))
            meters.append(SimMeter(f"{s.code}-G", si, "natural_gas", "m3", "total", False, None,
                                   kind_kw * 0.05, base, hrs, wk, 0.3))
        else:
            bt = BUILDING_TYPES[(i // 2) % len(BUILDING_TYPES)]
            area = float(rng.uniform(2e4, 1.2e5))
            kw_m2, base, hrs, wk = _PROFILES[bt]
            s = SimSite(f"PB{i:04d}", f"模拟{_TYPE_NAMES_ZH[bt]}{i}号", "public_building", building_type=bt,
                        floor_area_m2=round(area), town=town)
            sites.append(s)
            si = len(sites) - 1
            main = len(meters)
            meters.append(SimMeter(f"{s.code}-M", si, "electricity", "kWh", "total", True, None,
                                   kw_m2 * area * float(rng.uniform(0.8, 1.3)), base, hrs, wk, 0.35,
                                   start_value=float(rng.uniform(1e4, 1e7))))
            for cat, share in SUBITEMS:
                meters.append(SimMeter(f"{s.code}-{cat[:4].upper()}", si, "electricity", "kWh", cat, True, main,
                                       0.0, base, hrs, wk, 0.35, share=share,
                                       start_value=float(rng.uniform(0, 1e5))))
    # annual quotas: ~ expected annual energy (tce, accounting engine's default factor set) x 1.1, some tight
    fs = get_factor_set()
    for si, s in enumerate(sites):
        if s.kind == "public_building":
            continue
        tce = sum(m.peak * 24 * 365 * (m.base_frac + (1 - m.base_frac) * 0.45)
                  * float(fs.coal_equivalent[fs.index(m.carrier)]) * unit_factor(m.unit, CARRIERS[m.carrier].basis_unit)
                  for m in meters if m.site == si and m.parent is None and m.category != "it_load")
        s.annual_quota_tce = round(tce * (0.8 if si % 5 == 0 else 1.1), 1)
    return Fleet(sites, meters, seed)


def _load_matrix(fleet: Fleet, ts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Energy per interval (unit), shape (n_meters, len(ts))."""
    local = ts + TZ_OFFSET_S
    hour = (local % 86400) / 3600.0
    dow = ((local // 86400) + 3) % 7  # 1970-01-01 was a Thursday -> 0 = Monday
    doy = ((local.astype("datetime64[s]") - local.astype("datetime64[s]").astype("datetime64[Y]"))
           .astype("timedelta64[D]").astype(np.int64))
    # cooling peak late July, smaller heating bump in January
    season = 1.0 + 0.6 * np.maximum(0, np.cos(2 * np.pi * (doy - 205) / 365)) ** 2 \
        + 0.25 * np.maximum(0, np.cos(2 * np.pi * (doy - 15) / 365)) ** 4
    h = fleet.interval_s / 3600.0
    out = np.zeros((len(fleet.meters), len(ts)))
    for k, m in enumerate(fleet.meters):
        if m.parent is not None or m.category == "facility_total":
            continue
        a, b = m.hours
        occ = ((hour >= a) & (hour < b)).astype(np.float64)
        # soft ramps around opening hours
        occ = np.convolve(occ, np.ones(5) / 5, mode="same") if len(occ) > 5 else occ
        occ = np.where(dow >= 5, occ * m.weekend, occ)
        seas = 1.0 + m.seasonal * (season - 1.0)
        kw = m.peak * (m.base_frac + (1 - m.base_frac) * occ) * seas
        kw *= 1.0 + 0.05 * rng.standard_normal(len(ts))
        out[k] = np.maximum(kw, 0.0) * h
    for k, m in enumerate(fleet.meters):
        if m.parent is not None:
            noise = 1.0 + 0.03 * rng.standard_normal(len(ts))
            out[k] = out[m.parent] * m.share * noise
        elif m.category == "facility_total":
            mean, amp = m.pue
            p = mean + amp * (season - 1.3) + 0.01 * rng.standard_normal(len(ts))
            out[k] = out[int(m.share)] * p
    return out


def generate(fleet: Fleet, start_ts: int, days: int, chunk_days: int = 7,
             faults: bool = True) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield (meter_idx, ts, value) chunks sorted by (meter, ts); registers run on across chunks.

    Fault positions are recorded in ``fleet.faults`` and meter swaps in ``fleet.swaps``.
    """
    step = fleet.interval_s
    per_day = 86400 // step
    total = days * per_day
    n_m = len(fleet.meters)
    plan = plan_faults(fleet, days, faults)
    reg = np.array([m.start_value for m in fleet.meters])
    reg_prev_chunk = reg.copy()
    cum = np.array([m.cumulative for m in fleet.meters])
    rmax = np.array([m.register_max for m in fleet.meters])
    offset_after_swap = np.zeros(n_m)
    for c0 in range(0, total, chunk_days * per_day):
        c1 = min(total, c0 + chunk_days * per_day)
        k = np.arange(c0 + 1, c1 + 1)
        ts = start_ts + k * step
        rng = np.random.default_rng([fleet.seed, c0])
        e = _load_matrix(fleet, ts, rng)
        running = reg[:, None] + np.cumsum(e, axis=1)
        reg = running[:, -1].copy()
        vals = np.where(cum[:, None], running, e)
        keep = np.ones_like(vals, dtype=bool)
        off = np.broadcast_to(offset_after_swap[:, None], vals.shape).copy()
        for f in plan:
            j = f["k"] - (c0 + 1)
            m = f["meter"]
            if f["type"] == "swap":
                # new register from swap time on; old_final = register just before swap
                if c0 < f["k"] <= c1:
                    old_final = float(np.round(running[m, j - 1] if j > 0 else reg_prev_chunk[m], 2))
                    f["old_final"] = old_final
                    offset_after_swap[m] = old_final - f["new_initial"]
                    off[m, j:] = offset_after_swap[m]
                    f["ts"] = int(start_ts + f["k"] * step)
            elif not (c0 < f["k"] <= c1):
                continue
            elif f["type"] == "gap":
                keep[m, j: j + f["len"]] = False
            elif f["type"] == "spike":
                vals[m, j] += f["size"] if cum[m] else f["size"] * max(vals[m, j], 1.0)
        vals = vals - off * cum[:, None]
        # rollover: registers wrap past register_max
        wrap = cum[:, None] & (vals > rmax[:, None])
        vals = np.where(wrap, np.mod(vals, rmax[:, None] + 1.0), vals)
        vals = np.round(vals, 2)
        reg_prev_chunk = reg.copy()
        meter = np.broadcast_to(np.arange(n_m)[:, None], vals.shape)
        tsb = np.broadcast_to(ts[None, :], vals.shape)
        yield meter[keep].astype(np.int64), tsb[keep].astype(np.int64), vals[keep]
    sw = [f for f in plan if f["type"] == "swap" and "old_final" in f]
    fleet.swaps = Swaps(np.array([f["meter"] for f in sw], dtype=np.int64),
                        np.array([f["ts"] for f in sw], dtype=np.int64),
                        np.array([f["old_final"] for f in sw]),
                        np.array([f["new_initial"] for f in sw]))
    fleet.faults = plan


def plan_faults(fleet: Fleet, days: int, faults: bool = True) -> list[dict]:
    """The faults `generate` injects over ``days`` (deterministic per fleet seed, so calling it again gives the same
    plan), stored in ``fleet.faults``. It also lowers one register's maximum so that register rolls over: call it
    before storing the meters, so the stored meter knows the maximum its readings wrap at."""
    total = days * (86400 // fleet.interval_s)
    if not faults or total < 20:
        fleet.faults = []
        return []
    rng = np.random.default_rng(fleet.seed + 7)
    n_m = len(fleet.meters)
    plan: list[dict] = []
    cum_idx = [i for i, m in enumerate(fleet.meters) if m.cumulative]
    int_idx = [i for i, m in enumerate(fleet.meters) if not m.cumulative]
    n_f = max(1, n_m // 50)
    for _ in range(n_f):
        plan.append({"type": "gap", "meter": int(rng.choice(cum_idx)), "k": int(rng.integers(10, total - 10)),
                     "len": int(rng.integers(4, 12))})
        plan.append({"type": "spike", "meter": int(rng.choice(cum_idx)), "k": int(rng.integers(10, total - 10)),
                     "size": 50000.0})
    if int_idx:
        plan.append({"type": "spike", "meter": int(rng.choice(int_idx)), "k": int(rng.integers(10, total - 10)),
                     "size": 40.0})
    # rollover: one register starts just below its maximum
    m = cum_idx[0]
    fleet.meters[m].register_max = 999999.0
    fleet.meters[m].start_value = 999999.0 - fleet.meters[m].peak * 2
    # swap: one main meter replaced half way, new register starts at 12.5
    if len(cum_idx) > 1:
        plan.append({"type": "swap", "meter": cum_idx[1], "k": total // 2, "new_initial": 12.5})
    fleet.faults = plan
    return plan
