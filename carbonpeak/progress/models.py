"""What progress stores itself: the values the city issues for targets the plan leaves to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models import Indicator, Plan


class IssuedTargetQuerySet(models.QuerySet):
    def effective(self, plan: Plan) -> "IssuedTargetQuerySet":
        """The latest issued value of each indicator of the plan (a later document supersedes an earlier one)."""
        latest = (self.filter(indicator=models.OuterRef("indicator")).order_by("-issued_on", "-pk").values("pk")[:1])
        return self.filter(indicator__plan=plan, pk=models.Subquery(latest))


class IssuedTarget(models.Model):
    """A target value issued by the city (市下达指标) for an indicator whose number the plan leaves open, with the
    document it came from. Tracked from then on; recorded by the district office, every change audited."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="issued_targets",
                                  verbose_name=_("indicator"))
    value = models.FloatField(_("issued value"))
    document = models.CharField(_("issuing document"), max_length=300,
                                help_text=_("the document the value comes from, e.g. its number and title"))
    issued_on = models.DateField(_("issued on"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = IssuedTargetQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value:g} ({self.document})"
