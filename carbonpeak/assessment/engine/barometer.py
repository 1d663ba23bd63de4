"""The quarterly barometer (晴雨表) per unit, in the national 能耗双控晴雨表 style.

* red — 一级预警: the energy intensity is not falling (change vs the base year ≥ 0), or the energy used so far
  is over the unit's share for the same part of the year (allocated annual total x elapsed fraction).
* amber — 二级预警: the intensity is falling but less than the schedule asks by now (the unit's reduction
  target x elapsed fraction of the target period).
* green — falling at least as fast as scheduled and within its total.
* grey — no data for the unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COLOURS = ("red", "amber", "green", "grey")
LEVELS = {"red": "一级预警", "amber": "二级预警", "green": "正常", "grey": "无数据"}


@dataclass
class Barometer:
    units: list[str]
    colour: np.ndarray  # object array of COLOURS
    intensity_change: np.ndarray  # fraction, negative = falling
    expected_change: np.ndarray  # fraction required by now (negative)
    energy: np.ndarray
    energy_share: np.ndarray  # the share for the elapsed part of the year

    def to_list(self) -> list[dict]:
        def num(x: float, digits: int) -> float | None:
            return None if np.isnan(x) else round(float(x), digits)

        out = []
        for i, unit in enumerate(self.units):
            colour = str(self.colour[i])
            reasons = []
            if colour == "red":
                if self.intensity_change[i] >= 0:
                    reasons.append(f"能耗强度未下降（较基年 {self.intensity_change[i]:+.1%}）")
                if self.energy[i] > self.energy_share[i]:
                    reasons.append(f"能耗 {self.energy[i]:,.0f} 超过分解额度 {self.energy_share[i]:,.0f}")
            elif colour == "amber":
                reasons.append(f"能耗强度下降 {-self.intensity_change[i]:.1%}，进度要求 {-self.expected_change[i]:.1%}")
            elif colour == "green":
                reasons.append(f"能耗强度下降 {-self.intensity_change[i]:.1%}，达到进度要求 {-self.expected_change[i]:.1%}")
            out.append({"unit": unit, "colour": colour, "level_zh": LEVELS[colour], "reasons": reasons,
                        "intensity_change": num(self.intensity_change[i], 4),
                        "expected_change": num(self.expected_change[i], 4),
                        "energy": num(self.energy[i], 1), "energy_share": num(self.energy_share[i], 1)})
        return out


def barometer(units: list[str], base_intensity: np.ndarray, intensity: np.ndarray, target_rate: np.ndarray,
              schedule: float, energy: np.ndarray, annual_share: np.ndarray, year_elapsed: float = 1.0) -> Barometer:
    """Colour every unit.

    `target_rate`: each unit's reduction target over the target period (0.14 = −14 %); `schedule`: the elapsed
    fraction of that period (e.g. 4 of 5 years = 0.8); `energy`: energy used so far this year; `annual_share`:
    the unit's allocated annual total (NaN: none allocated, only the intensity counts); `year_elapsed`: the
    elapsed fraction of the year (Q3 = 0.75).
    """
    base = np.asarray(base_intensity, dtype=np.float64)
    now = np.asarray(intensity, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        change = now / base - 1.0
    expected = -np.asarray(target_rate, dtype=np.float64) * schedule
    energy = np.asarray(energy, dtype=np.float64)
    share = np.asarray(annual_share, dtype=np.float64) * year_elapsed
    over = np.where(np.isnan(share), False, energy > share)
    no_data = np.isnan(change)
    red = ~no_data & ((change >= 0) | over)
    amber = ~no_data & ~red & (change > expected + 1e-12)
    colour = np.select([no_data, red, amber], ["grey", "red", "amber"], "green").astype(object)
    return Barometer(list(units), colour, change, expected, energy, share)
