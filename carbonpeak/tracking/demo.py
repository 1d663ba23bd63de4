"""Demo data for tracking: users, reporting periods, approved history for every quantitative target, projects.

Called by `carbonpeak demo` (idempotent: existing reports and projects are kept, missing ones are added).
Values are deterministic (seeded per indicator code). A plan's demo fixture (`plans/demo/<code>.yaml`,
carbonpeak.plan.demodata) may give hand-written histories (`tracking.series`) and projects (`tracking.projects`),
e.g. the first plan's, where some targets are deliberately behind so the dashboard has something to say; every other
indicator gets steady generated progress. A plan without a fixture gets only generated histories, from its own
indicators and units.

History: annual values from the 2020 baseline to the last full year, plus the quarters of the current year that
have ended, for targets still open; targets due by last year stop at their target year. Reports are the lead
unit's (the plan's district-wide goals are reported by the district office, its first department). Cumulative
targets with fixture projects (PV, hydrogen stations, charging piles, greenways...) are computed from approved
projects instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from importlib import import_module
from importlib.util import find_spec

from django.db import transaction
from django.utils import timezone

from carbonpeak.plan.demodata import demo_fixture
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, TaskUnit
from carbonpeak.plan.engine.trajectory import period_t
from carbonpeak.tracking.models import IndicatorReport, Project, ReportingPeriod, ReviewStatus
from carbonpeak.core import clock

FIRST_YEAR = 2020
COUNT_UNITS = {"个", "座", "家", "条", "处", "台", "辆"}

def _rng(code: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"carbonpeak-demo:{code}".encode()).hexdigest()[:12], 16))


def _generic(indicator: Indicator, times: list[float]) -> list[float] | None:
    """A plausible history for an indicator without a hand-written one: steady progress with a little noise."""
    rng = _rng(indicator.code)
    target, comparator, unit = indicator.target_value, indicator.comparator, indicator.unit
    T = float(indicator.target_year)
    if indicator.aggregation == Indicator.Aggregation.CUMULATIVE:
        start_year, end_year = indicator.period_years or (FIRST_YEAR + 1, indicator.target_year)
        if target is None:
            return None
        if comparator == "=" and target == 0:
            return [0.0 for _t in times]
        pace = rng.uniform(0.95, 1.15)
        t0 = start_year - 1
        values = [max(0.0, target * min(1.15, pace * (t - t0) / (end_year - t0))) for t in times]
        return [float(round(v)) if unit in COUNT_UNITS else round(v, 2) for v in values]

    if target is None:
        if comparator == "increase":
            start = 40.0 if unit == "%" else 10.0
            return [round(start * (1 + 0.03 * (t - FIRST_YEAR)) + rng.uniform(-0.2, 0.2), 2) for t in times]
        if comparator == "maintain":
            start = 100.0 if unit != "%" else 90.0
            good = -1 if not indicator.higher_is_better else 1
            return [round(start * (1 + good * 0.002 * (t - FIRST_YEAR)), 2) for t in times]
        if comparator == "reduce-by":
            return [round(3.0 * (t - FIRST_YEAR), 2) for t in times]
        return None  # "complete the city's quota": no number to make up

    if comparator == "reduce-by":
        start = 0.0
    elif indicator.baseline_value is not None:
        start = indicator.baseline_value
    elif comparator in ("<=", "<"):
        start = target * 1.3
    elif comparator == "=":
        start = 0.0 if target == 0 else (80.0 if unit == "%" and target == 100 else target * 0.8)
        if target == 0:
            start = round(target + rng.uniform(1, 3), 1)
    elif unit == "%":
        start = target * 0.85
    else:
        start = target * 0.3
    pace = rng.uniform(0.97, 1.12)
    values = []
    for t in times:
        share = min(1.0 if comparator == "=" else 1.05, pace * (t - FIRST_YEAR) / (T - FIRST_YEAR))
        value = start + (target - start) * share
        if FIRST_YEAR < t and share < 1:
            value += rng.gauss(0, 0.01 * abs(target - start))
        if unit == "%":
            value = min(100.0, max(0.0, value))
        values.append(value)
    digits = 3 if abs(target) < 10 else 2
    return [round(v, digits) for v in values]


def _periods(plan: Plan, today: dt.date) -> dict[str, ReportingPeriod]:
    if find_spec("carbonpeak.tracking.services"):
        from carbonpeak.tracking.services import ensure_periods

        quarterly = _quarterly_years(today)
        made = ensure_periods(plan, FIRST_YEAR, quarterly[0] - 1, quarterly=False)
        made += ensure_periods(plan, quarterly[0], quarterly[-1], quarterly=True)
    else:  # pragma: no cover - the services module ships with tracking
        made = []
    return {p.code: p for p in made}


def _quarterly_years(today: dt.date) -> range:
    """Years the demo makes quarterly periods for: this year, and in its first quarter also last year, so that the
    quarter that has just ended (last year's Q4) is there to report (selectors.default_report_period)."""
    return range(today.year - 1 if today.month <= 3 else today.year, today.year + 1)


def _history_slots(indicator: Indicator, today: dt.date) -> list[tuple[str, float]]:
    """(period code, t) for which the demo reports a value of this indicator: past years, ended quarters."""
    last_full = today.year - 1
    if indicator.aggregation == Indicator.Aggregation.CUMULATIVE and indicator.period_years:
        first, end = indicator.period_years
    else:
        first, end = FIRST_YEAR, indicator.target_year
    slots = [(str(y), period_t(y)) for y in range(first, min(end, last_full) + 1)]
    for year in _quarterly_years(today):
        quarters_done = 4 if year < today.year else (today.month - 1) // 3
        if first <= year <= end and (year < today.year or end > last_full):
            slots += [(f"{year}Q{q}", period_t(year, quarter=q)) for q in range(1, quarters_done + 1)]
    return slots


def _reporting_unit(plan: Plan, indicator: Indicator, leads: dict[int, int], office: ResponsibleUnit) -> int:
    return leads.get(indicator.task_id, office.pk) if indicator.task_id else office.pk


def _load_reports(plan: Plan, periods: dict[str, ReportingPeriod], today: dt.date, users: dict) -> int:
    leads = dict(TaskUnit.objects.filter(task__action__plan=plan, is_lead=True).values_list("task_id", "unit_id"))
    office = office_unit(plan)
    if office is None:
        return 0
    fixture = demo_fixture(plan, "tracking")
    series = fixture.get("series") or {}
    existing = set(IndicatorReport.objects.filter(indicator__plan=plan)
                   .values_list("indicator_id", "unit_id", "period_id"))
    reviewer = _office_user(plan, users)
    with_projects = set(fixture.get("projects") or {})
    new = []
    for indicator in plan.indicators.order_by("position"):
        if indicator.code in with_projects and indicator.aggregation == Indicator.Aggregation.CUMULATIVE:
            continue
        slots = [(code, t) for code, t in _history_slots(indicator, today) if code in periods]
        if indicator.code in series:
            annual, quarterly = series[indicator.code].get("annual") or [], series[indicator.code].get("quarterly") or []
            by_code = {str(FIRST_YEAR + i): v for i, v in enumerate(annual)}
            by_code.update({f"{today.year}Q{i + 1}": v for i, v in enumerate(quarterly)})
            values = [by_code.get(code) for code, _t in slots]
        else:
            values = _generic(indicator, [t for _c, t in slots])
        if values is None:
            continue
        unit_id = _reporting_unit(plan, indicator, leads, office)
        for (code, _t), value in zip(slots, values, strict=True):
            period = periods[code]
            if value is None or (indicator.pk, unit_id, period.pk) in existing:
                continue
            at = timezone.make_aware(dt.datetime.combine(min(period.due_date, today), dt.time(10, 0)))
            new.append(IndicatorReport(
                indicator=indicator, unit_id=unit_id, period=period, value=float(value),
                value_unit=indicator.unit, status=ReviewStatus.APPROVED, note="demo",
                created_at=at, submitted_at=at, reviewed_at=at, reviewed_by=reviewer,
                review_comment="demo data",
            ))
    IndicatorReport.objects.bulk_create(new, batch_size=500)
    return len(new)


def _office_user(plan: Plan, users: dict):
    return users.get("office") or users.get(f"{plan.code}-office")


def office_unit(plan: Plan) -> ResponsibleUnit | None:
    """The unit that reports district-wide goals: the fixture's `office` (a unit code), else the plan's first
    department (first unit if it has none)."""
    code = demo_fixture(plan, "tracking").get("office")
    return ((plan.units.filter(code=code).first() if code else None)
            or plan.units.filter(kind=ResponsibleUnit.Kind.DEPARTMENT).order_by("position").first()
            or plan.units.order_by("position").first())


def _load_projects(plan: Plan, users: dict) -> int:
    projects = demo_fixture(plan, "tracking").get("projects") or {}
    units = {u.code: u for u in plan.units.all()}
    indicators = {i.code: i for i in plan.indicators.filter(code__in=list(projects))}
    existing = set(Project.objects.filter(plan=plan).values_list("name", flat=True))
    reviewer = _office_user(plan, users)
    fallback_lead = dict(TaskUnit.objects.filter(task__action__plan=plan, is_lead=True)
                         .values_list("task_id", "unit_id"))
    made = 0
    office = office_unit(plan)
    for code, spec in projects.items():
        kind, qty_unit, rows = spec["kind"], spec["unit"], spec["rows"]
        indicator = indicators.get(code)
        if indicator is None:
            continue
        for name, town_code, quantity, day in rows:
            if name in existing:
                continue
            town = units.get(town_code)
            responsible = town or office
            if responsible is None:
                responsible_id = fallback_lead.get(indicator.task_id)
                if responsible_id is None:
                    continue
                responsible = plan.units.get(pk=responsible_id)
            commissioned = dt.date.fromisoformat(day)
            at = timezone.make_aware(dt.datetime.combine(commissioned + dt.timedelta(days=20), dt.time(10, 0)))
            Project.objects.create(
                plan=plan, kind=kind, name=name, town=town, responsible_unit=responsible, quantity=quantity,
                quantity_unit=qty_unit, commissioned_on=commissioned, indicator=indicator,
                status=ReviewStatus.APPROVED, note="demo", created_at=at, submitted_at=at, reviewed_at=at,
                reviewed_by=reviewer, review_comment="demo data",
            )
            made += 1
    return made


def load_demo(plan: Plan) -> None:
    today = clock.today()
    with transaction.atomic():
        users = {}
        if find_spec("carbonpeak.tracking.users"):
            ensure = getattr(import_module("carbonpeak.tracking.users"), "ensure_demo_users", None)
            if ensure is not None:
                users = ensure(plan) or {}
        periods = _periods(plan, today)
        _load_reports(plan, periods, today, users)
        _load_projects(plan, users)
