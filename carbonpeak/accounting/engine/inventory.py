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

Feedstock records (原料用能) are accounted as energy but carry no combustion CO2 (they are not burnt), and are
kept out of energy consumption control. Renewable electricity (local PV, wind, traded green power) is summed
separately. The non-fossil share counts non-fossil carriers plus the grid's cited non-fossil share of
purchased grid electricity.

Dual control (双控), per method (当量值 or 等价值): the energy counted for control is all energy less feedstock
(发改环资〔2022〕803号) less new renewable electricity beyond the 2020 base (发改运行〔2022〕1258号), year by year;
energy and CO2 intensity per 10,000 yuan of GDP at constant prices, progress against the reduction targets
(the plan: energy per unit GDP -14% in 2025 vs 2020; CO2 per unit GDP when one is declared, 国办发〔2024〕39号)
along a geometric trajectory, total-energy and CO2 caps (a cap is compared only with energy of its own
method), and the zero-coal check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from carbonpeak.plan.engine import trajectory as paths

from .carriers import CARRIERS, SECTORS
from .factors import FactorSet
from .records import USES, mixed_periods
from .units import UNITS, UnitError

METRICS = ("energy_tce", "energy_tce_reporting", "co2_t", "co2_scope1_t", "co2_scope2_t",
           "non_fossil_tce", "non_fossil_tce_reporting", "coal_tce", "feedstock_tce")
METHODS = {"equivalent": ("energy_tce", "non_fossil_tce"),
           "reporting": ("energy_tce_reporting", "non_fossil_tce_reporting")}
"""Electricity conversion: 'equivalent' = 当量值 (0.1229 kgce/kWh), 'reporting' = 等价值 (year's coal rate)."""
METHOD_LABELS = {"equivalent": "当量值", "reporting": "等价值"}
METHOD_KEYS = {
    "equivalent": {"energy": "energy_tce", "non_fossil": "non_fossil_tce", "feedstock": "feedstock_tce",
                   "renewable": "renewable_tce"},
    "reporting": {"energy": "energy_tce_reporting", "non_fossil": "non_fossil_tce_reporting",
                  "feedstock": "feedstock_tce_reporting", "renewable": "renewable_tce_reporting"},
}
"""The by-year keys of each method's figures (feedstock is fuels only: the same in both methods)."""
RENEWABLE_BASE_YEAR = 2020
FEEDSTOCK_RULE = "发改环资〔2022〕803号: 原料用能不纳入能源消费总量和强度控制 (feedstock excluded)"
RENEWABLE_RULE = ("发改运行〔2022〕1258号: 以2020年可再生能源电力消费量为基数, 新增的可再生能源电力消费量在能源消费"
                  "总量和强度考核时扣除 (renewable electricity beyond the 2020 base deducted)")
NO_RENEWABLE_BASE = ("发改运行〔2022〕1258号: 无2020年可再生能源电力消费数据, 无扣除基数, 未扣除 "
                     "(no 2020 renewable electricity data: no deduction base, nothing deducted)")


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
    feedstock: np.ndarray  # bool: 原料用能
    non_fossil_fraction: np.ndarray  # non-fossil part of each record's energy
    grid_non_fossil_year_used: dict[int, int | None] = field(default_factory=dict)

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
    feedstock = (_codes(records["use"], list(USES), "use", list(USES)) == 1 if "use" in records
                 else np.zeros(len(qty), dtype=bool))
    scope1 = basis * t["co2_scope1"].ravel()[k]
    return Accounted(
        factor_set=fs.code,
        basis_quantity=basis,
        energy_tce=basis * t["tce_equivalent"].ravel()[k],
        energy_tce_reporting=basis * t["tce_reporting"].ravel()[k],
        co2_scope1_t=np.where(feedstock, 0.0, scope1) if feedstock.any() else scope1,  # feedstock is not burnt
        co2_scope2_t=basis * t["co2_scope2"].ravel()[k],
        carrier=carrier,
        year=years,
        grid_factor_year_used=t["grid_factor_year_used"],
        reporting_coal_year_used=t["reporting_coal_year_used"],
        feedstock=feedstock,
        non_fossil_fraction=t["non_fossil"].ravel()[k],
        grid_non_fossil_year_used=t["grid_non_fossil_year_used"],
    )


def _bincount(codes: np.ndarray, weights: np.ndarray | None, n: int) -> np.ndarray:
    """Sums of `weights` by code; a column that is zero throughout (None) costs nothing."""
    return np.zeros(n) if weights is None else np.bincount(codes, weights=weights, minlength=n)


