"""Progress tracking: who reports what for which period, the review workflow, projects, tokens and the audit log.

Reports (indicator values, task narratives) and projects share one workflow:
draft → submitted → approved / returned. Approved rows are immutable — `save()` and `delete()` refuse, and so do
queryset `update()`/`delete()` — a correction is a new row with `revision + 1` that `supersedes` the approved one.
The value in force for (subject, unit, period) is the latest approved revision: `Model.objects.effective()`.

Changes go through `carbonpeak.tracking.services`, which writes an `AuditEntry` in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, Task


class ImmutableRecordError(ValidationError):
    """Raised on any attempt to change or delete an approved record."""


class Membership(models.Model):
    """A user's place in one plan's reporting system: one responsible unit and one role in that plan.

    A user may belong to several plans (one membership each; `plan` is the unit's, kept for the constraint and
    for scoping); which one acts is decided by the request's plan (`core.permissions.actor_for`).
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("District office admin")
        REPORTER = "reporter", _("Unit reporter")
        REVIEWER = "reviewer", _("Unit reviewer")
        LEADER = "leader", _("Leader (read-only)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="memberships", editable=False)
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["unit", "role", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "plan"], name="one_membership_per_user_and_plan")]

    def save(self, *args, **kwargs):
        self.plan_id = self.unit.plan_id
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.user} · {self.unit.name_zh} · {self.get_role_display()}"


