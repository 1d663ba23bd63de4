"""Two plans in one database (Qingpu = A, the example district = B), both with demo data: plan-scoped URLs
(`/p/<code>/…`), who sees which plan, the switcher, and that B's pages and API lists show nothing of A."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import get_script_prefix, reverse

from carbonpeak.api import api
from carbonpeak.plan.loader import load_plan_file
from conftest import PLANS
from carbonpeak.monitoring.models import Site
from carbonpeak.tracking.models import ApiToken, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_plans(qingpu_plan, example_plan, settings):
    """A (Qingpu, the default landing plan) and B (the example district), each with its own demo data."""
    settings.CARBONPEAK_PLAN_CODE = qingpu_plan.code
    for plan in (qingpu_plan, example_plan):
        call_command("demo", plan=plan.code, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    return qingpu_plan, example_plan


@pytest.fixture
def users(two_plans, django_user_model, settings):
    """office-a / reporter-a (A), office-b (B), both (A's leader and B's office) and a superuser."""
    a, b = two_plans
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    made = {name: django_user_model.objects.create_user(name, password="pw-scope-123")
            for name in ("office-a", "reporter-a", "office-b", "both")}
    Membership.objects.create(user=made["office-a"], unit=a.units.get(code="fgw"), role="admin")
    Membership.objects.create(user=made["reporter-a"], unit=a.units.get(code="zhujiajiao"), role="reporter")
    Membership.objects.create(user=made["office-b"], unit=b.units.get(code="fgw"), role="admin")
    Membership.objects.create(user=made["both"], unit=a.units.get(code="fgw"), role="leader")
    Membership.objects.create(user=made["both"], unit=b.units.get(code="fgw"), role="admin")
    made["root"] = django_user_model.objects.create_superuser("root", password="pw-scope-123")
    return made


def a_only_marks(a, b) -> set[str]:
    """Strings that name A and nothing of B: A's district, its units' names, its sites' codes and names."""
    b_names = set(b.units.values_list("name_zh", flat=True))
    marks = {a.district_zh, a.code}
    marks |= {name for name in a.units.values_list("name_zh", flat=True) if name not in b_names and len(name) > 2}
    marks |= set(Site.objects.filter(plan=a).values_list("code", flat=True))
    marks |= {name for name in Site.objects.filter(plan=a).values_list("name", flat=True)
              if not Site.objects.filter(plan=b, name=name).exists()}
    return marks


def page_urls(client, prefix: str) -> list[str]:
    """The home page and every app's index, as the navigation of B's home page links them."""
    home = client.get(prefix)
    assert home.status_code == 200
    return [prefix] + [item["url"] for item in home.context["nav_items"]]


def api_list_urls(prefix: str) -> list[str]:
    """Every GET route of the API without a path parameter (lists, overviews), under `prefix`."""
    schema = api.get_openapi_schema()
    return [f"{prefix}api{path.removeprefix('/api')}" for path, ops in schema["paths"].items()
            if "get" in ops and "{" not in path]


def test_every_page_and_api_list_of_b_shows_nothing_of_a(client, two_plans, users):
    a, b = two_plans
    assert Site.objects.filter(plan=a).exists() and Site.objects.filter(plan=b).exists()
    marks = a_only_marks(a, b)
    client.force_login(users["office-b"])
    prefix = f"/p/{b.code}/"
    urls = page_urls(client, prefix)
    assert all(url.startswith(prefix) for url in urls[1:]), urls  # links made while serving B carry B's prefix
    urls += [reverse("plan:overview", args=[b.code]), f"{prefix}plan/{b.code}/units/"] + api_list_urls(prefix)
    checked = 0
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code < 500, url
        if response.status_code == 200:
            body = response.content.decode()
            assert not [m for m in marks if m in body], (url, [m for m in marks if m in body])
            checked += 1
    assert checked > 20


def test_b_lists_only_bs_sites_scenarios_and_alerts(client, two_plans, users):
    a, b = two_plans
    client.force_login(users["root"])
    sites = {s["code"] for s in client.get(f"/p/{b.code}/api/monitoring/sites").json()}
    assert sites == set(Site.objects.filter(plan=b).values_list("code", flat=True)) and sites
    alerts = client.get(f"/p/{b.code}/api/monitoring/overview").json()["alerts"]
    assert {x["site"] for x in alerts} <= sites
    a_scenarios = client.get(f"/p/{a.code}/api/scenarios/").json()
    b_scenarios = client.get("/api/scenarios/", {"plan": b.code}).json()  # ?plan= agrees with the prefix
    assert b_scenarios == client.get(f"/p/{b.code}/api/scenarios/").json()
    assert a_scenarios and b_scenarios and a_scenarios != b_scenarios


