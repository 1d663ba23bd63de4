"""Scenario use cases over the database: calibration base, plan targets, defaults, runs, copies."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.text import slugify
from django.utils.translation import gettext

from carbonpeak.plan.models import Plan
from carbonpeak.plan.selectors import indicator_for_role
from carbonpeak.scenarios import engine
from carbonpeak.scenarios.models import Scenario, ScenarioRun

DEFAULT_DRAWS = 2000
MAX_DRAWS = 20000
DEFAULT_SEED = 2022

DC_SHARE_OF_BUILDINGS_ELECTRICITY = 0.30
"""When the accounting inventory has no data-centre sector, this share of the buildings sector's grid
electricity is split off as `data_centres` so the PUE lever has something to act on (the default base's
ratio: 0.8 of 2.7 TWh). Recorded in the base's source text; totals are unchanged."""

DEFAULT_VA_SHARE = {"industry": 0.32, "construction": 0.03, "buildings": 0.615, "agriculture": 0.006}
"""Value-added shares used when the accounting app has no sector GDP for the base year."""

# engine plan target -> (indicator role, target year or None for the earliest, unit conversions accepted: no
# guessing on other units). Roles are the plan file's closed vocabulary (docs/plan-file.md).
INDICATOR_TARGETS: dict[str, tuple[str, int | None, dict[str, float]]] = {
    "pv_mw_2021_2025": ("pv_capacity", None, {"万千瓦": 10.0, "MW": 1.0, "兆瓦": 1.0}),
    "dc_pue_new": ("dc_pue_new", None, {"PUE": 1.0, "": 1.0}),
    "dc_pue_existing": ("dc_pue_existing", None, {"PUE": 1.0, "": 1.0}),
    "ev_new_share": ("ev_share", None, {"%": 0.01}),
    "green_travel_2025": ("green_travel_share", 2025, {"%": 0.01}),
    "green_travel_2035": ("green_travel_share", 2035, {"%": 0.01}),
    "retrofit_m2_2021_2030": ("building_retrofit", None, {"万平方米": 1e4, "m2": 1.0, "m²": 1.0}),
    "ule_residential_share_2030": ("ultra_low_energy_share", None, {"%": 0.01}),
}


STATE_INDICATORS: dict[str, tuple[str, dict[str, float]]] = {
    # base-year state driver -> (indicator role whose approved report for the base year is that state, units)
    "ev_new_share_base": ("ev_share", {"%": 0.01}),
    "green_share_base": ("green_travel_share", {"%": 0.01}),
    "pue_base": ("dc_pue_existing", {"PUE": 1.0, "": 1.0}),
}


STANDARD_NAMES = {"baseline": "基准情景", "plan": "方案情景"}
"""Names of the standard scenarios (data, in the plan's language; users rename them freely)."""


# -- calibration base ------------------------------------------------------------------------------------

class BaseUnavailable(engine.ScenarioError):
    """The accounting inventory exists but cannot serve as the calibration base: shown, never skipped."""


def base_from_accounting(plan: Plan, year: int | None = None) -> tuple[engine.BaseYear, list[str]] | None:
    """The latest accounting inventory year that has GDP, as a calibration base; None if there is none.

    Sector x carrier energy and CO2 are accounted with the accounting engine itself (same factor set,
    same method), so the base year of every projection is that inventory. An inventory that exists but
    cannot be accounted raises `BaseUnavailable` (never a silent fall back to the default base).
    """
    try:
        from carbonpeak.accounting import services as acc
        from carbonpeak.accounting.engine.inventory import account
    except ImportError:  # accounting app not available
        return None
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
    try:
        fs = acc.engine_factor_set()
        res = account(df, fs)
    except ValueError as exc:  # the accounting engine's own errors (units, carriers, factors) are ValueErrors
        raise BaseUnavailable(f"base year {year}: the accounting inventory cannot be accounted: {exc}") from exc
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
        raise BaseUnavailable(f"base year {year}: the accounting inventory is not a usable base: {exc}") from exc
    return base, notes


class NoBaseData(engine.ScenarioError):
    """The plan has neither a usable accounting inventory nor a base-data file: no projection, no borrowed base."""


