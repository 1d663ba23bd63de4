"""Accounting pages: the inventory per year with charts, the upload form, the factor library."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carbonpeak.core.charts import ChartTable, pairs_table, series_table
from carbonpeak.accounting.labels import (accepted_carriers, accepted_sectors, carrier_labels, sector_labels,
                                          unit_labels)
from carbonpeak.accounting.messages import readable_rule, readable_warning
from carbonpeak.accounting import services
from carbonpeak.accounting.services import CO2_INTENSITY_ROLE
from carbonpeak.accounting.permissions import import_as, town_scope
from carbonpeak.accounting.engine.factors import FactorError
from carbonpeak.accounting.engine.inventory import METHOD_LABELS, InventoryError
from carbonpeak.accounting.engine.lmdi import LmdiError
from carbonpeak.accounting.engine.records import RecordsError
from carbonpeak.accounting.models import FactorSet
from carbonpeak.core import permissions
from carbonpeak.plan.selectors import current_plan, indicator_for_role
from carbonpeak.progress import services as progress

EFFECT_LABELS = {"activity": gettext_lazy("Activity (GDP)"), "structure": gettext_lazy("Economic structure"),
                 "intensity": gettext_lazy("Energy intensity"), "carbon_intensity": gettext_lazy("Carbon intensity of energy")}


def _labels() -> dict:
    return {
        "sectors": sector_labels(),
        "carriers": carrier_labels(),
        "effects": {k: str(v) for k, v in EFFECT_LABELS.items()},
        "start": _("Start"), "end": _("End"),
        "energy_intensity": _("Energy intensity (tce per 10,000 yuan)"),
        "co2_intensity": _("CO2 intensity (t per 10,000 yuan)"), "co2": _("CO2 (t)"),
        "energy": _("Energy (tce)") + " 当量值",
        "separate": _("Not decomposed (no value added)"),
    }


def index(request: HttpRequest) -> HttpResponse:
    plan = current_plan(request)
    years = services.years_with_records(plan) if plan else []
    if years:
        return redirect("accounting:inventory", year=years[-1])
    return render(request, "accounting/empty.html", {"plan": plan})


def inventory(request: HttpRequest, year: int) -> HttpResponse:
    plan = current_plan(request)
    if plan is None:
        return render(request, "accounting/empty.html", {"plan": None})
    factor_set = request.GET.get("factor_set") or None
    method = request.GET.get("method") or None
    if method not in METHOD_LABELS:
        method = None  # the plan's assessment method
    try:
        run = services.inventory(plan, factor_set, method)
    except FactorError as exc:
        messages.error(request, str(exc))
        return redirect("accounting:inventory", year=year)
    except InventoryError as exc:  # e.g. GDP in another price base and no deflator: say so, never mix
        return render(request, "accounting/empty.html", {"plan": plan, "error": str(exc)}, status=422)
    method = run.method
    view = services.year_view(run, year)
    years = services.years_with_records(plan)
    lmdi = None
    lmdi_error = ""
    previous = [y for y in years if y < year]
    if view is not None and previous:
        try:
            lmdi = services.lmdi(plan, previous[-1], year, run.factor_set.code)
        except LmdiError as exc:
            lmdi_error = str(exc)
    chart = {
        "year": year,
        "by_sector": view["by_sector"] if view else {},
        "by_carrier": view["by_carrier"] if view else {},
        "by_town": view["by_town"] if view else {},
        "trend": run.result["dual_control"]["years"],
        "lmdi": lmdi,
        "labels": _labels(),
    }
    summary = run.result["dual_control"]["summary"]
    chart_tables = _chart_tables(chart)
    chart["labels"]["trajectory"] = _("No target in the plan") if summary.get("target_reduction") is None else (
        _("Target trajectory (-%(t)s%% by %(y)s)") % {"t": f"{100 * summary['target_reduction']:g}",
                                                      "y": summary.get("target_year", "")})
    return render(request, "accounting/inventory.html", {
        "plan": plan, "year": year, "years": years, "view": view, "run": run, "chart": chart, "lmdi": lmdi,
        "chart_tables": chart_tables,
        "lmdi_error": lmdi_error, "factor_sets": FactorSet.objects.all(), "method": method,
        "assessment_label": METHOD_LABELS[run.result.get("assessment_method", method)],
        "statuses": _target_statuses(plan, year),
        "summary": summary, "warnings": [readable_warning(w) for w in run.result.get("warnings", [])],
        "rules": [readable_rule(r) for r in ((view or {}).get("dual_control") or {}).get("rules", [])],
        "pct": _percentages(view, summary),
        "sector_rows": [(chart["labels"]["sectors"].get(k, k), k, r) for k, r in (view or {}).get("by_sector", {}).items()],
        "carrier_rows": [(chart["labels"]["carriers"].get(k, k), k, r) for k, r in (view or {}).get("by_carrier", {}).items()],
    })


def _target_statuses(plan, year: int) -> dict[str, dict]:
    """The energy- and CO2-intensity targets' status as at the end of `year`, from the `progress` app (the one
    status rule for every page): {"energy"|"co2": {"code", "status", "label", "value", "url"}}, a target the plan lacks
    left out."""
    found = {key: indicator_for_role(plan, role) for key, role in (("energy", "energy_intensity"),
                                                                   ("co2", CO2_INTENSITY_ROLE))}
    codes = {key: ind.code for key, ind in found.items() if ind is not None}
    results = progress.by_code(progress.evaluate_plan(plan, codes=tuple(codes.values())))
    labels = progress.status_labels()
    out = {}
    for key, code in codes.items():
        ev = progress.as_at(results[code], year)
        out[key] = {"code": code, "status": ev.status, "label": labels[ev.status], "value": ev.latest_value,
                    "url": results[code].indicator_url}
    return out


def _chart_tables(chart: dict) -> dict[str, ChartTable]:
    """The town, trend and decomposition charts' series as tables (sector and carrier have their own tables)."""
    L = chart["labels"]
    towns = chart["by_town"]
    trend = chart["trend"]
    lmdi = chart["lmdi"] or {"waterfall": []}
    step_names = {"start": L["start"], "end": L["end"], **L["effects"]}
    return {
        "town": pairs_table(_("By town"), [_("Town"), L["energy"], L["co2"]],
                            [(t, r["energy_tce"], r["co2_t"]) for t, r in towns.items()]),
        "trend": series_table(_("Intensity trend"), _("Year"), [r["year"] for r in trend], {
            L["energy_intensity"]: [r.get("energy_intensity_tce_per_10k_yuan") for r in trend],
            L["co2_intensity"]: [r.get("co2_intensity_t_per_10k_yuan") for r in trend]}),
        "lmdi": pairs_table(_("Decomposition of the CO2 change"), [_("Effect"), L["co2"]],
                            [(step_names.get(s["name"], L["separate"] if s["name"].startswith("separate:") else s["name"]),
                              s["value"]) for s in lmdi["waterfall"]]),
    }


