"""A real Chromium edits a lever in the scenario editor and sees the peak year change."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editing_a_lever_changes_the_peak_year(page, browser_login, qingpu_plan):
    get_user_model().objects.create_superuser("planner", password="pw-123456")  # the district office
    browser_login(page, "planner", "pw-123456")
    page.goto("/scenarios/plan/")
    peak = page.locator("#peak-year")
    before = peak.inner_text()
    assert before.startswith(">")  # the plan as written has not peaked by the median draw within 2035
    expect(page.locator("#chart-bands canvas")).to_have_count(1)  # ECharts drew the bands
    # switch on the grid emission-factor path and re-run (HTMX swaps the result panel)
    page.check("input[name=lever-grid-enabled]")
    page.click("#save-run")
    expect(page.locator("#version")).to_have_text("v2")
    after = peak.inner_text()
    assert after != before and after.isdigit() and int(after) <= 2035
    expect(page.locator("#chart-wedges canvas")).to_have_count(1)
    expect(page.locator("#chart-histogram canvas")).to_have_count(1)
    expect(page.locator("#chart-tornado canvas")).to_have_count(1)  # which inputs move P(peak by 2030)
    # the comparison page shows the new version
    page.goto("/scenarios/")
    expect(page.locator("tr[data-slug=plan] td").nth(2)).to_have_text("2")


def test_anonymous_visitor_sees_a_read_only_editor(page, qingpu_plan):
    page.goto("/scenarios/baseline/")
    expect(page.locator("#save-run")).to_be_disabled()
    expect(page.locator("#chart-histogram canvas")).to_have_count(1)
