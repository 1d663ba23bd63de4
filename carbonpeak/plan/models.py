"""The plan registry: a Carbon Peak Implementation Plan as data.

Everything here is loaded from a plan file (plans/*.yaml) by `carbonpeak plan load`; codes are the natural keys
that make reloading idempotent.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carbonpeak.core.i18n import Bilingual
from carbonpeak.plan.planfile import SOURCES


class Plan(Bilingual, models.Model):
    code = models.SlugField(max_length=64, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    issuer_zh = models.CharField(max_length=200)
    issuer_en = models.CharField(max_length=200, blank=True)
    document_number = models.CharField(max_length=100, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    district_zh = models.CharField(max_length=100)
    district_en = models.CharField(max_length=100, blank=True)
    parent_plan_zh = models.CharField(max_length=300, blank=True)
    guiding_text_zh = models.TextField(blank=True)
    source_file = models.CharField(max_length=500, blank=True)
    source_text = models.CharField(max_length=500, blank=True, help_text="the issued text the quotes were checked against")
    source_sha256 = models.CharField(max_length=64, blank=True)
    scenario_base = models.CharField(max_length=500, blank=True,
                                     help_text="base-data file of the scenario projections (plan.scenario_base)")
    parent_code = models.SlugField(max_length=64, blank=True, help_text="the parent (city) plan's code, plan.parent")
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="districts",
                               help_text="the parent plan once it is loaded too")
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_zh

    def get_absolute_url(self) -> str:
        return reverse("plan:overview", args=[self.code])

    @property
    def issuer(self) -> str:
        from carbonpeak.core.i18n import localized

        return localized(self, "issuer")

    @property
    def district(self) -> str:
        from carbonpeak.core.i18n import localized

        return localized(self, "district")


class PhaseGoal(Bilingual, models.Model):
    """A phase of the plan's main goals (主要目标), e.g. the 14th Five-Year Plan period to 2025."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phase_goals")
    code = models.CharField(max_length=32)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True)
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()
    text_zh = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "start_year"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_phase_goal_code")]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.start_year}–{self.end_year})"


class ResponsibleUnit(Bilingual, models.Model):
    """A 责任单位: a district department, a town or street, a company, or a group such as 各镇、街道."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        TOWN = "town", _("Town")
        STREET = "street", _("Street")
        COMPANY = "company", _("Company")
        GROUP = "group", _("Group")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="units")
    code = models.SlugField(max_length=64)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    aliases = models.JSONField(default=list, blank=True)
    members = models.ManyToManyField("self", symmetrical=False, related_name="groups", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_unit_code")]

    def __str__(self) -> str:
        return self.name_zh

    def get_absolute_url(self) -> str:
        return reverse("plan:unit", args=[self.plan.code, self.code])


class Action(Bilingual, models.Model):
    """One of the plan's key actions (重点任务 行动), e.g. (一) 能源低碳转型行动."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField()
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="uniq_action_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name_zh}"

    def get_absolute_url(self) -> str:
        return reverse("plan:action", args=[self.plan.code, self.number])