def _pct(x: float | None) -> float | None:
    return None if x is None else 100.0 * x


def _percentages(view: dict | None, summary: dict) -> dict:
    dc = (view or {}).get("dual_control") or {}
    totals = (view or {}).get("totals") or {}
    return {"non_fossil": _pct(totals.get("non_fossil_share")),
            "non_fossil_reporting": _pct(totals.get("non_fossil_share_reporting")),
            "intensity_change": _pct(dc.get("energy_intensity_change_vs_base")),
            "co2_intensity_change": _pct(dc.get("co2_intensity_change_vs_base")),
            "co2_target": _pct(summary.get("co2_target_reduction")),
            "achieved": _pct(summary.get("achieved_reduction")), "target": _pct(summary.get("target_reduction"))}


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Upload records: the district office, or a town's reporter for its own town (403 otherwise)."""
    actor = permissions.actor_for(request)
    town_scope(actor)
    plan = current_plan(request)
    errors, total = [], 0
    if request.method == "POST" and plan is not None:
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, _("Choose a CSV or Excel file."))
        else:
            try:
                batch = import_as(actor, plan, f, f.name, "excel")
            except RecordsError as exc:
                errors, total = exc.errors, exc.total
            else:
                messages.success(request, _("Imported %(n)d records from %(name)s.") % {"n": batch.rows, "name": f.name})
                return redirect("accounting:upload")
    return render(request, "accounting/upload.html", {"plan": plan, "errors": errors, "total": total,
                                                      "columns": "entity,sector,carrier,quantity,unit,year",
                                                      "carriers": accepted_carriers(), "sectors": accepted_sectors(),
                                                      "units": list(unit_labels().values())})


def factor_sets(request: HttpRequest) -> HttpResponse:
    services.get_factor_set()
    sets = [(fs, fs.engine().summary()) for fs in FactorSet.objects.all()]
    return render(request, "accounting/factors.html", {"sets": sets})
