"""Every figure the assessment reads from other apps, in one place.

Energy and CO2 by town come from accounting's records (its public services and engine); the district's
dual-control targets from accounting's `targets`; reporting obligations, task progress, timeliness and review
history from tracking (read only). When those apps move (a `progress` app as the one source of target values,
dual-control rules in accounting), only this module changes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, time

from django.utils import timezone

from carbonpeak.accounting import services as accounting
from carbonpeak.accounting.engine.inventory import compute_inventory
from carbonpeak.core import clock, memo
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, TaskUnit
from carbonpeak.tracking import selectors as tracking_selectors
from carbonpeak.tracking.models import AuditEntry, IndicatorReport, ReportingPeriod, ReviewStatus, TaskReport

ON_SCHEDULE = (TaskReport.Progress.IN_PROGRESS, TaskReport.Progress.COMPLETED)


def assessed_units(plan: Plan, kinds: tuple[str, ...]) -> list[ResponsibleUnit]:
    """The plan's units of the given kinds (towns and streets by default), in the plan's order."""
    return list(ResponsibleUnit.objects.filter(plan=plan, kind__in=kinds).order_by("position", "pk"))


def indicator(plan: Plan, code: str) -> Indicator | None:
    return Indicator.objects.filter(plan=plan, code=code).first()


def dual_control(plan: Plan) -> dict:
    """The district energy-intensity target (reduction, base and target year) and the yearly energy caps
    ({year: tce}; a year's cap in the plan's assessment method when it declares one)."""
    targets = accounting.targets(plan)
    caps, _declared_in = accounting.caps_for(targets["caps"], accounting.assessment_basis(plan).method)
    return targets | {"caps": caps}


@memo.memoised  # the barometer reads each year twice (energy, CO2)
def energy_by_town(plan: Plan, year: int) -> dict[str, dict[str, float]]:
    """{town name_zh: {"energy_tce", "co2_t", ...}} of the year's energy records (accounting's factors)."""
    df = accounting.records_frame(plan, year)
    if not len(df):
        return {}
    return compute_inventory(df, accounting.engine_factor_set(), check_periods=False).by_town


def _year_periods(plan: Plan, year: int):
    return ReportingPeriod.objects.filter(plan=plan, year=year)


def indicator_values(plan: Plan, code: str, year: int) -> dict[int, float]:
    """unit id → the approved value of indicator `code` in the year's latest period each unit reported."""
    out: dict[int, float] = {}
    reports = (IndicatorReport.objects.effective()
               .filter(indicator__plan=plan, indicator__code=code, period__plan=plan, period__year=year)
               .order_by("period__end", "revision").values_list("unit_id", "value"))
    for unit_id, value in reports:
        out[unit_id] = value
    return out


def task_progress(plan: Plan, year: int) -> dict[int, tuple[int, int]]:
    """unit id → (its tasks whose latest approved report of the year is in progress or completed, its tasks).

    A unit's tasks are those it is named for, directly or through a group such as 各镇、街道.
    """
    lead: dict[int, set[int]] = defaultdict(set)
    for unit_id, task_id in (TaskUnit.objects.filter(task__action__plan=plan)
                             .exclude(unit__kind=ResponsibleUnit.Kind.GROUP).values_list("unit_id", "task_id")):
        lead[unit_id].add(task_id)
    latest: dict[tuple[int, int], str] = {}
    for task_id, unit_id, status in (TaskReport.objects.effective().filter(period__plan=plan, period__year=year)
                                     .order_by("period__end", "revision")
                                     .values_list("task_id", "unit_id", "progress_status")):
        latest[(task_id, unit_id)] = status
    return {u: (sum(1 for t in tasks if latest.get((t, u)) in ON_SCHEDULE), len(tasks)) for u, tasks in lead.items()}


def _end_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def late_reports(plan: Plan, year: int) -> dict[int, tuple[int, int]]:
    """unit id → (reports not submitted by their due date, reports owed) over the year's periods already due."""
    owed = tracking_selectors.obligations(plan)
    periods = [p for p in _year_periods(plan, year) if p.due_date < clock.today()]
    first: dict[tuple, datetime] = {}
    for model, field in ((IndicatorReport, "indicator_id"), (TaskReport, "task_id")):
        for subject, unit_id, period_id, at in (model.objects.filter(period__in=periods, submitted_at__isnull=False)
                                                .values_list(field, "unit_id", "period_id", "submitted_at")):
            key = (model, subject, unit_id, period_id)
            first[key] = min(at, first.get(key, at))
    out = {}
    for unit_id, need in owed.items():
        late = total = 0
        for p in periods:
            due = _end_of(p.due_date)
            for model, subjects in ((IndicatorReport, need.indicator_ids), (TaskReport, need.task_ids)):
                for s in subjects:
                    total += 1
                    at = first.get((model, s, unit_id, p.pk))
                    late += at is None or at > due
        out[unit_id] = (late, total)
    return out


def returned_reports(plan: Plan, year: int) -> dict[int, int]:
    """unit id → the year's reports returned for revision (audit log) or corrected after approval (revision > 1)."""
    out: dict[int, int] = defaultdict(int)
    for model in (IndicatorReport, TaskReport):
        rows = dict(model.objects.filter(period__plan=plan, period__year=year).values_list("pk", "unit_id"))
        for object_id in AuditEntry.objects.filter(object_type=model._meta.label_lower, action="return",
                                                   object_id__in=list(rows)).values_list("object_id", flat=True):
            out[rows[object_id]] += 1
        for unit_id in (model.objects.filter(period__plan=plan, period__year=year, revision__gt=1,
                                             status__in=(ReviewStatus.SUBMITTED, ReviewStatus.APPROVED))
                        .values_list("unit_id", flat=True)):
            out[unit_id] += 1
    return dict(out)


def nan_if_none(value: float | None) -> float:
    return math.nan if value is None else float(value)


def monitored_energy(year: int, site_ids: list[int]) -> dict[int, float]:
    """site id → tce measured online (monitoring's main meters) in the year; sites without data are absent."""
    from carbonpeak.monitoring import services as monitoring

    return {sid: float(monitoring.site_tce(per).sum()) for sid, per in monitoring.monthly_by_site(year, site_ids).items()}
