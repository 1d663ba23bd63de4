"""The monthly reporting loop through the Django test client: the to-do after login, submit-all that keeps what
was typed, withdrawal, the review queue (previous value, change, bulk approve, inline errors), reminders by a real
SMTP server and by the worker's schedule, on-time rates, and the office's users and periods pages."""

import asyncio
import datetime as dt
import email
import email.policy
import re
import socket

import pytest
from django.db import transaction

from carbonpeak.tracking import services
from carbonpeak.tracking.models import AuditEntry, IndicatorReport, Notification, ReportingPeriod, TaskReport
from carbonpeak.tracking.permissions import actor_for_user

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username):
    client.logout()
    assert client.login(username=username, password=PASSWORD)
    return client


def _sheet(period, unit="zhujiajiao"):
    return f"/tracking/periods/{period.pk}/units/{unit}/"


# --- to-do after login ----------------------------------------------------------------------------------------

def test_login_lands_on_the_to_do_list_of_each_role(client, world, users):
    reviewer = actor_for_user(users["zjj-reviewer"])
    services.return_for_revision(reviewer, world["zjj_ind"], "请附备案清单")
    response = client.post("/accounts/login/", {"username": "zjj-reporter", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/tracking/"
    html = client.get("/tracking/").content.decode()
    assert 'id="todo-returned"' in html and "请附备案清单" in html
    assert f'data-report-id="{world["zjj_task"].pk}"' in html  # the task report draft
    assert 'id="todo-due"' in html and 'data-period="2024"' in html  # the annual period still owed
    client.logout()
    client.post("/accounts/login/", {"username": "jw-reviewer", "password": PASSWORD})
    html = client.get("/tracking/").content.decode()
    assert 'id="queue-count">2<' in html and 'href="/tracking/review/"' in html
    client.logout()
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    html = client.get("/tracking/").content.decode()
    assert 'id="todo-overdue"' in html and 'data-unit="jianguanwei" data-period="2024Q1"' in html
    client.logout()
    response = client.post("/accounts/login/", {"username": "nobody", "password": PASSWORD})
    assert response["Location"] == "/"  # no membership: the dashboard


# --- the sheet ------------------------------------------------------------------------------------------------

def test_submit_all_saves_what_was_typed_and_submits_it_in_one_go(client, users, period, indicators, small_plan):
    _login(client, "jw-reporter")
    green = indicators["green-factories"]
    task = small_plan.actions.get(number=2).tasks.get(number=1)
    response = client.post(_sheet(period, "jingwei") + "submit/", {
        f"ind-{green.pk}-value": "3", f"ind-{green.pk}-note": "新认定3家",
        f"task-{task.pk}-narrative": "完成绿色工厂认定", f"task-{task.pk}-progress_status": "in_progress",
        f"task-{task.pk}-percent_complete": "40"}, follow=True)
    report = IndicatorReport.objects.get(indicator=green)
    assert (report.value, report.note, report.status) == (3.0, "新认定3家", "submitted")
    assert TaskReport.objects.get(task=task).status == "submitted"
    assert [(m.level_tag, m.message) for m in response.context["messages"]] == [("success", "已保存并提交 2 条记录，等待审核。")]


def test_submit_all_refuses_a_bad_value_keeps_what_was_typed_and_saves_nothing(client, users, period, indicators,
                                                                               small_plan, db_state):
    _login(client, "jw-reporter")
    green = indicators["green-factories"]
    task = small_plan.actions.get(number=2).tasks.get(number=1)
    before = db_state()
    response = client.post(_sheet(period, "jingwei") + "submit/", {
        f"ind-{green.pk}-value": "三家", f"task-{task.pk}-narrative": "进展说明",
        f"task-{task.pk}-progress_status": "in_progress"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="sheet-error"' in html and 'id="error-green-factories"' in html
    assert 'value="三家"' in html and "进展说明" in html  # nothing typed is lost
    assert db_state() == before


def test_submit_all_with_nothing_typed_is_a_warning_not_a_success(client, users, period):
    _login(client, "jw-reporter")
    response = client.post(_sheet(period, "jingwei") + "submit/", {}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert "没有提交任何记录" in response.content.decode()


def test_sheet_is_grouped_by_action_with_returned_rows_first(client, world, users):
    services.return_for_revision(actor_for_user(users["zjj-reviewer"]), world["zjj_ind"], "数值偏高")
    html = _login(client, "zjj-reporter").get(_sheet(world["period"])).content.decode()
    assert html.index('id="returned-rows"') < html.index('class="sheet-group" data-action="1"')
    assert html.index('id="ind-pv-capacity-added"') < html.index(f'id="task-{world["task11"].pk}"')
    assert "数值偏高" in html and 'data-warn-unsaved=' in html and 'id="sheet-due"' in html


def test_reporter_withdraws_a_submission_before_review_not_after(client, world, users):
    _login(client, "zjj-reporter")
    record = world["zjj_ind"]
    html = client.get(_sheet(world["period"])).content.decode()
    assert 'id="withdraw-pv-capacity-added"' in html
    response = client.post(f"/tracking/indicator-reports/{record.pk}/withdraw/")
    assert response.status_code == 302 and response["Location"] == _sheet(world["period"])
    record.refresh_from_db()
    assert (record.status, record.submitted_by) == ("draft", None)
    assert AuditEntry.objects.filter(object_id=record.pk, action="withdraw").exists()
    approved = world["zjj_approved"]
    response = client.post(f"/tracking/indicator-reports/{approved.pk}/withdraw/", follow=True)
    assert "只有尚未审核的提交可以撤回" in response.content.decode()
    assert IndicatorReport.objects.get(pk=approved.pk).status == "approved"


def test_closed_period_takes_no_more_values(client, world, users, indicators):
    office = actor_for_user(users["office"])
    services.set_period_closed(office, world["annual"], True)
    reporter = actor_for_user(users["zjj-reporter"])
    with pytest.raises(services.WorkflowError, match="已关闭"):
        services.save_indicator_report(reporter, indicator=indicators["pv-capacity-added"], unit=world["zjj_ind"].unit,
                                       period=world["annual"], value=1)
    html = _login(client, "zjj-reporter").get(_sheet(world["annual"])).content.decode()
    assert 'id="period-closed"' in html and 'id="sheet-form"' not in html


# --- review ---------------------------------------------------------------------------------------------------

def test_review_queue_shows_target_previous_value_change_note_and_evidence(client, world, users, indicators):
    reporter = actor_for_user(users["zjj-reporter"])
    annual = services.submit(reporter, services.save_indicator_report(
        reporter, indicator=indicators["pv-capacity-added"], unit=world["zjj_ind"].unit, period=world["annual"],
        value=1.25, note="含农光互补"))
    html = _login(client, "zjj-reviewer").get("/tracking/review/").content.decode()
    row = html[html.index(f'data-report-id="{annual.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "29.4" in row  # the target
    assert '<td class="num previous">0.8' in row  # approved for 2023
    assert "+0.45" in row and "含农光互补" in row
    assert f'href="/tracking/evidence/{world["zjj_evidence"].pk}/"' not in row  # the task report is for 2024Q1
    q1 = html[html.index(f'data-report-id="{world["zjj_ind"].pk}"'):]
    assert f'href="/tracking/evidence/{world["zjj_evidence"].pk}/"' in q1[:q1.index("</tr>")]


def test_bulk_approve_checks_every_record_and_keeps_four_eyes(client, world, users, indicators, db_state):
    office = actor_for_user(users["office"])
    own = services.submit(office, services.save_indicator_report(
        office, indicator=indicators["green-factories"], unit=world["jw_ind"].unit, period=world["annual"], value=3))
    _login(client, "office")
    before = db_state()
    response = client.post("/tracking/review/approve/", {"records": [
        f"indicator-reports:{world['jw_ind'].pk}", f"indicator-reports:{own.pk}"]})
    assert response.status_code == 403 and db_state() == before  # its own submission: nothing approved
    response = client.post("/tracking/review/approve/", {"records": [
        f"indicator-reports:{world['jw_ind'].pk}", f"indicator-reports:{world['zjj_ind'].pk}",
        f"projects:{world['jw_project'].pk}"]})
    assert response.status_code == 302
    assert {IndicatorReport.objects.get(pk=world[k].pk).status for k in ("jw_ind", "zjj_ind")} == {"approved"}
    assert AuditEntry.objects.filter(action="approve", object_id=world["jw_project"].pk,
                                     object_type="tracking.project").exists()
    _login(client, "zjj-reviewer")
    before = db_state()
    response = client.post("/tracking/review/approve/", {"records": [f"projects:{world['jw_project'].pk}"]})
    assert response.status_code == 404 and db_state() == before  # another unit's record


def test_returning_without_a_comment_stays_in_the_queue_with_an_inline_error(client, world, db_state):
    _login(client, "zjj-reviewer")
    before = db_state()
    response = client.post(f"/tracking/indicator-reports/{world['zjj_ind'].pk}/review/",
                           {"decision": "return", "comment": " ", "next": "/tracking/review/"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="review-queue"' in html
    row = html[html.index(f'data-report-id="{world["zjj_ind"].pk}"'):]
    assert "请填写退回理由" in row[:row.index("</tr>")]
    assert db_state() == before


# --- reminders ------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message that arrives."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on a free local port; Django's SMTP back end sends to it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), loop=asyncio.new_event_loop())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.DEFAULT_FROM_EMAIL = "催报 <office@carbonpeak.test>"
    settings.SITE_URL = "https://carbonpeak.example.gov.cn/"
    yield inbox
    controller.stop()


def _with_emails(users):
    for name in ("zjj-reporter", "jw-reporter", "jgw-reporter"):
        users[name].email = f"{name}@carbonpeak.test"
        users[name].save()


def test_office_reminds_one_unit_by_email_and_in_the_app_once(client, users, period, smtp_inbox):
    _with_emails(users)
    _login(client, "office")
    html = client.get("/tracking/reminders/").content.decode()
    assert 'data-unit="zhujiajiao" data-period="2024Q1"' in html and 'id="on-time-rates"' in html
    response = client.post("/tracking/reminders/send/", {"unit": "zhujiajiao", "period": "2024Q1"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    [(to, message)] = smtp_inbox.messages
    assert to == ["zjj-reporter@carbonpeak.test"]
    assert message["Subject"].strip() == "区碳达峰办催报：朱家角镇 2024 年第 1 季度进展尚未报送"
    body = message.get_content()
    assert "朱家角镇" in body and "2024 年第 1 季度" in body and "2024-04-15" in body
    assert f"https://carbonpeak.example.gov.cn/tracking/periods/{period.pk}/units/zhujiajiao/" in body
    sent = Notification.objects.filter(unit__code="zhujiajiao")
    assert sorted(sent.values_list("channel", "status")) == [("app", "sent"), ("email", "sent")]
    assert AuditEntry.objects.filter(action="remind").count() == 2
    response = client.post("/tracking/reminders/send/", {"unit": "zhujiajiao", "period": "2024Q1"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["warning"] and len(smtp_inbox.messages) == 1
    html = _login(client, "zjj-reporter").get("/tracking/notifications/").content.decode()
    assert "朱家角镇 2024 年第 1 季度进展尚未报送" in html


def test_remind_all_overdue_and_a_failed_send_is_logged_with_its_error(client, users, period, settings):
    _with_emails(users)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 5  # nobody listens
    _login(client, "office")
    response = client.post("/tracking/reminders/send/", {}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    emails = Notification.objects.filter(channel="email")
    assert emails.count() == 3 and set(emails.values_list("status", flat=True)) == {"failed"}
    assert "Connection refused" in emails.first().error or "Errno" in emails.first().error
    assert Notification.objects.filter(channel="app", status="sent").count() == 3
    assert 'data-status="failed"' in client.get("/tracking/reminders/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_workers_scheduled_reminders_send_once_not_twice(users, period, smtp_inbox, monkeypatch):
    """The schedule the worker writes, run by django-q's own scheduler and worker (in-process), twice."""
    from django.utils import timezone
    from django_q.conf import Conf
    from django_q.models import Schedule, Task
    from django_q.scheduler import scheduler

    from carbonpeak.core.worker import ensure_schedules

    _with_emails(users)
    monkeypatch.setattr(Conf, "SYNC", True)
    ensure_schedules()
    for _run in range(2):
        Schedule.objects.update(next_run=timezone.now() - dt.timedelta(minutes=1))
        scheduler()
    results = list(Task.objects.filter(func="carbonpeak.tracking.reminders.send_scheduled_reminders")
                   .order_by("started").values_list("success", "result"))
    assert results == [(True, 6), (True, 0)]  # 3 reporters × (app + e-mail), then nothing
    assert sorted(to[0] for to, _m in smtp_inbox.messages) == [
        "jgw-reporter@carbonpeak.test", "jw-reporter@carbonpeak.test", "zjj-reporter@carbonpeak.test"]
    assert all("2024 年第 1 季度" in m["Subject"] for _to, m in smtp_inbox.messages)


def test_on_time_rates_rank_units(client, users, period, indicators, small_plan):
    """Due 2024-04-15: 区经委 submits one of its three items on time, 朱家角镇 its only item late."""
    from django.utils import timezone

    for username, code, day in (("jw-reporter", "green-factories", "2024-04-10"),
                                ("zjj-reporter", "pv-capacity-added", "2024-05-02")):
        actor = actor_for_user(users[username])
        record = services.submit(actor, services.save_indicator_report(
            actor, indicator=indicators[code], unit=actor.unit, period=period, value=1))
        at = timezone.make_aware(dt.datetime.fromisoformat(day + "T10:00"))
        with transaction.atomic():
            IndicatorReport.objects.filter(pk=record.pk).update(submitted_at=at)
    html = _login(client, "office").get("/tracking/reminders/").content.decode()
    table = html[html.index('id="on-time-rates"'):]
    rows = re.findall(r'<tr data-unit="(\w+)" data-rate="([\d.]+)">', table)
    assert rows[0] == ("jingwei", "0.3333") and ("zhujiajiao", "0.0000") in rows


# --- the office's users and periods pages ---------------------------------------------------------------------

def test_office_adds_a_user_with_password_rules_changes_role_and_deactivates(client, users, units, db_state):
    from django.contrib.auth import get_user_model

    _login(client, "office")
    form = {"username": "liantang-reporter", "email": "lt@carbonpeak.test", "unit": units["liantang"].pk,
            "role": "reporter", "password1": "123", "password2": "123"}
    before = db_state()
    response = client.post("/tracking/users/", form)
    assert response.status_code == 400 and "这个密码太常见了" in response.content.decode()
    assert db_state() == before and not get_user_model().objects.filter(username="liantang-reporter").exists()
    form["password1"] = form["password2"] = "lian-tang-2026!"
    assert client.post("/tracking/users/", form).status_code == 302
    user = get_user_model().objects.get(username="liantang-reporter")
    assert user.memberships.get().unit.code == "liantang" and user.check_password("lian-tang-2026!")
    entry = AuditEntry.objects.get(action="create_account", object_id=user.pk)
    assert entry.actor_name == "office" and "password" not in str(entry.after)
    client.post(f"/tracking/users/{user.pk}/role/", {"unit": units["liantang"].pk, "role": "reviewer"})
    user.refresh_from_db()
    assert user.memberships.get().role == "reviewer"
    client.post(f"/tracking/users/{user.pk}/active/", {"active": "0"})
    user.refresh_from_db()
    assert not user.is_active and AuditEntry.objects.filter(action="deactivate", object_id=user.pk).exists()
    response = client.post(f"/tracking/users/{users['office'].pk}/active/", {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    assert get_user_model().objects.get(pk=users["office"].pk).is_active


def test_a_too_short_password_is_refused_in_chinese(client, users, units, db_state):
    """Django 5.2's own zh_Hans catalogue lacks the MinimumLengthValidator message: core's locale gives it."""
    _login(client, "office")
    before = db_state()
    response = client.post("/tracking/users/", {"username": "short-pw", "email": "", "unit": units["liantang"].pk,
                                                "role": "reporter", "password1": "q7#kz", "password2": "q7#kz"})
    page = response.content.decode()
    assert response.status_code == 400 and "密码太短，至少需要 8 个字符。" in page and "too short" not in page
    assert db_state() == before


def test_cli_and_pages_share_one_audited_path(small_plan, users, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("CARBONPEAK_PASSWORD", "cli-pass-2026!")
    call_command("users", add="cli-user", unit="练塘镇", role="reporter")
    assert AuditEntry.objects.filter(action="create_account", object_repr="cli-user", actor_name="").exists()


def test_office_opens_and_closes_periods(client, users, small_plan):
    _login(client, "office")
    assert client.post("/tracking/periods/", {"year": "2027", "quarterly": "on"}).status_code == 302
    made = ReportingPeriod.objects.filter(plan=small_plan, year=2027)
    assert made.count() == 5 and AuditEntry.objects.filter(object_type="tracking.reportingperiod",
                                                           action="create").count() == 5
    q1 = made.get(quarter=1)
    client.post(f"/tracking/periods/{q1.pk}/closed/", {"closed": "1"})
    q1.refresh_from_db()
    assert q1.is_closed and AuditEntry.objects.filter(action="close", object_id=q1.pk).exists()
    assert client.post("/tracking/periods/", {"year": "abc"}).status_code == 400


def test_a_unit_is_reminded_once_before_the_due_date_and_once_after_it(users, period, smtp_inbox, clock, settings):
    """Due 2024-04-15, REMINDER_DAYS_BEFORE_DUE 3: nothing on the 11th, one reminder before the date from the 12th,
    not repeated; after the date the overdue reminder (another kind) goes out once."""
    from carbonpeak.tracking.reminders import send_scheduled_reminders

    _with_emails(users)
    settings.REMINDER_DAYS_BEFORE_DUE = 3
    clock("2024-04-11")
    assert send_scheduled_reminders() == 0
    clock("2024-04-12")
    assert send_scheduled_reminders() == 6 and send_scheduled_reminders() == 0  # 3 reporters × (app + e-mail)
    assert set(Notification.objects.values_list("kind", flat=True)) == {"due_soon"}
    subjects = {m["Subject"].strip() for _to, m in smtp_inbox.messages}
    assert "提醒：朱家角镇 2024 年第 1 季度进展报送将于 2024-04-15 截止" in subjects
    assert "还有 3 天" in smtp_inbox.messages[0][1].get_content()
    clock("2024-04-16")
    assert send_scheduled_reminders() == 6 and send_scheduled_reminders() == 0
    assert Notification.objects.filter(kind="overdue").count() == 6
    settings.REMINDER_DAYS_BEFORE_DUE = 0
    clock("2024-04-14")
    Notification.objects.all().delete()
    assert send_scheduled_reminders() == 0  # only after the date


def test_a_reporter_marks_notifications_read_and_nobody_else_can(client, users, period, db_state):
    from carbonpeak.tracking.reminders import send_scheduled_reminders

    send_scheduled_reminders()
    mine = Notification.objects.get(recipient=users["zjj-reporter"], channel="app")
    theirs = Notification.objects.get(recipient=users["jw-reporter"], channel="app")
    html = _login(client, "zjj-reporter").get("/tracking/").content.decode()
    assert 'id="todo-unread"' in html and "1 条未读通知" in html
    header = re.search(r'<a href="/tracking/notifications/" id="header-unread"[^>]*>([^<]+)</a>', html)
    assert header and header[1].strip() == "1 条未读"  # in the header of every page
    page = client.get("/tracking/notifications/").content.decode()
    assert f'data-read="no" class="unread"' in page and f'id="read-{mine.pk}"' in page

    before = db_state()
    for who in (None, "jw-reviewer", "office", "zjj-reviewer"):  # anonymous, another unit, the office, own unit
        if who is None:
            client.logout()
        else:
            _login(client, who)
        response = client.post("/tracking/notifications/read/", {"id": mine.pk})
        assert response.status_code in (302, 404) and db_state() == before, who
        if who is None:
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 404
    _login(client, "zjj-reporter")
    assert client.post("/tracking/notifications/read/", {"id": "x;1"}).status_code == 400
    assert client.post("/tracking/notifications/read/", {"id": theirs.pk}).status_code == 404
    assert client.get("/tracking/notifications/read/").status_code == 405
    assert db_state() == before

    assert client.post("/tracking/notifications/read/", {"id": mine.pk})["Location"] == "/tracking/notifications/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    entry = AuditEntry.objects.get(action="read")
    assert (entry.object_id, entry.actor_id) == (mine.pk, users["zjj-reporter"].pk)
    page = client.get("/tracking/").content.decode()
    assert 'id="todo-unread"' not in page and 'id="header-unread"' not in page
    _login(client, "jw-reporter")
    client.post("/tracking/notifications/read/")  # all of theirs
    assert not Notification.objects.filter(channel="app", read_at__isnull=True).exclude(
        recipient__username="jgw-reporter").exists()


def test_a_closed_period_is_neither_due_nor_reminded(client, users, period):
    """Once the office closes a period (no more values taken), nobody is reminded of it and no to-do lists it."""
    from carbonpeak.tracking.reminders import send_scheduled_reminders

    assert 'data-period="2024Q1"' in _due_list(_login(client, "zjj-reporter").get("/tracking/"))
    _login(client, "office").post(f"/tracking/periods/{period.pk}/closed/", {"closed": "1"})
    period.refresh_from_db()
    assert period.is_closed
    assert send_scheduled_reminders() == 0 and not Notification.objects.exists()
    assert 'data-unit="zhujiajiao" data-period="2024Q1"' not in client.get("/tracking/reminders/").content.decode()
    response = client.post("/tracking/reminders/send/", {"unit": "zhujiajiao", "period": "2024Q1"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["warning"] and not Notification.objects.exists()
    assert 'data-period="2024Q1"' not in _due_list(_login(client, "zjj-reporter").get("/tracking/"))


def _due_list(response) -> str:
    """The to-do's list of periods due."""
    html = response.content.decode()
    due = html[html.index('id="todo-due"'):]
    return due[:due.index("</ul>")]
