"""The progress of an indicator as data: what `/api/tracking/progress[/{code}]` returns and the dashboard renders.

One function, `indicator_out`, turns an evaluation into the figures people see (value, status, source, series,
reported values beside a computed series); the API serialises it and the dashboard cards read the same dict, so
they cannot disagree.
"""

from __future__ import annotations

from carbonpeak.core.numbers import for_people
from carbonpeak.core.schema import Schema
from carbonpeak.progress import services


class ReportedOut(Schema):
    t: float
    label: str
    reported: float
    computed: float | None
    difference: float | None
    flagged: bool


class IssuedOut(Schema):
    value: float
    document: str
    issued_on: str


class ProgressOut(Schema):
    code: str
    name_zh: str
    task: str | None
    source: str
    series_source: str
    status: str
    status_label: str
    rule: str
    reason: str
    error: str
    unit: str
    comparator: str
    target_value: float | None
    target_year: int
    issued: IssuedOut | None
    trajectory: str
    value: float | None
    value_t: float | None
    value_label: str
    latest_t: float | None
    latest_value: float | None
    expected_now: float | None
    gap_to_trajectory: float | None
    gap_to_target: float | None
    forecast: float | None
    forecast_meets_target: bool | None
    probability: float | None
    history: list[tuple[float, float]]
    reported: list[ReportedOut]
    projects: list[int]


class ProgressSummaryOut(Schema):
    counts: dict[str, int]
    off_track: list[str]
    indicators: list[ProgressOut]


def indicator_out(result: services.IndicatorProgress) -> dict:
    """One indicator's progress: its declared source, the series used, the value and the status."""
    ev, indicator, spec = result.evaluation, result.indicator, result.spec
    issued = result.issued
    return {
        "code": indicator.code, "name_zh": indicator.name_zh,
        "task": indicator.task.code if indicator.task_id else None,
        "source": result.source, "series_source": result.series_source,
        "status": ev.status, "status_label": result.status_label, "rule": result.rule, "reason": result.reason,
        "error": result.error, "unit": indicator.unit, "comparator": spec.comparator, "target_value": spec.target,
        "target_year": indicator.target_year, "trajectory": spec.trajectory,
        "issued": None if issued is None else {"value": issued.value, "document": issued.document,
                                               "issued_on": issued.issued_on.isoformat()},
        "value": ev.latest_value, "value_t": ev.latest_t, "value_label": for_people(ev.latest_value),
        "latest_t": ev.latest_t, "latest_value": ev.latest_value, "expected_now": ev.expected_now,
        "gap_to_trajectory": ev.gap_to_trajectory, "gap_to_target": ev.gap_to_target, "forecast": ev.forecast,
        "forecast_meets_target": ev.forecast_meets_target, "probability": ev.probability,
        "history": [tuple(p) for p in ev.history], "reported": result.differences,
        "projects": [p.pk for p in result.projects],
    }


def summary_out(results: list[services.IndicatorProgress]) -> dict:
    return {
        "counts": services.status_counts(results),
        "off_track": [r.indicator.code for r in services.off_track(results)],
        "indicators": [indicator_out(r) for r in results],
    }
