"""Progress of a plan: every indicator evaluated from approved reports and approved projects (ORM glue).

The numbers come from `carbonpeak.tracking.engine.progress` (see its docstring for the time convention, the
trajectory, the forecast and the status rule). This module decides which observations feed it:

* **Projects first for cumulative targets.** A cumulative indicator with approved projects linked to it is
  computed from those projects (`engine.rollup`): quantities converted to the indicator's unit, counted when
  commissioned within the indicator's period. Reported values for it are then ignored.
* **Otherwise approved reports** (the effective revision of each). For every reporting period the district value
  is the lead unit's value when the lead unit reported; otherwise the sum of the units' values for a cumulative
  target (each unit reports its own contribution) and their mean for a level target. An annual value and a
  4th-quarter value describe the same date (the year end); the annual one wins.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from carbonpeak.plan.models import Action, Indicator, Plan, ResponsibleUnit, TaskUnit
from carbonpeak.tracking.engine import progress as engine
from carbonpeak.tracking.engine.rollup import ProjectQty, Rollup, UnitError, rollup
from carbonpeak.core import clock

STATUSES = engine.STATUSES


def status_labels() -> dict[str, str]:
    return {
        engine.ON_TRACK: _("On track"),
        engine.AT_RISK: _("At risk"),
        engine.OFF_TRACK: _("Off track"),
        engine.NO_DATA: _("No data"),
    }


STATUS_COLORS = {engine.ON_TRACK: "#2e7d32", engine.AT_RISK: "#f9a825", engine.OFF_TRACK: "#c62828",
                 engine.NO_DATA: "#9e9e9e"}


def spec_for(indicator: Indicator) -> engine.Spec:
    return engine.Spec(
        comparator=indicator.comparator,
        target=indicator.target_value,
        target_year=indicator.target_year,
        baseline=indicator.baseline_value,
        baseline_year=indicator.baseline_year,
        aggregation=indicator.aggregation,
        trajectory=indicator.trajectory,
        higher_is_better=indicator.higher_is_better,
        period=indicator.period_years,
    )


def t_label(t: float | None) -> str:
    """A fractional year as people say it: 2023, 2026Q3, or a date."""
    if t is None:
        return "—"
    if abs(t - round(t)) < 1e-6:
        return str(int(round(t)))
    year = int(t) + 1
    quarter = (t - int(t)) * 4
    if abs(quarter - round(quarter)) < 1e-6:
        return f"{year}Q{int(round(quarter))}"
    day = dt.date(year, 1, 1) + dt.timedelta(days=round((t - int(t)) * (366 if year % 4 == 0 else 365)) - 1)
    return day.isoformat()


def fmt(value: float | None) -> str:
    """A value for people: whole numbers as such (2028, 12000), 4 significant digits below 1000, else 1 decimal."""
    if value is None:
        return "—"
    if abs(value - round(value)) < 1e-9 and abs(value) < 1e15:
        return str(int(round(value)))
    if abs(value) >= 1000:
        return f"{value:.1f}"
    return f"{value:.4g}"


@dataclass
class IndicatorProgress:
    indicator: Indicator
    evaluation: engine.Evaluation
    source: str  # "reports", "projects" or "none"
    rollup: Rollup | None = None
    projects: list = field(default_factory=list)  # contributing Project rows, in commissioning order
    error: str = ""  # a roll-up that could not be computed (e.g. an unknown project unit)

    @property
    def status(self) -> str:
        return self.evaluation.status

    @property
    def status_label(self) -> str:
        return status_labels()[self.status]

    @property
    def spec(self) -> engine.Spec:
        return spec_for(self.indicator)

    @property
    def rule(self) -> str:
        return rule_text(self.spec, self.evaluation)

    @property
    def reason(self) -> str:
        return reason_text(self.indicator, self.evaluation)

    @property
    def latest_label(self) -> str:
        return t_label(self.evaluation.latest_t)

    def chart(self) -> dict:
        """Series for the ECharts chart: actuals, expected trajectory, forecast and the target."""
        ev, spec = self.evaluation, self.spec
        xs = [t for t, _v in ev.history]
        lo = min([*xs, *([ev.start[0]] if ev.start else []), spec.target_t - 5])
        hi = max([*xs, spec.target_t])
        data = {
            "actual": [[t, v] for t, v in ev.history],
            "trajectory": [[t, v] for t, v in engine.trajectory(spec, ev.start, lo, hi)] if spec.quantitative
            else [],
            "forecast": [],
            "target": [[spec.target_t, spec.target]] if spec.target is not None else [],
            "unit": self.indicator.unit_label,
            "labels": {"actual": _("Actual"), "trajectory": _("Expected trajectory"), "forecast": _("Forecast"),
                       "target": _("Target")},
        }
        if ev.forecast is not None and ev.latest_t is not None and ev.latest_t < spec.target_t:
            start = ev.latest_value
            if ev.fit is not None:
                a, b = ev.fit
                start = a + b * ev.latest_t
            data["forecast"] = [[ev.latest_t, start], [spec.target_t, ev.forecast]]
        return data


def rule_text(spec: engine.Spec, ev: engine.Evaluation) -> str:
    params = engine.rule_params(spec, ev)
    params["verb"] = _("is above") if spec.comparator == "increase" else _("is not worse than")
    return _(engine.RULES[spec.rule_key]).format(**params)


def reason_text(indicator: Indicator, ev: engine.Evaluation) -> str:
    unit = indicator.unit_label
    p = {
        "latest": f"{fmt(ev.latest_value)} {unit}".strip(), "expected": f"{fmt(ev.expected_now)} {unit}".strip(),
        "shortfall": fmt(ev.shortfall), "band": fmt(ev.band), "forecast": fmt(ev.forecast),
        "year": t_label(ev.target_t), "target": indicator.target_display, "date": t_label(ev.latest_t),
        "start": fmt(ev.start[1]) if ev.start else "—",
    }
    texts = {
        "no_data": _("No approved value yet."),
        "meets": _("The latest value %(latest)s (%(date)s) meets the expected %(expected)s."),
        "band": _("The latest value %(latest)s (%(date)s) is %(shortfall)s behind the expected %(expected)s, "
                  "within the tolerance band of %(band)s."),
        "forecast": _("The latest value %(latest)s (%(date)s) is %(shortfall)s behind the expected %(expected)s, "
                      "but the forecast %(forecast)s for %(year)s meets the target."),
        "behind": _("The latest value %(latest)s (%(date)s) is %(shortfall)s behind the expected %(expected)s "
                    "(band %(band)s) and the forecast %(forecast)s for %(year)s misses the target %(target)s."),
        "single": _("Only one value (%(latest)s, %(date)s) and no baseline in the plan: no trend yet."),
        "improved": _("The latest value %(latest)s (%(date)s) is no worse than the reference %(start)s."),
        "unchanged": _("The latest value %(latest)s (%(date)s) has not improved on the reference %(start)s."),
        "worse": _("The latest value %(latest)s (%(date)s) is worse than the reference %(start)s."),
    }
    return texts.get(ev.reason_key, ev.reason) % p


def _report_t(period) -> tuple[float, int]:
    """(t, priority) of a reporting period: annual values win over the 4th quarter of the same year."""
    if period.kind == "quarterly":
        return engine.period_t(period.year, quarter=period.quarter), 0
    return engine.period_t(period.year), 1


def _lead_units(plan: Plan) -> dict[int, int]:
    """task id → lead unit id."""
    return dict(TaskUnit.objects.filter(task__action__plan=plan, is_lead=True).values_list("task_id", "unit_id"))


def report_history(indicator: Indicator, reports, lead_unit_id: int | None) -> list[tuple[float, float]]:
    """The district history of an indicator from its effective approved reports (see the module docstring)."""
    by_period: dict[tuple[float, int], dict[int, float]] = defaultdict(dict)
    for r in reports:
        by_period[_report_t(r.period)][r.unit_id] = r.value
    points = []
    for key in sorted(by_period):
        values = by_period[key]
        if lead_unit_id in values:
            value = values[lead_unit_id]
        elif indicator.aggregation == Indicator.Aggregation.CUMULATIVE:
            value = sum(values.values())
        else:
            value = sum(values.values()) / len(values)
        points.append((key[0], value))
    return points


def evaluate_plan(plan: Plan, as_of: dt.date | None = None) -> list[IndicatorProgress]:
    """Every indicator of the plan, in plan order, evaluated from approved data up to `as_of` (today)."""
    from carbonpeak.tracking.models import IndicatorReport, Project

    as_of = as_of or clock.today()
    as_of_t = engine.date_t(as_of)
    indicators = list(plan.indicators.select_related("task__action", "phase_goal").order_by("position"))
    leads = _lead_units(plan)
    reports = defaultdict(list)
    for r in (IndicatorReport.objects.effective().filter(indicator__plan=plan, period__end__lte=as_of)
              .select_related("period")):
        reports[r.indicator_id].append(r)
    projects = defaultdict(list)
    for pr in (Project.objects.effective().filter(plan=plan, indicator__isnull=False)
               .select_related("town", "responsible_unit").order_by("commissioned_on", "pk")):
        projects[pr.indicator_id].append(pr)

    results = []
    for indicator in indicators:
        spec = spec_for(indicator)
        linked = projects.get(indicator.id, [])
        if indicator.aggregation == Indicator.Aggregation.CUMULATIVE and linked and indicator.period_years:
            try:
                r = rollup([ProjectQty(p.pk, p.quantity, p.quantity_unit, p.commissioned_on) for p in linked],
                           indicator.unit, indicator.period_years, as_of=as_of)
            except UnitError as exc:
                ev = engine.evaluate(spec, [], as_of=as_of_t)
                results.append(IndicatorProgress(indicator, ev, "none", error=str(exc)))
                continue
            counted = {c.id for c in r.contributions}
            ev = engine.evaluate(spec, r.history, as_of=as_of_t)
            results.append(IndicatorProgress(indicator, ev, "projects", rollup=r,
                                             projects=[p for p in linked if p.pk in counted]))
            continue
        history = report_history(indicator, reports.get(indicator.id, []), leads.get(indicator.task_id))
        ev = engine.evaluate(spec, history, as_of=as_of_t)
        results.append(IndicatorProgress(indicator, ev, "reports" if history else "none"))
    return results


def evaluate_indicator(indicator: Indicator, as_of: dt.date | None = None) -> IndicatorProgress:
    # Evaluating the whole plan costs two queries; one indicator is a filter of it.
    for result in evaluate_plan(indicator.plan, as_of):
        if result.indicator.pk == indicator.pk:
            return result
    raise LookupError(indicator.code)


def status_counts(results: list[IndicatorProgress]) -> dict[str, int]:
    counts = Counter(r.status for r in results)
    return {s: counts.get(s, 0) for s in STATUSES}


@dataclass
class GroupCounts:
    key: str
    label: str
    url: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def counts_by_action(plan: Plan, results: list[IndicatorProgress]) -> list[GroupCounts]:
    """Status counts per action; plan-wide goals (no task) come first as "Main goals"."""
    groups: dict[int | None, Counter] = defaultdict(Counter)
    for r in results:
        groups[r.indicator.task.action_id if r.indicator.task_id else None][r.status] += 1
    rows = []
    if None in groups:
        rows.append(GroupCounts("goals", _("Main goals"), plan.get_absolute_url(),
                                {s: groups[None].get(s, 0) for s in STATUSES}))
    for action in Action.objects.filter(plan=plan).order_by("number"):
        if action.pk in groups:
            rows.append(GroupCounts(str(action.number), f"{action.number}. {action.name}", action.get_absolute_url(),
                                    {s: groups[action.pk].get(s, 0) for s in STATUSES}))
    return rows


def counts_by_unit(plan: Plan, results: list[IndicatorProgress], lead_only: bool = False) -> list[GroupCounts]:
    """Status counts per responsible unit: as lead unit only, or over all its links (named or via a group)."""
    links = TaskUnit.objects.filter(task__action__plan=plan).exclude(unit__kind=ResponsibleUnit.Kind.GROUP)
    if lead_only:
        links = links.filter(is_lead=True)
    task_units: dict[int, set[int]] = defaultdict(set)
    for task_id, unit_id in links.values_list("task_id", "unit_id"):
        task_units[task_id].add(unit_id)
    groups: dict[int, Counter] = defaultdict(Counter)
    for r in results:
        for unit_id in task_units.get(r.indicator.task_id, ()):
            groups[unit_id][r.status] += 1
    rows = []
    for unit in plan.units.filter(pk__in=groups).order_by("position"):
        rows.append(GroupCounts(unit.code, unit.name, unit.get_absolute_url(),
                                {s: groups[unit.pk].get(s, 0) for s in STATUSES}))
    return rows


def off_track(results: list[IndicatorProgress]) -> list[IndicatorProgress]:
    """Off-track indicators, the furthest behind (relative to the tolerance band) first."""
    rows = [r for r in results if r.status == engine.OFF_TRACK]
    return sorted(rows, key=lambda r: -((r.evaluation.shortfall or 0) / (r.evaluation.band or 1)))
