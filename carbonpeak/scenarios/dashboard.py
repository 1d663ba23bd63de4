"""Panel on the district dashboard (collected by core.views.dashboard_panels)."""

from django.template.loader import render_to_string

from carbonpeak.scenarios.summary import peak_probability


def panel(request, plan) -> str | None:
    if plan is None:
        return None
    return render_to_string("scenarios/_peak_card.html", {"peak": peak_probability(plan)}, request=request)