def _sums(codes: np.ndarray, n: int, cols: dict[str, np.ndarray | None]) -> dict[str, np.ndarray]:
    return {name: _bincount(codes, w, n) for name, w in cols.items()}


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


def _metric_arrays(acc: Accounted) -> dict[str, np.ndarray | None]:
    """Per-record figures summed into every breakdown (None: zero for every record, e.g. no feedstock)."""
    coal = np.array([CARRIERS[c].coal for c in CARRIERS])[acc.carrier]
    return {
        "energy_tce": acc.energy_tce,
        "energy_tce_reporting": acc.energy_tce_reporting,
        "co2_t": acc.co2_t,
        "co2_scope1_t": acc.co2_scope1_t,
        "co2_scope2_t": acc.co2_scope2_t,
        "non_fossil_tce": acc.non_fossil_fraction * acc.energy_tce,
        "non_fossil_tce_reporting": acc.non_fossil_fraction * acc.energy_tce_reporting,
        "coal_tce": np.where(coal, acc.energy_tce, 0.0),
        "feedstock_tce": np.where(acc.feedstock, acc.energy_tce, 0.0) if acc.feedstock.any() else None,
    }


def _method_figures(row: dict[str, float], year: int, by_carrier: Mapping[str, Mapping[str, float]],
                    fs: FactorSet) -> None:
    """Add the figures derived per year from its carriers: renewable electricity (当量值 tce, kWh, 等价值 tce),
    feedstock 等价值 (= 当量值: fuels only)."""
    row["renewable_tce"] = float(sum(r["energy_tce"] for c, r in by_carrier.items() if CARRIERS[c].renewable))
    kwh = float(row["renewable_tce"] / fs.coal_equivalent[fs.index("electricity")])
    row["renewable_kwh"] = kwh
    row["renewable_tce_reporting"] = kwh * float(fs.reporting_coal(year)[0])
    row["feedstock_tce_reporting"] = row["feedstock_tce"]


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
        cube = {k: _bincount(cell, w, int(np.prod(shape))).reshape(shape) for k, w in cols.items()}

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

    for y, row in by_year.items():
        _method_figures(row, y, by_year_carrier.get(y, {}), fs)
    totals = {name: float(v.sum()) if v is not None else 0.0 for name, v in metrics.items()}
    for key in ("renewable_tce", "renewable_kwh", "renewable_tce_reporting", "feedstock_tce_reporting"):
        totals[key] = sum(row[key] for row in by_year.values())
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
    for what, table in (("等价值 electricity (" + (fs.reporting_coal_statistic or "thermal power coal rate") + ")",
                         acc.reporting_coal_year_used), ("grid non-fossil share", acc.grid_non_fossil_year_used)):
        reused = {y: u for y, u in table.items() if u and u != y}
        if reused:
            warnings.append(f"{what}: year(s) "
                            + ", ".join(f"{y} reuse {u}'s value" for y, u in sorted(reused.items())))
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


def constant_price_gdp(values: Mapping[int, tuple[float, int]], price_base_year: int,
                       deflator: Mapping[int, float] | None = None) -> dict[int, float]:
    """GDP {year: 10^4 yuan} at constant prices of `price_base_year`, from {year: (value, its price base year)}.

    A value in another price base is converted with the deflator series {year: price index} (value x
    index[base] / index[its base]); without the two index years it is refused (InventoryError), never mixed.
    """
    out = {}
    for year, (value, base) in values.items():
        if int(base) == int(price_base_year):
            out[int(year)] = float(value)
            continue
        if not deflator or base not in deflator or price_base_year not in deflator:
            raise InventoryError(
                f"GDP of {year} is at {base} prices, the plan's GDP is at constant {price_base_year} prices: "
                f"give a deflator (price index) series covering {base} and {price_base_year}, or enter {year} "
                f"at {price_base_year} prices")
        if not (deflator[base] > 0 and deflator[price_base_year] > 0):
            raise InventoryError(f"deflator of {base} and {price_base_year} must be positive")
        out[int(year)] = float(value) * deflator[price_base_year] / deflator[base]
    return out


