"""Demo data: a 2024 assessment of the plan's towns and streets with varied grades and a barometer of all colours.

Generated from the plan's own units (no unit names in code) on top of the accounting demo's energy by town:
GDP by town (2020 and 2024) is set so each town's energy intensity moves by a designed amount (some well ahead
of the −14 % path, some behind, one rising); factor series for the weighted method; the district energy cap and
the −14 % intensity target allocated and approved; a draft 2024 assessment with a reward pool and one adjustment.
Synthetic figures, not official statistics.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.utils import timezone

from carbonpeak.assessment import inputs, services
from carbonpeak.assessment.models import Adjustment, Allocation, Assessment, KeyEnergyUnit, UnitSeries
from carbonpeak.assessment.rubrics import load_rubric
from carbonpeak.plan.models import Plan, Task
from carbonpeak.tracking.models import Membership, ReportingPeriod, ReviewStatus, TaskReport
from carbonpeak.tracking.permissions import Actor

YEAR = 2024
# intensity change 2024 vs the base year, cycled over the towns in plan order: ahead of the −11.2 % needed by
# 2024, behind it (amber), and rising (red)
CHANGES = [-0.19, -0.13, -0.08, -0.15, 0.03, -0.12, -0.06, -0.17, -0.14, -0.10, -0.125]
# share of a town's tasks reported on schedule, and of its task reports submitted by the due date
ON_SCHEDULE = [1.0, 0.9, 0.8, 0.95, 0.6, 0.85, 0.7, 1.0, 0.9, 0.75, 0.95]
ON_TIME = [1.0, 0.95, 0.7, 1.0, 0.5, 0.9, 0.8, 1.0, 0.85, 0.9, 1.0]
FACTORS = ("industry-structure", "efficiency-level", "development-stage")
SOURCE = "demo (synthetic)"


def _demo_actor(plan: Plan) -> Actor:
    """The plan's district office: the demo's writes are audited as that plan's admin's."""
    member = Membership.objects.filter(plan=plan, role=Membership.Role.ADMIN).select_related("user", "unit").first()
    return Actor(user=member.user if member else None, unit=member.unit if member else None,
                 role=Membership.Role.ADMIN, plan=plan)


def _series(plan: Plan, towns, base_year: int) -> None:
    e0 = services.energy(plan, base_year, towns)
    e1 = services.energy(plan, YEAR, towns)
    rng = np.random.default_rng(2024)
    district_intensity = 0.38  # tce per 10^4 yuan in the base year, a district's order of magnitude
    for i, town in enumerate(towns):
        if not (np.isfinite(e0[i]) and np.isfinite(e1[i])):
            continue
        i0 = district_intensity * rng.uniform(0.7, 1.4)
        UnitSeries.objects.create(plan=plan, code=services.GDP_SERIES, year=base_year, unit=town,
                                  value=round(e0[i] / i0, 1), source=SOURCE)
        change = CHANGES[i % len(CHANGES)]
        UnitSeries.objects.create(plan=plan, code=services.GDP_SERIES, year=YEAR, unit=town,
                                  value=round(e1[i] / (i0 * (1 + change)), 1), source=SOURCE)
        for code in FACTORS:
            UnitSeries.objects.create(plan=plan, code=code, year=YEAR, unit=town,
                                      value=round(rng.uniform(0.8, 1.2), 2), source=SOURCE)


def _task_history(plan: Plan, towns, actor: Actor) -> None:
    """Each town's approved 2024 progress report on every task it is named for (some delayed, some late),
    stored directly as history, like tracking's own demo. Skipped when the plan has no 2024 annual period or
    the town already reported (the tracking demo's data win)."""
    period = ReportingPeriod.objects.filter(plan=plan, kind=ReportingPeriod.Kind.ANNUAL, year=YEAR).first()
    if period is None:
        return
    reports = []
    for i, town in enumerate(towns):
        if TaskReport.objects.filter(unit=town, period=period).exists():
            continue
        tasks = list(Task.objects.filter(unit_links__unit=town).order_by("action__number", "number"))
        for k, task in enumerate(tasks):
            on_schedule = k < round(ON_SCHEDULE[i % len(ON_SCHEDULE)] * len(tasks))
            on_time = k < round(ON_TIME[i % len(ON_TIME)] * len(tasks))
            day = period.due_date - dt.timedelta(days=10) if on_time else period.due_date + dt.timedelta(days=20)
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
            reports.append(TaskReport(
                task=task, unit=town, period=period, narrative="年度推进情况（演示）",
                progress_status=TaskReport.Progress.IN_PROGRESS if on_schedule else TaskReport.Progress.DELAYED,
                status=ReviewStatus.APPROVED, submitted_at=at, reviewed_at=at + dt.timedelta(days=3),
                submitted_by=actor.db_user, reviewed_by=actor.db_user, created_by=actor.db_user))
    TaskReport.objects.bulk_create(reports, batch_size=500)


def _key_units(plan: Plan) -> None:
    """Every monitored key energy-consuming site becomes a registry entry, linked to its site and town."""
    from carbonpeak.monitoring.models import Site

    for site in Site.objects.filter(kind=Site.Kind.KEY_UNIT).select_related("town"):
        if site.town is None or site.town.plan_id == plan.pk:
            KeyEnergyUnit.objects.update_or_create(plan=plan, code=site.code, defaults={
                "name_zh": site.name, "town": site.town, "site": site})


def load_demo(plan: Plan) -> None:
    """Replace the plan's assessment demo data (idempotent)."""
    rubric = load_rubric(plan)
    towns = inputs.assessed_units(plan, rubric.assessed_kinds)
    if not towns:
        return
    actor = _demo_actor(plan)
    with transaction.atomic():
        Adjustment.objects.filter(assessment__plan=plan).delete()
        Assessment.objects.filter(plan=plan).delete()
        Allocation.objects.filter(plan=plan).delete()
        UnitSeries.objects.filter(plan=plan, source=SOURCE).delete()
        _series(plan, towns, rubric.base_year)
        _key_units(plan)
        _task_history(plan, towns, actor)
        for role, year, method in ((services.ENERGY_TOTAL, YEAR, "proportional"),
                                   (services.ENERGY_INTENSITY, 2025, "weighted")):
            code = services.role_code(plan, role)
            if code is None:
                continue  # the plan has no such target
            try:
                alloc = services.save_allocation(actor, plan, code, year, method)
            except services.InputError:
                continue  # the plan has no such figure: nothing to allocate
            services.approve_allocation(actor, alloc)
        services.set_reward_pool(actor, plan, YEAR, 5_000_000)
        services.add_adjustment(actor, plan, YEAR, towns[0], 6.0,
                                "演示：获评市级低碳发展示范，经区碳达峰办公室审定加 6 分")
