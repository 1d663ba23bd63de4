"""Scenarios: stored, versioned engine parameters, and cached Monte Carlo runs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models import Plan
from carbonpeak.scenarios import engine


class Scenario(models.Model):
    """A named set of drivers and levers. `parameters` is the engine's JSON without name/description.

    Every save increments `version` and stores a `ScenarioVersion` snapshot, so a run can always be
    traced to the exact parameters it used.
    """

    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline (no new measures)")
        PLAN = "plan", _("Plan (measures as written)")
        CUSTOM = "custom", _("Custom")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CUSTOM)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    description = models.TextField(_("description"), blank=True)
    parameters = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="uniq_scenario_slug")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("scenarios:editor", args=[self.slug])

    def engine_scenario(self) -> engine.Scenario:
        return engine.Scenario.from_dict({**self.parameters, "name": self.slug, "description": self.description})

    def clean(self) -> None:
        try:
            resolved = self.engine_scenario()
        except engine.ScenarioError as exc:
            raise ValidationError({"parameters": str(exc)}) from None
        data = resolved.to_dict()
        data.pop("name")
        data.pop("description")
        self.parameters = data  # always the complete, explicit form

    def save(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.clean()
        with transaction.atomic():
            self.version = (self.version or 0) + 1
            super().save(*args, **kwargs)
            ScenarioVersion.objects.create(scenario=self, version=self.version, parameters=self.parameters,
                                           created_by=user if user is not None else self.created_by)

    @property
    def horizon(self) -> int:
        return int(self.parameters.get("horizon", 2035))


class ScenarioVersion(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    parameters = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scenario", "-version"]
        constraints = [models.UniqueConstraint(fields=["scenario", "version"], name="uniq_scenario_version")]

    def __str__(self) -> str:
        return f"{self.scenario.name} v{self.version}"


class ScenarioRun(models.Model):
    """Cached result of one projection: scenario version x draws x seed x calibration base."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    version = models.PositiveIntegerField()
    draws = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    base_year = models.PositiveSmallIntegerField()
    base_source = models.CharField(max_length=40)  # accounting | default
    base_fingerprint = models.CharField(max_length=64)
    p_peak_by = models.FloatField(help_text="probability of peaking by 2030")
    peak_year_p50 = models.PositiveSmallIntegerField(null=True, blank=True)
    result = models.JSONField()
    elapsed_s = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["scenario", "version", "draws", "seed", "base_fingerprint"],
                                               name="uniq_scenario_run")]

    def __str__(self) -> str:
        return f"{self.scenario.name} v{self.version} ({self.draws} draws, seed {self.seed})"
