"""Versioned factor sets: standard coal coefficients and CO2 emission factors per carrier.

A factor set is data (`data/factors-*.yaml`, or a dict a user supplied through the admin/API), read
into a `FactorSet` whose numbers are expressed per the carrier's basis unit (t, m3, GJ, kWh) as numpy
arrays, so the inventory looks them up with fancy indexing instead of per-row dictionaries.

CO2 of fuel combustion is derived: NCV x carbon content per unit heat x oxidation x 44/12
(省级温室气体清单编制指南 / enterprise accounting guidelines). Electricity and heat are scope 2:
grid factor by year, heat factor.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import yaml

from .carriers import CARRIERS
from .units import UnitError, parse_unit

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_FILE = DATA_DIR / "factors-cn-2024.yaml"
DEFAULT_FACTOR_SET = "sh-2022"
"""The plans shipped are Shanghai districts': Shanghai's own electricity and heat defaults are the default set."""

C_TO_CO2 = 44.0 / 12.0
FUEL_CARRIERS = [c.code for c in CARRIERS.values() if c.scope == 1]
ELECTRICITY_CARRIERS = [c.code for c in CARRIERS.values() if c.dimension == "electricity"]


class FactorError(ValueError):
    """A factor set that is incomplete or malformed, or asked for a year it does not cover."""


def _per_basis(value: float, unit: str, numerator: str, carrier: str) -> float:
    """Convert `value` in `numerator/<den>` to numerator-base per carrier basis unit.

    `numerator` is 'tce' or 'tCO2'-like: handled by the caller's scale; here only the denominator moves.
    """
    try:
        num, den = unit.split("/", 1)
    except ValueError as exc:
        raise FactorError(f"{carrier}: factor unit {unit!r} must look like '{numerator}/<unit>'") from exc
    basis = parse_unit(CARRIERS[carrier].basis_unit)
    try:
        den_unit = parse_unit(den, basis.dimension, f"{carrier} factor denominator")
    except UnitError as exc:
        raise FactorError(str(exc)) from exc
    return float(value) * basis.to_base / den_unit.to_base


_NUMERATOR_SCALE = {"kgce": 1e-3, "tce": 1.0, "kgco2": 1e-3, "tco2": 1.0}


def _scaled(entry: dict[str, Any], carrier: str, kind: str) -> float:
    unit = str(entry.get("unit", ""))
    num = unit.split("/", 1)[0].strip().lower()
    if num not in _NUMERATOR_SCALE or (kind == "tce") != num.endswith("ce"):
        raise FactorError(f"{carrier}: {kind} factor unit {unit!r} not understood")
    return _per_basis(float(entry["value"]), unit, kind, carrier) * _NUMERATOR_SCALE[num]


def _by_year(block: dict[str, Any], carrier: str, kind: str) -> dict[int, float]:
    values = block.get("values") or {}
    if not values:
        raise FactorError(f"{carrier}: {kind} has no values by year")
    unit = str(block.get("unit", ""))
    return {int(y): _scaled({"value": v, "unit": unit}, carrier, kind) for y, v in values.items()}


def source_status(entry: dict[str, Any]) -> str:
    """How a factor's value was checked: 'secondary' (only a report of the source was seen: never 'verified'),
    'verified' (the source itself), 'unverified' (not confirmed), or 'cited' (cited, no check recorded)."""
    if entry.get("secondary"):
        return "secondary"
    if entry.get("verified") is True:
        return "verified"
    if entry.get("verified") is False:
        return "unverified"
    return "cited"


def _year_lookup(table: dict[int, float], year: int) -> tuple[float, int]:
    """Latest published year not after `year`; before the first year, the first year (reported to the caller)."""
    years = sorted(table)
    earlier = [y for y in years if y <= year]
    used = earlier[-1] if earlier else years[0]
    return table[used], used


@dataclass
class FactorSet:
    code: str
    name_en: str
    name_zh: str
    version: str
    valid_from_year: int
    valid_to_year: int
    source: str
    carriers: tuple[str, ...]
    coal_equivalent: np.ndarray  # tce per basis unit, per carrier (当量值)
    co2_direct: np.ndarray  # tCO2 per basis unit (scope 1)
    grid_co2_by_year: dict[int, float]  # tCO2/kWh
    reporting_coal_by_year: dict[int, float]  # tce/kWh (等价值)
    green_co2: float  # tCO2/kWh
    heat_co2: float  # tCO2/GJ
    citations: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)  # same keys as citations: see `source_status`
    notes: dict[str, str] = field(default_factory=dict)  # e.g. natural gas: the two heat contents
    grid_non_fossil_share_by_year: dict[int, float] = field(default_factory=dict)  # fraction of grid kWh
    reporting_coal_statistic: str = ""  # which statistic the 等价值 figure is (发电 or 供电煤耗) and of what
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- construction -------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "FactorSet":
        """Build a factor set from the YAML/JSON schema (see data/factors-cn-2024.yaml)."""
        for key in ("code", "valid_from_year", "valid_to_year", "carriers", "heat", "electricity"):
            if key not in d:
                raise FactorError(f"factor set {d.get('code', '?')!r}: missing {key!r}")
        code = str(d["code"])
        fuels = d["carriers"] or {}
        missing = [c for c in FUEL_CARRIERS if c not in fuels]
        if missing:
            raise FactorError(f"factor set {code!r}: no factors for {', '.join(missing)}")
        order = tuple(CARRIERS)
        coal = np.zeros(len(order))
        co2 = np.zeros(len(order))
        cites: dict[str, str] = {}
        status: dict[str, str] = {}
        notes: dict[str, str] = {}
        for i, carrier in enumerate(order):
            if carrier not in FUEL_CARRIERS:
                continue
            f = fuels[carrier]
            try:
                coal[i] = _scaled(f["coal_equivalent"], carrier, "tce")
                cites[f"{carrier}.coal_equivalent"] = str(f["coal_equivalent"].get("citation", ""))
                status[f"{carrier}.coal_equivalent"] = source_status(f["coal_equivalent"])
                if f.get("note"):
                    notes[carrier] = str(f["note"])
                if "co2" in f:
                    co2[i] = _scaled(f["co2"], carrier, "tco2")
                    cites[f"{carrier}.co2"] = str(f["co2"].get("citation", ""))
                    status[f"{carrier}.co2"] = source_status(f["co2"])
                else:
                    ncv = f["ncv"]
                    kj_per_basis = _per_basis(float(ncv["value"]), "kJ/" + str(ncv["unit"]).split("/", 1)[1], "kJ", carrier)
                    co2[i] = (kj_per_basis * 1e-9 * float(f["carbon_content"]["value"])
                              * float(f["oxidation"]["value"]) * C_TO_CO2)
                    cites[f"{carrier}.co2"] = (f"NCV: {ncv.get('citation', '')}; carbon content: "
                                               f"{f['carbon_content'].get('citation', '')}; oxidation: "
                                               f"{f['oxidation'].get('citation', '')}")
                    parts = [source_status(f[k]) for k in ("ncv", "carbon_content", "oxidation")]
                    status[f"{carrier}.co2"] = next((p for p in ("unverified", "secondary", "cited") if p in parts),
                                                    "verified")
            except KeyError as exc:
                raise FactorError(f"factor set {code!r}: {carrier} lacks {exc.args[0]!r}") from exc
            if coal[i] <= 0 or co2[i] < 0 or not np.isfinite(coal[i] + co2[i]):
                raise FactorError(f"factor set {code!r}: {carrier} factors must be positive numbers")
        heat, elec = d["heat"], d["electricity"]
        try:
            heat_coal = _scaled(heat["coal_equivalent"], "heat", "tce")
            heat_co2 = _scaled(heat["co2"], "heat", "tco2")
            elec_coal = _scaled(elec["coal_equivalent"], "electricity", "tce")
            grid = _by_year(elec["grid_co2_by_year"], "electricity", "tco2")
            reporting = (_by_year(elec["reporting_coal_by_year"], "electricity", "tce")
                         if "reporting_coal_by_year" in elec else {0: elec_coal})
            green = _scaled(elec.get("green_co2", {"value": 0.0, "unit": "tCO2/MWh"}), "electricity", "tco2")
            nf_block = elec.get("grid_non_fossil_share_by_year") or {}
            grid_nf = {int(y): float(v) for y, v in (nf_block.get("values") or {}).items()}
        except KeyError as exc:
            raise FactorError(f"factor set {code!r}: heat/electricity lacks {exc.args[0]!r}") from exc
        for i, carrier in enumerate(order):
            if carrier == "heat":
                coal[i] = heat_coal
            elif carrier in ELECTRICITY_CARRIERS:
                coal[i] = elec_coal
        if any(not 0 <= v <= 1 for v in grid_nf.values()):
            raise FactorError(f"factor set {code!r}: grid_non_fossil_share_by_year values must be fractions 0-1")
        if grid_nf:
            cites["electricity.grid_non_fossil_share"] = str(nf_block.get("citation", ""))
            status["electricity.grid_non_fossil_share"] = source_status(nf_block)
        for key, block in (("heat.coal_equivalent", heat["coal_equivalent"]), ("heat.co2", heat["co2"]),
                           ("electricity.coal_equivalent", elec["coal_equivalent"]),
                           ("electricity.grid_co2", elec["grid_co2_by_year"]),
                           ("electricity.reporting_coal", elec.get("reporting_coal_by_year", {})),
                           ("green_electricity.co2", elec.get("green_co2", {}))):
            status[key] = source_status(block)
        cites["heat.coal_equivalent"] = str(heat["coal_equivalent"].get("citation", ""))
        cites["heat.co2"] = str(heat["co2"].get("citation", ""))
        cites["electricity.coal_equivalent"] = str(elec["coal_equivalent"].get("citation", ""))
        cites["electricity.grid_co2"] = str(elec["grid_co2_by_year"].get("citation", ""))
        if "reporting_coal_by_year" in elec:
            cites["electricity.reporting_coal"] = str(elec["reporting_coal_by_year"].get("citation", ""))
        cites["green_electricity.co2"] = str(elec.get("green_co2", {}).get("citation", ""))
        vf, vt = int(d["valid_from_year"]), int(d["valid_to_year"])
        if vf > vt:
            raise FactorError(f"factor set {code!r}: valid_from_year {vf} after valid_to_year {vt}")
        return cls(
            code=code, name_en=str(d.get("name_en", d.get("name", code))), name_zh=str(d.get("name_zh", "")),
            version=str(d.get("version", "1")), valid_from_year=vf, valid_to_year=vt,
            source=str(d.get("source", "")), carriers=order, coal_equivalent=coal, co2_direct=co2,
            grid_co2_by_year=grid, reporting_coal_by_year=reporting, green_co2=green, heat_co2=heat_co2,
            citations=cites, statuses=status, notes=notes, grid_non_fossil_share_by_year=grid_nf,
            reporting_coal_statistic=str(elec.get("reporting_coal_by_year", {}).get("statistic", "")), raw=_plain(d),
        )

    # -- lookups ------------------------------------------------------------------------------------
    def index(self, carrier: str) -> int:
        try:
            return self.carriers.index(carrier)
        except ValueError:
            raise FactorError(f"unknown carrier {carrier!r}; accepted: {', '.join(self.carriers)}") from None

    def carrier_index(self, carriers: Iterable[str]) -> np.ndarray:
        """Vectorised carrier → row index; FactorError names any unknown carrier."""
        arr = np.asarray(carriers, dtype=object)
        uniq, inv = np.unique(arr.astype(str), return_inverse=True)
        return np.array([self.index(c) for c in uniq], dtype=np.intp)[inv]

    def grid_factor(self, year: int) -> tuple[float, int]:
        return _year_lookup(self.grid_co2_by_year, year)

    def reporting_coal(self, year: int) -> tuple[float, int]:
        return _year_lookup(self.reporting_coal_by_year, year)

    def grid_non_fossil_share(self, year: int) -> tuple[float, int | None]:
        """Non-fossil fraction of grid electricity for `year` and the year it was published for (0, None: none)."""
        if not self.grid_non_fossil_share_by_year:
            return 0.0, None
        return _year_lookup(self.grid_non_fossil_share_by_year, year)

    def check_years(self, years: Iterable[int]) -> None:
        bad = sorted({int(y) for y in years if not self.valid_from_year <= int(y) <= self.valid_to_year})
        if bad:
            raise FactorError(f"factor set {self.code!r} is valid {self.valid_from_year}-{self.valid_to_year}; "
                              f"records have year(s) {', '.join(map(str, bad))}")

    def year_tables(self, years: np.ndarray) -> dict[str, Any]:
        """Per (carrier, year) factor tables for the given distinct years, shape (n_carriers, n_years).

        tce_equivalent / tce_reporting in tce per basis unit; co2_scope1 / co2_scope2 in tCO2 per basis unit;
        non_fossil: the non-fossil fraction of a unit (1 for non-fossil carriers, the grid's non-fossil share
        for grid electricity, 0 otherwise). Also returns which published year each record year's grid factor,
        等价值 figure and grid non-fossil share came from.
        """
        years = np.asarray(years, dtype=int)
        n, m = len(self.carriers), len(years)
        eq = np.repeat(self.coal_equivalent[:, None], m, axis=1)
        rep = eq.copy()
        s1 = np.repeat(self.co2_direct[:, None], m, axis=1)
        s2 = np.zeros((n, m))
        fossil = np.array([CARRIERS[c].fossil for c in self.carriers])
        nf = np.repeat((~fossil).astype(float)[:, None], m, axis=1)
        grid_used, rep_used, nf_used = {}, {}, {}
        for j, y in enumerate(years.tolist()):
            g, gy = self.grid_factor(y)
            r, ry = self.reporting_coal(y)
            share, sy = self.grid_non_fossil_share(y)
            grid_used[y], rep_used[y], nf_used[y] = gy, (ry if ry else None), sy
            nf[self.carriers.index("electricity"), j] = share
            for i, c in enumerate(self.carriers):
                if c in ELECTRICITY_CARRIERS:
                    rep[i, j] = r
                if c == "electricity":
                    s2[i, j] = g
                elif c == "green_electricity":
                    s2[i, j] = self.green_co2
                elif c == "heat":
                    s2[i, j] = self.heat_co2
        return {"tce_equivalent": eq, "tce_reporting": rep, "co2_scope1": s1, "co2_scope2": s2, "non_fossil": nf,
                "grid_factor_year_used": grid_used, "reporting_coal_year_used": rep_used,
                "grid_non_fossil_year_used": nf_used}

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly description, with every factor in the carrier's basis unit and its citation."""
        rows = []
        for i, c in enumerate(self.carriers):
            car = CARRIERS[c]
            rows.append({
                "carrier": c, "name_zh": car.name_zh, "basis_unit": car.basis_unit,
                "tce_per_unit": float(self.coal_equivalent[i]),
                "co2_scope1_t_per_unit": float(self.co2_direct[i]),
                "citation_coal": self.citations.get(f"{c}.coal_equivalent") or self.citations.get(
                    "electricity.coal_equivalent" if c in ELECTRICITY_CARRIERS else "", ""),
                "citation_co2": self.citations.get(f"{c}.co2", ""),
                "status_coal": self.statuses.get(f"{c}.coal_equivalent") or self.statuses.get(
                    "electricity.coal_equivalent" if c in ELECTRICITY_CARRIERS else "", ""),
                "status_co2": self.statuses.get(f"{c}.co2", ""),
                "note": self.notes.get(c, ""),
            })
        return {
            "code": self.code, "name_en": self.name_en, "name_zh": self.name_zh, "version": self.version,
            "valid_from_year": self.valid_from_year, "valid_to_year": self.valid_to_year, "source": self.source,
            "carriers": rows,
            "grid_co2_t_per_mwh": {y: v * 1e3 for y, v in sorted(self.grid_co2_by_year.items())},
            "reporting_kgce_per_kwh": {y: v * 1e3 for y, v in sorted(self.reporting_coal_by_year.items())},
            "reporting_coal_statistic": self.reporting_coal_statistic,
            "reporting_coal_status": self.statuses.get("electricity.reporting_coal", ""),
            "grid_non_fossil_share": {y: v for y, v in sorted(self.grid_non_fossil_share_by_year.items())},
            "grid_non_fossil_share_citation": self.citations.get("electricity.grid_non_fossil_share", ""),
            "grid_non_fossil_share_status": self.statuses.get("electricity.grid_non_fossil_share", ""),
            "heat_co2_t_per_gj": self.heat_co2, "green_co2_t_per_mwh": self.green_co2 * 1e3,
        }


