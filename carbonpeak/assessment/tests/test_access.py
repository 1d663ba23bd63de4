"""Every page and API route as anonymous, no membership, office, leader, and the reporter and reviewer of
甲镇 (aa) against 乙镇's (bb) rows; refused calls leave the database unchanged."""

import json
from html import escape

import pytest

from carbonpeak.assessment import services
from carbonpeak.assessment.models import Adjustment, Allocation, AllocationShare, Assessment
from carbonpeak.tracking.models import AuditEntry

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["anon", "nobody", "office", "leader", "aa-reporter", "aa-reviewer", "bb-reporter"]
#               anon nobody office leader aa-rep aa-rev bb-rep
MEMBERS =      (302, 403, 200, 200, 200, 200, 200)
DISTRICT =     (302, 403, 200, 200, 403, 403, 403)
DRAFT =        (302, 403, 200, 200, 404, 404, 404)
OFFICE_POST =  (302, 403, 302, 403, 403, 403, 403)
DRAFT_POST =   (302, 403, 302, 403, 404, 404, 404)
API_MEMBERS =  (401, 401, 200, 200, 200, 200, 200)
API_DISTRICT = (401, 401, 200, 200, 403, 403, 403)
API_OFFICE =   (401, 401, 200, 403, 403, 403, 403)
API_DRAFT =    (401, 401, 200, 403, 404, 404, 404)


@pytest.fixture
def world(data, actors):
    office = actors["office"]
    approved = services.approve_allocation(office, services.save_allocation(
        office, data, "energy-consumption-total", 2024, "proportional"))
    draft = services.save_allocation(office, data, "pv-capacity-added", 2025, "equal")
    return {"approved": approved, "draft": draft}


ENDPOINTS = [
    ("GET", "/assessment/", None, MEMBERS),
    ("GET", "/assessment/allocations/?indicator=energy-consumption-total&year=2024&method=equal", None, DISTRICT),
    ("POST", "/assessment/allocations/", {"indicator": "pv-capacity-added", "year": "2025", "method": "equal"},
     OFFICE_POST),
    ("GET", "/assessment/allocations/{approved.pk}/", None, MEMBERS),
    ("GET", "/assessment/allocations/{draft.pk}/", None, DRAFT),
    ("POST", "/assessment/allocations/{draft.pk}/approve/", {}, DRAFT_POST),
    ("GET", "/assessment/2024/", None, MEMBERS),
    ("POST", "/assessment/2024/adjust/", {"unit": "aa", "points": "2", "reason": "加分"}, OFFICE_POST),
    ("POST", "/assessment/2024/approve/", {}, OFFICE_POST),
    ("GET", "/assessment/2024/barometer/", None, MEMBERS),
    ("GET", "/assessment/2024/notice/", None, DISTRICT),
    ("GET", "/assessment/2024/notice.pdf", None, DISTRICT),
    ("GET", "/assessment/2024/notice.xlsx", None, DISTRICT),
    ("GET", "/assessment/2024/reward/", None, MEMBERS),
    ("POST", "/assessment/2024/reward/", {"yuan": "100"}, OFFICE_POST),
    ("GET", "/api/assessment/allocate?indicator=energy-consumption-total&year=2024&method=equal", None,
     API_DISTRICT),
    ("GET", "/api/assessment/allocations", None, API_MEMBERS),
    ("POST", "/api/assessment/allocations", {"indicator": "pv-capacity-added", "year": 2025, "method": "equal"},
     API_OFFICE),
    ("POST", "/api/assessment/allocations/{draft.pk}/approve", {}, API_DRAFT),
    ("GET", "/api/assessment/run?year=2024", None, API_MEMBERS),
    ("GET", "/api/assessment/barometer?year=2024", None, API_MEMBERS),
    ("GET", "/api/assessment/reward?year=2024", None, API_MEMBERS),
    ("GET", "/api/assessment/key-units/reconciliation?year=2024", None, API_MEMBERS),
    ("POST", "/api/assessment/assessments/2024/adjustments", {"unit": "aa", "points": 1, "reason": "x"}, API_OFFICE),
    ("POST", "/api/assessment/assessments/2024/reward-pool", {"yuan": 10}, API_OFFICE),
    ("POST", "/api/assessment/assessments/2024/approve", {}, API_OFFICE),
]


def _state():
    return (Allocation.objects.count(), list(Allocation.objects.values_list("pk", "status")),
            AllocationShare.objects.count(), Adjustment.objects.count(),
            list(Assessment.objects.values_list("pk", "status", "reward_pool_fen")), AuditEntry.objects.count())


def _request(client, method, url, body):
    if url.startswith("/api/"):
        if method == "GET":
            return client.get(url)
        return client.post(url, json.dumps(body), content_type="application/json")
    return client.get(url) if method == "GET" else client.post(url, body)