class Task(Bilingual, models.Model):
    """A numbered task within an action; `code` is "<action>.<task>" as in the plan, e.g. "1.1"."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=16)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=300, blank=True)
    summary_en = models.TextField(blank=True)
    text_zh = models.TextField(blank=True)
    units = models.ManyToManyField(
        ResponsibleUnit, through="TaskUnit", through_fields=("task", "unit"), related_name="tasks"
    )

    class Meta:
        ordering = ["action__number", "number"]
        constraints = [models.UniqueConstraint(fields=["action", "number"], name="uniq_task_number")]

    def __str__(self) -> str:
        return f"{self.code} {self.title_zh}"

    @property
    def plan(self) -> Plan:
        return self.action.plan

    def get_absolute_url(self) -> str:
        return reverse("plan:task", args=[self.action.plan.code, self.code])


class TaskUnit(models.Model):
    """Task ↔ unit. The first-named unit is the lead; members of a named group get links `via_group`."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.CASCADE, related_name="task_links")
    position = models.PositiveSmallIntegerField()
    is_lead = models.BooleanField(default=False)
    via_group = models.ForeignKey(
        ResponsibleUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="uniq_task_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} → {self.unit.name_zh}"


class Safeguard(Bilingual, models.Model):
    """A safeguard measure (保障措施) with its responsible units."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="safeguards")
    number = models.PositiveSmallIntegerField()
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=300, blank=True)
    text_zh = models.TextField(blank=True)
    units = models.ManyToManyField(ResponsibleUnit, related_name="safeguards", blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="uniq_safeguard_number")]

    def __str__(self) -> str:
        return self.title_zh


class Indicator(Bilingual, models.Model):
    """A quantified (or qualitative) target of the plan, with the sentence that states it."""

    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("Quantitative")
        QUALITATIVE = "qualitative", _("Qualitative")

    class Comparator(models.TextChoices):
        LE = "<=", "≤"
        GE = ">=", "≥"
        LT = "<", "<"
        GT = ">", ">"
        EQ = "=", "="
        REDUCE_BY = "reduce-by", _("reduce by")
        INCREASE = "increase", _("increase")
        MAINTAIN = "maintain", _("maintain")

    class Aggregation(models.TextChoices):
        LEVEL = "level", _("Level in the target year")
        CUMULATIVE = "cumulative", _("Cumulative over the period")

    class Trajectory(models.TextChoices):
        LINEAR = "linear", _("Linear from baseline to target")
        GEOMETRIC = "geometric", _("Constant rate from baseline to target")
        STEP = "step", _("Target holds from the start")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(max_length=80)
    role = models.CharField(max_length=32, blank=True, help_text="what the platform reads it as (docs/plan-file.md)")
    parent_code = models.SlugField(max_length=80, blank=True, help_text="the parent plan's target it is issued from")
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="allocations",
                               help_text="the parent plan's target (市下达指标) once the parent plan is loaded")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators")
    phase_goal = models.ForeignKey(
        PhaseGoal, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.QUANTITATIVE)
    comparator = models.CharField(max_length=16, choices=Comparator.choices)
    target_value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    unit_en = models.CharField(max_length=60, blank=True)
    target_year = models.PositiveSmallIntegerField()
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(null=True, blank=True)
    period = models.CharField(max_length=20, blank=True, help_text="e.g. 2021-2025 for cumulative targets")
    aggregation = models.CharField(max_length=16, choices=Aggregation.choices, default=Aggregation.LEVEL)
    trajectory = models.CharField(max_length=16, choices=Trajectory.choices, default=Trajectory.LINEAR)
    scope_zh = models.CharField(max_length=100, blank=True)
    higher_is_better = models.BooleanField(default=True)
    source_quote = models.TextField()
    note = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=40, default="reported", choices=[(s, s) for s in SOURCES],
                              help_text="where the actual values come from (docs/progress.md)")

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def get_absolute_url(self) -> str:
        return reverse("plan:indicator", args=[self.plan.code, self.code])

    @property
    def period_years(self) -> tuple[int, int] | None:
        """(start, end) of a cumulative period such as "2021-2025", else None."""
        if not self.period:
            return None
        start, _sep, end = self.period.partition("-")
        return int(start), int(end or start)

    def responsible_units(self) -> models.QuerySet:
        """Units responsible for the indicator: those of its task, as the plan names them."""
        if self.task_id is None:
            return ResponsibleUnit.objects.none()
        return ResponsibleUnit.objects.filter(task_links__task=self.task_id, task_links__via_group=None).order_by(
            "task_links__position"
        )

    @property
    def scope(self) -> str:
        """The scope as shown: the whole district (全区) in the active language; a named area is data, as written."""
        return str(_("District-wide")) if self.scope_zh == "全区" else self.scope_zh

    @property
    def unit_label(self) -> str:
        """The unit as shown: the plan's own (万千瓦), or its English rendering (10^4 kW) when English is active."""
        from django.utils.translation import get_language

        english = (get_language() or "").lower().startswith("en")
        return self.unit_en if english and self.unit_en else self.unit

    @property
    def target_display(self) -> str:
        if self.target_value is None:
            return self.get_comparator_display()
        value = f"{self.target_value:g}"
        symbol = {"reduce-by": "−"}.get(self.comparator, self.get_comparator_display())
        return f"{symbol} {value} {self.unit_label}".strip()
