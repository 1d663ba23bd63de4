"""REST API of tracking, mounted at /api/tracking/.

Authentication: the browser session, or `Authorization: Bearer <token>` with a unit-scoped ApiToken.
The same rules as the pages (`permissions`): records outside one's scope are 404, forbidden actions 403,
steps the record's state does not allow 409, bad values 422.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from carbonpeak.core.errors import error_text
from carbonpeak.core.plan import named_plan_code
from carbonpeak.core.schema import Schema
from carbonpeak.plan.models import Plan, ResponsibleUnit
from carbonpeak.plan.selectors import plan_or_404 as _plan
from carbonpeak.progress import schemas as progress_schemas
from carbonpeak.progress import services as progress
from carbonpeak.progress.schemas import ProgressOut, ProgressSummaryOut
from carbonpeak.tracking import permissions, selectors, services
from carbonpeak.tracking.models import ApiToken, IndicatorReport, Project, ReportingPeriod, TaskReport
from carbonpeak.tracking.permissions import actor_for, get_or_404


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        return ApiToken.authenticate(token, named_plan_code(request))  # a token acts only inside its plan


class MemberSession:
    """Session auth that also requires a membership in the request's plan (or superuser)."""

    def __init__(self):
        self.inner = django_auth

    def __call__(self, request):
        user = self.inner(request)
        if not user:
            return None
        return user if actor_for(request).is_member else None


router = Router(tags=["tracking"], auth=[BearerToken(), MemberSession()])



def _call(fn, *args, **kwargs):
    """Run a service call, turning its exceptions into HTTP errors."""
    try:
        return fn(*args, **kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "forbidden") from None
    except services.WorkflowError as exc:
        raise HttpError(409, error_text(exc)) from None
    except ValidationError as exc:
        raise HttpError(422, error_text(exc)) from None


def _require_write(actor) -> None:
    if not actor.can_write:
        raise HttpError(403, "read-only")


# --- schemas --------------------------------------------------------------------------------------------------

class PeriodOut(Schema):
    id: int
    code: str
    kind: str
    year: int
    quarter: int | None
    start: dt.date
    end: dt.date
    due_date: dt.date


class WorkflowOut(Schema):
    id: int
    status: str
    revision: int
    supersedes: int | None
    submitted_by: str | None
    submitted_at: dt.datetime | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_comment: str


class IndicatorReportOut(WorkflowOut):
    indicator: str
    unit: str
    period: str
    value: float
    value_unit: str
    note: str


class IndicatorReportIn(Schema):
    period: str
    indicator: str
    value: float
    value_unit: str | None = None
    unit: str | None = None
    note: str = ""
    submit: bool = False


class TaskReportOut(WorkflowOut):
    task: str
    unit: str
    period: str
    narrative: str
    progress_status: str
    percent_complete: int | None
    evidence: list[str]


class TaskReportIn(Schema):
    period: str
    task: str
    unit: str | None = None
    narrative: str = ""
    progress_status: str = TaskReport.Progress.IN_PROGRESS
    percent_complete: int | None = None
    submit: bool = False


class ProjectOut(WorkflowOut):
    kind: str
    name: str
    town: str | None
    responsible_unit: str
    quantity: float
    quantity_unit: str
    saving_rate: float | None
    commissioned_on: dt.date | None
    indicator: str | None
    note: str


class ProjectIn(Schema):
    kind: str
    name: str
    responsible_unit: str | None = None
    town: str | None = None
    quantity: float
    quantity_unit: str | None = None
    saving_rate: float | None = None
    commissioned_on: dt.date | None = None
    indicator: str | None = None
    note: str = ""
    submit: bool = False


class ReviewIn(Schema):
    comment: str = ""


class ReminderOut(Schema):
    period: str
    due_date: dt.date
    unit: str
    unit_name: str
    missing_indicators: int
    missing_tasks: int
    days_overdue: int


def _workflow(record) -> dict:
    return {
        "id": record.pk, "status": record.status, "revision": record.revision, "supersedes": record.supersedes_id,
        "submitted_by": record.submitted_by.get_username() if record.submitted_by_id else None,
        "submitted_at": record.submitted_at,
        "reviewed_by": record.reviewed_by.get_username() if record.reviewed_by_id else None,
        "reviewed_at": record.reviewed_at, "review_comment": record.review_comment,
    }


def _indicator_out(r: IndicatorReport) -> dict:
    return {**_workflow(r), "indicator": r.indicator.code, "unit": r.unit.code, "period": r.period.code,
            "value": r.value, "value_unit": r.value_unit, "note": r.note}


def _task_out(r: TaskReport) -> dict:
    return {**_workflow(r), "task": r.task.code, "unit": r.unit.code, "period": r.period.code,
            "narrative": r.narrative, "progress_status": r.progress_status, "percent_complete": r.percent_complete,
            "evidence": [e.original_name for e in r.evidence.all()]}


