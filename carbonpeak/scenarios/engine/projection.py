"""`project()`: Monte Carlo projection, peak statistics and wedges.

Definitions (also shown on the pages):

* **Peak year of a draw**: the year of maximum total CO2 within [base year, horizon] (the first such
  year if tied). The draw has **peaked** only if that year is before the horizon end and every later
  year in the horizon is strictly lower. A draw still rising at the horizon has not peaked; a draw
  whose maximum is the base year peaked at or before the base year.
* **P(peak before 2030)**: share of draws that have peaked with peak year <= 2030 (the plan's
  "2030年前实现碳达峰": peaking in 2030 counts). It depends on the horizon: a later rebound beyond the
  horizon cannot be seen.
* **Bands**: P10/P50/P90 across draws, year by year (a band is not a single draw's path). Sector and
  carrier breakdowns are draw means, so they add up to the mean total.
* **Wedges** (sequential attribution): starting from the no-measures counterfactual (same drivers,
  same draws, every lever off), levers are switched on one at a time in the canonical order of
  `LEVERS` (demand first: green travel, EVs, hydrogen buses, retrofits, ultra-low-energy new build,
  data-centre PUE; then supply: PV, grid). Wedge k = mean CO2 before switching k on - after. The
  wedges telescope, so they sum to counterfactual - scenario exactly (to float rounding); the price
  is that interactions are credited to the later lever (e.g. EVs' grid-electricity emissions fall
  under the grid lever). When a separate baseline scenario is given, an extra first wedge "drivers"
  holds the difference due to different driver assumptions.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .base import BaseYear
from .committed import committed_array
from .distributions import ScenarioError, central
from .model import Context, Reference, SimResult, reference, sample_parameters, simulate
from .scenario import ASSUMPTIONS, BASE_STATE, LEVER_KEYS, LEVERS, MAX_HORIZON, Scenario
from .sensitivity import input_summaries, tornado

QUANTILES = (0.1, 0.5, 0.9)
PEAK_BY = 2030


def resolve_years(base_year: int, years: Any) -> np.ndarray:
    if years is None or isinstance(years, (int, np.integer)):
        end = int(years) if years is not None else 2035
        if not base_year < end <= MAX_HORIZON:
            raise ScenarioError(f"horizon: must be after base year {base_year} and <= {MAX_HORIZON}, got {end}")
        return np.arange(base_year, end + 1)
    arr = np.asarray(list(years), dtype=int)
    if len(arr) < 2 or arr[0] != base_year or np.any(np.diff(arr) != 1) or arr[-1] > MAX_HORIZON:
        raise ScenarioError(f"years: must run yearly from the base year {base_year} to at most {MAX_HORIZON}")
    return arr


def peak_stats(total: np.ndarray, years: np.ndarray, by: int = PEAK_BY) -> dict[str, Any]:
    """Peak statistics of total emissions `total` (D, T); see the module docstring for definitions."""
    total = np.atleast_2d(total)
    D, T = total.shape
    idx = np.argmax(total, axis=1)
    peak_value = total[np.arange(D), idx]
    later = np.where(np.arange(T)[None, :] > idx[:, None], total, -np.inf).max(axis=1)
    peaked = (idx < T - 1) & (later < peak_value)
    peak_year = years[idx]
    before = peaked & (peak_year <= by)
    sentinel = np.where(peaked, peak_year, years[-1] + 1)  # not peaked: "after the horizon"
    q = {f"p{int(x * 100)}": int(np.quantile(sentinel, x, method="inverted_cdf")) for x in QUANTILES}
    hist_counts = [int(np.sum(peaked & (peak_year == y))) for y in years]
    return {
        "peak_year": peak_year, "peak_value": peak_value, "peaked": peaked,
        "p_peak_by": float(before.mean()), "by": by,
        "p_peaked": float(peaked.mean()),
        "peak_year_quantiles": {k: (v if v <= years[-1] else None) for k, v in q.items()},
        "peak_value_p50": float(np.median(peak_value)),
        "histogram": {"years": [int(y) for y in years], "counts": hist_counts,
                      "not_peaked": int(D - peaked.sum())},
    }


def bands(x: np.ndarray) -> dict[str, list[float]]:
    qs = np.quantile(x, QUANTILES, axis=0)
    out = {f"p{int(q * 100)}": v.tolist() for q, v in zip(QUANTILES, qs)}
    out["mean"] = x.mean(axis=0).tolist()
    return out


@dataclass
class Projection:
    scenario: Scenario
    base: BaseYear
    years: np.ndarray
    draws: int
    seed: int
    cells_energy: np.ndarray  # (S,C,D,T) tce, internal layout (see model.py)
    cells_co2: np.ndarray  # (S,C,D,T) tCO2
    gdp: np.ndarray  # (D,T) 亿元
    population: np.ndarray  # (D,T)
    indicators: dict[str, np.ndarray]
    wedges: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    inputs: dict[str, np.ndarray] = field(default_factory=dict)  # one number per draw per uncertain input

    @property
    def energy(self) -> np.ndarray:
        """Energy in tce, (draws, sectors, carriers, years) (a view)."""
        return np.moveaxis(self.cells_energy, 2, 0)

    @property
    def co2(self) -> np.ndarray:
        """CO2 in t, (draws, sectors, carriers, years) (a view)."""
        return np.moveaxis(self.cells_co2, 2, 0)

    # totals and intensities, (D,T)
    @property
    def total_co2(self) -> np.ndarray:
        return self.cells_co2.sum(axis=(0, 1))

    @property
    def total_energy(self) -> np.ndarray:
        return self.cells_energy.sum(axis=(0, 1))

    @property
    def energy_intensity(self) -> np.ndarray:
        """tce per 万元 of GDP."""
        return self.total_energy / (self.gdp * 1e4)

    @property
    def carbon_intensity(self) -> np.ndarray:
        """tCO2 per 万元 of GDP."""
        return self.total_co2 / (self.gdp * 1e4)

    @property
    def carbon_per_energy(self) -> np.ndarray:
        """tCO2 per tce."""
        return self.total_co2 / self.total_energy

    def peak(self, by: int = PEAK_BY) -> dict[str, Any]:
        return peak_stats(self.total_co2, self.years, by)

    def to_dict(self, by: int = PEAK_BY) -> dict[str, Any]:
        """JSON-ready summary (no per-draw arrays except the peak-year histogram)."""
        pk = self.peak(by)
        b = self.base
        mean_e, mean_c = self.cells_energy.mean(axis=2), self.cells_co2.mean(axis=2)  # (S,C,T)
        years = [int(y) for y in self.years]
        ei = self.energy_intensity
        p50_path = np.quantile(self.total_co2, 0.5, axis=0)
        out: dict[str, Any] = {
            "scenario": self.scenario.name, "base_year": b.year, "horizon": years[-1], "years": years,
            "draws": self.draws, "seed": self.seed,
            "units": {"energy": "tce", "co2": "tCO2", "gdp": "亿元", "energy_intensity": "tce/万元",
                      "carbon_intensity": "tCO2/万元", "carbon_per_energy": "tCO2/tce"},
            "peak": {
                "p_peak_by": pk["p_peak_by"], "by": by, "p_peaked_within_horizon": pk["p_peaked"],
                "peak_year_p10": pk["peak_year_quantiles"]["p10"], "peak_year_p50": pk["peak_year_quantiles"]["p50"],
                "peak_year_p90": pk["peak_year_quantiles"]["p90"], "peak_value_p50": pk["peak_value_p50"],
                "p50_path_peak_year": years[int(np.argmax(p50_path))],
                "p50_path_peak_value": float(p50_path.max()),
            },
            "histogram": pk["histogram"],
            "bands": {
                "co2": bands(self.total_co2), "energy": bands(self.total_energy), "gdp": bands(self.gdp),
                "energy_intensity": bands(ei), "carbon_intensity": bands(self.carbon_intensity),
                "carbon_per_energy": bands(self.carbon_per_energy),
                "energy_intensity_change": bands(ei / ei[:, :1] - 1.0),
            },
            "co2_by_sector": {s: mean_c[i].sum(axis=0).tolist() for i, s in enumerate(b.sectors)},
            "co2_by_carrier": {c: mean_c[:, j].sum(axis=0).tolist() for j, c in enumerate(b.carriers)},
            "energy_by_sector": {s: mean_e[i].sum(axis=0).tolist() for i, s in enumerate(b.sectors)},
            "energy_by_carrier": {c: mean_e[:, j].sum(axis=0).tolist() for j, c in enumerate(b.carriers)},
            "indicators": {k: v.mean(axis=0).tolist() for k, v in self.indicators.items()},
            "notes": list(self.notes),
            "assumptions": [{"path": path, "label": label, "source": source} for path, label, source in ASSUMPTIONS],
            "sensitivity": {"by": by, "share": 0.2, "p_peak_by": pk["p_peak_by"],
                            "inputs": tornado(self.inputs, pk["peaked"] & (pk["peak_year"] <= by))},
        }
        if self.wedges is not None:
            out["wedges"] = self.wedges
        return out


CHUNK = 2048
"""Draws per vectorised block: big enough to amortise numpy's per-call overhead, small enough that the
(S,C,draws,T) temporaries stay in cache and are reused by the allocator."""


def run_core(ctx: Context, p: dict[str, np.ndarray], steps: list[frozenset[str]], chunk: int = CHUNK,
             variants: tuple[Context, ...] = ()) -> tuple[Reference, SimResult, list[np.ndarray], list[SimResult]]:
    """Simulate all draws for the lever set steps[-1], in blocks of `chunk` draws (chunk=1 is the
    per-draw Python loop of the benchmark: the same code, one draw at a time).

    Returns the reference, the full result for steps[-1], the mean total CO2 (T,) of every step (the wedge
    ladder; computed on the same draws and the same reference), and the full result of each context in
    `variants` (the same scenario with other committed loads) for steps[-1], on the same draws and reference:
    the parameters and the reference are computed once for all of them."""
    D = next(iter(p.values())).shape[0]
    b, T = ctx.base, ctx.T
    S, C = len(b.sectors), len(b.carriers)
    outs = [SimResult(energy=np.empty((S, C, D, T)), co2=np.empty((S, C, D, T)), indicators={})
            for _ in range(1 + len(variants))]
    gdp, pop, scale = np.empty((D, T)), np.empty((D, T)), np.empty((S, D, T))
    sums = [np.zeros(T) for _ in steps]
    for d0 in range(0, D, chunk):
        d1 = min(d0 + chunk, D)
        pc = {k: v[d0:d1] for k, v in p.items()}
        ref = reference(ctx, pc)
        gdp[d0:d1], pop[d0:d1], scale[:, d0:d1] = ref.gdp, ref.population, ref.scale
        for i, on in enumerate(steps):
            res = simulate(ctx, pc, ref, on)
            sums[i] += res.co2.sum(axis=(0, 1)).sum(axis=0)
        results = [res, *(simulate(v, pc, ref, steps[-1]) for v in variants)]
        for out, r in zip(outs, results):
            out.energy[:, :, d0:d1], out.co2[:, :, d0:d1] = r.energy, r.co2
            for key, value in r.indicators.items():
                out.indicators.setdefault(key, np.empty((D, T)))[d0:d1] = value
    ref = Reference(gdp=gdp, population=pop, scale=scale, energy=np.empty(0))
    return ref, outs[0], [s / D for s in sums], outs[1:]


def apply_state(scenario: Scenario, base_year: int, state: dict[str, tuple[float, str]] | None
                ) -> tuple[Scenario, list[str]]:
    """The scenario with its base-year state drivers set to the observed values in `state`
    ({driver: (value, source)}); each state not observed is a fallback, listed in the notes."""
    state = state or {}
    unknown = set(state) - set(BASE_STATE)
    if unknown:
        raise ScenarioError(f"state: unknown base-year state(s) {sorted(unknown)}; known: {sorted(BASE_STATE)}")
    notes = []
    for key, (year, source) in BASE_STATE.items():
        if key in state:
            notes.append(f"drivers.{key} = {state[key][0]:g} in {base_year}: {state[key][1]}")
        else:
            notes.append(f"drivers.{key}: no observed value for {base_year}; fallback {central(scenario.drivers[key]):g} "
                         f"(the scenario's value; default: {source}, a {year} value)")
    if not state:
        return scenario, notes
    return scenario.copy(drivers={**scenario.drivers, **{k: float(v) for k, (v, _) in state.items()}}), notes


def _off_levers(scenario: Scenario) -> frozenset[str]:
    return frozenset(f"levers.{spec.key}." for spec in LEVERS if not scenario.levers[spec.key]["enabled"])


def project(
    scenario: Scenario,
    base: BaseYear,
    years: Any = None,
    draws: int = 1000,
    seed: int = 0,
    wedges: bool = True,
    chunk: int = CHUNK,
    baseline: Scenario | None = None,
    state: dict[str, tuple[float, str]] | None = None,
    committed_loads: list[dict[str, Any]] | None = None,
) -> Projection:
    """Project `scenario` from `base` over `years` (a horizon year or a yearly range from the base year;
    default the scenario's horizon) with `draws` Monte Carlo draws seeded by `seed`.

    `state` sets base-year states from observations (see `apply_state`); `committed_loads` adds approved
    projects' demand (see `committed.py`). `chunk` only changes speed, never results (chunk=1 is the
    per-draw loop)."""
    ctx, p = _prepare(scenario, base, years, draws, seed, chunk, state)
    ctx = _with_loads(ctx, committed_loads)
    on = frozenset(ctx.scenario.enabled_levers())
    order = [k for k in LEVER_KEYS if k in on]
    steps = [frozenset(order[:i]) for i in range(len(order) + 1)] if wedges else [on]
    ref, res, means, _ = run_core(ctx, p, steps, int(chunk))
    wedge_out = None
    if wedges:
        wedge_out = _wedges(order, means, base, ctx.years, draws, seed, baseline, chunk)
    return _projection(ctx, p, ref, res, draws, seed, wedge_out)


def project_pair(scenario: Scenario, base: BaseYear, loads_before: list[dict[str, Any]],
                 loads_after: list[dict[str, Any]], draws: int = 1000, seed: int = 0, chunk: int = CHUNK,
                 state: dict[str, tuple[float, str]] | None = None) -> tuple[Projection, Projection]:
    """`project(..., wedges=False)` with two sets of committed loads on the same draws, sampling the parameters
    and computing the reference once: exactly the two projections, in about half the time less the loads'."""
    ctx, p = _prepare(scenario, base, None, draws, seed, chunk, state)
    before, after = _with_loads(ctx, loads_before), _with_loads(ctx, loads_after)
    on = frozenset(ctx.scenario.enabled_levers())
    ref, res, _, (res_after,) = run_core(before, p, [on], int(chunk), variants=(after,))
    return (_projection(before, p, ref, res, draws, seed, None),
            _projection(after, p, ref, res_after, draws, seed, None))


