"""Assessment use cases over the database: allocate, approve, score, adjust, freeze, barometer, notice, reward.

Figures of other apps come only through `inputs`; the arithmetic is the engine's. Every write is audited in
tracking's audit log (`tracking.services.audit`) in the same transaction.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from carbonpeak.assessment import energy_reports, inputs
from carbonpeak.assessment.engine.allocation import AllocationError, allocate_intensity, allocate_total
from carbonpeak.assessment.engine.barometer import barometer as engine_barometer
from carbonpeak.assessment.engine.reward import split_reward
from carbonpeak.assessment.engine.rubric import Rubric, RubricError
from carbonpeak.assessment.engine.scoring import score, year_over_year
from carbonpeak.assessment.models import (
    Adjustment, Allocation, AllocationShare, Assessment, FrozenError, KeyEnergyUnit, Status, UnitSeries,
)
from carbonpeak.assessment.rubrics import load_rubric
from carbonpeak.core import memo
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit
from carbonpeak.plan.selectors import indicator_for_role
from carbonpeak.tracking.permissions import Actor
from carbonpeak.tracking.services import audit, snapshot

ENERGY_INTENSITY = "energy_intensity"
ENERGY_TOTAL = "energy_total"
"""Indicator roles (docs/plan-file.md) of the dual-control targets the assessment allocates and scores."""
INTENSITY_BASES = {ENERGY_INTENSITY: "energy_tce"}


def role_code(plan: Plan, role: str) -> str | None:
    """The code of the plan's indicator with `role`, None if the plan has none."""
    ind = indicator_for_role(plan, role)
    return ind.code if ind is not None else None
GDP_SERIES = "gdp"

InputError = (AllocationError, RubricError)


# -- units and series ------------------------------------------------------------------------------------

def allocation_units(plan: Plan, rubric: Rubric, target: str) -> list[ResponsibleUnit | KeyEnergyUnit]:
    if target not in Allocation.Target.values:
        raise AllocationError(f"allocate to {' or '.join(Allocation.Target.values)}, not {str(target)[:40]!r}")
    if target == Allocation.Target.KEY_UNITS:
        units = list(KeyEnergyUnit.objects.filter(plan=plan).select_related("town"))
    else:
        units = inputs.assessed_units(plan, rubric.assessed_kinds)
    if not units:
        raise AllocationError(f"plan {plan.code} has no {target} to allocate to")
    return units


def _unit_key(u) -> dict:
    return {"key_unit": u} if isinstance(u, KeyEnergyUnit) else {"unit": u}


def series(plan: Plan, code: str, year: int, units: list, latest: bool = True) -> np.ndarray:
    """One value per unit of an uploaded series: of `year`, or (latest) of the latest year up to it. NaN if none."""
    qs = UnitSeries.objects.filter(plan=plan, code=code, year__lte=year) if latest else \
        UnitSeries.objects.filter(plan=plan, code=code, year=year)
    values: dict[tuple, float] = {}
    for unit_id, key_id, value in qs.order_by("year").values_list("unit_id", "key_unit_id", "value"):
        values[(unit_id, key_id)] = value
    return np.array([values.get((None, u.pk) if isinstance(u, KeyEnergyUnit) else (u.pk, None), math.nan)
                     for u in units])


KEY_UNIT_DEVIATION = 0.05
"""Reported annual energy of a key unit further than this from its online-monitored energy is flagged."""


def energy(plan: Plan, year: int, units: list, field: str = "energy_tce") -> np.ndarray:
    """Energy (or CO2 with field="co2_t") per unit in a year: towns from accounting; key units from their approved
    能源利用状况报告, else their uploaded series ("energy" in tce, "co2" in t), else (energy) what their monitoring
    site measured."""
    if units and isinstance(units[0], KeyEnergyUnit):
        reported = series(plan, "energy" if field == "energy_tce" else "co2", year, units, latest=False)
        if field != "energy_tce":
            return reported
        reported = energy_reports.reported_energy(year, units, reported)
        monitored = inputs.monitored_energy(year, [u.site_id for u in units if u.site_id])
        fallback = np.array([monitored.get(u.site_id, math.nan) for u in units])
        return np.where(np.isnan(reported), fallback, reported)
    by_town = inputs.energy_by_town(plan, year)
    return np.array([by_town.get(u.name_zh, {}).get(field, math.nan) for u in units])