def _project_out(p: Project) -> dict:
    return {**_workflow(p), "kind": p.kind, "name": p.name, "town": p.town.code if p.town_id else None,
            "responsible_unit": p.responsible_unit.code, "quantity": p.quantity, "quantity_unit": p.quantity_unit,
            "saving_rate": p.saving_rate, "commissioned_on": p.commissioned_on,
            "indicator": p.indicator.code if p.indicator_id else None, "note": p.note}


def _period(plan: Plan, code: str) -> ReportingPeriod:
    period = selectors.find_period(plan, code)
    if period is None:
        raise HttpError(422, f"unknown period {code!r}")
    return period


def _target_unit(actor, plan: Plan, code: str | None) -> ResponsibleUnit:
    if code is None:
        if actor.unit is None:
            raise HttpError(422, "unit is required")
        return actor.unit
    unit = permissions.visible_units(actor, plan).filter(code=code).first()
    if unit is None:
        raise HttpError(404, "unit not found")
    return unit


# --- periods and reminders ------------------------------------------------------------------------------------

@router.get("/periods", response=list[PeriodOut])
def list_periods(request, plan: str | None = None, kind: str | None = None):
    qs = _plan(request).reporting_periods.order_by("start", "kind")
    if kind:
        qs = qs.filter(kind=kind)
    return [{**{f: getattr(p, f) for f in ("id", "kind", "year", "quarter", "start", "end", "due_date")},
             "code": p.code} for p in qs]


@router.get("/reminders", response=list[ReminderOut])
def list_reminders(request, plan: str | None = None, period: str | None = None):
    """Units overdue for periods past their due date (one's own unit only, unless admin or leader)."""
    actor, the_plan = actor_for(request), _plan(request)
    the_period = _period(the_plan, period) if period else None
    items = selectors.reminders(the_plan, permissions.visible_units(actor, the_plan), the_period)
    return [{"period": r.period.code, "due_date": r.period.due_date, "unit": r.unit.code, "unit_name": r.unit.name_zh,
             "missing_indicators": r.missing_indicators, "missing_tasks": r.missing_tasks,
             "days_overdue": r.days_overdue} for r in items]


# --- indicator reports ----------------------------------------------------------------------------------------

def _filter(qs, plan: Plan, period: str | None, unit: str | None, status: str | None, current: bool):
    qs = qs.filter(period__plan=plan)
    if period:
        qs = qs.filter(period=_period(plan, period))
    if unit:
        qs = qs.filter(unit__code=unit)
    if status:
        qs = qs.filter(status=status)
    return qs.current() if current else qs


@router.get("/indicator-reports", response=list[IndicatorReportOut])
def list_indicator_reports(request, plan: str | None = None, period: str | None = None, unit: str | None = None,
                           status: str | None = None, current: bool = True):
    qs = _filter(permissions.indicator_reports(actor_for(request)), _plan(request), period, unit, status, current)
    return [_indicator_out(r) for r in qs]


@router.get("/indicator-reports/{report_id}", response=IndicatorReportOut)
def get_indicator_report(request, report_id: int):
    return _indicator_out(get_or_404(permissions.indicator_reports(actor_for(request)), pk=report_id))


@router.post("/indicator-reports", response={200: IndicatorReportOut})
def save_indicator_report(request, payload: IndicatorReportIn, plan: str | None = None):
    """Create or update the unit's draft value (and submit it with `submit: true`)."""
    actor, the_plan = actor_for(request), _plan(request)
    unit = _target_unit(actor, the_plan, payload.unit)
    _require_write(actor)
    period = _period(the_plan, payload.period)
    indicator = permissions.unit_indicators(unit).filter(plan=the_plan, code=payload.indicator).first()
    if indicator is None:
        raise HttpError(404, f"indicator {payload.indicator!r} not found for unit {unit.code}")
    report = _call(services.save_indicator_report, actor, indicator=indicator, unit=unit, period=period,
                   value=payload.value, value_unit=payload.value_unit, note=payload.note)
    if payload.submit:
        report = _call(services.submit, actor, report)
    return _indicator_out(report)


# --- task reports ---------------------------------------------------------------------------------------------

@router.get("/task-reports", response=list[TaskReportOut])
def list_task_reports(request, plan: str | None = None, period: str | None = None, unit: str | None = None,
                      status: str | None = None, current: bool = True):
    qs = _filter(permissions.task_reports(actor_for(request)), _plan(request), period, unit, status, current)
    return [_task_out(r) for r in qs.prefetch_related("evidence")]


@router.get("/task-reports/{report_id}", response=TaskReportOut)
def get_task_report(request, report_id: int):
    return _task_out(get_or_404(permissions.task_reports(actor_for(request)), pk=report_id))


@router.post("/task-reports", response=TaskReportOut)
def save_task_report(request, payload: TaskReportIn, plan: str | None = None):
    actor, the_plan = actor_for(request), _plan(request)
    unit = _target_unit(actor, the_plan, payload.unit)
    _require_write(actor)
    period = _period(the_plan, payload.period)
    task = permissions.unit_tasks(unit).filter(action__plan=the_plan, code=payload.task).first()
    if task is None:
        raise HttpError(404, f"task {payload.task!r} not found for unit {unit.code}")
    if payload.progress_status not in TaskReport.Progress.values:
        raise HttpError(422, f"progress_status must be one of {', '.join(TaskReport.Progress.values)}")
    report = _call(services.save_task_report, actor, task=task, unit=unit, period=period,
                   narrative=payload.narrative, progress_status=payload.progress_status,
                   percent_complete=payload.percent_complete)
    if payload.submit:
        report = _call(services.submit, actor, report)
    return _task_out(report)


