"""A real Chromium over the main pages of every app, as the district office (who sees every page) with the demo data:

- at 1440×900 the dashboard's verdict and its figures are above the fold;
- at 390 px (a phone) and at 1440 px, in Chinese and in English, no page scrolls sideways
  (`scrollingElement.scrollWidth <= innerWidth`); wide tables scroll inside themselves;
- the wall screen fills 1920×1080 without scrolling.

Screenshots of every page go to test-results/ (ignored by git) for people to look at.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from carbonpeak.core.tests.members import MEMBER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/plan/{plan}/", "/plan/{plan}/actions/1/", "/plan/{plan}/tasks/1.1/", "/plan/{plan}/units/",
         "/plan/{plan}/indicators/", "/accounting/inventory/2024/", "/accounting/factors/", "/monitoring/",
         "/tracking/", "/tracking/review/", "/tracking/reminders/", "/tracking/projects/", "/scenarios/",
         "/scenarios/plan/", "/scenarios/progress/", "/progress/report/", "/progress/indicators/carbon-peak-year/",
         "/assessment/", "/assessment/2024/", "/assessment/2024/barometer/", "/assessment/2024/notice/", "/review/"]
FIRST_SCREEN = ["#peak-probability", "#verdict-p", "#verdict-p50", "[id^=intensity-]", "#headline-off-track",
                "#headline-units-behind", "#headline-alerts", "#headline-tasks"]


def _shot(page, out: Path, name: str) -> None:
    page.screenshot(path=str(out / f"{name.strip('/').replace('/', '_') or 'home'}.png"))


def test_first_screen_and_no_sideways_scroll_on_any_main_page(page, browser_login, qingpu_plan, members, request):
    call_command("demo", stdout=StringIO())
    out = request.config.rootpath / "test-results" / "layout"
    out.mkdir(parents=True, exist_ok=True)
    browser_login(page, "office", MEMBER_PASSWORD)

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/")
    for selector in FIRST_SCREEN:
        for box in [el.bounding_box() for el in page.locator(selector).all()] or [None]:
            assert box is not None and box["y"] + box["height"] <= 900, (selector, box)

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/cockpit/")
    assert page.evaluate("document.scrollingElement.scrollHeight") <= 1080
    _shot(page, out, "cockpit-1920")

    overflow = []
    for language in ("zh-hans", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
        for width in (390, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            for url in PAGES:
                url = url.format(plan=qingpu_plan.code)
                assert page.goto(url).status == 200, url
                wide = page.evaluate("document.scrollingElement.scrollWidth - innerWidth")
                if wide > 0:
                    overflow.append((language, width, url, wide))
                _shot(page, out, f"{language}-{width}-{url}")
    assert not overflow, overflow
