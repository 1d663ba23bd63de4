"""The Qingpu demo: a 2024 assessment with every grade and a barometer of all three colours, built from the
plan's own towns on top of the accounting demo."""

import pytest

from carbonpeak.accounting import demo as accounting_demo
from carbonpeak.assessment import demo, services
from carbonpeak.assessment.models import Allocation
from carbonpeak.tracking.services import ensure_periods

pytestmark = pytest.mark.django_db


def test_demo_gives_varied_grades_and_all_colours(qingpu_plan):
    accounting_demo.load_demo(qingpu_plan)
    ensure_periods(qingpu_plan, 2024, 2024, quarterly=False)
    demo.load_demo(qingpu_plan)
    demo.load_demo(qingpu_plan)  # idempotent
    assert Allocation.objects.filter(plan=qingpu_plan, status="approved").count() == 2
    result = services.run(qingpu_plan, 2024)
    towns = qingpu_plan.units.filter(kind__in=["town", "street"]).count()
    assert len(result["units"]) == towns == 11
    assert {u["grade"] for u in result["units"]} == {"exceeded", "completed", "basic", "failed"}
    assert any(u["veto"] for u in result["units"])
    colours = {r["colour"] for r in services.barometer(qingpu_plan, 2024)}
    assert {"red", "amber", "green"} <= colours
    reward = services.reward(qingpu_plan, 2024)
    assert reward["distributed_fen"] == reward["pool_fen"] == 500_000_000
