"""The reporting pages end to end through the Django test client: HTMX inline edit, review, record page with
audit trail, reminders, projects, English."""

import datetime as dt

import pytest

from carbonpeak.core import clock
from carbonpeak.tracking.models import IndicatorReport, Project, ReportingPeriod

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_reporter_fills_and_submits_inline_then_reviewer_approves(client, users, period, indicators):
    pv = indicators["pv-capacity-added"]
    client.login(username="zjj-reporter", password=PASSWORD)
    html = client.get("/tracking/").content.decode()
    assert f'href="/tracking/periods/{period.pk}/units/zhujiajiao/"' in html
    sheet = client.get(f"/tracking/periods/{period.pk}/units/zhujiajiao/").content.decode()
    assert 'id="ind-pv-capacity-added"' in sheet and 'id="value-pv-capacity-added"' in sheet
    assert 'data-status="none"' in sheet and "chargers" not in sheet
    url = f"/tracking/periods/{period.pk}/units/zhujiajiao/indicators/{pv.pk}/"
    f = f"ind-{pv.pk}-"
    row = client.post(url, {f + "value": "abc", "action": "save"}, **HTMX)
    assert row.status_code == 200 and 'id="error-pv-capacity-added"' in row.content.decode()
    assert 'value="abc"' in row.content.decode()  # what was typed stays
    row = client.post(url, {f + "value": "1.8", f + "note": "备案口径", "action": "save"}, **HTMX).content.decode()
    assert row.startswith('<tr id="ind-pv-capacity-added"') and 'data-status="draft"' in row
    row = client.post(url, {f + "value": "1.9", f + "note": "备案口径", "action": "submit"}, **HTMX).content.decode()
    assert 'data-status="submitted"' in row and 'id="submit-pv-capacity-added"' not in row
    report = IndicatorReport.objects.get()
    assert (report.value, report.status) == (1.9, "submitted")

    client.login(username="zjj-reviewer", password=PASSWORD)
    queue = client.get("/tracking/review/").content.decode()
    assert 'id="review-indicator-pv-capacity-added-zhujiajiao"' in queue
    response = client.post(f"/tracking/indicator-reports/{report.pk}/review/",
                           {"decision": "approve", "comment": "核对无误", "next": "/tracking/review/"})
    assert response.status_code == 302 and response["Location"] == "/tracking/review/"
    record = client.get(f"/tracking/indicator-reports/{report.pk}/").content.decode()
    assert 'data-status="approved"' in record and 'id="audit-trail"' in record
    for action in ("create", "edit", "submit", "approve"):
        assert f'data-audit-action="{action}"' in record
    assert "zjj-reviewer" in record and "核对无误" in record


def test_return_shows_the_comment_on_the_sheet_and_the_reporter_can_fix_it(client, world):
    client.login(username="zjj-reviewer", password=PASSWORD)
    client.post(f"/tracking/indicator-reports/{world['zjj_ind'].pk}/review/",
                {"decision": "return", "comment": "请附备案清单"})
    assert IndicatorReport.objects.get(pk=world["zjj_ind"].pk).status == "returned"
    # returning without a comment is refused
    client.login(username="jw-reviewer", password=PASSWORD)
    client.post(f"/tracking/indicator-reports/{world['jw_ind'].pk}/review/", {"decision": "return"})
    assert IndicatorReport.objects.get(pk=world["jw_ind"].pk).status == "submitted"
    client.login(username="zjj-reporter", password=PASSWORD)
    sheet = client.get(f"/tracking/periods/{world['period'].pk}/units/zhujiajiao/").content.decode()
    assert 'id="comment-pv-capacity-added"' in sheet and "请附备案清单" in sheet
    response = client.post(f"/tracking/periods/{world['period'].pk}/units/zhujiajiao/submit/")
    assert response.status_code == 302
    assert IndicatorReport.objects.get(pk=world["zjj_ind"].pk).status == "submitted"


def test_correction_page_flow(client, world):
    client.login(username="zjj-reporter", password=PASSWORD)
    approved = world["zjj_approved"]
    page = client.get(f"/tracking/indicator-reports/{approved.pk}/").content.decode()
    assert 'id="correct-form"' in page and 'id="record-submit"' not in page
    response = client.post(f"/tracking/indicator-reports/{approved.pk}/correct/", {"value": "0.85"})
    new = IndicatorReport.objects.get(supersedes=approved)
    assert response["Location"] == f"/tracking/indicator-reports/{new.pk}/"
    assert (new.revision, new.value, new.status) == (2, 0.85, "draft")
    assert IndicatorReport.objects.get(pk=approved.pk).value == 0.8
    page = client.get(f"/tracking/indicator-reports/{new.pk}/").content.decode()
    assert "r1" in page and "r2" in page and 'data-audit-action="correct"' in page


