"""What other apps show of the scenarios: the district dashboard's "P(peak before 2030)"."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from carbonpeak.scenarios import engine, services
from carbonpeak.scenarios.models import Scenario

DASHBOARD_DRAWS = 2000


def peak_probability(plan) -> dict[str, Any] | None:
    """P(peak by 2030) of the plan scenario (the stored one, else the plan's measures built from its
    indicators, unsaved), with its median peak year; a cached run is reused.

    Keys: scenario, p_peak_by, by, peak_year_p50, peak_year_p10, peak_year_p90, draws, base_year,
    base_source, url, definition.
    """
    try:
        return _peak_probability(plan)
    except services.NoBaseData:
        return None  # the plan has no base data: the dashboard shows no P(peak), never another district's


def _peak_probability(plan) -> dict[str, Any]:
    sc = Scenario.objects.filter(plan=plan, kind=Scenario.Kind.PLAN).order_by("id").first() if plan else None
    if sc is not None:
        result = services.run(sc, draws=DASHBOARD_DRAWS).result
        name, url = sc.name, reverse("scenarios:editor", args=[sc.slug])
    else:
        targets = services.plan_targets(plan)[0] if plan else {}
        cal = services.calibration(plan)
        result = engine.project(engine.plan_scenario(targets), cal.base, draws=DASHBOARD_DRAWS,
                                seed=services.DEFAULT_SEED, wedges=False, state=cal.state).to_dict()
        result["base_source"] = cal.source
        name, url = "plan", reverse("scenarios:index")
    peak = result["peak"]
    return {
        "scenario": name, "p_peak_by": peak["p_peak_by"], "by": peak["by"],
        "peak_year_p50": peak["peak_year_p50"], "peak_year_p10": peak["peak_year_p10"],
        "peak_year_p90": peak["peak_year_p90"], "draws": result["draws"], "base_year": result["base_year"],
        "base_source": result.get("base_source", ""), "url": url,
        "definition": "share of Monte Carlo draws whose maximum-emission year is <= 2030 and whose later "
                      "emissions stay below that maximum within the horizon",
    }