def _require_values(values: np.ndarray, units: list, what: str) -> np.ndarray:
    missing = [u.name_zh for u, v in zip(units, values) if not np.isfinite(v)]
    if missing:
        raise AllocationError(f"no {what} for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    return values


def key_unit_reconciliation(plan: Plan, year: int) -> list[dict[str, Any]]:
    """Each monitored key unit's reported annual energy against its online-monitored energy; a deviation over
    `KEY_UNIT_DEVIATION` (5 %) is flagged."""
    units = list(KeyEnergyUnit.objects.filter(plan=plan, site__isnull=False).select_related("town"))
    reported = energy_reports.reported_energy(year, units, series(plan, "energy", year, units, latest=False))
    monitored = inputs.monitored_energy(year, [u.site_id for u in units])
    out = []
    for u, rep in zip(units, reported):
        mon = monitored.get(u.site_id)
        deviation = float((rep - mon) / mon) if mon and np.isfinite(rep) else None
        out.append({"unit": u.name_zh, "code": u.code, "town": u.town.name_zh if u.town else None,
                    "reported_tce": None if np.isnan(rep) else float(rep), "monitored_tce": mon,
                    "deviation": deviation, "flagged": deviation is not None and abs(deviation) > KEY_UNIT_DEVIATION})
    return out


# -- allocation -----------------------------------------------------------------------------------------------

def _method_inputs(plan: Plan, rubric: Rubric, units: list, method: str, params: dict, year: int,
                   base_year: int, intensity: np.ndarray | None = None) -> dict:
    """The engine's inputs for a method. For an intensity target the default base is the base-year intensity
    (proportional: higher intensity, larger cut) and the weighted method uses the factors alone."""
    if method == "equal":
        return {}
    if method == "manual":
        shares = params.get("shares") or {}
        codes = [u.code for u in units]
        unknown = sorted(set(shares) - set(codes))
        if unknown:
            raise AllocationError(f"parameters.shares: unknown unit(s) {', '.join(unknown)}")
        return {"manual": np.array([float(shares.get(c, 0.0)) for c in codes])}
    base_code = params.get("base", "energy")
    if base_code == "energy" and intensity is not None:
        base = intensity if method == "proportional" else np.ones(len(units))
    elif base_code == "energy":
        base = energy(plan, base_year, units)
    else:
        base = series(plan, base_code, year, units)
    out = {"base": _require_values(base, units, f"base series {base_code!r} ({base_year})")}
    if method == "weighted":
        factors = params.get("factors") or []
        if not factors:
            raise AllocationError("parameters.factors: the weighted method needs factors (series and weight)")
        out["factors"] = np.column_stack([_require_values(series(plan, f["series"], year, units), units,
                                                          f"factor series {f['series']!r}") for f in factors])
        out["factor_weights"] = np.array([float(f["weight"]) for f in factors])
    return out


ENERGY_CAP_UNIT = "吨标准煤"
"""The unit of the accounts' energy caps (tce), whatever unit the plan states its energy total in."""


def district_total(plan: Plan, ind: Indicator, year: int) -> tuple[float, str]:
    """The indicator's district figure to share and its unit: its target value, or (energy total) the year's
    energy cap, in tce."""
    if ind.target_value is not None:
        return float(ind.target_value), ind.unit
    if ind.role == ENERGY_TOTAL:
        cap = inputs.dual_control(plan)["caps"].get(year)
        if cap is not None:
            return float(cap), ENERGY_CAP_UNIT
    raise AllocationError(f"indicator {ind.code!r} states no figure to allocate for {year}")


def allocate(plan: Plan, indicator_code: str, year: int, method: str, target: str = Allocation.Target.TOWNS,
             parameters: dict | None = None) -> dict[str, Any]:
    """Preview an allocation: the engine's result with the units' names and codes (nothing is stored).

    `parameters` override the rubric file's `allocation` defaults: decimals, base (a series code or "energy"),
    base_year (of the base series; default the rubric's), factors (weighted), shares (manual: unit code → share).
    """
    rubric = load_rubric(plan)
    params = {**rubric.allocation, **(parameters or {})}
    ind = inputs.indicator(plan, indicator_code)
    if ind is None:
        raise AllocationError(f"no indicator {indicator_code!r} in plan {plan.code}")
    units = allocation_units(plan, rubric, target)
    names = [u.name_zh for u in units]
    decimals = int(params.get("decimals", 1))
    unit_of_measure = ind.unit
    if ind.role in INTENSITY_BASES:
        if ind.target_value is None:
            raise AllocationError(f"indicator {ind.code!r} states no reduction to allocate")
        base_year = ind.baseline_year or rubric.base_year
        e0 = _require_values(energy(plan, base_year, units, INTENSITY_BASES[ind.role]), units,
                             f"energy in {base_year}")
        g0 = _require_values(series(plan, GDP_SERIES, base_year, units, latest=False), units, f"GDP in {base_year}")
        gy = series(plan, GDP_SERIES, year, units, latest=False)
        result = allocate_intensity(names, ind.target_value / 100.0, e0, g0, method, decimals + 3,
                                    target_gdp=gy if np.isfinite(gy).all() else None,
                                    **_method_inputs(plan, rubric, units, method, params, year, base_year,
                                                     e0 / g0)).to_dict()
    else:
        base_year = int(params.get("base_year") or rubric.base_year)
        total, unit_of_measure = district_total(plan, ind, year)
        result = allocate_total(names, total, method, decimals,
                                **_method_inputs(plan, rubric, units, method, params, year, base_year)).to_dict()
    for row, u in zip(result["allocations"], units):
        row["code"] = u.code
        row["town"] = u.town.name_zh if isinstance(u, KeyEnergyUnit) and u.town else None
    return {"indicator": ind.code, "indicator_zh": ind.name_zh, "unit_of_measure": unit_of_measure, "year": year,
            "target": target, "parameters": {k: v for k, v in params.items() if k != "factors" or method == "weighted"},
            **result}


def _require_office(actor: Actor) -> None:
    if not actor.is_admin or actor.token is not None:
        raise PermissionDenied("only the district office may do this")


def save_allocation(actor: Actor, plan: Plan, indicator_code: str, year: int, method: str,
                    target: str = Allocation.Target.TOWNS, parameters: dict | None = None) -> Allocation:
    """Store a new draft version of the allocation (recomputed from the data, never taken from the client)."""
    _require_office(actor)
    result = allocate(plan, indicator_code, year, method, target, parameters)
    units = {u.code: u for u in allocation_units(plan, load_rubric(plan), target)}
    with transaction.atomic():
        last = Allocation.objects.filter(plan=plan, indicator=indicator_code, year=year, target=target) \
            .aggregate(v=Max("version"))["v"] or 0
        alloc = Allocation.objects.create(plan=plan, indicator=indicator_code, year=year, target=target, method=method,
                                          parameters=parameters or {}, version=last + 1, result=result,
                                          created_by=actor.db_user)
        AllocationShare.objects.bulk_create([AllocationShare(allocation=alloc, value=row["value"],
                                                             **_unit_key(units[row["code"]]))
                                             for row in result["allocations"]])
        audit(actor, "create", alloc, None, snapshot(alloc))
    return alloc


def approve_allocation(actor: Actor, alloc: Allocation) -> Allocation:
    _require_office(actor)
    with transaction.atomic():
        alloc = Allocation.objects.select_for_update().get(pk=alloc.pk)
        if alloc.is_approved:
            raise FrozenError("this allocation is already approved")
        before = snapshot(alloc)
        alloc.status, alloc.approved_by, alloc.approved_at = Status.APPROVED, actor.db_user, timezone.now()
        alloc.save()
        audit(actor, "approve", alloc, before, snapshot(alloc))
    return alloc


def approved_allocation(plan: Plan, indicator_code: str, year: int | None = None,
                        target: str = Allocation.Target.TOWNS) -> Allocation | None:
    """The latest approved version for the year (or, year None, for any year, latest year first)."""
    qs = Allocation.objects.filter(plan=plan, indicator=indicator_code, target=target, status=Status.APPROVED)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-version").first()


def _by_code(alloc: Allocation | None, field: str) -> dict[str, float]:
    if alloc is None:
        return {}
    return {row["code"]: row[field] for row in alloc.result["allocations"]}


# -- assessment -----------------------------------------------------------------------------------------------

def _figures(plan: Plan, rubric: Rubric, year: int, units: list[ResponsibleUnit]) -> dict[str, np.ndarray]:
    """The energy figures behind the barometer and the target-completion items."""
    dc = inputs.dual_control(plan)
    base_year, target_year = dc["base_year"], dc["target_year"]
    g0, g = series(plan, GDP_SERIES, base_year, units, False), series(plan, GDP_SERIES, year, units, False)
    e0, e = energy(plan, base_year, units), energy(plan, year, units)
    c0, c = energy(plan, base_year, units, "co2_t"), energy(plan, year, units, "co2_t")
    intensity, total = role_code(plan, ENERGY_INTENSITY), role_code(plan, ENERGY_TOTAL)
    rates = _by_code(approved_allocation(plan, intensity) if intensity else None, "reduction_rate")
    district_rate = math.nan if dc["reduction"] is None else dc["reduction"]
    rate = np.array([rates.get(u.code, district_rate) for u in units], dtype=float)
    shares = _by_code(approved_allocation(plan, total, year) if total else None, "value")
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"base_intensity": e0 / g0, "intensity": e / g, "base_co2_intensity": c0 / g0, "co2_intensity": c / g,
                "energy": e, "rate": rate, "share": np.array([shares.get(u.code, math.nan) for u in units]),
                "schedule": np.full(len(units), min(1.0, max(0.0, (year - base_year) / (target_year - base_year))))}


