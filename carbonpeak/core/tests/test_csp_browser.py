"""The main pages pass their own Content-Security-Policy in a real Chromium: every inline script and style sheet
carries the request's nonce, no page has an inline event handler, no script needs eval."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/plan/", "/scenarios/", "/monitoring/", "/accounting/", "/accounts/login/", "/api/docs"]
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def test_main_pages_log_no_content_security_policy_violation(page, qingpu_plan):
    from carbonpeak.scenarios.demo import load_demo

    load_demo(qingpu_plan)  # the scenarios page then draws its charts from an inline, nonce'd script
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(RECORD_VIOLATIONS)
    nonced = 0
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], path
        nonced += page.locator("script[nonce]").count()
        if path == "/scenarios/":  # its inline script drew the comparison chart: nonce'd scripts do run
            page.locator("#chart-compare canvas").wait_for()
    assert console == []
    assert nonced > 0
