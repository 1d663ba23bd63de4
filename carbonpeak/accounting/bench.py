"""Benchmark figures for `carbonpeak bench`: vectorised accounting against a plain per-row Python loop.

`accounting_<n>_vs_loop_speedup`: both sides start from the same parsed records (strings for carrier, unit,
sector, town; numbers for quantity and year) and produce the same totals and breakdowns by carrier, sector,
town and year.

`accounting_csv_<n>_end_to_end_vs_loop_speedup`: both sides start from the same CSV file on disk
(`entity,sector,carrier,quantity,unit,year,month,town`) and do the whole job: read, validate every cell
(the same rules and row-level errors as `records.parse_records`: `loop_csv_inventory` is checked against it
in the tests), account, break down. The loop is a plain `csv`-module loop, one row at a time.
`accounting_csv_1m_end_to_end_budget_ratio` is the issue's budget — 1M records from file to totals in 2 s —
divided by the vectorised time: above 1 is within budget. It is measured at 1M records only (not with
`--quick`), the size the budget is stated for, rather than extrapolated from a smaller file.

The vectorised side's time is the median of three runs; each loop runs once over all N records (not a
scaled subsample), and its totals are checked against the vectorised ones before any figure is reported.
"""

from __future__ import annotations

import csv
import math
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .engine.carriers import CARRIERS, SECTORS
from .engine.factors import FactorSet, get_factor_set
from .engine.inventory import compute_inventory
from .engine.records import ENTITY_KINDS, OPTIONAL, REQUIRED, YEAR_RANGE, RecordsError, RowError, parse_records
from .engine.units import _ALIASES, UNITS, _normalise, accepted_units

BUDGET_S_PER_MILLION = 2.0
"""The issue's budget: a million records from CSV file to totals in under 2 s."""

_UNITS = {"raw_coal": "t", "coke": "t", "crude_oil": "t", "gasoline": "t", "kerosene": "t", "diesel": "kg",
          "fuel_oil": "t", "lpg": "t", "natural_gas": "万m3", "heat": "GJ", "electricity": "万kWh",
          "green_electricity": "MWh", "pv_electricity": "kWh"}
"""The carriers (and units) of the synthetic records: the same mix in every run, so figures stay comparable."""


