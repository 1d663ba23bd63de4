"""Accounting use cases over the database: factor sets, imports, inventories, LMDI.

The numbers come from the pure engine; this module moves data between the ORM and the engine's arrays.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Count, Max, Q, Sum

from carbonpeak.accounting.engine import factors as engine_factors
from carbonpeak.accounting.engine.inventory import (
    METHOD_LABELS, METHODS, compute_inventory, constant_price_gdp, dual_control,
)
from carbonpeak.accounting.engine.lmdi import lmdi_from_tables
from carbonpeak.accounting.engine.records import RecordsError, RowError, parse_records
from carbonpeak.accounting.models import (
    AssessmentBasis, CarbonCap, EnergyCap, EnergyRecord, FactorSet, GdpDeflator, GdpRecord, ImportBatch,
    InventoryRun,
)
from carbonpeak.core import memo
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit
from carbonpeak.plan.selectors import indicator_for_role, indicators_for_role

CO2_INTENSITY_ROLE = "co2_intensity"
"""The plan's CO2-per-GDP indicators (e.g. for 2025 and 2030): the first with a figure is the target."""


# -- factor sets -----------------------------------------------------------------------------------------

def load_factor_sets(path: str | Path | None = None, builtin: bool | None = None) -> list[FactorSet]:
    """Create or update the factor sets of a YAML/JSON file (default: the shipped data file). Idempotent."""
    import yaml

    path = Path(path) if path else engine_factors.DEFAULT_FILE
    sets = engine_factors.load_factor_file(path)  # validates every set first
    builtin = (path.resolve() == engine_factors.DEFAULT_FILE.resolve()) if builtin is None else builtin
    with open(path, encoding="utf-8") as fh:
        raw = {d["code"]: d for d in yaml.safe_load(fh)["factor_sets"]}
    out = []
    with transaction.atomic():
        for code, fs in sets.items():
            obj, _ = FactorSet.objects.update_or_create(code=code, defaults={
                "name_zh": fs.name_zh, "name_en": fs.name_en, "version": fs.version,
                "valid_from_year": fs.valid_from_year, "valid_to_year": fs.valid_to_year, "source": fs.source,
                "data": json.loads(json.dumps(engine_factors._plain(raw[code]), ensure_ascii=False)),
                "builtin": builtin,
            })
            out.append(obj)
    return out


def get_factor_set(code: str | None = None) -> FactorSet:
    """The stored factor set `code` (default: Shanghai's), loading the shipped sets on first use."""
    code = code or engine_factors.DEFAULT_FACTOR_SET
    obj = FactorSet.objects.filter(code=code).first()
    if obj is None and code in engine_factors.builtin_factor_sets():
        load_factor_sets()
        obj = FactorSet.objects.filter(code=code).first()
    if obj is None:
        raise engine_factors.FactorError(
            f"unknown factor set {code!r}; available: "
            f"{', '.join(sorted(set(FactorSet.objects.values_list('code', flat=True)) | set(engine_factors.builtin_factor_sets())))}")
    return obj


def engine_factor_set(code: str | None = None) -> engine_factors.FactorSet:
    """An engine factor set: a shipped one without touching the database, else a user-added stored one."""
    code = code or engine_factors.DEFAULT_FACTOR_SET
    builtin = engine_factors.builtin_factor_sets()
    if code in builtin:
        return builtin[code]
    return get_factor_set(code).engine()


# -- records -----------------------------------------------------------------------------------------------

def town_lookup(plan: Plan) -> dict[str, ResponsibleUnit]:
    """Town/street units by every name they go by (name_zh, name_en, code, aliases)."""
    out: dict[str, ResponsibleUnit] = {}
    for u in ResponsibleUnit.objects.filter(plan=plan, kind__in=["town", "street"]):
        for name in [u.name_zh, u.name_en, u.code, *(u.aliases or [])]:
            if name:
                out[str(name).strip().lower()] = u
    return out


