"""`{% unit_targets unit %}`: a unit's own approved allocated targets, for pages of other apps (the reporting
sheet). The page that includes it has already decided the viewer may see `unit`."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("assessment/_unit_targets.html")
def unit_targets(unit) -> dict:
    from carbonpeak.assessment.services import unit_targets as targets

    return {"targets": targets(unit)}