def synthetic_records(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    carriers = np.array(list(_UNITS), dtype=object)
    c = carriers[rng.integers(0, len(carriers), n)]
    return pd.DataFrame({
        "entity": np.char.add("E", rng.integers(0, 5000, n).astype(str)).astype(object),
        "sector": np.array(list(SECTORS), dtype=object)[rng.integers(0, len(SECTORS), n)],
        "carrier": c,
        "quantity": rng.random(n) * 1000.0,
        "unit": pd.Series(c).map(_UNITS).to_numpy(dtype=object),
        "year": rng.integers(2020, 2026, n),
        "month": np.zeros(n, dtype=np.int64),
        "town": np.array(["赵巷镇", "徐泾镇", "华新镇", "朱家角镇", ""], dtype=object)[rng.integers(0, 5, n)],
    })


class _LoopAccount:
    """One record's accounting, for the per-row baselines (`loop_inventory`, `loop_csv_inventory`)."""

    def __init__(self, fs) -> None:
        self.fs = fs
        self.grid: dict = {}
        self.rep: dict = {}
        self.totals = {"energy_tce": 0.0, "energy_tce_reporting": 0.0, "co2_t": 0.0}
        self.tables: dict[str, dict] = {"by_carrier": {}, "by_sector": {}, "by_town": {}, "by_year": {}}

    def add(self, carrier: str, i: int, q: float, year, electric: bool, sector: str, town: str) -> None:
        """Account `q` basis units of `carrier` (index `i` in the factor set)."""
        fs = self.fs
        if year not in self.grid:
            self.grid[year] = fs.grid_factor(int(year))[0]
            self.rep[year] = fs.reporting_coal(int(year))[0]
        tce = q * fs.coal_equivalent[i]
        tce_rep = q * self.rep[year] if electric else tce
        co2 = q * fs.co2_direct[i]
        if carrier == "electricity":
            co2 += q * self.grid[year]
        elif carrier == "heat":
            co2 += q * fs.heat_co2
        elif carrier == "green_electricity":
            co2 += q * fs.green_co2
        self.totals["energy_tce"] += tce
        self.totals["energy_tce_reporting"] += tce_rep
        self.totals["co2_t"] += co2
        for table, key in (("by_carrier", carrier), ("by_sector", sector), ("by_town", town), ("by_year", year)):
            rows = self.tables[table]
            row = rows.get(key)
            if row is None:
                row = rows[key] = [0.0, 0.0]
            row[0] += tce
            row[1] += co2

    def result(self) -> dict:
        return {"totals": self.totals, **self.tables}


def loop_inventory(df: pd.DataFrame, fs) -> dict:
    """The same accounting as `compute_inventory`, one record at a time (the baseline)."""
    idx = {c: i for i, c in enumerate(fs.carriers)}
    basis = {c: UNITS[CARRIERS[c].basis_unit].to_base for c in CARRIERS}
    electric = {c: CARRIERS[c].dimension == "electricity" for c in CARRIERS}
    to_base = {u: v.to_base for u, v in UNITS.items()}
    acc = _LoopAccount(fs)
    for carrier, unit, qty, year, sector, town in zip(df["carrier"], df["unit"], df["quantity"], df["year"],
                                                      df["sector"], df["town"]):
        acc.add(carrier, idx[carrier], qty * to_base[unit] / basis[carrier], year, electric[carrier], sector, town)
    return acc.result()


def write_csv(path: Path, n: int, seed: int = 0) -> None:
    """A records file like a district's: annual figures (empty month), towns, units as people write them."""
    df = synthetic_records(n, seed)
    df["month"] = ""
    df.to_csv(path, index=False, columns=["entity", "sector", "carrier", "quantity", "unit", "year", "month", "town"])


def loop_csv_inventory(path: str | Path, fs: FactorSet, name: str | None = None) -> dict:
    """File to totals one row at a time with the `csv` module: the same checks and row-level errors as
    `parse_records` (raises `RecordsError` listing every bad cell), then the same accounting as `loop_inventory`."""
    name = name or Path(path).name
    carriers = {c: i for i, c in enumerate(fs.carriers)}
    dims = {c: CARRIERS[c].dimension for c in CARRIERS}
    unit_cache: dict[str, str] = {}
    errors: list[RowError] = []
    acc = _LoopAccount(fs)
    periods: dict = {}  # (entity, carrier, year) -> [annual rows], has monthly
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh, skipinitialspace=True)
        header = [h.strip().lower() for h in next(reader)]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise RecordsError([RowError(name, 1, c, "missing column") for c in missing])
        col = {c: header.index(c) for c in (*REQUIRED, *OPTIONAL) if c in header}
        width = len(header)
        for rowno, raw in enumerate(reader, start=2):
            if not raw:
                continue
            cells = [v.strip() for v in raw] + [""] * (width - len(raw))
            v = {c: cells[i] for c, i in col.items()}
            bad = [(c, "missing value") for c in REQUIRED if not v[c]]
            carrier = v["carrier"].lower()
            if v["carrier"] and carrier not in carriers:
                bad.append(("carrier", f"unknown carrier {v['carrier']!r}"))
            if v["sector"] and v["sector"].lower() not in SECTORS:
                bad.append(("sector", f"unknown sector {v['sector']!r}"))
            unit = unit_cache.get(v["unit"])
            if unit is None:
                unit = unit_cache[v["unit"]] = _ALIASES.get(_normalise(v["unit"]), "")
            if v["unit"] and not unit:
                bad.append(("unit", f"unknown unit {v['unit']!r}; accepted: {', '.join(accepted_units())}"))
            elif unit and carrier in carriers:
                ud, cd = UNITS[unit].dimension, dims[carrier]
                if not (ud == cd or (ud == "tce" and cd != "electricity")):
                    bad.append(("unit", f"unit {v['unit']!r} does not measure {cd}, as {carrier} needs"))
            qty = math.nan
            if v["quantity"]:
                try:
                    qty = float(v["quantity"])
                except ValueError:
                    pass
                if not math.isfinite(qty):
                    bad.append(("quantity", f"not a number: {v['quantity']!r}"))
                elif qty < 0:
                    bad.append(("quantity", f"negative quantity {v['quantity']!r}"))
            year = None
            if v["year"]:
                try:
                    y = float(v["year"])
                except ValueError:
                    y = math.nan
                if math.isfinite(y) and y == round(y) and YEAR_RANGE[0] <= y <= YEAR_RANGE[1]:
                    year = int(y)
                else:
                    bad.append(("year", f"not a year in {YEAR_RANGE[0]}-{YEAR_RANGE[1]}: {v['year']!r}"))
            month = 0
            if v.get("month"):
                try:
                    m = float(v["month"])
                except ValueError:
                    m = math.nan
                if math.isfinite(m) and m == round(m) and 1 <= m <= 12:
                    month = int(m)
                else:
                    bad.append(("month", f"not a month 1-12: {v['month']!r}"))
            if v.get("entity_kind") and v["entity_kind"].lower() not in ENTITY_KINDS:
                bad.append(("entity_kind", f"unknown entity kind {v['entity_kind']!r}"))
            if bad:
                errors.extend(RowError(name, rowno, f, msg) for f, msg in bad)
                continue
            if errors:
                continue  # the file is rejected: only the checks go on
            key = (v["entity"], carrier, year)
            p = periods.get(key)
            if p is None:
                p = periods[key] = [[], False]
            if month:
                p[1] = True
            else:
                p[0].append(rowno)
            if year not in acc.grid:
                fs.check_years([year])
            i = carriers[carrier]
            u = UNITS[unit]
            if u.dimension == "tce":
                q = qty * u.to_base / fs.coal_equivalent[i]
            else:
                q = qty * u.to_base / UNITS[CARRIERS[carrier].basis_unit].to_base
            acc.add(carrier, i, q, year, dims[carrier] == "electricity", v["sector"].lower(), v.get("town", ""))
    if not errors:
        errors = [RowError(name, r, "month", "annual record for an entity, carrier and year that also has "
                           "monthly records: summing both would double count")
                  for annual, monthly in periods.values() if monthly for r in annual]
    if errors:
        order = {f: k for k, f in enumerate((*REQUIRED, *OPTIONAL))}
        raise RecordsError(sorted(errors, key=lambda e: (e.row, order.get(e.field, 99))))
    return acc.result()