@pytest.mark.parametrize("method,url,body,expected", ENDPOINTS, ids=[f"{m} {u}" for m, u, _b, _e in ENDPOINTS])
def test_every_route_for_every_role(client, users, world, method, url, body, expected):
    url = url.format(**world)
    for role, status in zip(ROLES, expected):
        client.logout()
        if role != "anon":
            client.force_login(users[role])
        before = _state()
        response = _request(client, method, url, body)
        assert response.status_code == status, (role, url, response.content[:300])
        refused = role == "anon" or status in (401, 403, 404)
        if refused or method == "GET":
            assert _state() == before, (role, url)
        elif method == "POST":
            assert _state() != before, (role, url)
            return  # the office changed something: later roles would see another state


def test_a_unit_sees_only_its_own_rows(client, users, world):
    client.force_login(users["aa-reporter"])
    page = client.get(f"/assessment/allocations/{world['approved'].pk}/").content.decode()
    assert "甲镇" in page and "乙镇" not in page and "5000" not in page  # not the district total
    for url in ("/assessment/2024/", "/assessment/2024/barometer/", "/assessment/2024/reward/"):
        page = client.get(url).content.decode()
        assert "甲镇" in page and "乙镇" not in page, url
    run = client.get("/api/assessment/run?year=2024").json()
    assert [u["unit"] for u in run["units"]] == ["甲镇"]
    allocations = client.get("/api/assessment/allocations").json()
    assert [a["id"] for a in allocations] == [world["approved"].pk]
    assert [r["unit"] for r in allocations[0]["allocations"]] == ["甲镇"]
    client.force_login(users["leader"])
    assert len(client.get("/api/assessment/run?year=2024").json()["units"]) == 3


def test_api_run_is_the_cli_json(client, users, world, data):
    client.force_login(users["office"])
    api = client.get("/api/assessment/run?year=2024").json()
    assert api == json.loads(json.dumps(services.run(data, 2024)))
    preview = client.get("/api/assessment/allocate?indicator=energy-consumption-total&year=2024&method=equal").json()
    assert preview["reconciles"] is True and preview["total"] == 5000.0


