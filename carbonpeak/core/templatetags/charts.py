"""Server-side SVG charts in templates (print pages, PDFs): `{{ chart|line_svg }}` draws an indicator's chart
(the `IndicatorProgress.chart()` series), `{% bars_svg labels values colours %}` horizontal bars."""

from django import template
from django.utils.safestring import SafeString

from carbonpeak.core import svgchart

register = template.Library()

STYLE = {"actual": ("#1b7f5a", False), "trajectory": ("#546e7a", True), "forecast": ("#8a5a00", True),
         "target": ("#b3261e", False)}


@register.filter
def line_svg(chart: dict) -> SafeString:
    series = [svgchart.Series(chart["labels"][key], [tuple(p) for p in chart[key]], *STYLE[key])
              for key in STYLE if chart.get(key)]
    return svgchart.line(series, unit=chart.get("unit", ""))


@register.simple_tag
def bars_svg(labels, values, colours) -> SafeString:
    return svgchart.bars([str(label) for label in labels], list(values), list(colours))
