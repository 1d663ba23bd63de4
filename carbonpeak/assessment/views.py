"""Assessment pages: allocation editor, scoring sheet, barometer, 通报 notice (HTML and Excel), reward split.

Who sees what is decided in `access`; the figures come from `services`. A unit sees its own rows only.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from carbonpeak.assessment import access, energy_reports, services
from carbonpeak.assessment.access import member_required
from carbonpeak.assessment.forms import EnergyUseReportForm
from carbonpeak.assessment.models import Allocation, KeyEnergyUnit, Status
from carbonpeak.core import clock, pdf
from carbonpeak.core.errors import error_text
from carbonpeak.core.numbers import rounded
from carbonpeak.core.xlsx import workbook_bytes
from carbonpeak.tracking import permissions as tracking_permissions
from carbonpeak.tracking import services as tracking
from carbonpeak.tracking.models import ReviewStatus

METHODS = ("equal", "proportional", "weighted", "manual")


class YearError(ValueError):
    """A year in a query or form that is not a calendar year the platform can show."""


def _year(request, data=None) -> int:
    """The year asked for (default: last year, the one being assessed); YearError for anything but a year."""
    asked = (data or request.GET).get("year")
    if not asked:
        return clock.today().year - 1
    if not (asked.isascii() and asked.isdigit() and 1900 <= int(asked) <= 2100):
        raise YearError(_("The year must be a year from 1900 to 2100, not “%(year)s”.") % {"year": asked[:20]})
    return int(asked)


def input_errors(view):
    """A rubric or data problem, or a year that is none, is a 422 page naming it, never a 500."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (*services.InputError, YearError) as exc:
            return render(request, "assessment/error.html", {"error": str(exc), "year": kwargs.get("year")},
                          status=422)

    return wrapped


def _failed(request, exc: Exception) -> None:
    messages.error(request, error_text(exc) if isinstance(exc, ValidationError) else str(exc))


def _office_write(request, write, done: str, not_a_number: str) -> None:
    """Run one of the office's writes; its outcome (or what was wrong) becomes a message on the next page."""
    access.require_office(request.actor)
    try:
        write()
        messages.success(request, done)
    except (*services.InputError, ValidationError) as exc:
        _failed(request, exc)
    except ValueError:  # float() of what the form sent
        messages.error(request, not_a_number)


def _number(request, field: str) -> float:
    return float(request.POST.get(field) or "nan")


@member_required
@input_errors
def index(request):
    year = _year(request)
    visible = Allocation.objects.filter(plan=request.plan)
    if not request.actor.sees_all:
        visible = visible.filter(status=Status.APPROVED)
    return render(request, "assessment/index.html", {
        "year": year, "years": range(year - 3, year + 2), "allocations": visible[:30],
        "office": access.can_manage(request.actor), "district": request.actor.sees_all})


def _manual_shares(request, rows: list[dict]) -> dict[str, float]:
    shares = {}
    for row in rows:
        raw = request.POST.get(f"share-{row['code']}", "")
        try:
            shares[row["code"]] = float(raw)
        except ValueError:
            raise ValidationError(_("%(unit)s: %(value)r is not a number") % {"unit": row["unit"], "value": raw})
    return shares


@member_required
@input_errors
def allocations(request):
    """The editor: the office previews an indicator's split by a method, adjusts shares, saves a draft version."""
    access.require_district(request.actor)
    data = request.POST if request.method == "POST" else request.GET
    indicator = data.get("indicator") or services.role_code(request.plan, services.ENERGY_TOTAL) or ""
    year, method = _year(request, data), data.get("method") or "proportional"
    target = data.get("to") or Allocation.Target.TOWNS
    preview, error = None, None
    try:
        preview = services.allocate(request.plan, indicator, year, "equal" if method == "manual" else method, target)
        if request.method == "POST":
            access.require_office(request.actor)
            params = {"shares": _manual_shares(request, preview["allocations"])} if method == "manual" else {}
            alloc = services.save_allocation(request.actor, request.plan, indicator, year, method, target, params)
            messages.success(request, _("Saved as draft version %(v)s.") % {"v": alloc.version})
            return redirect("assessment:allocation", pk=alloc.pk)
    except (*services.InputError, ValidationError) as exc:
        error = error_text(exc) if isinstance(exc, ValidationError) else str(exc)
    return render(request, "assessment/allocations.html", {
        "preview": preview, "error": error, "indicator": indicator, "year": year, "method": method, "to": target,
        "methods": METHODS, "targets": Allocation.Target.choices, "office": access.can_manage(request.actor),
        "indicators": request.plan.indicators.filter(kind="quantitative").order_by("position")
        | request.plan.indicators.filter(role=services.ENERGY_TOTAL),
        "versions": Allocation.objects.filter(plan=request.plan, indicator=indicator, year=year, target=target)})


