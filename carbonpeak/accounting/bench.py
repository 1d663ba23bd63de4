"""Benchmark figures for `carbonpeak bench`: vectorised accounting against a plain per-row Python loop.

Both sides start from the same records (strings for carrier, unit, sector, town; numbers for quantity
and year) and produce the same totals and breakdowns by carrier, sector, town and year; the loop's result
is checked against the vectorised one before any figure is reported. The loop runs over all N records
(not a scaled subsample), so the ratio is measured side by side.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from .engine.carriers import CARRIERS, SECTORS
from .engine.factors import get_factor_set
from .engine.inventory import compute_inventory
from .engine.units import UNITS

_UNITS = {"raw_coal": "t", "coke": "t", "crude_oil": "t", "gasoline": "t", "kerosene": "t", "diesel": "kg",
          "fuel_oil": "t", "lpg": "t", "natural_gas": "万m3", "heat": "GJ", "electricity": "万kWh",
          "green_electricity": "MWh", "pv_electricity": "kWh"}


def synthetic_records(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    carriers = np.array(list(CARRIERS), dtype=object)
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


def loop_inventory(df: pd.DataFrame, fs) -> dict:
    """The same accounting as `compute_inventory`, one record at a time (the baseline)."""
    idx = {c: i for i, c in enumerate(fs.carriers)}
    basis = {c: UNITS[CARRIERS[c].basis_unit].to_base for c in CARRIERS}
    to_base = {u: v.to_base for u, v in UNITS.items()}
    grid = {}
    rep = {}
    totals = {"energy_tce": 0.0, "energy_tce_reporting": 0.0, "co2_t": 0.0}
    by_carrier: dict = {}
    by_sector: dict = {}
    by_town: dict = {}
    by_year: dict = {}
    for carrier, unit, qty, year, sector, town in zip(df["carrier"], df["unit"], df["quantity"], df["year"],
                                                      df["sector"], df["town"]):
        i = idx[carrier]
        q = qty * to_base[unit] / basis[carrier]
        tce = q * fs.coal_equivalent[i]
        if year not in grid:
            grid[year] = fs.grid_factor(int(year))[0]
            rep[year] = fs.reporting_coal(int(year))[0]
        tce_rep = q * rep[year] if CARRIERS[carrier].dimension == "electricity" else tce
        co2 = q * fs.co2_direct[i]
        if carrier == "electricity":
            co2 += q * grid[year]
        elif carrier == "heat":
            co2 += q * fs.heat_co2
        elif carrier == "green_electricity":
            co2 += q * fs.green_co2
        totals["energy_tce"] += tce
        totals["energy_tce_reporting"] += tce_rep
        totals["co2_t"] += co2
        for table, key in ((by_carrier, carrier), (by_sector, sector), (by_town, town), (by_year, year)):
            row = table.get(key)
            if row is None:
                row = table[key] = [0.0, 0.0]
            row[0] += tce
            row[1] += co2
    return {"totals": totals, "by_carrier": by_carrier, "by_sector": by_sector, "by_town": by_town,
            "by_year": by_year}


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
    return {f"accounting_{label}_vs_loop_speedup": t_loop / t_vec}


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(figures("--quick" in sys.argv))
