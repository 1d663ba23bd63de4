"""`{% unit_targets unit %}`: a unit's own approved allocated targets, for pages of other apps (the reporting
sheet). The page that includes it has already decided the viewer may see `unit`."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.inclusion_tag("assessment/_unit_targets.html")
def unit_targets(unit) -> dict:
    from carbonpeak.assessment.services import unit_targets as targets

    return {"targets": targets(unit)}


METHOD_LABELS = {"equal": _("equal shares"), "proportional": _("in proportion to the base"),
                 "weighted": _("weighted factors"), "manual": _("set by hand")}
"""The allocation methods of carbonpeak.assessment.engine.allocation.METHODS, as people name them."""


@register.filter
def method_label(method: str) -> str:
    """An allocation method in the active language (proportional → 按基数比例)."""
    return str(METHOD_LABELS.get(method, method))
