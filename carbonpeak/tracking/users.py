"""Accounts: the district office's user management (pages and `carbonpeak users`, one code path, audited), and
demo users, one per role, for the units the demo history covers. All demo users share the password
`carbonpeak-demo`.

DEMO_USERS when the plan has every unit they name; otherwise accounts made from the plan's own units, named
after the plan (e.g. `example-2024-office`, `example-2024-donghu-reporter`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from carbonpeak.core.audit import audit
from carbonpeak.plan.models import Plan, ResponsibleUnit
from carbonpeak.tracking.models import Membership
from carbonpeak.core.permissions import Actor, Role, require
from carbonpeak.tracking.services import set_membership

COMMAND_LINE = Actor(user=None, unit=None, role=Role.ADMIN)
"""Who acts in `carbonpeak users` (whoever holds the server's shell): audited with an empty actor name."""

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


def account_state(user) -> dict:
    """What the audit log keeps of an account (never the password hash): every membership (plan, unit, role), so
    a change in one plan's role shows beside the user's places in the other plans."""
    memberships = (Membership.objects.filter(user=user).select_related("plan", "unit").order_by("plan__code")
                   if user.pk else [])
    return {"username": user.get_username(), "email": user.email, "is_active": user.is_active,
            "memberships": [{"plan": m.plan.code, "unit": m.unit.code, "role": m.role} for m in memberships]}


def _apply_role(user, unit: ResponsibleUnit, role: str) -> None:
    """Office admins get the Django admin (is_staff)."""
    user.is_staff = role == Membership.Role.ADMIN
    user.save()
    set_membership(user, unit, role)


def save_account(user, password: str, unit: ResponsibleUnit, role: str, *, validate: bool = True,
                 actor: Actor | None = None) -> None:
    """Set a user's password (checked by the password validators unless ``validate`` is off), unit and role;
    audited when an ``actor`` is given (the pages and the command; the demo loader passes none).

    Raises django.core.exceptions.ValidationError naming every rule the password breaks.
    """
    if validate:
        password_validation.validate_password(password, user)
    before = account_state(user) if user.pk and Membership.objects.filter(user=user).exists() else None
    user.set_password(password)
    _apply_role(user, unit, role)
    if actor is not None:
        audit(actor, "create_account" if before is None else "edit_account", user, before, account_state(user))


def _require_office(actor: Actor) -> None:
    require(actor.is_admin, _("Only the district office manages users."))


def add_account(actor: Actor, username: str, email: str, password: str, unit: ResponsibleUnit, role: str):
    """A new account with its unit and role; the password must pass the password rules. All or nothing."""
    _require_office(actor)
    User = get_user_model()
    username = username.strip()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("The user name %(name)s is taken.") % {"name": username}})
    with transaction.atomic():
        user = User(username=username, email=email.strip())
        save_account(user, password, unit, role, actor=actor)
    return user


def change_role(actor: Actor, user, unit: ResponsibleUnit, role: str) -> None:
    _require_office(actor)
    if actor.user is not None and actor.user.pk == user.pk:
        raise ValidationError(_("You cannot change your own role or unit."))
    with transaction.atomic():
        before = account_state(user)
        _apply_role(user, unit, role)
        audit(actor, "change_role", user, before, account_state(user))


def set_active(actor: Actor, user, active: bool) -> None:
    """Deactivate (the account can no longer log in; its records and audit trail stay) or reactivate."""
    _require_office(actor)
    if actor.user is not None and actor.user.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        before = account_state(user)
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit(actor, "activate" if active else "deactivate", user, before, account_state(user))
