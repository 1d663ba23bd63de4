"""Tracking pages: a unit's reporting sheet (HTMX inline edit), review queue, record pages with audit trail,
evidence, Excel template / upload, reminders, projects and API tokens.

Thin views: scope comes from `permissions` (objects outside it are 404), changes from `services`.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from carbonpeak.core import clock
from carbonpeak.core.errors import error_text
from carbonpeak.plan.models import ResponsibleUnit
from carbonpeak.plan.selectors import current_plan
from carbonpeak.tracking import excel, permissions, selectors, services
from carbonpeak.tracking import reminders as reminders_service
from carbonpeak.tracking import users as account_service
from carbonpeak.tracking.forms import (
    AccountForm, EvidenceForm, IndicatorValueForm, OpenPeriodsForm, ProjectForm, RateLimitedAuthenticationForm,
    ReviewForm, RoleForm, TaskProgressForm, TokenForm, UploadForm,
)
from carbonpeak.tracking.models import IndicatorReport, Membership, Notification, Project, ReviewStatus, TaskReport
from carbonpeak.tracking.permissions import actor_for, get_or_404


class LoginView(DjangoLoginView):
    """The site's login page (`/accounts/login/`), with per username+IP lockout after repeated failures."""

    template_name = "core/login.html"
    authentication_form = RateLimitedAuthenticationForm

    def get_default_redirect_url(self) -> str:
        """Without `next`: members land on their to-do list, everyone else on the dashboard."""
        if permissions.actor_for_user(self.request.user).is_member:
            return reverse("tracking:index")
        return super().get_default_redirect_url()


