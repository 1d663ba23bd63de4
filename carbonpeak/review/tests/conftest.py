"""The Qingpu plan with users per role: the office (区发改委), a leader, reporter and reviewer of 白鹤镇 (A) and
练塘镇 (B)."""

from __future__ import annotations

import pytest

from carbonpeak.tracking.models import Membership

ROLE_USERS = {
    "office": ("fgw", Membership.Role.ADMIN),
    "leader": ("fgw", Membership.Role.LEADER),
    "a-reporter": ("baihe", Membership.Role.REPORTER),
    "a-reviewer": ("baihe", Membership.Role.REVIEWER),
    "b-reporter": ("liantang", Membership.Role.REPORTER),
    "b-reviewer": ("liantang", Membership.Role.REVIEWER),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def users(qingpu_plan, django_user_model):
    units = {u.code: u for u in qingpu_plan.units.all()}
    made = {}
    for username, (code, role) in ROLE_USERS.items():
        user = django_user_model.objects.create_user(username)
        Membership.objects.create(user=user, unit=units[code], role=role)
        made[username] = user
    made["nobody"] = django_user_model.objects.create_user("nobody")
    return made


@pytest.fixture
def actors(users):
    from carbonpeak.tracking.permissions import actor_for_user

    return {name: actor_for_user(user) for name, user in users.items()}
