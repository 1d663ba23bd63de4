"""REST API of assessment, mounted at /api/assessment/. The same JSON as `carbonpeak assessment ... --format json`.

Authentication as tracking's API (session with a membership, or a unit's bearer token). A unit sees only its own
rows; the district office writes; the leader reads everything; forbidden writes are 403, bad input 422,
changes to an approved (frozen) allocation or assessment 409.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Path, Query, Router
from ninja.errors import HttpError

from carbonpeak.assessment import access, energy_reports, services
from carbonpeak.assessment.models import Allocation, EnergyUseReport, FrozenError, Status
from carbonpeak.core.errors import error_text
from carbonpeak.core.schema import Schema
from carbonpeak.plan.selectors import plan_or_404 as _plan
from carbonpeak.tracking import services as tracking
from carbonpeak.tracking.api import BearerToken, MemberSession

router = Router(tags=["assessment"], auth=[BearerToken(), MemberSession()])



def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "forbidden") from None
    except FrozenError as exc:
        raise HttpError(409, error_text(exc)) from None
    except (*services.InputError, ValidationError) as exc:
        raise HttpError(422, error_text(exc) if isinstance(exc, ValidationError) else str(exc)) from None


def _office(request) -> access.Actor:
    actor = access.actor_for(request)
    if not access.can_manage(actor):
        raise HttpError(403, "only the district office may do this")
    return actor


class AllocationIn(Schema):
    indicator: str
    year: int = Field(..., ge=1900, le=2100)
    method: str
    to: str = Allocation.Target.TOWNS
    parameters: dict = {}


class AdjustmentIn(Schema):
    unit: str
    points: float
    reason: str


class PoolIn(Schema):
    yuan: float


def _allocation_out(alloc: Allocation, actor: access.Actor) -> dict:
    return {"id": alloc.pk, "status": alloc.status, "version": alloc.version,
            **alloc.result, "allocations": access.own_rows(actor, alloc.result["allocations"])}


@router.get("/allocate")
def preview(request, indicator: str, method: str, year: int = Query(..., ge=1900, le=2100), to: str = Allocation.Target.TOWNS,
            plan: str | None = None):
    """Preview an allocation (office and leader): {indicator, year, method, total, allocations, reconciles}."""
    actor = access.actor_for(request)
    if not actor.sees_all:
        raise HttpError(403, "only the district office and leaders see district-wide previews")
    return _call(services.allocate, _plan(request), indicator, year, method, to)


@router.get("/allocations")
def allocations(request, year: int | None = Query(None, ge=1900, le=2100), plan: str | None = None):
    """Allocations: all versions for the office and leader; approved ones, own rows only, for a unit."""
    actor = access.actor_for(request)
    qs = Allocation.objects.filter(plan=_plan(request))
    if year is not None:
        qs = qs.filter(year=year)
    if not actor.sees_all:
        qs = qs.filter(status=Status.APPROVED)
    return [_allocation_out(a, actor) for a in qs]


@router.post("/allocations")
def create_allocation(request, body: AllocationIn, plan: str | None = None):
    actor = _office(request)
    alloc = _call(services.save_allocation, actor, _plan(request), body.indicator, body.year, body.method, body.to,
                  body.parameters)
    return _allocation_out(alloc, actor)


@router.post("/allocations/{pk}/approve")
def approve_allocation(request, pk: int):
    actor = access.actor_for(request)
    alloc = Allocation.objects.filter(pk=pk, plan=_plan(request)).first()
    if alloc is None or not (actor.sees_all or alloc.is_approved):
        raise Http404("not found")
    actor = _office(request)
    return _allocation_out(_call(services.approve_allocation, actor, alloc), actor)


@router.get("/run")
def run(request, year: int = Query(..., ge=1900, le=2100), plan: str | None = None):
    """The year's scores: {year, units: [{unit, score, grade, rank, veto, items}]} (a unit: its own row)."""
    actor = access.actor_for(request)
    result = _call(services.run, _plan(request), year)
    return {**result, "units": access.own_rows(actor, result["units"])}


@router.get("/barometer")
def barometer(request, year: int = Query(..., ge=1900, le=2100), plan: str | None = None):
    actor = access.actor_for(request)
    return {"year": year, "units": access.own_rows(actor, _call(services.barometer, _plan(request), year))}