def member_required(view):
    """Logged in, with a membership (or superuser): sets `request.actor` and `request.plan`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = actor_for(request)
        if not actor.is_member:
            return render(request, "tracking/no_membership.html", status=403)
        plan = current_plan(request)
        if plan is None:
            return render(request, "plan/no_plan.html", status=404)
        request.actor, request.plan = actor, plan
        return view(request, *args, **kwargs)

    return wrapped


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _period(request, period_pk: int):
    return get_or_404(request.plan.reporting_periods.all(), pk=period_pk)


def _unit(request, unit_code: str) -> ResponsibleUnit:
    """A unit the actor may see (else 404)."""
    return get_or_404(permissions.visible_units(request.actor, request.plan), code=unit_code)


# --- index and the reporting sheet ----------------------------------------------------------------------------

@member_required
def index(request):
    actor, plan = request.actor, request.plan
    period = selectors.default_report_period(plan)
    periods = list(plan.reporting_periods.order_by("-end", "kind")[:24])
    queue = _review_queue(actor, plan)
    reminders = selectors.reminders(plan, permissions.visible_units(actor, plan))
    owed = selectors.obligations(plan)
    units = [u for u in permissions.visible_units(actor, plan) if u.pk in owed] if actor.sees_all else []
    todo = selectors.todo(plan, actor.unit) if actor.role == permissions.Role.REPORTER else None
    return render(request, "tracking/index.html", {
        "plan": plan, "actor": actor, "period": period, "periods": periods, "units": units, "todo": todo,
        "queue_count": sum(len(v) for v in queue.values()), "reminder_count": len(reminders),
        "overdue": reminders[:20] if actor.sees_all else [],
        "can_manage_tokens": permissions.can_manage_tokens(actor),
    })


@member_required
def my_sheet(request, period_pk: int):
    """Shortcut: the actor's own unit's sheet for a period."""
    if request.actor.unit is None:
        raise Http404("no unit")
    return redirect("tracking:sheet", period_pk, request.actor.unit.code)


def _sheet_context(request, period, unit) -> dict:
    actor = request.actor
    indicator_rows, task_rows = selectors.indicator_rows(unit, period), selectors.task_rows(unit, period)
    return {
        "plan": request.plan, "period": period, "unit": unit, "actor": actor,
        "indicator_rows": indicator_rows, "task_rows": task_rows,
        "sheet": selectors.sheet(indicator_rows, task_rows),
        "can_report": permissions.can_report(actor, unit) and not period.is_closed,
        "can_review": actor.token is None and (actor.is_admin or (
            actor.role == permissions.Role.REVIEWER and actor.unit.pk == unit.pk)),
        "progress_choices": TaskReport.Progress.choices,
        "periods": request.plan.reporting_periods.order_by("-end", "kind"),
    }


@member_required
def sheet(request, period_pk: int, unit_code: str):
    period, unit = _period(request, period_pk), _unit(request, unit_code)
    return render(request, "tracking/sheet.html", _sheet_context(request, period, unit))


def _row_response(request, template: str, context: dict, period, unit, status: int = 200):
    if _is_htmx(request) or request.method == "GET":
        return render(request, template, context, status=status)
    return redirect("tracking:sheet", period.pk, unit.code)


@member_required
@require_http_methods(["GET", "POST"])
def indicator_row(request, period_pk: int, unit_code: str, indicator_pk: int):
    """HTMX: the row of one indicator on the sheet; POST saves the draft (`action=save`) or saves and submits."""
    actor = request.actor
    period, unit = _period(request, period_pk), _unit(request, unit_code)
    indicator = get_or_404(permissions.unit_indicators(unit).filter(plan=request.plan), pk=indicator_pk)
    error = ""
    if request.method == "POST":
        if not permissions.can_report(actor, unit):
            raise PermissionDenied(_("You may not report for this unit."))
        form = IndicatorValueForm(request.POST, prefix=f"ind-{indicator.pk}")
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.save_indicator_report(
                    actor, indicator=indicator, unit=unit, period=period, value=data["value"],
                    value_unit=data["value_unit"] if form.add_prefix("value_unit") in request.POST else None,
                    note=data["note"])
                if request.POST.get("action") == "submit":
                    services.submit(actor, report)
            except ValidationError as exc:
                error = error_text(exc)
        else:
            error = _("Enter a number.") if "value" in form.errors else error_text(
                ValidationError(form.errors))
        if not _is_htmx(request):
            (messages.error if error else messages.success)(request, error or _("Saved."))
    context = _sheet_context(request, period, unit)
    row = next(r for r in context["indicator_rows"] if r.subject.pk == indicator.pk)
    row.error = error
    if error:  # show what was typed again, never the stored value in its place
        prefix = f"ind-{indicator.pk}-"
        row.typed = {name: request.POST.get(prefix + name, "") for name in ("value", "note")}
    context["row"] = row
    return _row_response(request, "tracking/_indicator_row.html", context, period, unit,
                         status=422 if error and not _is_htmx(request) else 200)


@member_required
@require_http_methods(["GET", "POST"])
def task_row(request, period_pk: int, unit_code: str, task_pk: int):
    actor = request.actor
    period, unit = _period(request, period_pk), _unit(request, unit_code)
    task = get_or_404(permissions.unit_tasks(unit).filter(action__plan=request.plan), pk=task_pk)
    error = ""
    if request.method == "POST":
        if not permissions.can_report(actor, unit):
            raise PermissionDenied(_("You may not report for this unit."))
        form = TaskProgressForm(request.POST, prefix=f"task-{task.pk}")
        if form.is_valid():
            try:
                report = services.save_task_report(actor, task=task, unit=unit, period=period, **form.cleaned_data)
                if request.POST.get("action") == "submit":
                    services.submit(actor, report)
            except ValidationError as exc:
                error = error_text(exc)
        else:
            error = error_text(ValidationError(form.errors))
        if not _is_htmx(request):
            (messages.error if error else messages.success)(request, error or _("Saved."))
    context = _sheet_context(request, period, unit)
    row = next(r for r in context["task_rows"] if r.subject.pk == task.pk)
    row.error = error
    context["row"] = row
    return _row_response(request, "tracking/_task_row.html", context, period, unit)


def _typed_indicators(request, rows) -> dict:
    """indicator → {value, note} typed on the sheet (rows left empty are skipped); a bad number sets row.error."""
    typed = {}
    for row in rows:
        form = IndicatorValueForm(request.POST, prefix=f"ind-{row.subject.pk}")
        if not row.open or form.add_prefix("value") not in request.POST:
            continue
        row.typed = {name: request.POST.get(form.add_prefix(name), "") for name in ("value", "note")}
        if not row.typed["value"].strip():
            continue
        if form.is_valid():
            typed[row.subject] = {"value": form.cleaned_data["value"], "note": form.cleaned_data["note"]}
        else:
            row.error = _("Enter a number.")
    return typed


def _typed_tasks(request, rows) -> dict:
    """task → {narrative, progress_status, percent_complete} typed on the sheet (untouched new rows skipped)."""
    typed = {}
    for row in rows:
        form = TaskProgressForm(request.POST, prefix=f"task-{row.subject.pk}")
        if not row.open or form.add_prefix("progress_status") not in request.POST:
            continue
        row.typed = {name: request.POST.get(form.add_prefix(name), "")
                     for name in ("narrative", "progress_status", "percent_complete")}
        if not form.is_valid():
            row.error = error_text(ValidationError(form.errors))
        elif row.current is not None or form.cleaned_data["narrative"].strip() or (
                form.cleaned_data["percent_complete"] is not None):
            typed[row.subject] = form.cleaned_data
    return typed


@member_required
@require_POST
def submit_all(request, period_pk: int, unit_code: str):
    """The sheet's form: save every typed value and submit it with the unit's other drafts, all in one transaction.

    A bad value refuses the whole submission: the sheet comes back (400) with what was typed and the error at the
    row. Nothing submitted is a warning, never a success."""
    actor = request.actor
    period, unit = _period(request, period_pk), _unit(request, unit_code)
    if not permissions.can_report(actor, unit):
        raise PermissionDenied(_("You may not report for this unit."))
    context = _sheet_context(request, period, unit)
    indicators = _typed_indicators(request, context["indicator_rows"])
    tasks = _typed_tasks(request, context["task_rows"])
    bad = [r for r in (*context["indicator_rows"], *context["task_rows"]) if r.error]
    try:
        if bad:
            raise ValidationError(_("Nothing was saved: %(count)d rows need correcting.") % {"count": len(bad)})
        count = services.submit_sheet(actor, unit, period, indicators, tasks)
    except ValidationError as exc:
        context["sheet_error"] = error_text(exc)
        return render(request, "tracking/sheet.html", context, status=400)
    if count:
        messages.success(request, _("%(count)d records saved and submitted for review.") % {"count": count})
    else:
        messages.warning(request, _("Nothing was submitted: no value has been filled in or saved as a draft."))
    return redirect("tracking:sheet", period.pk, unit.code)


# --- review ---------------------------------------------------------------------------------------------------

def _review_queue(actor, plan) -> dict:
    if not actor.can_review_any or actor.token is not None:
        return {"indicators": [], "tasks": [], "projects": []}
    submitted = {"status": ReviewStatus.SUBMITTED}
    indicators = list(permissions.indicator_reports(actor).filter(period__plan=plan, **submitted)
                      .select_related("supersedes", "indicator__task"))
    previous = selectors.previous_values(indicators)
    evidence = selectors.evidence_by_task(indicators)
    for report in indicators:
        report.previous = previous.get(report.pk)
        report.change = None if report.previous is None else round(report.value - report.previous.value, 9)
        report.evidence_items = evidence.get((report.indicator.task_id, report.unit_id, report.period_id), [])
    return {
        "indicators": indicators,
        "tasks": list(permissions.task_reports(actor).filter(period__plan=plan, **submitted)
                      .prefetch_related("evidence")),
        "projects": list(permissions.projects(actor).filter(plan=plan, responsible_unit__in=(
            permissions.visible_units(actor, plan)), **submitted)),
    }


def _render_queue(request, status: int = 200, **extra):
    return render(request, "tracking/review_queue.html", {
        "queue": _review_queue(request.actor, request.plan), "plan": request.plan, "actor": request.actor, **extra,
    }, status=status)


def _require_reviewer(actor) -> None:
    if not (actor.can_review_any and actor.token is None):
        raise PermissionDenied(_("Only reviewers and the district office review submissions."))


@member_required
def review_queue(request):
    _require_reviewer(request.actor)
    return _render_queue(request)


@member_required
@require_POST
def review_bulk(request):
    """Approve the ticked submissions in one POST (`records` = `kind:pk`): all or none, each one checked by the
    permission layer (out of scope: 404; not one's to review, e.g. four-eyes: 403)."""
    actor = request.actor
    _require_reviewer(actor)
    records = []
    for item in dict.fromkeys(request.POST.getlist("records")):  # a record ticked twice is approved once
        kind, _sep, pk = item.partition(":")
        if not pk.isdigit():
            raise Http404("unknown record")
        records.append(_record(request, kind, int(pk)))
    if not records:
        return _render_queue(request, 400, bulk_error=_("Tick the submissions to approve first."))
    try:
        count = services.approve_many(actor, records)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        return _render_queue(request, 409, bulk_error=error_text(exc))
    messages.success(request, _("%(count)d submissions approved.") % {"count": count})
    return redirect("tracking:review")


RECORD_KINDS = {
    "indicator-reports": (permissions.indicator_reports, "tracking/indicator_report.html"),
    "task-reports": (permissions.task_reports, "tracking/task_report.html"),
    "projects": (permissions.projects, "tracking/project.html"),
}


def _record(request, kind: str, pk: int):
    if kind not in RECORD_KINDS:
        raise Http404("unknown kind")
    scope, _template = RECORD_KINDS[kind]
    return get_or_404(scope(request.actor), pk=pk)


def _revisions(record) -> list:
    """The record's revision chain, oldest first."""
    model = type(record)
    if isinstance(record, Project):
        root = record
        while root.supersedes_id:
            root = root.supersedes
        chain, node = [root], root
        while True:
            node = model.objects.filter(supersedes=node).first()
            if node is None:
                return chain
            chain.append(node)
    key = ({"indicator": record.indicator_id} if isinstance(record, IndicatorReport) else {"task": record.task_id})
    return list(model.objects.filter(unit=record.unit_id, period=record.period_id, **key).order_by("revision"))


def _render_record(request, kind: str, obj, status: int = 200, **extra):
    actor = request.actor
    _scope, template = RECORD_KINDS[kind]
    context = {
        "plan": request.plan, "record": obj, "kind": kind, "actor": actor,
        "audit": obj.audit_entries(), "revisions": _revisions(obj),
        "can_edit": permissions.can_edit(actor, obj), "can_review": permissions.can_review(actor, obj),
        "can_correct": permissions.can_correct(actor, obj), "can_withdraw": permissions.can_withdraw(actor, obj),
        "review_form": ReviewForm(), "evidence_form": EvidenceForm(), **extra,
    }
    if isinstance(obj, TaskReport):
        context["evidence"] = obj.evidence.all()
        context["progress_choices"] = TaskReport.Progress.choices
        context["evidence_audit"] = None
    return render(request, template, context, status=status)


@member_required
def record(request, kind: str, pk):
    return _render_record(request, kind, _record(request, kind, pk))


@member_required
@require_POST
def record_submit(request, kind: str, pk: int):
    obj = _record(request, kind, pk)
    try:
        services.submit(request.actor, obj)
        messages.success(request, _("Submitted for review."))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(obj.get_absolute_url())


@member_required
@require_POST
def record_withdraw(request, kind: str, pk: int):
    """Take a submission back before review (submitted → draft); back to the sheet it came from."""
    obj = _record(request, kind, pk)
    return _draft_step(request, obj, services.withdraw, _("Withdrawn: the record is a draft again."),
                       obj.get_absolute_url())


@member_required
@require_POST
def record_review(request, kind: str, pk: int):
    actor = request.actor
    obj = _record(request, kind, pk)
    _require_reviewer(actor)
    form = ReviewForm(request.POST)
    from_queue = request.POST.get("next") == reverse("tracking:review")
    if not form.is_valid():
        if not permissions.can_review(actor, obj):
            raise PermissionDenied(_("You may not review this unit's submissions."))
        error = error_text(ValidationError(form.errors))
        if from_queue:
            return _render_queue(request, 400, row_error={"kind": kind, "pk": obj.pk, "text": error})
        return _render_record(request, kind, obj, status=400, review_error=error)
    try:
        if form.cleaned_data["decision"] == "approve":
            services.approve(actor, obj, form.cleaned_data["comment"])
            messages.success(request, _("Approved."))
        else:
            services.return_for_revision(actor, obj, form.cleaned_data["comment"])
            messages.success(request, _("Returned with comments."))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(reverse("tracking:review") if from_queue else obj.get_absolute_url())


@member_required
@require_POST
def record_correct(request, kind: str, pk: int):
    """Start a correction (a new draft revision) of an approved record."""
    actor = request.actor
    obj = _record(request, kind, pk)
    if not permissions.can_correct(actor, obj):
        raise PermissionDenied(_("You may not correct this record."))
    changes = {}
    if isinstance(obj, IndicatorReport):
        form = IndicatorValueForm({"value": request.POST.get("value", obj.value), "note": request.POST.get("note", "")})
        if not form.is_valid():
            messages.error(request, _("Enter a number."))
            return redirect(obj.get_absolute_url())
        changes = {"value": form.cleaned_data["value"], "note": form.cleaned_data["note"]}
    try:
        new = services.correct(actor, obj, **changes)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(obj.get_absolute_url())
    messages.success(request, _("Correction started as revision %(rev)s.") % {"rev": new.revision})
    return redirect(new.get_absolute_url())


@member_required
@require_POST
def record_delete(request, kind: str, pk: int):
    obj = _record(request, kind, pk)
    return _draft_step(request, obj, services.delete_draft, _("Draft deleted."), reverse("tracking:projects"))


def _draft_step(request, obj, step, done: str, project_next: str):
    """Withdraw or delete a draft: back to the unit's sheet (a project: to `project_next`); a refused step (a
    ValidationError: the record's state does not allow it) back to the record with the reason."""
    try:
        step(request.actor, obj)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(obj.get_absolute_url())
    messages.success(request, done)
    if isinstance(obj, Project):
        return redirect(project_next)
    return redirect("tracking:sheet", obj.period_id, obj.unit.code)


# --- evidence -------------------------------------------------------------------------------------------------

@member_required
@require_POST
def evidence_upload(request, pk: int):
    report = get_or_404(permissions.task_reports(request.actor), pk=pk)
    if not permissions.can_report(request.actor, report.unit):
        raise PermissionDenied(_("You may not edit this unit's records."))
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(form.errors)))
        return redirect(report.get_absolute_url())
    try:
        item = services.add_evidence(request.actor, report, form.cleaned_data["file"])
        messages.success(request, _("Uploaded %(name)s.") % {"name": item.original_name})
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return render(request, "tracking/evidence_rejected.html",
                      {"record": report, "error": error_text(exc)}, status=400)
    return redirect(report.get_absolute_url())


