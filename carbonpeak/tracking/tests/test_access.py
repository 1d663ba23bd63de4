"""Every role against every page and API endpoint, including other units' object ids.

Rows: endpoint (method, URL built from the `world` fixture, body) → expected status per role, in ROLES order.
Out-of-scope objects are 404 (never 403), so ids cannot be probed; visible but forbidden actions are 403.
"""

import pytest
from django.db import transaction
from django.core.files.uploadedfile import SimpleUploadedFile

from carbonpeak.tracking.models import AuditEntry, IndicatorReport, Project, TaskReport

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["anon", "nobody", "office", "leader", "zjj-reporter", "zjj-reviewer", "jw-reporter", "jw-reviewer",
         "jgw-reporter"]
#                anon nobody office leader zjj-rep zjj-rev jw-rep jw-rev jgw-rep
MEMBERS =       (302, 403, 200, 200, 200, 200, 200, 200, 200)
ZJJ_VIEW =      (302, 403, 200, 200, 200, 200, 404, 404, 404)
JW_VIEW =       (302, 403, 200, 200, 404, 404, 200, 200, 404)
ZJJ_WRITE_GET = (302, 403, 200, 403, 200, 403, 404, 404, 404)
REVIEWERS =     (302, 403, 200, 403, 403, 200, 403, 200, 403)
WRITERS =       (302, 403, 200, 403, 200, 403, 200, 403, 200)
ZJJ_EDIT =      (302, 403, 302, 403, 302, 403, 404, 404, 404)
JW_EDIT =       (302, 403, 302, 403, 404, 404, 302, 403, 404)
ZJJ_REVIEW =    (302, 403, 302, 403, 403, 302, 404, 404, 404)
JW_REVIEW =     (302, 403, 302, 403, 404, 404, 403, 302, 404)
ZJJ_TOKEN =     (302, 403, 302, 404, 404, 302, 404, 404, 404)
ZJJ_UPLOAD =    (302, 403, 400, 403, 400, 403, 404, 404, 404)
TOKEN_CREATE =  (302, 403, 200, 403, 403, 200, 403, 200, 403)
API_MEMBERS =   (401, 401, 200, 200, 200, 200, 200, 200, 200)
API_ZJJ_VIEW =  (401, 401, 200, 200, 200, 200, 404, 404, 404)
API_JW_VIEW =   (401, 401, 200, 200, 404, 404, 200, 200, 404)
API_ZJJ_WRITE = (401, 401, 200, 403, 200, 403, 404, 404, 404)
API_ZJJ_REVIEW = (401, 401, 200, 403, 403, 200, 404, 404, 404)
API_JW_REVIEW = (401, 401, 200, 403, 404, 404, 403, 200, 404)


def png():
    return SimpleUploadedFile("site.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png")


