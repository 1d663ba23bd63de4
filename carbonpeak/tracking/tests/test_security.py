"""Tracking holes that the role matrix (test_access.py) does not reach: formulas in exports, hostile workbooks,
four-eyes review, the admin as a back door, the admin login's throttle, and a busy database."""

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from carbonpeak.core.xlsx import workbook_bytes
from carbonpeak.tracking import services
from carbonpeak.tracking.models import AuditEntry, Evidence, IndicatorReport, Notification, ReviewPolicy
from carbonpeak.tracking.permissions import actor_for_user

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
LINK = '=HYPERLINK("http://evil.example/","click")'


def _texts(data: bytes) -> dict:
    """Every non-empty cell of a workbook: value → data type (formulas included, not evaluated)."""
    wb = load_workbook(io.BytesIO(data))
    return {c.value: c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}


def test_workbook_cells_are_never_formulas():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append([LINK, "= 0 万吨", "=1+1", 3.5])
    assert _texts(workbook_bytes(wb)) == {LINK: "s", "= 0 万吨": "s", "=1+1": "s", 3.5: "n"}


def test_exports_write_user_text_as_text(client, world, users, units, indicators, settings, small_plan):
    settings.CARBONPEAK_PLAN = small_plan.code
    reporter, reviewer = actor_for_user(users["zjj-reporter"]), actor_for_user(users["zjj-reviewer"])
    project = services.submit(reporter, services.save_project(reporter, small_plan, {
        "kind": "pv", "name": LINK, "responsible_unit": units["zhujiajiao"], "town": units["zhujiajiao"],
        "quantity": 5, "quantity_unit": "kW", "commissioned_on": dt.date(2023, 6, 1),
        "indicator": indicators["pv-capacity-added"]}))
    services.approve(reviewer, project)
    client.login(username="zjj-reporter", password=PASSWORD)
    report = client.get("/progress/report.xlsx")
    assert report.status_code == 200 and _texts(report.content)[LINK] == "s"
    services.save_indicator_report(reporter, indicator=indicators["pv-capacity-added"], unit=units["zhujiajiao"],
                                   period=world["annual"], value=1.0, note="=1+2")
    template = client.get(f"/tracking/periods/{world['annual'].pk}/units/zhujiajiao/template.xlsx")
    assert template.status_code == 200 and _texts(template.content)["=1+2"] == "s"


def test_a_workbook_that_unpacks_to_gigabytes_is_refused_unread(client, world, db_state):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (40 * 2**20))
    client.login(username="zjj-reporter", password=PASSWORD)
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = db_state()
    r = client.post(f"/tracking/periods/{world['period'].pk}/units/zhujiajiao/upload/",
                    {"file": SimpleUploadedFile("t.xlsx", buf.getvalue())})
    assert r.status_code == 400 and "MB" in r.content.decode()
    assert db_state() == before


def test_four_eyes_review_is_a_plan_setting_on_by_default(client, world, users, units, indicators, small_plan):
    office = actor_for_user(users["office"])
    own = services.submit(office, services.save_indicator_report(
        office, indicator=indicators["green-factories"], unit=units["jingwei"], period=world["annual"], value=3))
    client.login(username="office", password=PASSWORD)
    r = client.post(f"/api/tracking/indicator-reports/{own.pk}/approve", {}, content_type="application/json")
    assert r.status_code == 403 and IndicatorReport.objects.get(pk=own.pk).status == "submitted"
    ReviewPolicy.objects.create(plan=small_plan, four_eyes=False)
    r = client.post(f"/api/tracking/indicator-reports/{own.pk}/approve", {}, content_type="application/json")
    assert r.status_code == 200 and IndicatorReport.objects.get(pk=own.pk).status == "approved"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password=PASSWORD)


def test_admin_cannot_approve_edit_move_or_delete_workflow_records(client, world, superuser, db_state):
    client.force_login(superuser)
    rec, evidence = world["zjj_ind"], world["zjj_evidence"]
    assert client.get(f"/admin/tracking/indicatorreport/{rec.pk}/change/").status_code == 200  # visible
    before = db_state()
    r = client.post(f"/admin/tracking/indicatorreport/{rec.pk}/change/",
                    {"status": "approved", "value": "999", "unit": rec.unit_id, "period": rec.period_id,
                     "indicator": rec.indicator_id, "revision": 1})
    assert r.status_code == 403
    r = client.post(f"/admin/tracking/evidence/{evidence.pk}/change/", {"task_report": world["jw_task"].pk})
    assert r.status_code == 403
    r = client.post("/admin/tracking/evidence/", {"action": "delete_selected", "_selected_action": [evidence.pk],
                                                  "post": "yes"})
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert db_state() == before


