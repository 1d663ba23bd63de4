"""The calibration base: one inventory year, sector x carrier energy (tce) and CO2 (t), plus GDP.

The projection reproduces this year exactly (every index is 1 and every lever delta 0 in the base
year), so a base built from the accounting inventory is the inventory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .distributions import ScenarioError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_BASE_FILE = DATA_DIR / "illustrative-base-2021.json"
DEFAULT_HISTORY_FILE = DATA_DIR / "illustrative-history.json"

ACTIVITIES = ("value_added", "gdp", "population")
"""How a sector's activity grows: its value added (GDP x its structure share), total GDP, or population."""

DEFAULT_ACTIVITY = {"residential": "population", "buildings_residential": "population", "transport": "gdp"}

ELECTRICITY = "electricity"  # grid electricity: follows the grid factor path
PV = "pv_electricity"  # local PV, consumed on site: no CO2 counted
HYDROGEN = "hydrogen"
FOSSIL = frozenset(
    {"raw_coal", "coal", "coke", "crude_oil", "oil", "gasoline", "kerosene", "diesel", "fuel_oil", "lpg",
     "natural_gas", "gas", "other_fossil"}
)
"""Carriers that baseline electrification moves to electricity."""

REQUIRED_CARRIERS = (ELECTRICITY, PV, HYDROGEN)
"""Added (zero in the base year) if the inventory lacks them, so levers can move energy into them."""


