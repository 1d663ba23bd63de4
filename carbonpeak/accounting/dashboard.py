"""The accounting panel of the district dashboard (`/`): the latest inventory year and the intensity trend.

The targets' values and statuses (intensity change, non-fossil share...) are the progress panel's, read from the
one evaluation of each target; this panel shows the inventory they are computed from.
"""

from __future__ import annotations

from django.template.loader import render_to_string


def panel(request, plan) -> str | None:
    """Latest year's energy, CO2 and coal, and energy intensity against the plan's path; None without records.

    A failure is not caught here: the dashboard shows it as this panel's error state.
    """
    from carbonpeak.accounting import services

    run = services.inventory(plan)
    years = run.result["dual_control"]["years"]
    if not years:
        return None
    trend = [{"year": r["year"], "ei": r["energy_intensity_tce_per_10k_yuan"],
              "traj": r["trajectory_energy_intensity"]} for r in years]
    return render_to_string("accounting/_dashboard_panel.html", {
        "plan": plan, "run": run, "latest": years[-1], "summary": run.result["dual_control"]["summary"],
        "trend": trend,
    }, request=request)
