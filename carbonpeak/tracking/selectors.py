"""Read-side queries of tracking: what a unit owes for a period, its reporting sheet, the reminders list.

A unit owes, for every reporting period, a value for each quantitative indicator it answers for (its task's
units, directly or via a group) and a progress report for each task it leads. Something is "reported" once
its latest revision is submitted or approved (or an approved revision exists while a correction is drafted).
"""

from __future__ import annotations

import datetime as dt

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, Task, TaskUnit
from carbonpeak.tracking.models import IndicatorReport, ReportingPeriod, ReviewStatus, TaskReport
from carbonpeak.core import clock

DONE = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


def periods(plan: Plan) -> QuerySet[ReportingPeriod]:
    return plan.reporting_periods.all()


def current_period(plan: Plan, kind: str | None = None) -> ReportingPeriod | None:
    """The latest period that has started (the one being reported), else the first one."""
    today = clock.today()
    qs = plan.reporting_periods.all()
    if kind:
        qs = qs.filter(kind=kind)
    return qs.filter(start__lte=today).order_by("-end", "start").first() or qs.order_by("start").first()


def default_report_period(plan: Plan) -> ReportingPeriod | None:
    """The quarter most recently ended whose report is being collected (or the current one)."""
    today = clock.today()
    qs = plan.reporting_periods.filter(kind=ReportingPeriod.Kind.QUARTERLY)
    return (qs.filter(end__lt=today).order_by("-end").first() or qs.filter(start__lte=today).order_by("-end").first()
            or current_period(plan))


def find_period(plan: Plan, code: str) -> ReportingPeriod | None:
    code = (code or "").strip().upper()
    if "Q" in code:
        year, _q, quarter = code.partition("Q")
        if year.isdigit() and quarter.isdigit():
            return plan.reporting_periods.filter(kind="quarterly", year=int(year), quarter=int(quarter)).first()
        return None
    if code.isdigit():
        return plan.reporting_periods.filter(kind="annual", year=int(code)).first()
    return None


@dataclass
class Obligations:
    indicator_ids: set[int] = field(default_factory=set)
    task_ids: set[int] = field(default_factory=set)


def obligations(plan: Plan) -> dict[int, Obligations]:
    """unit id → what it must report each period (units with nothing to report are absent)."""
    links = TaskUnit.objects.filter(task__action__plan=plan).exclude(unit__kind=ResponsibleUnit.Kind.GROUP)
    task_units: dict[int, set[int]] = defaultdict(set)
    result: dict[int, Obligations] = defaultdict(Obligations)
    for task_id, unit_id, is_lead in links.values_list("task_id", "unit_id", "is_lead"):
        task_units[task_id].add(unit_id)
        if is_lead:
            result[unit_id].task_ids.add(task_id)
    indicators = Indicator.objects.filter(plan=plan, kind=Indicator.Kind.QUANTITATIVE, task__isnull=False)
    for indicator_id, task_id in indicators.values_list("id", "task_id"):
        for unit_id in task_units.get(task_id, ()):
            result[unit_id].indicator_ids.add(indicator_id)
    return dict(result)


def reported(period: ReportingPeriod) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """((indicator id, unit id), (task id, unit id)) pairs reported for the period."""
    indicators = set(IndicatorReport.objects.filter(period=period, status__in=DONE)
                     .values_list("indicator_id", "unit_id"))
    tasks = set(TaskReport.objects.filter(period=period, status__in=DONE).values_list("task_id", "unit_id"))
    return indicators, tasks


@dataclass
class Reminder:
    period: ReportingPeriod
    unit: ResponsibleUnit
    missing_indicators: int
    missing_tasks: int
    total: int

    @property
    def missing(self) -> int:
        return self.missing_indicators + self.missing_tasks

    @property
    def days_overdue(self) -> int:
        return (clock.today() - self.period.due_date).days


def reminders(plan: Plan, units: QuerySet[ResponsibleUnit] | None = None,
              period: ReportingPeriod | None = None, overdue_only: bool = True,
              due_within: int | None = None) -> list[Reminder]:
    """Units that have not reported everything they owe for periods past their due date (`overdue_only`), for
    every period (not `overdue_only`), or for periods due in the next `due_within` days (today included). Closed
    periods take no more values: nothing is owed for them any longer."""
    today = clock.today()
    owed = obligations(plan)
    unit_map = {u.pk: u for u in (units if units is not None else plan.units.all()) if u.pk in owed}
    qs = plan.reporting_periods.filter(closed_at__isnull=True)
    if period is not None:
        qs = qs.filter(pk=period.pk)
    if due_within is not None:
        qs = qs.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=due_within))
    elif overdue_only:
        qs = qs.filter(due_date__lt=today)
    out = []
    for p in qs.order_by("-due_date", "kind"):
        done_ind, done_task = reported(p)
        for unit_id, unit in unit_map.items():
            need = owed[unit_id]
            missing_i = sum(1 for i in need.indicator_ids if (i, unit_id) not in done_ind)
            missing_t = sum(1 for t in need.task_ids if (t, unit_id) not in done_task)
            if missing_i or missing_t:
                out.append(Reminder(p, unit, missing_i, missing_t, len(need.indicator_ids) + len(need.task_ids)))
    out.sort(key=lambda r: (-r.period.due_date.toordinal(), r.unit.position))
    return out


