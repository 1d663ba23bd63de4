"""The accounting panel of the district dashboard (`/`): latest inventory year and the intensity trend."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def panel(request, plan) -> str | None:
    """Latest year's energy, CO2, non-fossil share, coal, and energy intensity vs the plan's trajectory.

    None when the plan has no energy records; a failure is logged, never raised into the dashboard.
    """
    from carbonpeak.accounting import services

    try:
        if not services.years_with_records(plan):
            return None
        run = services.inventory(plan)
        years = run.result["dual_control"]["years"]
        summary = run.result["dual_control"]["summary"]
        latest = years[-1]
        trend = [{"year": r["year"], "ei": r["energy_intensity_tce_per_10k_yuan"],
                  "traj": r["trajectory_energy_intensity"]} for r in years]
        pct = lambda x: None if x is None else 100.0 * x  # noqa: E731
        return render_to_string("accounting/_dashboard_panel.html", {
            "plan": plan, "run": run, "latest": latest, "summary": summary, "trend": trend,
            "achieved_pct": pct(summary.get("achieved_reduction")), "target_pct": pct(summary.get("target_reduction")),
            "non_fossil_pct": pct(latest.get("non_fossil_share")),
        }, request=request)
    except Exception:  # noqa: BLE001 - the dashboard must not fall over because one panel does
        logger.exception("accounting dashboard panel failed")
        return None
