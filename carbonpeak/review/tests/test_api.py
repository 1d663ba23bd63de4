"""The API as anonymous, no membership, office, leader, and the reporter and reviewer of 白鹤镇 (A) against
练塘镇's (B) proposals; refused calls leave the database unchanged. Approved proposals become committed load."""

from __future__ import annotations

import json

import pytest

from carbonpeak.review import services
from carbonpeak.tracking.models import AuditEntry

from .conftest import DRAWS, proposal, review_state as _state, walk_roles

pytestmark = pytest.mark.django_db


#                 anon nobody office leader a-rep a-rev b-rep b-rev
LIST =           (401, 401, 200, 200, 200, 200, 200, 200)
DETAIL_A =       (401, 401, 200, 200, 200, 200, 404, 404)
DECIDE_A =       (401, 401, 200, 403, 403, 403, 404, 404)
SUBMIT_A =       (401, 401, 201, 403, 201, 403, 403, 403)
ENDPOINTS = [
    ("GET", "/api/review/proposals", None, LIST),
    ("GET", "/api/review/proposals/{a}", None, DETAIL_A),
    ("POST", "/api/review/proposals/{a}/decision", {"outcome": "通过", "comment": "同意"}, DECIDE_A),
    ("POST", f"/api/review/proposals?draws={DRAWS}", proposal("白鹤镇"), SUBMIT_A),
]


@pytest.mark.parametrize("method,url,body,expected", ENDPOINTS, ids=[f"{m} {u}" for m, u, _b, _e in ENDPOINTS])
def test_every_route_for_every_role(client, users, world, method, url, body, expected):
    walk_roles(client, users, url.format(a=world["a"].pk), expected, refused=(401, 403, 404), send=lambda c, u: (
        c.get(u) if method == "GET" else c.post(u, json.dumps(body), content_type="application/json")))


def test_a_unit_sees_only_its_own_town(client, users, world):
    client.force_login(users["a-reviewer"])
    assert [p["id"] for p in client.get("/api/review/proposals").json()] == [world["a"].pk]
    client.force_login(users["leader"])
    assert len(client.get("/api/review/proposals").json()) == 2


def test_bad_input_is_422_per_field_and_stores_nothing(client, users, world):
    client.force_login(users["office"])
    before = _state()
    r = client.post(f"/api/review/proposals?draws={DRAWS}",
                    json.dumps(proposal(start_year="soon", energy=[{"carrier": "coal?", "quantity": 1, "unit": "t"}])),
                    content_type="application/json")
    assert r.status_code == 422
    assert "start_year" in r.json()["detail"] and "energy[0].carrier" in r.json()["detail"]
    r = client.post(f"/api/review/proposals/{world['a'].pk}/decision", json.dumps({"outcome": "maybe"}),
                    content_type="application/json")
    assert r.status_code == 422 and "outcome" in r.json()["detail"]
    assert _state() == before


def test_approved_projects_are_committed_load_of_later_reviews(client, users, world, qingpu_plan):
    client.force_login(users["office"])
    a = world["a"]
    r = client.post(f"/api/review/proposals/{a.pk}/decision", json.dumps({"outcome": "通过", "comment": "同意"}),
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["decision"] == "通过"
    entry = AuditEntry.objects.filter(action="decide", object_id=a.pk).get()
    a.refresh_from_db()
    assert entry.comment == "同意" and entry.after == {"decision": "通过", "planned_site": a.planned_site_id}
    assert a.planned_site.status == "planned"  # the approved project's monitoring site, planned
    later = services.assess(qingpu_plan, proposal("练塘镇"), draws=DRAWS)
    assert [p["id"] for p in later["approved_projects"]] == [a.pk]
    # same draws, A now in the baseline: the later review's "before" is A's "after"
    assert later["p_peak_by_2030_before"] == a.result["p_peak_by_2030_after"]
    assert later["histogram_before"] == a.result["histogram_after"]
    detail = client.get(f"/api/review/proposals/{a.pk}").json()
    assert detail["decisions"][0]["outcome"] == "通过" and detail["review"]["recommendation"] == a.recommendation


def test_api_review_is_the_cli_json(client, users, qingpu_plan):
    client.force_login(users["a-reporter"])
    r = client.post(f"/api/review/proposals?draws={DRAWS}", json.dumps(proposal()), content_type="application/json")
    assert r.status_code == 201
    body = r.json()
    body.pop("id")
    assert body == json.loads(json.dumps(services.assess(qingpu_plan, proposal(), draws=DRAWS)))