def _plain(d: Any) -> Any:
    """A deep copy with str keys (YAML gives int year keys; JSON storage wants strings)."""
    if isinstance(d, dict):
        return {str(k): _plain(v) for k, v in d.items() if not str(k).startswith("_")}
    if isinstance(d, list):
        return [_plain(v) for v in d]
    return copy.deepcopy(d)


def load_factor_file(path: str | Path) -> dict[str, FactorSet]:
    """All factor sets in a YAML (or JSON) file, by code."""
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    sets = doc.get("factor_sets") if isinstance(doc, dict) else None
    if not sets:
        raise FactorError(f"{path}: no 'factor_sets' list")
    out: dict[str, FactorSet] = {}
    for d in sets:
        fs = FactorSet.from_dict(d)
        if fs.code in out:
            raise FactorError(f"{path}: factor set code {fs.code!r} appears twice")
        out[fs.code] = fs
    return out


@lru_cache(maxsize=4)
def builtin_factor_sets() -> dict[str, FactorSet]:
    return load_factor_file(DEFAULT_FILE)


def get_factor_set(code: str | None = None) -> FactorSet:
    sets = builtin_factor_sets()
    code = code or DEFAULT_FACTOR_SET
    if code not in sets:
        raise FactorError(f"unknown factor set {code!r}; available: {', '.join(sets)}")
    return sets[code]