def import_records(plan: Plan, source: Any, filename: str = "upload", kind: str = EnergyRecord.Source.EXCEL,
                   user=None, only_town: ResponsibleUnit | None = None) -> ImportBatch:
    """Validate a CSV/Excel file (or text/bytes) and store all of its records, or none: `RecordsError`
    lists every bad row (engine checks, plus towns that are not a town or street of the plan, and with
    `only_town` rows of any other town: a town's reporter imports its own town's records only)."""
    df = parse_records(source, filename)
    towns = town_lookup(plan)
    town_names = df["town"].to_numpy(dtype=object)
    errors = [RowError(filename, int(r), "town", f"unknown town or street {t!r} in plan {plan.code}")
              for r, t in zip(df["row"], town_names) if t and str(t).strip().lower() not in towns]
    if only_town is not None:
        errors += [RowError(filename, int(r), "town", f"you may only import records of {only_town.name_zh}")
                   for r, t in zip(df["row"], town_names)
                   if getattr(towns.get(str(t).strip().lower()), "pk", None) != only_town.pk]
    if errors:
        raise RecordsError(errors)
    with transaction.atomic():
        batch = ImportBatch.objects.create(plan=plan, filename=filename, source=kind, rows=len(df),
                                           created_by=user if getattr(user, "is_authenticated", False) else None)
        objs = [
            EnergyRecord(plan=plan, entity_name=e, entity_kind=k, sector=s, carrier=c, quantity=float(q), unit=u,
                         year=int(y), month=int(m) or None, town=towns.get(str(t).strip().lower()) if t else None,
                         use=use, source=kind, batch=batch)
            for e, k, s, c, q, u, y, m, t, use in zip(df["entity"], df["entity_kind"], df["sector"], df["carrier"],
                                                      df["quantity"], df["unit"], df["year"], df["month"], town_names,
                                                      df["use"])
        ]
        EnergyRecord.objects.bulk_create(objs, batch_size=2000)
    return batch


def import_monitoring(plan: Plan, year: int, user=None) -> ImportBatch | None:
    """Replace the plan's monitoring-fed records of `year` with the monthly energy of every monitored site.

    Re-running is idempotent: the year's earlier monitoring records are removed in the same transaction.
    Monitoring records are per site (entity = site code); don't also enter the same sites by hand.
    """
    from carbonpeak.monitoring.services import feed_accounting

    rows = feed_accounting(year)
    with transaction.atomic():
        EnergyRecord.objects.filter(plan=plan, year=year, source=EnergyRecord.Source.MONITORING).delete()
        if not rows:
            return None
        return import_records(plan, pd.DataFrame(rows), f"monitoring-{year}", kind=EnergyRecord.Source.MONITORING,
                              user=user)


