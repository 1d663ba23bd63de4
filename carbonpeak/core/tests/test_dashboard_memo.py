"""The dashboard's figures are computed once per data version and day (core.memo, core.dataversion): two pages
without a write do the work once, and after any kind of write the next page shows the figures the services
compute from the new data."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from carbonpeak.accounting import demo as accounting_demo
from carbonpeak.accounting import services as accounting
from carbonpeak.core import dataversion, memo
from carbonpeak.core.views import headline
from carbonpeak.tracking import demo as tracking_demo
from carbonpeak.tracking import services as tracking
from carbonpeak.tracking.permissions import actor_for_user, unit_indicators

pytestmark = pytest.mark.django_db

BIG_YEAR = """entity,sector,carrier,quantity,unit,year
Steel works,industry,raw_coal,900000,t,2025
"""


@pytest.fixture
def dashboard(qingpu_plan, client, members):
    """`dashboard()`: the office's dashboard page; returns (its headline if it was computed, memoised computations
    it ran)."""
    accounting_demo.load_demo(qingpu_plan)
    tracking_demo.load_demo(qingpu_plan)
    client.force_login(members["office"])

    def visit() -> tuple[dict, int]:
        before = memo.computed["count"]
        response = client.get("/")
        assert response.status_code == 200
        return response.context.get("headline"), memo.computed["count"] - before

    return visit


def _fresh(client_request, plan) -> dict:
    """The headline as the services compute it now, outside any memo scope."""
    return headline(client_request, plan)


def test_two_pages_without_a_write_compute_once(dashboard):
    _figures, first = dashboard()
    _figures, second = dashboard()
    assert first > 0 and second == 0


def test_a_bulk_import_of_energy_records_shows_on_the_next_page(dashboard, qingpu_plan, rf, members):
    before, _ = dashboard()
    accounting.import_records(qingpu_plan, BIG_YEAR, "big.csv")  # bulk_create: no model signals
    after, computed = dashboard()
    request = rf.get("/")
    request.user = members["office"]
    assert computed > 0 and after == _fresh(request, qingpu_plan) and after != before


def test_a_report_approved_through_the_workflow_shows_on_the_next_page(dashboard, qingpu_plan, rf, members):
    dashboard()
    period = tracking.ensure_periods(qingpu_plan, 2026, 2026)[-1]
    unit = qingpu_plan.units.get(code="zhujiajiao")
    indicator = unit_indicators(unit).filter(plan=qingpu_plan, kind="quantitative").first()
    reporter, reviewer = actor_for_user(members["reporter-a"]), actor_for_user(members["reviewer-a"])
    tracking.approve(reviewer, tracking.submit(reporter, tracking.save_indicator_report(
        reporter, indicator=indicator, unit=unit, period=period, value=10)))
    after, computed = dashboard()
    request = rf.get("/")
    request.user = members["office"]
    assert computed > 0 and after == _fresh(request, qingpu_plan)


def test_raw_sql_writes_change_the_version_and_a_rolled_back_one_does_not(qingpu_plan):
    start = dataversion.current()
    with connection.cursor() as c:
        c.execute("UPDATE plan_plan SET name_en = name_en WHERE id = %s", [qingpu_plan.pk])
    after_raw = dataversion.current()
    assert after_raw != start
    try:
        with transaction.atomic():
            qingpu_plan.save()
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert dataversion.current() == after_raw


@pytest.mark.django_db(transaction=True)
def test_in_a_real_transaction_the_version_changes_at_commit_and_not_at_rollback(qingpu_plan):
    """As in production (no test transaction around): the version row is written after the commit, so no writer
    holds its lock; a rolled-back transaction leaves it as it was."""
    from carbonpeak.core.models import DataVersion

    DataVersion.objects.get_or_create(pk=1, defaults={"token": "start"})  # a transactional test's flush drops it
    start = dataversion.current()
    with transaction.atomic():
        qingpu_plan.save()
        assert dataversion.current() == start
    committed = dataversion.current()
    assert committed != start
    with pytest.raises(RuntimeError), transaction.atomic():
        qingpu_plan.save()
        raise RuntimeError("rolled back")
    assert dataversion.current() == committed