@member_required
def evidence_download(request, pk: int):
    item = get_or_404(permissions.evidence(request.actor), pk=pk)
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                            content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
@require_POST
def evidence_delete(request, pk: int):
    item = get_or_404(permissions.evidence(request.actor), pk=pk)
    report = item.task_report
    try:
        services.remove_evidence(request.actor, item)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(report.get_absolute_url())


# --- Excel ----------------------------------------------------------------------------------------------------

@member_required
def excel_template(request, period_pk: int, unit_code: str):
    period, unit = _period(request, period_pk), _unit(request, unit_code)
    data = excel.build_template(unit, period)
    response = HttpResponse(data, content_type=excel.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{excel.template_filename(unit, period)}"'
    return response


@member_required
@require_http_methods(["GET", "POST"])
def excel_upload(request, period_pk: int, unit_code: str):
    actor = request.actor
    period, unit = _period(request, period_pk), _unit(request, unit_code)
    if not permissions.can_report(actor, unit):
        raise PermissionDenied(_("You may not report for this unit."))
    result, status = None, 200
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = excel.import_upload(actor, form.cleaned_data["file"], unit, period,
                                     submit=form.cleaned_data["submit"])
        if result.ok:
            messages.success(request, _("Imported %(count)d values.") % {"count": len(result.stored)})
            return redirect("tracking:sheet", period.pk, unit.code)
        status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "tracking/upload.html", {"plan": request.plan, "period": period, "unit": unit,
                                                    "form": form, "result": result}, status=status)


