"""Scenario access: the official scenarios are the district office's, custom ones their creator's; the leader,
reviewers and anonymous visitors change nothing (and an anonymous run stores nothing)."""

import json

import pytest

from carbonpeak.scenarios import services
from carbonpeak.scenarios.models import Scenario, ScenarioRun
from carbonpeak.tracking.models import AuditEntry

JSON = "application/json"
pytestmark = pytest.mark.django_db


@pytest.fixture
def scenarios(qingpu_plan, members):
    services.ensure_defaults(qingpu_plan)
    mine = services.copy_scenario(Scenario.objects.get(plan=qingpu_plan, slug="plan"), "A's", user=members["reporter-a"])
    return {"plan": Scenario.objects.get(plan=qingpu_plan, slug="plan"), "mine": mine}


def _refused(client, db_state, method, url, expected, body=None):
    before = db_state()
    r = getattr(client, method)(url, json.dumps(body) if body is not None else None, content_type=JSON)
    assert r.status_code == expected, (method, url, r.status_code, r.content[:300])
    assert db_state() == before, f"{method} {url} changed the database"
    return r


def test_api_write_matrix(as_user, db_state, members, scenarios):
    lever = {"levers": {"grid": {"enabled": True}}}
    for who, status in ((None, 401), ("leader", 403), ("reviewer-a", 403), ("nobody", 403), ("reporter-b", 403),
                        ("reporter-a", 403)):
        c = as_user(members.get(who))
        _refused(c, db_state, "patch", "/api/scenarios/plan/levers", status, lever)
        _refused(c, db_state, "patch", "/api/scenarios/baseline/levers", status, lever)
        if who != "reporter-a":
            _refused(c, db_state, "patch", f"/api/scenarios/{scenarios['mine'].slug}/levers", status, lever)
        if who in (None, "leader", "reviewer-a", "nobody"):
            _refused(c, db_state, "post", "/api/scenarios/", status, {"name": "x"})
    c = as_user(members["reporter-a"])
    assert c.patch(f"/api/scenarios/{scenarios['mine'].slug}/levers", json.dumps(lever), content_type=JSON).json()[
        "version"] == 2
    r = c.post("/api/scenarios/", json.dumps({"name": "B copy", "copy_from": "plan"}), content_type=JSON)
    assert r.status_code == 201 and Scenario.objects.get(slug="b-copy").created_by == members["reporter-a"]
    c = as_user(members["office"])
    r = c.patch("/api/scenarios/plan/levers", json.dumps(lever), content_type=JSON)
    assert r.status_code == 200 and "grid" in r.json()["enabled_levers"]
    log = list(AuditEntry.objects.filter(object_type="scenarios.scenario").values_list("actor_name", "action"))
    assert log == [("reporter-a", "update"), ("reporter-a", "create"), ("office", "update")]
    entry = AuditEntry.objects.filter(actor_name="office").get()
    assert entry.before["version"] == 1 and entry.after["version"] == 2


def test_page_writes(as_user, db_state, members, scenarios):
    for who, status in (("leader", 403), ("reviewer-a", 403), ("reporter-b", 403)):
        c = as_user(members[who])
        before = db_state()
        assert c.post("/scenarios/plan/levers/", {"horizon": "2040"}).status_code == status
        assert c.post(f"/scenarios/{scenarios['mine'].slug}/levers/", {"horizon": "2040"}).status_code == status
        assert db_state() == before
    c = as_user(None)
    before = db_state()
    assert c.post("/scenarios/plan/levers/", {"horizon": "2040"}).status_code == 302  # to the login page
    assert c.post("/scenarios/copy/", {"source": "plan", "name": "x"}).status_code == 302
    assert db_state() == before
    c = as_user(members["leader"])
    assert c.post("/scenarios/copy/", {"source": "plan", "name": "x"}).status_code == 403
    assert db_state() == before


def test_anonymous_run_stores_nothing(client, db_state, members, scenarios):
    before = ScenarioRun.objects.count()
    for seed in (11, 12):
        r = client.post("/api/scenarios/plan/run", json.dumps({"draws": 50, "seed": seed}), content_type=JSON)
        assert r.status_code == 200 and r.json()["draws"] == 50 and r.json()["cached_run_id"] is None
    assert ScenarioRun.objects.count() == before
    client.force_login(members["leader"])
    r = client.post("/api/scenarios/plan/run", json.dumps({"draws": 50, "seed": 11}), content_type=JSON)
    assert r.json()["cached_run_id"] is not None and ScenarioRun.objects.count() == before + 1


def test_progress_api_is_read_only_and_the_same_for_everyone(client, as_user, db_state, members, qingpu_plan):
    """`/api/scenarios/progress` is open like the page: every role reads the same figures; nothing is written by a
    read once the standard scenarios exist, and a write method is refused with the database unchanged."""
    from carbonpeak.accounting.demo import load_demo

    load_demo(qingpu_plan)
    first = client.get("/api/scenarios/progress")
    assert first.status_code == 200 and first.json()["vintages"]
    for who in (None, "leader", "reporter-b", "reviewer-a", "nobody"):
        c = as_user(members.get(who))
        before = db_state()
        r = c.get("/api/scenarios/progress")
        assert r.status_code == 200 and r.json() == first.json(), who
        assert db_state() == before, who
        _refused(c, db_state, "post", "/api/scenarios/progress", 405, {})
    assert client.get("/api/scenarios/progress?plan=nope").status_code == 404
