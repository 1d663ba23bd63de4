"""A real Chromium opens the overview, a task page and a unit page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_overview_task_and_unit_pages(page, qingpu_plan):
    page.goto(f"/plan/{qingpu_plan.code}/")
    assert page.locator("#count-actions").inner_text() == "10"
    assert page.locator("#count-tasks").inner_text() == "35"
    page.get_by_role("link", name="能源低碳转型行动").click()
    page.get_by_role("link", name="1.1 大力发展非化石能源").click()
    assert page.locator("#task-title").inner_text() == "1.1 大力发展非化石能源"
    assert page.locator("#lead-unit").inner_text() == "区发改委"
    assert "29.4" in page.locator("table.indicators").inner_text()
    page.locator("#task-units").get_by_role("link", name="区经委", exact=True).click()
    assert page.locator("#unit-name").inner_text().startswith("区经委")
    rows = page.locator("#unit-tasks tbody tr")
    assert rows.count() >= 20
    assert "2.4" in page.locator("#unit-tasks").inner_text()


def test_language_switch_to_english(page, qingpu_plan):
    page.goto(f"/plan/{qingpu_plan.code}/tasks/1.1/")
    page.click("button[data-lang=en]")
    page.wait_for_load_state("networkidle")
    assert "Responsible units" in page.content()