# --- reminders ------------------------------------------------------------------------------------------------

def _period_param(request, plan, value: str | None):
    """The period a `period` parameter names (None when empty); 404 when it names none."""
    if not value:
        return None
    period = selectors.find_period(plan, value)
    if period is None:
        raise Http404("no such period")
    return period


@member_required
def reminders(request):
    """Overdue units, the on-time rates (按时报送率) and their ranking; the office sends reminders from here."""
    actor, plan = request.actor, request.plan
    period = _period_param(request, plan, request.GET.get("period"))
    units = permissions.visible_units(actor, plan)
    items = selectors.reminders(plan, units, period)
    return render(request, "tracking/reminders.html", {
        "plan": plan, "actor": actor, "reminders": items, "period": period,
        "periods": plan.reporting_periods.order_by("-end"), "rates": selectors.on_time_rates(plan, units),
        "can_urge": actor.is_admin,
        "log": Notification.objects.filter(unit__plan=plan).select_related("recipient", "unit", "period")[:50]
        if actor.is_admin else [],
    })


@member_required
@require_POST
def reminders_send(request):
    """The office reminds one unit (`unit`, optionally one `period`) or every overdue unit (no `unit`)."""
    actor, plan = request.actor, request.plan
    if not actor.is_admin:
        raise PermissionDenied(_("Only the district office sends reminders."))
    period = _period_param(request, plan, request.POST.get("period"))
    unit = None
    if request.POST.get("unit"):
        unit = get_or_404(permissions.visible_units(actor, plan), code=request.POST["unit"])
    sent = reminders_service.urge(actor, plan, unit, period)
    failed = [n for n in sent if n.status == Notification.Status.FAILED]
    if not sent:
        messages.warning(request, _("No reminder sent: they have all been sent before, or nobody reports for "
                                    "these units."))
    elif failed:
        messages.error(request, _("%(sent)d reminders sent, %(failed)d failed: %(error)s") % {
            "sent": len(sent) - len(failed), "failed": len(failed), "error": failed[0].error})
    else:
        messages.success(request, _("%(count)d reminders sent.") % {"count": len(sent)})
    return redirect("tracking:reminders")


