"""Progress tracking: observed years are fact, the forecast starts from the last one.

`with_observed` prepends the observed totals (years before the base year) to a projection: the same
numbers in every draw, so the peak is judged over history and forecast together (an observed year above
every forecast year is the peak, already reached). Re-running this each year from the newest inventory
(a *vintage* per base year) shows how the forecast moved since last year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .distributions import ScenarioError
from .projection import PEAK_BY, Projection, peak_stats


def with_observed(proj: Projection, observed: Mapping[int, float], by: int = PEAK_BY) -> dict[str, Any]:
    """Years, total CO2 per draw (D, T_obs + T) and peak statistics over observed + forecast years.

    `observed` ({year: tCO2}) must run yearly up to the year before the base year; the base year itself is
    the inventory the projection reproduces."""
    base_year = int(proj.years[0])
    years_obs = sorted(int(y) for y in observed)
    if years_obs and years_obs != list(range(years_obs[0], base_year)):
        raise ScenarioError(f"observed: years must run yearly up to {base_year - 1}, got {years_obs}")
    hist = np.array([float(observed[y]) for y in years_obs])
    total = np.concatenate([np.broadcast_to(hist, (proj.draws, len(hist))), proj.total_co2], axis=1)
    years = np.arange(base_year - len(hist), int(proj.years[-1]) + 1)
    return {"years": years, "total_co2": total, "observed_years": years_obs, "peak": peak_stats(total, years, by)}


def vintage_summary(base_year: int, combined: dict[str, Any]) -> dict[str, Any]:
    """What one vintage (forecast from one base year) contributes to the progress chart."""
    pk = combined["peak"]
    q = pk["peak_year_quantiles"]
    return {"base_year": base_year, "years": [int(y) for y in combined["years"]],
            "observed_years": combined["observed_years"],
            "p50": np.median(combined["total_co2"], axis=0).tolist(),
            "p_peak_by": pk["p_peak_by"], "peak_year_p50": q["p50"], "peak_year_p10": q["p10"],
            "peak_year_p90": q["p90"]}