def control_energy(by_year: Mapping[int, Mapping[str, float]], method: str,
                   base_year: int = RENEWABLE_BASE_YEAR) -> dict[int, dict[str, Any]]:
    """Per year and method: all energy, feedstock, renewable electricity, the new-renewable deduction and the
    energy counted for dual control (all − feedstock − deduction), with the rules applied named.

    The deduction is renewable electricity consumed beyond the base year's (kWh, never negative), converted
    at the year's rate of the method; without base-year data there is no deduction base and nothing is deducted.
    """
    k = METHOD_KEYS[method]
    base = by_year.get(base_year)
    base_kwh = base.get("renewable_kwh") if base is not None else None
    out = {}
    for y, r in by_year.items():
        kwh = float(r.get("renewable_kwh", 0.0))
        renewable = float(r.get(k["renewable"], 0.0))
        deduct_kwh = max(0.0, kwh - base_kwh) if base_kwh is not None and y > base_year else 0.0
        deduct = renewable * deduct_kwh / kwh if kwh else 0.0
        feedstock = float(r.get(k["feedstock"], 0.0))
        out[y] = {
            "energy_tce": r[k["energy"]], "feedstock_tce": feedstock, "renewable_tce": renewable,
            "renewable_kwh": kwh, "renewable_base_kwh": base_kwh, "renewable_deduction_kwh": deduct_kwh,
            "renewable_deduction_tce": deduct, "dual_control_energy_tce": r[k["energy"]] - feedstock - deduct,
            "rules": [FEEDSTOCK_RULE, RENEWABLE_RULE if base_kwh is not None else NO_RENEWABLE_BASE],
        }
    return out


METHOD_FIGURES = ("energy_tce", "feedstock_tce", "renewable_tce", "renewable_deduction_tce",
                  "dual_control_energy_tce")


def by_method(by_year: Mapping[int, Mapping[str, float]]) -> dict[str, Any]:
    """Each method's (当量值, 等价值) energy for control, by year and summed over years, with co2_t beside it.

    {"当量值": {"method": "equivalent", "energy_tce", "feedstock_tce", "renewable_tce",
    "renewable_deduction_tce", "dual_control_energy_tce", "co2_t", "rules", "by_year": {year: {...}}}, "等价值": ...}
    """
    out: dict[str, Any] = {}
    for method, label in METHOD_LABELS.items():
        years = control_energy(by_year, method)
        rows = {y: {k: e[k] for k in METHOD_FIGURES} | {"co2_t": by_year[y]["co2_t"], "rules": e["rules"]}
                for y, e in sorted(years.items())}
        out[label] = {"method": method, **{k: float(sum(r[k] for r in rows.values())) for k in (*METHOD_FIGURES, "co2_t")},
                      "rules": list(dict.fromkeys(rule for r in rows.values() for rule in r["rules"])),
                      "by_year": rows}
    return out


def _per_year(value: float | Mapping[int, Any] | None, year: int) -> Any:
    return value.get(year) if isinstance(value, Mapping) else value