@member_required
def notifications(request):
    """The reminders sent to the logged-in user, unread first."""
    items = Notification.objects.filter(recipient=request.user, channel=Notification.Channel.APP).select_related(
        "unit", "period").order_by(F("read_at").asc(nulls_first=True), "-sent_at", "-pk")
    return render(request, "tracking/notifications.html", {"plan": request.plan, "actor": request.actor,
                                                            "notifications": items[:100]})


@member_required
@require_POST
def notifications_read(request):
    """Mark one of the user's notifications read (`id`), or all of them."""
    raw = request.POST.get("id", "")
    if raw and not raw.isdigit():
        return HttpResponse(_("Not a notification number: %(id)s") % {"id": raw[:40]}, status=400,
                            content_type="text/plain; charset=utf-8")
    marked = reminders_service.mark_read(request.actor, int(raw) if raw else None)
    if raw and not marked:
        raise Http404("no unread notification of yours with this number")
    return redirect("tracking:notifications")


# --- projects -------------------------------------------------------------------------------------------------

@member_required
def projects(request):
    actor, plan = request.actor, request.plan
    qs = permissions.projects(actor).filter(plan=plan).current()
    kind, status = request.GET.get("kind"), request.GET.get("status")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return render(request, "tracking/projects.html", {
        "plan": plan, "projects": qs, "kinds": Project.Kind.choices, "statuses": ReviewStatus.choices,
        "kind": kind or "", "status": status or "",
        "can_create": actor.can_write,
    })


