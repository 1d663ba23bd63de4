"""Demo users, one per role, for the units the demo history covers. All share the password `carbonpeak-demo`.

DEMO_USERS when the plan has every unit they name; otherwise accounts made from the plan's own units, named
after the plan (e.g. `example-2024-office`, `example-2024-donghu-reporter`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from carbonpeak.plan.models import Plan, ResponsibleUnit
from carbonpeak.tracking.models import Membership
from carbonpeak.tracking.services import set_membership

DEMO_PASSWORD = "carbonpeak-demo"

# username → (unit as the plan names it, role)
DEMO_USERS: dict[str, tuple[str, str]] = {
    "office": ("区发改委", Membership.Role.ADMIN),
    "leader": ("区发改委", Membership.Role.LEADER),
    "zhujiajiao-reporter": ("朱家角镇", Membership.Role.REPORTER),
    "zhujiajiao-reviewer": ("朱家角镇", Membership.Role.REVIEWER),
    "jingwei-reporter": ("区经委", Membership.Role.REPORTER),
    "jingwei-reviewer": ("区经委", Membership.Role.REVIEWER),
    "jianguanwei-reporter": ("区建管委", Membership.Role.REPORTER),
}


def find_unit(plan: Plan, name: str) -> ResponsibleUnit:
    """A unit of the plan by code, Chinese name or alias."""
    unit = plan.units.filter(code=name).first() or plan.units.filter(name_zh=name).first()
    if unit is None:
        unit = next((u for u in plan.units.all() if name in (u.aliases or [])), None)
    if unit is None:
        raise ResponsibleUnit.DoesNotExist(f"plan {plan.code} has no unit named {name!r}")
    return unit


def demo_accounts(plan: Plan) -> dict[str, tuple[ResponsibleUnit, str]]:
    """username → (unit, role) of the plan's demo users."""
    try:
        return {username: (find_unit(plan, name), role) for username, (name, role) in DEMO_USERS.items()}
    except ResponsibleUnit.DoesNotExist:
        pass
    departments = list(plan.units.filter(kind=ResponsibleUnit.Kind.DEPARTMENT).order_by("position"))
    towns = list(plan.units.filter(kind__in=[ResponsibleUnit.Kind.TOWN, ResponsibleUnit.Kind.STREET])
                 .order_by("position"))
    office = (departments or towns or list(plan.units.order_by("position")) or [None])[0]
    if office is None:
        return {}
    accounts = {f"{plan.code}-office": (office, Membership.Role.ADMIN),
                f"{plan.code}-leader": (office, Membership.Role.LEADER)}
    for unit in (towns[:1] + departments[1:2]):
        accounts[f"{plan.code}-{unit.code}-reporter"] = (unit, Membership.Role.REPORTER)
        accounts[f"{plan.code}-{unit.code}-reviewer"] = (unit, Membership.Role.REVIEWER)
    return accounts


@transaction.atomic
def ensure_demo_users(plan: Plan) -> dict:
    """Create (or reset) the demo users and their memberships; returns username → user. Idempotent."""
    User = get_user_model()
    users = {}
    for username, (unit, role) in demo_accounts(plan).items():
        user, created = User.objects.get_or_create(username=username)
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = role == Membership.Role.ADMIN
        user.save()
        set_membership(user, unit, role)
        users[username] = user
    return users