def records_frame(plan: Plan, year: int | None = None) -> pd.DataFrame:
    """The plan's energy records as the engine's DataFrame (one column per field, town by name)."""
    qs = EnergyRecord.objects.filter(plan=plan)
    if year is not None:
        qs = qs.filter(year=year)
    rows = list(qs.values_list("entity_name", "sector", "carrier", "quantity", "unit", "year", "month", "town__name_zh",
                               "use"))
    cols = ["entity", "sector", "carrier", "quantity", "unit", "year", "month", "town", "use"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = pd.DataFrame(rows, columns=cols)
    df["month"] = pd.to_numeric(df["month"], errors="coerce").fillna(0).astype(np.int64)
    df["town"] = df["town"].astype(object).where(df["town"].notna(), "")
    return df


# -- inventory ---------------------------------------------------------------------------------------------

def assessment_basis(plan: Plan) -> AssessmentBasis:
    """The plan's assessment basis (method, GDP price base), or the defaults when none is stored (not saved)."""
    return AssessmentBasis.objects.filter(plan=plan).first() or AssessmentBasis(plan=plan)


def gdp_series(plan: Plan) -> tuple[dict[int, float], dict[int, dict[str, float]]]:
    """GDP totals {year: 10^4 yuan} and sector value added {year: {sector: 10^4 yuan}}, at constant prices of
    the plan's GDP price base year: a value in another price base is converted with the plan's deflator series
    or refused (`InventoryError`), never mixed.

    A year with sector values but no total gets the sum of its sectors as total.
    """
    base = assessment_basis(plan).gdp_price_base_year
    deflator = dict(GdpDeflator.objects.filter(plan=plan).values_list("year", "index_value"))
    by_sector: dict[str, dict[int, tuple[float, int]]] = {}
    for year, sector, value, pb in GdpRecord.objects.filter(plan=plan).values_list(
            "year", "sector", "value_10k_yuan", "price_base_year"):
        by_sector.setdefault(sector, {})[year] = (value, pb)
    total: dict[int, float] = {}
    sectors: dict[int, dict[str, float]] = {}
    for sector, values in by_sector.items():
        for year, value in constant_price_gdp(values, base, deflator).items():
            if sector:
                sectors.setdefault(year, {})[sector] = value
            else:
                total[year] = value
    for year, by in sectors.items():
        total.setdefault(year, sum(by.values()))
    return total, sectors


def targets(plan: Plan) -> dict[str, Any]:
    """The energy- and CO2-intensity targets from the plan's `energy_intensity` and `co2_intensity` indicators,
    the energy caps (each in its own method) and CO2 caps.

    A plan without an energy-intensity indicator (or without its number) has no reduction (None): no trajectory,
    never a borrowed figure. The base and target years then default to the 14th Five-Year Plan's 2020 and 2025.
    CO2: none until an indicator carries a figure.
    """
    ind = indicator_for_role(plan, "energy_intensity")
    reduction = (ind.target_value / 100.0) if ind and ind.target_value is not None else None
    base_year = (ind.baseline_year if ind and ind.baseline_year else 2020)
    target_year = (ind.target_year if ind else 2025)
    co2 = indicators_for_role(plan, CO2_INTENSITY_ROLE).filter(target_value__isnull=False).first()
    caps = {(c.year, c.method): c.cap_tce for c in EnergyCap.objects.filter(plan=plan)}
    return {"reduction": reduction, "base_year": base_year, "target_year": target_year, "caps": caps,
            "indicator": ind.code if ind else None,
            "co2_indicator": co2.code if co2 else None,
            "co2_reduction": co2.target_value / 100.0 if co2 else None,
            "co2_target_year": co2.target_year if co2 else None,
            "co2_caps": dict(CarbonCap.objects.filter(plan=plan).values_list("year", "cap_t"))}


def caps_for(caps: dict[tuple[int, str], float], method: str) -> tuple[dict[int, float], dict[int, str]]:
    """Each year's cap and the method it is declared in: the cap of `method` when there is one."""
    cap: dict[int, float] = {}
    cap_method: dict[int, str] = {}
    for (year, m), value in sorted(caps.items(), key=lambda kv: kv[0][1] != method):
        if year not in cap:
            cap[year], cap_method[year] = value, m
    return cap, cap_method


def _fingerprint(plan: Plan, fs: FactorSet, method: str) -> str:
    rec = EnergyRecord.objects.filter(plan=plan).aggregate(n=Count("id"), u=Max("updated_at"), q=Sum("quantity"),
                                                           i=Sum("id"))
    gdp = list(GdpRecord.objects.filter(plan=plan).values_list("year", "sector", "value_10k_yuan", "price_base_year"))
    caps = list(EnergyCap.objects.filter(plan=plan).values_list("year", "cap_tce", "method"))
    co2_caps = list(CarbonCap.objects.filter(plan=plan).values_list("year", "cap_t"))
    deflators = list(GdpDeflator.objects.filter(plan=plan).values_list("year", "index_value"))
    basis = list(AssessmentBasis.objects.filter(plan=plan).values_list("method", "gdp_price_base_year"))
    ind = list(Indicator.objects.filter(plan=plan, role__in=["energy_intensity", CO2_INTENSITY_ROLE])
               .values_list("code", "target_value", "baseline_year", "target_year"))
    key = json.dumps([rec, gdp, caps, co2_caps, deflators, basis, ind, fs.code, str(fs.updated_at), method],
                     default=str, sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()


@memo.memoised
def inventory(plan: Plan, factor_set: str | None = None, method: str | None = None,
              use_cache: bool = True) -> InventoryRun:
    """The plan's inventory for all years, recomputed only when records, GDP, caps, targets or factors changed.

    `method`: 'equivalent' (当量值) or 'reporting' (等价值); default: the plan's assessment method. The stored
    run records the factor set (and its version) and the method every figure was computed with.
    """
    method = method or assessment_basis(plan).method
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; accepted: {', '.join(METHODS)}")
    fs_obj = get_factor_set(factor_set)
    fp = _fingerprint(plan, fs_obj, method)
    if use_cache:
        run = InventoryRun.objects.filter(plan=plan, factor_set=fs_obj, fingerprint=fp).first()
        if run is not None:
            return run
    fs = fs_obj.engine()
    df = records_frame(plan)
    gdp_total, gdp_sector = gdp_series(plan)
    t = targets(plan)
    if len(df):
        inv = compute_inventory(df, fs)
        result = inv.to_dict()
        cap, cap_method = caps_for(t["caps"], method)
        result["dual_control"] = dual_control(
            inv.by_year, gdp_total, method=method, base_year=t["base_year"], target_year=t["target_year"],
            reduction=t["reduction"], energy_cap_tce=cap or None, cap_method=cap_method,
            co2_reduction=t["co2_reduction"], co2_target_year=t["co2_target_year"],
            co2_cap_t=t["co2_caps"] or None, factor_set=fs.code)
    else:
        result = {"factor_set": fs.code, "energy_tce": 0.0, "co2_t": 0.0, "records": 0, "by_year": {},
                  "by_carrier": {}, "by_sector": {}, "by_town": {}, "by_year_sector": {}, "by_year_carrier": {},
                  "warnings": [], "dual_control": {"summary": {}, "years": []}}
    result["factor_set_version"] = fs_obj.version
    result["method"] = method
    result["method_label"] = METHOD_LABELS[method]
    result["assessment_method"] = assessment_basis(plan).method
    result["gdp_price_base_year"] = assessment_basis(plan).gdp_price_base_year
    result["targets"] = {k: v for k, v in t.items() if k not in ("caps", "co2_caps")} | {
        "caps": [{"year": y, "method": m, "cap_tce": c} for (y, m), c in sorted(t["caps"].items())],
        "co2_caps": {str(y): c for y, c in t["co2_caps"].items()}}
    result["gdp_by_sector"] = {str(y): v for y, v in gdp_sector.items()}
    return InventoryRun.objects.create(
        plan=plan, factor_set=fs_obj, factor_set_version=fs_obj.version, method=method, fingerprint=fp,
        record_count=int(result.get("records", 0)), energy_tce=float(result.get("energy_tce", 0.0)),
        co2_t=float(result.get("co2_t", 0.0)), result=result,
    )


def year_view(run: InventoryRun, year: int) -> dict[str, Any] | None:
    """One year's figures out of an inventory run: totals, breakdowns, dual control row."""
    res = run.result
    y = str(year)
    if y not in res.get("by_year", {}):
        return None
    dc = next((r for r in res["dual_control"]["years"] if r["year"] == year), None)
    return {
        "year": year,
        "factor_set": res["factor_set"],
        "factor_set_version": res.get("factor_set_version", ""),
        "method": res.get("method", "equivalent"),
        "method_label": res.get("method_label", ""),
        "totals": res["by_year"][y],
        "by_sector": res["by_year_sector"].get(y, {}),
        "by_carrier": res["by_year_carrier"].get(y, {}),
        "by_town": by_town_for_year(run.plan, year, run),
        "dual_control": dc,
        "summary": res["dual_control"]["summary"],
    }


def by_town_for_year(plan: Plan, year: int, run: InventoryRun) -> dict[str, dict[str, float]]:
    """Town breakdown of one year (the run's by_town spans all years), computed on that year's records."""
    df = records_frame(plan, year)
    if not len(df):
        return {}
    fs = run.factor_set.engine()
    return compute_inventory(df, fs, check_periods=False).by_town


def lmdi(plan: Plan, year0: int, year1: int, factor_set: str | None = None) -> dict[str, Any]:
    """LMDI decomposition of the CO2 change between two years, using the sector value added series."""
    run = inventory(plan, factor_set)
    res = run.result
    table = {int(y): v for y, v in res["by_year_sector"].items()}
    _, gdp_sector = gdp_series(plan)
    out = lmdi_from_tables(year0, year1, table, gdp_sector).to_dict()
    out["factor_set"] = res["factor_set"]
    return out


def lmdi_chain(plan: Plan, factor_set: str | None = None) -> list[dict[str, Any]]:
    """Year-over-year LMDI for every pair of consecutive years that has records and sector GDP."""
    run = inventory(plan, factor_set)
    table = {int(y): v for y, v in run.result["by_year_sector"].items()}
    _, gdp_sector = gdp_series(plan)
    years = sorted(y for y in table if y in gdp_sector)
    return [dict(lmdi_from_tables(a, b, table, gdp_sector).to_dict(), factor_set=run.result["factor_set"])
            for a, b in zip(years, years[1:])]


def years_with_records(plan: Plan) -> list[int]:
    return list(EnergyRecord.objects.filter(plan=plan).values_list("year", flat=True).distinct().order_by("year"))


def delete_records(plan: Plan, year: int | None = None, q: Q | None = None) -> int:
    qs = EnergyRecord.objects.filter(plan=plan)
    if year is not None:
        qs = qs.filter(year=year)
    if q is not None:
        qs = qs.filter(q)
    return qs.delete()[0]
