"""The service layer: every change to tracking records goes through here, checked and audited in one transaction.

Views, the API, Excel upload and demo data call these functions; they raise
- `PermissionDenied` when the actor may not do it (views show 403; out-of-scope objects are 404 before this),
- `WorkflowError` when the record's state does not allow it (approving a draft, editing an approved value),
- `ValidationError` for bad values (wrong unit, percent over 100).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carbonpeak.core.audit import audit, snapshot
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, Task
from carbonpeak.tracking import permissions
from carbonpeak.tracking.models import (
    EDITABLE_STATUSES, ApiToken, Evidence, IndicatorReport, Membership, Project, ReportingPeriod, Reviewed,
    ReviewStatus, TaskReport,
)
from carbonpeak.tracking.permissions import Actor

# --- evidence files -------------------------------------------------------------------------------------------

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    # extension → (content type, magic-bytes check)
    ".pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    ".png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              lambda head: head.startswith(b"PK\x03\x04")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              lambda head: head.startswith(b"PK\x03\x04")),
}
OOXML_MARKERS = {".xlsx": b"xl/", ".docx": b"word/"}


class WorkflowError(ValidationError):
    """The record's state does not allow this step."""


# --- generic workflow -----------------------------------------------------------------------------------------

def _locked(record: Reviewed) -> Reviewed:
    return type(record).objects.select_for_update().get(pk=record.pk)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_open(period: ReportingPeriod) -> None:
    """Refuse a write for a closed period (asked of the database: the caller's copy may predate the closing)."""
    if ReportingPeriod.objects.filter(pk=period.pk, closed_at__isnull=False).exists():
        raise WorkflowError(_("The period %(period)s is closed: the district office no longer accepts reports "
                              "for it.") % {"period": period.label})


def _record_period(record: Reviewed) -> ReportingPeriod | None:
    return None if isinstance(record, Project) else record.period


def submit(actor: Actor, record: Reviewed) -> Reviewed:
    with transaction.atomic():
        record = _locked(record)
        if (period := _record_period(record)) is not None:
            _require_open(period)
        if not record.is_editable:
            raise WorkflowError(_("Only drafts and returned records can be submitted (this one is %(status)s).")
                                % {"status": record.get_status_display()})
        _require(permissions.can_edit(actor, record), _("You may not submit for this unit."))
        record.full_clean()
        before = snapshot(record)
        record.status = ReviewStatus.SUBMITTED
        record.submitted_by = actor.db_user
        record.submitted_at = timezone.now()
        record.save()
        audit(actor, "submit", record, before, snapshot(record))
    return record


def withdraw(actor: Actor, record: Reviewed) -> Reviewed:
    """Take a submission back before it is reviewed: submitted → draft (refused once approved or returned)."""
    with transaction.atomic():
        record = _locked(record)
        if record.status != ReviewStatus.SUBMITTED:
            raise WorkflowError(_("Only a submission not yet reviewed can be withdrawn (this one is %(status)s).")
                                % {"status": record.get_status_display()})
        _require(permissions.can_withdraw(actor, record), _("You may not withdraw this unit's submissions."))
        before = snapshot(record)
        record.status = ReviewStatus.DRAFT
        record.submitted_by = None
        record.submitted_at = None
        record.save()
        audit(actor, "withdraw", record, before, snapshot(record))
    return record


def _review(actor: Actor, record: Reviewed, status: str, action: str, comment: str, not_submitted: str) -> Reviewed:
    """Approve or return a submitted record (the reviewer's decision, audited with its comment)."""
    with transaction.atomic():
        record = _locked(record)
        if record.status != ReviewStatus.SUBMITTED:
            raise WorkflowError(not_submitted)
        _require(permissions.can_review(actor, record), _("You may not review this unit's submissions."))
        before = snapshot(record)
        record.status = status
        record.reviewed_by = actor.db_user
        record.reviewed_at = timezone.now()
        record.review_comment = comment
        record.save()
        audit(actor, action, record, before, snapshot(record), comment)
    return record


def approve(actor: Actor, record: Reviewed, comment: str = "") -> Reviewed:
    return _review(actor, record, ReviewStatus.APPROVED, "approve", comment,
                   _("Only submitted records can be approved."))


def return_for_revision(actor: Actor, record: Reviewed, comment: str) -> Reviewed:
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the record is returned.")})
    return _review(actor, record, ReviewStatus.RETURNED, "return", comment.strip(),
                   _("Only submitted records can be returned."))


def _apply(record: Reviewed, fields: dict) -> None:
    for name, value in fields.items():
        setattr(record, name, value)


