"""A real Chromium: a town reporter submits a value, the town's reviewer approves it, the dashboard changes.

The demo data is loaded first, so the district dashboard is the living one a new user sees: green travel share
(≥ 75% by 2025) is missed on the lead unit's history (68% in 2025). 朱家角镇 answers for that target through
各镇、街道; its approved value for the quarter just ended (80%) becomes the latest district value for that period
(no lead unit value for it), which meets the target — one target moves from missed to on track.
"""

import pytest

from carbonpeak.tracking.demo import load_demo
from carbonpeak.tracking.models import IndicatorReport, ReportingPeriod
from carbonpeak.tracking.users import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "green-transport-share-2025"


def _counts(page) -> dict[str, int]:
    page.goto("/")
    box = page.locator("#status-counts")
    return {s: int(box.get_attribute(f"data-{s}")) for s in ("ontrack", "atrisk", "offtrack", "missed", "nodata")}


def _logout(page) -> None:
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_reporter_submits_reviewer_approves_dashboard_changes(page, browser_login, qingpu_plan, clock):
    today = clock("2026-11-25")  # the demo's history and the period being reported follow the platform's clock
    load_demo(qingpu_plan)
    period = (ReportingPeriod.objects.filter(plan=qingpu_plan, kind="quarterly", end__lt=today)
              .order_by("-end").first())
    assert period is not None and period.code == "2026Q3"

    before = _counts(page)
    assert before["missed"] >= 3
    off_track = page.locator(f"#off-track-list tr[data-code='{CODE}']")
    assert off_track.count() == 1

    browser_login(page, "zhujiajiao-reporter", DEMO_PASSWORD)
    page.goto(f"/tracking/periods/{period.pk}/units/zhujiajiao/")
    page.fill(f"#value-{CODE}", "80")
    page.click(f"#submit-{CODE}")
    page.locator(f"#ind-{CODE}[data-status='submitted']").wait_for()
    assert _counts(page) == before  # submitted, not approved: nothing changes yet
    _logout(page)

    browser_login(page, "zhujiajiao-reviewer", DEMO_PASSWORD)
    page.goto("/tracking/review/")
    row = page.locator(f"#review-indicator-{CODE}-zhujiajiao")
    row.locator("input[name=comment]").fill("核对无误")
    row.locator("button.approve").click()
    page.wait_for_load_state("networkidle")
    assert IndicatorReport.objects.filter(indicator__code=CODE, unit__code="zhujiajiao", status="approved").exists()

    after = _counts(page)
    assert after["missed"] == before["missed"] - 1
    assert after["ontrack"] == before["ontrack"] + 1
    assert int(page.locator("#off-track-list").get_attribute("data-count")) == after["offtrack"] + after["missed"]
    assert page.locator(f"#off-track-list tr[data-code='{CODE}']").count() == 0

    page.goto(f"/tracking/indicators/{CODE}/")
    assert page.locator("#indicator-status").get_attribute("data-status") == "on_track"
    assert page.locator("#status-rule").inner_text().strip()
    assert page.locator("#progress-chart canvas").count() == 1  # ECharts drew the chart
