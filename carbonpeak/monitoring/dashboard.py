"""The monitoring figure of the dashboard's first screen: active alerts over their limit (PUE, quota, EUI) and
warnings, for the office and leaders (site data is members-only; the counts link to the monitoring overview)."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse


def headline(request, plan) -> dict | None:
    from carbonpeak.monitoring import services
    from carbonpeak.monitoring.models import Alert
    from carbonpeak.tracking.permissions import actor_for

    if not actor_for(request).sees_all:
        return None
    counts = dict(Alert.objects.filter(active=True, site__in=services.plan_sites(plan))
                  .values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    return {"exceeded": counts.get(Alert.Level.EXCEEDED, 0), "warning": counts.get(Alert.Level.WARNING, 0),
            "url": reverse("monitoring:index")}
