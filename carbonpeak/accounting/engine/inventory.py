"""Vectorised energy and CO2 accounting over validated records.

Per record (all numpy, no per-row Python):
    basis quantity   = quantity x unit multiplier[carrier, unit]          (t, m3, GJ or kWh)
    energy (当量值)   = basis x standard-coal coefficient[carrier]           tce
    energy (等价值)   = basis x reporting coefficient[carrier, year]          tce (electricity at the year's
                                                                          thermal power coal rate)
    scope 1 CO2      = basis x combustion factor[carrier]                  t
    scope 2 CO2      = basis x grid/heat factor[carrier, year]             t

then sums by carrier, sector, town, year and (year, sector) with `np.bincount`. Every result names
the factor set it used, and which published year each record year's grid factor came from.

Dual control (能耗双控): energy and CO2 intensity per 10,000 yuan of GDP at constant prices, progress
against a reduction target (the plan: energy per unit GDP -14% in 2025 vs 2020) along a geometric
trajectory, a total-energy cap, and the zero-coal check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from carbonpeak.plan.engine import trajectory as paths

from .carriers import CARRIERS, SECTORS
from .factors import FactorSet
from .records import mixed_periods
from .units import UNITS, UnitError

METRICS = ("energy_tce", "energy_tce_reporting", "co2_t", "co2_scope1_t", "co2_scope2_t",
           "non_fossil_tce", "non_fossil_tce_reporting", "coal_tce")
METHODS = {"equivalent": ("energy_tce", "non_fossil_tce"),
           "reporting": ("energy_tce_reporting", "non_fossil_tce_reporting")}
"""Electricity conversion: 'equivalent' = 当量值 (0.1229 kgce/kWh), 'reporting' = 等价值 (year's coal rate)."""


class InventoryError(ValueError):
    pass


def unit_matrix(fs: FactorSet) -> np.ndarray:
    """Basis units per input unit, shape (n_carriers, n_units); NaN where the unit does not fit the carrier.

    tce units are accepted for every carrier but electricity (whose coal equivalent depends on the method),
    converted back to physical quantity with the factor set's standard-coal coefficient.
    """
    units = list(UNITS.values())
    m = np.full((len(fs.carriers), len(units)), np.nan)
    for i, code in enumerate(fs.carriers):
        car = CARRIERS[code]
        basis = UNITS[car.basis_unit]
        for j, u in enumerate(units):
            if u.dimension == car.dimension:
                m[i, j] = u.to_base / basis.to_base
            elif u.dimension == "tce" and car.dimension != "electricity":
                m[i, j] = u.to_base / fs.coal_equivalent[i]
    return m


def _codes(values: Any, categories: list[str], what: str, accepted: list[str]) -> np.ndarray:
    """Integer codes of `values` into `categories` (hash factorisation, then a lookup per distinct value)."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        cat = values.array if isinstance(values, pd.Series) else values
        codes, uniq = np.asarray(cat.codes), list(cat.categories)
    else:
        codes, uniq = pd.factorize(np.asarray(values, dtype=object))
        uniq = list(uniq)
    index = {c: i for i, c in enumerate(categories)}
    lookup = np.array([index.get(u, -1) for u in uniq] + [-1], dtype=np.intp)
    out = lookup[codes]  # code -1 (missing) picks the trailing -1
    if (out < 0).any():
        bad = sorted({str(v) for v in np.asarray(values, dtype=object)[out < 0]})
        raise InventoryError(f"unknown {what} {', '.join(map(repr, bad[:5]))}; accepted: {', '.join(accepted)}")
    return out


def _year_codes(years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct sorted years, index of each record's year) without sorting a million values."""
    if not len(years):
        return np.array([], dtype=np.int64), np.array([], dtype=np.intp)
    lo = int(years.min())
    offs = (years - lo).astype(np.intp)
    present = np.bincount(offs) > 0
    uniq = np.flatnonzero(present)
    pos = np.cumsum(present) - 1
    return uniq + lo, pos[offs]


@dataclass
class Accounted:
    """Per-record results as arrays (same order as the input records)."""

    factor_set: str
    basis_quantity: np.ndarray
    energy_tce: np.ndarray
    energy_tce_reporting: np.ndarray
    co2_scope1_t: np.ndarray
    co2_scope2_t: np.ndarray
    carrier: np.ndarray  # int codes into CARRIERS
    year: np.ndarray
    grid_factor_year_used: dict[int, int]
    reporting_coal_year_used: dict[int, int | None]

    @property
    def co2_t(self) -> np.ndarray:
        return self.co2_scope1_t + self.co2_scope2_t


def account(records: pd.DataFrame, fs: FactorSet, check_years: bool = True) -> Accounted:
    """Per-record energy and CO2, vectorised. `records` as returned by `records.parse_records`."""
    carrier = _codes(records["carrier"], list(fs.carriers), "carrier", list(fs.carriers))
    unit = _codes(records["unit"], list(UNITS), "unit", list(UNITS))
    qty = np.asarray(records["quantity"], dtype=float)
    if not np.isfinite(qty).all() or (qty < 0).any():
        raise InventoryError("quantities must be finite and non-negative (parse records first)")
    years = np.asarray(records["year"], dtype=np.int64)
    if check_years and len(years):
        fs.check_years(np.unique(years))
    mult = unit_matrix(fs)[carrier, unit]
    if np.isnan(mult).any():
        i = int(np.flatnonzero(np.isnan(mult))[0])
        c = CARRIERS[fs.carriers[carrier[i]]]
        raise UnitError(list(UNITS)[unit[i]], [u.code for u in UNITS.values() if u.dimension == c.dimension],
                        c.code)
    uniq, yi = _year_codes(years)
    t = fs.year_tables(uniq)
    m = len(uniq)
    k = carrier * m + yi
    basis = qty * mult
    return Accounted(
        factor_set=fs.code,
        basis_quantity=basis,
        energy_tce=basis * t["tce_equivalent"].ravel()[k],
        energy_tce_reporting=basis * t["tce_reporting"].ravel()[k],
        co2_scope1_t=basis * t["co2_scope1"].ravel()[k],
        co2_scope2_t=basis * t["co2_scope2"].ravel()[k],
        carrier=carrier,
        year=years,
        grid_factor_year_used=t["grid_factor_year_used"],
        reporting_coal_year_used=t["reporting_coal_year_used"],
    )


def _sums(codes: np.ndarray, n: int, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: np.bincount(codes, weights=w, minlength=n) for name, w in cols.items()}


@dataclass
class Inventory:
    factor_set: str
    totals: dict[str, float]
    by_carrier: dict[str, dict[str, float]]
    by_sector: dict[str, dict[str, float]]
    by_town: dict[str, dict[str, float]]
    by_year: dict[int, dict[str, float]]
    by_year_sector: dict[int, dict[str, dict[str, float]]]
    by_year_carrier: dict[int, dict[str, dict[str, float]]]
    grid_factor_year_used: dict[int, int]
    reporting_coal_year_used: dict[int, int | None]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "factor_set": self.factor_set,
            **self.totals,
            "by_carrier": self.by_carrier,
            "by_sector": self.by_sector,
            "by_town": self.by_town,
            "by_year": {str(y): v for y, v in self.by_year.items()},
            "by_year_sector": {str(y): v for y, v in self.by_year_sector.items()},
            "by_year_carrier": {str(y): v for y, v in self.by_year_carrier.items()},
            "grid_factor_year_used": {str(y): v for y, v in self.grid_factor_year_used.items()},
            "reporting_coal_year_used": {str(y): v for y, v in self.reporting_coal_year_used.items()},
            "warnings": self.warnings,
        }