def _check_same(inv, ref: dict, what: str) -> None:
    for key in ("energy_tce", "energy_tce_reporting", "co2_t"):
        a, b = inv.totals[key], ref["totals"][key]
        if abs(a - b) > 1e-9 * abs(b):
            raise AssertionError(f"{what}: vectorised and loop totals differ for {key}: {a} vs {b}")
    for table in ("by_carrier", "by_sector", "by_town", "by_year"):
        vec = getattr(inv, table)
        for k, (tce, co2) in ref[table].items():
            k = k if table != "by_town" else (k or "(none)")
            row = vec[int(k) if table == "by_year" else k]
            if abs(row["energy_tce"] - tce) > 1e-9 * max(abs(tce), 1.0) or abs(row["co2_t"] - co2) > 1e-9 * max(abs(co2), 1.0):
                raise AssertionError(f"{what}: {table} differs for {k}")


def figures(quick: bool) -> dict[str, float]:
    n = 200_000 if quick else 1_000_000
    label = "200k" if quick else "1m"
    fs = get_factor_set("cn-mee-2024")
    df = synthetic_records(n)
    compute_inventory(df.head(1000), fs)  # warm-up (imports, caches)

    t0 = time.perf_counter()
    inv = compute_inventory(df, fs)
    t_vec = time.perf_counter() - t0

    t0 = time.perf_counter()
    ref = loop_inventory(df, fs)
    t_loop = time.perf_counter() - t0

    for key in ("energy_tce", "energy_tce_reporting", "co2_t"):
        a, b = inv.totals[key], ref["totals"][key]
        if abs(a - b) > 1e-9 * abs(b):
            raise AssertionError(f"vectorised and loop totals differ for {key}: {a} vs {b}")
    for c, (tce, co2) in ref["by_carrier"].items():
        if abs(inv.by_carrier[c]["co2_t"] - co2) > 1e-9 * max(abs(co2), 1.0):
            raise AssertionError(f"by-carrier CO2 differs for {c}")
    out = {f"accounting_{label}_vs_loop_speedup": t_loop / t_vec}
    del df, inv, ref

    # End to end: CSV file -> validated records -> totals.
    with tempfile.TemporaryDirectory(prefix="carbonpeak-bench-") as tmp:
        path = Path(tmp) / "records.csv"
        write_csv(path, n)
        small = Path(tmp) / "small.csv"
        write_csv(small, 1000, seed=1)
        compute_inventory(parse_records(small), fs)  # warm-up
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            inv = compute_inventory(parse_records(path), fs)
            times.append(time.perf_counter() - t0)
        t_file = statistics.median(times)
        t0 = time.perf_counter()
        ref = loop_csv_inventory(path, fs)
        t_file_loop = time.perf_counter() - t0
        _check_same(inv, ref, "CSV end to end")
    out[f"accounting_csv_{label}_end_to_end_vs_loop_speedup"] = t_file_loop / t_file
    if n == 1_000_000:
        out["accounting_csv_1m_end_to_end_budget_ratio"] = BUDGET_S_PER_MILLION / t_file
    return out


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(figures("--quick" in sys.argv))
