from django import template

from carbonpeak.progress.services import fmt

register = template.Library()


@register.filter
def num(value) -> str:
    """A measured value with 4 significant digits and no float noise (23.400000000000002 → 23.4); None → —."""
    if value is None or value == "":
        return "—"
    return fmt(float(value))