def correct(actor: Actor, record: Reviewed, **changes) -> Reviewed:
    """A new draft revision superseding an approved record; the approved row itself never changes."""
    with transaction.atomic():
        record = _locked(record)
        if record.status != ReviewStatus.APPROVED:
            raise WorkflowError(_("Only approved records are corrected; edit the draft instead."))
        if type(record).objects.filter(supersedes=record).exists():
            raise WorkflowError(_("A correction of this record already exists."))
        _require(permissions.can_correct(actor, record), _("You may not correct this unit's records."))
        new = type(record).objects.get(pk=record.pk)
        new.pk = new.id = None
        new._state.adding = True
        new.revision = record.revision + 1
        new.supersedes = record
        new.status = ReviewStatus.DRAFT
        new.created_by = actor.db_user
        new.created_at = timezone.now()
        new.submitted_by = new.reviewed_by = new.submitted_at = new.reviewed_at = None
        new.review_comment = ""
        _apply(new, changes)
        new.full_clean()
        new.save()
        audit(actor, "correct", new, snapshot(record), snapshot(new),
              _("Revision %(rev)s of record #%(pk)s") % {"rev": new.revision, "pk": record.pk})
    return new


def _current(queryset: models.QuerySet) -> Reviewed | None:
    return queryset.order_by("-revision").first()


def _save_draft(actor: Actor, model: type[Reviewed], key: dict, fields: dict) -> Reviewed:
    """Create or update the editable revision for `key`; refuses when the latest revision is not editable."""
    _require_open(key["period"])
    with transaction.atomic():
        current = _current(model.objects.select_for_update().filter(**key))
        if current is not None and not current.is_editable:
            if current.status == ReviewStatus.APPROVED:
                raise WorkflowError(_("This value is approved; submit a correction instead."))
            raise WorkflowError(_("This value is submitted and awaits review."))
        if current is None:
            record = model(**key, created_by=actor.db_user)
            _apply(record, fields)
            record.full_clean()
            record.save()
            audit(actor, "create", record, None, snapshot(record))
        else:
            record = current
            before = snapshot(record)
            _apply(record, fields)
            record.full_clean()
            record.save()
            audit(actor, "edit", record, before, snapshot(record))
    return record


def save_draft(actor: Actor, model: type[Reviewed], key: dict, fields: dict) -> Reviewed:
    """The draft step of the workflow for another app's report kind (a `Reviewed` model with `unit` and `period`):
    the caller has checked that `actor` may report for the unit."""
    return _save_draft(actor, model, key, fields)


# --- indicator and task reports -------------------------------------------------------------------------------

def save_indicator_report(actor: Actor, *, indicator: Indicator, unit: ResponsibleUnit, period: ReportingPeriod,
                          value: float, value_unit: str | None = None, note: str = "") -> IndicatorReport:
    """Create or edit the draft of `unit`'s value of `indicator` for `period`."""
    _require(permissions.can_report(actor, unit), _("You may not report for this unit."))
    if indicator.plan_id != period.plan_id or not permissions.owns_indicator(unit, indicator):
        raise PermissionDenied(_("The unit does not report this indicator."))
    value_unit = indicator.unit if value_unit is None else value_unit
    if value_unit != indicator.unit:
        raise ValidationError({"value_unit": _("Unit %(given)s does not match the indicator's unit %(unit)s.")
                               % {"given": value_unit or "∅", "unit": indicator.unit or "∅"}})
    return _save_draft(actor, IndicatorReport, {"indicator": indicator, "unit": unit, "period": period},
                       {"value": float(value), "value_unit": value_unit, "note": note or ""})


def save_task_report(actor: Actor, *, task: Task, unit: ResponsibleUnit, period: ReportingPeriod,
                     narrative: str = "", progress_status: str = TaskReport.Progress.IN_PROGRESS,
                     percent_complete: int | None = None) -> TaskReport:
    _require(permissions.can_report(actor, unit), _("You may not report for this unit."))
    if task.action.plan_id != period.plan_id or not permissions.owns_task(unit, task):
        raise PermissionDenied(_("The unit is not responsible for this task."))
    return _save_draft(actor, TaskReport, {"task": task, "unit": unit, "period": period},
                       {"narrative": narrative or "", "progress_status": progress_status,
                        "percent_complete": percent_complete})


def approve_many(actor: Actor, records: list[Reviewed]) -> int:
    """Approve several submissions at once, all or none: each is checked like a single approval (scope, four-eyes);
    the first refusal raises and nothing is approved."""
    with transaction.atomic():
        for record in records:
            approve(actor, record)
    return len(records)


def _unchanged(model: type[Reviewed], key: dict, fields: dict) -> bool:
    """The latest revision for `key` is editable and already holds exactly `fields` (nothing to save)."""
    current = _current(model.objects.filter(**key))
    return (current is not None and current.is_editable
            and all(getattr(current, name) == value for name, value in fields.items()))