def get_base(plan: Plan | None) -> tuple[engine.BaseYear, str, list[str]]:
    """(base, source, notes): the plan's accounting inventory if usable, else the base-data file the plan names
    (`plan.scenario_base`); raises NoBaseData when it has neither."""
    if plan is None:
        raise NoBaseData("no plan is loaded")
    found = base_from_accounting(plan)
    if found is not None:
        return found[0], "accounting", found[1]
    if plan.scenario_base:
        base = engine.load_base(plan.scenario_base)
        return base, "plan", [f"base year {base.year}: the plan's base-data file (no usable accounting inventory)"]
    raise NoBaseData(f"plan {plan.code} has no base data for projections: import an accounting inventory with GDP "
                     "(carbonpeak accounting import) or name a base-data file in the plan file (plan.scenario_base)")


def observed_state(plan: Plan | None, year: int) -> dict[str, tuple[float, str]]:
    """Base-year states observed in `year`: the effective (approved) annual report of the indicator that
    measures each state, converted to the engine's unit; states without one fall back (noted by the engine)."""
    if plan is None:
        return {}
    from carbonpeak.tracking.models import IndicatorReport

    reports = (IndicatorReport.objects.effective()
               .filter(indicator__plan=plan, indicator__role__in={role for role, _ in STATE_INDICATORS.values()},
                       period__year=year, period__kind="annual")
               .select_related("indicator").order_by("-period__end", "-id"))
    state: dict[str, tuple[float, str]] = {}
    for report in reports:
        for key, (role, units) in STATE_INDICATORS.items():
            unit = (report.value_unit or report.indicator.unit or "").strip()
            if key not in state and report.indicator.role == role and unit in units:
                state[key] = (report.value * units[unit], f"approved {year} report of indicator {report.indicator.code}")
    if "pue_base" not in state:
        pue = monitored_fleet_pue(year)
        if pue is not None:
            state["pue_base"] = pue
    pv = pv_installed(plan, year)
    if pv is not None:
        state["pv_installed_base"] = pv
    return state


#: the plan's PV-capacity indicator's unit → MW
PV_UNITS = {"万千瓦": 10.0, "10^4 kW": 10.0, "MW": 1.0, "兆瓦": 1.0, "kW": 1e-3, "千瓦": 1e-3}


def pv_installed(plan: Plan, year: int) -> tuple[float, str] | None:
    """PV capacity added since the plan period's start as at the end of `year` (MW): the `progress` app's value of
    the plan's `pv_capacity` indicator (approved projects or approved reports, as its source says); None without
    one (the fallback is then noted)."""
    from carbonpeak.progress import services as progress

    indicator = indicator_for_role(plan, "pv_capacity")
    if indicator is None or indicator.unit not in PV_UNITS:
        return None
    result = progress.evaluate_plan(plan, codes=(indicator.code,))[0]
    ev = progress.as_at(result, year)
    if ev.latest_value is None:
        return None
    return (ev.latest_value * PV_UNITS[indicator.unit],
            f"progress of indicator {indicator.code} ({result.series_label or result.source}) as at "
            f"{progress.t_label(ev.latest_t)}")


def monitored_fleet_pue(year: int) -> tuple[float, str] | None:
    """Fleet PUE of the monitored data centres in `year`: their facility energy over their IT energy (one
    query); None without both sub-meters."""
    from carbonpeak.monitoring.models import RollupMonthly
    from carbonpeak.monitoring.services import month_start_ts

    totals = dict(RollupMonthly.objects.filter(
        meter__site__kind="data_centre", meter__category__in=["facility_total", "it_load"],
        bucket__gte=month_start_ts(year, 1), bucket__lt=month_start_ts(year + 1, 1),
    ).values_list("meter__category").annotate(total=Sum("consumption")).values_list("meter__category", "total"))
    facility, it = totals.get("facility_total") or 0.0, totals.get("it_load") or 0.0
    if not (facility > 0 and it > 0):
        return None
    return facility / it, f"monitoring: facility / IT energy of the metered data centres in {year}"


@dataclass
class Calibration:
    """What every run of a plan starts from, read once per request: base year, its source, notes, the
    observed base-year states and their joint fingerprint (the cache key of a run)."""

    base: engine.BaseYear
    source: str
    notes: list[str]
    state: dict[str, tuple[float, str]]
    fingerprint: str
    committed: list[dict[str, Any]] = field(default_factory=list)  # approved review projects' loads
    committed_projects: list[str] = field(default_factory=list)  # their names


def committed(plan: Plan | None) -> tuple[list[dict[str, Any]], list[str]]:
    """Approved project-review proposals as committed loads of the plan scenario, and their names (the review
    app's hook `review.services.approved_loads`)."""
    if plan is None:
        return [], []
    from carbonpeak.review import services as review

    projects = review.approved(plan)
    return review.approved_loads(projects), [p.name for p in projects]