def _prepare(scenario: Scenario, base: BaseYear, years: Any, draws: int, seed: int, chunk: int,
             state: dict[str, tuple[float, str]] | None) -> tuple[Context, dict[str, np.ndarray]]:
    """The validated context of a projection (no committed loads) and its sampled parameters."""
    if not isinstance(draws, (int, np.integer)) or not 1 <= draws <= 200_000:
        raise ScenarioError(f"draws: must be an integer in 1..200000, got {draws!r}")
    if not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ScenarioError(f"chunk: must be a positive integer, got {chunk!r}")
    years = resolve_years(base.year, scenario.horizon if years is None else years)
    scenario, notes = apply_state(scenario, base.year, state)
    ctx = Context(base=base, years=years, scenario=scenario, notes=notes)
    return ctx, sample_parameters(ctx, int(draws), int(seed))


def _with_loads(ctx: Context, loads: list[dict[str, Any]] | None) -> Context:
    """The context with committed loads added (a copy: the sampled parameters and reference stay valid)."""
    out = copy.copy(ctx)
    out.notes = list(ctx.notes)
    if loads:
        out.committed, notes = committed_array(ctx.base, ctx.years, loads)
        out.notes.extend(notes)
    return out


def _projection(ctx: Context, p: dict[str, np.ndarray], ref: Reference, res: SimResult, draws: int, seed: int,
                wedges: dict[str, Any] | None) -> Projection:
    return Projection(
        scenario=ctx.scenario, base=ctx.base, years=ctx.years, draws=int(draws), seed=int(seed),
        cells_energy=res.energy, cells_co2=res.co2, gdp=ref.gdp, population=ref.population,
        indicators=res.indicators, wedges=wedges, notes=ctx.notes,
        inputs=input_summaries(p, ctx.base.sectors, _off_levers(ctx.scenario)),
    )


