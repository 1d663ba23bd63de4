"""Project proposals (节能审查) and the office's decisions on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models import Plan, ResponsibleUnit


class Outcome(models.TextChoices):
    APPROVE = "通过", _("Approve")
    CONDITIONAL = "有条件通过", _("Approve with conditions")
    REJECT = "不予通过", _("Reject")


APPROVED_OUTCOMES = (Outcome.APPROVE, Outcome.CONDITIONAL)


class ProjectProposal(models.Model):
    """A proposal as submitted (`data`, the schema of `engine.proposal`) and its review at submission."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="project_proposals")
    town = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, related_name="project_proposals")
    name = models.CharField(max_length=200)
    data = models.JSONField()
    result = models.JSONField(help_text=_("The review at submission"))
    recommendation = models.CharField(max_length=16, choices=Outcome.choices)
    decision = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="",
                                help_text=_("The office's latest decision; empty while pending"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    submitted_unit = models.ForeignKey(ResponsibleUnit, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    planned_site = models.OneToOneField("monitoring.Site", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="review_project",
                                        help_text=_("The monitoring site planned for the approved project"))

    class Meta:
        ordering = ["plan", "-created_at", "-pk"]
        verbose_name = _("project proposal")

    def __str__(self) -> str:
        return f"{self.name} ({self.town})"

    @property
    def is_approved(self) -> bool:
        return self.decision in APPROVED_OUTCOMES


class ReviewDecision(models.Model):
    proposal = models.ForeignKey(ProjectProposal, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "decided_at", "pk"]
        verbose_name = _("review decision")

    def __str__(self) -> str:
        return f"{self.proposal}: {self.outcome}"
