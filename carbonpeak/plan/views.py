from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render

from carbonpeak.plan import rollup, selectors
from carbonpeak.plan.models import Indicator, ResponsibleUnit, Task


def index(request):
    plan = selectors.current_plan(request)
    if plan is None:
        return render(request, "plan/no_plan.html")
    return redirect("plan:overview", plan.code)


def overview(request, plan_code: str):
    plan = selectors.get_plan(request, plan_code)
    actions = plan.actions.annotate(
        task_count=Count("tasks", distinct=True), indicator_count=Count("tasks__indicators", distinct=True)
    )
    units = plan.units.exclude(kind=ResponsibleUnit.Kind.GROUP).annotate(
        task_count=Count("task_links", distinct=True),
        lead_count=Count("task_links", filter=Q(task_links__is_lead=True), distinct=True),
    )
    return render(request, "plan/overview.html", {
        "plan": plan,
        "actions": actions,
        # indicators with their plan: each one's URL needs the plan's code, without a query per indicator
        "phase_goals": plan.phase_goals.prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.select_related("plan"))),
        "units": units,
        "counts": {
            "actions": plan.actions.count(),
            "tasks": Task.objects.filter(action__plan=plan).count(),
            "indicators": plan.indicators.count(),
            "quantitative": plan.indicators.filter(kind=Indicator.Kind.QUANTITATIVE).count(),
            "units": units.count(),
        },
    })


def action(request, plan_code: str, number: int):
    plan = selectors.get_plan(request, plan_code)
    action = get_object_or_404(plan.actions, number=number)
    tasks = action.tasks.prefetch_related("indicators", "unit_links__unit")
    return render(request, "plan/action.html", {"plan": plan, "action": action, "tasks": tasks})


def task(request, plan_code: str, code: str):
    plan = selectors.get_plan(request, plan_code)
    task = get_object_or_404(Task.objects.select_related("action"), action__plan=plan, code=code)
    links = list(task.unit_links.select_related("unit", "via_group"))
    return render(request, "plan/task.html", {
        "plan": plan, "task": task,
        "lead": next((link.unit for link in links if link.is_lead), None),
        "co_units": [link.unit for link in links if not link.is_lead and link.via_group_id is None],
        "member_links": [link for link in links if link.via_group_id is not None],
        "indicators": task.indicators.all(),
    })


def unit(request, plan_code: str, code: str):
    plan = selectors.get_plan(request, plan_code)
    unit = get_object_or_404(plan.units, code=code)
    tasks = selectors.unit_tasks(unit)
    lead_codes = set(selectors.unit_lead_tasks(unit).values_list("code", flat=True))
    return render(request, "plan/unit.html", {
        "plan": plan, "unit": unit,
        "tasks": tasks, "lead_codes": lead_codes,
        "indicators": selectors.unit_indicators(unit),
        "safeguards": selectors.unit_safeguards(unit),
        "groups": unit.groups.all(), "members": unit.members.all(),
    })


def units(request, plan_code: str):
    plan = selectors.get_plan(request, plan_code)
    units = plan.units.annotate(
        task_count=Count("task_links", distinct=True),
        lead_count=Count("task_links", filter=Q(task_links__is_lead=True), distinct=True),
    )
    return render(request, "plan/units.html", {"plan": plan, "units": units})


def indicators(request, plan_code: str):
    plan = selectors.get_plan(request, plan_code)
    return render(request, "plan/indicators.html", {
        "plan": plan, "indicators": plan.indicators.select_related("task", "phase_goal"),
    })


def indicator(request, plan_code: str, code: str):
    plan = selectors.get_plan(request, plan_code)
    indicator = get_object_or_404(plan.indicators.select_related("task__action", "phase_goal", "parent__plan"),
                                  code=code)
    return render(request, "plan/indicator.html", {
        "plan": plan, "indicator": indicator, "units": indicator.responsible_units(),
        "allocations": indicator.allocations.select_related("plan"),
    })


def districts(request, plan_code: str):
    """A city plan's districts: their energy, CO2 and status, ranked by the share of their intensity target met."""
    plan = selectors.get_plan(request, plan_code)
    return render(request, "plan/districts.html", {"plan": plan, "rows": rollup.district_rows(plan)})
