"""A real Chromium through the monthly loop: the reporter types values and "submit all" saves and submits them;
the reviewer sees the previous value and the change, bulk-approves one and cannot return another without a comment;
the office sends a reminder to an overdue unit."""

import pytest

from carbonpeak.tracking import services
from carbonpeak.tracking.models import IndicatorReport, Notification
from carbonpeak.tracking.permissions import actor_for_user, unit_indicators

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page) -> None:
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_reporting_loop(page, browser_login, members, qingpu_plan):
    from carbonpeak.core.tests.members import MEMBER_PASSWORD

    periods = {p.code: p for p in services.ensure_periods(qingpu_plan, 2026, 2026)}
    q2, q3 = periods["2026Q2"], periods["2026Q3"]
    unit = qingpu_plan.units.get(code="zhujiajiao")
    first, second = unit_indicators(unit).filter(plan=qingpu_plan, kind="quantitative")[:2]
    reporter, reviewer = actor_for_user(members["reporter-a"]), actor_for_user(members["reviewer-a"])
    services.approve(reviewer, services.submit(reporter, services.save_indicator_report(
        reporter, indicator=first, unit=unit, period=q2, value=10)))

    browser_login(page, "reporter-a", MEMBER_PASSWORD)
    assert page.url.endswith("/tracking/") and page.locator("#todo-due").count() == 1
    page.goto(f"/tracking/periods/{q3.pk}/units/zhujiajiao/")
    page.fill(f"#value-{first.code}", "12.5")
    page.fill(f"#note-{first.code}", "含新增屋顶光伏")
    page.fill(f"#value-{second.code}", "3")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.click("#nav-reminders")  # leaving with typed values asks first; staying keeps them
    for _poll in range(50):
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == ["beforeunload"] and "/units/zhujiajiao/" in page.url
    assert page.input_value(f"#value-{first.code}") == "12.5"
    page.click("#submit-all")
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages li.success").count() == 1
    for indicator in (first, second):
        assert page.locator(f"#ind-{indicator.code}").get_attribute("data-status") == "submitted"
    _logout(page)

    browser_login(page, "reviewer-a", MEMBER_PASSWORD)
    page.goto("/tracking/review/")
    row = page.locator(f"#review-indicator-{first.code}-zhujiajiao")
    assert row.locator("td.previous").inner_text().startswith("10")
    assert row.locator("td.change").inner_text().strip() == "+2.5"
    assert "含新增屋顶光伏" in row.locator("td.note").inner_text()
    row.locator("input.bulk-tick").check()
    page.click("#bulk-approve-button")
    page.wait_for_load_state("networkidle")
    assert IndicatorReport.objects.get(indicator=first, period=q3).status == "approved"
    assert page.locator(f"#review-indicator-{first.code}-zhujiajiao").count() == 0
    other = page.locator(f"#review-indicator-{second.code}-zhujiajiao")
    other.locator("button.return").click()
    page.wait_for_load_state("networkidle")
    error = page.locator(f"#review-indicator-{second.code}-zhujiajiao .row-error")
    assert error.inner_text().strip() == "请填写退回理由。"
    assert IndicatorReport.objects.get(indicator=second, period=q3).status == "submitted"
    _logout(page)

    browser_login(page, "office", MEMBER_PASSWORD)
    page.goto("/tracking/reminders/")
    page.locator("#reminders tr[data-unit='liantang'][data-period='2026Q3'] button.remind-one").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages li.success").count() == 1
    assert page.locator("#notification-log tr[data-unit='liantang'][data-status='sent']").count() >= 1
    assert Notification.objects.filter(unit__code="liantang", period=q3, recipient=members["reporter-b"]).exists()