@dataclass(frozen=True)
class BaseYear:
    """One inventory year. Arrays are indexed [sector, carrier]; energy in tce, CO2 in tCO2.

    `va_share` is each sector's share of GDP (value added); it matters only for sectors whose
    activity is "value_added". `default_factors` (tCO2/tce) price energy that a lever moves into a
    cell that was empty in the base year, where no implied factor exists.
    """

    year: int
    gdp: float  # 亿元 (10^8 yuan)
    population: float  # persons
    sectors: tuple[str, ...]
    carriers: tuple[str, ...]
    energy: np.ndarray
    co2: np.ndarray
    va_share: np.ndarray
    activity: tuple[str, ...]
    tce_per_mwh: float = 0.1229
    default_factors: Mapping[str, float] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        S, C = len(self.sectors), len(self.carriers)
        energy = np.asarray(self.energy, dtype=float)
        co2 = np.asarray(self.co2, dtype=float)
        va = np.asarray(self.va_share, dtype=float)
        if energy.shape != (S, C) or co2.shape != (S, C):
            raise ScenarioError(f"base {self.year}: energy and co2 must be shaped (sectors, carriers) = {(S, C)}")
        if va.shape != (S,) or len(self.activity) != S:
            raise ScenarioError(f"base {self.year}: va_share and activity need one entry per sector")
        if len(set(self.sectors)) != S or len(set(self.carriers)) != C:
            raise ScenarioError(f"base {self.year}: duplicate sector or carrier")
        if not (np.isfinite(energy).all() and np.isfinite(co2).all()) or (energy < 0).any():
            raise ScenarioError(f"base {self.year}: energy must be finite and >= 0, co2 finite")
        bad = np.argwhere((energy == 0) & (co2 != 0))
        if len(bad):
            s, c = bad[0]
            raise ScenarioError(
                f"base {self.year}: sector {self.sectors[s]!r} carrier {self.carriers[c]!r} has CO2 but no energy"
            )
        for s, (name, kind) in enumerate(zip(self.sectors, self.activity)):
            if kind not in ACTIVITIES:
                raise ScenarioError(
                    f"base {self.year}: sector {name!r} activity must be one of {ACTIVITIES}, got {kind!r}")
            if kind == "value_added" and not va[s] > 0:
                raise ScenarioError(
                    f"base {self.year}: sector {name!r} is driven by value added but va_share is {va[s]}")
        if not self.gdp > 0 or not self.population > 0 or not self.tce_per_mwh > 0:
            raise ScenarioError(f"base {self.year}: gdp, population and tce_per_mwh must be > 0")
        if ELECTRICITY in self.carriers and energy[:, self.carriers.index(ELECTRICITY)].sum() == 0 \
                and ELECTRICITY not in self.default_factors:
            raise ScenarioError(f"base {self.year}: no grid electricity and no default factor for it")
        object.__setattr__(self, "energy", energy)
        object.__setattr__(self, "co2", co2)
        object.__setattr__(self, "va_share", va)
        energy.flags.writeable = False
        co2.flags.writeable = False
        va.flags.writeable = False

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_records(
        cls,
        year: int,
        gdp: float,
        population: float,
        records: Iterable[Mapping[str, Any]],
        va_share: Mapping[str, float] | None = None,
        activity: Mapping[str, str] | None = None,
        tce_per_mwh: float = 0.1229,
        default_factors: Mapping[str, float] | None = None,
        source: str = "",
    ) -> BaseYear:
        """Build from long-form inventory rows: {"sector", "carrier", "energy_tce", "co2_t"}.

        Repeated (sector, carrier) rows add up. Sectors keep first-seen order.
        """
        cells: dict[tuple[str, str], list[float]] = {}
        sectors: list[str] = []
        carriers: list[str] = []
        for i, row in enumerate(records):
            try:
                s, c = str(row["sector"]), str(row["carrier"])
                e, q = float(row["energy_tce"]), float(row["co2_t"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ScenarioError(
                    f"base {year}: record {i}: needs sector, carrier, energy_tce, co2_t ({exc})") from None
            if s not in sectors:
                sectors.append(s)
            if c not in carriers:
                carriers.append(c)
            cell = cells.setdefault((s, c), [0.0, 0.0])
            cell[0] += e
            cell[1] += q
        for c in REQUIRED_CARRIERS:
            if c not in carriers:
                carriers.append(c)
        energy = np.zeros((len(sectors), len(carriers)))
        co2 = np.zeros_like(energy)
        for (s, c), (e, q) in cells.items():
            energy[sectors.index(s), carriers.index(c)] = e
            co2[sectors.index(s), carriers.index(c)] = q
        va_share = dict(va_share or {})
        activity = dict(activity or {})
        unknown = (set(va_share) | set(activity)) - set(sectors)
        if unknown:
            raise ScenarioError(f"base {year}: va_share/activity name unknown sector(s) {sorted(unknown)}")
        acts = tuple(activity.get(s, DEFAULT_ACTIVITY.get(s, "value_added")) for s in sectors)
        return cls(
            year=int(year), gdp=float(gdp), population=float(population), sectors=tuple(sectors),
            carriers=tuple(carriers), energy=energy, co2=co2,
            va_share=np.array([float(va_share.get(s, 0.0)) for s in sectors]), activity=acts,
            tce_per_mwh=float(tce_per_mwh), default_factors=dict(default_factors or {}), source=source,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BaseYear:
        """The JSON form written by `to_dict` (energy/co2 as {sector: {carrier: value}})."""
        try:
            records = [
                {"sector": s, "carrier": c, "energy_tce": e, "co2_t": data["co2_t"].get(s, {}).get(c, 0.0)}
                for s, row in data["energy_tce"].items()
                for c, e in row.items()
            ]
            return cls.from_records(
                year=data["year"], gdp=data["gdp"], population=data["population"], records=records,
                va_share=data.get("va_share"), activity=data.get("activity"),
                tce_per_mwh=data.get("tce_per_mwh", 0.1229), default_factors=data.get("default_factors"),
                source=data.get("source", ""),
            )
        except KeyError as exc:
            raise ScenarioError(f"base: missing field {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year, "gdp": self.gdp, "population": self.population,
            "va_share": {s: float(v) for s, v in zip(self.sectors, self.va_share) if v},
            "activity": dict(zip(self.sectors, self.activity)),
            "tce_per_mwh": self.tce_per_mwh, "default_factors": dict(self.default_factors), "source": self.source,
            "energy_tce": {s: {c: float(self.energy[i, j]) for j, c in enumerate(self.carriers) if self.energy[i, j]}
                           for i, s in enumerate(self.sectors)},
            "co2_t": {s: {c: float(self.co2[i, j]) for j, c in enumerate(self.carriers) if self.co2[i, j]}
                      for i, s in enumerate(self.sectors)},
        }

    def split_sector(self, source: str, new: str, energy_tce: Mapping[str, float], va_share: float,
                     activity: str = "value_added") -> BaseYear:
        """Carve a sector out of another (e.g. data centres out of buildings), moving energy and CO2
        at the source cell's implied factor; the district totals stay the same."""
        if source not in self.sectors or new in self.sectors:
            raise ScenarioError(f"split_sector: need existing {source!r} and new {new!r}")
        s = self.sectors.index(source)
        energy, co2 = self.energy.copy(), self.co2.copy()
        moved_e = np.zeros(len(self.carriers))
        for c, value in energy_tce.items():
            if c not in self.carriers:
                raise ScenarioError(f"split_sector: unknown carrier {c!r}")
            j = self.carriers.index(c)
            if value > energy[s, j]:
                raise ScenarioError(f"split_sector: {new} {c} {value} exceeds {source}'s {energy[s, j]}")
            moved_e[j] = value
        share = np.divide(moved_e, energy[s], out=np.zeros_like(moved_e), where=energy[s] > 0)
        moved_q = co2[s] * share
        energy[s] -= moved_e
        co2[s] -= moved_q
        va = self.va_share.copy()
        va[s] = max(va[s] - va_share, 0.0) if self.activity[s] == "value_added" else va[s]
        return BaseYear(
            year=self.year, gdp=self.gdp, population=self.population, sectors=self.sectors + (new,),
            carriers=self.carriers, energy=np.vstack([energy, moved_e]), co2=np.vstack([co2, moved_q]),
            va_share=np.append(va, va_share), activity=self.activity + (activity,), tce_per_mwh=self.tce_per_mwh,
            default_factors=self.default_factors, source=self.source + f"; {new} split from {source}",
        )

    # -- derived ------------------------------------------------------------------------------
    def index(self, sector: str | None = None, carrier: str | None = None) -> int | None:
        if sector is not None:
            return self.sectors.index(sector) if sector in self.sectors else None
        return self.carriers.index(carrier) if carrier in self.carriers else None

    def carrier_factors(self) -> np.ndarray:
        """Per carrier tCO2/tce over all sectors (for cells empty in the base year), shape (C,)."""
        out = np.zeros(len(self.carriers))
        tot_e, tot_q = self.energy.sum(axis=0), self.co2.sum(axis=0)
        for j, c in enumerate(self.carriers):
            if c in self.default_factors:
                out[j] = float(self.default_factors[c])
            elif tot_e[j] > 0:
                out[j] = tot_q[j] / tot_e[j]
        return out

    def grid_factor(self) -> float:
        """Base-year grid electricity factor in tCO2/MWh."""
        j = self.carriers.index(ELECTRICITY)
        e = self.energy[:, j].sum()
        f = self.co2[:, j].sum() / e if e > 0 else float(self.default_factors[ELECTRICITY])
        return f * self.tce_per_mwh

    @property
    def total_energy(self) -> float:
        return float(self.energy.sum())

    @property
    def total_co2(self) -> float:
        return float(self.co2.sum())


def load_base(path: str | Path = DEFAULT_BASE_FILE) -> BaseYear:
    with open(path, encoding="utf-8") as fh:
        return BaseYear.from_dict(json.load(fh))


def load_history(path: str | Path = DEFAULT_HISTORY_FILE) -> tuple[BaseYear, dict[int, dict[str, float]]]:
    """An earlier base year and later actual totals {year: {"co2_t", "energy_tce", "gdp"}} for back-tests."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    actuals = {int(y): {k: float(v) for k, v in row.items()} for y, row in data["actuals"].items()}
    return BaseYear.from_dict(data["base"]), actuals
