"""Demo users, one per role, for the units the demo history covers. All share the password `carbonpeak-demo`.

DEMO_USERS when the plan has every unit they name; otherwise accounts made from the plan's own units, named
after the plan (e.g. `example-2024-office`, `example-2024-donghu-reporter`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
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
    """Create the missing demo users (password `carbonpeak-demo`) and their memberships; returns username → user.

    A demo user that already exists is returned as it is: a changed password, a deactivated account or a changed
    role survives every later call (a restart must never bring the public password back).
    """
    User = get_user_model()
    users = {}
    for username, (unit, role) in demo_accounts(plan).items():
        user, created = User.objects.get_or_create(username=username)
        if created:
            save_account(user, DEMO_PASSWORD, unit, role, validate=False)
        users[username] = user
    return users


def save_account(user, password: str, unit: ResponsibleUnit, role: str, *, validate: bool = True) -> None:
    """Set a user's password (checked by the password validators unless ``validate`` is off), unit and role.

    Raises django.core.exceptions.ValidationError naming every rule the password breaks. Office admins get the
    Django admin (is_staff).
    """
    if validate:
        password_validation.validate_password(password, user)
    user.set_password(password)
    user.is_staff = role == Membership.Role.ADMIN
    user.save()
    set_membership(user, unit, role)
