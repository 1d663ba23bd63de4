"""Scenario parameters: drivers (exogenous, uncertain) and levers (the plan's measures).

A scenario is plain JSON: ``{"name", "description", "horizon", "drivers": {...}, "levers": {...}}``.
Missing keys take the defaults below, so a partial document is enough (a per-sector map is merged
key by key with the default map, unless it sets "*", the value for every sector not named: then it
replaces the default map); `Scenario.to_dict()` always
writes the complete, explicit form (what is stored and versioned).

Default numbers are illustrative assumptions (those of the first plan loaded, each marked in its help text).
The Django side replaces the plan targets with the plan registry's indicators (by role) where they exist.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .distributions import ScenarioError, path_ar1, validate_path, validate_spec


def N(mean: float, sd: float, **clip: float) -> dict[str, Any]:
    return {"dist": "normal", "mean": mean, "sd": sd, **clip}


def TRI(low: float, mode: float, high: float) -> dict[str, Any]:
    return {"dist": "triangular", "low": low, "mode": mode, "high": high}


@dataclass(frozen=True)
class Param:
    key: str
    kind: str  # spec | path | sectors | name
    unit: str
    label: str
    interp: str = "linear"
    help: str = ""
    goal: str = ""  # anchored path: "up"/"down" a due target is a floor/ceiling; "observed" the base year wins
    bounds: tuple[float, float, float] | None = None  # (min, max, step) when the unit's own range does not fit

    @property
    def range(self) -> tuple[float, float, float]:
        """(min, max, step) a value of this parameter may take: what the editor offers and checks."""
        return self.bounds or UNIT_RANGES.get(self.unit, (0.0, 1e9, 0.01))


UNIT_RANGES: dict[str, tuple[float, float, float]] = {
    "share": (0.0, 1.0, 0.01), "1/yr": (-1.0, 1.0, 0.001), "tce/tce": (0.0, 5.0, 0.01), "buses": (0.0, 10000.0, 1.0),
    "tce/yr": (0.0, 1000.0, 0.1), "m2/yr": (0.0, 1e8, 1000.0), "kgce/m2": (0.0, 200.0, 0.1),
    "MW/yr": (0.0, 2000.0, 0.1), "h/yr": (0.0, 8760.0, 1.0), "tCO2/MWh": (0.0, 2.0, 0.001), "tCO2/tce": (0.0, 5.0, 0.01),
}
"""The range a lever value may take, by its unit (a share is 0-1, full-load hours at most a year's 8760)."""
PUE_RANGE = (1.0, 3.0, 0.01)


@dataclass(frozen=True)
class LeverSpec:
    key: str
    label: str
    unit_hint: str
    params: tuple[Param, ...]
    plan: Mapping[str, Any]  # the plan's values (enabled in the plan scenario)
    help: str = ""
    plan_enabled: bool = True


# ---- drivers -----------------------------------------------------------------------------------
DRIVER_PARAMS: tuple[Param, ...] = (
    Param("gdp_growth", "path", "1/yr", "GDP growth (real)", "linear",
          "Smooth trend (linear between five-year points) plus AR(1) year-to-year variation; illustrative."),
    Param("population_growth", "path", "1/yr", "Population growth"),
    Param("structure_drift", "sectors", "1/yr", "Change of each sector's value-added share",
          help="Relative drift of the sector's share of GDP; shares of value-added sectors are renormalised."),
    Param("intensity_change", "sectors", "1/yr", "Autonomous energy-intensity change per sector",
          help="Energy per unit of activity, per year; negative is improvement (no new measures)."),
    Param("intensity_shock", "path", "1/yr", "Year-to-year variation of energy intensity (all sectors)",
          help="Added to every sector's intensity change each year; correlated with GDP growth."),
    Param("ev_new_share_trend", "spec", "1/yr", "Yearly rise of the EV share of new cars without new measures"),
    Param("electrification", "sectors", "1/yr", "Baseline electrification",
          help="Share of the remaining fossil energy switched to electricity each year."),
    Param("electrification_ratio", "spec", "tce/tce", "Electricity per unit fossil energy replaced"),
    Param("grid_factor_change", "spec", "1/yr", "Grid emission factor change (without the grid lever)"),
    Param("hydrogen_ef", "spec", "tCO2/tce", "Hydrogen emission factor",
          help="0 for green hydrogen, ~2.4 for hydrogen from natural-gas reforming."),
    Param("car_fuel_carrier", "name", "", "Carrier of private cars"),
    Param("car_fuel_share", "spec", "share", "Share of transport car fuel used by private passenger cars"),
    Param("ev_stock_share_base", "spec", "share", "Battery-electric share of the car fleet, base year"),
    Param("ev_new_share_base", "spec", "share", "Battery-electric share of new cars, base year"),
    Param("ev_energy_ratio", "spec", "tce/tce", "EV electricity per unit petrol replaced (equivalent value)"),
    Param("fleet_turnover", "spec", "1/yr", "Car fleet turnover (1 / lifetime)"),
    Param("green_share_base", "spec", "share", "Green travel share, base year"),
    Param("transit_energy_ratio", "spec", "tce/tce", "Transit energy per unit car energy avoided"),
    Param("pue_base", "spec", "", "Data-centre fleet PUE, base year"),
    Param("pue_new_baseline", "spec", "", "PUE of new data centres without the plan"),
    Param("pv_installed_base", "spec", "MW", "PV capacity added since the plan period's start, base year",
          help="State only: base-year PV output is in the inventory; the PV lever adds capacity from here."),
    Param("correlations", "pairs", "", "Correlations between drivers (\"a~b\": rho)",
          help="Gaussian copula on the drivers' latent normals; for two AR(1) paths, their yearly innovations."),
)

DEFAULT_DRIVERS: dict[str, Any] = {
    "gdp_growth": {"interp": "linear", "points": {
        "2022": N(0.0, 0.02), "2023": N(0.055, 0.012), "2028": N(0.048, 0.012), "2033": N(0.04, 0.012),
        "2038": N(0.033, 0.01), "2045": N(0.027, 0.01), "2055": N(0.02, 0.01)},
        "ar1": {"sd": 0.012, "rho": 0.5}},
    "population_growth": {"interp": "linear", "points": {"2022": N(0.004, 0.002), "2031": N(0.002, 0.002)}},
    "structure_drift": {"industry": N(-0.01, 0.005), "buildings": N(0.006, 0.003), "agriculture": N(-0.03, 0.01),
                        "data_centres": N(0.08, 0.03), "*": 0.0},
    "intensity_change": {"industry": TRI(-0.045, -0.032, -0.02), "construction": TRI(-0.03, -0.02, -0.01),
                         "buildings": TRI(-0.02, -0.01, 0.0), "residential": TRI(0.0, 0.01, 0.02),
                         "transport": TRI(-0.025, -0.015, -0.005), "agriculture": TRI(-0.03, -0.02, -0.01),
                         "data_centres": TRI(-0.04, -0.02, 0.0), "*": TRI(-0.03, -0.015, 0.0)},
    "intensity_shock": {"interp": "linear", "points": {"2022": 0.0}, "ar1": {"sd": 0.008, "rho": 0.5}},
    "ev_new_share_trend": TRI(0.0, 0.02, 0.04),
    "electrification": {"industry": TRI(0.005, 0.01, 0.02), "buildings": TRI(0.005, 0.015, 0.025),
                        "residential": TRI(0.005, 0.01, 0.02), "transport": 0.0, "data_centres": 0.0,
                        "*": TRI(0.0, 0.005, 0.01)},
    "electrification_ratio": TRI(0.3, 0.4, 0.5),
    "grid_factor_change": N(-0.01, 0.006),
    "hydrogen_ef": TRI(0.0, 1.0, 2.4),
    "car_fuel_carrier": "gasoline",
    "car_fuel_share": TRI(0.55, 0.65, 0.75),
    "ev_stock_share_base": 0.05,
    "ev_new_share_base": TRI(0.15, 0.2, 0.25),
    "ev_energy_ratio": TRI(0.22, 0.28, 0.35),
    "fleet_turnover": N(0.08, 0.01, min=0.03, max=0.2),
    "green_share_base": 0.70,
    "transit_energy_ratio": TRI(0.1, 0.2, 0.3),
    "pue_base": N(1.55, 0.05, min=1.1),
    "pue_new_baseline": N(1.45, 0.04, min=1.1),
    "pv_installed_base": 0.0,
    "correlations": {"gdp_growth~intensity_shock": -0.5, "ev_new_share_trend~electrification": 0.5},
}

BASE_STATE: dict[str, tuple[int, str]] = {
    # driver: (year the default describes, where the default comes from); replaced by observed values
    "ev_stock_share_base": (2021, "illustrative default (Shanghai fleet, 2021 order of magnitude)"),
    "ev_new_share_base": (2021, "illustrative default (Shanghai new private cars 2021, ~20% BEV)"),
    "green_share_base": (2021, "illustrative default (plan's 2025 target 75% minus 5 points)"),
    "pue_base": (2021, "illustrative default (older Shanghai data-centre fleet)"),
    "pv_installed_base": (2020, "none assumed since the plan period's start; a state only, base-year PV output "
                                "is in the inventory"),
}
"""Base-year states: observed values (accounting, monitoring, approved reports) replace these defaults;
a default used for another base year is a fallback and is listed in the run's notes."""

PV_AFTER_PLAN_FROM = 2026
PV_AFTER_PLAN = TRI(0.0, 40.0, 80.0)
"""PV added per year after the plan period (MW/yr): an assumption, the plan names no number after 2025."""

# ---- levers (canonical order: demand-side measures first, then supply) -------------------------
LEVERS: tuple[LeverSpec, ...] = (
    LeverSpec(
        "green_travel", "Green travel share", "share of trips",
        (Param("share", "path", "share", "Green travel share of trips", goal="up"),
         Param("sector", "name", "", "Sector")),
        {"share": {"2025": 0.75, "2035": 0.85}, "sector": "transport"},
        "Plan 二(五)4: green travel share 75% by 2025, 85% by 2035. Car trips fall by (1-share)/(1-share_base); "
        "transit energy replaces a fraction of the avoided car energy.",
    ),
    LeverSpec(
        "ev", "EV share of new cars", "share of new cars",
        (Param("new_share", "path", "share", "Battery-electric share of new private cars", goal="up"),
         Param("sector", "name", "", "Sector")),
        {"new_share": {"2025": 0.5}, "sector": "transport"},
        "Plan 二(五)2: more than half (50%) of new private cars battery-electric. Fleet share follows stock turnover; "
        "petrol replaced by electricity at ev_energy_ratio.",
    ),
    LeverSpec(
        "hydrogen_buses", "Hydrogen fuel-cell buses", "buses in service",
        (Param("buses", "path", "buses", "Fuel-cell buses in service", goal="up"),
         Param("diesel_tce_per_bus", "spec", "tce/yr", "Diesel per bus replaced"),
         Param("h2_ratio", "spec", "tce/tce", "Hydrogen per unit diesel replaced"),
         Param("fuel", "name", "", "Carrier replaced"),
         Param("sector", "name", "", "Sector")),
        {"buses": {"2025": 50, "2030": 150}, "diesel_tce_per_bus": TRI(20, 26, 32), "h2_ratio": TRI(0.5, 0.6, 0.75),
         "fuel": "diesel", "sector": "transport"},
        "Plan 二(一)1 and 二(五)2: hydrogen bus demonstration lines, 9 hydrogen stations by 2025. "
        "The plan gives no bus count: the numbers are an assumption.",
    ),
    LeverSpec(
        "retrofit", "Public building retrofits", "m² per year",
        (Param("area_m2", "path", "m2/yr", "Retrofitted floor area per year", "step"),
         Param("saving_rate", "spec", "share", "Energy saving of a retrofitted building"),
         Param("eui_kgce_m2", "spec", "kgce/m2", "Energy use intensity before retrofit"),
         Param("sector", "name", "", "Sector")),
        {"area_m2": {"interp": "step", "points": {"2022": 200000, "2031": 0}}, "saving_rate": TRI(0.05, 0.1, 0.15),
         "eui_kgce_m2": TRI(10, 14, 20), "sector": "buildings"},
        "Plan 二(四)2: over 2 million m² of existing public buildings retrofitted in 2021-2030.",
    ),
    LeverSpec(
        "ule_new_build", "Ultra-low-energy new buildings", "share of new floor area",
        (Param("share_residential", "path", "share", "Ultra-low-energy share of new residential floor area",
               goal="up"),
         Param("share_public", "path", "share", "Ultra-low-energy share of new public floor area", goal="up"),
         Param("new_area_residential_m2", "path", "m2/yr", "New residential floor area per year", "step"),
         Param("new_area_public_m2", "path", "m2/yr", "New public floor area per year", "step"),
         Param("eui_residential_kgce_m2", "spec", "kgce/m2", "EUI of a standard new home"),
         Param("eui_public_kgce_m2", "spec", "kgce/m2", "EUI of a standard new public building"),
         Param("saving_rate", "spec", "share", "Saving of ultra-low-energy vs standard"),
         Param("sector_residential", "name", "", "Residential sector"),
         Param("sector_public", "name", "", "Public buildings sector")),
        {"share_residential": {"2025": 0.1, "2030": 0.5}, "share_public": {"2025": 0.2, "2030": 0.5},
         "new_area_residential_m2": {"interp": "step", "points": {"2022": 1500000}},
         "new_area_public_m2": {"interp": "step", "points": {"2022": 1000000}},
         "eui_residential_kgce_m2": TRI(4, 6, 8), "eui_public_kgce_m2": TRI(10, 14, 20),
         "saving_rate": TRI(0.3, 0.45, 0.6), "sector_residential": "residential", "sector_public": "buildings"},
        "Plan 二(四)2: half (50%) of new residential buildings ultra-low-energy in 2026-2030 "
        "(new-build areas are assumptions).",
    ),
    LeverSpec(
        "dc_pue", "Data-centre PUE", "PUE",
        (Param("pue_new", "path", "", "PUE of new data centres", goal="down", bounds=PUE_RANGE),
         Param("pue_existing", "path", "", "PUE of existing data centres", goal="down", bounds=PUE_RANGE),
         Param("sector", "name", "", "Sector")),
        {"pue_new": {"2022": 1.3}, "pue_existing": {"2025": 1.4}, "sector": "data_centres"},
        "Plan 二(二)4: new data centres PUE <= 1.3, existing upgraded to <= 1.4.",
    ),
    LeverSpec(
        "pv", "PV additions", "MW per year",
        (Param("additions_mw", "path", "MW/yr", "PV capacity added per year", "step"),
         Param("yield_hours", "spec", "h/yr", "Full-load hours")),
        {"additions_mw": {"interp": "step", "points": {"2021": 58.8, str(PV_AFTER_PLAN_FROM): PV_AFTER_PLAN}},
         "yield_hours": TRI(950, 1050, 1150)},
        "Plan 二(一)1: 294 MW (29.4万千瓦) added in 2021-2025, i.e. 58.8 MW/yr. After 2025 the plan gives no number "
        "('install wherever possible by 2030'): additions are an explicit assumption, 0-80 MW/yr (mode 40). "
        "Local generation displaces grid electricity.",
    ),
    LeverSpec(
        "grid", "Grid emission factor path", "tCO2/MWh",
        (Param("factor", "path", "tCO2/MWh", "Grid emission factor", goal="observed"),),
        {"factor": {"2025": 0.39, "2030": 0.34, "2035": 0.30, "2060": 0.05}},
        "Municipal grid decarbonisation (not a district measure). Starts from the base year's implied factor; "
        "the later points are an assumption. Replaces grid_factor_change.",
        plan_enabled=False,
    ),
)
LEVER_KEYS = tuple(spec.key for spec in LEVERS)

ASSUMPTIONS: tuple[tuple[str, str, str], ...] = (
    # (JSON path in the scenario, label, source): the assumptions the headline rests on, shown with every run
    (f"levers.pv.additions_mw.{PV_AFTER_PLAN_FROM}", "PV added per year after the plan period",
     "assumption: the plan names no number after 2025 (triangular 0-40-80 MW/yr)"),
    ("drivers.grid_factor_change", "Grid emission factor change per year (grid lever off)",
     "assumption around Shanghai's published 0.42 tCO2/MWh (沪环气〔2022〕34号): -1 %/yr, sd 0.6 %"),
    ("levers.grid.factor", "Grid emission factor path (grid lever on)", "assumption: 0.39 (2025), 0.34 (2030), "
     "0.30 (2035) tCO2/MWh"),
    ("drivers.structure_drift.data_centres", "Data-centre growth (value-added share drift)",
     "assumption: +8 %/yr relative to GDP, sd 3 % (new computing capacity in the Yangtze Delta demo zone)"),
    ("drivers.gdp_growth", "GDP growth path", "illustrative: 5.5 % (2023) easing to 2 % (2055), sd 1-1.2 pts, "
     "AR(1) sd 1.2 pts, rho 0.5"),
)
LEVER_BY_KEY = {spec.key: spec for spec in LEVERS}

MIN_HORIZON, MAX_HORIZON = 2025, 2060


def _merge(default: Any, given: Any) -> Any:
    if isinstance(default, dict) and isinstance(given, Mapping) and "dist" not in given and "points" not in given \
            and "dist" not in default and "points" not in default:
        out = copy.deepcopy(default)
        for key, value in given.items():
            out[key] = _merge(default.get(key), value) if key in default else copy.deepcopy(value)
        return out
    return copy.deepcopy(given)


def _validate_param(param: Param, value: Any, where: str) -> None:
    if param.kind == "spec":
        validate_spec(value, where)
    elif param.kind == "path":
        validate_path(value, where)
    elif param.kind == "sectors":
        if not isinstance(value, Mapping):
            raise ScenarioError(f"{where}: expected a mapping sector -> value")
        for sector, spec in value.items():
            validate_spec(spec, f"{where}.{sector}")
    elif param.kind == "name":
        if not isinstance(value, str) or not value:
            raise ScenarioError(f"{where}: expected a name")
    elif param.kind == "pairs":
        if not isinstance(value, Mapping):
            raise ScenarioError(f"{where}: expected a mapping \"a~b\" -> correlation")
        for pair, rho in value.items():
            if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not -1 <= rho <= 1:
                raise ScenarioError(f"{where}.{pair}: correlation must be a number in -1..1, got {rho!r}")


def correlation_pairs(drivers: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    """The drivers' active correlations as (a, b, rho), checked: known drivers, each driver correlated at most
    once as b and never both a and b (no chains), a spec with a spec or sectors, or a path with a path (the
    pair is inactive while either path has no AR(1) variation)."""
    known = {p.key: p for p in DRIVER_PARAMS}
    pairs: list[tuple[str, str, float]] = []
    for pair, rho in sorted(drivers["correlations"].items()):
        where = f"drivers.correlations.{pair}"
        a, _, b = pair.partition("~")
        if a not in known or b not in known or a == b:
            raise ScenarioError(f"{where}: expected two different driver names joined by '~'")
        kinds = [known[k].kind for k in (a, b)]
        if kinds[0] not in ("spec", "path") or kinds[1] not in ("spec", "sectors", "path") \
                or ("path" in kinds and kinds[0] != kinds[1]):
            raise ScenarioError(f"{where}: correlate a spec with a spec or sectors, or an AR(1) path with a path")
        if "path" in kinds and (path_ar1(drivers[a]) is None or path_ar1(drivers[b]) is None):
            continue  # a path without year-to-year variation has nothing to correlate (e.g. a fixed growth rate)
        pairs.append((a, b, float(rho)))
    bs = [b for _, b, _ in pairs]
    if len(set(bs)) < len(bs) or set(bs) & {a for a, _, _ in pairs}:
        raise ScenarioError("drivers.correlations: a driver is correlated twice, or is both a and b of pairs")
    return pairs


@dataclass
class Scenario:
    name: str
    drivers: dict[str, Any] = field(default_factory=dict)
    levers: dict[str, dict[str, Any]] = field(default_factory=dict)
    horizon: int = 2035
    description: str = ""

    def __post_init__(self) -> None:
        self.drivers = self._resolve_drivers(self.drivers)
        self.levers = self._resolve_levers(self.levers)
        if isinstance(self.horizon, bool) or not isinstance(self.horizon, int) \
                or not MIN_HORIZON <= self.horizon <= MAX_HORIZON:
            raise ScenarioError(f"horizon: must be a year in {MIN_HORIZON}..{MAX_HORIZON}, got {self.horizon!r}")

    @staticmethod
    def _resolve_drivers(given: Mapping[str, Any]) -> dict[str, Any]:
        known = {p.key: p for p in DRIVER_PARAMS}
        unknown = set(given) - set(known)
        if unknown:
            raise ScenarioError(f"drivers: unknown driver(s) {sorted(unknown)}; known: {sorted(known)}")
        out = _merge(DEFAULT_DRIVERS, dict(given))
        for key, param in known.items():
            # a sector map that sets "*" (all other sectors) replaces the default map instead of merging
            if param.kind == "sectors" and isinstance(given.get(key), Mapping) and "*" in given[key]:
                out[key] = copy.deepcopy(dict(given[key]))
            _validate_param(param, out[key], f"drivers.{key}")
        correlation_pairs(out)
        return out

    @staticmethod
    def _resolve_levers(given: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        unknown = set(given) - set(LEVER_KEYS)
        if unknown:
            raise ScenarioError(f"levers: unknown lever(s) {sorted(unknown)}; known: {list(LEVER_KEYS)}")
        out: dict[str, dict[str, Any]] = {}
        for spec in LEVERS:
            lever = dict(given.get(spec.key) or {})
            params = {p.key: p for p in spec.params}
            bad = set(lever) - set(params) - {"enabled"}
            if bad:
                raise ScenarioError(f"levers.{spec.key}: unknown field(s) {sorted(bad)}; known: {sorted(params)}")
            enabled = lever.get("enabled", False)
            if not isinstance(enabled, bool):
                raise ScenarioError(f"levers.{spec.key}.enabled: expected true or false, got {enabled!r}")
            resolved: dict[str, Any] = {"enabled": enabled}
            for key, param in params.items():
                value = copy.deepcopy(lever[key]) if key in lever else copy.deepcopy(spec.plan[key])
                _validate_param(param, value, f"levers.{spec.key}.{key}")
                resolved[key] = value
            out[spec.key] = resolved
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        if not isinstance(data, Mapping):
            raise ScenarioError("scenario: expected a JSON object")
        unknown = set(data) - {"name", "description", "horizon", "drivers", "levers"}
        if unknown:
            raise ScenarioError(f"scenario: unknown field(s) {sorted(unknown)}")
        return cls(name=str(data.get("name", "scenario")), drivers=dict(data.get("drivers") or {}),
                   levers=dict(data.get("levers") or {}), horizon=data.get("horizon", 2035),
                   description=str(data.get("description", "")))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "horizon": self.horizon,
                "drivers": copy.deepcopy(self.drivers), "levers": copy.deepcopy(self.levers)}

    def copy(self, name: str | None = None, **changes: Any) -> Scenario:
        data = self.to_dict()
        if name is not None:
            data["name"] = name
        data.update(changes)
        return Scenario.from_dict(data)

    def enabled_levers(self) -> list[str]:
        return [key for key in LEVER_KEYS if self.levers[key]["enabled"]]


def baseline_scenario(horizon: int = 2035) -> Scenario:
    """No new measures: every lever off (its plan values kept, so a copy can switch it on)."""
    return Scenario(name="baseline", horizon=horizon, description="No new measures beyond the base-year trends.")


PLAN_TARGETS: dict[str, tuple[str, str, Any]] = {
    # target key: (lever, field, how the number enters the lever)
    "pv_mw_2021_2025": ("pv", "additions_mw", "MW added in 2021-2025 (five years) -> MW per year"),
    "dc_pue_new": ("dc_pue", "pue_new", "PUE of new data centres"),
    "dc_pue_existing": ("dc_pue", "pue_existing", "PUE of existing data centres by 2025"),
    "ev_new_share": ("ev", "new_share", "BEV share of new private cars by 2025"),
    "green_travel_2025": ("green_travel", "share", "green travel share in 2025"),
    "green_travel_2035": ("green_travel", "share", "green travel share in 2035"),
    "retrofit_m2_2021_2030": ("retrofit", "area_m2", "m² of public buildings retrofitted in 2021-2030"),
    "ule_residential_share_2030": ("ule_new_build", "share_residential", "ULE share of new homes by 2030"),
    "hydrogen_buses_2025": ("hydrogen_buses", "buses", "fuel-cell buses in service by 2025"),
}


def plan_scenario(targets: Mapping[str, float] | None = None, horizon: int = 2035,
                  name: str = "plan") -> Scenario:
    """The plan's measures as written: plan levers on, with `targets` (keys of PLAN_TARGETS, e.g.
    taken from the plan registry's indicators) replacing the defaults; absent targets keep them."""
    targets = dict(targets or {})
    unknown = set(targets) - set(PLAN_TARGETS)
    if unknown:
        raise ScenarioError(f"plan targets: unknown key(s) {sorted(unknown)}; known: {sorted(PLAN_TARGETS)}")
    levers = {spec.key: {**copy.deepcopy(dict(spec.plan)), "enabled": spec.plan_enabled} for spec in LEVERS}
    t = targets
    if "pv_mw_2021_2025" in t:
        levers["pv"]["additions_mw"] = {"interp": "step", "points": {
            "2021": float(t["pv_mw_2021_2025"]) / 5, str(PV_AFTER_PLAN_FROM): copy.deepcopy(PV_AFTER_PLAN)}}
    if "dc_pue_new" in t:
        levers["dc_pue"]["pue_new"] = {"2022": float(t["dc_pue_new"])}
    if "dc_pue_existing" in t:
        levers["dc_pue"]["pue_existing"] = {"2025": float(t["dc_pue_existing"])}
    if "ev_new_share" in t:
        levers["ev"]["new_share"] = {"2025": float(t["ev_new_share"])}
    if "green_travel_2025" in t or "green_travel_2035" in t:
        share = dict(levers["green_travel"]["share"])
        if "green_travel_2025" in t:
            share["2025"] = float(t["green_travel_2025"])
        if "green_travel_2035" in t:
            share["2035"] = float(t["green_travel_2035"])
        levers["green_travel"]["share"] = share
    if "retrofit_m2_2021_2030" in t:
        levers["retrofit"]["area_m2"] = {"interp": "step",
                                         "points": {"2021": float(t["retrofit_m2_2021_2030"]) / 10, "2031": 0}}
    if "ule_residential_share_2030" in t:
        levers["ule_new_build"]["share_residential"] = {"2025": 0.1, "2030": float(t["ule_residential_share_2030"])}
    if "hydrogen_buses_2025" in t:
        levers["hydrogen_buses"]["buses"] = {"2025": float(t["hydrogen_buses_2025"]),
                                             "2030": 3 * float(t["hydrogen_buses_2025"])}
    return Scenario(name=name, horizon=horizon, levers=levers,
                    description="The plan's measures as written.")
