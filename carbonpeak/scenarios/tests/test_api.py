"""The scenarios REST API at /api/scenarios/."""

import json

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return get_user_model().objects.create_superuser("planner", password="pw-123456")  # the district office


def test_list_get_and_schema(client, qingpu_plan):
    items = client.get("/api/scenarios/").json()
    assert [i["slug"] for i in items] == ["baseline", "plan"]
    detail = client.get("/api/scenarios/plan").json()
    assert detail["versions"] == [1] and "pv" in detail["enabled_levers"]
    schema = client.get("/api/scenarios/schema").json()
    assert [lv["key"] for lv in schema["levers"]][:2] == ["green_travel", "ev"]
    assert client.get("/api/scenarios/nope").status_code == 404


def test_writes_need_a_login(client, qingpu_plan):
    r = client.post("/api/scenarios/", json.dumps({"name": "x"}), content_type="application/json")
    assert r.status_code == 401
    r = client.patch("/api/scenarios/plan/levers", json.dumps({"levers": {}}), content_type="application/json")
    assert r.status_code == 401


def test_create_update_and_run(client, qingpu_plan, user):
    client.force_login(user)
    r = client.post("/api/scenarios/", json.dumps({"name": "Grid too", "copy_from": "plan",
                                                   "levers": {"grid": {"enabled": True}}}),
                    content_type="application/json")
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["slug"] == "grid-too" and created["parent"] == "plan" and created["version"] == 2
    assert "grid" in created["enabled_levers"]
    r = client.patch("/api/scenarios/grid-too/levers",
                     json.dumps({"levers": {"ev": {"new_share": {"2025": 0.8}}}}), content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 3
    assert r.json()["parameters"]["levers"]["ev"]["new_share"] == {"2025": 0.8}
    bad = client.patch("/api/scenarios/grid-too/levers", json.dumps({"levers": {"ev": {"new_share": "lots"}}}),
                       content_type="application/json")
    assert bad.status_code == 422 and "levers.ev.new_share" in bad.json()["detail"]
    res = client.post("/api/scenarios/grid-too/run", json.dumps({"draws": 300, "seed": 3}),
                      content_type="application/json").json()
    plan_res = client.post("/api/scenarios/plan/run", json.dumps({"draws": 300, "seed": 3}),
                           content_type="application/json").json()
    assert res["draws"] == 300 and res["scenario_version"] == 3
    assert res["peak"]["p_peak_by"] > plan_res["peak"]["p_peak_by"]
    assert sum(res["histogram"]["counts"]) + res["histogram"]["not_peaked"] == 300
    # every fallback is in the JSON notes; the sensitivity and the labelled assumptions come with the run
    assert any(n.startswith("drivers.ev_new_share_base: no observed value for 2021") for n in res["notes"])
    assert res["sensitivity"]["inputs"] and {a["path"] for a in res["assumptions"]} >= {"levers.grid.factor"}
    again = client.post("/api/scenarios/grid-too/run", json.dumps({"draws": 300, "seed": 3}),
                        content_type="application/json").json()
    assert again["cached_run_id"] == res["cached_run_id"]
    assert client.post("/api/scenarios/plan/run", json.dumps({"draws": 10**6}),
                       content_type="application/json").status_code == 422



@pytest.mark.parametrize("name", ["长" * 121, "   "])
def test_a_copy_named_too_long_or_blank_is_refused_on_the_api_and_the_page(client, qingpu_plan, user, name):
    """The name column holds 120 characters: a longer one was a server error on PostgreSQL (and cut nowhere)."""
    from carbonpeak.scenarios.models import Scenario

    client.force_login(user)
    before = [i["slug"] for i in client.get("/api/scenarios/").json()]
    r = client.post("/api/scenarios/", json.dumps({"name": name}), content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"] == "名称：1 至 120 个字符。"
    page = client.post("/scenarios/copy/", {"source": "plan", "name": name}, follow=True)
    assert page.status_code == 200
    assert "名称：1 至 120 个字符。" in page.content.decode() or "请为副本命名" in page.content.decode()
    assert list(Scenario.objects.filter(plan=qingpu_plan).values_list("slug", flat=True)) == before
    longest = client.post("/api/scenarios/", json.dumps({"name": "长" * 120}), content_type="application/json")
    assert longest.status_code == 201 and Scenario.objects.get(slug=longest.json()["slug"]).name == "长" * 120


def test_anonymous_runs_are_limited(client, qingpu_plan):
    ok = client.post("/api/scenarios/baseline/run", json.dumps({"draws": 200}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["draws"] == 200
    big = client.post("/api/scenarios/baseline/run", json.dumps({"draws": 6000}), content_type="application/json")
    assert big.status_code == 403