ENDPOINTS = [
    # pages
    ("GET", "/tracking/", None, MEMBERS),
    ("GET", "/tracking/periods/{period.pk}/units/zhujiajiao/", None, ZJJ_VIEW),
    ("GET", "/tracking/periods/{period.pk}/units/jingwei/", None, JW_VIEW),
    ("GET", "/tracking/periods/{period.pk}/units/zhujiajiao/indicators/{zjj_ind.indicator_id}/", None, ZJJ_VIEW),
    ("GET", "/tracking/periods/{period.pk}/units/zhujiajiao/tasks/{task11.pk}/", None, ZJJ_VIEW),
    ("GET", "/tracking/indicator-reports/{zjj_ind.pk}/", None, ZJJ_VIEW),
    ("GET", "/tracking/indicator-reports/{jw_ind.pk}/", None, JW_VIEW),
    ("GET", "/tracking/task-reports/{zjj_task.pk}/", None, ZJJ_VIEW),
    ("GET", "/tracking/task-reports/{jw_task.pk}/", None, JW_VIEW),
    ("GET", "/tracking/projects/{zjj_project.pk}/", None, ZJJ_VIEW),
    ("GET", "/tracking/projects/{jw_project.pk}/", None, JW_VIEW),
    ("GET", "/tracking/evidence/{zjj_evidence.pk}/", None, ZJJ_VIEW),
    ("GET", "/tracking/evidence/{jw_evidence.pk}/", None, JW_VIEW),
    ("GET", "/tracking/periods/{period.pk}/units/zhujiajiao/template.xlsx", None, ZJJ_VIEW),
    ("GET", "/tracking/periods/{period.pk}/units/jingwei/template.xlsx", None, JW_VIEW),
    ("GET", "/tracking/periods/{period.pk}/units/zhujiajiao/upload/", None, ZJJ_WRITE_GET),
    ("GET", "/tracking/review/", None, REVIEWERS),
    ("GET", "/tracking/reminders/", None, MEMBERS),
    ("GET", "/tracking/projects/", None, MEMBERS),
    ("GET", "/tracking/projects/new/", None, WRITERS),
    ("GET", "/tracking/projects/{zjj_project.pk}/edit/", None, ZJJ_WRITE_GET),
    ("GET", "/tracking/tokens/", None, REVIEWERS),
    # page actions
    ("POST", "/tracking/periods/{annual.pk}/units/zhujiajiao/indicators/{zjj_ind.indicator_id}/",
     {"ind-{zjj_ind.indicator_id}-value": "3", "action": "save"}, ZJJ_EDIT),
    ("POST", "/tracking/periods/{annual.pk}/units/jingwei/indicators/{jw_ind.indicator_id}/",
     {"ind-{jw_ind.indicator_id}-value": "3", "action": "save"}, JW_EDIT),
    ("POST", "/tracking/periods/{annual.pk}/units/zhujiajiao/tasks/{task11.pk}/",
     {"task-{task11.pk}-narrative": "n", "task-{task11.pk}-progress_status": "in_progress"}, ZJJ_EDIT),
    ("POST", "/tracking/periods/{period.pk}/units/zhujiajiao/submit/", {}, ZJJ_EDIT),
    ("POST", "/tracking/indicator-reports/{zjj_ind.pk}/review/", {"decision": "approve"}, ZJJ_REVIEW),
    ("POST", "/tracking/indicator-reports/{jw_ind.pk}/review/", {"decision": "return", "comment": "x"}, JW_REVIEW),
    ("POST", "/tracking/projects/{zjj_project_sub.pk}/review/", {"decision": "approve"}, ZJJ_REVIEW),
    ("POST", "/tracking/projects/{jw_project.pk}/review/", {"decision": "approve"}, JW_REVIEW),
    ("POST", "/tracking/task-reports/{zjj_task.pk}/submit/", {}, ZJJ_EDIT),
    ("POST", "/tracking/indicator-reports/{zjj_ind.pk}/withdraw/", {}, ZJJ_EDIT),
    ("POST", "/tracking/review/approve/", {"records": "indicator-reports:{zjj_ind.pk}"},
     (302, 403, 302, 403, 403, 302, 403, 404, 403)),
    ("POST", "/tracking/task-reports/{jw_task.pk}/submit/", {}, JW_EDIT),
    ("POST", "/tracking/task-reports/{zjj_task.pk}/delete/", {}, ZJJ_EDIT),
    ("POST", "/tracking/indicator-reports/{zjj_approved.pk}/correct/", {"value": "0.9"}, ZJJ_EDIT),
    ("POST", "/tracking/task-reports/{zjj_task.pk}/evidence/", {"file": png}, ZJJ_EDIT),
    ("POST", "/tracking/evidence/{zjj_evidence.pk}/delete/", {}, ZJJ_EDIT),
    ("POST", "/tracking/periods/{period.pk}/units/zhujiajiao/upload/", {"file": png}, ZJJ_UPLOAD),
    ("POST", "/tracking/projects/{zjj_project.pk}/edit/",
     {"kind": "pv", "name": "改名", "responsible_unit": "{zjj_project.responsible_unit_id}", "quantity": "600",
      "quantity_unit": "kW"}, ZJJ_EDIT),
    ("POST", "/tracking/tokens/", {"name": "t", "unit": "{jw_token.unit_id}"},
     (302, 403, 200, 403, 403, 200, 403, 200, 403)),
    ("POST", "/tracking/tokens/{zjj_token.pk}/revoke/", {}, ZJJ_TOKEN),
    # API (session)
    ("GET", "/api/tracking/periods", None, API_MEMBERS),
    ("GET", "/api/tracking/reminders", None, API_MEMBERS),
    ("GET", "/api/tracking/progress", None, API_MEMBERS),
    ("GET", "/api/tracking/progress/pv-capacity-added", None, API_MEMBERS),
    ("GET", "/api/tracking/indicator-reports", None, API_MEMBERS),
    ("GET", "/api/tracking/indicator-reports/{zjj_ind.pk}", None, API_ZJJ_VIEW),
    ("GET", "/api/tracking/indicator-reports/{jw_ind.pk}", None, API_JW_VIEW),
    ("GET", "/api/tracking/task-reports", None, API_MEMBERS),
    ("GET", "/api/tracking/task-reports/{zjj_task.pk}", None, API_ZJJ_VIEW),
    ("GET", "/api/tracking/task-reports/{jw_task.pk}", None, API_JW_VIEW),
    ("GET", "/api/tracking/projects", None, API_MEMBERS),
    ("GET", "/api/tracking/projects/{zjj_project.pk}", None, API_ZJJ_VIEW),
    ("GET", "/api/tracking/projects/{jw_project.pk}", None, API_JW_VIEW),
    ("JSON", "/api/tracking/indicator-reports",
     {"period": "2024", "indicator": "pv-capacity-added", "unit": "zhujiajiao", "value": 2.0}, API_ZJJ_WRITE),
    ("JSON", "/api/tracking/task-reports",
     {"period": "2024", "task": "1.1", "unit": "zhujiajiao", "narrative": "ok"}, API_ZJJ_WRITE),
    ("JSON", "/api/tracking/projects",
     {"kind": "charging_pile", "name": "充电站", "responsible_unit": "zhujiajiao", "quantity": 20}, API_ZJJ_WRITE),
    ("JSON", "/api/tracking/indicator-reports/{zjj_ind.pk}/approve", {}, API_ZJJ_REVIEW),
    ("JSON", "/api/tracking/indicator-reports/{jw_ind.pk}/approve", {}, API_JW_REVIEW),
    ("JSON", "/api/tracking/indicator-reports/{zjj_ind.pk}/return", {"comment": "请补充"}, API_ZJJ_REVIEW),
    ("JSON", "/api/tracking/task-reports/{zjj_task.pk}/submit", {}, API_ZJJ_WRITE),
    ("JSON", "/api/tracking/indicator-reports/{zjj_ind.pk}/withdraw", {}, API_ZJJ_WRITE),
    ("JSON", "/api/tracking/projects/{zjj_project_sub.pk}/approve", {}, API_ZJJ_REVIEW),
    ("JSON", "/api/tracking/projects/{zjj_project.pk}/submit", {}, API_ZJJ_WRITE),
]