def submit_sheet(actor: Actor, unit: ResponsibleUnit, period: ReportingPeriod, indicators: dict[Indicator, dict],
                 tasks: dict[Task, dict]) -> int:
    """The sheet's "submit all": save what was typed (indicator → {value, note}, task → {narrative,
    progress_status, percent_complete}), then submit it with every other draft or returned record of the unit for
    the period. All or nothing; a refusal names the indicator or task. Returns the number submitted."""
    _require(permissions.can_report(actor, unit), _("You may not report for this unit."))
    with transaction.atomic():
        for subject, fields in [*indicators.items(), *tasks.items()]:
            is_indicator = isinstance(subject, Indicator)
            key = {"indicator" if is_indicator else "task": subject, "unit": unit, "period": period}
            model = IndicatorReport if is_indicator else TaskReport
            if _unchanged(model, key, fields):
                continue
            try:
                if is_indicator:
                    save_indicator_report(actor, indicator=subject, unit=unit, period=period, **fields)
                else:
                    save_task_report(actor, task=subject, unit=unit, period=period, **fields)
            except ValidationError as exc:
                raise ValidationError(f"{subject.name if is_indicator else subject.title}: "
                                      f"{'; '.join(exc.messages)}") from None
        count = 0
        for model in (IndicatorReport, TaskReport):
            for record in model.objects.filter(unit=unit, period=period, status__in=EDITABLE_STATUSES).current():
                submit(actor, record)
                count += 1
    return count


def delete_draft(actor: Actor, record: Reviewed) -> None:
    with transaction.atomic():
        record = _locked(record)
        if record.status != ReviewStatus.DRAFT:
            raise WorkflowError(_("Only drafts can be deleted."))
        _require(permissions.can_edit(actor, record), _("You may not edit this unit's records."))
        audit(actor, "delete", record, snapshot(record), None)
        if isinstance(record, TaskReport):
            for item in record.evidence.all():
                item.file.delete(save=False)
                item.delete()
        record.delete()


# --- evidence -------------------------------------------------------------------------------------------------

def check_evidence_file(uploaded) -> tuple[str, str]:
    """(extension, content type) of an allowed upload, judged by its bytes; raises ValidationError otherwise."""
    name = uploaded.name or ""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if uploaded.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if ext not in EVIDENCE_TYPES:
        raise ValidationError(_("Only PDF, XLSX, DOCX, PNG and JPG files are accepted."), code="type")
    content_type, matches = EVIDENCE_TYPES[ext]
    uploaded.seek(0)
    head = uploaded.read(8192)
    if not matches(head):
        raise ValidationError(_("The file's content is not a %(ext)s file.") % {"ext": ext[1:].upper()},
                              code="content")
    if ext in OOXML_MARKERS:
        uploaded.seek(0)
        import zipfile

        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            raise ValidationError(_("The file's content is not a %(ext)s file.") % {"ext": ext[1:].upper()},
                                  code="content") from None
        if not any(n.startswith(OOXML_MARKERS[ext].decode()) for n in names):
            raise ValidationError(_("The file's content is not a %(ext)s file.") % {"ext": ext[1:].upper()},
                                  code="content")
    uploaded.seek(0)
    return (".jpg" if ext == ".jpeg" else ext), content_type


