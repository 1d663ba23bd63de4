"""Monitoring pages: per-site consumption, meters and rejects are enterprise-level data (members only)."""
import datetime as dt

from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from carbonpeak.core.charts import ChartTable, pairs_table, series_table
from carbonpeak.core.permissions import members_only
from carbonpeak.monitoring import services
from carbonpeak.monitoring.models import Site
from carbonpeak.plan.selectors import current_plan


SITES_ON_OVERVIEW = 50
MONTHS = list(range(1, 13))


@members_only
def index(request):
    plan = current_plan(request)
    ctx = services.overview(plan=plan, unknown_meters=request.user.is_superuser)
    # a district has hundreds of sites: the overview lists the first SITES_ON_OVERVIEW, silent ones first
    sites = services.plan_sites(plan).select_related("town").order_by(F("last_seen_ts").asc(nulls_first=True), "kind", "code")
    ctx["sites"] = list(sites[:SITES_ON_OVERVIEW])
    ctx["planned"] = list(services.plan_sites(plan, Site.Status.PLANNED).select_related("town").order_by("code"))
    ctx["top_chart"] = [{"name": t["site"].name, "tce": round(t["tce"], 2)} for t in ctx["top"]]
    tce = _("tce")
    ctx["chart_tables"] = {
        "top": pairs_table(_("Top consumers"), [_("Site"), tce], [(t["name"], t["tce"]) for t in ctx["top_chart"]]),
        "monthly": series_table(_("District monitored energy by month"), _("Month"), MONTHS,
                                {tce: ctx["district_monthly_tce"]}),
    }
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
    ctx["chart_tables"] = _site_tables(ctx)
    return render(request, "monitoring/site.html", ctx)


def _hour(ms: int) -> str:
    """A chart time (ms since the epoch) as people read it, in the platform's time zone."""
    return timezone.localtime(dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)).strftime("%Y-%m-%d %H:%M")


def _site_tables(ctx: dict) -> dict[str, ChartTable]:
    """The site charts' series as tables: hourly load per meter, the breakdown, the monthly trend."""
    curve = ctx["curve"]
    times = sorted({ts for points in curve.values() for ts, _v in points})
    by_meter = {name: dict((ts, v) for ts, v in points) for name, points in curve.items()}
    tables = {
        "load": series_table(_("Load curve (hourly)"), _("Time"), [_hour(ts) for ts in times],
                             {name: [values.get(ts) for ts in times] for name, values in by_meter.items()}),
        "breakdown": pairs_table(_("Sub-item breakdown"), [_("Sub-item"), _("Value")],
                                 [(b["name"], b["value"]) for b in ctx["breakdown"]]),
    }
    if ctx["trend"]:
        tables["trend"] = series_table(ctx["trend"]["name"], _("Month"), MONTHS, {ctx["trend"]["name"]:
                                                                               ctx["trend"]["values"]})
    return tables


@members_only
def rejects(request):
    rejects = services.plan_rejects(current_plan(request), unknown_meters=request.user.is_superuser)
    page = Paginator(rejects, 100).get_page(request.GET.get("page"))
    return render(request, "monitoring/rejects.html", {"page": page})