def test_admin_edits_of_configuration_are_audited(client, world, superuser):
    client.force_login(superuser)
    period = world["annual"]
    r = client.post(f"/admin/tracking/reportingperiod/{period.pk}/change/", {
        "plan": period.plan_id, "kind": period.kind, "year": period.year, "quarter": "", "start": period.start,
        "end": period.end, "due_date": "2025-02-28"})
    assert r.status_code == 302, r.content.decode()[:2000]
    entry = AuditEntry.objects.get(object_type="tracking.reportingperiod", object_id=period.pk)
    assert entry.actor_name == "root" and entry.after == {"due_date": "2025-02-28"}


def test_one_login_throttle_for_every_login_form(client, superuser):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "root", "password": "wrong"})
    for _ in range(2):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    r = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    assert "登录失败次数过多，请 15 分钟后再试。" in r.content.decode()
    r = client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_review_meeting_a_busy_database_is_409_and_changes_nothing(client, world):
    """Another connection holds a write lock (a second reviewer's transaction): the answer is 409, not 500."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's 'database is locked'; PostgreSQL waits on the row lock instead")
    name = connection.settings_dict["NAME"]
    other = sqlite3.connect(name, uri=True, isolation_level=None)
    rec = world["zjj_ind"]
    client.login(username="zjj-reviewer", password=PASSWORD)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE tracking_indicatorreport SET review_comment = 'other reviewer' WHERE id = ?", (rec.pk,))
    try:
        api = client.post(f"/api/tracking/indicator-reports/{rec.pk}/approve", {}, content_type="application/json")
        page = client.post(f"/tracking/indicator-reports/{rec.pk}/review/", {"decision": "approve"})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (api.status_code, page.status_code) == (409, 409)
    assert "in progress" in api.json()["detail"] and "in progress" in page.content.decode()
    assert IndicatorReport.objects.get(pk=rec.pk).status == "submitted"


# --- the reporting loop's routes (issue 13): every refused role changes nothing ---------------------------------

@pytest.fixture
def loop_world(members, qingpu_plan, django_user_model):
    """Unit A (朱家角镇) has a submitted value for 2025 Q1 and a reminder for reporter-a; `reviewer-b` reviews unit B
    (练塘镇), so 'another unit's reporter and reviewer' are reporter-b and reviewer-b."""
    from carbonpeak.core.tests.members import MEMBER_PASSWORD

    from carbonpeak.tracking import reminders
    from carbonpeak.tracking.models import Membership
    from carbonpeak.tracking.permissions import unit_indicators
    from carbonpeak.tracking.selectors import Reminder

    reviewer_b = django_user_model.objects.create_user("reviewer-b", password=MEMBER_PASSWORD)
    Membership.objects.create(user=reviewer_b, unit=qingpu_plan.units.get(code="liantang"), role="reviewer")
    members["reviewer-b"] = reviewer_b
    periods = services.ensure_periods(qingpu_plan, 2025, 2025)
    q1 = next(p for p in periods if p.code == "2025Q1")
    unit_a = qingpu_plan.units.get(code="zhujiajiao")
    indicator = unit_indicators(unit_a).filter(plan=qingpu_plan, kind="quantitative").first()
    reporter = actor_for_user(members["reporter-a"])
    record = services.submit(reporter, services.save_indicator_report(
        reporter, indicator=indicator, unit=unit_a, period=q1, value=1.5))
    reminders.remind(Reminder(q1, unit_a, 1, 0, 1), reminders.Kind.OVERDUE)
    return {"q1": q1, "record": record, "indicator": indicator, "unit_a": unit_a}


def _everything(db_state) -> dict:
    """The domain rows plus every account's name, password hash, activity and staff flag."""
    from django.contrib.auth import get_user_model

    return {**db_state(), "users": sorted(get_user_model().objects.values_list(
        "username", "password", "is_active", "is_staff"))}


OFFICE_ONLY = {"anon": 302, "nobody": 403, "leader": 403, "reporter-a": 403, "reviewer-a": 403, "reporter-b": 403,
               "reviewer-b": 403}