@router.get("/key-units/reconciliation")
def key_unit_reconciliation(request, year: int = Query(..., ge=1900, le=2100), plan: str | None = None):
    """Key units' reported annual energy vs online monitoring; deviations over 5 % flagged (a unit: its town's)."""
    actor = access.actor_for(request)
    return {"year": year, "units": access.own_rows(actor, services.key_unit_reconciliation(_plan(request), year))}


@router.get("/reward")
def reward(request, year: int = Query(..., ge=1900, le=2100), plan: str | None = None):
    actor = access.actor_for(request)
    result = _call(services.reward, _plan(request), year)
    return {**result, "units": access.own_rows(actor, result["units"])}


@router.post("/assessments/{year}/adjustments")
def adjust(request, body: AdjustmentIn, year: int = Path(..., ge=1900, le=2100), plan: str | None = None):
    actor = _office(request)
    the_plan = _plan(request)
    unit = the_plan.units.filter(code=body.unit).first()
    if unit is None:
        raise HttpError(422, f"unit: no unit {body.unit!r} in plan {the_plan.code}")
    adj = _call(services.add_adjustment, actor, the_plan, year, unit, body.points, body.reason)
    return {"id": adj.pk, "unit": unit.name_zh, "points": adj.points, "reason": adj.reason}


@router.post("/assessments/{year}/reward-pool")
def reward_pool(request, body: PoolIn, year: int = Path(..., ge=1900, le=2100), plan: str | None = None):
    actor = _office(request)
    assessment = _call(services.set_reward_pool, actor, _plan(request), year, body.yuan)
    return {"year": year, "pool_fen": assessment.reward_pool_fen}


@router.post("/assessments/{year}/approve")
def approve(request, year: int = Path(..., ge=1900, le=2100), plan: str | None = None):
    actor = _office(request)
    assessment = _call(services.approve_assessment, actor, _plan(request), year)
    return assessment.snapshot


# -- 能源利用状况报告 (key units' annual energy use status reports, tracking's review workflow) ------------------

class EnergyUseReportIn(Schema):
    key_unit: str
    year: int = Field(..., ge=1900, le=2100)
    energy: list[dict]
    output_value_10k_yuan: float | None = None
    product: str = ""
    unit_product_consumption: float | None = None
    unit_product_consumption_unit: str = ""
    savings_measures: str = ""


class ReviewIn(Schema):
    comment: str = ""


def _energy_report_out(r: EnergyUseReport) -> dict:
    return {"id": r.pk, "key_unit": r.key_unit.code, "name_zh": r.key_unit.name_zh, "town": r.unit.code,
            "year": r.period.year, "status": r.status, "revision": r.revision, "energy": r.energy,
            "energy_tce": r.energy_tce, **{f: getattr(r, f) for f in energy_reports.FIELDS}}


@router.get("/energy-use-reports")
def energy_use_reports(request, year: int | None = Query(None, ge=1900, le=2100), plan: str | None = None):
    """Key units' 能源利用状况报告, every revision (a unit: its town's key units only)."""
    qs = energy_reports.visible(access.actor_for(request), _plan(request))
    if year is not None:
        qs = qs.filter(period__year=year)
    return [_energy_report_out(r) for r in qs]


@router.post("/energy-use-reports")
def save_energy_use_report(request, body: EnergyUseReportIn, plan: str | None = None):
    """Create or edit the draft of a key unit's annual report (its town's reporters, or the office)."""
    fields = body.dict(exclude={"key_unit", "year", "energy"})
    report = _call(energy_reports.save_draft_in_plan, access.actor_for(request), _plan(request), body.key_unit,
                   body.year, body.energy, **fields)
    return _energy_report_out(report)


@router.post("/energy-use-reports/{pk}/{step}")
def review_energy_use_report(request, pk: int, step: str, body: ReviewIn, plan: str | None = None):
    """The workflow steps of tracking: submit (its town's reporters), approve or return (its reviewers or the
    office, never one's own submission under four-eyes review); 409 when the report's state does not allow it."""
    if step not in energy_reports.STEPS:
        raise HttpError(404, f"no step {step!r}; steps: {', '.join(energy_reports.STEPS)}")
    actor = access.actor_for(request)
    report = energy_reports.visible(actor, _plan(request)).filter(pk=pk).first()
    if report is None:
        raise Http404("not found")
    try:
        return _energy_report_out(energy_reports.take_step(actor, report, step, body.comment))
    except tracking.WorkflowError as exc:
        raise HttpError(409, error_text(exc)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "forbidden") from None
    except ValidationError as exc:
        raise HttpError(422, error_text(exc)) from None