def test_bad_api_input_is_422_and_frozen_is_409(client, users, world):
    client.force_login(users["office"])
    before = _state()
    r = client.post("/api/assessment/allocations", json.dumps({"indicator": "nope", "year": 2024, "method": "equal"}),
                    content_type="application/json")
    assert r.status_code == 422 and "no indicator 'nope'" in r.json()["detail"]
    r = client.post("/api/assessment/assessments/2024/adjustments",
                    json.dumps({"unit": "aa", "points": 1, "reason": " "}), content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"] == "调整理由：请说明调整分数的原因。"
    assert _state() == before
    assert client.post(f"/api/assessment/allocations/{world['approved'].pk}/approve").status_code == 409
    assert client.post("/api/assessment/assessments/2024/approve").status_code == 200
    r = client.post("/api/assessment/assessments/2024/reward-pool", json.dumps({"yuan": 5}),
                    content_type="application/json")
    assert r.status_code == 409


def test_editor_saves_manual_shares_and_notice_names_units(client, users, world, data):
    client.force_login(users["office"])
    r = client.post("/assessment/allocations/", {"indicator": "pv-capacity-added", "year": "2025", "method": "manual",
                                                 "share-aa": "0.5", "share-bb": "0.3", "share-cc": "0.2"})
    assert r.status_code == 302
    alloc = Allocation.objects.filter(indicator="pv-capacity-added", method="manual").get()
    assert [row["value"] for row in alloc.result["allocations"]] == [14.7, 8.8, 5.9]
    r = client.post("/assessment/allocations/", {"indicator": "pv-capacity-added", "year": "2025", "method": "manual",
                                                 "share-aa": "lots", "share-bb": "0.3", "share-cc": "0.2"})
    assert r.status_code == 200 and "甲镇：&#x27;lots&#x27; 不是数字" in r.content.decode()
    notice = client.get("/assessment/2024/notice/").content.decode()
    assert "通报" in notice and "乙镇" in notice.split('id="interview"')[1].split("</p>")[0]
    xlsx = client.get("/assessment/2024/notice.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_dashboard_panel_shows_a_unit_only_its_own_targets(client, users, world, actors, data):
    services.set_reward_pool(actors["office"], data, 2024, 10)
    services.approve_assessment(actors["office"], data, 2024)
    client.force_login(users["aa-reporter"])
    page = client.get("/").content.decode()
    panel = page.split('id="assessment-panel"')[1].split("</section>")[0]
    assert "甲镇" in panel and "乙镇" not in panel and "能源消费总量" in panel
    client.force_login(users["leader"])
    panel = client.get("/").content.decode().split('id="assessment-panel"')[1].split("</section>")[0]
    assert "乙镇" in panel
    client.logout()
    assert 'id="assessment-panel"' not in client.get("/").content.decode()


def test_reporting_sheet_shows_the_units_own_targets(client, users, world, periods):
    client.force_login(users["aa-reporter"])
    page = client.get(f"/tracking/periods/{periods[0].pk}/units/aa/").content.decode()
    table = page.split('id="unit-targets"')[1].split("</table>")[0]
    assert "能源消费总量" in table and "1250.0" in table  # 甲镇's share of the 5000 tce cap (base-year energy 1:2:1)
    assert "2500.0" not in table


def test_a_bad_rubric_beside_the_plan_file_is_a_clear_422(client, users, data, tmp_path):
    from django.core.management import CommandError, call_command

    from carbonpeak.assessment.rubrics import DEFAULT_RUBRIC

    text = DEFAULT_RUBRIC.read_text(encoding="utf-8").replace("weight: 30", "weight: 35", 1)
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "tiny.yaml").write_text(text, encoding="utf-8")
    client.force_login(users["office"])
    for url in ("/assessment/2024/", "/assessment/2024/barometer/", "/assessment/2024/notice/",
                "/assessment/2024/reward/"):
        r = client.get(url)
        assert r.status_code == 422 and "tiny.yaml: items: the weights must add up to 100" in r.content.decode(), url
    r = client.get("/api/assessment/run?year=2024")
    assert r.status_code == 422 and "they add up to 105" in r.json()["detail"]
    with pytest.raises(CommandError, match="weights must add up to 100"):
        call_command("assessment", "--plan", "tiny", "run", "--year", "2024")


def test_office_form_errors_are_messages_and_store_nothing(client, users, world):
    client.force_login(users["office"])
    before = _state()
    for url, body, message in (("/assessment/2024/adjust/", {"unit": "aa", "points": "abc", "reason": "x"},
                                "分数须为数字"),
                               ("/assessment/2024/adjust/", {"unit": "zz", "points": "1", "reason": "x"}, "请选择单位"),
                               ("/assessment/2024/adjust/", {"unit": "aa", "points": "1", "reason": " "},
                                "调整理由：请说明调整分数的原因。"),
                               ("/assessment/2024/adjust/", {"unit": "aa", "points": "101", "reason": "x"},
                                "分值：-100 至 100 之间的数字。"),
                               ("/assessment/2024/reward/", {"yuan": "-5"}, "奖励资金池：0 至 100,000,000,000 元"),
                               # an amount whose fen overflow a 64-bit integer was a server error
                               ("/assessment/2024/reward/", {"yuan": "99999999999999999999999"},
                                "奖励资金池：0 至 100,000,000,000 元")):
        r = client.post(url, body, follow=True)
        assert r.status_code == 200 and message in r.content.decode(), url
    assert _state() == before


@pytest.mark.parametrize("year", ["-1", "abc", "99999999999999999999999", "２０２４", "1899"])
def test_a_year_that_is_none_is_a_422_page_naming_it_and_stores_nothing(client, users, world, year):
    """The assessment overview and the allocation editor (GET and the office's POST) take the year from the query
    or the form: anything but a calendar year is named on a 422 page (a negative one was a server error)."""
    client.force_login(users["office"])
    before = _state()
    for response in (client.get("/assessment/", {"year": year}),
                     client.get("/assessment/allocations/", {"indicator": "energy-consumption-total", "year": year}),
                     client.post("/assessment/allocations/", {"indicator": "energy-consumption-total", "year": year,
                                                              "method": "equal"})):
        assert response.status_code == 422
        assert f"年份须为 1900 至 2100 年之间的年份，而不是“{year[:20]}”。" in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize("to", ["somewhere", "x" * 40])
def test_an_allocation_to_an_unknown_kind_of_unit_is_refused_and_stores_nothing(client, users, world, to):
    """`to` is towns or key_units: anything else was saved as a bogus allocation (SQLite) or a server error
    (PostgreSQL: longer than the column)."""
    client.force_login(users["office"])
    before = _state()
    message = f"allocate to towns or key_units, not {to!r}"
    page = client.post("/assessment/allocations/", {"indicator": "energy-consumption-total", "year": "2024",
                                                    "method": "equal", "to": to})
    assert page.status_code == 200 and escape(message) in page.content.decode()
    api = client.post("/api/assessment/allocations", json.dumps({"indicator": "energy-consumption-total",
                                                                "year": 2024, "method": "equal", "to": to}),
                      content_type="application/json")
    assert api.status_code == 422 and message in api.json()["detail"]
    assert _state() == before
