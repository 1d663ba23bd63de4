"""Target decomposition (分解) and annual assessment (考核).

An `Allocation` splits one plan indicator's district target over units for a year (towns and streets, or key
energy-consuming units); it is versioned (a new draft per change) and frozen once approved. An `Assessment`
scores the plan's assessed units for a year under the plan's rubric; the office adds documented
`Adjustment`s and approves it, which stores the results (`snapshot`): later data changes do not alter it.
Writes go through `carbonpeak.assessment.services`, which audits them in tracking's audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models import Plan, ResponsibleUnit
from carbonpeak.tracking.models import Reviewed


class FrozenError(ValidationError):
    """An approved allocation or assessment cannot be changed."""


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class KeyEnergyUnit(models.Model):
    """A key energy-consuming unit (重点用能单位) of the district, optionally monitored online."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="key_energy_units")
    code = models.CharField(max_length=64, help_text=_("Unified social credit code or the district's own code"))
    name_zh = models.CharField(max_length=200)
    town = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="key_energy_units")
    industry = models.CharField(max_length=100, blank=True)
    site = models.ForeignKey("monitoring.Site", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="key_energy_units")

    class Meta:
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_key_energy_unit_code")]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class UnitSeries(models.Model):
    """A figure per unit and year the office uploads (GDP by town, roof area, industrial-structure factor...)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unit_series")
    code = models.SlugField(max_length=64)
    year = models.PositiveSmallIntegerField()
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    key_unit = models.ForeignKey(KeyEnergyUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    value = models.FloatField()
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code", "year", "unit", "key_unit"], name="uniq_unit_series"),
            models.CheckConstraint(condition=models.Q(unit__isnull=False) | models.Q(key_unit__isnull=False),
                                   name="unit_series_has_a_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.year} = {self.value:g}"


class Frozen(models.Model):
    """Status, approval and the rule that an approved row never changes."""

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_approved(self) -> bool:
        return self.status == Status.APPROVED

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and type(self).objects.filter(pk=self.pk, status=Status.APPROVED).exists():
            raise FrozenError(_("An approved %(what)s is frozen.") % {"what": self._meta.verbose_name})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_approved:
            raise FrozenError(_("An approved %(what)s is frozen.") % {"what": self._meta.verbose_name})
        return super().delete(*args, **kwargs)


class Allocation(Frozen):
    """One version of the split of an indicator's district target for a year."""

    class Target(models.TextChoices):
        TOWNS = "towns", _("Towns and streets")
        KEY_UNITS = "key_units", _("Key energy-consuming units")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="allocations")
    indicator = models.CharField(max_length=80, help_text=_("The plan indicator's code"))
    year = models.PositiveSmallIntegerField()
    target = models.CharField(max_length=16, choices=Target.choices, default=Target.TOWNS)
    method = models.CharField(max_length=16)
    parameters = models.JSONField(default=dict, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    result = models.JSONField(help_text=_("The engine's output: total, allocations, how it reconciles"))

    class Meta:
        ordering = ["plan", "year", "indicator", "-version"]
        constraints = [models.UniqueConstraint(fields=["plan", "indicator", "year", "target", "version"],
                                               name="uniq_allocation_version")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year} v{self.version} ({self.method})"


class AllocationShare(models.Model):
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="shares")
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    key_unit = models.ForeignKey(KeyEnergyUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    value = models.FloatField()

    class Meta:
        ordering = ["allocation", "pk"]

    def __str__(self) -> str:
        return f"{self.allocation} · {self.unit or self.key_unit} = {self.value:g}"


class Assessment(Frozen):
    """The annual assessment of a plan's units; `snapshot` holds the results frozen at approval."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField()
    reward_pool_fen = models.PositiveBigIntegerField(default=0, help_text=_("以奖代拨 pool, in fen"))
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="uniq_assessment_year")]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.year}"


class Adjustment(models.Model):
    """A documented change of a unit's score by the office (加减分), audited."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="adjustments")
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, related_name="+")
    points = models.FloatField()
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "unit", "pk"]

    def __str__(self) -> str:
        return f"{self.unit.name_zh} {self.points:+g}"


class EnergyUseReport(Reviewed):
    """A key energy-consuming unit's annual 能源利用状况报告 (energy use status report): energy by carrier, output
    value, unit-product consumption and savings measures. A report kind of tracking's review workflow
    (draft → submitted → approved / returned, four-eyes, corrections as new revisions, audited): the reporters
    of the key unit's town submit it, its reviewers approve it. `energy_tce` (当量值) is the accounting engine's."""

    key_unit = models.ForeignKey(KeyEnergyUnit, on_delete=models.PROTECT, related_name="energy_use_reports")
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, related_name="energy_use_reports",
                             help_text=_("The town or street that reports for the key unit"))
    period = models.ForeignKey("tracking.ReportingPeriod", on_delete=models.PROTECT, related_name="energy_use_reports")
    energy = models.JSONField(help_text=_("Energy by carrier: [{carrier, quantity, unit}]"))
    energy_tce = models.FloatField(help_text=_("Total energy, tce (equivalent value), from the accounting engine"))
    output_value_10k_yuan = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    product = models.CharField(max_length=100, blank=True)
    unit_product_consumption = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    unit_product_consumption_unit = models.CharField(max_length=40, blank=True)
    savings_measures = models.TextField(blank=True)

    class Meta:
        ordering = ["period", "key_unit", "-revision"]
        constraints = [models.UniqueConstraint(fields=["key_unit", "period", "revision"],
                                               name="uniq_energy_use_report_revision")]

    def __str__(self) -> str:
        return f"{self.key_unit.name_zh} · {self.period.code} r{self.revision}"
