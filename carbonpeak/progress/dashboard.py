"""The progress panel of the district dashboard (`/`): the plan-wide targets' cards, status counts, charts, the
off-track list and the chance of peaking in time.

Every figure comes from one evaluation of the plan (`services.evaluate_plan`) through the same function the API
serves (`schemas.indicator_out`). A panel that cannot compute shows an error state saying so (and logs it); it
never disappears silently (`carbonpeak.core.views.dashboard_panels`); one indicator whose source cannot be
computed shows its error on its own card and row.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from carbonpeak.core.numbers import for_people
from carbonpeak.plan.models import TaskUnit
from carbonpeak.progress import schemas
from carbonpeak.progress import services as progress

# The verdict on P(peak by the target year) is the peak-year target's own status, so the words, the colour and the
# status badge never disagree: likely from engine.PEAK_ON_TRACK (50 %: the median draw peaks in time), uncertain from
# engine.PEAK_AT_RISK (25 %), unlikely below. The colour follows the verdict (CSS .verdict-<verdict>).
VERDICTS = {progress.engine.ON_TRACK: "likely", progress.engine.AT_RISK: "uncertain"}
HEADLINE_OFF_TRACK = 5  # off-track targets named on the first screen; the report lists them all


def peak_verdict(status: str) -> str:
    """"likely", "uncertain" or "unlikely" from the peak-year target's status (VERDICTS)."""
    return VERDICTS.get(status, "unlikely")


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


def _verdict_text(verdict: str, by: int) -> str:
    return {"likely": _("Likely to peak by %(by)s"), "uncertain": _("Uncertain whether the peak comes by %(by)s"),
            "unlikely": _("Unlikely to peak by %(by)s")}[verdict] % {"by": by}


def _intensity(results: list[progress.IndicatorProgress], role: str) -> dict | None:
    """The earliest-target indicator with `role` (energy or CO2 intensity): its value against its path."""
    found = sorted((r for r in results if r.indicator.role == role), key=lambda r: r.indicator.target_year)
    if not found:
        return None
    r = found[0]
    ev = r.evaluation
    return {"code": r.indicator.code, "name": r.indicator.name, "url": r.indicator_url, "status": r.status,
            "status_label": r.status_label, "value": ev.latest_value, "value_label": for_people(ev.latest_value),
            "expected_label": for_people(ev.expected_now), "latest_label": r.latest_label,
            "unit": r.indicator.unit_label, "target_display": r.target_display,
            "target_year": r.indicator.target_year, "chart": r.chart()}


def _off_track_rows(plan, results: list[progress.IndicatorProgress]) -> list[dict]:
    """Missed and off-track targets, furthest behind first, each with its lead unit (责任单位)."""
    leads = {link.task_id: link.unit for link in
             TaskUnit.objects.filter(task__action__plan=plan, is_lead=True).select_related("unit__plan")}
    return [{"code": r.indicator.code, "name": r.indicator.name, "url": r.indicator_url, "status": r.status,
             "status_label": r.status_label, "lead": leads.get(r.indicator.task_id)}
            for r in progress.off_track(results)]


def headline(request, plan) -> dict:
    """The first screen's progress figures: will the district peak in time, the intensities against their
    paths, and the targets off track with their lead units. Read from the plan's one evaluation."""
    results = progress.evaluate_plan(plan)  # the dashboard's one evaluation (core.memo), shared with the panel
    peak = peak_card(results)
    if peak is not None:
        peak["verdict"] = peak_verdict(peak["status"])
        peak["verdict_text"] = _verdict_text(peak["verdict"], peak["by"])
        peak["url"] = peak["url"] or reverse("progress:indicator", args=[peak["code"]])
    off = _off_track_rows(plan, results)
    return {"peak": peak, "intensities": [i for i in (_intensity(results, "energy_intensity"),
                                                      _intensity(results, "co2_intensity")) if i],
            "off_track": off[:HEADLINE_OFF_TRACK], "off_track_count": len(off),
            "report_url": reverse("progress:report")}


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
    }


def panel(request, plan) -> str:
    return render_to_string("progress/_dashboard_panel.html", panel_context(plan), request=request)