def add_evidence(actor: Actor, task_report: TaskReport, uploaded) -> Evidence:
    ext, content_type = check_evidence_file(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    original = (uploaded.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:255]
    with transaction.atomic():
        task_report = _locked(task_report)
        if not task_report.is_editable:
            raise WorkflowError(_("Evidence can only be added to drafts and returned reports."))
        _require(permissions.can_edit(actor, task_report), _("You may not edit this unit's records."))
        item = Evidence(task_report=task_report, original_name=original, size=uploaded.size,
                        content_type=content_type, sha256=digest.hexdigest(), uploaded_by=actor.db_user)
        item.file.save(f"upload{ext}", uploaded, save=False)
        item.save()
        audit(actor, "add_evidence", task_report, None,
              {"evidence": item.pk, "name": original, "size": item.size, "sha256": item.sha256})
    return item


def remove_evidence(actor: Actor, item: Evidence) -> None:
    with transaction.atomic():
        report = _locked(item.task_report)
        if not report.is_editable:
            raise WorkflowError(_("Evidence can only be removed from drafts and returned reports."))
        _require(permissions.can_edit(actor, report), _("You may not edit this unit's records."))
        audit(actor, "remove_evidence", report, {"evidence": item.pk, "name": item.original_name}, None)
        item.file.delete(save=False)
        item.delete()


# --- projects -------------------------------------------------------------------------------------------------

PROJECT_FIELDS = ("kind", "name", "town", "responsible_unit", "quantity", "quantity_unit", "saving_rate",
                  "commissioned_on", "indicator", "note")


def save_project(actor: Actor, plan: Plan, fields: dict, project: Project | None = None) -> Project:
    """Create a draft project or edit a draft / returned one."""
    unit = fields.get("responsible_unit") or (project.responsible_unit if project else None)
    if unit is None:
        raise ValidationError({"responsible_unit": _("A responsible unit is required.")})
    _require(permissions.can_report(actor, unit), _("You may not report for this unit."))
    with transaction.atomic():
        if project is None:
            project = Project(plan=plan, created_by=actor.db_user)
            before = None
        else:
            project = _locked(project)
            if not project.is_editable:
                raise WorkflowError(_("This project is %(status)s and cannot be edited.")
                                    % {"status": project.get_status_display()})
            _require(permissions.can_edit(actor, project), _("You may not edit this unit's records."))
            before = snapshot(project)
        _apply(project, {k: v for k, v in fields.items() if k in PROJECT_FIELDS})
        if not project.quantity_unit:
            project.quantity_unit = Project.DEFAULT_UNITS.get(project.kind, "")
        project.full_clean()
        project.save()
        audit(actor, "create" if before is None else "edit", project, before, snapshot(project))
    return project


# --- periods, tokens, memberships ------------------------------------------------------------------------------

def ensure_periods(plan: Plan, first_year: int, last_year: int, quarterly: bool = True,
                   actor: Actor | None = None) -> list[ReportingPeriod]:
    """Annual (due 31 January next year) and quarterly (due 15 days after the quarter) periods; idempotent.

    With an ``actor`` (the office's periods page) only the district office may, and each new period is audited."""
    if actor is not None:
        _require(actor.is_admin, _("Only the district office opens reporting periods."))
    made = []
    with transaction.atomic():
        for year in range(first_year, last_year + 1):
            start, end = ReportingPeriod.bounds(ReportingPeriod.Kind.ANNUAL, year)
            made.append(_ensure_period(actor, plan, {"kind": ReportingPeriod.Kind.ANNUAL, "year": year}, {
                "start": start, "end": end, "due_date": dt.date(year + 1, 1, 31)}))
            for quarter in range(1, 5) if quarterly else ():
                start, end = ReportingPeriod.bounds(ReportingPeriod.Kind.QUARTERLY, year, quarter)
                made.append(_ensure_period(actor, plan, {"kind": ReportingPeriod.Kind.QUARTERLY, "year": year,
                                                         "quarter": quarter},
                                           {"start": start, "end": end, "due_date": end + dt.timedelta(days=15)}))
    return made


def _ensure_period(actor: Actor | None, plan: Plan, key: dict, defaults: dict) -> ReportingPeriod:
    period, created = ReportingPeriod.objects.get_or_create(plan=plan, **key, defaults=defaults)
    if created and actor is not None:
        audit(actor, "create", period, None, snapshot(period))
    return period


def set_period_closed(actor: Actor, period: ReportingPeriod, closed: bool) -> ReportingPeriod:
    """Close a period (no more values saved or submitted for it; reviews of what is submitted go on) or reopen it."""
    _require(actor.is_admin, _("Only the district office opens and closes reporting periods."))
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        before = snapshot(period)
        period.closed_at = timezone.now() if closed else None
        period.save(update_fields=["closed_at"])
        audit(actor, "close" if closed else "reopen", period, before, snapshot(period))
    return period


def create_token(actor: Actor, unit: ResponsibleUnit, name: str, read_only: bool = False) -> tuple[ApiToken, str]:
    _require(permissions.can_manage_tokens(actor, unit), _("You may not manage this unit's tokens."))
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name.")})
    with transaction.atomic():
        token, raw = ApiToken.generate(unit=unit, name=name.strip(), read_only=read_only,
                                       created_by=actor.db_user)
        audit(actor, "create", token, None, {"unit": unit.pk, "name": token.name, "prefix": token.prefix,
                                             "read_only": read_only})
    return token, raw


def revoke_token(actor: Actor, token: ApiToken) -> ApiToken:
    _require(permissions.can_manage_tokens(actor, token.unit), _("You may not manage this unit's tokens."))
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit(actor, "revoke", token, None, {"revoked_at": token.revoked_at.isoformat()})
    return token


def set_membership(user, unit: ResponsibleUnit, role: str) -> Membership:
    """The user's unit and role in the unit's plan (their memberships in other plans stay)."""
    membership, _created = Membership.objects.update_or_create(user=user, plan=unit.plan,
                                                               defaults={"unit": unit, "role": role})
    return membership
