"""Additive LMDI-I decomposition of a CO2 change between two years (Ang 2004; Ang 2015).

Identity, per sector i:  C_i = Q x S_i x I_i x F_i  with Q = total GDP, S_i = Q_i / Q (structure),
I_i = E_i / Q_i (energy intensity), F_i = C_i / E_i (carbon intensity of energy). Then

    ΔC_x = Σ_i L(C_i^T, C_i^0) · ln(x_i^T / x_i^0)          for x in Q, S, I, F
    L(a, b) = (a - b) / (ln a - ln b),   L(a, a) = a

and ΔC_Q + ΔC_S + ΔC_I + ΔC_F = C^T - C^0 exactly (no residual), per sector and in total.

Zero values (Ang & Liu 2007, "Handling zero values in the additive LMDI"): replacing a zero by a small δ
and letting δ → 0 gives analytical limits, used here directly instead of a δ that converges only like
1/ln(1/δ). A sector whose CO2 is zero in one year only (it appears or disappears) assigns its whole change
to the factor that is zero in that year — the first of S (no value added), I (no energy), F (no fossil
energy) — and nothing to the others. A sector with zero CO2 in both years contributes nothing. Energy
without value added (I undefined) or CO2 without energy (F undefined) cannot be decomposed: `LmdiError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

EFFECTS = ("activity", "structure", "intensity", "carbon_intensity")


class LmdiError(ValueError):
    pass


def logmean(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Logarithmic mean L(a, b) for positive a, b; L(a, a) = a. Stable when a ≈ b (log1p form)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    d = a - b
    with np.errstate(divide="ignore", invalid="ignore"):
        out = d / np.log1p(d / b)
    return np.where(d == 0, a, out)


@dataclass
class LmdiResult:
    year0: int | None
    year1: int | None
    sectors: list[str]
    effects: dict[str, np.ndarray]  # effect name -> per-sector contribution (tCO2)
    co2_0: np.ndarray
    co2_1: np.ndarray
    separate: dict[str, float] = field(default_factory=dict)
    """CO2 change of sectors left out of the identity (energy without value added, e.g. residential)."""

    @property
    def total_change(self) -> float:
        return float(self.co2_1.sum() - self.co2_0.sum()) + sum(self.separate.values())

    co2_from: float = 0.0
    co2_to: float = 0.0

    def totals(self) -> dict[str, float]:
        return {k: float(v.sum()) for k, v in self.effects.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.year0, "to": self.year1,
            "co2_from_t": self.co2_from, "co2_to_t": self.co2_to,
            "total_change_t": self.total_change,
            "effects_t": self.totals(),
            "separate_t": dict(self.separate),
            "by_sector": {s: {k: float(v[i]) for k, v in self.effects.items()}
                          | {"change_t": float(self.co2_1[i] - self.co2_0[i])}
                          for i, s in enumerate(self.sectors)},
            "waterfall": [{"name": "start", "value": self.co2_from}]
            + [{"name": k, "value": v} for k, v in self.totals().items()]
            + [{"name": f"separate:{k}", "value": v} for k, v in self.separate.items()]
            + [{"name": "end", "value": self.co2_to}],
        }


def lmdi_additive(sectors: Sequence[str], gdp0: Sequence[float], gdp1: Sequence[float],
                  energy0: Sequence[float], energy1: Sequence[float],
                  co2_0: Sequence[float], co2_1: Sequence[float],
                  year0: int | None = None, year1: int | None = None) -> LmdiResult:
    """Decompose ΔCO2 by sector into activity, structure, energy-intensity and carbon-intensity effects.

    gdp in any consistent unit (constant prices), energy in tce, CO2 in t — per sector, both years.
    """
    q0, q1, e0, e1, c0, c1 = (np.asarray(x, dtype=float) for x in (gdp0, gdp1, energy0, energy1, co2_0, co2_1))
    n = len(sectors)
    if any(len(x) != n for x in (q0, q1, e0, e1, c0, c1)):
        raise LmdiError("every series needs one value per sector")
    for name, x in (("gdp", (q0, q1)), ("energy", (e0, e1)), ("co2", (c0, c1))):
        for arr in x:
            if not np.isfinite(arr).all() or (arr < 0).any():
                raise LmdiError(f"{name} values must be finite and non-negative")
    for t, (q, e, c) in enumerate(((q0, e0, c0), (q1, e1, c1))):
        bad = np.flatnonzero((q == 0) & (e > 0))
        if bad.size:
            raise LmdiError(f"sector(s) {', '.join(sectors[i] for i in bad)} use energy without value added "
                            f"in {'the start' if t == 0 else 'the end'} year: energy intensity undefined")
        bad = np.flatnonzero((e == 0) & (c > 0))
        if bad.size:
            raise LmdiError(f"sector(s) {', '.join(sectors[i] for i in bad)} emit CO2 without energy use")
    Q0, Q1 = q0.sum(), q1.sum()
    if Q0 <= 0 or Q1 <= 0:
        raise LmdiError("total GDP must be positive in both years")

    both = (c0 > 0) & (c1 > 0)
    L = np.zeros(n)
    L[both] = logmean(c1[both], c0[both])

    def ln_ratio(num1: np.ndarray, den1: np.ndarray, num0: np.ndarray, den0: np.ndarray) -> np.ndarray:
        out = np.zeros(n)
        out[both] = np.log((num1[both] / den1[both]) / (num0[both] / den0[both]))
        return out

    effects = {
        "activity": L * np.log(Q1 / Q0),
        "structure": L * ln_ratio(q1, np.full(n, Q1), q0, np.full(n, Q0)),
        "intensity": L * ln_ratio(e1, q1, e0, q0),
        "carbon_intensity": L * ln_ratio(c1, e1, c0, e0),
    }
    # Analytical limits for sectors with zero CO2 in exactly one year.
    for appear, (q, e), sign, c in ((True, (q0, e0), 1.0, c1), (False, (q1, e1), -1.0, c0)):
        mask = ((c0 == 0) & (c1 > 0)) if appear else ((c0 > 0) & (c1 == 0))
        if not mask.any():
            continue
        zero_s = mask & (q == 0)
        zero_i = mask & (q > 0) & (e == 0)
        zero_f = mask & (q > 0) & (e > 0)
        effects["structure"][zero_s] = sign * c[zero_s]
        effects["intensity"][zero_i] = sign * c[zero_i]
        effects["carbon_intensity"][zero_f] = sign * c[zero_f]
    return LmdiResult(year0, year1, list(sectors), effects, c0, c1, co2_from=float(c0.sum()), co2_to=float(c1.sum()))


def lmdi_from_tables(year0: int, year1: int, sector_table: dict[int, dict[str, dict[str, float]]],
                     gdp_by_sector: dict[int, dict[str, float]], sectors: Sequence[str] | None = None,
                     energy_key: str = "energy_tce") -> LmdiResult:
    """LMDI from an inventory's `by_year_sector` and sector GDP {year: {sector: value}}.

    Sectors are those with GDP or emissions in either year (or `sectors`); a missing value is zero.
    Sectors that use energy but have no value added in both years (residential) cannot enter the GDP
    identity: their CO2 change is reported in `separate`, so start + effects + separate = end still holds.
    """
    for y in (year0, year1):
        if y not in gdp_by_sector:
            raise LmdiError(f"no sector GDP for {y}")
        if y not in sector_table:
            raise LmdiError(f"no energy records for {y}")
    if sectors is None:
        names = set()
        for y in (year0, year1):
            names |= set(gdp_by_sector[y]) | set(sector_table[y])
        sectors = sorted(names)

    def val(y: int, s: str, key: str) -> float:
        return float(sector_table[y].get(s, {}).get(key, 0.0))

    def gdp(y: int, s: str) -> float:
        return float(gdp_by_sector[y].get(s, 0.0))

    separate = [s for s in sectors if gdp(year0, s) == 0 and gdp(year1, s) == 0]
    inside = [s for s in sectors if s not in separate]
    result = lmdi_additive(
        inside,
        [gdp(year0, s) for s in inside], [gdp(year1, s) for s in inside],
        [val(year0, s, energy_key) for s in inside], [val(year1, s, energy_key) for s in inside],
        [val(year0, s, "co2_t") for s in inside], [val(year1, s, "co2_t") for s in inside], year0, year1,
    )
    result.separate = {s: val(year1, s, "co2_t") - val(year0, s, "co2_t") for s in separate}
    result.co2_from += sum(val(year0, s, "co2_t") for s in separate)
    result.co2_to += sum(val(year1, s, "co2_t") for s in separate)
    return result
