from django.template.loader import render_to_string

from carbonpeak.plan.models import Task


def panel(request, plan) -> str:
    return render_to_string("plan/_dashboard_panel.html", {
        "plan": plan,
        "actions": plan.actions.count(),
        "tasks": Task.objects.filter(action__plan=plan).count(),
        "indicators": plan.indicators.count(),
        "units": plan.units.exclude(kind="group").count(),
    }, request=request)
