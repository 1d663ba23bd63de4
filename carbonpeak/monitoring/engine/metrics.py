"""Derived monitoring metrics: building EUI, data-centre PUE, coverage, energy quotas."""
from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------------------
# Building energy use intensity (EUI), kWh per m2 of floor area per year.
#
# INDICATIVE FIGURES. The intended source is GB/T 51161-2016 《民用建筑能耗标准》, non-heating energy
# use indicators for the hot-summer/cold-winter zone (夏热冬冷地区, which includes Shanghai), class B
# buildings (mechanically ventilated/air-conditioned large public buildings): 约束值 (constraint) and
# 引导值 (guide), Tables 5.2.1 (office), 5.2.2 (hotel), 5.2.3 (mall). The office/hotel/mall numbers
# below were written from memory by a previous developer and could NOT be verified against the text
# of the standard (searched: public web pages, documentation and code corpora, 2026-11; no copy of
# the tables found). Hospital and school have no table in GB/T 51161. Every row therefore carries
# source "indicative: ..." until someone checks the tables and replaces the numbers with cited ones;
# the alerts built on them are flagged "EUI above constraint value" against these indicative values.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    constraint: float  # 约束值: above this the building fails the standard
    guide: float  # 引导值: advanced level
    source: str

    @property
    def indicative(self) -> bool:
        """Not verified against the standard: every page showing the values marks them "indicative"."""
        return self.source.startswith("indicative")


EUI_BENCHMARKS: dict[str, Benchmark] = {
    "government_office": Benchmark(90.0, 65.0, "indicative: meant as GB/T 51161-2016 Tab.5.2.1 党政机关办公建筑 "
                                               "B类 夏热冬冷; not verified against the standard"),
    "office": Benchmark(110.0, 90.0, "indicative: meant as GB/T 51161-2016 Tab.5.2.1 商业办公建筑 B类 夏热冬冷; "
                                     "not verified against the standard"),
    "hotel": Benchmark(200.0, 160.0, "indicative: meant as GB/T 51161-2016 Tab.5.2.2 四星级酒店 B类 夏热冬冷; "
                                     "not verified against the standard"),
    "mall": Benchmark(300.0, 245.0, "indicative: meant as GB/T 51161-2016 Tab.5.2.3 购物中心 B类 夏热冬冷; "
                                    "not verified against the standard"),
    "hospital": Benchmark(200.0, 150.0, "indicative: GB/T 51161-2016 has no hospital table"),
    "school": Benchmark(60.0, 45.0, "indicative: GB/T 51161-2016 has no school table"),
}


def eui(kwh: float | np.ndarray, floor_area_m2: float, days: float = 365.0) -> float | np.ndarray:
    """EUI in kWh/m2·a, annualised from ``days`` of consumption."""
    if floor_area_m2 <= 0:
        raise ValueError("floor area must be positive")
    if days <= 0:
        raise ValueError("days must be positive")
    return kwh / floor_area_m2 * (365.0 / days)


def eui_rating(value: float, building_type: str) -> str:
    """'guide' (at or below 引导值), 'ok' (at or below 约束值), 'over' (above 约束值)."""
    b = EUI_BENCHMARKS[building_type]
    if value <= b.guide:
        return "guide"
    if value <= b.constraint:
        return "ok"
    return "over"


# ---------------------------------------------------------------------------
# Data-centre PUE. The limits (new / existing data centres) are the plan's indicators with roles
# dc_pue_new / dc_pue_existing (monitoring.services.pue_limit).
# ---------------------------------------------------------------------------


def pue(facility_kwh: np.ndarray | float, it_kwh: np.ndarray | float) -> np.ndarray:
    """PUE = total facility energy / IT equipment energy; NaN where IT energy is 0."""
    f = np.asarray(facility_kwh, dtype=np.float64)
    it = np.asarray(it_kwh, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(it > 0, f / np.where(it > 0, it, 1.0), np.nan)


def pue_annual(facility_monthly: np.ndarray, it_monthly: np.ndarray) -> float:
    """Annual PUE is the ratio of sums, not the mean of monthly ratios."""
    return float(pue(np.sum(facility_monthly), np.sum(it_monthly)))


def pue_breach(value: float | np.ndarray, limit: float) -> np.ndarray:
    """Above the limit (the limit itself is allowed)."""
    return np.asarray(value) > limit


# ---------------------------------------------------------------------------
# Monitoring coverage
# ---------------------------------------------------------------------------
def coverage(last_seen_ts: np.ndarray, now_ts: int, max_age_s: int = 2 * 86400) -> float:
    """% of units whose latest reading is within ``max_age_s`` (never-seen = NaN or < 0)."""
    last = np.asarray(last_seen_ts, dtype=np.float64)
    if len(last) == 0:
        return 0.0
    ok = np.isfinite(last) & (last >= 0) & (now_ts - last <= max_age_s)
    return 100.0 * float(ok.sum()) / len(last)


# ---------------------------------------------------------------------------
# Energy quota (限额管理)
# ---------------------------------------------------------------------------
QUOTA_WARNING = 0.8
QUOTA_EXCEEDED = 1.0


def ytd_allowance(annual_quota: float, year: int, month: int, day: int,
                  monthly_profile: np.ndarray | None = None, since: tuple[int, int] | None = None) -> float:
    """Year-to-date allowance up to and including (month, day).

    Without a profile the quota accrues linearly over calendar days; with a 12-value
    monthly profile (weights, normalised here) each month accrues its share linearly
    over its days. ``since`` = (month, day) of the first monitored day when a unit joined
    monitoring during the year: the allowance then accrues from that day, so consumption
    that was never metered is not compared with a full year-to-date allowance.
    """
    if since is not None and since > (1, 1):
        before = since[1] - 1 if since[1] > 1 else None
        prev = (since[0], before) if before else (since[0] - 1, calendar.monthrange(year, since[0] - 1)[1])
        return (ytd_allowance(annual_quota, year, month, day, monthly_profile)
                - ytd_allowance(annual_quota, year, prev[0], prev[1], monthly_profile))
    if monthly_profile is None:
        days_in_year = 366 if calendar.isleap(year) else 365
        doy = sum(calendar.monthrange(year, m)[1] for m in range(1, month)) + day
        return annual_quota * doy / days_in_year
    w = np.asarray(monthly_profile, dtype=np.float64)
    if w.shape != (12,) or w.sum() <= 0 or (w < 0).any():
        raise ValueError("monthly profile must be 12 non-negative weights")
    w = w / w.sum()
    dim = calendar.monthrange(year, month)[1]
    return annual_quota * (float(w[: month - 1].sum()) + float(w[month - 1]) * day / dim)


def quota_level(ytd_consumption: float, allowance: float) -> str:
    """'ok', 'warning' (>= 80 % of the YTD allowance) or 'exceeded' (>= 100 %)."""
    if allowance <= 0:
        return "exceeded" if ytd_consumption > 0 else "ok"
    r = ytd_consumption / allowance
    if r >= QUOTA_EXCEEDED:
        return "exceeded"
    if r >= QUOTA_WARNING:
        return "warning"
    return "ok"