def _completion(base: np.ndarray, now: np.ndarray, required: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(required > 0, (1.0 - now / base) / required, np.where(now <= base, 1.0, 0.0))


def measures(plan: Plan, rubric: Rubric, year: int, units: list[ResponsibleUnit]
             ) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Every measure the rubric may name, one value per unit, with the sentence behind each value."""
    f = _figures(plan, rubric, year, units)
    required = f["rate"] * f["schedule"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {"energy_intensity_completion": _completion(f["base_intensity"], f["intensity"], required),
               "co2_intensity_completion": _completion(f["base_co2_intensity"], f["co2_intensity"], required),
               "energy_total_completion": f["share"] / f["energy"],
               "energy_intensity_change": f["intensity"] / f["base_intensity"] - 1.0}
    details = {
        "energy_intensity_completion": [f"能耗强度较基年 {c:+.1%}，进度要求 {-r:.1%}" if np.isfinite(c) else ""
                                        for c, r in zip(out["energy_intensity_change"], required)],
        "energy_total_completion": [f"能耗 {e:,.0f} 吨标准煤，分解额度 {s:,.0f} 吨标准煤" if np.isfinite(s) else "未分解总量"
                                    for e, s in zip(f["energy"], f["share"])],
    }
    progress, late, returned = (inputs.task_progress(plan, year), inputs.late_reports(plan, year),
                                inputs.returned_reports(plan, year))
    out["task_progress_share"] = np.array([progress[u.pk][0] / progress[u.pk][1] if u.pk in progress else math.nan
                                           for u in units])
    details["task_progress_share"] = [f"承担任务 {progress[u.pk][0]}/{progress[u.pk][1]} 项按进度推进"
                                      if u.pk in progress else "" for u in units]
    out["late_reports"] = np.array([late[u.pk][0] if u.pk in late else math.nan for u in units], dtype=float)
    out["on_time_share"] = np.array([1.0 - late[u.pk][0] / late[u.pk][1] if late.get(u.pk, (0, 0))[1] else math.nan
                                     for u in units])
    details["late_reports"] = details["on_time_share"] = [
        f"应报 {late[u.pk][1]} 项，逾期或未报 {late[u.pk][0]} 项" if u.pk in late else "" for u in units]
    out["returned_reports"] = np.array([returned.get(u.pk, 0) for u in units], dtype=float)
    for m in rubric.measures:
        if m.startswith("indicator:"):
            values = inputs.indicator_values(plan, m.partition(":")[2], year)
            out[m] = np.array([values.get(u.pk, math.nan) for u in units])
    return out, details


def compute(plan: Plan, year: int, assessment: Assessment | None = None) -> dict[str, Any]:
    """Score every assessed unit from the platform's current data (plus the office's adjustments)."""
    rubric = load_rubric(plan)
    units = inputs.assessed_units(plan, rubric.assessed_kinds)
    if not units:
        raise RubricError(f"plan {plan.code} has no units of kind {', '.join(rubric.assessed_kinds)} to assess")
    values, details = measures(plan, rubric, year, units)
    adjustment = np.zeros(len(units))
    notes: dict[int, list[dict]] = {}
    if assessment is not None:
        index = {u.pk: i for i, u in enumerate(units)}
        for adj in assessment.adjustments.all():
            adjustment[index[adj.unit_id]] += adj.points
            notes.setdefault(adj.unit_id, []).append({"points": adj.points, "reason": adj.reason})
    sheet = score(rubric, [u.name_zh for u in units], values, adjustment)
    rows = sheet.to_units(details)
    by_name = {u.name_zh: u for u in units}
    for row in rows:
        unit = by_name[row["unit"]]
        row["code"] = unit.code
        row["adjustments"] = notes.get(unit.pk, [])
    return {"year": year, "plan": plan.code, "rubric": rubric.code, "rubric_source": rubric.source,
            "frozen": False, "units": rows}


def get_assessment(plan: Plan, year: int) -> Assessment | None:
    return Assessment.objects.filter(plan=plan, year=year).first()


def run(plan: Plan, year: int) -> dict[str, Any]:
    """The year's results: the snapshot frozen at approval, else computed now."""
    assessment = get_assessment(plan, year)
    if assessment is not None and assessment.is_approved:
        return assessment.snapshot
    return compute(plan, year, assessment)


