"""The assessment panel of the dashboard (`/`): a unit's own allocated targets and its approved result; the
office and leaders see the district's grades. Anonymous visitors and users without a membership see nothing.

Only stored figures are shown (approved allocations, the snapshot of an approved assessment), so the panel costs
a few queries; the live scoring and the barometer are one click away.
"""

from __future__ import annotations

import logging

from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def panel(request, plan) -> str | None:
    from carbonpeak.assessment import access, services
    from carbonpeak.assessment.models import Allocation, Assessment, Status

    try:
        actor = access.actor_for(request)
        if not actor.is_member or (actor.unit is None and not actor.sees_all):
            return None
        latest = Assessment.objects.filter(plan=plan).order_by("-year").first()
        if actor.sees_all:
            targets = list(Allocation.objects.filter(plan=plan, status=Status.APPROVED))
        else:
            targets = services.unit_targets(actor.unit)
        result = []
        if latest is not None and latest.is_approved:
            result = access.own_rows(actor, latest.snapshot["units"])
        if not targets and latest is None:
            return None
        return render_to_string("assessment/_dashboard_panel.html", {
            "targets": targets, "unit": actor.unit, "latest": latest, "result": result, "district": actor.sees_all,
        }, request=request)
    except Exception:  # noqa: BLE001 - the dashboard must not fall over because one panel does
        logger.exception("assessment dashboard panel failed")
        return None


BEHIND = ("red", "amber")  # barometer colours of a unit behind its intensity schedule


def headline(request, plan) -> dict | None:
    """The units behind, ranked by the barometer (red before amber, then the furthest behind its schedule
    first), for the office and leaders only (as the barometer page shows them). The year: the latest assessment's,
    else last year (the assessment pages' default)."""
    from django.urls import reverse

    from carbonpeak.assessment import access, services
    from carbonpeak.assessment.models import Assessment
    from carbonpeak.core import clock

    if not access.actor_for(request).sees_all:
        return None
    latest = Assessment.objects.filter(plan=plan).order_by("-year").values_list("year", flat=True).first()
    year = latest or clock.today().year - 1
    rows = [r for r in services.barometer(plan, year) if r["colour"] in BEHIND]
    rows.sort(key=lambda r: (BEHIND.index(r["colour"]), (r["expected_change"] or 0) - (r["intensity_change"] or 0)))
    return {"year": year, "units": rows, "url": reverse("assessment:barometer", args=[year])}