def _fill(template: str, world: dict) -> str:
    return template.format(**world)


REFUSED = (400, 401, 403, 404)


def _refused(role: str, status: int) -> bool:
    return role == "anon" or status in REFUSED


@pytest.mark.parametrize("method,url,body,expected", ENDPOINTS, ids=[f"{m} {u}" for m, u, _b, _e in ENDPOINTS])
def test_every_role_against_endpoint(client, world, db_state, method, url, body, expected):
    """Each role's request runs in a savepoint that is rolled back, so every role meets the same records.

    A refused call leaves every row as it was; an allowed write changes the records and adds an audit entry.
    """
    url = _fill(url, world)
    got = {}
    for role in ROLES:
        with transaction.atomic():
            client.logout()
            if role != "anon":
                assert client.login(username=role, password=PASSWORD)
            before, audited = db_state(), AuditEntry.objects.count()
            if method == "GET":
                response = client.get(url)
            elif method == "JSON":
                response = client.post(url, body, content_type="application/json")
            else:
                data = {_fill(k, world): (v() if callable(v) else _fill(v, world) if isinstance(v, str) else v)
                        for k, v in body.items()}
                response = client.post(url, data)
            got[role] = response.status_code
            changed, audited_now = db_state() != before, AuditEntry.objects.count() > audited
            if _refused(role, response.status_code):
                assert not changed, f"{role}: refused {method} {url} changed the database"
            elif method == "JSON" or (method == "POST" and response.status_code == 302):
                assert changed and audited_now, f"{role}: allowed {method} {url} wrote nothing, or unaudited"
            else:  # a page shown again (form errors, a new token): whatever it changed is audited
                assert audited_now or not changed, f"{role}: {method} {url} changed the database unaudited"
            transaction.set_rollback(True)
    assert got == dict(zip(ROLES, expected))


def test_out_of_scope_ids_look_like_missing_ids(client, world):
    """A reporter gets the same 404 for another unit's record as for an id that does not exist."""
    client.login(username="zjj-reporter", password=PASSWORD)
    missing = max(IndicatorReport.objects.values_list("pk", flat=True)) + 100
    for url in (f"/tracking/indicator-reports/{world['jw_ind'].pk}/", f"/tracking/indicator-reports/{missing}/",
                f"/api/tracking/indicator-reports/{world['jw_ind'].pk}", f"/api/tracking/indicator-reports/{missing}"):
        assert client.get(url).status_code == 404


def test_api_lists_are_scoped(client, world):
    client.login(username="zjj-reporter", password=PASSWORD)
    rows = client.get("/api/tracking/indicator-reports", {"current": "false"}).json()
    assert {r["unit"] for r in rows} == {"zhujiajiao"}
    projects = client.get("/api/tracking/projects").json()
    assert {p["responsible_unit"] for p in projects} == {"zhujiajiao"}
    client.login(username="leader", password=PASSWORD)
    rows = client.get("/api/tracking/indicator-reports").json()
    assert {r["unit"] for r in rows} == {"zhujiajiao", "jingwei"}


def test_review_queue_is_scoped(client, world):
    client.login(username="zjj-reviewer", password=PASSWORD)
    html = client.get("/tracking/review/").content.decode()
    assert 'id="review-indicator-pv-capacity-added-zhujiajiao"' in html
    assert "green-factories" not in html and "某绿色工厂" not in html
    client.login(username="office", password=PASSWORD)
    html = client.get("/tracking/review/").content.decode()
    assert "review-indicator-green-factories-jingwei" in html and "某绿色工厂" in html


def test_leader_cannot_change_anything(client, world):
    client.login(username="leader", password=PASSWORD)
    before = (IndicatorReport.objects.count(), TaskReport.objects.count(), Project.objects.count())
    client.post(_fill("/tracking/indicator-reports/{zjj_ind.pk}/review/", world), {"decision": "approve"})
    client.post("/api/tracking/indicator-reports", {"period": "2024", "indicator": "pv-capacity-added",
                                                    "unit": "zhujiajiao", "value": 1}, content_type="application/json")
    assert (IndicatorReport.objects.count(), TaskReport.objects.count(), Project.objects.count()) == before
    assert IndicatorReport.objects.get(pk=world["zjj_ind"].pk).status == "submitted"
