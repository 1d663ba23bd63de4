"""`carbonpeak users --add` (password rules, no TTY needed) and demo users that a restart never resets."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from carbonpeak.tracking.models import Membership
from carbonpeak.tracking.users import DEMO_PASSWORD, ensure_demo_users

pytestmark = pytest.mark.django_db
GOOD = "qingpu-reviewer-2026"


def add(username: str, *, unit: str = "朱家角镇", role: str = "reviewer") -> str:
    out = io.StringIO()
    call_command("users", "--add", username, "--unit", unit, "--role", role, stdout=out)
    return out.getvalue()


def test_add_takes_the_password_from_the_environment(small_plan, monkeypatch):
    monkeypatch.setenv("CARBONPEAK_PASSWORD", GOOD)
    add("zjj-new-reviewer")
    user = get_user_model().objects.get(username="zjj-new-reviewer")
    assert user.check_password(GOOD) and user.memberships.get().role == Membership.Role.REVIEWER
    assert not user.is_staff


def test_add_takes_the_password_from_standard_input(small_plan, monkeypatch):
    monkeypatch.delenv("CARBONPEAK_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
    add("first-admin", unit="区发改委", role="admin")
    user = get_user_model().objects.get(username="first-admin")
    assert user.check_password(GOOD) and user.is_staff and user.memberships.get().unit.code == "fgw"


@pytest.mark.parametrize("password, rule", [("short1", "too short|太短"), ("password123", "too common|太常见")])
def test_add_refuses_a_password_the_rules_refuse_and_stores_nothing(small_plan, monkeypatch, password, rule):
    monkeypatch.setenv("CARBONPEAK_PASSWORD", password)
    with pytest.raises(CommandError, match=rule):
        add("weak")
    assert not get_user_model().objects.filter(username="weak").exists()


def test_add_refuses_an_empty_password(small_plan, monkeypatch):
    monkeypatch.delenv("CARBONPEAK_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="no password"):
        add("nobody-yet")


def test_demo_users_keep_a_changed_password_and_a_deactivation(small_plan, monkeypatch):
    users = ensure_demo_users(small_plan)
    office = users["office"]
    assert office.check_password(DEMO_PASSWORD) and office.is_staff
    monkeypatch.setenv("CARBONPEAK_PASSWORD", GOOD)
    add("office", unit="区发改委", role="admin")
    leader = users["leader"]
    leader.is_active = False
    leader.save()
    ensure_demo_users(small_plan)  # what a later `carbonpeak demo` does
    office.refresh_from_db()
    leader.refresh_from_db()
    assert office.check_password(GOOD) and not office.check_password(DEMO_PASSWORD)
    assert not leader.is_active


def test_add_and_list_in_the_plan_named_by_plan(small_plan, example_plan, settings, monkeypatch):
    settings.CARBONPEAK_PLAN_CODE = small_plan.code
    monkeypatch.setenv("CARBONPEAK_PASSWORD", GOOD)
    out = io.StringIO()
    call_command("users", "--plan", example_plan.code, "--add", "donghu-rep", "--unit", "东湖镇", "--role", "reporter",
                 stdout=out)
    membership = get_user_model().objects.get(username="donghu-rep").memberships.get()
    assert membership.plan == example_plan and membership.unit.name_zh == "东湖镇"
    assert "donghu-rep" in out.getvalue()
    default_listing = io.StringIO()
    call_command("users", stdout=default_listing)  # the default plan (small) has no such member
    assert "donghu-rep" not in default_listing.getvalue()
    with pytest.raises(CommandError, match="no plan 'nowhere' is loaded"):
        call_command("users", "--plan", "nowhere")


def test_periods_for_the_plan_named_by_plan(small_plan, example_plan, settings):
    settings.CARBONPEAK_PLAN_CODE = small_plan.code
    before = set(small_plan.reporting_periods.values_list("id", flat=True))
    out = io.StringIO()
    call_command("periods", "--plan", example_plan.code, "--from", "2030", "--to", "2030", "--annual-only", stdout=out)
    assert example_plan.reporting_periods.filter(year=2030).count() == 1
    assert set(small_plan.reporting_periods.values_list("id", flat=True)) == before
    assert example_plan.code in out.getvalue()


def test_the_audit_log_keeps_every_membership_of_an_account(small_plan, example_plan, monkeypatch):
    from carbonpeak.tracking.models import AuditEntry

    monkeypatch.setenv("CARBONPEAK_PASSWORD", GOOD)
    add("two-plans", unit="朱家角镇", role="reporter")
    call_command("users", "--plan", example_plan.code, "--add", "two-plans", "--unit", "东湖镇", "--role", "reviewer",
                 stdout=io.StringIO())
    entry = AuditEntry.objects.filter(action="edit_account", object_repr="two-plans").get()
    assert entry.before["memberships"] == [{"plan": small_plan.code, "unit": "zhujiajiao", "role": "reporter"}]
    assert entry.after["memberships"] == [
        {"plan": example_plan.code, "unit": "donghu", "role": "reviewer"},
        {"plan": small_plan.code, "unit": "zhujiajiao", "role": "reporter"}]