class ReportingPeriod(models.Model):
    """A quarter or a year for which units report; `due_date` drives the reminders list."""

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly")
        ANNUAL = "annual", _("Annual")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reporting_periods")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    start = models.DateField()
    end = models.DateField()
    due_date = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True,
                                     help_text="Set by the district office: no more values are saved or submitted.")

    class Meta:
        ordering = ["plan", "start", "-end"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "quarter"], condition=Q(kind="quarterly"),
                                    name="uniq_quarterly_period"),
            models.UniqueConstraint(fields=["plan", "year"], condition=Q(kind="annual"),
                                    name="uniq_annual_period"),
            models.CheckConstraint(
                condition=(Q(kind="annual", quarter__isnull=True)
                           | Q(kind="quarterly", quarter__gte=1, quarter__lte=4)),
                name="period_quarter_matches_kind",
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def code(self) -> str:
        """`2024Q1` for a quarter, `2024` for a year: the form used in URLs, Excel files and the API."""
        return f"{self.year}Q{self.quarter}" if self.kind == self.Kind.QUARTERLY else str(self.year)

    @property
    def label(self) -> str:
        if self.kind == self.Kind.QUARTERLY:
            return _("%(year)s Q%(quarter)s") % {"year": self.year, "quarter": self.quarter}
        return _("%(year)s (annual)") % {"year": self.year}

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @classmethod
    def bounds(cls, kind: str, year: int, quarter: int | None = None) -> tuple[date, date]:
        if kind == cls.Kind.ANNUAL:
            return date(year, 1, 1), date(year, 12, 31)
        start = date(year, 3 * (quarter - 1) + 1, 1)
        end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
        return start, date.fromordinal(end.toordinal() - 1)


class ReviewPolicy(models.Model):
    """A plan's review rules. Four-eyes review (on for a plan without a row): nobody approves or returns a record
    they submitted themselves, the district office included."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="review_policy")
    four_eyes = models.BooleanField(_("four-eyes review"), default=True,
                                    help_text=_("A record is reviewed by someone other than its submitter."))

    class Meta:
        verbose_name_plural = "review policies"

    def __str__(self) -> str:
        return f"{self.plan.code}: four-eyes {'on' if self.four_eyes else 'off'}"

    @classmethod
    def four_eyes_for(cls, plan_id: int) -> bool:
        return cls.objects.filter(plan_id=plan_id).values_list("four_eyes", flat=True).first() is not False


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


EDITABLE_STATUSES = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)


class ReviewedQuerySet(models.QuerySet):
    """Querysets of reviewed records: bulk update/delete cannot touch approved rows either."""

    def update(self, **kwargs):
        if self.filter(status=ReviewStatus.APPROVED).exists():
            raise ImmutableRecordError(_("Approved records cannot be changed; submit a correction instead."))
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=ReviewStatus.APPROVED).exists():
            raise ImmutableRecordError(_("Approved records cannot be deleted."))
        return super().delete()

    def effective(self) -> ReviewedQuerySet:
        """Approved rows not superseded by a later approved revision: the values in force."""
        newer = self.model.objects.filter(supersedes=OuterRef("pk"), status=ReviewStatus.APPROVED)
        return self.filter(status=ReviewStatus.APPROVED).exclude(Exists(newer))

    def current(self) -> ReviewedQuerySet:
        """The latest revision of each record (whatever its status): rows that nothing supersedes."""
        return self.exclude(Exists(self.model.objects.filter(supersedes=OuterRef("pk"))))


class Reviewed(models.Model):
    """Fields and rules shared by everything that goes through draft → submitted → approved / returned."""

    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT,
                              db_index=True)
    revision = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    objects = ReviewedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == ReviewStatus.APPROVED:
                raise ImmutableRecordError(
                    _("Approved records cannot be changed; submit a correction instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk, status=ReviewStatus.APPROVED).exists():
            raise ImmutableRecordError(_("Approved records cannot be deleted."))
        return super().delete(*args, **kwargs)

    def audit_entries(self) -> models.QuerySet:
        return AuditEntry.objects.filter(object_type=self._meta.label_lower, object_id=self.pk).select_related(
            "actor")


class IndicatorReport(Reviewed):
    """A unit's observed value of one indicator for one reporting period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, related_name="indicator_reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="indicator_reports")
    value = models.FloatField()
    value_unit = models.CharField(max_length=40, blank=True,
                                  help_text="The unit of `value`; must be the indicator's unit.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["period", "indicator__position", "unit", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "period", "revision"],
                                    name="uniq_indicator_report_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.unit.name_zh} · {self.period.code} r{self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("tracking:indicator_report", args=[self.pk])

    def clean(self) -> None:
        if self.indicator_id and (self.value_unit or "") != (self.indicator.unit or ""):
            raise ValidationError({"value_unit": _("Unit %(given)r does not match the indicator's unit %(unit)r.")
                                   % {"given": self.value_unit, "unit": self.indicator.unit}})


class TaskReport(Reviewed):
    """A unit's progress narrative and status for one task in one reporting period."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        DELAYED = "delayed", _("Delayed")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, related_name="task_reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="task_reports")
    narrative = models.TextField(blank=True)
    progress_status = models.CharField(max_length=16, choices=Progress.choices, default=Progress.IN_PROGRESS)
    percent_complete = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["period", "task__action__number", "task__number", "unit", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period", "revision"], name="uniq_task_report_revision"),
            models.CheckConstraint(condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100),
                                   name="task_report_percent_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.unit.name_zh} · {self.period.code} r{self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("tracking:task_report", args=[self.pk])


def evidence_path(instance: Evidence, filename: str) -> str:
    """A random stored name; the uploader's file name is kept only in `original_name`."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"tracking/evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file attached to a task report (photos, acceptance certificates, spreadsheets)."""

    task_report = models.ForeignKey(TaskReport, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["task_report", "uploaded_at"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("tracking:evidence_download", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self.task_report.status == ReviewStatus.APPROVED:
            raise ImmutableRecordError(_("Evidence of an approved report cannot be deleted."))
        return super().delete(*args, **kwargs)


class AuditEntry(models.Model):
    """Who did what to which record, when, from where; `before`/`after` are the changed fields."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="tracking_audit_entries")
    actor_name = models.CharField(max_length=150, blank=True)
    token = models.ForeignKey("ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ImmutableRecordError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("audit entries are append-only")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a machine client, scoped to one unit; only its sha256 is stored."""

    PREFIX_LENGTH = 8

    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    read_only = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["unit", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def generate(cls, **fields) -> tuple[ApiToken, str]:
        """Create a token; the raw value is returned once and never stored."""
        raw = "cpk_" + secrets.token_urlsafe(32)
        token = cls.objects.create(token_hash=hash_token(raw), prefix=raw[: cls.PREFIX_LENGTH], **fields)
        return token, raw

    @classmethod
    def authenticate(cls, raw: str, plan_code: str | None = None) -> ApiToken | None:
        """The live token `raw` is, if any; given `plan_code`, only a token of that plan (it acts in no other)."""
        tokens = cls.objects.select_related("unit__plan").filter(token_hash=hash_token(raw), revoked_at=None)
        token = (tokens.filter(unit__plan__code=plan_code) if plan_code else tokens).first()
        if token is not None:
            cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token


class Project(Reviewed):
    """A countable project that rolls up into a cumulative plan target (PV kW, charging piles, retrofits...)."""

    class Kind(models.TextChoices):
        PV = "pv", _("PV installation")
        HYDROGEN_STATION = "hydrogen_station", _("Hydrogen refuelling station")
        CHARGING_PILE = "charging_pile", _("Charging piles")
        ULTRA_LOW_ENERGY_BUILDING = "ultra_low_energy_building", _("Ultra-low-energy building")
        PUBLIC_BUILDING_RETROFIT = "public_building_retrofit", _("Public building energy retrofit")
        GREEN_FACTORY = "green_factory", _("Green factory")
        RURAL_PARK = "rural_park", _("Rural park")
        GREENWAY = "greenway", _("Greenway")
        OTHER = "other", _("Other")

    class QuantityUnit(models.TextChoices):
        KW = "kW", "kW"
        SEAT = "座", _("座 (stations)")
        PIECE = "个", _("个 (pieces)")
        M2 = "m²", "m²"
        KM = "km", "km"
        ENTERPRISE = "家", _("家 (enterprises)")

    DEFAULT_UNITS = {
        Kind.PV: QuantityUnit.KW, Kind.HYDROGEN_STATION: QuantityUnit.SEAT, Kind.CHARGING_PILE: QuantityUnit.PIECE,
        Kind.ULTRA_LOW_ENERGY_BUILDING: QuantityUnit.M2, Kind.PUBLIC_BUILDING_RETROFIT: QuantityUnit.M2,
        Kind.GREEN_FACTORY: QuantityUnit.ENTERPRISE, Kind.RURAL_PARK: QuantityUnit.PIECE,
        Kind.GREENWAY: QuantityUnit.KM,
    }

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=200)
    town = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="projects_located")
    responsible_unit = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, related_name="projects")
    quantity = models.FloatField(validators=[MinValueValidator(0)])
    quantity_unit = models.CharField(max_length=8, choices=QuantityUnit.choices)
    saving_rate = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)],
                                    help_text="Energy saving rate as a fraction (0.15 = 15%), for retrofits.")
    commissioned_on = models.DateField(null=True, blank=True)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="projects")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "kind", "commissioned_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="project_quantity_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.quantity:g} {self.quantity_unit})"

    def get_absolute_url(self) -> str:
        return reverse("tracking:project", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.town_id and self.town.kind not in (ResponsibleUnit.Kind.TOWN, ResponsibleUnit.Kind.STREET):
            errors["town"] = _("The location must be a town or street.")
        if self.indicator_id and self.plan_id and self.indicator.plan_id != self.plan_id:
            errors["indicator"] = _("The indicator belongs to another plan.")
        if errors:
            raise ValidationError(errors)


class Notification(models.Model):
    """One reminder (催报) sent to one person about one unit's reports for one period, on one channel.

    The log of every notification, sent or failed. The unique constraint makes each (recipient, unit, period, kind,
    channel) go out once: a second run of the scheduled job, or a second click, is a no-op.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Reminder before the due date")
        OVERDUE = "overdue", _("Overdue reminder")
        URGED = "urged", _("Reminder from the district office")

    class Channel(models.TextChoices):
        APP = "app", _("In the app")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.CASCADE, related_name="notifications")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    """When the recipient marked it read (in-app notifications); None: unread."""

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "unit", "period", "kind", "channel"],
                                    name="uniq_notification"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} → {self.recipient} · {self.unit.name_zh} · {self.period.code}"