def test_reminders_list_overdue_units(client, users, small_plan, units):
    start, end = ReportingPeriod.bounds("quarterly", 2023, 4)
    overdue = ReportingPeriod.objects.create(plan=small_plan, kind="quarterly", year=2023, quarter=4, start=start,
                                             end=end, due_date=dt.date(2024, 1, 15))
    future = clock.today() + dt.timedelta(days=30)
    ReportingPeriod.objects.create(plan=small_plan, kind="annual", year=future.year + 1, start=future,
                                   end=future + dt.timedelta(days=300), due_date=future + dt.timedelta(days=330))
    client.login(username="office", password=PASSWORD)
    html = client.get("/tracking/reminders/").content.decode()
    for code in ("fgw", "jingwei", "jianguanwei", "zhujiajiao", "liantang"):
        assert f'data-unit="{code}" data-period="2023Q4"' in html
    assert f"data-period=\"{future.year + 1}\"" not in html
    api = client.get("/api/tracking/reminders", {"period": "2023Q4"}).json()
    zjj = next(r for r in api if r["unit"] == "zhujiajiao")
    assert zjj["missing_indicators"] == 1 and zjj["missing_tasks"] == 0
    assert zjj["days_overdue"] == 366 + 365 + 314  # due 2024-01-15 -> 2025-01-15 -> 2026-01-15 -> the tests' 11-25
    client.login(username="zjj-reporter", password=PASSWORD)
    html = client.get("/tracking/reminders/").content.decode()
    assert 'data-unit="zhujiajiao"' in html and 'data-unit="jingwei"' not in html
    assert overdue.code == "2023Q4"


def test_project_registration_and_approval_pages(client, users, units, indicators):
    client.login(username="zjj-reporter", password=PASSWORD)
    form = client.get("/tracking/projects/new/")
    assert form.status_code == 200
    response = client.post("/tracking/projects/new/", {
        "kind": "pv", "name": "朱家角镇分布式光伏", "town": units["zhujiajiao"].pk,
        "responsible_unit": units["zhujiajiao"].pk, "quantity": "1200", "quantity_unit": "kW",
        "commissioned_on": "2024-03-01", "indicator": indicators["pv-capacity-added"].pk, "action": "submit"})
    project = Project.objects.get()
    assert response.status_code == 302 and project.status == "submitted"
    # a reporter cannot register a project for another unit
    response = client.post("/tracking/projects/new/", {"kind": "pv", "name": "x", "responsible_unit":
                                                       units["jingwei"].pk, "quantity": "1"})
    assert response.status_code == 400 and Project.objects.count() == 1
    client.login(username="zjj-reviewer", password=PASSWORD)
    client.post(f"/tracking/projects/{project.pk}/review/", {"decision": "approve"})
    project.refresh_from_db()
    assert project.status == "approved"
    html = client.get("/tracking/projects/", {"status": "approved"}).content.decode()
    assert f'data-project-id="{project.pk}"' in html
    page = client.get(f"/tracking/projects/{project.pk}/").content.decode()
    assert 'data-audit-action="approve"' in page and 'id="project-edit"' not in page


def test_english_interface(client, users, period):
    client.login(username="zjj-reporter", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/tracking/periods/{period.pk}/units/zhujiajiao/").content.decode()
    assert "Save and submit all for review" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get(f"/tracking/periods/{period.pk}/units/zhujiajiao/").content.decode()
    assert "保存并提交全部" in html


def test_demo_users(small_plan, client, settings):
    from carbonpeak.tracking.users import DEMO_PASSWORD, ensure_demo_users

    users = ensure_demo_users(small_plan)
    assert set(users) == {"office", "leader", "zhujiajiao-reporter", "zhujiajiao-reviewer", "jingwei-reporter",
                          "jingwei-reviewer", "jianguanwei-reporter"}
    assert users["zhujiajiao-reporter"].memberships.get().unit.name_zh == "朱家角镇"
    assert users["office"].memberships.get().role == "admin"
    assert ensure_demo_users(small_plan).keys() == users.keys()  # idempotent
    assert client.login(username="jianguanwei-reporter", password=DEMO_PASSWORD)
