"""Pages: scenario list and comparison, the lever editor (HTMX), wedges and the peak-year histogram."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carbonpeak.core import permissions
from carbonpeak.core.charts import ChartTable, pairs_table, series_table
from carbonpeak.core.errors import error_text
from carbonpeak.core.permissions import actor_for
from carbonpeak.plan.selectors import current_plan
from carbonpeak.scenarios import engine, forms, notes, services
from carbonpeak.scenarios.labels import LEVER_LABELS, SECTOR_LABELS, input_label
from carbonpeak.scenarios.models import Scenario
from carbonpeak.scenarios.permissions import can_edit, copy_as, update_as

COMPARE_MAX = 4


def _plan_or_none(request):
    plan = current_plan(request)
    if plan is not None:
        services.ensure_defaults(plan)
    return plan


def _chart_payload(result: dict) -> dict:
    """What the charts need (keeps the page small: no per-sector carrier detail)."""
    wedges = result.get("wedges") or {}
    return {
        "years": result["years"], "bands": {k: result["bands"][k] for k in ("co2", "energy", "energy_intensity")},
        "histogram": result["histogram"], "peak": result["peak"],
        "wedges": {"scenario_co2": wedges.get("scenario_co2", []), "reference_co2": wedges.get("reference_co2", []),
                   "order": wedges.get("order", []), "wedges": wedges.get("wedges", {}),
                   "labels": {k: str(LEVER_LABELS.get(k, k)) for k in wedges.get("order", [])}},
        "co2_by_sector": result["co2_by_sector"],
        "sector_labels": {k: str(SECTOR_LABELS.get(k, k)) for k in result["co2_by_sector"]},
        "sensitivity": {**result["sensitivity"],
                        "inputs": [{**r, "label": input_label(r["input"])} for r in result["sensitivity"]["inputs"]]},
    }


def _chart_tables(chart: dict) -> dict[str, ChartTable]:
    """The result charts' series as tables (10⁴ tCO2, as the charts show them)."""
    wan = lambda xs: [x / 1e4 for x in xs]  # noqa: E731
    co2, w, h = chart["bands"]["co2"], chart["wedges"], chart["histogram"]
    year, unit = _("Year"), _("10⁴ tCO2")
    return {
        "bands": series_table(f"{_('CO2 emissions')} ({unit})", year, chart["years"],
                              {"P10": wan(co2["p10"]), _("median"): wan(co2["p50"]), "P90": wan(co2["p90"])}),
        "wedges": series_table(f"{_('Wedges')} ({unit})", year, chart["years"],
                               {_("This scenario"): wan(w["scenario_co2"]),
                                **{w["labels"][k]: wan(w["wedges"][k]) for k in w["order"]}}),
        "histogram": pairs_table(_("Distribution of the peak year"), [_("Peak year"), _("Draws")],
                                 [*zip(h["years"], h["counts"]), (_("not peaked"), h["not_peaked"])]),
        "tornado": pairs_table(_("Which inputs move P(peak by 2030) most"),
                               [_("Input"), _("lowest fifth"), _("highest fifth")],
                               [(r["label"], r["low"], r["high"]) for r in chart["sensitivity"]["inputs"]]),
    }


def _no_base(request, exc: services.NoBaseData):
    return render(request, "scenarios/no_plan.html", {"message": str(exc)})


def index(request):
    plan = _plan_or_none(request)
    if plan is None:
        return render(request, "scenarios/no_plan.html")
    try:
        return _index(request, plan)
    except services.NoBaseData as exc:
        return _no_base(request, exc)


def _index(request, plan):
    scenarios = list(Scenario.objects.filter(plan=plan).select_related("parent").order_by("id"))
    chosen = request.GET.getlist("s") or [sc.slug for sc in scenarios][:COMPARE_MAX]
    try:
        runs = services.runs(scenarios, services.calibration(plan))
    except services.BaseUnavailable as exc:
        return _base_error(request, exc)
    rows, series = [], []
    for sc in scenarios:
        run = runs[sc.pk]
        rows.append({"scenario": sc, "run": run, "peak": run.result["peak"], "compared": sc.slug in chosen})
        if sc.slug in chosen and len(series) < COMPARE_MAX:
            series.append({"name": sc.name, "slug": sc.slug, "years": run.result["years"],
                           "co2": run.result["bands"]["co2"]})
    first = rows[0]["run"].result if rows else None
    return render(request, "scenarios/index.html", {
        "plan": plan, "rows": rows, "series": series, "draws": services.DEFAULT_DRAWS,
        "compare_table": series_table(f"{_('CO2 emissions, median')} ({_('10⁴ tCO2')})", _("Year"),
                                      series[0]["years"] if series else [],
                                      {s["name"]: [x / 1e4 for x in s["co2"]["p50"]] for s in series}),
        "base_year": first["base_year"] if first else None, "base_source": first["base_source"] if first else "",
        "notes": notes.readable_notes(first["notes"], notes.code_names(plan)) if first else [],
    })