def _visible_allocation(request, pk: int) -> Allocation:
    alloc = Allocation.objects.filter(pk=pk, plan=request.plan).first()
    if alloc is None or not (request.actor.sees_all or alloc.is_approved):
        raise Http404("not found")
    rows = access.own_rows(request.actor, alloc.result["allocations"])
    if not rows and not request.actor.sees_all:
        raise Http404("not found")
    alloc.visible_rows = rows
    return alloc


@member_required
def allocation(request, pk: int):
    alloc = _visible_allocation(request, pk)
    return render(request, "assessment/allocation.html", {
        "alloc": alloc, "rows": alloc.visible_rows, "office": access.can_manage(request.actor),
        "district": request.actor.sees_all})


@require_POST
@member_required
def allocation_approve(request, pk: int):
    alloc = _visible_allocation(request, pk)
    access.require_office(request.actor)
    try:
        services.approve_allocation(request.actor, alloc)
        messages.success(request, _("Allocation approved."))
    except ValidationError as exc:
        _failed(request, exc)
    return redirect("assessment:allocation", pk=alloc.pk)


@member_required
@input_errors
def sheet(request, year: int):
    """The scoring sheet: every item's points and evidence (a unit: its own)."""
    result = services.run(request.plan, year)
    rows, compared = services.with_previous(request.plan, year, access.own_rows(request.actor, result["units"]))
    assessment = services.get_assessment(request.plan, year)
    return render(request, "assessment/sheet.html", {
        "year": year, "result": result, "rows": rows, "compared": compared, "previous_year": year - 1, "office": access.can_manage(request.actor),
        "district": request.actor.sees_all, "assessment": assessment,
        "adjustments": assessment.adjustments.select_related("unit", "created_by") if assessment else [],
        "units": [(r["code"], r["unit"]) for r in result["units"]]})


@require_POST
@member_required
def adjust(request, year: int):
    def write():
        unit = request.plan.units.filter(code=request.POST.get("unit", "")).first()
        if unit is None:
            raise ValidationError({"unit": _("Choose a unit.")})
        services.add_adjustment(request.actor, request.plan, year, unit, _number(request, "points"),
                                request.POST.get("reason", ""))

    _office_write(request, write, _("Adjustment recorded."), _("Points must be a number."))
    return redirect("assessment:sheet", year=year)


@require_POST
@member_required
def approve(request, year: int):
    _office_write(request, lambda: services.approve_assessment(request.actor, request.plan, year),
                  _("The assessment is approved; its results are frozen."), "")
    return redirect("assessment:sheet", year=year)


@member_required
@input_errors
def barometer(request, year: int):
    rows = access.own_rows(request.actor, services.barometer(request.plan, year))
    chart = [{"unit": r["unit"], "change": r["intensity_change"], "expected": r["expected_change"],
              "colour": r["colour"]} for r in rows]
    return render(request, "assessment/barometer.html", {"year": year, "rows": rows, "chart": chart})


@member_required
@input_errors
def notice(request, year: int):
    access.require_district(request.actor)
    return render(request, "assessment/notice.html", _notice_context(request.plan, year))


def _notice_context(plan, year: int) -> dict:
    data = services.notice(plan, year)
    return dict(data, score_labels=[r["unit"] for r in data["units"]], score_values=[r["score"] for r in data["units"]],
                score_colours=["#b3261e" if r["unit"] in {c["unit"] for c in data["criticise"]} else "#1b7f5a"
                               for r in data["units"]])


@require_safe
@member_required
@input_errors
def notice_pdf(request, year: int):
    """The 通报 as an A4 PDF (the ranking chart drawn server-side, Chinese fonts embedded)."""
    access.require_district(request.actor)
    return pdf.response(request, "assessment/notice_print.html", _notice_context(request.plan, year),
                        f"notice-{request.plan.code}-{year}.pdf")