ENGINE_DIGEST = hashlib.sha256(b"".join(
    p.read_bytes() for p in sorted(Path(engine.__file__).parent.glob("*.py")))).hexdigest()
"""The engine's code, part of every run's cache key: a stored run made by other model code is not reused."""


def calibration(plan: Plan | None) -> Calibration:
    base, source, notes = get_base(plan)
    state = observed_state(plan, base.year)
    loads, names = committed(plan)
    digest = hashlib.sha256(json.dumps([base.to_dict(), state, loads, ENGINE_DIGEST], sort_keys=True).encode()
                            ).hexdigest()
    return Calibration(base=base, source=source, notes=notes, state=state, fingerprint=digest, committed=loads,
                       committed_projects=names)


# -- plan targets and default scenarios --------------------------------------------------------------------

def plan_targets(plan: Plan) -> tuple[dict[str, float], list[str]]:
    """Engine plan targets read from the plan registry's indicators; absent or unconvertible ones are
    listed in the notes and keep the engine defaults."""
    targets: dict[str, float] = {}
    notes: list[str] = []
    for key, (role, year, units) in INDICATOR_TARGETS.items():
        ind = indicator_for_role(plan, role, year)
        if ind is None or ind.target_value is None:
            when = f" for {year}" if year else ""
            notes.append(f"{key}: no indicator with role {role!r}{when} in plan {plan.code}; engine default kept")
            continue
        unit = (ind.unit or "").strip()
        if unit not in units:
            notes.append(f"{key}: indicator {ind.code} unit {unit!r} not convertible; engine default kept")
            continue
        targets[key] = float(ind.target_value) * units[unit]
    return targets, notes


def ensure_defaults(plan: Plan) -> list[Scenario]:
    """Create the baseline and plan scenarios of `plan` if missing (idempotent)."""
    existing = {sc.slug: sc for sc in Scenario.objects.filter(plan=plan, slug__in=STANDARD_NAMES)}
    if len(existing) == len(STANDARD_NAMES):
        return [existing["baseline"], existing["plan"]]
    out = []
    with transaction.atomic():
        for slug, kind in (("baseline", Scenario.Kind.BASELINE), ("plan", Scenario.Kind.PLAN)):
            sc = existing.get(slug)
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


RESERVED_SLUGS = frozenset({"copy", "progress"})
"""Page names under /scenarios/ that a scenario slug must not shadow."""


