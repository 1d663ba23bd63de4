"""Back-test: project from an earlier inventory year and compare with the actual totals after it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .base import BaseYear
from .distributions import ScenarioError
from .projection import project
from .scenario import Scenario


def backtest(scenario: Scenario, base: BaseYear, actuals: Mapping[int, Mapping[str, float]],
             draws: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Project `scenario` from `base` to the last actual year; errors of the P50 path against
    `actuals` ({year: {"co2_t": ..., "energy_tce": ...}}), MAPE in percent, and how many actuals fall
    inside the P10-P90 band."""
    years = sorted(int(y) for y in actuals if int(y) > base.year)
    if not years:
        raise ScenarioError(f"backtest: no actual year after the base year {base.year}")
    proj = project(scenario, base, years=range(base.year, years[-1] + 1), draws=draws, seed=seed, wedges=False)
    idx = [int(y - base.year) for y in years]
    out: dict[str, Any] = {"base_year": base.year, "years": years, "draws": draws, "seed": seed}
    for key, series in (("co2_t", proj.total_co2), ("energy_tce", proj.total_energy)):
        have = [y for y in years if key in actuals[y]]
        if not have:
            continue
        sel = [idx[years.index(y)] for y in have]
        p10, p50, p90 = np.quantile(series[:, sel], [0.1, 0.5, 0.9], axis=0)
        actual = np.array([actuals[y][key] for y in have])
        err = (p50 - actual) / actual * 100.0
        out[key] = {
            "years": have, "actual": actual.tolist(), "p10": p10.tolist(), "p50": p50.tolist(), "p90": p90.tolist(),
            "error_pct": err.tolist(), "mape_pct": float(np.mean(np.abs(err))),
            "inside_p10_p90": int(np.sum((actual >= p10) & (actual <= p90))),
        }
    return out