# --- projects -------------------------------------------------------------------------------------------------

@router.get("/projects", response=list[ProjectOut])
def list_projects(request, plan: str | None = None, kind: str | None = None, status: str | None = None,
                  indicator: str | None = None):
    qs = permissions.projects(actor_for(request)).filter(plan=_plan(request)).current()
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    return [_project_out(p) for p in qs]


@router.get("/projects/{project_id}", response=ProjectOut)
def get_project(request, project_id: int):
    return _project_out(get_or_404(permissions.projects(actor_for(request)), pk=project_id))


@router.post("/projects", response=ProjectOut)
def create_project(request, payload: ProjectIn, plan: str | None = None):
    actor, the_plan = actor_for(request), _plan(request)
    unit = _target_unit(actor, the_plan, payload.responsible_unit)
    _require_write(actor)
    town = None
    if payload.town:
        town = the_plan.units.filter(code=payload.town).first()
        if town is None:
            raise HttpError(422, f"unknown town {payload.town!r}")
    indicator = None
    if payload.indicator:
        indicator = the_plan.indicators.filter(code=payload.indicator).first()
        if indicator is None:
            raise HttpError(422, f"unknown indicator {payload.indicator!r}")
    if payload.kind not in Project.Kind.values:
        raise HttpError(422, f"kind must be one of {', '.join(Project.Kind.values)}")
    fields = {"kind": payload.kind, "name": payload.name, "responsible_unit": unit, "town": town,
              "quantity": payload.quantity, "quantity_unit": payload.quantity_unit or "",
              "saving_rate": payload.saving_rate, "commissioned_on": payload.commissioned_on,
              "indicator": indicator, "note": payload.note}
    project = _call(services.save_project, actor, the_plan, fields)
    if payload.submit:
        project = _call(services.submit, actor, project)
    return _project_out(project)


# --- workflow steps (all three kinds) -------------------------------------------------------------------------

SCOPES = {"indicator-reports": (permissions.indicator_reports, _indicator_out),
          "task-reports": (permissions.task_reports, _task_out),
          "projects": (permissions.projects, _project_out)}


def _step(request, kind: str, record_id: int, step: str, payload: ReviewIn | None = None) -> dict:
    actor = actor_for(request)
    scope, out = SCOPES[kind]
    record = get_or_404(scope(actor), pk=record_id)
    comment = payload.comment if payload else ""
    if step == "submit":
        record = _call(services.submit, actor, record)
    elif step == "withdraw":
        record = _call(services.withdraw, actor, record)
    elif step == "approve":
        record = _call(services.approve, actor, record, comment)
    else:
        record = _call(services.return_for_revision, actor, record, comment)
    return out(record)


def _add_steps(kind: str, schema) -> None:
    @router.post(f"/{kind}/{{record_id}}/submit", response=schema, operation_id=f"{kind}_submit".replace("-", "_"))
    def submit(request, record_id: int):
        return _step(request, kind, record_id, "submit")

    @router.post(f"/{kind}/{{record_id}}/withdraw", response=schema,
                 operation_id=f"{kind}_withdraw".replace("-", "_"))
    def withdraw(request, record_id: int):
        """Take a submission back before it is reviewed (submitted → draft)."""
        return _step(request, kind, record_id, "withdraw")

    @router.post(f"/{kind}/{{record_id}}/approve", response=schema,
                 operation_id=f"{kind}_approve".replace("-", "_"))
    def approve(request, record_id: int, payload: ReviewIn | None = None):
        return _step(request, kind, record_id, "approve", payload)

    @router.post(f"/{kind}/{{record_id}}/return", response=schema, operation_id=f"{kind}_return".replace("-", "_"))
    def return_(request, record_id: int, payload: ReviewIn):
        return _step(request, kind, record_id, "return", payload)


_add_steps("indicator-reports", IndicatorReportOut)
_add_steps("task-reports", TaskReportOut)
_add_steps("projects", ProjectOut)


# The progress of the plan's indicators, served here at its long-standing address; the progress app computes it.
@router.get("/progress", response=ProgressSummaryOut)
def plan_progress(request, plan: str | None = None):
    """Every indicator's source, value and status (on_track / at_risk / off_track / missed / no_data)."""
    return progress_schemas.summary_out(progress.evaluate_plan(_plan(request)))


@router.get("/progress/{code}", response=ProgressOut)
def indicator_progress(request, code: str, plan: str | None = None):
    """One indicator: its declared source, the series used, reported values beside it, value and status."""
    from django.shortcuts import get_object_or_404

    indicator = get_object_or_404(_plan(request).indicators, code=code)
    return progress_schemas.indicator_out(progress.evaluate_indicator(indicator))
