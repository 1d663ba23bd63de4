"""The plan registry is public text: every page and API route answers every role (nothing in it is written through
the web), and with CARBONPEAK_PRIVATE=true it answers members only."""

import pytest

pytestmark = pytest.mark.django_db
ROLES = (None, "leader", "reporter-a", "reviewer-a", "office")
PAGES = ["/plan/qingpu-2022/", "/plan/qingpu-2022/actions/1/", "/plan/qingpu-2022/units/",
         "/plan/qingpu-2022/units/zhujiajiao/", "/plan/qingpu-2022/indicators/", "/", "/progress/report/"]
API = ["/api/plan/plans", "/api/plan/plans/qingpu-2022", "/api/plan/plans/qingpu-2022/export",
       "/api/plan/plans/qingpu-2022/tasks", "/api/plan/plans/qingpu-2022/units",
       "/api/plan/plans/qingpu-2022/units/zhujiajiao", "/api/plan/plans/qingpu-2022/indicators?year=2025"]


def test_public_by_default(as_user, members, db_state):
    before = db_state()
    for who in ROLES:
        c = as_user(members.get(who))
        for url in PAGES + API:
            assert c.get(url).status_code == 200, (who, url)
        for method in ("post", "put", "patch", "delete"):
            assert getattr(c, method)("/api/plan/plans/qingpu-2022").status_code == 405
    assert db_state() == before


def test_private_setting_closes_everything_to_anonymous(as_user, members, settings):
    settings.CARBONPEAK_PRIVATE = True
    c = as_user(None)
    for url in PAGES:
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), url
    for url in API:
        assert c.get(url).status_code == 401, url
    assert c.get("/accounts/login/").status_code == 200 and c.get("/healthz").status_code == 200
    c = as_user(members["reporter-a"])
    for url in PAGES + API:
        assert c.get(url).status_code == 200, url


def test_bad_year_is_422(client, qingpu_plan):
    for year in (0, 99999, -276):
        assert client.get(f"/api/plan/plans/qingpu-2022/indicators?year={year}").status_code == 422
