"""Progress pages: one indicator's progress (chart, status rule, contributing projects) and the progress report
(printable HTML and Excel). Read-only views of approved data, like the district dashboard."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe
from django.utils import timezone
from django.utils.translation import gettext as _

from carbonpeak.core import clock, pdf
from carbonpeak.core.errors import error_text
from carbonpeak.plan.selectors import current_plan
from carbonpeak.progress import services as progress
from carbonpeak.progress.forms import IssuedTargetForm
from carbonpeak.progress.report_xlsx import progress_workbook
from carbonpeak.tracking.permissions import actor_for
from carbonpeak.tracking.views import member_required


def indicator_progress(request, code: str, form: IssuedTargetForm | None = None, status: int = 200):
    plan = current_plan(request)
    if plan is None:
        return render(request, "plan/no_plan.html", status=404)
    indicator = get_object_or_404(plan.indicators.select_related("plan", "task__action", "phase_goal"), code=code)
    result = progress.evaluate_indicator(indicator)
    ev = result.evaluation
    history = [{"label": progress.t_label(t), "value": v,
                "expected": progress.engine.expected(result.spec, t, ev.start)} for t, v in ev.history]
    contributions = {}
    if result.rollup is not None:
        contributions = {c.id: c.quantity for c in result.rollup.contributions}
    projects = [{"project": p, "converted": contributions.get(p.pk)} for p in result.projects]
    return render(request, "progress/indicator.html", {
        "plan": plan, "indicator": indicator, "result": result, "ev": ev, "history": history,
        "projects": projects, "units": indicator.responsible_units(),
        "chart": result.chart(),
        "can_issue": indicator.target_value is None and actor_for(request).is_admin,
        "issue_form": form or IssuedTargetForm(),
    }, status=status)


@member_required
@require_POST
def issue(request, code: str):
    """The district office records the value the city issued for a target the plan leaves open (audited)."""
    indicator = get_object_or_404(request.plan.indicators.all(), code=code)
    form = IssuedTargetForm(request.POST)
    if not form.is_valid():
        return indicator_progress(request, code, form=form, status=400)
    try:
        progress.record_issued(request.actor, indicator, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return indicator_progress(request, code, form=form, status=400)
    messages.success(request, _("Issued value recorded."))
    return redirect("progress:indicator", code)


def _report_context(plan) -> dict:
    results = progress.evaluate_plan(plan)
    counts = progress.status_counts(results)
    sections = defaultdict(list)
    for r in results:
        sections[r.indicator.task.action if r.indicator.task_id else None].append(r)
    ordered = []
    if None in sections:
        ordered.append((_("Main goals"), sections.pop(None)))
    for action in sorted(sections, key=lambda a: a.number):
        ordered.append((f"{action.number}. {action.name}", sections[action]))
    return {
        "plan": plan, "results": results, "sections": ordered,
        "counts": counts,
        "labels": progress.status_labels(),
        "by_action": progress.counts_by_action(plan, results),
        "by_unit": progress.counts_by_unit(plan, results, lead_only=True),
        "off_track": progress.off_track(results),
        "generated": timezone.localtime(),
        "count_rows": [(s, progress.status_labels()[s], counts[s]) for s in progress.STATUSES],
        "ordered_labels": [progress.status_labels()[s] for s in progress.STATUSES],
        "count_values": [counts[s] for s in progress.STATUSES],
        "status_colours": [progress.STATUS_COLORS[s] for s in progress.STATUSES],
    }


def report(request):
    plan = current_plan(request)
    if plan is None:
        return render(request, "plan/no_plan.html", status=404)
    return render(request, "progress/report.html", _report_context(plan))


@require_safe
def report_pdf(request):
    """The progress report as an A4 PDF (charts drawn server-side, Chinese fonts embedded)."""
    plan = current_plan(request)
    if plan is None:
        return render(request, "plan/no_plan.html", status=404)
    return pdf.response(request, "progress/report_print.html", _report_context(plan),
                        f"progress-{plan.code}-{clock.today():%Y%m%d}.pdf")


def report_xlsx(request):
    plan = current_plan(request)
    if plan is None:
        return render(request, "plan/no_plan.html", status=404)
    data = progress_workbook(plan, progress.evaluate_plan(plan))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="progress-{plan.code}-{clock.today():%Y%m%d}.xlsx"'
    return response
