"""The demo's reporting periods follow the platform's clock: there is always a just-ended quarter to report."""
import pytest

from carbonpeak.tracking import selectors
from carbonpeak.tracking.demo import load_demo
from carbonpeak.tracking.models import IndicatorReport, ReportingPeriod


@pytest.mark.parametrize(("today", "report_quarter", "quarters"), [
    ("2026-11-25", "2026Q3", ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]),
    # in January the quarter that has just ended is last year's fourth
    ("2027-01-15", "2026Q4", ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027Q1", "2027Q2", "2027Q3", "2027Q4"]),
    ("2031-06-30", "2031Q1", ["2031Q1", "2031Q2", "2031Q3", "2031Q4"]),
])
def test_demo_periods_and_the_quarter_to_report_follow_the_clock(qingpu_plan, clock, today, report_quarter, quarters):
    clock(today)
    load_demo(qingpu_plan)
    made = ReportingPeriod.objects.filter(plan=qingpu_plan, kind="quarterly").order_by("start")
    assert [p.code for p in made] == quarters
    assert selectors.default_report_period(qingpu_plan).code == report_quarter
    # the demo reports values only for quarters that have ended by the clock's today
    reported = set(IndicatorReport.objects.filter(period__kind="quarterly").values_list("period__end", flat=True))
    assert reported and max(reported) < clock(today)