def test_a_user_gets_404_for_bs_plan_and_b_is_not_in_their_switcher(client, two_plans, users, db_state):
    a, b = two_plans
    for name in ("office-a", "reporter-a"):
        client.force_login(users[name])
        home = client.get(f"/p/{a.code}/")  # (a first visit may store A's computed inventory)
        assert home.status_code == 200 and b.district_zh not in home.content.decode()
        assert 'id="plan-switcher"' not in home.content.decode()
        assert client.get("/").context["plan"] == a  # unprefixed: their only plan
        assert [p["code"] for p in client.get("/api/plan/plans").json()] == [a.code]
        before = db_state()
        for url in (f"/p/{b.code}/", f"/p/{b.code}/monitoring/", f"/p/{b.code}/tracking/",
                    f"/p/{b.code}/scenarios/", f"/p/{b.code}/api/monitoring/sites", f"/plan/{b.code}/",
                    f"/api/plan/plans/{b.code}", f"/api/scenarios/?plan={b.code}", f"/api/tracking/periods?plan={b.code}"):
            assert client.get(url).status_code == 404, (name, url)
        assert client.post(f"/p/{b.code}/api/scenarios/", {"name": "x"}, content_type="application/json"
                           ).status_code == 404
        assert client.post(f"/api/tracking/projects?plan={b.code}", {"name": "x"},
                           content_type="application/json").status_code == 404
        assert db_state() == before


def test_a_member_of_both_switches_and_lands_on_the_last_chosen(client, two_plans, users):
    a, b = two_plans
    client.force_login(users["both"])
    page = client.get(f"/p/{a.code}/monitoring/").content.decode()
    assert 'id="plan-switcher"' in page and f'href="/p/{b.code}/monitoring/"' in page
    assert client.get(f"/p/{b.code}/monitoring/").status_code == 200  # B's office there
    assert client.get("/").context["plan"] == b  # the session remembers the plan chosen last
    assert client.get(f"/p/{a.code}/").context["plan"] == a
    assert client.get("/").context["plan"] == a
    sites = {s["code"] for s in client.get(f"/p/{a.code}/api/monitoring/sites").json()}
    assert sites == set(Site.objects.filter(plan=a).values_list("code", flat=True))


def test_the_prefix_survives_links_login_and_language_and_is_reset_after(client, two_plans):
    _a, b = two_plans
    prefix = f"/p/{b.code}/"
    response = client.get(f"{prefix}tracking/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{prefix}accounts/login/?next=/p/{b.code}/tracking/")
    page = client.get(prefix).content.decode()
    assert f'value="{prefix}"' in page  # the language switch's `next`
    assert f'action="{prefix}i18n/setlang/"' in page and f'href="{prefix}plan/"' in page
    assert get_script_prefix() == "/"  # the test client (or a server thread) does not keep B's prefix
    assert client.get(f"{prefix}accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200 and client.get(f"{prefix}healthz").status_code == 200


def test_an_unknown_plan_or_a_disagreeing_plan_is_404(client, two_plans):
    a, b = two_plans
    assert client.get("/p/no-such-plan/").status_code == 404
    assert client.get("/p/no-such-plan/api/plan/plans").status_code == 404
    assert client.get("/api/scenarios/?plan=no-such-plan").status_code == 404
    assert client.get(f"/p/{a.code}/api/scenarios/?plan={b.code}").status_code == 404


def test_an_api_token_acts_only_inside_its_plan(client, two_plans, db_state):
    a, b = two_plans
    _token, raw = ApiToken.generate(unit=a.units.get(code="zhujiajiao"), name="scope")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/tracking/periods", **auth).status_code == 200  # its own plan by default
    assert client.get("/api/tracking/indicator-reports", **auth).status_code == 200
    before = db_state()  # (the last use is stamped on the token)
    refused = client.get(f"/p/{b.code}/api/tracking/indicator-reports", **auth)
    assert refused.status_code == 401  # not a credential in B at all
    body = {"indicator": b.indicators.first().code, "unit": "donghu", "period": "x", "value": 1}
    assert client.post(f"/p/{b.code}/api/tracking/indicator-reports", body, content_type="application/json",
                       **auth).status_code == 401
    assert db_state() == before


def test_a_district_member_sees_its_city_plan_and_not_a_sibling(client, qingpu_plan, example_plan,
                                                                 django_user_model):
    city = load_plan_file(str(PLANS / "shanghai-2022.yaml")).plan
    qingpu_plan.refresh_from_db()
    assert qingpu_plan.parent == city and example_plan.parent is None
    user = django_user_model.objects.create_user("district-office")
    Membership.objects.create(user=user, unit=qingpu_plan.units.get(code="fgw"), role="admin")
    client.force_login(user)
    assert client.get(f"/plan/{city.code}/districts/").status_code == 200
    assert client.get(f"/p/{city.code}/").status_code == 200
    assert client.get(f"/plan/{example_plan.code}/").status_code == 404
    page = client.get(f"/p/{qingpu_plan.code}/plan/").url
    assert page == f"/p/{qingpu_plan.code}/plan/{qingpu_plan.code}/"  # the plan index follows the prefix's plan