def _base_error(request, exc: Exception):
    """The calibration base cannot be built: say so (and why) instead of projecting from something else."""
    return render(request, "scenarios/base_error.html", {"error": str(exc)}, status=409)


def _sector_table(result: dict) -> tuple[list[int], list[dict]]:
    years = result["years"]
    idx = sorted({0, len(years) - 1} | {years.index(y) for y in (2025, 2030) if y in years})
    rows = [{"label": SECTOR_LABELS.get(s, s), "values": [v[i] / 1e4 for i in idx]}
            for s, v in result["co2_by_sector"].items()]
    return [years[i] for i in idx], rows


def _editor_context(request, sc: Scenario, error: str | None = None, field_errors: dict | None = None,
                    typed=None) -> dict:
    """The editor page; after a refused save, `field_errors` and the fields as `typed` (the POST)."""
    run = services.run(sc)
    sector_years, sector_rows = _sector_table(run.result)
    chart = _chart_payload(run.result)
    return {"scenario": sc, "run": run, "result": run.result, "chart": chart, "chart_tables": _chart_tables(chart),
            "sector_years": sector_years, "sector_rows": sector_rows,
            "levers": forms.lever_rows(sc.parameters, sc.plan, field_errors, typed), "error": error,
            "notes": notes.readable_notes(run.result["notes"], notes.code_names(sc.plan)),
            "assumptions": notes.readable_assumptions(run.result["assumptions"]),
            "can_edit": can_edit(actor_for(request), sc), "horizon": sc.horizon,
            "versions": sc.versions.all()[:10]}


def editor(request, slug: str):
    plan = _plan_or_none(request)
    if plan is None:
        return render(request, "scenarios/no_plan.html")
    sc = get_object_or_404(Scenario, plan=plan, slug=slug)
    try:
        return render(request, "scenarios/editor.html", _editor_context(request, sc))
    except services.BaseUnavailable as exc:
        return _base_error(request, exc)
    except services.NoBaseData as exc:
        return _no_base(request, exc)


@login_required
@require_POST
def save_levers(request, slug: str):
    """HTMX: save the edited levers as a new version, re-run, return the result panel."""
    plan = _plan_or_none(request)
    sc = get_object_or_404(Scenario, plan=plan, slug=slug)
    actor = actor_for(request)
    permissions.require(can_edit(actor, sc), _("You may not change this scenario."))
    error, field_errors = None, {}
    try:
        levers = forms.parse_levers(request.POST, sc.parameters)
        horizon = request.POST.get("horizon")
        update_as(actor, sc, levers=levers, horizon=int(horizon) if horizon else None)
    except forms.LeverErrors as exc:
        error, field_errors = _("Nothing was saved: correct the fields marked below."), exc.errors
    except (engine.ScenarioError, ValidationError, ValueError) as exc:
        error = error_text(exc)
        sc = Scenario.objects.get(pk=sc.pk)
    ctx = _editor_context(request, sc, error, field_errors, typed=request.POST if field_errors else None)
    if request.headers.get("HX-Request"):  # HTMX swaps only a 200: the errors are in the form it receives
        return render(request, "scenarios/_editor.html", ctx)
    if field_errors:
        return render(request, "scenarios/editor.html", ctx, status=422)
    if error:
        messages.error(request, error)
    return redirect("scenarios:editor", sc.slug)


def result(request, slug: str):
    plan = _plan_or_none(request)
    sc = get_object_or_404(Scenario, plan=plan, slug=slug)
    return render(request, "scenarios/_result.html", _editor_context(request, sc))


@login_required
@require_POST
def copy(request):
    plan = _plan_or_none(request)
    source = get_object_or_404(Scenario, plan=plan, slug=request.POST.get("source", ""))
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, _("Give the copy a name."))
        return redirect("scenarios:index")
    try:
        new = copy_as(actor_for(request), source, name)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("scenarios:index")
    messages.success(request, _("Copied %(source)s to %(name)s.") % {"source": source.name, "name": new.name})
    return redirect("scenarios:editor", new.slug)


def progress(request):
    """Progress tracking: the plan scenario re-forecast from each accounting year, observed years as fact."""
    plan = _plan_or_none(request)
    if plan is None:
        return render(request, "scenarios/no_plan.html")
    sc = services.plan_scenario(plan)
    try:
        data = services.progress(plan, sc)
    except services.BaseUnavailable as exc:
        return _base_error(request, exc)
    return render(request, "scenarios/progress.html", {"plan": plan, "scenario": sc,
                                                       "vintage_table": _vintage_table(data.get("vintages") or []),
                                                       **data})


def _vintage_table(vintages: list[dict]) -> ChartTable:
    """The vintages chart as a table: each forecast's median CO2 by year (10⁴ tCO2)."""
    years = sorted({y for v in vintages for y in v["years"]})
    medians = {_("Forecast from %(year)s") % {"year": v["base_year"]}: dict(zip(v["years"], v["p50"]))
               for v in vintages}
    return series_table(f"{_('Median forecast')} ({_('10⁴ tCO2')})", _("Year"), years,
                        {name: [m[y] / 1e4 if y in m else None for y in years] for name, m in medians.items()})