@member_required
@input_errors
def notice_xlsx(request, year: int):
    access.require_district(request.actor)
    from openpyxl import Workbook

    data = services.notice(request.plan, year)
    book = Workbook()
    ws = book.active
    ws.title = f"{year}年度考核"
    ws.append(["排名", "单位", "得分", "等次", "一票否决", "通报批评", "约谈",
               f"{year - 1}年得分", f"{year - 1}年等次", f"{year - 1}年排名", "得分变化", "排名变化"])
    criticise = {r["unit"] for r in data["criticise"]}
    interview = {r["unit"] for r in data["interview"]}
    for r in data["units"]:
        p = r["previous"] or {}
        ws.append([r["rank"], r["unit"], rounded(r["score"]), r["grade_zh"], "、".join(v["name_zh"] for v in r["veto"]),
                   "是" if r["unit"] in criticise else "", "是" if r["unit"] in interview else "",
                   rounded(p.get("score")), p.get("grade_zh"), p.get("rank"), rounded(p.get("score_change")),
                   p.get("rank_change")])
    response = HttpResponse(workbook_bytes(book), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="assessment-notice-{year}.xlsx"'
    return response


@member_required
@input_errors
def reward(request, year: int):
    if request.method == "POST":
        _office_write(request, lambda: services.set_reward_pool(request.actor, request.plan, year,
                                                                _number(request, "yuan")),
                      _("Reward pool saved."), _("The pool must be an amount in yuan."))
        return redirect("assessment:reward", year=year)
    result = services.reward(request.plan, year)
    return render(request, "assessment/reward.html", {
        "year": year, "result": result, "rows": access.own_rows(request.actor, result["units"]),
        "office": access.can_manage(request.actor), "district": request.actor.sees_all})


# -- 能源利用状况报告 (key units' annual energy use status reports, tracking's review workflow) ------------------

def _draftable_key_units(actor: access.Actor, plan) -> list[KeyEnergyUnit]:
    """The key units whose report the actor may draft: those of its town (every town's for the office)."""
    key_units = KeyEnergyUnit.objects.filter(plan=plan, town__isnull=False).select_related("town").order_by("code")
    return [k for k in key_units if tracking_permissions.can_report(actor, k.town)]


def _report_filters(request, reports):
    """The list filtered by the year, status and town asked for."""
    chosen = {key: request.GET.get(key, "") for key in ("year", "status", "town")}
    if chosen["year"].isdigit():
        reports = reports.filter(period__year=int(chosen["year"]))
    if chosen["status"]:
        reports = reports.filter(status=chosen["status"])
    if chosen["town"]:
        reports = reports.filter(unit__code=chosen["town"])
    return reports, chosen


@member_required
def energy_use_reports(request):
    """List the visible reports; POST saves a draft through the API's service (403 when not allowed)."""
    actor, plan = request.actor, request.plan
    key_units = _draftable_key_units(actor, plan)
    visible = energy_reports.visible(actor, plan)
    status, error = 200, ""
    if request.method == "POST":
        form = EnergyUseReportForm(request.POST, key_units=key_units)
        if not key_units:
            raise PermissionDenied(_("You may not report for any key energy-consuming unit."))
        if form.is_valid():
            try:
                report = energy_reports.save_draft_in_plan(actor, plan, form.cleaned_data["key_unit"],
                                                           form.cleaned_data["year"], form.energy(),
                                                           **form.report_fields())
            except ValidationError as exc:
                error = error_text(exc)
            else:
                messages.success(request, _("Draft saved."))
                return redirect(f"{reverse('assessment:energy_use_reports')}?year={report.period.year}")
        status = 422
    else:
        editing = visible.filter(pk=request.GET.get("edit")).first() if request.GET.get("edit", "").isdigit() else None
        initial = (EnergyUseReportForm.initial_from(editing) if editing is not None
                   else {"year": clock.today().year - 1})
        form = EnergyUseReportForm(initial=initial, key_units=key_units)
    reports, chosen = _report_filters(request, visible)
    return render(request, "assessment/energy_use_reports.html", {
        "reports": [(r, _report_steps(actor, r)) for r in reports], "form": form if key_units else None,
        "error": error, "chosen": chosen, "statuses": ReviewStatus.choices,
        "towns": sorted({(r.unit.code, r.unit.name_zh) for r in visible}), "year": clock.today().year - 1,
        "district": actor.sees_all}, status=status)


def _report_steps(actor: access.Actor, report) -> list[tuple[str, str]]:
    """The workflow steps (step, label) the actor may take on the report now."""
    steps = []
    if report.is_editable and tracking_permissions.can_edit(actor, report):
        steps.append(("submit", _("Submit")))
    if tracking_permissions.can_review(actor, report):
        steps += [("approve", _("Approve")), ("return", _("Return for revision"))]
    return steps


@require_POST
@member_required
def energy_use_report_step(request, pk: int, step: str):
    """Submit, approve or return a report (tracking's workflow through `energy_reports.take_step`)."""
    report = energy_reports.visible(request.actor, request.plan).filter(pk=pk).first()
    if report is None or step not in energy_reports.STEPS:
        raise Http404("not found")
    try:
        energy_reports.take_step(request.actor, report, step, request.POST.get("comment", ""))
        messages.success(request, _("Done."))
    except (tracking.WorkflowError, ValidationError) as exc:
        _failed(request, exc)
    return redirect(f"{reverse('assessment:energy_use_reports')}?year={report.period.year}")