def dual_control(by_year: Mapping[int, Mapping[str, float]], gdp: Mapping[int, float], *,
                 method: str = "equivalent", base_year: int = 2020, target_year: int = 2025,
                 reduction: float | None = 0.14, energy_cap_tce: float | Mapping[int, float] | None = None,
                 cap_method: str | Mapping[int, str] | None = None, co2_reduction: float | None = None,
                 co2_target_year: int | None = None, co2_cap_t: float | Mapping[int, float] | None = None,
                 factor_set: str = "") -> dict[str, Any]:
    """Energy and CO2 dual control by year: intensity per 10,000 yuan GDP (constant prices), progress, caps.

    Energy is that counted for control (`control_energy`: feedstock and new renewables out), by `method`.
    `gdp`: {year: GDP in 10^4 yuan at constant prices}. A year without GDP gets no intensity (None), never
    an interpolated one. `energy_cap_tce`: one cap for every year or a cap by year, declared in `cap_method`
    (default: `method`); a cap of the other method is not compared (the row says which method it is in).
    `co2_reduction` (fraction, by `co2_target_year`, vs `base_year`) and `co2_cap_t`: the carbon targets.
    `reduction` None (the plan sets no intensity target): no trajectory. Whether a year is on track is the
    `progress` app's to say (the one status rule), never this function's.
    """
    if method not in METHODS:
        raise InventoryError(f"unknown method {method!r}; accepted: {', '.join(METHODS)}")
    nf_key = METHODS[method][1]
    for r, what in ((reduction, "reduction"), (co2_reduction, "co2_reduction")):
        if r is not None and not 0 <= r < 1:
            raise InventoryError(f"{what} must be a fraction in [0, 1)")
    gdp = {int(y): float(v) for y, v in gdp.items()}
    bad = [y for y, v in gdp.items() if not v > 0]
    if bad:
        raise InventoryError(f"GDP must be positive; year(s) {bad}")
    energy = control_energy(by_year, method, base_year)
    co2_target_year = co2_target_year or target_year
    base_g = gdp.get(base_year)
    base_ei = energy[base_year]["dual_control_energy_tce"] / base_g if base_year in energy and base_g else None
    base_ci = by_year[base_year]["co2_t"] / base_g if base_year in by_year and base_g else None
    rows = []
    for y in sorted(by_year):
        r, e = by_year[y], energy[y]
        g = gdp.get(y)
        ei = e["dual_control_energy_tce"] / g if g else None
        ci = r["co2_t"] / g if g else None
        traj = trajectory(base_ei, base_year, target_year, reduction, y) if base_ei and reduction is not None else None
        co2_traj = (trajectory(base_ci, base_year, co2_target_year, co2_reduction, y)
                    if base_ci and co2_reduction is not None else None)
        declared = _per_year(energy_cap_tce, y)
        declared_method = _per_year(cap_method, y) or method
        cap = declared if declared_method == method else None
        co2_cap = _per_year(co2_cap_t, y)
        rows.append({
            "year": y, "method": method, "method_label": METHOD_LABELS[method], **e,
            "co2_t": r["co2_t"],
            "gdp_10k_yuan": g,
            "energy_intensity_tce_per_10k_yuan": ei,
            "co2_intensity_t_per_10k_yuan": ci,
            "energy_intensity_change_vs_base": (ei / base_ei - 1.0) if ei is not None and base_ei else None,
            "co2_intensity_change_vs_base": (ci / base_ci - 1.0) if ci is not None and base_ci else None,
            "trajectory_energy_intensity": traj,
            "trajectory_co2_intensity": co2_traj,
            "non_fossil_share": (r[nf_key] / r[METHODS[method][0]]) if r[METHODS[method][0]] else None,
            "coal_tce": r["coal_tce"],
            "zero_coal": r["coal_tce"] == 0.0,
            "energy_cap_tce": cap,
            "energy_cap_declared_in": (METHOD_LABELS.get(declared_method, declared_method)
                                       if declared is not None else None),
            "cap_headroom_tce": (cap - e["dual_control_energy_tce"]) if cap is not None else None,
            "within_cap": (e["dual_control_energy_tce"] <= cap) if cap is not None else None,
            "co2_cap_t": co2_cap,
            "within_co2_cap": (r["co2_t"] <= co2_cap) if co2_cap is not None else None,
        })
    return {"summary": _summary(rows, base_ei, base_ci, method=method, base_year=base_year, target_year=target_year,
                                reduction=reduction, co2_reduction=co2_reduction, co2_target_year=co2_target_year,
                                factor_set=factor_set),
            "years": rows}


def _summary(rows: list[dict[str, Any]], base_ei: float | None, base_ci: float | None, *, method: str,
             base_year: int, target_year: int, reduction: float | None, co2_reduction: float | None,
             co2_target_year: int, factor_set: str) -> dict[str, Any]:
    with_ei = [r for r in rows if r["energy_intensity_tce_per_10k_yuan"] is not None]
    latest = with_ei[-1] if with_ei else None
    change = latest["energy_intensity_change_vs_base"] if latest else None
    co2_change = latest["co2_intensity_change_vs_base"] if latest else None
    caps = [r["within_cap"] for r in rows if r["within_cap"] is not None]
    co2_caps = [r["within_co2_cap"] for r in rows if r["within_co2_cap"] is not None]
    return {
        "factor_set": factor_set,
        "method": method,
        "method_label": METHOD_LABELS[method],
        "rules": list(dict.fromkeys(rule for r in rows for rule in r["rules"])),
        "base_year": base_year,
        "target_year": target_year,
        "target_reduction": reduction,
        "base_energy_intensity": base_ei,
        "target_energy_intensity": base_ei * (1 - reduction) if base_ei and reduction is not None else None,
        "latest_year": latest["year"] if latest else None,
        "latest_energy_intensity": latest["energy_intensity_tce_per_10k_yuan"] if latest else None,
        "achieved_reduction": -change if change is not None else None,
        "required_reduction_by_latest": (1 - latest["trajectory_energy_intensity"] / base_ei
                                         if latest and base_ei and latest["trajectory_energy_intensity"] else None),
        "co2_target_year": co2_target_year,
        "co2_target_reduction": co2_reduction,
        "base_co2_intensity": base_ci,
        "target_co2_intensity": base_ci * (1 - co2_reduction) if base_ci and co2_reduction is not None else None,
        "co2_achieved_reduction": -co2_change if co2_change is not None else None,
        "zero_coal": all(r["zero_coal"] for r in rows),
        "within_cap": all(caps) if caps else None,
        "within_co2_cap": all(co2_caps) if co2_caps else None,
    }
