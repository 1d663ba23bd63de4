"""The dashboard's wall screen and PDFs read like the dashboard: every role (anonymous included) gets them, nothing
is written; with CARBONPEAK_PRIVATE=true anonymous visitors are sent to log in. (The assessment notice PDF is the
notice's: district only, in assessment/tests/test_access.py.)"""

import pytest

pytestmark = pytest.mark.django_db
ROLES = (None, "nobody", "leader", "reporter-a", "reviewer-a", "office")
PAGES = ["/cockpit/", "/dashboard.pdf", "/progress/report.pdf"]


def test_every_role_reads_them_and_nothing_changes(as_user, members, db_state):
    for url in PAGES:  # the first view may fill derived caches (the accounting inventory run)
        as_user(members["office"]).get(url)
    before = db_state()
    for who in ROLES:
        c = as_user(members.get(who))
        for url in PAGES:
            assert c.get(url).status_code == 200, (who, url)
            assert c.post(url).status_code == 405, (who, url)
    assert db_state() == before


def test_private_setting_sends_anonymous_visitors_to_log_in(as_user, members, settings):
    settings.CARBONPEAK_PRIVATE = True
    for url in PAGES:
        r = as_user(None).get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), url
