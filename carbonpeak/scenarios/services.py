"""Scenario use cases over the database: calibration base, plan targets, defaults, runs, copies."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from carbonpeak.plan.models import Indicator, Plan
from carbonpeak.scenarios import engine
from carbonpeak.scenarios.models import Scenario, ScenarioRun

log = logging.getLogger(__name__)

DEFAULT_DRAWS = 2000
MAX_DRAWS = 20000
DEFAULT_SEED = 2022

DC_SHARE_OF_BUILDINGS_ELECTRICITY = 0.30
"""When the accounting inventory has no data-centre sector, this share of the buildings sector's grid
electricity is split off as `data_centres` so the PUE lever has something to act on (the default base's
ratio: 0.8 of 2.7 TWh). Recorded in the base's source text; totals are unchanged."""

DEFAULT_VA_SHARE = {"industry": 0.32, "construction": 0.03, "buildings": 0.615, "agriculture": 0.006}
"""Value-added shares used when the accounting app has no sector GDP for the base year."""

# plan indicator codes -> engine plan target, with the unit conversions accepted (no guessing on other units)
INDICATOR_TARGETS: dict[str, tuple[tuple[str, ...], dict[str, float]]] = {
    "pv_mw_2021_2025": (("pv-capacity-added",), {"万千瓦": 10.0, "MW": 1.0, "兆瓦": 1.0}),
    "dc_pue_new": (("dc-pue-new",), {"PUE": 1.0, "": 1.0}),
    "dc_pue_existing": (("dc-pue-existing",), {"PUE": 1.0, "": 1.0}),
    "ev_new_share": (("new-private-car-bev-share", "ev-share-new-private-cars"), {"%": 0.01}),
    "green_travel_2025": (("green-transport-share-2025", "green-travel-share-2025"), {"%": 0.01}),
    "green_travel_2035": (("green-transport-share-2035", "green-travel-share-2035"), {"%": 0.01}),
    "retrofit_m2_2021_2030": (("public-building-retrofit-area",), {"万平方米": 1e4, "m2": 1.0, "m²": 1.0}),
    "ule_residential_share_2030": (("new-residential-ultra-low-energy-share",), {"%": 0.01}),
}


STANDARD_NAMES = {"baseline": "基准情景", "plan": "方案情景"}
"""Names of the standard scenarios (data, in the plan's language; users rename them freely)."""


# -- calibration base ------------------------------------------------------------------------------------

def _fingerprint(base: engine.BaseYear) -> str:
    return hashlib.sha256(json.dumps(base.to_dict(), sort_keys=True).encode()).hexdigest()


def base_from_accounting(plan: Plan, year: int | None = None) -> tuple[engine.BaseYear, list[str]] | None:
    """The latest accounting inventory year that has GDP, as a calibration base; None if there is none.

    Sector x carrier energy and CO2 are accounted with the accounting engine itself (same factor set,
    same method), so the base year of every projection is that inventory.
    """
    try:
        from carbonpeak.accounting import services as acc
        from carbonpeak.accounting.engine.inventory import account
    except ImportError:  # accounting app not available
        return None
    try:
        df = acc.records_frame(plan)
        if not len(df):
            return None
        gdp_total, gdp_sector = acc.gdp_series(plan)
        years = sorted({int(y) for y in df["year"]} & set(gdp_total), reverse=True)
        if year is not None:
            years = [y for y in years if y == year]
        if not years:
            return None
        year = years[0]
        df = df[df["year"] == year].reset_index(drop=True)
        fs = acc.engine_factor_set()
        res = account(df, fs)
    except Exception as exc:  # noqa: BLE001 - a broken inventory must not break the scenario pages
        log.warning("scenarios: accounting inventory unusable as base (%s)", exc)
        return None
    carriers = list(fs.carriers)
    rows = [{"sector": s, "carrier": carriers[int(c)], "energy_tce": float(e), "co2_t": float(q)}
            for s, c, e, q in zip(df["sector"], res.carrier, res.energy_tce, res.co2_t)]
    notes = [f"base year {year} from the accounting inventory (factor set {fs.code}, {len(rows)} records)"]
    gdp = float(gdp_total[year]) / 1e4  # 10^4 yuan -> 亿元
    sectors = {r["sector"] for r in rows}
    by = gdp_sector.get(year) or {}
    if by and set(by) & sectors:
        total = sum(by.values())
        va = {s: v / total for s, v in by.items() if s in sectors}
    else:
        va = {s: v for s, v in DEFAULT_VA_SHARE.items() if s in sectors}
        notes.append("value-added shares: defaults (no sector GDP in the accounting app)")
    default = engine.load_base()
    notes.append("population: default base value (the accounting app keeps no population)")
    try:
        base = engine.BaseYear.from_records(
            year, gdp, default.population, rows, va_share=va, tce_per_mwh=default.tce_per_mwh,
            default_factors={"pv_electricity": 0.0, "green_electricity": 0.0},
            source=f"accounting inventory {year}")
        if "data_centres" not in base.sectors and "buildings" in base.sectors and "electricity" in base.carriers:
            elec = base.energy[base.sectors.index("buildings"), base.carriers.index("electricity")]
            if elec > 0:
                dc_va = min(0.015, base.va_share[base.sectors.index("buildings")] / 2)
                base = base.split_sector("buildings", "data_centres",
                                         {"electricity": elec * DC_SHARE_OF_BUILDINGS_ELECTRICITY}, va_share=dc_va)
                notes.append(f"data centres: {DC_SHARE_OF_BUILDINGS_ELECTRICITY:.0%} of buildings' grid electricity "
                             "split off (assumption; the inventory has no data-centre sector)")
    except engine.ScenarioError as exc:
        log.warning("scenarios: accounting inventory %s not usable as base: %s", year, exc)
        return None
    return base, notes


