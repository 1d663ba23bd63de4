"""Progress of a plan: one value and one status per indicator, from the source the plan file declares (ORM glue).

This is the one place every page, export, API and report reads a target's value and status from (the dashboard,
the progress table and report, the Excel export, `/api/tracking/progress`, the accounting card). The numbers come
from `carbonpeak.progress.engine.progress` (time convention, trajectory, forecast, status rule). Each indicator's
`source` (plan file) decides which series feeds it:

* ``reported`` — approved reports (the effective revision of each). For every reporting period the district value
  is the lead unit's value when the lead unit reported; otherwise the sum of the units' values for a cumulative
  target (each unit reports its own contribution) and their mean for a level target. An annual value and a
  4th-quarter value describe the same date (the year end); the annual one wins.
* ``projects`` (the default of cumulative targets) — approved projects linked to the indicator, rolled up
  (`engine.rollup`): quantities converted to the indicator's unit, counted when commissioned within the
  indicator's period. With no linked project, the units' reports as above.
* ``accounting.*``, ``monitoring.*``, ``scenarios.*`` — a metric computed by that app (`carbonpeak.progress.metrics`).
  Reports of the same indicator are shown beside the computed series with differences flagged, never as a second
  status. ``scenarios.peak_year`` takes its status from P(peak by the target year), not from a path.

A target the plan leaves to the city ("确保完成市下达指标") takes the value the office recorded (`IssuedTarget`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from carbonpeak.core import clock, memo
from carbonpeak.core.numbers import for_people
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, TaskUnit
from carbonpeak.progress.engine import progress as engine
from carbonpeak.progress.engine.rollup import ProjectQty, Rollup, UnitError, rollup
from carbonpeak.progress.metrics import MetricError, Metrics, PeakSummary
from carbonpeak.progress.models import IssuedTarget

STATUSES = engine.STATUSES


def status_labels() -> dict[str, str]:
    return {
        engine.ON_TRACK: _("On track"),
        engine.AT_RISK: _("At risk"),
        engine.OFF_TRACK: _("Off track"),
        engine.MISSED: _("Missed"),
        engine.NO_DATA: _("No data"),
    }


STATUS_COLORS = {engine.ON_TRACK: "#2e7d32", engine.AT_RISK: "#f9a825", engine.OFF_TRACK: "#c62828",
                 engine.MISSED: "#6a1b9a", engine.NO_DATA: "#9e9e9e"}


#: The comparator an issued value takes when the plan only says which way to go ("increase" the share).
ISSUED_COMPARATORS = {"increase": ">=", "maintain": "<="}


def spec_for(indicator: Indicator, issued: IssuedTarget | None = None) -> engine.Spec:
    """The engine's view of an indicator; a value the city issued fills in a target the plan left open."""
    comparator, target = indicator.comparator, indicator.target_value
    if issued is not None and target is None:
        comparator, target = ISSUED_COMPARATORS.get(comparator, comparator), issued.value
    return engine.Spec(
        comparator=comparator,
        target=target,
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


@dataclass
class IndicatorProgress:
    """One indicator's value and status: the one place every page, export, API and report reads them from."""

    indicator: Indicator
    evaluation: engine.Evaluation
    series_source: str  # what fed the evaluation: "reports", "projects", the computed metric, or "none"
    rollup: Rollup | None = None
    projects: list = field(default_factory=list)  # contributing Project rows, in commissioning order
    error: str = ""  # a series that could not be computed (an unknown project unit, no accounting data...)
    reported: list[tuple[float, float]] = field(default_factory=list)  # units' reports beside a computed series
    issued: IssuedTarget | None = None  # the value the city issued, when the plan leaves the number to it
    peak: PeakSummary | None = None  # the scenario summary behind a scenarios.* indicator

    @property
    def source(self) -> str:
        """Where the plan file says the actual values come from (`Indicator.source`)."""
        return self.indicator.source

    @property
    def series_label(self) -> str:
        """The series used, for people: approved reports / approved projects / "" (computed: the source says it)."""
        return {"reports": _("approved reports"), "projects": _("approved projects")}.get(self.series_source, "")

    @property
    def computed(self) -> bool:
        return self.source not in ("reported", "projects")

    @property
    def differences(self) -> list[dict]:
        """Reported values beside the computed series at the same dates; `flagged` when they differ by more than
        1% (shown, never a second status)."""
        computed = {round(t, 6): v for t, v in self.evaluation.history}
        rows = []
        for t, v in self.reported:
            c = computed.get(round(t, 6))
            flagged = c is not None and abs(v - c) > 0.01 * max(abs(c), 1e-9)
            rows.append({"t": t, "label": t_label(t), "reported": v, "computed": c,
                         "difference": None if c is None else v - c, "flagged": flagged})
        return rows

    @property
    def status(self) -> str:
        return self.evaluation.status

    @property
    def status_label(self) -> str:
        return status_labels()[self.status]

    @property
    def spec(self) -> engine.Spec:
        return spec_for(self.indicator, self.issued)

    @property
    def rule(self) -> str:
        return rule_text(self.spec, self.evaluation)

    @property
    def reason(self) -> str:
        return reason_text(self.indicator, self.evaluation)

    @property
    def target_display(self) -> str:
        """The target as shown; an issued value with the word "issued" (the plan left the number to the city)."""
        spec = self.spec
        if self.issued is None or spec.target is None:
            return self.indicator.target_display
        symbol = {"reduce-by": "−"}.get(spec.comparator, dict(Indicator.Comparator.choices).get(spec.comparator, ""))
        issued = _("issued")
        return f"{symbol} {spec.target:g} {self.indicator.unit_label} ({issued})"

    @property
    def indicator_url(self) -> str:
        return reverse("progress:indicator", args=[self.indicator.code])

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
            "trajectory": [[t, v] for t, v in engine.trajectory(spec, ev.start, lo, hi)]
            if spec.quantitative and ev.rule_key != "peak" else [],
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
    params["shape"] = {"geometric": _("at a constant rate"), "step": _("holding")}.get(spec.trajectory, _("linear"))
    return _(engine.RULES[ev.rule_key]).format(**params)


def reason_text(indicator: Indicator, ev: engine.Evaluation) -> str:
    unit = indicator.unit_label
    p = {
        "latest": f"{for_people(ev.latest_value)} {unit}".strip(), "expected": f"{for_people(ev.expected_now)} {unit}".strip(),
        "shortfall": for_people(ev.shortfall), "band": for_people(ev.band), "forecast": for_people(ev.forecast),
        "year": t_label(ev.target_t), "target": indicator.target_display, "date": t_label(ev.latest_t),
        "start": for_people(ev.start[1]) if ev.start else "—",
        "probability": "—" if ev.probability is None else f"{100 * ev.probability:.1f}%",
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
        "missed": _("The target year %(year)s has passed and the value %(latest)s (%(date)s) misses the target "
                    "%(target)s."),
        "peak_likely": _("P(peak by %(year)s) is %(probability)s: the median projected peak year %(latest)s meets "
                         "the target."),
        "peak_possible": _("P(peak by %(year)s) is %(probability)s: the median projected peak year %(latest)s "
                           "misses the target, the first quartile meets it."),
        "peak_unlikely": _("P(peak by %(year)s) is only %(probability)s."),
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


@memo.memoised
def evaluate_plan(plan: Plan, as_of: dt.date | None = None, codes: tuple[str, ...] | None = None) -> list[IndicatorProgress]:
    """Every indicator of the plan (or those `codes` name), in plan order, evaluated from its declared source up to
    `as_of` (today)."""
    from carbonpeak.tracking.models import IndicatorReport, Project

    as_of = as_of or clock.today()
    inputs = _Inputs(plan, as_of, engine.date_t(as_of), _lead_units(plan), defaultdict(list), defaultdict(list),
                     {i.indicator_id: i for i in IssuedTarget.objects.effective(plan)}, Metrics(plan, as_of))
    for r in (IndicatorReport.objects.effective().filter(indicator__plan=plan, period__end__lte=as_of)
              .select_related("period")):
        inputs.reports[r.indicator_id].append(r)
    for pr in (Project.objects.effective().filter(plan=plan, indicator__isnull=False)
               .select_related("town", "responsible_unit").order_by("commissioned_on", "pk")):
        inputs.projects[pr.indicator_id].append(pr)
    indicators = plan.indicators.select_related("task__action", "phase_goal").order_by("position")
    if codes is not None:
        indicators = indicators.filter(code__in=codes)
    return [_evaluate(indicator, inputs) for indicator in indicators]


@dataclass
class _Inputs:
    """Everything one evaluation of a plan reads, fetched once."""

    plan: Plan
    as_of: dt.date
    as_of_t: float
    leads: dict[int, int]
    reports: dict[int, list]
    projects: dict[int, list]
    issued: dict[int, IssuedTarget]
    metrics: Metrics


def _evaluate(indicator: Indicator, inputs: _Inputs) -> IndicatorProgress:
    issued = inputs.issued.get(indicator.pk)
    spec = spec_for(indicator, issued)
    reported = report_history(indicator, inputs.reports.get(indicator.pk, []), inputs.leads.get(indicator.task_id))
    done = lambda ev, used, **kw: IndicatorProgress(indicator, ev, used, issued=issued, **kw)  # noqa: E731
    if indicator.source not in ("reported", "projects"):
        try:
            history = inputs.metrics.series(indicator)
            peak = inputs.metrics.peak if indicator.source == "scenarios.peak_year" else None
            if peak is not None:
                ev = engine.evaluate_peak(spec, peak.p_peak_by, peak.by, history)
            else:
                ev = engine.evaluate(spec, history, as_of=inputs.as_of_t)
        except (MetricError, ValueError) as exc:  # e.g. the scenario gives P(peak by another year)
            return done(engine.evaluate(spec, [], as_of=inputs.as_of_t), "none", error=str(exc), reported=reported)
        return done(ev, indicator.source if history else "none", reported=reported, peak=peak)
    linked = inputs.projects.get(indicator.pk, [])
    if indicator.source == "projects" and linked and indicator.period_years:
        try:
            r = rollup([ProjectQty(p.pk, p.quantity, p.quantity_unit, p.commissioned_on) for p in linked],
                       indicator.unit, indicator.period_years, as_of=inputs.as_of)
        except UnitError as exc:
            return done(engine.evaluate(spec, [], as_of=inputs.as_of_t), "none", error=str(exc))
        counted = {c.id for c in r.contributions}
        return done(engine.evaluate(spec, r.history, as_of=inputs.as_of_t), "projects", rollup=r,
                    projects=[p for p in linked if p.pk in counted])
    return done(engine.evaluate(spec, reported, as_of=inputs.as_of_t), "reports" if reported else "none")


def evaluate_indicator(indicator: Indicator, as_of: dt.date | None = None) -> IndicatorProgress:
    # Evaluating the whole plan costs a fixed number of queries; one indicator is a filter of it.
    for result in evaluate_plan(indicator.plan, as_of):
        if result.indicator.pk == indicator.pk:
            return result
    raise LookupError(indicator.code)


def as_at(result: IndicatorProgress, year: int) -> engine.Evaluation:
    """The indicator's evaluation as it stood at the end of `year` (its values up to then, the same rule): what a
    page about one past year shows. A scenario target has no past: its evaluation is today's."""
    if result.evaluation.rule_key == "peak":
        return result.evaluation
    return engine.evaluate(result.spec, result.evaluation.history, as_of=float(year))


def by_code(results: list[IndicatorProgress]) -> dict[str, IndicatorProgress]:
    return {r.indicator.code: r for r in results}


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
    for action in plan.actions.order_by("number"):  # through the plan: each action's URL needs no query
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
    """Missed, then off-track indicators, each the furthest behind (relative to the tolerance band) first."""
    rows = [r for r in results if r.status in (engine.MISSED, engine.OFF_TRACK)]
    return sorted(rows, key=lambda r: (r.status != engine.MISSED,
                                       -((r.evaluation.shortfall or 0) / (r.evaluation.band or 1))))


# -- values the city issues ----------------------------------------------------------------------------------

def record_issued(actor, indicator: Indicator, value: float, document: str, issued_on: dt.date,
                  note: str = "") -> IssuedTarget:
    """Record the value the city issued for a target the plan leaves open (district office only; audited).

    Raises PermissionDenied for anyone but the office and ValidationError for a target the plan already fixes or
    an empty document; nothing is stored then.
    """
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction

    from carbonpeak.tracking.services import audit

    if not actor.is_admin:
        raise PermissionDenied(_("Only the district office records values issued by the city."))
    if indicator.target_value is not None:
        raise ValidationError(_("%(code)s: the plan already fixes the target (%(target)s); only a target the plan "
                                "leaves to the city takes an issued value.")
                              % {"code": indicator.code, "target": indicator.target_display})
    if not document.strip():
        raise ValidationError(_("document: name the document the value was issued in."))
    longest = IssuedTarget._meta.get_field("document").max_length
    if len(document.strip()) > longest:
        raise ValidationError(_("document: at most %(max)d characters.") % {"max": longest})
    with transaction.atomic():
        issued = IssuedTarget.objects.create(indicator=indicator, value=float(value), document=document.strip(),
                                             issued_on=issued_on, note=note, created_by=actor.db_user)
        audit(actor, "issue_target", issued, after={"indicator": indicator.code, "value": issued.value,
                                                    "document": issued.document,
                                                    "issued_on": issued_on.isoformat()})
    return issued
