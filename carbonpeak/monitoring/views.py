"""Monitoring pages: per-site consumption, meters and rejects are enterprise-level data (members only)."""
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from carbonpeak.core.permissions import members_only
from carbonpeak.monitoring import services
from carbonpeak.plan.selectors import current_plan


SITES_ON_OVERVIEW = 50


@members_only
def index(request):
    plan = current_plan(request)
    ctx = services.overview(plan=plan, unknown_meters=request.user.is_superuser)
    # a district has hundreds of sites: the overview lists the first SITES_ON_OVERVIEW, silent ones first
    sites = services.plan_sites(plan).select_related("town").order_by(F("last_seen_ts").asc(nulls_first=True), "kind", "code")
    ctx["sites"] = list(sites[:SITES_ON_OVERVIEW])
    ctx["top_chart"] = [{"name": t["site"].name, "tce": round(t["tce"], 2)} for t in ctx["top"]]
    return render(request, "monitoring/overview.html", ctx)


@members_only
def site(request, code: str):
    s = get_object_or_404(services.plan_sites(current_plan(request)).select_related("plan", "town", "responsible_unit"),
                          code=code)
    ctx = services.site_detail(s)
    if ctx.get("pue_monthly"):
        ctx["trend"] = {"name": "PUE", "values": ctx["pue_monthly"], "limit": ctx["pue_limit"],
                        "limit_name": str(_("limit")), "min": 1}
    elif ctx.get("eui_monthly"):
        ctx["trend"] = {"name": "kWh/m²", "values": ctx["eui_monthly"], "limit": None}
    else:
        ctx["trend"] = None
    return render(request, "monitoring/site.html", ctx)


@members_only
def rejects(request):
    rejects = services.plan_rejects(current_plan(request), unknown_meters=request.user.is_superuser)
    page = Paginator(rejects, 100).get_page(request.GET.get("page"))
    return render(request, "monitoring/rejects.html", {"page": page})