def get_base(plan: Plan | None) -> tuple[engine.BaseYear, str, list[str]]:
    """(base, source, notes): the accounting inventory if usable, else the shipped default base."""
    if plan is not None:
        found = base_from_accounting(plan)
        if found is not None:
            return found[0], "accounting", found[1]
    base = engine.load_base()
    return base, "default", [f"base year {base.year}: shipped illustrative default (no usable accounting inventory)"]


# -- plan targets and default scenarios --------------------------------------------------------------------

def plan_targets(plan: Plan) -> tuple[dict[str, float], list[str]]:
    """Engine plan targets read from the plan registry's indicators; absent or unconvertible ones are
    listed in the notes and keep the engine defaults."""
    codes = {c for codes, _ in INDICATOR_TARGETS.values() for c in codes}
    found = {i.code: i for i in Indicator.objects.filter(plan=plan, code__in=codes)}
    targets: dict[str, float] = {}
    notes: list[str] = []
    for key, (candidates, units) in INDICATOR_TARGETS.items():
        ind = next((found[c] for c in candidates if c in found), None)
        if ind is None or ind.target_value is None:
            notes.append(f"{key}: no indicator {candidates[0]!r} in plan {plan.code}; engine default kept")
            continue
        unit = (ind.unit or "").strip()
        if unit not in units:
            notes.append(f"{key}: indicator {ind.code} unit {unit!r} not convertible; engine default kept")
            continue
        targets[key] = float(ind.target_value) * units[unit]
    return targets, notes


def ensure_defaults(plan: Plan) -> list[Scenario]:
    """Create the baseline and plan scenarios of `plan` if missing (idempotent)."""
    out = []
    with transaction.atomic():
        for slug, kind in (("baseline", Scenario.Kind.BASELINE), ("plan", Scenario.Kind.PLAN)):
            sc = Scenario.objects.filter(plan=plan, slug=slug).first()
            if sc is None:
                if kind == Scenario.Kind.BASELINE:
                    eng, desc = engine.baseline_scenario(), "No new measures beyond the base-year trends."
                else:
                    targets, notes = plan_targets(plan)
                    eng = engine.plan_scenario(targets)
                    desc = f"The plan's measures as written ({plan.code}); from indicators: " \
                           f"{', '.join(sorted(targets)) or 'none'}."
                    if notes:
                        desc += " " + " ".join(notes)
                data = eng.to_dict()
                sc = Scenario(plan=plan, slug=slug, name=STANDARD_NAMES[slug], kind=kind, description=desc,
                              parameters={k: v for k, v in data.items() if k not in ("name", "description")})
                sc.save()
            out.append(sc)
    return out


