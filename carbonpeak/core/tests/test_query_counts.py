"""Queries per request of the main pages, fixed numbers (`query_counts.json`, as NetBox keeps them).

Each page is measured on the Qingpu plan with demo reports, projects and energy records, then again after the
data grew (more actions, tasks, indicators, reports, projects, energy records): the count must be the recorded
number both times, so an N+1 (a query per row) fails here. Pages are warmed once first: the first visit may store
a computed inventory, later visits read it.

Counts are cold (the data version just changed, so the dashboard's figures are computed again: `query_counts.json`)
and warm (the same data version again: the figures come from the process' memo, `query_counts_warm.json`).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carbonpeak.accounting import demo as accounting_demo
from carbonpeak.accounting.models import EnergyRecord
from carbonpeak.core import dataversion
from carbonpeak.plan.models import Action, Indicator, Task, TaskUnit
from carbonpeak.tracking import demo as tracking_demo
from carbonpeak.tracking.models import IndicatorReport, Project, ReportingPeriod, ReviewStatus

pytestmark = pytest.mark.django_db

EXPECTED = json.loads((Path(__file__).parent / "query_counts.json").read_text())
EXPECTED_WARM = json.loads((Path(__file__).parent / "query_counts_warm.json").read_text())


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code in (200, 301), url
    return len(ctx.captured_queries)


def _counts(client) -> tuple[dict[str, int], dict[str, int]]:
    """(cold, warm) queries per URL."""
    cold, warm = {}, {}
    for url in EXPECTED:
        client.get(url)  # a first visit may store a computed inventory
        dataversion.written()
        cold[url] = _count(client, url)
        warm[url] = _count(client, url)
    return cold, {url: warm[url] for url in EXPECTED_WARM}


def _grow(plan) -> None:
    """Three more actions, each with a task, a reported and a project-fed indicator, and their data."""
    period = ReportingPeriod.objects.filter(plan=plan, kind="annual").order_by("-end").first()
    unit = plan.units.exclude(kind="group").first()
    for n in range(3):
        action = Action.objects.create(plan=plan, number=90 + n, name_zh=f"扩展行动{n}")
        task = Task.objects.create(action=action, number=1, code=f"{90 + n}.1", title_zh=f"扩展任务{n}")
        TaskUnit.objects.create(task=task, unit=unit, position=0, is_lead=True)
        level = Indicator.objects.create(plan=plan, task=task, code=f"grow-level-{n}", name_zh=f"扩展比例{n}",
                                         comparator=">=", target_value=50, unit="%", target_year=2025,
                                         source_quote="-", position=900 + 2 * n)
        cumulative = Indicator.objects.create(plan=plan, task=task, code=f"grow-count-{n}", name_zh=f"扩展数量{n}",
                                              comparator=">=", target_value=10, unit="个", target_year=2025,
                                              period="2021-2025", aggregation="cumulative", source="projects",
                                              source_quote="-", position=901 + 2 * n)
        IndicatorReport.objects.create(indicator=level, unit=unit, period=period, value=30, value_unit="%",
                                       status=ReviewStatus.APPROVED)
        for k in range(3):
            Project.objects.create(plan=plan, kind="other", name=f"扩展项目{n}-{k}", responsible_unit=unit,
                                   quantity=1, quantity_unit="个", commissioned_on=dt.date(2022, 1 + k, 1),
                                   indicator=cumulative, status=ReviewStatus.APPROVED)
    extra = [EnergyRecord(plan=plan, entity_name=f"grow-{i}", sector="industry", carrier="natural_gas",
                          quantity=1000.0 + i, unit="m3", year=2023) for i in range(50)]
    EnergyRecord.objects.bulk_create(extra)


def test_query_counts_are_fixed_and_do_not_grow_with_the_data(client, qingpu_plan):
    accounting_demo.load_demo(qingpu_plan)
    tracking_demo.load_demo(qingpu_plan)
    before, before_warm = _counts(client)
    _grow(qingpu_plan)
    after, after_warm = _counts(client)
    assert before == after == EXPECTED, {"before": before, "after": after, "recorded": EXPECTED}
    assert before_warm == after_warm == EXPECTED_WARM, {"before": before_warm, "after": after_warm,
                                                        "recorded": EXPECTED_WARM}