def _wedges(order: list[str], means: list[np.ndarray], base: BaseYear, years: np.ndarray, draws: int,
            seed: int, baseline: Scenario | None, chunk: int) -> dict[str, Any]:
    steps = [("no_measures", means[0])] + list(zip(order, means[1:]))
    if baseline is not None:
        bproj = project(baseline, base, years=years, draws=draws, seed=seed, wedges=False, chunk=chunk)
        steps.insert(0, ("reference", bproj.total_co2.mean(axis=0)))
    wedge = {}
    for (_, before), (name, after) in zip(steps[:-1], steps[1:]):
        wedge["drivers" if name == "no_measures" else name] = (before - after).tolist()
    start, end = steps[0][1], steps[-1][1]
    return {
        "method": "sequential",
        "order": list(wedge),
        "reference": "baseline" if baseline is not None else "no_measures",
        "reference_co2": start.tolist(),
        "scenario_co2": end.tolist(),
        "gap": (start - end).tolist(),
        "wedges": wedge,
    }


def committed_effect(scenario: Scenario, base: BaseYear, loads: list[dict[str, Any]], draws: int = 1000,
                     seed: int = 0, state: dict[str, tuple[float, str]] | None = None) -> dict[str, Any]:
    """What approved projects' committed loads (see `committed.py`) do to the projection: mean CO2 added
    per year and P(peak by 2030) without and with them, on the same draws (common random numbers: the
    difference has no sampling noise, and a project with zero energy changes nothing)."""
    without, with_loads = project_pair(scenario, base, [], loads, draws=draws, seed=seed, state=state)
    added = with_loads.total_co2 - without.total_co2
    return {
        "years": [int(y) for y in without.years], "co2_added_mean": added.mean(axis=0).tolist(),
        "p_peak_by": {"without": without.peak()["p_peak_by"], "with": with_loads.peak()["p_peak_by"]},
        "notes": with_loads.notes[len(without.notes):],
    }