def _metric_arrays(acc: Accounted) -> dict[str, np.ndarray]:
    non_fossil = np.array([not CARRIERS[c].fossil for c in CARRIERS])[acc.carrier]
    coal = np.array([CARRIERS[c].coal for c in CARRIERS])[acc.carrier]
    return {
        "energy_tce": acc.energy_tce,
        "energy_tce_reporting": acc.energy_tce_reporting,
        "co2_t": acc.co2_t,
        "co2_scope1_t": acc.co2_scope1_t,
        "co2_scope2_t": acc.co2_scope2_t,
        "non_fossil_tce": np.where(non_fossil, acc.energy_tce, 0.0),
        "non_fossil_tce_reporting": np.where(non_fossil, acc.energy_tce_reporting, 0.0),
        "coal_tce": np.where(coal, acc.energy_tce, 0.0),
    }


def _table(keys: list[Any], sums: dict[str, np.ndarray], keep_empty: bool = False) -> dict[Any, dict[str, float]]:
    out = {}
    for i, key in enumerate(keys):
        row = {name: float(v[i]) for name, v in sums.items()}
        if keep_empty or any(row.values()) or row.get("_count", 0):
            row.pop("_count", None)
            out[key] = row
    return out


def compute_inventory(records: pd.DataFrame, fs: FactorSet, check_periods: bool = True) -> Inventory:
    """Totals and breakdowns by carrier, sector, town, year, (year, sector), (year, carrier)."""
    acc = account(records, fs)
    metrics = _metric_arrays(acc)
    n = len(acc.energy_tce)
    carriers = list(fs.carriers)
    sectors = list(SECTORS)
    sector = _codes(records["sector"], sectors, "sector", sectors)
    town_values = records["town"] if "town" in records else np.full(n, "", dtype=object)
    town_codes, towns = pd.factorize(np.asarray(town_values, dtype=object))
    years, yi = _year_codes(acc.year)

    cols = {**metrics, "quantity": acc.basis_quantity, "_count": np.ones(n)}
    shape = (len(years), len(sectors), len(carriers), max(len(towns), 1))
    if np.prod(shape) <= 2_000_000:
        # One pass over the records into a (year, sector, carrier, town) cube; every breakdown is a sum of it.
        cell = ((yi * shape[1] + sector) * shape[2] + acc.carrier) * shape[3] + town_codes
        cube = {k: np.bincount(cell, weights=w, minlength=int(np.prod(shape))).reshape(shape) for k, w in cols.items()}

        def sums(axes: tuple[int, ...]) -> dict[str, np.ndarray]:
            return {k: v.sum(axis=axes).ravel() for k, v in cube.items()}
    else:  # very many towns: group each breakdown straight from the records
        keep = {(0, 1, 3): acc.carrier, (0, 2, 3): sector, (0, 1, 2): town_codes, (1, 2, 3): yi,
                (2, 3): yi * shape[1] + sector, (1, 3): yi * shape[2] + acc.carrier}
        sizes = {(0, 1, 3): shape[2], (0, 2, 3): shape[1], (0, 1, 2): shape[3], (1, 2, 3): shape[0],
                 (2, 3): shape[0] * shape[1], (1, 3): shape[0] * shape[2]}

        def sums(axes: tuple[int, ...]) -> dict[str, np.ndarray]:
            return _sums(keep[axes], sizes[axes], cols)

    no_qty = lambda d: {k: v for k, v in d.items() if k != "quantity"}  # noqa: E731
    by_carrier = _table(carriers, sums((0, 1, 3)))
    for c, row in by_carrier.items():
        row["basis_unit"] = CARRIERS[c].basis_unit  # type: ignore[assignment]
    by_sector = _table(sectors, no_qty(sums((0, 2, 3))))
    town_names = [str(t) if str(t) else "(none)" for t in towns]
    by_town = _table(town_names, no_qty(sums((0, 1, 2))))
    year_keys = [int(y) for y in years]
    by_year = _table(year_keys, {k: v for k, v in sums((1, 2, 3)).items() if k not in ("quantity", "_count")},
                     keep_empty=True)
    by_year_sector: dict[int, dict[str, dict[str, float]]] = {}
    for key, row in _table([(y, s) for y in year_keys for s in sectors], no_qty(sums((2, 3)))).items():
        by_year_sector.setdefault(key[0], {})[key[1]] = row
    by_year_carrier: dict[int, dict[str, dict[str, float]]] = {}
    for key, row in _table([(y, c) for y in year_keys for c in carriers], sums((1, 3))).items():
        by_year_carrier.setdefault(key[0], {})[key[1]] = row

    totals = {name: float(v.sum()) for name, v in metrics.items()}
    totals["records"] = n
    for method, (e, nf) in METHODS.items():
        key = "non_fossil_share" if method == "equivalent" else "non_fossil_share_reporting"
        totals[key] = totals[nf] / totals[e] if totals[e] else None
    for y, row in by_year.items():
        row["non_fossil_share"] = row["non_fossil_tce"] / row["energy_tce"] if row["energy_tce"] else None
        row["non_fossil_share_reporting"] = (row["non_fossil_tce_reporting"] / row["energy_tce_reporting"]
                                             if row["energy_tce_reporting"] else None)
    warnings = []
    # A single published figure is a standing default (Shanghai's 0.42): only a year series that lacks the
    # record year, or a figure published after it, is worth a warning.
    series = len(fs.grid_co2_by_year) > 1
    used = {y: u for y, u in acc.grid_factor_year_used.items() if u > y or (series and u != y)}
    if used:
        warnings.append("grid factor: no published figure for year(s) "
                        + ", ".join(f"{y} (used {u})" for y, u in sorted(used.items())))
    if check_periods:
        mixed = mixed_periods(records)
        for r in mixed.head(20).itertuples(index=False):
            warnings.append(f"{r.entity} / {r.carrier} / {r.year}: both annual and monthly records, summed")
    return Inventory(fs.code, totals, by_carrier, by_sector, by_town, by_year, by_year_sector, by_year_carrier,
                     acc.grid_factor_year_used, acc.reporting_coal_year_used, warnings)