@dataclass
class SheetRow:
    """One line of a unit's reporting page: the subject, its latest revision and the approved value in force.

    `typed` holds what the reporter typed when a "submit all" was refused (shown again, never lost); `error` why.
    """

    subject: Indicator | Task
    current: IndicatorReport | TaskReport | None
    effective: IndicatorReport | TaskReport | None
    required: bool
    typed: dict | None = None
    error: str = ""

    @property
    def returned(self) -> bool:
        return self.current is not None and self.current.status == ReviewStatus.RETURNED

    @property
    def done(self) -> bool:
        return self.current is not None and self.current.status in DONE

    @property
    def action(self):
        return self.subject.task.action if isinstance(self.subject, Indicator) else self.subject.action

    @property
    def open(self) -> bool:
        """Nothing reported yet, or the latest revision is a draft or returned: the reporter can edit it."""
        return self.current is None or self.current.is_editable


def _latest(records) -> dict:
    latest: dict = {}
    for record in records:
        key = record.indicator_id if isinstance(record, IndicatorReport) else record.task_id
        if key not in latest or record.revision > latest[key].revision:
            latest[key] = record
    return latest


def indicator_rows(unit: ResponsibleUnit, period: ReportingPeriod) -> list[SheetRow]:
    from carbonpeak.tracking.permissions import unit_indicators

    reports = list(IndicatorReport.objects.filter(unit=unit, period=period).select_related("submitted_by",
                                                                                            "reviewed_by"))
    latest = _latest(reports)
    approved = _latest(r for r in reports if r.status == ReviewStatus.APPROVED)
    return [SheetRow(i, latest.get(i.pk), approved.get(i.pk), i.kind == Indicator.Kind.QUANTITATIVE)
            for i in unit_indicators(unit).filter(plan=period.plan_id).select_related("plan", "task__action")]


def task_rows(unit: ResponsibleUnit, period: ReportingPeriod) -> list[SheetRow]:
    from carbonpeak.tracking.permissions import unit_tasks

    reports = list(TaskReport.objects.filter(unit=unit, period=period).prefetch_related("evidence"))
    latest = _latest(reports)
    approved = _latest(r for r in reports if r.status == ReviewStatus.APPROVED)
    lead = set(TaskUnit.objects.filter(unit=unit, is_lead=True).values_list("task_id", flat=True))
    return [SheetRow(t, latest.get(t.pk), approved.get(t.pk), t.pk in lead)
            for t in unit_tasks(unit).filter(action__plan=period.plan_id).select_related("action__plan")]


@dataclass
class SheetGroup:
    """The rows of one action on the sheet (collapsible); `to_do` counts what is due and not yet submitted."""

    action: object
    indicator_rows: list[SheetRow]
    task_rows: list[SheetRow]

    @property
    def to_do(self) -> int:
        return sum(1 for r in (*self.indicator_rows, *self.task_rows) if r.required and not r.done)


@dataclass
class Sheet:
    returned_indicators: list[SheetRow]
    returned_tasks: list[SheetRow]
    groups: list[SheetGroup]
    due: int
    done: int


def sheet(indicator_rows: list[SheetRow], task_rows: list[SheetRow]) -> Sheet:
    """The sheet as people read it: returned rows first, then the rest grouped by action, with what is due."""
    groups: dict[int, SheetGroup] = {}
    for attr, rows in (("indicator_rows", indicator_rows), ("task_rows", task_rows)):
        for row in rows:
            if row.returned:
                continue
            action = row.action
            group = groups.setdefault(action.pk, SheetGroup(action, [], []))
            getattr(group, attr).append(row)
    everything = [*indicator_rows, *task_rows]
    return Sheet([r for r in indicator_rows if r.returned], [r for r in task_rows if r.returned],
                 sorted(groups.values(), key=lambda g: g.action.number),
                 due=sum(1 for r in everything if r.required), done=sum(1 for r in everything if r.required and r.done))


