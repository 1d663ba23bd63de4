"""The tracking figure of the dashboard's first screen: task progress (推进中/滞后...) as the units reported it in
the latest period with approved task reports; aggregate counts, as anonymous visitors may see progress."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse


def headline(request, plan) -> dict | None:
    from carbonpeak.tracking.models import TaskReport
    from carbonpeak.tracking.permissions import actor_for

    effective = TaskReport.objects.effective().filter(task__action__plan=plan)
    # the latest period; of a year and its fourth quarter (ending the same day), the year
    latest = effective.order_by("-period__end", "period__start").select_related("period").first()
    if latest is None:
        return None
    counts = dict(effective.filter(period_id=latest.period_id).values_list("progress_status")
                  .annotate(n=Count("id")).values_list("progress_status", "n"))
    url = reverse("tracking:index") if actor_for(request).is_member else plan.get_absolute_url()
    return {"period": latest.period.label, "url": url,
            "rows": [(value, label, counts.get(value, 0)) for value, label in TaskReport.Progress.choices]}
