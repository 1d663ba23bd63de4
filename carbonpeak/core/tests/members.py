"""Test users: one per role of a plan, with their memberships (shared by the apps' test fixtures)."""

from __future__ import annotations

MEMBER_PASSWORD = "pw-member-123"


def make_members(plan, roles: dict[str, tuple[str, str]], password: str | None = MEMBER_PASSWORD) -> dict:
    """Users of `plan` with one membership each (`roles`: username → (unit code, role)), plus `nobody`: logged in,
    without a membership. `password` None: they cannot log in with one (tests use force_login)."""
    from django.contrib.auth import get_user_model

    from carbonpeak.tracking.models import Membership

    users, units = get_user_model().objects, {u.code: u for u in plan.units.all()}
    made = {}
    for username, (unit, role) in roles.items():
        made[username] = users.create_user(username, password=password)
        Membership.objects.create(user=made[username], unit=units[unit], role=role)
    made["nobody"] = users.create_user("nobody", password=password)
    return made