def previous_values(reports: list[IndicatorReport]) -> dict[int, IndicatorReport]:
    """report id → the approved value it would replace: the revision a correction supersedes, else the same unit's
    latest approved value of the indicator for an earlier period of the same kind (one query)."""
    if not reports:
        return {}
    earlier = (IndicatorReport.objects.effective()
               .filter(indicator__in={r.indicator_id for r in reports}, unit__in={r.unit_id for r in reports})
               .select_related("period").order_by("-period__end"))
    by_key: dict[tuple, list[IndicatorReport]] = defaultdict(list)
    for e in earlier:
        by_key[(e.indicator_id, e.unit_id, e.period.kind)].append(e)
    out = {}
    for r in reports:
        if r.supersedes_id is not None:
            out[r.pk] = r.supersedes
            continue
        out[r.pk] = next((e for e in by_key[(r.indicator_id, r.unit_id, r.period.kind)]
                          if e.period.end < r.period.start), None)
    return out


def evidence_by_task(reports: list[IndicatorReport]) -> dict[tuple[int, int, int], list]:
    """(task id, unit id, period id) → evidence files of the unit's report on the indicator's task for the period:
    what backs an indicator value in the review queue (one query)."""
    from carbonpeak.tracking.models import Evidence

    if not reports:
        return {}
    items = Evidence.objects.filter(task_report__task__in={r.indicator.task_id for r in reports},
                                    task_report__unit__in={r.unit_id for r in reports},
                                    task_report__period__in={r.period_id for r in reports}).select_related("task_report")
    out: dict = defaultdict(list)
    for item in items:
        tr = item.task_report
        out[(tr.task_id, tr.unit_id, tr.period_id)].append(item)
    return out


@dataclass
class UnitOnTime:
    unit: ResponsibleUnit
    owed: int
    on_time: int
    rate: float


def on_time_rates(plan: Plan, units: QuerySet[ResponsibleUnit] | None = None) -> list[UnitOnTime]:
    """Per-unit on-time rates (按时报送率) over the periods past their due date, best first: an item counts as on
    time when a submitted or approved record of it was submitted by the end of the due date (local time)."""
    from django.utils import timezone

    from carbonpeak.tracking.engine.ontime import rank

    today = clock.today()
    past = {p.pk: p.due_date for p in plan.reporting_periods.filter(due_date__lt=today)}
    owed = obligations(plan)
    unit_map = {u.pk: u for u in (units if units is not None else plan.units.all()) if u.pk in owed}
    owed_counts = {pk: len(past) * (len(owed[pk].indicator_ids) + len(owed[pk].task_ids)) for pk in unit_map}
    on_time: set[tuple[str, int, int, int]] = set()
    for kind, model, subject in (("i", IndicatorReport, "indicator_id"), ("t", TaskReport, "task_id")):
        rows = model.objects.filter(period__in=past, unit__in=unit_map, status__in=DONE, submitted_at__isnull=False)
        for subject_id, unit_id, period_id, submitted_at in rows.values_list(subject, "unit_id", "period_id",
                                                                           "submitted_at"):
            need = owed[unit_id].indicator_ids if kind == "i" else owed[unit_id].task_ids
            if subject_id in need and timezone.localdate(submitted_at) <= past[period_id]:
                on_time.add((kind, subject_id, unit_id, period_id))
    counts: dict[int, int] = defaultdict(int)
    for _kind, _subject, unit_id, _period in on_time:
        counts[unit_id] += 1
    return [UnitOnTime(unit_map[r.unit_id], r.owed, r.on_time, r.rate) for r in rank(owed_counts, counts)]


@dataclass
class ToDo:
    """What waits for a reporter after login: the unit's drafts, returned records and the periods it still owes.
    (A reviewer's to-do is the review queue, the office's the overdue units: `reminders`.)"""

    drafts: list = field(default_factory=list)
    returned: list = field(default_factory=list)
    due: list[Reminder] = field(default_factory=list)


def todo(plan: Plan, unit: ResponsibleUnit | None) -> ToDo:
    """A reporter's to-do: the unit's drafts, returned records (with the reviewer's comment) and the ended periods
    it still owes, latest first."""
    result = ToDo()
    if unit is not None:
        open_statuses = [ReviewStatus.DRAFT, ReviewStatus.RETURNED]
        records = [
            *IndicatorReport.objects.filter(unit=unit, period__plan=plan, status__in=open_statuses).current()
            .select_related("indicator", "period"),
            *TaskReport.objects.filter(unit=unit, period__plan=plan, status__in=open_statuses).current()
            .select_related("task__action", "period"),
        ]
        result.drafts = [r for r in records if r.status == ReviewStatus.DRAFT]
        result.returned = [r for r in records if r.status == ReviewStatus.RETURNED]
        today = clock.today()
        units = plan.units.filter(pk=unit.pk)
        result.due = [r for r in reminders(plan, units, overdue_only=False) if r.period.end < today][:8]
    return result
