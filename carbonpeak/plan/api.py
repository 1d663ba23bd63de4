"""REST API of the plan registry, mounted at /api/plan/."""

from __future__ import annotations

from typing import get_type_hints

from django.shortcuts import get_object_or_404
from ninja import Query, Router
from pydantic import create_model

from carbonpeak.core.permissions import visible_plans
from carbonpeak.core.schema import Schema
from carbonpeak.plan import export, selectors
from carbonpeak.plan.models import Indicator, ResponsibleUnit, Task
from carbonpeak.plan.planfile import IndicatorSpec

router = Router(tags=["plan"])


class PlanOut(Schema):
    code: str
    name_zh: str
    name_en: str
    issuer_zh: str
    issuer_en: str
    document_number: str
    issued_on: str | None
    district_zh: str
    district_en: str
    parent_plan_zh: str
    parent: str


class UnitOut(Schema):
    code: str
    name_zh: str
    name_en: str
    kind: str
    aliases: list[str]
    members: list[str]


class TaskOut(Schema):
    code: str
    action: int
    number: int
    title_zh: str
    title_en: str
    summary_en: str
    text_zh: str
    lead_unit: str | None
    units: list[str]
    all_units: list[str]


# An indicator reads out exactly as the plan file writes it: one field list, the plan file's.
IndicatorOut = create_model("IndicatorOut", __base__=Schema,
                            **{name: (hint, ...) for name, hint in get_type_hints(IndicatorSpec).items()})


class UnitResponsibilities(Schema):
    unit: UnitOut
    tasks: list[TaskOut]
    lead_tasks: list[str]
    indicators: list[IndicatorOut]


def _tasks(request, plan_code: str):
    return (Task.objects.filter(action__plan=selectors.get_plan(request, plan_code)).select_related("action")
            .prefetch_related("unit_links__unit"))


@router.get("/plans", response=list[PlanOut])
def list_plans(request):
    return [export.plan_dict(p) for p in visible_plans(request.user)]


@router.get("/plans/{plan_code}", response=PlanOut)
def get_plan(request, plan_code: str):
    return export.plan_dict(selectors.get_plan(request, plan_code))


@router.get("/plans/{plan_code}/export")
def export_plan(request, plan_code: str) -> dict:
    """The whole plan in one document, the same as `carbonpeak plan export --format json`."""
    return export.export_plan(selectors.get_plan(request, plan_code))


@router.get("/plans/{plan_code}/tasks", response=list[TaskOut])
def list_tasks(request, plan_code: str, action: int | None = None):
    tasks = _tasks(request, plan_code)
    if action is not None:
        tasks = tasks.filter(action__number=action)
    return [export.task_dict(t) for t in tasks]


@router.get("/plans/{plan_code}/tasks/{task_code}", response=TaskOut)
def get_task(request, plan_code: str, task_code: str):
    return export.task_dict(get_object_or_404(_tasks(request, plan_code), code=task_code))


@router.get("/plans/{plan_code}/units", response=list[UnitOut])
def list_units(request, plan_code: str, kind: str | None = None):
    units = ResponsibleUnit.objects.filter(plan=selectors.get_plan(request, plan_code)).prefetch_related("members")
    if kind:
        units = units.filter(kind=kind)
    return [export.unit_dict(u) for u in units]


@router.get("/plans/{plan_code}/units/{unit_code}", response=UnitResponsibilities)
def get_unit(request, plan_code: str, unit_code: str):
    """A unit's responsibilities: every task and indicator it answers for, directly or through a group."""
    unit = get_object_or_404(ResponsibleUnit, plan=selectors.get_plan(request, plan_code), code=unit_code)
    tasks = selectors.unit_tasks(unit).prefetch_related("unit_links__unit")
    return {
        "unit": export.unit_dict(unit),
        "tasks": [export.task_dict(t) for t in tasks],
        "lead_tasks": [t.code for t in selectors.unit_lead_tasks(unit)],
        "indicators": [export.indicator_dict(i) for i in selectors.unit_indicators(unit)],
    }


@router.get("/plans/{plan_code}/indicators", response=list[IndicatorOut])
def list_indicators(request, plan_code: str, task: str | None = None,
                    year: int | None = Query(None, ge=1900, le=2100)):
    indicators = Indicator.objects.filter(plan=selectors.get_plan(request, plan_code)).select_related("task", "phase_goal")
    if task:
        indicators = indicators.filter(task__code=task)
    if year:
        indicators = indicators.filter(target_year=year)
    return [export.indicator_dict(i) for i in indicators]


@router.get("/plans/{plan_code}/indicators/{code}", response=IndicatorOut)
def get_indicator(request, plan_code: str, code: str):
    indicator = get_object_or_404(Indicator.objects.select_related("task", "phase_goal"), plan=selectors.get_plan(request, plan_code),
                                  code=code)
    return export.indicator_dict(indicator)