def unique_slug(plan: Plan, name: str) -> str:
    base = slugify(name)[:70] or "scenario"
    slug, n = base, 2
    while Scenario.objects.filter(plan=plan, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def copy_scenario(source: Scenario, name: str, user: Any = None, slug: str | None = None) -> Scenario:
    new = Scenario(plan=source.plan, name=name, slug=slug or unique_slug(source.plan, name),
                   kind=Scenario.Kind.CUSTOM, parent=source, description=source.description,
                   parameters=json.loads(json.dumps(source.parameters)),
                   created_by=user if getattr(user, "is_authenticated", False) else None)
    new.save(user=new.created_by)
    return new


def update_parameters(scenario: Scenario, levers: dict[str, Any] | None = None, drivers: dict[str, Any] | None = None,
                      horizon: int | None = None, user: Any = None) -> Scenario:
    """Merge lever/driver changes into the scenario (validated by the engine) and save a new version."""
    params = json.loads(json.dumps(scenario.parameters))
    for key, change in (levers or {}).items():
        if not isinstance(change, dict):
            raise engine.ScenarioError(f"levers.{key}: expected an object")
        params.setdefault("levers", {}).setdefault(key, {}).update(change)
    for key, value in (drivers or {}).items():
        params.setdefault("drivers", {})[key] = value
    if horizon is not None:
        params["horizon"] = horizon
    scenario.parameters = params
    scenario.save(user=user if getattr(user, "is_authenticated", False) else None)
    return scenario


def find(plan: Plan, name: str) -> Scenario | None:
    return (Scenario.objects.filter(plan=plan, slug=name).first()
            or Scenario.objects.filter(plan=plan, name=name).first())


# -- runs ---------------------------------------------------------------------------------------------------

def run(scenario: Scenario, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED, use_cache: bool = True,
        store: bool = True) -> ScenarioRun:
    """The scenario's projection (cached per version, draws, seed and calibration base).

    `store=False` (an anonymous visitor's run) answers from the cache or computes without saving a row.
    """
    if not 1 <= int(draws) <= MAX_DRAWS:
        raise engine.ScenarioError(f"draws: must be in 1..{MAX_DRAWS}, got {draws}")
    base, source, notes = get_base(scenario.plan)
    fp = _fingerprint(base)
    if use_cache:
        cached = ScenarioRun.objects.filter(scenario=scenario, version=scenario.version, draws=draws, seed=seed,
                                            base_fingerprint=fp).first()
        if cached is not None:
            return cached
    eng = scenario.engine_scenario()
    t0 = time.perf_counter()
    proj = engine.project(eng, base, draws=int(draws), seed=int(seed))
    result = proj.to_dict()
    elapsed = time.perf_counter() - t0
    result["notes"] = notes + result["notes"]
    result["base_source"] = source
    result["scenario_version"] = scenario.version
    result["sectors"] = list(base.sectors)
    result["carriers"] = list(base.carriers)
    key = dict(scenario=scenario, version=scenario.version, draws=int(draws), seed=int(seed), base_fingerprint=fp)
    values = dict(base_year=base.year, base_source=source, p_peak_by=result["peak"]["p_peak_by"],
                  peak_year_p50=result["peak"]["peak_year_p50"], result=result, elapsed_s=elapsed)
    if not store:
        return ScenarioRun(**key, **values)
    run_obj, _ = ScenarioRun.objects.update_or_create(**key, defaults=values)
    return run_obj


def backtest(draws: int = 1000, seed: int = DEFAULT_SEED, plan: Plan | None = None) -> dict[str, Any]:
    """Back-test: project from an earlier inventory year and compare with the later actual totals.

    With at least two accounting years (GDP recorded for all of them), the base is the earliest one and
    the run is *conditional on the recorded GDP* (yearly growth fixed to the records, other drivers at
    their defaults, no new measures): it tests the model's structure, not a GDP forecast. Otherwise the
    shipped illustrative series is used with its own ex-ante assumptions.
    """
    if plan is not None:
        out = _accounting_backtest(plan, draws, seed)
        if out is not None:
            return out
    hist_base, actuals = engine.load_history()
    data = json.loads(engine.base.DEFAULT_HISTORY_FILE.read_text(encoding="utf-8"))
    out = engine.backtest(engine.Scenario.from_dict(data["scenario"]), hist_base, actuals, draws=draws, seed=seed)
    out["source"] = "shipped illustrative history (ex-ante assumptions)"
    return out


def _accounting_backtest(plan: Plan, draws: int, seed: int) -> dict[str, Any] | None:
    try:
        from carbonpeak.accounting import services as acc
    except ImportError:
        return None
    gdp_total, _ = acc.gdp_series(plan)
    years = sorted(y for y in acc.years_with_records(plan) if y in gdp_total)
    if len(years) < 2 or years != list(range(years[0], years[-1] + 1)):
        return None
    found = base_from_accounting(plan, year=years[0])
    if found is None:
        return None
    base, _ = found
    by_year = acc.inventory(plan).result.get("by_year", {})
    actuals = {y: {"co2_t": by_year[str(y)]["co2_t"], "energy_tce": by_year[str(y)]["energy_tce"]}
               for y in years[1:] if str(y) in by_year}
    growth = {str(y): gdp_total[y] / gdp_total[y - 1] - 1.0 for y in years[1:]}
    sc = engine.baseline_scenario(horizon=max(years[-1], engine.scenario.MIN_HORIZON)).copy(
        "backtest", drivers={"gdp_growth": {"interp": "step", "points": growth}})
    out = engine.backtest(sc, base, actuals, draws=draws, seed=seed)
    out["source"] = f"accounting inventory {years[0]}-{years[-1]} (conditional on recorded GDP)"
    return out
