"""Read-side queries of the plan registry shared by pages, API and other apps."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, Safeguard, Task, TaskUnit


def default_plan() -> Plan | None:
    """The plan named by CARBONPEAK_PLAN if loaded, else the first plan loaded."""
    code = settings.CARBONPEAK_PLAN_CODE
    return (Plan.objects.filter(code=code).first() if code else None) or Plan.objects.order_by("id").first()


def plan_or_default(code: str | None) -> Plan | None:
    """The plan `code` names (None if not loaded); without a code, `default_plan()`."""
    return Plan.objects.filter(code=code).first() if code else default_plan()


def current_plan(request: HttpRequest) -> Plan | None:
    """The plan a page or API request is about: every view asks this, never `default_plan()`.

    Today the plan named by ``?plan=CODE``, else the default; plan-scoped URLs (issue #15) resolve it here too.
    """
    if not hasattr(request, "_carbonpeak_plan"):
        request._carbonpeak_plan = plan_or_default(request.GET.get("plan"))
    return request._carbonpeak_plan


def plan_or_404(code: str | None) -> Plan:
    """`plan_or_default(code)`, or Http404 (a 404 page, or 404 in the API) when there is no such plan."""
    plan = plan_or_default(code)
    if plan is None:
        raise Http404("no plan")
    return plan


def get_plan(code: str) -> Plan:
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise Http404(f"no plan {code!r}")
    return plan


def unit_tasks(unit: ResponsibleUnit) -> QuerySet[Task]:
    """Every task the unit is responsible for, directly or as a member of a named group."""
    return (Task.objects.filter(unit_links__unit=unit).select_related("action").distinct()
            .order_by("action__number", "number"))


def unit_indicators(unit: ResponsibleUnit) -> QuerySet[Indicator]:
    return Indicator.objects.filter(task__unit_links__unit=unit).select_related("task").distinct().order_by("position")


def unit_lead_tasks(unit: ResponsibleUnit) -> QuerySet[Task]:
    return unit_tasks(unit).filter(unit_links__unit=unit, unit_links__is_lead=True)


def lead_unit_names(plan: Plan) -> dict[int, str]:
    """task id → its lead unit's name (牵头单位) in the active language, in one query: for lists and exports."""
    links = TaskUnit.objects.filter(task__action__plan=plan, is_lead=True).select_related("unit")
    return {link.task_id: link.unit.name for link in links}


def unit_safeguards(unit: ResponsibleUnit) -> QuerySet[Safeguard]:
    return Safeguard.objects.filter(Q(units=unit) | Q(units__in=unit.groups.all())).distinct()


def indicators_for_role(plan: Plan, role: str) -> QuerySet[Indicator]:
    """The plan's indicators with `role` (docs/plan-file.md), earliest target year first."""
    return plan.indicators.filter(role=role).order_by("target_year", "position")


def indicator_for_role(plan: Plan, role: str, year: int | None = None) -> Indicator | None:
    """The plan's indicator with `role` (for `year` if given, else the earliest); None if the plan has none."""
    found = indicators_for_role(plan, role)
    return (found.filter(target_year=year) if year is not None else found).first()