def _reportable_units(actor, plan):
    units = plan.units.exclude(kind=ResponsibleUnit.Kind.GROUP)
    return units if actor.is_admin else units.filter(pk=actor.unit.pk if actor.unit else None)


@member_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int | None = None):
    actor, plan = request.actor, request.plan
    project = get_or_404(permissions.projects(actor), pk=pk) if pk else None
    if not actor.can_write:
        raise PermissionDenied(_("Only reporters and the district office register projects."))
    if project is not None and not permissions.can_edit(actor, project):
        raise PermissionDenied(_("This project cannot be edited."))
    units = _reportable_units(actor, plan)
    form = ProjectForm(request.POST or None, instance=project or Project(plan=plan), plan=plan, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.save_project(actor, plan, form.cleaned_data, project)
            if request.POST.get("action") == "submit":
                services.submit(actor, project)
            messages.success(request, _("Project saved."))
            return redirect(project.get_absolute_url())
        except PermissionDenied:
            raise
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
    return render(request, "tracking/project_form.html", {"plan": plan, "form": form, "project": project},
                  status=400 if request.method == "POST" else 200)


# --- API tokens -----------------------------------------------------------------------------------------------

@member_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    actor, plan = request.actor, request.plan
    if not permissions.can_manage_tokens(actor):
        raise PermissionDenied(_("Only reviewers and the district office manage API tokens."))
    units = plan.units.exclude(kind=ResponsibleUnit.Kind.GROUP)
    if not actor.is_admin:
        units = units.filter(pk=actor.unit.pk)
    form = TokenForm(request.POST or None, units=units)
    raw = None
    if request.method == "POST" and form.is_valid():
        token, raw = services.create_token(actor, form.cleaned_data["unit"], form.cleaned_data["name"],
                                           form.cleaned_data["read_only"])
        form = TokenForm(units=units)
    return render(request, "tracking/tokens.html", {
        "plan": plan, "form": form, "raw_token": raw,
        "tokens": permissions.tokens(actor).filter(unit__plan=plan),
    })


@member_required
@require_POST
def token_revoke(request, pk: int):
    token = get_or_404(permissions.tokens(request.actor), pk=pk)
    services.revoke_token(request.actor, token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("tracking:tokens")


# --- the district office: users and reporting periods ---------------------------------------------------------

def office_only(view):
    """A page of the district office (admin role) alone; everyone else 403."""

    @member_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.actor.is_admin:
            raise PermissionDenied(_("Only the district office manages users and reporting periods."))
        return view(request, *args, **kwargs)

    return wrapped


def _plan_users(plan):
    """The accounts with a membership in `plan` (the office manages its own district's accounts only)."""
    return get_user_model().objects.filter(memberships__plan=plan)


def _units(plan):
    return plan.units.exclude(kind=ResponsibleUnit.Kind.GROUP)


@office_only
@require_http_methods(["GET", "POST"])
def users(request):
    actor, plan = request.actor, request.plan
    form = AccountForm(request.POST or None, units=_units(plan))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = account_service.add_account(actor, data["username"], data["email"], data["password1"],
                                                   data["unit"], data["role"])
                messages.success(request, _("Account %(name)s added.") % {"name": user.get_username()})
                return redirect("tracking:users")
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
    return render(request, "tracking/users.html", {
        "plan": plan, "actor": actor, "form": form,
        "memberships": Membership.objects.filter(plan=plan).select_related("user", "unit").order_by(
            "unit__position", "role", "user__username"),
        "units": _units(plan), "roles": permissions.Role.choices,
    }, status=status)


@office_only
@require_POST
def user_role(request, pk: int):
    account = get_or_404(_plan_users(request.plan), pk=pk)
    form = RoleForm(request.POST, units=_units(request.plan))
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        account_service.change_role(request.actor, account, form.cleaned_data["unit"], form.cleaned_data["role"])
        messages.success(request, _("%(name)s: role changed.") % {"name": account.get_username()})
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("tracking:users")


@office_only
@require_POST
def user_active(request, pk: int):
    account = get_or_404(_plan_users(request.plan), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        account_service.set_active(request.actor, account, active)
        messages.success(request, (_("%(name)s reactivated.") if active else _("%(name)s deactivated."))
                         % {"name": account.get_username()})
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("tracking:users")


@office_only
@require_http_methods(["GET", "POST"])
def periods(request):
    actor, plan = request.actor, request.plan
    form = OpenPeriodsForm(request.POST or None, initial={"year": clock.today().year, "quarterly": True})
    if request.method == "POST":
        if form.is_valid():
            year = form.cleaned_data["year"]
            made = services.ensure_periods(plan, year, year, form.cleaned_data["quarterly"], actor=actor)
            messages.success(request, _("%(count)d reporting periods for %(year)s open.")
                             % {"count": len(made), "year": year})
            return redirect("tracking:periods")
    return render(request, "tracking/periods.html", {
        "plan": plan, "actor": actor, "form": form, "periods": plan.reporting_periods.order_by("-end", "kind"),
    }, status=400 if request.method == "POST" else 200)


@office_only
@require_POST
def period_closed(request, pk: int):
    period = _period(request, pk)
    closed = request.POST.get("closed") == "1"
    services.set_period_closed(request.actor, period, closed)
    messages.success(request, (_("%(period)s closed.") if closed else _("%(period)s reopened."))
                     % {"period": period.label})
    return redirect("tracking:periods")
