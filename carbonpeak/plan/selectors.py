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


def command_plan(code: str | None) -> Plan:
    """For a command's `--plan CODE` (default: CARBONPEAK_PLAN, else the first loaded): the plan, or a
    CommandError naming the missing plan."""
    from django.core.management.base import CommandError

    plan = plan_or_default(code)
    if plan is None:
        raise CommandError(f"no plan {code!r} is loaded" if code else
                           "no plan is loaded: run `carbonpeak up --no-demo --no-serve` (or `carbonpeak plan load FILE`) first")
    return plan


def current_plan(request: HttpRequest) -> Plan | None:
    """The plan a page or API request is about: every view asks this, never `default_plan()`.

    The plan of the URL's `/p/<code>/` prefix or `?plan=CODE` (404 if unknown or not visible to the user), else the
    API token's plan, the user's last chosen or only plan, the default (`carbonpeak.core.plan`).
    """
    if not hasattr(request, "_carbonpeak_plan"):
        from carbonpeak.core.plan import request_plan

        request._carbonpeak_plan = request_plan(request)
    return request._carbonpeak_plan


def plan_or_404(request: HttpRequest) -> Plan:
    """`current_plan(request)`, or Http404 (a 404 page, or 404 in the API) when no plan is loaded."""
    plan = current_plan(request)
    if plan is None:
        raise Http404("no plan")
    return plan


def get_plan(request: HttpRequest, code: str) -> Plan:
    """The plan a URL names by its code (`/plan/<code>/…`): 404 if not loaded or not visible to the user."""
    from carbonpeak.core.permissions import can_view_plan

    plan = Plan.objects.filter(code=code).first()
    if plan is None or not can_view_plan(getattr(request, "user", None), plan):
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