def unique_slug(plan: Plan, name: str) -> str:
    base = slugify(name)[:70] or "scenario"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Scenario.objects.filter(plan=plan, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def copy_scenario(source: Scenario, name: str, user: Any = None, slug: str | None = None) -> Scenario:
    """A custom copy of ``source`` named ``name``; ValidationError for an empty name or one too long to store."""
    name = name.strip()
    longest = Scenario._meta.get_field("name").max_length
    if not 0 < len(name) <= longest:
        raise ValidationError({"name": gettext("Name: 1 to %(max)d characters.") % {"max": longest}})
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

def _compute(scenario: Scenario, cal: Calibration, draws: int, seed: int) -> ScenarioRun:
    """A new (unsaved) run of the scenario on the calibration."""
    t0 = time.perf_counter()
    loads = cal.committed if scenario.kind == Scenario.Kind.PLAN else []
    proj = engine.project(scenario.engine_scenario(), cal.base, draws=int(draws), seed=int(seed), state=cal.state,
                          committed_loads=loads)
    result = proj.to_dict()
    elapsed = time.perf_counter() - t0
    if loads:
        full = sum(row["energy_tce"] for row in loads if "until" not in row)
        result["assumptions"].append({
            "path": "committed_loads", "label": f"Committed loads: {len(cal.committed_projects)} approved project(s)",
            "source": f"project review (节能审查), approved: {', '.join(cal.committed_projects)}; "
                      f"{full:,.0f} tce/yr at full operation (当量值)"})
    result["notes"] = cal.notes + result["notes"]
    result["base_source"] = cal.source
    result["scenario_version"] = scenario.version
    result["sectors"] = list(cal.base.sectors)
    result["carriers"] = list(cal.base.carriers)
    return ScenarioRun(scenario=scenario, version=scenario.version, draws=int(draws), seed=int(seed),
                       base_fingerprint=cal.fingerprint, base_year=cal.base.year, base_source=cal.source,
                       p_peak_by=result["peak"]["p_peak_by"], peak_year_p50=result["peak"]["peak_year_p50"],
                       result=result, elapsed_s=elapsed)


def _check_draws(draws: int) -> None:
    if not 1 <= int(draws) <= MAX_DRAWS:
        raise engine.ScenarioError(f"draws: must be in 1..{MAX_DRAWS}, got {draws}")


def run(scenario: Scenario, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED, use_cache: bool = True,
        cal: Calibration | None = None, store: bool = True) -> ScenarioRun:
    """The scenario's projection (cached per version, draws, seed and calibration).

    `store=False` (an anonymous visitor's run) answers from the cache or computes without saving a row.
    """
    _check_draws(draws)
    cal = cal or calibration(scenario.plan)
    if use_cache:
        cached = ScenarioRun.objects.filter(scenario=scenario, version=scenario.version, draws=draws, seed=seed,
                                            base_fingerprint=cal.fingerprint).first()
        if cached is not None:
            return cached
    new = _compute(scenario, cal, draws, seed)
    if not store:
        return new
    run_obj, _ = ScenarioRun.objects.update_or_create(
        scenario=scenario, version=scenario.version, draws=new.draws, seed=new.seed, base_fingerprint=cal.fingerprint,
        defaults={f: getattr(new, f) for f in ("base_year", "base_source", "p_peak_by", "peak_year_p50", "result",
                                               "elapsed_s")})
    return run_obj


def runs(scenarios: list[Scenario], cal: Calibration, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED
         ) -> dict[int, ScenarioRun]:
    """Runs of many scenarios of one plan {scenario id: run}, in a constant number of queries: one read of
    the cached runs, the missing ones computed and stored in one insert."""
    _check_draws(draws)
    current = Q(pk__in=[])
    for sc in scenarios:
        current |= Q(scenario=sc, version=sc.version)
    found = {r.scenario_id: r for r in ScenarioRun.objects.filter(current, draws=draws, seed=seed,
                                                                  base_fingerprint=cal.fingerprint)}
    missing = [_compute(sc, cal, draws, seed) for sc in scenarios if sc.pk not in found]
    for r in ScenarioRun.objects.bulk_create(missing):
        found[r.scenario_id] = r
    return found


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


# -- progress tracking ----------------------------------------------------------------------------------------

PROGRESS_VINTAGES = 5
PROGRESS_DRAWS = 1000


def plan_scenario(plan: Plan) -> Scenario | None:
    """The plan's own scenario (the first of kind "plan"): what progress tracking re-forecasts."""
    return Scenario.objects.filter(plan=plan, kind=Scenario.Kind.PLAN).order_by("id").first()


def progress(plan: Plan, scenario: Scenario, draws: int = PROGRESS_DRAWS, seed: int = DEFAULT_SEED
             ) -> dict[str, Any]:
    """The scenario re-forecast from each of the last accounting years (observed years before it taken as
    fact), newest last, and how the newest forecast moved from the one a year earlier."""
    from carbonpeak.accounting import services as acc

    gdp_total, _ = acc.gdp_series(plan)
    years = sorted(y for y in acc.years_with_records(plan) if y in gdp_total)
    if not years:
        return {"vintages": [], "moved": None}
    by_year = acc.inventory(plan).result.get("by_year", {})
    observed = {y: float(by_year[str(y)]["co2_t"]) for y in years if str(y) in by_year}
    vintages = []
    for year in years[-PROGRESS_VINTAGES:]:
        base, _ = base_from_accounting(plan, year=year)
        history: dict[int, float] = {}
        y = year - 1
        while y in observed:
            history[y] = observed[y]
            y -= 1
        proj = engine.project(scenario.engine_scenario(), base, draws=draws, seed=seed, wedges=False,
                              state=observed_state(plan, year))
        vintages.append(engine.vintage_summary(year, engine.with_observed(proj, history)))
    moved = None
    if len(vintages) > 1 and vintages[-1]["base_year"] == vintages[-2]["base_year"] + 1:
        new, old = vintages[-1], vintages[-2]
        moved = {"from": old["base_year"], "to": new["base_year"],
                 "p_peak_by": new["p_peak_by"] - old["p_peak_by"],
                 "peak_year_p50": (new["peak_year_p50"] - old["peak_year_p50"]
                                   if new["peak_year_p50"] and old["peak_year_p50"] else None)}
    return {"vintages": vintages, "moved": moved, "draws": draws, "seed": seed}
