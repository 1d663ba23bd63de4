"""The progress panel of the district dashboard (`/`): the plan-wide targets' cards, status counts, charts, the
off-track list and the chance of peaking in time.

Every figure comes from one evaluation of the plan (`services.evaluate_plan`) through the same function the API
serves (`schemas.indicator_out`). A panel that cannot compute shows an error state saying so (and logs it); it
never disappears silently (`carbonpeak.core.views.dashboard_panels`); one indicator whose source cannot be
computed shows its error on its own card and row.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from carbonpeak.progress import schemas
from carbonpeak.progress import services as progress


def target_cards(results: list[progress.IndicatorProgress]) -> list[dict]:
    """The plan-wide targets with a computed source (energy, intensity, non-fossil share, peak year...), as the
    API gives them."""
    return [dict(schemas.indicator_out(r), name=r.indicator.name, target_display=r.target_display,
                 url=r.indicator_url) for r in results if r.computed and not r.indicator.task_id]


def peak_card(results: list[progress.IndicatorProgress]) -> dict | None:
    """P(peak by the target year) behind the peak-year target (the same scenario run that decides its status)."""
    for r in results:
        if r.peak is not None:
            return {"p": r.peak.p_peak_by, "by": r.peak.by, "p50": r.peak.peak_year_p50, "url": r.peak.url,
                    "percent": round(100 * r.peak.p_peak_by, 1), "status": r.status, "status_label": r.status_label,
                    "code": r.indicator.code}
    return None


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
    return {
        "plan": plan,
        "counts": counts,
        "count_rows": [(s, labels[s], counts[s], progress.STATUS_COLORS[s]) for s in progress.STATUSES],
        "total": len(results),
        "off_track": off_track,
        "unit_chart_height": max(260, 24 * len(by_unit) + 80),
        "linked_unit_chart_height": max(260, 24 * len(by_linked_unit) + 80),
        "chart": chart,
        "cards": target_cards(results),
        "peak": peak_card(results),
    }


def panel(request, plan) -> str:
    return render_to_string("progress/_dashboard_panel.html", panel_context(plan), request=request)
