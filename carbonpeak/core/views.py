import logging
from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from carbonpeak.plan.selectors import current_plan


@cache
def _panel_modules() -> list:
    """The domain apps' dashboard modules, found once per process."""
    return [import_module(f"carbonpeak.{app}.dashboard") for app in settings.DOMAIN_APPS
            if find_spec(f"carbonpeak.{app}.dashboard")]


logger = logging.getLogger(__name__)


def _panel(module, request, plan) -> str | None:
    """One app's panel, or an explicit error state when it cannot be computed (logged; the others still show)."""
    try:
        return module.panel(request, plan)
    except Exception as exc:  # noqa: BLE001 - any failure of one panel becomes that panel's visible error state
        app = module.__name__.split(".")[1]
        logger.exception("the %s dashboard panel could not be computed", app)
        return render_to_string("core/_panel_error.html", {"app": app, "error": f"{type(exc).__name__}: {exc}"},
                                request=request)


def dashboard_panels(request, plan) -> list[str]:
    """HTML panels contributed by domain apps: `carbonpeak.<app>.dashboard.panel(request, plan) -> str | None`
    (None: nothing to show, e.g. no energy records yet)."""
    return [html for module in _panel_modules() if (html := _panel(module, request, plan))]


def home(request):
    """The district dashboard: the plan at a glance plus every app's panel."""
    plan = current_plan(request)
    panels = dashboard_panels(request, plan) if plan else []
    return render(request, "core/home.html", {"plan": plan, "panels": panels})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
