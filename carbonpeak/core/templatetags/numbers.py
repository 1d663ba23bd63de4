"""`{{ value|num }}`: a number for people (carbonpeak.core.numbers), on every page without a `{% load %}`."""

from django import template

from carbonpeak.core.numbers import for_people

register = template.Library()


@register.filter
def num(value) -> str:
    """A measured value with 4 significant digits and no float noise (23.400000000000002 → 23.4); None → —."""
    if value is None or value == "":
        return "—"
    return for_people(float(value))
