"""Server-side PDF of a print page (A4, no navigation) with WeasyPrint; the Chinese text set in Debian's Noto CJK
fonts (`fonts-noto-cjk`), embedded (subset) in the file so it prints the same everywhere.

Print pages extend `core/print.html`; their charts are inline SVG (`carbonpeak.core.svgchart`), so the PDF has
them without a browser. The stylesheet is read from disk; the page loads nothing else.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

STYLESHEET = "core/site.css"


def render(request, template: str, context: dict) -> bytes:
    from weasyprint import CSS, HTML  # imported on use: loading it costs ~0.3 s and most processes never print

    html = render_to_string(template, dict(context, pdf=True), request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[CSS(filename=finders.find(STYLESHEET))])


def response(request, template: str, context: dict, filename: str) -> HttpResponse:
    """The page as a PDF named `filename`, shown inline."""
    out = HttpResponse(render(request, template, context), content_type="application/pdf")
    out["Content-Disposition"] = f'inline; filename="{filename}"'
    return out
