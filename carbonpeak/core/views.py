import logging
from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from carbonpeak.core import clock, memo, pdf
from carbonpeak.core.permissions import actor_for
from carbonpeak.plan.selectors import current_plan


@cache
def _panel_modules() -> list:
    """The domain apps' dashboard modules, found once per process."""
    return [import_module(f"carbonpeak.{app}.dashboard") for app in settings.DOMAIN_APPS
            if find_spec(f"carbonpeak.{app}.dashboard")]


logger = logging.getLogger(__name__)
COCKPIT_REFRESH = 300  # seconds between the wall screen's reloads


def _failed(module, what: str) -> str:
    app = module.__name__.split(".")[1]
    logger.exception("the %s dashboard %s could not be computed", app, what)
    return app


def _panel(module, request, plan, failed: list[str]) -> str | None:
    """One app's panel, or an explicit error state when it cannot be computed (logged, named in `failed`; the
    others still show)."""
    try:
        return module.panel(request, plan)
    except Exception as exc:  # noqa: BLE001 - any failure of one panel becomes that panel's visible error state
        app = _failed(module, "panel")
        failed.append(app)
        return render_to_string("core/_panel_error.html", {"app": app, "error": f"{type(exc).__name__}: {exc}"},
                                request=request)


def dashboard_panels(request, plan, failed: list[str]) -> list[str]:
    """HTML panels contributed by domain apps: `carbonpeak.<app>.dashboard.panel(request, plan) -> str | None`
    (None: nothing to show, e.g. no energy records yet); the apps whose panel failed are added to `failed`."""
    return [html for module in _panel_modules()
            if hasattr(module, "panel") and (html := _panel(module, request, plan, failed))]


def headline(request, plan) -> dict:
    """The first screen's figures, by app: `carbonpeak.<app>.dashboard.headline(request, plan) -> dict | None`
    (None: nothing this visitor may see, or no data). An app that fails is named in "failed" (and logged)."""
    figures: dict = {"failed": []}
    for module in _panel_modules():
        if hasattr(module, "headline"):
            try:
                figures[module.__name__.split(".")[1]] = module.headline(request, plan)
            except Exception:  # noqa: BLE001 - one app's failure is shown as such; the others' figures still show
                figures["failed"].append(_failed(module, "headline"))
    return figures


def _context(request, plan, with_panels: bool = False) -> dict:
    """The dashboard's figures; what several apps read (the plan's evaluation, its inventory) computed once."""
    with memo.scope():
        figures, failed_panels = headline(request, plan), []
        return {"plan": plan, "headline": figures, "generated": timezone.localtime(),
                "panels": dashboard_panels(request, plan, failed_panels) if with_panels else [],
                "complete": not figures["failed"] and not failed_panels}


def home(request):
    """The district dashboard: the verdict and its figures on the first screen, then every app's panel."""
    plan = current_plan(request)
    if plan is None:
        return render(request, "core/home.html", {"plan": None})
    return render(request, "core/home.html", {"plan": plan, "dashboard": _dashboard_html(request, plan)})


def _dashboard_html(request, plan) -> str:
    """The dashboard's content, rendered once per data version and day for each kind of viewer.

    Everything it shows depends on the data, the plan, the language, the URL prefix and who looks (their role and
    unit: a reporter sees their unit's targets, the office the district's units behind): those make the key. The
    per-request parts (CSRF token, CSP nonce, the header) are not in it: inline scripts are rendered with a
    placeholder nonce that each response replaces with its own.
    """
    actor = actor_for(request)
    key = ("dashboard", plan.pk, get_language(), get_script_prefix(), actor.role,
           actor.unit.pk if actor.unit is not None else None, actor.is_authenticated)
    with memo.scope():  # a page with a failed figure is not reused: the next visit tries again
        html, _complete = memo.shared(key, lambda: _render_with_placeholder_nonce(request, plan),
                                      keep=lambda rendered: rendered[1])
    return mark_safe(html.replace(NONCE_PLACEHOLDER, request.csp_nonce))  # noqa: S308 - our own rendered template


NONCE_PLACEHOLDER = "carbonpeak-csp-nonce"


def _render_with_placeholder_nonce(request, plan) -> tuple[str, bool]:
    """The dashboard's content, and whether every figure in it was computed."""
    nonce, request.csp_nonce = request.csp_nonce, NONCE_PLACEHOLDER
    try:
        context = _context(request, plan, with_panels=True)
        return render_to_string("core/_dashboard.html", context, request=request), context["complete"]
    finally:
        request.csp_nonce = nonce


@require_safe
def cockpit(request):
    """The wall-screen mode (驾驶舱): the first screen's figures at 1920×1080, dark, no navigation, reloading
    itself every COCKPIT_REFRESH seconds."""
    plan = current_plan(request)
    if plan is None:
        return render(request, "plan/no_plan.html", status=404)
    return render(request, "core/cockpit.html", dict(_context(request, plan), refresh=COCKPIT_REFRESH))


@require_safe
def dashboard_pdf(request):
    """The dashboard's first screen as an A4 PDF for meetings (charts drawn server-side, Chinese fonts embedded)."""
    plan = current_plan(request)
    if plan is None:
        return render(request, "plan/no_plan.html", status=404)
    return pdf.response(request, "core/dashboard_print.html", _context(request, plan),
                        f"dashboard-{plan.code}-{clock.today():%Y%m%d}.pdf")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