# -- dual control --------------------------------------------------------------------------------------

def trajectory(base_value: float, base_year: int, target_year: int, reduction: float, year: int) -> float:
    """Intensity allowed in `year` on the plan's geometric path from `base_value` to (1-reduction) x base in
    target_year: the shared trajectory engine, so progress and accounting draw the same path."""
    return paths.expected(paths.GEOMETRIC, (base_year, base_value), (target_year, base_value * (1.0 - reduction)),
                          year)


def dual_control(by_year: Mapping[int, Mapping[str, float]], gdp: Mapping[int, float], *,
                 method: str = "equivalent", base_year: int = 2020, target_year: int = 2025,
                 reduction: float = 0.14, energy_cap_tce: float | Mapping[int, float] | None = None,
                 factor_set: str = "") -> dict[str, Any]:
    """Energy/CO2 intensity per 10,000 yuan GDP (constant prices) by year, and progress against targets.

    `gdp`: {year: GDP in 10^4 yuan at constant prices}. A year without GDP gets no intensity (None), never
    an interpolated one. `energy_cap_tce`: one cap for every year or a cap by year (total energy, same method).
    """
    if method not in METHODS:
        raise InventoryError(f"unknown method {method!r}; accepted: {', '.join(METHODS)}")
    e_key, nf_key = METHODS[method]
    if not 0 <= reduction < 1:
        raise InventoryError("reduction must be a fraction in [0, 1)")
    gdp = {int(y): float(v) for y, v in gdp.items()}
    bad = [y for y, v in gdp.items() if not v > 0]
    if bad:
        raise InventoryError(f"GDP must be positive; year(s) {bad}")
    rows = []
    base = by_year.get(base_year)
    base_ei = base[e_key] / gdp[base_year] if base is not None and base_year in gdp else None
    base_ci = base["co2_t"] / gdp[base_year] if base is not None and base_year in gdp else None
    for y in sorted(by_year):
        r = by_year[y]
        g = gdp.get(y)
        ei = r[e_key] / g if g else None
        ci = r["co2_t"] / g if g else None
        cap = energy_cap_tce.get(y) if isinstance(energy_cap_tce, Mapping) else energy_cap_tce
        traj = trajectory(base_ei, base_year, target_year, reduction, y) if base_ei else None
        rows.append({
            "year": y,
            "energy_tce": r[e_key],
            "co2_t": r["co2_t"],
            "gdp_10k_yuan": g,
            "energy_intensity_tce_per_10k_yuan": ei,
            "co2_intensity_t_per_10k_yuan": ci,
            "energy_intensity_change_vs_base": (ei / base_ei - 1.0) if ei is not None and base_ei else None,
            "co2_intensity_change_vs_base": (ci / base_ci - 1.0) if ci is not None and base_ci else None,
            "trajectory_energy_intensity": traj,
            "on_track": (ei <= traj * (1 + 1e-12)) if ei is not None and traj is not None else None,
            "non_fossil_share": (r[nf_key] / r[e_key]) if r[e_key] else None,
            "coal_tce": r["coal_tce"],
            "zero_coal": r["coal_tce"] == 0.0,
            "energy_cap_tce": cap,
            "cap_headroom_tce": (cap - r[e_key]) if cap is not None else None,
            "within_cap": (r[e_key] <= cap) if cap is not None else None,
        })
    with_ei = [r for r in rows if r["energy_intensity_tce_per_10k_yuan"] is not None]
    latest = with_ei[-1] if with_ei else None
    target_ei = base_ei * (1 - reduction) if base_ei else None
    summary = {
        "factor_set": factor_set,
        "method": method,
        "base_year": base_year,
        "target_year": target_year,
        "target_reduction": reduction,
        "base_energy_intensity": base_ei,
        "target_energy_intensity": target_ei,
        "latest_year": latest["year"] if latest else None,
        "latest_energy_intensity": latest["energy_intensity_tce_per_10k_yuan"] if latest else None,
        "achieved_reduction": (-latest["energy_intensity_change_vs_base"]
                               if latest and latest["energy_intensity_change_vs_base"] is not None else None),
        "required_reduction_by_latest": (1 - latest["trajectory_energy_intensity"] / base_ei
                                         if latest and base_ei and latest["trajectory_energy_intensity"] else None),
        "on_track": latest["on_track"] if latest else None,
        "zero_coal": all(r["zero_coal"] for r in rows),
        "within_cap": (all(r["within_cap"] for r in rows if r["within_cap"] is not None)
                       if energy_cap_tce is not None else None),
    }
    return {"summary": summary, "years": rows}