def _loop_routes(w: dict, members: dict) -> list[tuple[str, str, dict | None, dict[str, int]]]:
    q1, record, unit_a = w["q1"], w["record"], w["unit_a"]
    sheet = f"/tracking/periods/{q1.pk}/units/zhujiajiao/"
    target = members["reporter-b"]
    reminder = Notification.objects.get(recipient=members["reporter-a"], channel="app")  # reporter A's own
    return [
        ("POST", sheet + "submit/", {f"ind-{w['indicator'].pk}-value": "9"},
         {"anon": 302, "nobody": 403, "leader": 403, "reviewer-a": 403, "reporter-b": 404, "reviewer-b": 404}),
        ("POST", f"/tracking/indicator-reports/{record.pk}/withdraw/", {},
         {"anon": 302, "nobody": 403, "leader": 403, "reviewer-a": 403, "reporter-b": 404, "reviewer-b": 404}),
        ("POST", "/tracking/review/approve/", {"records": [f"indicator-reports:{record.pk}"]},
         {"anon": 302, "nobody": 403, "leader": 403, "reporter-a": 403, "reporter-b": 403, "reviewer-b": 404}),
        ("POST", f"/tracking/indicator-reports/{record.pk}/review/", {"decision": "return", "next": "/tracking/review/"},
         {"anon": 302, "nobody": 403, "leader": 403, "reporter-a": 403, "reporter-b": 404, "reviewer-b": 404,
          "reviewer-a": 400}),
        ("GET", "/tracking/notifications/", None, {"anon": 302, "nobody": 403}),
        ("POST", "/tracking/notifications/read/", {"id": reminder.pk},
         {"anon": 302, "nobody": 403, "office": 404, "leader": 404, "reviewer-a": 404, "reporter-b": 404,
          "reviewer-b": 404}),
        ("POST", "/tracking/reminders/send/", {"unit": unit_a.code, "period": q1.code}, OFFICE_ONLY),
        ("POST", "/tracking/reminders/send/", {}, OFFICE_ONLY),
        ("GET", "/tracking/users/", None, OFFICE_ONLY),
        ("POST", "/tracking/users/", {"username": "intruder", "unit": unit_a.pk, "role": "admin",
                                      "password1": "long-enough-2026", "password2": "long-enough-2026"}, OFFICE_ONLY),
        ("POST", f"/tracking/users/{target.pk}/role/", {"unit": unit_a.pk, "role": "admin"}, OFFICE_ONLY),
        ("POST", f"/tracking/users/{target.pk}/active/", {"active": "0"}, OFFICE_ONLY),
        ("GET", "/tracking/periods/", None, OFFICE_ONLY),
        ("POST", "/tracking/periods/", {"year": "2030", "quarterly": "on"}, OFFICE_ONLY),
        ("POST", f"/tracking/periods/{q1.pk}/closed/", {"closed": "1"}, OFFICE_ONLY),
    ]


def test_loop_routes_refuse_every_role_without_the_right_and_change_nothing(members, loop_world, as_user, db_state):
    failures = []
    for method, url, data, refused in _loop_routes(loop_world, members):
        for role, expected in refused.items():
            client = as_user(None if role == "anon" else members[role])
            before = _everything(db_state)
            response = client.get(url) if method == "GET" else client.post(url, data or {})
            if response.status_code != expected:
                failures.append(f"{role} {method} {url}: {response.status_code}, expected {expected}")
            if method == "POST" and _everything(db_state) != before:
                failures.append(f"{role} {method} {url}: refused, but the database changed")
    assert not failures, "\n".join(failures)


def test_loop_routes_work_for_the_roles_that_may(members, loop_world, as_user):
    """The other side of the refusals above: the office's pages answer, a reporter sees only their notifications."""
    office = as_user(members["office"])
    for url in ("/tracking/users/", "/tracking/periods/", "/tracking/reminders/", "/tracking/review/"):
        assert office.get(url).status_code == 200, url
    assert "office" in office.get("/tracking/users/").content.decode()
    mine = as_user(members["reporter-a"]).get("/tracking/notifications/").content.decode()
    assert 'data-unit="zhujiajiao"' in mine
    theirs = as_user(members["reporter-b"]).get("/tracking/notifications/").content.decode()
    assert 'data-unit="zhujiajiao"' not in theirs
    reminder = Notification.objects.get(recipient=members["reporter-a"], channel="app")
    assert as_user(members["reporter-a"]).post("/tracking/notifications/read/", {"id": reminder.pk}).status_code == 302
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    response = as_user(members["reporter-a"]).post(f"/tracking/indicator-reports/{loop_world['record'].pk}/withdraw/")
    assert response.status_code == 302
    assert IndicatorReport.objects.get(pk=loop_world["record"].pk).status == "draft"
