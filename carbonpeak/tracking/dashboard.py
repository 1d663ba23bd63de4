"""The tracking panel of the district dashboard (`/`): progress status counts, charts and the off-track list."""

from __future__ import annotations

import logging
from importlib import import_module
from importlib.util import find_spec

from django.template.loader import render_to_string

from carbonpeak.tracking import progress

logger = logging.getLogger(__name__)


def peak_probability(plan) -> dict | None:
    """P(peak before 2030) from the scenarios app, when it provides `summary.peak_probability(plan)`.

    Accepts a probability (0..1) or the scenarios app's dict (`p_peak_by`, `by`, `peak_year_p50`, `url`).
    The dashboard must not fall over because an optional panel does: a failure is logged and the card skipped.
    """
    try:
        if find_spec("carbonpeak.scenarios.summary") is None:
            return None
    except ModuleNotFoundError:
        return None
    func = getattr(import_module("carbonpeak.scenarios.summary"), "peak_probability", None)
    if func is None:
        return None
    try:
        value = func(plan)
    except Exception:  # noqa: BLE001 - another app's optional figure
        logger.exception("scenarios.summary.peak_probability failed; the dashboard shows no P(peak)")
        return None
    if value is None:
        return None
    if isinstance(value, dict):
        p = value.get("p_peak_by")
        if p is None:
            return None
        return {"p": float(p), "by": value.get("by", 2030), "p50": value.get("peak_year_p50"),
                "url": value.get("url", "")}
    return {"p": float(value), "by": 2030, "p50": None, "url": ""}


def panel_context(plan) -> dict:
    results = progress.evaluate_plan(plan)
    counts = progress.status_counts(results)
    labels = progress.status_labels()
    by_action = progress.counts_by_action(plan, results)
    by_unit = progress.counts_by_unit(plan, results, lead_only=True)
    by_linked_unit = progress.counts_by_unit(plan, results)
    off_track = progress.off_track(results)
    chart = {
        "statuses": list(progress.STATUSES),
        "labels": [labels[s] for s in progress.STATUSES],
        "colors": [progress.STATUS_COLORS[s] for s in progress.STATUSES],
        "counts": [counts[s] for s in progress.STATUSES],
        "actions": {"names": [g.label for g in by_action],
                    "series": [[g.counts[s] for g in by_action] for s in progress.STATUSES]},
        "units": {"names": [g.label for g in by_unit],
                  "series": [[g.counts[s] for g in by_unit] for s in progress.STATUSES]},
        "linked_units": {"names": [g.label for g in by_linked_unit],
                         "series": [[g.counts[s] for g in by_linked_unit] for s in progress.STATUSES]},
        "sparklines": {r.indicator.code: r.chart() for r in off_track},
    }
    probability = peak_probability(plan)
    return {
        "plan": plan,
        "counts": counts,
        "count_rows": [(s, labels[s], counts[s], progress.STATUS_COLORS[s]) for s in progress.STATUSES],
        "total": len(results),
        "off_track": off_track,
        "unit_chart_height": max(260, 24 * len(by_unit) + 80),
        "linked_unit_chart_height": max(260, 24 * len(by_linked_unit) + 80),
        "chart": chart,
        "peak_probability": probability,
        "peak_percent": None if probability is None else round(probability["p"] * 100, 1),
    }


def panel(request, plan) -> str:
    return render_to_string("tracking/progress/_dashboard_panel.html", panel_context(plan), request=request)
