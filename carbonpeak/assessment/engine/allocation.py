"""Decomposition (分解) of a district target over units, reconciled exactly.

Totals (energy, CO2, PV MW, chargers...): each unit gets a share of the district total. Shares come from
weights (``equal``: 1 each; ``proportional``: a base-year series; ``weighted``: the series times a composite
coefficient Σ_k w_k·f_ik of factors such as industrial structure, efficiency level and development stage;
``manual``: the office's own shares). The values are rounded to a declared number of decimals with the
largest-remainder method, so the rounded shares add up to the (rounded) district total exactly: counted in
integer steps of 10^-decimals, the sum is an integer identity, not a float coincidence.

Intensity targets (energy or CO2 per unit of GDP, a reduction rate r vs a base year): each unit gets a raw
reduction rate r_i = r·c_i (``equal``: c_i = 1; ``proportional`` / ``weighted``: the coefficient normalised to a
GDP-weighted mean of 1; ``manual``: given rates). Its raw target intensity (1−r_i)·I0_i is then scaled by one
common factor k so that the GDP-weighted mean of the unit target intensities (weights: target-year GDP)
equals the district target intensity (1−r)·ΣE0/ΣG0. Equivalently, the units' energy allowances
I_i·G_i add up to the district allowance; that is how the result reconciles (`reconciliation` says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

METHODS = ("equal", "proportional", "weighted", "manual")


class AllocationError(ValueError):
    """Bad allocation input; the message names the unit and the field."""


def largest_remainder(raw: np.ndarray, total: float, decimals: int) -> np.ndarray:
    """Round `raw` (summing to about `total`) to `decimals` so the result sums to round(total, decimals) exactly.

    Returns integer steps of 10^-decimals (int64); divide by 10**decimals for the values. Units with the
    largest fractional remainders get the leftover steps; ties go to the earlier unit (stable order).
    """
    scale = 10.0 ** decimals
    steps_total = int(round(total * scale))
    raw = np.asarray(raw, dtype=np.float64)
    scaled = raw * (steps_total / raw.sum()) if raw.sum() > 0 else raw * scale
    floor = np.floor(scaled)
    steps = floor.astype(np.int64)
    leftover = steps_total - int(steps.sum())
    if leftover < 0 or leftover > len(steps):
        raise AllocationError(f"shares do not add up to the total {total!r} (off by {leftover} steps)")
    if leftover:
        order = np.argsort(-(scaled - floor), kind="stable")
        steps[order[:leftover]] += 1
    return steps


def _coefficients(method: str, n: int, base: np.ndarray | None, factors: np.ndarray | None,
                  factor_weights: np.ndarray | None, names: list[str]) -> np.ndarray:
    """The weight of each unit before normalisation."""
    if method == "equal":
        return np.ones(n)
    if base is None:
        raise AllocationError(f"method {method!r} needs a base series (one value per unit)")
    base = _check_vector(base, n, "base", names)
    if method == "proportional":
        return base
    if factors is None or factor_weights is None:
        raise AllocationError("method 'weighted' needs factors (units x factors) and factor weights")
    factors = np.asarray(factors, dtype=np.float64)
    weights = np.asarray(factor_weights, dtype=np.float64)
    if factors.shape != (n, len(weights)):
        raise AllocationError(f"factors must be {n} units x {len(weights)} factors, got {factors.shape}")
    if not np.isclose(weights.sum(), 1.0) or (weights < 0).any():
        raise AllocationError(f"factor weights must be >= 0 and add up to 1 (they add up to {weights.sum():g})")
    bad = np.flatnonzero(~np.isfinite(factors).all(axis=1) | (factors < 0).any(axis=1))
    if len(bad):
        raise AllocationError(f"unit {names[bad[0]]!r}: factors must be finite and >= 0")
    return base * (factors @ weights)


def _check_vector(values, n: int, what: str, names: list[str]) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n,):
        raise AllocationError(f"{what}: expected {n} values (one per unit), got {arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if len(bad):
        raise AllocationError(f"unit {names[bad[0]]!r}: {what} must be a number >= 0, got {arr[bad[0]]!r}")
    return arr


@dataclass
class TotalAllocation:
    units: list[str]
    total: float
    decimals: int
    shares: np.ndarray  # fractions adding up to 1
    steps: np.ndarray  # int64 steps of 10^-decimals
    method: str
    notes: list[str] = field(default_factory=list)

    @property
    def values(self) -> np.ndarray:
        return self.steps / 10.0 ** self.decimals

    @property
    def reconciles(self) -> bool:
        return int(self.steps.sum()) == int(round(self.total * 10.0 ** self.decimals))

    def to_dict(self) -> dict:
        vals = self.values
        return {
            "kind": "total", "method": self.method, "total": round(self.total, self.decimals),
            "decimals": self.decimals, "reconciles": self.reconciles,
            "reconciliation": (f"sum of the {len(self.units)} shares = {round(self.total, self.decimals)} exactly "
                               f"(largest-remainder rounding to {self.decimals} decimals)"),
            "notes": list(self.notes),
            "allocations": [{"unit": u, "value": round(float(v), self.decimals), "share": float(s)}
                            for u, v, s in zip(self.units, vals, self.shares)],
        }


def allocate_total(units: list[str], total: float, method: str, decimals: int = 0, *,
                   base: np.ndarray | None = None, factors: np.ndarray | None = None,
                   factor_weights: np.ndarray | None = None, manual: np.ndarray | None = None) -> TotalAllocation:
    """Split `total` over `units` by `method`; the rounded values add up to round(total, decimals) exactly."""
    n = len(units)
    if n == 0:
        raise AllocationError("no units to allocate to")
    if method not in METHODS:
        raise AllocationError(f"unknown method {method!r}; accepted: {', '.join(METHODS)}")
    if not np.isfinite(total) or total < 0:
        raise AllocationError(f"the district total must be a number >= 0, got {total!r}")
    notes = []
    if method == "manual":
        weights = _check_vector(manual, n, "manual share", units)
        if not np.isclose(weights.sum(), 1.0) and not np.isclose(weights.sum(), total):
            notes.append(f"manual shares added up to {weights.sum():g}; rescaled to the total")
    else:
        weights = _coefficients(method, n, base, factors, factor_weights, units)
    if weights.sum() <= 0:
        raise AllocationError(f"method {method!r}: the weights add up to 0, nothing to share by")
    shares = weights / weights.sum()
    steps = largest_remainder(shares * total, total, decimals)
    return TotalAllocation(units, float(total), decimals, shares, steps, method, notes)


@dataclass
class IntensityAllocation:
    units: list[str]
    method: str
    district_rate: float  # reduction, 0.14 = -14 %
    base_intensity: np.ndarray  # I0_i
    target_intensity: np.ndarray  # I_i
    gdp_weights: np.ndarray  # target-year GDP
    district_base: float
    district_target: float
    decimals: int

    @property
    def unit_rates(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return 1.0 - self.target_intensity / self.base_intensity

    @property
    def weighted_mean(self) -> float:
        return float((self.gdp_weights * self.target_intensity).sum() / self.gdp_weights.sum())

    @property
    def reconciles(self) -> bool:
        return bool(np.isclose(self.weighted_mean, self.district_target, rtol=1e-12, atol=0))

    def to_dict(self) -> dict:
        d = self.decimals
        return {
            "kind": "intensity", "method": self.method, "total": round(self.district_target, d + 2),
            "district_base_intensity": self.district_base, "district_reduction_rate": self.district_rate,
            "reconciles": self.reconciles, "weighted_mean_intensity": self.weighted_mean,
            "reconciliation": ("GDP-weighted mean of the unit target intensities (weights: target-year GDP) "
                               f"= {self.weighted_mean:.{d + 2}f} = district target "
                               f"(1 - {self.district_rate:g}) x {self.district_base:.{d + 2}f}"),
            "notes": [],
            "allocations": [
                {"unit": u, "value": round(float(t), d), "base_intensity": round(float(b), d),
                 "reduction_rate": round(float(r), 6), "gdp_weight": float(g)}
                for u, t, b, r, g in zip(self.units, self.target_intensity, self.base_intensity, self.unit_rates,
                                         self.gdp_weights)],
        }


def allocate_intensity(units: list[str], rate: float, base_energy: np.ndarray, base_gdp: np.ndarray,
                       method: str, decimals: int = 4, *, target_gdp: np.ndarray | None = None,
                       base: np.ndarray | None = None, factors: np.ndarray | None = None,
                       factor_weights: np.ndarray | None = None, manual: np.ndarray | None = None
                       ) -> IntensityAllocation:
    """Unit intensity targets whose GDP-weighted mean reproduces the district's (1 − rate) x ΣE0/ΣG0."""
    n = len(units)
    if n == 0:
        raise AllocationError("no units to allocate to")
    if method not in METHODS:
        raise AllocationError(f"unknown method {method!r}; accepted: {', '.join(METHODS)}")
    if not 0 <= rate < 1:
        raise AllocationError(f"the district reduction rate must be in [0, 1), got {rate!r}")
    energy = _check_vector(base_energy, n, "base-year energy", units)
    gdp = _check_vector(base_gdp, n, "base-year GDP", units)
    zero = np.flatnonzero(gdp <= 0)
    if len(zero):
        raise AllocationError(f"unit {units[zero[0]]!r}: base-year GDP must be > 0 for an intensity target")
    weights = gdp if target_gdp is None else _check_vector(target_gdp, n, "target-year GDP", units)
    base_intensity = energy / gdp
    district_base = float(energy.sum() / gdp.sum())
    district_target = (1.0 - rate) * district_base
    if method == "manual":
        rates = _check_vector(manual, n, "manual reduction rate", units)
    else:
        coef = _coefficients(method, n, base, factors, factor_weights, units)
        mean = (coef * weights).sum() / weights.sum()
        if mean <= 0:
            raise AllocationError(f"method {method!r}: the coefficients are all 0")
        rates = rate * coef / mean
    raw = np.clip(1.0 - rates, 0.0, None) * base_intensity
    raw_mean = (raw * weights).sum() / weights.sum()
    if raw_mean <= 0:
        raise AllocationError("every unit would have to cut its intensity to 0")
    target = raw * (district_target / raw_mean)
    return IntensityAllocation(units, method, rate, base_intensity, target, weights, district_base,
                               district_target, decimals)
