"""Monitoring access: enterprise-level data (sites' consumption, meters, rejects) needs a logged-in member; a
gateway writes only its own sites' meters; one hostile reading never fails the batch."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from carbonpeak.monitoring.models import Gateway, Meter, MeterReading, RejectedReading, Site

from .conftest import Q, T0

JSON = "application/json"
pytestmark = pytest.mark.django_db
API_READS = ["/api/monitoring/sites", "/api/monitoring/sites/pb-1", "/api/monitoring/meters",
             "/api/monitoring/rejects", "/api/monitoring/overview", "/api/monitoring/accounting-feed?year=2024"]
PAGES = ["/monitoring/", "/monitoring/sites/pb-1/", "/monitoring/rejects/"]


@pytest.fixture
def two_sites(meters):
    b = Site.objects.create(code="pb-2", name="Office B", kind="public_building", building_type="office",
                            floor_area_m2=5_000)
    Meter.objects.create(site=b, code="B1", carrier="electricity", unit="kWh")
    gw_a, token_a = Gateway.issue("gw-a", site=Site.objects.get(code="pb-1"))
    return {"token_a": token_a, "site_b": b}


def test_enterprise_reads_need_a_member(client, as_user, db_state, members, two_sites):
    for url in API_READS:
        before = db_state()
        assert as_user(None).get(url).status_code == 401, url
        assert as_user(members["nobody"]).get(url).status_code == 403, url
        assert as_user(None).get(url, HTTP_AUTHORIZATION=f"Bearer {two_sites['token_a']}").status_code == 401, url
        assert db_state() == before
        for who in ("leader", "reviewer-a", "reporter-b"):
            assert as_user(members[who]).get(url).status_code == 200, (url, who)
    for url in PAGES:
        assert as_user(None).get(url).status_code == 302, url
        assert as_user(members["nobody"]).get(url).status_code == 403, url
        assert as_user(members["leader"]).get(url).status_code == 200, url


def _post(client, token, readings):
    return client.post("/api/monitoring/readings", {"readings": readings}, content_type=JSON,
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def test_gateway_of_site_a_cannot_write_site_b(client, two_sites, members, as_user):
    for who in (None, "office"):  # a session, even the office's, is not a gateway
        assert as_user(members.get(who)).post("/api/monitoring/readings", {"readings": []},
                                              content_type=JSON).status_code == 401
    r = _post(client, two_sites["token_a"], [{"meter": "B1", "ts": T0, "value": 1.0},
                                             {"meter": "M1", "ts": T0, "value": 1.0}])
    assert r.status_code == 200 and r.json()["inserted"] == 1 and r.json()["rejected"] == 1
    assert not MeterReading.objects.filter(meter__code="B1").exists()
    assert RejectedReading.objects.get().reason == "gateway is not allowed to write this meter"


def test_overflowing_timestamps_are_rejected_row_by_row(client, two_sites):
    bad = [1e19, "99999999999999999999", -1e19, "inf", 2**63]
    readings = [{"meter": "M1", "ts": ts, "value": 1.0} for ts in bad]
    readings += [{"meter": "M1", "ts": T0 + 900 * i, "value": float(i)} for i in range(3)]
    r = _post(client, two_sites["token_a"], readings)
    assert r.status_code == 200, r.content
    assert r.json()["inserted"] == 3 and r.json()["rejected"] == len(bad)
    assert MeterReading.objects.filter(meter__code="M1").count() == 3
    assert RejectedReading.objects.count() == len(bad)
    assert set(RejectedReading.objects.values_list("reason", flat=True)) <= {
        "timestamp out of range", "timestamp is not finite"}


def test_bad_parameters_answer_422(as_user, members, two_sites):
    c = as_user(members["leader"])
    for url in ("/api/monitoring/rejects?limit=-1", "/api/monitoring/accounting-feed?year=0",
                "/api/monitoring/accounting-feed?year=99999"):
        assert c.get(url).status_code == 422, url


def test_gateway_scope_is_explicit(qingpu_plan, two_sites):
    with pytest.raises(CommandError, match="--site|--all-sites"):
        call_command("meters", "gateway", "unscoped", stdout=StringIO())
    assert not Gateway.objects.filter(name="unscoped").exists()
    call_command("meters", "gateway", "everywhere", "--all-sites", stdout=StringIO())
    call_command("meters", "gateway", "one", "--site", "pb-2", stdout=StringIO())
    everywhere = Gateway.objects.get(name="everywhere")
    assert everywhere.plan == qingpu_plan
    assert everywhere.allowed_site_ids() == set(Site.objects.filter(plan=qingpu_plan).values_list("id", flat=True))
    assert everywhere.allowed_site_ids() == {Site.objects.get(code="pb-1").pk, two_sites["site_b"].pk}
    assert Gateway.objects.get(name="one").allowed_site_ids() == {two_sites["site_b"].pk}
    with pytest.raises(CommandError, match="no plan 'nowhere' is loaded"):
        call_command("meters", "gateway", "lost", "--all-sites", "--plan", "nowhere", stdout=StringIO())
    assert not Gateway.objects.filter(name="lost").exists()


def test_a_plan_wide_gateway_writes_only_its_plans_sites(client, qingpu_plan, example_plan):
    ours = Site.objects.create(code="q-1", name="Ours", kind="public_building", plan=qingpu_plan)
    theirs = Site.objects.create(code="e-1", name="Theirs", kind="public_building", plan=example_plan)
    Meter.objects.create(site=ours, code="Q1", carrier="electricity", unit="kWh", register_kind="interval")
    Meter.objects.create(site=theirs, code="E1", carrier="electricity", unit="kWh", register_kind="interval")
    out = StringIO()
    call_command("meters", "gateway", "q-all", "--all-sites", "--plan", qingpu_plan.code, stdout=out)
    token = out.getvalue().split("token ", 1)[1].split()[0]
    assert Gateway.objects.get(name="q-all").plan == qingpu_plan
    r = _post(client, token, [{"meter": "E1", "ts": T0, "value": 1.0}])
    assert r.status_code == 200 and (r.json()["inserted"], r.json()["rejected"]) == (0, 1)
    assert not MeterReading.objects.exists()
    reason = f"meter belongs to a site outside the gateway's plan ({qingpu_plan.code})"
    assert RejectedReading.objects.get(meter_code="E1").reason == reason
    r = _post(client, token, [{"meter": "E1", "ts": T0 + Q, "value": 1.0}, {"meter": "Q1", "ts": T0, "value": 1.0}])
    assert (r.json()["inserted"], r.json()["rejected"]) == (1, 1)
    assert list(MeterReading.objects.values_list("meter__code", flat=True)) == ["Q1"]