def with_previous(plan: Plan, year: int, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """The rows, each with `previous`: its score, grade and rank in the approved (frozen) assessment of the year
    before and the changes (`engine.scoring.year_over_year`), None for a unit it did not assess; and whether that
    year has an approved assessment at all (a draft would move with the data: nothing to compare with)."""
    previous = get_assessment(plan, year - 1)
    if previous is None or not previous.is_approved:
        return [dict(r, previous=None) for r in rows], False
    order = [g.code for g in load_rubric(plan).grades]
    changes = year_over_year(rows, previous.snapshot["units"], order)
    return [dict(r, previous=changes[r["code"]]) for r in rows], True


def _open_assessment(plan: Plan, year: int, actor: Actor) -> Assessment:
    assessment, created = Assessment.objects.select_for_update().get_or_create(
        plan=plan, year=year, defaults={"created_by": actor.db_user})
    if created:
        audit(actor, "create", assessment, None, snapshot(assessment))
    if assessment.is_approved:
        raise FrozenError("the assessment of %s is approved and frozen" % year)
    return assessment


def add_adjustment(actor: Actor, plan: Plan, year: int, unit: ResponsibleUnit, points: float,
                   reason: str) -> Adjustment:
    """A documented 加减分 by the office: the reason is required; the score stays within 0–100."""
    _require_office(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Reason: say why the score is adjusted.")})
    if not math.isfinite(points) or abs(points) > 100:
        raise ValidationError({"points": _("Points: a number from -100 to 100.")})
    if unit.plan_id != plan.pk:
        raise ValidationError({"unit": _("Unit: the unit belongs to another plan.")})
    with transaction.atomic():
        assessment = _open_assessment(plan, year, actor)
        adj = Adjustment.objects.create(assessment=assessment, unit=unit, points=points, reason=reason.strip(),
                                        created_by=actor.db_user)
        audit(actor, "adjust", adj, None, snapshot(adj), reason.strip())
    return adj


MAX_REWARD_POOL_YUAN = 1e11
"""A district's 以奖代拨 pool is far below 100 billion yuan; the bound keeps the amount in fen within a 64-bit
integer (a larger one was a server error)."""


def set_reward_pool(actor: Actor, plan: Plan, year: int, pool_yuan: float) -> Assessment:
    _require_office(actor)
    if not (math.isfinite(pool_yuan) and 0 <= pool_yuan <= MAX_REWARD_POOL_YUAN):
        raise ValidationError({"pool": _("Reward pool: an amount from 0 to %(max)s yuan.")
                                       % {"max": f"{MAX_REWARD_POOL_YUAN:,.0f}"}})
    with transaction.atomic():
        assessment = _open_assessment(plan, year, actor)
        before = snapshot(assessment)
        assessment.reward_pool_fen = round(pool_yuan * 100)
        assessment.save()
        audit(actor, "edit", assessment, before, snapshot(assessment))
    return assessment


def approve_assessment(actor: Actor, plan: Plan, year: int) -> Assessment:
    """Freeze the year's results: the snapshot stored now is what every later read returns."""
    _require_office(actor)
    with transaction.atomic():
        assessment = _open_assessment(plan, year, actor)
        before = snapshot(assessment)
        result = compute(plan, year, assessment)
        result["frozen"] = True
        result["reward"] = reward(plan, year, result, assessment.reward_pool_fen)
        assessment.snapshot = result
        assessment.status, assessment.approved_by, assessment.approved_at = (Status.APPROVED, actor.db_user,
                                                                             timezone.now())
        assessment.save()
        audit(actor, "approve", assessment, before, {"status": assessment.status, "year": year})
    return assessment


# -- outputs ------------------------------------------------------------------------------------------------

def reward(plan: Plan, year: int, result: dict | None = None, pool_fen: int | None = None) -> dict[str, Any]:
    """以奖代拨: the pool split by the rubric's rule among the units whose grade qualifies, exact to the fen."""
    rubric = load_rubric(plan)
    if result is None:
        result = run(plan, year)
        if result.get("reward"):
            return result["reward"]
    if pool_fen is None:
        assessment = get_assessment(plan, year)
        pool_fen = assessment.reward_pool_fen if assessment else 0
    rows = result["units"]
    scores = np.array([r["score"] for r in rows])
    qualifies = np.array([r["grade"] in rubric.reward_grades and not r["veto"] for r in rows], dtype=bool)
    fen = split_reward(int(pool_fen), scores, qualifies, rubric.reward_rule, rubric.reward_threshold)
    return {"year": year, "pool_fen": int(pool_fen), "rule": rubric.reward_rule, "threshold": rubric.reward_threshold,
            "grades": list(rubric.reward_grades), "distributed_fen": int(fen.sum()),
            "units": [{"unit": r["unit"], "code": r["code"], "score": r["score"], "grade_zh": r["grade_zh"],
                       "qualifies": bool(q), "fen": int(f), "yuan": f"{int(f) // 100}.{int(f) % 100:02d}"}
                      for r, q, f in zip(rows, qualifies, fen)]}


def notice(plan: Plan, year: int) -> dict[str, Any]:
    """The 通报: ranking and grades; units named for 通报批评 (criticise grades) and 约谈 (vetoed or interview grades)."""
    rubric = load_rubric(plan)
    result = run(plan, year)
    rows, compared = with_previous(plan, year, result["units"])
    return {"year": year, "plan": plan, "frozen": result["frozen"], "units": rows, "compared": compared,
            "criticise": [r for r in rows if r["grade"] in rubric.criticise_grades],
            "interview": [r for r in rows if r["veto"] or r["grade"] in rubric.interview_grades],
            "grades": {g.code: [r["unit"] for r in rows if r["grade"] == g.code] for g in rubric.grades},
            "grade_names": {g.code: g.name_zh for g in rubric.grades}}


@memo.memoised  # the dashboard's costliest figure; its rubric file changes with a deployment, not between pages
def barometer(plan: Plan, year: int) -> list[dict[str, Any]]:
    """The 晴雨表 of every assessed unit for the year's data so far."""
    rubric = load_rubric(plan)
    units = inputs.assessed_units(plan, rubric.assessed_kinds)
    f = _figures(plan, rubric, year, units)
    rows = engine_barometer([u.name_zh for u in units], f["base_intensity"], f["intensity"], f["rate"],
                            float(f["schedule"][0]) if len(units) else 0.0, f["energy"], f["share"]).to_list()
    for row, u in zip(rows, units):
        row["code"] = u.code
    return rows


def unit_targets(unit: ResponsibleUnit) -> list[dict[str, Any]]:
    """The unit's values in the latest approved version of every allocation to towns: its own targets."""
    out, seen = [], set()
    for alloc in Allocation.objects.filter(plan=unit.plan_id, status=Status.APPROVED,
                                           target=Allocation.Target.TOWNS).order_by("-year", "indicator", "-version"):
        if (alloc.indicator, alloc.year) in seen:
            continue
        seen.add((alloc.indicator, alloc.year))
        row = next((r for r in alloc.result["allocations"] if r["code"] == unit.code), None)
        if row is not None:
            out.append({"pk": alloc.pk, "indicator_zh": alloc.result["indicator_zh"], "year": alloc.year,
                        "value": row["value"],
                        "unit_of_measure": alloc.result["unit_of_measure"] if alloc.result["kind"] == "total" else ""})
    return out
