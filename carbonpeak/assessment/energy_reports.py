"""能源利用状况报告: key energy-consuming units' annual energy use status reports, a report kind of tracking's
review workflow (draft → submitted → approved / returned, four-eyes, corrections, the audit log).

The draft is saved here (who may report, the key unit's town, the energy by carrier through the accounting
engine); submitting, approving, returning and correcting are tracking's own steps (`tracking.services`). The
approved report's energy is what the assessment reads as the key unit's reported energy (`reported_energy`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError

from carbonpeak.accounting import services as accounting
from carbonpeak.accounting.engine.factors import FactorError
from carbonpeak.accounting.engine.inventory import compute_inventory
from carbonpeak.accounting.engine.records import RecordsError, parse_records
from carbonpeak.assessment.models import EnergyUseReport, KeyEnergyUnit
from carbonpeak.plan.models import Plan
from carbonpeak.tracking import permissions
from carbonpeak.tracking import services as tracking
from carbonpeak.tracking.models import ReportingPeriod
from carbonpeak.tracking.permissions import Actor

FIELDS = ("output_value_10k_yuan", "product", "unit_product_consumption", "unit_product_consumption_unit",
          "savings_measures")


def energy_tce(key_unit: KeyEnergyUnit, year: int, energy: list[dict[str, Any]]) -> float:
    """Total energy (tce, 当量值) of the report's carriers, by the accounting engine; a bad row is a
    ValidationError naming it (energy[i].field)."""
    if not isinstance(energy, list) or not energy:
        raise ValidationError({"energy": "energy: give at least one carrier as {carrier, quantity, unit}"})
    try:
        frame = pd.DataFrame([{"entity": key_unit.name_zh, "sector": "industry", "carrier": row.get("carrier"),
                               "quantity": row.get("quantity"), "unit": row.get("unit"), "year": year}
                              for row in energy])
        inventory = compute_inventory(parse_records(frame, "energy"), accounting.engine_factor_set())
    except (AttributeError, TypeError) as exc:
        raise ValidationError({"energy": "energy: each row is {carrier, quantity, unit}"}) from exc
    except (RecordsError, FactorError) as exc:
        raise ValidationError({"energy": f"energy: {exc}"}) from exc
    return float(inventory.totals["energy_tce"])


def save_draft(actor: Actor, key_unit: KeyEnergyUnit, period: ReportingPeriod, energy: list[dict[str, Any]],
               **fields: Any) -> EnergyUseReport:
    """Create or edit the draft of the key unit's report for an annual period: its town's reporters (or the
    office); refused (PermissionDenied / ValidationError) with nothing written otherwise."""
    if key_unit.town is None:
        raise ValidationError({"key_unit": f"key_unit: {key_unit.name_zh} has no town, so no unit reports for it"})
    if not permissions.can_report(actor, key_unit.town):
        raise PermissionDenied("You may not report for this key unit's town.")
    if period.plan_id != key_unit.plan_id or period.kind != ReportingPeriod.Kind.ANNUAL:
        raise ValidationError({"year": "year: the report is annual, for a year of the key unit's plan"})
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError({"fields": f"unknown field(s) {sorted(unknown)}; accepted: {', '.join(FIELDS)}"})
    values = {"energy": energy, "energy_tce": energy_tce(key_unit, period.year, energy),
              **{name: fields.get(name, "" if name in ("product", "unit_product_consumption_unit",
                                                         "savings_measures") else None) for name in FIELDS}}
    return tracking.save_draft(actor, EnergyUseReport, {"key_unit": key_unit, "unit": key_unit.town,
                                                        "period": period}, values)


def save_draft_in_plan(actor: Actor, plan: Plan, key_unit_code: str, year: int, energy: list[dict[str, Any]],
                       **fields: Any) -> EnergyUseReport:
    """`save_draft` for the key unit and annual period of `plan` named by code and year (the API's and the page's
    one path); a ValidationError naming the key unit or year when the plan has none."""
    key_unit = KeyEnergyUnit.objects.filter(plan=plan, code=key_unit_code).select_related("town").first()
    if key_unit is None:
        raise ValidationError({"key_unit": f"key_unit: no key energy-consuming unit {key_unit_code!r} in plan "
                                           f"{plan.code}"})
    period = ReportingPeriod.objects.filter(plan=plan, kind=ReportingPeriod.Kind.ANNUAL, year=year).first()
    if period is None:
        raise ValidationError({"year": f"year: plan {plan.code} has no annual reporting period {year}"})
    return save_draft(actor, key_unit, period, energy, **fields)


def visible(actor: Actor, plan: Plan):
    """The plan's reports the actor may see: every one for the office and leaders, its town's key units' else."""
    reports = EnergyUseReport.objects.filter(key_unit__plan=plan).select_related("key_unit", "unit", "period")
    return reports if actor.sees_all else reports.filter(unit=actor.unit)


STEPS = ("submit", "approve", "return")


def take_step(actor: Actor, report: EnergyUseReport, step: str, comment: str = "") -> EnergyUseReport:
    """tracking's workflow step `step` (one of STEPS) on the report: submit (its town's reporters), approve or
    return (its reviewers or the office, never one's own submission under four-eyes review)."""
    if step == "submit":
        return tracking.submit(actor, report)
    if step == "approve":
        return tracking.approve(actor, report, comment)
    if step == "return":
        return tracking.return_for_revision(actor, report, comment)
    raise ValueError(f"no step {step!r}; steps: {', '.join(STEPS)}")


def reported_energy(year: int, units: list[KeyEnergyUnit], uploaded: np.ndarray) -> np.ndarray:
    """Each key unit's reported annual energy (tce): its approved (effective) 能源利用状况报告 of `year`, else the
    uploaded series value given in `uploaded` (NaN if neither)."""
    approved = dict(EnergyUseReport.objects.effective().filter(
        key_unit__in=units, period__year=year, period__kind=ReportingPeriod.Kind.ANNUAL)
        .values_list("key_unit_id", "energy_tce"))
    return np.array([approved.get(u.pk, v) for u, v in zip(units, uploaded)], dtype=float)
